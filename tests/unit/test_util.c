/* SPDX-License-Identifier: BSD-3-Clause */
/* test_util.c - unit tests of the small utilities: the error type
 * (error.h), the growable buffer (buf.h) and whole reads and writes
 * (fdio.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fdio.h"
#include "unit.h"

/* errprintf */

START_TEST(errprintf_sets_text_returns_minus_one_keeps_errno)
{
    struct error e;
    errno = ENOENT;
    int rc = errprintf(&e, "cannot open %s", "f.conf");
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_str_eq(e.text, "cannot open f.conf");
}
END_TEST

START_TEST(errprintf_accepts_null)
{
    errno = EPERM;
    ck_assert_int_eq(errprintf(NULL, "x %d", 1), -1);
    ck_assert_int_eq(errprefix(NULL, "y: "), -1);
    ck_assert_int_eq(errno, EPERM);
    error_clear(NULL);
}
END_TEST

START_TEST(errprintf_marks_a_cut)
{
    struct error e;
    char long_path[3 * ERROR_TEXT_MAX];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    errprintf(&e, "%s: no such file", long_path);
    size_t n = strlen(e.text);
    ck_assert_uint_eq(n, ERROR_TEXT_MAX - 1);
    ck_assert_str_eq(e.text + n - 3, "...");
    /* one that just fits is not marked */
    memset(long_path, 'b', ERROR_TEXT_MAX - 1);
    long_path[ERROR_TEXT_MAX - 1] = '\0';
    errprintf(&e, "%s", long_path);
    ck_assert_str_eq(e.text, long_path);
}
END_TEST

START_TEST(errprefix_adds_context_in_front)
{
    struct error e;
    errno = EACCES;
    errprintf(&e, "permission denied");
    ck_assert_int_eq(errprefix(&e, "%s:%d: ", "hosts", 3), -1);
    ck_assert_int_eq(errno, EACCES);
    ck_assert_str_eq(e.text, "hosts:3: permission denied");
    errprefix(&e, "distmpi: ");
    ck_assert_str_eq(e.text, "distmpi: hosts:3: permission denied");
    error_clear(&e);
    ck_assert_str_eq(e.text, "");
    errprefix(&e, "only: ");
    ck_assert_str_eq(e.text, "only: ");
}
END_TEST

START_TEST(errprefix_cuts_the_end_and_marks_it)
{
    struct error e;
    char body[ERROR_TEXT_MAX];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    errprintf(&e, "%s", body); /* exactly full */
    errprefix(&e, "context: ");
    size_t n = strlen(e.text);
    ck_assert_uint_eq(n, ERROR_TEXT_MAX - 1);
    unit_assert_prefix(e.text, "context: xxx");
    ck_assert_str_eq(e.text + n - 3, "...");
    /* a prefix longer than the whole struct */
    char huge[2 * ERROR_TEXT_MAX];
    memset(huge, 'p', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    errprintf(&e, "tail");
    errprefix(&e, "%s", huge);
    n = strlen(e.text);
    ck_assert_uint_eq(n, ERROR_TEXT_MAX - 1);
    ck_assert_str_eq(e.text + n - 3, "...");
    ck_assert_ptr_null(strstr(e.text, "tail"));
}
END_TEST

/* buf */

START_TEST(buf_grows_and_stays_terminated)
{
    struct buf b = BUF_INIT;
    ck_assert_str_eq(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(buf_printf(&b, "%d,", i), 0);
    ck_assert_uint_eq(b.len, strlen(buf_str(&b)));
    unit_assert_prefix(buf_str(&b), "0,1,2,");
    ck_assert_str_eq(buf_str(&b) + b.len - 4, "999,");
    ck_assert_int_eq(buf_add(&b, "a\0b", 3), 0);
    ck_assert_int_eq(buf_addc(&b, 'c'), 0);
    ck_assert_int_eq(buf_addstr(&b, "de"), 0);
    size_t len;
    char *s = buf_take(&b, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(memcmp(s + len - 6, "a\0bcde", 7), 0);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    free(s);
}
END_TEST

START_TEST(buf_printf_of_a_long_line)
{
    struct buf b = BUF_INIT;
    char big[10000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_addstr(&b, "<");
    ck_assert_int_eq(buf_printf(&b, "%s>", big), 0);
    ck_assert_uint_eq(b.len, sizeof big + 1);
    ck_assert_int_eq(buf_str(&b)[b.len - 1], '>');
    buf_reset(&b);
    ck_assert_str_eq(buf_str(&b), "");
    buf_free(&b);
}
END_TEST

START_TEST(buf_take_of_empty_is_empty_string)
{
    struct buf b;
    buf_init(&b);
    size_t len = 7;
    char *s = buf_take(&b, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);
}
END_TEST

START_TEST(buf_failure_sticks)
{
    struct buf b = BUF_INIT;
    buf_addstr(&b, "kept");
    /* more than any allocation can give */
    errno = 0;
    ck_assert_int_eq(buf_add(&b, "x", SIZE_MAX - 2), -1);
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert(b.failed);
    ck_assert_int_eq(buf_addstr(&b, "more"), -1);
    ck_assert_str_eq(buf_str(&b), "kept"); /* what was there stays readable */
    ck_assert_ptr_null(buf_take(&b, NULL));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_null(b.data);
    /* reset clears it */
    buf_addstr(&b, "x");
    buf_reset(&b);
    ck_assert(!b.failed);
    buf_free(&b);
}
END_TEST

/* fdio */

START_TEST(write_all_then_read_all)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    static char data[50000]; /* less than a pipe's buffer may hold: write first */
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7);
    /* a pipe holds 64 KiB by default */
    ck_assert_int_eq(write_all(p[1], data, sizeof data), 0);
    close(p[1]);
    char *got;
    size_t len;
    ck_assert_int_eq(read_all(p[0], 1 << 20, &got, &len), 0);
    close(p[0]);
    ck_assert_uint_eq(len, sizeof data);
    ck_assert_int_eq(memcmp(got, data, len), 0);
    ck_assert_int_eq(got[len], '\0');
    free(got);
}
END_TEST

START_TEST(read_all_limits)
{
    char path[4096];
    unit_write_temp("0123456789", 10, path);
    char *got = NULL;
    size_t len;
    int fd = open(path, O_RDONLY);
    ck_assert_int_eq(read_all(fd, 10, &got, &len), -1); /* 10 bytes or more: refused */
    ck_assert_int_eq(errno, EFBIG);
    ck_assert_ptr_null(got);
    close(fd);
    fd = open(path, O_RDONLY);
    ck_assert_int_eq(read_all(fd, 11, &got, &len), 0);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(got, "0123456789");
    free(got);
    close(fd);
    fd = open(path, O_RDONLY);
    ck_assert_int_eq(read_all(fd, 0, &got, &len), -1);
    ck_assert_int_eq(errno, EFBIG);
    close(fd);
    unlink(path);
    /* an empty file, and a bad descriptor */
    unit_write_temp("", 0, path);
    fd = open(path, O_RDONLY);
    ck_assert_int_eq(read_all(fd, 1, &got, &len), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(got, "");
    free(got);
    close(fd);
    unlink(path);
    ck_assert_int_eq(read_all(-1, 100, &got, &len), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(write_all(-1, "x", 1), -1);
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(read_all_of_proc)
{
    /* /proc files say they are empty; the content is read all the same */
    int fd = open("/proc/self/status", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    char *got;
    size_t len;
    ck_assert_int_eq(read_all(fd, 1 << 20, &got, &len), 0);
    unit_assert_contains(got, "Pid:");
    free(got);
    close(fd);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, errprintf_sets_text_returns_minus_one_keeps_errno);
    tcase_add_test(tc, errprintf_accepts_null);
    tcase_add_test(tc, errprintf_marks_a_cut);
    tcase_add_test(tc, errprefix_adds_context_in_front);
    tcase_add_test(tc, errprefix_cuts_the_end_and_marks_it);
    suite_add_tcase(s, tc);
    tc = tcase_create("buf");
    tcase_add_test(tc, buf_grows_and_stays_terminated);
    tcase_add_test(tc, buf_printf_of_a_long_line);
    tcase_add_test(tc, buf_take_of_empty_is_empty_string);
    tcase_add_test(tc, buf_failure_sticks);
    suite_add_tcase(s, tc);
    tc = tcase_create("fdio");
    tcase_add_test(tc, write_all_then_read_all);
    tcase_add_test(tc, read_all_limits);
    tcase_add_test(tc, read_all_of_proc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(util_suite());
}
