/* SPDX-License-Identifier: BSD-3-Clause */
/* test_journal_find.c - unit tests of `--resume last` (journal_find.h):
 * the journal written last wins, whatever its run directory's name; only
 * regular files named journal*.jsonl count; no journal is a clear error. */
#include "config.h"

#include "coord/journal_find.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "unit.h"

static char dir[64];

/* A fresh directory for one test (removed after it), and chdir into it so
 * that relative paths work as they do for distmpi. */
static void scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/distmpi-jfind.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
}

static void remove_scratch(void)
{
    char cmd[128];
    if (!dir[0])
        return;
    ck_assert_int_eq(chdir("/"), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    dir[0] = '\0';
}

/* Create path (its directories too) with modification time sec.nsec. */
static void put(const char *path, time_t sec, long nsec)
{
    char d[256];
    snprintf(d, sizeof d, "%s", path);
    for (char *slash = strchr(d, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(d, 0755); /* may exist */
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{}\n", f);
    ck_assert_int_eq(fclose(f), 0);
    struct timespec t[2] = {{sec, nsec}, {sec, nsec}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* journal_find_last's answer, or "ERROR: text". */
static char *find(const char *run_dir, const char *base)
{
    static char out[ERROR_TEXT_MAX + 8];
    char *path = NULL;
    struct error e;
    if (journal_find_last(run_dir, base, &path, &e) < 0) {
        ck_assert_ptr_null(path);
        snprintf(out, sizeof out, "ERROR: %s", e.text);
    } else {
        ck_assert_ptr_nonnull(path);
        snprintf(out, sizeof out, "%s", path);
        free(path);
    }
    return out;
}

START_TEST(the_word)
{
    ck_assert(journal_is_last("last"));
    ck_assert(!journal_is_last("Last"));
    ck_assert(!journal_is_last("./last"));
    ck_assert(!journal_is_last("last/journal.jsonl"));
    ck_assert(!journal_is_last(NULL));
}
END_TEST

START_TEST(newest_written_wins_not_newest_name)
{
    scratch();
    mkdir("runs", 0755);
    put("runs/20260101-000000-1/journal.jsonl", 1000, 0);
    /* resumed last, in the run directory with the smaller name */
    put("runs/20250101-000000-9/journal.jsonl", 3000, 0);
    put("runs/20260101-000000-2/journal.jsonl", 2000, 0);
    ck_assert_str_eq(find(NULL, "runs"), "runs/20250101-000000-9/journal.jsonl");
    /* nanoseconds count */
    put("runs/20260101-000000-2/journal.jsonl", 3000, 5);
    ck_assert_str_eq(find(NULL, "runs"), "runs/20260101-000000-2/journal.jsonl");
}
END_TEST

START_TEST(equal_times_go_to_the_greater_name)
{
    scratch();
    mkdir("runs", 0755);
    put("runs/a/journal.jsonl", 1000, 0);
    put("runs/b/journal.jsonl", 1000, 0);
    ck_assert_str_eq(find(NULL, "runs"), "runs/b/journal.jsonl");
}
END_TEST

START_TEST(only_journals_count)
{
    scratch();
    mkdir("runs", 0755);
    put("runs/r1/journal.jsonl", 1000, 0);
    put("runs/r2/journal.json", 5000, 0);    /* not .jsonl */
    put("runs/r2/report.jsonl", 5000, 0);    /* not a journal's name */
    put("runs/r2/journal.jsonl.x", 5000, 0); /* no */
    put("runs/journal.jsonl", 5000, 0);      /* in the base, not a run directory */
    put("runs/.hidden/journal.jsonl", 5000, 0);
    put("runs/r3/shard-1/journal.jsonl", 5000, 0); /* too deep */
    mkdir("runs/r4", 0755);
    mkdir("runs/r4/journal-dir.jsonl", 0755); /* a directory */
    ck_assert_int_eq(symlink("../r1/journal.jsonl", "runs/r4/journal-link.jsonl"), 0);
    ck_assert_str_eq(find(NULL, "runs"), "runs/r1/journal.jsonl");
    /* a journal named after its run (a --run-dir used again) counts */
    put("runs/r5/journal-20260101-000000-7.jsonl", 2000, 0);
    ck_assert_str_eq(find(NULL, "runs"), "runs/r5/journal-20260101-000000-7.jsonl");
}
END_TEST

START_TEST(run_dir_looks_in_that_directory_only)
{
    scratch();
    put("mine/journal.jsonl", 1000, 0);
    put("mine/journal-20260101-000000-3.jsonl", 2000, 0);
    put("mine/sub/journal.jsonl", 9000, 0);
    put("runs/other/journal.jsonl", 9000, 0);
    ck_assert_str_eq(find("mine", "runs"), "mine/journal-20260101-000000-3.jsonl");
    put("mine/journal.jsonl", 3000, 0);
    ck_assert_str_eq(find("mine", "runs"), "mine/journal.jsonl");
}
END_TEST

START_TEST(no_journal_is_an_error)
{
    scratch();
    unit_assert_prefix(find(NULL, "runs"), "ERROR: no journal under runs: No such file");
    mkdir("runs", 0755);
    mkdir("runs/r1", 0755);
    put("runs/r1/report.json", 1000, 0);
    ck_assert_str_eq(find(NULL, "runs"),
                     "ERROR: no journal (journal*.jsonl) in the run directories under runs");
    unit_assert_prefix(find("nowhere", "runs"),
                       "ERROR: cannot read the run directory nowhere: No such file");
    ck_assert_str_eq(find("runs/r1", "runs"),
                     "ERROR: no journal (journal*.jsonl) in the run directory runs/r1");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("journal_find");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, the_word);
    tcase_add_test(tc, newest_written_wins_not_newest_name);
    tcase_add_test(tc, equal_times_go_to_the_greater_name);
    tcase_add_test(tc, only_journals_count);
    tcase_add_test(tc, run_dir_looks_in_that_directory_only);
    tcase_add_test(tc, no_journal_is_an_error);
    tcase_add_checked_fixture(tc, NULL, remove_scratch);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
