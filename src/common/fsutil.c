/* SPDX-License-Identifier: BSD-3-Clause */
/* fsutil.c - careful file creation: every directory and file opened
 * relative to its parent's descriptor (rules in fsutil.h). */
#include "config.h"

#include "common/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/rawdir.h"

#define LINK_REFUSED "is a symbolic link; distmpi will not follow it"

/* A walk down BASE/REL, and where its errors go. */
struct walk {
    const char *base, *rel;
    struct error *err;
    int at;         /* BASE already open (the caller's), or -1 */
    int make_first; /* REL's directories are likely new: mkdirat before openat */
};

/* Say what is wrong with the component ending at base[nb] (nr == 0) or at
 * rel[nr], set errno to e, and return -1. what NULL: strerror(e). */
static int fail(const struct walk *w, size_t nb, size_t nr, int e, const char *what)
{
    const char *sep = "";
    size_t r0 = 0; /* one "/" between the parts, whatever each holds */
    while (r0 < nr && w->rel[r0] == '/')
        r0++;
    if (nr > r0) {
        while (nb > 1 && w->base[nb - 1] == '/')
            nb--;
        sep = nb == 0 || w->base[nb - 1] == '/' ? "" : "/";
    }
    errno = e;
    return errprintf(w->err, "%.*s%s%.*s%s%s", (int)nb, w->base, sep, (int)(nr - r0), w->rel + r0,
                     what ? " " : ": ", what ? what : strerror(e));
}

/* The next component of s after *pos, as s[*start, *end); 0 at the end. */
static int next_component(const char *s, size_t *pos, size_t *start, size_t *end)
{
    size_t i = *pos;
    while (s[i] == '/')
        i++;
    if (!s[i])
        return 0;
    *start = i;
    while (s[i] && s[i] != '/')
        i++;
    *end = *pos = i;
    return 1;
}

/* Copy s[start, end) into name (NAME_MAX + 1 bytes). Returns 0, or -1. */
static int copy_name(char *name, const char *s, size_t start, size_t end)
{
    if (end - start > NAME_MAX)
        return -1;
    memcpy(name, s + start, end - start);
    name[end - start] = '\0';
    return 0;
}

/* close() that keeps errno. */
static void close_keep(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/* fsync the directory dfd (an O_PATH descriptor, which fsync refuses) by
 * opening it for reading. One that may be written but not read (mode
 * 0733) cannot be synced, and is not: the file is there all the same. */
static int sync_dir(int dfd)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == EACCES ? 0 : -1;
    int rc = fsync(fd);
    close_keep(fd);
    return rc;
}

/* Open the directory name in at, a component distmpi creates (or one of
 * BASE found missing): created if missing, never through a link. */
static int open_own(const struct walk *w, int at, const char *name, size_t nb, size_t nr)
{
    /* one call fewer for a new directory (the usual shard-N), as many for
     * one that is there; whatever the mkdirat says, the open below decides
     * and tells what is wrong */
    if (w->make_first)
        (void)mkdirat(at, name, 0777);
    for (int tries = 0;; tries++) {
        int fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            return fd;
        int e = errno;
        if (e == ENOENT && tries == 0) {
            if (mkdirat(at, name, 0777) < 0 && errno != EEXIST)
                return fail(w, nb, nr, errno, NULL);
            continue; /* EEXIST: made meanwhile, or a link: the open says */
        }
        if (e == ENOTDIR || e == ELOOP) {
            struct stat ls;
            if (fstatat(at, name, &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(ls.st_mode))
                return fail(w, nb, nr, ELOOP, LINK_REFUSED);
            return fail(w, nb, nr, ENOTDIR, "is not a directory");
        }
        return fail(w, nb, nr, e, NULL);
    }
}

/* Open the directory name in at, a component of BASE: followed when it is
 * a link, unless another user planted that link in a sticky
 * world-writable directory; created (as open_own) when missing. */
static int open_user(const struct walk *w, int at, const char *name, size_t nb)
{
    struct stat ls, st;
    if (fstatat(at, name, &ls, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? open_own(w, at, name, nb, 0) : fail(w, nb, 0, errno, NULL);
    int link = S_ISLNK(ls.st_mode);
    if (link) {
        if (fstat(at, &st) < 0)
            return fail(w, nb, 0, errno, NULL);
        if ((st.st_mode & (S_ISVTX | S_IWOTH)) == (S_ISVTX | S_IWOTH) && ls.st_uid != geteuid() &&
            ls.st_uid != st.st_uid)
            return fail(w, nb, 0, ELOOP,
                        "is a symbolic link another user made in a shared directory; distmpi "
                        "will not follow it");
    }
    int fd = openat(at, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && link)
        return fail(w, nb, 0, ENOENT, "is a symbolic link to nothing");
    if (fd < 0)
        return fail(w, nb, 0, errno, errno == ENOTDIR ? "is not a directory" : NULL);
    /* what was checked is what was opened: not a link swapped in since */
    if (!link && (fstat(fd, &st) < 0 || st.st_dev != ls.st_dev || st.st_ino != ls.st_ino)) {
        close(fd);
        return fail(w, nb, 0, ELOOP, "was replaced while distmpi opened it");
    }
    return fd;
}

/* Open BASE/REL in w (rel "" for none), from w->at when it is open. */
static int open_dirs(const struct walk *w)
{
    char name[NAME_MAX + 1];
    size_t pos = 0, start, end;
    /* O_PATH: a directory that may be searched but not read (mode 0711)
     * can be walked through, as mkdir(2) by path could */
    int fd =
        w->at >= 0 ? w->at : open(w->base[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fail(w, 0, 0, errno, NULL);
    while (w->at < 0 && next_component(w->base, &pos, &start, &end)) {
        int next = copy_name(name, w->base, start, end) < 0 ? fail(w, end, 0, ENAMETOOLONG, NULL)
                                                            : open_user(w, fd, name, end);
        close_keep(fd);
        if (next < 0)
            return -1;
        fd = next;
    }
    size_t nb = strlen(w->base);
    pos = 0;
    while (next_component(w->rel, &pos, &start, &end)) {
        int next;
        if (copy_name(name, w->rel, start, end) < 0)
            next = fail(w, nb, end, ENAMETOOLONG, NULL);
        else if (!strcmp(name, ".") || !strcmp(name, ".."))
            next = fail(w, nb, end, EINVAL, "is not a name distmpi gives");
        else
            next = open_own(w, fd, name, nb, end);
        if (fd != w->at)
            close_keep(fd);
        if (next < 0)
            return -1;
        fd = next;
    }
    if (fd == w->at && (fd = fcntl(w->at, F_DUPFD_CLOEXEC, 0)) < 0)
        return fail(w, nb, 0, errno, NULL);
    return fd;
}

int fs_open_dirs(const char *base, const char *rel, struct error *err)
{
    struct walk w = {base, rel ? rel : "", err, -1, 0};
    return open_dirs(&w);
}

/* Run op on w from *base_fd (opened first if it is -1), and again from a
 * new one if the old one's directory was removed meanwhile (ENOENT); from
 * the root when base_fd is NULL. */
static int from_base(struct walk *w, int *base_fd, int (*op)(struct walk *w, int flags), int flags)
{
    if (!base_fd) {
        w->at = -1;
        return op(w, flags);
    }
    for (int tries = 0;; tries++) {
        if (*base_fd < 0) {
            struct walk bw = {w->base, "", w->err, -1, 0};
            if ((*base_fd = open_dirs(&bw)) < 0)
                return -1;
        }
        w->at = *base_fd;
        int rc = op(w, flags);
        if (rc >= 0 || errno != ENOENT || tries > 0)
            return rc;
        struct stat st;
        if (fstat(*base_fd, &st) < 0 || st.st_nlink > 0)
            return rc; /* not a removed directory: the error stands */
        close(*base_fd);
        *base_fd = -1;
    }
}

/* Delete what the directory fd holds, on file system dev, never following
 * a link. Returns 0, or -1 with errno set and the entry at fault in bad. */
static int empty_dir(int fd, dev_t dev, char *bad, size_t badlen)
{
    int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close_keep(dfd);
        snprintf(bad, badlen, ".");
        return -1;
    }
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            rc = errno ? -1 : 0;
            break;
        }
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, ".."))
            continue;
        snprintf(bad, badlen, "%s", n);
        if (unlinkat(fd, n, 0) == 0 || errno == ENOENT)
            continue; /* ENOENT: gone meanwhile, as wanted */
        int unlink_errno = errno;
        struct stat st;
        if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
            errno = unlink_errno;
            rc = -1;
            break;
        }
        int sub = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || fstat(sub, &st) < 0) {
            rc = -1;
        } else if (st.st_dev != dev) {
            errno = EXDEV; /* a mount point: not ours to empty */
            rc = -1;
        } else {
            rc = empty_dir(sub, dev, bad, badlen);
        }
        if (sub >= 0)
            close_keep(sub);
        if (rc == 0 && unlinkat(fd, n, AT_REMOVEDIR) < 0) {
            snprintf(bad, badlen, "%s", n);
            rc = -1;
        }
        if (rc < 0)
            break;
    }
    int saved = errno;
    closedir(d);
    errno = saved;
    return rc;
}

/* Make the last component of w->rel a fresh directory, its parents as
 * open_dirs does. A new directory is empty: only one that was there
 * already is opened and emptied. */
static int fresh_dir(struct walk *w, int flags)
{
    (void)flags;
    size_t nb = strlen(w->base), nr = strlen(w->rel);
    while (nr > 0 && w->rel[nr - 1] == '/')
        nr--;
    size_t start = nr;
    while (start > 0 && w->rel[start - 1] != '/')
        start--;
    char name[NAME_MAX + 1];
    if (start == nr) /* no REL: BASE itself is made empty */
        name[0] = '\0';
    else if (copy_name(name, w->rel, start, nr) < 0)
        return fail(w, nb, nr, ENAMETOOLONG, NULL);
    else if (!strcmp(name, ".") || !strcmp(name, ".."))
        return fail(w, nb, nr, EINVAL, "is not a name distmpi gives");
    char *dirs = strndup(w->rel, start);
    if (!dirs)
        return fail(w, nb, nr, ENOMEM, NULL);
    struct walk dw = *w;
    dw.rel = dirs;
    dw.make_first = 1;
    int dfd = open_dirs(&dw);
    free(dirs);
    if (dfd < 0)
        return -1;
    if (name[0] && mkdirat(dfd, name, 0777) == 0) {
        close(dfd);
        return 0;
    }
    /* there already (or the mkdirat failed): open_own says what is wrong */
    int fd = name[0] ? open_own(w, dfd, name, nb, nr) : dfd;
    if (fd != dfd)
        close_keep(dfd);
    if (fd < 0)
        return -1;
    struct stat st;
    char bad[NAME_MAX + 1] = "";
    int rc = fstat(fd, &st);
    if (rc == 0)
        rc = empty_dir(fd, st.st_dev, bad, sizeof bad);
    close_keep(fd);
    if (rc < 0) {
        int e = errno;
        char what[NAME_MAX + 320];
        snprintf(what, sizeof what, "holds %s, which distmpi cannot delete: %s", bad,
                 e == EXDEV ? "a mount point" : strerror(e));
        return fail(w, nb, nr, e, what);
    }
    return 0;
}

int fs_fresh_dir(int *base_fd, const char *base, const char *rel, struct error *err)
{
    struct walk w = {base, rel ? rel : "", err, -1, 0};
    return from_base(&w, base_fd, fresh_dir, 0);
}

static int create(struct walk *wp, int flags)
{
    const struct walk w = *wp;
    const char *base = w.base, *rel = w.rel;
    size_t nb = strlen(base), nr = strlen(rel);
    const char *slash = strrchr(rel, '/');
    const char *name = slash ? slash + 1 : rel;
    char *dirs = slash ? strndup(rel, (size_t)(slash - rel)) : strdup("");
    if (!dirs)
        return fail(&w, nb, nr, ENOMEM, NULL);
    struct walk dw = {base, dirs, w.err, w.at, 0};
    int dfd = !*name || !strcmp(name, ".") || !strcmp(name, "..")
                  ? fail(&w, nb, nr, EINVAL, "is not a file name")
                  : open_dirs(&dw);
    free(dirs);
    if (dfd < 0)
        return -1;
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 2; tries++) {
        fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            break;
        struct stat ls;
        if (fstatat(dfd, name, &ls, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                continue; /* gone meanwhile */
            break;
        }
        if (S_ISLNK(ls.st_mode)) {
            fail(&w, nb, nr, ELOOP, LINK_REFUSED);
            goto error;
        }
        if (!S_ISREG(ls.st_mode)) {
            fail(&w, nb, nr, EEXIST, "is not a regular file; distmpi will not replace it");
            goto error;
        }
        if (!(flags & FS_REPLACE) || tries > 0) {
            fail(&w, nb, nr, EEXIST, "exists already");
            goto error;
        }
        /* a new file, not the old one truncated: nothing is written through
         * a hard link to it */
        if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
            break;
    }
    if (fd < 0) {
        int e = errno;
        fail(&w, nb, nr, e, e == EEXIST ? "exists already" : NULL);
        goto error;
    }
    if ((flags & FS_SYNC_DIR) && sync_dir(dfd) < 0) {
        fail(&w, nb, nr, errno, NULL);
        close_keep(fd);
        unlinkat(dfd, name, 0);
        fd = -1;
    }
    close_keep(dfd);
    return fd;
error:
    close_keep(dfd);
    return -1;
}

int fs_create(int *base_fd, const char *base, const char *rel, int flags, struct error *err)
{
    struct walk w = {base, rel, err, -1, 0};
    return from_base(&w, base_fd, create, flags);
}

int fs_read_file(const char *path, size_t max, char **data, size_t *len, struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int rc = -1;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        errno = EISDIR;
    else if (fd >= 0)
        rc = read_all(fd, max, data, len);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        return 0;
    errno = saved;
    if (saved == EFBIG)
        return errprintf(err, "%s: %zu KiB or more, too large", path, max / 1024);
    return errprintf(err, "%s: %s", path,
                     saved == EISDIR ? "is a directory, not a file" : strerror(saved));
}

int fs_write_atomic(const char *path, int (*write_fn)(FILE *f, void *arg), void *arg,
                    struct error *err)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    char *dir = !slash          ? strdup(".")
                : slash == path ? strdup("/")
                                : strndup(path, (size_t)(slash - path));
    struct walk w = {path, "", err, -1, 0};
    size_t n = strlen(path);
    if (!dir)
        return fail(&w, n, 0, ENOMEM, NULL);
    if (!*name) {
        free(dir);
        return fail(&w, n, 0, EISDIR, "is a directory, not a file");
    }
    /* the directory is opened once: the temporary file and the rename are
     * in the same one whatever happens to the path meanwhile */
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (dfd < 0)
        return fail(&w, n, 0, errno, NULL);
    struct stat ls;
    if (fstatat(dfd, name, &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(ls.st_mode)) {
        close(dfd);
        return fail(&w, n, 0, ELOOP, LINK_REFUSED);
    }
    size_t tlen = strlen(name) + 32;
    char *tmp = malloc(tlen);
    if (!tmp) {
        close(dfd);
        return fail(&w, n, 0, ENOMEM, NULL);
    }
    int fd = -1;
    for (int i = 0; i < 100 && fd < 0; i++) {
        snprintf(tmp, tlen, "%s.tmp%ld.%d", name, (long)getpid(), i);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = f ? 0 : -1, saved = errno, made = fd >= 0;
    if (!f && fd >= 0)
        close(fd);
    if (f) {
        errno = 0;
        rc = write_fn(f, arg);
        if (rc != 0 && errno == 0)
            errno = EIO;
        if (rc == 0 && fflush(f) != 0)
            rc = -1;
        if (rc == 0 && fsync(fileno(f)) != 0)
            rc = -1;
        saved = errno;
        if (fclose(f) != 0 && rc == 0) {
            rc = -1;
            saved = errno;
        }
    }
    if (rc == 0 && renameat(dfd, tmp, dfd, name) != 0) {
        rc = -1;
        saved = errno;
    }
    if (rc != 0 && made)
        unlinkat(dfd, tmp, 0);
    /* the rename itself made durable */
    if (rc == 0 && sync_dir(dfd) != 0) {
        rc = -1;
        saved = errno;
    }
    close(dfd);
    free(tmp);
    if (rc != 0)
        return fail(&w, n, 0, saved, NULL);
    return 0;
}

int fs_dir_holds_only(int at, const char *name, const char *only)
{
    struct rawdir d;
    if (rawdir_openat(&d, at, name) < 0)
        return 0;
    int seen = 0;
    const char *e;
    bool other = false;
    while (!other && (e = rawdir_next(&d)))
        if (only && !strcmp(e, only))
            seen++;
        else
            other = true;
    int ok = !other && d.err == 0 && seen <= 1;
    rawdir_close(&d);
    return ok;
}
