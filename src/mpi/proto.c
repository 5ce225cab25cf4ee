/* SPDX-License-Identifier: BSD-3-Clause */
/* proto.c - the wire form of the start-up records, the run spec and every
 * message, each built from pack.h's primitives (i64: 8 bytes little-endian;
 * f64: the 8 bytes of an IEEE double; str and bytes: an i64 length, then
 * the bytes; a NULL str has length 2^64-1).
 *
 * Decoders trust nothing: each field is read with its range, a count only
 * after the bytes left are known to hold that many items, and the message
 * must end where its last field does.
 */
#include "config.h"

#include "mpi/proto.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/output.h"
#include "model/retryfailed.h"
#include "mpi/pack.h"

/* The first 8 bytes of a host record: "distmpi" and a NUL. A record without
 * them comes from a build older than protocol versions (its first field was
 * the length of the host name). */
#define PROTO_MAGIC 0x0069706d74736964LL

/* A double that must be a number of seconds, a load or a size: finite and
 * not negative. */
static double unpack_nonneg(struct unpacker *u)
{
    return unpack_f64_range(u, 0, DBL_MAX);
}

/* A string of at most size - 1 bytes into a buffer of size bytes: fails on
 * a longer one (it would be cut) or a NULL one. */
static void unpack_str_into(struct unpacker *u, char *buf, size_t size)
{
    char *s = unpack_str(u);
    if (!s || strlen(s) >= size)
        u->failed = 1;
    else
        memcpy(buf, s, strlen(s) + 1);
    free(s);
}

/* b's bytes into a record, zero-padded. */
static int record_take(struct buf *b, unsigned char rec[PROTO_RECORD_SIZE], const char *what,
                       struct error *err)
{
    size_t len;
    unsigned char *bytes = pack_take(b, &len);
    if (!bytes)
        return errprintf(err, "out of memory packing a %s", what);
    if (len > PROTO_RECORD_SIZE) {
        free(bytes);
        errno = EMSGSIZE;
        return errprintf(err, "a %s of %zu bytes is larger than %d", what, len, PROTO_RECORD_SIZE);
    }
    memset(rec, 0, PROTO_RECORD_SIZE);
    memcpy(rec, bytes, len);
    free(bytes);
    return 0;
}

/* ---------------------------------------------------------------- probe
 * i64 ok (0 or 1); when ok, the sample: f64 disk_free, mem_used (fractions
 * 0-1), f64 load1, i64 cores (>= 1), f64 load_per_core, other_load,
 * other_per_core (>= 0), i64 disk_total_bytes, disk_avail_bytes (no more
 * than the total), mem_total_kb, mem_available_kb (likewise); when not ok,
 * str error (shorter than struct probe's buffer). */

static void pack_probe(struct buf *b, const struct probe *pr)
{
    const struct health_sample *s = &pr->sample;
    pack_i64(b, pr->ok ? 1 : 0);
    if (!pr->ok) {
        pack_str(b, pr->error);
        return;
    }
    pack_f64(b, s->disk_free);
    pack_f64(b, s->mem_used);
    pack_f64(b, s->load1);
    pack_i64(b, s->cores);
    pack_f64(b, s->load_per_core);
    pack_f64(b, s->other_load);
    pack_f64(b, s->other_per_core);
    pack_i64(b, (int64_t)s->disk_total_bytes);
    pack_i64(b, (int64_t)s->disk_avail_bytes);
    pack_i64(b, (int64_t)s->mem_total_kb);
    pack_i64(b, (int64_t)s->mem_available_kb);
}

static void unpack_probe(struct unpacker *u, struct probe *pr)
{
    struct health_sample *s = &pr->sample;
    memset(pr, 0, sizeof *pr);
    pr->ok = (int)unpack_range(u, 0, 1);
    if (!pr->ok) {
        unpack_str_into(u, pr->error, sizeof pr->error);
        return;
    }
    s->disk_free = unpack_f64_range(u, 0, 1);
    s->mem_used = unpack_f64_range(u, 0, 1);
    s->load1 = unpack_nonneg(u);
    s->cores = (long)unpack_range(u, 1, 1L << 30);
    s->load_per_core = unpack_nonneg(u);
    s->other_load = unpack_nonneg(u);
    s->other_per_core = unpack_nonneg(u);
    s->disk_total_bytes = (unsigned long long)unpack_i64(u);
    s->disk_avail_bytes = (unsigned long long)unpack_i64(u);
    s->mem_total_kb = (unsigned long long)unpack_i64(u);
    s->mem_available_kb = (unsigned long long)unpack_i64(u);
    if (s->disk_avail_bytes > s->disk_total_bytes || s->mem_available_kb > s->mem_total_kb)
        u->failed = 1;
}

unsigned char *proto_probe_encode(const struct probe *pr, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_probe(&b, pr);
    return pack_take(&b, len);
}

int proto_probe_decode(const void *msg, size_t len, struct probe *pr)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    unpack_probe(&u, pr);
    return unpack_end(&u);
}

int proto_probe_record_encode(const struct probe *pr, unsigned char rec[PROTO_RECORD_SIZE],
                              struct error *err)
{
    struct buf b = BUF_INIT;
    pack_probe(&b, pr);
    return record_take(&b, rec, "probe record", err);
}

int proto_probe_record_decode(const unsigned char *rec, size_t len, struct probe *pr)
{
    struct unpacker u;
    unpacker_init(&u, rec, len);
    unpack_probe(&u, pr);
    if (len != PROTO_RECORD_SIZE)
        u.failed = 1;
    return unpack_end_padded(&u);
}

/* ---------------------------------------------------------------- host record
 * The head, the same in every version: i64 PROTO_MAGIC, i64 protocol, str
 * version (the release), str host. Then, in this version: i64 slot
 * (0 <= slot < nranks), i64 leader (0 <= leader <= the sender's rank), i64
 * cores, pus (0 to 2^30), the probe; zeros to PROTO_RECORD_SIZE. */

int proto_host_record_encode(const struct host_record *hr, unsigned char rec[PROTO_RECORD_SIZE],
                             struct error *err)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, PROTO_MAGIC);
    pack_i64(&b, hr->protocol);
    pack_str(&b, hr->version);
    pack_str(&b, hr->host);
    pack_i64(&b, hr->slot);
    pack_i64(&b, hr->leader);
    pack_i64(&b, hr->cores);
    pack_i64(&b, hr->pus);
    pack_probe(&b, &hr->probe);
    return record_take(&b, rec, "host record", err);
}

int proto_host_record_decode(const unsigned char *rec, size_t len, int rank, int nranks,
                             int64_t protocol, struct host_record *hr, struct error *err)
{
    struct unpacker u;
    unpacker_init(&u, rec, len);
    memset(hr, 0, sizeof *hr);
    if (len != PROTO_RECORD_SIZE)
        return errprintf(err, "rank %d sent a malformed host record", rank);
    int64_t magic = unpack_i64(&u);
    if (u.failed)
        return errprintf(err, "rank %d sent a malformed host record", rank);
    if (magic != PROTO_MAGIC)
        return errprintf(err,
                         "rank %d runs a build of distmpi without protocol versions (its host "
                         "record has no version); rank 0 runs distmpi %s, protocol version "
                         "%lld: every rank must run the same build of distmpi",
                         rank, PACKAGE_VERSION, (long long)protocol);
    hr->protocol = unpack_i64(&u);
    unpack_str_into(&u, hr->version, sizeof hr->version);
    unpack_str_into(&u, hr->host, sizeof hr->host);
    if (u.failed)
        return errprintf(err, "rank %d sent a malformed host record", rank);
    if (hr->protocol != protocol)
        return errprintf(err,
                         "rank %d on %s runs distmpi %s, protocol version %lld; rank 0 runs "
                         "distmpi %s, protocol version %lld: every rank must run the same build "
                         "of distmpi",
                         rank, hr->host, hr->version, (long long)hr->protocol, PACKAGE_VERSION,
                         (long long)protocol);
    hr->slot = (int)unpack_range(&u, 0, nranks - 1);
    hr->leader = (int)unpack_range(&u, 0, rank);
    hr->cores = (long)unpack_range(&u, 0, 1L << 30);
    hr->pus = (long)unpack_range(&u, 0, 1L << 30);
    unpack_probe(&u, &hr->probe);
    if (unpack_end_padded(&u) < 0)
        return errprintf(err, "rank %d on %s sent a malformed host record", rank, hr->host);
    return 0;
}

/* ---------------------------------------------------------------- run spec
 * i64 status (-1: run, or the exit status 0-255 every rank takes), i64
 * total (0 to 2^31-1), i64 shell (0/1), i64 nwords (none in task mode) and
 * as many str words (not NULL), f64 timeout, kill_grace, backoff,
 * backoff_max (>= 0), f64 backoff_jitter (0-1), i64 retries (0 to
 * RETRIES_MAX), str run_dir, str run_id, i64 skip_health (0/1), f64
 * health_interval (>= 0), i64 max_log_bytes (>= 0), i64 stream (0/1), str
 * collect, f64 heartbeat (0 to 86400), str retry_command. */

/* The most words a command may have. */
#define SPEC_WORDS_MAX (1 << 20)

unsigned char *proto_spec_encode(const struct spec *s, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, s->status);
    pack_i64(&b, s->total);
    pack_i64(&b, s->shell);
    pack_i64(&b, s->nwords);
    for (int i = 0; i < s->nwords; i++)
        pack_str(&b, s->words[i]);
    pack_f64(&b, s->timeout);
    pack_f64(&b, s->kill_grace);
    pack_f64(&b, s->backoff);
    pack_f64(&b, s->backoff_max);
    pack_f64(&b, s->backoff_jitter);
    pack_i64(&b, s->retries);
    pack_str(&b, s->run_dir);
    pack_str(&b, s->run_id);
    pack_i64(&b, s->skip_health);
    pack_f64(&b, s->health_interval);
    pack_i64(&b, s->max_log_bytes);
    pack_i64(&b, s->stream);
    pack_str(&b, s->collect);
    pack_f64(&b, s->heartbeat);
    pack_str(&b, s->retry_command);
    return pack_take(&b, len);
}

int proto_spec_decode(const void *msg, size_t len, struct spec *s)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    memset(s, 0, sizeof *s);
    s->status = (int)unpack_range(&u, -1, 255);
    s->total = (long)unpack_range(&u, 0, INT32_MAX);
    s->shell = (int)unpack_range(&u, 0, 1);
    /* task mode runs lines, not words */
    size_t n = unpack_count(&u, s->shell ? 0 : SPEC_WORDS_MAX, 8);
    if (n > 0) {
        s->words = calloc(n + 1, sizeof *s->words);
        if (!s->words)
            u.failed = 1;
    }
    for (size_t i = 0; i < n && !u.failed; i++) {
        s->words[i] = unpack_str(&u);
        s->nwords = (int)i + 1;
        if (!s->words[i])
            u.failed = 1;
    }
    s->timeout = unpack_nonneg(&u);
    s->kill_grace = unpack_nonneg(&u);
    s->backoff = unpack_nonneg(&u);
    s->backoff_max = unpack_nonneg(&u);
    s->backoff_jitter = unpack_f64_range(&u, 0, 1);
    s->retries = (long)unpack_range(&u, 0, RETRIES_MAX);
    s->run_dir = unpack_str(&u);
    s->run_id = unpack_str(&u);
    s->skip_health = (int)unpack_range(&u, 0, 1);
    s->health_interval = unpack_nonneg(&u);
    s->max_log_bytes = (long)unpack_range(&u, 0, INT64_MAX); /* 0 in a stop spec */
    s->stream = (int)unpack_range(&u, 0, 1);
    s->collect = unpack_str(&u);
    s->heartbeat = unpack_f64_range(&u, 0, 86400);
    s->retry_command = unpack_str(&u);
    if (unpack_end(&u) < 0) {
        spec_free(s);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- ASSIGN
 * i64 index (0 to 2^31-1), i64 first_attempt (1 to ATTEMPT_FIRST_MAX), i64
 * retries (0 to RETRIES_MAX), str task (NULL outside task mode). */

unsigned char *proto_assign_encode(const struct assignment *a, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, a->index);
    pack_i64(&b, a->first_attempt);
    pack_i64(&b, a->retries);
    pack_str(&b, a->task);
    return pack_take(&b, len);
}

int proto_assign_decode(const void *msg, size_t len, struct assignment *a)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    a->index = (long)unpack_range(&u, 0, INT32_MAX);
    a->first_attempt = (int)unpack_range(&u, 1, ATTEMPT_FIRST_MAX);
    a->retries = (int)unpack_range(&u, 0, RETRIES_MAX);
    a->task = unpack_str(&u);
    if (unpack_end(&u) < 0) {
        free(a->task);
        a->task = NULL;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- RESULT
 * i64 index (0 to 2^31-1), i64 status (enum status), i64 rank, slot (-1 to
 * 2^31-1), i64 nattempts (0 to RESULT_ATTEMPTS_MAX) and for each: i64
 * number (1 to ATTEMPT_NUMBER_MAX, above the one before), i64 rank (-1 to
 * 2^31-1), i64 outcome (enum outcome), i64 exit_code (-1 to 255), i64
 * signal (0 to 1024), f64 start, duration (>= 0), i64 retried (0 to
 * FAILED_MAX_TESTS); then str log, str error. */

/* The most attempts a result may carry, and the bytes each takes. */
#define RESULT_ATTEMPTS_MAX 100000
#define ATTEMPT_BYTES       (8 * 8)

unsigned char *proto_result_encode(const struct shard_result *r, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, r->index);
    pack_i64(&b, r->status);
    pack_i64(&b, r->rank);
    pack_i64(&b, r->slot);
    pack_i64(&b, r->nattempts);
    for (int i = 0; i < r->nattempts; i++) {
        const struct attempt *a = &r->attempts[i];
        pack_i64(&b, a->number);
        pack_i64(&b, a->rank);
        pack_i64(&b, a->outcome);
        pack_i64(&b, a->exit_code);
        pack_i64(&b, a->signal);
        pack_f64(&b, a->start);
        pack_f64(&b, a->duration);
        pack_i64(&b, a->retried);
    }
    pack_str(&b, r->log);
    pack_str(&b, r->error);
    return pack_take(&b, len);
}

struct shard_result *proto_result_decode(const void *msg, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    struct shard_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->index = (long)unpack_range(&u, 0, INT32_MAX);
    r->status = (int)unpack_range(&u, 0, STATUS_COUNT - 1);
    r->rank = (int)unpack_range(&u, -1, INT32_MAX);
    r->slot = (int)unpack_range(&u, -1, INT32_MAX);
    size_t n = unpack_count(&u, RESULT_ATTEMPTS_MAX, ATTEMPT_BYTES);
    if (n > 0) {
        r->attempts = calloc(n, sizeof *r->attempts);
        if (!r->attempts)
            u.failed = 1;
    }
    for (size_t i = 0; i < n && !u.failed; i++) {
        struct attempt *a = &r->attempts[i];
        /* numbers only grow: the reports and paths rely on it */
        a->number =
            (int)unpack_range(&u, i ? r->attempts[i - 1].number + 1 : 1, ATTEMPT_NUMBER_MAX);
        a->rank = (int)unpack_range(&u, -1, INT32_MAX);
        a->outcome = (int)unpack_range(&u, 0, OUTCOME_COUNT - 1);
        a->exit_code = (int)unpack_range(&u, -1, 255);
        a->signal = (int)unpack_range(&u, 0, 1024);
        /* times come from clocks: a NaN, infinite or negative one is a
         * broken message (it would vanish from the JSON report) */
        a->start = unpack_nonneg(&u);
        a->duration = unpack_nonneg(&u);
        a->retried = (int)unpack_range(&u, 0, FAILED_MAX_TESTS);
        r->nattempts = (int)i + 1;
    }
    r->log = unpack_str(&u);
    r->error = unpack_str(&u);
    if (unpack_end(&u) < 0) {
        result_free(r);
        return NULL;
    }
    return r;
}

/* ---------------------------------------------------------------- LOG
 * i64 index (0 to 2^31-1), i64 attempt (1 to ATTEMPT_NUMBER_MAX), i64 kind
 * (LOG_HEAD to LOG_END), bytes data (at most LOG_CHUNK_MAX; none with
 * LOG_END). */

unsigned char *proto_log_encode(long index, int attempt, int kind, const void *data, size_t n,
                                size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, index);
    pack_i64(&b, attempt);
    pack_i64(&b, kind);
    pack_bytes(&b, data, n);
    return pack_take(&b, len);
}

int proto_log_decode(const void *msg, size_t len, long *index, int *attempt, int *kind,
                     const void **data, size_t *n)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *index = (long)unpack_range(&u, 0, INT32_MAX);
    *attempt = (int)unpack_range(&u, 1, ATTEMPT_NUMBER_MAX);
    *kind = (int)unpack_range(&u, LOG_HEAD, LOG_END);
    *data = unpack_bytes(&u, n);
    if (*n > LOG_CHUNK_MAX || (*kind == LOG_END && *n > 0))
        u.failed = 1;
    return unpack_end(&u);
}

/* ---------------------------------------------------------------- COLLECT
 * i64 index (0 to 2^31-1), str name (not NULL), str error, bytes data (at
 * most COLLECT_MAX_BYTES). */

unsigned char *proto_collect_encode(long index, int attempt, bool earlier, const char *name,
                                    const char *error, const void *data, size_t n, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, index);
    pack_i64(&b, attempt);
    pack_i64(&b, earlier);
    pack_str(&b, name);
    pack_str(&b, error);
    pack_bytes(&b, data, n);
    return pack_take(&b, len);
}

int proto_collect_decode(const void *msg, size_t len, long *index, int *attempt, bool *earlier,
                         char **name, char **error, const void **data, size_t *n)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *index = (long)unpack_range(&u, 0, INT32_MAX);
    *attempt = (int)unpack_range(&u, 1, ATTEMPT_NUMBER_MAX);
    *earlier = unpack_range(&u, 0, 1) != 0;
    *name = unpack_str(&u);
    *error = unpack_str(&u);
    *data = unpack_bytes(&u, n);
    if (!*name || *n > COLLECT_MAX_BYTES)
        u.failed = 1;
    if (unpack_end(&u) < 0) {
        free(*name);
        free(*error);
        *name = *error = NULL;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- PAUSE
 * One byte: enum pause_flag. */

unsigned char *proto_pause_encode(int flag, size_t *len)
{
    unsigned char *msg = malloc(1);
    *len = msg ? 1 : 0;
    if (msg)
        msg[0] = (unsigned char)flag;
    return msg;
}

int proto_pause_decode(const void *msg, size_t len)
{
    if (len != 1)
        return -1;
    int flag = ((const unsigned char *)msg)[0];
    return flag <= PAUSE_SHARE ? flag : -1;
}

/* ---------------------------------------------------------------- RETURN
 * i64 count (0 to total), then as many i64 indices (0 to total - 1). */

unsigned char *proto_return_encode(const struct assignment *a, size_t n, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, (int64_t)n);
    for (size_t i = 0; i < n; i++)
        pack_i64(&b, a[i].index);
    return pack_take(&b, len);
}

int proto_return_decode(const void *msg, size_t len, long total, long **indices, size_t *n)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *indices = NULL;
    *n = unpack_count(&u, total > 0 ? (size_t)total : 0, 8);
    if (*n > 0 && !(*indices = malloc(*n * sizeof **indices)))
        u.failed = 1;
    for (size_t i = 0; i < *n && !u.failed; i++)
        (*indices)[i] = (long)unpack_range(&u, 0, total - 1);
    if (unpack_end(&u) < 0) {
        free(*indices);
        *indices = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- CANCEL
 * i64 index (0 to total - 1), i64 first_attempt (1 to ATTEMPT_FIRST_MAX). */

unsigned char *proto_cancel_encode(long index, int first_attempt, size_t *len)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, index);
    pack_i64(&b, first_attempt);
    return pack_take(&b, len);
}

int proto_cancel_decode(const void *msg, size_t len, long total, long *index, int *first_attempt)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *index = (long)unpack_range(&u, 0, total - 1);
    *first_attempt = (int)unpack_range(&u, 1, ATTEMPT_FIRST_MAX);
    return unpack_end(&u);
}
