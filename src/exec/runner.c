/* SPDX-License-Identifier: BSD-3-Clause */
/* runner.c - child processes for shards. */
#include "config.h"

#include "exec/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/backoff.h"
#include "exec/collect.h"
#include "exec/childenv.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "exec/logcap.h"
#include "exec/reaper.h"
#include "exec/spawner.h"
#include "model/retryfailed.h"
#include "model/template.h"
#include "common/timeutil.h"

extern char **environ;

enum runner_state { RUNNER_IDLE, RUNNER_RUNNING, RUNNER_BACKOFF };

struct runner {
    struct runner_config cfg; /* strings below are owned copies */
    char *run_dir;            /* absolute */
    int run_fd;               /* run_dir once an attempt made it (fsutil.h), or -1 */
    char *host;
    char *retry_command, *collect; /* cfg's, owned; NULL: none */
    struct spawner *spawner;
    int width;             /* digits of the shard number in paths */
    unsigned short rng[3]; /* erand48 state for the jitter */

    enum runner_state state;
    long index;
    int first;   /* the number of the shard's first attempt here */
    int retries; /* how many it may make after a failed attempt */
    char **words;
    int nwords;
    bool shell;
    bool via_shell; /* the running attempt's command is /bin/sh -c's: a task
                       line, or --retry-command's */

    /* the attempts so far */
    struct attempt *attempts;
    int nattempts, cap;
    char *error; /* why the last attempt could not start */

    /* the running attempt */
    pid_t pid;
    int pidfd;
    int outfd;          /* read end of the child's stdout and stderr, or -1 */
    int epfd;           /* epoll over pidfd and outfd: what runner_fd() gives */
    struct logcap logs; /* the attempt's output: head passed on, tail held */
    double mono_start;
    double deadline; /* timeout, INFINITY if none */
    double kill_at;  /* SIGKILL due, INFINITY if not yet */
    bool timed_out;
    bool kill_sent;
    bool superseded; /* runner_supersede(): this run ends, without a retry */
    int log_err;     /* errno when the output could not be kept, or 0 */

    double retry_at; /* RUNNER_BACKOFF: when the next attempt starts */
    bool hold;       /* runner_hold_output() */

    bool printed; /* the shard passed on a byte of output (any attempt) */
    long spare;   /* a shard this runner ran that may lend its directory to
                     the next one (lend_dir), or -1 */
};

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    char *out;
    if (asprintf(&out, "%s/%s", cwd, path) < 0)
        return NULL;
    return out;
}

struct runner *runner_create(const struct runner_config *cfg)
{
    struct runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->pidfd = r->outfd = r->run_fd = -1;
    r->spare = -1;
    int err = 0;
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epfd < 0)
        err = errno;
    r->cfg = *cfg;
    r->run_dir = absolute(cfg->run_dir);
    r->host = strdup(cfg->host ? cfg->host : "");
    r->retry_command = cfg->retry_command ? strdup(cfg->retry_command) : NULL;
    r->collect = cfg->collect ? strdup(cfg->collect) : NULL;
    if (!err && (!r->run_dir || !r->host || (cfg->retry_command && !r->retry_command) ||
                 (cfg->collect && !r->collect)))
        err = ENOMEM;
    if (!err && !(r->spawner = spawner_create()))
        err = errno;
    if (err) {
        runner_destroy(r);
        errno = err;
        return NULL;
    }
    r->cfg.run_dir = r->run_dir;
    r->cfg.host = r->host;
    r->cfg.retry_command = r->retry_command;
    r->cfg.collect = r->collect;
    r->width = snprintf(NULL, 0, "%ld", cfg->total > 0 ? cfg->total : 1);
    long seed = (long)getpid() ^ (long)(time_wall() * 1e6) ^ ((long)cfg->rank << 16);
    r->rng[0] = (unsigned short)seed;
    r->rng[1] = (unsigned short)(seed >> 16);
    r->rng[2] = (unsigned short)(seed >> 32);
    r->state = RUNNER_IDLE;
    /* orphans of our shards (a test's background server, say) become our
     * children rather than init's, so reaper_reap_orphans() leaves no zombies and
     * reaper_kill_all() can find them */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        err = errno;
        runner_destroy(r);
        errno = err;
        return NULL;
    }
    /* the children the rank has now are not the shards': never killed */
    reaper_note_prior();
    return r;
}

static void free_shard(struct runner *r)
{
    for (int i = 0; i < r->nwords; i++)
        free(r->words[i]);
    free(r->words);
    r->words = NULL;
    r->nwords = 0;
    free(r->attempts);
    r->attempts = NULL;
    r->nattempts = r->cap = 0;
    free(r->error);
    r->error = NULL;
}

static void kill_group(pid_t pid, int sig)
{
    /* the group may already be gone; the leader alone may still be there
     * if it has not reached its own group yet (cannot happen after
     * spawn() returns, but costs nothing) */
    if (kill(-pid, sig) < 0 && errno == ESRCH)
        kill(pid, sig);
}

/* Add *fd to the epoll set (add: returns 0, or -1 with errno) or take it
 * out and close it (returns 0). */
static int watch_fd(struct runner *r, int *fd, bool add)
{
    if (*fd < 0)
        return 0;
    if (add) {
        struct epoll_event ev = {.events = EPOLLIN};
        ev.data.fd = *fd;
        return epoll_ctl(r->epfd, EPOLL_CTL_ADD, *fd, &ev);
    }
    /* fails only when *fd was never added (its ADD failed): nothing to take
     * out then, and the close below is what matters */
    (void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, *fd, NULL);
    close(*fd);
    *fd = -1;
    return 0;
}

/* Pass a piece of the current attempt's output on, cut to LOG_CHUNK_MAX. */
static void emit(struct runner *r, int kind, const char *data, size_t len)
{
    if (len > 0)
        r->printed = true;
    if (!r->cfg.output || (len == 0 && kind != LOG_END))
        return;
    do {
        size_t k = len < LOG_CHUNK_MAX ? len : LOG_CHUNK_MAX;
        r->cfg.output(r->cfg.output_arg, r->index, r->first + r->nattempts - 1, kind, data, k);
        data += k;
        len -= k;
    } while (len > 0);
}

/* Read what the attempt printed, up to limit bytes for now: the head goes on
 * at once, the rest into the tail ring (and on as LOG_LIVE when streaming).
 * At end of file the pipe is closed. Unless to_end, a short read ends it:
 * the pipe was empty then, and epoll says when there is more. */
static void drain_output(struct runner *r, size_t limit, bool to_end)
{
    static char buf[LOG_CHUNK_MAX];
    size_t got = 0;
    while (r->outfd >= 0 && got < limit) {
        ssize_t n = read(r->outfd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            watch_fd(r, &r->outfd, false);
            return;
        }
        got += (size_t)n;
        size_t head;
        /* the tail could not be kept: the attempt's result cannot be trusted
         * to come with its log, which record_exit() reports */
        if (logcap_feed(&r->logs, buf, (size_t)n, &head) < 0 && !r->log_err)
            r->log_err = ENOMEM;
        emit(r, LOG_HEAD, buf, head);
        if (r->cfg.stream)
            emit(r, LOG_LIVE, buf + head, (size_t)n - head);
        if (!to_end && (size_t)n < sizeof buf)
            return;
    }
}

/* How much a finished attempt's pipe may still give before it is closed:
 * a process that escaped the group may hold it open and keep writing. */
#define FINAL_DRAIN (4u << 20)

/* The attempt is over: take what is left in the pipe, then pass on the
 * omission notice, the tail and LOG_END. */
static void end_output(struct runner *r)
{
    drain_output(r, FINAL_DRAIN, true);
    watch_fd(r, &r->outfd, false);
    uint64_t dropped = logcap_dropped(&r->logs);
    if (dropped > 0) {
        char note[160];
        int n = snprintf(note, sizeof note,
                         "\n[distmpi: %llu bytes of output omitted here; --max-log-bytes keeps "
                         "the first and the last %zu]\n",
                         (unsigned long long)dropped, r->logs.tail_max);
        emit(r, LOG_TAIL, note, (size_t)n);
    }
    const char *a, *b;
    size_t alen, blen;
    logcap_tail(&r->logs, &a, &alen, &b, &blen);
    emit(r, LOG_TAIL, a, alen);
    emit(r, LOG_TAIL, b, blen);
    emit(r, LOG_END, "", 0);
    logcap_free(&r->logs);
}

/* runner_cancel(); with escaped, what shards left in groups of their own
 * is killed too. */
static void cancel(struct runner *r, bool escaped)
{
    /* before the shard is reaped, while its tree is whole */
    if (escaped)
        reaper_kill_descendants();
    if (r->state == RUNNER_RUNNING) {
        /* killed before it is reaped: until then no other process can have
         * its pid, so the group killed is the shard's */
        kill_group(r->pid, SIGKILL);
        reaper_set_group(0);
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    watch_fd(r, &r->pidfd, false);
    watch_fd(r, &r->outfd, false);
    logcap_free(&r->logs);
    reaper_reap_orphans(0.5);
    free_shard(r);
    r->state = RUNNER_IDLE;
}

void runner_cancel(struct runner *r)
{
    cancel(r, true);
}

void runner_destroy(struct runner *r)
{
    if (!r)
        return;
    int saved = errno;
    /* at the end of a run, a shard's background server may go on */
    cancel(r, false);
    if (r->epfd >= 0)
        close(r->epfd);
    if (r->run_fd >= 0)
        close(r->run_fd);
    spawner_destroy(r->spawner);
    free(r->run_dir);
    free(r->host);
    free(r->retry_command);
    free(r->collect);
    free(r);
    errno = saved;
}

bool runner_busy(const struct runner *r)
{
    return r->state != RUNNER_IDLE;
}

int runner_start(struct runner *r, long index, int first_attempt, int retries, char *const *words,
                 int nwords, bool shell)
{
    if (r->state != RUNNER_IDLE) {
        errno = EBUSY;
        return -1;
    }
    if (first_attempt < 1 || first_attempt > ATTEMPT_FIRST_MAX || retries < 0 ||
        retries > RETRIES_MAX) {
        errno = EINVAL;
        return -1;
    }
    free_shard(r);
    r->words = calloc((size_t)nwords + 1, sizeof *r->words);
    if (!r->words)
        return -1;
    for (int i = 0; i < nwords; i++) {
        r->words[i] = strdup(words[i]);
        if (!r->words[i]) {
            r->nwords = i;
            free_shard(r);
            errno = ENOMEM;
            return -1;
        }
    }
    r->nwords = nwords;
    r->shell = shell;
    r->index = index;
    r->first = first_attempt;
    r->retries = retries;
    r->printed = false;
    r->superseded = false;
    r->state = RUNNER_BACKOFF; /* the first attempt is a retry with no wait */
    r->retry_at = -INFINITY;
    return 0;
}

/* Records a new attempt and returns it, or NULL when out of memory. */
static struct attempt *new_attempt(struct runner *r)
{
    if (r->nattempts == r->cap) {
        int cap = r->cap ? r->cap * 2 : 4;
        struct attempt *a = realloc(r->attempts, (size_t)cap * sizeof *a);
        if (!a)
            return NULL;
        r->attempts = a;
        r->cap = cap;
    }
    struct attempt *a = &r->attempts[r->nattempts];
    memset(a, 0, sizeof *a);
    a->number = r->first + r->nattempts++;
    a->rank = r->cfg.rank;
    a->exit_code = -1;
    a->start = time_wall();
    return a;
}

static void free_env(char **env)
{
    if (!env)
        return;
    for (size_t i = 0; env[i]; i++)
        if (strncmp(env[i], "DISTMPI_", 8) == 0)
            free(env[i]);
    free(env);
}

/* The parent's environment as childenv_make keeps it for a shard (no
 * DISTMPI_*, nothing that makes the shard a rank of distmpi's MPI job),
 * with the DISTMPI_* values of this attempt (one per placeholder,
 * template.h). Only the DISTMPI_* strings are owned: free_env. */
static char **child_env(const struct subst *v)
{
    char *attempt[PH_COUNT + 1] = {NULL};
    char **env = NULL;
    int ph = 0;
    while (ph < PH_COUNT && (attempt[ph] = template_env_entry(v, (enum placeholder)ph)))
        ph++;
    if (ph == PH_COUNT)
        env = childenv_make(environ, attempt, true);
    if (!env)
        for (int i = 0; i < ph; i++)
            free(attempt[i]);
    return env;
}

/* The attempt's argv: the command's, or with partial (a retry of the
 * failed tests) --retry-command's line run by /bin/sh. */
static char **child_argv(const struct runner *r, const struct subst *v,
                         const struct failed_set *partial)
{
    int n = r->shell || partial ? 3 : r->nwords;
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (!argv)
        return NULL;
    if (partial) {
        argv[0] = strdup("/bin/sh");
        argv[1] = strdup("-c");
        argv[2] = retry_template_expand(r->cfg.retry_command, v, partial);
    } else if (r->shell) {
        argv[0] = strdup("/bin/sh");
        argv[1] = strdup("-c");
        argv[2] = template_expand(r->words[0], v, true);
    } else {
        for (int i = 0; i < n; i++)
            argv[i] = template_expand(r->words[i], v, false);
    }
    for (int i = 0; i < n; i++) {
        if (!argv[i]) {
            int err = errno; /* template_expand's EILSEQ: a value with a line break */
            for (int j = 0; j < n; j++)
                free(argv[j]);
            free(argv);
            errno = err;
            return NULL;
        }
    }
    return argv;
}

static void free_argv(char **argv)
{
    if (!argv)
        return;
    for (int i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}

/* Put "distmpi: TEXT" in the attempt's log (text: one line, no newline),
 * as if the command had printed it. */
static void note(struct runner *r, const char *text)
{
    struct buf line = BUF_INIT;
    if (buf_printf(&line, "distmpi: %s\n", text) == 0) {
        size_t head;
        /* a failure here only loses this line from the log */
        (void)logcap_feed(&r->logs, line.data, line.len, &head);
        emit(r, LOG_HEAD, line.data, head);
    }
    buf_free(&line);
}

/* The attempt could not start: record why (one line, no newline). */
static void attempt_failed_why(struct runner *r, struct attempt *a, const char *why)
{
    a->outcome = OUTCOME_EXEC_ERROR;
    a->duration = 0;
    free(r->error);
    r->error = strdup(why);
    /* the log says why; r->error says it even when the log could not */
    note(r, why);
    end_output(r);
}

/* The same, as "WHAT PATH: strerror(err)". */
static void attempt_failed_to_start(struct runner *r, struct attempt *a, const char *what,
                                    const char *path, int err)
{
    struct error why;
    errprintf(&why, "%s%s: %s", what, path, strerror(err));
    attempt_failed_why(r, a, why.text);
}

/* --retry-command: whether the attempt about to start (r's last) runs only
 * the tests that failed in the attempt before it, whose words go to f.
 * Only after an attempt that exited non-zero: a timeout or a crash may
 * have left tests unrun, which a list of failures would not name. The log
 * says which it is and why. Returns 1 (partial), 0 (the full command) or
 * -1 (ENOMEM). */
static int choose_partial(struct runner *r, struct failed_set *f)
{
    if (!r->cfg.retry_command || r->nattempts < 2)
        return 0;
    const struct attempt *prev = &r->attempts[r->nattempts - 2];
    struct error why;
    int rc = 0;
    if (prev->outcome != OUTCOME_FAILED) {
        errprintf(&why, "attempt %d ended as %s, not as failed", prev->number,
                  outcome_name(prev->outcome));
    } else if (!r->cfg.collect) {
        errprintf(&why, "no --collect pattern names its JUnit report");
    } else {
        char *dir = runner_output_dir(r, r->index, prev->number);
        if (!dir)
            return -1;
        struct subst v = {.shard = r->index + 1,
                          .index = r->index,
                          .total = r->cfg.total,
                          .host = r->host,
                          .rank = r->cfg.rank,
                          .slot = r->cfg.slot,
                          .attempt = prev->number,
                          .output_dir = dir};
        rc = collect_failed_tests(r->cfg.collect, &v, prev->start, f, &why);
        free(dir);
        if (rc < 0)
            return -1;
        rc = rc == 0;
    }
    struct buf text = BUF_INIT;
    if (rc)
        buf_printf(&text, "retrying only the %zu failed test%s of attempt %d (--retry-command)",
                   f->ntests, f->ntests == 1 ? "" : "s", prev->number);
    else
        buf_printf(&text, "retrying the whole shard, not only its failed tests: %s", why.text);
    if (!text.failed)
        note(r, buf_str(&text));
    buf_free(&text);
    return rc;
}

/* A shard that passed at attempt 1 without a byte of output leaves
 * shard-N holding only an empty attempt-1: the next shard's first attempt
 * takes it over, renamed to shard-M, instead of making two directories.
 * On ext4 that is a rename against two inode allocations, which were most
 * of the run's time with thousands of short shards (docs/performance.md);
 * the run directory ends up with a shard-N only for the shards that left
 * something. The check comes just before the rename, so what was written
 * there since the shard ended is never taken over, and a shard-M that is
 * there already (a copy of the shard that ran elsewhere) is never
 * replaced. Any failure leaves both as they are, and fs_fresh_dir makes the
 * directories as before. */
static void lend_dir(struct runner *r)
{
    long spare = r->spare;
    r->spare = -1;
    if (spare < 0 || spare == r->index || r->run_fd < 0)
        return;
    char from[32], to[32];
    snprintf(from, sizeof from, "shard-%0*ld", r->width, spare + 1);
    snprintf(to, sizeof to, "shard-%0*ld", r->width, r->index + 1);
    /* shard-N is looked into as it was opened, never through a link */
    int dir = openat(r->run_fd, from, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return;
    if (fs_dir_holds_only(dir, ".", "attempt-1") && fs_dir_holds_only(dir, "attempt-1", NULL))
        (void)renameat2(r->run_fd, from, r->run_fd, to, RENAME_NOREPLACE);
    close(dir);
}

/* Spawn the next attempt. On failure the attempt is recorded as an exec
 * error and the state stays RUNNER_BACKOFF for finish() to pick up. */
static void start_attempt(struct runner *r)
{
    struct attempt *a = new_attempt(r);
    if (!a) {
        r->state = RUNNER_IDLE; /* finish() reports what it can */
        return;
    }
    char *dir = NULL, **argv = NULL, **env = NULL;
    int pipefd[2] = {-1, -1};
    struct failed_set failed = FAILED_SET_INIT;
    logcap_init(&r->logs, r->cfg.max_log_bytes);
    r->log_err = 0;
    struct subst v = {.shard = r->index + 1,
                      .index = r->index,
                      .total = r->cfg.total,
                      .host = r->host,
                      .rank = r->cfg.rank,
                      .slot = r->cfg.slot,
                      .attempt = a->number};
    dir = runner_output_dir(r, r->index, a->number);
    v.output_dir = dir;
    if (!dir) {
        attempt_failed_to_start(r, a, "out of memory", "", ENOMEM);
        goto out;
    }
    if (a->number == 1)
        lend_dir(r);
    /* shard-N/attempt-A are distmpi's: never through a link (fsutil.h) */
    struct error why;
    if (fs_fresh_dir(&r->run_fd, r->run_dir, dir + strlen(r->run_dir) + 1, &why) < 0) {
        errprefix(&why, "cannot create the output directory %s: ", dir);
        attempt_failed_why(r, a, why.text);
        goto out;
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        attempt_failed_to_start(r, a, "cannot make a pipe for the output", "", errno);
        goto out;
    }
    int partial = choose_partial(r, &failed);
    if (partial < 0) {
        attempt_failed_to_start(r, a, "out of memory", "", ENOMEM);
        goto out;
    }
    a->retried = partial ? (int)failed.ntests : 0;
    r->via_shell = r->shell || partial;
    argv = child_argv(r, &v, partial ? &failed : NULL);
    if (!argv && errno == EILSEQ) {
        /* see template_expand: the shell could read the value's next line */
        attempt_failed_to_start(r, a,
                                "a task line cannot take a {host} or {output_dir} with a "
                                "line break (use \"$DISTMPI_OUTPUT_DIR\")",
                                "", EINVAL);
        goto out;
    }
    env = child_env(&v);
    if (!argv || !env) {
        attempt_failed_to_start(r, a, "out of memory", "", ENOMEM);
        goto out;
    }

    r->mono_start = time_mono();
    a->start = time_wall();
    int err = spawner_run(r->spawner, argv, env, pipefd[1], r->cfg.file_limit, &r->pid);
    if (err != 0) {
        attempt_failed_to_start(r, a, "cannot run ", argv[0], err);
        goto out;
    }
    reaper_set_group(r->pid);
    /* only the child may hold the write end, so that the pipe ends with it */
    close(pipefd[1]);
    pipefd[1] = -1;
    r->outfd = pipefd[0];
    pipefd[0] = -1;
    /* a blocking pipe would stop the rank's loop in read() until the shard
     * ends (and rank 0 counts the rank as lost): without O_NONBLOCK, or
     * without the pipe in the epoll set, the attempt cannot run */
    const char *what = NULL;
    if (fcntl(r->outfd, F_SETFL, O_NONBLOCK) < 0)
        what = "cannot make the output pipe non-blocking";
    else if (watch_fd(r, &r->outfd, true) < 0)
        what = "cannot watch the output pipe (epoll_ctl)";
    /* no pidfd (a kernel before 5.3): runner_deadline() polls instead */
    r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
    if (!what && watch_fd(r, &r->pidfd, true) < 0)
        what = "cannot watch the shard's process (epoll_ctl)";
    if (what) {
        err = errno;
        kill_group(r->pid, SIGKILL);
        reaper_set_group(0);
        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        watch_fd(r, &r->pidfd, false);
        watch_fd(r, &r->outfd, false);
        attempt_failed_to_start(r, a, what, "", err);
        goto out;
    }
    r->deadline = r->cfg.timeout > 0 ? r->mono_start + r->cfg.timeout : INFINITY;
    r->kill_at = INFINITY;
    r->timed_out = false;
    r->kill_sent = false;
    r->state = RUNNER_RUNNING;
out:
    for (int i = 0; i < 2; i++)
        if (pipefd[i] >= 0)
            close(pipefd[i]);
    free(dir);
    free_argv(argv);
    free_env(env);
    failed_set_free(&failed);
}

int runner_supersede(struct runner *r, long index, int first_attempt)
{
    if (r->state == RUNNER_IDLE || r->index != index || r->first != first_attempt)
        return -1;
    r->superseded = true;
    if (r->state == RUNNER_BACKOFF)
        r->retry_at = -INFINITY; /* runner_step() finishes it */
    else if (!r->timed_out)
        r->deadline = time_mono(); /* the timeout's way out, from the next step */
    return 0;
}

char *runner_output_dir(const struct runner *r, long index, int attempt)
{
    char *dir;
    if (asprintf(&dir, "%s/shard-%0*ld/attempt-%d", r->run_dir, r->width, index + 1, attempt) < 0)
        return NULL;
    return dir;
}

static struct shard_result *finish(struct runner *r)
{
    struct shard_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL; /* the caller sees no result; out of memory is fatal there */
    res->index = r->index;
    res->rank = r->cfg.rank;
    res->slot = r->cfg.slot;
    res->status = result_status_from_attempts(r->attempts, r->nattempts);
    res->nattempts = r->nattempts;
    res->attempts = r->attempts;
    res->error = r->error; /* res->log is rank 0's to fill in: it stores the logs */
    if (r->cfg.lend_dirs && res->status == STATUS_PASSED && r->nattempts == 1 &&
        r->attempts[0].number == 1 && !r->printed)
        r->spare = r->index; /* its directory may go to the next shard (lend_dir) */
    r->attempts = NULL;
    r->nattempts = r->cap = 0;
    r->error = NULL;
    r->state = RUNNER_IDLE;
    free_shard(r);
    return res;
}

/* The child has exited with wait status st: classify the attempt. */
static void record_exit(struct runner *r, int st)
{
    struct attempt *a = &r->attempts[r->nattempts - 1];
    a->duration = time_mono() - r->mono_start;
    if (WIFEXITED(st)) {
        a->exit_code = WEXITSTATUS(st);
        a->outcome = a->exit_code == 0 ? OUTCOME_PASSED : OUTCOME_FAILED;
        /* distmpi put the shell there (a task line, a --retry-command line): its
         * "not found" and "not executable" are distmpi's to report, not the test's */
        if (r->via_shell && (a->exit_code == 127 || a->exit_code == 126)) {
            a->outcome = OUTCOME_EXEC_ERROR;
            free(r->error);
            r->error =
                strdup(a->exit_code == 127 ? "/bin/sh could not find the command (exit 127)"
                                           : "/bin/sh could not execute the command (exit 126)");
        }
    } else if (WIFSIGNALED(st)) {
        a->signal = WTERMSIG(st);
        a->outcome = OUTCOME_CRASHED;
    }
    if (r->timed_out)
        a->outcome = OUTCOME_TIMEOUT;
    if (r->log_err) {
        a->outcome = OUTCOME_EXEC_ERROR;
        free(r->error);
        if (asprintf(&r->error, "cannot keep the output: %s", strerror(r->log_err)) < 0)
            r->error = NULL;
    }
    /* however it ended, it was ended (or would have been) for another copy */
    if (r->superseded)
        a->outcome = OUTCOME_SUPERSEDED;
}

/* Time the attempt out, or end it, as due. exited: its pidfd said it has
 * ended (it is a zombie, not reaped); else waitid asks. */
static void step_running(struct runner *r, double now, bool exited)
{
    if (!exited) {
        /* learn that it ended without reaping it: the zombie keeps its pid
         * and process group from being reused while the group is killed */
        siginfo_t si;
        si.si_pid = 0;
        int w = waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if (w == 0 && si.si_pid == 0) {
            if (!r->timed_out && now >= r->deadline) {
                r->timed_out = true;
                kill_group(r->pid, SIGTERM);
                r->kill_at = now + r->cfg.kill_grace;
            } else if (r->timed_out && !r->kill_sent && now >= r->kill_at) {
                kill_group(r->pid, SIGKILL);
                r->kill_sent = true;
            }
            return;
        }
        if (w < 0 && errno == EINTR)
            return;
        exited = w == 0; /* else reaped by someone else: its group is not ours */
    }
    watch_fd(r, &r->pidfd, false);
    /* the shard is over: whatever it left running in its group goes too */
    if (exited)
        kill(-r->pid, SIGKILL);
    reaper_set_group(0);
    int st;
    pid_t p;
    while ((p = waitpid(r->pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (p < 0)
        st = 0xff00; /* reaped by someone else: report exit 255 rather than hang */
    reaper_reap_orphans(0);
    record_exit(r, st);
    end_output(r);
    r->state = RUNNER_BACKOFF;
    r->retry_at = INFINITY; /* decided by step() */
}

/* What the running attempt has for us: output to read (*out), and whether
 * it has exited (*exited), from one epoll_wait that does not block. Without
 * a pidfd, output is read and waitid asked every time. */
static void poll_running(struct runner *r, bool *out, bool *exited)
{
    *out = *exited = false;
    if (r->pidfd < 0) {
        *out = true;
        return;
    }
    struct epoll_event ev[2];
    int n = epoll_wait(r->epfd, ev, 2, 0);
    for (int i = 0; i < n; i++) {
        if (ev[i].data.fd == r->outfd)
            *out = true;
        else if (ev[i].data.fd == r->pidfd)
            *exited = true;
    }
}

struct shard_result *runner_step(struct runner *r)
{
    double now = time_mono();
    if (r->state != RUNNER_RUNNING)
        reaper_reap_orphans(0);
    if (r->state == RUNNER_RUNNING) {
        bool out, exited;
        poll_running(r, &out, &exited);
        /* a bounded bite, so that a flood of output cannot starve MPI */
        if (out && !r->hold)
            drain_output(r, 16 * LOG_CHUNK_MAX, false);
        double due = r->timed_out ? (r->kill_sent ? INFINITY : r->kill_at) : r->deadline;
        if (exited || r->pidfd < 0 || now >= due)
            step_running(r, now, exited);
        if (r->state == RUNNER_RUNNING)
            return NULL;
        /* the attempt ended: pass, give up, or schedule a retry */
        const struct attempt *a = &r->attempts[r->nattempts - 1];
        if (a->outcome == OUTCOME_PASSED || a->outcome == OUTCOME_EXEC_ERROR ||
            a->outcome == OUTCOME_SUPERSEDED || r->nattempts > r->retries)
            return finish(r);
        double delay = backoff_delay(r->cfg.backoff, r->cfg.backoff_max, r->cfg.backoff_jitter,
                                     r->nattempts, erand48(r->rng));
        r->retry_at = now + delay;
        if (r->cfg.retry)
            r->cfg.retry(r->cfg.retry_arg, r->index, r->first + r->nattempts - 1);
    }
    if (r->state == RUNNER_BACKOFF && now >= r->retry_at) {
        if (r->superseded)
            return finish(r); /* no retry for a copy another made needless */
        start_attempt(r);
        if (r->state != RUNNER_RUNNING)
            return finish(r); /* could not even start: an exec error */
    }
    return NULL;
}

double runner_deadline(const struct runner *r)
{
    switch (r->state) {
    case RUNNER_RUNNING: {
        double d = r->timed_out ? (r->kill_sent ? INFINITY : r->kill_at) : r->deadline;
        /* without a pidfd nothing wakes us when the child exits: poll */
        if (r->pidfd < 0) {
            double poll_at = time_mono() + 0.05;
            if (poll_at < d)
                d = poll_at;
        }
        return d;
    }
    case RUNNER_BACKOFF:
        return r->retry_at;
    default:
        return INFINITY;
    }
}

int runner_fd(const struct runner *r)
{
    if (r->state != RUNNER_RUNNING)
        return -1;
    return r->hold ? r->pidfd : r->epfd; /* held: only the exit wakes us */
}

void runner_hold_output(struct runner *r, bool hold)
{
    r->hold = hold;
}
