/* SPDX-License-Identifier: BSD-3-Clause */
/* test_hostfile.c - unit tests of Open MPI hostfiles (hostfile.h). */
#include "config.h"

#include "config/hostfile.h"

#include <errno.h>
#include <sys/stat.h>

#include "unit.h"

/* Parse len bytes copied into a buffer of exactly that size (no terminator),
 * so a read past the end shows under valgrind or ASan. */
static int parse_bytes(const char *data, size_t len, struct hostfile **out, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = hostfile_parse("hosts", copy, len, out, e);
    free(copy);
    return rc;
}

static struct hostfile *parse_ok(const char *text)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(parse_bytes(text, strlen(text), &h, &err) == 0, "refused '%s': %s", text,
                  err.text);
    ck_assert_ptr_nonnull(h);
    return h;
}

/* Parse text, expect failure with an error starting with prefix and
 * containing needle. */
static void parse_bad(const char *text, const char *prefix, const char *needle)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(parse_bytes(text, strlen(text), &h, &err) == -1, "accepted '%s'", text);
    ck_assert_ptr_null(h);
    unit_assert_prefix(err.text, prefix);
    unit_assert_contains(err.text, needle);
}

static void assert_host(const struct hostfile *h, long i, const char *user, const char *name,
                        long slots, long max_slots, long line)
{
    ck_assert_int_lt(i, h->count);
    const struct hostfile_entry *e = &h->hosts[i];
    ck_assert_str_eq(e->name, name);
    if (user)
        ck_assert_str_eq(e->user ? e->user : "(null)", user);
    else
        ck_assert_ptr_null(e->user);
    ck_assert_int_eq(e->slots, slots);
    ck_assert_int_eq(e->max_slots, max_slots);
    ck_assert_int_eq(e->line, line);
}

START_TEST(syntax_forms)
{
    struct hostfile *h = parse_ok(
        "aa\n"
        "bb slots=4\n"
        "cc max_slots=8\n"
        "dd slots=2 max_slots=3\n"
        "ee max_slots=5 slots=5\n"
        "ff count=6\n"
        "gg cpu=7\n"
        "hh max-slots=2 \n"
        "ii slots_max=9\n"
        "jj slots-max=10\n"
        "kk slots = 3   max_slots= 4\n"
        "bob@ll slots=2\n"
        "10.0.0.1 slots=1\n"
        "fe80::1 slots=2\n"
        "::1\n"
        "node-01.example.org\n"
        "under_score\n"
        "42\n");
    ck_assert_int_eq(h->count, 18);
    assert_host(h, 0, NULL, "aa", 0, 0, 1);
    assert_host(h, 1, NULL, "bb", 4, 0, 2);
    assert_host(h, 2, NULL, "cc", 0, 8, 3);
    assert_host(h, 3, NULL, "dd", 2, 3, 4);
    assert_host(h, 4, NULL, "ee", 5, 5, 5);
    assert_host(h, 5, NULL, "ff", 6, 0, 6);
    assert_host(h, 6, NULL, "gg", 7, 0, 7);
    assert_host(h, 7, NULL, "hh", 0, 2, 8);
    assert_host(h, 8, NULL, "ii", 0, 9, 9);
    assert_host(h, 9, NULL, "jj", 0, 10, 10);
    assert_host(h, 10, NULL, "kk", 3, 4, 11);
    assert_host(h, 11, "bob", "ll", 2, 0, 12);
    assert_host(h, 12, NULL, "10.0.0.1", 1, 0, 13);
    assert_host(h, 13, NULL, "fe80::1", 2, 0, 14);
    assert_host(h, 14, NULL, "::1", 0, 0, 15);
    assert_host(h, 15, NULL, "node-01.example.org", 0, 0, 16);
    assert_host(h, 16, NULL, "under_score", 0, 0, 17);
    assert_host(h, 17, NULL, "42", 0, 0, 18);
    hostfile_destroy(h);
}
END_TEST

START_TEST(comments_blanks_crlf_tabs)
{
    struct hostfile *h = parse_ok(
        "# header\n"                 /* 1 */
        "\n"                         /* 2 */
        "aa slots=2 # two\n"         /* 3 */
        "   # indented\n"            /* 4 */
        "\tbb\tslots=3\t\n"          /* 5 */
        "  \t \n"                    /* 6 */
        "cc slots=1\r\n"             /* 7 */
        "\r\n"                       /* 8 */
        "dd#glued comment\r\n"       /* 9 */
        "ee slots=4 max_slots=4#x"); /* 10, no newline */
    ck_assert_int_eq(h->count, 5);
    assert_host(h, 0, NULL, "aa", 2, 0, 3);
    assert_host(h, 1, NULL, "bb", 3, 0, 5);
    assert_host(h, 2, NULL, "cc", 1, 0, 7);
    assert_host(h, 3, NULL, "dd", 0, 0, 9);
    assert_host(h, 4, NULL, "ee", 4, 4, 10);
    hostfile_destroy(h);
}
END_TEST

START_TEST(no_final_newline)
{
    struct hostfile *h = parse_ok("aa slots=1\nbb slots=2");
    ck_assert_int_eq(h->count, 2);
    assert_host(h, 1, NULL, "bb", 2, 0, 2);
    hostfile_destroy(h);
    h = parse_ok("only");
    ck_assert_int_eq(h->count, 1);
    assert_host(h, 0, NULL, "only", 0, 0, 1);
    hostfile_destroy(h);
    h = parse_ok("x slots=3\r");
    assert_host(h, 0, NULL, "x", 3, 0, 1);
    hostfile_destroy(h);
}
END_TEST

START_TEST(empty_is_not_error)
{
    const char *texts[] = {"", "\n", "\n\n  \n", "# only\n# comments\n", "  # x\r\n\t\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct hostfile *h = parse_ok(texts[i]);
        ck_assert_int_eq(h->count, 0);
        hostfile_destroy(h);
    }
}
END_TEST

START_TEST(duplicates_merged)
{
    /* as mpirun 4.1: repeated bare lines count one slot each */
    struct hostfile *h = parse_ok("aa\nbb slots=2\naa\naa\n");
    ck_assert_int_eq(h->count, 2);
    assert_host(h, 0, NULL, "aa", 3, 0, 1);
    assert_host(h, 1, NULL, "bb", 2, 0, 2);
    hostfile_destroy(h);

    /* a counted first line plus a bare repeat adds one; max_slots replaces */
    h = parse_ok("aa slots=2\nbb\naa max_slots=5\nbob@aa\n");
    ck_assert_int_eq(h->count, 2);
    assert_host(h, 0, NULL, "aa", 4, 5, 1);
    assert_host(h, 1, NULL, "bb", 0, 0, 2);
    hostfile_destroy(h);

    /* a second slot count for the same host: mpirun refuses it */
    parse_bad("aa slots=2\nbb\naa slots=4\n", "hosts:3: ", "line 1");
    parse_bad("aa\naa slots=4\n", "hosts:2: ", "aa");
    parse_bad("bob@aa slots=2\nbob@aa slots=1\n", "hosts:2: ", "already");
    /* merging past the limit */
    parse_bad("aa slots=2 max_slots=2\naa\n", "hosts:2: ", "max_slots=2");
}
END_TEST

START_TEST(bad_names)
{
    parse_bad("a!b slots=2\n", "hosts:1: ", "a!b");
    parse_bad("ok\n-dash\n", "hosts:2: ", "-dash");
    parse_bad("ok\n\n.dot\n", "hosts:3: ", ".dot");
    parse_bad("^excluded\n", "hosts:1: ", "^excluded");
    parse_bad("+n0\n", "hosts:1: ", "+n0");
    parse_bad("// c++ comment\n", "hosts:1: ", "//");
    parse_bad("/* c */\n", "hosts:1: ", "/*");
    parse_bad("@host\n", "hosts:1: ", "user");
    parse_bad("bob@\n", "hosts:1: ", "missing host name");
    parse_bad("a@b@c\n", "hosts:1: ", "a@b@c");
    parse_bad("bo/b@host\n", "hosts:1: ", "user");
    parse_bad("fe80::zz\n", "hosts:1: ", "IPv6");
    parse_bad("\"quoted\"\n", "hosts:1: ", "quoted");
    parse_bad("=3\n", "hosts:1: ", "missing host name");
    parse_bad("h\xc3\xa9te\n", "hosts:1: ", "bad character");
}
END_TEST

START_TEST(bad_slots)
{
    parse_bad("aa slots=0\n", "hosts:1: ", "slots=0");
    parse_bad("aa slots=0\n", "hosts:1: ", "leave it out");
    parse_bad("aa max_slots=0\n", "hosts:1: ", "max_slots=0");
    parse_bad("aa slots=-1\n", "hosts:1: ", "slots=-1");
    parse_bad("aa slots=abc\n", "hosts:1: ", "slots=abc");
    parse_bad("aa slots=1e3\n", "hosts:1: ", "slots=1e3");
    parse_bad("aa slots=4x\n", "hosts:1: ", "slots=4x");
    parse_bad("aa slots=+4\n", "hosts:1: ", "slots=+4");
    parse_bad("aa slots=\n", "hosts:1: ", "slots=");
    parse_bad("aa slots\n", "hosts:1: ", "needs a value");
    parse_bad("aa slots 4\n", "hosts:1: ", "needs a value");
    parse_bad("aa slots=99999999999999999999999999\n", "hosts:1: ", "too large");
    parse_bad("aa slots=2147483648\n", "hosts:1: ", "too large");
    parse_bad("aa slots=4 max_slots=2\n", "hosts:1: ", "less than");
    parse_bad("aa slots=2 slots=3\n", "hosts:1: ", "twice");
    parse_bad("aa slots=2 count=3\n", "hosts:1: ", "twice");
    parse_bad("aa max_slots=2 max-slots=3\n", "hosts:1: ", "twice");
    /* the largest accepted value */
    struct hostfile *h = parse_ok("aa slots=2147483647\n");
    assert_host(h, 0, NULL, "aa", 2147483647L, 0, 1);
    hostfile_destroy(h);
}
END_TEST

START_TEST(unknown_keyword)
{
    parse_bad("aa foo=3\n", "hosts:1: ", "'foo'");
    parse_bad("ok\naa slots=1 username=bob\n", "hosts:2: ", "'username'");
    parse_bad("aa cpu_set=1\n", "hosts:1: ", "'cpu_set'");
    parse_bad("aa bb\n", "hosts:1: ", "'bb'");
    parse_bad("aa =3\n", "hosts:1: ", "without a keyword");
    parse_bad("aa SLOTS=3\n", "hosts:1: ", "'SLOTS'");
}
END_TEST

START_TEST(nul_byte_is_error)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    const char data[] = "aa\nbb \0slots=2\ncc\n";
    ck_assert_int_eq(parse_bytes(data, sizeof data - 1, &h, &err), -1);
    ck_assert_ptr_null(h);
    unit_assert_prefix(err.text, "hosts:2: ");
    unit_assert_contains(err.text, "NUL");
    const char in_comment[] = "# a \0 comment\n";
    ck_assert_int_eq(parse_bytes(in_comment, sizeof in_comment - 1, &h, &err), -1);
    unit_assert_prefix(err.text, "hosts:1: ");
    const char at_end[] = "aa\n\0";
    ck_assert_int_eq(parse_bytes(at_end, sizeof at_end - 1, &h, &err), -1);
    unit_assert_prefix(err.text, "hosts:2: ");
}
END_TEST

START_TEST(len_is_respected)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    const char *text = "aa slots=1\nbb slots=2\n";
    /* "aa slots=": the value is past len */
    ck_assert_int_eq(parse_bytes(text, 9, &h, &err), -1);
    unit_assert_prefix(err.text, "hosts:1: ");
    ck_assert_int_eq(parse_bytes(text, 10, &h, &err), 0);
    ck_assert_int_eq(h->count, 1);
    assert_host(h, 0, NULL, "aa", 1, 0, 1);
    hostfile_destroy(h);
    ck_assert_int_eq(parse_bytes(text, 14, &h, &err), 0);
    ck_assert_int_eq(h->count, 2);
    assert_host(h, 0, NULL, "aa", 1, 0, 1);
    assert_host(h, 1, NULL, "bb", 0, 0, 2);
    hostfile_destroy(h);
}
END_TEST

START_TEST(line_numbers)
{
    parse_bad("# 1\n\n\naa\n\r\n  \n# 7\nbb slots=x\n", "hosts:8: ", "slots=x");
    parse_bad("aa\r\nbb\r\ncc\r\nd!d\r\n", "hosts:4: ", "d!d");
}
END_TEST

/* A bad host name is quoted whole: it used to be cut at 200 bytes without a
 * sign. */
START_TEST(long_name_is_quoted_whole)
{
    char text[1024], name[601];
    memset(name, 'h', sizeof name - 1);
    name[sizeof name - 2] = '!';
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, "aa\n%s slots=2\n", name);
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_bytes(text, strlen(text), &h, &err), -1);
    char want[700];
    snprintf(want, sizeof want, "'%s'", name);
    unit_assert_prefix(err.text, "hosts:2: bad character in host name");
    size_t n = strlen(err.text);
    ck_assert_str_eq(err.text + n - strlen(want), want);
    ck_assert_ptr_null(h);
}
END_TEST

/* Too long for any message: cut, and the cut marked. */
START_TEST(too_long_keyword_ends_in_dots)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "node1 ");
    memset(text + n, 'k', 3000);
    snprintf(text + n + 3000, sizeof text - n - 3000, "=2\n");
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(parse_bytes(text, strlen(text), &h, &err), -1);
    unit_assert_prefix(err.text, "hosts:1: unknown keyword 'kkkk");
    n = strlen(err.text);
    ck_assert_uint_eq(n, sizeof err.text - 1);
    ck_assert_str_eq(err.text + n - 3, "...");
    ck_assert_ptr_null(h);
}
END_TEST

START_TEST(load_errors)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    char path[4096];
    snprintf(path, sizeof path, "%s/distmpi-no-such-hostfile-%d", unit_tmpdir(), (int)getpid());
    ck_assert_int_eq(hostfile_load(path, &h, &err), -1);
    unit_assert_prefix(err.text, path);
    unit_assert_contains(err.text, "No such file");

    ck_assert_int_eq(hostfile_load(unit_tmpdir(), &h, &err), -1);
    unit_assert_contains(err.text, "directory");

    const char *text = "aa slots=2\nbad!\n";
    unit_write_temp(text, strlen(text), path);
    ck_assert_int_eq(hostfile_load(path, &h, &err), -1);
    char want[4200];
    snprintf(want, sizeof want, "%s:2: ", path);
    unit_assert_prefix(err.text, want);

    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(path, 0), 0);
        ck_assert_int_eq(hostfile_load(path, &h, &err), -1);
        unit_assert_contains(err.text, "Permission denied");
    }
    unlink(path);
    ck_assert_ptr_null(h);
}
END_TEST

START_TEST(example_in_repo)
{
    const char *src = getenv("DISTMPI_SRCDIR");
    ck_assert_msg(src != NULL, "DISTMPI_SRCDIR is not set");
    char path[4096];
    snprintf(path, sizeof path, "%s/etc/hosts.example", src);
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(hostfile_load(path, &h, &err) == 0, "%s", err.text);
    ck_assert_int_eq(h->count, 4);
    const char *names[] = {"local", "moruk", "ilko2", "pi"};
    long slots[] = {16, 24, 4, 4};
    for (long i = 0; i < 4; i++) {
        ck_assert_str_eq(h->hosts[i].name, names[i]);
        ck_assert_ptr_null(h->hosts[i].user);
        ck_assert_int_eq(h->hosts[i].slots, slots[i]);
        ck_assert_int_eq(h->hosts[i].max_slots, 0);
    }
    hostfile_destroy(h);
}
END_TEST

START_TEST(destroy_null_keeps_errno)
{
    errno = EBADF;
    hostfile_destroy(NULL);
    ck_assert_int_eq(errno, EBADF);
    struct hostfile *h = parse_ok("aa\nbob@bb slots=2\n");
    errno = ERANGE;
    hostfile_destroy(h);
    ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(write_format)
{
    struct hostfile_entry a = {"aa", NULL, 4, 0, 1};
    struct hostfile_entry b = {"bb", "bob", 0, 0, 2};
    struct hostfile_entry c = {"cc", NULL, 2, 8, 3};
    struct hostfile_entry d = {"dd", NULL, 0, 5, 4};
    const struct hostfile_entry *list[] = {&a, &b, &c, &d};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(hostfile_write(f, list, 4), 0);
    ck_assert_int_eq(hostfile_write(f, list, 0), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(buf, "aa slots=4\nbob@bb\ncc slots=2 max_slots=8\ndd max_slots=5\n");
    free(buf);

    const struct hostfile_entry *bad[] = {&a, NULL};
    f = open_memstream(&buf, &len);
    errno = 0;
    ck_assert_int_eq(hostfile_write(f, bad, 2), -1);
    ck_assert_int_eq(errno, EINVAL);
    fclose(f);
    free(buf);
}
END_TEST

/* Random valid entries written and read back must come back unchanged
 * (the oracle is the list itself). */
START_TEST(round_trip_random)
{
    static const char name_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
    unsigned long long state = 0x9e3779b97f4a7c15ULL;
    for (int iter = 0; iter < 500; iter++) {
        long n = unit_rand_range(&state, 0, 20);
        struct hostfile_entry *ents = calloc((size_t)(n ? n : 1), sizeof *ents);
        const struct hostfile_entry **list = calloc((size_t)(n ? n : 1), sizeof *list);
        for (long i = 0; i < n; i++) {
            char name[64];
            long len = unit_rand_range(&state, 0, 12), k = 0;
            name[k++] = name_chars[unit_rand_range(&state, 0, 61)]; /* alnum first */
            for (long j = 0; j < len; j++)
                name[k++] = name_chars[unit_rand_range(&state, 0, (long)sizeof name_chars - 2)];
            /* the index makes names distinct */
            snprintf(name + k, sizeof name - (size_t)k, "-%ld", i);
            if (unit_rand_range(&state, 0, 9) == 0)
                snprintf(name, sizeof name, "10.%ld.%ld.%ld", i, iter % 256L, i % 7);
            else if (unit_rand_range(&state, 0, 9) == 0)
                snprintf(name, sizeof name, "fd00::%lx:%x", i, iter);
            ents[i].name = strdup(name);
            if (unit_rand_range(&state, 0, 3) == 0)
                ents[i].user = strdup(unit_rand_range(&state, 0, 1) ? "bob" : "a.b-c_d");
            long kind = unit_rand_range(&state, 0, 3);
            ents[i].slots = kind & 1 ? unit_rand_range(&state, 1, 2147483647L) : 0;
            if (kind & 2)
                ents[i].max_slots = ents[i].slots
                                        ? unit_rand_range(&state, ents[i].slots, 2147483647L)
                                        : unit_rand_range(&state, 1, 1000);
            ents[i].line = i + 1;
            list[i] = &ents[i];
        }
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        unit_require(f != NULL, "open_memstream");
        unit_require(hostfile_write(f, list, n) == 0, "write failed");
        fclose(f);
        struct hostfile *h = NULL;
        struct error err = {""};
        unit_require(parse_bytes(buf, len, &h, &err) == 0, "iter %d: %s in:\n%s", iter, err.text,
                     buf);
        unit_require_eq(h->count, n);
        for (long i = 0; i < n; i++) {
            const struct hostfile_entry *g = &h->hosts[i], *w = &ents[i];
            unit_require(!strcmp(g->name, w->name), "iter %d: name %s != %s", iter, g->name,
                         w->name);
            unit_require(
                (!g->user && !w->user) || (g->user && w->user && !strcmp(g->user, w->user)),
                "iter %d: user of %s", iter, w->name);
            unit_require_eq(g->slots, w->slots);
            unit_require_eq(g->max_slots, w->max_slots);
            unit_require_eq(g->line, w->line);
        }
        hostfile_destroy(h);
        free(buf);
        for (long i = 0; i < n; i++) {
            free(ents[i].name);
            free(ents[i].user);
        }
        free(ents);
        free(list);
    }
}
END_TEST

/* Whatever the bytes, parse either succeeds or fails with a located message,
 * never crashes (valgrind checks the reads). */
START_TEST(random_bytes_never_crash)
{
    static const char alphabet[] = "ab1.-_@:#=sltmx_ \t\r\n\0!^/\"";
    unsigned long long state = 42;
    for (int iter = 0; iter < 3000; iter++) {
        char data[80];
        size_t len = (size_t)unit_rand_range(&state, 0, sizeof data);
        for (size_t i = 0; i < len; i++)
            data[i] = alphabet[unit_rand_range(&state, 0, (long)sizeof alphabet - 2)];
        struct hostfile *h = NULL;
        struct error err = {""};
        if (parse_bytes(data, len, &h, &err) == 0) {
            for (long i = 0; i < h->count; i++)
                unit_require(h->hosts[i].slots >= 0 && h->hosts[i].name[0], "bad entry");
            hostfile_destroy(h);
        } else {
            unit_require(!strncmp(err.text, "hosts:", 6), "unlocated error: %s", err.text);
        }
    }
}
END_TEST

static Suite *hostfile_suite(void)
{
    Suite *s = suite_create("hostfile");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, syntax_forms);
    tcase_add_test(tc, comments_blanks_crlf_tabs);
    tcase_add_test(tc, no_final_newline);
    tcase_add_test(tc, empty_is_not_error);
    tcase_add_test(tc, duplicates_merged);
    tcase_add_test(tc, bad_names);
    tcase_add_test(tc, bad_slots);
    tcase_add_test(tc, unknown_keyword);
    tcase_add_test(tc, nul_byte_is_error);
    tcase_add_test(tc, len_is_respected);
    tcase_add_test(tc, line_numbers);
    tcase_add_test(tc, long_name_is_quoted_whole);
    tcase_add_test(tc, too_long_keyword_ends_in_dots);
    tcase_add_test(tc, load_errors);
    tcase_add_test(tc, example_in_repo);
    tcase_add_test(tc, destroy_null_keeps_errno);
    tcase_add_test(tc, write_format);
    tcase_add_test(tc, round_trip_random);
    tcase_add_test(tc, random_bytes_never_crash);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(hostfile_suite());
}
