/* SPDX-License-Identifier: BSD-3-Clause */
/* plan.c - largest-remainder apportionment and per-rank queues. */
#include "config.h"

#include "coord/plan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct plan {
    int is_static;
    int nranks;
    /* static: rank r's shards are list[start[r] .. start[r+1]), next[r] is
     * the position of the next one to hand out; dynamic: one queue in list,
     * next[0] its head. */
    long *list;
    long *start;
    long *next;
    long nlist;
    long *back; /* dynamic: shards given back, handed out again first */
    long nback, capback;
};

int plan_shares(const long *weights, int nhosts, long total, long *shares)
{
    if (nhosts < 1 || total < 0) {
        errno = EINVAL;
        return -1;
    }
    /* exact integer arithmetic: weights are core counts and totals shard
     * counts, so total * weight fits in 64 bits, and remainders over the same
     * denominator compare exactly (no rounding deciding ties) */
    unsigned long long sum = 0;
    for (int h = 0; h < nhosts; h++) {
        if (weights[h] < 0) {
            errno = EINVAL;
            return -1;
        }
        sum += (unsigned long long)weights[h];
    }
    unsigned long long *rem = malloc((size_t)nhosts * sizeof *rem);
    if (!rem)
        return -1;
    long given = 0;
    for (int h = 0; h < nhosts; h++) {
        unsigned long long w = sum > 0 ? (unsigned long long)weights[h] : 1;
        unsigned long long d = sum > 0 ? sum : (unsigned long long)nhosts;
        unsigned long long q = (unsigned long long)total * w;
        shares[h] = (long)(q / d);
        rem[h] = q % d;
        given += shares[h];
    }
    /* hand out what rounding down left over: largest remainder first, then
     * the larger weight, then the earlier host; at most one extra per host,
     * and none to a host of weight 0 unless every weight is 0 */
    char *extra = calloc((size_t)nhosts, 1);
    if (!extra) {
        free(rem);
        return -1;
    }
    while (given < total) {
        int best = -1;
        for (int h = 0; h < nhosts; h++) {
            if (extra[h] || (sum > 0 && weights[h] == 0))
                continue;
            if (best < 0 || rem[h] > rem[best] ||
                (rem[h] == rem[best] && weights[h] > weights[best]))
                best = h;
        }
        shares[best]++;
        extra[best] = 1;
        given++;
    }
    free(extra);
    free(rem);
    return 0;
}

static struct plan *plan_alloc(int nranks, long nlist)
{
    struct plan *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nranks = nranks;
    p->nlist = nlist;
    p->list = malloc((size_t)(nlist > 0 ? nlist : 1) * sizeof *p->list);
    p->start = calloc((size_t)nranks + 1, sizeof *p->start);
    p->next = calloc((size_t)nranks, sizeof *p->next);
    if (!p->list || !p->start || !p->next) {
        plan_destroy(p);
        errno = ENOMEM;
        return NULL;
    }
    return p;
}

struct plan *plan_create_dynamic(int nranks, const long *todo, long ntodo)
{
    if (nranks < 1 || ntodo < 0) {
        errno = EINVAL;
        return NULL;
    }
    struct plan *p = plan_alloc(nranks, ntodo);
    if (!p)
        return NULL;
    for (long i = 0; i < ntodo; i++)
        p->list[i] = todo[i];
    return p;
}

struct plan *plan_create_static(int nranks, const int *rank_host, int nhosts,
                                const long *host_cores, const long *todo, long ntodo)
{
    if (nranks < 1 || nhosts < 1 || ntodo < 0) {
        errno = EINVAL;
        return NULL;
    }
    long *shares = calloc((size_t)nhosts, sizeof *shares);
    long *host_first = calloc((size_t)nhosts, sizeof *host_first);
    int *host_nranks = calloc((size_t)nhosts, sizeof *host_nranks);
    int *index_on_host = calloc((size_t)nranks, sizeof *index_on_host);
    long *count = calloc((size_t)nranks, sizeof *count);
    long *fill = calloc((size_t)nranks, sizeof *fill);
    long *weights = calloc((size_t)nhosts, sizeof *weights);
    struct plan *p = NULL;
    if (!shares || !host_first || !host_nranks || !index_on_host || !count || !fill || !weights) {
        errno = ENOMEM;
        goto out;
    }
    for (int r = 0; r < nranks; r++) {
        if (rank_host[r] < 0 || rank_host[r] >= nhosts) {
            errno = EINVAL;
            goto out;
        }
        index_on_host[r] = host_nranks[rank_host[r]]++;
    }
    /* a host without ranks cannot run anything, whatever its cores */
    for (int h = 0; h < nhosts; h++)
        weights[h] = host_nranks[h] > 0 ? host_cores[h] : 0;
    int any = 0;
    for (int h = 0; h < nhosts; h++)
        any |= weights[h] > 0;
    if (!any)
        for (int h = 0; h < nhosts; h++)
            weights[h] = host_nranks[h] > 0;
    if (plan_shares(weights, nhosts, ntodo, shares) < 0)
        goto out;
    for (int h = 1; h < nhosts; h++)
        host_first[h] = host_first[h - 1] + shares[h - 1];
    /* rank r gets positions index_on_host[r], + host_nranks, ... of its host's block */
    for (int r = 0; r < nranks; r++) {
        int h = rank_host[r];
        long s = shares[h], k = index_on_host[r], n = host_nranks[h];
        count[r] = s > k ? (s - k + n - 1) / n : 0;
    }
    p = plan_alloc(nranks, ntodo);
    if (!p)
        goto out;
    p->is_static = 1;
    for (int r = 0; r < nranks; r++)
        p->start[r + 1] = p->start[r] + count[r];
    for (int r = 0; r < nranks; r++) {
        int h = rank_host[r];
        for (long pos = index_on_host[r]; pos < shares[h]; pos += host_nranks[h])
            p->list[p->start[r] + fill[r]++] = todo[host_first[h] + pos];
        p->next[r] = p->start[r];
    }
out:
    free(shares);
    free(host_first);
    free(host_nranks);
    free(index_on_host);
    free(count);
    free(fill);
    free(weights);
    return p;
}

void plan_destroy(struct plan *p)
{
    if (!p)
        return;
    int saved = errno;
    free(p->list);
    free(p->start);
    free(p->next);
    free(p->back);
    free(p);
    errno = saved;
}

long plan_next(struct plan *p, int rank)
{
    if (rank < 0 || rank >= p->nranks)
        return -1;
    if (!p->is_static) {
        if (p->nback > 0)
            return p->back[--p->nback];
        return p->next[0] < p->nlist ? p->list[p->next[0]++] : -1;
    }
    if (p->next[rank] >= p->start[rank + 1])
        return -1;
    return p->list[p->next[rank]++];
}

int plan_return(struct plan *p, long index)
{
    if (p->is_static) {
        errno = EINVAL;
        return -1;
    }
    if (p->nback == p->capback) {
        long cap = p->capback ? p->capback * 2 : 16;
        long *b = realloc(p->back, (size_t)cap * sizeof *b);
        if (!b)
            return -1;
        p->back = b;
        p->capback = cap;
    }
    p->back[p->nback++] = index;
    return 0;
}

long plan_pending(const struct plan *p, int rank)
{
    if (!p->is_static)
        return p->nlist - p->next[0] + p->nback;
    if (rank < 0 || rank >= p->nranks)
        return 0;
    return p->start[rank + 1] - p->next[rank];
}

long plan_rank_shard(const struct plan *p, int rank, long i)
{
    if (!p->is_static || rank < 0 || rank >= p->nranks || i < 0)
        return -1;
    long pos = p->start[rank] + i;
    return pos < p->start[rank + 1] ? p->list[pos] : -1;
}

long plan_rank_count(const struct plan *p, int rank)
{
    if (!p->is_static || rank < 0 || rank >= p->nranks)
        return 0;
    return p->start[rank + 1] - p->start[rank];
}

int plan_is_static(const struct plan *p)
{
    return p->is_static;
}

struct ranked {
    double seconds;
    long pos; /* in todo, for ties */
    long index;
};

static int by_seconds_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->seconds != y->seconds)
        return x->seconds > y->seconds ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int plan_longest_first(long *todo, long ntodo, const double *predicted)
{
    if (ntodo <= 1)
        return 0;
    double *known = malloc((size_t)ntodo * sizeof *known);
    struct ranked *r = malloc((size_t)ntodo * sizeof *r);
    if (!known || !r) {
        free(known);
        free(r);
        errno = ENOMEM;
        return -1;
    }
    long nknown = 0;
    for (long k = 0; k < ntodo; k++)
        if (!isnan(predicted[todo[k]]))
            known[nknown++] = predicted[todo[k]];
    if (nknown > 0) {
        qsort(known, (size_t)nknown, sizeof *known, by_double);
        double median = nknown % 2 ? known[nknown / 2]
                                   : (known[nknown / 2 - 1] + known[nknown / 2]) / 2;
        for (long k = 0; k < ntodo; k++) {
            double p = predicted[todo[k]];
            r[k] = (struct ranked){isnan(p) ? median : p, k, todo[k]};
        }
        qsort(r, (size_t)ntodo, sizeof *r, by_seconds_desc);
        for (long k = 0; k < ntodo; k++)
            todo[k] = r[k].index;
    }
    free(known);
    free(r);
    return 0;
}
