/* fuzz_msg.c - libFuzzer harness for the MPI message decoders, which rank 0
 * and the workers run on whatever bytes arrive: the first byte picks the
 * decoder (pack.h primitives, result_unpack, spec_unpack, assign_unpack,
 * logpiece_unpack, collected_unpack, probe_unpack), the rest is the message.
 * A message that decodes must encode back to the same bytes, and what rank 0
 * then does with it (summary line, probe line, health judgement) must not
 * fail either. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "pack.h"
#include "proto.h"
#include "result.h"
#include "spec.h"
#include "summary.h"
#include "watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum kind { K_PRIMITIVES, K_RESULT, K_SPEC, K_ASSIGN, K_LOGPIECE, K_COLLECTED, K_PROBE, K_COUNT };

/* Abort unless the packed bytes (heap, taken over) equal the message. */
static void same_bytes(unsigned char *packed, size_t len, const void *msg, size_t msglen)
{
    if (!packed || len != msglen || memcmp(packed, msg, len))
        abort();
    free(packed);
}

/* A sequence of primitives chosen by the message itself: every reader on
 * every truncation and garbage value. */
static void primitives(const unsigned char *msg, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    for (int step = 0; step < 64 && !u.failed && u.pos < u.len; step++) {
        unsigned char op = msg[u.pos];
        size_t n;
        switch (op % 5) {
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
        default: {
            int64_t v = unpack_range(&u, -5, 1000);
            if (v < -5 || v > 1000)
                abort();
        }
        }
        if (u.pos > u.len)
            abort();
    }
}

static void result(const unsigned char *msg, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    struct shard_result *r = result_unpack(&u);
    if (!r)
        return;
    struct packer p;
    packer_init(&p);
    result_pack(&p, r);
    size_t n;
    unsigned char *back = packer_take(&p, &n);
    same_bytes(back, n, msg, len);
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
    if (spec_unpack(&s, msg, len) < 0)
        return;
    size_t n;
    same_bytes(spec_pack(&s, &n), n, msg, len);
    spec_free(&s);
}

static void assign(const unsigned char *msg, size_t len)
{
    struct assignment a;
    if (assign_unpack(msg, len, &a) < 0) {
        if (a.task)
            abort(); /* nothing handed out on failure */
        return;
    }
    if (a.first_attempt < 1 || a.first_attempt > ATTEMPT_FIRST_MAX || a.retries < 0 ||
        a.retries > RETRIES_MAX)
        abort();
    size_t n;
    same_bytes(assign_pack(&a, &n), n, msg, len);
    free(a.task);
}

static void logpiece(const unsigned char *msg, size_t len)
{
    long index;
    int attempt, kind;
    const void *piece;
    size_t n;
    if (logpiece_unpack(msg, len, &index, &attempt, &kind, &piece, &n) < 0)
        return;
    const unsigned char *p = piece;
    if (n && (p < msg || p + n > msg + len))
        abort(); /* the piece lies inside the message */
    size_t k;
    same_bytes(logpiece_pack(index, attempt, kind, piece, n, &k), k, msg, len);
}

static void collected(const unsigned char *msg, size_t len)
{
    long index;
    char *name, *error;
    const void *file;
    size_t n;
    if (collected_unpack(msg, len, &index, &name, &error, &file, &n) < 0) {
        if (name || error)
            abort();
        return;
    }
    const unsigned char *p = file;
    if (!name || (n && (p < msg || p + n > msg + len)))
        abort();
    size_t k;
    same_bytes(collected_pack(index, name, error, file, n, &k), k, msg, len);
    free(name);
    free(error);
}

static void probe(const unsigned char *msg, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, msg, len);
    struct probe pr;
    if (probe_unpack(&u, &pr) < 0)
        return;
    if (strnlen(pr.error, sizeof pr.error) == sizeof pr.error)
        abort();
    /* what rank 0 does with a host's probe: judge it and print it */
    struct health_limits l;
    health_limits_default(&l);
    char reason[512], small[8];
    health_judge(&pr.sample, &l, reason, sizeof reason);
    health_judge(&pr.sample, &l, small, sizeof small);
    probe_format_line(&pr, reason, sizeof reason);
    probe_format_line(&pr, small, sizeof small);
    probe_format_line(&pr, small, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* an exact-size copy of the message, so a read past its end shows */
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
    case K_LOGPIECE:
        logpiece(msg, len);
        break;
    case K_COLLECTED:
        collected(msg, len);
        break;
    default:
        probe(msg, len);
        break;
    }
    free(msg);
    return 0;
}
