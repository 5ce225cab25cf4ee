/* SPDX-License-Identifier: BSD-3-Clause */
/* lines.c - raw output to printable lines. */
#include "config.h"

#include "common/lines.h"

#include <string.h>

void lines_init(struct lines *l)
{
    memset(l, 0, sizeof *l);
}

static void emit(struct lines *l, lines_fn fn, void *arg)
{
    fn(arg, l->buf, l->len);
    l->len = 0;
    l->pending = false;
}

/* Pass on the first piece of a line too long for the buffer, before the
 * byte next. The cut falls before the character that next continues, so
 * that neither piece holds half of it: a terminal shows a lone half as a
 * replacement character. */
static void emit_piece(struct lines *l, unsigned char next, lines_fn fn, void *arg)
{
    size_t cut = l->len;
    if ((next & 0xC0) == 0x80) {
        size_t k = cut;
        while (k > 0 && cut - k < 3 && ((unsigned char)l->buf[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && (unsigned char)l->buf[k - 1] >= 0xC0)
            cut = k - 1; /* the lead byte of next's character */
    }
    fn(arg, l->buf, cut);
    memmove(l->buf, l->buf + cut, l->len - cut);
    l->len -= cut;
}

void lines_feed(struct lines *l, const char *data, size_t n, lines_fn fn, void *arg)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)data[i];
        bool was_cr = l->cr;
        l->cr = false;
        /* escape sequences would move the cursor or recolour the bars */
        if (l->esc == 1) { /* CSI, OSC, ESC + intermediates + final, or ESC + final */
            l->esc = c == '[' ? 2 : c == ']' ? 3 : (c >= 0x20 && c <= 0x2f) ? 4 : 0;
            continue;
        }
        if (l->esc == 4) {
            if (c < 0x20 || c > 0x2f)
                l->esc = 0;
            continue;
        }
        if (l->esc == 2) {
            if (c >= 0x40 && c <= 0x7e)
                l->esc = 0;
            continue;
        }
        if (l->esc == 3) { /* ends with BEL or ESC \ */
            if (c == 0x07)
                l->esc = 0;
            else if (c == 0x1b)
                l->esc = 1;
            continue;
        }
        if (c == 0x1b) {
            l->esc = 1;
            l->pending = true;
            continue;
        }
        if (c == '\n') {
            if (!was_cr) /* CR LF is one line end */
                emit(l, fn, arg);
            continue;
        }
        if (c == '\r') { /* a progress display redrawing its line: a new line here */
            emit(l, fn, arg);
            l->cr = true;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            c = '?';
        if (l->len == LINES_MAX)
            emit_piece(l, c, fn, arg);
        l->buf[l->len++] = (char)c;
        l->pending = true;
    }
}

void lines_flush(struct lines *l, lines_fn fn, void *arg)
{
    if (l->len > 0 || l->pending)
        emit(l, fn, arg);
    lines_init(l);
}
