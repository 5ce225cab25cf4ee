/* SPDX-License-Identifier: BSD-3-Clause */
/* buf.h - a growable string of bytes, kept NUL-terminated, whose first
 * allocation failure sticks: a caller adds freely and checks once, at
 * buf_take() or through buf_failed().
 *
 * Pure: no I/O. A struct buf is a value (on the stack or inside another
 * struct); BUF_INIT or buf_init() makes it empty, buf_free() releases it.
 */
#ifndef DISTMPI_BUF_H
#define DISTMPI_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data; /* len bytes and a NUL; NULL while nothing was added */
    size_t len, cap;
    bool failed; /* an add ran out of memory: the content is incomplete */
};

#define BUF_INIT          \
    {                     \
        NULL, 0, 0, false \
    }

void buf_init(struct buf *b);

/* Append n bytes (NUL bytes allowed). Each returns 0, or -1 with errno
 * ENOMEM (then and from then on: b->failed). */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The content ("" when empty), NUL-terminated; valid until the next add. */
const char *buf_str(const struct buf *b);

/* Hand the content over (heap, NUL-terminated, free with free()) with its
 * length in *len (len may be NULL), and leave b empty. Returns NULL with
 * errno ENOMEM when any add failed (the content is freed then). */
char *buf_take(struct buf *b, size_t *len);

/* Empty b but keep its memory for reuse; clears a failure. */
void buf_reset(struct buf *b);

/* Release b's memory and leave it empty. Keeps errno. */
void buf_free(struct buf *b);

#endif
