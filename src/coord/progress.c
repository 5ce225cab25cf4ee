/* SPDX-License-Identifier: BSD-3-Clause */
/* progress.c - rendering the progress view. */
#include "config.h"

#include "coord/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "sched/eta.h"

struct out {
    char *buf;
    size_t len, used;
    int lines;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->used + 1 >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

static void end_line(struct out *o)
{
    put(o, "\n");
    o->lines++;
}

int progress_render(const struct progress_view *v, int width, char *buf, size_t len)
{
    struct out o = {buf, len, 0, 0};
    if (len)
        buf[0] = '\0';
    if (width < 20)
        width = 20;
    char dur[32];
    time_format_duration(v->elapsed, dur, sizeof dur);
    double pct = v->total > 0 ? 100.0 * (double)v->done / (double)v->total : 100.0;
    put(&o, "Overall: %ld/%ld (%.1f%%)", v->done, v->total, pct);
    end_line(&o);
    put(&o, "Passed: %ld", v->passed);
    end_line(&o);
    put(&o, "Failed: %ld", v->failed);
    end_line(&o);
    if (v->has_eta) {
        char eta[32];
        eta_format(v->eta, eta, sizeof eta);
        put(&o, "Time: %s, ETA %s", dur, eta);
    } else {
        put(&o, "Time: %s", dur);
    }
    end_line(&o);

    /* name, bar and counts share the line; the bar takes what is left */
    int namew = 0, countw = 0;
    for (int h = 0; h < v->nhosts; h++) {
        int n = (int)strlen(v->hosts[h].name);
        namew = n > namew ? n : namew;
        int c = snprintf(NULL, 0, "%ld/%ld", v->hosts[h].done, v->hosts[h].assigned);
        countw = c > countw ? c : countw;
    }
    if (namew > 20)
        namew = 20;
    /* on a narrow terminal the name gives way before the counts do */
    if (namew > width - 2 - countw)
        namew = width - 2 - countw > 1 ? width - 2 - countw : 1;
    int barw = width - 1 - namew - countw - 4; /* space, brackets, space */
    if (barw > 40)
        barw = 40;
    for (int h = 0; h < v->nhosts; h++) {
        const struct progress_host *ph = &v->hosts[h];
        put(&o, "%-*.*s", namew, namew, ph->name);
        if (barw >= 5) {
            int fill = ph->assigned > 0
                           ? (int)((double)barw * (double)ph->done / (double)ph->assigned)
                           : 0;
            put(&o, " [");
            for (int i = 0; i < barw; i++)
                put(&o, "%c", i < fill ? '#' : '.');
            put(&o, "]");
        }
        char counts[48];
        snprintf(counts, sizeof counts, "%ld/%ld", ph->done, ph->assigned);
        put(&o, " %*s", countw, counts);
        end_line(&o);
    }
    return o.lines;
}
