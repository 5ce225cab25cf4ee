/* SPDX-License-Identifier: BSD-3-Clause */
/* output.h - what a shard leaves behind, as every side names and bounds
 * it: the pieces of an attempt's output (the runner makes them, the wire
 * carries them, rank 0 stores them) and the files collected after it
 * (--collect). */
#ifndef DISTMPI_OUTPUT_H
#define DISTMPI_OUTPUT_H

/* What a piece of an attempt's output is. Every attempt that starts ends
 * with LOG_END, unless runner_cancel() cuts it short. */
enum log_kind {
    LOG_HEAD = 1, /* within the first max_log_bytes/2: keep it (and show it) */
    LOG_LIVE = 2, /* beyond the head, passed on only with stream: show it */
    LOG_TAIL = 3, /* at the end: the omission notice and the last max_log_bytes/2:
                     keep it (already shown live when streaming) */
    LOG_END = 4,  /* the attempt's output is complete; no data */
};

/* Pieces are never longer than this (one MPI message each). */
#define LOG_CHUNK_MAX 65536

/* At most this many files collected per shard, each smaller than
 * COLLECT_MAX_BYTES. */
#define COLLECT_MAX_FILES 64
#define COLLECT_MAX_BYTES (32L * 1024 * 1024)

#endif
