/* SPDX-License-Identifier: BSD-3-Clause */
/* liveness.c - ranks heard from, and ranks lost. */
#include "config.h"

#include "coord/liveness.h"

#include <math.h>
#include <stdlib.h>

struct liveness {
    int nranks;
    double timeout;
    double *last; /* when each rank was last heard from */
    bool *lost;
    int nlost;
};

struct liveness *liveness_create(int nranks, double timeout, double now)
{
    struct liveness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->nranks = nranks;
    l->timeout = timeout;
    l->last = malloc((size_t)(nranks > 0 ? nranks : 1) * sizeof *l->last);
    l->lost = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof *l->lost);
    if (!l->last || !l->lost) {
        liveness_destroy(l);
        return NULL;
    }
    for (int r = 0; r < nranks; r++)
        l->last[r] = now;
    return l;
}

void liveness_destroy(struct liveness *l)
{
    if (!l)
        return;
    free(l->last);
    free(l->lost);
    free(l);
}

void liveness_heard(struct liveness *l, int r, double now)
{
    if (r >= 0 && r < l->nranks && !l->lost[r] && now > l->last[r])
        l->last[r] = now;
}

void liveness_excuse(struct liveness *l, double from, double to)
{
    double gap = to - from;
    if (!(gap > 0))
        return;
    for (int r = 0; r < l->nranks; r++) {
        if (l->lost[r])
            continue;
        l->last[r] += gap;
        if (l->last[r] > to)
            l->last[r] = to;
    }
}

int liveness_next_lost(struct liveness *l, double now)
{
    if (l->timeout <= 0)
        return -1;
    for (int r = 1; r < l->nranks; r++) {
        if (!l->lost[r] && now - l->last[r] > l->timeout) {
            l->lost[r] = true;
            l->nlost++;
            return r;
        }
    }
    return -1;
}

bool liveness_is_lost(const struct liveness *l, int r)
{
    return r >= 0 && r < l->nranks && l->lost[r];
}

int liveness_lost_count(const struct liveness *l)
{
    return l->nlost;
}

double liveness_silence(const struct liveness *l, int r, double now)
{
    return r >= 0 && r < l->nranks ? now - l->last[r] : 0;
}

double liveness_deadline(const struct liveness *l)
{
    double d = INFINITY;
    if (l->timeout <= 0)
        return d;
    for (int r = 1; r < l->nranks; r++)
        if (!l->lost[r] && l->last[r] + l->timeout < d)
            d = l->last[r] + l->timeout;
    return d;
}
