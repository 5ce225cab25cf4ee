/* SPDX-License-Identifier: BSD-3-Clause */
/* failcall.c - for tests only: an LD_PRELOAD library that makes one call
 * fail, so that the tests can see how distmpi handles it.
 *
 * FAILCALL=NAME[:N] makes the Nth matching call (default the first) fail.
 * NAME is one of:
 *   fcntl-setfl      fcntl(fd, F_SETFL, ...)                 EBADF
 *   epoll_ctl-add    epoll_ctl(epfd, EPOLL_CTL_ADD, ...)     ENOMEM
 *   prctl-subreaper  prctl(PR_SET_CHILD_SUBREAPER, ...)      EINVAL
 *   sigaction        sigaction() installing a handler       EINVAL
 *   close_range      close_range()                          ENOSYS
 * and one that fails nothing but watches:
 *   kill-after-reap  says on stderr "failcall: kill(-PID) after PID was
 *                    reaped" when the program signals a process group
 *                    whose leader it has already reaped with waitpid()
 * Only calls made by the program itself count (not those of Open MPI or the
 * other libraries), except close_range, which runs in the child before exec
 * where nothing but a flag may be looked at. The library takes FAILCALL and
 * itself out of the environment when it loads, so the program's children
 * run without it.
 *
 * The child distmpi starts runs in distmpi's memory until it execs (clone
 * with CLONE_VM), where dlsym, which takes the dynamic linker's lock and may
 * allocate, must not be called: the real functions are looked up once, when
 * the library loads, and the wrappers called in the child (fcntl, sigaction,
 * close_range) look at nothing but flags there.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char which[32];
static long nth = 1;
static long seen;
static void *main_base; /* where the program itself is loaded */

/* The real functions, looked up in failcall_init(), or on first use by a
 * library whose constructor runs before ours. */
static void *real_fcntl, *real_epoll_ctl, *real_prctl, *real_sigaction, *real_waitpid, *real_kill;

static void *real(void **slot, const char *name)
{
    if (!*slot)
        *slot = dlsym(RTLD_NEXT, name);
    return *slot;
}

#define REAL(name) real(&real_##name, #name)

__attribute__((constructor)) static void failcall_init(void)
{
    const char *v = getenv("FAILCALL");
    if (v) {
        size_t n = strcspn(v, ":");
        if (n < sizeof which) {
            memcpy(which, v, n);
            which[n] = '\0';
        }
        if (v[n] == ':')
            nth = strtol(v + n + 1, NULL, 10);
    }
    Dl_info info;
    if (dladdr((void *)getauxval(AT_PHDR), &info))
        main_base = info.dli_fbase;
    unsetenv("FAILCALL");
    unsetenv("LD_PRELOAD");
    (void)REAL(fcntl);
    (void)REAL(epoll_ctl);
    (void)REAL(prctl);
    (void)REAL(sigaction);
    (void)REAL(waitpid);
    (void)REAL(kill);
}

/* Whether this call, named name and made from caller, is the one to fail. */
static int should_fail(const char *name, void *caller)
{
    if (strcmp(which, name) != 0)
        return 0;
    if (caller) {
        Dl_info info;
        if (!dladdr(caller, &info) || info.dli_fbase != main_base)
            return 0;
    }
    return ++seen == nth;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *); /* every fcntl argument fits in a pointer */
    va_end(ap);
    if (cmd == F_SETFL && should_fail("fcntl-setfl", __builtin_return_address(0))) {
        errno = EBADF;
        return -1;
    }
    return ((int (*)(int, int, void *))REAL(fcntl))(fd, cmd, arg);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    if (op == EPOLL_CTL_ADD && should_fail("epoll_ctl-add", __builtin_return_address(0))) {
        errno = ENOMEM;
        return -1;
    }
    return ((int (*)(int, int, int, struct epoll_event *))REAL(epoll_ctl))(epfd, op, fd, ev);
}

int prctl(int option, ...)
{
    va_list ap;
    va_start(ap, option);
    unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long),
                  a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
    va_end(ap);
    if (option == PR_SET_CHILD_SUBREAPER &&
        should_fail("prctl-subreaper", __builtin_return_address(0))) {
        errno = EINVAL;
        return -1;
    }
    return ((int (*)(int, ...))REAL(prctl))(option, a2, a3, a4, a5);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (act && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN &&
        should_fail("sigaction", __builtin_return_address(0))) {
        errno = EINVAL;
        return -1;
    }
    return ((int (*)(int, const struct sigaction *, struct sigaction *))REAL(sigaction))(sig, act,
                                                                                         old);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
    /* async-signal-safe: no dladdr, no dlsym (the real one is a system call) */
    if (strcmp(which, "close_range") == 0) {
        errno = ENOSYS;
        return -1;
    }
    return (int)syscall(__NR_close_range, first, last, flags);
}

/* kill-after-reap: the pids the program reaped, the last few hundred */
#define REAPED_MAX 256
static pid_t reaped[REAPED_MAX];
static unsigned nreaped;

pid_t waitpid(pid_t pid, int *status, int options)
{
    pid_t got = ((pid_t(*)(pid_t, int *, int))REAL(waitpid))(pid, status, options);
    if (got > 0 && strcmp(which, "kill-after-reap") == 0)
        reaped[nreaped++ % REAPED_MAX] = got;
    return got;
}

int kill(pid_t pid, int sig)
{
    if (pid < -1 && strcmp(which, "kill-after-reap") == 0) {
        for (unsigned i = 0; i < REAPED_MAX && i < nreaped; i++) {
            if (reaped[i] == -pid) {
                char line[96];
                int n = snprintf(line, sizeof line, "failcall: kill(%d) after %d was reaped\n",
                                 (int)pid, (int)-pid);
                ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
                (void)ignored;
                break;
            }
        }
    }
    return ((int (*)(pid_t, int))REAL(kill))(pid, sig);
}
