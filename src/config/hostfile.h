/* SPDX-License-Identifier: BSD-3-Clause */
/* hostfile.h - Open MPI (4.1) hostfiles: read them, and write them for mpirun.
 *
 * hostfile_parse is pure; hostfile_load reads a file and calls it.
 *
 * Syntax accepted (a subset of what mpirun 4.1 reads, checked against it):
 *   # a comment, to the end of the line (also after a host)
 *   NAME [KEY=N]...
 * NAME is a host name (letters, digits, '-', '.', '_'), an IPv4 or IPv6
 * literal, optionally preceded by "USER@" (USER: letters, digits, '-', '.',
 * '_'). KEY is slots (synonyms count, cpu) or max_slots (synonyms max-slots,
 * slots_max, slots-max, and the cpu/count variants mpirun also reads); each
 * at most once per line; spaces around '=' are allowed. Blank lines are
 * ignored; tabs count as spaces; a trailing '\r' is dropped (mpirun itself
 * refuses CRLF files, hostfile_write never writes them).
 *
 * Values: N is a decimal integer >= 1. slots=0 is an error although mpirun
 * accepts it, because mpirun then gives the host no processes at all; leave
 * the host out instead. max_slots must be >= slots. A line with max_slots
 * alone keeps slots 0 here (mpirun then uses max_slots as the slot count), so
 * that a written entry reads back unchanged.
 *
 * A host listed again (same NAME; the user of the first line is kept) is
 * merged into its first entry, as mpirun merges it: a repeated line without
 * a slot count adds one slot (a first line without one counts as one), a
 * max_slots on it replaces the limit. A repeated line that gives a slot
 * count is an error, because mpirun 4.1 refuses it ("multiple definitions
 * of the slot count").
 *
 * Not supported (errors): other mpirun keywords (username=, cpu_set=,
 * boards=, ...), "^host" exclusions, "+n0" relative hosts, C-style comments.
 */
#ifndef DISTMPI_HOSTFILE_H
#define DISTMPI_HOSTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

struct hostfile_entry {
    char *name;     /* host name or address, without the user */
    char *user;     /* the USER of USER@NAME, or NULL */
    long slots;     /* 0 when not given (mpirun then counts the cores) */
    long max_slots; /* 0 when not given (no limit) */
    long line;      /* the line of the file that first named the host (1-based) */
};

struct hostfile {
    struct hostfile_entry *hosts; /* in the order of first appearance */
    long count;
};

/* Parse len bytes of data (the contents of the file called name; need not be
 * NUL-terminated; a NUL byte is an error). A file with no hosts (empty, or
 * only blank lines and comments) is NOT an error: *out has count 0 and the
 * caller decides. Returns 0 and a hostfile in *out (free with
 * hostfile_destroy), or -1 with "NAME:LINE: problem" or "NAME: problem" in
 * err (*out untouched). */
int hostfile_parse(const char *name, const char *data, size_t len, struct hostfile **out,
                   struct error *err);

/* Read path and parse it. Same contract as hostfile_parse; a missing,
 * unreadable file or a directory gives "PATH: reason". */
int hostfile_load(const char *path, struct hostfile **out, struct error *err);

/* Free h; accepts NULL; keeps errno. */
void hostfile_destroy(struct hostfile *h);

/* Write n entries to f in the syntax mpirun reads, one line each:
 * "[USER@]NAME[ slots=N][ max_slots=M]\n" (a value of 0 is left out).
 * hostfile_parse of the output gives the same entries (line numbers aside)
 * when the entries are valid and their names distinct. Returns 0, or -1 with
 * errno set (EINVAL for a NULL entry or name, else from stdio). */
int hostfile_write(FILE *f, const struct hostfile_entry *const *hosts, long n);

#endif
