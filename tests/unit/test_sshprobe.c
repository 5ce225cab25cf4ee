/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sshprobe.c - the parser of what the health command's probe prints on
 * a host (the SSH part is tested against a real sshd in t2000). */
#include "config.h"

#include "health/sshprobe.h"

#include <errno.h>

#include "unit.h"

#define SEP "@@distmpi@@\n"
#define MEMINFO                     \
    "MemTotal:       32734088 kB\n" \
    "MemFree:        10000000 kB\n" \
    "MemAvailable:   25205248 kB\n" \
    "Buffers:          100000 kB\n" \
    "Cached:          5000000 kB\n"
#define GOOD MEMINFO SEP "0.18 0.10 0.05 1/123 4567\n" SEP "1000 100 50 4096\n" SEP "4\n"

static int parse(const char *text, struct health_raw *raw, struct error *err)
{
    return sshprobe_parse(text, strlen(text), raw, err);
}

START_TEST(good_output)
{
    struct health_raw raw;
    struct error err = {""};
    ck_assert_msg(parse(GOOD, &raw, &err) == 0, "%s", err.text);
    ck_assert_uint_eq(raw.mem_total_kb, 32734088);
    ck_assert_uint_eq(raw.mem_available_kb, 25205248);
    ck_assert_double_eq(raw.load1, 0.18);
    ck_assert_uint_eq(raw.disk_blocks, 1000);
    ck_assert_uint_eq(raw.disk_bfree, 100);
    ck_assert_uint_eq(raw.disk_bavail, 50);
    ck_assert_uint_eq(raw.disk_block_size, 4096);
    ck_assert_int_eq(raw.cores, 4);
    /* and it makes a sample the way a run's probe does */
    struct health_sample s;
    ck_assert_int_eq(health_sample_from_raw(&raw, &s, &err), 0);
    ck_assert_double_eq_tol(s.disk_free, 50.0 / 950.0, 1e-12);
    ck_assert_double_eq_tol(s.load_per_core, 0.045, 1e-12);
    ck_assert_double_eq(s.other_load, 0); /* 1 running: the reader */
}
END_TEST

START_TEST(load_from_other_work)
{
    /* five reads of /proc/loadavg: a load average of 13.9 that has gone (1
     * running: the cat that read it), then busy loops in the later reads */
    struct health_raw raw;
    struct error err = {""};
    const char *gone = MEMINFO SEP
        "13.91 9.0 4.1 1/250 7\n13.90 9.0 4.1 1/250 7\n"
        "13.90 9.0 4.1 2/250 7\n13.90 9.0 4.1 1/250 7\n"
        "13.90 9.0 4.1 1/250 7\n" SEP "1000 100 50 4096\n" SEP "4\n";
    ck_assert_msg(parse(gone, &raw, &err) == 0, "%s", err.text);
    ck_assert_double_eq(raw.load1, 13.91);
    ck_assert_double_eq(raw.other_load, 0);
    const char *busy = MEMINFO SEP
        "0.18 0 0 10/250 7\n0.18 0 0 9/250 7\n0.18 0 0 11/250 7\n"
        "0.18 0 0 2/250 7\n0.18 0 0 10/250 7\n" SEP "1000 100 50 4096\n" SEP "4\n";
    ck_assert_msg(parse(busy, &raw, &err) == 0, "%s", err.text);
    ck_assert_double_eq(raw.other_load, 9); /* the median of 9, 8, 10, 1, 9 */
    struct health_sample s;
    ck_assert_int_eq(health_sample_from_raw(&raw, &s, &err), 0);
    ck_assert_double_eq(s.other_per_core, 2.25);
    /* a line without the running count is refused */
    const char *old = MEMINFO SEP "0.18 0 0\n" SEP "1000 100 50 4096\n" SEP "4\n";
    ck_assert_int_eq(parse(old, &raw, &err), -1);
    unit_assert_prefix(err.text, "loadavg: expected running/total tasks");
}
END_TEST

START_TEST(output_without_final_newline)
{
    struct health_raw raw;
    struct error err = {""};
    const char *text = MEMINFO SEP "1.5 1 1 1/1 1\n" SEP "10 5 5 512\n" SEP "16";
    ck_assert_msg(parse(text, &raw, &err) == 0, "%s", err.text);
    ck_assert_int_eq(raw.cores, 16);
    ck_assert_double_eq(raw.load1, 1.5);
}
END_TEST

START_TEST(len_is_respected)
{
    struct health_raw raw;
    struct error err = {""};
    /* cut off inside the nproc section: "4" missing */
    size_t len = strlen(GOOD) - 2;
    errno = 0;
    ck_assert_int_eq(sshprobe_parse(GOOD, len, &raw, &err), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(broken_outputs_are_errors)
{
    static const struct {
        const char *text;
        const char *error; /* a part of the message */
    } cases[] = {
        {"", "incomplete"},
        {MEMINFO, "incomplete"},
        {MEMINFO SEP "0.18 0 0 1/1 1\n", "incomplete"},
        {MEMINFO SEP "busy 0 0\n" SEP "1 1 1 1\n" SEP "2\n", "loadavg"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "stat: cannot read file system\n" SEP "2\n", "stat -f"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "1 2 3\n" SEP "2\n", "stat -f"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "1 2 3 4 5\n" SEP "2\n", "stat -f"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "1 1 1 1\n" SEP "0\n", "nproc"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "1 1 1 1\n" SEP "four\n", "nproc"},
        {MEMINFO SEP "0.1 0 0 1/1 1\n" SEP "1 1 1 1\n" SEP "sh: nproc: not found\n", "nproc"},
        {"MemTotal: 0 kB\n" SEP "0.1 0 0 1/1 1\n" SEP "1 1 1 1\n" SEP "2\n", "meminfo"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct health_raw raw;
        struct error err = {""};
        errno = 0;
        unit_require(sshprobe_parse(cases[i].text, strlen(cases[i].text), &raw, &err) == -1,
                     "case %zu was accepted", i);
        unit_require(strstr(err.text, cases[i].error) != NULL, "case %zu: '%s' lacks '%s'", i,
                     err.text, cases[i].error);
    }
}
END_TEST

START_TEST(command_prints_the_sections)
{
    /* the command the host runs is the one this parser reads: run it here */
    FILE *p = popen(sshprobe_command, "r");
    ck_assert_ptr_nonnull(p);
    static char out[1 << 20];
    size_t n = fread(out, 1, sizeof out, p);
    ck_assert_int_eq(pclose(p), 0);
    struct health_raw raw;
    struct error err = {""};
    ck_assert_msg(sshprobe_parse(out, n, &raw, &err) == 0, "%s", err.text);
    ck_assert_int_ge(raw.cores, 1);
    ck_assert_uint_gt(raw.mem_total_kb, 0);
    ck_assert_uint_gt(raw.disk_blocks, 0);
}
END_TEST

static Suite *sshprobe_suite(void)
{
    Suite *s = suite_create("sshprobe");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, good_output);
    tcase_add_test(tc, load_from_other_work);
    tcase_add_test(tc, output_without_final_newline);
    tcase_add_test(tc, len_is_respected);
    tcase_add_test(tc, broken_outputs_are_errors);
    tcase_add_test(tc, command_prints_the_sections);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(sshprobe_suite());
}
