/* SPDX-License-Identifier: BSD-3-Clause */
/* proto.h - every wire format the ranks exchange, and its version.
 *
 * At start-up every rank puts a host record into rank 0's gather (its
 * protocol version first, so that a rank running another build of distmpi
 * is refused by name before anything else is read), rank 0 may gather
 * probe records again while it waits for busy hosts, and it broadcasts the
 * run spec. During the run, messages carry an MPI tag (enum msg_tag) and
 * the payload given below; msg.h moves the bytes.
 *
 * Encoders return the bytes on the heap (free with free()) and their length
 * in *len, or NULL with errno ENOMEM. Decoders check the range of every
 * field, counts against the bytes left before anything is allocated, and
 * the whole length: they return 0 (or a heap object) when the bytes are a
 * message of their kind, else -1 (or NULL), and then own nothing.
 *
 * Pure: no MPI, no I/O, no globals. The formats, field by field, are in
 * proto.c; a change to any of them changes PROTO_VERSION.
 */
#ifndef DISTMPI_PROTO_H
#define DISTMPI_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "health/probe.h"
#include "model/result.h"
#include "model/spec.h"

/* The version of the formats below. Ranks of one run must speak the same:
 * rank 0 compares every host record's with its own. */
#define PROTO_VERSION 2

/* The tags of the messages of a run, and what each carries. */
enum msg_tag {
    TAG_ASSIGN = 1,     /* rank 0 -> worker: a shard to run (proto_assign_*) */
    TAG_RESULT = 2,     /* worker -> rank 0: a finished shard (proto_result_*) */
    TAG_STOP = 3,       /* rank 0 -> worker: no more work, finish (no payload) */
    TAG_ABORT = 4,      /* rank 0 -> worker: the run is stopped: end the shard, await STOP
                           (no payload) */
    TAG_HEALTH = 5,     /* host leader -> rank 0: a probe of its host (proto_probe_*) */
    TAG_PAUSE = 6,      /* rank 0 -> worker: start no queued shard (proto_pause_*) */
    TAG_RESUME = 7,     /* rank 0 -> worker: the host is healthy again (no payload) */
    TAG_RETURN = 8,     /* worker -> rank 0: queued shards given back (proto_return_*) */
    TAG_LOG = 9,        /* worker -> rank 0: a piece of an attempt's output (proto_log_*) */
    TAG_COLLECT = 10,   /* worker -> rank 0: a file collected after a shard (--collect;
                           proto_collect_*) */
    TAG_HEARTBEAT = 11, /* worker -> rank 0: still here (no payload) */
    TAG_CANCEL = 12,    /* rank 0 -> worker: end a copy of a shard, another counted first
                           (--speculate; proto_cancel_*) */
};

/* ---------------------------------------------------------------- start-up */

/* The size of each rank's record in the start-up gathers (MPI_Igather takes
 * records of one size). Like the head of a host record, it never changes
 * from one version to the next, so that ranks of different versions can
 * still tell each other which they run. */
#define PROTO_RECORD_SIZE 1024

/* What a rank tells rank 0 at start-up. */
struct host_record {
    int64_t protocol;   /* the protocol version the rank speaks */
    char version[64];   /* the distmpi release it runs (PACKAGE_VERSION) */
    char host[256];     /* its host's name */
    int slot;           /* its rank among its host's ranks */
    int leader;         /* its host's leader: the lowest rank there */
    long cores, pus;    /* the host's, from its leader; 0 from the others */
    struct probe probe; /* the host's health, from its leader */
};

/* Fill rec with hr, zero-padded. Returns 0, or -1 with err (memory, or a
 * record larger than PROTO_RECORD_SIZE). */
int proto_host_record_encode(const struct host_record *hr, unsigned char rec[PROTO_RECORD_SIZE],
                             struct error *err);

/* Read the record of rank (of nranks) into *hr, for rank 0, which speaks
 * version protocol. Returns 0, or -1 with err naming the rank: a record of
 * another protocol version (naming the rank's host and both versions and
 * releases), one without distmpi's head (a build older than protocol
 * versions), or a malformed one. */
int proto_host_record_decode(const unsigned char *rec, size_t len, int rank, int nranks,
                             int64_t protocol, struct host_record *hr, struct error *err);

/* A leader's probe in a gather of health rounds (a host's other ranks send
 * a failed probe with an empty error, which is not read). Returns 0, or -1
 * with err. */
int proto_probe_record_encode(const struct probe *pr, unsigned char rec[PROTO_RECORD_SIZE],
                              struct error *err);
/* Returns 0, or -1 when malformed. */
int proto_probe_record_decode(const unsigned char *rec, size_t len, struct probe *pr);

/* The run spec rank 0 broadcasts (a stop spec has only a status). */
unsigned char *proto_spec_encode(const struct spec *s, size_t *len);
/* Fill s (spec_free() frees it). Returns 0, or -1 when malformed or memory
 * ran out (s is then empty). */
int proto_spec_decode(const void *msg, size_t len, struct spec *s);

/* ---------------------------------------------------------------- messages */

/* TAG_ASSIGN. Returns 0 with *a filled in (a->task on the heap or NULL), or
 * -1 when malformed (a->task NULL). */
unsigned char *proto_assign_encode(const struct assignment *a, size_t *len);
int proto_assign_decode(const void *msg, size_t len, struct assignment *a);

/* TAG_RESULT: r's index, class, rank and slot, attempts, log and error (not
 * host or carried, which are rank 0's). Decoding returns a heap result
 * (free with result_free) whose attempt numbers grow, or NULL when
 * malformed or memory ran out. */
unsigned char *proto_result_encode(const struct shard_result *r, size_t *len);
struct shard_result *proto_result_decode(const void *msg, size_t len);

/* TAG_LOG: a piece of attempt's output of kind (enum log_kind in runner.h),
 * n bytes of data (any bytes, at most LOG_CHUNK_MAX; none with LOG_END).
 * Decoding sets the fields, *data pointing into msg. */
unsigned char *proto_log_encode(long index, int attempt, int kind, const void *data, size_t n,
                                size_t *len);
int proto_log_decode(const void *msg, size_t len, long *index, int *attempt, int *kind,
                     const void **data, size_t *n);

/* TAG_COLLECT: a file collected after attempt (its number, 1 to
 * ATTEMPT_NUMBER_MAX) of shard index, earlier when a retry followed that
 * attempt (else it is the shard's last here): its name on the host that ran
 * it, why it could not be used (or NULL), and its n bytes (at most
 * COLLECT_MAX_BYTES). Decoding sets *name and *error (heap, or NULL for no
 * error) and *data (pointing into msg). */
unsigned char *proto_collect_encode(long index, int attempt, bool earlier, const char *name,
                                    const char *error, const void *data, size_t n, size_t *len);
int proto_collect_decode(const void *msg, size_t len, long *index, int *attempt, bool *earlier,
                         char **name, char **error, const void **data, size_t *n);

/* TAG_HEALTH: a probe of a host. */
unsigned char *proto_probe_encode(const struct probe *pr, size_t *len);
int proto_probe_decode(const void *msg, size_t len, struct probe *pr);

/* TAG_PAUSE: one byte, what the worker does with the shards it holds. */
enum pause_flag {
    PAUSE_KEEP = 0,      /* host unhealthy, static plan: keep the queued shards */
    PAUSE_GIVE_BACK = 1, /* host unhealthy, dynamic plan: give them back */
    PAUSE_STOP = 2,      /* the run is stopping: give them back, start nothing again */
    PAUSE_SHARE = 3,     /* a rank is free and nothing else is left: give them back,
                          * but go on (work stealing; no pause despite the tag) */
};
unsigned char *proto_pause_encode(int flag, size_t *len);
/* The flag, or -1 when malformed. */
int proto_pause_decode(const void *msg, size_t len);

/* TAG_RETURN: the indices of the n assignments a given back. Decoding
 * gives them (heap, free with free(); NULL when n is 0) in a run of total
 * shards, each below total. */
unsigned char *proto_return_encode(const struct assignment *a, size_t n, size_t *len);
int proto_return_decode(const void *msg, size_t len, long total, long **indices, size_t *n);

/* TAG_CANCEL: end the copy of shard index whose hand-out numbers its
 * attempts from first_attempt (struct assignment), running or queued:
 * another copy counted first. Decoding checks the ranges in a run of
 * total shards. */
unsigned char *proto_cancel_encode(long index, int first_attempt, size_t *len);
int proto_cancel_decode(const void *msg, size_t len, long total, long *index, int *first_attempt);

#endif
