/* SPDX-License-Identifier: BSD-3-Clause */
/* notify.h - --notify-command: a command run once at the end of a run (a
 * Slack webhook with curl, a mail, a CI hook), told the outcome through its
 * environment. Whatever it does, it is only a warning: it never changes
 * distmpi's exit status, and a command that hangs is ended after a time.
 */
#ifndef DISTMPI_NOTIFY_H
#define DISTMPI_NOTIFY_H

#include "common/error.h"

/* Seconds a command gets between SIGTERM and SIGKILL. */
#define NOTIFY_KILL_GRACE 2.0

/* Run command with /bin/sh -c, its standard output and error those of
 * distmpi, its environment distmpi's (less what makes rank 0 a process of
 * distmpi's MPI job: childenv.h) plus the "NAME=VALUE" entries of env
 * (NULL-terminated; a NAME already set is replaced), in a process group of
 * its own. Wait for it up to timeout seconds (0: no limit); then its group
 * gets SIGTERM and, NOTIFY_KILL_GRACE seconds later, SIGKILL. Returns 0
 * when it exited 0, or -1 with why in warn: it could not start, exited
 * with status N, was ended by a signal, or ran out of time. */
int notify_run(const char *command, char *const *env, double timeout, struct error *warn);

#endif
