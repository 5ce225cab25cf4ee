/* SPDX-License-Identifier: BSD-3-Clause */
/* test_runner.c - unit tests of the shard runner (runner.h), driven
 * directly, without MPI: exit codes, signals, exec errors, retries with
 * backoff, timeouts that end the whole process group, output in head, live
 * and tail pieces ending in LOG_END, the DISTMPI_* environment and a fresh
 * output directory, what the child inherits (descriptors, signals, process
 * group, limit on open files, death with its parent), runner_cancel, and no
 * descriptor, child or zombie left behind. The shards are small sh scripts.
 * No assertion is about speed: a wait has a generous limit and only stops
 * a hang. */
#include "config.h"

#include "exec/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/buf.h"
#include "model/template.h"
#include "common/timeutil.h"
#include "unit.h"

static char dir[64];
static char cwd[PATH_MAX]; /* dir as getcwd gives it */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A scratch directory, made the working directory (each test runs in a
 * process of its own). */
static void scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/distmpi-runner.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
}

static void remove_scratch(void)
{
    if (dir[0] && chdir("/") == 0)
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

/* Whether this process has no child at all, not even a zombie. Nothing is
 * reaped here: that is the runner's job. */
static bool no_children(void)
{
    siginfo_t si;
    return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

/* Wait up to 10 s for the last child to be gone (one killed may take a
 * moment to die): fails at once on a zombie, which no one would reap. */
static void assert_children_gone(void)
{
    for (int i = 0; i < 1000; i++) {
        siginfo_t si;
        si.si_pid = 0;
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
            return;
        ck_assert_msg(si.si_pid == 0, "process %d left behind as a zombie", (int)si.si_pid);
        usleep(10000);
    }
    ck_abort_msg("a child is still running");
}

/* Whether process pid is gone or a zombie (dead, waiting for its parent),
 * waiting up to 10 s for it to get there. */
static bool dies(pid_t pid)
{
    for (int i = 0; i < 1000; i++) {
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return true;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            return true;
        buf[n] = '\0';
        const char *paren = strrchr(buf, ')');
        if (paren && (paren[2] == 'Z' || paren[2] == 'X'))
            return true;
        usleep(10000);
    }
    return false;
}

/* A pid the shard wrote into file (waiting up to 10 s for it). */
static pid_t pid_from(const char *file)
{
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(file, "r");
        long pid = 0;
        if (f) {
            int got = fscanf(f, "%ld", &pid);
            fclose(f);
            if (got == 1 && pid > 1)
                return (pid_t)pid;
        }
        usleep(10000);
    }
    ck_abort_msg("no pid in %s", file);
    return -1;
}

/* What the runner passed on, in order. */
struct capture {
    struct buf head, live, tail; /* every attempt's, one after the other */
    int ends;                    /* LOG_END pieces */
    int end_attempt[8];          /* the attempt of each */
    bool after_end;              /* a piece of an attempt after its LOG_END */
    bool bad_piece;              /* a kind unknown, or longer than LOG_CHUNK_MAX */
    long index;
};

static void on_output(void *arg, long index, int attempt, int kind, const char *data, size_t len)
{
    struct capture *c = arg;
    c->index = index;
    for (int i = 0; i < c->ends && i < 8; i++)
        if (c->end_attempt[i] == attempt)
            c->after_end = true;
    if (len > LOG_CHUNK_MAX)
        c->bad_piece = true;
    switch (kind) {
    case LOG_HEAD:
        buf_add(&c->head, data, len);
        break;
    case LOG_LIVE:
        buf_add(&c->live, data, len);
        break;
    case LOG_TAIL:
        buf_add(&c->tail, data, len);
        break;
    case LOG_END:
        if (c->ends < 8)
            c->end_attempt[c->ends] = attempt;
        c->ends++;
        break;
    default:
        c->bad_piece = true;
    }
}

static void capture_free(struct capture *c)
{
    buf_free(&c->head);
    buf_free(&c->live);
    buf_free(&c->tail);
}

/* A runner for shard 4 of 10 (index 3) on rank 3, slot 1 of "testhost",
 * its run directory "run" in the scratch directory. */
static struct runner_config config(struct capture *c)
{
    struct runner_config cfg = {
        .timeout = 0,
        .kill_grace = 0.2,
        .backoff = 0.01,
        .backoff_max = 0.02,
        .backoff_jitter = 0,
        .run_dir = "run",
        .host = "testhost",
        .rank = 3,
        .slot = 1,
        .total = 10,
        .max_log_bytes = 4096,
        .output = c ? on_output : NULL,
        .output_arg = c,
    };
    return cfg;
}

/* Step r until its shard is done, waiting as a rank would: on runner_fd()
 * until runner_deadline(). */
static struct shard_result *finish_shard(struct runner *r)
{
    double give_up = time_mono() + 60;
    while (time_mono() < give_up) {
        struct shard_result *res = runner_step(r);
        if (res)
            return res;
        double left = runner_deadline(r) - time_mono();
        int ms = left > 0.1 || isinf(left) ? 100 : left > 0 ? (int)(left * 1000) + 1 : 0;
        struct pollfd p = {runner_fd(r), POLLIN, 0};
        if (p.fd >= 0)
            poll(&p, 1, ms);
        else if (ms > 0)
            usleep((useconds_t)ms * 1000);
    }
    ck_abort_msg("the shard did not finish within a minute");
    return NULL;
}

/* Run words (shell: one task line) as shard index 3 to the end. */
static struct shard_result *run(struct runner *r, int retries, bool shell, int n, ...)
{
    char *words[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 8; i++)
        words[i] = va_arg(ap, char *);
    va_end(ap);
    ck_assert_int_eq(runner_start(r, 3, 1, retries, words, n, shell), 0);
    ck_assert(runner_busy(r));
    struct shard_result *res = finish_shard(r);
    ck_assert(!runner_busy(r));
    ck_assert_int_eq(res->index, 3);
    return res;
}

START_TEST(passing_and_failing)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    struct runner *r = runner_create(&cfg);
    ck_assert_ptr_nonnull(r);

    struct shard_result *res = run(r, 0, false, 1, "true");
    ck_assert_int_eq(res->status, STATUS_PASSED);
    ck_assert_int_eq(res->nattempts, 1);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_PASSED);
    ck_assert_int_eq(res->attempts[0].exit_code, 0);
    ck_assert_int_eq(res->attempts[0].number, 1);
    ck_assert_int_eq(res->attempts[0].rank, 3);
    ck_assert_int_eq(res->rank, 3);
    ck_assert_int_eq(res->slot, 1);
    ck_assert_ptr_null(res->error);
    ck_assert_int_eq(c.ends, 1);
    ck_assert_int_eq(c.end_attempt[0], 1);
    ck_assert_int_eq(c.index, 3);
    result_free(res);

    res = run(r, 0, false, 3, "sh", "-c", "echo failing; exit 3");
    ck_assert_int_eq(res->status, STATUS_FAILED);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_FAILED);
    ck_assert_int_eq(res->attempts[0].exit_code, 3);
    ck_assert_int_eq(res->attempts[0].signal, 0);
    ck_assert_str_eq(buf_str(&c.head), "failing\n");
    result_free(res);

    /* a signal it sent itself: crashed, not timed out */
    res = run(r, 0, false, 3, "sh", "-c", "kill -SEGV $$");
    ck_assert_int_eq(res->status, STATUS_CRASHED);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_CRASHED);
    ck_assert_int_eq(res->attempts[0].signal, SIGSEGV);
    ck_assert_int_eq(res->attempts[0].exit_code, -1);
    result_free(res);
    ck_assert_int_eq(c.ends, 3);
    ck_assert(!c.bad_piece);

    runner_destroy(r);
    capture_free(&c);
    remove_scratch();
}
END_TEST

START_TEST(exec_errors)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    struct runner *r = runner_create(&cfg);

    /* the errno of the exec, not an exit 127 */
    struct shard_result *res = run(r, 2, false, 1, "/no/such/command");
    ck_assert_int_eq(res->status, STATUS_EXEC_ERROR);
    ck_assert_int_eq(res->nattempts, 1); /* not retried: it would fail again */
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_EXEC_ERROR);
    ck_assert_str_eq(res->error, "cannot run /no/such/command: No such file or directory");
    ck_assert_str_eq(buf_str(&c.head),
                     "distmpi: cannot run /no/such/command: No such file or directory\n");
    ck_assert_int_eq(c.ends, 1);
    result_free(res);

    /* looked up in PATH like a shell would */
    res = run(r, 0, false, 1, "no-such-command-in-path");
    ck_assert_str_eq(res->error, "cannot run no-such-command-in-path: No such file or directory");
    result_free(res);

    /* there, but not executable */
    FILE *f = fopen("script", "w");
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    ck_assert_int_eq(chmod("script", 0644), 0);
    res = run(r, 0, false, 1, "./script");
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_EXEC_ERROR);
    ck_assert_str_eq(res->error, "cannot run ./script: Permission denied");
    result_free(res);

    /* task mode: the shell's "not found" is distmpi's to report */
    res = run(r, 0, true, 1, "no-such-command-xyz {shard}");
    ck_assert_int_eq(res->status, STATUS_EXEC_ERROR);
    ck_assert_str_eq(res->error, "/bin/sh could not find the command (exit 127)");
    result_free(res);

    ck_assert(no_children());
    runner_destroy(r);
    capture_free(&c);
    remove_scratch();
}
END_TEST

START_TEST(retries_with_backoff)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    struct runner *r = runner_create(&cfg);
    /* fails until its third attempt: flaky */
    const char *script = "echo try $DISTMPI_ATTEMPT; test $DISTMPI_ATTEMPT -ge 3";
    struct shard_result *res = run(r, 5, false, 3, "sh", "-c", script);
    ck_assert_int_eq(res->status, STATUS_FLAKY);
    ck_assert_int_eq(res->nattempts, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(res->attempts[i].number, i + 1);
        ck_assert_int_eq(res->attempts[i].outcome, i < 2 ? OUTCOME_FAILED : OUTCOME_PASSED);
        ck_assert_int_eq(c.end_attempt[i], i + 1);
    }
    ck_assert_str_eq(buf_str(&c.head), "try 1\ntry 2\ntry 3\n");
    ck_assert(!c.after_end);
    result_free(res);

    /* out of retries: failed, after 1 + 2 attempts, numbered from 5 */
    ck_assert_int_eq(runner_start(r, 3, 5, 2, (char *[]){"false"}, 1, false), 0);
    res = finish_shard(r);
    ck_assert_int_eq(res->status, STATUS_FAILED);
    ck_assert_int_eq(res->nattempts, 3);
    ck_assert_int_eq(res->attempts[0].number, 5);
    ck_assert_int_eq(res->attempts[2].number, 7);
    result_free(res);

    /* each attempt its own output directory */
    struct stat st;
    ck_assert_int_eq(stat("run/shard-04/attempt-5", &st), 0);
    ck_assert_int_eq(stat("run/shard-04/attempt-7", &st), 0);

    /* one shard at a time, attempts in range */
    ck_assert_int_eq(runner_start(r, 3, 1, 0, (char *[]){"true"}, 1, false), 0);
    errno = 0;
    ck_assert_int_eq(runner_start(r, 4, 1, 0, (char *[]){"true"}, 1, false), -1);
    ck_assert_int_eq(errno, EBUSY);
    result_free(finish_shard(r));
    errno = 0;
    ck_assert_int_eq(runner_start(r, 4, 0, 0, (char *[]){"true"}, 1, false), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(runner_start(r, 4, 1, RETRIES_MAX + 1, (char *[]){"true"}, 1, false), -1);
    ck_assert_int_eq(errno, EINVAL);

    runner_destroy(r);
    capture_free(&c);
    remove_scratch();
}
END_TEST

START_TEST(timeout_ends_the_group)
{
    scratch();
    struct runner_config cfg = config(NULL);
    cfg.timeout = 0.3;
    cfg.kill_grace = 0.2;
    struct runner *r = runner_create(&cfg);
    /* a child in the shard's group that would outlive it */
    struct shard_result *res =
        run(r, 0, false, 3, "sh", "-c", "sleep 100 & echo $! >bg; sleep 100");
    ck_assert_int_eq(res->status, STATUS_TIMEOUT);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_TIMEOUT);
    ck_assert_int_eq(res->attempts[0].signal, SIGTERM);
    ck_assert(dies(pid_from("bg")));
    result_free(res);

    /* one that ignores SIGTERM gets SIGKILL after the grace */
    res = run(r, 0, false, 3, "sh", "-c", "trap '' TERM; sleep 100 & echo $! >bg2; wait; wait");
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_TIMEOUT);
    ck_assert_int_eq(res->attempts[0].signal, SIGKILL);
    ck_assert(dies(pid_from("bg2")));
    result_free(res);

    runner_destroy(r);
    assert_children_gone();
    remove_scratch();
}
END_TEST

/* --speculate: a copy ended for another ends the way a timeout does (its
 * whole group, SIGKILL after the grace for one that ignores SIGTERM), is
 * recorded as superseded, and is not retried; one waiting to retry ends
 * at once. Only the run named by its index and first attempt is ended. */
START_TEST(supersede_ends_the_copy)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    cfg.kill_grace = 0.2;
    struct runner *r = runner_create(&cfg);
    char *words[] = {"sh", "-c", "echo started; sleep 100 & echo $! >bg; echo $$ >sh.pid; wait"};
    ck_assert_int_eq(runner_start(r, 3, 4, 2, words, 3, false), 0);
    ck_assert_int_eq(runner_supersede(r, 2, 4), -1); /* another shard */
    ck_assert_int_eq(runner_supersede(r, 3, 1), -1); /* another hand-out of it */
    while (access("bg", F_OK) < 0 || access("sh.pid", F_OK) < 0) {
        ck_assert_ptr_null(runner_step(r));
        usleep(10000);
    }
    pid_t bg = pid_from("bg"), sh = pid_from("sh.pid");
    ck_assert_int_eq(runner_supersede(r, 3, 4), 0);
    struct shard_result *res = finish_shard(r);
    ck_assert_int_eq(res->nattempts, 1); /* no retry, though 2 were left */
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_SUPERSEDED);
    ck_assert_int_eq(res->attempts[0].number, 4);
    ck_assert_int_eq(res->attempts[0].signal, SIGTERM);
    ck_assert_int_eq(res->status, STATUS_INTERRUPTED);
    ck_assert(dies(sh));
    ck_assert(dies(bg));
    ck_assert_str_eq(buf_str(&c.head), "started\n");
    ck_assert_int_eq(c.ends, 1);                     /* its log is whole */
    ck_assert_int_eq(runner_supersede(r, 3, 4), -1); /* over */
    result_free(res);

    /* one that ignores SIGTERM: SIGKILL after the grace */
    char *stubborn[] = {"sh", "-c", "trap '' TERM; echo $$ >sh2.pid; sleep 100 & wait; wait"};
    ck_assert_int_eq(runner_start(r, 3, 7, 0, stubborn, 3, false), 0);
    while (access("sh2.pid", F_OK) < 0) {
        ck_assert_ptr_null(runner_step(r));
        usleep(10000);
    }
    ck_assert_int_eq(runner_supersede(r, 3, 7), 0);
    res = finish_shard(r);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_SUPERSEDED);
    ck_assert_int_eq(res->attempts[0].signal, SIGKILL);
    ck_assert(dies(pid_from("sh2.pid")));
    result_free(res);

    /* waiting to retry: it ends with the attempt it made */
    cfg.backoff = cfg.backoff_max = 100;
    struct runner *slow = runner_create(&cfg);
    ck_assert_int_eq(runner_start(slow, 5, 1, 3, (char *[]){"false"}, 1, false), 0);
    ck_assert_ptr_null(runner_step(slow));       /* the first attempt starts */
    for (int i = 0; runner_fd(slow) >= 0; i++) { /* until it waits for the retry */
        ck_assert_msg(i < 1000, "the attempt did not end");
        ck_assert_ptr_null(runner_step(slow));
        usleep(10000);
    }
    ck_assert(runner_deadline(slow) > time_mono() + 50);
    ck_assert_int_eq(runner_supersede(slow, 5, 1), 0);
    res = runner_step(slow);
    ck_assert_ptr_nonnull(res);
    ck_assert_int_eq(res->nattempts, 1);
    ck_assert_int_eq(res->attempts[0].outcome, OUTCOME_FAILED);
    ck_assert(!runner_busy(slow));
    result_free(res);

    runner_destroy(slow);
    runner_destroy(r);
    assert_children_gone();
    capture_free(&c);
    remove_scratch();
}
END_TEST

/* 100 lines of 10 bytes: 1000 bytes, 0000000000 to 0000000099. */
#define HUNDRED_LINES "i=0; while [ $i -lt 100 ]; do printf '%09d\\n' $i; i=$((i + 1)); done"

START_TEST(output_head_and_tail)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    cfg.max_log_bytes = 100;
    struct runner *r = runner_create(&cfg);
    struct shard_result *res = run(r, 0, false, 3, "sh", "-c", HUNDRED_LINES);
    ck_assert_int_eq(res->status, STATUS_PASSED);
    /* the first 50 bytes, then the omission notice and the last 50 */
    ck_assert_str_eq(buf_str(&c.head), "000000000\n000000001\n000000002\n000000003\n000000004\n");
    ck_assert_str_eq(buf_str(&c.live), "");
    ck_assert_str_eq(buf_str(&c.tail),
                     "\n[distmpi: 900 bytes of output omitted here; --max-log-bytes keeps the "
                     "first and the last 50]\n"
                     "000000095\n000000096\n000000097\n000000098\n000000099\n");
    ck_assert_int_eq(c.ends, 1);
    result_free(res);
    runner_destroy(r);

    /* streaming: what is neither head nor tail goes on live as well */
    struct capture s = {0};
    cfg = config(&s);
    cfg.max_log_bytes = 100;
    cfg.stream = true;
    r = runner_create(&cfg);
    res = run(r, 0, false, 3, "sh", "-c", HUNDRED_LINES);
    ck_assert_uint_eq(s.head.len + s.live.len, 1000);
    ck_assert_str_eq(buf_str(&s.head), buf_str(&c.head));
    ck_assert(!strncmp(buf_str(&s.live), "000000005\n", 10));
    ck_assert(!strcmp(buf_str(&s.live) + s.live.len - 10, "000000099\n"));
    ck_assert_str_eq(buf_str(&s.tail), buf_str(&c.tail));
    ck_assert(!s.after_end && !s.bad_piece);
    result_free(res);
    runner_destroy(r);

    /* more than a pipe holds, and more than one piece: none too long */
    struct capture big = {0};
    cfg = config(&big);
    cfg.max_log_bytes = 600000;
    r = runner_create(&cfg);
    res = run(r, 0, false, 3, "sh", "-c", "head -c 1000000 /dev/zero");
    ck_assert_int_eq(res->status, STATUS_PASSED);
    ck_assert_uint_eq(big.head.len, 300000);
    ck_assert(!big.bad_piece);
    result_free(res);
    runner_destroy(r);

    capture_free(&c);
    capture_free(&s);
    capture_free(&big);
    remove_scratch();
}
END_TEST

START_TEST(environment_and_output_dir)
{
    scratch();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    /* an inherited value is replaced, not doubled */
    setenv("DISTMPI_HOST", "stale", 1);
    setenv("DISTMPI_UNRELATED", "x", 1); /* DISTMPI_* not of the table: dropped */
    /* something left in the directory by an earlier run */
    ck_assert_int_eq(mkdir("run", 0777), 0);
    ck_assert_int_eq(mkdir("run/shard-04", 0777), 0);
    ck_assert_int_eq(mkdir("run/shard-04/attempt-1", 0777), 0);
    fclose(fopen("run/shard-04/attempt-1/stale", "w"));
    struct runner *r = runner_create(&cfg);
    struct shard_result *res =
        run(r, 0, false, 3, "sh", "-c",
            "env | grep ^DISTMPI_ | LC_ALL=C sort; ls -A \"$DISTMPI_OUTPUT_DIR\"; "
            "touch \"$DISTMPI_OUTPUT_DIR/mine\"");
    ck_assert_int_eq(res->status, STATUS_PASSED);
    char *outdir = runner_output_dir(r, 3, 1);
    char want[2 * PATH_MAX];
    snprintf(want, sizeof want,
             "DISTMPI_ATTEMPT=1\nDISTMPI_HOST=testhost\nDISTMPI_OUTPUT_DIR=%s\nDISTMPI_RANK=3\n"
             "DISTMPI_SHARD=4\nDISTMPI_SHARD_INDEX=3\nDISTMPI_SLOT=1\nDISTMPI_TOTAL_SHARDS=10\n",
             outdir);
    ck_assert_str_eq(buf_str(&c.head), want);
    snprintf(want, sizeof want, "%s/run/shard-04/attempt-1", cwd);
    ck_assert_str_eq(outdir, want);
    struct stat st;
    ck_assert_int_eq(stat("run/shard-04/attempt-1/mine", &st), 0);
    ck_assert_int_ne(stat("run/shard-04/attempt-1/stale", &st), 0);
    free(outdir);
    result_free(res);

    /* the same values through the placeholders, in both modes */
    buf_reset(&c.head);
    res = run(r, 0, false, 4, "echo", "{shard}/{total}", "{host}", "{attempt}");
    ck_assert_str_eq(buf_str(&c.head), "4/10 testhost 1\n");
    result_free(res);
    buf_reset(&c.head);
    res = run(r, 0, true, 1, "echo {host} {index} \"$DISTMPI_RANK\" {slot}");
    ck_assert_str_eq(buf_str(&c.head), "testhost 3 3 1\n");
    result_free(res);

    runner_destroy(r);
    capture_free(&c);
    remove_scratch();
}
END_TEST

/* The shell lists its own descriptors (ls runs in a child of it, and not
 * as the last command, which the shell would exec), then says what its
 * stdin is, whether it leads its own process group and its limit on open
 * files; then it becomes grep, which reads the signal mask and ignored
 * signals it had: read from a child of the shell they could be those of a
 * shell in the middle of a fork, which blocks every signal for a moment. */
#define INHERITED                                                      \
    "ls /proc/$$/fd; readlink /proc/$$/fd/0; "                         \
    "test \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ && echo own-group; " \
    "ulimit -n; exec grep -E '^Sig(Blk|Ign)' /proc/self/status"

START_TEST(what_the_child_inherits)
{
    scratch();
    /* what a rank might have: descriptors without close-on-exec, a
     * blocked and an ignored signal */
    int leak = open("/dev/null", O_RDONLY);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_ge(leak, 3);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit lim;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
    ck_assert(lim.rlim_max >= 64);

    struct capture c = {0};
    struct runner_config cfg = config(&c);
    cfg.file_limit = 64;
    struct runner *r = runner_create(&cfg);
    struct shard_result *res = run(r, 0, false, 3, "sh", "-c", INHERITED);
    ck_assert_int_eq(res->status, STATUS_PASSED);
    ck_assert_str_eq(buf_str(&c.head),
                     "0\n1\n2\n/dev/null\nown-group\n64\n"
                     "SigBlk:\t0000000000000000\n"
                     "SigIgn:\t0000000000000000\n");
    result_free(res);
    runner_destroy(r);

    /* file_limit 0: the rank's own limit */
    buf_reset(&c.head);
    cfg.file_limit = 0;
    r = runner_create(&cfg);
    res = run(r, 0, false, 3, "sh", "-c", "ulimit -n");
    char want[32];
    snprintf(want, sizeof want, "%llu\n", (unsigned long long)lim.rlim_cur);
    ck_assert_str_eq(buf_str(&c.head), want);
    result_free(res);
    runner_destroy(r);

    /* the rank's mask and handlers are its own again */
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    ck_assert(sigismember(&now, SIGUSR1));
    close(leak);
    close(p[0]);
    close(p[1]);
    capture_free(&c);
    remove_scratch();
}
END_TEST

/* If the rank dies, its shard dies with it (PR_SET_PDEATHSIG). */
START_TEST(shard_dies_with_the_rank)
{
    scratch();
    pid_t rank = fork();
    ck_assert_int_ge(rank, 0);
    if (rank == 0) {
        struct runner_config cfg = config(NULL);
        struct runner *r = runner_create(&cfg);
        char *words[] = {"sh", "-c", "echo $$ >shard.pid; exec sleep 100"};
        if (!r || runner_start(r, 3, 1, 0, words, 3, false) < 0)
            _exit(1);
        (void)runner_step(r);
        while (access("shard.pid", F_OK) < 0)
            usleep(10000);
        _exit(0); /* no clean-up: as a rank killed */
    }
    int st;
    ck_assert_int_eq(waitpid(rank, &st, 0), rank);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert(dies(pid_from("shard.pid")));
    remove_scratch();
}
END_TEST

START_TEST(cancel_ends_everything_the_shard_started)
{
    scratch();
    struct runner_config cfg = config(NULL);
    struct runner *r = runner_create(&cfg);
    /* one in its group, one in a session of its own, which a kill of the
     * group misses */
    char *words[] = {"sh", "-c",
                     "sleep 100 & echo $! >bg; setsid sh -c 'echo $$ >sess; exec sleep 101' & "
                     "echo $$ >sh.pid; wait"};
    ck_assert_int_eq(runner_start(r, 3, 1, 0, words, 3, false), 0);
    while (access("sess", F_OK) < 0 || access("bg", F_OK) < 0 || access("sh.pid", F_OK) < 0) {
        ck_assert_ptr_null(runner_step(r));
        usleep(10000);
    }
    pid_t bg = pid_from("bg"), sess = pid_from("sess"), sh = pid_from("sh.pid");
    runner_cancel(r);
    ck_assert(!runner_busy(r));
    ck_assert_ptr_null(runner_step(r)); /* no result: forgotten */
    ck_assert(dies(sh));
    ck_assert(dies(bg));
    ck_assert(dies(sess));
    runner_destroy(r);
    /* whatever died became our child (the runner made us subreaper) and
     * was reaped */
    assert_children_gone();
    remove_scratch();
}
END_TEST

/* Everything the runner opens it closes, and it reaps every child. */
START_TEST(nothing_left_behind)
{
    scratch();
    int before = open_fds();
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    cfg.timeout = 0.3;
    cfg.kill_grace = 0.1;
    struct runner *r = runner_create(&cfg);
    result_free(run(r, 0, false, 1, "true"));
    result_free(run(r, 1, false, 1, "false"));
    result_free(run(r, 0, false, 1, "/no/such/command"));
    result_free(run(r, 0, false, 3, "sh", "-c", "sleep 100"));
    result_free(run(r, 0, true, 1, "sleep 100 & echo {shard}"));
    runner_destroy(r);
    ck_assert_int_eq(open_fds(), before);
    assert_children_gone();
    capture_free(&c);
    remove_scratch();
}
END_TEST

/* A run directory that cannot be made: an exec error that says why. */
START_TEST(output_dir_refused)
{
    scratch();
    ck_assert_int_eq(mkdir("run", 0777), 0);
    ck_assert_int_eq(symlink("/tmp", "run/shard-04"), 0);
    struct capture c = {0};
    struct runner_config cfg = config(&c);
    struct runner *r = runner_create(&cfg);
    struct shard_result *res = run(r, 0, false, 1, "true");
    ck_assert_int_eq(res->status, STATUS_EXEC_ERROR);
    char want[3 * PATH_MAX];
    snprintf(want, sizeof want,
             "cannot create the output directory %s/run/shard-04/attempt-1: %s/run/shard-04 is a "
             "symbolic link; distmpi will not follow it",
             cwd, cwd);
    ck_assert_str_eq(res->error, want);
    result_free(res);
    runner_destroy(r);
    capture_free(&c);
    remove_scratch();
}
END_TEST

static Suite *runner_suite(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, passing_and_failing);
    tcase_add_test(tc, exec_errors);
    tcase_add_test(tc, retries_with_backoff);
    tcase_add_test(tc, timeout_ends_the_group);
    tcase_add_test(tc, supersede_ends_the_copy);
    tcase_add_test(tc, output_head_and_tail);
    tcase_add_test(tc, environment_and_output_dir);
    tcase_add_test(tc, output_dir_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("process");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, what_the_child_inherits);
    tcase_add_test(tc, shard_dies_with_the_rank);
    tcase_add_test(tc, cancel_ends_everything_the_shard_started);
    tcase_add_test(tc, nothing_left_behind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(runner_suite());
}
