/* SPDX-License-Identifier: BSD-3-Clause */
/* test_proto.c - unit tests of the wire formats (proto.h): every format
 * round-trips with edge values; cut at every byte, given trailing bytes,
 * counts larger than the bytes behind them or a field out of its range, it
 * is refused; and the host records' protocol version check. */
#include "config.h"

#include "mpi/proto.h"

#include <errno.h>
#include <float.h>
#include <math.h>

#include "mpi/pack.h"
#include "exec/runner.h"
#include "model/retryfailed.h"
#include "unit.h"

/* ---------------------------------------------------------------- helpers */

/* A packer's bytes; fails the test if packing failed. */
static unsigned char *take(struct buf *b, size_t *len)
{
    unsigned char *d = pack_take(b, len);
    ck_assert_ptr_nonnull(d);
    return d;
}

static int64_t double_bits(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Each decoder as "does it take these bytes", freeing what it made. */
static int take_spec(const void *m, size_t n)
{
    struct spec s;
    int rc = proto_spec_decode(m, n, &s);
    if (rc == 0)
        spec_free(&s);
    return rc;
}

static int take_assign(const void *m, size_t n)
{
    struct assignment a = {.task = NULL};
    int rc = proto_assign_decode(m, n, &a);
    if (rc < 0 && a.task)
        ck_abort_msg("a refused assignment kept its task");
    free(a.task);
    return rc;
}

static int take_result(const void *m, size_t n)
{
    struct shard_result *r = proto_result_decode(m, n);
    result_free(r);
    return r ? 0 : -1;
}

static int take_log(const void *m, size_t n)
{
    long index;
    int attempt, kind;
    const void *data;
    size_t k;
    return proto_log_decode(m, n, &index, &attempt, &kind, &data, &k);
}

static int take_collect(const void *m, size_t n)
{
    long index;
    int attempt;
    bool earlier;
    char *name, *error;
    const void *data;
    size_t k;
    int rc = proto_collect_decode(m, n, &index, &attempt, &earlier, &name, &error, &data, &k);
    if (rc < 0 && (name || error))
        ck_abort_msg("a refused collected file kept its strings");
    free(name);
    free(error);
    return rc;
}

static int take_probe(const void *m, size_t n)
{
    struct probe pr;
    return proto_probe_decode(m, n, &pr);
}

static int take_pause(const void *m, size_t n)
{
    return proto_pause_decode(m, n) < 0 ? -1 : 0;
}

#define RETURN_TOTAL 100
static int take_return(const void *m, size_t n)
{
    long *indices;
    size_t k;
    int rc = proto_return_decode(m, n, RETURN_TOTAL, &indices, &k);
    if (rc < 0 && (indices || k))
        ck_abort_msg("a refused return kept its indices");
    free(indices);
    return rc;
}

#define CANCEL_TOTAL 100
static int take_cancel(const void *m, size_t n)
{
    long index;
    int first;
    return proto_cancel_decode(m, n, CANCEL_TOTAL, &index, &first);
}

/* A probe as a healthy host's leader takes it. */
static struct probe probe_good(void)
{
    return (struct probe){.ok = 1,
                          .sample = {.disk_free = 0.8333,
                                     .mem_used = 0.0149,
                                     .load1 = 1.23,
                                     .cores = 2,
                                     .load_per_core = 0.615,
                                     .other_load = 0.5,
                                     .other_per_core = 0.25,
                                     .disk_total_bytes = 270582939648ULL,
                                     .disk_avail_bytes = 85899345920ULL,
                                     .mem_total_kb = 24731708,
                                     .mem_available_kb = 24381576}};
}

static struct probe probe_failed(const char *error)
{
    struct probe pr = {.ok = 0};
    snprintf(pr.error, sizeof pr.error, "%s", error);
    return pr;
}

/* One well-formed message of each kind, made by the encoders. */
struct sample {
    const char *what;
    int (*take)(const void *, size_t);
    unsigned char *msg;
    size_t len;
};

static struct attempt sample_attempts[2] = {
    {OUTCOME_FAILED, 1, 0, 1.7e9, 2.5, 1, 3, 0},
    {OUTCOME_PASSED, 0, 0, 1.7e9 + 10, 1, 2, 3, 0},
};

static size_t make_samples(struct sample *s)
{
    size_t n = 0;
    static char *words[] = {"npx", "playwright", "test", "--shard={shard}/{total}", NULL};
    struct spec spec = {.status = -1,
                        .total = 48,
                        .words = words,
                        .nwords = 4,
                        .timeout = 900,
                        .kill_grace = 5,
                        .backoff = 5,
                        .backoff_max = 60,
                        .backoff_jitter = 0.1,
                        .retries = 2,
                        .run_dir = "distmpi-runs/x",
                        .run_id = "x",
                        .health_interval = 30,
                        .max_log_bytes = 1 << 20,
                        .stream = 1,
                        .collect = "out/junit-{shard}.xml",
                        .heartbeat = 2.5};
    s[n] = (struct sample){"spec", take_spec, NULL, 0};
    s[n].msg = proto_spec_encode(&spec, &s[n].len);
    n++;
    struct spec stop = {.status = 3};
    s[n] = (struct sample){"stop spec", take_spec, NULL, 0};
    s[n].msg = proto_spec_encode(&stop, &s[n].len);
    n++;
    struct assignment a = {.index = 7, .first_attempt = 4, .retries = 2, .task = "make t > out"};
    s[n] = (struct sample){"assign", take_assign, NULL, 0};
    s[n].msg = proto_assign_encode(&a, &s[n].len);
    n++;
    struct shard_result r = {.index = 4,
                             .status = STATUS_FLAKY,
                             .rank = 1,
                             .slot = 1,
                             .nattempts = 2,
                             .attempts = sample_attempts,
                             .log = "runs/shard-05/attempt-2.log",
                             .error = "x"};
    s[n] = (struct sample){"result", take_result, NULL, 0};
    s[n].msg = proto_result_encode(&r, &s[n].len);
    n++;
    s[n] = (struct sample){"log", take_log, NULL, 0};
    s[n].msg = proto_log_encode(1, 1, LOG_HEAD, "ok\n\0x", 5, &s[n].len);
    n++;
    s[n] = (struct sample){"collect", take_collect, NULL, 0};
    s[n].msg = proto_collect_encode(3, 2, true, "out/j.xml", "not JUnit", "<a/>", 4, &s[n].len);
    n++;
    struct probe good = probe_good(), failed = probe_failed("statvfs: Permission denied");
    s[n] = (struct sample){"probe", take_probe, NULL, 0};
    s[n].msg = proto_probe_encode(&good, &s[n].len);
    n++;
    s[n] = (struct sample){"failed probe", take_probe, NULL, 0};
    s[n].msg = proto_probe_encode(&failed, &s[n].len);
    n++;
    s[n] = (struct sample){"pause", take_pause, NULL, 0};
    s[n].msg = proto_pause_encode(PAUSE_GIVE_BACK, &s[n].len);
    n++;
    struct assignment back[3] = {{.index = 0}, {.index = 42}, {.index = RETURN_TOTAL - 1}};
    s[n] = (struct sample){"return", take_return, NULL, 0};
    s[n].msg = proto_return_encode(back, 3, &s[n].len);
    n++;
    s[n] = (struct sample){"cancel", take_cancel, NULL, 0};
    s[n].msg = proto_cancel_encode(CANCEL_TOTAL - 1, 4, &s[n].len);
    n++;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(s[i].msg != NULL, "%s: not encoded", s[i].what);
    return n;
}

static void free_samples(struct sample *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].msg);
}

/* ---------------------------------------------------------------- all kinds */

START_TEST(samples_decode)
{
    struct sample s[16];
    size_t n = make_samples(s);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(s[i].take(s[i].msg, s[i].len) == 0, "%s: refused", s[i].what);
    free_samples(s, n);
}
END_TEST

/* Cut anywhere, no message is taken, and nothing is read past the cut
 * (each cut is an exact-size copy, for ASan and valgrind). */
START_TEST(every_truncation_refused)
{
    struct sample s[16];
    size_t n = make_samples(s);
    for (size_t i = 0; i < n; i++) {
        for (size_t cut = 0; cut < s[i].len; cut++) {
            unsigned char *copy = malloc(cut ? cut : 1);
            memcpy(copy, s[i].msg, cut);
            unit_require(s[i].take(copy, cut) < 0, "%s cut to %zu of %zu bytes was taken",
                         s[i].what, cut, s[i].len);
            free(copy);
        }
    }
    free_samples(s, n);
}
END_TEST

START_TEST(trailing_bytes_refused)
{
    struct sample s[16];
    size_t n = make_samples(s);
    for (size_t i = 0; i < n; i++) {
        for (size_t extra = 1; extra <= 9; extra++) {
            unsigned char *longer = calloc(s[i].len + extra, 1);
            memcpy(longer, s[i].msg, s[i].len);
            unit_require(s[i].take(longer, s[i].len + extra) < 0,
                         "%s with %zu zero bytes more was taken", s[i].what, extra);
            free(longer);
        }
    }
    free_samples(s, n);
}
END_TEST

/* ---------------------------------------------------------------- spec */

static void assert_same_str(const char *a, const char *b)
{
    if (a)
        ck_assert_str_eq(a, b);
    else
        ck_assert_ptr_null(b);
}

START_TEST(spec_round_trip)
{
    char *words[] = {"a", "", "{shard}\xc3\xa9", NULL};
    struct spec s = {.status = -1,
                     .total = INT32_MAX,
                     .words = words,
                     .nwords = 3,
                     .timeout = 1e9,
                     .kill_grace = 0,
                     .backoff = 86400,
                     .backoff_max = 0.5,
                     .backoff_jitter = 1,
                     .retries = RETRIES_MAX,
                     .run_dir = "r",
                     .run_id = "",
                     .skip_health = 1,
                     .health_interval = 0.1,
                     .max_log_bytes = INT64_MAX,
                     .stream = 0,
                     .collect = NULL,
                     .heartbeat = 86400};
    size_t len;
    unsigned char *d = proto_spec_encode(&s, &len);
    ck_assert_ptr_nonnull(d);
    struct spec back;
    ck_assert_int_eq(proto_spec_decode(d, len, &back), 0);
    ck_assert_int_eq(back.status, -1);
    ck_assert_int_eq(back.total, INT32_MAX);
    ck_assert_int_eq(back.nwords, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(back.words[i], words[i]);
    ck_assert_ptr_null(back.words[3]); /* NULL-terminated for exec */
    ck_assert_double_eq(back.timeout, 1e9);
    ck_assert_double_eq(back.backoff_max, 0.5);
    ck_assert_double_eq(back.backoff_jitter, 1);
    ck_assert_int_eq(back.retries, RETRIES_MAX);
    ck_assert_str_eq(back.run_dir, "r");
    ck_assert_str_eq(back.run_id, "");
    ck_assert_int_eq(back.skip_health, 1);
    ck_assert_double_eq(back.health_interval, 0.1);
    ck_assert(back.max_log_bytes == INT64_MAX);
    ck_assert_ptr_null(back.collect);
    ck_assert_double_eq(back.heartbeat, 86400);
    spec_free(&back);
    free(d);

    /* a stop spec: nothing but a status */
    struct spec stop = {.status = 255};
    d = proto_spec_encode(&stop, &len);
    ck_assert_int_eq(proto_spec_decode(d, len, &back), 0);
    ck_assert_int_eq(back.status, 255);
    ck_assert_int_eq(back.nwords, 0);
    ck_assert_ptr_null(back.words);
    assert_same_str(NULL, back.run_dir);
    spec_free(&back);
    free(d);
}
END_TEST

/* The fields of a spec as raw values, to make bad ones. */
enum {
    SP_STATUS,
    SP_TOTAL,
    SP_SHELL,
    SP_NWORDS,
    SP_TIMEOUT,
    SP_KILL_GRACE,
    SP_BACKOFF,
    SP_BACKOFF_MAX,
    SP_JITTER,
    SP_RETRIES,
    SP_SKIP_HEALTH,
    SP_INTERVAL,
    SP_MAX_LOG,
    SP_STREAM,
    SP_HEARTBEAT,
    SP_COUNT
};

/* A spec with these fields (doubles as their bits) and one word per nwords
 * (however many nwords says, up to 2). */
static int take_spec_fields(const int64_t *f)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, f[SP_STATUS]);
    pack_i64(&b, f[SP_TOTAL]);
    pack_i64(&b, f[SP_SHELL]);
    pack_i64(&b, f[SP_NWORDS]);
    for (int64_t i = 0; i < f[SP_NWORDS] && i < 2; i++)
        pack_str(&b, "w");
    pack_i64(&b, f[SP_TIMEOUT]);
    pack_i64(&b, f[SP_KILL_GRACE]);
    pack_i64(&b, f[SP_BACKOFF]);
    pack_i64(&b, f[SP_BACKOFF_MAX]);
    pack_i64(&b, f[SP_JITTER]);
    pack_i64(&b, f[SP_RETRIES]);
    pack_str(&b, "dir");
    pack_str(&b, "id");
    pack_i64(&b, f[SP_SKIP_HEALTH]);
    pack_i64(&b, f[SP_INTERVAL]);
    pack_i64(&b, f[SP_MAX_LOG]);
    pack_i64(&b, f[SP_STREAM]);
    pack_str(&b, NULL);
    pack_i64(&b, f[SP_HEARTBEAT]);
    pack_str(&b, NULL); /* retry_command */
    size_t len;
    unsigned char *d = take(&b, &len);
    int rc = take_spec(d, len);
    free(d);
    return rc;
}

START_TEST(spec_out_of_range)
{
    int64_t good[SP_COUNT] = {
        [SP_STATUS] = -1,    [SP_TOTAL] = 10,      [SP_SHELL] = 0,
        [SP_NWORDS] = 2,     [SP_TIMEOUT] = 0,     [SP_KILL_GRACE] = double_bits(5),
        [SP_BACKOFF] = 0,    [SP_BACKOFF_MAX] = 0, [SP_JITTER] = 0,
        [SP_RETRIES] = 2,    [SP_SKIP_HEALTH] = 0, [SP_INTERVAL] = double_bits(30),
        [SP_MAX_LOG] = 1024, [SP_STREAM] = 1,      [SP_HEARTBEAT] = double_bits(1)};
    ck_assert_int_eq(take_spec_fields(good), 0);
    const struct {
        int field;
        int64_t v;
    } bad[] = {
        {SP_STATUS, -2},
        {SP_STATUS, 256},
        {SP_TOTAL, -1},
        {SP_TOTAL, (int64_t)INT32_MAX + 1},
        {SP_SHELL, 2},
        {SP_SHELL, 1}, /* task mode with words */
        {SP_NWORDS, -1},
        {SP_NWORDS, 3}, /* more words than follow */
        {SP_NWORDS, INT64_MAX},
        {SP_TIMEOUT, double_bits(-1)},
        {SP_TIMEOUT, double_bits(NAN)},
        {SP_TIMEOUT, double_bits(INFINITY)},
        {SP_KILL_GRACE, double_bits(-0.5)},
        {SP_BACKOFF, double_bits(NAN)},
        {SP_BACKOFF_MAX, double_bits(-INFINITY)},
        {SP_JITTER, double_bits(1.5)},
        {SP_JITTER, double_bits(-0.1)},
        {SP_RETRIES, -1},
        {SP_RETRIES, RETRIES_MAX + 1},
        {SP_SKIP_HEALTH, -1},
        {SP_INTERVAL, double_bits(NAN)},
        {SP_MAX_LOG, -1},
        {SP_STREAM, 2},
        {SP_HEARTBEAT, double_bits(86401)},
        {SP_HEARTBEAT, double_bits(NAN)},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t f[SP_COUNT];
        memcpy(f, good, sizeof f);
        f[bad[i].field] = bad[i].v;
        ck_assert_msg(take_spec_fields(f) < 0, "field %d = %lld taken", bad[i].field,
                      (long long)bad[i].v);
    }
    /* task mode without words is fine */
    int64_t task[SP_COUNT];
    memcpy(task, good, sizeof task);
    task[SP_SHELL] = 1;
    task[SP_NWORDS] = 0;
    ck_assert_int_eq(take_spec_fields(task), 0);
}
END_TEST

/* A word that is NULL on the wire is refused: exec would stop there. */
START_TEST(spec_null_word_refused)
{
    char *words[] = {"a", NULL, "c"};
    struct spec s = {.status = -1, .total = 1, .words = words, .nwords = 3};
    size_t len;
    unsigned char *d = proto_spec_encode(&s, &len);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(take_spec(d, len), -1);
    free(d);
}
END_TEST

/* ---------------------------------------------------------------- assign */

START_TEST(assign_round_trip)
{
    const struct assignment cases[] = {
        {.index = 0, .first_attempt = 1, .retries = 0, .task = NULL},
        {.index = INT32_MAX,
         .first_attempt = ATTEMPT_FIRST_MAX,
         .retries = RETRIES_MAX,
         .task = ""},
        {.index = 5, .first_attempt = 3, .retries = 1, .task = "echo '{shard}' | tee \"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        unsigned char *d = proto_assign_encode(&cases[i], &len);
        ck_assert_ptr_nonnull(d);
        struct assignment a;
        ck_assert_int_eq(proto_assign_decode(d, len, &a), 0);
        ck_assert_int_eq(a.index, cases[i].index);
        ck_assert_int_eq(a.first_attempt, cases[i].first_attempt);
        ck_assert_int_eq(a.retries, cases[i].retries);
        assert_same_str(cases[i].task, a.task);
        free(a.task);
        free(d);
    }
}
END_TEST

static int take_assign_fields(int64_t index, int64_t first, int64_t retries)
{
    struct buf b = BUF_INIT;
    pack_i64(&b, index);
    pack_i64(&b, first);
    pack_i64(&b, retries);
    pack_str(&b, "task");
    size_t len;
    unsigned char *d = take(&b, &len);
    int rc = take_assign(d, len);
    free(d);
    return rc;
}

START_TEST(assign_out_of_range)
{
    ck_assert_int_eq(take_assign_fields(1, 1, 0), 0);
    ck_assert_int_eq(take_assign_fields(-1, 1, 0), -1);
    ck_assert_int_eq(take_assign_fields((int64_t)INT32_MAX + 1, 1, 0), -1);
    ck_assert_int_eq(take_assign_fields(1, 0, 0), -1);
    ck_assert_int_eq(take_assign_fields(1, (int64_t)ATTEMPT_FIRST_MAX + 1, 0), -1);
    ck_assert_int_eq(take_assign_fields(1, 1, -1), -1);
    ck_assert_int_eq(take_assign_fields(1, 1, RETRIES_MAX + 1), -1);
}
END_TEST

/* ---------------------------------------------------------------- result */

static void assert_same_result(const struct shard_result *a, const struct shard_result *b)
{
    ck_assert_int_eq(a->index, b->index);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_int_eq(a->rank, b->rank);
    ck_assert_int_eq(a->slot, b->slot);
    ck_assert_int_eq(a->nattempts, b->nattempts);
    for (int i = 0; i < a->nattempts; i++) {
        ck_assert_int_eq(a->attempts[i].number, b->attempts[i].number);
        ck_assert_int_eq(a->attempts[i].rank, b->attempts[i].rank);
        ck_assert_int_eq(a->attempts[i].outcome, b->attempts[i].outcome);
        ck_assert_int_eq(a->attempts[i].exit_code, b->attempts[i].exit_code);
        ck_assert_int_eq(a->attempts[i].signal, b->attempts[i].signal);
        ck_assert_double_eq(a->attempts[i].start, b->attempts[i].start);
        ck_assert_double_eq(a->attempts[i].duration, b->attempts[i].duration);
        ck_assert_int_eq(a->attempts[i].retried, b->attempts[i].retried);
    }
    assert_same_str(a->log, b->log);
    assert_same_str(a->error, b->error);
}

static void result_round_trip(const struct shard_result *r)
{
    size_t len;
    unsigned char *d = proto_result_encode(r, &len);
    ck_assert_ptr_nonnull(d);
    struct shard_result *back = proto_result_decode(d, len);
    ck_assert_ptr_nonnull(back);
    assert_same_result(r, back);
    result_free(back);
    free(d);
}

START_TEST(result_round_trips)
{
    struct attempt a[3] = {
        {OUTCOME_CRASHED, -1, 11, 1700000000.25, 0.5, 1, 7, 0},
        {OUTCOME_TIMEOUT, -1, 15, 1700000003.5, 60.0, 2, 3, 12},
        {OUTCOME_PASSED, 0, 0, 1700000070.125, 1e-6, 3, -1, 0},
    };
    struct shard_result r = {.index = 12345,
                             .status = STATUS_FLAKY,
                             .rank = 7,
                             .slot = 3,
                             .nattempts = 3,
                             .attempts = a,
                             .log = "distmpi-runs/x/shard-12345.log",
                             .error = "sh: \xc3\xa9: not found"};
    result_round_trip(&r);

    /* NULL strings stay NULL, empty ones stay empty */
    r.log = NULL;
    r.error = NULL;
    result_round_trip(&r);
    r.log = "";
    result_round_trip(&r);

    /* numbers that do not start at 1 or leave gaps: a shard moved off a
     * lost host, at the top of the range */
    a[0].number = 4;
    a[1].number = 7;
    a[2].number = ATTEMPT_NUMBER_MAX;
    result_round_trip(&r);

    /* the edges of every field */
    struct attempt f = {OUTCOME_FAILED, 255, 1024, 0, DBL_MAX, 1, INT32_MAX, FAILED_MAX_TESTS};
    struct shard_result r2 = {.index = INT32_MAX,
                              .status = STATUS_COUNT - 1,
                              .rank = INT32_MAX,
                              .slot = INT32_MAX,
                              .nattempts = 1,
                              .attempts = &f};
    result_round_trip(&r2);

    /* no attempts: a shard that never reported */
    struct shard_result *m = result_new_missing(99, STATUS_LOST);
    result_round_trip(m);
    result_free(m);
}
END_TEST

/* A result message with these integers, then two NULL strings. */
static struct shard_result *result_of_fields(const int64_t *f, int n)
{
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        pack_i64(&b, f[i]);
    pack_str(&b, NULL);
    pack_str(&b, NULL);
    size_t len;
    unsigned char *d = take(&b, &len);
    struct shard_result *r = proto_result_decode(d, len);
    free(d);
    return r;
}

START_TEST(result_out_of_range)
{
    /* index, status, rank, slot, nattempts */
    struct shard_result *r = result_of_fields((int64_t[]){1, STATUS_LOST, -1, -1, 0}, 5);
    ck_assert_ptr_nonnull(r); /* the valid baseline */
    result_free(r);
    ck_assert_ptr_null(result_of_fields((int64_t[]){-1, STATUS_LOST, -1, -1, 0}, 5));
    ck_assert_ptr_null(
        result_of_fields((int64_t[]){(int64_t)INT32_MAX + 1, STATUS_LOST, -1, -1, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_COUNT, -1, -1, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, -1, -1, -1, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_LOST, -2, -1, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_LOST, (int64_t)1 << 40, -1, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_LOST, 0, -7, 0}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_LOST, 0, 0, -1}, 5));
    /* counts with no attempts behind them: refused, never allocated */
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_FAILED, 0, 0, INT64_MAX}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_FAILED, 0, 0, 1000000000}, 5));
    ck_assert_ptr_null(result_of_fields((int64_t[]){1, STATUS_FAILED, 0, 0, 1}, 5));
}
END_TEST

START_TEST(result_bad_attempt)
{
    /* one attempt: number, rank, outcome, exit code, signal, start, duration,
     * retried */
    const int64_t good[] = {1, STATUS_FAILED, 0, 0, 1, 3, 5, OUTCOME_FAILED, 2, 0, 0, 0, 4};
    struct shard_result *r = result_of_fields(good, 13);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->nattempts, 1);
    ck_assert_int_eq(r->attempts[0].number, 3);
    ck_assert_int_eq(r->attempts[0].rank, 5);
    ck_assert_int_eq(r->attempts[0].exit_code, 2);
    ck_assert_int_eq(r->attempts[0].retried, 4);
    result_free(r);
    const struct {
        int pos;
        int64_t v;
    } cases[] = {{5, 0},
                 {5, -1},
                 {5, (int64_t)ATTEMPT_NUMBER_MAX + 1},
                 {6, -2},
                 {6, (int64_t)1 << 40},
                 {7, OUTCOME_COUNT},
                 {7, -1},
                 {8, 256},
                 {8, -2},
                 {9, -1},
                 {9, 1025},
                 /* times come from clocks (found by fuzz/fuzz_msg: such a
                  * time reached rank 0's duration formatting, and would
                  * vanish from the JSON report) */
                 {10, double_bits(NAN)},
                 {10, double_bits(INFINITY)},
                 {10, double_bits(-1)},
                 {11, double_bits(-INFINITY)},
                 {11, double_bits(-1e-300)},
                 {11, double_bits(NAN)},
                 {12, -1},
                 {12, FAILED_MAX_TESTS + 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t bad[13];
        memcpy(bad, good, sizeof bad);
        bad[cases[i].pos] = cases[i].v;
        ck_assert_msg(result_of_fields(bad, 13) == NULL, "field %d = %lld taken", cases[i].pos,
                      (long long)cases[i].v);
    }
}
END_TEST

/* Attempt numbers only grow: a second attempt numbered like the first, or
 * below it, is a broken message. */
START_TEST(result_numbers_grow)
{
    int64_t f[21] = {1, STATUS_FAILED,  0, 0, 2, 2, 0, OUTCOME_FAILED, 1, 0, 0, 0, 0, 5,
                     0, OUTCOME_FAILED, 1, 0, 0, 0, 0};
    struct shard_result *r = result_of_fields(f, 21);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->attempts[1].number, 5);
    result_free(r);
    f[13] = 2;
    ck_assert_ptr_null(result_of_fields(f, 21));
    f[13] = 1;
    ck_assert_ptr_null(result_of_fields(f, 21));
}
END_TEST

/* ---------------------------------------------------------------- log, collect */

START_TEST(log_round_trip)
{
    static char chunk[LOG_CHUNK_MAX];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)(i * 7);
    const struct {
        long index;
        int attempt, kind;
        const void *data;
        size_t n;
    } cases[] = {{0, 1, LOG_HEAD, "a\0b", 3},
                 {INT32_MAX, ATTEMPT_NUMBER_MAX, LOG_TAIL, chunk, LOG_CHUNK_MAX},
                 {3, 2, LOG_LIVE, "", 0},
                 {3, 2, LOG_END, NULL, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        unsigned char *d = proto_log_encode(cases[i].index, cases[i].attempt, cases[i].kind,
                                            cases[i].data, cases[i].n, &len);
        ck_assert_ptr_nonnull(d);
        long index;
        int attempt, kind;
        const void *data;
        size_t n;
        ck_assert_int_eq(proto_log_decode(d, len, &index, &attempt, &kind, &data, &n), 0);
        ck_assert_int_eq(index, cases[i].index);
        ck_assert_int_eq(attempt, cases[i].attempt);
        ck_assert_int_eq(kind, cases[i].kind);
        ck_assert_uint_eq(n, cases[i].n);
        ck_assert(n == 0 || !memcmp(data, cases[i].data, n));
        ck_assert(n == 0 ||
                  ((const unsigned char *)data >= d && (const unsigned char *)data + n <= d + len));
        free(d);
    }
}
END_TEST

static int take_log_fields(int64_t index, int64_t attempt, int64_t kind, size_t n)
{
    static char zeros[LOG_CHUNK_MAX + 1];
    size_t len;
    unsigned char *d = proto_log_encode(index, (int)attempt, (int)kind, zeros, n, &len);
    if (index != (long)index || attempt != (int)attempt || kind != (int)kind) {
        /* out of the encoder's types: make the message by hand */
        free(d);
        struct buf b = BUF_INIT;
        pack_i64(&b, index);
        pack_i64(&b, attempt);
        pack_i64(&b, kind);
        pack_bytes(&b, zeros, n);
        d = take(&b, &len);
    }
    ck_assert_ptr_nonnull(d);
    int rc = take_log(d, len);
    free(d);
    return rc;
}

START_TEST(log_out_of_range)
{
    ck_assert_int_eq(take_log_fields(0, 1, LOG_HEAD, 10), 0);
    ck_assert_int_eq(take_log_fields(-1, 1, LOG_HEAD, 10), -1);
    ck_assert_int_eq(take_log_fields((int64_t)INT32_MAX + 1, 1, LOG_HEAD, 10), -1);
    ck_assert_int_eq(take_log_fields(0, 0, LOG_HEAD, 10), -1);
    ck_assert_int_eq(take_log_fields(0, (int64_t)ATTEMPT_NUMBER_MAX + 1, LOG_HEAD, 10), -1);
    ck_assert_int_eq(take_log_fields(0, 1, LOG_HEAD - 1, 10), -1);
    ck_assert_int_eq(take_log_fields(0, 1, LOG_END + 1, 10), -1);
    ck_assert_int_eq(take_log_fields(0, 1, LOG_END, 1), -1); /* the end carries nothing */
    ck_assert_int_eq(take_log_fields(0, 1, LOG_TAIL, LOG_CHUNK_MAX + 1), -1);
}
END_TEST

START_TEST(collect_round_trip_and_range)
{
    size_t len;
    unsigned char *d = proto_collect_encode(INT32_MAX, 3, true, "a.xml", NULL, "x\0y", 3, &len);
    long index;
    int attempt;
    bool earlier;
    char *name, *error;
    const void *data;
    size_t n;
    ck_assert_int_eq(
        proto_collect_decode(d, len, &index, &attempt, &earlier, &name, &error, &data, &n), 0);
    ck_assert_int_eq(index, INT32_MAX);
    ck_assert_int_eq(attempt, 3);
    ck_assert(earlier);
    ck_assert_str_eq(name, "a.xml");
    ck_assert_ptr_null(error);
    ck_assert_uint_eq(n, 3);
    ck_assert(!memcmp(data, "x\0y", 3));
    free(name);
    free(d);

    d = proto_collect_encode(0, ATTEMPT_NUMBER_MAX, false, "", "no file matches", NULL, 0, &len);
    ck_assert_int_eq(
        proto_collect_decode(d, len, &index, &attempt, &earlier, &name, &error, &data, &n), 0);
    ck_assert_int_eq(attempt, ATTEMPT_NUMBER_MAX);
    ck_assert(!earlier);
    ck_assert_str_eq(name, "");
    ck_assert_str_eq(error, "no file matches");
    ck_assert_uint_eq(n, 0);
    free(name);
    free(error);
    free(d);

    /* a name is needed; an index in range */
    d = proto_collect_encode(0, 1, false, NULL, "why", NULL, 0, &len);
    ck_assert_int_eq(take_collect(d, len), -1);
    free(d);
    d = proto_collect_encode(-1, 1, false, "n", NULL, NULL, 0, &len);
    ck_assert_int_eq(take_collect(d, len), -1);
    free(d);
    d = proto_collect_encode((long)INT32_MAX + 1, 1, false, "n", NULL, NULL, 0, &len);
    ck_assert_int_eq(take_collect(d, len), -1);
    free(d);
    /* an attempt's number in range */
    d = proto_collect_encode(0, 0, false, "n", NULL, NULL, 0, &len);
    ck_assert_int_eq(take_collect(d, len), -1);
    free(d);
    d = proto_collect_encode(0, ATTEMPT_NUMBER_MAX + 1, false, "n", NULL, NULL, 0, &len);
    ck_assert_int_eq(take_collect(d, len), -1);
    free(d);
}
END_TEST

/* ---------------------------------------------------------------- probe */

START_TEST(probe_round_trips)
{
    struct probe cases[4] = {probe_good(), probe_failed(""), probe_failed("/proc/meminfo: gone"),
                             probe_good()};
    /* the edges: fractions at 0 and 1, cores at the top, sizes at 2^64-1 */
    struct health_sample *s = &cases[3].sample;
    s->disk_free = 0;
    s->mem_used = 1;
    s->cores = 1L << 30;
    s->load1 = s->load_per_core = s->other_load = s->other_per_core = 0;
    s->disk_total_bytes = s->disk_avail_bytes = UINT64_MAX;
    s->mem_total_kb = s->mem_available_kb = UINT64_MAX;
    for (size_t i = 0; i < 4; i++) {
        size_t len;
        unsigned char *d = proto_probe_encode(&cases[i], &len);
        ck_assert_ptr_nonnull(d);
        struct probe back;
        memset(&back, 0x5a, sizeof back);
        ck_assert_int_eq(proto_probe_decode(d, len, &back), 0);
        ck_assert_int_eq(back.ok, cases[i].ok);
        if (back.ok) {
            ck_assert(!memcmp(&back.sample, &cases[i].sample, sizeof back.sample));
            ck_assert_str_eq(back.error, "");
        } else {
            ck_assert_str_eq(back.error, cases[i].error);
        }
        free(d);
    }

    /* an error as long as the buffer allows survives whole */
    struct probe pr = {.ok = 0};
    memset(pr.error, 'x', sizeof pr.error - 1);
    size_t len;
    unsigned char *d = proto_probe_encode(&pr, &len);
    struct probe back;
    ck_assert_int_eq(proto_probe_decode(d, len, &back), 0);
    ck_assert_str_eq(back.error, pr.error);
    free(d);
}
END_TEST

/* A probe's sample with field k replaced by v (doubles as bits). */
static int take_probe_field(int k, int64_t v)
{
    const struct probe g = probe_good();
    int64_t f[11] = {double_bits(g.sample.disk_free),      double_bits(g.sample.mem_used),
                     double_bits(g.sample.load1),          g.sample.cores,
                     double_bits(g.sample.load_per_core),  double_bits(g.sample.other_load),
                     double_bits(g.sample.other_per_core), (int64_t)g.sample.disk_total_bytes,
                     (int64_t)g.sample.disk_avail_bytes,   (int64_t)g.sample.mem_total_kb,
                     (int64_t)g.sample.mem_available_kb};
    if (k >= 0)
        f[k] = v;
    struct buf b = BUF_INIT;
    pack_i64(&b, 1);
    for (int i = 0; i < 11; i++)
        pack_i64(&b, f[i]);
    size_t len;
    unsigned char *d = take(&b, &len);
    int rc = take_probe(d, len);
    free(d);
    return rc;
}

START_TEST(probe_out_of_range)
{
    ck_assert_int_eq(take_probe_field(-1, 0), 0);
    const struct {
        int k;
        int64_t v;
    } bad[] = {{0, double_bits(-0.01)},
               {0, double_bits(1.01)},
               {0, double_bits(NAN)},
               {1, double_bits(2)},
               {1, double_bits(-1)},
               {2, double_bits(NAN)},
               {2, double_bits(-1)},
               {2, double_bits(INFINITY)},
               {3, 0},
               {3, -1},
               {3, (1LL << 30) + 1},
               {4, double_bits(NAN)},
               {5, double_bits(-2)},
               {6, double_bits(INFINITY)},
               /* more available than there is */
               {8, 270582939649LL},
               {10, 24731709}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(take_probe_field(bad[i].k, bad[i].v) < 0, "field %d = %lld taken", bad[i].k,
                      (long long)bad[i].v);

    /* ok is 0 or 1; a failed probe needs its error, which must fit */
    struct buf b = BUF_INIT;
    pack_i64(&b, 2);
    pack_str(&b, "x");
    size_t len;
    unsigned char *d = take(&b, &len);
    ck_assert_int_eq(take_probe(d, len), -1);
    free(d);
    pack_i64(&b, 0);
    pack_str(&b, NULL);
    d = take(&b, &len);
    ck_assert_int_eq(take_probe(d, len), -1);
    free(d);
    char longer[sizeof((struct probe *)0)->error + 1];
    memset(longer, 'y', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    pack_i64(&b, 0);
    pack_str(&b, longer);
    d = take(&b, &len);
    ck_assert_int_eq(take_probe(d, len), -1);
    free(d);
}
END_TEST

/* ---------------------------------------------------------------- pause, return */

START_TEST(pause_flags)
{
    for (int flag = PAUSE_KEEP; flag <= PAUSE_SHARE; flag++) {
        size_t len;
        unsigned char *d = proto_pause_encode(flag, &len);
        ck_assert_uint_eq(len, 1);
        ck_assert_int_eq(proto_pause_decode(d, len), flag);
        free(d);
    }
    unsigned char bytes[2] = {PAUSE_SHARE + 1, 0};
    ck_assert_int_eq(proto_pause_decode(bytes, 1), -1);
    bytes[0] = 255;
    ck_assert_int_eq(proto_pause_decode(bytes, 1), -1);
    bytes[0] = PAUSE_KEEP;
    ck_assert_int_eq(proto_pause_decode(bytes, 0), -1);
    ck_assert_int_eq(proto_pause_decode(bytes, 2), -1);
}
END_TEST

START_TEST(return_round_trip_and_range)
{
    struct assignment a[4] = {{.index = 0}, {.index = 99}, {.index = 5}, {.index = 5}};
    size_t len, n;
    long *indices;
    unsigned char *d = proto_return_encode(a, 4, &len);
    ck_assert_int_eq(proto_return_decode(d, len, 100, &indices, &n), 0);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(indices[i], a[i].index);
    free(indices);
    /* an index at the total is outside the run; so is a count above it */
    ck_assert_int_eq(proto_return_decode(d, len, 99, &indices, &n), -1);
    ck_assert_ptr_null(indices);
    ck_assert_int_eq(proto_return_decode(d, len, 3, &indices, &n), -1);
    free(d);

    /* nothing given back */
    d = proto_return_encode(NULL, 0, &len);
    ck_assert_int_eq(proto_return_decode(d, len, 0, &indices, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(indices);
    free(d);

    /* a count larger than the indices behind it, a negative one */
    const int64_t counts[] = {2, -1, INT64_MAX, (int64_t)1 << 61};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        struct buf b = BUF_INIT;
        pack_i64(&b, counts[i]);
        pack_i64(&b, 1);
        d = take(&b, &len);
        ck_assert_msg(proto_return_decode(d, len, INT32_MAX, &indices, &n) < 0, "count %lld taken",
                      (long long)counts[i]);
        free(d);
    }
    struct buf b = BUF_INIT;
    pack_i64(&b, 1);
    pack_i64(&b, -1);
    d = take(&b, &len);
    ck_assert_int_eq(proto_return_decode(d, len, 100, &indices, &n), -1);
    free(d);
}
END_TEST

/* ---------------------------------------------------------------- cancel */

START_TEST(cancel_round_trip_and_range)
{
    size_t len;
    long index;
    int first;
    unsigned char *d = proto_cancel_encode(41, 7, &len);
    ck_assert_int_eq(proto_cancel_decode(d, len, 42, &index, &first), 0);
    ck_assert_int_eq(index, 41);
    ck_assert_int_eq(first, 7);
    /* the index must be a shard of the run */
    ck_assert_int_eq(proto_cancel_decode(d, len, 41, &index, &first), -1);
    ck_assert_int_eq(proto_cancel_decode(d, len, 0, &index, &first), -1);
    free(d);
    d = proto_cancel_encode(0, ATTEMPT_FIRST_MAX, &len);
    ck_assert_int_eq(proto_cancel_decode(d, len, 1, &index, &first), 0);
    ck_assert_int_eq(index, 0);
    ck_assert_int_eq(first, ATTEMPT_FIRST_MAX);
    free(d);

    /* out of range: a negative index, attempt 0, one past the first
     * attempts a hand-out may have */
    const int64_t bad[][2] = {
        {-1, 1}, {0, 0}, {0, -1}, {0, (int64_t)ATTEMPT_FIRST_MAX + 1}, {INT64_MAX, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf b = BUF_INIT;
        pack_i64(&b, bad[i][0]);
        pack_i64(&b, bad[i][1]);
        d = take(&b, &len);
        ck_assert_msg(proto_cancel_decode(d, len, INT32_MAX, &index, &first) < 0,
                      "cancel (%lld, %lld) taken", (long long)bad[i][0], (long long)bad[i][1]);
        free(d);
    }
}
END_TEST

/* ---------------------------------------------------------------- records */

static struct host_record record_of(int64_t protocol, const char *host)
{
    struct host_record hr = {.protocol = protocol,
                             .slot = 1,
                             .leader = 2,
                             .cores = 16,
                             .pus = 32,
                             .probe = probe_good()};
    snprintf(hr.version, sizeof hr.version, "%s", PACKAGE_VERSION);
    snprintf(hr.host, sizeof hr.host, "%s", host);
    return hr;
}

START_TEST(host_record_round_trip)
{
    struct host_record hr = record_of(PROTO_VERSION, "node-a.example");
    unsigned char rec[PROTO_RECORD_SIZE];
    struct error e;
    ck_assert_int_eq(proto_host_record_encode(&hr, rec, &e), 0);
    struct host_record back;
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 3, 4, PROTO_VERSION, &back, &e), 0);
    ck_assert(back.protocol == PROTO_VERSION);
    ck_assert_str_eq(back.version, PACKAGE_VERSION);
    ck_assert_str_eq(back.host, "node-a.example");
    ck_assert_int_eq(back.slot, 1);
    ck_assert_int_eq(back.leader, 2);
    ck_assert_int_eq(back.cores, 16);
    ck_assert_int_eq(back.pus, 32);
    ck_assert(!memcmp(&back.probe.sample, &hr.probe.sample, sizeof hr.probe.sample));

    /* the longest host name and a failed probe with the longest error fit */
    memset(hr.host, 'h', sizeof hr.host - 1);
    hr.probe = probe_failed("");
    memset(hr.probe.error, 'e', sizeof hr.probe.error - 1);
    ck_assert_int_eq(proto_host_record_encode(&hr, rec, &e), 0);
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 3, 4, PROTO_VERSION, &back, &e), 0);
    ck_assert_str_eq(back.host, hr.host);
    ck_assert_str_eq(back.probe.error, hr.probe.error);
}
END_TEST

START_TEST(host_record_refused)
{
    struct host_record hr = record_of(PROTO_VERSION, "b");
    unsigned char rec[PROTO_RECORD_SIZE];
    struct error e;
    ck_assert_int_eq(proto_host_record_encode(&hr, rec, &e), 0);
    struct host_record back;
    /* a slot beyond the ranks; a leader above the sender (it is the lowest
     * rank of its host) */
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 3, 1, PROTO_VERSION, &back, &e), -1);
    ck_assert_str_eq(e.text, "rank 3 on b sent a malformed host record");
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 1, 4, PROTO_VERSION, &back, &e), -1);
    /* not the whole record, or more */
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec - 1, 3, 4, PROTO_VERSION, &back, &e),
                     -1);
    /* anything but zeros after the fields */
    rec[sizeof rec - 1] = 1;
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 3, 4, PROTO_VERSION, &back, &e), -1);
    /* cut inside the head */
    ck_assert_int_eq(proto_host_record_decode(rec, 4, 3, 4, PROTO_VERSION, &back, &e), -1);
    ck_assert_str_eq(e.text, "rank 3 sent a malformed host record");
}
END_TEST

/* The version check: a rank of another build is named, with its host and
 * both versions, whatever follows the head of its record. */
START_TEST(host_record_version_check)
{
    struct host_record hr = record_of(PROTO_VERSION + 1, "node-b");
    snprintf(hr.version, sizeof hr.version, "9.9");
    unsigned char rec[PROTO_RECORD_SIZE];
    struct error e;
    ck_assert_int_eq(proto_host_record_encode(&hr, rec, &e), 0);
    struct host_record back;
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 5, 8, PROTO_VERSION, &back, &e), -1);
    char want[512];
    snprintf(want, sizeof want,
             "rank 5 on node-b runs distmpi 9.9, protocol version %d; rank 0 runs distmpi %s, "
             "protocol version %d: every rank must run the same build of distmpi",
             PROTO_VERSION + 1, PACKAGE_VERSION, PROTO_VERSION);
    ck_assert_str_eq(e.text, want);
    /* the same record is fine for a rank 0 of that version */
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 5, 8, PROTO_VERSION + 1, &back, &e),
                     0);

    /* another version's body may be anything: only the head is read */
    memset(rec + 64, 0xff, sizeof rec - 64);
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 5, 8, PROTO_VERSION, &back, &e), -1);
    ck_assert_str_eq(e.text, want);

    /* a build older than versions: its record began with the host name */
    struct buf b = BUF_INIT;
    pack_str(&b, "node-c");
    pack_i64(&b, 0);
    size_t len;
    unsigned char *old = take(&b, &len);
    memset(rec, 0, sizeof rec);
    memcpy(rec, old, len);
    free(old);
    ck_assert_int_eq(proto_host_record_decode(rec, sizeof rec, 2, 8, PROTO_VERSION, &back, &e), -1);
    unit_assert_prefix(e.text, "rank 2 runs a build of distmpi without protocol versions");
    unit_assert_contains(e.text, "every rank must run the same build of distmpi");
}
END_TEST

START_TEST(probe_record_round_trip)
{
    struct probe cases[2] = {probe_good(), probe_failed("")};
    for (int i = 0; i < 2; i++) {
        unsigned char rec[PROTO_RECORD_SIZE];
        struct error e;
        ck_assert_int_eq(proto_probe_record_encode(&cases[i], rec, &e), 0);
        struct probe back;
        ck_assert_int_eq(proto_probe_record_decode(rec, sizeof rec, &back), 0);
        ck_assert_int_eq(back.ok, cases[i].ok);
        ck_assert_int_eq(proto_probe_record_decode(rec, sizeof rec - 1, &back), -1);
        rec[sizeof rec - 1] = 7;
        ck_assert_int_eq(proto_probe_record_decode(rec, sizeof rec, &back), -1);
    }
}
END_TEST

static Suite *proto_suite(void)
{
    Suite *s = suite_create("proto");
    TCase *tc = tcase_create("all");
    tcase_add_test(tc, samples_decode);
    tcase_add_test(tc, every_truncation_refused);
    tcase_add_test(tc, trailing_bytes_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("messages");
    tcase_add_test(tc, spec_round_trip);
    tcase_add_test(tc, spec_out_of_range);
    tcase_add_test(tc, spec_null_word_refused);
    tcase_add_test(tc, assign_round_trip);
    tcase_add_test(tc, assign_out_of_range);
    tcase_add_test(tc, result_round_trips);
    tcase_add_test(tc, result_out_of_range);
    tcase_add_test(tc, result_bad_attempt);
    tcase_add_test(tc, result_numbers_grow);
    tcase_add_test(tc, log_round_trip);
    tcase_add_test(tc, log_out_of_range);
    tcase_add_test(tc, collect_round_trip_and_range);
    tcase_add_test(tc, probe_round_trips);
    tcase_add_test(tc, probe_out_of_range);
    tcase_add_test(tc, pause_flags);
    tcase_add_test(tc, return_round_trip_and_range);
    tcase_add_test(tc, cancel_round_trip_and_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("records");
    tcase_add_test(tc, host_record_round_trip);
    tcase_add_test(tc, host_record_refused);
    tcase_add_test(tc, host_record_version_check);
    tcase_add_test(tc, probe_record_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(proto_suite());
}
