/* SPDX-License-Identifier: BSD-3-Clause */
/* test_conffile.c - unit tests of the configuration file loader (conffile.h). */
#include "config.h"

#include "config/conffile.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "unit.h"

/* A configuration file written for one test, removed as soon as it is loaded. */
struct conf {
    char path[4096];
    struct settings s;
    struct error err;
    int rc;
};

/* Write text to a temp file and load it into fresh settings (or into the
 * settings already in c when keep is set). */
static void conf_load_text(struct conf *c, const char *text, int keep)
{
    unit_write_temp(text, strlen(text), c->path);
    if (!keep)
        settings_init(&c->s);
    error_clear(&c->err);
    c->rc = conffile_load(c->path, &c->s, &c->err);
    unlink(c->path);
}

static void conf_done(struct conf *c)
{
    settings_free(&c->s);
}

/* Check that the load failed with "PATH:LINE: " first, then want. */
static void assert_error_at(const struct conf *c, int line, const char *want)
{
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s:%d: ", c->path, line);
    ck_assert_msg(c->rc == -1, "accepted, expected '%s...'", prefix);
    unit_assert_prefix(c->err.text, prefix);
    if (want)
        unit_assert_contains(c->err.text, want);
    ck_assert_msg(!strchr(c->err.text, '\n'), "message is not one line: '%s'", c->err.text);
}

START_TEST(every_key)
{
    struct conf c;
    conf_load_text(&c,
                   "# every setting\n"
                   "shards = 12;\n"
                   "schedule = \"static\";\n"
                   "dry_run = true;\n"
                   "tasks = \"tasks.txt\";\n"
                   "items = \"items.txt\";\n"
                   "items_command = \"ls *.py\";\n"
                   "notify_command = \"./hook.sh\";\n"
                   "notify_timeout = 9;\n"
                   "metrics = \"m.prom\";\n"
                   "html_interval = 3;\n"
                   "timeout = 90.5;\n"
                   "kill_grace = 2.0;\n"
                   "retries = 4;\n"
                   "retry_elsewhere = true;\n"
                   "backoff = 1.5;\n"
                   "backoff_max = 60.0;\n"
                   "backoff_jitter = 0.25;\n"
                   "run_dir = \"/scratch/runs\";\n"
                   "json = \"report.json\";\n"
                   "skip_health_checks = true;\n"
                   "health_interval = 2;\n"
                   "min_disk_free = 15.5;\n"
                   "max_memory_used = 90;\n"
                   "max_load = 1.5;\n"
                   "load_wait = 2.5;\n"
                   "connect_timeout = 3;\n"
                   "progress = \"lines\";\n"
                   "junit = \"j.xml\";\n"
                   "logs = \"/scratch/logs\";\n"
                   "max_log_bytes = 65536;\n"
                   "stream = true;\n"
                   "collect = \"out/junit-{shard}.xml\";\n"
                   "retry_command = \"pytest {failed}\";\n"
                   "html = \"r.html\";\n"
                   "journal = \"j.jsonl\";\n"
                   "max_failures = 5;\n"
                   "fail_fast = true;\n"
                   "heartbeat_timeout = 12;\n"
                   "history = \"h.json\";\n"
                   "no_history = true;\n"
                   "history_wait = 2.5;\n"
                   "speculate = true;\n"
                   "fail_on_flaky = true;\n",
                   0);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    ck_assert(c.s.skip_health);
    ck_assert_double_eq(c.s.health_interval, 2);
    ck_assert_double_eq(c.s.min_disk_free, 15.5);
    ck_assert_double_eq(c.s.max_memory_used, 90);
    ck_assert_double_eq(c.s.max_load, 1.5);
    ck_assert_double_eq(c.s.load_wait, 2.5);
    ck_assert_double_eq(c.s.connect_timeout, 3);
    ck_assert_int_eq(c.s.progress, PROGRESS_LINES);
    ck_assert_str_eq(c.s.junit, "j.xml");
    ck_assert_str_eq(c.s.logs, "/scratch/logs");
    ck_assert_int_eq(c.s.max_log_bytes, 65536);
    ck_assert(c.s.stream);
    ck_assert_str_eq(c.s.collect, "out/junit-{shard}.xml");
    ck_assert_str_eq(c.s.retry_command, "pytest {failed}");
    ck_assert_str_eq(c.s.html, "r.html");
    ck_assert_str_eq(c.s.journal, "j.jsonl");
    ck_assert_int_eq(c.s.max_failures, 5);
    ck_assert(c.s.fail_fast);
    ck_assert(c.s.retry_elsewhere);
    ck_assert_double_eq(c.s.heartbeat_timeout, 12);
    ck_assert_str_eq(c.s.history, "h.json");
    ck_assert(c.s.no_history);
    ck_assert_double_eq(c.s.history_wait, 2.5);
    ck_assert_str_eq(c.s.items, "items.txt");
    ck_assert_str_eq(c.s.items_command, "ls *.py");
    ck_assert_str_eq(c.s.notify_command, "./hook.sh");
    ck_assert_double_eq(c.s.notify_timeout, 9);
    ck_assert_str_eq(c.s.metrics, "m.prom");
    ck_assert_double_eq(c.s.html_interval, 3);
    ck_assert(c.s.speculate);
    ck_assert(c.s.fail_on_flaky);
    ck_assert_ptr_null(settings_history(&c.s)); /* off: no_history there too */
    ck_assert_int_eq(c.s.shards, 12);
    ck_assert_int_eq(c.s.schedule, SCHEDULE_STATIC);
    ck_assert(c.s.dry_run);
    ck_assert_str_eq(c.s.tasks, "tasks.txt");
    ck_assert_double_eq(c.s.timeout, 90.5);
    ck_assert_double_eq(c.s.kill_grace, 2);
    ck_assert_int_eq(c.s.retries, 4);
    ck_assert_double_eq(c.s.backoff, 1.5);
    ck_assert_double_eq(c.s.backoff_max, 60);
    ck_assert_double_eq(c.s.backoff_jitter, 0.25);
    ck_assert_str_eq(c.s.run_dir, "/scratch/runs");
    ck_assert_str_eq(c.s.json, "report.json");
    for (int i = 0; i < SET_COUNT; i++)
        ck_assert_int_eq(c.s.source[i],
                         settings_table[i].cli_only ? SOURCE_DEFAULT : SOURCE_CONFIG);
    conf_done(&c);
}
END_TEST

START_TEST(command_line_only_keys_refused)
{
    const char *keys[] = {"resume = \"j.jsonl\";", "rerun_failed = \"j.jsonl\";",
                          "force_resume = true;"};
    const char *flags[] = {"--resume", "--rerun-failed", "--force-resume"};
    for (int i = 0; i < 3; i++) {
        struct conf c;
        conf_load_text(&c, keys[i], 0);
        ck_assert_int_eq(c.rc, -1);
        unit_assert_contains(c.err.text, ":1: ");
        unit_assert_contains(c.err.text, "can only be given on the command line");
        unit_assert_contains(c.err.text, flags[i]);
        conf_done(&c);
    }
}
END_TEST

START_TEST(empty_file_changes_nothing)
{
    struct conf c;
    conf_load_text(&c, "", 0);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    ck_assert_int_eq(c.s.retries, 2);
    for (int i = 0; i < SET_COUNT; i++)
        ck_assert_int_eq(c.s.source[i], SOURCE_DEFAULT);
    conf_done(&c);

    conf_load_text(&c, "# only a comment\n// and another\n\n", 0);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    conf_done(&c);
}
END_TEST

START_TEST(untouched_keys_keep_defaults)
{
    struct conf c;
    conf_load_text(&c, "retries = 0;\n", 0);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    ck_assert_int_eq(c.s.retries, 0);
    ck_assert_int_eq(c.s.source[SET_RETRIES], SOURCE_CONFIG);
    ck_assert_double_eq(c.s.backoff, 5);
    ck_assert_int_eq(c.s.source[SET_BACKOFF], SOURCE_DEFAULT);
    conf_done(&c);
}
END_TEST

START_TEST(int_for_float_key)
{
    struct conf c;
    conf_load_text(&c, "backoff = 5;\ntimeout = 0;\nbackoff_jitter = 1;\n", 0);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    ck_assert_double_eq(c.s.backoff, 5);
    ck_assert_double_eq(c.s.timeout, 0);
    ck_assert_double_eq(c.s.backoff_jitter, 1);
    ck_assert_int_eq(c.s.source[SET_BACKOFF], SOURCE_CONFIG);
    conf_done(&c);
}
END_TEST

START_TEST(float_for_int_key)
{
    struct conf c;
    conf_load_text(&c, "retries = 2.5;\n", 0);
    assert_error_at(&c, 1, "retries");
    unit_assert_contains(c.err.text, "whole number");
    ck_assert_int_eq(c.s.retries, 2);
    conf_done(&c);
}
END_TEST

START_TEST(string_for_int_key)
{
    struct conf c;
    conf_load_text(&c, "# line 1\nbackoff = 1;\nshards = \"4\";\n", 0);
    assert_error_at(&c, 3, "shards");
    conf_done(&c);

    conf_load_text(&c, "\n\n\n\n\nretries = true;\n", 0);
    assert_error_at(&c, 6, "retries");
    conf_done(&c);
}
END_TEST

START_TEST(wrong_types_for_other_keys)
{
    const char *bad[] = {"dry_run = 1;\n",     "dry_run = \"yes\";\n", "schedule = 1;\n",
                         "tasks = 3;\n",       "json = true;\n",       "timeout = \"5\";\n",
                         "shards = [1, 2];\n", "shards = (1);\n",      "backoff = { a = 1; };\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct conf c;
        conf_load_text(&c, bad[i], 0);
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(bad[i], " "), bad[i]);
        ck_assert_msg(c.rc == -1, "accepted: %s", bad[i]);
        assert_error_at(&c, 1, key);
        conf_done(&c);
    }
}
END_TEST

START_TEST(unknown_key)
{
    struct conf c;
    conf_load_text(&c, "shards = 2;\nfoo = 1;\n", 0);
    assert_error_at(&c, 2, NULL);
    char want[4200];
    snprintf(want, sizeof want, "%s:2: unknown setting 'foo'", c.path);
    ck_assert_str_eq(c.err.text, want);
    conf_done(&c);

    /* the command line spelling is not a key; libconfig may not even parse it */
    conf_load_text(&c, "backoff-max = 3;\n", 0);
    assert_error_at(&c, 1, NULL);
    if (strstr(c.err.text, "unknown setting"))
        unit_assert_contains(c.err.text, "'backoff-max'");
    conf_done(&c);

    /* keys are case sensitive, and groups are not settings */
    conf_load_text(&c, "Shards = 3;\n", 0);
    assert_error_at(&c, 1, "unknown setting 'Shards'");
    conf_done(&c);
    conf_load_text(&c, "distmpi = { shards = 3; };\n", 0);
    assert_error_at(&c, 1, "unknown setting 'distmpi'");
    conf_done(&c);
}
END_TEST

START_TEST(syntax_error)
{
    struct conf c;
    conf_load_text(&c, "shards = 2;\n\nretries = ;\n", 0);
    assert_error_at(&c, 3, NULL);
    ck_assert_msg(strlen(c.err.text) > strlen(c.path) + 4, "no reason given: '%s'", c.err.text);
    conf_done(&c);

    conf_load_text(&c, "# a\nrun_dir = \"unterminated;\n", 0);
    ck_assert_int_eq(c.rc, -1);
    unit_assert_prefix(c.err.text, c.path);
    ck_assert_int_eq(c.err.text[strlen(c.path)], ':');
    conf_done(&c);

    conf_load_text(&c, "shards = 2;\nshards = 3;\n", 0); /* a key twice */
    assert_error_at(&c, 2, NULL);
    conf_done(&c);
}
END_TEST

START_TEST(out_of_range)
{
    struct conf c;
    conf_load_text(&c, "shards = 0;\n", 0);
    assert_error_at(&c, 1, "out of range");
    unit_assert_contains(c.err.text, "shards");
    conf_done(&c);

    conf_load_text(&c, "\nbackoff_jitter = 1.5;\n", 0);
    assert_error_at(&c, 2, "out of range");
    unit_assert_contains(c.err.text, "backoff_jitter");
    conf_done(&c);

    conf_load_text(&c, "retries = -1;\n", 0);
    assert_error_at(&c, 1, "out of range");
    conf_done(&c);

    conf_load_text(&c, "shards = 30000000000L;\n", 0);
    assert_error_at(&c, 1, "out of range");
    conf_done(&c);

    conf_load_text(&c, "timeout = -0.5;\n", 0);
    assert_error_at(&c, 1, "out of range");
    conf_done(&c);
}
END_TEST

START_TEST(bad_string_values)
{
    struct conf c;
    conf_load_text(&c, "schedule = \"foo\";\n", 0);
    assert_error_at(&c, 1, "foo");
    ck_assert_int_eq(c.s.schedule, SCHEDULE_DYNAMIC);
    conf_done(&c);

    conf_load_text(&c, "run_dir = \"\";\n", 0);
    assert_error_at(&c, 1, "run_dir");
    ck_assert_ptr_null(c.s.run_dir);
    conf_done(&c);
}
END_TEST

START_TEST(flag_wins_over_file)
{
    struct conf c;
    struct error why;
    settings_init(&c.s);
    ck_assert_int_eq(settings_set_string(&c.s, &settings_table[SET_SHARDS], "9", SOURCE_FLAG, &why),
                     0);
    ck_assert_int_eq(
        settings_set_string(&c.s, &settings_table[SET_JSON], "flag.json", SOURCE_FLAG, &why), 0);
    conf_load_text(&c, "shards = 4;\njson = \"file.json\";\nretries = 7;\n", 1);
    ck_assert_msg(c.rc == 0, "refused: %s", c.err.text);
    ck_assert_int_eq(c.s.shards, 9);
    ck_assert_int_eq(c.s.source[SET_SHARDS], SOURCE_FLAG);
    ck_assert_str_eq(c.s.json, "flag.json");
    ck_assert_int_eq(c.s.source[SET_JSON], SOURCE_FLAG);
    ck_assert_int_eq(c.s.retries, 7);
    ck_assert_int_eq(c.s.source[SET_RETRIES], SOURCE_CONFIG);
    conf_done(&c);
}
END_TEST

START_TEST(bad_file_value_is_error_despite_flag)
{
    const char *bad[] = {"shards = 0;\n", "shards = \"x\";\n", "shards = 2.5;\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct conf c;
        struct error why;
        settings_init(&c.s);
        ck_assert_int_eq(settings_set_long(&c.s, &settings_table[SET_SHARDS], 9, SOURCE_FLAG, &why),
                         0);
        conf_load_text(&c, bad[i], 1);
        assert_error_at(&c, 1, "shards");
        ck_assert_int_eq(c.s.shards, 9);
        ck_assert_int_eq(c.s.source[SET_SHARDS], SOURCE_FLAG);
        conf_done(&c);
    }
}
END_TEST

START_TEST(missing_file)
{
    struct settings s;
    settings_init(&s);
    char path[4096], want[4200];
    struct error err;
    snprintf(path, sizeof path, "%s/distmpi-unit-no-such-file-%ld.conf", unit_tmpdir(),
             (long)getpid());
    ck_assert_int_eq(conffile_load(path, &s, &err), -1);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ck_assert_str_eq(err.text, want);
    settings_free(&s);
}
END_TEST

/* A directory given as the file must be an error message, not a crash or an
 * exit from inside the parser. */
START_TEST(directory_is_error)
{
    struct settings s;
    settings_init(&s);
    struct error err;
    const char *dir = unit_tmpdir();
    ck_assert_int_eq(conffile_load(dir, &s, &err), -1);
    unit_assert_prefix(err.text, dir);
    settings_free(&s);
}
END_TEST

/* @include is refused before libconfig sees it: libconfig's scanner exits
 * the whole process when the included file is a directory, and never ends
 * on /dev/zero. The included file is never opened. */
START_TEST(include_is_error)
{
    char text[8192];
    /* what comes before the directive's file name */
    static const char *const forms[] = {"@include ", "  \t@include\t",
                                        "retries = 1;\n# c\n@include "};
    static const int lines[] = {1, 1, 3};
    for (int i = 0; i < 3; i++) {
        struct conf c;
        snprintf(text, sizeof text, "%s\"%s\"\n", forms[i], unit_tmpdir());
        conf_load_text(&c, text, 0);
        assert_error_at(&c, lines[i], "@include is not supported");
        ck_assert_int_eq(c.s.retries, 2); /* nothing before it was kept either */
        conf_done(&c);
    }
    /* not a directive: libconfig's own syntax error */
    struct conf c;
    conf_load_text(&c, "retries = 1; @include \"x\"\n", 0);
    assert_error_at(&c, 1, "syntax error");
    conf_done(&c);
}
END_TEST

/* A value quoted in the reason keeps it on one line: control characters
 * are escaped (found by fuzz/fuzz_conffile). */
START_TEST(value_with_newline_is_one_line)
{
    struct conf c;
    conf_load_text(&c, "schedule = \"static\n\x1b[2Jx\";\n", 0);
    assert_error_at(&c, 1, "'static\\n\\x1b[2Jx' is not one of");
    conf_done(&c);
}
END_TEST

/* A long value is quoted whole, escapes included: the reason used to pass
 * through a 256-byte buffer and lose its end without a sign. */
START_TEST(long_value_is_quoted_whole)
{
    char value[601], text[1024], want[1024];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    value[300] = '\t';
    snprintf(text, sizeof text, "\nschedule = \"%s\";\n", value);
    struct conf c;
    conf_load_text(&c, text, 0);
    value[300] = '\0';
    snprintf(want, sizeof want, "schedule: '%s\\t%s' is not one of dynamic|static", value,
             value + 301);
    assert_error_at(&c, 2, want);
    size_t n = strlen(c.err.text), m = strlen(want);
    ck_assert_str_eq(c.err.text + n - m, want);
    conf_done(&c);
}
END_TEST

/* Too long for any message: the end is cut and marked. */
START_TEST(too_long_value_ends_in_dots)
{
    static char value[5001], text[6000];
    memset(value, '\x01', sizeof value - 1); /* 4 bytes each once escaped */
    snprintf(text, sizeof text, "retries = 1;\nschedule = \"%s\";\n", value);
    struct conf c;
    conf_load_text(&c, text, 0);
    assert_error_at(&c, 2, "schedule: '\\x01\\x01");
    size_t n = strlen(c.err.text);
    ck_assert_uint_eq(n, sizeof c.err.text - 1);
    ck_assert_str_eq(c.err.text + n - 3, "...");
    conf_done(&c);
}
END_TEST

/* conffile_choose runs in a scratch directory so ./distmpi.conf is ours. */
struct scratch {
    int oldcwd;
    char dir[4096];
    char sys[4200]; /* an existing "system" file */
};

static void scratch_enter(struct scratch *x)
{
    snprintf(x->dir, sizeof x->dir, "%s/distmpi-unit-XXXXXX", unit_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(x->dir));
    snprintf(x->sys, sizeof x->sys, "%s/system.conf", x->dir);
    int fd = open(x->sys, O_WRONLY | O_CREAT | O_EXCL, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    x->oldcwd = open(".", O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(x->oldcwd, 0);
    ck_assert_int_eq(chdir(x->dir), 0);
}

static void scratch_leave(struct scratch *x)
{
    unlink("distmpi.conf");
    unlink(x->sys);
    ck_assert_int_eq(fchdir(x->oldcwd), 0);
    close(x->oldcwd);
    ck_assert_int_eq(rmdir(x->dir), 0);
}

static void touch_local_conf(void)
{
    int fd = open("distmpi.conf", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

/* Each choose test makes its calls in the scratch directory, leaves it, and
 * only then checks: a failing check must not leave the directory behind. */
START_TEST(choose_explicit_first)
{
    struct scratch x;
    scratch_enter(&x);
    touch_local_conf();
    const char *explicit_path = "/nonexistent/explicit.conf";
    int required = -1;
    const char *got = conffile_choose(explicit_path, "env.conf", x.sys, &required);
    scratch_leave(&x);
    /* named by the user: chosen even when it does not exist, and required */
    ck_assert_ptr_eq(got, explicit_path);
    ck_assert_int_eq(required, 1);
}
END_TEST

START_TEST(choose_env_second)
{
    struct scratch x;
    scratch_enter(&x);
    touch_local_conf();
    const char *env = "/nonexistent/env.conf";
    int required = -1;
    const char *got = conffile_choose(NULL, env, x.sys, &required);
    scratch_leave(&x);
    ck_assert_ptr_eq(got, env);
    ck_assert_int_eq(required, 1);
}
END_TEST

START_TEST(choose_local_third)
{
    struct scratch x;
    scratch_enter(&x);
    touch_local_conf();
    int required = -1, required_empty_env = -1;
    const char *got = conffile_choose(NULL, NULL, x.sys, &required);
    /* an empty $DISTMPI_CONFIG counts as unset */
    const char *got_empty_env = conffile_choose(NULL, "", x.sys, &required_empty_env);
    scratch_leave(&x);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(!strcmp(got, "distmpi.conf") || !strcmp(got, "./distmpi.conf"),
                  "chose '%s', not ./distmpi.conf", got);
    ck_assert_int_eq(required, 0);
    ck_assert_ptr_nonnull(got_empty_env);
    ck_assert_str_eq(got_empty_env, got);
    ck_assert_int_eq(required_empty_env, 0);
}
END_TEST

START_TEST(choose_system_last)
{
    struct scratch x;
    scratch_enter(&x);
    int required = -1, required_empty_env = -1;
    const char *got = conffile_choose(NULL, NULL, x.sys, &required);
    const char *got_empty_env = conffile_choose(NULL, "", x.sys, &required_empty_env);
    scratch_leave(&x);
    ck_assert_ptr_eq(got, x.sys);
    ck_assert_int_eq(required, 0);
    ck_assert_ptr_eq(got_empty_env, x.sys);
    ck_assert_int_eq(required_empty_env, 0);
}
END_TEST

START_TEST(choose_nothing)
{
    struct scratch x;
    scratch_enter(&x);
    int required = -1, required_no_sys = -1;
    const char *got = conffile_choose(NULL, NULL, "/nonexistent/distmpi.conf", &required);
    const char *got_no_sys = conffile_choose(NULL, NULL, NULL, &required_no_sys);
    scratch_leave(&x);
    ck_assert_ptr_null(got);
    ck_assert_int_eq(required, 0);
    ck_assert_ptr_null(got_no_sys);
    ck_assert_int_eq(required_no_sys, 0);
}
END_TEST

static Suite *conffile_suite(void)
{
    Suite *s = suite_create("conffile");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, every_key);
    tcase_add_test(tc, command_line_only_keys_refused);
    tcase_add_test(tc, empty_file_changes_nothing);
    tcase_add_test(tc, untouched_keys_keep_defaults);
    tcase_add_test(tc, int_for_float_key);
    tcase_add_test(tc, float_for_int_key);
    tcase_add_test(tc, string_for_int_key);
    tcase_add_test(tc, wrong_types_for_other_keys);
    tcase_add_test(tc, unknown_key);
    tcase_add_test(tc, syntax_error);
    tcase_add_test(tc, out_of_range);
    tcase_add_test(tc, bad_string_values);
    tcase_add_test(tc, flag_wins_over_file);
    tcase_add_test(tc, bad_file_value_is_error_despite_flag);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, directory_is_error);
    tcase_add_test(tc, include_is_error);
    tcase_add_test(tc, value_with_newline_is_one_line);
    tcase_add_test(tc, long_value_is_quoted_whole);
    tcase_add_test(tc, too_long_value_ends_in_dots);
    suite_add_tcase(s, tc);

    tc = tcase_create("choose");
    tcase_add_test(tc, choose_explicit_first);
    tcase_add_test(tc, choose_env_second);
    tcase_add_test(tc, choose_local_third);
    tcase_add_test(tc, choose_system_last);
    tcase_add_test(tc, choose_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(conffile_suite());
}
