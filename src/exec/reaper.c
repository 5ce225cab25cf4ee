/* SPDX-License-Identifier: BSD-3-Clause */
/* reaper.c - end everything a rank's shards started, from a signal handler
 * too, and reap what is left. */
#include "config.h"

#include "exec/reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/rawdir.h"
#include "common/timeutil.h"

/* The process group of the attempt running now (its leader's pid), or 0:
 * for reaper_kill_all(), which a signal handler calls. Set while the
 * leader cannot be reaped, so it never names a group whose pid was reused.
 * One runner per process runs shards, so one value is enough. */
static atomic_int running_group;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "reaper_kill_all needs a lock-free atomic int");

/* Processes a shard started in process groups of their own escape a kill of
 * its group. Those whose parent died became the rank's children (it is
 * their subreaper); the others are descendants of the shard. The functions
 * below find them all in /proc/PID/task/TID/children, from the rank's own
 * children down, stop each as it is found (so that it cannot fork any
 * more), then SIGKILL each with its process group. They are
 * async-signal-safe (reaper_kill_all() runs in a signal handler): no
 * stdio, no malloc, raw directory reads, static buffers. */

/* The children this process had before its runner existed (the daemon
 * that Open MPI starts for a rank run without mpirun, say): never killed.
 * Written once by reaper_note_prior(), before any handler can use it. */
#define PRIOR_MAX 16
static pid_t prior[PRIOR_MAX];
static int nprior;
/* Set once prior[] is written: before that no child came from a shard. */
static volatile sig_atomic_t prior_known;

/* The processes kill_descendants() found so far: one for reaper_kill_descendants(),
 * one for the signal handler, which may interrupt it. */
#define FOUND_MAX 4096
struct walk {
    pid_t pids[FOUND_MAX];
    int n;
};
static struct walk walk_cancel, walk_handler;

/* Write n in decimal at dst (room for 20 digits and a NUL). */
static void put_long(char *dst, long n)
{
    char tmp[24];
    int k = 0;
    do
        tmp[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    while (k > 0)
        *dst++ = tmp[--k];
    *dst = '\0';
}

/* dst = a followed by b and c, cut to size. */
static void join3(char *dst, size_t size, const char *a, const char *b, const char *c)
{
    const char *parts[] = {a, b, c};
    size_t k = 0;
    for (int p = 0; p < 3; p++)
        for (const char *s = parts[p]; *s && k + 1 < size; s++)
            dst[k++] = *s;
    dst[k] = '\0';
}

/* What to do with each child found. */
enum scan_mode {
    SCAN_RECORD, /* note it in prior[] */
    SCAN_STOP,   /* unless prior or found already: SIGSTOP it, add it to found[] */
};

static void on_child(pid_t pid, enum scan_mode mode, struct walk *w)
{
    if (mode == SCAN_RECORD) {
        if (nprior < PRIOR_MAX)
            prior[nprior++] = pid;
        return;
    }
    for (int i = 0; i < nprior; i++)
        if (prior[i] == pid)
            return;
    for (int i = 0; i < w->n; i++)
        if (w->pids[i] == pid)
            return;
    if (w->n >= FOUND_MAX)
        return;
    kill(pid, SIGSTOP);
    w->pids[w->n++] = pid;
}

/* Handle each pid listed in the children file at path (nothing when it
 * cannot be read: the thread has just ended). */
static void scan_file(const char *path, enum scan_mode mode, struct walk *w)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[4096];
    long pid = -1; /* -1: between numbers; a number cut by a read goes on */
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = (pid < 0 ? 0 : pid * 10) + (buf[i] - '0');
                continue;
            }
            if (pid > 1)
                on_child((pid_t)pid, mode, w);
            pid = -1;
        }
    }
    if (pid > 1)
        on_child((pid_t)pid, mode, w);
    close(fd);
}

/* Handle every child of process pid (0: this one): children are listed
 * under the thread that is their parent. Returns 0, or -1 with errno when
 * its task directory cannot be read. */
static int scan_children(pid_t pid, enum scan_mode mode, struct walk *w)
{
    char task[48];
    if (pid == 0) {
        join3(task, sizeof task, "/proc/self/task/", "", "");
    } else {
        char num[24];
        put_long(num, pid);
        join3(task, sizeof task, "/proc/", num, "/task/");
    }
    struct rawdir d;
    if (rawdir_open(&d, task) < 0)
        return -1;
    const char *name;
    while ((name = rawdir_next(&d)) != NULL) {
        char path[96];
        join3(path, sizeof path, task, name, "/children");
        scan_file(path, mode, w);
    }
    rawdir_close(&d);
    return 0;
}

/* Stop every child of this process but the prior ones, and all their
 * descendants, then SIGKILL each with its process group (not ours). The
 * dead are not reaped here. Twice over, for what was forked while the
 * first pass was listing. */
static void kill_descendants(struct walk *w)
{
    if (!prior_known)
        return;
    pid_t own = getpgrp();
    for (int pass = 0; pass < 2; pass++) {
        w->n = 0;
        scan_children(0, SCAN_STOP, w);
        for (int i = 0; i < w->n; i++) /* w->pids grows as it is walked */
            scan_children(w->pids[i], SCAN_STOP, w);
        if (w->n == 0)
            return;
        for (int i = 0; i < w->n; i++) {
            /* stopped, so alive: its group cannot be another's yet */
            pid_t g = getpgid(w->pids[i]);
            if (g > 1 && g != own)
                kill(-g, SIGKILL);
            kill(w->pids[i], SIGKILL);
        }
    }
}

void reaper_kill_all(void)
{
    /* once: a second signal in another thread at the same time finds it
     * under way (and ends the process, perhaps before it is done) */
    static atomic_flag under_way = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&under_way))
        return;
    int saved = errno;
    /* the shard first, while its tree is whole; then its group, for what
     * the walk missed */
    kill_descendants(&walk_handler);
    pid_t g = (pid_t)atomic_load(&running_group);
    if (g > 0)
        kill(-g, SIGKILL);
    errno = saved;
}

/* Whether this process may have a child to reap: false once a reap found
 * none at all (ECHILD), until the next attempt starts. No child, no
 * descendant, so no orphan can come either: the idle rank's polls for
 * orphans cost no system call. */
static bool may_have_children = true;

void reaper_reap_orphans(double patience)
{
    if (!may_have_children)
        return;
    double until = time_mono() + patience;
    for (;;) {
        pid_t p = waitpid(-1, NULL, WNOHANG);
        if (p > 0)
            continue;
        if (p < 0 && errno == EINTR)
            continue;
        if (p < 0 && errno == ECHILD)
            may_have_children = false;
        if (p < 0 || time_mono() >= until)
            return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

void reaper_set_group(pid_t leader)
{
    if (leader > 0)
        may_have_children = true;
    atomic_store(&running_group, (int)leader);
}

void reaper_kill_descendants(void)
{
    kill_descendants(&walk_cancel);
}

void reaper_note_prior(void)
{
    /* none of these came from a shard: kill_descendants() leaves them
     * alone. Without /proc it finds nothing to kill either: only the
     * shards' groups are killed then. */
    if (!prior_known) {
        (void)scan_children(0, SCAN_RECORD, NULL);
        prior_known = 1;
    }
}
