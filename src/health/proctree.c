/* SPDX-License-Identifier: BSD-3-Clause */
/* proctree.c - the run's own runnable tasks on this host, from /proc. */
#include "config.h"

#include "health/proctree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long parse_number(const char *p, const char *end, const char **after)
{
    long v = 0;
    const char *start = p;
    *after = p;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (v > (LONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    *after = p;
    return p == start ? -1 : v;
}

int proctree_parse_stat(const char *text, size_t len, long *pid, char *state, long *ppid)
{
    const char *end = text + len, *p;
    long id = parse_number(text, end, &p);
    /* the command name is anything up to the last ')': it may hold ") (" */
    const char *close = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == ')')
            close = q;
    if (id < 0 || p >= end || *p != ' ' || p + 1 >= end || p[1] != '(' || !close ||
        end - close < 5 || close[1] != ' ' || close[3] != ' ') {
        errno = EINVAL;
        return -1;
    }
    char st = close[2];
    long parent = parse_number(close + 4, end, &p);
    if (parent < 0 || (p < end && *p != ' ' && *p != '\n')) {
        errno = EINVAL;
        return -1;
    }
    *pid = id;
    *state = st;
    *ppid = parent;
    return 0;
}

static int in_list(long v, const long *list, int n)
{
    for (int i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

void proctree_mark(const long *pid, const long *ppid, int n, const long *ranks, int nranks,
                   unsigned char *own)
{
    /* 1: a rank or below one (its children count too); 2: a rank's parent */
    for (int i = 0; i < n; i++)
        own[i] = in_list(pid[i], ranks, nranks);
    for (int i = 0; i < n; i++)
        if (own[i] == 1)
            for (int j = 0; j < n; j++)
                if (pid[j] == ppid[i] && !own[j])
                    own[j] = 2;
    /* a pass adds at least one level of children, so this ends within
     * depth + 1 passes; process trees are shallow */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < n; i++) {
            if (own[i] == 1)
                continue;
            for (int j = 0; j < n; j++)
                if (own[j] == 1 && pid[j] == ppid[i]) {
                    own[i] = 1;
                    changed = 1;
                    break;
                }
        }
    }
    for (int i = 0; i < n; i++)
        own[i] = own[i] != 0;
}

/* The state of PATH (a .../stat file), or 0 when it cannot be read (the
 * process or thread has ended). */
static char read_state(const char *path)
{
    char buf[1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    long pid, ppid;
    char state;
    if (n <= 0 || proctree_parse_stat(buf, (size_t)n, &pid, &state, &ppid) < 0)
        return 0;
    return state;
}

/* Runnable threads of process pid. */
static long running_threads(const char *procdir, long pid)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%ld/task", procdir, pid);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(path, sizeof path, "%s/%ld/stat", procdir, pid);
        return read_state(path) == 'R';
    }
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "%s/%ld/task/%s/stat", procdir, pid, e->d_name);
        n += read_state(path) == 'R';
    }
    closedir(d);
    return n;
}

long proctree_running(const char *procdir, const long *ranks, int nranks)
{
    DIR *d = opendir(procdir);
    if (!d)
        return -1;
    long *pid = NULL, *ppid = NULL;
    int n = 0, cap = 0;
    long count = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s/stat", procdir, e->d_name);
        char buf[1024];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; /* it has ended */
        ssize_t len = read(fd, buf, sizeof buf);
        close(fd);
        long id, parent;
        char state;
        if (len <= 0 || proctree_parse_stat(buf, (size_t)len, &id, &state, &parent) < 0)
            continue;
        if (n == cap) {
            int c = cap ? cap * 2 : 256;
            long *p1 = realloc(pid, (size_t)c * sizeof *p1);
            if (!p1)
                goto out;
            pid = p1;
            long *p2 = realloc(ppid, (size_t)c * sizeof *p2);
            if (!p2)
                goto out;
            ppid = p2;
            cap = c;
        }
        pid[n] = id;
        ppid[n] = parent;
        n++;
    }
    unsigned char *own = malloc(n > 0 ? (size_t)n : 1);
    if (!own)
        goto out;
    proctree_mark(pid, ppid, n, ranks, nranks, own);
    count = 0;
    for (int i = 0; i < n; i++)
        if (own[i])
            count += running_threads(procdir, pid[i]);
    free(own);
out:
    if (count < 0 && errno == 0)
        errno = ENOMEM;
    closedir(d);
    free(pid);
    free(ppid);
    return count;
}
