/* SPDX-License-Identifier: BSD-3-Clause */
/* test_items.c - unit tests of work items (config/items.h): the file, what
 * is refused, the command's {items} word, and the task lines of batches,
 * run through /bin/sh to see that every item arrives as one word. */
#include "config.h"

#include "config/items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/template.h"
#include "unit.h"

/* Parse len bytes copied into a buffer of exactly that size (no terminator),
 * so a read past the end shows under valgrind or ASan. */
static int parse_bytes(const char *data, size_t len, struct itemlist **out, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = items_parse("items.txt", copy, len, out, e);
    free(copy);
    return rc;
}

START_TEST(lines_become_items)
{
    const char text[] =
        "a.spec.ts\r\n  b c.spec.ts\t \n\n# a comment\n   # another\n"
        "tests/x.py::T::test_a[1-2]\nlast";
    struct itemlist *l = NULL;
    struct error e;
    ck_assert_int_eq(parse_bytes(text, sizeof text - 1, &l, &e), 0);
    ck_assert_int_eq(l->count, 4);
    ck_assert_str_eq(l->items[0], "a.spec.ts");
    ck_assert_str_eq(l->items[1], "b c.spec.ts");
    ck_assert_str_eq(l->items[2], "tests/x.py::T::test_a[1-2]");
    ck_assert_str_eq(l->items[3], "last");
    items_destroy(l);
}
END_TEST

START_TEST(what_is_refused)
{
    static const struct {
        const char *text;
        size_t len;
        const char *want;
    } cases[] = {
        {"a\n-x\n", 5, "items.txt:2: the item '-x' starts with '-'"},
        {"a\nb\x01"
         "c\n",
         6, "items.txt:2: the item holds a control character (0x01)"},
        {"a\nb\x7f\n", 5, "items.txt:2: the item holds a control character (0x7f)"},
        {"a\0b\n", 4, "items.txt:1: the item holds a control character (0x00)"},
        {"\n# only\n  \n", 11, "items.txt: no items (only blank lines and comments)"},
        {"", 0, "items.txt: no items"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct itemlist *l = NULL;
        struct error e;
        ck_assert_int_eq(parse_bytes(cases[k].text, cases[k].len, &l, &e), -1);
        ck_assert_ptr_null(l);
        ck_assert_msg(!strncmp(e.text, cases[k].want, strlen(cases[k].want)), "case %zu: %s", k,
                      e.text);
    }
}
END_TEST

START_TEST(the_command_needs_an_items_word)
{
    struct error e;
    char *ok[] = {"npx", "playwright", "test", "{items}", "--shard={shard}/{total}"};
    ck_assert_int_eq(items_check_command(ok, 5, &e), 0);
    char *none[] = {"pytest", "-x"};
    ck_assert_int_eq(items_check_command(none, 2, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.text, "must have a word {items}"));
    char *inside[] = {"pytest", "--files={items}"};
    ck_assert_int_eq(items_check_command(inside, 2, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.text, "command word 2: {items} must be a word of its own"));
    char *unknown[] = {"pytest", "{items}", "{nope}"};
    ck_assert_int_eq(items_check_command(unknown, 3, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.text, "command word 3: unknown placeholder {nope}"));
}
END_TEST

/* Run line (placeholders put in) through /bin/sh; what it prints, heap. */
static char *run_line(const char *line)
{
    struct subst v = {.shard = 2,
                      .index = 1,
                      .total = 5,
                      .host = "h o'st",
                      .rank = 1,
                      .slot = 0,
                      .attempt = 1,
                      .output_dir = "/tmp/o d"};
    char *cmd = template_expand(line, &v, true);
    ck_assert_ptr_nonnull(cmd);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    static char out[4096];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    free(cmd);
    return strdup(out);
}

/* Every item one word, whatever it holds; the other words' placeholders
 * still put in; the line passes the task-line check. */
START_TEST(each_item_is_one_word)
{
    char *words[] = {"printf", "[%s]\\n", "{items}", "{shard}/{total}", "at {host}", "{{x}}", ""};
    char *items[] = {"plain", "a b", "it's", "$(echo pwned)", "`id`", "{shard}", "x;y|z&",
                     "\"q\"", "*",   "~",    "back\\slash",   "{{",   "é"};
    long n = (long)(sizeof items / sizeof items[0]);
    char *line = items_line(words, 7, items, n);
    ck_assert_ptr_nonnull(line);
    struct error e;
    ck_assert_msg(template_check_shell(line, &e) == 0, "%s: %s", line, e.text);
    char *out = run_line(line);
    ck_assert_str_eq(out,
                     "[plain]\n[a b]\n[it's]\n[$(echo pwned)]\n[`id`]\n[{shard}]\n[x;y|z&]\n"
                     "[\"q\"]\n[*]\n[~]\n[back\\slash]\n[{{]\n[é]\n[2/5]\n[at h o'st]\n"
                     "[{x}]\n[]\n");
    free(out);
    free(line);
}
END_TEST

START_TEST(an_item_is_never_an_assignment)
{
    /* {items} may come first, where sh would take X=1 for an assignment */
    char *words[] = {"{items}", "tail"};
    char *items[] = {"X=1", "_a1=b c", "1=x", "a.b=c", "é=1"};
    char *line = items_line(words, 2, items, 5);
    ck_assert_ptr_nonnull(line);
    ck_assert_str_eq(line, "'X=1' '_a1=b c' 1=x a.b=c '\xc3\xa9=1' tail");
    free(line);
    char *args[] = {"printf", "[%s]", "{items}"};
    line = items_line(args, 3, items, 2);
    char *out = run_line(line);
    ck_assert_str_eq(out, "[X=1][_a1=b c]");
    free(out);
    free(line);
}
END_TEST

START_TEST(a_long_item_quoted_whole_characters)
{
    /* the message quotes 60 bytes at most, never half a character */
    char text[128] = "-";
    for (int i = 1; i < 59; i++)
        strcat(text, "x");
    strcat(text, "\xc3\xa9\xc3\xa9\n"); /* é starts at byte 59 and ends past 60 */
    struct itemlist *l = NULL;
    struct error e;
    ck_assert_int_eq(parse_bytes(text, strlen(text), &l, &e), -1);
    ck_assert_msg(strstr(e.text, "\xc3' starts with '-'") == NULL, "%s", e.text);
    ck_assert_msg(strstr(e.text, "x' starts with '-'") != NULL, "%s", e.text);
}
END_TEST

START_TEST(items_word_twice_and_alone)
{
    char *words[] = {"printf", "%s,", "{items}", "--", "{items}"};
    char *items[] = {"a", "b c"};
    char *line = items_line(words, 5, items, 2);
    char *out = run_line(line);
    ck_assert_str_eq(out, "a,b c,--,a,b c,");
    free(out);
    free(line);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("items");
    TCase *tc = tcase_create("items");
    tcase_add_test(tc, lines_become_items);
    tcase_add_test(tc, what_is_refused);
    tcase_add_test(tc, the_command_needs_an_items_word);
    tcase_add_test(tc, each_item_is_one_word);
    tcase_add_test(tc, items_word_twice_and_alone);
    tcase_add_test(tc, an_item_is_never_an_assignment);
    tcase_add_test(tc, a_long_item_quoted_whole_characters);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
