/* SPDX-License-Identifier: BSD-3-Clause */
/* unit.h - what every unit test shares: run one Check suite with TAP on
 * stdout (one "ok"/"not ok" line per test, for Automake's tap-driver), plus
 * a few small helpers. Header-only: each test program includes it once.
 */
#ifndef DISTMPI_UNIT_H
#define DISTMPI_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run s and free it. Returns the exit status for main: 0 when every test
 * passed, 1 otherwise. Check writes the TAP plan and lines itself. */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? 1 : 0;
}

/* Fail with the message unless expr holds. Unlike ck_assert_msg it costs
 * nothing when expr holds (Check records every passing ck_assert through a
 * pipe), so use it in the loops of the brute-force tests. */
#define unit_require(expr, ...)        \
    do {                               \
        if (!(expr))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* unit_require for integers: fail unless got == want, naming got's expression.
 * Each argument is evaluated once. */
#define unit_require_eq(got, want) \
    unit_require_eq_at((long long)(got), (long long)(want), #got, __FILE__, __LINE__)

static inline void unit_require_eq_at(long long got, long long want, const char *what,
                                      const char *file, int line)
{
    if (got != want)
        ck_abort_msg("%s:%d: %s is %lld, want %lld", file, line, what, got, want);
}

/* Fail unless the string hay contains needle (and show both when it does not). */
#define unit_assert_contains(hay, needle)                                                   \
    do {                                                                                    \
        const char *unit_h_ = (hay);                                                        \
        const char *unit_n_ = (needle);                                                     \
        ck_assert_msg(unit_h_ != NULL && strstr(unit_h_, unit_n_) != NULL,                  \
                      "'%s' does not contain '%s'", unit_h_ ? unit_h_ : "(null)", unit_n_); \
    } while (0)

/* Fail unless the string s starts with prefix. */
#define unit_assert_prefix(s, prefix)                                                          \
    do {                                                                                       \
        const char *unit_s_ = (s);                                                             \
        const char *unit_p_ = (prefix);                                                        \
        ck_assert_msg(unit_s_ != NULL && !strncmp(unit_s_, unit_p_, strlen(unit_p_)),          \
                      "'%s' does not start with '%s'", unit_s_ ? unit_s_ : "(null)", unit_p_); \
    } while (0)

/* The directory for scratch files: $TMPDIR, else /tmp. */
static inline const char *unit_tmpdir(void)
{
    const char *d = getenv("TMPDIR");
    return d && d[0] ? d : "/tmp";
}

/* Write len bytes of data to a new file in unit_tmpdir() and put its name in
 * path (at least 4096 bytes). The caller unlinks it. Fails the test on error. */
static inline void unit_write_temp(const char *data, size_t len, char *path)
{
    snprintf(path, 4096, "%s/distmpi-unit-XXXXXX", unit_tmpdir());
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp %s failed", path);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        ck_assert_msg(n > 0, "write %s failed", path);
        done += (size_t)n;
    }
    ck_assert_int_eq(close(fd), 0);
}

/* A small deterministic generator (xorshift64*), so a failing random case
 * can be reproduced; the state lives in the caller. */
static inline unsigned long long unit_rand(unsigned long long *state)
{
    unsigned long long x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* An integer in [lo, hi] (with a negligible modulo bias). */
static inline long unit_rand_range(unsigned long long *state, long lo, long hi)
{
    return lo + (long)(unit_rand(state) % (unsigned long long)(hi - lo + 1));
}

#endif
