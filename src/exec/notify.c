/* SPDX-License-Identifier: BSD-3-Clause */
/* notify.c - the command run at the end of a run (--notify-command). */
#include "config.h"

#include "exec/notify.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "exec/childenv.h"

extern char **environ;

/* In the child: the signals as a fresh process has them (distmpi catches,
 * blocks or ignores some), then the shell with envp (made before the fork:
 * rank 0 has threads, so the child only calls what is safe after fork). */
static void child(const char *command, char *const *envp)
{
    setpgid(0, 0);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    execve("/bin/sh", argv, envp);
    _exit(127);
}

/* Wait for pid until the monotonic time deadline (INFINITY: for ever).
 * Returns 1 with its status, 0 when the deadline came first. */
static int wait_until(pid_t pid, double deadline, int *status)
{
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return 1;
        if (got < 0 && errno != EINTR)
            return 1; /* not ours to wait for any more: nothing to report */
        if (time_mono() >= deadline)
            return 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* End what pid's process group still holds and reap those of them that
 * are our children (rank 0 is the subreaper of its shards' orphans, so
 * they come to us), for up to NOTIFY_KILL_GRACE seconds: no zombie and no
 * straggler outlives the notification. */
static void end_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    double deadline = time_mono() + NOTIFY_KILL_GRACE;
    while (waitpid(-pid, NULL, WNOHANG) >= 0 && time_mono() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int notify_run(const char *command, char *const *env, double timeout, struct error *warn)
{
    /* distmpi's environment less its MPI job's variables, env's in place of
     * those it names */
    char **envp = childenv_make(environ, env, false);
    if (!envp)
        return errprintf(warn, "cannot start it: %s", strerror(ENOMEM));
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        free(envp);
        return errprintf(warn, "cannot start it: %s", strerror(err));
    }
    if (pid == 0)
        child(command, envp);
    free(envp);
    setpgid(pid, pid); /* as the child does: whichever runs first */
    int status = 0;
    double deadline = timeout > 0 ? time_mono() + timeout : 1.0 / 0.0;
    if (!wait_until(pid, deadline, &status)) {
        kill(-pid, SIGTERM);
        if (!wait_until(pid, time_mono() + NOTIFY_KILL_GRACE, &status)) {
            kill(-pid, SIGKILL);
            wait_until(pid, 1.0 / 0.0, &status);
        }
        end_group(pid); /* what it left behind in its group */
        return errprintf(warn, "it did not end within %g s (--notify-timeout) and was stopped",
                         timeout);
    }
    end_group(pid); /* background children it left in its group */
    if (WIFSIGNALED(status))
        return errprintf(warn, "it was ended by signal %d", WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return errprintf(warn, "it exited with status %d%s", WEXITSTATUS(status),
                         WEXITSTATUS(status) == 127 ? " (command not found?)" : "");
    return 0;
}
