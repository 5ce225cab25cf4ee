/* SPDX-License-Identifier: BSD-3-Clause */
/* logstore.h - rank 0 keeps every attempt's output, shipped from whichever
 * host ran it, as DIR/shard-N/attempt-A.log. Each piece is written as it
 * arrives and nothing is held in memory, so rank 0 stays small whatever the
 * shards print (each runner caps an attempt at --max-log-bytes). The file is
 * made with the attempt's first byte of output: an attempt that prints
 * nothing has none (and a file of its name from an earlier run in DIR is
 * removed), so that thousands of quiet shards cost no inode each.
 *
 * At most a bounded number of logs are open at once, whatever the number
 * of ranks: when one more is needed, the one written least recently is
 * closed, and reopened for its next piece (appended to, never recreated;
 * shard-N and the file are not reached through a link, and a file that is
 * not the one created, a link or another file put in its place, is not
 * written to).
 */
#ifndef DISTMPI_LOGSTORE_H
#define DISTMPI_LOGSTORE_H

#include <stddef.h>

#include "common/error.h"

struct logstore;

/* Logs of a run of total shards on nranks ranks, under dir (created when the
 * first piece arrives), with at most max_open of them open at once (0: the
 * default, logstore_default_open()). Returns NULL with errno set. */
struct logstore *logstore_create(const char *dir, long total, int nranks, int max_open);

/* The default bound on open logs: a quarter of the soft RLIMIT_NOFILE
 * (rank 0 needs descriptors for MPI, the journal and the reports too), at
 * most 64 and at least 1. */
int logstore_default_open(void);

/* How many logs are open now (for tests). */
int logstore_open_count(const struct logstore *ls);

/* Rank is gone (lost): close the file of its attempt, if open; the later
 * pieces of that attempt are dropped, as after LOG_END. */
void logstore_close_rank(struct logstore *ls, int rank);

/* The directory (absolute). */
const char *logstore_dir(const struct logstore *ls);

/* Close every open file and free ls. Accepts NULL; keeps errno. */
void logstore_destroy(struct logstore *ls);

/* A piece of output of shard index's attempt, run by rank (enum log_kind in
 * runner.h): LOG_HEAD and LOG_TAIL are appended to the attempt's file,
 * LOG_END closes it, LOG_LIVE is not stored. A rank runs one attempt at a
 * time, so a piece of a new attempt closes the rank's previous file. A piece
 * may close another rank's file to stay within max_open (see above).
 * Returns 0, or -1 with "cannot store the log PATH: reason" in err the first
 * time an attempt's file fails; its later pieces are dropped quietly. */
int logstore_put(struct logstore *ls, int rank, long index, int attempt, int kind, const void *data,
                 size_t len, struct error *err);

/* Store a file collected after shard index (--collect) as
 * DIR/shard-N/collected/NAME, NAME being name with each '/' turned into
 * '_' (so no name reaches outside that directory). Returns the path (heap),
 * or NULL with "cannot store PATH: reason" in err. */
char *logstore_save(struct logstore *ls, long index, const char *name, const void *data, size_t len,
                    struct error *err);

/* The path of the file of shard index's attempt (heap, free()), or NULL when
 * no regular file is there (nothing arrived, or it could not be stored),
 * or when shard-N or the file is a symbolic link: logs are read back the
 * way they are made, never through a link below the directory. */
char *logstore_path(const struct logstore *ls, long index, int attempt);

/* The path of that file, without looking whether it is there (heap,
 * free()), or NULL (ENOMEM). */
char *logstore_name(const struct logstore *ls, long index, int attempt);

/* The end of that file: at most max bytes, from the start of a line where
 * one begins within them (heap, NUL-terminated; NUL bytes of the log become
 * spaces), or NULL when there is no file or it is empty. */
char *logstore_tail(const struct logstore *ls, long index, int attempt, size_t max);

/* The same into the caller's buf of size bytes (at most size - 1 of the
 * log, and a NUL), so that many tails are read with one buffer. Returns
 * buf, or NULL when there is none (buf's content is then undefined). */
char *logstore_tail_into(const struct logstore *ls, long index, int attempt, char *buf,
                         size_t size);

#endif
