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
#include "sched/median.h"

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

/* Each host's speed for the plan: 0 for an unhealthy host (it gets no
 * share), else from the history (1 without). Heap, or NULL. */
static double *plan_speeds(const struct coord_input *in, const double *speed)
{
    const struct cluster *c = in->cluster;
    double *v = malloc((size_t)c->nhosts * sizeof *v);
    for (int h = 0; v && h < c->nhosts; h++)
        v[h] = in->watch && !watch_healthy(in->watch, h) ? 0 : speed ? speed[h] : 1;
    return v;
}

static int any_known(const long *todo, long ntodo, const double *predicted)
{
    for (long k = 0; predicted && k < ntodo; k++)
        if (!isnan(predicted[todo[k]]))
            return 1;
    return 0;
}

struct plan *coord_make_plan(const struct coord_input *in, const double *predicted,
                             const double *speed)
{
    const struct cluster *c = in->cluster;
    long total;
    long *todo = todo_list(in, &total);
    long *cores = malloc((size_t)c->nhosts * sizeof *cores);
    double *v = plan_speeds(in, speed);
    struct plan *p = NULL;
    if (todo && cores && v) {
        for (int h = 0; h < c->nhosts; h++) /* an unhealthy host gets no share */
            cores[h] = v[h] > 0 ? c->hosts[h].cores : 0;
        int known = any_known(todo, total, predicted);
        if (in->settings->schedule == SCHEDULE_STATIC && known) {
            /* predicted time, not counts, balanced over the ranks, the
             * longest shards dealt first onto whichever rank ends them
             * earliest: the fastest hosts get the longest */
            p = plan_create_lpt(c->nranks, c->rank_host, c->nhosts, v, todo, total, predicted);
        } else if (in->settings->schedule == SCHEDULE_STATIC) {
            p = plan_create_static(c->nranks, c->rank_host, c->nhosts, cores, todo, total);
        } else if (!predicted || plan_longest_first(todo, total, predicted) == 0) {
            /* with a timing history, the longest shards go first: they
             * then end early, not last on a rank while the others idle; and
             * the slower hosts take the shorter part of the queue, so that
             * none ends the run with a long shard */
            p = plan_create_dynamic(c->nranks, todo, total);
            if (p && known && speed && plan_split_by_speed(p, c->rank_host, v, predicted) < 0) {
                plan_destroy(p);
                p = NULL;
            }
        }
    }
    free(todo);
    free(cores);
    free(v);
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
static int dry_run_history(FILE *out, const struct coord_input *in, const double *pred,
                           int is_static)
{
    const char *path = settings_history(in->settings);
    const char *plain = is_static ? "the plan is by cores" : "the queue is in shard order";
    if (!in->history || !path) {
        fprintf(out, "Timing history: none (--no-history); %s.\n", plain);
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
        fprintf(out, "Timing history: %s knows none of these shards yet; %s.\n", path, plain);
    } else {
        fprintf(out,
                "Timing history: %s predicts %ld of %ld shards, %.1f s of work in all, the "
                "longest %.1f s%s.\n%s, longest first:",
                path, known, ntodo, sum, longest,
                known < ntodo ? "; the others count as the median" : "",
                is_static ? "Dealt" : "Queue");
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

/* The hosts' speeds from the timing history, when any differs from 1. */
static void print_speeds(FILE *out, const struct cluster *c, const double *speed)
{
    int differ = 0;
    for (int h = 0; speed && h < c->nhosts; h++)
        differ |= speed[h] != 1;
    if (!differ)
        return;
    fprintf(out, "Host speeds, from the timing history:");
    for (int h = 0; h < c->nhosts; h++)
        fprintf(out, "%s %s %.2f", h ? "," : "", c->hosts[h].name, speed[h]);
    fprintf(out, "\n");
}

/* What plan p predicts: its makespan played out on the predictions (which
 * uses p up), and the bound no plan can beat, max(work / speed of all the
 * slots, longest shard / the fastest slot). Nothing when no shard has a
 * prediction. */
static int print_makespan(FILE *out, const struct coord_input *in, struct plan *p,
                          const double *pred, const double *speed)
{
    const struct cluster *c = in->cluster;
    double *v = plan_speeds(in, speed);
    long ntodo;
    long *todo = todo_list(in, &ntodo);
    if (!v || !todo) {
        free(v);
        free(todo);
        return -1;
    }
    double makespan = plan_simulate(p, c->rank_host, v, pred);
    double slots = 0, fastest = 0, work = 0, longest = 0, median = NAN;
    for (int r = 0; r < c->nranks; r++) {
        slots += v[c->rank_host[r]];
        fastest = v[c->rank_host[r]] > fastest ? v[c->rank_host[r]] : fastest;
    }
    if (median_of_known(pred, todo, ntodo, &median) < 0) { /* what an unknown shard counts */
        free(v);
        free(todo);
        return -1;
    }
    for (long k = 0; k < ntodo; k++) {
        double s = isnan(pred[todo[k]]) ? median : pred[todo[k]];
        work += isnan(s) ? 0 : s;
        longest = s > longest ? s : longest;
    }
    if (!isnan(makespan) && slots > 0)
        fprintf(out,
                "Predicted makespan: %.1f s (no plan can beat %.1f s: the work over the slots, "
                "or the longest shard on the fastest)\n",
                makespan, fmax(work / slots, longest / fastest));
    free(v);
    free(todo);
    return 0;
}

/* A static plan's shards per host and rank, with each one's predicted
 * seconds when the plan balanced them (LPT). */
static void print_static(FILE *out, const struct coord_input *in, const struct plan *p,
                         const double *pred, const double *speed)
{
    const struct cluster *c = in->cluster;
    int lpt = !isnan(plan_predicted_makespan(p));
    fprintf(out, lpt ? "Plan: static, balanced by predicted time and host speed (the longest "
                       "shards first, each to the rank that would end it earliest)\n"
                     : "Plan: static, shares proportional to cores\n");
    for (int h = 0; h < c->nhosts; h++) {
        long n = 0;
        double known = 0;
        for (int r = 0; r < c->nranks; r++)
            if (c->rank_host[r] == h) {
                n += plan_rank_count(p, r);
                for (long i = 0; lpt && i < plan_rank_count(p, r); i++) {
                    double s = pred[plan_rank_shard(p, r, i)];
                    known += isnan(s) ? 0 : s / (speed ? speed[h] : 1);
                }
            }
        if (lpt)
            fprintf(out, "  %-20s %ld shards, %.1f s of known work\n", c->hosts[h].name, n, known);
        else
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
}

/* The parts of a queue split by host speed, if it is: each band's healthy
 * hosts and how many shards its part holds. */
static void print_bands(FILE *out, const struct coord_input *in, struct plan *p)
{
    const struct cluster *c = in->cluster;
    int nbands = plan_bands(p);
    if (nbands < 2)
        return;
    fprintf(out,
            "Queue split by host speed, each part longest first (a rank whose part is\n"
            "empty takes the shortest shard of a slower part, then of a faster one):\n");
    for (int b = 0; b < nbands; b++) {
        fprintf(out, " ");
        for (int h = 0, any = 0; h < c->nhosts; h++) {
            int r = 0;
            while (r < c->nranks && c->rank_host[r] != h)
                r++;
            if (r == c->nranks || plan_band(p, r) != b ||
                (in->watch && !watch_healthy(in->watch, h)))
                continue;
            fprintf(out, "%s %s", any ? "," : "", c->hosts[h].name);
            any = 1;
        }
        long n = plan_band_count(p, b);
        const char *s = n == 1 ? "" : "s";
        if (b == 0)
            fprintf(out, ": the %ld longest shard%s\n", n, s);
        else if (b == nbands - 1)
            fprintf(out, ": the %ld shortest shard%s\n", n, s);
        else
            fprintf(out, ": the next %ld shard%s\n", n, s);
    }
}

int coord_dry_run(FILE *out, const struct coord_input *in)
{
    const struct cluster *c = in->cluster;
    double *pred = in->history ? coord_predictions(in) : NULL;
    double *speed = coord_host_speeds(in);
    struct plan *p = !in->history || pred ? coord_make_plan(in, pred, speed) : NULL;
    int rc = p ? 0 : -1;
    if (p) {
        fprintf(out, "Dry run: %ld shards of ", in->spec->total);
        coord_print_command(out, in);
        fprintf(out, ", schedule %s\n", schedule_name(in->settings->schedule));
        print_hosts(out, c, in->watch);
        print_speeds(out, c, speed);
        if (!plan_is_static(p)) {
            fprintf(out,
                    "Plan: dynamic; each of the %d ranks takes the next shard when it is free,\n"
                    "so faster hosts run more.\n",
                    c->nranks);
            print_bands(out, in, p);
        } else
            print_static(out, in, p, pred, speed);
        rc = dry_run_history(out, in, pred, plan_is_static(p));
        if (rc == 0 && pred) /* last: playing the plan out uses it up */
            rc = print_makespan(out, in, p, pred, speed);
        plan_destroy(p);
    }
    free(pred);
    free(speed);
    return rc;
}
