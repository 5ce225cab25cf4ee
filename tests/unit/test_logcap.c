/* SPDX-License-Identifier: BSD-3-Clause */
/* test_logcap.c - unit tests of the head-and-tail capture (logcap.h), against
 * the plain answer: the first half of the cap, the last half, and the count
 * of what lies between. */
#include "config.h"

#include "exec/logcap.h"

#include "unit.h"

/* What the capture must give for data[0..n) and cap max, checked with the
 * stream fed in pieces of random sizes. */
static void check_stream(const char *data, size_t n, size_t max, unsigned long long *rng)
{
    struct logcap lc;
    logcap_init(&lc, max);
    char *head = malloc(n + 1);
    size_t head_len = 0;
    for (size_t pos = 0; pos < n;) {
        size_t k = (size_t)unit_rand_range(rng, 1, (long)(max * 2 + 3));
        if (k > n - pos)
            k = n - pos;
        size_t h;
        unit_require(logcap_feed(&lc, data + pos, k, &h) == 0, "feed failed");
        unit_require(h <= k, "head %zu of a %zu-byte piece", h, k);
        /* the head is always a prefix of the piece */
        memcpy(head + head_len, data + pos, h);
        head_len += h;
        pos += k;
    }
    size_t want_head = n < max / 2 ? n : max / 2;
    unit_require_eq(head_len, want_head);
    unit_require(memcmp(head, data, head_len) == 0, "head differs");
    size_t rest = n - want_head;
    size_t tail_max = max - max / 2;
    size_t want_tail = rest < tail_max ? rest : tail_max;
    const char *a, *b;
    size_t alen, blen;
    logcap_tail(&lc, &a, &alen, &b, &blen);
    unit_require_eq(alen + blen, want_tail);
    unit_require(alen == 0 || memcmp(a, data + n - want_tail, alen) == 0, "tail part a differs");
    unit_require(blen == 0 || memcmp(b, data + n - want_tail + alen, blen) == 0,
                 "tail part b differs");
    unit_require_eq(logcap_dropped(&lc), n - want_head - want_tail);
    logcap_free(&lc);
    free(head);
}

START_TEST(small_output_is_kept_whole)
{
    struct logcap lc;
    logcap_init(&lc, 100);
    size_t h;
    ck_assert_int_eq(logcap_feed(&lc, "hello\n", 6, &h), 0);
    ck_assert_uint_eq(h, 6);
    ck_assert_uint_eq(logcap_dropped(&lc), 0);
    const char *a, *b;
    size_t alen, blen;
    logcap_tail(&lc, &a, &alen, &b, &blen);
    ck_assert_uint_eq(alen + blen, 0);
    logcap_free(&lc);
}
END_TEST

START_TEST(head_then_tail_then_dropped)
{
    struct logcap lc;
    logcap_init(&lc, 8); /* 4 head, 4 tail */
    size_t h;
    ck_assert_int_eq(logcap_feed(&lc, "0123456789ABCDEF", 16, &h), 0);
    ck_assert_uint_eq(h, 4);
    ck_assert_uint_eq(logcap_dropped(&lc), 8);
    const char *a, *b;
    size_t alen, blen;
    logcap_tail(&lc, &a, &alen, &b, &blen);
    char tail[9] = {0};
    memcpy(tail, a, alen);
    memcpy(tail + alen, b, blen);
    ck_assert_str_eq(tail, "CDEF");
    /* more output moves the tail on */
    ck_assert_int_eq(logcap_feed(&lc, "xy", 2, &h), 0);
    ck_assert_uint_eq(h, 0);
    logcap_tail(&lc, &a, &alen, &b, &blen);
    memset(tail, 0, sizeof tail);
    memcpy(tail, a, alen);
    memcpy(tail + alen, b, blen);
    ck_assert_str_eq(tail, "EFxy");
    ck_assert_uint_eq(logcap_dropped(&lc), 10);
    logcap_free(&lc);
}
END_TEST

START_TEST(odd_cap_and_tiny_cap)
{
    unsigned long long rng = 42;
    const char *text = "the quick brown fox jumps over the lazy dog";
    for (size_t max = 0; max < 12; max++)
        check_stream(text, strlen(text), max < 2 ? 2 : max, &rng);
}
END_TEST

START_TEST(random_against_oracle)
{
    unsigned long long rng = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)unit_rand_range(&rng, 0, 400);
        size_t max = (size_t)unit_rand_range(&rng, 2, 120);
        char *data = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            data[i] = (char)unit_rand(&rng); /* NUL bytes too */
        check_stream(data, n, max, &rng);
        free(data);
    }
}
END_TEST

START_TEST(large_stream_bounded)
{
    /* 64 MiB through a 1 KiB cap: the ring never grows past its half */
    struct logcap lc;
    logcap_init(&lc, 1024);
    char piece[65536];
    memset(piece, 'x', sizeof piece);
    for (int i = 0; i < 1024; i++) {
        size_t h;
        ck_assert_int_eq(logcap_feed(&lc, piece, sizeof piece, &h), 0);
    }
    ck_assert_uint_eq(lc.ring_len, 512);
    ck_assert_uint_eq(logcap_dropped(&lc), 64ull * 1024 * 1024 - 1024);
    logcap_free(&lc);
}
END_TEST

static Suite *logcap_suite(void)
{
    Suite *s = suite_create("logcap");
    TCase *tc = tcase_create("logcap");
    tcase_add_test(tc, small_output_is_kept_whole);
    tcase_add_test(tc, head_then_tail_then_dropped);
    tcase_add_test(tc, odd_cap_and_tiny_cap);
    tcase_add_test(tc, random_against_oracle);
    tcase_add_test(tc, large_stream_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(logcap_suite());
}
