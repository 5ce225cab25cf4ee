/* SPDX-License-Identifier: BSD-3-Clause */
/* test_utf8.c - unit tests of utf8.h: sequences by hand, every byte string
 * of up to three bytes and random four-byte ones against a decoder written
 * the other way (decode, then refuse what RFC 3629 does), and cuts. */
#include "config.h"

#include "common/utf8.h"

#include "unit.h"

#include <stdlib.h>

/* The reference: decode the value the lead byte announces, then check it. */
static size_t ref_len(const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = p[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned long v = len == 1 ? c : c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return len;
}

START_TEST(by_hand)
{
    static const struct {
        const char *s;
        size_t n, len;
    } cases[] = {
        {"a", 1, 1},
        {"\0", 1, 1},
        {"\xc3\xa9", 2, 2},         /* é */
        {"\xe2\x82\xac", 3, 3},     /* € */
        {"\xf0\x9f\x98\x80", 4, 4}, /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
        {"\xef\xbf\xbf", 3, 3},     /* U+FFFF: valid UTF-8 */
        {"\xc3", 1, 0},             /* cut short */
        {"\xe2\x82", 2, 0},         /* cut short */
        {"\x80", 1, 0},             /* a continuation byte */
        {"\xc0\xaf", 2, 0},         /* overlong '/' */
        {"\xc1\xbf", 2, 0},         /* overlong */
        {"\xe0\x80\xaf", 3, 0},     /* overlong */
        {"\xf0\x80\x80\xaf", 4, 0}, /* overlong */
        {"\xed\xa0\x80", 3, 0},     /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 3, 0},     /* U+DFFF */
        {"\xf4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 0}, /* past the last lead */
        {"\xff", 1, 0},
        {"\xc3\x28", 2, 0}, /* no continuation */
        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(utf8_char_len(cases[i].s, cases[i].n) == cases[i].len, "case %zu", i);
        ck_assert_msg(utf8_valid(cases[i].s, cases[i].n) == (cases[i].len == cases[i].n),
                      "case %zu", i);
    }
    ck_assert(utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9));
    ck_assert(!utf8_valid("caf\xc3\xa9 \xe2\x82", 8));
    ck_assert(utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(every_short_string)
{
    /* every string of one and two bytes, and every three-byte one whose
     * lead announces more than one byte (the others are decided sooner) */
    unsigned char b[3];
    for (unsigned long x = 0; x < 1ul << 24; x++) {
        b[0] = (unsigned char)(x >> 16);
        b[1] = (unsigned char)(x >> 8);
        b[2] = (unsigned char)x;
        if (b[0] < 0xC0 && b[2] != 0)
            continue;
        for (size_t n = 1; n <= 3; n++) {
            size_t got = utf8_char_len((const char *)b, n), want = ref_len(b, n);
            if (got != want)
                ck_abort_msg("%02x %02x %02x (%zu bytes): %zu, want %zu", b[0], b[1], b[2], n, got,
                             want);
        }
    }
}
END_TEST

START_TEST(random_four_bytes)
{
    srand(42);
    unsigned char b[4];
    for (int k = 0; k < 2000000; k++) {
        b[0] = (unsigned char)(0xF0 + rand() % 16); /* the four-byte leads and past them */
        for (int i = 1; i < 4; i++)
            b[i] = (unsigned char)(rand() % 3 ? 0x80 + rand() % 64 : rand() % 256);
        size_t got = utf8_char_len((const char *)b, 4), want = ref_len(b, 4);
        if (got != want)
            ck_abort_msg("%02x %02x %02x %02x: %zu, want %zu", b[0], b[1], b[2], b[3], got, want);
    }
}
END_TEST

START_TEST(fit_cuts_between_characters)
{
    const char *s =
        "ab\xe2\x82\xac"
        "c"; /* a b € c: 6 bytes */
    ck_assert_uint_eq(utf8_fit(s, 6, 10), 6);
    ck_assert_uint_eq(utf8_fit(s, 6, 6), 6);
    ck_assert_uint_eq(utf8_fit(s, 6, 5), 5); /* after the € */
    ck_assert_uint_eq(utf8_fit(s, 6, 4), 2); /* not inside it */
    ck_assert_uint_eq(utf8_fit(s, 6, 3), 2);
    ck_assert_uint_eq(utf8_fit(s, 6, 2), 2);
    ck_assert_uint_eq(utf8_fit(s, 6, 0), 0);
    /* whatever the cut, what is kept is valid when the whole was */
    const char *t = "\xc3\xa9\xf0\x9f\x98\x80x\xe2\x82\xac";
    size_t n = strlen(t);
    for (size_t max = 0; max <= n; max++) {
        size_t k = utf8_fit(t, n, max);
        ck_assert(k <= max);
        ck_assert_msg(utf8_valid(t, k), "max %zu kept %zu", max, k);
        ck_assert(max - k < 4);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_set_timeout(tc, 60); /* millions of short strings, maybe under ASan */
    tcase_add_test(tc, by_hand);
    tcase_add_test(tc, every_short_string);
    tcase_add_test(tc, random_four_bytes);
    tcase_add_test(tc, fit_cuts_between_characters);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
