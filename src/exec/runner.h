/* SPDX-License-Identifier: BSD-3-Clause */
/* runner.h - run one shard at a time as a child process: its own process
 * group, its output read from a pipe and passed on in bounded pieces, a
 * timeout that ends the whole group, and local retries with exponential
 * backoff.
 *
 * A runner never blocks: runner_step() does what is due and returns, and the
 * caller sleeps on runner_fd() until runner_deadline().
 */
#ifndef DISTMPI_RUNNER_H
#define DISTMPI_RUNNER_H

#include <stdbool.h>

#include "model/output.h" /* enum log_kind, LOG_CHUNK_MAX */
#include "model/result.h"

/* Receives each piece of output: attempt is the attempt's number. */
typedef void (*runner_output_fn)(void *arg, long index, int attempt, int kind, const char *data,
                                 size_t len);

/* Called when attempt (its number) of shard index ended and a retry will
 * follow, before the backoff: what the attempt left on disk is still there,
 * the next attempt has not overwritten it. */
typedef void (*runner_retry_fn)(void *arg, long index, int attempt);

struct runner_config {
    double timeout;    /* seconds per attempt, 0: none */
    double kill_grace; /* seconds between SIGTERM and SIGKILL */
    double backoff, backoff_max, backoff_jitter;
    const char *run_dir; /* relative to the working directory, or absolute */
    const char *host;
    int rank, slot;
    long total;                    /* shards in the run, for {total} */
    size_t max_log_bytes;          /* per attempt: head and tail, half each */
    bool stream;                   /* pass on LOG_LIVE pieces */
    bool lend_dirs;                /* a quiet passed shard's directory may become the next
                                      one's (runner.c lend_dir) */
    unsigned long long file_limit; /* the shards' soft RLIMIT_NOFILE; 0: the rank's */
    /* --retry-command: a retry after an attempt that failed (exited non-zero)
     * runs this /bin/sh line instead, with {failed} the tests that the
     * attempt's JUnit report (the collect pattern, ending in ".xml") names
     * as failed; when it names none or cannot be read, the full command
     * runs. NULL: always the full command. */
    const char *retry_command;
    const char *collect;     /* --collect pattern, or NULL */
    runner_output_fn output; /* NULL: output is read and dropped */
    void *output_arg;
    runner_retry_fn retry; /* NULL: nothing to do between attempts */
    void *retry_arg;
};

struct runner;

/* Returns a runner (copies what cfg points to), or NULL with errno set
 * (ENOMEM, or prctl's: it makes this process a child subreaper). */
struct runner *runner_create(const struct runner_config *cfg);

/* Kill a running attempt's process group, reap it and free r. Processes
 * shards left in groups of their own are left alone. Accepts NULL; keeps
 * errno. */
void runner_destroy(struct runner *r);

/* Start shard index, numbering its attempts from first_attempt (struct
 * attempt), with up to retries retries after a failed attempt.
 * words[0..nwords) are the command's word templates; with shell, words[0]
 * is a task line run by /bin/sh -c and its values are shell-quoted. The
 * words are copied. Returns 0, or -1 with errno EBUSY (a shard is running),
 * EINVAL (first_attempt or retries out of range) or ENOMEM. */
int runner_start(struct runner *r, long index, int first_attempt, int retries, char *const *words,
                 int nwords, bool shell);

/* End the shard in progress at once, if any, and every process shards
 * started in process groups of their own: as reaper_kill_all(), then reap
 * the shard, and forget it (no result). The runner is idle afterwards. */
void runner_cancel(struct runner *r);

/* End shard index's run here, whose attempts are numbered from
 * first_attempt, because another copy of it counted first (--speculate):
 * the running attempt the way a timeout ends one (SIGTERM to its process
 * group, SIGKILL after kill_grace; what left the group is left alone, as
 * after any attempt), recorded as OUTCOME_SUPERSEDED, and no retry after
 * it; one waiting to retry ends at once. The result still comes from
 * runner_step(), with the attempts made. Returns 0, or -1 when the runner
 * has no such run (it finished, or runs another). */
int runner_supersede(struct runner *r, long index, int first_attempt);

/* The output directory of shard index's attempt (DISTMPI_OUTPUT_DIR, absolute;
 * heap), or NULL (ENOMEM). */
char *runner_output_dir(const struct runner *r, long index, int attempt);

/* Stop reading the running attempt's output for now (hold), or read it
 * again: while held, a child that prints a lot blocks on its full pipe,
 * which is how a slow receiver slows a fast printer down. */
void runner_hold_output(struct runner *r, bool hold);

/* Whether a shard is in progress (running, or waiting to retry). */
bool runner_busy(const struct runner *r);

/* Reap, time out, kill or retry as due. Returns the shard's result once it is
 * finished (caller frees with result_free), otherwise NULL. */
struct shard_result *runner_step(struct runner *r);

/* The monotonic time (time_mono) by which runner_step must run again even if
 * runner_fd() stays quiet; INFINITY when nothing is pending. */
double runner_deadline(const struct runner *r);

/* A descriptor that becomes readable when the running child exits or
 * writes output, or -1 (no child). Without pidfd support runner_deadline()
 * also polls. */
int runner_fd(const struct runner *r);

#endif
