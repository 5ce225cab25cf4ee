/* SPDX-License-Identifier: BSD-3-Clause */
/* slot.c - a rank's slot: its runner, shards started on it, files collected. */
#include "config.h"

#include "exec/slot.h"

#include <stdio.h>
#include <stdlib.h>

#include "model/template.h"

struct runner *slot_runner_create(const struct spec *spec, const struct self *me,
                                  runner_output_fn output, void *arg, runner_retry_fn retry,
                                  void *retry_arg)
{
    struct runner_config rc = {
        .timeout = spec->timeout,
        .kill_grace = spec->kill_grace,
        .backoff = spec->backoff,
        .backoff_max = spec->backoff_max,
        .backoff_jitter = spec->backoff_jitter,
        .run_dir = spec->run_dir,
        .host = me->host,
        .rank = me->rank,
        .slot = me->slot,
        .total = spec->total,
        .max_log_bytes = (size_t)spec->max_log_bytes,
        .stream = spec->stream,
        /* not with --collect: a pattern outside the output directory
         * sends rank 0 files to store in shard-N/collected, which must not
         * land in a directory renamed meanwhile */
        .lend_dirs = !spec->collect,
        .file_limit = me->file_limit,
        .retry_command = spec->retry_command,
        .collect = spec->collect,
        .output = output,
        .output_arg = arg,
        .retry = spec->collect ? retry : NULL,
        .retry_arg = retry_arg,
    };
    return runner_create(&rc);
}

int slot_start_shard(struct runner *runner, const struct spec *spec, const struct assignment *a)
{
    if (spec->shell) {
        char *task = a->task;
        return runner_start(runner, a->index, a->first_attempt, a->retries, &task, 1, true);
    }
    return runner_start(runner, a->index, a->first_attempt, a->retries, spec->words, spec->nwords,
                        false);
}

/* collect_files for attempt of shard index: the number of problems, -1
 * out of memory. */
static int collect_attempt(const struct spec *spec, const struct self *me,
                           const struct runner *runner, long index, int attempt, collect_fn fn,
                           void *arg, struct error *why)
{
    char *outdir = runner_output_dir(runner, index, attempt);
    if (!outdir)
        return -1;
    struct subst v = {.shard = index + 1,
                      .index = index,
                      .total = spec->total,
                      .host = me->host,
                      .rank = me->rank,
                      .slot = me->slot,
                      .attempt = attempt,
                      .output_dir = outdir};
    int problems = collect_files(spec->collect, &v, fn, arg, why);
    free(outdir);
    return problems;
}

int slot_collect_attempt(const struct spec *spec, const struct self *me,
                         const struct runner *runner, long index, int attempt, collect_fn fn,
                         void *arg)
{
    struct error why;
    if (!spec->collect)
        return 0;
    return collect_attempt(spec, me, runner, index, attempt, fn, arg, &why) < 0 ? -1 : 0;
}

int slot_collect(const struct spec *spec, const struct self *me, const struct runner *runner,
                 struct shard_result *res, collect_fn fn, void *arg)
{
    if (!spec->collect)
        return 0;
    /* the last attempt's files: one that could not start made none, and
     * a copy ended for another (--speculate) counts for nothing */
    int attempt = result_last_number(res);
    if (attempt == 0 || res->attempts[res->nattempts - 1].outcome == OUTCOME_SUPERSEDED)
        return 0;
    struct error why;
    int problems = collect_attempt(spec, me, runner, res->index, attempt, fn, arg, &why);
    if (problems < 0)
        return -1;
    /* no report, no proof that the tests passed */
    if (problems > 0 && status_is_pass(res->status)) {
        char *error;
        if (asprintf(&error, "--collect: %s", why.text) < 0)
            return -1;
        free(res->error);
        res->error = error;
        res->status = STATUS_FAILED;
    }
    return 0;
}
