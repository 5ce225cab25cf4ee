/* SPDX-License-Identifier: BSD-3-Clause */
/* pack.c - the primitives of the message byte format. */
#include "config.h"

#include "mpi/pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The length of a NULL string: no real length comes near it. */
#define PACK_NULL_STR UINT64_MAX

static void put_u64(struct buf *b, uint64_t v)
{
    unsigned char bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)(v >> (8 * i));
    buf_add(b, bytes, 8);
}

void pack_i64(struct buf *b, int64_t v)
{
    put_u64(b, (uint64_t)v);
}

void pack_f64(struct buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(b, bits);
}

void pack_str(struct buf *b, const char *s)
{
    if (!s)
        put_u64(b, PACK_NULL_STR);
    else
        pack_bytes(b, s, strlen(s));
}

void pack_bytes(struct buf *b, const void *data, size_t n)
{
    if (n > PACK_MAX_BYTES) {
        /* the receiver would refuse it: the message cannot be made */
        b->failed = true;
        return;
    }
    put_u64(b, n);
    buf_add(b, data, n); /* buf_add copies nothing for n 0: data may be NULL */
}

unsigned char *pack_take(struct buf *b, size_t *len)
{
    size_t n = 0;
    char *data = buf_take(b, &n);
    if (!data) {
        *len = 0;
        errno = ENOMEM;
        return NULL;
    }
    *len = n;
    return (unsigned char *)data;
}

void unpacker_init(struct unpacker *u, const void *data, size_t len)
{
    u->data = data;
    u->len = len;
    u->pos = 0;
    u->failed = 0;
}

static uint64_t get_u64(struct unpacker *u)
{
    if (u->failed || u->len - u->pos < 8) {
        u->failed = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)u->data[u->pos + i] << (8 * i);
    u->pos += 8;
    return v;
}

int64_t unpack_i64(struct unpacker *u)
{
    return (int64_t)get_u64(u);
}

double unpack_f64(struct unpacker *u)
{
    uint64_t bits = get_u64(u);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

char *unpack_str(struct unpacker *u)
{
    uint64_t n = get_u64(u);
    if (u->failed || n == PACK_NULL_STR)
        return NULL;
    if (n > PACK_MAX_BYTES || n > u->len - u->pos || memchr(u->data + u->pos, '\0', n)) {
        u->failed = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        u->failed = 1;
        return NULL;
    }
    memcpy(s, u->data + u->pos, n);
    s[n] = '\0';
    u->pos += n;
    return s;
}

const void *unpack_bytes(struct unpacker *u, size_t *n)
{
    uint64_t k = get_u64(u);
    *n = 0;
    if (u->failed || k > PACK_MAX_BYTES || k > u->len - u->pos) {
        u->failed = 1;
        return NULL;
    }
    const void *d = u->data + u->pos;
    u->pos += k;
    *n = (size_t)k;
    return d;
}

int64_t unpack_range(struct unpacker *u, int64_t min, int64_t max)
{
    int64_t v = unpack_i64(u);
    if (u->failed || v < min || v > max) {
        u->failed = 1;
        return min;
    }
    return v;
}

double unpack_f64_range(struct unpacker *u, double min, double max)
{
    double v = unpack_f64(u);
    if (u->failed || !(v >= min && v <= max)) { /* NaN fails both */
        u->failed = 1;
        return min;
    }
    return v;
}

size_t unpack_count(struct unpacker *u, size_t max, size_t item_size)
{
    int64_t n = unpack_i64(u);
    /* the bytes left bound the count before anything is allocated for it */
    if (u->failed || n < 0 || (uint64_t)n > max || (uint64_t)n > (u->len - u->pos) / item_size) {
        u->failed = 1;
        return 0;
    }
    return (size_t)n;
}

int unpack_end(struct unpacker *u)
{
    if (u->pos != u->len)
        u->failed = 1;
    return u->failed ? -1 : 0;
}

int unpack_end_padded(struct unpacker *u)
{
    for (size_t i = u->pos; i < u->len && !u->failed; i++)
        if (u->data[i])
            u->failed = 1;
    if (!u->failed)
        u->pos = u->len;
    return u->failed ? -1 : 0;
}
