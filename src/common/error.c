/* SPDX-License-Identifier: BSD-3-Clause */
/* error.c - error messages in a caller-owned struct. */
#include "config.h"

#include "common/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The sign that a message did not fit. */
static const char ellipsis[] = "...";

/* vsnprintf told us it wrote want bytes into size: mark a cut. */
static void mark_cut(char *text, size_t size, int want)
{
    if (want >= 0 && (size_t)want < size)
        return;
    memcpy(text + size - sizeof ellipsis, ellipsis, sizeof ellipsis);
}

int verrprintf(struct error *e, const char *fmt, va_list ap)
{
    int saved = errno;
    if (e) {
        int want = vsnprintf(e->text, sizeof e->text, fmt, ap);
        if (want < 0)
            snprintf(e->text, sizeof e->text, "(an error message could not be formatted)");
        else
            mark_cut(e->text, sizeof e->text, want);
    }
    errno = saved;
    return -1;
}

int errprintf(struct error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrprintf(e, fmt, ap);
    va_end(ap);
    return -1;
}

int errprefix(struct error *e, const char *fmt, ...)
{
    int saved = errno;
    if (e) {
        char prefix[ERROR_TEXT_MAX];
        va_list ap;
        va_start(ap, fmt);
        int want = vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        size_t room = sizeof e->text - 1;
        size_t plen = want < 0 ? 0 : (size_t)want;
        size_t tlen = strnlen(e->text, room);
        bool cut = plen > room;
        if (cut)
            plen = room;
        if (plen + tlen > room) { /* the end of the old text goes */
            tlen = room - plen;
            cut = true;
        }
        memmove(e->text + plen, e->text, tlen);
        memcpy(e->text, prefix, plen);
        e->text[plen + tlen] = '\0';
        if (cut)
            mark_cut(e->text, sizeof e->text, (int)sizeof e->text);
    }
    errno = saved;
    return -1;
}

void error_clear(struct error *e)
{
    if (e)
        e->text[0] = '\0';
}
