/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_plan.c - before the run: the start-up health
 * judgement, the plan, and what --dry-run prints. */
#include "config.h"

#include "coord/coord_private.h"

#include <math.h>
#include <stdlib.h>

#include "model/template.h"
#include "common/timeutil.h"
#include "health/watch.h"

int coord_judge_start(const struct coord_input *in, FILE *out)
{
    const struct cluster *c = in->cluster;
    double now = time_wall();
    for (int h = 0; h < c->nhosts; h++) {
        if (watch_update(in->watch, h, &c->hosts[h].probe, now) < 0) {
            int n;
            const struct watch_event *e = watch_events(in->watch, h, &n);
            fprintf(out, "distmpi: host %s is unhealthy and gets no shards: %s\n", c->hosts[h].name,
                    n ? e[n - 1].reason : "?");
        }
    }
    return watch_count_healthy(in->watch);
}

int coord_keeps(const struct coord_input *in, long i)
{
    const struct journal_data *jd = in->journal;
    if (!jd || i >= jd->total || !jd->results[i])
        return 0;
    int st = jd->results[i]->status;
    return in->settings->rerun_failed ? !status_is_test_failure(st) : status_is_pass(st);
}

/* The shards still to run, in order (heap, *ntodo of them), or NULL. */
static long *todo_list(const struct coord_input *in, long *ntodo)
{
    long total = in->spec->total;
    long *todo = malloc((size_t)(total > 0 ? total : 1) * sizeof *todo);
    *ntodo = 0;
    for (long i = 0; todo && i < total; i++)
        if (!coord_keeps(in, i)) /* what the earlier run settled is not run again */
            todo[(*ntodo)++] = i;
    return todo;
}

struct plan *coord_make_plan(const struct coord_input *in, const double *predicted)
{
    const struct cluster *c = in->cluster;
    long total;
    long *todo = todo_list(in, &total);
    long *cores = malloc((size_t)c->nhosts * sizeof *cores);
    struct plan *p = NULL;
    if (todo && cores) {
        for (int h = 0; h < c->nhosts; h++) /* an unhealthy host gets no share */
            cores[h] = !in->watch || watch_healthy(in->watch, h) ? c->hosts[h].cores : 0;
        if (in->settings->schedule == SCHEDULE_STATIC) {
            p = plan_create_static(c->nranks, c->rank_host, c->nhosts, cores, todo, total);
        } else {
            /* with a timing history, the longest shards go first: they
             * then end early, not last on a rank while the others idle */
            if (!predicted || plan_longest_first(todo, total, predicted) == 0)
                p = plan_create_dynamic(c->nranks, todo, total);
        }
    }
    free(todo);
    free(cores);
    return p;
}

/* "sh -c 'test ...'" for the header */
void coord_print_command(FILE *out, const struct coord_input *in)
{
    if (in->tasks) {
        fprintf(out, "the tasks in %s", in->settings->tasks);
        return;
    }
    for (int i = 0; i < in->ncommand; i++) {
        char *q = shell_quote(in->command[i]);
        fprintf(out, "%s%s", i ? " " : "", q ? q : in->command[i]);
        free(q);
    }
}

static void print_hosts(FILE *out, const struct cluster *c, const struct watch *w)
{
    long cores = 0;
    for (int h = 0; h < c->nhosts; h++)
        cores += c->hosts[h].cores;
    fprintf(out, "Hosts: %d, %ld cores, %d ranks\n", c->nhosts, cores, c->nranks);
    fprintf(out, "  %-20s %6s %6s %6s  %s\n", "host", "cores", "pus", "ranks", "ranks list");
    for (int h = 0; h < c->nhosts; h++) {
        fprintf(out, "  %-20s %6ld %6ld %6d  ", c->hosts[h].name, c->hosts[h].cores,
                c->hosts[h].pus, c->hosts[h].nranks);
        int first = 1;
        for (int r = 0; r < c->nranks; r++)
            if (c->rank_host[r] == h) {
                fprintf(out, "%s%d", first ? "" : ",", r);
                first = 0;
            }
        fputc('\n', out);
    }
    if (!w) {
        fprintf(out, "Health: not checked (--skip-health-checks)\n");
        return;
    }
    fprintf(out, "Health:\n");
    for (int h = 0; h < c->nhosts; h++) {
        const struct probe *pr = watch_last(w, h);
        char values[512] = "no probe";
        if (pr)
            probe_format_line(pr, values, sizeof values);
        int n;
        const struct watch_event *e = watch_events(w, h, &n);
        if (watch_healthy(w, h))
            fprintf(out, "  %-20s ok (%s)\n", c->hosts[h].name, values);
        else
            fprintf(out, "  %-20s unhealthy: %s\n", c->hosts[h].name, n ? e[n - 1].reason : "");
    }
}

/* With a timing history: how much of the run it predicts, and the queue's
 * first shards, longest first. Returns 0, or -1 (ENOMEM). */
static int dry_run_history(FILE *out, const struct coord_input *in, const double *pred)
{
    const char *path = settings_history(in->settings);
    if (!in->history || !path) {
        fprintf(out, "Timing history: none (--no-history); the queue is in shard order.\n");
        return 0;
    }
    long ntodo;
    long *todo = todo_list(in, &ntodo);
    if (!todo || !pred || plan_longest_first(todo, ntodo, pred) < 0) {
        free(todo);
        return -1;
    }
    long known = 0;
    double sum = 0, longest = 0;
    for (long k = 0; k < ntodo; k++)
        if (!isnan(pred[todo[k]])) {
            known++;
            sum += pred[todo[k]];
            longest = pred[todo[k]] > longest ? pred[todo[k]] : longest;
        }
    if (known == 0) {
        fprintf(out,
                "Timing history: %s knows none of these shards yet; the queue is in shard "
                "order.\n",
                path);
    } else {
        fprintf(out,
                "Timing history: %s predicts %ld of %ld shards, %.1f s of work in all, the "
                "longest %.1f s%s.\nQueue, longest first:",
                path, known, ntodo, sum, longest,
                known < ntodo ? "; the others count as the median" : "");
        for (long k = 0; k < ntodo && k < 10; k++) {
            double s = pred[todo[k]];
            if (isnan(s))
                fprintf(out, " %ld (?)", todo[k] + 1);
            else
                fprintf(out, " %ld (%.1f s)", todo[k] + 1, s);
        }
        fprintf(out, "%s\n", ntodo > 10 ? " ..." : "");
    }
    free(todo);
    return 0;
}

int coord_dry_run(FILE *out, const struct coord_input *in)
{
    const struct cluster *c = in->cluster;
    double *pred = in->history ? coord_predictions(in) : NULL;
    struct plan *p = !in->history || pred ? coord_make_plan(in, pred) : NULL;
    if (!p) {
        free(pred);
        return -1;
    }
    fprintf(out, "Dry run: %ld shards of ", in->spec->total);
    coord_print_command(out, in);
    fprintf(out, ", schedule %s\n", schedule_name(in->settings->schedule));
    print_hosts(out, c, in->watch);
    if (!plan_is_static(p)) {
        fprintf(out,
                "Plan: dynamic; each of the %d ranks takes the next shard when it is free,\n"
                "so faster hosts run more.\n",
                c->nranks);
        plan_destroy(p);
        int rc = dry_run_history(out, in, pred);
        free(pred);
        return rc;
    }
    free(pred);
    fprintf(out, "Plan: static, shares proportional to cores\n");
    for (int h = 0; h < c->nhosts; h++) {
        long n = 0;
        for (int r = 0; r < c->nranks; r++)
            if (c->rank_host[r] == h)
                n += plan_rank_count(p, r);
        fprintf(out, "  %-20s %ld shards\n", c->hosts[h].name, n);
        for (int r = 0; r < c->nranks; r++) {
            if (c->rank_host[r] != h)
                continue;
            fprintf(out, "    rank %d (slot %d):", r, c->rank_slot[r]);
            long k = plan_rank_count(p, r);
            for (long i = 0; i < k; i++)
                fprintf(out, " %ld", plan_rank_shard(p, r, i) + 1);
            fprintf(out, "%s\n", k ? "" : " (none)");
        }
    }
    plan_destroy(p);
    return 0;
}
