/* SPDX-License-Identifier: BSD-3-Clause */
/* eta.c - the predicted time left of a run (the formula is in eta.h). */
#include "config.h"

#include "sched/eta.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sched/hostspeed.h"

/* A shard's bits in state[]. */
enum {
    SHARD_DONE = 1,
    SHARD_MARK = 2, /* running, while eta_left looks */
};

struct eta {
    const double *predicted; /* not owned; NULL: none known */
    long total;
    unsigned char *state; /* per shard */
    /* The known shards, longest first (ties: lower index first), and over
     * their positions a union-find whose root from k is the first position
     * >= k whose shard is not done (nknown: none): the longest shard not
     * done is found without walking past the done ones again and again,
     * as a long shard that runs while thousands of short ones end would
     * make a plain scan do on every estimate. */
    long *order, *next;
    long nknown;
    double median;      /* of the known predictions (NAN: none known) */
    double known_left;  /* the predictions of the known shards not done */
    long nknown_left;   /* those shards */
    long nunknown_left; /* the shards without a prediction not done */
    double learned;     /* this run's finished shards' seconds x speed */
    long nlearned;
    long steps; /* eta_steps */
};

static int valid(double p)
{
    return isfinite(p) && p >= 0;
}

static int known(const struct eta *e, long i)
{
    return e->predicted && valid(e->predicted[i]);
}

/* For qsort of order: longest first, ties by index. The array is
 * e->predicted; qsort gives no context argument, so the predictions travel
 * with the indices (struct ranked) while sorting. */
struct ranked {
    double p;
    long i;
};

static int by_length(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

struct eta *eta_create(const double *predicted, long total)
{
    if (total < 0) {
        errno = EINVAL;
        return NULL;
    }
    struct eta *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->predicted = predicted;
    e->total = total;
    e->median = NAN;
    e->state = calloc((size_t)(total > 0 ? total : 1), 1);
    if (!e->state)
        goto fail;
    for (long i = 0; i < total; i++) {
        if (known(e, i)) {
            e->nknown++;
            e->known_left += predicted[i];
        }
    }
    e->nknown_left = e->nknown;
    e->nunknown_left = total - e->nknown;
    e->order = malloc((size_t)(e->nknown > 0 ? e->nknown : 1) * sizeof *e->order);
    e->next = malloc((size_t)(e->nknown + 1) * sizeof *e->next);
    struct ranked *r = malloc((size_t)(e->nknown > 0 ? e->nknown : 1) * sizeof *r);
    if (!e->order || !e->next || !r) {
        free(r);
        goto fail;
    }
    long k = 0;
    for (long i = 0; i < total; i++)
        if (known(e, i))
            r[k++] = (struct ranked){predicted[i], i};
    qsort(r, (size_t)e->nknown, sizeof *r, by_length);
    for (k = 0; k < e->nknown; k++) {
        e->order[k] = r[k].i;
        e->next[k] = k;
    }
    e->next[e->nknown] = e->nknown;
    if (e->nknown > 0) {
        long n = e->nknown;
        e->median = n % 2 ? r[n / 2].p : (r[n / 2 - 1].p + r[n / 2].p) / 2;
    }
    free(r);
    return e;
fail:
    eta_destroy(e);
    errno = ENOMEM;
    return NULL;
}

void eta_destroy(struct eta *e)
{
    if (!e)
        return;
    int saved = errno;
    free(e->state);
    free(e->order);
    free(e->next);
    free(e);
    errno = saved;
}

/* The first position >= k in order whose shard is not done (nknown: none),
 * compressing the path on the way back. */
static long first_left(struct eta *e, long k)
{
    long root = k;
    while (e->next[root] != root) {
        root = e->next[root];
        e->steps++;
    }
    while (e->next[k] != root) {
        long up = e->next[k];
        e->next[k] = root;
        k = up;
    }
    return root;
}

/* Shard i's position in order (it is known): a binary search by the order's
 * own key. */
static long position(const struct eta *e, long i)
{
    struct ranked key = {e->predicted[i], i};
    long lo = 0, hi = e->nknown;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        struct ranked at = {e->predicted[e->order[mid]], e->order[mid]};
        if (by_length(&at, &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void eta_done(struct eta *e, long index, double seconds, double speed)
{
    if (index < 0 || index >= e->total || (e->state[index] & SHARD_DONE))
        return;
    e->state[index] |= SHARD_DONE;
    if (valid(seconds)) {
        e->learned += seconds * (isfinite(speed) && speed > 0 ? speed : 1);
        e->nlearned++;
    }
    if (!known(e, index)) {
        e->nunknown_left--;
        return;
    }
    e->next[position(e, index)] += 1; /* its root is now the next position's */
    /* the sum is exact again once nothing known is left (no drift below 0) */
    e->known_left = --e->nknown_left > 0 ? e->known_left - e->predicted[index] : 0;
}

/* What stands for a shard without a prediction: NAN for nothing. */
static double fill(const struct eta *e)
{
    if (e->nknown > 0)
        return e->median;
    return e->nlearned > 0 ? e->learned / (double)e->nlearned : NAN;
}

double eta_left(struct eta *e, const struct eta_running *running, int nrunning,
                const double *slot_speed, int nslots)
{
    if (e->nknown_left + e->nunknown_left == 0)
        return 0;
    double unknown = fill(e);
    if (e->nunknown_left > 0 && isnan(unknown))
        return NAN;
    double work = e->known_left + (e->nunknown_left > 0 ? (double)e->nunknown_left * unknown : 0);
    double longest_running = 0;
    long unknown_running = 0;
    for (int k = 0; k < nrunning; k++) {
        long i = running[k].index;
        if (i < 0 || i >= e->total || (e->state[i] & (SHARD_DONE | SHARD_MARK)))
            continue;
        e->state[i] |= SHARD_MARK;
        double speed = hostspeed_or_1(running[k].speed);
        double elapsed = running[k].elapsed > 0 ? running[k].elapsed : 0;
        double p = known(e, i) ? e->predicted[i] : unknown;
        unknown_running += !known(e, i);
        /* what it did is no longer work left; what it has to do ends on
         * its own host */
        work -= fmin(p, elapsed * speed);
        double rest = p / speed - elapsed;
        longest_running = fmax(longest_running, rest);
    }
    /* the longest shard that waits to start: past the running ones, which
     * are no more than nrunning */
    long pos = first_left(e, 0);
    while (pos < e->nknown && (e->state[e->order[pos]] & SHARD_MARK))
        pos = first_left(e, pos + 1);
    for (int k = 0; k < nrunning; k++) {
        long i = running[k].index;
        if (i >= 0 && i < e->total)
            e->state[i] &= (unsigned char)~SHARD_MARK;
    }
    double longest_waiting = pos < e->nknown ? e->predicted[e->order[pos]] : 0;
    int waiting = pos < e->nknown || e->nunknown_left > unknown_running;
    if (e->nunknown_left > unknown_running)
        longest_waiting = fmax(longest_waiting, unknown);

    double left = longest_running;
    if (waiting) {
        double capacity = 0, fastest = 0;
        for (int k = 0; k < nslots; k++) {
            double s = hostspeed_or_1(slot_speed[k]);
            capacity += s;
            fastest = fmax(fastest, s);
        }
        if (capacity <= 0)
            return NAN;
        left = fmax(left, fmax(work, 0) / capacity);
        left = fmax(left, longest_waiting / fastest);
    }
    return left > 0 ? left : 0;
}

long eta_steps(const struct eta *e)
{
    return e->steps;
}

void eta_format(double seconds, char *buf, size_t len)
{
    double s = isfinite(seconds) && seconds > 0 ? ceil(seconds) : 0;
    if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm %02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, len, "%.0fh %02dm", floor(s / 3600), (int)fmod(s / 60, 60));
}
