/* logstore.c - the logs of every attempt, stored on rank 0. */
#include "config.h"

#include "logstore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "runner.h"

/* The attempt a rank is sending now. */
struct open_log {
    long index;
    int attempt;
    int fd;      /* -1 when closed or broken */
    bool broken; /* could not be created or written: drop its pieces */
};

struct logstore {
    char *dir;
    int dir_fd; /* dir, once the first piece made it (fsutil.h), or -1 */
    int width;  /* digits of the shard number, as the runners name them */
    int nranks;
    struct open_log *open; /* one per rank */
};

struct logstore *logstore_create(const char *dir, long total, int nranks)
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
    ls->width = snprintf(NULL, 0, "%ld", total > 0 ? total : 1);
    for (int r = 0; r < nranks; r++)
        ls->open[r] = (struct open_log){-1, 0, -1, false};
    return ls;
}

const char *logstore_dir(const struct logstore *ls)
{
    return ls->dir;
}

static void close_log(struct open_log *o)
{
    if (o->fd >= 0)
        close(o->fd);
    *o = (struct open_log){-1, 0, -1, false};
}

void logstore_destroy(struct logstore *ls)
{
    if (!ls)
        return;
    int saved = errno;
    for (int r = 0; ls->open && r < ls->nranks; r++)
        close_log(&ls->open[r]);
    if (ls->dir_fd >= 0)
        close(ls->dir_fd);
    free(ls->open);
    free(ls->dir);
    free(ls);
    errno = saved;
}

static char *path_of(const struct logstore *ls, long index, int attempt)
{
    char *p;
    if (asprintf(&p, "%s/shard-%0*ld/attempt-%d.log", ls->dir, ls->width, index + 1, attempt) < 0)
        return NULL;
    return p;
}

/* Open the file for a new attempt; on failure mark it broken and say why. */
static int open_log(struct logstore *ls, struct open_log *o, long index, int attempt, char *err,
                    size_t errlen)
{
    *o = (struct open_log){index, attempt, -1, false};
    char *path = path_of(ls, index, attempt);
    if (!path) {
        o->broken = true;
        snprintf(err, errlen, "cannot store the log of shard %ld: out of memory", index + 1);
        return -1;
    }
    /* shard-N and the file below the directory are distmpi's: never
     * through a link (fsutil.h) */
    char why[4096];
    o->fd =
        fs_create(&ls->dir_fd, ls->dir, path + strlen(ls->dir) + 1, FS_REPLACE, why, sizeof why);
    if (o->fd < 0) {
        o->broken = true;
        snprintf(err, errlen, "cannot store the log %s: %s", path, why);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

int logstore_put(struct logstore *ls, int rank, long index, int attempt, int kind,
                 const void *data, size_t len, char *err, size_t errlen)
{
    if (rank < 0 || rank >= ls->nranks || kind == LOG_LIVE)
        return 0;
    struct open_log *o = &ls->open[rank];
    if (o->index != index || o->attempt != attempt) {
        close_log(o);
        if (open_log(ls, o, index, attempt, err, errlen) < 0)
            return -1;
    }
    int rc = 0;
    const char *p = data;
    while (!o->broken && len > 0) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            char *path = path_of(ls, index, attempt);
            snprintf(err, errlen, "cannot write the log %s: %s", path ? path : "", strerror(errno));
            free(path);
            o->broken = true;
            rc = -1;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (kind == LOG_END) {
        /* keep the attempt's identity so that a stray later piece of it
         * does not reopen (and truncate) the file */
        if (o->fd >= 0)
            close(o->fd);
        o->fd = -1;
        o->broken = true;
    }
    return rc;
}

/* Write all of data to fd. Returns 0, or -1 with errno set. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

char *logstore_save(struct logstore *ls, long index, const char *name, const void *data,
                    size_t len, char *err, size_t errlen)
{
    char *flat = strdup(name[0] == '/' ? name + 1 : name);
    char *dir = NULL, *path = NULL;
    if (!flat || asprintf(&dir, "%s/shard-%0*ld/collected", ls->dir, ls->width, index + 1) < 0) {
        free(flat);
        snprintf(err, errlen, "cannot store %s: out of memory", name);
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
    char why[4096] = "out of memory";
    if (path &&
        (fd = fs_create(&ls->dir_fd, ls->dir, path + strlen(ls->dir) + 1, FS_REPLACE, why,
                        sizeof why)) >= 0) {
        int rc = write_all(fd, data, len), saved = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            saved = errno;
        }
        if (rc == 0) {
            free(dir);
            return path;
        }
        snprintf(why, sizeof why, "%s", strerror(saved));
    }
    snprintf(err, errlen, "cannot store %s: %s", path ? path : name, why);
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
    /* the logs of an earlier run in the same directory count too, before
     * this run stored any */
    int base = ls->dir_fd >= 0 ? ls->dir_fd : open(ls->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return -1;
    char name[64];
    snprintf(name, sizeof name, "shard-%0*ld", ls->width, index + 1);
    int dir = openat(base, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (base != ls->dir_fd)
        close(base);
    if (dir < 0)
        return -1;
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

char *logstore_tail(const struct logstore *ls, long index, int attempt, size_t max)
{
    int fd = open_stored(ls, index, attempt);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || !(buf = malloc(max + 1))) {
        close(fd);
        return NULL;
    }
    off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
    ssize_t n = pread(fd, buf, max, from);
    close(fd);
    if (n <= 0) {
        free(buf);
        return NULL;
    }
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
