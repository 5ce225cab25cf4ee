/* SPDX-License-Identifier: BSD-3-Clause */
/* test_healthreport.c - unit tests of the health command's report, its
 * JSON and its hostfile (healthreport.h). */
#include "config.h"

#include "cmd/healthreport.h"

#include <jansson.h>

#include "unit.h"

/* What f wrote, as one string (free it). */
static char *written(void (*write)(FILE *f, void *arg), void *arg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    write(f, arg);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

/* Three hosts: one healthy with 4 cores, one whose SSH failed with a
 * message of 600 bytes, one whose probe failed with one of 700. */
struct three {
    struct host_check h[3];
    char ssh_msg[601], probe_msg[701];
};

static void three_init(struct three *t)
{
    memset(t, 0, sizeof *t);
    memset(t->ssh_msg, 's', sizeof t->ssh_msg - 1);
    memset(t->probe_msg, 'p', sizeof t->probe_msg - 1);
    t->h[0] = (struct host_check){.name = "good", .user = "me", .sample_ok = 1, .healthy = 1};
    t->h[0].res.ssh_ok = t->h[0].res.probe_ok = 1;
    t->h[0].sample.cores = 4;
    t->h[1].name = "unreachable";
    errprintf(&t->h[1].res.ssh_error, "%s", t->ssh_msg);
    t->h[2].name = "broken";
    t->h[2].res.ssh_ok = 1;
    errprintf(&t->h[2].problem, "probe failed: %s", t->probe_msg);
}

static void print_three(FILE *f, void *arg)
{
    struct three *t = arg;
    ck_assert_int_eq(healthreport_print(f, t->h, 3, 1, 0), 0);
}

static void json_three(FILE *f, void *arg)
{
    struct three *t = arg;
    ck_assert_int_eq(healthreport_json(f, t->h, 3, 1, 3, NULL), 0);
}

static void json_three_slurm(FILE *f, void *arg)
{
    struct three *t = arg;
    ck_assert_int_eq(healthreport_json(f, t->h, 3, 1, 3, "slurm"), 0);
}

static void hostfile_three(FILE *f, void *arg)
{
    struct three *t = arg;
    ck_assert_int_eq(healthreport_hostfile(f, t->h, 3), 0);
}

/* The report shows long SSH and probe errors whole: they used to be cut
 * at 256 bytes without a sign. */
START_TEST(report_shows_long_errors_whole)
{
    static struct three t;
    three_init(&t);
    char *text = written(print_three, &t);
    char want[800];
    snprintf(want, sizeof want, "[unreachable] UNHEALTHY\n  SSH: %s\n\n", t.ssh_msg);
    unit_assert_contains(text, want);
    snprintf(want, sizeof want, "  Problem: probe failed: %s\n", t.probe_msg);
    unit_assert_contains(text, want);
    unit_assert_contains(text, "[good] OK\n  SSH: OK (0ms)\n");
    ck_assert_ptr_nonnull(strstr(text, "Health Summary: 1/3 hosts healthy\n"));
    free(text);
}
END_TEST

START_TEST(json_shows_long_errors_whole)
{
    static struct three t;
    three_init(&t);
    char *text = written(json_three, &t);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    ck_assert_msg(root != NULL, "%s: %s", jerr.text, text);
    json_t *hosts = json_object_get(root, "hosts");
    ck_assert_int_eq(json_array_size(hosts), 3);
    const char *ssh_error = json_string_value(
        json_object_get(json_object_get(json_array_get(hosts, 1), "ssh"), "error"));
    ck_assert_str_eq(ssh_error, t.ssh_msg);
    const char *problem = json_string_value(json_object_get(json_array_get(hosts, 2), "problem"));
    ck_assert_ptr_nonnull(problem);
    ck_assert_str_eq(problem + strlen("probe failed: "), t.probe_msg);
    ck_assert(json_is_null(json_object_get(json_array_get(hosts, 0), "problem")));
    ck_assert_int_eq(json_integer_value(json_object_get(root, "min_healthy")), 3);
    ck_assert(json_is_null(json_object_get(root, "allocation")));
    json_decref(root);
    free(text);
}
END_TEST

/* hosts from a batch allocation say which */
START_TEST(json_names_the_allocation)
{
    static struct three t;
    three_init(&t);
    char *text = written(json_three_slurm, &t);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    ck_assert_msg(root != NULL, "%s: %s", jerr.text, text);
    ck_assert_str_eq(json_string_value(json_object_get(root, "allocation")), "slurm");
    json_decref(root);
    free(text);
}
END_TEST

START_TEST(hostfile_has_the_healthy_hosts_only)
{
    static struct three t;
    three_init(&t);
    char *text = written(hostfile_three, &t);
    ck_assert_str_eq(text, "me@good slots=4\n");
    free(text);
    t.h[0].slots = 2; /* the hostfile's count wins over the cores */
    text = written(hostfile_three, &t);
    ck_assert_str_eq(text, "me@good slots=2\n");
    free(text);
}
END_TEST

static Suite *healthreport_suite(void)
{
    Suite *s = suite_create("healthreport");
    TCase *tc = tcase_create("healthreport");
    tcase_add_test(tc, report_shows_long_errors_whole);
    tcase_add_test(tc, json_shows_long_errors_whole);
    tcase_add_test(tc, json_names_the_allocation);
    tcase_add_test(tc, hostfile_has_the_healthy_hosts_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(healthreport_suite());
}
