/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_template.c - libFuzzer harness for command templates (template.h):
 * template_check on arbitrary text, template_expand of every accepted one in
 * both quoting modes, shell_quote checked by undoing its quoting, and
 * template_check_shell checked by an oracle: a task line it accepts,
 * expanded with values that are shell code, is read back with a lexer of
 * the harness's own, and every byte of every value must be inside a '...'
 * word that the shell reads at the top level. A --retry-command line
 * (retryfailed.h) is checked by the same oracle, its {failed} and
 * {failed_files} words being shell code too. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/retryfailed.h"
#include "model/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Undo /bin/sh quoting as shell_quote writes it: '...' runs and \x.
 * Returns a heap string, or NULL when q is not such a word (unbalanced
 * quote, a character a shell would interpret outside quotes). */
static char *sh_unquote(const char *q)
{
    char *out = malloc(strlen(q) + 1), *o = out;
    if (!out)
        abort();
    for (const char *p = q; *p;) {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                free(out);
                return NULL;
            }
            memcpy(o, p + 1, (size_t)(end - p - 1));
            o += end - p - 1;
            p = end + 1;
        } else if (*p == '\\' && p[1]) {
            *o++ = p[1];
            p += 2;
        } else if (strchr("_./:=@%+,-", *p) || (*p >= 'a' && *p <= 'z') ||
                   (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
            *o++ = *p++;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

static void check_quote(const char *s)
{
    char *q = shell_quote(s);
    if (!q)
        return; /* ENOMEM */
    char *back = sh_unquote(q);
    if (!back || strcmp(back, s) || !q[0])
        abort(); /* a shell would not read s back (or an empty word vanished) */
    free(back);
    free(q);
}

/* Read cmd, the expansion of a task line, as /bin/sh reads it, and abort
 * when a byte mark (found only in the values) stands anywhere but inside
 * '...' opened at the top level: in "...", in a comment, after a backslash,
 * or in $'...'. The lexer knows only plain words, '...', "...", \ and #; at
 * anything else in the line's own text ($(, `, ${, ((, [, a line break) it
 * stops, for what follows depends on more than it knows. */
static void oracle(const char *cmd, char mark)
{
    enum { TOP, SQ, DQ, COMMENT } st = TOP;
    int word_start = 1;
    for (const char *p = cmd; *p; p++) {
        char c = *p;
        if (st == SQ) {
            if (c == '\'')
                st = TOP;
            continue; /* a mark in '...' from the top level: what we want */
        }
        if (c == mark)
            abort(); /* a value's byte outside its quotes */
        if (st == COMMENT) {
            if (c == '\n')
                return;
            continue;
        }
        if (st == DQ) {
            if (c == '\\' && p[1] && strchr("$`\"\\", p[1]))
                p++;
            else if (c == '"')
                st = TOP;
            else if (c == '$' || c == '`' || c == '\n')
                return;
            continue;
        }
        if (c == '\\') {
            if (!p[1])
                return;
            if (p[1] == mark)
                abort();
            p++;
            word_start = 0;
        } else if (c == '\'') {
            st = SQ;
            word_start = 0;
        } else if (c == '"') {
            st = DQ;
            word_start = 0;
        } else if (c == '#' && word_start) {
            st = COMMENT;
        } else if (c == '$') {
            if (p[1] == '\'' && p[2] == mark)
                abort(); /* $'...' in bash: backslashes in the value count */
            return;
        } else if (c == '`' || c == '\n' || c == '[' || (c == '(' && p[1] == '(')) {
            return;
        } else {
            word_start = strchr(" \t;&|()<>", c) != NULL;
        }
    }
}

/* A byte that text does not contain and that means nothing to a shell;
 * 0 when there is none. */
static char free_mark(const char *text)
{
    for (int c = 1; c < 256; c++) {
        if (c == '\n' || c == '\'' || c == '\\' || strchr(" \t\"$`#;&|()<>{}[]*?~!=%", c))
            continue;
        if (!strchr(text, c))
            return (char)c;
    }
    return 0;
}

static void check_task_line(const char *text)
{
    struct error err = {""};
    char mark = free_mark(text);
    char host[64], dir[96];
    snprintf(host, sizeof host, "%ch'$(x)\"`y`\\;#%c", mark, mark);
    snprintf(dir, sizeof dir, "%c/d ir/'\"\r$(touch P) #\\%c*", mark, mark);
    struct subst v = {.shard = 3,
                      .index = 2,
                      .total = 48,
                      .host = host,
                      .rank = 5,
                      .slot = 1,
                      .attempt = 2,
                      .output_dir = dir};
    int rc = template_check_shell(text, &err);
    errno = 0;
    char *cmd = template_expand(text, &v, 1);
    if (rc == 0) {
        if (!cmd) {
            if (errno != ENOMEM)
                abort(); /* accepted: expansion must work */
            return;
        }
        if (mark)
            oracle(cmd, mark);
        free(cmd);
        /* a value with a line break is refused, never put in */
        v.output_dir = "/d\nx";
        errno = 0;
        cmd = template_expand(text, &v, 1);
        if (cmd ? strchr(cmd, '\n') && !strchr(text, '\n') : errno != EILSEQ && errno != ENOMEM)
            abort();
        free(cmd);
        return;
    }
    if (cmd || errno != EINVAL)
        abort(); /* what the check refuses, shell expansion refuses too */
    if (strchr(err.text, '\n'))
        abort();
    if (strncmp(err.text, "unknown placeholder {", 21) &&
        ((strncmp(err.text, "{host} ", 7) && strncmp(err.text, "{output_dir} ", 13)) ||
         !strstr(err.text, "(column ") || !strstr(err.text, "$DISTMPI_")))
        abort(); /* a refusal names the placeholder, where it is and what to write */
}

/* A byte that text does not contain, that means nothing to a shell, and
 * that a failed test's word may hold (not a control character, not '-'):
 * a byte above 127 or a letter or digit; 0 when there is none. */
static char word_mark(const char *text)
{
    for (int c = 255; c > 0; c--) {
        int ok =
            c >= 128 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (ok && !strchr(text, c))
            return (char)c;
    }
    return 0;
}

static void check_retry_line(const char *text)
{
    char mark = word_mark(text);
    if (!mark)
        return;
    char t1[64], t2[64], file[64], host[64], dir[96];
    snprintf(t1, sizeof t1, "%ca b'$(x)\"`y`\\;#%c", mark, mark);
    snprintf(t2, sizeof t2, "%c*?[x] ~ if x=1 {failed} '' %c", mark, mark);
    snprintf(file, sizeof file, "%cdir/it's $HOME%c.py", mark, mark);
    snprintf(host, sizeof host, "%ch'$(x)\"`y`\\;#%c", mark, mark);
    snprintf(dir, sizeof dir, "%c/d ir/'\"$(touch P) #\\%c*", mark, mark);
    struct subst v = {.shard = 3,
                      .index = 2,
                      .total = 48,
                      .host = host,
                      .rank = 5,
                      .slot = 1,
                      .attempt = 2,
                      .output_dir = dir};
    struct failed_set f = FAILED_SET_INIT;
    if (failed_set_add(&f, t1, "c", NULL, NULL) < 0 ||
        failed_set_add(&f, t2, "x.y", file, "3") < 0) {
        failed_set_free(&f);
        return; /* out of memory */
    }
    if (!failed_set_usable(&f))
        abort(); /* none of these words is one to refuse */
    struct error err = {""};
    int rc = retry_template_check(text, &err);
    errno = 0;
    char *cmd = retry_template_expand(text, &v, &f);
    if (rc == 0) {
        if (!cmd && errno != ENOMEM)
            abort(); /* accepted: expansion must work */
        if (cmd)
            oracle(cmd, mark);
    } else if (cmd || errno != EINVAL || strchr(err.text, '\n')) {
        abort(); /* what the check refuses, expansion refuses too */
    }
    free(cmd);
    failed_set_free(&f);
}

/* A value in a glob pattern matches itself: when text has no wildcard of
 * its own, its glob expansion matches its plain one. */
static void check_glob(const char *text, const struct subst *v)
{
    char *pat = template_expand_glob(text, v);
    char *plain = template_expand(text, v, 0);
    if (pat && plain && !strpbrk(text, "*?[]\\") && fnmatch(pat, plain, 0) != 0)
        abort();
    free(pat);
    free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* the text ends at the first NUL, as a C string does */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_quote(text);

    struct error err = {""};
    /* values with everything a shell would split or interpret */
    static const struct subst v = {.shard = 3,
                                   .index = 2,
                                   .total = 48,
                                   .host = "node-1 $(reboot) 'x' [a]*",
                                   .rank = 5,
                                   .slot = 1,
                                   .attempt = 2,
                                   .output_dir = "/tmp/out dir/it's {shard}?\\"};
    if (template_check(text, &err) == 0) {
        errno = 0;
        char *s = template_expand(text, &v, 0);
        if (!s && errno != ENOMEM)
            abort(); /* template_check accepted it: expansion must work */
        free(s);
        check_glob(text, &v);
    } else {
        if (strncmp(err.text, "unknown placeholder {", 21) || strchr(err.text, '\n'))
            abort();
        errno = 0;
        char *s = template_expand(text, &v, 0);
        if (s || errno != EINVAL)
            abort(); /* what the check refuses, expansion refuses too */
    }
    check_task_line(text);
    check_retry_line(text);
    free(text);
    return 0;
}
