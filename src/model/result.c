/* SPDX-License-Identifier: BSD-3-Clause */
/* result.c - shard classes and the exit status they make. */
#include "config.h"

#include "model/result.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[OUTCOME_COUNT] = {"passed",  "failed",     "timeout",
                                                         "crashed", "exec_error", "superseded"};
static const char *const status_names[STATUS_COUNT] = {"passed",  "flaky",       "failed",
                                                       "timeout", "crashed",     "exec_error",
                                                       "lost",    "interrupted", "skipped"};
static const char *const status_labels[STATUS_COUNT] = {"passed",    "flaky",       "failed",
                                                        "timed out", "crashed",     "exec error",
                                                        "lost",      "interrupted", "not run"};

const char *outcome_name(int o)
{
    return o >= 0 && o < OUTCOME_COUNT ? outcome_names[o] : "unknown";
}

const char *status_name(int s)
{
    return s >= 0 && s < STATUS_COUNT ? status_names[s] : "unknown";
}

const char *status_label(int s)
{
    return s >= 0 && s < STATUS_COUNT ? status_labels[s] : "unknown";
}

int outcome_from_name(const char *name)
{
    for (int i = 0; i < OUTCOME_COUNT; i++)
        if (!strcmp(outcome_names[i], name))
            return i;
    return -1;
}

int status_from_name(const char *name)
{
    for (int i = 0; i < STATUS_COUNT; i++)
        if (!strcmp(status_names[i], name))
            return i;
    return -1;
}

int status_is_pass(int s)
{
    return s == STATUS_PASSED || s == STATUS_FLAKY;
}

int status_is_test_failure(int s)
{
    return s == STATUS_FAILED || s == STATUS_TIMEOUT || s == STATUS_CRASHED;
}

int status_is_infra(int s)
{
    return s == STATUS_EXEC_ERROR || s == STATUS_LOST || s == STATUS_INTERRUPTED;
}

int result_status_from_attempts(const struct attempt *a, int n)
{
    if (n < 1)
        return STATUS_LOST;
    switch (a[n - 1].outcome) {
    case OUTCOME_PASSED:
        return n > 1 ? STATUS_FLAKY : STATUS_PASSED;
    case OUTCOME_FAILED:
        return STATUS_FAILED;
    case OUTCOME_TIMEOUT:
        return STATUS_TIMEOUT;
    case OUTCOME_CRASHED:
        return STATUS_CRASHED;
    case OUTCOME_SUPERSEDED:
        return STATUS_INTERRUPTED;
    default:
        return STATUS_EXEC_ERROR;
    }
}

int result_exit_status(const long *counts)
{
    int code = EXIT_PASSED;
    for (int s = 0; s < STATUS_COUNT; s++) {
        if (counts[s] == 0)
            continue;
        if (status_is_infra(s))
            return EXIT_INFRA;
        if (status_is_test_failure(s))
            code = EXIT_TEST_FAILED;
    }
    return code;
}

double result_elapsed(const struct shard_result *r)
{
    if (r->nattempts < 1)
        return 0;
    const struct attempt *last = &r->attempts[r->nattempts - 1];
    return last->start + last->duration - r->attempts[0].start;
}

double result_busy(const struct shard_result *r)
{
    double sum = 0;
    for (int i = 0; i < r->nattempts; i++)
        sum += r->attempts[i].duration;
    return sum;
}

void result_attempt_label(char *buf, size_t len, const struct attempt *a, int k, int n)
{
    if (a->number == k + 1)
        snprintf(buf, len, "attempt %d of %d", k + 1, n);
    else
        snprintf(buf, len, "attempt %d (%d of %d)", a->number, k + 1, n);
}

int result_last_number(const struct shard_result *r)
{
    return r && r->nattempts > 0 ? r->attempts[r->nattempts - 1].number : 0;
}

struct shard_result *result_merge(struct shard_result *earlier, struct shard_result *later)
{
    if (!earlier || earlier->nattempts == 0) {
        result_free(earlier);
        return later;
    }
    int n = earlier->nattempts + later->nattempts;
    struct attempt *a = malloc((size_t)n * sizeof *a);
    /* the copies ended meanwhile stay with the shard */
    for (int k = 0; a && k < earlier->nsuperseded; k++) {
        struct superseded *s = &earlier->superseded[k];
        if (result_add_superseded(later, &s->attempt, s->log) < 0) {
            free(a);
            a = NULL;
        }
    }
    if (!a) {
        result_free(earlier);
        result_free(later);
        return NULL;
    }
    memcpy(a, earlier->attempts, (size_t)earlier->nattempts * sizeof *a);
    if (later->nattempts > 0)
        memcpy(a + earlier->nattempts, later->attempts, (size_t)later->nattempts * sizeof *a);
    free(later->attempts);
    later->attempts = a;
    later->nattempts = n;
    /* later's class stands (--collect may have failed a pass); a pass after
     * the earlier attempts, which did not pass, is flaky */
    if (later->status == STATUS_PASSED)
        later->status = STATUS_FLAKY;
    result_free(earlier);
    return later;
}

int result_add_superseded(struct shard_result *r, const struct attempt *a, const char *log)
{
    char *copy = log ? strdup(log) : NULL;
    struct superseded *s =
        realloc(r->superseded, (size_t)(r->nsuperseded + 1) * sizeof *r->superseded);
    if (!s || (log && !copy)) {
        if (s)
            r->superseded = s;
        free(copy);
        errno = ENOMEM;
        return -1;
    }
    s[r->nsuperseded] = (struct superseded){.attempt = *a, .log = copy};
    r->superseded = s;
    r->nsuperseded++;
    return 0;
}

struct shard_result *result_new_missing(long index, int status)
{
    struct shard_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->index = index;
    r->status = status;
    r->rank = r->slot = -1;
    return r;
}

void result_free(struct shard_result *r)
{
    if (!r)
        return;
    int saved = errno;
    free(r->attempts);
    free(r->log);
    free(r->error);
    free(r->host);
    for (int k = 0; k < r->nsuperseded; k++)
        free(r->superseded[k].log);
    free(r->superseded);
    free(r);
    errno = saved;
}
