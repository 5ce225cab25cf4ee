/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_items.c - libFuzzer harness for work items (items.h): items_parse on
 * arbitrary bytes, compared with the rules items.h states, read by a line
 * reader of the harness's own; every accepted list written back as a file
 * (with blanks, '\r' and comments added) reads back the same, and a batch's
 * task line made by items_line, expanded, gives each item back as one
 * /bin/sh word. Errors are one line naming the file and the line. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "config/items.h"
#include "model/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "items.txt"

/* What items.h says about data: the items in order, or the first line that
 * is refused (0: the list is empty). An independent reading of the
 * header's words, not a copy of the parser. */
struct expect {
    long count;    /* items before the first refused line */
    long bad_line; /* the first refused line; 0 when none */
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The line at *pos in data, trimmed as items.h says, in *start and *len;
 * *pos moves to the next line. Returns 0, or -1 past the last line. */
static int next_line(const char *data, size_t size, size_t *pos, const char **start, size_t *len)
{
    if (*pos >= size)
        return -1;
    const char *s = data + *pos, *nl = memchr(s, '\n', size - *pos);
    size_t l = nl ? (size_t)(nl - s) : size - *pos;
    *pos += l + (nl ? 1 : 0);
    if (l && s[l - 1] == '\r') /* one trailing '\r', before the blanks */
        l--;
    while (l && is_blank(*s))
        s++, l--;
    while (l && is_blank(s[l - 1]))
        l--;
    *start = s;
    *len = l;
    return 0;
}

/* A control character other than a tab inside the item (the tab is a blank
 * items.h trims around items, and one inside stays in its quoted word). */
static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return 1;
    return 0;
}

static struct expect expected(const char *data, size_t size)
{
    struct expect e = {0, 0};
    const char *s;
    size_t len, pos = 0;
    for (long n = 1; next_line(data, size, &pos, &s, &len) == 0; n++) {
        if (!len || s[0] == '#')
            continue; /* blank or comment */
        if (has_control(s, len) || s[0] == '-' || e.count == ITEMS_MAX) {
            e.bad_line = n;
            break;
        }
        e.count++;
    }
    return e;
}

/* Items, in order, are the lines items.h keeps, trimmed. */
static void check_items(const struct itemlist *l, const char *data, size_t size)
{
    if (l->count < 1 || l->count > ITEMS_MAX)
        abort();
    long k = 0;
    const char *s;
    size_t len, pos = 0;
    while (next_line(data, size, &pos, &s, &len) == 0) {
        if (!len || s[0] == '#')
            continue;
        if (k == l->count)
            abort(); /* a line that should be an item is missing */
        const char *item = l->items[k++];
        if (strlen(item) != len || memcmp(item, s, len))
            abort();
        /* what the test tool is promised: one non-empty word of text, no
         * option, no blanks around it */
        if (!item[0] || item[0] == '-' || item[0] == '#' || is_blank(item[0]) ||
            is_blank(item[len - 1]) || has_control(item, len))
            abort();
    }
    if (k != l->count)
        abort();
}

/* An error is one line that names the file and, unless the list is empty,
 * the line refused: "items.txt:LINE: ...". */
static void check_error(const struct error *err, struct expect e)
{
    const char *t = err->text;
    if (strchr(t, '\n') || strncmp(t, NAME ":", strlen(NAME ":")))
        abort();
    t += strlen(NAME ":");
    if (e.bad_line == 0) {
        if (strncmp(t, " no items", 9))
            abort();
        return;
    }
    char *end;
    errno = 0;
    long line = strtol(t, &end, 10);
    if (errno || end == t || *end != ':' || line != e.bad_line)
        abort();
}

/* The items written back one a line, dressed with what the parser drops
 * (blanks around, a '\r', comments and blank lines between), read back the
 * same. */
static void check_written(const struct itemlist *l)
{
    struct buf b = BUF_INIT;
    buf_addstr(&b, "# written back\n\n");
    for (long i = 0; i < l->count; i++)
        buf_printf(&b, "%s%s%s\n", i % 2 ? "\t " : "", l->items[i], i % 3 ? " \r" : "");
    size_t len;
    char *text = buf_take(&b, &len);
    if (!text)
        abort();
    struct itemlist *back = NULL;
    struct error err;
    if (items_parse("written", text, len, &back, &err) < 0 || back->count != l->count)
        abort();
    for (long i = 0; i < l->count; i++)
        if (strcmp(back->items[i], l->items[i]))
            abort();
    items_destroy(back);
    free(text);
}

/* The next word of an expanded task line as /bin/sh reads it, into *word
 * (heap); p is advanced. Knows plain words, '...' and \: all that
 * shell_quote and items_line write. Anything else the shell would expand
 * or split fails the check. Returns 0, or -1 at the end of the line. */
static int next_word(const char **p, char **word)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!*s)
        return -1;
    struct buf w = BUF_INIT;
    for (; *s && *s != ' '; s++) {
        if (*s == '\'') {
            const char *end = strchr(s + 1, '\'');
            if (!end)
                abort(); /* an unclosed quote */
            buf_add(&w, s + 1, (size_t)(end - s - 1));
            s = end;
        } else if (*s == '\\' && s[1]) {
            buf_addc(&w, *++s);
        } else if (strchr("\t\n\"$`;&|()<>*?[]{}~!#", *s)) {
            abort(); /* unquoted, the shell would read it as more than text */
        } else {
            buf_addc(&w, *s);
        }
    }
    *p = s;
    *word = buf_take(&w, NULL);
    if (!*word)
        abort();
    return 0;
}

/* A batch of every item: the task line items_line makes passes
 * template_check_shell, as items.h promises, and once expanded the shell
 * reads the command's words with each item as one word of its own, its
 * braces single again. */
static void check_line(const struct itemlist *l)
{
    static char *words[] = {"npx", "playwright test", ITEMS_WORD, "--shard={shard}/{total}",
                            "--output={output_dir}"};
    const int nwords = (int)(sizeof words / sizeof words[0]);
    struct error err;
    if (items_check_command(words, nwords, &err) < 0)
        abort();
    char *line = items_line(words, nwords, l->items, l->count);
    if (!line)
        abort();
    if (strchr(line, '\n') || template_check_shell(line, &err) < 0)
        abort();
    struct subst v = {.shard = 3,
                      .index = 2,
                      .total = 7,
                      .host = "node1",
                      .rank = 1,
                      .slot = 0,
                      .attempt = 1,
                      .output_dir = "/runs/out dir"};
    char *cmd = template_expand(line, &v, true);
    if (!cmd)
        abort();
    const char *want_head[] = {"npx", "playwright test"};
    const char *want_tail[] = {"--shard=3/7", "--output=/runs/out dir"};
    const char *p = cmd;
    long n = 0, total = 2 + l->count + 2;
    char *w;
    for (; next_word(&p, &w) == 0; n++) {
        const char *want = n < 2              ? want_head[n]
                           : n < 2 + l->count ? l->items[n - 2]
                           : n < total        ? want_tail[n - 2 - l->count]
                                              : NULL;
        if (!want || strcmp(w, want))
            abort();
        free(w);
    }
    if (n != total)
        abort();
    free(cmd);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, not NUL-terminated, so a read past the end shows */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct expect e = expected(buf, size);
    struct itemlist *l = NULL;
    struct error err;
    error_clear(&err);
    if (items_parse(NAME, buf, size, &l, &err) == 0) {
        if (!l || e.bad_line || e.count == 0)
            abort(); /* accepted what items.h refuses */
        check_items(l, buf, size);
        check_written(l);
        check_line(l);
        items_destroy(l);
    } else {
        if (l || (!e.bad_line && e.count > 0))
            abort(); /* refused what items.h accepts */
        check_error(&err, e);
    }
    free(buf);
    return 0;
}
