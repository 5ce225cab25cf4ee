/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_finish.c - the end of a run on rank 0: the
 * summary, the lost ranks, and the JSON, JUnit and HTML reports. */
#include "config.h"

#include "coord/coord_private.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "coord/logstore.h"
#include "report/report_html.h"
#include "report/report_junit.h"
#include "report/metrics.h"
#include "report/report_github.h"
#include "report/summary.h"
#include "report/verdict_gather.h"
#include "common/timeutil.h"

/* One shard's log tail at a time: the end of the log of a shard that did
 * not pass, read back from where rank 0 stored it when a report writes
 * that shard, into the same buffer each time. */
struct tail_reader {
    const struct coord *co;
    char buf[LOG_TAIL_BYTES + 1];
};

static const char *read_tail(void *arg, long index)
{
    struct tail_reader *t = arg;
    const struct shard_result *r = t->co->results[index];
    if (!r || status_is_pass(r->status) || r->nattempts <= 0)
        return NULL;
    return logstore_tail_into(t->co->logs, index, result_last_number(r), t->buf, sizeof t->buf);
}

/* Summarise, report and set *exit_status (128+sig when a signal stopped the
 * run). */
/* The results now, for the writings during the run: the shards' records
 * (co->results is made at the end), 8 bytes a shard for a moment, with how
 * many have none yet into *pending. At the end, co->results itself. NULL
 * (ENOMEM). */
static struct shard_result **results_now(struct coord *co, bool finished, long *pending)
{
    long total = co->in->spec->total;
    *pending = 0;
    if (finished)
        return co->results;
    struct shard_result **now = malloc((size_t)(total > 0 ? total : 1) * sizeof *now);
    for (long i = 0; now && i < total; i++)
        *pending += (now[i] = co->shards[i].result) == NULL;
    return now;
}

int coord_write_metrics(struct coord *co, bool finished, int exit_status, struct error *err)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long total = in->spec->total, pending;
    struct shard_result **now = results_now(co, finished, &pending);
    if (!now)
        return errprintf(err, "out of memory");
    struct summary sum;
    int built = summary_build(&sum, c->nhosts, c->rank_host, c->nranks, now, total);
    if (now != co->results)
        free(now);
    if (built < 0)
        return errprintf(err, "out of memory");
    struct metrics_view v = {.run_id = in->spec->run_id,
                             .cluster = c,
                             .summary = &sum,
                             .pending = pending,
                             .watch = in->watch,
                             .elapsed = time_wall() - in->started,
                             .finished = finished,
                             .exit_status = exit_status};
    int rc = metrics_write(in->settings->metrics, &v, err);
    summary_free(&sum);
    return rc;
}

/* The report's fields that say what ran and where (coord_finish fills in
 * the rest at the end). */
static struct report report_of(const struct coord *co, const struct summary *sum,
                               struct shard_result *const *results, double elapsed)
{
    const struct coord_input *in = co->in;
    return (struct report){
        .run_id = in->spec->run_id,
        .run_dir = in->spec->run_dir,
        .command = in->tasks ? NULL : in->command,
        .ncommand = in->tasks ? 0 : in->ncommand,
        .tasks = in->tasks ? in->settings->tasks : NULL,
        .schedule = schedule_name(in->settings->schedule),
        .total = in->spec->total,
        .started = in->started,
        .duration = elapsed,
        .cluster = in->cluster,
        .summary = sum,
        .results = results,
        .watch = in->watch,
        .health_interval = in->spec->health_interval,
        .predicted = co->predicted,
        .speed = co->speed,
    };
}

int coord_write_live_html(struct coord *co, struct error *err)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long pending;
    struct shard_result **now = results_now(co, false, &pending);
    struct summary sum;
    if (!now || summary_build(&sum, c->nhosts, c->rank_host, c->nranks, now, in->spec->total) < 0) {
        free(now);
        return errprintf(err, "out of memory");
    }
    struct report rep = report_of(co, &sum, now, time_wall() - in->started);
    rep.exit_status = -1;
    struct html_options hopt = {.live_every = in->settings->html_interval, .pending = pending};
    int rc = report_html_write(in->settings->html, &rep, &hopt, err);
    summary_free(&sum);
    free(now);
    return rc;
}

int coord_finish(struct coord *co, int sig, int *exit_status, char *err, size_t errlen)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long total = in->spec->total;
    struct summary sum;
    if (summary_build(&sum, c->nhosts, c->rank_host, c->nranks, co->results, total) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    double elapsed = time_wall() - in->started;
    *exit_status = sig ? 128 + sig : result_exit_status(sum.total.count);
    summary_print(stdout, &sum, c, in->watch, co->results, total, elapsed, time_wall());
    if (in->summary_line) /* for --notify-command */
        summary_total_line(&sum, elapsed, in->summary_line, SUMMARY_LINE_MAX);
    /* a lost rank is an infrastructure failure even when its shards
     * passed elsewhere: the cluster is not what it was */
    int nlost = 0;
    int lost_ranks[c->nranks > 0 ? c->nranks : 1];
    for (int r = 1; r < c->nranks; r++)
        if (liveness_is_lost(co->alive, r))
            lost_ranks[nlost++] = r;
    if (nlost) {
        printf("\nLost (silent for --heartbeat-timeout %g s):\n", in->settings->heartbeat_timeout);
        for (int k = 0; k < nlost; k++)
            printf("  rank %d on %s\n", lost_ranks[k], c->hosts[c->rank_host[lost_ranks[k]]].name);
        long moved = 0;
        for (long i = 0; i < total; i++)
            moved += co->moved[i] > 0;
        printf("  %ld shard%s moved to other ranks\n", moved, moved == 1 ? "" : "s");
        if (!sig && *exit_status < EXIT_INFRA)
            *exit_status = EXIT_INFRA;
    }
    fflush(stdout);
    /* the collected reports' tests, each with its verdict */
    struct verdict_table *verdicts = NULL;
    struct report gather_in = {
        .total = total,
        .cluster = c,
        .collected = in->spec->collect ? (const struct collected_file *const *)co->collected : NULL,
        .ncollected = co->ncollected};
    struct error gerr;
    if (verdict_gather(&gather_in, &verdicts, &gerr) < 0) {
        fprintf(stderr, "distmpi: cannot judge the collected tests: %s\n", gerr.text);
        if (!sig && *exit_status < EXIT_INFRA)
            *exit_status = EXIT_INFRA;
    }
    verdict_print(stdout, verdicts, c, VERDICT_PRINT_MAX);
    if (in->settings->fail_on_flaky && !sig && *exit_status == EXIT_PASSED &&
        verdict_any_flaky(verdicts, sum.total.count[STATUS_FLAKY])) {
        printf("distmpi: --fail-on-flaky: a shard or a test failed before it passed\n");
        *exit_status = EXIT_TEST_FAILED;
    }
    fflush(stdout);
    /* a run cut short too: what passed teaches the next run */
    coord_note_history(co);
    struct report rep = report_of(co, &sum, co->results, elapsed);
    rep.exit_status = *exit_status;
    rep.collected = in->spec->collect ? (const struct collected_file *const *)co->collected : NULL;
    rep.ncollected = co->ncollected;
    rep.moved = co->moved;
    rep.lost_ranks = lost_ranks;
    rep.nlost_ranks = nlost;
    rep.verdicts = verdicts;
    /* the reports read each log tail when they write its shard, into one
     * buffer; the JUnit report merges the collected ".xml" files, one at a
     * time */
    struct tail_reader tails = {.co = co};
    struct junit_options jopt = {.read_tail = read_tail,
                                 .tail_arg = &tails,
                                 .collected = (const struct collected_file *const *)co->collected,
                                 .ncollected = co->ncollected,
                                 .xml_names_only = true};
    /* a report that cannot be written is an infrastructure failure: the
     * results were printed, but what CI reads is missing */
    struct error why;
    int failed = 0;
    if (co->log_failed) {
        fprintf(stderr, "distmpi: some logs could not be stored (see above)\n");
        failed = 1;
    }
    if (co->journal_failed) {
        fprintf(stderr, "distmpi: the journal is incomplete (see above)\n");
        failed = 1;
    }
    if (in->settings->json && report_json_write(in->settings->json, &rep, &why) < 0) {
        fprintf(stderr, "distmpi: cannot write the JSON report: %s\n", why.text);
        failed = 1;
    }
    if (in->settings->junit &&
        report_junit_write_opts(in->settings->junit, &rep, &jopt, &why) < 0) {
        fprintf(stderr, "distmpi: cannot write the JUnit report: %s\n", why.text);
        failed = 1;
    }
    if (in->settings->html) {
        struct html_options hopt = {.read_tail = read_tail, .tail_arg = &tails};
        if (report_html_write(in->settings->html, &rep, &hopt, &why) < 0) {
            fprintf(stderr, "distmpi: cannot write the HTML report: %s\n", why.text);
            failed = 1;
        }
    }
    if (failed && (*exit_status == EXIT_PASSED || *exit_status == EXIT_TEST_FAILED))
        *exit_status = EXIT_INFRA;
    /* last: with the exit status the reports left */
    if (in->settings->metrics && coord_write_metrics(co, true, *exit_status, &why) < 0) {
        fprintf(stderr, "distmpi: cannot write the metrics: %s\n", why.text);
        if (*exit_status == EXIT_PASSED || *exit_status == EXIT_TEST_FAILED)
            *exit_status = EXIT_INFRA;
    }
    /* in a GitHub Actions job: its summary page, and the failed tests on
     * their lines; GitHub's own file, so a failure to write it is a warning */
    rep.exit_status = *exit_status;
    const char *step = getenv("GITHUB_STEP_SUMMARY");
    if (step && *step && github_summary_append(step, &rep, &why) < 0)
        fprintf(stderr, "distmpi: warning: cannot add to GITHUB_STEP_SUMMARY: %s\n", why.text);
    const char *actions = getenv("GITHUB_ACTIONS");
    if (actions && !strcmp(actions, "true") && github_annotations_print(stdout, &rep) < 0)
        fprintf(stderr, "distmpi: warning: out of memory writing the annotations\n");
    summary_free(&sum);
    verdict_table_destroy(verdicts);
    return 0;
}
