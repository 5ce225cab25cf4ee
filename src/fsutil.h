/* fsutil.h - directories and files the way distmpi writes them: without
 * following symlinks, and replaced atomically. */
#ifndef DISTMPI_FSUTIL_H
#define DISTMPI_FSUTIL_H

#include <stdio.h>

/* mkdir -p path (mode 0777 & ~umask). Returns 0, or -1 with errno set. */
int fs_mkdirs(const char *path);

/* Make path an empty directory: create it (and its parents), or delete what
 * an existing one holds, never following symlinks inside it.
 * Returns 0, or -1 with errno set. */
int fs_fresh_dir(const char *path);

/* Open a new file for writing, O_NOFOLLOW and close-on-exec, truncating a
 * regular file that exists. Returns an fd, or -1 with errno set. */
int fs_create(const char *path);

/* Read the whole of path (a regular file or a /proc file; not a directory)
 * into a heap buffer: *data (free with free(); not NUL-terminated) and *len.
 * A file of max bytes or more is refused with errno EFBIG.
 * Returns 0, or -1 with errno set and "PATH: reason" in err. */
int fs_read_file(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen);

/* Replace path atomically with what write_fn writes: a temporary file in the
 * same directory (created O_EXCL|O_NOFOLLOW), flushed, fsynced and renamed
 * over path. write_fn returns 0 on success. Returns 0, or -1 with errno set. */
int fs_write_atomic(const char *path, int (*write_fn)(FILE *f, void *arg), void *arg);

#endif
