/* SPDX-License-Identifier: BSD-3-Clause */
/* items.c - work items: reading, checking and the task lines of batches. */
#include "config.h"

#include "config/items.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/utf8.h"
#include "model/template.h"

void items_destroy(struct itemlist *l)
{
    if (!l)
        return;
    int saved = errno;
    for (long i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    free(l);
    errno = saved;
}

static int append(struct itemlist *l, long *cap, const char *p, size_t n)
{
    if (l->count == *cap) {
        long ncap = *cap ? *cap * 2 : 64;
        char **items = realloc(l->items, (size_t)ncap * sizeof *items);
        if (!items)
            return -1;
        l->items = items;
        *cap = ncap;
    }
    if (!(l->items[l->count] = strndup(p, n)))
        return -1;
    l->count++;
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int items_parse(const char *name, const char *data, size_t len, struct itemlist **out,
                struct error *err)
{
    struct itemlist *l = calloc(1, sizeof *l);
    long cap = 0, line = 0;
    if (!l) {
        errprintf(err, "%s: out of memory", name);
        return -1;
    }
    for (size_t pos = 0; pos < len;) {
        line++;
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && start[n - 1] == '\r')
            n--;
        while (n > 0 && is_blank(*start))
            start++, n--;
        while (n > 0 && is_blank(start[n - 1]))
            n--;
        if (n == 0 || *start == '#')
            continue;
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)start[k] < 0x20 && start[k] != '\t') {
                errprintf(err, "%s:%ld: the item holds a control character (0x%02x)", name, line,
                          (unsigned char)start[k]);
                goto fail;
            } else if (start[k] == 0x7f) {
                errprintf(err, "%s:%ld: the item holds a control character (0x7f)", name, line);
                goto fail;
            }
        if (*start == '-') {
            errprintf(err,
                      "%s:%ld: the item '%.*s' starts with '-': the test tool would take it "
                      "for an option",
                      name, line, (int)utf8_fit(start, n, 60), start);
            goto fail;
        }
        if (l->count == ITEMS_MAX) {
            errprintf(err, "%s:%ld: more than %d items", name, line, ITEMS_MAX);
            goto fail;
        }
        if (append(l, &cap, start, n) < 0) {
            errprintf(err, "%s: out of memory", name);
            goto fail;
        }
    }
    if (l->count == 0) {
        errprintf(err, "%s: no items (only blank lines and comments)", name);
        goto fail;
    }
    *out = l;
    return 0;
fail:
    items_destroy(l);
    return -1;
}

int items_load(const char *path, struct itemlist **out, struct error *err)
{
    char *data;
    size_t len;
    if (fs_read_file(path, ITEMS_MAX_BYTES, &data, &len, err) < 0)
        return -1;
    int rc = items_parse(path, data ? data : "", len, out, err);
    free(data);
    return rc;
}

/* Read fd to its end into b, at most max bytes: 0, 1 when there was more,
 * -1 with errno. */
static int read_all(int fd, struct buf *b, size_t max)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (b->len + (size_t)n > max)
            return 1;
        if (buf_add(b, chunk, (size_t)n) < 0) {
            errno = ENOMEM;
            return -1;
        }
    }
}

int items_from_command(const char *command, struct itemlist **out, struct error *err)
{
    int fds[2];
    if (pipe(fds) < 0)
        return errprintf(err, "--items-command: cannot make a pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return errprintf(err, "--items-command: cannot start it: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        if (fds[1] != STDOUT_FILENO && (dup2(fds[1], STDOUT_FILENO) < 0 || close(fds[1]) < 0))
            _exit(127);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    struct buf b = BUF_INIT;
    int more = read_all(fds[0], &b, ITEMS_MAX_BYTES);
    int read_errno = errno;
    close(fds[0]);
    if (more != 0) /* it may still be writing: it is not waited for any longer */
        kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    size_t len;
    char *data = buf_take(&b, &len);
    int rc = -1;
    if (more > 0)
        errprintf(err, "--items-command: it printed more than %zu MiB", ITEMS_MAX_BYTES >> 20);
    else if (more < 0)
        errprintf(err, "--items-command: cannot read what it printed: %s", strerror(read_errno));
    else if (WIFSIGNALED(status))
        errprintf(err, "--items-command: it was ended by signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        errprintf(err, "--items-command: it exited with status %d%s", WEXITSTATUS(status),
                  WEXITSTATUS(status) == 127 ? " (command not found?)" : "");
    else
        rc = items_parse("--items-command", data ? data : "", len, out, err);
    free(data);
    return rc;
}

int items_check_command(char *const *words, int nwords, struct error *err)
{
    int found = 0;
    for (int w = 0; w < nwords; w++) {
        if (!strcmp(words[w], ITEMS_WORD)) {
            found = 1;
            continue;
        }
        if (strstr(words[w], ITEMS_WORD))
            return errprintf(err,
                             "command word %d: {items} must be a word of its own (it stands "
                             "for several words, one per item)",
                             w + 1);
        if (template_check(words[w], err) < 0)
            return errprefix(err, "command word %d: ", w + 1);
    }
    if (!found)
        return errprintf(err,
                         "with --items or --items-command, the command must have a word "
                         "{items}, which stands for the items of each batch");
    return 0;
}

/* The length of the placeholder at p ("{name}"), or 0 when p does not start
 * one ("{{" and "}}" are literal braces, written as they are). */
static size_t placeholder_at(const char *p)
{
    if (p[0] != '{' || p[1] == '{')
        return 0;
    const char *end = strchr(p, '}');
    return end ? (size_t)(end - p) + 1 : 0;
}

/* Word w of a command, for /bin/sh: runs of text quoted where needed,
 * placeholders as they are (template_expand quotes their values). */
static void add_word(struct buf *b, const char *w)
{
    struct buf lit = BUF_INIT;
    if (!*w)
        buf_addstr(b, "''");
    for (const char *p = w;;) {
        size_t ph = placeholder_at(p);
        if (ph == 0 && *p) {
            size_t n = (p[0] == '{' || p[0] == '}') && p[1] == p[0] ? 2 : 1;
            buf_add(&lit, p, n);
            p += n;
            continue;
        }
        if (lit.len) {
            char *text = buf_take(&lit, NULL);
            char *q = text ? shell_quote(text) : NULL;
            if (q)
                buf_addstr(b, q);
            else
                b->failed = true; /* buf_take then gives NULL */
            free(q);
            free(text);
        }
        if (ph == 0)
            break;
        buf_add(b, p, ph);
        p += ph;
    }
    buf_free(&lit);
}

/* Whether sh would read word as an assignment (NAME=...) where it stands
 * first in a command: shell_quote leaves such a word as it is, which is
 * right for a word of the user's command but not for an item, which is
 * always an argument. */
static bool looks_like_assignment(const char *word)
{
    if (!(isalpha((unsigned char)word[0]) || word[0] == '_'))
        return false;
    const char *p = word + 1;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    return *p == '=';
}

/* An item as one quoted word, its braces doubled. */
static void add_item(struct buf *b, const char *item)
{
    struct buf t = BUF_INIT;
    for (const char *p = item; *p; p++) {
        buf_addc(&t, *p);
        if (*p == '{' || *p == '}')
            buf_addc(&t, *p);
    }
    char *text = buf_take(&t, NULL);
    char *q = text ? shell_quote(text) : NULL;
    if (q && looks_like_assignment(q)) {
        buf_addc(b, '\''); /* unquoted, so it has no quote of its own */
        buf_addstr(b, q);
        buf_addc(b, '\'');
    } else if (q) {
        buf_addstr(b, q);
    } else {
        b->failed = true;
    }
    free(q);
    free(text);
}

char *items_line(char *const *words, int nwords, char *const *items, long n)
{
    struct buf b = BUF_INIT;
    for (int w = 0; w < nwords; w++) {
        if (w)
            buf_addc(&b, ' ');
        if (strcmp(words[w], ITEMS_WORD) != 0) {
            add_word(&b, words[w]);
            continue;
        }
        for (long k = 0; k < n; k++) {
            if (k)
                buf_addc(&b, ' ');
            add_item(&b, items[k]);
        }
    }
    return buf_take(&b, NULL);
}
