/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cli.c - unit tests of command line parsing (cli.h). */
#include "config.h"

#include "config/cli.h"

#include <math.h>

#include "unit.h"

/* One parse on fresh settings; argv is NULL-terminated and starts with the
 * program name. The tests below declare these as locals. */
struct parsed {
    struct cli c;
    struct settings s;
    struct error err;
    int rc;
};

static void parse(struct parsed *p, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    settings_init(&p->s);
    error_clear(&p->err);
    p->rc = cli_parse(argc, argv, &p->c, &p->s, &p->err);
}

/* Check that p failed with a one-line message containing want. */
static void assert_refused(const struct parsed *p, const char *want)
{
    ck_assert_msg(p->rc == -1, "accepted, expected an error containing '%s'", want);
    unit_assert_contains(p->err.text, want);
    ck_assert_msg(!strchr(p->err.text, '\n'), "message is not one line: '%s'", p->err.text);
}

static void assert_command(const struct parsed *p, char **want)
{
    int n = 0;
    while (want[n])
        n++;
    ck_assert_int_eq(p->c.ncommand, n);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(p->c.command[i], want[i]);
}

START_TEST(no_options)
{
    struct parsed p;
    char *argv[] = {"distmpi", "make", "check", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    assert_command(&p, (char *[]){"make", "check", NULL});
    ck_assert_ptr_eq(p.c.command, argv + 1); /* points into argv */
    ck_assert_ptr_null(p.c.config_path);
    ck_assert_int_eq(p.c.help, 0);
    ck_assert_int_eq(p.c.version, 0);
    struct settings d;
    settings_init(&d);
    ck_assert_int_eq(p.s.shards, d.shards);
    ck_assert_int_eq(p.s.retries, d.retries);
    ck_assert_double_eq(p.s.backoff, d.backoff);
    for (int i = 0; i < SET_COUNT; i++)
        ck_assert_int_eq(p.s.source[i], SOURCE_DEFAULT);
    settings_free(&p.s);
}
END_TEST

START_TEST(every_long_option)
{
    struct parsed p;
    char *argv[] = {"distmpi",
                    "--shards",
                    "7",
                    "--schedule",
                    "static",
                    "--dry-run",
                    "--timeout",
                    "2.5",
                    "--kill-grace",
                    "1",
                    "--retries",
                    "0",
                    "--backoff",
                    "0.1",
                    "--backoff-max",
                    "10",
                    "--backoff-jitter",
                    "0.5",
                    "--run-dir",
                    "/x/runs",
                    "--json",
                    "out.json",
                    "--skip-health-checks",
                    "--health-interval",
                    "0.5",
                    "--min-disk-free",
                    "20",
                    "--max-memory-used",
                    "80.5",
                    "--max-load",
                    "3",
                    "--load-wait",
                    "7.5",
                    "--connect-timeout",
                    "2.5",
                    "--progress",
                    "none",
                    "--junit",
                    "j.xml",
                    "--logs",
                    "/x/logs",
                    "--max-log-bytes",
                    "4096",
                    "--stream",
                    "--collect",
                    "results/junit-{shard}.xml",
                    "--retry-command",
                    "pytest {failed}",
                    "--html",
                    "r.html",
                    "--journal",
                    "j.jsonl",
                    "--resume",
                    "old.jsonl",
                    "--rerun-failed",
                    "older.jsonl",
                    "--force-resume",
                    "--max-failures",
                    "3",
                    "--fail-fast",
                    "--retry-elsewhere",
                    "--heartbeat-timeout",
                    "7.5",
                    "--history",
                    "h.json",
                    "--no-history",
                    "--history-wait",
                    "4.5",
                    "--speculate",
                    "--items",
                    "items.txt",
                    "--items-command",
                    "ls *.spec.ts",
                    "--metrics",
                    "m.prom",
                    "--html-interval",
                    "2.5",
                    "--notify-command",
                    "curl -d @- hook",
                    "--notify-timeout",
                    "12.5",
                    "--fail-on-flaky",
                    "cmd",
                    NULL};
    parse(&p, argv);
    ck_assert_msg(p.rc == 0, "refused: %s", p.err.text);
    ck_assert_int_eq(p.s.shards, 7);
    ck_assert_str_eq(p.s.items, "items.txt");
    ck_assert_str_eq(p.s.items_command, "ls *.spec.ts");
    ck_assert_str_eq(p.s.notify_command, "curl -d @- hook");
    ck_assert_double_eq(p.s.notify_timeout, 12.5);
    ck_assert_str_eq(p.s.metrics, "m.prom");
    ck_assert_double_eq(p.s.html_interval, 2.5);
    ck_assert_int_eq(p.s.schedule, SCHEDULE_STATIC);
    ck_assert(p.s.dry_run);
    ck_assert_double_eq(p.s.timeout, 2.5);
    ck_assert_double_eq(p.s.kill_grace, 1);
    ck_assert_int_eq(p.s.retries, 0);
    ck_assert_double_eq(p.s.backoff, 0.1);
    ck_assert_double_eq(p.s.backoff_max, 10);
    ck_assert_double_eq(p.s.backoff_jitter, 0.5);
    ck_assert_str_eq(p.s.run_dir, "/x/runs");
    ck_assert_str_eq(p.s.json, "out.json");
    ck_assert(p.s.skip_health);
    ck_assert_double_eq(p.s.health_interval, 0.5);
    ck_assert_double_eq(p.s.min_disk_free, 20);
    ck_assert_double_eq(p.s.max_memory_used, 80.5);
    ck_assert_double_eq(p.s.max_load, 3);
    ck_assert_double_eq(p.s.load_wait, 7.5);
    ck_assert_double_eq(p.s.connect_timeout, 2.5);
    ck_assert_int_eq(p.s.progress, PROGRESS_NONE);
    ck_assert_str_eq(p.s.junit, "j.xml");
    ck_assert_str_eq(p.s.logs, "/x/logs");
    ck_assert_int_eq(p.s.max_log_bytes, 4096);
    ck_assert(p.s.stream);
    ck_assert_str_eq(p.s.collect, "results/junit-{shard}.xml");
    ck_assert_str_eq(p.s.retry_command, "pytest {failed}");
    ck_assert_str_eq(p.s.html, "r.html");
    ck_assert_str_eq(p.s.journal, "j.jsonl");
    ck_assert_str_eq(p.s.resume, "old.jsonl");
    ck_assert_str_eq(p.s.rerun_failed, "older.jsonl");
    ck_assert(p.s.force_resume);
    ck_assert_int_eq(p.s.max_failures, 3);
    ck_assert(p.s.fail_fast);
    ck_assert(p.s.retry_elsewhere);
    ck_assert_double_eq(p.s.heartbeat_timeout, 7.5);
    ck_assert_str_eq(p.s.history, "h.json");
    ck_assert(p.s.no_history);
    ck_assert_double_eq(p.s.history_wait, 4.5);
    ck_assert(p.s.speculate);
    ck_assert(p.s.fail_on_flaky);
    ck_assert_ptr_null(p.s.tasks);
    for (int i = 0; i < SET_COUNT; i++)
        ck_assert_int_eq(p.s.source[i], i == SET_TASKS ? SOURCE_DEFAULT : SOURCE_FLAG);
    assert_command(&p, (char *[]){"cmd", NULL});
    settings_free(&p.s);
}
END_TEST

START_TEST(equals_form)
{
    struct parsed p;
    char *argv[] = {"distmpi",
                    "--shards=4",
                    "--json=r.json",
                    "--tasks=t.txt",
                    "--backoff-jitter=0",
                    "--schedule=dynamic",
                    NULL};
    parse(&p, argv);
    ck_assert_msg(p.rc == 0, "refused: %s", p.err.text);
    ck_assert_int_eq(p.s.shards, 4);
    ck_assert_str_eq(p.s.json, "r.json");
    ck_assert_str_eq(p.s.tasks, "t.txt");
    ck_assert_double_eq(p.s.backoff_jitter, 0);
    ck_assert_int_eq(p.s.schedule, SCHEDULE_DYNAMIC);
    ck_assert_int_eq(p.s.source[SET_SCHEDULE], SOURCE_FLAG);
    ck_assert_int_eq(p.c.ncommand, 0);
    settings_free(&p.s);
}
END_TEST

START_TEST(short_options)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "3", "true", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 3);
    ck_assert_int_eq(p.s.source[SET_SHARDS], SOURCE_FLAG);
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "-n12", "-h", "-V", "true", NULL};
    parse(&p, argv2);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 12);
    ck_assert_int_eq(p.c.help, 1);
    ck_assert_int_eq(p.c.version, 1);
    assert_command(&p, (char *[]){"true", NULL});
    settings_free(&p.s);
}
END_TEST

START_TEST(double_dash_ends_options)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "2", "--", "--shards", "9", "-x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 2);
    assert_command(&p, (char *[]){"--shards", "9", "-x", NULL});
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--dry-run", "--", NULL};
    parse(&p, argv2);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.c.ncommand, 0);
    settings_free(&p.s);

    /* only the first "--" is a separator */
    char *argv3[] = {"distmpi", "--", "sh", "--", "-c", NULL};
    parse(&p, argv3);
    ck_assert_int_eq(p.rc, 0);
    assert_command(&p, (char *[]){"sh", "--", "-c", NULL});
    settings_free(&p.s);
}
END_TEST

START_TEST(command_starts_at_first_non_option)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "3", "echo", "-n", "x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 3);
    assert_command(&p, (char *[]){"echo", "-n", "x", NULL});
    settings_free(&p.s);

    /* options after the command belong to the command, even ours */
    char *argv2[] = {"distmpi", "pytest", "--shards", "5", "--help", "--bogus", NULL};
    parse(&p, argv2);
    ck_assert_msg(p.rc == 0, "refused: %s", p.err.text);
    ck_assert_int_eq(p.s.shards, 0);
    ck_assert_int_eq(p.s.source[SET_SHARDS], SOURCE_DEFAULT);
    ck_assert_int_eq(p.c.help, 0);
    assert_command(&p, (char *[]){"pytest", "--shards", "5", "--help", "--bogus", NULL});
    settings_free(&p.s);

    /* a lone "-" is a word, not an option */
    char *argv3[] = {"distmpi", "-", "x", NULL};
    parse(&p, argv3);
    ck_assert_int_eq(p.rc, 0);
    assert_command(&p, (char *[]){"-", "x", NULL});
    settings_free(&p.s);
}
END_TEST

START_TEST(unknown_long_option)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--bogus", "cmd", NULL};
    parse(&p, argv);
    assert_refused(&p, "--bogus");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "-n", "2", "--bogus=1", "cmd", NULL};
    parse(&p, argv2);
    assert_refused(&p, "--bogus");
    settings_free(&p.s);
}
END_TEST

START_TEST(unknown_short_option)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-z", "cmd", NULL};
    parse(&p, argv);
    assert_refused(&p, "-z");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "-hq", "cmd", NULL};
    parse(&p, argv2);
    assert_refused(&p, "-q");
    settings_free(&p.s);
}
END_TEST

/* "--dry-run" takes no value: "--dry-run=yes" must be refused with a message
 * that names the option, not a garbled character. */
START_TEST(value_for_flag_without_argument)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--dry-run=yes", "cmd", NULL};
    parse(&p, argv);
    assert_refused(&p, "--dry-run");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--version=2", "cmd", NULL};
    parse(&p, argv2);
    assert_refused(&p, "--version");
    settings_free(&p.s);
}
END_TEST

START_TEST(ambiguous_abbreviation)
{
    /* --back could be --backoff, --backoff-max or --backoff-jitter */
    struct parsed p;
    char *argv[] = {"distmpi", "--back", "1", "cmd", NULL};
    parse(&p, argv);
    assert_refused(&p, "--back");
    settings_free(&p.s);
}
END_TEST

START_TEST(missing_value)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--shards", NULL};
    parse(&p, argv);
    assert_refused(&p, "--shards");
    unit_assert_contains(p.err.text, "value");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "-n", NULL};
    parse(&p, argv2);
    assert_refused(&p, "-n");
    unit_assert_contains(p.err.text, "value");
    settings_free(&p.s);

    char *argv3[] = {"distmpi", "--dry-run", "--config", NULL};
    parse(&p, argv3);
    assert_refused(&p, "--config");
    settings_free(&p.s);
}
END_TEST

START_TEST(shards_out_of_range)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "0", "cmd", NULL};
    parse(&p, argv);
    assert_refused(&p, "out of range");
    unit_assert_contains(p.err.text, "--shards");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--shards", "-1", "cmd", NULL};
    parse(&p, argv2);
    assert_refused(&p, "out of range");
    settings_free(&p.s);

    char *argv3[] = {"distmpi", "--shards", "10000001", "cmd", NULL};
    parse(&p, argv3);
    assert_refused(&p, "out of range");
    settings_free(&p.s);

    char *argv4[] = {"distmpi", "--shards", "10000000", "cmd", NULL};
    parse(&p, argv4);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 10000000);
    settings_free(&p.s);
}
END_TEST

START_TEST(shards_not_a_number)
{
    const char *bad[] = {"abc", "3x", "", "1.5", " ", "0x10x", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct parsed p;
        char *argv[] = {"distmpi", "--shards", (char *)bad[i], "cmd", NULL};
        parse(&p, argv);
        ck_assert_msg(p.rc == -1, "--shards '%s' accepted", bad[i]);
        unit_assert_contains(p.err.text, "--shards");
        if (bad[i][0] && bad[i][0] != ' ')
            unit_assert_contains(p.err.text, bad[i]);
        ck_assert_int_eq(p.s.source[SET_SHARDS], SOURCE_DEFAULT);
        settings_free(&p.s);
    }
}
END_TEST

START_TEST(seconds_values)
{
    struct parsed p;
    char *argv[] = {"distmpi",      "--backoff", "0.1", "--timeout", "1e3",
                    "--kill-grace", "0",         "x",   NULL};
    parse(&p, argv);
    ck_assert_msg(p.rc == 0, "refused: %s", p.err.text);
    ck_assert_double_eq(p.s.backoff, 0.1);
    ck_assert_double_eq(p.s.timeout, 1000);
    ck_assert_double_eq(p.s.kill_grace, 0);
    settings_free(&p.s);

    const char *bad[][2] = {{"--backoff", "abc"},     {"--backoff", "1s"},
                            {"--timeout", "-1"},      {"--timeout", "nan"},
                            {"--timeout", "inf"},     {"--backoff-jitter", "1.5"},
                            {"--backoff-max", "1e9"}, {"--kill-grace", ""}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv2[] = {"distmpi", (char *)bad[i][0], (char *)bad[i][1], "x", NULL};
        parse(&p, argv2);
        ck_assert_msg(p.rc == -1, "%s '%s' accepted", bad[i][0], bad[i][1]);
        unit_assert_contains(p.err.text, bad[i][0]);
        settings_free(&p.s);
    }
}
END_TEST

START_TEST(schedule_choice)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--schedule", "static", "x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.schedule, SCHEDULE_STATIC);
    ck_assert_str_eq(schedule_name(p.s.schedule), "static");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--schedule", "foo", "x", NULL};
    parse(&p, argv2);
    assert_refused(&p, "foo");
    unit_assert_contains(p.err.text, "--schedule");
    ck_assert_int_eq(p.s.schedule, SCHEDULE_DYNAMIC);
    settings_free(&p.s);

    char *argv3[] = {"distmpi", "--schedule", "Static", "x", NULL};
    parse(&p, argv3);
    assert_refused(&p, "Static");
    settings_free(&p.s);
}
END_TEST

START_TEST(dry_run_flag)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--dry-run", "x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert(p.s.dry_run);
    ck_assert_int_eq(p.s.source[SET_DRY_RUN], SOURCE_FLAG);
    /* the flag does not swallow the next word */
    assert_command(&p, (char *[]){"x", NULL});
    settings_free(&p.s);
}
END_TEST

START_TEST(config_path_recorded)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--config", "my.conf", "x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_ptr_eq(p.c.config_path, argv[2]);
    for (int i = 0; i < SET_COUNT; i++)
        ck_assert_int_eq(p.s.source[i], SOURCE_DEFAULT);
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--config=/etc/x.conf", "x", NULL};
    parse(&p, argv2);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_str_eq(p.c.config_path, "/etc/x.conf");
    settings_free(&p.s);

    /* the last one wins */
    char *argv3[] = {"distmpi", "--config", "a", "--config", "b", "x", NULL};
    parse(&p, argv3);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_str_eq(p.c.config_path, "b");
    settings_free(&p.s);
}
END_TEST

START_TEST(help_and_version)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--help", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.c.help, 1);
    ck_assert_int_eq(p.c.version, 0);
    ck_assert_int_eq(p.c.ncommand, 0);
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--version", NULL};
    parse(&p, argv2);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.c.help, 0);
    ck_assert_int_eq(p.c.version, 1);
    settings_free(&p.s);

    char *argv3[] = {"distmpi", "-V", NULL};
    parse(&p, argv3);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.c.version, 1);
    settings_free(&p.s);
}
END_TEST

START_TEST(last_flag_wins)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "3", "--shards", "5", "--json", "a", "--json", "b", "x", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.s.shards, 5);
    ck_assert_str_eq(p.s.json, "b");
    settings_free(&p.s);
}
END_TEST

START_TEST(empty_string_value_refused)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--tasks", "", NULL};
    parse(&p, argv);
    assert_refused(&p, "--tasks");
    ck_assert_ptr_null(p.s.tasks);
    settings_free(&p.s);
}
END_TEST

/* getopt keeps state between calls; cli_parse must start afresh every time,
 * also after an error in the middle of a short-option cluster. */
START_TEST(parse_again)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-hz", "cmd", NULL};
    parse(&p, argv);
    ck_assert_int_eq(p.rc, -1);
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "-n", "4", "a", "b", NULL};
    parse(&p, argv2);
    ck_assert_msg(p.rc == 0, "refused: %s", p.err.text);
    ck_assert_int_eq(p.s.shards, 4);
    ck_assert_int_eq(p.c.help, 0);
    assert_command(&p, (char *[]){"a", "b", NULL});
    settings_free(&p.s);

    for (int i = 0; i < 3; i++) {
        char *argv3[] = {"distmpi", "-Vn6", "--json", "j", "c", NULL};
        parse(&p, argv3);
        ck_assert_msg(p.rc == 0, "call %d refused: %s", i, p.err.text);
        ck_assert_int_eq(p.s.shards, 6);
        ck_assert_int_eq(p.c.version, 1);
        ck_assert_str_eq(p.s.json, "j");
        assert_command(&p, (char *[]){"c", NULL});
        settings_free(&p.s);
    }
}
END_TEST

/* A long value is quoted whole in the message: the reason used to go
 * through a 256-byte buffer and lost its end without a sign. */
START_TEST(long_value_is_quoted_whole)
{
    struct parsed p;
    char value[402];
    memset(value, '7', 400);
    value[400] = 'x';
    value[401] = '\0';
    char *argv[] = {"distmpi", "--shards", value, "true", NULL};
    parse(&p, argv);
    assert_refused(&p, value);
    unit_assert_prefix(p.err.text, "--shards: '7777");
    size_t n = strlen(p.err.text), tail = strlen("' is not a whole number");
    ck_assert_uint_gt(n, tail);
    ck_assert_str_eq(p.err.text + n - tail, "' is not a whole number");
    settings_free(&p.s);
}
END_TEST

/* A value too long for any message ends in "...", never cut without a sign. */
START_TEST(too_long_value_ends_in_dots)
{
    struct parsed p;
    static char value[3001];
    memset(value, 'j', sizeof value - 1);
    char *argv[] = {"distmpi", "--schedule", value, "true", NULL};
    parse(&p, argv);
    assert_refused(&p, "--schedule: 'jjjj");
    size_t n = strlen(p.err.text);
    ck_assert_uint_eq(n, sizeof p.err.text - 1);
    ck_assert_str_eq(p.err.text + n - 3, "...");
    settings_free(&p.s);
}
END_TEST

/* cli_check_command: parse, then check. Returns cli_check_command's result. */
static int check_after(struct parsed *p, char **argv)
{
    parse(p, argv);
    ck_assert_msg(p->rc == 0, "parse refused: %s", p->err.text);
    return cli_check_command(&p->c, &p->s, &p->err);
}

START_TEST(check_command_ok)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "4", "echo", "", NULL};
    ck_assert_int_eq(check_after(&p, argv), 0);
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--tasks", "t.txt", NULL};
    ck_assert_int_eq(check_after(&p, argv2), 0);
    settings_free(&p.s);
}
END_TEST

START_TEST(check_no_command)
{
    struct parsed p;
    char *argv[] = {"distmpi", "-n", "4", NULL};
    ck_assert_int_eq(check_after(&p, argv), -1);
    unit_assert_contains(p.err.text, "no command");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--", NULL};
    ck_assert_int_eq(check_after(&p, argv2), -1);
    unit_assert_contains(p.err.text, "no command");
    settings_free(&p.s);
}
END_TEST

START_TEST(check_tasks_and_command)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--tasks", "t.txt", "make", NULL};
    ck_assert_int_eq(check_after(&p, argv), -1);
    unit_assert_contains(p.err.text, "--tasks");
    unit_assert_contains(p.err.text, "not both");
    settings_free(&p.s);
}
END_TEST

START_TEST(check_empty_command_word)
{
    struct parsed p;
    char *argv[] = {"distmpi", "", "arg", NULL};
    ck_assert_int_eq(check_after(&p, argv), -1);
    unit_assert_contains(p.err.text, "empty");
    settings_free(&p.s);

    char *argv2[] = {"distmpi", "--", "", NULL};
    ck_assert_int_eq(check_after(&p, argv2), -1);
    unit_assert_contains(p.err.text, "empty");
    settings_free(&p.s);
}
END_TEST

/* Which timing history a run keeps: --no-history off, --history FILE on
 * even over the file's no_history (a flag wins), else the file's no_history,
 * its history, the default; both flags are a usage error. */
START_TEST(history_precedence)
{
    struct parsed p;
    char *plain[] = {"distmpi", "true", NULL};
    ck_assert_int_eq(check_after(&p, plain), 0);
    ck_assert_str_eq(settings_history(&p.s), DEFAULT_HISTORY);
    /* as if the configuration file said no_history = true */
    const struct setting_desc *off = settings_find("no_history");
    ck_assert_int_eq(settings_set_string(&p.s, off, "true", SOURCE_CONFIG, &p.err), 0);
    ck_assert_ptr_null(settings_history(&p.s));
    settings_free(&p.s);

    char *on[] = {"distmpi", "--history", "h.json", "true", NULL};
    ck_assert_int_eq(check_after(&p, on), 0);
    ck_assert_int_eq(settings_set_string(&p.s, off, "true", SOURCE_CONFIG, &p.err), 0);
    ck_assert_str_eq(settings_history(&p.s), "h.json");
    settings_free(&p.s);

    char *none[] = {"distmpi", "--no-history", "true", NULL};
    ck_assert_int_eq(check_after(&p, none), 0);
    ck_assert_ptr_null(settings_history(&p.s));
    settings_free(&p.s);

    char *both[] = {"distmpi", "--history", "h.json", "--no-history", "true", NULL};
    ck_assert_int_eq(check_after(&p, both), -1);
    unit_assert_contains(p.err.text, "not both");
    settings_free(&p.s);
}
END_TEST

START_TEST(check_tasks_with_shards_flag)
{
    struct parsed p;
    char *argv[] = {"distmpi", "--tasks", "t.txt", "-n", "3", NULL};
    ck_assert_int_eq(check_after(&p, argv), -1);
    unit_assert_contains(p.err.text, "--shards");
    settings_free(&p.s);

    /* shards from a configuration file do not conflict: the file serves
     * command runs too */
    char *argv2[] = {"distmpi", "--tasks", "t.txt", NULL};
    parse(&p, argv2);
    struct error why;
    ck_assert_int_eq(settings_set_long(&p.s, &settings_table[SET_SHARDS], 3, SOURCE_CONFIG, &why),
                     0);
    ck_assert_int_eq(cli_check_command(&p.c, &p.s, &p.err), 0);
    settings_free(&p.s);
}
END_TEST

START_TEST(usage_lists_every_option)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    cli_usage(f);
    ck_assert_int_eq(fclose(f), 0);
    for (int i = 0; i < SET_COUNT; i++) {
        char opt[64];
        snprintf(opt, sizeof opt, "--%s", settings_table[i].name);
        unit_assert_contains(text, opt);
    }
    unit_assert_contains(text, "--config");
    unit_assert_contains(text, "--help");
    unit_assert_contains(text, "--version");
    unit_assert_contains(text, "-n, --shards");
    free(text);
}
END_TEST

/* cli_near_option on a NUL-terminated word; "" for none */
static const char *near(const char *word, const char *const *extra)
{
    const char *n = cli_near_option(word, strlen(word), extra);
    return n ? n : "";
}

START_TEST(is_option)
{
    ck_assert(cli_is_option("retries", 7));
    ck_assert(cli_is_option("config", 6));
    ck_assert(cli_is_option("version", 7));
    ck_assert(cli_is_option("run-dir=x", 7)); /* only len counts */
    ck_assert(!cli_is_option("retrie", 6));
    ck_assert(!cli_is_option("retriess", 8));
    ck_assert(!cli_is_option("hostfile", 8));
}
END_TEST

START_TEST(near_option)
{
    const char *const extra[] = {"hostfile", "min-healthy", "ssh-config", NULL};
    ck_assert_str_eq(near("retries", NULL), "retries");                   /* the same */
    ck_assert_str_eq(near("retrie", NULL), "retries");                    /* one dropped */
    ck_assert_str_eq(near("retires", NULL), "retries");                   /* neighbours swapped */
    ck_assert_str_eq(near("max-lod", NULL), "max-load");                  /* one dropped */
    ck_assert_str_eq(near("max-loab", NULL), "max-load");                 /* one changed */
    ck_assert_str_eq(near("hearbeat-timout", NULL), "heartbeat-timeout"); /* two */
    ck_assert_str_eq(near("hostfil", extra), "hostfile");
    ck_assert_str_eq(near("min-helthy", extra), "min-healthy");
    ck_assert_str_eq(near("heartb", NULL), "heartbeat-timeout"); /* a beginning */
    ck_assert_str_eq(near("json", NULL), "json");
    ck_assert_str_eq(near("jsn", NULL), "json"); /* short: one edit */
    ck_assert_str_eq(near("junt", NULL), "junit");
    ck_assert_str_eq(near("jxyz", NULL), ""); /* short: two edits are too many */
    ck_assert_str_eq(near("oversubscribe", extra), "");
    ck_assert_str_eq(near("map-by", extra), "");
    ck_assert_str_eq(near("bind-to", extra), "");
    ck_assert_str_eq(near("mca", extra), "");
    ck_assert_str_eq(near("hea", NULL), ""); /* a beginning needs 4 characters */
    ck_assert_str_eq(near("", NULL), "");
    /* a long word is compared without overrunning anything */
    char longw[200];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    ck_assert_str_eq(near(longw, extra), "");
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, no_options);
    tcase_add_test(tc, every_long_option);
    tcase_add_test(tc, history_precedence);
    tcase_add_test(tc, equals_form);
    tcase_add_test(tc, short_options);
    tcase_add_test(tc, double_dash_ends_options);
    tcase_add_test(tc, command_starts_at_first_non_option);
    tcase_add_test(tc, unknown_long_option);
    tcase_add_test(tc, unknown_short_option);
    tcase_add_test(tc, value_for_flag_without_argument);
    tcase_add_test(tc, ambiguous_abbreviation);
    tcase_add_test(tc, missing_value);
    tcase_add_test(tc, shards_out_of_range);
    tcase_add_test(tc, shards_not_a_number);
    tcase_add_test(tc, seconds_values);
    tcase_add_test(tc, schedule_choice);
    tcase_add_test(tc, dry_run_flag);
    tcase_add_test(tc, config_path_recorded);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, last_flag_wins);
    tcase_add_test(tc, empty_string_value_refused);
    tcase_add_test(tc, parse_again);
    tcase_add_test(tc, long_value_is_quoted_whole);
    tcase_add_test(tc, too_long_value_ends_in_dots);
    suite_add_tcase(s, tc);

    tc = tcase_create("check_command");
    tcase_add_test(tc, check_command_ok);
    tcase_add_test(tc, check_no_command);
    tcase_add_test(tc, check_tasks_and_command);
    tcase_add_test(tc, check_empty_command_word);
    tcase_add_test(tc, check_tasks_with_shards_flag);
    tcase_add_test(tc, usage_lists_every_option);
    suite_add_tcase(s, tc);

    tc = tcase_create("near_option");
    tcase_add_test(tc, is_option);
    tcase_add_test(tc, near_option);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(cli_suite());
}
