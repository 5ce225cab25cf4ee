/* SPDX-License-Identifier: BSD-3-Clause */
/* test_logstore.c - unit tests of rank 0's log files (logstore.h): more
 * ranks write at once than logs may be open, every log still ends up
 * complete byte for byte, a closed log is reopened the way it was made
 * (never through a link, never another file), and a lost rank's log is
 * closed. */
#include "config.h"

#include "coord/logstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "exec/runner.h"
#include "unit.h"

static char dir[64];

static const char *scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/distmpi-logstore.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_scratch(void)
{
    if (dir[0])
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
}

/* The descriptors this process has open. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* d's own */
}

/* The contents of path (heap, NUL-terminated) and its length in *len;
 * NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t n = fread(buf + *len, 1, cap - *len - 1, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static void put(struct logstore *ls, int rank, long index, int attempt, int kind, const char *text)
{
    struct error e = {""};
    int rc = logstore_put(ls, rank, index, attempt, kind, text, strlen(text), &e);
    ck_assert_msg(rc == 0, "%s", e.text);
}

/* 40 ranks write their attempts' pieces in turn, each piece of a rank
 * after every other rank's, with at most 5 logs open: each file is
 * closed and reopened many times, and holds exactly its pieces, in order,
 * NUL bytes and all. */
START_TEST(more_logs_than_may_be_open)
{
    enum { RANKS = 40, PIECES = 30, MAX = 5 };
    struct logstore *ls = logstore_create(scratch(), RANKS, RANKS, MAX);
    ck_assert_ptr_nonnull(ls);
    int before = open_fds();
    char *want[RANKS];
    size_t wlen[RANKS];
    unsigned long long seed = 12;
    for (int r = 0; r < RANKS; r++) {
        want[r] = malloc(PIECES * 64);
        wlen[r] = 0;
    }
    for (int k = 0; k < PIECES; k++) {
        for (int r = 0; r < RANKS; r++) {
            /* an order that differs from piece to piece */
            int rank = (int)((r * 7 + k) % RANKS);
            char piece[64];
            int n = snprintf(piece, sizeof piece, "rank %d piece %d\n", rank, k);
            piece[n++] = (char)unit_rand_range(&seed, 0, 3); /* NUL bytes too */
            struct error e = {""};
            ck_assert_msg(logstore_put(ls, rank, rank, 1, LOG_HEAD, piece, (size_t)n, &e) == 0,
                          "%s", e.text);
            memcpy(want[rank] + wlen[rank], piece, (size_t)n);
            wlen[rank] += (size_t)n;
            unit_require(logstore_open_count(ls) <= MAX, "%d logs open", logstore_open_count(ls));
            unit_require(open_fds() - before <= MAX + 1, "%d descriptors more",
                         open_fds() - before); /* + the directory's */
        }
    }
    for (int r = 0; r < RANKS; r++)
        put(ls, r, r, 1, r % 2 ? LOG_TAIL : LOG_END, r % 2 ? "the end\n" : "");
    for (int r = 1; r < RANKS; r += 2) {
        memcpy(want[r] + wlen[r], "the end\n", 8);
        wlen[r] += 8;
        put(ls, r, r, 1, LOG_END, "");
    }
    ck_assert_int_eq(logstore_open_count(ls), 0);
    for (int r = 0; r < RANKS; r++) {
        char path[256];
        snprintf(path, sizeof path, "%s/shard-%02d/attempt-1.log", dir, r + 1);
        size_t len;
        char *got = slurp(path, &len);
        ck_assert_msg(got != NULL, "%s missing", path);
        ck_assert_msg(len == wlen[r] && !memcmp(got, want[r], len), "%s differs", path);
        free(got);
        free(want[r]);
    }
    logstore_destroy(ls);
    ck_assert_int_eq(open_fds(), before);
}
END_TEST

/* A log closed to make room and written again is appended to, not
 * recreated, whatever its attempt's next piece is. */
START_TEST(reopened_log_is_appended_to)
{
    struct logstore *ls = logstore_create(scratch(), 9, 3, 1);
    ck_assert_ptr_nonnull(ls);
    put(ls, 0, 0, 1, LOG_HEAD, "a1 ");
    put(ls, 1, 1, 2, LOG_HEAD, "b1 ");
    ck_assert_int_eq(logstore_open_count(ls), 1);
    put(ls, 0, 0, 1, LOG_HEAD, "a2 ");
    put(ls, 1, 1, 2, LOG_TAIL, "b2 ");
    put(ls, 0, 0, 1, LOG_TAIL, "a3");
    put(ls, 0, 0, 1, LOG_END, "");
    ck_assert_int_eq(logstore_open_count(ls), 0);
    put(ls, 1, 1, 2, LOG_END, ""); /* closed already: not reopened to be closed */
    ck_assert_int_eq(logstore_open_count(ls), 0);
    put(ls, 1, 1, 2, LOG_TAIL, "late"); /* after the end: dropped */
    char *a = logstore_tail(ls, 0, 1, 100), *b = logstore_tail(ls, 1, 2, 100);
    ck_assert_str_eq(a, "a1 a2 a3");
    ck_assert_str_eq(b, "b1 b2 ");
    free(a);
    free(b);
    logstore_destroy(ls);
}
END_TEST

/* While a log is closed to make room, a link or another file put in its
 * place is not written to, and neither is a link put in place of its
 * shard directory: the attempt's later pieces are dropped, with a clear
 * error once. */
START_TEST(reopen_refuses_a_link_or_another_file)
{
    struct logstore *ls = logstore_create(scratch(), 9, 3, 1);
    ck_assert_ptr_nonnull(ls);
    char path[256], target[256];
    struct error e = {""};
    snprintf(target, sizeof target, "%s/target", dir);
    int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "keep", 4), 4);
    close(fd);

    /* the file replaced by a link */
    put(ls, 0, 0, 1, LOG_HEAD, "one ");
    put(ls, 1, 1, 1, LOG_HEAD, "x"); /* closes rank 0's */
    snprintf(path, sizeof path, "%s/shard-1/attempt-1.log", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(symlink(target, path), 0);
    ck_assert_int_eq(logstore_put(ls, 0, 0, 1, LOG_HEAD, "two", 3, &e), -1);
    char want[600];
    snprintf(want, sizeof want,
             "cannot store the log %s: %s is a symbolic link; distmpi will not follow it", path,
             path);
    ck_assert_str_eq(e.text, want);
    error_clear(&e);
    ck_assert_int_eq(logstore_put(ls, 0, 0, 1, LOG_TAIL, "three", 5, &e), 0);
    ck_assert_str_eq(e.text, ""); /* said once */

    /* the file replaced by another one (here a hard link to target) */
    put(ls, 1, 1, 1, LOG_HEAD, "y");
    put(ls, 2, 2, 1, LOG_HEAD, "z"); /* closes rank 1's */
    snprintf(path, sizeof path, "%s/shard-2/attempt-1.log", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(link(target, path), 0);
    ck_assert_int_eq(logstore_put(ls, 1, 1, 1, LOG_HEAD, "w", 1, &e), -1);
    unit_assert_contains(e.text, "is not the file distmpi created; distmpi will not write to it");

    /* the shard directory replaced by a link */
    ck_assert_int_eq(logstore_open_count(ls), 0); /* rank 2's was closed for rank 1's */
    char sdir[256], moved[256];
    snprintf(sdir, sizeof sdir, "%s/shard-3", dir);
    snprintf(moved, sizeof moved, "%s/moved", dir);
    ck_assert_int_eq(rename(sdir, moved), 0);
    ck_assert_int_eq(symlink(moved, sdir), 0);
    ck_assert_int_eq(logstore_put(ls, 2, 2, 1, LOG_HEAD, "w", 1, &e), -1);
    snprintf(want, sizeof want, "%s is a symbolic link; distmpi will not follow it", sdir);
    unit_assert_contains(e.text, want);

    size_t len;
    char *t = slurp(target, &len);
    ck_assert_str_eq(t, "keep");
    free(t);
    snprintf(path, sizeof path, "%s/moved/attempt-1.log", dir);
    t = slurp(path, &len);
    ck_assert_str_eq(t, "z");
    free(t);
    logstore_destroy(ls);
}
END_TEST

/* A lost rank's log is closed at once, and a stray later piece of its
 * attempt neither reopens nor recreates it. */
START_TEST(lost_rank_closed)
{
    struct logstore *ls = logstore_create(scratch(), 9, 3, 8);
    ck_assert_ptr_nonnull(ls);
    put(ls, 0, 0, 1, LOG_HEAD, "zero");
    int before = open_fds();
    put(ls, 2, 2, 1, LOG_HEAD, "partial");
    ck_assert_int_eq(open_fds(), before + 1);
    ck_assert_int_eq(logstore_open_count(ls), 2);
    logstore_close_rank(ls, 2);
    ck_assert_int_eq(open_fds(), before);
    ck_assert_int_eq(logstore_open_count(ls), 1);
    put(ls, 2, 2, 1, LOG_HEAD, " stray");
    ck_assert_int_eq(open_fds(), before);
    char *t = logstore_tail(ls, 2, 1, 100);
    ck_assert_str_eq(t, "partial");
    free(t);
    logstore_close_rank(ls, 2); /* twice, and out of range: nothing */
    logstore_close_rank(ls, 7);
    logstore_close_rank(ls, -1);
    ck_assert_int_eq(logstore_open_count(ls), 1);
    logstore_destroy(ls);
}
END_TEST

/* Tails read into one buffer, one after the other (how the reports read
 * them): each is the end of its own log, cut at a line start, NUL bytes
 * made spaces, never more than the buffer holds; a shard without a log
 * gives NULL. */
START_TEST(tails_share_one_buffer)
{
    struct logstore *ls = logstore_create(scratch(), 9, 3, 4);
    ck_assert_ptr_nonnull(ls);
    put(ls, 0, 0, 1, LOG_HEAD, "first line\nsecond line\nthe end\n");
    put(ls, 0, 0, 1, LOG_END, "");
    char nul[] = "x\0y";
    struct error e = {""};
    ck_assert_int_eq(logstore_put(ls, 1, 1, 1, LOG_HEAD, nul, 3, &e), 0);
    put(ls, 1, 1, 1, LOG_END, "");
    char buf[16];
    /* the last 15 bytes are "d line\nthe end\n": the tail starts at its whole line */
    ck_assert_str_eq(logstore_tail_into(ls, 0, 1, buf, sizeof buf), "the end\n");
    ck_assert_str_eq(logstore_tail_into(ls, 1, 1, buf, sizeof buf), "x y");
    ck_assert_ptr_null(logstore_tail_into(ls, 2, 1, buf, sizeof buf));
    ck_assert_ptr_null(logstore_tail_into(ls, 0, 2, buf, sizeof buf));
    ck_assert_ptr_null(logstore_tail_into(ls, 0, 1, buf, 1)); /* no room */
    char big[100];
    ck_assert_str_eq(logstore_tail_into(ls, 0, 1, big, sizeof big),
                     "first line\nsecond line\nthe end\n");
    /* the heap form gives the same */
    char *t = logstore_tail(ls, 0, 1, 15);
    ck_assert_str_eq(t, "the end\n");
    free(t);
    logstore_destroy(ls);
}
END_TEST

/* A log is made with the attempt's first byte: an attempt that prints
 * nothing (only LOG_END, or empty pieces) leaves no file and no name, and
 * a file of its name from an earlier run is removed; a link there is
 * neither removed nor followed nor named. */
START_TEST(quiet_attempt_has_no_file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/shard-3", scratch());
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/shard-3/attempt-1.log", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("an earlier run\n", f);
    fclose(f);
    char link[256];
    snprintf(link, sizeof link, "%s/shard-3/attempt-2.log", dir);
    ck_assert_int_eq(symlink("attempt-1.log", link), 0);

    struct logstore *ls = logstore_create(dir, 9, 2, 4);
    ck_assert_ptr_nonnull(ls);
    int before = open_fds();
    put(ls, 0, 0, 1, LOG_HEAD, "");
    put(ls, 0, 0, 1, LOG_END, "");
    put(ls, 1, 2, 1, LOG_END, "");
    ck_assert_int_eq(logstore_open_count(ls), 0);
    ck_assert_int_eq(open_fds(), before);
    struct stat st;
    ck_assert_int_ne(lstat(path, &st), 0); /* the earlier run's file went */
    ck_assert_ptr_null(logstore_path(ls, 2, 1));
    ck_assert_ptr_null(logstore_path(ls, 0, 1));
    snprintf(path, sizeof path, "%s/shard-1", dir);
    ck_assert_int_ne(lstat(path, &st), 0); /* not even its shard-N */
    /* the second attempt prints nothing either: the link stays, unnamed */
    put(ls, 1, 2, 2, LOG_END, "");
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_ptr_null(logstore_path(ls, 2, 2));
    /* one that prints: its file, from the first byte on */
    put(ls, 0, 1, 1, LOG_HEAD, "");
    snprintf(path, sizeof path, "%s/shard-2/attempt-1.log", dir);
    ck_assert_int_ne(lstat(path, &st), 0);
    put(ls, 0, 1, 1, LOG_HEAD, "x");
    put(ls, 0, 1, 1, LOG_END, "");
    char *p = logstore_path(ls, 1, 1);
    ck_assert_str_eq(p, path);
    free(p);
    logstore_destroy(ls);
}
END_TEST

/* The default bound follows RLIMIT_NOFILE. */
START_TEST(default_bound)
{
    struct rlimit saved, rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rl = saved;
    rl.rlim_cur = 40;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    ck_assert_int_eq(logstore_default_open(), 10);
    rl.rlim_cur = 2;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    ck_assert_int_eq(logstore_default_open(), 1);
    rl.rlim_cur = saved.rlim_max < 4096 ? saved.rlim_max : 4096;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    ck_assert_int_eq(logstore_default_open(), rl.rlim_cur >= 256 ? 64 : (int)rl.rlim_cur / 4);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("logstore");
    TCase *tc = tcase_create("logstore");
    tcase_add_test(tc, more_logs_than_may_be_open);
    tcase_add_test(tc, reopened_log_is_appended_to);
    tcase_add_test(tc, reopen_refuses_a_link_or_another_file);
    tcase_add_test(tc, lost_rank_closed);
    tcase_add_test(tc, tails_share_one_buffer);
    tcase_add_test(tc, quiet_attempt_has_no_file);
    tcase_add_test(tc, default_bound);
    tcase_add_checked_fixture(tc, NULL, remove_scratch);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
