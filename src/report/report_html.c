/* SPDX-License-Identifier: BSD-3-Clause */
/* report_html.c - the self-contained HTML report (shape in report_html.h). */
#include "config.h"

#include "report/report_html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "report/junit_xml.h"
#include "model/template.h"
#include "report/verdict_gather.h"
#include "common/timeutil.h"

/* ------------------------------------------------------------ output */

/* The page is written as it is made, to a stream (the report's temporary
 * file, or a memory stream for report_html_build): rank 0 never holds it. */
struct out {
    FILE *f;
    int oom; /* set once a write failed (errno in err); every later write is dropped */
    int err;
};

static void out_failed(struct out *o, int err)
{
    if (!o->oom)
        o->err = err ? err : EIO;
    o->oom = 1;
}

static void put_n(struct out *o, const char *s, size_t n)
{
    if (!o->oom && n && fwrite(s, 1, n, o->f) != n)
        out_failed(o, errno);
}

static void put(struct out *o, const char *s)
{
    put_n(o, s, strlen(s));
}

/* Formatted text of distmpi's own making (numbers, names); never text from
 * outside, which goes through esc(). */
static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct out *o, const char *fmt, ...)
{
    if (o->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        out_failed(o, errno);
    va_end(ap);
}

/* Text from outside (NULL: nothing): valid UTF-8 without control characters
 * first, then escaped so that it is fit both for text and for a quoted
 * attribute value. */
static void esc(struct out *o, const char *s)
{
    static const char special[] = "&<>\"'";
    static const char *const entity[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    char *clean = s && !o->oom ? junit_clean_text(s) : NULL;
    if (s && !clean)
        out_failed(o, ENOMEM);
    for (const char *p = clean; p && *p;) {
        size_t run = strcspn(p, special);
        put_n(o, p, run);
        p += run;
        if (*p)
            put(o, entity[strchr(special, *p++) - special]);
    }
    free(clean);
}

/* ------------------------------------------------------------ words */

static const char *plural(long n)
{
    return n == 1 ? "" : "s";
}

/* "12:01:02.250": the UTC time of day of t. */
static void fmt_clock(double t, char *buf, size_t len)
{
    char iso[40];
    time_format_iso(t, iso, sizeof iso);
    snprintf(buf, len, "%.12s", iso + 11);
}

static void fmt_duration(double s, char *buf, size_t len)
{
    time_format_duration(isfinite(s) && s > 0 ? s : 0, buf, len);
}

/* How an attempt ended: "passed", "failed (exit 1)", "crashed (signal 11)"... */
static void attempt_end(char *buf, size_t len, const struct attempt *a)
{
    const char *name = outcome_name(a->outcome);
    if (a->outcome == OUTCOME_EXEC_ERROR)
        snprintf(buf, len, "exec error (could not start)");
    else if (a->outcome == OUTCOME_SUPERSEDED)
        snprintf(buf, len, "superseded (ended: another copy counted first)");
    else if (a->signal)
        snprintf(buf, len, "%s (%s %d)", name,
                 a->outcome == OUTCOME_TIMEOUT ? "killed by signal" : "signal", a->signal);
    else if (a->outcome != OUTCOME_PASSED && a->exit_code >= 0)
        snprintf(buf, len, "%s (exit %d)", name, a->exit_code);
    else
        snprintf(buf, len, "%s", name);
}

/* What distmpi's exit status says (distmpi(1), EXIT STATUS). */
static void exit_meaning(char *buf, size_t len, int status)
{
    static const char *const meaning[] = {
        [EXIT_PASSED] = "every shard passed",
        [EXIT_TEST_FAILED] = "some shard failed, timed out or crashed",
        [EXIT_USAGE] = "usage or configuration error",
        [EXIT_INFRA] =
            "infrastructure failure: a shard could not be run or never reported, "
            "or a report could not be written"};
    if (status >= 0 && status <= EXIT_INFRA)
        snprintf(buf, len, "%s", meaning[status]);
    else if (status > 128)
        snprintf(buf, len, "stopped by signal %d (%s)", status - 128, strsignal(status - 128));
    else
        snprintf(buf, len, "unknown exit status");
}

/* ------------------------------------------------------------ the page */

struct html {
    struct out o;
    const struct report *rep;
    const struct html_options *opt;
    double t0, span; /* the time axis: start and length in seconds */
};

/* Whether the page is written while the run goes on (html_options). */
static int live(const struct html *b)
{
    return b->opt && b->opt->live_every > 0;
}

static const struct shard_result *result_at(const struct report *rep, long i)
{
    return rep->results ? rep->results[i] : NULL;
}

/* The host index of rank, or -1. */
static int host_index(const struct cluster *c, int rank)
{
    if (!c || rank < 0 || rank >= c->nranks || !c->rank_host || !c->hosts)
        return -1;
    int h = c->rank_host[rank];
    return h >= 0 && h < c->nhosts ? h : -1;
}

/* Shard i's log tail, or NULL: read now (valid until the next call), so
 * that no more than one is in memory. */
static const char *log_tail(const struct html *b, long i)
{
    const struct html_options *o = b->opt;
    const char *t = !o             ? NULL
                    : o->read_tail ? o->read_tail(o->tail_arg, i)
                    : o->log_tails ? o->log_tails[i]
                                   : NULL;
    return t && *t ? t : NULL;
}

/* Where t falls on the time axis, in percent of its width. */
static double pct(const struct html *b, double t)
{
    double p = isfinite(t) ? (t - b->t0) / b->span * 100 : 0;
    return p < 0 ? 0 : p > 100 ? 100 : p;
}

static const char css[] =
    ":root{--passed:#2da44e;--flaky:#9a6700;--failed:#cf222e;--timeout:#e16f24;--crashed:#8250df;"
    "--exec_error:#8c959f;--lost:#424a53;--interrupted:#0969da;--superseded:#c8d1da;"
    "--unknown:#000}"
    "body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;color:#1f2328;background:#fff;"
    "margin:0 auto;padding:1em 2em 3em;max-width:1600px}h1{font-size:1.5em;margin:.3em 0}"
    "h2{font-size:1.2em;margin:1.6em 0 .6em;border-bottom:1px solid #d0d7de}h3{font-size:1em;"
    "margin:.2em 0}code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:12px}"
    "table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #d8dee4;"
    "text-align:right;vertical-align:top}th{background:#f6f8fa}.l{text-align:left}"
    ".meta th{text-align:left;background:none}.meta td{text-align:left}"
    ".verdict{display:inline-block;padding:3px 10px;border-radius:4px;color:#fff;font-weight:600}"
    ".v-ok{background:var(--passed)}.v-fail{background:var(--failed)}"
    ".v-infra{background:var(--lost)}.v-live{background:var(--interrupted)}.v-stop{background:var(-"
    "-interrupted)}.counts{display:flex;"
    "flex-wrap:wrap;gap:8px}.count{border:1px solid #d0d7de;border-left:6px solid #8c959f;"
    "border-radius:4px;padding:4px 12px;min-width:6em}.count b{display:block;font-size:1.6em}"
    ".count.zero{opacity:.45}.t-failing{border-left-color:var(--failed)}"
    ".t-host-specific{border-left-color:var(--crashed)}.t-flaky{border-left-color:var(--flaky)}"
    ".t-passed{border-left-color:var(--passed)}.health "
    "ul{margin:0;padding-left:1.2em}.probe{color:#57606a;"
    "font-size:12px}.legend{display:flex;flex-wrap:wrap;gap:14px;margin:.4em 0;font-size:12px}"
    ".legend span{display:inline-block;width:14px;height:12px;vertical-align:middle;"
    "margin-right:4px}.timeline{position:relative;border:1px solid #d0d7de}.row{display:flex;"
    "border-bottom:1px solid #eaeef2}.lbl{flex:0 0 240px;width:240px;overflow:hidden;"
    "text-overflow:ellipsis;white-space:nowrap;font-size:12px;padding:0 6px;"
    "box-sizing:border-box;line-height:20px}.track{position:relative;flex:1 1 auto;height:20px;"
    "overflow:hidden}.axis .track{height:18px;background:#f6f8fa}.tick{position:absolute;top:0;"
    "bottom:0;border-left:1px solid #8c959f;padding-left:3px;font-size:11px;color:#57606a;"
    "white-space:nowrap}.bar{position:absolute;top:3px;bottom:3px;min-width:2px;"
    "box-sizing:border-box;border-right:1px solid #fff;color:#fff;font-size:10px;"
    "line-height:14px;overflow:hidden;white-space:nowrap;padding-left:2px}"
    ".retry{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.4) 0 "
    "3px,transparent 3px 7px)}"
    ".down{position:absolute;top:0;bottom:0}"
    ".down,.k-down{background:repeating-linear-gradient(45deg,#ffd8d3 0 4px,#fff 4px 8px)}"
    ".failure{border:1px solid #d0d7de;border-left:6px solid #000;border-radius:4px;"
    "padding:.5em 1em;margin:.8em 0}.failure p{margin:.3em 0}pre.tail{background:#f6f8fa;"
    "border:1px solid #d8dee4;padding:.5em;max-height:30em;overflow:auto;white-space:pre-wrap;"
    "overflow-wrap:anywhere}footer{margin-top:2em;color:#57606a;font-size:12px}";

static void page_head(struct html *b)
{
    const struct report *rep = b->rep;
    const struct tally *t = &rep->summary->total;
    struct out *o = &b->o;
    put(o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
        /* nothing may run or be fetched, even if some text escaped escaping */
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\" />\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    /* a live page reloads itself; the final one, written at the end, not:
     * so the refreshing stops once the run has ended */
    if (live(b))
        putf(o, "<meta http-equiv=\"refresh\" content=\"%.0f\" />\n",
             b->opt->live_every < 1 ? 1 : b->opt->live_every);
    put(o, "<title>distmpi ");
    esc(o, rep->run_id ? rep->run_id : "run");
    if (live(b))
        putf(o, ": live, %ld of %ld shards done</title>\n<style>\n", t->shards - b->opt->pending,
             t->shards);
    else
        putf(o, ": %ld of %ld shards passed</title>\n<style>\n",
             t->count[STATUS_PASSED] + t->count[STATUS_FLAKY], t->shards);
    put(o, css);
    /* a colour per outcome (bars) and per class (cards, failures) */
    for (int k = 0; k <= OUTCOME_COUNT; k++)
        putf(o, ".o-%s{background-color:var(--%s)}", outcome_name(k), outcome_name(k));
    for (int k = 0; k < STATUS_COUNT; k++)
        putf(o, ".c-%s,.s-%s{border-left-color:var(--%s)}", status_name(k), status_name(k),
             status_name(k));
    put(o, "</style>\n</head>\n<body>\n");
}

static void run_header(struct html *b)
{
    const struct report *rep = b->rep;
    const struct cluster *c = rep->cluster;
    struct out *o = &b->o;
    char buf[256], iso[40];
    put(o, "<header id=\"run\">\n<h1>distmpi run <code class=\"run-id\">");
    esc(o, rep->run_id ? rep->run_id : "?");
    put(o, "</code></h1>\n");
    int st = rep->exit_status;
    const char *v = st == EXIT_PASSED        ? "v-ok"
                    : st == EXIT_TEST_FAILED ? "v-fail"
                    : st > 128               ? "v-stop"
                                             : "v-infra";
    if (live(b)) {
        long done = rep->summary->total.shards - b->opt->pending;
        putf(o,
             "<p class=\"verdict v-live\" id=\"live\">running: %ld of %ld shards done; this page "
             "reloads itself every %.0f s until the run ends</p>\n",
             done, rep->summary->total.shards, b->opt->live_every < 1 ? 1 : b->opt->live_every);
    } else {
        exit_meaning(buf, sizeof buf, st);
        putf(o, "<p class=\"verdict %s\" id=\"exit-status\">exit status %d: %s</p>\n", v, st, buf);
    }
    put(o, "<table class=\"meta\">\n");
    putf(o, "<tr><th>%s</th><td><code id=\"command\">", rep->command ? "command" : "tasks");
    for (int i = 0; rep->command && i < rep->ncommand; i++) {
        char *q = shell_quote(rep->command[i] ? rep->command[i] : "");
        if (!q)
            out_failed(o, ENOMEM);
        put(o, i ? " " : "");
        esc(o, q);
        free(q);
    }
    esc(o, rep->command ? NULL : rep->tasks ? rep->tasks : "?");
    put(o, "</code></td></tr>\n");
    time_format_iso(rep->started, iso, sizeof iso);
    putf(o, "<tr><th>started</th><td>%.10s %.8s UTC</td></tr>\n", iso, iso + 11);
    fmt_duration(rep->duration, buf, sizeof buf);
    putf(o, "<tr><th>duration</th><td>%s</td></tr>\n", buf);
    long cores = 0;
    for (int h = 0; c && h < c->nhosts; h++)
        cores += c->hosts[h].cores;
    putf(o, "<tr><th>ranks</th><td>%d rank%s on %d host%s (%ld cores), schedule ",
         c ? c->nranks : 0, plural(c ? c->nranks : 0), c ? c->nhosts : 0, plural(c ? c->nhosts : 0),
         cores);
    esc(o, rep->schedule ? rep->schedule : "?");
    put(o, "</td></tr>\n");
    if (rep->run_dir) {
        put(o, "<tr><th>shard output</th><td><code>");
        esc(o, rep->run_dir);
        put(o, "</code> on each host</td></tr>\n");
    }
    put(o, "</table>\n</header>\n");
}

static void count_card(struct out *o, const char *id, const char *label, long n)
{
    putf(o, "<div class=\"count c-%s%s\" id=\"count-%s\"><b>%ld</b> %s</div>\n", id,
         n ? "" : " zero", id, n, label);
}

static void summary_section(struct html *b)
{
    const struct tally *t = &b->rep->summary->total;
    struct out *o = &b->o;
    put(o, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"counts\">\n");
    count_card(o, "shards", "shards", t->shards);
    /* passed counts flaky shards too, as in the JSON report and the exit status */
    count_card(o, "passed", "passed", t->count[STATUS_PASSED] + t->count[STATUS_FLAKY]);
    long pending = live(b) ? b->opt->pending : 0;
    for (int s = STATUS_FLAKY; s < STATUS_COUNT; s++)
        count_card(o, status_name(s), status_label(s),
                   t->count[s] - (s == STATUS_LOST ? pending : 0));
    if (live(b))
        count_card(o, "pending", "pending", pending);
    count_card(o, "retries", "retries", t->retries);
    char busy[32];
    fmt_duration(t->busy, busy, sizeof busy);
    putf(o, "<div class=\"count\" id=\"busy\"><b>%s</b> busy</div>\n", busy);
    put(o, "</div>\n</section>\n");
}

/* The end of the unhealthy period that event i of a host opens: the next
 * event that made the host healthy again, or end. */
static double period_end(const struct watch_event *e, int n, int i, double end)
{
    for (int j = i + 1; j < n; j++)
        if (e[j].healthy)
            return e[j].time;
    return end;
}

static void health_cell(struct html *b, int h)
{
    const struct watch *w = b->rep->watch;
    struct out *o = &b->o;
    double end = b->rep->started + b->rep->duration;
    int n;
    const struct watch_event *e = watch_events(w, h, &n);
    int exclusions = 0;
    for (int i = 0; i < n; i++)
        exclusions += !e[i].healthy;
    put(o, "<td class=\"l health\">");
    if (!exclusions) {
        put(o, "healthy");
    } else {
        char dur[32], from[16], to[16];
        fmt_duration(watch_excluded_seconds(w, h, end), dur, sizeof dur);
        putf(o, "excluded %d time%s, %s in all%s<ul>", exclusions, plural(exclusions), dur,
             watch_healthy(w, h) ? "" : ", still unhealthy at the end");
        for (int i = 0; i < n; i++) {
            if (e[i].healthy)
                continue;
            double until = period_end(e, n, i, end);
            fmt_clock(e[i].time, from, sizeof from);
            fmt_clock(until, to, sizeof to);
            fmt_duration(until - e[i].time, dur, sizeof dur);
            putf(o, "<li>%.8s&#8211;%.8s UTC (%s): ", from, to, dur);
            esc(o, e[i].reason);
            put(o, "</li>");
        }
        put(o, "</ul>");
    }
    const struct probe *pr = watch_last(w, h);
    if (pr) {
        char line[512];
        probe_format_line(pr, line, sizeof line);
        put(o, "<div class=\"probe\">last probe: ");
        esc(o, line);
        put(o, "</div>");
    }
    put(o, "</td>");
}

/* interrupted: a column for the shards a signal interrupted (a run that
 * was stopped has it) */
static void tally_cells(struct html *b, const struct tally *t, int nranks, int interrupted)
{
    char busy[32], mean[32];
    fmt_duration(t->busy, busy, sizeof busy);
    fmt_duration(tally_mean_shard_seconds(t), mean, sizeof mean);
    putf(&b->o, "<td>%ld</td><td>%ld</td>", t->shards,
         t->count[STATUS_PASSED] + t->count[STATUS_FLAKY]);
    for (int s = STATUS_FLAKY; s <= STATUS_EXEC_ERROR; s++)
        putf(&b->o, "<td>%ld</td>", t->count[s]);
    if (interrupted)
        putf(&b->o, "<td>%ld</td>", t->count[STATUS_INTERRUPTED]);
    putf(&b->o, "<td>%ld</td><td>%s</td><td>%.0f%%</td><td>%s</td>", t->retries, busy,
         100 * tally_busy_share(t, nranks, b->rep->duration), mean);
}

static void hosts_section(struct html *b)
{
    const struct report *rep = b->rep;
    const struct cluster *c = rep->cluster;
    struct out *o = &b->o;
    put(o,
        "<section id=\"hosts\">\n<h2>Hosts</h2>\n<table>\n<tr><th class=\"l\">host</th>"
        "<th>cores</th><th>ranks</th><th>shards</th><th>passed</th>");
    int interrupted = rep->summary->total.count[STATUS_INTERRUPTED] > 0;
    for (int s = STATUS_FLAKY; s <= STATUS_EXEC_ERROR; s++)
        putf(o, "<th>%s</th>", status_label(s));
    if (interrupted)
        putf(o, "<th>%s</th>", status_label(STATUS_INTERRUPTED));
    put(o, "<th>retries</th><th>busy</th><th>busy share</th><th>mean shard</th>");
    if (rep->watch)
        put(o, "<th class=\"l\">health</th>");
    put(o, "</tr>\n");
    long cores = 0;
    for (int h = 0; c && h < c->nhosts; h++) {
        const struct host *ho = &c->hosts[h];
        cores += ho->cores;
        put(o, "<tr class=\"host\"><td class=\"l name\">");
        esc(o, ho->name);
        putf(o, "</td><td>%ld</td><td>%d</td>", ho->cores, ho->nranks);
        if (h < rep->summary->nhosts)
            tally_cells(b, &rep->summary->hosts[h], ho->nranks, interrupted);
        if (rep->watch)
            health_cell(b, h);
        put(o, "</tr>\n");
    }
    putf(o, "<tr class=\"total\"><th class=\"l\">total</th><th>%ld</th><th>%d</th>", cores,
         c ? c->nranks : 0);
    tally_cells(b, &rep->summary->total, c ? c->nranks : 0, interrupted);
    if (rep->watch)
        put(o, "<td></td>");
    put(o, "</tr>\n</table>\n</section>\n");
}

/* ------------------------------------------------------------ timeline */

struct slot_key {
    int host, slot, rank;
};

static int slot_cmp(const void *a, const void *b)
{
    const struct slot_key *x = a, *y = b;
    if (x->host != y->host)
        return x->host < y->host ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* A step between ticks that gives at most 10 of them on span seconds. */
static double tick_step(double span)
{
    static const double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05,  0.1,   0.2,   0.5,
                                   1,     2,     5,     10,   15,   30,    60,    120,   300,
                                   600,   900,   1800,  3600, 7200, 10800, 21600, 43200, 86400};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= 10)
            return steps[i];
    return ceil(span / 10 / 86400) * 86400;
}

/* A tick's label: "0.5s", "30s", "2m", "1m 30s", "1h 05m". */
static void tick_label(char *buf, size_t len, double t)
{
    long s = lround(t);
    if (t < 10 && fabs(t - (double)s) > 1e-6)
        snprintf(buf, len, "%.3gs", t);
    else if (s < 60)
        snprintf(buf, len, "%lds", s);
    else if (s < 3600 && s % 60)
        snprintf(buf, len, "%ldm %02lds", s / 60, s % 60);
    else if (s < 3600)
        snprintf(buf, len, "%ldm", s / 60);
    else
        snprintf(buf, len, "%ldh %02ldm", s / 3600, s % 3600 / 60);
}

/* Start and length of the axis: the run, widened to every attempt (the
 * hosts' clocks may disagree a little with rank 0's). */
static void time_axis(struct html *b)
{
    const struct report *rep = b->rep;
    double t0 = isfinite(rep->started) ? rep->started : 0;
    double t1 = t0 + (isfinite(rep->duration) && rep->duration > 0 ? rep->duration : 0);
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = result_at(rep, i);
        for (int k = 0; r && k < r->nattempts + r->nsuperseded; k++) {
            const struct attempt *a =
                k < r->nattempts ? &r->attempts[k] : &r->superseded[k - r->nattempts].attempt;
            if (!isfinite(a->start) || !isfinite(a->duration))
                continue;
            if (a->start < t0)
                t0 = a->start;
            if (a->start + a->duration > t1)
                t1 = a->start + a->duration;
        }
    }
    b->t0 = t0;
    b->span = t1 - t0 > 1e-3 ? t1 - t0 : 1e-3;
}

/* The bar of attempt k of r, or with k -1 of a, a copy of the shard ended
 * because another counted first (--speculate). */
static void bar(struct html *b, long i, const struct shard_result *r, int k,
                const struct attempt *a)
{
    if (k >= 0)
        a = &r->attempts[k];
    double left = pct(b, a->start);
    double width = pct(b, a->start + (isfinite(a->duration) ? a->duration : 0)) - left;
    char end[96], dur[32], clock[16], label[64];
    attempt_end(end, sizeof end, a);
    fmt_duration(a->duration, dur, sizeof dur);
    fmt_clock(a->start, clock, sizeof clock);
    if (k >= 0)
        result_attempt_label(label, sizeof label, a, k, r->nattempts);
    else
        snprintf(label, sizeof label, "attempt %d (a copy)", a->number);
    putf(&b->o,
         "<span class=\"bar o-%s%s\" style=\"left:%.3f%%;width:%.3f%%\" title=\"shard %ld, "
         "%s: %s, %s, started %s UTC\">%ld</span>",
         outcome_name(a->outcome), k > 0 ? " retry" : "", left, width, i + 1, label, end, dur,
         clock, i + 1);
}

/* The periods host h was unhealthy, behind its slots' bars. */
static void down_periods(struct html *b, int h)
{
    if (!b->rep->watch)
        return;
    int n;
    const struct watch_event *e = watch_events(b->rep->watch, h, &n);
    for (int i = 0; i < n; i++) {
        if (e[i].healthy)
            continue;
        double left = pct(b, e[i].time);
        double right = pct(b, period_end(e, n, i, b->rep->started + b->rep->duration));
        putf(&b->o, "<span class=\"down\" style=\"left:%.3f%%;width:%.3f%%\" title=\"", left,
             right - left);
        put(&b->o, "unhealthy: ");
        esc(&b->o, e[i].reason);
        put(&b->o, "\"></span>");
    }
}

static void legend(struct out *o)
{
    put(o, "<div class=\"legend\">");
    for (int k = 0; k < OUTCOME_COUNT; k++)
        putf(o, "<div><span class=\"o-%s\"></span>%s</div>", outcome_name(k),
             k == OUTCOME_EXEC_ERROR ? "exec error" : outcome_name(k));
    put(o,
        "<div><span class=\"o-failed retry\"></span>striped: a retry (attempt 2 or later)</div>"
        "<div><span class=\"k-down\"></span>host unhealthy</div>"
        "</div>\n");
}

/* The rank whose row shows attempt a of r: the rank that ran it, else
 * (not known, not of this cluster) the shard's own. */
static int bar_rank(const struct cluster *c, const struct shard_result *r, const struct attempt *a)
{
    return host_index(c, a->rank) >= 0 ? a->rank : r->rank;
}

/* One row per slot, ordered by host and slot; one bar per attempt. */
static void timeline_section(struct html *b)
{
    const struct report *rep = b->rep;
    const struct cluster *c = rep->cluster;
    struct out *o = &b->o;
    int nranks = c && c->rank_host && c->hosts ? c->nranks : 0;
    time_axis(b);
    put(o, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    legend(o);
    struct slot_key *keys = malloc(((size_t)nranks + 1) * sizeof *keys);
    if (!keys) {
        out_failed(o, ENOMEM);
        put(o, "</section>\n");
        return;
    }
    for (int r = 0; r < nranks; r++)
        keys[r] = (struct slot_key){c->rank_host[r], c->rank_slot ? c->rank_slot[r] : r, r};
    qsort(keys, (size_t)nranks, sizeof *keys, slot_cmp);

    put(o,
        "<div class=\"timeline\">\n<div class=\"row axis\"><div class=\"lbl\">host / slot</div>"
        "<div class=\"track\">");
    double step = tick_step(b->span);
    for (int k = 0; k <= 50 && k * step <= b->span; k++) {
        double p = k * step / b->span * 100;
        if (p > 96 && k > 0)
            break; /* no label cut off at the right edge */
        char label[32];
        tick_label(label, sizeof label, k * step);
        putf(o, "<span class=\"tick\" style=\"left:%.3f%%\">%s</span>", p, label);
    }
    put(o, "</div></div>\n");
    /* every attempt on the row of the rank that ran it (a shard retried
     * elsewhere has bars on two rows), each row's in shard order: the
     * shards are scanned once a row rather than sorted into a list, which
     * would cost memory by the shard (a few milliseconds a row at 100,000
     * shards, against 16 bytes an attempt) */
    for (int j = 0; j < nranks && !o->oom; j++) {
        int r = keys[j].rank, h = host_index(c, r);
        put(o, "<div class=\"row\"><div class=\"lbl\" title=\"");
        esc(o, h >= 0 ? c->hosts[h].name : "?");
        putf(o, " / slot %d (rank %d)\">", keys[j].slot, r);
        esc(o, h >= 0 ? c->hosts[h].name : "?");
        putf(o, " / slot %d (rank %d)</div><div class=\"track\">", keys[j].slot, r);
        if (h >= 0)
            down_periods(b, h);
        for (long i = 0; i < rep->total; i++) {
            const struct shard_result *res = result_at(rep, i);
            if (!res || host_index(c, res->rank) < 0)
                continue;
            for (int k = 0; k < res->nattempts; k++)
                if (bar_rank(c, res, &res->attempts[k]) == r)
                    bar(b, i, res, k, NULL);
            for (int k = 0; k < res->nsuperseded; k++)
                if (bar_rank(c, res, &res->superseded[k].attempt) == r)
                    bar(b, i, res, -1, &res->superseded[k].attempt);
        }
        put(o, "</div></div>\n");
    }
    put(o, "</div>\n");
    if (rep->total == 0)
        put(o, "<p>No shards.</p>\n");
    free(keys);
    put(o, "</section>\n");
}

/* ------------------------------------------------------------ failures */

/* What happened to a shard that did not pass, in a few words. */
static void failure_summary(char *buf, size_t len, const struct shard_result *r, int status)
{
    int n = r ? r->nattempts : 0;
    char end[96];
    if (status == STATUS_LOST)
        snprintf(buf, len, "never reported a result (its rank or host was lost)");
    else if (status == STATUS_INTERRUPTED)
        snprintf(buf, len, "the run was stopped before the shard finished");
    else if (status == STATUS_EXEC_ERROR)
        snprintf(buf, len, "could not start, %d attempt%s", n, plural(n));
    if (status == STATUS_LOST || status == STATUS_INTERRUPTED || status == STATUS_EXEC_ERROR)
        return;
    if (n > 0)
        attempt_end(end, sizeof end, &r->attempts[n - 1]);
    else
        snprintf(end, sizeof end, "%s", status_label(status));
    snprintf(buf, len, "%s after %d attempt%s", end, n, plural(n));
}

static void attempts_table(struct out *o, const struct shard_result *r)
{
    put(o,
        "<table class=\"attempts\"><tr><th>attempt</th><th class=\"l\">outcome</th>"
        "<th>started (UTC)</th><th>duration</th></tr>\n");
    for (int k = 0; k < r->nattempts; k++) {
        const struct attempt *a = &r->attempts[k];
        char end[96], clock[16], dur[32];
        attempt_end(end, sizeof end, a);
        fmt_clock(a->start, clock, sizeof clock);
        fmt_duration(a->duration, dur, sizeof dur);
        putf(o, "<tr><td>%d</td><td class=\"l\">%s</td><td>%s</td><td>%s</td></tr>\n", a->number,
             end, clock, dur);
    }
    put(o, "</table>\n");
}

static void failure(struct html *b, long i, const struct shard_result *r)
{
    const struct cluster *c = b->rep->cluster;
    struct out *o = &b->o;
    int status = r ? r->status : STATUS_LOST;
    char what[192];
    failure_summary(what, sizeof what, r, status);
    putf(o, "<article class=\"failure s-%s\" id=\"shard-%ld\">\n<h3>shard %ld: %s</h3>\n",
         status_name(status), i + 1, i + 1, status_label(status));
    putf(o, "<p class=\"what\">%s</p>\n", what);
    int h = r ? host_index(c, r->rank) : -1;
    if (h >= 0) {
        put(o, "<p class=\"where\">on <b>");
        esc(o, c->hosts[h].name);
        putf(o, "</b>, rank %d, slot %d</p>\n", r->rank, r->slot);
    } else if (r && r->carried) {
        put(o, "<p class=\"where\">in an earlier run (--resume), on <b>");
        esc(o, r->host ? r->host : "?");
        put(o, "</b></p>\n");
    }
    if (r && r->nattempts > 0)
        attempts_table(o, r);
    if (r && r->error) {
        put(o, "<p class=\"error\">error: <code>");
        esc(o, r->error);
        put(o, "</code></p>\n");
    }
    if (r && r->log) {
        put(o, "<p class=\"logpath\">log: <code>");
        esc(o, r->log);
        put(o, "</code>");
        if (h >= 0) {
            put(o, " on ");
            esc(o, c->hosts[h].name);
        }
        put(o, "</p>\n");
    }
    const char *tail = log_tail(b, i);
    if (tail) {
        put(o, "<p>the end of its log:</p>\n<pre class=\"tail\">");
        esc(o, tail);
        put(o, "</pre>\n");
    }
    put(o, "</article>\n");
}

static void failures_section(struct html *b)
{
    const struct report *rep = b->rep;
    struct out *o = &b->o;
    long nfail = 0, nflaky = 0;
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = result_at(rep, i);
        if (!r && live(b))
            continue; /* pending, not lost */
        int status = r ? r->status : STATUS_LOST;
        nfail += !status_is_pass(status);
        nflaky += status == STATUS_FLAKY;
    }
    putf(o, "<section id=\"failures\">\n<h2>Shards that did not pass (%ld)</h2>\n", nfail);
    if (!nfail)
        put(o, live(b) ? "<p>None so far.</p>\n" : "<p>None: every shard passed.</p>\n");
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = result_at(rep, i);
        if ((r || !live(b)) && !status_is_pass(r ? r->status : STATUS_LOST))
            failure(b, i, r);
    }
    if (nflaky)
        putf(o, "<h2>Flaky shards (%ld): passed after a failed attempt</h2>\n<ul id=\"flaky\">\n",
             nflaky);
    for (long i = 0; i < rep->total && nflaky; i++) {
        const struct shard_result *r = result_at(rep, i);
        int h = r && r->status == STATUS_FLAKY ? host_index(rep->cluster, r->rank) : -2;
        if (h == -2)
            continue;
        putf(o, "<li class=\"flaky\" id=\"shard-%ld\">shard %ld on ", i + 1, i + 1);
        esc(o, h >= 0 ? rep->cluster->hosts[h].name : "?");
        putf(o, " rank %d: ", r->rank);
        for (int k = 0; k < r->nattempts; k++) {
            char end[96];
            attempt_end(end, sizeof end, &r->attempts[k]);
            putf(o, "%s%s", k ? ", then " : "", end);
        }
        put(o, "</li>\n");
    }
    put(o, nflaky ? "</ul>\n" : "");
    put(o, "</section>\n");
}

/* The tests of the collected JUnit reports by verdict (verdict.h): their
 * counts, and a row for each that failed at least once, with its runs. */
static void tests_section(struct html *b)
{
    const struct report *rep = b->rep;
    struct out *o = &b->o;
    if (!rep->verdicts)
        return;
    long counts[VERDICT_COUNT];
    verdict_table_counts(rep->verdicts, counts);
    size_t n = verdict_table_count(rep->verdicts);
    putf(o, "<section id=\"tests\">\n<h2>Tests by verdict (%zu)</h2>\n<div class=\"counts\">\n", n);
    for (int v = 0; v < VERDICT_COUNT; v++)
        putf(o, "<div class=\"count t-%s%s\" id=\"tests-%s\"><b>%ld</b> %s</div>\n",
             verdict_name((enum verdict)v), counts[v] ? "" : " zero", verdict_name((enum verdict)v),
             counts[v], verdict_name((enum verdict)v));
    put(o, "</div>\n");
    long bad = counts[VERDICT_FAILING] + counts[VERDICT_HOST_SPECIFIC] + counts[VERDICT_FLAKY];
    if (!bad) {
        put(o, "<p>No test failed.</p>\n</section>\n");
        return;
    }
    put(o,
        "<table id=\"test-verdicts\"><tr><th class=\"l\">verdict</th><th class=\"l\">test</th>"
        "<th class=\"l\">runs: host, shard, attempt, outcome</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct verdict_test *x = verdict_table_test(rep->verdicts, i);
        if (x->verdict == VERDICT_PASSED || x->verdict == VERDICT_SKIPPED)
            break; /* they come after the others */
        putf(o, "<tr class=\"v-%s\"><td class=\"l\">%s</td><td class=\"l\"><code>",
             verdict_name(x->verdict), verdict_name(x->verdict));
        esc(o, x->classname);
        put(o, "</code>: ");
        esc(o, x->name);
        if (*x->project) {
            put(o, " [");
            esc(o, x->project);
            put(o, "]");
        }
        put(o, "</td><td class=\"l\">");
        for (size_t k = 0; k < x->nruns; k++) {
            const struct test_run *r = &x->runs[k];
            put(o, k ? "<br>" : "");
            esc(o, verdict_host_name(rep->cluster, r->host));
            putf(o, " shard %ld attempt %d: ", r->shard + 1, r->attempt);
            if (r->failed_before > 0)
                putf(o, "failed %d time%s, then ", r->failed_before, plural(r->failed_before));
            put(o, test_outcome_name(r->outcome));
        }
        put(o, "</td></tr>\n");
    }
    put(o, "</table>\n</section>\n");
}

/* ------------------------------------------------------------ entry points */

/* The whole page to f. Returns 0, or -1 with errno set. */
static int write_page(FILE *f, const struct report *rep, const struct html_options *opt)
{
    struct html b = {.o = {.f = f}, .rep = rep, .opt = opt};
    page_head(&b);
    run_header(&b);
    summary_section(&b);
    hosts_section(&b);
    timeline_section(&b);
    failures_section(&b);
    tests_section(&b);
    put(&b.o, "<footer>written by distmpi " PACKAGE_VERSION "</footer>\n</body>\n</html>\n");
    if (b.o.oom) {
        errno = b.o.err;
        return -1;
    }
    return 0;
}

char *report_html_build(const struct report *rep, const struct html_options *opt, size_t *len)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        return NULL;
    int rc = write_page(f, rep, opt);
    if (fclose(f) != 0)
        rc = -1;
    if (rc < 0) {
        free(s);
        errno = ENOMEM;
        return NULL;
    }
    if (len)
        *len = n;
    return s;
}

struct page {
    const struct report *rep;
    const struct html_options *opt;
};

static int write_fn(FILE *f, void *arg)
{
    const struct page *p = arg;
    return write_page(f, p->rep, p->opt);
}

int report_html_write(const char *path, const struct report *rep, const struct html_options *opt,
                      struct error *err)
{
    struct page p = {rep, opt};
    struct error local;
    if (!err)
        err = &local;
    return fs_write_atomic(path, write_fn, &p, err);
}
