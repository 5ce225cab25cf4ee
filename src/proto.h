/* proto.h - every wire format the ranks exchange: the run spec rank 0
 * broadcasts, the MPI tags of the messages and the payload of each.
 *
 * Pure: no MPI, no I/O. msg.h carries the bytes.
 */
#ifndef DISTMPI_PROTO_H
#define DISTMPI_PROTO_H

#include <stddef.h>

#include "pack.h"
#include "probe.h"
#include "result.h"
#include "spec.h"

enum msg_tag {
    TAG_ASSIGN = 1,     /* rank 0 -> worker: a shard to run */
    TAG_RESULT = 2,     /* worker -> rank 0: a finished shard */
    TAG_STOP = 3,       /* rank 0 -> worker: no more work, finish */
    TAG_ABORT = 4,      /* rank 0 -> worker: the run is stopped: end the shard, await STOP */
    TAG_HEALTH = 5,     /* host leader -> rank 0: a probe of its host's health */
    TAG_PAUSE = 6,      /* rank 0 -> worker: start no queued shard (payload: 1 byte, see
                           enum pause_flag) */
    TAG_RESUME = 7,     /* rank 0 -> worker: the host is healthy again */
    TAG_RETURN = 8,     /* worker -> rank 0: queued shards given back (count, indices) */
    TAG_LOG = 9,        /* worker -> rank 0: a piece of an attempt's output */
    TAG_COLLECT = 10,   /* worker -> rank 0: a file collected after a shard (--collect) */
    TAG_HEARTBEAT = 11, /* worker -> rank 0: still here (no payload) */
};

/* The one byte of a TAG_PAUSE message. */
enum pause_flag {
    PAUSE_KEEP = 0,      /* host unhealthy, static plan: keep the queued shards */
    PAUSE_GIVE_BACK = 1, /* host unhealthy, dynamic plan: give them back */
    PAUSE_STOP = 2,      /* the run is stopping: give them back, start nothing again */
};

/* Returns the packed bytes (heap) and their length, or NULL (ENOMEM). */
unsigned char *spec_pack(const struct spec *s, size_t *len);

/* Fill s from bytes. Returns 0, or -1 when they are malformed or memory ran
 * out (s is then empty). */
int spec_unpack(struct spec *s, const void *data, size_t len);

unsigned char *assign_pack(const struct assignment *a, size_t *len);
/* Returns 0 with *a filled in (a->task on the heap or NULL), or -1 when
 * malformed. */
int assign_unpack(const void *data, size_t len, struct assignment *a);

/* A piece of an attempt's output (enum log_kind in runner.h); data may hold
 * any bytes. */
unsigned char *logpiece_pack(long index, int attempt, int kind, const void *data, size_t n,
                             size_t *len);
/* Returns 0 with the fields set (*data points into msg), or -1 when
 * malformed. */
int logpiece_unpack(const void *msg, size_t len, long *index, int *attempt, int *kind,
                    const void **data, size_t *n);

/* A file collected after a shard (--collect): its name on the host that
 * ran it, why it could not be used (or NULL), and its contents. */
unsigned char *collected_pack(long index, const char *name, const char *error, const void *data,
                              size_t n, size_t *len);
/* Returns 0 with the fields set (*name and *error heap or NULL, *data
 * pointing into msg), or -1 when malformed. */
int collected_unpack(const void *msg, size_t len, long *index, char **name, char **error,
                     const void **data, size_t *n);

void result_pack(struct packer *p, const struct shard_result *r);
/* Returns a heap result (free with result_free), or NULL when the bytes are
 * malformed (u->failed set) or memory ran out. */
struct shard_result *result_unpack(struct unpacker *u);

void probe_pack(struct packer *p, const struct probe *pr);
/* Returns 0, or -1 with u->failed set when the bytes are malformed. */
int probe_unpack(struct unpacker *u, struct probe *pr);

#endif
