/* SPDX-License-Identifier: BSD-3-Clause */
/* hostspeed.c - each host's speed from the timing history (see hostspeed.h
 * for the model and what counts). */
#include "config.h"

#include "sched/hostspeed.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Rounds of the fit at most; it settles in a few dozen on real histories
 * (each round moves every speed part of the way to where the others say). */
#define MAX_ROUNDS 200
#define SETTLED    1e-9

/* The records that count, of the shards timed on two hosts or more, one
 * after the other: the log of each record's seconds, its host and weight,
 * and where each shard's records start (first[nshards] is the end). */
struct samples {
    double *log_seconds, *weight;
    uint32_t *host;
    size_t n;
    size_t *first;
    size_t nshards;
};

static int counts(const struct hrec *r)
{
    return isfinite(r->seconds) && r->seconds >= HOSTSPEED_MIN_SECONDS;
}

static void samples_free(struct samples *s)
{
    free(s->log_seconds);
    free(s->weight);
    free(s->host);
    free(s->first);
}

static int samples_collect(const struct htable *t, struct samples *s)
{
    *s = (struct samples){0};
    s->log_seconds = malloc((t->nrecs ? t->nrecs : 1) * sizeof *s->log_seconds);
    s->weight = malloc((t->nrecs ? t->nrecs : 1) * sizeof *s->weight);
    s->host = malloc((t->nrecs ? t->nrecs : 1) * sizeof *s->host);
    s->first = malloc((t->n + 1) * sizeof *s->first);
    if (!s->log_seconds || !s->weight || !s->host || !s->first) {
        samples_free(s);
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t usable = 0;
        for (uint32_t r = t->shards[i].first; r != HTABLE_NONE; r = t->recs[r].next)
            usable += (size_t)counts(&t->recs[r]);
        if (usable < 2)
            continue;
        s->first[s->nshards++] = s->n;
        for (uint32_t r = t->shards[i].first; r != HTABLE_NONE; r = t->recs[r].next) {
            const struct hrec *rec = &t->recs[r];
            if (!counts(rec))
                continue;
            s->log_seconds[s->n] = log(rec->seconds);
            s->weight[s->n] = rec->runs < HOSTSPEED_MAX_WEIGHT
                                  ? (double)(rec->runs > 1 ? rec->runs : 1)
                                  : HOSTSPEED_MAX_WEIGHT;
            s->host[s->n++] = rec->host;
        }
    }
    s->first[s->nshards] = s->n;
    return 0;
}

static size_t root(size_t *parent, size_t h)
{
    while (parent[h] != h)
        h = parent[h] = parent[parent[h]];
    return h;
}

/* The hosts that shards link, each named by one of them (its root). */
static void link_hosts(const struct samples *s, size_t *parent, size_t nhosts)
{
    for (size_t h = 0; h < nhosts; h++)
        parent[h] = h;
    for (size_t k = 0; k < s->nshards; k++)
        for (size_t j = s->first[k] + 1; j < s->first[k + 1]; j++)
            parent[root(parent, s->host[j])] = root(parent, s->host[s->first[k]]);
}

/* One round: each shard's log base from the speeds (its records' log
 * seconds plus their host's log speed, weighed), then each host's log speed
 * from the bases (what its records say, pulled towards 0 by the prior). */
static void fit_round(const struct samples *s, const double *ls, double *sum, double *wsum,
                      double *next, size_t nhosts)
{
    for (size_t h = 0; h < nhosts; h++)
        sum[h] = wsum[h] = 0;
    for (size_t k = 0; k < s->nshards; k++) {
        double lb = 0, w = 0;
        for (size_t j = s->first[k]; j < s->first[k + 1]; j++) {
            lb += s->weight[j] * (s->log_seconds[j] + ls[s->host[j]]);
            w += s->weight[j];
        }
        lb /= w;
        for (size_t j = s->first[k]; j < s->first[k + 1]; j++) {
            sum[s->host[j]] += s->weight[j] * (lb - s->log_seconds[j]);
            wsum[s->host[j]] += s->weight[j];
        }
    }
    for (size_t h = 0; h < nhosts; h++)
        next[h] = wsum[h] > 0 ? sum[h] / (wsum[h] + HOSTSPEED_PRIOR) : 0;
}

/* Make the log speeds of each linked group average 0 (sum[] and wsum[]
 * are reused as each group's total and count). */
static void centre(double *ls, size_t *parent, double *sum, double *count, size_t nhosts)
{
    for (size_t h = 0; h < nhosts; h++)
        sum[h] = count[h] = 0;
    for (size_t h = 0; h < nhosts; h++) {
        sum[root(parent, h)] += ls[h];
        count[root(parent, h)] += 1;
    }
    for (size_t h = 0; h < nhosts; h++)
        ls[h] -= sum[root(parent, h)] / count[root(parent, h)];
}

int hostspeed_fit(const struct htable *t, double *speed)
{
    size_t nh = t->nhosts;
    for (size_t h = 0; h < nh; h++)
        speed[h] = 1;
    if (nh < 2)
        return 0;
    struct samples s;
    if (samples_collect(t, &s) < 0)
        return -1;
    double *ls = calloc(nh, sizeof *ls), *next = malloc(nh * sizeof *next);
    double *sum = malloc(nh * sizeof *sum), *wsum = malloc(nh * sizeof *wsum);
    size_t *parent = malloc(nh * sizeof *parent);
    int rc = -1;
    if (ls && next && sum && wsum && parent) {
        link_hosts(&s, parent, nh);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            fit_round(&s, ls, sum, wsum, next, nh);
            centre(next, parent, sum, wsum, nh);
            double moved = 0;
            for (size_t h = 0; h < nh; h++) {
                moved = fmax(moved, fabs(next[h] - ls[h]));
                ls[h] = next[h];
            }
            if (moved < SETTLED)
                break;
        }
        for (size_t h = 0; h < nh; h++)
            speed[h] = fmin(fmax(exp(ls[h]), 1 / HOSTSPEED_MAX), HOSTSPEED_MAX);
        rc = 0;
    } else {
        errno = ENOMEM;
    }
    free(ls);
    free(next);
    free(sum);
    free(wsum);
    free(parent);
    samples_free(&s);
    return rc;
}
