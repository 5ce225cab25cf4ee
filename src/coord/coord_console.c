/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_console.c - what rank 0 shows while a run goes on: the
 * header, the progress bars or lines, and the shards' output with --stream. */
#include "config.h"

#include "coord/coord_private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "coord/progress.h"
#include "common/timeutil.h"
#include "sched/eta.h"
#include "sched/hostspeed.h"

void coord_header(const struct coord *co)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long cores = 0;
    for (int h = 0; h < c->nhosts; h++)
        cores += c->hosts[h].cores;
    printf("distmpi: %ld shard%s of ", in->spec->total, in->spec->total == 1 ? "" : "s");
    coord_print_command(stdout, in);
    printf(" on %d rank%s, %d host%s (%ld cores), schedule %s\n", c->nranks,
           c->nranks == 1 ? "" : "s", c->nhosts, c->nhosts == 1 ? "" : "s", cores,
           schedule_name(in->settings->schedule));
    char cwd[4096];
    const char *dir = in->spec->run_dir;
    if (dir[0] != '/' && getcwd(cwd, sizeof cwd))
        printf("distmpi: shard output in %s/%s on each host\n", cwd, dir);
    else
        printf("distmpi: shard output in %s on each host\n", dir);
    printf("distmpi: logs in %s on %s\n", logstore_dir(co->logs), c->hosts[c->rank_host[0]].name);
    if (in->journal_path)
        printf("distmpi: journal %s (finish an interrupted run with --resume %s)\n",
               in->journal_path, in->journal_path);
    fflush(stdout);
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    int n = cols ? atoi(cols) : 0;
    return n >= 20 ? n : 80;
}

double coord_host_speed(const struct coord *co, int h)
{
    return hostspeed_or_1(co->speed ? co->speed[h] : 1);
}

/* A shard --speculate runs twice counts once, as the copy furthest along
 * (most seconds at speed 1 behind it): the other would only end later, and
 * eta_left takes the first of repeated entries. Returns the entries kept.
 * O(entries x copied ones): copies are few, and only at the end. */
static int furthest_copies(const struct coord *co, struct eta_running *run, int n)
{
    for (int k = 0; k < n; k++) {
        if (!co->shards[run[k].index].copied)
            continue;
        for (int j = k + 1; j < n; j++) {
            if (run[j].index != run[k].index)
                continue;
            if (run[j].elapsed * run[j].speed > run[k].elapsed * run[k].speed)
                run[k] = run[j];
            run[j--] = run[--n];
        }
    }
    return n;
}

/* The predicted time left into *left (sched/eta.h): false when there is
 * none to show: no estimate yet, the run stops short of its end, or every
 * shard left runs and has outlasted its prediction (then the estimate is 0
 * while they go on, for as long as they do: not a time anyone can use).
 * What each rank runs and since when (co->held), and the ranks that may
 * take shards: O(ranks), whatever the number of shards, in arrays made
 * once for the run. */
static bool time_left(struct coord *co, double *left)
{
    const struct cluster *c = co->in->cluster;
    if (co->stopping || co->done >= co->in->spec->total)
        return false;
    struct eta_running *running = co->eta_running;
    double *slots = co->eta_slots;
    int nrunning = 0, nslots = 0;
    double now = time_mono();
    for (int r = 0; r < c->nranks; r++) {
        int h = c->rank_host[r];
        double speed = coord_host_speed(co, h);
        if (co->held[r].running >= 0)
            running[nrunning++] =
                (struct eta_running){co->held[r].running, now - co->held[r].since, speed};
        if (!liveness_is_lost(co->alive, r) && coord_usable(co->in, r))
            slots[nslots++] = speed;
    }
    nrunning = furthest_copies(co, running, nrunning);
    *left = eta_left(co->eta, running, nrunning, slots, nslots);
    return isfinite(*left) && *left > 0;
}

/* Erase the bars (cursor to the start of the frame, clear to the end). */
void coord_erase(struct coord *co)
{
    if (co->frame_lines > 0)
        printf("\033[%dF\033[J", co->frame_lines);
    co->frame_lines = 0;
}

/* Draw the bars in place of the old ones, in one write so they do not
 * flicker. */
void coord_draw(struct coord *co)
{
    const struct cluster *c = co->in->cluster;
    struct progress_host hosts[c->nhosts];
    for (int h = 0; h < c->nhosts; h++)
        hosts[h] = (struct progress_host){c->hosts[h].name, co->host_done[h], co->host_assigned[h]};
    struct progress_view v = {.total = co->in->spec->total,
                              .done = co->shown,
                              .passed = co->passed,
                              .failed = co->failed,
                              .elapsed = time_wall() - co->in->started,
                              .nhosts = c->nhosts,
                              .hosts = hosts};
    v.has_eta = time_left(co, &v.eta);
    size_t len = 4096 + (size_t)c->nhosts * 160;
    char *buf = malloc(len);
    if (!buf)
        return;
    int lines = progress_render(&v, terminal_width(), buf, len);
    coord_erase(co);
    fputs(buf, stdout);
    fflush(stdout);
    free(buf);
    co->frame_lines = lines;
    co->next_draw = time_mono() + DRAW_EVERY;
}

/* Print a line for people above the bars (or as it is without them). */
void coord_say(struct coord *co, const char *fmt, ...)
{
    coord_erase(co);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (co->mode == PROGRESS_BARS)
        coord_draw(co);
    fflush(stdout);
}

/* Bars: redraw when due. Lines: a summary line when due. */
void coord_tick(struct coord *co)
{
    if (co->mode == PROGRESS_NONE || time_mono() < co->next_draw)
        return;
    if (co->mode == PROGRESS_BARS) {
        coord_draw(co);
        return;
    }
    char dur[32], eta[48] = "";
    time_format_duration(time_wall() - co->in->started, dur, sizeof dur);
    double left;
    if (time_left(co, &left)) {
        memcpy(eta, ", ETA ", 7);
        eta_format(left, eta + 6, sizeof eta - 6);
    }
    long total = co->in->spec->total;
    printf("distmpi: %ld/%ld shards done (%.1f%%), %ld passed, %ld failed, %s%s\n", co->shown,
           total, total ? 100.0 * (double)co->shown / (double)total : 100.0, co->passed, co->failed,
           dur, eta);
    fflush(stdout);
    co->next_draw = time_mono() + coord_summary_every();
}

double coord_summary_every(void)
{
    const char *v = getenv("DISTMPI_TEST_SUMMARY_EVERY");
    if (!v || !*v)
        return SUMMARY_EVERY;
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (errno || *end || !(s >= 0.01 && s <= 3600)) {
        fprintf(stderr,
                "distmpi: ignoring DISTMPI_TEST_SUMMARY_EVERY=%s: not 0.01 to 3600 seconds\n", v);
        return SUMMARY_EVERY;
    }
    return s;
}

/* --stream: one line of a shard's output, above the bars. */
void coord_show_line(void *arg, const char *line, size_t len)
{
    struct stream_ctx *sc = arg;
    struct coord *co = sc->co;
    const struct cluster *c = co->in->cluster;
    const char *host = c->hosts[c->rank_host[sc->rank]].name;
    coord_erase(co);
    if (sc->attempt > 1)
        printf("[%s shard %ld, attempt %d] %.*s\n", host, sc->index + 1, sc->attempt, (int)len,
               line);
    else
        printf("[%s shard %ld] %.*s\n", host, sc->index + 1, (int)len, line);
    co->redraw = true; /* once per batch of messages, not per line */
}
