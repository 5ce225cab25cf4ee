/* SPDX-License-Identifier: BSD-3-Clause */
/* fdio.h - whole reads and writes on a file descriptor, through short
 * transfers and EINTR. */
#ifndef DISTMPI_FDIO_H
#define DISTMPI_FDIO_H

#include <stddef.h>

/* Write all len bytes of data to fd. Returns 0, or -1 with errno set (what
 * was written before the error stays written). */
int write_all(int fd, const void *data, size_t len);

/* Read fd to its end into a heap buffer: *data (free with free(); a NUL
 * follows the len bytes, not counted in *len) and *len. Reads to the end
 * rather than trusting a size: /proc files report 0. A content of max
 * bytes or more is refused with errno EFBIG. Returns 0, or -1 with errno
 * set and nothing in *data. */
int read_all(int fd, size_t max, char **data, size_t *len);

#endif
