/* SPDX-License-Identifier: BSD-3-Clause */
/* rescue.c - the shards handed out before the plan's, and the hosts each
 * must avoid. */
#include "config.h"

#include "coord/rescue.h"

#include <stdlib.h>
#include <string.h>

struct rescue {
    long total;
    int nhosts;
    long *queue; /* shard indices, oldest first; a shard is queued once at most */
    long count;
    /* per shard, NULL until it avoids a host: nhosts flags */
    unsigned char **avoid;
};

struct rescue *rescue_create(long total, int nhosts)
{
    struct rescue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->total = total;
    q->nhosts = nhosts;
    size_t n = (size_t)(total > 0 ? total : 1);
    q->queue = malloc(n * sizeof *q->queue);
    q->avoid = calloc(n, sizeof *q->avoid);
    if (!q->queue || !q->avoid) {
        rescue_destroy(q);
        return NULL;
    }
    return q;
}

void rescue_destroy(struct rescue *q)
{
    if (!q)
        return;
    for (long i = 0; q->avoid && i < q->total; i++)
        free(q->avoid[i]);
    free(q->avoid);
    free(q->queue);
    free(q);
}

int rescue_push(struct rescue *q, long index)
{
    if (index < 0 || index >= q->total || q->count >= q->total)
        return -1; /* a caller's mistake: the queue has room for every shard once */
    q->queue[q->count++] = index;
    return 0;
}

int rescue_avoid(struct rescue *q, long index, int h)
{
    if (index < 0 || index >= q->total || h < 0 || h >= q->nhosts)
        return -1;
    if (!q->avoid[index]) {
        q->avoid[index] = calloc((size_t)q->nhosts, 1);
        if (!q->avoid[index])
            return -1;
    }
    q->avoid[index][h] = 1;
    return 0;
}

bool rescue_avoids(const struct rescue *q, long index, int h)
{
    if (index < 0 || index >= q->total || h < 0 || h >= q->nhosts || !q->avoid[index])
        return false;
    return q->avoid[index][h] != 0;
}

int rescue_avoided_count(const struct rescue *q, long index)
{
    int n = 0;
    for (int h = 0; h < q->nhosts; h++)
        n += rescue_avoids(q, index, h);
    return n;
}

long rescue_take(struct rescue *q, int h)
{
    for (long k = 0; k < q->count; k++) {
        long index = q->queue[k];
        if (!rescue_avoids(q, index, h)) {
            rescue_remove(q, k);
            return index;
        }
    }
    return -1;
}

long rescue_count(const struct rescue *q)
{
    return q->count;
}

long rescue_at(const struct rescue *q, long k)
{
    return q->queue[k];
}

void rescue_remove(struct rescue *q, long k)
{
    memmove(q->queue + k, q->queue + k + 1, (size_t)(q->count - k - 1) * sizeof *q->queue);
    q->count--;
}
