/* SPDX-License-Identifier: BSD-3-Clause */
/* test_lines.c - unit tests of cutting raw output into printable lines
 * (lines.h), as --stream shows them. */
#include "config.h"

#include "common/lines.h"

#include "unit.h"

/* The lines received, joined with '|'. */
struct got {
    char text[8192];
    int n;
};

static void collect(void *arg, const char *line, size_t len)
{
    struct got *g = arg;
    size_t used = strlen(g->text);
    ck_assert(used + len + 2 < sizeof g->text);
    if (g->n++)
        g->text[used++] = '|';
    memcpy(g->text + used, line, len);
    g->text[used + len] = '\0';
}

/* Feed s one byte at a time and all at once: both give want. */
static void check(const char *s, size_t n, const char *want)
{
    struct got g = {{0}, 0};
    struct lines l;
    lines_init(&l);
    lines_feed(&l, s, n, collect, &g);
    lines_flush(&l, collect, &g);
    ck_assert_str_eq(g.text, want);
    struct got g1 = {{0}, 0};
    lines_init(&l);
    for (size_t i = 0; i < n; i++)
        lines_feed(&l, s + i, 1, collect, &g1);
    lines_flush(&l, collect, &g1);
    ck_assert_str_eq(g1.text, want);
}

#define CHECK(lit, want) check(lit, sizeof lit - 1, want)

START_TEST(plain_lines)
{
    CHECK("one\ntwo\n", "one|two");
    CHECK("no end", "no end");
    CHECK("", "");
    CHECK("\n\n", "|");
}
END_TEST

START_TEST(line_ends)
{
    CHECK("dos\r\nline\r\n", "dos|line");
    CHECK("10%\r50%\r100%\n", "10%|50%|100%");
}
END_TEST

START_TEST(escapes_dropped)
{
    CHECK("\033[31mred\033[0m text\n", "red text");
    CHECK("\033[2J\033[Hhome\n", "home");
    CHECK("\033]0;title\007after\n", "after");
    CHECK("\033]8;;http://x\033\\link\n", "link");
    CHECK("a\033(Bb\n", "ab"); /* ESC ( B: the B goes with the escape */
}
END_TEST

START_TEST(controls_shown)
{
    CHECK("bell\007 nul\0 del\177 tab\tok\n", "bell? nul? del? tab\tok");
    CHECK("back\bspace\n", "back?space");
}
END_TEST

START_TEST(long_line_cut)
{
    char buf[LINES_MAX * 2 + 10];
    memset(buf, 'a', sizeof buf);
    buf[sizeof buf - 1] = '\n';
    struct got g = {{0}, 0};
    struct lines l;
    lines_init(&l);
    lines_feed(&l, buf, sizeof buf, collect, &g);
    lines_flush(&l, collect, &g);
    ck_assert_int_eq(g.n, 3);
    ck_assert_uint_eq(strlen(g.text), sizeof buf - 1 + 2);
}
END_TEST

START_TEST(long_line_cut_between_characters)
{
    /* a 3-byte character that would straddle the cut goes whole to the next piece */
    char buf[LINES_MAX + 8];
    memset(buf, 'a', LINES_MAX - 1);
    memcpy(buf + LINES_MAX - 1,
           "\xe2\x9c\x93"
           "b\n",
           5);
    size_t n = LINES_MAX - 1 + 5;
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        struct got g = {{0}, 0};
        struct lines l;
        lines_init(&l);
        if (bytewise)
            for (size_t i = 0; i < n; i++)
                lines_feed(&l, buf + i, 1, collect, &g);
        else
            lines_feed(&l, buf, n, collect, &g);
        lines_flush(&l, collect, &g);
        ck_assert_int_eq(g.n, 2);
        ck_assert_uint_eq(strlen(g.text), LINES_MAX - 1 + 1 + 4);
        ck_assert(!strcmp(g.text + LINES_MAX - 1,
                          "|\xe2\x9c\x93"
                          "b"));
    }
}
END_TEST

START_TEST(utf8_passes)
{
    CHECK("gr\xc3\xbc\xc3\x9f dich \xe2\x9c\x93\n", "gr\xc3\xbc\xc3\x9f dich \xe2\x9c\x93");
}
END_TEST

START_TEST(flush_of_dropped_only_line)
{
    /* a line that was nothing but colour still counts as a line */
    CHECK("\033[0m\n", "");
    CHECK("x\n\033[0m", "x|");
}
END_TEST

static Suite *lines_suite(void)
{
    Suite *s = suite_create("lines");
    TCase *tc = tcase_create("lines");
    tcase_add_test(tc, plain_lines);
    tcase_add_test(tc, line_ends);
    tcase_add_test(tc, escapes_dropped);
    tcase_add_test(tc, controls_shown);
    tcase_add_test(tc, long_line_cut);
    tcase_add_test(tc, long_line_cut_between_characters);
    tcase_add_test(tc, utf8_passes);
    tcase_add_test(tc, flush_of_dropped_only_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(lines_suite());
}
