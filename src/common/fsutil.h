/* SPDX-License-Identifier: BSD-3-Clause */
/* fsutil.h - directories and files the way distmpi writes them: never
 * through a symbolic link it did not expect, and replaced atomically.
 *
 * The rule for links. A path distmpi creates things under is two parts:
 * BASE, a directory the user named (--run-dir, --logs, the directory of
 * --journal) or distmpi's default for one, and REL, the names distmpi
 * itself gives below it (shard-N/attempt-A, shard-N/attempt-A.log,
 * shard-N/collected/NAME, journal.jsonl). A component of BASE that exists
 * is followed when it is a symbolic link (the user's own link to a scratch
 * disk, /tmp on a system where it is one), except a link in a sticky
 * world-writable directory (/tmp) that belongs neither to this user nor to
 * that directory's owner: another user planted it, and it is refused, as
 * Linux's fs.protected_symlinks does (kept here where that is off). Every
 * component of BASE that is missing and every component of REL is created
 * with mkdirat and opened with O_NOFOLLOW relative to its parent's
 * descriptor, so a symbolic link there, planted before or during the run,
 * is refused and nothing is created, emptied or written where it points.
 *
 * Errors go in err (error.h; NULL: none wanted): "PATH is a symbolic link;
 * distmpi will not follow it", "PATH is not a directory", or "PATH:
 * reason", PATH being the component at fault. A refused link gives errno
 * ELOOP.
 */
#ifndef DISTMPI_FSUTIL_H
#define DISTMPI_FSUTIL_H

#include <stdio.h>

#include "common/error.h"

/* Open the directory BASE/REL (base "": the working directory; rel NULL or
 * "": BASE itself), creating what
 * is missing (mode 0777 & ~umask) by the rule above. rel must not hold
 * "." or ".." components (EINVAL). Directories are walked with O_PATH
 * descriptors, so one that may be searched but not read (mode 0711) is no
 * obstacle. Returns a descriptor (O_PATH, O_DIRECTORY, close-on-exec: for
 * the *at calls, fstat and close), or -1 with errno set and the reason in
 * err. */
int fs_open_dirs(const char *base, const char *rel, struct error *err);

/* fs_fresh_dir and fs_create walk from BASE's descriptor in *base_fd, kept
 * open between calls so that BASE is walked once (a run makes thousands of
 * attempt directories and logs): -1 at first, opened (as fs_open_dirs(base,
 * NULL)) on first use, and again if its directory was removed meanwhile;
 * the caller closes it in the end. base_fd NULL: BASE is walked every
 * time. base names BASE in errors either way. */

/* Make BASE/REL an empty directory: open or create it as fs_open_dirs
 * does, then delete what it holds, relative to its descriptor: a symbolic
 * link inside is removed, never followed; a directory inside is opened with
 * O_NOFOLLOW and emptied the same way; one on another file system is
 * refused (EXDEV). Returns 0, or -1 with errno set and the reason in err. */
int fs_fresh_dir(int *base_fd, const char *base, const char *rel, struct error *err);

/* fs_create flags. */
#define FS_REPLACE 1 /* a regular file there is removed first (else: EEXIST) */
#define FS_SYNC_DIR                                        \
    2 /* fsync the file's directory once the file is in it \
       * (unless it may not be read: mode 0733) */

/* Create the file BASE/REL for writing (REL's last component is the file;
 * its directories are opened or created as fs_open_dirs does): with
 * O_CREAT|O_EXCL|O_NOFOLLOW, close-on-exec, mode 0666 & ~umask. Whatever is
 * there already is never written to: a symbolic link is refused (ELOOP),
 * a regular file is unlinked first with FS_REPLACE (so a hard link to it
 * keeps its contents) and refused without it (EEXIST, "PATH exists
 * already"), anything else is refused (EEXIST, "PATH is not a regular
 * file"). Returns an fd, or -1 with errno set and the reason in err. */
int fs_create(int *base_fd, const char *base, const char *rel, int flags, struct error *err);

/* Whether the directory NAME below the directory at (never through a
 * symbolic link) holds nothing but, where only is not NULL, one entry of
 * that name: 1 yes, 0 no (or it is not a directory one may list). */
int fs_dir_holds_only(int at, const char *name, const char *only);

/* Read the whole of path (a regular file or a /proc file; not a directory)
 * into a heap buffer: *data (free with free(); not NUL-terminated) and *len.
 * A file of max bytes or more is refused with errno EFBIG.
 * Returns 0, or -1 with errno set and "PATH: reason" in err. */
int fs_read_file(const char *path, size_t max, char **data, size_t *len, struct error *err);

/* Replace path atomically with what write_fn writes: a temporary file in
 * the same directory (opened once; it must exist), created O_EXCL|O_NOFOLLOW,
 * flushed, fsynced and renamed over path, and then the directory fsynced
 * (unless it may not be read: mode 0733).
 * A symbolic link at path is refused (ELOOP; rename would not follow it,
 * but the user meant the file it points to, which would stay as it was).
 * write_fn returns 0 on success (errno set on failure; EIO if not).
 * Returns 0, or -1 with errno set and "PATH: reason" in err. */
int fs_write_atomic(const char *path, int (*write_fn)(FILE *f, void *arg), void *arg,
                    struct error *err);

#endif
