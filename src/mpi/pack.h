/* SPDX-License-Identifier: BSD-3-Clause */
/* pack.h - the primitives of the wire format: little-endian 64-bit
 * integers, doubles and length-prefixed strings and bytes, so ranks on
 * different architectures agree. proto.h builds every message from them.
 *
 * Pure. Writers append to a struct buf (buf.h), readers read a struct
 * unpacker; both record the first failure and ignore everything after it,
 * so a caller checks once at the end.
 */
#ifndef DISTMPI_PACK_H
#define DISTMPI_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Strings and byte runs longer than this are refused on both ends: no
 * message needs them. */
#define PACK_MAX_BYTES (64u * 1024 * 1024)

/* Each appends to b. A failure (out of memory, or more than PACK_MAX_BYTES
 * to pack) sticks in b->failed, and pack_take() then gives nothing. */
void pack_i64(struct buf *b, int64_t v);
void pack_f64(struct buf *b, double v);
/* s may be NULL; it then unpacks as NULL. */
void pack_str(struct buf *b, const char *s);
/* n raw bytes (NUL bytes allowed), length-prefixed; data may be NULL when n
 * is 0. */
void pack_bytes(struct buf *b, const void *data, size_t n);

/* Hand over b's bytes (heap, free with free()) and their length, and leave
 * b empty. Returns NULL (*len 0) with errno ENOMEM when any write failed. */
unsigned char *pack_take(struct buf *b, size_t *len);

struct unpacker {
    const unsigned char *data;
    size_t len, pos;
    int failed; /* truncated or malformed input */
};

void unpacker_init(struct unpacker *u, const void *data, size_t len);
int64_t unpack_i64(struct unpacker *u);
double unpack_f64(struct unpacker *u);
/* A heap copy (free with free()), or NULL for a packed NULL or on failure.
 * A string with a NUL byte in it fails. */
char *unpack_str(struct unpacker *u);
/* Raw bytes packed by pack_bytes: a pointer into the unpacker's data (not a
 * copy) and their length in *n, or NULL (and *n 0) on failure. */
const void *unpack_bytes(struct unpacker *u, size_t *n);
/* Like unpack_i64 but fails (and returns min) unless min <= v <= max. */
int64_t unpack_range(struct unpacker *u, int64_t min, int64_t max);
/* Like unpack_f64 but fails (and returns min) unless min <= v <= max: NaN
 * always fails, an infinity unless a bound is one. */
double unpack_f64_range(struct unpacker *u, double min, double max);
/* The count of the items that follow, each at least item_size bytes
 * (item_size > 0): fails (and returns 0) unless 0 <= n <= max and the bytes
 * left hold n such items, so a caller may allocate n of them. */
size_t unpack_count(struct unpacker *u, size_t max, size_t item_size);
/* The end of a message: fails unless every byte was read. Returns 0, or -1
 * when u failed, now or before. */
int unpack_end(struct unpacker *u);
/* The end of a record padded with zeros to a fixed size: fails unless every
 * byte left is 0. Returns 0, or -1 when u failed, now or before. */
int unpack_end_padded(struct unpacker *u);

#endif
