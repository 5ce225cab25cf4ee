/* SPDX-License-Identifier: BSD-3-Clause */
/* buf.c - a growable, NUL-terminated byte string. */
#include "config.h"

#include "common/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b)
{
    *b = (struct buf)BUF_INIT;
}

/* Make room for n more bytes and the NUL. */
static int reserve(struct buf *b, size_t n)
{
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    if (n >= SIZE_MAX - b->len) {
        b->failed = true;
        errno = ENOMEM;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = realloc(b->data, cap);
    if (!data) {
        b->failed = true;
        errno = ENOMEM;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    if (reserve(b, n) < 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    /* most lines fit in what is left: format once, straight in place */
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = b->failed ? -1 : vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    if (n >= 0 && (size_t)n >= room) {
        if (reserve(b, (size_t)n) == 0)
            n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        else
            n = -1;
    }
    va_end(again);
    if (n < 0) {
        if (!b->failed)
            errno = EINVAL; /* a format error: the content is incomplete too */
        b->failed = true;
        if (b->data)
            b->data[b->len] = '\0';
        return -1;
    }
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_take(struct buf *b, size_t *len)
{
    if (b->failed) {
        buf_free(b);
        errno = ENOMEM;
        return NULL;
    }
    if (!b->data && reserve(b, 0) < 0) {
        buf_free(b);
        return NULL;
    }
    b->data[b->len] = '\0';
    char *data = b->data;
    if (len)
        *len = b->len;
    buf_init(b);
    return data;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    int saved = errno;
    free(b->data);
    buf_init(b);
    errno = saved;
}
