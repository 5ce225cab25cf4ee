/* SPDX-License-Identifier: BSD-3-Clause */
/* journal.h - the run's journal: rank 0 appends every result as one JSON
 * line as it arrives and makes it durable (fsync, a batch of lines at a
 * time) before showing it anywhere, so that whatever ends the run (Ctrl-C,
 * a batch scheduler's time limit, Open MPI aborting the job, kill -9)
 * every finished result survives, and --resume can run only what is left.
 * (A line written and not yet synced survives the end of the process; only
 * the end of the machine could take it, and then it was not shown.)
 *
 * Format (JSON Lines): the first line identifies the run,
 *   {"journal": "distmpi", "version": 1, "run_id": ..., "started": EPOCH,
 *    "total": N, "schedule": "dynamic", "command": [WORD...] | null,
 *    "tasks": [LINE...] | null}
 * and every further line is one shard's result,
 *   {"shard": N, "status": ..., "host": ..., "rank": R, "slot": S,
 *    "log": ..., "error": ..., "attempts": [{"attempt", "outcome",
 *    "exit_code", "signal", "start", "duration"}...],
 *    "superseded": [{"attempt", "outcome": "superseded", ..., "log"}...]}
 * ("superseded", the copies --speculate ended, only when there are some;
 * attempt numbers are all different, and grow but where a copy that failed
 * comes before the other copy that passed). A later line for the same
 * shard replaces an earlier one. Strings that are
 * not valid UTF-8 are written as {"hex": "..."} so that every byte of a
 * command survives. A last line cut short by a crash is ignored.
 */
#ifndef DISTMPI_JOURNAL_H
#define DISTMPI_JOURNAL_H

#include <stddef.h>

#include "common/error.h"
#include "model/result.h"

/* What makes two runs the same run: the command (or the task file's lines)
 * and the shard count. The schedule is recorded but may differ. */
struct journal_identity {
    char *const *command; /* NULL in task mode */
    int ncommand;
    char *const *tasks; /* the task lines, NULL in command mode */
    long ntasks;
    long total;
    const char *schedule;
    const char *run_id;
    double started;
};

struct journal;

/* Create a new journal at path (never replacing a file, never through a
 * symlink; its directory created if missing, by fsutil.h's rule, and synced
 * once it holds the journal) and write and sync its identity line. Returns
 * NULL with "cannot create the journal PATH: reason" in err, and errno
 * EEXIST when something is at path already (ELOOP for a symlink). */
struct journal *journal_create(const char *path, const struct journal_identity *id,
                               struct error *err);

/* Append r (host: where it ran, or NULL; log: the path of its last
 * attempt's log, or NULL) to the file, not yet durable. Returns 0, or -1
 * with a reason in err. */
int journal_append(struct journal *j, const struct shard_result *r, const char *host,
                   const char *log, struct error *err);

/* Make every line appended so far durable (fsync). Returns 0, or -1 with a
 * reason in err. */
int journal_sync(struct journal *j, struct error *err);

/* Close j. Accepts NULL; keeps errno. */
void journal_close(struct journal *j);

/* A journal read back. */
struct journal_data {
    char **command; /* NULL in task mode */
    int ncommand;
    char **tasks; /* NULL in command mode */
    long ntasks;
    long total;
    char *schedule;
    char *run_id;
    /* the latest result of each shard (total entries, NULL: none), carried
     * (r->carried set, rank and slot -1, r->host the host it ran on) */
    struct shard_result **results;
    long nresults; /* entries that are not NULL */
};

/* Read the journal at path. A last line without its newline that does not
 * parse is ignored (a crash cut it short); any other bad line is an error.
 * Returns 0, or -1 with "PATH:LINE: problem" in err. */
int journal_load(const char *path, struct journal_data *out, struct error *err);

/* Free what d owns. */
void journal_data_free(struct journal_data *d);

/* Whether the journal d is of the run id describes: the same command or
 * task lines and shard count. Returns 0, or -1 with what differs in why. */
int journal_match(const struct journal_data *d, const struct journal_identity *id,
                  struct error *why);

#endif
