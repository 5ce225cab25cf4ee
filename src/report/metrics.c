/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.c - the run's counts in the OpenMetrics text format. */
#include "config.h"

#include "report/metrics.h"

#include <errno.h>
#include <stdio.h>

#include "common/fsutil.h"
#include "model/result.h"

/* A label value, escaped as the format wants (\\, \" and \n). */
static void add_label(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_addc(b, '\\');
        if (*s == '\n')
            buf_addstr(b, "\\n");
        else
            buf_addc(b, *s);
    }
}

static void header(struct buf *b, const char *name, const char *help)
{
    buf_printf(b, "# TYPE %s gauge\n# HELP %s %s\n", name, name, help);
}

/* name{host="H"...} value, for each of the cluster's hosts. */
static void host_sample(struct buf *b, const char *name, const char *host, const char *state,
                        double value)
{
    buf_printf(b, "%s{host=\"", name);
    add_label(b, host);
    if (state)
        buf_printf(b, "\",state=\"%s", state);
    buf_printf(b, "\"} %.17g\n", value);
}

/* The shards by state in t; pending (only in the total) are taken out of
 * lost: they are only not done yet. */
static void by_state(struct buf *b, const char *name, const char *host, const struct tally *t,
                     long pending)
{
    for (int st = 0; st < STATUS_COUNT; st++) {
        long n = t->count[st] - (st == STATUS_LOST ? pending : 0);
        if (host)
            host_sample(b, name, host, status_name(st), (double)n);
        else
            buf_printf(b, "%s{state=\"%s\"} %ld\n", name, status_name(st), n);
    }
    if (!host)
        buf_printf(b, "%s{state=\"pending\"} %ld\n", name, pending);
}

int metrics_format(struct buf *b, const struct metrics_view *v)
{
    const struct cluster *c = v->cluster;
    const struct tally *t = &v->summary->total;
    header(b, "distmpi_run_info", "The run, by its id (always 1).");
    buf_addstr(b, "distmpi_run_info{run_id=\"");
    add_label(b, v->run_id ? v->run_id : "");
    buf_addstr(b, "\"} 1\n");
    header(b, "distmpi_run_finished", "1 once the run has ended, 0 while it runs.");
    buf_printf(b, "distmpi_run_finished %d\n", v->finished ? 1 : 0);
    if (v->finished) {
        header(b, "distmpi_run_exit_status", "distmpi's exit status (0: every shard passed).");
        buf_printf(b, "distmpi_run_exit_status %d\n", v->exit_status);
    }
    header(b, "distmpi_run_duration_seconds", "Seconds since the run started.");
    buf_printf(b, "distmpi_run_duration_seconds %.3f\n", v->elapsed);
    header(b, "distmpi_shards", "Shards of the run by state (pending: not done yet).");
    by_state(b, "distmpi_shards", NULL, t, v->pending);
    header(b, "distmpi_retries", "Attempts beyond each shard's first.");
    buf_printf(b, "distmpi_retries %ld\n", t->retries);
    header(b, "distmpi_busy_seconds", "Seconds the shards' attempts ran, on all slots.");
    buf_printf(b, "distmpi_busy_seconds %.3f\n", t->busy);
    header(b, "distmpi_host_shards", "Shards done on the host, by state.");
    for (int h = 0; h < c->nhosts; h++)
        by_state(b, "distmpi_host_shards", c->hosts[h].name, &v->summary->hosts[h], 0);
    header(b, "distmpi_host_retries", "Attempts beyond each shard's first, on the host.");
    for (int h = 0; h < c->nhosts; h++)
        host_sample(b, "distmpi_host_retries", c->hosts[h].name, NULL,
                    (double)v->summary->hosts[h].retries);
    header(b, "distmpi_host_busy_seconds", "Seconds the host's slots ran attempts.");
    for (int h = 0; h < c->nhosts; h++)
        host_sample(b, "distmpi_host_busy_seconds", c->hosts[h].name, NULL,
                    v->summary->hosts[h].busy);
    header(b, "distmpi_host_cores", "The host's cores, as hwloc counts them.");
    for (int h = 0; h < c->nhosts; h++)
        host_sample(b, "distmpi_host_cores", c->hosts[h].name, NULL, (double)c->hosts[h].cores);
    header(b, "distmpi_host_ranks", "The ranks of the run on the host.");
    for (int h = 0; h < c->nhosts; h++)
        host_sample(b, "distmpi_host_ranks", c->hosts[h].name, NULL, (double)c->hosts[h].nranks);
    if (v->watch) {
        header(b, "distmpi_host_healthy", "1 while the host passes its health checks, else 0.");
        for (int h = 0; h < c->nhosts; h++)
            host_sample(b, "distmpi_host_healthy", c->hosts[h].name, NULL,
                        watch_healthy(v->watch, h) ? 1 : 0);
    }
    buf_addstr(b, "# EOF\n");
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static int write_text(FILE *f, void *arg)
{
    const struct buf *b = arg;
    if (fwrite(buf_str(b), 1, b->len, f) != b->len) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return 0;
}

int metrics_write(const char *path, const struct metrics_view *v, struct error *err)
{
    struct buf b = BUF_INIT;
    if (metrics_format(&b, v) < 0) {
        buf_free(&b);
        return errprintf(err, "%s: out of memory", path);
    }
    int rc = fs_write_atomic(path, write_text, &b, err);
    buf_free(&b);
    return rc;
}
