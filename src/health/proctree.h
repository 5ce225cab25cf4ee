/* SPDX-License-Identifier: BSD-3-Clause */
/* proctree.h - the run's own runnable tasks on a host, from /proc: the load
 * that the health check must not hold against the host.
 *
 * "The run's own" is its ranks on the host, each rank's parent (the launcher
 * daemon that started it: mpirun, orted, slurmstepd) and every descendant of
 * the ranks (their shards and whatever the shards started, as long as it
 * stays below them in the tree). The parents' other descendants are not
 * counted: outside mpirun the parent is the user's shell, whose other jobs
 * are other work.
 */
#ifndef DISTMPI_PROCTREE_H
#define DISTMPI_PROCTREE_H

#include <stddef.h>

/* Parse the text of a /proc/PID/stat (len bytes, not necessarily
 * NUL-terminated): "PID (COMM) S PPID ...", where COMM may hold blanks and
 * parentheses (the last ')' ends it). Returns 0 with *pid, *state and *ppid
 * set, or -1 with errno EINVAL when the text is not of that form. */
int proctree_parse_stat(const char *text, size_t len, long *pid, char *state, long *ppid);

/* Mark the run's own processes among n processes given by pid[] and
 * ppid[]: own[i] is set to 1 for a process in ranks[] (nranks of them), for
 * a descendant of one, and for a rank's parent; else to 0. Pure. */
void proctree_mark(const long *pid, const long *ppid, int n, const long *ranks, int nranks,
                   unsigned char *own);

/* How many tasks (threads) of the run's own processes are runnable (state
 * R) now, read from procdir ("/proc", or a recorded copy in tests): each
 * process's PROCDIR/PID/task/TID/stat, or PROCDIR/PID/stat where there is no
 * task directory. A process that ends while it is read is not counted.
 * Returns the count, or -1 with errno set when procdir cannot be read or
 * memory runs out. */
long proctree_running(const char *procdir, const long *ranks, int nranks);

#endif
