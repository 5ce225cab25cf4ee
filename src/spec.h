/* spec.h - what rank 0 tells every rank before the run: the command, the
 * shard count and the attempt settings. Only rank 0 reads the command line's
 * files (config, task file), so remote hosts need none of them.
 *
 * Pure.
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
    double heartbeat;       /* seconds between a worker's heartbeats; 0: none */
};

/* Returns the packed bytes (heap) and their length, or NULL (ENOMEM). */
unsigned char *spec_pack(const struct spec *s, size_t *len);

/* Fill s from bytes. Returns 0, or -1 when they are malformed or memory ran
 * out (s is then empty). */
int spec_unpack(struct spec *s, const void *data, size_t len);

/* Free what s owns; accepts an empty spec. */
void spec_free(struct spec *s);

/* A shard handed to a rank. */
struct assignment {
    long index;
    int first_attempt; /* the number its first attempt takes (struct attempt) */
    int retries;       /* how many retries it may make there */
    char *task;        /* task mode: its line; otherwise NULL */
};

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

#endif
