/* SPDX-License-Identifier: BSD-3-Clause */
/* rawdir.c - directory listing with getdents64, async-signal-safe. */
#include "config.h"

#include "common/rawdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* struct linux_dirent64 as the kernel writes it; not in the C library's
 * headers under this name. */
struct raw_dirent64 {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

int rawdir_open(struct rawdir *d, const char *path)
{
    d->err = 0;
    d->len = d->pos = 0;
    d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return d->fd < 0 ? -1 : 0;
}

int rawdir_openat(struct rawdir *d, int at, const char *name)
{
    d->err = 0;
    d->len = d->pos = 0;
    d->fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return d->fd < 0 ? -1 : 0;
}

const char *rawdir_next(struct rawdir *d)
{
    for (;;) {
        if (d->pos >= d->len) {
            long n = syscall(SYS_getdents64, d->fd, d->buf, sizeof d->buf);
            if (n <= 0) {
                d->err = n < 0 ? errno : 0;
                d->len = d->pos = 0;
                return NULL;
            }
            d->len = n;
            d->pos = 0;
        }
        const struct raw_dirent64 *e = (const void *)(d->buf + d->pos);
        d->pos += e->reclen;
        if (e->name[0] == '.' && (e->name[1] == '\0' || (e->name[1] == '.' && e->name[2] == '\0')))
            continue;
        return e->name;
    }
}

void rawdir_close(struct rawdir *d)
{
    if (d->fd < 0)
        return;
    int saved = errno;
    close(d->fd);
    d->fd = -1;
    errno = saved;
}
