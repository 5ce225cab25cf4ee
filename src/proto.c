/* proto.c - the wire form of the run spec and of every message. */
#include "config.h"

#include "proto.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

unsigned char *spec_pack(const struct spec *s, size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, s->status);
    pack_i64(&p, s->total);
    pack_i64(&p, s->shell);
    pack_i64(&p, s->nwords);
    for (int i = 0; i < s->nwords; i++)
        pack_str(&p, s->words[i]);
    pack_f64(&p, s->timeout);
    pack_f64(&p, s->kill_grace);
    pack_f64(&p, s->backoff);
    pack_f64(&p, s->backoff_max);
    pack_f64(&p, s->backoff_jitter);
    pack_i64(&p, s->retries);
    pack_str(&p, s->run_dir);
    pack_str(&p, s->run_id);
    pack_i64(&p, s->skip_health);
    pack_f64(&p, s->health_interval);
    pack_i64(&p, s->max_log_bytes);
    pack_i64(&p, s->stream);
    pack_str(&p, s->collect);
    pack_f64(&p, s->heartbeat);
    return packer_take(&p, len);
}

int spec_unpack(struct spec *s, const void *data, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    memset(s, 0, sizeof *s);
    s->status = (int)unpack_range(&u, -1, 255);
    s->total = (long)unpack_range(&u, 0, INT32_MAX);
    s->shell = (int)unpack_range(&u, 0, 1);
    int n = (int)unpack_range(&u, 0, 1 << 20);
    if (!u.failed && n > 0) {
        s->words = calloc((size_t)n + 1, sizeof *s->words);
        if (!s->words)
            u.failed = 1;
    }
    for (int i = 0; i < n && !u.failed; i++) {
        s->words[i] = unpack_str(&u);
        s->nwords = i + 1;
        if (!s->words[i])
            u.failed = 1;
    }
    s->timeout = unpack_f64(&u);
    s->kill_grace = unpack_f64(&u);
    s->backoff = unpack_f64(&u);
    s->backoff_max = unpack_f64(&u);
    s->backoff_jitter = unpack_f64(&u);
    s->retries = (long)unpack_range(&u, 0, 1000000);
    s->run_dir = unpack_str(&u);
    s->run_id = unpack_str(&u);
    s->skip_health = (int)unpack_range(&u, 0, 1);
    s->health_interval = unpack_f64(&u);
    s->max_log_bytes = (long)unpack_range(&u, 0, INT64_MAX); /* 0 in a stop spec */
    s->stream = (int)unpack_range(&u, 0, 1);
    s->collect = unpack_str(&u);
    s->heartbeat = unpack_f64(&u);
    if (!(s->heartbeat >= 0 && s->heartbeat <= 86400)) /* NaN too */
        u.failed = 1;
    if (u.failed || u.pos != u.len) {
        spec_free(s);
        return -1;
    }
    return 0;
}

unsigned char *assign_pack(const struct assignment *a, size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, a->index);
    pack_i64(&p, a->first_attempt);
    pack_i64(&p, a->retries);
    pack_str(&p, a->task);
    return packer_take(&p, len);
}

int assign_unpack(const void *data, size_t len, struct assignment *a)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    a->index = (long)unpack_range(&u, 0, INT32_MAX);
    a->first_attempt = (int)unpack_range(&u, 1, ATTEMPT_FIRST_MAX);
    a->retries = (int)unpack_range(&u, 0, RETRIES_MAX);
    a->task = unpack_str(&u);
    if (u.failed || u.pos != u.len) {
        free(a->task);
        a->task = NULL;
        return -1;
    }
    return 0;
}

unsigned char *logpiece_pack(long index, int attempt, int kind, const void *data, size_t n,
                             size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, index);
    pack_i64(&p, attempt);
    pack_i64(&p, kind);
    pack_bytes(&p, data, n);
    return packer_take(&p, len);
}

int logpiece_unpack(const void *msg, size_t len, long *index, int *attempt, int *kind,
                    const void **data, size_t *n)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *index = (long)unpack_range(&u, 0, INT32_MAX);
    *attempt = (int)unpack_range(&u, 1, ATTEMPT_NUMBER_MAX);
    *kind = (int)unpack_range(&u, LOG_HEAD, LOG_END);
    *data = unpack_bytes(&u, n);
    return u.failed || u.pos != u.len || *n > LOG_CHUNK_MAX ? -1 : 0;
}

unsigned char *collected_pack(long index, const char *name, const char *error, const void *data,
                              size_t n, size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, index);
    pack_str(&p, name);
    pack_str(&p, error);
    pack_bytes(&p, data, n);
    return packer_take(&p, len);
}

int collected_unpack(const void *msg, size_t len, long *index, char **name, char **error,
                     const void **data, size_t *n)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    *index = (long)unpack_range(&u, 0, INT32_MAX);
    *name = unpack_str(&u);
    *error = unpack_str(&u);
    *data = unpack_bytes(&u, n);
    if (u.failed || u.pos != u.len || !*name) {
        free(*name);
        free(*error);
        *name = *error = NULL;
        return -1;
    }
    return 0;
}
void result_pack(struct packer *p, const struct shard_result *r)
{
    pack_i64(p, r->index);
    pack_i64(p, r->status);
    pack_i64(p, r->rank);
    pack_i64(p, r->slot);
    pack_i64(p, r->nattempts);
    for (int i = 0; i < r->nattempts; i++) {
        const struct attempt *a = &r->attempts[i];
        pack_i64(p, a->number);
        pack_i64(p, a->rank);
        pack_i64(p, a->outcome);
        pack_i64(p, a->exit_code);
        pack_i64(p, a->signal);
        pack_f64(p, a->start);
        pack_f64(p, a->duration);
    }
    pack_str(p, r->log);
    pack_str(p, r->error);
}

struct shard_result *result_unpack(struct unpacker *u)
{
    struct shard_result *r = calloc(1, sizeof *r);
    if (!r) {
        u->failed = 1;
        return NULL;
    }
    r->index = (long)unpack_range(u, 0, INT64_MAX);
    r->status = (int)unpack_range(u, 0, STATUS_COUNT - 1);
    r->rank = (int)unpack_range(u, -1, INT32_MAX);
    r->slot = (int)unpack_range(u, -1, INT32_MAX);
    int n = (int)unpack_range(u, 0, 100000);
    if (!u->failed && n > 0) {
        r->attempts = calloc((size_t)n, sizeof *r->attempts);
        if (!r->attempts)
            u->failed = 1;
    }
    for (int i = 0; i < n && !u->failed; i++) {
        struct attempt *a = &r->attempts[i];
        /* numbers only grow: the reports and paths rely on it */
        a->number = (int)unpack_range(u, i ? r->attempts[i - 1].number + 1 : 1, ATTEMPT_NUMBER_MAX);
        a->rank = (int)unpack_range(u, -1, INT32_MAX);
        a->outcome = (int)unpack_range(u, 0, OUTCOME_COUNT - 1);
        a->exit_code = (int)unpack_range(u, -1, 255);
        a->signal = (int)unpack_range(u, 0, 1024);
        a->start = unpack_f64(u);
        a->duration = unpack_f64(u);
        /* times come from clocks: a NaN, infinite or negative one is a
         * broken message (it would vanish from the JSON report) */
        if (!isfinite(a->start) || !isfinite(a->duration) || a->start < 0 || a->duration < 0)
            u->failed = 1;
        r->nattempts = i + 1;
    }
    r->log = unpack_str(u);
    r->error = unpack_str(u);
    if (u->failed || u->pos != u->len) {
        u->failed = 1;
        result_free(r);
        return NULL;
    }
    return r;
}

void probe_pack(struct packer *p, const struct probe *pr)
{
    const struct health_sample *s = &pr->sample;
    pack_i64(p, pr->ok);
    pack_f64(p, s->disk_free);
    pack_f64(p, s->mem_used);
    pack_f64(p, s->load1);
    pack_i64(p, s->cores);
    pack_f64(p, s->load_per_core);
    pack_f64(p, s->other_load);
    pack_f64(p, s->other_per_core);
    pack_i64(p, (int64_t)s->disk_total_bytes);
    pack_i64(p, (int64_t)s->disk_avail_bytes);
    pack_i64(p, (int64_t)s->mem_total_kb);
    pack_i64(p, (int64_t)s->mem_available_kb);
    pack_str(p, pr->ok ? NULL : pr->error);
}

int probe_unpack(struct unpacker *u, struct probe *pr)
{
    struct health_sample *s = &pr->sample;
    memset(pr, 0, sizeof *pr);
    pr->ok = (int)unpack_range(u, 0, 1);
    s->disk_free = unpack_f64(u);
    s->mem_used = unpack_f64(u);
    s->load1 = unpack_f64(u);
    s->cores = (long)unpack_range(u, 0, 1L << 30);
    s->load_per_core = unpack_f64(u);
    s->other_load = unpack_f64(u);
    s->other_per_core = unpack_f64(u);
    s->disk_total_bytes = (unsigned long long)unpack_i64(u);
    s->disk_avail_bytes = (unsigned long long)unpack_i64(u);
    s->mem_total_kb = (unsigned long long)unpack_i64(u);
    s->mem_available_kb = (unsigned long long)unpack_i64(u);
    char *error = unpack_str(u);
    if (error)
        snprintf(pr->error, sizeof pr->error, "%s", error);
    free(error);
    return u->failed ? -1 : 0;
}
