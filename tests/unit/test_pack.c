/* SPDX-License-Identifier: BSD-3-Clause */
/* test_pack.c - unit tests of the primitives of the message byte format
 * (pack.h). */
#include "config.h"

#include "mpi/pack.h"

#include <errno.h>
#include <float.h>
#include <math.h>

#include "unit.h"

/* Take the packer's bytes, failing the test if it failed. */
static unsigned char *take(struct buf *p, size_t *len)
{
    ck_assert_int_eq(p->failed, 0);
    unsigned char *d = pack_take(p, len);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* Bytes of a little-endian u64. */
static void le64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

START_TEST(i64_round_trip)
{
    const int64_t values[] = {0,
                              1,
                              -1,
                              127,
                              128,
                              -128,
                              255,
                              256,
                              INT32_MAX,
                              INT32_MIN,
                              INT64_MAX,
                              INT64_MIN,
                              INT64_MIN + 1,
                              (int64_t)0x0102030405060708LL,
                              -1234567890123LL};
    const size_t n = sizeof values / sizeof values[0];
    struct buf p = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        pack_i64(&p, values[i]);
    size_t len;
    unsigned char *d = take(&p, &len);
    ck_assert_uint_eq(len, 8 * n);
    struct unpacker u;
    unpacker_init(&u, d, len);
    for (size_t i = 0; i < n; i++) {
        int64_t v = unpack_i64(&u);
        ck_assert_msg(v == values[i], "value %zu: got %lld, want %lld", i, (long long)v,
                      (long long)values[i]);
    }
    ck_assert_int_eq(u.failed, 0);
    ck_assert_uint_eq(u.pos, len);
    free(d);
}
END_TEST

START_TEST(i64_is_little_endian)
{
    struct buf p = BUF_INIT;
    pack_i64(&p, 0x0102030405060708LL);
    pack_i64(&p, -2);
    size_t len;
    unsigned char *d = take(&p, &len);
    const unsigned char want[16] = {8,    7,    6,    5,    4,    3,    2,    1,
                                    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ck_assert_uint_eq(len, 16);
    ck_assert_mem_eq(d, want, 16);
    free(d);

    /* and hand-made bytes decode the same way */
    unsigned char b[8];
    le64(b, 0x8000000000000000ULL);
    struct unpacker u;
    unpacker_init(&u, b, 8);
    ck_assert(unpack_i64(&u) == INT64_MIN);
    ck_assert_int_eq(u.failed, 0);
}
END_TEST

START_TEST(f64_round_trip)
{
    const double values[] = {0.0,     -0.0,     1.5,    -1e300,     DBL_MAX,  -DBL_MAX,
                             DBL_MIN, 4.9e-324, 0.1,    1.0 / 3.0,  INFINITY, -INFINITY,
                             NAN,     M_PI,     1e-310, 123456789.0};
    const size_t n = sizeof values / sizeof values[0];
    struct buf p = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        pack_f64(&p, values[i]);
    size_t len;
    unsigned char *d = take(&p, &len);
    ck_assert_uint_eq(len, 8 * n);
    struct unpacker u;
    unpacker_init(&u, d, len);
    for (size_t i = 0; i < n; i++) {
        double v = unpack_f64(&u);
        /* bit for bit: keeps -0.0, NaN, denormals */
        ck_assert_msg(!memcmp(&v, &values[i], sizeof v), "value %zu: got %a, want %a", i, v,
                      values[i]);
    }
    ck_assert_int_eq(u.failed, 0);
    free(d);

    /* the wire form is the IEEE bits, little-endian: 1.0 is 0x3ff0000000000000 */
    buf_init(&p);
    pack_f64(&p, 1.0);
    d = take(&p, &len);
    const unsigned char one[8] = {0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
    ck_assert_mem_eq(d, one, 8);
    free(d);
}
END_TEST

START_TEST(str_round_trip)
{
    char big[100001];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *values[] = {"hello",   "",  NULL, "\xc3\xa9t\xc3\xa9 \xff\x80\x7f\x01",
                            "a\nb\tc", big, NULL, "last"};
    const size_t n = sizeof values / sizeof values[0];
    struct buf p = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        pack_str(&p, values[i]);
    size_t len;
    unsigned char *d = take(&p, &len);
    struct unpacker u;
    unpacker_init(&u, d, len);
    for (size_t i = 0; i < n; i++) {
        char *s = unpack_str(&u);
        ck_assert_int_eq(u.failed, 0);
        if (!values[i]) {
            ck_assert_ptr_null(s);
        } else {
            ck_assert_ptr_nonnull(s); /* "" is not NULL */
            ck_assert_str_eq(s, values[i]);
        }
        free(s);
    }
    ck_assert_uint_eq(u.pos, len);
    free(d);
}
END_TEST

START_TEST(mixed_sequence)
{
    struct buf p = BUF_INIT;
    pack_i64(&p, 42);
    pack_str(&p, "name");
    pack_f64(&p, 2.5);
    pack_str(&p, NULL);
    pack_i64(&p, -7);
    size_t len;
    unsigned char *d = take(&p, &len);
    ck_assert_uint_eq(len, 8 + 8 + 4 + 8 + 8 + 8);
    /* the packer is empty afterwards and can be used again */
    ck_assert_ptr_null(p.data);
    ck_assert_uint_eq(p.len, 0);
    pack_i64(&p, 1);
    ck_assert_uint_eq(p.len, 8);
    buf_free(&p);
    ck_assert_ptr_null(p.data);
    ck_assert_uint_eq(p.len, 0);

    struct unpacker u;
    unpacker_init(&u, d, len);
    ck_assert_int_eq(unpack_i64(&u), 42);
    char *s = unpack_str(&u);
    ck_assert_str_eq(s, "name");
    free(s);
    ck_assert_double_eq(unpack_f64(&u), 2.5);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(unpack_i64(&u), -7);
    ck_assert_int_eq(u.failed, 0);
    /* reading past the end fails */
    ck_assert_int_eq(unpack_i64(&u), 0);
    ck_assert_int_eq(u.failed, 1);
    free(d);
}
END_TEST

/* Cutting a valid message anywhere makes reading it all fail, and no read
 * goes past the bytes given. */
START_TEST(every_truncation_fails)
{
    struct buf p = BUF_INIT;
    pack_i64(&p, 5);
    pack_str(&p, "abcdefgh");
    pack_f64(&p, 1.25);
    pack_str(&p, "");
    pack_str(&p, NULL);
    size_t len;
    unsigned char *d = take(&p, &len);
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1); /* exact size, for valgrind/ASan */
        memcpy(copy, d, cut);
        struct unpacker u;
        unpacker_init(&u, copy, cut);
        (void)unpack_i64(&u);
        free(unpack_str(&u));
        (void)unpack_f64(&u);
        free(unpack_str(&u));
        char *last = unpack_str(&u);
        ck_assert_msg(u.failed, "a message cut to %zu of %zu bytes was read", cut, len);
        ck_assert_ptr_null(last);
        ck_assert_uint_le(u.pos, cut);
        free(copy);
    }
    free(d);
}
END_TEST

START_TEST(failure_is_sticky)
{
    unsigned char b[24];
    le64(b, 7);
    le64(b + 8, 8);
    le64(b + 16, 9);
    struct unpacker u;
    unpacker_init(&u, b, sizeof b);
    ck_assert_int_eq(unpack_range(&u, 0, 5), 0); /* 7 > 5: fails, returns min */
    ck_assert_int_eq(u.failed, 1);
    /* later reads of good bytes still report nothing */
    ck_assert_int_eq(unpack_i64(&u), 0);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(u.failed, 1);
}
END_TEST

START_TEST(str_length_past_end)
{
    unsigned char b[8 + 3];
    le64(b, 10);
    memcpy(b + 8, "abc", 3);
    struct unpacker u;
    unpacker_init(&u, b, sizeof b);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(u.failed, 1);

    /* huge lengths must fail without trying to allocate them */
    const uint64_t huge[] = {4, (uint64_t)1 << 40, UINT64_MAX - 1, (uint64_t)INT64_MAX,
                             (uint64_t)1 << 63};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        unsigned char h[8 + 3];
        le64(h, huge[i]);
        memcpy(h + 8, "abc", 3);
        unpacker_init(&u, h, sizeof h);
        ck_assert_ptr_null(unpack_str(&u));
        ck_assert_msg(u.failed, "length %llu accepted", (unsigned long long)huge[i]);
    }
    /* exactly to the end is fine */
    le64(b, 3);
    unpacker_init(&u, b, sizeof b);
    char *s = unpack_str(&u);
    ck_assert_str_eq(s, "abc");
    ck_assert_int_eq(u.failed, 0);
    free(s);
}
END_TEST

START_TEST(str_with_nul_fails)
{
    unsigned char b[8 + 3];
    le64(b, 3);
    memcpy(b + 8, "a\0b", 3);
    struct unpacker u;
    unpacker_init(&u, b, sizeof b);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(u.failed, 1);

    memcpy(b + 8, "ab\0", 3);
    unpacker_init(&u, b, sizeof b);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(u.failed, 1);
}
END_TEST

START_TEST(bytes_round_trip_with_nul)
{
    struct buf p = BUF_INIT;
    const char raw[] = {'a', 0, 'b', 0, 0, '\xff'};
    pack_bytes(&p, raw, sizeof raw);
    pack_bytes(&p, "", 0);
    pack_i64(&p, 7);
    size_t len;
    unsigned char *d = pack_take(&p, &len);
    ck_assert_ptr_nonnull(d);
    struct unpacker u;
    unpacker_init(&u, d, len);
    size_t n;
    const char *got = unpack_bytes(&u, &n);
    ck_assert_uint_eq(n, sizeof raw);
    ck_assert(memcmp(got, raw, n) == 0);
    ck_assert_ptr_nonnull(unpack_bytes(&u, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(unpack_i64(&u), 7);
    ck_assert(!u.failed);
    /* a length that runs past the end fails and gives nothing */
    for (size_t cut = 0; cut < 8 + sizeof raw; cut++) {
        unpacker_init(&u, d, cut);
        ck_assert_ptr_null(unpack_bytes(&u, &n));
        ck_assert_uint_eq(n, 0);
        ck_assert(u.failed);
    }
    free(d);
}
END_TEST

/* No bytes given as NULL (a log's end, a collected file that could not be
 * read): found by fuzz/fuzz_msg under UBSan, memcpy was handed NULL. */
START_TEST(bytes_null_empty)
{
    struct buf p = BUF_INIT;
    pack_bytes(&p, NULL, 0);
    pack_bytes(&p, NULL, 0);
    size_t len;
    unsigned char *d = pack_take(&p, &len);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(len, 16);
    struct unpacker u;
    unpacker_init(&u, d, len);
    size_t n = 1;
    ck_assert_ptr_nonnull(unpack_bytes(&u, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(unpack_bytes(&u, &n));
    ck_assert(!u.failed && u.pos == len);
    free(d);
}
END_TEST

START_TEST(range_bounds)
{
    unsigned char b[8 * 6];
    const int64_t v[] = {-1, 0, 10, 11, INT64_MIN, INT64_MAX};
    for (int i = 0; i < 6; i++)
        le64(b + 8 * i, (uint64_t)v[i]);
    struct unpacker u;

    /* inclusive at both ends */
    unpacker_init(&u, b + 8, 16);
    ck_assert_int_eq(unpack_range(&u, 0, 10), 0);
    ck_assert_int_eq(unpack_range(&u, 0, 10), 10);
    ck_assert_int_eq(u.failed, 0);

    unpacker_init(&u, b, 8); /* -1 below 0 */
    ck_assert_int_eq(unpack_range(&u, 0, 10), 0);
    ck_assert_int_eq(u.failed, 1);

    unpacker_init(&u, b + 24, 8); /* 11 above 10: returns min */
    ck_assert_int_eq(unpack_range(&u, 3, 10), 3);
    ck_assert_int_eq(u.failed, 1);

    unpacker_init(&u, b + 32, 16); /* the extremes with full-range bounds */
    ck_assert(unpack_range(&u, INT64_MIN, INT64_MAX) == INT64_MIN);
    ck_assert(unpack_range(&u, INT64_MIN, INT64_MAX) == INT64_MAX);
    ck_assert_int_eq(u.failed, 0);

    unpacker_init(&u, b, 8); /* -1 in [-1, -1] */
    ck_assert_int_eq(unpack_range(&u, -1, -1), -1);
    ck_assert_int_eq(u.failed, 0);

    unpacker_init(&u, b, 4); /* truncated: fails, returns min */
    ck_assert_int_eq(unpack_range(&u, -5, 5), -5);
    ck_assert_int_eq(u.failed, 1);
}
END_TEST

START_TEST(empty_input)
{
    struct unpacker u;
    unpacker_init(&u, NULL, 0);
    ck_assert_int_eq(unpack_i64(&u), 0);
    ck_assert_int_eq(u.failed, 1);
    unpacker_init(&u, "", 0);
    ck_assert_ptr_null(unpack_str(&u));
    ck_assert_int_eq(u.failed, 1);
    unpacker_init(&u, "", 0);
    (void)unpack_f64(&u);
    ck_assert_int_eq(u.failed, 1);
}
END_TEST

START_TEST(f64_range_bounds)
{
    const double v[] = {0.0, 1.0, -0.5, NAN, INFINITY, -INFINITY, DBL_MAX};
    struct buf p = BUF_INIT;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        pack_f64(&p, v[i]);
    size_t len;
    unsigned char *d = take(&p, &len);
    struct unpacker u;
    /* inclusive at both ends */
    unpacker_init(&u, d, 16);
    ck_assert_double_eq(unpack_f64_range(&u, 0, 1), 0.0);
    ck_assert_double_eq(unpack_f64_range(&u, 0, 1), 1.0);
    ck_assert_int_eq(u.failed, 0);
    /* below, NaN, infinities: refused, min returned */
    for (size_t i = 2; i <= 5; i++) {
        unpacker_init(&u, d + 8 * i, 8);
        ck_assert_double_eq(unpack_f64_range(&u, 0, DBL_MAX), 0.0);
        ck_assert_msg(u.failed, "value %zu taken", i);
    }
    /* an infinity only when a bound is one */
    unpacker_init(&u, d + 32, 8);
    ck_assert(isinf(unpack_f64_range(&u, 0, INFINITY)));
    ck_assert_int_eq(u.failed, 0);
    unpacker_init(&u, d + 48, 8);
    ck_assert_double_eq(unpack_f64_range(&u, 0, DBL_MAX), DBL_MAX);
    ck_assert_int_eq(u.failed, 0);
    free(d);
}
END_TEST

/* A count is checked against the bytes left before anyone allocates it. */
START_TEST(count_against_bytes_left)
{
    unsigned char b[8 + 3 * 8] = {0};
    struct unpacker u;
    const struct {
        uint64_t n;
        size_t max, item, len;
        int ok;
    } cases[] = {
        {3, 10, 8, sizeof b, 1},                /* exactly the items behind it */
        {3, 3, 8, sizeof b, 1},                 /* at the most allowed */
        {4, 10, 8, sizeof b, 0},                /* one more than the bytes hold */
        {3, 10, 8, sizeof b - 1, 0},            /* one byte short */
        {3, 2, 8, sizeof b, 0},                 /* above the most allowed */
        {0, 0, 8, 8, 1},                        /* none */
        {UINT64_MAX, SIZE_MAX, 1, sizeof b, 0}, /* negative */
        {(uint64_t)1 << 62, SIZE_MAX, 8, sizeof b, 0},
        {24, SIZE_MAX, 1, sizeof b, 1}, /* one-byte items */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        le64(b, cases[i].n);
        unpacker_init(&u, b, cases[i].len);
        size_t n = unpack_count(&u, cases[i].max, cases[i].item);
        ck_assert_msg(u.failed == !cases[i].ok, "case %zu: failed %d", i, u.failed);
        ck_assert_uint_eq(n, cases[i].ok ? cases[i].n : 0);
    }
}
END_TEST

START_TEST(end_of_message)
{
    unsigned char b[16] = {0};
    struct unpacker u;
    unpacker_init(&u, b, 8);
    (void)unpack_i64(&u);
    ck_assert_int_eq(unpack_end(&u), 0);
    unpacker_init(&u, b, 9); /* one byte left over */
    (void)unpack_i64(&u);
    ck_assert_int_eq(unpack_end(&u), -1);
    ck_assert_int_eq(u.failed, 1);
    unpacker_init(&u, b, 4); /* an earlier failure stands */
    (void)unpack_i64(&u);
    ck_assert_int_eq(unpack_end(&u), -1);

    /* padded: zeros may follow, nothing else */
    unpacker_init(&u, b, 16);
    (void)unpack_i64(&u);
    ck_assert_int_eq(unpack_end_padded(&u), 0);
    ck_assert_uint_eq(u.pos, 16);
    b[15] = 1;
    unpacker_init(&u, b, 16);
    (void)unpack_i64(&u);
    ck_assert_int_eq(unpack_end_padded(&u), -1);
}
END_TEST

/* What the receiver would refuse cannot be packed either. */
START_TEST(too_long_refused)
{
    struct buf p = BUF_INIT;
    pack_i64(&p, 1);
    pack_bytes(&p, "", (size_t)PACK_MAX_BYTES + 1); /* never read: refused first */
    size_t len;
    errno = 0;
    ck_assert_ptr_null(pack_take(&p, &len));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(failed_packer_gives_nothing)
{
    struct buf p = BUF_INIT;
    pack_i64(&p, 1);
    p.failed = 1; /* as after an allocation failure */
    pack_str(&p, "more");
    ck_assert_uint_eq(p.len, 8); /* later writes are ignored */
    size_t len = 99;
    ck_assert_ptr_null(pack_take(&p, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(p.failed, 0); /* empty again and usable */
    ck_assert_ptr_null(p.data);
    pack_i64(&p, 2);
    unsigned char *d = take(&p, &len);
    ck_assert_uint_eq(len, 8);
    free(d);
}
END_TEST

START_TEST(random_round_trips)
{
    unsigned long long st = 12345;
    for (int round = 0; round < 300; round++) {
        int kinds[40];
        int64_t ints[40];
        double dbls[40];
        char strs[40][64];
        int n = (int)unit_rand_range(&st, 0, 40);
        struct buf p = BUF_INIT;
        for (int i = 0; i < n; i++) {
            kinds[i] = (int)unit_rand_range(&st, 0, 3);
            switch (kinds[i]) {
            case 0:
                ints[i] = (int64_t)unit_rand(&st);
                pack_i64(&p, ints[i]);
                break;
            case 1: {
                uint64_t bits = unit_rand(&st);
                memcpy(&dbls[i], &bits, sizeof bits);
                pack_f64(&p, dbls[i]);
                break;
            }
            case 2: {
                int len = (int)unit_rand_range(&st, 0, 63);
                for (int k = 0; k < len; k++)
                    strs[i][k] = (char)unit_rand_range(&st, 1, 255);
                strs[i][len] = '\0';
                pack_str(&p, strs[i]);
                break;
            }
            default:
                pack_str(&p, NULL);
            }
        }
        size_t len;
        unsigned char *d = pack_take(&p, &len);
        ck_assert_int_eq(d != NULL || n == 0, 1);
        struct unpacker u;
        unpacker_init(&u, d, len);
        for (int i = 0; i < n; i++) {
            switch (kinds[i]) {
            case 0:
                ck_assert(unpack_i64(&u) == ints[i]);
                break;
            case 1: {
                double v = unpack_f64(&u);
                ck_assert(!memcmp(&v, &dbls[i], sizeof v));
                break;
            }
            case 2: {
                char *s = unpack_str(&u);
                ck_assert_ptr_nonnull(s);
                ck_assert_str_eq(s, strs[i]);
                free(s);
                break;
            }
            default:
                ck_assert_ptr_null(unpack_str(&u));
            }
        }
        ck_assert_int_eq(u.failed, 0);
        ck_assert_uint_eq(u.pos, len);
        free(d);
    }
}
END_TEST

static Suite *pack_suite(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("pack");
    tcase_add_test(tc, i64_round_trip);
    tcase_add_test(tc, i64_is_little_endian);
    tcase_add_test(tc, f64_round_trip);
    tcase_add_test(tc, str_round_trip);
    tcase_add_test(tc, mixed_sequence);
    tcase_add_test(tc, every_truncation_fails);
    tcase_add_test(tc, failure_is_sticky);
    tcase_add_test(tc, str_length_past_end);
    tcase_add_test(tc, str_with_nul_fails);
    tcase_add_test(tc, bytes_round_trip_with_nul);
    tcase_add_test(tc, bytes_null_empty);
    tcase_add_test(tc, range_bounds);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, failed_packer_gives_nothing);
    tcase_add_test(tc, f64_range_bounds);
    tcase_add_test(tc, count_against_bytes_left);
    tcase_add_test(tc, end_of_message);
    tcase_add_test(tc, too_long_refused);
    tcase_add_test(tc, random_round_trips);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(pack_suite());
}
