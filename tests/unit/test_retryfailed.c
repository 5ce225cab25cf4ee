/* SPDX-License-Identifier: BSD-3-Clause */
/* test_retryfailed.c - unit tests of --retry-command's failed-test words
 * and template (retryfailed.h), and of reading the failed tests out of a
 * JUnit report (junit_each_case). Expanded lines are handed to /bin/sh,
 * which must give back each test name as one word, unchanged. */
#include "config.h"

#include "model/retryfailed.h"

#include <errno.h>
#include <sys/wait.h>

#include "common/buf.h"
#include "exec/collect.h"
#include "report/junit_merge.h"
#include "unit.h"

static const struct subst V = {
    .shard = 2, .index = 1, .total = 3, .host = "node 1", .rank = 0, .slot = 0, .attempt = 2};

static void assert_word(const char *name, const char *classname, const char *file, const char *line,
                        const char *want)
{
    char *got = failed_test_word(name, classname, file, line);
    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(word_mapping)
{
    /* pytest (junit_family=xunit1): node ids */
    assert_word("test_y", "tests.test_a.TestX", "tests/test_a.py", "3",
                "tests/test_a.py::TestX::test_y");
    assert_word("test_y", "tests.test_a", "tests/test_a.py", "3", "tests/test_a.py::test_y");
    assert_word("test_z", "tests.test_a.TestX.Inner", "tests/test_a.py", NULL,
                "tests/test_a.py::TestX::Inner::test_z");
    assert_word("test_p[1-a b]", "t.TestQ", "t.py", NULL, "t.py::TestQ::test_p[1-a b]");
    /* a classname that is not the file's module: the name alone */
    assert_word("test_y", "other.TestX", "tests/test_a.py", NULL, "tests/test_a.py::test_y");
    assert_word("test_y", "tests.test_abc", "tests/test_a.py", NULL, "tests/test_a.py::test_y");
    /* a location */
    assert_word("a.spec.ts › works", "a.spec.ts", "tests/a.spec.ts", "12", "tests/a.spec.ts:12");
    /* a line that is not a number, or no file: the name */
    assert_word("a.spec.ts › works", "a.spec.ts", "tests/a.spec.ts", "x", "a.spec.ts › works");
    assert_word("a.spec.ts › works", "a.spec.ts", NULL, "12", "a.spec.ts › works");
    assert_word(NULL, NULL, NULL, NULL, "");
}
END_TEST

START_TEST(set_dedups_and_files)
{
    struct failed_set s = FAILED_SET_INIT;
    ck_assert_int_eq(failed_set_usable(&s), 0); /* nothing failed: no partial retry */
    ck_assert_int_eq(failed_set_add(&s, "a.spec.ts › one", "a.spec.ts", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_add(&s, "a.spec.ts › two", "a.spec.ts", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_add(&s, "a.spec.ts › one", "a.spec.ts", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_add(&s, "b", NULL, "b.spec.ts", "4"), 0);
    ck_assert_int_eq(failed_set_usable(&s), 1);
    ck_assert_uint_eq(s.ntests, 3);
    ck_assert_str_eq(s.tests[0], "a.spec.ts › one");
    ck_assert_str_eq(s.tests[1], "a.spec.ts › two");
    ck_assert_str_eq(s.tests[2], "b.spec.ts:4");
    ck_assert_uint_eq(s.nfiles, 2);
    ck_assert_str_eq(s.files[0], "a.spec.ts");
    ck_assert_str_eq(s.files[1], "b.spec.ts");
    failed_set_free(&s);
}
END_TEST

/* A set with one test called name: refused (reason holds want) or not. */
static void assert_refused(const char *name, const char *file, const char *want)
{
    struct failed_set s = FAILED_SET_INIT;
    ck_assert_int_eq(failed_set_add(&s, "fine", NULL, NULL, NULL), 0);
    ck_assert_int_eq(failed_set_add(&s, name, NULL, file, NULL), 0);
    ck_assert_msg(s.refused != NULL, "'%s' not refused", name);
    ck_assert_msg(strstr(s.refused, want), "reason '%s' lacks '%s'", s.refused, want);
    ck_assert_ptr_null(strchr(s.refused, '\n'));
    ck_assert_int_eq(failed_set_usable(&s), 0);
    /* later tests change nothing */
    ck_assert_int_eq(failed_set_add(&s, "later", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(s.ntests, 1);
    errno = 0;
    char *line = retry_template_expand("t {failed}", &V, &s);
    ck_assert_ptr_null(line);
    ck_assert_int_eq(errno, EINVAL);
    failed_set_free(&s);
}

START_TEST(hostile_words_refused)
{
    assert_refused("--exec=rm -rf /", NULL, "starts with '-'");
    assert_refused("-k", NULL, "starts with '-'");
    assert_refused("two\nlines", NULL, "control character");
    assert_refused("cr\r", NULL, "control character");
    assert_refused("", NULL, "is empty");
    assert_refused(NULL, NULL, "is empty");
    assert_refused("ok", "-rf.py", "starts with '-'");      /* its node id */
    assert_refused("ok", "-rf.spec.ts", "starts with '-'"); /* its file */
}
END_TEST

START_TEST(limits)
{
    struct failed_set s = FAILED_SET_INIT;
    char name[32];
    for (int i = 0; i <= FAILED_MAX_TESTS; i++) {
        snprintf(name, sizeof name, "t%d", i);
        ck_assert_int_eq(failed_set_add(&s, name, "c", NULL, NULL), 0);
    }
    ck_assert_ptr_nonnull(s.refused);
    ck_assert_int_eq(failed_set_usable(&s), 0);
    failed_set_free(&s);

    char *big = malloc(FAILED_MAX_BYTES / 2);
    memset(big, 'x', FAILED_MAX_BYTES / 2 - 1);
    big[FAILED_MAX_BYTES / 2 - 1] = '\0';
    ck_assert_int_eq(failed_set_add(&s, big, "c", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_usable(&s), 1);
    big[0] = 'y';
    ck_assert_int_eq(failed_set_add(&s, big, "c", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_usable(&s), 0);
    free(big);
    failed_set_free(&s);
}
END_TEST

static void assert_check(const char *text, const char *want_error)
{
    struct error err = {""};
    int rc = retry_template_check(text, &err);
    if (!want_error) {
        ck_assert_msg(rc == 0, "'%s' refused: %s", text, err.text);
        return;
    }
    ck_assert_msg(rc == -1, "'%s' accepted", text);
    ck_assert_msg(strstr(err.text, want_error), "'%s': '%s' lacks '%s'", text, err.text,
                  want_error);
}

START_TEST(template_check_places)
{
    assert_check("pytest {failed}", NULL);
    assert_check("npx playwright test {failed_files} --shard={shard}/{total}", NULL);
    assert_check("npx playwright test --last-failed", NULL); /* no list at all */
    assert_check("t {failed};echo {failed_files}|cat", NULL);
    assert_check("t {{failed}}", NULL); /* literal braces */
    assert_check("t --x={failed}", "a word of its own");
    assert_check("t {failed}x", "a word of its own");
    assert_check("t x\\ {failed}", "a word of its own"); /* x\ {failed}: one word */
    assert_check("t x\\\\ {failed}", NULL); /* x\\ {failed}: a backslash, then a blank */
    assert_check("t '{failed}'", "a word of its own");
    assert_check("t ' {failed} '", "inside '...'");
    assert_check("t \" {failed_files} \"", "inside \"...\"");
    assert_check("t ${x:- {failed} }", "inside ${...}");
    assert_check("t $({failed})", "a word of its own");
    assert_check("t $(echo {failed})", "inside $(...)");
    assert_check("t {failure}", "unknown placeholder {failure}");
    assert_check("t '{host}'", "inside '...'");
}
END_TEST

/* Run line with /bin/sh, where "t" prints each argument on a line of its
 * own, ending with a NUL; return what it printed. */
static char *run_sh(const char *line)
{
    struct buf script = BUF_INIT;
    buf_printf(&script, "t() { for a in \"$@\"; do printf '%%s\\0' \"$a\"; done; }; %s", line);
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl("/bin/sh", "sh", "-c", buf_str(&script), (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    buf_free(&script);
    struct buf out = BUF_INIT;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd[0], chunk, sizeof chunk)) > 0)
        buf_add(&out, chunk, (size_t)n);
    close(fd[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sh failed on: %s", line);
    buf_addc(&out, '\0');
    return buf_take(&out, NULL);
}

START_TEST(expand_through_sh)
{
    static const char *const names[] = {
        "plain",       "with space", "it's",     "say \"hi\"", "$HOME",         "$(touch /tmp/x)",
        "`id`",        "a;b|c&d",    "*",        "~root",      "x=1",           "if",
        "back\\slash", "tab\there",  "{failed}", "{{x}}",      "a.spec.ts › ü",
    };
    size_t n = sizeof names / sizeof *names;
    struct failed_set s = FAILED_SET_INIT;
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(failed_set_add(&s, names[i], "c", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_usable(&s), 0); /* "tab\there": a control character */
    failed_set_free(&s);
    for (size_t i = 0; i < n; i++)
        if (!strchr(names[i], '\t'))
            ck_assert_int_eq(failed_set_add(&s, names[i], "c", NULL, NULL), 0);
    ck_assert_int_eq(failed_set_usable(&s), 1);

    /* {failed} first: a name such as "if" or "x=1" stays an argument */
    char *line = retry_template_expand("{failed} {{x}} {host} {shard}", &V, &s);
    ck_assert_ptr_nonnull(line);
    char *line2 = NULL;
    ck_assert_int_ge(asprintf(&line2, "t %s", line), 0);
    char *out = run_sh(line2);
    const char *p = out;
    for (size_t i = 0; i < n; i++) {
        if (strchr(names[i], '\t'))
            continue;
        ck_assert_str_eq(p, names[i]);
        p += strlen(p) + 1;
    }
    ck_assert_str_eq(p, "{x}");
    p += strlen(p) + 1;
    ck_assert_str_eq(p, "node 1");
    p += strlen(p) + 1;
    ck_assert_str_eq(p, "2");
    p += strlen(p) + 1;
    ck_assert_int_eq(*p, '\0');
    free(out);
    free(line);
    free(line2);

    /* the same list twice, and the files */
    line = retry_template_expand("t {failed_files} -- {failed_files}", &V, &s);
    ck_assert_ptr_nonnull(line);
    ck_assert_str_eq(line, "t 'c' -- 'c'");
    free(line);
    failed_set_free(&s);

    /* no set (the full command's words): the lists are empty */
    line = retry_template_expand("t {failed} end", &V, NULL);
    ck_assert_str_eq(line, "t  end");
    free(line);
}
END_TEST

/* As collect.c adds them: from the test case's own attributes. */
static int collect_failed(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    (void)w;
    if (c->outcome != JUNIT_CASE_FAILED)
        return 0;
    return failed_set_add(arg, c->has_name ? c->name : NULL, c->has_classname ? c->classname : NULL,
                          c->file, c->line);
}

START_TEST(failed_from_junit)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<testsuites><testsuite name=\"s\">\n"
        " <testcase name=\"passes\" classname=\"a.spec.ts\"/>\n"
        " <testcase name=\"a.spec.ts › it&apos;s &quot;broken&quot;\" classname=\"a.spec.ts\">"
        "<failure message=\"x\"/></testcase>\n"
        " <testcase name=\"skipped\" classname=\"a.spec.ts\"><skipped/></testcase>\n"
        " <testsuite name=\"inner\">"
        "  <testcase name=\"test_y\" classname=\"tests.test_b.TestX\" file=\"tests/test_b.py\" "
        "line=\"7\"><error message=\"boom\"/></testcase>\n"
        "  <testcase name=\"flaky\" classname=\"c\"><flakyFailure/></testcase>\n"
        " </testsuite>\n"
        "</testsuite></testsuites>\n";
    struct failed_set s = FAILED_SET_INIT;
    char why[256];
    ck_assert_int_eq(junit_each_case(xml, strlen(xml), collect_failed, &s, why, sizeof why), 5);
    ck_assert_int_eq(failed_set_usable(&s), 1);
    ck_assert_uint_eq(s.ntests, 2);
    ck_assert_str_eq(s.tests[0], "a.spec.ts › it's \"broken\"");
    ck_assert_str_eq(s.tests[1], "tests/test_b.py::TestX::test_y");
    ck_assert_str_eq(s.files[1], "tests/test_b.py");
    failed_set_free(&s);

    /* no test failed: nothing to retry on its own */
    static const char none[] = "<testsuite><testcase name=\"a\"/></testsuite>";
    ck_assert_int_eq(junit_each_case(none, strlen(none), collect_failed, &s, why, sizeof why), 1);
    ck_assert_int_eq(failed_set_usable(&s), 0);
    /* not JUnit, or not XML */
    static const char html[] = "<html/>";
    ck_assert_int_eq(junit_each_case(html, strlen(html), collect_failed, &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "root element"));
    static const char cut[] = "<testsuite><testcase name=\"a\"><failure/>";
    ck_assert_int_eq(junit_each_case(cut, strlen(cut), collect_failed, &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "not well-formed"));
    failed_set_free(&s);
}
END_TEST

/* collect_failed_tests on a JUnit report holding xml, into s. */
static int failed_from_file(const char *xml, struct failed_set *s, struct error *why)
{
    char tmp[4096], path[4200];
    unit_write_temp(xml, strlen(xml), tmp);
    snprintf(path, sizeof path, "%s.xml", tmp);
    ck_assert_int_eq(rename(tmp, path), 0);
    int rc = collect_failed_tests(path, &V, 0, s, why);
    unlink(path);
    return rc;
}

START_TEST(failed_words_from_own_attributes)
{
    /* a test case without a classname is retried under its own name, not
     * the name of the suite around it, which no test tool knows */
    static const char nested[] =
        "<testsuites><testsuite name=\"outer\"><testsuite name=\"inner\">"
        "<testcase name=\"t1\"><failure/></testcase>"
        "</testsuite></testsuite></testsuites>";
    struct failed_set s = FAILED_SET_INIT;
    struct error why;
    ck_assert_int_eq(failed_from_file(nested, &s, &why), 0);
    ck_assert_uint_eq(s.ntests, 1);
    ck_assert_str_eq(s.tests[0], "t1");
    ck_assert_uint_eq(s.nfiles, 1);
    ck_assert_str_eq(s.files[0], "t1");
    failed_set_free(&s);

    /* a failed test case without a name gives an empty word: the whole
     * shard is retried, never a test called "(unnamed)" */
    static const char unnamed[] =
        "<testsuite name=\"s\"><testcase classname=\"c\"><error/></testcase></testsuite>";
    ck_assert_int_eq(failed_from_file(unnamed, &s, &why), 1);
    unit_assert_contains(why.text, "the failed test \"\" is empty");
    failed_set_free(&s);
}
END_TEST

static Suite *retryfailed_suite(void)
{
    Suite *s = suite_create("retryfailed");
    TCase *tc = tcase_create("words");
    tcase_add_test(tc, word_mapping);
    tcase_add_test(tc, set_dedups_and_files);
    tcase_add_test(tc, hostile_words_refused);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, failed_from_junit);
    tcase_add_test(tc, failed_words_from_own_attributes);
    suite_add_tcase(s, tc);
    tc = tcase_create("template");
    tcase_add_test(tc, template_check_places);
    tcase_add_test(tc, expand_through_sh);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(retryfailed_suite());
}
