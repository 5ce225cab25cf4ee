/* SPDX-License-Identifier: BSD-3-Clause */
/* tasks.c - task file reading and checking. */
#include "config.h"

#include "config/tasks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "model/template.h"

void tasks_destroy(struct tasklist *t)
{
    if (!t)
        return;
    int saved = errno;
    for (long i = 0; i < t->count; i++)
        free(t->lines[i]);
    free(t->lines);
    free(t->lineno);
    free(t);
    errno = saved;
}

static int append(struct tasklist *t, long *cap, const char *p, size_t n, long line)
{
    if (t->count == *cap) {
        long ncap = *cap ? *cap * 2 : 64;
        char **lines = realloc(t->lines, (size_t)ncap * sizeof *lines);
        if (!lines)
            return -1;
        t->lines = lines;
        long *nos = realloc(t->lineno, (size_t)ncap * sizeof *nos);
        if (!nos)
            return -1;
        t->lineno = nos;
        *cap = ncap;
    }
    char *s = strndup(p, n);
    if (!s)
        return -1;
    t->lines[t->count] = s;
    t->lineno[t->count] = line;
    t->count++;
    return 0;
}

int tasks_parse(const char *name, const char *data, size_t len, struct tasklist **out,
                struct error *err)
{
    struct tasklist *t = calloc(1, sizeof *t);
    long cap = 0;
    if (!t)
        goto nomem;
    long line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (memchr(start, '\0', n)) {
            errprintf(err, "%s:%ld: line contains a NUL byte (is this a text file?)", name, line);
            goto fail;
        }
        if (n > 0 && start[n - 1] == '\r')
            n--;
        size_t skip = 0;
        while (skip < n && (start[skip] == ' ' || start[skip] == '\t'))
            skip++;
        if (skip == n || start[skip] == '#')
            continue;
        if (append(t, &cap, start, n, line) < 0)
            goto nomem;
        if (template_check_shell(t->lines[t->count - 1], err) < 0) {
            errprefix(err, "%s:%ld: ", name, line);
            goto fail;
        }
    }
    if (t->count == 0) {
        errprintf(err, "%s: no tasks in the file (only blank lines and comments)", name);
        goto fail;
    }
    *out = t;
    return 0;
nomem:
    errprintf(err, "%s: out of memory", name);
fail:
    tasks_destroy(t);
    return -1;
}

/* Task files of a million lines are fine; a gigabyte is a mistake. */
#define TASKS_MAX_BYTES ((size_t)1 << 30)

int tasks_load(const char *path, struct tasklist **out, struct error *err)
{
    char *data;
    size_t len;
    if (fs_read_file(path, TASKS_MAX_BYTES, &data, &len, err) < 0)
        return -1;
    int rc = tasks_parse(path, data ? data : "", len, out, err);
    free(data);
    return rc;
}
