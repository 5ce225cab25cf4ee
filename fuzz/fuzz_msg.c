/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_msg.c - libFuzzer harness for the wire formats (proto.h), which rank
 * 0 and the workers decode from whatever bytes arrive: the first byte picks
 * the decoder (pack.h primitives, the run spec, a host record, a probe
 * record, and each message: ASSIGN, RESULT, LOG, COLLECT, HEALTH, PAUSE,
 * RETURN, CANCEL), the rest is the input. What decodes must encode back to the same
 * bytes (so it decodes to the same again), and what rank 0 then does with
 * it (summary line, probe line, health judgement) must not fail either. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"
#include "mpi/pack.h"
#include "mpi/proto.h"
#include "report/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The selector bytes; msg_seeds.c writes seeds with the same. */
enum kind {
    K_PRIMITIVES,
    K_RESULT,
    K_SPEC,
    K_ASSIGN,
    K_LOG,
    K_COLLECT,
    K_PROBE,
    K_HOST_RECORD,
    K_PROBE_RECORD,
    K_PAUSE,
    K_RETURN,
    K_CANCEL,
    K_COUNT
};

/* Abort unless the encoded bytes (heap, taken over) equal the input. */
static void same_bytes(unsigned char *encoded, size_t len, const void *msg, size_t msglen)
{
    if (!encoded || len != msglen || memcmp(encoded, msg, len))
        abort();
    free(encoded);
}

/* Abort unless p points into the n bytes of msg (or there are none). */
static void inside(const void *p, size_t n, const unsigned char *msg, size_t len)
{
    const unsigned char *b = p;
    if (n && (b < msg || b + n > msg + len))
        abort();
}

/* A sequence of primitives chosen by the input itself: every reader on
 * every truncation and garbage value. */
static void primitives(const unsigned char *msg, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    for (int step = 0; step < 64 && !u.failed && u.pos < u.len; step++) {
        unsigned char op = msg[u.pos];
        size_t n;
        switch (op % 7) {
        case 0:
            unpack_i64(&u);
            break;
        case 1:
            unpack_f64(&u);
            break;
        case 2:
            free(unpack_str(&u));
            break;
        case 3:
            if (unpack_bytes(&u, &n) && n > u.len)
                abort();
            break;
        case 4: {
            int64_t v = unpack_range(&u, -5, 1000);
            if (v < -5 || v > 1000)
                abort();
            break;
        }
        case 5: {
            double v = unpack_f64_range(&u, -1, 1);
            if (!(v >= -1 && v <= 1))
                abort();
            break;
        }
        default:
            /* what the count promises is there */
            n = unpack_count(&u, SIZE_MAX, 8);
            if (!u.failed && n > (u.len - u.pos) / 8)
                abort();
        }
        if (u.pos > u.len)
            abort();
    }
    unpack_end(&u);
}

static void result(const unsigned char *msg, size_t len)
{
    struct shard_result *r = proto_result_decode(msg, len);
    if (!r)
        return;
    size_t n;
    same_bytes(proto_result_encode(r, &n), n, msg, len);
    /* what rank 0 prints for it */
    char line[1024];
    summary_result_line(line, sizeof line, r, 1, 1000, "host");
    result_elapsed(r);
    result_busy(r);
    result_status_from_attempts(r->attempts, r->nattempts);
    result_free(r);
}

static void spec(const unsigned char *msg, size_t len)
{
    struct spec s;
    if (proto_spec_decode(msg, len, &s) < 0)
        return;
    if (s.nwords > 0 && s.words[s.nwords] != NULL)
        abort(); /* exec needs the NULL after the words */
    size_t n;
    same_bytes(proto_spec_encode(&s, &n), n, msg, len);
    spec_free(&s);
}

static void assign(const unsigned char *msg, size_t len)
{
    struct assignment a;
    if (proto_assign_decode(msg, len, &a) < 0) {
        if (a.task)
            abort(); /* nothing handed out on failure */
        return;
    }
    if (a.first_attempt < 1 || a.first_attempt > ATTEMPT_FIRST_MAX || a.retries < 0 ||
        a.retries > RETRIES_MAX)
        abort();
    size_t n;
    same_bytes(proto_assign_encode(&a, &n), n, msg, len);
    free(a.task);
}

static void log_piece(const unsigned char *msg, size_t len)
{
    long index;
    int attempt, kind;
    const void *piece;
    size_t n;
    if (proto_log_decode(msg, len, &index, &attempt, &kind, &piece, &n) < 0)
        return;
    inside(piece, n, msg, len);
    size_t k;
    same_bytes(proto_log_encode(index, attempt, kind, piece, n, &k), k, msg, len);
}

static void collect(const unsigned char *msg, size_t len)
{
    long index;
    int attempt;
    bool earlier;
    char *name, *error;
    const void *file;
    size_t n;
    if (proto_collect_decode(msg, len, &index, &attempt, &earlier, &name, &error, &file, &n) < 0) {
        if (name || error)
            abort();
        return;
    }
    if (!name)
        abort();
    inside(file, n, msg, len);
    size_t k;
    same_bytes(proto_collect_encode(index, attempt, earlier, name, error, file, n, &k), k, msg,
               len);
    free(name);
    free(error);
}

/* What rank 0 does with a host's probe: judge it and print it. */
static void use_probe(const struct probe *pr)
{
    if (strnlen(pr->error, sizeof pr->error) == sizeof pr->error)
        abort();
    struct health_limits l;
    health_limits_default(&l);
    char reason[512], small[8];
    health_judge(&pr->sample, &l, reason, sizeof reason);
    health_judge(&pr->sample, &l, small, sizeof small);
    probe_format_line(pr, reason, sizeof reason);
    probe_format_line(pr, small, sizeof small);
    probe_format_line(pr, small, 1);
}

static void probe(const unsigned char *msg, size_t len)
{
    struct probe pr;
    if (proto_probe_decode(msg, len, &pr) < 0)
        return;
    use_probe(&pr);
    size_t n;
    same_bytes(proto_probe_encode(&pr, &n), n, msg, len);
}

/* Records are PROTO_RECORD_SIZE bytes: the input is zero-padded to that
 * size (and one that is longer is cut), so that inputs reach past the head
 * instead of being refused for their length alone. */
static void as_record(const unsigned char *msg, size_t len, unsigned char *rec)
{
    memset(rec, 0, PROTO_RECORD_SIZE);
    memcpy(rec, msg, len < PROTO_RECORD_SIZE ? len : PROTO_RECORD_SIZE);
}

static void host_record(const unsigned char *msg, size_t len)
{
    unsigned char *rec = malloc(PROTO_RECORD_SIZE);
    if (!rec)
        return;
    as_record(msg, len, rec);
    struct host_record hr;
    struct error e;
    /* rank 3 of 8, for a rank 0 of this version */
    if (proto_host_record_decode(rec, PROTO_RECORD_SIZE, 3, 8, PROTO_VERSION, &hr, &e) == 0) {
        if (hr.slot < 0 || hr.slot >= 8 || hr.leader < 0 || hr.leader > 3)
            abort();
        use_probe(&hr.probe);
        unsigned char back[PROTO_RECORD_SIZE];
        if (proto_host_record_encode(&hr, back, &e) < 0 || memcmp(back, rec, PROTO_RECORD_SIZE))
            abort();
    } else if (!memchr(e.text, '\0', sizeof e.text) || !e.text[0]) {
        abort(); /* every refusal says why */
    }
    free(rec);
}

static void probe_record(const unsigned char *msg, size_t len)
{
    unsigned char *rec = malloc(PROTO_RECORD_SIZE);
    if (!rec)
        return;
    as_record(msg, len, rec);
    struct probe pr;
    if (proto_probe_record_decode(rec, PROTO_RECORD_SIZE, &pr) == 0) {
        use_probe(&pr);
        unsigned char back[PROTO_RECORD_SIZE];
        struct error e;
        if (proto_probe_record_encode(&pr, back, &e) < 0 || memcmp(back, rec, PROTO_RECORD_SIZE))
            abort();
    }
    free(rec);
}

static void pause_flag(const unsigned char *msg, size_t len)
{
    int flag = proto_pause_decode(msg, len);
    if (flag < 0)
        return;
    if (flag > PAUSE_SHARE)
        abort();
    size_t n;
    same_bytes(proto_pause_encode(flag, &n), n, msg, len);
}

static void given_back(const unsigned char *msg, size_t len)
{
    /* the run's size from the input's first byte, so small and empty runs
     * are reached as well */
    long total = len ? (long)msg[0] * 8 : 0;
    long *indices;
    size_t n;
    if (len < 1 || proto_return_decode(msg + 1, len - 1, total, &indices, &n) < 0)
        return;
    struct assignment *a = calloc(n ? n : 1, sizeof *a);
    if (!a) {
        free(indices);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (indices[i] < 0 || indices[i] >= total)
            abort();
        a[i].index = indices[i];
    }
    size_t k;
    same_bytes(proto_return_encode(a, n, &k), k, msg + 1, len - 1);
    free(a);
    free(indices);
}

static void cancelled(const unsigned char *msg, size_t len)
{
    /* the run's size from the input's first byte, as for RETURN */
    long total = len ? (long)msg[0] * 8 : 0;
    long index;
    int first;
    if (len < 1 || proto_cancel_decode(msg + 1, len - 1, total, &index, &first) < 0)
        return;
    if (index < 0 || index >= total || first < 1 || first > ATTEMPT_FIRST_MAX)
        abort();
    size_t k;
    same_bytes(proto_cancel_encode(index, first, &k), k, msg + 1, len - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* an exact-size copy of the input, so a read past its end shows */
    size_t len = size - 1;
    unsigned char *msg = malloc(len ? len : 1);
    if (!msg)
        return 0;
    memcpy(msg, data + 1, len);
    switch (data[0] % K_COUNT) {
    case K_PRIMITIVES:
        primitives(msg, len);
        break;
    case K_RESULT:
        result(msg, len);
        break;
    case K_SPEC:
        spec(msg, len);
        break;
    case K_ASSIGN:
        assign(msg, len);
        break;
    case K_LOG:
        log_piece(msg, len);
        break;
    case K_COLLECT:
        collect(msg, len);
        break;
    case K_PROBE:
        probe(msg, len);
        break;
    case K_HOST_RECORD:
        host_record(msg, len);
        break;
    case K_PROBE_RECORD:
        probe_record(msg, len);
        break;
    case K_PAUSE:
        pause_flag(msg, len);
        break;
    case K_RETURN:
        given_back(msg, len);
        break;
    default:
        cancelled(msg, len);
        break;
    }
    free(msg);
    return 0;
}
