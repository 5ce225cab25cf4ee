/* SPDX-License-Identifier: BSD-3-Clause */
/* spawner.h - start a command as a child process with vfork semantics:
 * clone(CLONE_VM | CLONE_VFORK) on a stack of its own, so that nothing of
 * the parent's address space is copied (an MPI rank carries hundreds of
 * megabytes of mappings, which fork() copied and exec then threw away).
 *
 * The child gets: its own process group; SIGKILL when the thread that
 * started it ends (PR_SET_PDEATHSIG); every signal at its default action
 * and none blocked; stdin /dev/null, stdout and stderr the given
 * descriptor, and no other descriptor of the parent; optionally a soft
 * limit on open files. A command that cannot be started comes back as the
 * errno that stopped it, not as a child that exits 127.
 */
#ifndef DISTMPI_SPAWNER_H
#define DISTMPI_SPAWNER_H

#include <sys/types.h>

struct spawner;

/* Returns a spawner (its child stack and an open /dev/null), or NULL
 * with errno set. */
struct spawner *spawner_create(void);

/* Accepts NULL; keeps errno. */
void spawner_destroy(struct spawner *s);

/* Start argv (argv[0] looked up in PATH, as execvpe does) with the
 * environment env, stdout and stderr on out, and a soft RLIMIT_NOFILE of
 * file_limit (0, or more than the hard limit: the parent's limit stays).
 * Not thread-safe: one call at a time per spawner.
 * Returns 0 with *pid set, or the errno that kept the command from
 * starting (ENOENT, EACCES, ENOEXEC, ... from exec, or that of the set-up
 * before it); nothing is left to reap then. */
int spawner_run(struct spawner *s, char *const *argv, char *const *env, int out,
                unsigned long long file_limit, pid_t *pid);

#endif
