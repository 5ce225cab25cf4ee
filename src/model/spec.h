/* SPDX-License-Identifier: BSD-3-Clause */
/* spec.h - what rank 0 tells every rank before the run: the command, the
 * shard count and the attempt settings. Only rank 0 reads the command line's
 * files (config, task file), so remote hosts need none of them.
 *
 * Pure: no MPI, no I/O, no wire form (that is in proto.h).
 */
#ifndef DISTMPI_SPEC_H
#define DISTMPI_SPEC_H

#include <stddef.h>

struct spec {
    int status;   /* -1: run; otherwise every rank exits with it */
    long total;   /* shards */
    int shell;    /* task mode: each assignment carries its line */
    char **words; /* the command's word templates (not in task mode) */
    int nwords;
    double timeout, kill_grace, backoff, backoff_max, backoff_jitter;
    long retries;
    char *run_dir;
    char *run_id;
    int skip_health;        /* leaders do not probe during the run */
    double health_interval; /* seconds between probes */
    long max_log_bytes;     /* per attempt, head and tail */
    int stream;             /* ship output live as well */
    char *collect;          /* --collect pattern, or NULL */
    char *retry_command;    /* --retry-command: a /bin/sh line, or NULL */
    double heartbeat;       /* seconds between a worker's heartbeats; 0: none */
};

/* Free what s owns; accepts an empty spec. */
void spec_free(struct spec *s);

/* A shard handed to a rank. */
struct assignment {
    long index;
    int first_attempt; /* the number its first attempt takes (struct attempt) */
    int retries;       /* how many retries it may make there */
    char *task;        /* task mode: its line; otherwise NULL */
};

#endif
