/* SPDX-License-Identifier: BSD-3-Clause */
/* batch.c - work items packed into batches by predicted time. */
#include "config.h"

#include "sched/batch.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "sched/median.h"

struct ranked {
    double seconds;
    long item;
};

static int by_seconds_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->seconds != y->seconds)
        return x->seconds > y->seconds ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

/* A min-heap of batches by (load, batch). */
struct heap {
    double *load;
    long *b;
    long n;
};

static int heap_less(const struct heap *h, long i, long j)
{
    double x = h->load[h->b[i]], y = h->load[h->b[j]];
    return x < y || (x == y && h->b[i] < h->b[j]);
}

static void sift_down(struct heap *h, long i)
{
    for (;;) {
        long l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_less(h, l, m))
            m = l;
        if (r < h->n && heap_less(h, r, m))
            m = r;
        if (m == i)
            return;
        long t = h->b[i];
        h->b[i] = h->b[m];
        h->b[m] = t;
        i = m;
    }
}

long batch_pack(const double *seconds, long n, long nbatches, long *batch_of)
{
    if (n < 1 || nbatches < 1) {
        errno = EINVAL;
        return -1;
    }
    for (long i = 0; i < n; i++)
        if (seconds[i] < 0 || isinf(seconds[i])) {
            errno = EINVAL;
            return -1;
        }
    long nb = nbatches < n ? nbatches : n;
    struct ranked *r = malloc((size_t)n * sizeof *r);
    struct heap h = {calloc((size_t)nb, sizeof *h.load), malloc((size_t)nb * sizeof *h.b), nb};
    long *renumber = malloc((size_t)nb * sizeof *renumber);
    double m = 1; /* what an item counts as when none is known */
    long rc = -1;
    if (!r || !h.load || !h.b || !renumber || median_of_known(seconds, NULL, n, &m) < 0) {
        errno = ENOMEM;
        goto out;
    }
    for (long i = 0; i < n; i++)
        r[i] = (struct ranked){isnan(seconds[i]) ? m : seconds[i], i};
    qsort(r, (size_t)n, sizeof *r, by_seconds_desc);
    for (long b = 0; b < nb; b++) /* all at 0: a heap in batch order already */
        h.b[b] = b;
    for (long k = 0; k < n; k++) {
        long b = h.b[0];
        batch_of[r[k].item] = b;
        h.load[b] += r[k].seconds;
        sift_down(&h, 0);
    }
    /* numbered by their first item */
    for (long b = 0; b < nb; b++)
        renumber[b] = -1;
    long next = 0;
    for (long i = 0; i < n; i++)
        if (renumber[batch_of[i]] < 0)
            renumber[batch_of[i]] = next++;
    for (long i = 0; i < n; i++)
        batch_of[i] = renumber[batch_of[i]];
    rc = nb;
out:
    free(r);
    free(h.load);
    free(h.b);
    free(renumber);
    return rc;
}

void item_batches_destroy(struct item_batches *b)
{
    if (!b)
        return;
    for (long k = 0; b->first && k < b->first[b->nbatches]; k++)
        free(b->key[k]);
    free(b->key);
    free(b->pred);
    free(b->first);
    free(b);
}
