/* SPDX-License-Identifier: BSD-3-Clause */
/* spawner.c - start a child with clone(CLONE_VM | CLONE_VFORK).
 *
 * The child runs in the parent's memory until it calls exec, on a stack of
 * its own, while the calling thread waits (CLONE_VFORK); the parent's other
 * threads (Open MPI's) go on. So the child may only make system calls and
 * async-signal-safe calls that touch nothing but its stack and struct
 * child_args: no malloc, no stdio, no lock the parent's threads may hold.
 * errno is the calling thread's (the child has no TLS of its own), which
 * is harmless while that thread waits: the parent reads the child's errno
 * from child_args.err, not from errno. These are the pitfalls glibc's
 * posix_spawn deals with the same way; posix_spawn itself cannot set
 * PR_SET_PDEATHSIG or a limit on open files in the child.
 */
#include "config.h"

#include "exec/spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rawdir.h"

/* The child's stack beyond what argv needs: execvpe puts a PATH entry
 * joined with the file name (up to PATH_MAX + NAME_MAX) and, for a script
 * without #!, a copy of argv on the stack; lazy symbol binding and a
 * sanitized build take some more. Pages never touched cost nothing. */
#define CHILD_STACK (64 * 1024)

/* A sanitized build instruments stack frames: the child's one never returns
 * (it execs), so its instrumentation would leave the stack's shadow
 * memory poisoned in the parent, whose memory it is. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHILD_FN __attribute__((no_sanitize("address")))
#endif
#endif
#if !defined(CHILD_FN) && defined(__SANITIZE_ADDRESS__)
#define CHILD_FN __attribute__((no_sanitize_address))
#endif
#ifndef CHILD_FN
#define CHILD_FN
#endif

struct spawner {
    char *map;   /* a guard page, then the stack (which grows down) */
    size_t size; /* of the whole mapping, 0 before the first spawn */
    size_t page; /* the page size */
    int devnull; /* /dev/null, from 3 up, close-on-exec */
};

/* What the child reads, and the one thing it writes (err). */
struct child_args {
    char *const *argv;
    char *const *env;
    int out, devnull;
    pid_t parent;
    const struct rlimit *files; /* NULL: keep the parent's */
    volatile int err;           /* the errno that stopped it, else 0 */
};

struct spawner *spawner_create(void)
{
    struct spawner *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->page = (size_t)sysconf(_SC_PAGESIZE);
    /* opened once rather than per child; from 3 up, so that dup2 onto 0
     * always makes a new descriptor without close-on-exec */
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    s->devnull = fd >= 0 && fd < 3 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
    if (fd >= 0 && fd < 3)
        close(fd);
    if (s->devnull < 0) {
        spawner_destroy(s);
        return NULL;
    }
    return s;
}

void spawner_destroy(struct spawner *s)
{
    if (!s)
        return;
    int saved = errno;
    if (s->map)
        munmap(s->map, s->size);
    if (s->devnull >= 0)
        close(s->devnull);
    free(s);
    errno = saved;
}

/* A stack of at least need bytes above a guard page. Returns 0, or -1 with
 * errno set. */
static int ensure_stack(struct spawner *s, size_t need)
{
    size_t size = s->page + ((need + s->page - 1) / s->page) * s->page;
    if (s->map && s->size >= size)
        return 0;
    char *map =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return -1;
    /* an overflow faults here instead of writing over whatever lies below */
    if (mprotect(map, s->page, PROT_NONE) < 0) {
        int e = errno;
        munmap(map, size);
        errno = e;
        return -1;
    }
    if (s->map)
        munmap(s->map, s->size);
    s->map = map;
    s->size = size;
    return 0;
}

/* Mark every descriptor from 3 up close-on-exec. Without close_range
 * (before Linux 5.11, or without CLOSE_RANGE_CLOEXEC) the list comes from
 * /proc/self/fd. Returns 0, or -1 with errno set. */
CHILD_FN static int cloexec_from_3(void)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL) /* EINVAL: a kernel without the flag */
        return -1;
    struct rawdir d;
    if (rawdir_open(&d, "/proc/self/fd") < 0)
        return -1;
    const char *name;
    while ((name = rawdir_next(&d)) != NULL) {
        int fd = 0;
        for (const char *c = name; *c >= '0' && *c <= '9'; c++)
            fd = fd * 10 + (*c - '0');
        if (fd > 2 && fd != d.fd && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF) {
            rawdir_close(&d);
            return -1;
        }
    }
    rawdir_close(&d);
    if (d.err) {
        errno = d.err;
        return -1;
    }
    return 0;
}

/* Set the calling thread's signal mask to set, glibc's own two signals
 * included (which sigprocmask and pthread_sigmask leave alone): the child
 * starts with the parent's mask, in which every signal is blocked, so that
 * no handler runs on its stack. */
CHILD_FN static void mask_all(const sigset_t *set, sigset_t *old)
{
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, old, (size_t)(_NSIG / 8));
}

/* The child, up to exec. Every signal is blocked on entry (see
 * spawner_run), so no handler of the parent's can run on this stack. */
CHILD_FN static int child_main(void *arg)
{
    struct child_args *a = arg;
    /* if the rank dies (kill -9, Open MPI ending the job), its shard dies
     * with it rather than finishing unrecorded and running twice after
     * --resume; checked after setting, in case the rank died before */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        goto fail;
    if (getppid() != a->parent)
        _exit(127);
    /* the parent waits until exec: the group exists before it can signal
     * it, so the parent need not call setpgid too, as it must after fork */
    if (setpgid(0, 0) < 0)
        goto fail;
    /* MPI may ignore signals (SIGPIPE, ...); the test must not. Handled ones
     * go back to default too, so that none runs here once the mask is
     * emptied below. The raw call reaches glibc's own two (32, 33) as well,
     * which sigaction() refuses and which a parent started by posix_spawn
     * (GNU make, say) passes on ignored; a zeroed kernel sigaction is
     * SIG_DFL whatever the architecture's layout. */
    static const unsigned long dfl[32];
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(_NSIG / 8));
    /* the shard gets 0 (/dev/null), 1 and 2 (the output pipe) and nothing
     * else: whatever Open MPI and the libraries opened without
     * close-on-exec stays here. The pipe is moved clear of 0-2 first, in
     * case the rank was started with one of those closed. */
    int out = a->out;
    if (out < 3 && (out = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0)
        goto fail;
    if (dup2(a->devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        goto fail;
    if (cloexec_from_3() < 0)
        goto fail;
    /* the limit on open files the rank started with, not the one it raised
     * for itself: some programs close or scan every descriptor up to it */
    if (a->files && setrlimit(RLIMIT_NOFILE, a->files) < 0)
        goto fail;
    /* raw, as it was blocked: a sanitizer's sigprocmask wrapper left the
     * mask full in a child of this kind */
    sigset_t none;
    sigemptyset(&none);
    mask_all(&none, NULL);
    execvpe(a->argv[0], a->argv, a->env);
fail:
    a->err = errno ? errno : ECHILD;
    _exit(127);
}

int spawner_run(struct spawner *s, char *const *argv, char *const *env, int out,
                unsigned long long file_limit, pid_t *pid)
{
    struct rlimit lim;
    struct child_args a = {.argv = argv, .env = env, .out = out, .devnull = s->devnull};
    if (file_limit && getrlimit(RLIMIT_NOFILE, &lim) == 0 && file_limit <= lim.rlim_max) {
        lim.rlim_cur = (rlim_t)file_limit;
        a.files = &lim;
    }
    size_t argc = 0;
    while (argv[argc])
        argc++;
    if (ensure_stack(s, CHILD_STACK + (argc + 3) * sizeof *argv) < 0)
        return errno;
    a.parent = getpid();
    sigset_t all, old;
    memset(&all, 0xff, sizeof all); /* sigfillset() leaves glibc's two out */
    sigemptyset(&old);
    mask_all(&all, &old);
    pid_t p = clone(child_main, s->map + s->size, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    int e = errno;
    mask_all(&old, NULL);
    if (p < 0)
        return e;
    if (a.err) { /* it could not exec, and has exited: reap it */
        while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
            ;
        return a.err;
    }
    *pid = p;
    return 0;
}
