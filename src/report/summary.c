/* SPDX-License-Identifier: BSD-3-Clause */
/* summary.c - counting and printing the end of a run. */
#include "config.h"

#include "report/summary.h"

#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"

static const char *plural(long n)
{
    return n == 1 ? "" : "s";
}

static void add(struct tally *t, const struct shard_result *r)
{
    t->shards++;
    t->count[r->status]++;
    if (r->nattempts > 1)
        t->retries += r->nattempts - 1;
    t->superseded += r->nsuperseded;
    t->busy += result_busy(r);
}

int summary_build(struct summary *s, int nhosts, const int *rank_host, int nranks,
                  struct shard_result *const *results, long total)
{
    memset(s, 0, sizeof *s);
    s->hosts = calloc(nhosts > 0 ? (size_t)nhosts : 1, sizeof *s->hosts);
    if (!s->hosts)
        return -1;
    s->nhosts = nhosts;
    for (long i = 0; i < total; i++) {
        const struct shard_result *r = results[i];
        if (!r) {
            s->total.shards++;
            s->total.count[STATUS_LOST]++;
            continue;
        }
        add(&s->total, r);
        if (r->rank >= 0 && r->rank < nranks)
            add(&s->hosts[rank_host[r->rank]], r);
    }
    return 0;
}

void summary_free(struct summary *s)
{
    free(s->hosts);
    s->hosts = NULL;
    s->nhosts = 0;
}

double tally_busy_share(const struct tally *t, int nranks, double duration)
{
    double slot_time = (double)nranks * duration;
    return slot_time > 0 ? t->busy / slot_time : 0;
}

double tally_mean_shard_seconds(const struct tally *t)
{
    return t->shards > 0 ? t->busy / (double)t->shards : 0;
}

/* "(exit 1)", "(signal 9)", "(exit 0)"... what ended the last attempt */
static void describe_end(char *buf, size_t len, const struct shard_result *r)
{
    buf[0] = '\0';
    if (r->nattempts < 1)
        return;
    const struct attempt *a = &r->attempts[r->nattempts - 1];
    if (r->status == STATUS_EXEC_ERROR || (r->status == STATUS_FAILED && r->error))
        snprintf(buf, len, " (%s)", r->error ? r->error : "could not run");
    else if (a->signal)
        snprintf(buf, len, " (%s %d)", r->status == STATUS_TIMEOUT ? "killed by signal" : "signal",
                 a->signal);
    else if (r->status == STATUS_FAILED)
        snprintf(buf, len, " (exit %d)", a->exit_code);
    else if (r->status == STATUS_TIMEOUT)
        snprintf(buf, len, " (exit %d after the timeout)", a->exit_code);
}

void summary_result_line(char *buf, size_t len, const struct shard_result *r, long done, long total,
                         const char *host)
{
    int width = snprintf(NULL, 0, "%ld", total);
    char end[512], dur[32], tries[64];
    describe_end(end, sizeof end, r);
    time_format_duration(result_elapsed(r), dur, sizeof dur);
    if (r->status == STATUS_FLAKY)
        snprintf(tries, sizeof tries, ": passed on attempt %d", r->nattempts);
    else if (r->nattempts > 1)
        snprintf(tries, sizeof tries, " after %d attempts", r->nattempts);
    else
        tries[0] = '\0';
    if (r->rank < 0)
        snprintf(buf, len, "[%*ld/%ld] shard %ld %s: no result", width, done, total, r->index + 1,
                 status_label(r->status));
    else
        snprintf(buf, len, "[%*ld/%ld] shard %ld %s%s%s on %s rank %d slot %d, %s", width, done,
                 total, r->index + 1, status_label(r->status), end, tries, host, r->rank, r->slot,
                 dur);
}

/* A run stopped by a signal has an interrupted column too (its shards also
 * count in errors). */
static void print_row(FILE *out, const char *name, const char *cores, const char *ranks,
                      const struct tally *t, int interrupted)
{
    char busy[32];
    time_format_duration(t->busy, busy, sizeof busy);
    long failed = t->count[STATUS_FAILED] + t->count[STATUS_TIMEOUT] + t->count[STATUS_CRASHED];
    long errors =
        t->count[STATUS_EXEC_ERROR] + t->count[STATUS_LOST] + t->count[STATUS_INTERRUPTED];
    fprintf(out, "  %-20s %5s %5s %6ld %6ld %5ld %6ld %6ld %7ld %9s", name, cores, ranks, t->shards,
            t->count[STATUS_PASSED] + t->count[STATUS_FLAKY], t->count[STATUS_FLAKY], failed,
            errors, t->retries, busy);
    if (interrupted)
        fprintf(out, " %11ld", t->count[STATUS_INTERRUPTED]);
    fputc('\n', out);
}

/* Hosts that were excluded at some time, with how long and the last reason. */
static void print_health(FILE *out, const struct cluster *c, const struct watch *w, double now)
{
    int shown = 0;
    for (int h = 0; h < c->nhosts; h++) {
        int n;
        const struct watch_event *e = watch_events(w, h, &n);
        int exclusions = 0;
        const char *why = NULL;
        for (int i = 0; i < n; i++) {
            if (!e[i].healthy) {
                exclusions++;
                why = e[i].reason;
            }
        }
        if (!exclusions)
            continue;
        if (shown++ == 0)
            fprintf(out, "\nHosts that were unhealthy:\n");
        char dur[32];
        time_format_duration(watch_excluded_seconds(w, h, now), dur, sizeof dur);
        fprintf(out, "  %s: excluded %d time%s, %s in all%s; last: %s\n", c->hosts[h].name,
                exclusions, exclusions == 1 ? "" : "s", dur,
                watch_healthy(w, h) ? "" : ", still unhealthy at the end", why);
    }
}

void summary_total_line(const struct summary *s, double elapsed, char *buf, size_t len)
{
    const struct tally *t = &s->total;
    char dur[32];
    size_t used = 0;
    time_format_duration(elapsed, dur, sizeof dur);
#define ADD(...)                                                           \
    do {                                                                   \
        if (used < len)                                                    \
            used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__); \
    } while (0)
    ADD("%ld shard%s: %ld passed (%ld flaky), %ld failed, %ld timed out, %ld crashed, "
        "%ld exec error%s, %ld lost",
        t->shards, plural(t->shards), t->count[STATUS_PASSED] + t->count[STATUS_FLAKY],
        t->count[STATUS_FLAKY], t->count[STATUS_FAILED], t->count[STATUS_TIMEOUT],
        t->count[STATUS_CRASHED], t->count[STATUS_EXEC_ERROR], plural(t->count[STATUS_EXEC_ERROR]),
        t->count[STATUS_LOST]);
    if (t->count[STATUS_INTERRUPTED])
        ADD(", %ld interrupted", t->count[STATUS_INTERRUPTED]);
    if (t->count[STATUS_SKIPPED])
        ADD(", %ld not run", t->count[STATUS_SKIPPED]);
    ADD("; %ld retr%s", t->retries, t->retries == 1 ? "y" : "ies");
    if (t->superseded)
        ADD("; %ld cop%s superseded", t->superseded, t->superseded == 1 ? "y" : "ies");
    ADD("; %s", dur);
#undef ADD
}

void summary_print(FILE *out, const struct summary *s, const struct cluster *c,
                   const struct watch *w, struct shard_result *const *results, long total,
                   double elapsed, double now)
{
    int interrupted = s->total.count[STATUS_INTERRUPTED] > 0;
    fprintf(out, "\n  %-20s %5s %5s %6s %6s %5s %6s %6s %7s %9s%s\n", "host", "cores", "ranks",
            "shards", "passed", "flaky", "failed", "errors", "retries", "busy",
            interrupted ? " interrupted" : "");
    long cores = 0;
    for (int h = 0; h < s->nhosts; h++) {
        char cs[24], rs[24];
        snprintf(cs, sizeof cs, "%ld", c->hosts[h].cores);
        snprintf(rs, sizeof rs, "%d", c->hosts[h].nranks);
        cores += c->hosts[h].cores;
        print_row(out, c->hosts[h].name, cs, rs, &s->hosts[h], interrupted);
    }
    char cs[24], rs[24];
    snprintf(cs, sizeof cs, "%ld", cores);
    snprintf(rs, sizeof rs, "%d", c->nranks);
    print_row(out, "total", cs, rs, &s->total, interrupted);
    if (w)
        print_health(out, c, w, now);

    long shown = 0;
    for (long i = 0; i < total; i++) {
        const struct shard_result *r = results[i];
        if (r && status_is_pass(r->status))
            continue;
        if (shown++ == 0)
            fprintf(out, "\nShards that did not pass:\n");
        /* no log: the attempt printed nothing (or it could not be stored,
         * which was said when it happened) */
        const char *log_is = r && r->log ? "log " : "no output stored";
        const char *log = r && r->log ? r->log : "";
        if (r && r->carried) {
            fprintf(out, "  shard %ld: %s in the earlier run, on %s; %s%s\n", i + 1,
                    status_label(r->status), r->host ? r->host : "?", log_is, log);
            continue;
        }
        if (!r || r->rank < 0 || r->rank >= c->nranks) {
            fprintf(out, "  shard %ld: %s (no result)\n", i + 1,
                    status_label(r ? r->status : STATUS_LOST));
            continue;
        }
        if (r->status == STATUS_INTERRUPTED && r->nattempts == 0) {
            fprintf(out, "  shard %ld: interrupted on %s rank %d before it finished\n", i + 1,
                    c->hosts[c->rank_host[r->rank]].name, r->rank);
            continue;
        }
        char end[512];
        describe_end(end, sizeof end, r);
        fprintf(out, "  shard %ld: %s%s after %d attempt%s on %s rank %d; %s%s\n", i + 1,
                status_label(r->status), end, r->nattempts, r->nattempts == 1 ? "" : "s",
                c->hosts[c->rank_host[r->rank]].name, r->rank, log_is, log);
    }

    char line[SUMMARY_LINE_MAX];
    summary_total_line(s, elapsed, line, sizeof line);
    fprintf(out, "\n%s\n", line);
}
