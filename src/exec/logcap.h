/* SPDX-License-Identifier: BSD-3-Clause */
/* logcap.h - keep the head and the tail of an output stream of any length in
 * bounded memory: the first half of the cap passes straight through, the
 * last half waits in a ring until the end, and what lies between is counted
 * and dropped.
 *
 * Pure: no I/O.
 */
#ifndef DISTMPI_LOGCAP_H
#define DISTMPI_LOGCAP_H

#include <stddef.h>
#include <stdint.h>

struct logcap {
    size_t head_max, tail_max; /* cap split in two */
    size_t head_len;           /* bytes passed through so far */
    uint64_t total;            /* bytes fed */
    char *ring;                /* tail_max bytes, allocated when first needed */
    size_t ring_pos;           /* where the next byte goes */
    size_t ring_len;           /* bytes held, <= tail_max */
};

/* Start a stream of which at most max bytes are kept (at least 2). */
void logcap_init(struct logcap *lc, size_t max);

/* Feed n bytes. The first *head bytes of data belong to the head: the caller
 * stores them now. The rest went to the tail ring. Returns 0, or -1 (ENOMEM:
 * the ring could not be allocated; the rest is then counted as dropped). */
int logcap_feed(struct logcap *lc, const char *data, size_t n, size_t *head);

/* Bytes that are in neither the head nor the tail. */
uint64_t logcap_dropped(const struct logcap *lc);

/* The tail, oldest byte first, in at most two pieces (a, alen) and (b, blen);
 * lengths 0 when empty. Valid until the next logcap_feed or logcap_free. */
void logcap_tail(const struct logcap *lc, const char **a, size_t *alen, const char **b,
                 size_t *blen);

/* Free the ring; lc may then be initialised again. */
void logcap_free(struct logcap *lc);

#endif
