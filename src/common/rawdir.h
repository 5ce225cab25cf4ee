/* SPDX-License-Identifier: BSD-3-Clause */
/* rawdir.h - list a directory's entries with getdents64 into a buffer the
 * caller owns: no malloc, no stdio, no locks. For code that must stay
 * async-signal-safe: a signal handler (reaper.c) and a child that runs in
 * its parent's memory before exec (spawner.c), where readdir(3), which may
 * allocate, cannot be used.
 */
#ifndef DISTMPI_RAWDIR_H
#define DISTMPI_RAWDIR_H

#define RAWDIR_BUF 2048

struct rawdir {
    int fd;
    int err;       /* errno of a failed read, or 0 */
    long len, pos; /* bytes in buf, offset of the next record */
    char buf[RAWDIR_BUF] __attribute__((aligned(8)));
};

/* Open the directory path for listing (close-on-exec). Returns 0, or -1
 * with errno set. */
int rawdir_open(struct rawdir *d, const char *path);

/* The same for the directory name relative to the directory at (an fd, as
 * for openat), never through a symbolic link (O_NOFOLLOW: ELOOP, or
 * ENOTDIR). */
int rawdir_openat(struct rawdir *d, int at, const char *name);

/* The next entry's name (valid until the next call), "." and ".." left
 * out, or NULL at the end or when a read failed (d->err says which: 0 at
 * the end). */
const char *rawdir_next(struct rawdir *d);

/* Close d. Keeps errno. */
void rawdir_close(struct rawdir *d);

#endif
