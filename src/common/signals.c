/* SPDX-License-Identifier: BSD-3-Clause */
/* signals.c - remember the first terminating signal; a second one ends the
 * process at once. */
#include "config.h"

#include "common/signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <unistd.h>

/* A signal handler can only talk to the program through a static flag. It
 * is atomic because Open MPI's threads make rank 0 multi-threaded: two
 * signals pending at once (the process was stopped) can run the handler in
 * two threads at the same moment, and both must not take themselves for
 * the first. A lock-free atomic is safe in a handler. */
static atomic_int caught;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs a lock-free atomic int");
/* Whether standard output is a terminal whose cursor the bars may hide;
 * found out once, as isatty() is not async-signal-safe. */
static int on_tty;
/* signals_install()'s last: set before any handler is installed */
static void (*last_words)(void);

static void on_signal(int sig)
{
    int none = 0;
    if (atomic_compare_exchange_strong(&caught, &none, sig))
        return;
    /* the user insists (a second Ctrl-C): leave now, without reports.
     * Every result shown is in the journal already (synced before it was
     * shown). The shard this rank runs would die with it (PR_SET_PDEATHSIG)
     * but not what the shard started in groups of its own: last_words ends
     * them all. */
    if (last_words)
        last_words();
    static const char cursor[] = "\033[?25h\n";
    static const char said[] = "distmpi: second signal: stopping at once; the journal keeps "
                               "every finished result (--resume)\n";
    ssize_t ignored;
    if (on_tty)
        ignored = write(STDOUT_FILENO, cursor, sizeof cursor - 1);
    ignored = write(STDERR_FILENO, said, sizeof said - 1);
    (void)ignored;
    _exit(128 + sig);
}

/* Why the signals go to one thread: a signal is delivered to any thread
 * that does not block it. While the main thread runs the handler for the
 * first signal, a second one would go to one of Open MPI's threads, which
 * under load may not run for a long time; the main thread meanwhile goes on
 * to print the summary and write the reports that the second signal was
 * meant to skip. Held in every other thread, the second signal waits for
 * the first handler to return and is taken at once by the main thread. */
static void terminating_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

int signals_hold(void)
{
    sigset_t set;
    terminating_set(&set);
    int e = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

int signals_install(void (*last)(void))
{
    on_tty = isatty(STDOUT_FILENO);
    last_words = last;
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    sa.sa_handler = on_signal;
    /* one handler at a time: a second signal waits for the first to be
     * recorded, then ends the process */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    sa.sa_flags = 0;
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return -1;
    sigset_t set;
    terminating_set(&set);
    int e = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

int signals_caught(void)
{
    return atomic_load(&caught);
}
