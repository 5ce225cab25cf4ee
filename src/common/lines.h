/* SPDX-License-Identifier: BSD-3-Clause */
/* lines.h - cut a shard's raw output into lines fit to print on rank 0's
 * terminal among the progress bars (--stream): terminal escape sequences
 * are dropped, other control characters shown as '?', and a line too long
 * for one piece is cut, between two UTF-8 characters.
 *
 * Pure: no I/O.
 */
#ifndef DISTMPI_LINES_H
#define DISTMPI_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line passed on in one piece; the rest follows as another line. */
#define LINES_MAX 1024

struct lines {
    char buf[LINES_MAX];
    size_t len;
    int esc;      /* 0: text; 1: after ESC; 2: in CSI; 3: in OSC; 4: ESC intermediates */
    bool cr;      /* the last byte was a carriage return */
    bool pending; /* a line has begun (even if all it had was dropped) */
};

/* Receives one line, without its end (not NUL-terminated). */
typedef void (*lines_fn)(void *arg, const char *line, size_t len);

void lines_init(struct lines *l);

/* Feed n bytes; fn gets each line they complete. */
void lines_feed(struct lines *l, const char *data, size_t n, lines_fn fn, void *arg);

/* The stream ended: pass on an unfinished last line, if any, and start over. */
void lines_flush(struct lines *l, lines_fn fn, void *arg);

#endif
