/* SPDX-License-Identifier: BSD-3-Clause */
/* test_watch.c - unit tests of rank 0's view of host health (watch.h): state
 * changes and their events, time excluded, and the one-line text of a
 * probe. */
#include "config.h"

#include "health/watch.h"

#include <errno.h>
#include <math.h>

#include "unit.h"

/* ---------------------------------------------------------------- helpers */

/* The default limits (10 % disk free, 95 % memory used, 2.0 load per core),
 * written out here so the tests do not depend on health_limits_default. */
static struct health_limits limits(void)
{
    return (struct health_limits){
        .min_disk_free = 0.10, .max_mem_used = 0.95, .max_load_per_core = 2.0};
}

/* A successful probe with these values; load per core is load1 / cores, and
 * all of the load is other work. */
static struct probe probe_ok(double disk_free, double mem_used, double load1, long cores)
{
    struct probe pr;
    memset(&pr, 0, sizeof pr);
    pr.ok = 1;
    pr.sample.disk_free = disk_free;
    pr.sample.mem_used = mem_used;
    pr.sample.load1 = load1;
    pr.sample.cores = cores;
    pr.sample.load_per_core = load1 / (double)cores;
    pr.sample.other_load = load1;
    pr.sample.other_per_core = load1 / (double)cores;
    pr.sample.disk_total_bytes = 1000000000000ULL;
    pr.sample.disk_avail_bytes = (unsigned long long)(disk_free * 1e12);
    pr.sample.mem_total_kb = 16000000;
    pr.sample.mem_available_kb = (unsigned long long)((1 - mem_used) * 16e6);
    return pr;
}

/* The seed report's example host: healthy under the default limits. */
static struct probe probe_good(void)
{
    return probe_ok(0.91, 0.23, 0.18, 16);
}

/* A nearly full disk: 4.2 % free. */
static struct probe probe_full_disk(void)
{
    return probe_ok(0.042, 0.23, 0.18, 16);
}

static struct probe probe_failed(const char *error)
{
    struct probe pr;
    memset(&pr, 0, sizeof pr);
    pr.ok = 0;
    snprintf(pr.error, sizeof pr.error, "%s", error);
    return pr;
}

static struct watch *make_watch(int nhosts)
{
    struct health_limits l = limits();
    struct watch *w = watch_create(nhosts, &l);
    ck_assert_ptr_nonnull(w);
    return w;
}

/* The events of host h, checking there are n of them. */
static const struct watch_event *events_n(const struct watch *w, int h, int n)
{
    int got = -1;
    const struct watch_event *e = watch_events(w, h, &got);
    ck_assert_msg(got == n, "host %d has %d events, want %d", h, got, n);
    if (n)
        ck_assert_ptr_nonnull(e);
    return e;
}

/* ---------------------------------------------------------------- state */

START_TEST(create_all_healthy)
{
    struct health_limits l = limits();
    struct watch *w = watch_create(3, &l);
    ck_assert_ptr_nonnull(w);
    /* the limits are copied: changing the caller's struct changes nothing */
    l.min_disk_free = 0.99;
    const struct health_limits *wl = watch_limits(w);
    ck_assert_ptr_nonnull(wl);
    ck_assert_double_eq(wl->min_disk_free, 0.10);
    ck_assert_double_eq(wl->max_mem_used, 0.95);
    ck_assert_double_eq(wl->max_load_per_core, 2.0);
    ck_assert_int_eq(watch_count_healthy(w), 3);
    for (int h = 0; h < 3; h++) {
        ck_assert_int_eq(watch_healthy(w, h), 1);
        ck_assert_ptr_null(watch_last(w, h));
        events_n(w, h, 0);
        ck_assert_double_eq(watch_excluded_seconds(w, h, 1e9), 0);
    }
    watch_destroy(w);
}
END_TEST

START_TEST(create_no_hosts)
{
    struct watch *w = make_watch(0);
    ck_assert_int_eq(watch_count_healthy(w), 0);
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, 0, &bad, 1), 0);
    ck_assert_int_eq(watch_healthy(w, 0), 0);
    watch_destroy(w);
}
END_TEST

START_TEST(destroy_null_keeps_errno)
{
    errno = ERANGE;
    watch_destroy(NULL);
    ck_assert_int_eq(errno, ERANGE);
    struct watch *w = make_watch(2);
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, 1, &bad, 5), -1);
    errno = EINTR;
    watch_destroy(w);
    ck_assert_int_eq(errno, EINTR);
}
END_TEST

START_TEST(healthy_probe_changes_nothing)
{
    struct watch *w = make_watch(2);
    struct probe good = probe_good();
    ck_assert_int_eq(watch_update(w, 0, &good, 10), 0);
    ck_assert_int_eq(watch_update(w, 0, &good, 11), 0);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    ck_assert_int_eq(watch_count_healthy(w), 2);
    events_n(w, 0, 0);
    /* but the probe is remembered */
    const struct probe *last = watch_last(w, 0);
    ck_assert_ptr_nonnull(last);
    ck_assert_int_eq(last->ok, 1);
    ck_assert_double_eq(last->sample.disk_free, 0.91);
    ck_assert_ptr_null(watch_last(w, 1));
    ck_assert_double_eq(watch_excluded_seconds(w, 0, 100), 0);
    watch_destroy(w);
}
END_TEST

START_TEST(failing_probe_excludes)
{
    struct watch *w = make_watch(2);
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, 1, &bad, 42.5), -1);
    ck_assert_int_eq(watch_healthy(w, 1), 0);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    ck_assert_int_eq(watch_count_healthy(w), 1);

    /* the reason is the judge's text */
    char judged[512];
    ck_assert_int_eq(health_judge(&bad.sample, watch_limits(w), judged, sizeof judged), 0);
    ck_assert_str_eq(judged, "disk 4.2% free (minimum 10%)");
    const struct watch_event *e = events_n(w, 1, 1);
    ck_assert_int_eq(e[0].healthy, 0);
    ck_assert_double_eq(e[0].time, 42.5);
    unit_assert_contains(e[0].reason, judged);
    events_n(w, 0, 0);

    const struct probe *last = watch_last(w, 1);
    ck_assert_ptr_nonnull(last);
    ck_assert_double_eq(last->sample.disk_free, 0.042);
    watch_destroy(w);
}
END_TEST

START_TEST(every_failing_check_is_named)
{
    struct watch *w = make_watch(1);
    /* disk, memory and load all fail: 3 % free, 97.1 % used, 9.10 per core */
    struct probe bad = probe_ok(0.03, 0.971, 36.4, 4);
    ck_assert_int_eq(watch_update(w, 0, &bad, 1), -1);
    const struct watch_event *e = events_n(w, 0, 1);
    char judged[512];
    health_judge(&bad.sample, watch_limits(w), judged, sizeof judged);
    unit_assert_contains(e[0].reason, judged);
    unit_assert_contains(e[0].reason,
                         "disk 3.0% free (minimum 10%); memory 97.1% used "
                         "(maximum 95%); load 9.10 per core from other work (maximum 2.00)");
    watch_destroy(w);
}
END_TEST

START_TEST(same_state_again_is_no_change)
{
    struct watch *w = make_watch(1);
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, 0, &bad, 1), -1);
    ck_assert_int_eq(watch_update(w, 0, &bad, 2), 0);
    /* still unhealthy for another reason: still no change, no new event */
    struct probe worse = probe_ok(0.01, 0.99, 0.1, 1);
    ck_assert_int_eq(watch_update(w, 0, &worse, 3), 0);
    ck_assert_int_eq(watch_healthy(w, 0), 0);
    const struct watch_event *e = events_n(w, 0, 1);
    ck_assert_double_eq(e[0].time, 1);
    unit_assert_contains(e[0].reason, "disk 4.2% free");
    /* the last probe is the newest one, though */
    ck_assert_double_eq(watch_last(w, 0)->sample.disk_free, 0.01);
    /* exclusion counts from the first unhealthy probe */
    ck_assert_double_eq(watch_excluded_seconds(w, 0, 4), 3);
    watch_destroy(w);
}
END_TEST

START_TEST(recovery_reports_values_on_one_line)
{
    struct watch *w = make_watch(1);
    struct probe bad = probe_full_disk();
    struct probe good = probe_good();
    ck_assert_int_eq(watch_update(w, 0, &bad, 10), -1);
    ck_assert_int_eq(watch_update(w, 0, &good, 12), 1);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    ck_assert_int_eq(watch_count_healthy(w), 1);
    const struct watch_event *e = events_n(w, 0, 2);
    ck_assert_int_eq(e[1].healthy, 1);
    ck_assert_double_eq(e[1].time, 12);
    ck_assert_str_eq(e[1].reason,
                     "Disk: 91% free, Memory: 23.0% used, CPU: Load 0.18 (0.01/core), other work "
                     "0.18 (0.01/core)");
    ck_assert_ptr_null(strchr(e[1].reason, '\n'));
    /* the line is probe_format_line's */
    char line[512];
    probe_format_line(&good, line, sizeof line);
    ck_assert_str_eq(e[1].reason, line);
    /* healthy again: a further good probe is no change */
    ck_assert_int_eq(watch_update(w, 0, &good, 13), 0);
    events_n(w, 0, 2);
    watch_destroy(w);
}
END_TEST

START_TEST(failed_probe_is_unhealthy)
{
    struct watch *w = make_watch(2);
    struct probe f = probe_failed("/scratch: statvfs: Input/output error");
    ck_assert_int_eq(watch_update(w, 0, &f, 7), -1);
    ck_assert_int_eq(watch_healthy(w, 0), 0);
    const struct watch_event *e = events_n(w, 0, 1);
    ck_assert_int_eq(e[0].healthy, 0);
    ck_assert_str_eq(e[0].reason, "probe failed: /scratch: statvfs: Input/output error");
    const struct probe *last = watch_last(w, 0);
    ck_assert_ptr_nonnull(last);
    ck_assert_int_eq(last->ok, 0);
    /* a good probe brings it back */
    struct probe good = probe_good();
    ck_assert_int_eq(watch_update(w, 0, &good, 8), 1);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    /* a failed probe of a host already unhealthy for its values: no change */
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, 1, &bad, 9), -1);
    ck_assert_int_eq(watch_update(w, 1, &f, 10), 0);
    events_n(w, 1, 1);
    watch_destroy(w);
}
END_TEST

START_TEST(limit_itself_is_healthy)
{
    struct watch *w = make_watch(1);
    /* exactly at every limit: within it */
    struct probe edge = probe_ok(0.10, 0.95, 8.0, 4);
    ck_assert_int_eq(watch_update(w, 0, &edge, 1), 0);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    /* the limits given are the ones used */
    struct health_limits strict = {
        .min_disk_free = 0.95, .max_mem_used = 0.10, .max_load_per_core = 0.01};
    struct watch *s = watch_create(1, &strict);
    ck_assert_ptr_nonnull(s);
    struct probe good = probe_good();
    ck_assert_int_eq(watch_update(s, 0, &good, 1), -1);
    const struct watch_event *e = events_n(s, 0, 1);
    unit_assert_contains(e[0].reason, "disk 91.0% free (minimum 95%)");
    unit_assert_contains(e[0].reason, "memory 23.0% used (maximum 10%)");
    watch_destroy(s);
    watch_destroy(w);
}
END_TEST

START_TEST(excluded_seconds_accumulate)
{
    struct watch *w = make_watch(2);
    struct probe bad = probe_full_disk();
    struct probe good = probe_good();

    ck_assert_int_eq(watch_update(w, 0, &bad, 100), -1);
    /* the current exclusion counts up to now */
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 100), 0, 1e-9);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 103), 3, 1e-9);
    ck_assert_int_eq(watch_update(w, 0, &good, 105), 1);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 105), 5, 1e-9);
    /* healthy time does not count */
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 200), 5, 1e-9);

    ck_assert_int_eq(watch_update(w, 0, &bad, 210), -1);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 212.5), 7.5, 1e-9);
    ck_assert_int_eq(watch_update(w, 0, &good, 215), 1);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 300), 10, 1e-9);

    /* a third exclusion, still current at the end */
    ck_assert_int_eq(watch_update(w, 0, &bad, 400), -1);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 401), 11, 1e-9);

    /* the other host is not affected */
    ck_assert_double_eq(watch_excluded_seconds(w, 1, 401), 0);
    watch_destroy(w);
}
END_TEST

START_TEST(events_in_order_with_times)
{
    struct watch *w = make_watch(3);
    struct probe bad = probe_full_disk();
    struct probe good = probe_good();
    struct probe f = probe_failed("no /proc/meminfo");
    /* host 1: bad, good, failed, good; the repeats change nothing */
    const struct {
        const struct probe *pr;
        double t;
        int change;
    } steps[] = {
        {&good, 1, 0}, {&bad, 2, -1}, {&bad, 3, 0},  {&good, 4, 1},
        {&good, 5, 0}, {&f, 6, -1},   {&good, 7, 1}, {&good, 8, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        ck_assert_msg(watch_update(w, 1, steps[i].pr, steps[i].t) == steps[i].change,
                      "step %zu: want change %d", i, steps[i].change);
    /* host 2 changes once in between, which must not mix with host 1 */
    ck_assert_int_eq(watch_update(w, 2, &bad, 4.5), -1);

    const struct watch_event *e = events_n(w, 1, 4);
    const double times[] = {2, 4, 6, 7};
    const int states[] = {0, 1, 0, 1};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(e[i].time == times[i], "event %d at %g, want %g", i, e[i].time, times[i]);
        ck_assert_msg(e[i].healthy == states[i], "event %d healthy %d", i, e[i].healthy);
    }
    unit_assert_prefix(e[0].reason, "disk 4.2% free");
    unit_assert_prefix(e[1].reason, "Disk: 91% free");
    ck_assert_str_eq(e[2].reason, "probe failed: no /proc/meminfo");
    unit_assert_prefix(e[3].reason, "Disk: 91% free");

    const struct watch_event *e2 = events_n(w, 2, 1);
    ck_assert_double_eq(e2[0].time, 4.5);
    events_n(w, 0, 0);
    ck_assert_int_eq(watch_count_healthy(w), 2);
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 1, 100), 3, 1e-9);
    watch_destroy(w);
}
END_TEST

START_TEST(many_events)
{
    /* more events than any first allocation holds */
    struct watch *w = make_watch(1);
    struct probe bad = probe_full_disk();
    struct probe good = probe_good();
    for (int i = 0; i < 100; i++)
        unit_require_eq(watch_update(w, 0, i % 2 ? &good : &bad, i), i % 2 ? 1 : -1);
    const struct watch_event *e = events_n(w, 0, 100);
    for (int i = 0; i < 100; i++) {
        unit_require(e[i].time == i, "event %d at %g", i, e[i].time);
        unit_require_eq(e[i].healthy, i % 2);
    }
    ck_assert_double_eq_tol(watch_excluded_seconds(w, 0, 1000), 50, 1e-9);
    watch_destroy(w);
}
END_TEST

START_TEST(out_of_range_host)
{
    struct watch *w = make_watch(2);
    struct probe bad = probe_full_disk();
    ck_assert_int_eq(watch_update(w, -1, &bad, 1), 0);
    ck_assert_int_eq(watch_update(w, 2, &bad, 1), 0);
    ck_assert_int_eq(watch_update(w, 1000000, &bad, 1), 0);
    ck_assert_int_eq(watch_count_healthy(w), 2);
    ck_assert_int_eq(watch_healthy(w, -1), 0);
    ck_assert_int_eq(watch_healthy(w, 2), 0);
    ck_assert_ptr_null(watch_last(w, -1));
    ck_assert_ptr_null(watch_last(w, 2));
    int n = 99;
    ck_assert_ptr_null(watch_events(w, 2, &n));
    ck_assert_int_eq(n, 0);
    n = 99;
    ck_assert_ptr_null(watch_events(w, -1, &n));
    ck_assert_int_eq(n, 0);
    ck_assert_double_eq(watch_excluded_seconds(w, 2, 10), 0);
    ck_assert_double_eq(watch_excluded_seconds(w, -1, 10), 0);
    for (int h = 0; h < 2; h++) {
        ck_assert_int_eq(watch_healthy(w, h), 1);
        events_n(w, h, 0);
        ck_assert_ptr_null(watch_last(w, h));
    }
    watch_destroy(w);
}
END_TEST

START_TEST(count_healthy)
{
    struct watch *w = make_watch(4);
    struct probe bad = probe_full_disk();
    struct probe good = probe_good();
    ck_assert_int_eq(watch_count_healthy(w), 4);
    ck_assert_int_eq(watch_update(w, 0, &bad, 1), -1);
    ck_assert_int_eq(watch_count_healthy(w), 3);
    ck_assert_int_eq(watch_update(w, 3, &bad, 1), -1);
    ck_assert_int_eq(watch_count_healthy(w), 2);
    ck_assert_int_eq(watch_update(w, 3, &bad, 2), 0);
    ck_assert_int_eq(watch_count_healthy(w), 2);
    ck_assert_int_eq(watch_update(w, 1, &bad, 2), -1);
    ck_assert_int_eq(watch_update(w, 2, &bad, 2), -1);
    ck_assert_int_eq(watch_count_healthy(w), 0);
    ck_assert_int_eq(watch_update(w, 0, &good, 3), 1);
    ck_assert_int_eq(watch_count_healthy(w), 1);
    ck_assert_int_eq(watch_healthy(w, 0), 1);
    ck_assert_int_eq(watch_healthy(w, 1), 0);
    watch_destroy(w);
}
END_TEST

/* ---------------------------------------------------------------- text */

START_TEST(format_line_ok)
{
    struct probe pr = probe_good();
    char line[256];
    probe_format_line(&pr, line, sizeof line);
    ck_assert_str_eq(line,
                     "Disk: 91% free, Memory: 23.0% used, CPU: Load 0.18 (0.01/core), other work "
                     "0.18 (0.01/core)");
    /* the same values as health_format's three lines, joined */
    char three[256];
    health_format(&pr.sample, three, sizeof three);
    ck_assert_str_eq(three,
                     "Disk: 91% free\nMemory: 23.0% used\nCPU: Load 0.18 (0.01/core), other work "
                     "0.18 (0.01/core)");

    pr = probe_ok(0.042, 0.971, 36.4, 4);
    probe_format_line(&pr, line, sizeof line);
    ck_assert_str_eq(line,
                     "Disk: 4% free, Memory: 97.1% used, CPU: Load 36.40 (9.10/core), other work "
                     "36.40 (9.10/core)");
}
END_TEST

START_TEST(format_line_failed)
{
    struct probe pr = probe_failed("/proc/loadavg: Permission denied");
    char line[256];
    probe_format_line(&pr, line, sizeof line);
    ck_assert_str_eq(line, "probe failed: /proc/loadavg: Permission denied");
}
END_TEST

START_TEST(format_line_small_buffers)
{
    struct probe good = probe_good();
    struct probe failed = probe_failed("statvfs: Input/output error");
    const struct probe *cases[] = {&good, &failed};
    for (size_t c = 0; c < 2; c++) {
        char full[256];
        probe_format_line(cases[c], full, sizeof full);
        for (size_t len = 1; len <= strlen(full) + 1; len++) {
            char buf[300];
            memset(buf, '#', sizeof buf);
            probe_format_line(cases[c], buf, len);
            unit_require(memchr(buf, '\0', len) != NULL, "case %zu len %zu: not terminated", c,
                         len);
            unit_require(buf[len] == '#', "case %zu len %zu: wrote past the buffer", c, len);
            unit_require(!strncmp(full, buf, strlen(buf)), "case %zu len %zu: '%s' is not a prefix",
                         c, len, buf);
            unit_require(strchr(buf, '\n') == NULL, "case %zu len %zu: a newline", c, len);
        }
        /* a length of 0 writes nothing */
        char none = '#';
        probe_format_line(cases[c], &none, 0);
        ck_assert_int_eq(none, '#');
    }
}
END_TEST

static Suite *watch_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("state");
    tcase_add_test(tc, create_all_healthy);
    tcase_add_test(tc, create_no_hosts);
    tcase_add_test(tc, destroy_null_keeps_errno);
    tcase_add_test(tc, healthy_probe_changes_nothing);
    tcase_add_test(tc, failing_probe_excludes);
    tcase_add_test(tc, every_failing_check_is_named);
    tcase_add_test(tc, same_state_again_is_no_change);
    tcase_add_test(tc, recovery_reports_values_on_one_line);
    tcase_add_test(tc, failed_probe_is_unhealthy);
    tcase_add_test(tc, limit_itself_is_healthy);
    tcase_add_test(tc, excluded_seconds_accumulate);
    tcase_add_test(tc, events_in_order_with_times);
    tcase_add_test(tc, many_events);
    tcase_add_test(tc, out_of_range_host);
    tcase_add_test(tc, count_healthy);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, format_line_ok);
    tcase_add_test(tc, format_line_failed);
    tcase_add_test(tc, format_line_small_buffers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(watch_suite());
}
