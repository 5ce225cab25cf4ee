/* SPDX-License-Identifier: BSD-3-Clause */
/* signals.h - SIGINT, SIGTERM and SIGHUP end a run cleanly: the loops see the
 * signal, end their shards' process groups and report what finished. A
 * second one ends the process at once (the journal is intact). */
#ifndef DISTMPI_SIGNALS_H
#define DISTMPI_SIGNALS_H

/* Block SIGINT, SIGTERM and SIGHUP in the calling thread, before MPI_Init:
 * the threads Open MPI starts inherit the block, so these signals are only
 * ever delivered to the thread that calls signals_install(). Returns 0, or
 * -1 with errno set. */
int signals_hold(void);

/* Catch SIGINT, SIGTERM and SIGHUP (without SA_RESTART, so sleeps end early);
 * at the second, call last (if not NULL; it must be async-signal-safe: it
 * ends what the process started), restore the cursor on a terminal and
 * _exit(128+N). Then unblock them in the calling thread (see signals_hold);
 * a signal that came while they were held is taken now, as the first.
 * Returns 0, or -1 with errno set. */
int signals_install(void (*last)(void));

/* The first signal caught, or 0. */
int signals_caught(void);

#endif
