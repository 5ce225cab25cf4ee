/* SPDX-License-Identifier: BSD-3-Clause */
/* logstore.c - the logs of every attempt, stored on rank 0. */
#include "config.h"

#include "coord/logstore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/fsutil.h"
#include "exec/runner.h"

/* The attempt a rank is sending now. */
struct open_log {
    long index;
    int attempt;
    int fd;                  /* -1 when closed (evicted, ended) or broken */
    bool created;            /* its file exists: the attempt printed something */
    bool broken;             /* could not be created or written, or ended: drop its pieces */
    dev_t dev;               /* the file created, once it was: a reopened */
    ino_t ino;               /* file must be that one */
    unsigned long long used; /* when last written, for closing the least recent */
};

struct logstore {
    char *dir;
    int dir_fd; /* dir, once the first piece made it (fsutil.h), or -1 */
    int width;  /* digits of the shard number, as the runners name them */
    int nranks;
    struct open_log *open; /* one per rank */
    int nopen, max_open;   /* files open now, and the bound */
    unsigned long long clock;
};

int logstore_default_open(void)
{
    struct rlimit rl;
    rlim_t n = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur / 4 : 64;
    return n > 64 ? 64 : n < 1 ? 1 : (int)n;
}

struct logstore *logstore_create(const char *dir, long total, int nranks, int max_open)
{
    struct logstore *ls = calloc(1, sizeof *ls);
    if (!ls)
        return NULL;
    ls->dir_fd = -1;
    char cwd[PATH_MAX];
    if (dir[0] == '/')
        ls->dir = strdup(dir);
    else if (!getcwd(cwd, sizeof cwd) || asprintf(&ls->dir, "%s/%s", cwd, dir) < 0)
        ls->dir = NULL;
    ls->open = malloc((size_t)(nranks > 0 ? nranks : 1) * sizeof *ls->open);
    if (!ls->dir || !ls->open) {
        logstore_destroy(ls);
        errno = ENOMEM;
        return NULL;
    }
    ls->nranks = nranks;
    ls->max_open = max_open > 0 ? max_open : logstore_default_open();
    ls->width = snprintf(NULL, 0, "%ld", total > 0 ? total : 1);
    for (int r = 0; r < nranks; r++)
        ls->open[r] = (struct open_log){.index = -1, .fd = -1};
    return ls;
}

const char *logstore_dir(const struct logstore *ls)
{
    return ls->dir;
}

int logstore_open_count(const struct logstore *ls)
{
    return ls->nopen;
}

/* Close o's file, if open, keeping what it is (it may be reopened). */
static void close_fd(struct logstore *ls, struct open_log *o)
{
    if (o->fd < 0)
        return;
    close(o->fd);
    o->fd = -1;
    ls->nopen--;
}

static void close_log(struct logstore *ls, struct open_log *o)
{
    close_fd(ls, o);
    *o = (struct open_log){.index = -1, .fd = -1};
}

void logstore_destroy(struct logstore *ls)
{
    if (!ls)
        return;
    int saved = errno;
    for (int r = 0; ls->open && r < ls->nranks; r++)
        close_log(ls, &ls->open[r]);
    if (ls->dir_fd >= 0)
        close(ls->dir_fd);
    free(ls->open);
    free(ls->dir);
    free(ls);
    errno = saved;
}

void logstore_close_rank(struct logstore *ls, int rank)
{
    if (rank < 0 || rank >= ls->nranks)
        return;
    struct open_log *o = &ls->open[rank];
    close_fd(ls, o);
    o->broken = true; /* a stray later piece must not reopen it */
}

/* Make room for one more open file: close the least recently written. */
static void make_room(struct logstore *ls)
{
    while (ls->nopen >= ls->max_open) {
        struct open_log *oldest = NULL;
        for (int r = 0; r < ls->nranks; r++) {
            struct open_log *o = &ls->open[r];
            if (o->fd >= 0 && (!oldest || o->used < oldest->used))
                oldest = o;
        }
        if (!oldest)
            return;
        close_fd(ls, oldest);
    }
}

static char *path_of(const struct logstore *ls, long index, int attempt)
{
    char *p;
    if (asprintf(&p, "%s/shard-%0*ld/attempt-%d.log", ls->dir, ls->width, index + 1, attempt) < 0)
        return NULL;
    return p;
}

/* Open the file for a new attempt; on failure mark it broken and say why. */
static int open_log(struct logstore *ls, struct open_log *o, long index, int attempt,
                    struct error *err)
{
    *o = (struct open_log){.index = index, .attempt = attempt, .fd = -1};
    char *path = path_of(ls, index, attempt);
    if (!path) {
        o->broken = true;
        return errprintf(err, "cannot store the log of shard %ld: out of memory", index + 1);
    }
    make_room(ls);
    /* shard-N and the file below the directory are distmpi's: never
     * through a link (fsutil.h) */
    struct error why;
    o->fd = fs_create(&ls->dir_fd, ls->dir, path + strlen(ls->dir) + 1, FS_REPLACE, &why);
    struct stat st;
    if (o->fd >= 0 && fstat(o->fd, &st) < 0) {
        errprintf(&why, "%s", strerror(errno));
        close(o->fd);
        o->fd = -1;
    }
    if (o->fd < 0) {
        o->broken = true;
        errprintf(err, "cannot store the log %s: %s", path, why.text);
        free(path);
        return -1;
    }
    ls->nopen++;
    o->created = true;
    o->dev = st.st_dev;
    o->ino = st.st_ino;
    free(path);
    return 0;
}

/* DIR/shard-N of shard index, as an O_PATH descriptor, never through a
 * link, or -1. The logs of an earlier run in the same directory count too,
 * before this run stored any (then DIR is opened for the look). */
static int open_shard_dir(const struct logstore *ls, long index)
{
    int base = ls->dir_fd >= 0 ? ls->dir_fd : open(ls->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return -1;
    char name[64];
    snprintf(name, sizeof name, "shard-%0*ld", ls->width, index + 1);
    int dir = openat(base, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (base != ls->dir_fd)
        close(base);
    return dir;
}

/* A new attempt of shard index: its file is made only when it prints (an
 * attempt that prints nothing costs no inode; see docs/performance.md), so
 * a file of that name left by an earlier run in the same directory goes
 * now, or the reports would name it. A missing shard-N or file is the
 * usual case. */
static void begin_attempt(struct logstore *ls, struct open_log *o, long index, int attempt)
{
    *o = (struct open_log){.index = index, .attempt = attempt, .fd = -1};
    int dir = open_shard_dir(ls, index);
    if (dir < 0)
        return;
    char name[64];
    snprintf(name, sizeof name, "attempt-%d.log", attempt);
    /* a link stays: were the attempt to print, its creation refuses it by
     * name (fsutil.h), and the reports never read a log through one */
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
        (void)unlinkat(dir, name, 0);
    close(dir);
}

/* Reopen the file of o's attempt, closed to make room, to append to it:
 * relative to the directory's descriptor, shard-N and the file with
 * O_NOFOLLOW, never created, and only if it is still the file created.
 * On failure mark it broken and say why. */
static int reopen_log(struct logstore *ls, struct open_log *o, struct error *err)
{
    make_room(ls);
    char name[64];
    snprintf(name, sizeof name, "shard-%0*ld", ls->width, o->index + 1);
    int dir = openat(ls->dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = -1, e = errno, at = ls->dir_fd;
    if (dir >= 0) {
        snprintf(name, sizeof name, "attempt-%d.log", o->attempt);
        /* O_NONBLOCK: a FIFO put in its place must not hold rank 0 up */
        fd = openat(dir, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        e = errno;
        at = dir;
    }
    struct stat st;
    const char *why = NULL; /* a phrase ("is ...") or strerror */
    bool phrase = true;
    if (fd < 0) {
        /* O_NOFOLLOW refuses a link with ELOOP, or ENOTDIR where a
         * directory is asked for */
        phrase = (e == ELOOP || e == ENOTDIR) && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISLNK(st.st_mode);
        why = phrase ? "is a symbolic link; distmpi will not follow it" : strerror(e);
    } else if (fstat(fd, &st) < 0) {
        phrase = false;
        why = strerror(errno);
    } else if (!S_ISREG(st.st_mode) || st.st_dev != o->dev || st.st_ino != o->ino) {
        why = "is not the file distmpi created; distmpi will not write to it";
    }
    if (dir >= 0)
        close(dir);
    if (why) {
        if (fd >= 0)
            close(fd);
        char *path = path_of(ls, o->index, o->attempt);
        const char *p = path ? path : "";
        /* name the component at fault: shard-N when it could not be opened */
        int n = dir < 0 && path ? (int)(strrchr(path, '/') - path) : (int)strlen(p);
        errprintf(err, "cannot store the log %s: %.*s%s%s", p, n, p, phrase ? " " : ": ", why);
        free(path);
        o->broken = true;
        return -1;
    }
    o->fd = fd;
    ls->nopen++;
    return 0;
}

int logstore_put(struct logstore *ls, int rank, long index, int attempt, int kind, const void *data,
                 size_t len, struct error *err)
{
    if (rank < 0 || rank >= ls->nranks || kind == LOG_LIVE)
        return 0;
    struct open_log *o = &ls->open[rank];
    if (o->index != index || o->attempt != attempt) {
        close_log(ls, o);
        begin_attempt(ls, o, index, attempt);
    }
    /* an empty piece (LOG_END, say) needs no file */
    if (!o->broken && len > 0 && !o->created) {
        if (open_log(ls, o, index, attempt, err) < 0)
            return -1;
    } else if (!o->broken && len > 0 && o->fd < 0 && reopen_log(ls, o, err) < 0) {
        return -1;
    }
    o->used = ++ls->clock;
    int rc = 0;
    if (!o->broken && len > 0 && write_all(o->fd, data, len) < 0) {
        char *path = path_of(ls, index, attempt);
        errprintf(err, "cannot write the log %s: %s", path ? path : "", strerror(errno));
        free(path);
        o->broken = true;
        rc = -1;
    }
    if (kind == LOG_END || o->broken) {
        /* keep the attempt's identity so that a stray later piece of it
         * does not reopen (and truncate) the file */
        close_fd(ls, o);
        o->broken = true;
    }
    return rc;
}

char *logstore_save(struct logstore *ls, long index, const char *name, const void *data, size_t len,
                    struct error *err)
{
    char *flat = strdup(name[0] == '/' ? name + 1 : name);
    char *dir = NULL, *path = NULL;
    if (!flat || asprintf(&dir, "%s/shard-%0*ld/collected", ls->dir, ls->width, index + 1) < 0) {
        free(flat);
        errprintf(err, "cannot store %s: out of memory", name);
        return NULL;
    }
    for (char *c = flat; *c; c++)
        if (*c == '/')
            *c = '_';
    bool dots = !strcmp(flat, "") || !strcmp(flat, ".") || !strcmp(flat, "..");
    if (asprintf(&path, "%s/%s%s", dir, dots ? "_" : "", flat) < 0)
        path = NULL;
    free(flat);
    int fd = -1;
    struct error why;
    errprintf(&why, "out of memory");
    if (path &&
        (fd = fs_create(&ls->dir_fd, ls->dir, path + strlen(ls->dir) + 1, FS_REPLACE, &why)) >= 0) {
        int rc = write_all(fd, data, len), saved = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            saved = errno;
        }
        if (rc == 0) {
            free(dir);
            return path;
        }
        errprintf(&why, "%s", strerror(saved));
    }
    errprintf(err, "cannot store %s: %s", path ? path : name, why.text);
    free(dir);
    free(path);
    return NULL;
}

/* Open the log of shard index's attempt for reading, the way it was made:
 * shard-N and the file never through a link (a link planted after the log
 * was written must not bring another file's end into the reports).
 * Returns an fd of a regular file, or -1. */
static int open_stored(const struct logstore *ls, long index, int attempt)
{
    int dir = open_shard_dir(ls, index);
    if (dir < 0)
        return -1;
    char name[64];
    snprintf(name, sizeof name, "attempt-%d.log", attempt);
    int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dir);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

char *logstore_path(const struct logstore *ls, long index, int attempt)
{
    int fd = open_stored(ls, index, attempt);
    if (fd < 0)
        return NULL;
    close(fd);
    return path_of(ls, index, attempt);
}

char *logstore_name(const struct logstore *ls, long index, int attempt)
{
    return path_of(ls, index, attempt);
}

char *logstore_tail_into(const struct logstore *ls, long index, int attempt, char *buf, size_t size)
{
    if (size < 2)
        return NULL;
    size_t max = size - 1;
    int fd = open_stored(ls, index, attempt);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0) {
        close(fd);
        return NULL;
    }
    off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
    ssize_t n = pread(fd, buf, max, from);
    close(fd);
    if (n <= 0)
        return NULL;
    size_t start = 0;
    if (from > 0) { /* cut in the middle of a line: start at the next one */
        char *nl = memchr(buf, '\n', (size_t)n);
        if (nl && nl + 1 < buf + n)
            start = (size_t)(nl + 1 - buf);
    }
    size_t k = (size_t)n - start;
    memmove(buf, buf + start, k);
    buf[k] = '\0';
    for (size_t i = 0; i < k; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    return buf;
}

char *logstore_tail(const struct logstore *ls, long index, int attempt, size_t max)
{
    char *buf = max < SIZE_MAX ? malloc(max + 1) : NULL;
    if (buf && !logstore_tail_into(ls, index, attempt, buf, max + 1)) {
        free(buf);
        buf = NULL;
    }
    return buf;
}
