/* SPDX-License-Identifier: BSD-3-Clause */
/* test_metrics.c - unit tests of the OpenMetrics text (report/metrics.h):
 * the samples of a run by hand, pending shards taken out of lost, and host
 * names that need escaping as label values. (t1195-metrics.t parses real
 * files with the Prometheus and OpenMetrics parsers.) */
#include "config.h"

#include "report/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct host hosts[2];
static int rank_host[] = {0, 0, 1};
static struct cluster cluster = {.nranks = 3, .nhosts = 2, .rank_host = rank_host, .hosts = hosts};

static char *format(const struct metrics_view *v)
{
    struct buf b = BUF_INIT;
    ck_assert_int_eq(metrics_format(&b, v), 0);
    return buf_take(&b, NULL);
}

START_TEST(a_run_by_hand)
{
    hosts[0] = (struct host){.name = "alpha", .cores = 16, .nranks = 2};
    hosts[1] = (struct host){.name = "beta", .cores = 4, .nranks = 1};
    struct tally per[2] = {{.shards = 3, .retries = 1, .busy = 12.5}, {.shards = 1, .busy = 2}};
    per[0].count[STATUS_PASSED] = 2;
    per[0].count[STATUS_FAILED] = 1;
    per[1].count[STATUS_FLAKY] = 1;
    struct summary sum = {.hosts = per, .nhosts = 2};
    sum.total = (struct tally){.shards = 6, .retries = 1, .busy = 14.5};
    sum.total.count[STATUS_PASSED] = 2;
    sum.total.count[STATUS_FAILED] = 1;
    sum.total.count[STATUS_FLAKY] = 1;
    sum.total.count[STATUS_LOST] = 2; /* not done yet, both */
    struct metrics_view v = {.run_id = "20261207-1-2",
                             .cluster = &cluster,
                             .summary = &sum,
                             .pending = 2,
                             .elapsed = 3.25};
    char *t = format(&v);
    static const char *const want[] = {
        "# TYPE distmpi_run_info gauge\n",
        "distmpi_run_info{run_id=\"20261207-1-2\"} 1\n",
        "distmpi_run_finished 0\n",
        "distmpi_run_duration_seconds 3.250\n",
        "distmpi_shards{state=\"passed\"} 2\n",
        "distmpi_shards{state=\"flaky\"} 1\n",
        "distmpi_shards{state=\"failed\"} 1\n",
        "distmpi_shards{state=\"lost\"} 0\n",
        "distmpi_shards{state=\"pending\"} 2\n",
        "distmpi_retries 1\n",
        "distmpi_busy_seconds 14.500\n",
        "distmpi_host_shards{host=\"alpha\",state=\"passed\"} 2\n",
        "distmpi_host_shards{host=\"alpha\",state=\"failed\"} 1\n",
        "distmpi_host_shards{host=\"beta\",state=\"flaky\"} 1\n",
        "distmpi_host_retries{host=\"alpha\"} 1\n",
        "distmpi_host_busy_seconds{host=\"alpha\"} 12.5\n",
        "distmpi_host_cores{host=\"alpha\"} 16\n",
        "distmpi_host_ranks{host=\"beta\"} 1\n",
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        ck_assert_msg(strstr(t, want[k]), "no '%s' in:\n%s", want[k], t);
    ck_assert(!strstr(t, "distmpi_run_exit_status")); /* not before the end */
    ck_assert(!strstr(t, "distmpi_host_healthy"));    /* health not checked */
    size_t len = strlen(t);
    ck_assert(len > 6 && !strcmp(t + len - 6, "# EOF\n"));
    free(t);

    v.finished = 1;
    v.exit_status = 1;
    v.pending = 0; /* at the end, a shard without a result is lost */
    t = format(&v);
    ck_assert(strstr(t, "distmpi_run_finished 1\n"));
    ck_assert(strstr(t, "distmpi_run_exit_status 1\n"));
    ck_assert(strstr(t, "distmpi_shards{state=\"lost\"} 2\n"));
    ck_assert(strstr(t, "distmpi_shards{state=\"pending\"} 0\n"));
    free(t);
}
END_TEST

START_TEST(label_values_are_escaped)
{
    hosts[0] = (struct host){.name = "a\"b\\c\nd", .cores = 1, .nranks = 2};
    hosts[1] = (struct host){.name = "plain", .cores = 1, .nranks = 1};
    struct tally per[2] = {{0}, {0}};
    struct summary sum = {.hosts = per, .nhosts = 2};
    struct metrics_view v = {.run_id = "x\"y", .cluster = &cluster, .summary = &sum};
    char *t = format(&v);
    ck_assert(strstr(t, "distmpi_run_info{run_id=\"x\\\"y\"} 1\n"));
    ck_assert(strstr(t, "distmpi_host_cores{host=\"a\\\"b\\\\c\\nd\"} 1\n"));
    /* every sample is one line: no raw newline inside a label */
    for (char *line = t; *line;) {
        char *nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_msg(line[0] == '#' || strstr(line, "} ") || strchr(line, ' ') < nl, "%.*s",
                      (int)(nl - line), line);
        line = nl + 1;
    }
    free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, a_run_by_hand);
    tcase_add_test(tc, label_values_are_escaped);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
