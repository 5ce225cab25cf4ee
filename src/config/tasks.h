/* SPDX-License-Identifier: BSD-3-Clause */
/* tasks.h - task files: one command per line, line N is shard N.
 *
 * tasks_parse is pure; tasks_load reads the file and calls it.
 */
#ifndef DISTMPI_TASKS_H
#define DISTMPI_TASKS_H

#include <stddef.h>

#include "common/error.h"

struct tasklist {
    char **lines; /* the commands, without the newline */
    long *lineno; /* the line of the file each came from (1-based) */
    long count;
};

/* Parse len bytes of data (the contents of the file called name). Blank
 * lines and lines whose first non-blank character is '#' are skipped; a
 * trailing '\r' is dropped. Every command is checked with template_check_shell,
 * as it is run with /bin/sh -c.
 * Returns 0 and a list in *out (free with tasks_destroy), or -1 with
 * "NAME:LINE: problem" or "NAME: problem" in err. */
int tasks_parse(const char *name, const char *data, size_t len, struct tasklist **out,
                struct error *err);

/* Read path and parse it. Same contract as tasks_parse. */
int tasks_load(const char *path, struct tasklist **out, struct error *err);

/* Free t; accepts NULL. */
void tasks_destroy(struct tasklist *t);

#endif
