/* SPDX-License-Identifier: BSD-3-Clause */
/* result.h - what happened to a shard: its attempts, its class, and how a
 * set of classes becomes the exit status.
 *
 * Pure: no MPI, no I/O, no wire form (that is in proto.h).
 */
#ifndef DISTMPI_RESULT_H
#define DISTMPI_RESULT_H

#include <stddef.h>

/* How one attempt ended. */
enum outcome {
    OUTCOME_PASSED,     /* exit status 0 */
    OUTCOME_FAILED,     /* exit status != 0 */
    OUTCOME_TIMEOUT,    /* ended by distmpi after --timeout */
    OUTCOME_CRASHED,    /* ended by a signal distmpi did not send */
    OUTCOME_EXEC_ERROR, /* could not be started (or the shell could not find it) */
    OUTCOME_SUPERSEDED, /* ended by distmpi: another copy of the shard counted first
                           (--speculate) */
    OUTCOME_COUNT
};

/* The class of a finished shard. Order matters: see status_is_*. */
enum status {
    STATUS_PASSED,
    STATUS_FLAKY, /* passed after at least one failed attempt */
    STATUS_FAILED,
    STATUS_TIMEOUT,
    STATUS_CRASHED,
    STATUS_EXEC_ERROR,
    STATUS_LOST,        /* never reported */
    STATUS_INTERRUPTED, /* the run was stopped by a signal first */
    STATUS_SKIPPED,     /* not started: --max-failures was reached first */
    STATUS_COUNT
};

/* Exit statuses of distmpi (distmpi(1), EXIT STATUS). */
enum {
    EXIT_PASSED = 0,
    EXIT_TEST_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_INFRA = 3,
};

/* Attempt numbers stay at or below this (checked where they arrive); a
 * shard's first attempt on a host at or below ATTEMPT_FIRST_MAX, so that its
 * retries (RETRIES_MAX at most) stay in range. */
#define ATTEMPT_NUMBER_MAX 1000000000
#define ATTEMPT_FIRST_MAX  (ATTEMPT_NUMBER_MAX / 2)
/* The most --retries allows. */
#define RETRIES_MAX 1000

struct attempt {
    int outcome;     /* enum outcome */
    int exit_code;   /* -1 when none */
    int signal;      /* 0 when none */
    double start;    /* wall clock, seconds since the epoch */
    double duration; /* seconds */
    /* Its number among the shard's attempts, from 1: the N of attempt-N in
     * paths and of {attempt}. A shard moved off a lost host starts after
     * every number the copy left running there may still use, so no two
     * attempts share an output directory. */
    int number;
    int rank; /* the rank that ran it; -1 when not known (a carried result) */
    /* A partial retry (--retry-command): how many failed tests of the
     * attempt before it ran; 0: the full command ran. */
    int retried;
};

/* A copy of a shard that distmpi ended because another copy's result
 * counted first (--speculate): its latest attempt (outcome
 * OUTCOME_SUPERSEDED; start and duration those of the copy, from its
 * hand-out to its end as rank 0 saw them), and that attempt's log on rank
 * 0, or NULL. It is not one of the shard's attempts: it does not count in
 * its class, retries or busy time. */
struct superseded {
    struct attempt attempt;
    char *log;
};

struct shard_result {
    long index;     /* 0-based */
    int status;     /* enum status */
    int rank, slot; /* who ran it; -1 when lost */
    int nattempts;
    struct attempt *attempts; /* nattempts entries */
    char *log;                /* last attempt's log on its host, or NULL */
    char *error;              /* why it could not be started, or NULL */
    /* A result carried over from an earlier run's journal (--resume): it
     * was not run now, rank and slot are -1, and host names where it ran. */
    int carried;
    /* the copies ended because another counted first (rank 0 only, never
     * on the wire): nsuperseded of them, NULL when none */
    int nsuperseded;
    struct superseded *superseded;
    char *host;
};

const char *outcome_name(int outcome); /* "passed", "failed", "timeout", ... */
const char *status_name(int status);   /* "passed", "flaky", ..., "exec_error", "lost" */
const char *status_label(int status);  /* the same for people: "exec error" */

/* The enum value of a name outcome_name/status_name give, or -1. */
int outcome_from_name(const char *name);
int status_from_name(const char *name);

/* A shard that passed (flaky included). */
int status_is_pass(int status);
/* A shard that ran and did not pass: failed, timeout, crashed. */
int status_is_test_failure(int status);
/* A shard that could not run or never reported: exec_error, lost,
 * interrupted. */
int status_is_infra(int status);

/* The class that the attempts give: the last attempt decides, and a pass
 * after a failure is flaky. A copy's run that ends superseded (its last
 * attempt) is interrupted: rank 0 does not record it. */
int result_status_from_attempts(const struct attempt *a, int n);

/* The exit status for counts[STATUS_COUNT] of finished shards:
 * infrastructure 3 > test failure 1 > 0. */
int result_exit_status(const long *counts);

/* "attempt 2 of 3" for the k-th (from 0) of n attempts a belongs to, or
 * "attempt 4 (1 of 1)" when its number is not its place (after a move off
 * a lost host), into buf. */
void result_attempt_label(char *buf, size_t len, const struct attempt *a, int k, int n);

/* The number of r's last attempt, 0 when it has none. */
int result_last_number(const struct shard_result *r);

/* Seconds from the first attempt's start to the end of the last; 0 if none. */
double result_elapsed(const struct shard_result *r);
/* Sum of the attempts' durations. */
double result_busy(const struct shard_result *r);

/* The attempts of earlier (which did not pass), then those of later, as
 * later's result (its rank, slot, error and class, but a pass becomes
 * flaky): a shard retried on another host (--retry-elsewhere). Frees
 * earlier, and later too on ENOMEM (returns NULL). */
struct shard_result *result_merge(struct shard_result *earlier, struct shard_result *later);

/* Add a superseded copy to r (a copied, log a copied string or NULL).
 * Returns 0, or -1 (ENOMEM; r unchanged). */
int result_add_superseded(struct shard_result *r, const struct attempt *a, const char *log);

/* A shard without a result of its own (STATUS_LOST, _INTERRUPTED, _SKIPPED):
 * no attempts, rank -1. Returns NULL on ENOMEM. */
struct shard_result *result_new_missing(long index, int status);

/* Accepts NULL and keeps errno. */
void result_free(struct shard_result *r);

#endif
