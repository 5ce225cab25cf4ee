/* SPDX-License-Identifier: BSD-3-Clause */
/* retryfailed.c - the failed tests of an attempt as words for its retry. */
#include "config.h"

#include "model/retryfailed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

void failed_set_free(struct failed_set *s)
{
    for (size_t i = 0; i < s->ntests; i++)
        free(s->tests[i]);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->tests);
    free(s->files);
    free(s->refused);
    memset(s, 0, sizeof *s);
}

static int is_set(const char *s)
{
    return s && *s;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int all_digits(const char *s)
{
    if (!is_set(s))
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* pytest's node id: FILE, then the classes the classname holds past the
 * module path of FILE (tests/a.py: "tests.a"), then NAME, joined by "::". */
static void add_node_id(struct buf *b, const char *name, const char *classname, const char *file)
{
    buf_addstr(b, file);
    size_t mlen = strlen(file) - 3; /* without ".py" */
    if (is_set(classname) && strlen(classname) > mlen && classname[mlen] == '.') {
        int same = 1;
        for (size_t i = 0; i < mlen && same; i++)
            same = classname[i] == (file[i] == '/' ? '.' : file[i]);
        for (const char *p = classname + mlen + 1; same && *p; p++) {
            if (p == classname + mlen + 1 || *p == '.')
                buf_addstr(b, "::");
            if (*p != '.')
                buf_addc(b, *p);
        }
    }
    buf_addstr(b, "::");
    buf_addstr(b, is_set(name) ? name : "");
}

char *failed_test_word(const char *name, const char *classname, const char *file, const char *line)
{
    struct buf b = BUF_INIT;
    if (is_set(file) && ends_with(file, ".py") && strlen(file) > 3)
        add_node_id(&b, name, classname, file);
    else if (is_set(file) && all_digits(line))
        buf_printf(&b, "%s:%s", file, line);
    else
        buf_addstr(&b, name ? name : "");
    return buf_take(&b, NULL);
}

/* Why word cannot be passed on to a test tool, or NULL. */
static const char *word_problem(const char *word)
{
    if (!*word)
        return "is empty";
    if (word[0] == '-')
        return "starts with '-' (a test tool would take it for an option)";
    for (const unsigned char *p = (const unsigned char *)word; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "holds a control character";
    return NULL;
}

static int refuse(struct failed_set *s, const char *what, const char *word, const char *problem)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s \"%.80s\" %s", what, word, problem);
    /* the word may hold a line break: the reason is one line */
    for (size_t i = 0; i < b.len && !b.failed; i++)
        if ((unsigned char)b.data[i] < 0x20)
            b.data[i] = ' ';
    s->refused = buf_take(&b, NULL);
    if (!s->refused) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* Append word (taken) to list unless it is there; *added says whether. */
static int add_word(char ***list, size_t *n, char *word, int *added)
{
    *added = 0;
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp((*list)[i], word)) {
            free(word);
            return 0;
        }
    }
    char **grown = realloc(*list, (*n + 1) * sizeof **list);
    if (!grown) {
        free(word);
        errno = ENOMEM;
        return -1;
    }
    *list = grown;
    grown[(*n)++] = word;
    *added = 1;
    return 0;
}

int failed_set_add(struct failed_set *s, const char *name, const char *classname, const char *file,
                   const char *line)
{
    if (s->refused)
        return 0;
    char *test = failed_test_word(name, classname, file, line);
    char *where = strdup(is_set(file) ? file : is_set(classname) ? classname : name ? name : "");
    if (!test || !where) {
        free(test);
        free(where);
        errno = ENOMEM;
        return -1;
    }
    const char *problem = word_problem(test);
    const char *what = "the failed test";
    const char *word = test;
    if (!problem) {
        problem = word_problem(where);
        what = "the failed test's file";
        word = where;
    }
    if (problem) {
        int rc = refuse(s, what, word, problem);
        free(test);
        free(where);
        return rc;
    }
    size_t tlen = strlen(test), wlen = strlen(where);
    int added;
    if (add_word(&s->tests, &s->ntests, test, &added) < 0) {
        free(where);
        return -1;
    }
    if (added)
        s->bytes += tlen + 3;
    if (add_word(&s->files, &s->nfiles, where, &added) < 0)
        return -1;
    if (added)
        s->bytes += wlen + 3;
    if (s->ntests > FAILED_MAX_TESTS) {
        s->refused = strdup("more than " /* as FAILED_MAX_TESTS */ "1000 tests failed");
    } else if (s->bytes > FAILED_MAX_BYTES) {
        s->refused = strdup("the failed tests' names are longer than 64 KiB together");
    } else {
        return 0;
    }
    if (!s->refused) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int failed_set_usable(const struct failed_set *s)
{
    return !s->refused && s->ntests > 0;
}

/* ---- the template ---- */

enum { LIST_NONE, LIST_TESTS, LIST_FILES };

/* Which list placeholder text starts with, and its length in *len. */
static int list_at(const char *text, size_t *len)
{
    static const char *const names[] = {"{failed}", "{failed_files}"};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(names[k]);
        if (!strncmp(text, names[k], n)) {
            *len = n;
            return k == 0 ? LIST_TESTS : LIST_FILES;
        }
    }
    return LIST_NONE;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int ends_word(char c)
{
    return c == '\0' || is_blank(c) || c == ';' || c == '&' || c == '|' || c == ')';
}

/* Whether text[i] starts a word: it is the first byte, or follows a blank
 * that no backslash escapes (in "x\ {failed}" the list would be glued to
 * the word x). */
static int starts_word(const char *text, size_t i)
{
    if (i == 0)
        return 1;
    if (!is_blank(text[i - 1]))
        return 0;
    size_t k = 0;
    while (k + 1 < i && text[i - 2 - k] == '\\')
        k++;
    return k % 2 == 0;
}

int retry_template_check(const char *text, struct error *err)
{
    /* where a list stands, {host} stands for it: the shell check then
     * says whether the place is outside every quote and substitution */
    struct buf b = BUF_INIT;
    for (size_t i = 0; text[i];) {
        size_t n;
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            buf_add(&b, text + i, 2);
            i += 2;
        } else if (list_at(text + i, &n) != LIST_NONE) {
            if (!starts_word(text, i) || !ends_word(text[i + n])) {
                buf_free(&b);
                return errprintf(err,
                                 "%.*s must be a word of its own (column %zu): it stands for "
                                 "several words",
                                 (int)n, text + i, i + 1);
            }
            buf_addstr(&b, "{host}");
            i += n;
        } else {
            buf_addc(&b, text[i++]);
        }
    }
    if (b.failed) {
        buf_free(&b);
        return errprintf(err, "out of memory");
    }
    struct error why;
    int rc = template_check(buf_str(&b), &why);
    if (rc < 0) {
        errprintf(err, "%s; here also {failed} and {failed_files}", why.text);
    } else if ((rc = template_check_shell(buf_str(&b), &why)) < 0) {
        /* what it says of {host} it says of the list standing there */
        errprintf(err, "%s%s",
                  strstr(why.text, "{host}") ? "(a {failed} or {failed_files}, or a {host}) " : "",
                  why.text);
    }
    buf_free(&b);
    return rc;
}

/* word as one single-quoted word for /bin/sh, always quoted, so that no
 * test name is ever a keyword, an assignment or a tilde prefix. */
static void add_quoted(struct buf *b, const char *word)
{
    buf_addc(b, '\'');
    for (const char *p = word; *p; p++) {
        if (*p == '\'')
            buf_addstr(b, "'\\''");
        else
            buf_addc(b, *p);
    }
    buf_addc(b, '\'');
}

/* Expand text[from, to) as a task line and append it. */
static int add_segment(struct buf *b, const char *text, size_t from, size_t to,
                       const struct subst *v)
{
    char *seg = strndup(text + from, to - from);
    if (!seg) {
        errno = ENOMEM;
        return -1;
    }
    char *out = template_expand(seg, v, true);
    free(seg);
    if (!out)
        return -1;
    buf_addstr(b, out);
    free(out);
    return 0;
}

char *retry_template_expand(const char *text, const struct subst *v, const struct failed_set *f)
{
    if (retry_template_check(text, NULL) < 0 || (f && f->refused)) {
        errno = EINVAL;
        return NULL;
    }
    struct buf b = BUF_INIT;
    size_t from = 0;
    for (size_t i = 0; text[i];) {
        size_t n;
        int list;
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            i += 2;
            continue;
        }
        if ((list = list_at(text + i, &n)) == LIST_NONE) {
            i++;
            continue;
        }
        /* a list stands between words, where the shell's reading starts
         * afresh: the text on each side expands as a task line of its own */
        if (add_segment(&b, text, from, i, v) < 0) {
            buf_free(&b);
            return NULL;
        }
        char *const *words = !f ? NULL : list == LIST_TESTS ? f->tests : f->files;
        size_t nwords = !f ? 0 : list == LIST_TESTS ? f->ntests : f->nfiles;
        for (size_t k = 0; k < nwords; k++) {
            if (k > 0)
                buf_addc(&b, ' ');
            add_quoted(&b, words[k]);
        }
        i += n;
        from = i;
    }
    if (add_segment(&b, text, from, strlen(text), v) < 0) {
        buf_free(&b);
        return NULL;
    }
    char *out = buf_take(&b, NULL);
    if (!out)
        errno = ENOMEM;
    return out;
}
