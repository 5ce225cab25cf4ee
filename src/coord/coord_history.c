/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_history.c - rank 0 and the timing history (--history): each shard's
 * predicted time, which puts the longest shards first in the queue, and each
 * passing attempt's duration, noted for the runs to come. */
#include "config.h"

#include "coord/coord_private.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "model/template.h"
#include "sched/history.h"

/* The command's words joined by spaces (heap), made once for all the keys
 * of a run; NULL in task mode, or out of memory (*failed then). */
static char *command_text(const struct coord_input *in, bool *failed)
{
    *failed = false;
    if (in->tasks)
        return NULL;
    struct buf b = BUF_INIT;
    for (int w = 0; w < in->ncommand; w++) {
        if (w)
            buf_addc(&b, ' ');
        buf_addstr(&b, in->command[w]);
    }
    char *text = buf_take(&b, NULL);
    *failed = !text;
    return text;
}

/* What shard i runs, as the timing history knows it: template_key of its
 * task line, or of command (command_text): heap, or NULL (ENOMEM). */
static char *shard_key(const struct coord_input *in, const char *command, long i)
{
    if (in->tasks)
        return template_key(in->tasks->lines[i], i, in->spec->total, false);
    return template_key(command, i, in->spec->total, true);
}

double *coord_predictions(const struct coord_input *in)
{
    long total = in->spec->total;
    bool failed;
    char *command = command_text(in, &failed);
    double *pred = failed ? NULL : malloc((size_t)(total > 0 ? total : 1) * sizeof *pred);
    for (long i = 0; pred && i < total; i++) {
        char *key = in->history ? shard_key(in, command, i) : NULL;
        /* any host: the queue is one for all of them */
        pred[i] = key ? history_predict(in->history, key, NULL) : NAN;
        free(key);
    }
    free(command);
    return pred;
}

double *coord_host_speeds(const struct coord_input *in)
{
    const struct cluster *c = in->cluster;
    double *speed = in->history ? malloc((size_t)c->nhosts * sizeof *speed) : NULL;
    for (int h = 0; speed && h < c->nhosts; h++)
        speed[h] = history_host_speed(in->history, c->hosts[h].name);
    return speed;
}

void coord_note_history(const struct coord *co)
{
    const struct coord_input *in = co->in;
    const char *path = settings_history(in->settings);
    if (!in->history || !path)
        return;
    const struct cluster *c = in->cluster;
    bool failed;
    char *command = command_text(in, &failed);
    for (long i = 0; !failed && i < in->spec->total; i++) {
        const struct shard_result *r = co->results ? co->results[i] : NULL;
        /* this run's passes only: a result carried over from an earlier
         * run was noted by that run */
        if (!r || r->carried || r->nattempts <= 0 || r->rank < 0 || r->rank >= c->nranks)
            continue;
        const struct attempt *a = &r->attempts[r->nattempts - 1];
        if (a->outcome != OUTCOME_PASSED)
            continue;
        char *key = shard_key(in, command, i);
        failed = !key || history_note(in->history, key, c->hosts[c->rank_host[r->rank]].name,
                                      a->duration) < 0;
        free(key);
    }
    free(command);
    if (failed) {
        fprintf(stderr, "distmpi: warning: out of memory noting the timing history\n");
        return;
    }
    struct error why;
    if (history_save(in->history, path, &why) < 0)
        fprintf(stderr, "distmpi: warning: %s; the next run has no timing history from this one\n",
                why.text);
}
