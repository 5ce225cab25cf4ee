/* SPDX-License-Identifier: BSD-3-Clause */
/* progress.h - the live view rank 0 draws on a terminal: overall counts,
 * time, and one bar per host. Pure: it renders text, the caller writes it. */
#ifndef DISTMPI_PROGRESS_H
#define DISTMPI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct progress_host {
    const char *name;
    long done;     /* shards finished on the host */
    long assigned; /* shards given to the host so far, finished ones included */
};

struct progress_view {
    long total, done, passed, failed; /* failed: finished and not passed */
    double elapsed;                   /* seconds */
    int nhosts;
    const struct progress_host *hosts;
    bool has_eta; /* the predicted time left is known: */
    double eta;   /* seconds */
};

/* Render the view for a terminal width columns wide (at least 20 is used) as
 * lines ending in '\n', no line longer than width - 1 characters:
 *   Overall: 35/48 (72.9%)
 *   Passed: 33
 *   Failed: 2
 *   Time: 5m 23s, ETA 1m 23s
 *   moruk        [##########..........] 22/24
 * (", ETA ..." only with has_eta, in eta_format's words).
 * Returns the number of lines written to buf (always NUL-terminated when
 * len > 0; cut short if too small). */
int progress_render(const struct progress_view *v, int width, char *buf, size_t len);

#endif
