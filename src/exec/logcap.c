/* SPDX-License-Identifier: BSD-3-Clause */
/* logcap.c - head and tail of an unbounded stream. */
#include "config.h"

#include "exec/logcap.h"

#include <stdlib.h>
#include <string.h>

void logcap_init(struct logcap *lc, size_t max)
{
    memset(lc, 0, sizeof *lc);
    if (max < 2)
        max = 2;
    lc->head_max = max / 2;
    lc->tail_max = max - lc->head_max;
}

int logcap_feed(struct logcap *lc, const char *data, size_t n, size_t *head)
{
    size_t h = lc->head_max - lc->head_len;
    if (h > n)
        h = n;
    lc->head_len += h;
    lc->total += n;
    *head = h;
    data += h;
    n -= h;
    if (n == 0)
        return 0;
    if (!lc->ring) {
        lc->ring = malloc(lc->tail_max);
        if (!lc->ring)
            return -1; /* total counts them; nothing holds them: dropped */
    }
    /* only the last tail_max bytes of this piece can survive it */
    if (n > lc->tail_max) {
        data += n - lc->tail_max;
        n = lc->tail_max;
    }
    while (n > 0) {
        size_t room = lc->tail_max - lc->ring_pos;
        size_t k = n < room ? n : room;
        memcpy(lc->ring + lc->ring_pos, data, k);
        lc->ring_pos = (lc->ring_pos + k) % lc->tail_max;
        lc->ring_len = lc->ring_len + k > lc->tail_max ? lc->tail_max : lc->ring_len + k;
        data += k;
        n -= k;
    }
    return 0;
}

uint64_t logcap_dropped(const struct logcap *lc)
{
    return lc->total - lc->head_len - lc->ring_len;
}

void logcap_tail(const struct logcap *lc, const char **a, size_t *alen, const char **b,
                 size_t *blen)
{
    *a = *b = NULL;
    *alen = *blen = 0;
    if (lc->ring_len == 0)
        return;
    if (lc->ring_len < lc->tail_max) { /* never wrapped: one piece from 0 */
        *a = lc->ring;
        *alen = lc->ring_len;
        return;
    }
    *a = lc->ring + lc->ring_pos;
    *alen = lc->tail_max - lc->ring_pos;
    *b = lc->ring;
    *blen = lc->ring_pos;
}

void logcap_free(struct logcap *lc)
{
    free(lc->ring);
    lc->ring = NULL;
    lc->ring_pos = lc->ring_len = 0;
}
