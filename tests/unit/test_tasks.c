/* SPDX-License-Identifier: BSD-3-Clause */
/* test_tasks.c - unit tests of task files (tasks.h). */
#include "config.h"

#include "config/tasks.h"

#include <errno.h>

#include "unit.h"

/* Parse len bytes copied into a buffer of exactly that size (no terminator),
 * so a read past the end shows under valgrind or ASan. */
static int parse_bytes(const char *data, size_t len, struct tasklist **out, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = tasks_parse("tasks.txt", copy, len, out, e);
    free(copy);
    return rc;
}

static int parse_text(const char *text, struct tasklist **out, struct error *e)
{
    return parse_bytes(text, strlen(text), out, e);
}

/* Check t holds exactly the commands want (NULL-terminated) from the lines in nos. */
static void assert_tasks(const struct tasklist *t, const char *const *want, const long *nos)
{
    long n = 0;
    while (want[n])
        n++;
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->count, n);
    for (long i = 0; i < n; i++) {
        ck_assert_str_eq(t->lines[i], want[i]);
        ck_assert_int_eq(t->lineno[i], nos[i]);
    }
}

START_TEST(one_command_per_line)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text("make -C a\nmake -C b\nmake -C c\n", &t, &err), 0);
    assert_tasks(t, (const char *[]){"make -C a", "make -C b", "make -C c", NULL},
                 (long[]){1, 2, 3});
    tasks_destroy(t);
}
END_TEST

START_TEST(blank_lines_and_comments_skipped)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    const char *text =
        "# a comment\n"              /* 1 */
        "\n"                         /* 2 */
        "echo one\n"                 /* 3 */
        "   # indented\n"            /* 4 */
        "\t#\ttabbed\n"              /* 5 */
        "  \t \n"                    /* 6 */
        "echo two # not a comment\n" /* 7 */
        "#\n"                        /* 8 */
        "echo three\n";              /* 9 */
    ck_assert_msg(parse_text(text, &t, &err) == 0, "refused: %s", err.text);
    assert_tasks(t, (const char *[]){"echo one", "echo two # not a comment", "echo three", NULL},
                 (long[]){3, 7, 9});
    tasks_destroy(t);
}
END_TEST

START_TEST(indented_command_kept)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text("\n  echo x\n", &t, &err), 0);
    ck_assert_int_eq(t->count, 1);
    ck_assert_int_eq(t->lineno[0], 2);
    unit_assert_contains(t->lines[0], "echo x");
    tasks_destroy(t);
}
END_TEST

START_TEST(crlf_stripped)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text("echo a\r\n\r\n# c\r\necho b\r\n", &t, &err), 0);
    assert_tasks(t, (const char *[]){"echo a", "echo b", NULL}, (long[]){1, 4});
    tasks_destroy(t);

    /* the last line without its newline, but with its \r */
    ck_assert_int_eq(parse_text("echo a\r\necho b\r", &t, &err), 0);
    assert_tasks(t, (const char *[]){"echo a", "echo b", NULL}, (long[]){1, 2});
    tasks_destroy(t);
}
END_TEST

START_TEST(no_trailing_newline)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text("a\nb", &t, &err), 0);
    assert_tasks(t, (const char *[]){"a", "b", NULL}, (long[]){1, 2});
    tasks_destroy(t);
    ck_assert_int_eq(parse_text("only", &t, &err), 0);
    assert_tasks(t, (const char *[]){"only", NULL}, (long[]){1});
    tasks_destroy(t);
}
END_TEST

START_TEST(len_is_respected)
{
    /* bytes past len are not part of the file */
    struct tasklist *t = NULL;
    struct error err = {""};
    const char *text = "a\nb\nc\nd\n";
    ck_assert_int_eq(parse_bytes(text, 4, &t, &err), 0);
    assert_tasks(t, (const char *[]){"a", "b", NULL}, (long[]){1, 2});
    tasks_destroy(t);
    ck_assert_int_eq(parse_bytes(text, 3, &t, &err), 0);
    assert_tasks(t, (const char *[]){"a", "b", NULL}, (long[]){1, 2});
    tasks_destroy(t);
}
END_TEST

START_TEST(no_tasks_is_error)
{
    const char *texts[] = {"", "\n", "\n\n  \n", "# only\n# comments\n", "  # x\r\n\t\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct tasklist *t = NULL;
        struct error err = {""};
        ck_assert_msg(parse_text(texts[i], &t, &err) == -1, "text %zu accepted", i);
        unit_assert_prefix(err.text, "tasks.txt: ");
        unit_assert_contains(err.text, "no tasks");
    }
}
END_TEST

START_TEST(nul_byte_is_error)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    const char data[] = "echo a\necho \0b\necho c\n";
    ck_assert_int_eq(parse_bytes(data, sizeof data - 1, &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:2: ");
    unit_assert_contains(err.text, "NUL");

    /* also in a line that would be a comment, and at the very end */
    const char data2[] = "a\n# \0\n";
    ck_assert_int_eq(parse_bytes(data2, sizeof data2 - 1, &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:2: ");
    const char data3[] = "a\nb\n\0";
    ck_assert_int_eq(parse_bytes(data3, sizeof data3 - 1, &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:3: ");
}
END_TEST

START_TEST(unknown_placeholder_is_error)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(
        parse_text("echo {shard}\n# {foo} in a comment is fine\n\necho {foo}\n", &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:4: unknown placeholder {foo}");
}
END_TEST

/* The reason is whole after "FILE:LINE: " however long the placeholder: it
 * used to pass through a 512-byte buffer and lose its end without a sign. */
START_TEST(long_placeholder_is_quoted_whole)
{
    char text[512], name[401];
    memset(name, 'p', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, "echo ok\necho {%s}\n", name);
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text(text, &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:2: unknown placeholder {pppp");
    unit_assert_contains(err.text, name);
    const char *end = "write {{ and }} for literal braces)";
    size_t n = strlen(err.text);
    ck_assert_str_eq(err.text + n - strlen(end), end);
}
END_TEST

/* Too long for any message: cut, and the cut marked. */
START_TEST(too_long_placeholder_ends_in_dots)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "echo {");
    memset(text + n, 'q', 3000);
    snprintf(text + n + 3000, sizeof text - n - 3000, "}\n");
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text(text, &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:1: unknown placeholder {qqqq");
    n = strlen(err.text);
    ck_assert_uint_eq(n, sizeof err.text - 1);
    ck_assert_str_eq(err.text + n - 3, "...");
}
END_TEST

/* A line goes to /bin/sh: a value from outside must not stand in quotes,
 * where the shell would read its quoting as the end of the user's. */
START_TEST(quoted_placeholder_is_error)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_text("echo \"shard {shard}\" {output_dir}\n"
                                "# cd '{output_dir}' in a comment line is fine\n"
                                "cd '{output_dir}' && pwd\n",
                                &t, &err),
                     -1);
    unit_assert_prefix(err.text, "tasks.txt:3: {output_dir} is inside '...' quotes (column 5); ");
    unit_assert_contains(err.text, "\"$DISTMPI_OUTPUT_DIR\"");
    ck_assert_int_eq(parse_text("echo ok\nssh x \"cd {host}\"\n", &t, &err), -1);
    unit_assert_prefix(err.text, "tasks.txt:2: {host} is inside \"...\" quotes");
}
END_TEST

START_TEST(placeholders_and_braces_accepted)
{
    struct tasklist *t = NULL;
    struct error err = {""};
    const char *text =
        "run --shard {shard} --of {total} --host {host}\n"
        "echo {{literal}} ${HOME} {\"a\":1}\n"
        "{ echo grouped; }\n";
    ck_assert_msg(parse_text(text, &t, &err) == 0, "refused: %s", err.text);
    ck_assert_int_eq(t->count, 3);
    /* the lines are kept as written: expansion happens later */
    ck_assert_str_eq(t->lines[1], "echo {{literal}} ${HOME} {\"a\":1}");
    tasks_destroy(t);
}
END_TEST

START_TEST(many_lines)
{
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    for (int i = 1; i <= 1000; i++) {
        if (i % 10 == 0)
            len += (size_t)snprintf(text + len, cap - len, "# comment %d\n", i);
        else
            len += (size_t)snprintf(text + len, cap - len, "echo %d\n", i);
    }
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_bytes(text, len, &t, &err), 0);
    ck_assert_int_eq(t->count, 900);
    long k = 0;
    for (int i = 1; i <= 1000; i++) {
        if (i % 10 == 0)
            continue;
        char want[32];
        snprintf(want, sizeof want, "echo %d", i);
        unit_require(!strcmp(t->lines[k], want), "task %ld is '%s', want '%s'", k, t->lines[k],
                     want);
        unit_require_eq(t->lineno[k], i);
        k++;
    }
    tasks_destroy(t);
    free(text);
}
END_TEST

START_TEST(destroy_null)
{
    errno = ENOTTY;
    tasks_destroy(NULL);
    ck_assert_int_eq(errno, ENOTTY);
}
END_TEST

START_TEST(load_missing_file)
{
    char path[4096], want[4200];
    struct error err = {""};
    snprintf(path, sizeof path, "%s/distmpi-unit-no-such-tasks-%ld", unit_tmpdir(), (long)getpid());
    struct tasklist *t = NULL;
    ck_assert_int_eq(tasks_load(path, &t, &err), -1);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ck_assert_str_eq(err.text, want);
}
END_TEST

START_TEST(load_directory)
{
    const char *dir = unit_tmpdir();
    struct tasklist *t = NULL;
    struct error err = {""};
    ck_assert_int_eq(tasks_load(dir, &t, &err), -1);
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s: ", dir);
    unit_assert_prefix(err.text, prefix);
    ck_assert_msg(strlen(err.text) > strlen(prefix), "no reason: '%s'", err.text);
}
END_TEST

START_TEST(load_real_file)
{
    char path[4096];
    struct error err = {""};
    const char *text = "# tasks\necho one\n\necho two\necho {shard}/{total}\n";
    unit_write_temp(text, strlen(text), path);
    struct tasklist *t = NULL;
    int rc = tasks_load(path, &t, &err);
    unlink(path);
    ck_assert_msg(rc == 0, "refused: %s", err.text);
    assert_tasks(t, (const char *[]){"echo one", "echo two", "echo {shard}/{total}", NULL},
                 (long[]){2, 4, 5});
    tasks_destroy(t);
}
END_TEST

START_TEST(load_errors_name_the_file)
{
    char path[4096], prefix[4200];
    struct error err = {""};
    unit_write_temp("ok\n{nope}\n", 10, path);
    struct tasklist *t = NULL;
    int rc = tasks_load(path, &t, &err);
    unlink(path);
    ck_assert_int_eq(rc, -1);
    snprintf(prefix, sizeof prefix, "%s:2: unknown placeholder {nope}", path);
    unit_assert_prefix(err.text, prefix);

    unit_write_temp("", 0, path);
    rc = tasks_load(path, &t, &err);
    unlink(path);
    ck_assert_int_eq(rc, -1);
    snprintf(prefix, sizeof prefix, "%s: no tasks", path);
    unit_assert_prefix(err.text, prefix);
}
END_TEST

START_TEST(load_large_file)
{
    /* bigger than one read buffer */
    size_t n = 20000, len = 0;
    char *text = malloc(n * 16);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "echo %zu\n", i);
    char path[4096];
    struct error err = {""};
    unit_write_temp(text, len, path);
    free(text);
    struct tasklist *t = NULL;
    int rc = tasks_load(path, &t, &err);
    unlink(path);
    ck_assert_msg(rc == 0, "refused: %s", err.text);
    ck_assert_int_eq(t->count, (long)n);
    ck_assert_str_eq(t->lines[n - 1], "echo 19999");
    ck_assert_int_eq(t->lineno[n - 1], (long)n);
    tasks_destroy(t);
}
END_TEST

static Suite *tasks_suite(void)
{
    Suite *s = suite_create("tasks");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, one_command_per_line);
    tcase_add_test(tc, blank_lines_and_comments_skipped);
    tcase_add_test(tc, indented_command_kept);
    tcase_add_test(tc, crlf_stripped);
    tcase_add_test(tc, no_trailing_newline);
    tcase_add_test(tc, len_is_respected);
    tcase_add_test(tc, no_tasks_is_error);
    tcase_add_test(tc, nul_byte_is_error);
    tcase_add_test(tc, unknown_placeholder_is_error);
    tcase_add_test(tc, long_placeholder_is_quoted_whole);
    tcase_add_test(tc, too_long_placeholder_ends_in_dots);
    tcase_add_test(tc, quoted_placeholder_is_error);
    tcase_add_test(tc, placeholders_and_braces_accepted);
    tcase_add_test(tc, many_lines);
    tcase_add_test(tc, destroy_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, load_missing_file);
    tcase_add_test(tc, load_directory);
    tcase_add_test(tc, load_real_file);
    tcase_add_test(tc, load_errors_name_the_file);
    tcase_add_test(tc, load_large_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(tasks_suite());
}
