/* test_template.c - unit tests of command templates and shell quoting
 * (template.h). The quoting tests hand the quoted text to /bin/sh and check
 * that it gives back the original value. */
#include "config.h"

#include "template.h"

#include <errno.h>
#include <limits.h>

#include "unit.h"

static const struct subst V = {
    .shard = 4, .index = 3, .total = 10, .host = "node1", .rank = 2, .slot = 1, .attempt = 1};

/* Expand text and compare with want (NULL: expansion must fail with EINVAL). */
static void assert_expands(const char *text, const struct subst *v, bool quote, const char *want)
{
    errno = 0;
    char *got = template_expand(text, v, quote);
    if (!want) {
        ck_assert_msg(got == NULL, "'%s' expanded to '%s', expected an error", text,
                      got ? got : "");
        ck_assert_int_eq(errno, EINVAL);
        return;
    }
    ck_assert_msg(got != NULL, "'%s' not expanded (errno %d)", text, errno);
    ck_assert_msg(!strcmp(got, want), "'%s' expanded to '%s', want '%s'", text, got, want);
    free(got);
}

static void assert_check_ok(const char *text)
{
    char err[512] = "";
    ck_assert_msg(template_check(text, err, sizeof err) == 0, "'%s' refused: %s", text, err);
}

START_TEST(all_placeholders)
{
    const char *text = "{shard} {index} {total} {host} {rank} {slot} {attempt}";
    assert_check_ok(text);
    assert_expands(text, &V, false, "4 3 10 node1 2 1 1");
    assert_expands(text, &V, true, "4 3 10 node1 2 1 1");
    struct subst w = {.shard = 1000000,
                      .index = 999999,
                      .total = 1000000,
                      .host = "h",
                      .rank = 0,
                      .slot = 0,
                      .attempt = 3};
    assert_expands("--shard={shard}/{total} -i{index} a{attempt}", &w, false,
                   "--shard=1000000/1000000 -i999999 a3");
}
END_TEST

START_TEST(output_dir_placeholder)
{
    struct subst w = V;
    w.output_dir = "/runs/r 1/shard-04/attempt-1";
    assert_check_ok("--output={output_dir}/results");
    assert_expands("--output={output_dir}/results", &w, false,
                   "--output=/runs/r 1/shard-04/attempt-1/results");
    assert_expands("cp x {output_dir}", &w, true, "cp x '/runs/r 1/shard-04/attempt-1'");
    assert_expands("[{output_dir}]", &V, false, "[]"); /* none known: empty */
}
END_TEST

START_TEST(repeated_and_adjacent)
{
    assert_expands("{shard}{shard}{index}", &V, false, "443");
    assert_expands("out-{rank}-{slot}.log", &V, false, "out-2-1.log");
    assert_expands("{host}:{host}", &V, false, "node1:node1");
    assert_expands("", &V, false, "");
    assert_expands("no placeholders at all", &V, true, "no placeholders at all");
}
END_TEST

START_TEST(extreme_numbers)
{
    struct subst w = V;
    w.rank = -1;
    w.shard = LONG_MAX;
    w.index = LONG_MIN;
    assert_expands("{rank} {shard} {index}", &w, false,
                   "-1 9223372036854775807 -9223372036854775808");
    assert_expands("{rank}", &w, true, "-1");
}
END_TEST

START_TEST(doubled_braces_are_literal)
{
    assert_check_ok("{{shard}}");
    assert_expands("{{shard}}", &V, false, "{shard}");
    assert_expands("a{{b", &V, false, "a{b");
    assert_expands("a}}b", &V, false, "a}b");
    assert_expands("{{{shard}}}", &V, false, "{4}");
    assert_expands("{{}}", &V, false, "{}");
    assert_expands("{{foo}}", &V, false, "{foo}"); /* not a placeholder: no error */
    assert_check_ok("{{foo}}");
    assert_expands("awk '{{print $1}}'", &V, true, "awk '{print $1}'");
}
END_TEST

START_TEST(other_braces_left_alone)
{
    const char *texts[] = {"${HOME}",   "{ echo; }", "{\"a\":1}", "{}",      "{Shard}",
                           "{ shard }", "{shard",    "shard}",    "}",       "{",
                           "{1}",       "{a-b}",     "x{}y",      "{SHARD}", "${PATH:-x}",
                           "a { b } c", "{}{}",      "{shard-1}", "{-shard}"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_check_ok(texts[i]);
        assert_expands(texts[i], &V, false, texts[i]);
    }
}
END_TEST

START_TEST(unknown_placeholder_refused)
{
    const char *texts[][2] = {{"echo {foo}", "{foo}"},
                              {"{shard} {bogus_name}", "{bogus_name}"},
                              {"{hosts}", "{hosts}"},
                              {"{{shard}} {nope}", "{nope}"},
                              {"${home}", "{home}"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char err[512] = "";
        ck_assert_msg(template_check(texts[i][0], err, sizeof err) == -1, "'%s' accepted",
                      texts[i][0]);
        unit_assert_contains(err, "unknown placeholder");
        unit_assert_contains(err, texts[i][1]);
        ck_assert_ptr_null(strchr(err, '\n'));
        assert_expands(texts[i][0], &V, false, NULL);
        assert_expands(texts[i][0], &V, true, NULL);
    }
}
END_TEST

START_TEST(check_message_fits_small_buffer)
{
    char err[32];
    memset(err, 'Z', sizeof err);
    ck_assert_int_eq(template_check("{foo}", err, 10), -1);
    ck_assert_int_eq(err[9], '\0');
    for (size_t i = 10; i < sizeof err; i++)
        ck_assert_int_eq(err[i], 'Z');
}
END_TEST

/* A value is substituted as it is, never scanned again. */
START_TEST(values_not_rescanned)
{
    struct subst w = V;
    w.host = "{shard}";
    assert_expands("{host}", &w, false, "{shard}");
    w.host = "{{";
    assert_expands("{host}", &w, false, "{{");
    w.host = "{foo}";
    assert_expands("x{host}x", &w, false, "x{foo}x");
}
END_TEST

START_TEST(no_splitting_without_quoting)
{
    /* in command mode each word is expanded on its own: a host with a space
     * stays one string, unquoted */
    struct subst w = V;
    w.host = "a b";
    assert_expands("{host}", &w, false, "a b");
    assert_expands("--host={host}", &w, false, "--host=a b");
    w.host = "it's \"x\" $y";
    assert_expands("{host}", &w, false, "it's \"x\" $y");
    w.host = NULL;
    assert_expands("[{host}]", &w, false, "[]");
}
END_TEST

START_TEST(task_mode_quotes_values)
{
    struct subst w = V;
    w.host = "a b";
    assert_expands("echo {host} {shard}", &w, true, "echo 'a b' 4");
    w.host = "";
    assert_expands("echo {host}", &w, true, "echo ''");
    w.host = NULL;
    assert_expands("echo {host}", &w, true, "echo ''");
    w.host = "node-1.example.com";
    assert_expands("ssh {host}", &w, true, "ssh node-1.example.com");
    w.host = "x'y";
    assert_expands("{host}", &w, true, "'x'\\''y'");
    /* literal text around the value is not quoted */
    w.host = "a b";
    assert_expands("echo \"{{\" {host} $HOME", &w, true, "echo \"{\" 'a b' $HOME");
}
END_TEST

static void assert_quote(const char *s, const char *want)
{
    char *q = shell_quote(s);
    ck_assert_ptr_nonnull(q);
    ck_assert_msg(!strcmp(q, want), "shell_quote(\"%s\") = \"%s\", want \"%s\"", s, q, want);
    free(q);
}

START_TEST(quote_safe_values_unchanged)
{
    const char *safe[] = {"abc",
                          "ABC",
                          "0123456789",
                          "node-01.cluster.example.org",
                          "A-Z_0.9/x:y=z@w%v+u,t",
                          "-1",
                          "/usr/bin/env",
                          "a=b",
                          "%",
                          "@host"};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        assert_quote(safe[i], safe[i]);
}
END_TEST

START_TEST(quote_unsafe_values)
{
    assert_quote("", "''");
    assert_quote("a b", "'a b'");
    assert_quote("$x", "'$x'");
    assert_quote("it's", "'it'\\''s'");
    assert_quote("'", "''\\'''");
    assert_quote("\"", "'\"'");
    assert_quote("~", "'~'");
    assert_quote("*", "'*'");
    assert_quote("a;b", "'a;b'");
    assert_quote("a\nb", "'a\nb'");
    assert_quote("\\", "'\\'");
    assert_quote("\xc3\xa9", "'\xc3\xa9'"); /* non-ASCII is quoted too */
}
END_TEST

/* Run one /bin/sh script that prints each quoted value followed by a NUL,
 * and compare what comes back with the originals. */
static void assert_shell_gives_back(const char *const *values, size_t n)
{
    size_t cap = 1 << 16, len = 0;
    char *script = malloc(cap);
    len += (size_t)snprintf(script, cap, "printf '%%s\\0'");
    for (size_t i = 0; i < n; i++) {
        char *q = shell_quote(values[i]);
        ck_assert_ptr_nonnull(q);
        ck_assert_uint_lt(len + strlen(q) + 2, cap);
        len += (size_t)snprintf(script + len, cap - len, " %s", q);
        free(q);
    }
    char path[4096];
    unit_write_temp(script, len, path);
    free(script);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "/bin/sh %s", path);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    char *out = malloc(cap);
    size_t got = fread(out, 1, cap, f);
    int status = pclose(f);
    unlink(path);
    ck_assert_int_eq(status, 0);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(pos < got, "the shell printed only %zu of %zu values", i, n);
        ck_assert_msg(!strcmp(out + pos, values[i]), "value %zu: shell gave '%s', want '%s'", i,
                      out + pos, values[i]);
        pos += strlen(values[i]) + 1;
    }
    ck_assert_uint_eq(pos, got);
    free(out);
}

START_TEST(quote_round_trip_through_sh)
{
    const char *values[] = {"a'b \"c\" $(x) ;`",
                            "",
                            " ",
                            "'",
                            "''",
                            "\\",
                            "\n",
                            "*",
                            "~",
                            "a\tb",
                            "$HOME",
                            "!x",
                            "#x",
                            "-n",
                            "%s%d",
                            "a b  c",
                            "$(touch /tmp/distmpi-unit-pwned)",
                            "`id`",
                            "x\\'y",
                            "}{",
                            "&|<>",
                            "\xc3\xa9t\xc3\xa9",
                            "\x7f\x01\x1b[0m"};
    assert_shell_gives_back(values, sizeof values / sizeof values[0]);
}
END_TEST

START_TEST(quote_random_round_trip)
{
    /* random strings of every byte but NUL */
    enum { N = 200 };
    static char buf[N][48];
    const char *values[N];
    unsigned long long st = 4242;
    for (int i = 0; i < N; i++) {
        int len = (int)unit_rand_range(&st, 0, 47);
        for (int k = 0; k < len; k++)
            buf[i][k] = (char)unit_rand_range(&st, 1, 255);
        buf[i][len] = '\0';
        values[i] = buf[i];
    }
    assert_shell_gives_back(values, N);
}
END_TEST

/* The task-mode expansion of "printf %s {host}" through /bin/sh prints the host. */
START_TEST(task_mode_through_sh)
{
    const char *nasty = "a'b \"c\" $(x) ;`";
    struct subst w = V;
    w.host = nasty;
    char *cmd = template_expand("printf %s {host}", &w, true);
    ck_assert_ptr_nonnull(cmd);
    FILE *f = popen(cmd, "r");
    free(cmd);
    ck_assert_ptr_nonnull(f);
    char out[256] = "";
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_str_eq(out, nasty);
}
END_TEST

static Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("expand");
    tcase_add_test(tc, all_placeholders);
    tcase_add_test(tc, output_dir_placeholder);
    tcase_add_test(tc, repeated_and_adjacent);
    tcase_add_test(tc, extreme_numbers);
    tcase_add_test(tc, doubled_braces_are_literal);
    tcase_add_test(tc, other_braces_left_alone);
    tcase_add_test(tc, unknown_placeholder_refused);
    tcase_add_test(tc, check_message_fits_small_buffer);
    tcase_add_test(tc, values_not_rescanned);
    tcase_add_test(tc, no_splitting_without_quoting);
    tcase_add_test(tc, task_mode_quotes_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("quote");
    tcase_add_test(tc, quote_safe_values_unchanged);
    tcase_add_test(tc, quote_unsafe_values);
    tcase_add_test(tc, quote_round_trip_through_sh);
    tcase_add_test(tc, quote_random_round_trip);
    tcase_add_test(tc, task_mode_through_sh);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(template_suite());
}
