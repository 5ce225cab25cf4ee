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
#include "sched/median.h"

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

/* Batch b's prediction (--items): the sum of its items' (ib->pred), the
 * unknown ones counted as median, the known ones' median. */
static double batch_prediction(const struct item_batches *ib, long b, double median)
{
    double sum = 0;
    for (long k = ib->first[b]; k < ib->first[b + 1]; k++)
        sum += isnan(ib->pred[k]) ? median : ib->pred[k];
    return sum;
}

double *coord_predictions(const struct coord_input *in)
{
    long total = in->spec->total;
    bool failed;
    char *command = command_text(in, &failed);
    double *pred = failed ? NULL : malloc((size_t)(total > 0 ? total : 1) * sizeof *pred);
    double median = NAN;
    long items = pred && in->batches && in->history
                     ? median_of_known(in->batches->pred, NULL,
                                       in->batches->first[in->batches->nbatches], &median)
                     : 0;
    if (items < 0) {
        free(pred);
        pred = NULL;
    }
    for (long i = 0; pred && i < total; i++) {
        if (in->batches && in->history) { /* none known: NAN, as for a shard */
            pred[i] = items ? batch_prediction(in->batches, i, median) : NAN;
            continue;
        }
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

/* --items: batch b took seconds on host; each of its items is noted with
 * its share, in proportion to its prediction (an unknown item counts as
 * the batch's known ones' mean; with none known, the shares are equal): a
 * batch times its items together, and this is the best split it tells.
 * 0, or -1 (ENOMEM). */
static int note_items(const struct coord_input *in, long b, const char *host, double seconds)
{
    const struct item_batches *ib = in->batches;
    long first = ib->first[b], n = ib->first[b + 1] - first, known = 0;
    double *w = malloc((size_t)(n > 0 ? n : 1) * sizeof *w), sum = 0;
    if (!w)
        return -1;
    for (long k = 0; k < n; k++) {
        w[k] = ib->pred[first + k];
        if (!isnan(w[k])) {
            sum += w[k];
            known++;
        }
    }
    double stand_in = known > 0 ? sum / (double)known : 1;
    sum = 0;
    for (long k = 0; k < n; k++) {
        if (isnan(w[k]) || known == 0)
            w[k] = stand_in;
        sum += w[k];
    }
    int rc = 0;
    for (long k = 0; k < n && rc == 0; k++)
        rc = history_note(in->history, ib->key[first + k], host,
                          sum > 0 ? seconds * w[k] / sum : seconds / (double)n);
    free(w);
    return rc;
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
        const char *host = c->hosts[c->rank_host[r->rank]].name;
        if (in->batches) {
            failed = note_items(in, i, host, a->duration) < 0;
            continue;
        }
        char *key = shard_key(in, command, i);
        failed = !key || history_note(in->history, key, host, a->duration) < 0;
        free(key);
    }
    free(command);
    if (failed) {
        fprintf(stderr, "distmpi: warning: out of memory noting the timing history\n");
        return;
    }
    struct error why;
    history_set_lock_wait(in->history, in->settings->history_wait);
    if (history_save(in->history, path, &why) < 0)
        fprintf(stderr, "distmpi: warning: %s; the next run has no timing history from this one\n",
                why.text);
}
