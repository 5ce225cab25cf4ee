/* SPDX-License-Identifier: BSD-3-Clause */
/* plan.c - largest-remainder apportionment, longest-first order, LPT and
 * per-rank queues. */
#include "config.h"

#include "coord/plan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "sched/median.h"

struct plan {
    int is_static;
    int nranks;
    /* static: rank r's shards are list[start[r] .. start[r+1]), next[r] is
     * the position of the next one to hand out; dynamic: one queue in list,
     * cut into nbands parts (1 unless plan_split_by_speed cut it), part b
     * list[head[b] .. tail[b]), handed out from head[b] to its band's ranks
     * and from tail[b] to the others. */
    long *list;
    long *start;
    long *next;
    long nlist;
    int nbands;
    long *head, *tail;
    int *band;  /* dynamic: each rank's band, 0 the fastest (NULL: all 0) */
    long *cut;  /* dynamic, split: part b began as list[cut[b] .. cut[b+1]) */
    long *back; /* dynamic: shards given back, handed out again first */
    long nback, capback;
    double makespan; /* plan_create_lpt: the predicted makespan; NAN otherwise */
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
    p->nbands = 1;
    p->makespan = NAN;
    p->list = malloc((size_t)(nlist > 0 ? nlist : 1) * sizeof *p->list);
    p->start = calloc((size_t)nranks + 1, sizeof *p->start);
    p->next = calloc((size_t)nranks, sizeof *p->next);
    p->head = calloc(1, sizeof *p->head);
    p->tail = malloc(sizeof *p->tail);
    if (!p->list || !p->start || !p->next || !p->head || !p->tail) {
        plan_destroy(p);
        errno = ENOMEM;
        return NULL;
    }
    p->tail[0] = nlist;
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
    free(p->head);
    free(p->tail);
    free(p->band);
    free(p->cut);
    free(p);
    errno = saved;
}

/* The shortest shard left in band b's part, or -1 when it is empty. */
static long take_shortest(struct plan *p, int b)
{
    return p->head[b] < p->tail[b] ? p->list[--p->tail[b]] : -1;
}

/* What a rank of band b takes: the longest of its own part; then the
 * shortest of the nearest slower band's part that has any (the slower
 * bands are the likelier to end late, and their shortest shards cost a fast
 * rank least); then a shard given back; then the shortest of the nearest
 * faster band's part. The fastest band takes shards given back first, as
 * an unsplit queue does: they were due before the rest of the queue. */
static long dynamic_next(struct plan *p, int b)
{
    if (b == 0 && p->nback > 0)
        return p->back[--p->nback];
    if (p->head[b] < p->tail[b])
        return p->list[p->head[b]++];
    long i = -1;
    for (int s = b + 1; i < 0 && s < p->nbands; s++)
        i = take_shortest(p, s);
    if (i < 0 && p->nback > 0)
        i = p->back[--p->nback];
    for (int f = b - 1; i < 0 && f >= 0; f--)
        i = take_shortest(p, f);
    return i;
}

long plan_next(struct plan *p, int rank)
{
    if (rank < 0 || rank >= p->nranks)
        return -1;
    if (!p->is_static)
        return dynamic_next(p, p->band ? p->band[rank] : 0);
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
    if (!p->is_static) {
        long n = p->nback;
        for (int b = 0; b < p->nbands; b++)
            n += p->tail[b] - p->head[b];
        return n;
    }
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

int plan_bands(const struct plan *p)
{
    return p->nbands;
}

int plan_band(const struct plan *p, int rank)
{
    return p->band && rank >= 0 && rank < p->nranks ? p->band[rank] : 0;
}

long plan_band_count(const struct plan *p, int band)
{
    return p->cut && band >= 0 && band < p->nbands ? p->cut[band + 1] - p->cut[band] : 0;
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

/* todo's shards as ranked: each with the seconds it counts for (its
 * prediction, the median when it has none, 1 when no shard has one), sorted
 * longest first, ties in todo's order. *nknown: how many had a prediction.
 * Returns NULL with errno ENOMEM. */
static struct ranked *rank_longest_first(const long *todo, long ntodo, const double *predicted,
                                         long *nknown)
{
    double median = 1;
    struct ranked *r = malloc((size_t)(ntodo > 0 ? ntodo : 1) * sizeof *r);
    *nknown = r ? median_of_known(predicted, todo, ntodo, &median) : -1;
    if (*nknown < 0) {
        free(r);
        errno = ENOMEM;
        return NULL;
    }
    for (long k = 0; k < ntodo; k++) {
        double p = predicted[todo[k]];
        r[k] = (struct ranked){isnan(p) ? median : p, k, todo[k]};
    }
    qsort(r, (size_t)ntodo, sizeof *r, by_seconds_desc);
    return r;
}

int plan_longest_first(long *todo, long ntodo, const double *predicted)
{
    if (ntodo <= 1)
        return 0;
    long nknown;
    struct ranked *r = rank_longest_first(todo, ntodo, predicted, &nknown);
    if (!r)
        return -1;
    if (nknown > 0) /* without any prediction, todo stays as it is */
        for (long k = 0; k < ntodo; k++)
            todo[k] = r[k].index;
    free(r);
    return 0;
}

/* --------------------------------------------------- split by host speed */

/* Each rank's band into band[] (0 the fastest): hosts in order of speed,
 * a new band wherever a host is slower than PLAN_SPEED_BAND times the
 * fastest of the band above. Ranks of speed 0 (hosts that run nothing) go
 * in the slowest band and add nothing to its speed. Returns the number of
 * bands (0 when no rank has a speed above 0). */
static int speed_bands(int nranks, const int *rank_host, const double *speed, int *band)
{
    int nbands = 0;
    double top = 0; /* the fastest speed of the newest band */
    for (;;) {      /* the fastest rank not yet in a band opens the next */
        double v = 0;
        for (int r = 0; r < nranks; r++)
            if (band[r] < 0 && speed[rank_host[r]] > v)
                v = speed[rank_host[r]];
        if (v <= 0)
            break;
        if (nbands == 0 || v < PLAN_SPEED_BAND * top) {
            nbands++;
            top = v;
        }
        for (int r = 0; r < nranks; r++)
            if (band[r] < 0 && speed[rank_host[r]] == v)
                band[r] = nbands - 1;
    }
    for (int r = 0; r < nranks; r++)
        if (band[r] < 0)
            band[r] = nbands > 0 ? nbands - 1 : 0;
    return nbands;
}

/* Shard i's predicted seconds, the median standing in for an unknown. */
static double counted(const double *seconds, long i, double median)
{
    return isnan(seconds[i]) ? median : seconds[i];
}

/* Where p's queue (n shards, longest first) is cut for nbands bands into
 * cut[0 .. nbands]: each band's share of the work is its ranks' speed over
 * all ranks', and a shard goes to the band whose share its middle falls in,
 * so the longest go to the fastest band and the shortest to the slowest.
 * Returns 0, or -1 (ENOMEM). */
static int cut_parts(const struct plan *p, long n, const int *rank_host, const double *speed,
                     const double *seconds, double median, const int *band, int nbands, long *cut)
{
    double *share = calloc((size_t)nbands, sizeof *share);
    if (!share)
        return -1;
    double work = 0, all = 0;
    for (long k = 0; k < n; k++)
        work += counted(seconds, p->list[k], median);
    for (int r = 0; r < p->nranks; r++)
        all += speed[rank_host[r]];
    for (int r = 0; r < p->nranks; r++)
        share[band[r]] += work * speed[rank_host[r]] / all;
    int b = 0;
    double done = 0, edge = share[0];
    cut[0] = 0;
    for (long k = 0; k < n; k++) {
        double sec = counted(seconds, p->list[k], median);
        while (b < nbands - 1 && done + sec / 2 > edge) {
            cut[++b] = k;
            edge += share[b];
        }
        done += sec;
    }
    while (b < nbands - 1)
        cut[++b] = n;
    cut[nbands] = n;
    free(share);
    return 0;
}

int plan_split_by_speed(struct plan *p, const int *rank_host, const double *speed,
                        const double *seconds)
{
    if (p->is_static || p->nbands != 1 || p->head[0] != 0 || p->nback != 0) {
        errno = EINVAL;
        return -1;
    }
    for (int r = 0; r < p->nranks; r++)
        if (!isfinite(speed[rank_host[r]]) || speed[rank_host[r]] < 0) {
            errno = EINVAL;
            return -1;
        }
    long n = p->tail[0];
    double median = NAN;
    long known = median_of_known(seconds, p->list, n, &median);
    int *band = malloc((size_t)p->nranks * sizeof *band);
    if (known < 0 || !band) {
        free(band);
        errno = ENOMEM;
        return -1;
    }
    for (int r = 0; r < p->nranks; r++)
        band[r] = -1;
    int nbands = speed_bands(p->nranks, rank_host, speed, band);
    if (nbands < 2 || known == 0) { /* one band, or nothing to weigh the shards by */
        free(band);
        return 1;
    }
    long *cut = malloc((size_t)(nbands + 1) * sizeof *cut);
    long *head = malloc((size_t)nbands * sizeof *head);
    long *tail = malloc((size_t)nbands * sizeof *tail);
    if (!cut || !head || !tail ||
        cut_parts(p, n, rank_host, speed, seconds, median, band, nbands, cut) < 0) {
        free(band);
        free(cut);
        free(head);
        free(tail);
        errno = ENOMEM;
        return -1;
    }
    for (int b = 0; b < nbands; b++) {
        head[b] = cut[b];
        tail[b] = cut[b + 1];
    }
    free(p->head);
    free(p->tail);
    p->head = head;
    p->tail = tail;
    p->cut = cut;
    p->band = band;
    p->nbands = nbands;
    return nbands;
}

/* ------------------------------------------------------------------ LPT */

/* The ranks that can run shards, grouped by speed: group g's ranks are
 * rank[first[g] .. first[g+1]), a binary min-heap by (planned work, rank),
 * all of speed gspeed[g]. Among ranks of one speed the least loaded one ends
 * a shard first, so each shard compares only the tops of the groups. */
struct lpt {
    double *load; /* per rank: its planned seconds so far, at its speed */
    int *rank;
    int *first;
    double *gspeed;
    int ngroups;
};

static int lpt_less(const struct lpt *t, int a, int b)
{
    return t->load[a] < t->load[b] || (t->load[a] == t->load[b] && a < b);
}

/* Restore group g's heap after its top's load grew. */
static void lpt_sift_down(struct lpt *t, int g)
{
    int *h = t->rank + t->first[g];
    int n = t->first[g + 1] - t->first[g];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && lpt_less(t, h[l], h[m]))
            m = l;
        if (r < n && lpt_less(t, h[r], h[m]))
            m = r;
        if (m == i)
            return;
        int x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
}

struct rank_speed {
    double speed;
    int rank;
};

static int by_speed_desc_then_rank(const void *a, const void *b)
{
    const struct rank_speed *x = a, *y = b;
    if (x->speed != y->speed)
        return x->speed > y->speed ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Group the ranks of positive speed (all, each as speed 1, when none has
 * one). Sorted by (speed, rank), each group's ranks are in rank order: with
 * every load 0 that already is a heap. Returns 0, or -1 (ENOMEM). */
static int lpt_init(struct lpt *t, int nranks, const int *rank_host, const double *speed)
{
    struct rank_speed *rs = malloc((size_t)nranks * sizeof *rs);
    t->load = calloc((size_t)nranks, sizeof *t->load);
    t->rank = malloc((size_t)nranks * sizeof *t->rank);
    t->first = malloc(((size_t)nranks + 1) * sizeof *t->first);
    t->gspeed = malloc((size_t)nranks * sizeof *t->gspeed);
    if (!rs || !t->load || !t->rank || !t->first || !t->gspeed) {
        free(rs);
        errno = ENOMEM;
        return -1;
    }
    int any = 0;
    for (int r = 0; r < nranks; r++)
        any |= (rs[r].speed = speed ? speed[rank_host[r]] : 1) > 0;
    int n = 0;
    for (int r = 0; r < nranks; r++)
        if (!any || rs[r].speed > 0)
            rs[n++] = (struct rank_speed){any ? rs[r].speed : 1, r};
    qsort(rs, (size_t)n, sizeof *rs, by_speed_desc_then_rank);
    t->ngroups = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || rs[i].speed != rs[i - 1].speed) {
            t->first[t->ngroups] = i;
            t->gspeed[t->ngroups++] = rs[i].speed;
        }
        t->rank[i] = rs[i].rank;
    }
    t->first[t->ngroups] = n;
    free(rs);
    return 0;
}

static void lpt_free(struct lpt *t)
{
    free(t->load);
    free(t->rank);
    free(t->first);
    free(t->gspeed);
}

/* Deal one shard of sec seconds (at speed 1) to the rank where it would end
 * earliest, ties to the lower rank; returns that rank. Within a group, a
 * rounded load + sec / speed never falls as the load grows, so the heap's
 * top ends earliest. Only if rounding made a more loaded, lower rank of its
 * group end at the very same double would that rank have won the tie; the
 * top keeps the shard then (no such rounding with whole seconds and speeds
 * that are powers of two, as in the tests). */
static int lpt_deal(struct lpt *t, double sec)
{
    int best = -1, bestg = 0;
    double bestend = 0;
    for (int g = 0; g < t->ngroups; g++) {
        int r = t->rank[t->first[g]];
        double end = t->load[r] + sec / t->gspeed[g];
        if (best < 0 || end < bestend || (end == bestend && r < best)) {
            best = r;
            bestg = g;
            bestend = end;
        }
    }
    t->load[best] = bestend;
    lpt_sift_down(t, bestg);
    return best;
}

static int lpt_check(int nranks, const int *rank_host, int nhosts, const double *speed,
                     const long *todo, long ntodo, const double *seconds)
{
    if (nranks < 1 || nhosts < 1 || ntodo < 0)
        return -1;
    for (int r = 0; r < nranks; r++)
        if (rank_host[r] < 0 || rank_host[r] >= nhosts)
            return -1;
    for (int h = 0; speed && h < nhosts; h++)
        if (!isfinite(speed[h]) || speed[h] < 0)
            return -1;
    for (long k = 0; k < ntodo; k++)
        if (isinf(seconds[todo[k]]) || seconds[todo[k]] < 0)
            return -1;
    return 0;
}

struct plan *plan_create_lpt(int nranks, const int *rank_host, int nhosts, const double *speed,
                             const long *todo, long ntodo, const double *seconds)
{
    if (lpt_check(nranks, rank_host, nhosts, speed, todo, ntodo, seconds) < 0) {
        errno = EINVAL;
        return NULL;
    }
    struct lpt t = {0};
    long nknown = 0;
    struct ranked *r = rank_longest_first(todo, ntodo, seconds, &nknown);
    int *dealt = malloc((size_t)(ntodo > 0 ? ntodo : 1) * sizeof *dealt);
    struct plan *p = NULL;
    if (!r || !dealt || lpt_init(&t, nranks, rank_host, speed) < 0) {
        errno = ENOMEM;
        goto out;
    }
    p = plan_alloc(nranks, ntodo);
    if (!p)
        goto out;
    p->is_static = 1;
    /* count each rank's shards into start[r + 1], then lay the lists out */
    for (long k = 0; k < ntodo; k++) {
        dealt[k] = lpt_deal(&t, r[k].seconds);
        p->start[dealt[k] + 1]++;
    }
    for (int q = 0; q < nranks; q++) {
        p->start[q + 1] += p->start[q];
        p->next[q] = p->start[q]; /* where rank q's list fills up */
    }
    for (long k = 0; k < ntodo; k++)
        p->list[p->next[dealt[k]]++] = r[k].index;
    for (int q = 0; q < nranks; q++)
        p->next[q] = p->start[q]; /* nothing handed out yet */
    p->makespan = ntodo > 0 && nknown == 0 ? NAN : 0;
    for (int q = 0; q < nranks; q++)
        if (t.load[q] > p->makespan)
            p->makespan = t.load[q];
out:
    free(r);
    free(dealt);
    lpt_free(&t);
    return p;
}

double plan_predicted_makespan(const struct plan *p)
{
    return p->makespan;
}

/* The shards p has still to hand out (heap, *n of them), or NULL. */
static long *pending_shards(const struct plan *p, long *n)
{
    long *all = malloc((size_t)(p->nlist + p->nback + 1) * sizeof *all);
    *n = 0;
    if (!all)
        return NULL;
    if (p->is_static) {
        for (int r = 0; r < p->nranks; r++)
            for (long k = p->next[r]; k < p->start[r + 1]; k++)
                all[(*n)++] = p->list[k];
    } else {
        for (int b = 0; b < p->nbands; b++)
            for (long k = p->head[b]; k < p->tail[b]; k++)
                all[(*n)++] = p->list[k];
        for (long k = 0; k < p->nback; k++)
            all[(*n)++] = p->back[k];
    }
    return all;
}

double plan_simulate(struct plan *p, const int *rank_host, const double *speed,
                     const double *seconds)
{
    long n;
    long *pending = pending_shards(p, &n);
    double median = NAN;
    long known = pending ? median_of_known(seconds, pending, n, &median) : -1;
    free(pending);
    double *free_at = calloc((size_t)p->nranks, sizeof *free_at);
    unsigned char *done = calloc((size_t)p->nranks, 1);
    if (known < 0 || !free_at || !done) {
        free(free_at);
        free(done);
        errno = ENOMEM;
        return NAN;
    }
    /* a rank of speed 0 runs nothing, unless every rank is of speed 0 */
    int all_stopped = 1;
    for (int r = 0; speed && r < p->nranks; r++)
        all_stopped &= speed[rank_host[r]] == 0;
    for (int r = 0; speed && !all_stopped && r < p->nranks; r++)
        done[r] = speed[rank_host[r]] == 0;
    double makespan = 0;
    for (;;) {
        int r = -1; /* the rank free first takes its next shard */
        for (int q = 0; q < p->nranks; q++)
            if (!done[q] && (r < 0 || free_at[q] < free_at[r]))
                r = q;
        if (r < 0)
            break;
        long i = plan_next(p, r);
        if (i < 0) {
            done[r] = 1;
            continue;
        }
        double v = speed && !all_stopped ? speed[rank_host[r]] : 1;
        free_at[r] += (isnan(seconds[i]) ? median : seconds[i]) / v;
        makespan = free_at[r] > makespan ? free_at[r] : makespan;
    }
    free(free_at);
    free(done);
    return known == 0 && n > 0 ? NAN : makespan;
}
