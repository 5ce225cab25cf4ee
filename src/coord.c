/* coord.c - the coordinator loop on rank 0. */
#include "config.h"

#include "coord.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostinfo.h"
#include "msg.h"
#include "plan.h"
#include "progress.h"
#include "report_json.h"
#include "report_junit.h"
#include "result.h"
#include "runner.h"
#include "signals.h"
#include "summary.h"
#include "template.h"
#include "timeutil.h"
#include "worker.h"

/* Shards shorter than this on average are handed out two at a time, so a
 * worker never waits for the round trip to rank 0 between tiny tasks; longer
 * ones one at a time, so no shard waits behind a slow one while a rank idles. */
#define PREFETCH_BELOW 0.1

struct coord {
    const struct coord_input *in;
    struct plan *plan;
    struct outbox *ob;
    struct runner *runner; /* rank 0's own slot */
    struct shard_result **results;
    int *owner;       /* rank each shard was given to, -1 if none */
    int *outstanding; /* shards given to a worker and not reported */
    long done;
    double busy_sum; /* attempt seconds reported, for the prefetch choice */
    long attempts_sum;
    double next_probe; /* when rank 0 probes its own host again */

    /* what rank 0 shows while the run goes on */
    int mode;         /* PROGRESS_BARS, _LINES or _NONE (auto resolved) */
    int frame_lines;  /* lines of the bars now on the screen */
    double next_draw; /* bars: next redraw; lines: next summary line */
    long passed, failed;
    long *host_done, *host_assigned;
};

/* Bars are redrawn at most this often; lines mode prints a summary line this
 * often, so a batch log shows the run is alive between finished shards. */
#define DRAW_EVERY    0.5
#define SUMMARY_EVERY 30.0

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    int n = cols ? atoi(cols) : 0;
    return n >= 20 ? n : 80;
}

/* Erase the bars (cursor to the start of the frame, clear to the end). */
static void frame_erase(struct coord *co)
{
    if (co->frame_lines > 0)
        printf("\033[%dF\033[J", co->frame_lines);
    co->frame_lines = 0;
}

/* Draw the bars in place of the old ones, in one write so they do not
 * flicker. */
static void frame_draw(struct coord *co)
{
    const struct cluster *c = co->in->cluster;
    struct progress_host hosts[c->nhosts];
    for (int h = 0; h < c->nhosts; h++)
        hosts[h] = (struct progress_host){c->hosts[h].name, co->host_done[h], co->host_assigned[h]};
    struct progress_view v = {co->in->spec->total,           co->done,  co->passed, co->failed,
                              time_wall() - co->in->started, c->nhosts, hosts};
    size_t len = 4096 + (size_t)c->nhosts * 160;
    char *buf = malloc(len);
    if (!buf)
        return;
    int lines = progress_render(&v, terminal_width(), buf, len);
    frame_erase(co);
    fputs(buf, stdout);
    fflush(stdout);
    free(buf);
    co->frame_lines = lines;
    co->next_draw = time_mono() + DRAW_EVERY;
}

/* Print a line for people above the bars (or as it is without them). */
static void say(struct coord *co, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct coord *co, const char *fmt, ...)
{
    frame_erase(co);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (co->mode == PROGRESS_BARS)
        frame_draw(co);
    fflush(stdout);
}

/* Bars: redraw when due. Lines: a summary line when due. */
static void tick(struct coord *co)
{
    if (co->mode == PROGRESS_NONE || time_mono() < co->next_draw)
        return;
    if (co->mode == PROGRESS_BARS) {
        frame_draw(co);
        return;
    }
    char dur[32];
    time_format_duration(time_wall() - co->in->started, dur, sizeof dur);
    long total = co->in->spec->total;
    printf("distmpi: %ld/%ld shards done (%.1f%%), %ld passed, %ld failed, %s\n", co->done, total,
           total ? 100.0 * (double)co->done / (double)total : 100.0, co->passed, co->failed, dur);
    fflush(stdout);
    co->next_draw = time_mono() + SUMMARY_EVERY;
}

/* Whether rank r's host may get new shards. */
static int rank_usable(const struct coord_input *in, int r)
{
    return !in->watch || watch_healthy(in->watch, in->cluster->rank_host[r]);
}

int coord_judge_start(const struct coord_input *in, FILE *out)
{
    const struct cluster *c = in->cluster;
    double now = time_wall();
    for (int h = 0; h < c->nhosts; h++) {
        if (watch_update(in->watch, h, &c->hosts[h].probe, now) < 0) {
            int n;
            const struct watch_event *e = watch_events(in->watch, h, &n);
            fprintf(out, "distmpi: host %s is unhealthy and gets no shards: %s\n", c->hosts[h].name,
                    n ? e[n - 1].reason : "?");
        }
    }
    return watch_count_healthy(in->watch);
}

static struct plan *make_plan(const struct coord_input *in)
{
    const struct cluster *c = in->cluster;
    long total = in->spec->total;
    long *todo = malloc((size_t)(total > 0 ? total : 1) * sizeof *todo);
    long *cores = malloc((size_t)c->nhosts * sizeof *cores);
    struct plan *p = NULL;
    if (todo && cores) {
        for (long i = 0; i < total; i++)
            todo[i] = i;
        for (int h = 0; h < c->nhosts; h++) /* an unhealthy host gets no share */
            cores[h] = !in->watch || watch_healthy(in->watch, h) ? c->hosts[h].cores : 0;
        if (in->settings->schedule == SCHEDULE_STATIC)
            p = plan_create_static(c->nranks, c->rank_host, c->nhosts, cores, todo, total);
        else
            p = plan_create_dynamic(c->nranks, todo, total);
    }
    free(todo);
    free(cores);
    return p;
}

/* "sh -c 'test ...'" for the header */
static void print_command(FILE *out, const struct coord_input *in)
{
    if (in->tasks) {
        fprintf(out, "the tasks in %s", in->settings->tasks);
        return;
    }
    for (int i = 0; i < in->ncommand; i++) {
        char *q = shell_quote(in->command[i]);
        fprintf(out, "%s%s", i ? " " : "", q ? q : in->command[i]);
        free(q);
    }
}

static void print_hosts(FILE *out, const struct cluster *c, const struct watch *w)
{
    long cores = 0;
    for (int h = 0; h < c->nhosts; h++)
        cores += c->hosts[h].cores;
    fprintf(out, "Hosts: %d, %ld cores, %d ranks\n", c->nhosts, cores, c->nranks);
    fprintf(out, "  %-20s %6s %6s %6s  %s\n", "host", "cores", "pus", "ranks", "ranks list");
    for (int h = 0; h < c->nhosts; h++) {
        fprintf(out, "  %-20s %6ld %6ld %6d  ", c->hosts[h].name, c->hosts[h].cores,
                c->hosts[h].pus, c->hosts[h].nranks);
        int first = 1;
        for (int r = 0; r < c->nranks; r++)
            if (c->rank_host[r] == h) {
                fprintf(out, "%s%d", first ? "" : ",", r);
                first = 0;
            }
        fputc('\n', out);
    }
    if (!w) {
        fprintf(out, "Health: not checked (--skip-health-checks)\n");
        return;
    }
    fprintf(out, "Health:\n");
    for (int h = 0; h < c->nhosts; h++) {
        const struct probe *pr = watch_last(w, h);
        char values[512] = "no probe";
        if (pr)
            probe_format_line(pr, values, sizeof values);
        int n;
        const struct watch_event *e = watch_events(w, h, &n);
        if (watch_healthy(w, h))
            fprintf(out, "  %-20s ok (%s)\n", c->hosts[h].name, values);
        else
            fprintf(out, "  %-20s unhealthy: %s\n", c->hosts[h].name, n ? e[n - 1].reason : "");
    }
}

int coord_dry_run(FILE *out, const struct coord_input *in)
{
    const struct cluster *c = in->cluster;
    struct plan *p = make_plan(in);
    if (!p)
        return -1;
    fprintf(out, "Dry run: %ld shards of ", in->spec->total);
    print_command(out, in);
    fprintf(out, ", schedule %s\n", schedule_name(in->settings->schedule));
    print_hosts(out, c, in->watch);
    if (!plan_is_static(p)) {
        fprintf(out,
                "Plan: dynamic; each of the %d ranks takes the next shard when it is free,\n"
                "so faster hosts run more.\n",
                c->nranks);
        plan_destroy(p);
        return 0;
    }
    fprintf(out, "Plan: static, shares proportional to cores\n");
    for (int h = 0; h < c->nhosts; h++) {
        long n = 0;
        for (int r = 0; r < c->nranks; r++)
            if (c->rank_host[r] == h)
                n += plan_rank_count(p, r);
        fprintf(out, "  %-20s %ld shards\n", c->hosts[h].name, n);
        for (int r = 0; r < c->nranks; r++) {
            if (c->rank_host[r] != h)
                continue;
            fprintf(out, "    rank %d (slot %d):", r, c->rank_slot[r]);
            long k = plan_rank_count(p, r);
            for (long i = 0; i < k; i++)
                fprintf(out, " %ld", plan_rank_shard(p, r, i) + 1);
            fprintf(out, "%s\n", k ? "" : " (none)");
        }
    }
    plan_destroy(p);
    return 0;
}

static int prefetch_target(const struct coord *co)
{
    if (co->attempts_sum == 0)
        return 1;
    return co->busy_sum / (double)co->attempts_sum < PREFETCH_BELOW ? 2 : 1;
}

/* Give worker rank r shards until it holds its target. */
static int fill(struct coord *co, int r, char *err, size_t errlen)
{
    if (!rank_usable(co->in, r))
        return 0;
    int target = prefetch_target(co);
    while (co->outstanding[r] < target) {
        long index = plan_next(co->plan, r);
        if (index < 0)
            return 0;
        size_t len;
        const char *task = co->in->tasks ? co->in->tasks->lines[index] : NULL;
        unsigned char *data = assign_pack(index, task, &len);
        if (!data) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (outbox_send(co->ob, r, TAG_ASSIGN, data, len, err, errlen) < 0)
            return -1;
        co->owner[index] = r;
        co->host_assigned[co->in->cluster->rank_host[r]]++;
        co->outstanding[r]++;
    }
    return 0;
}

/* Rank 0's own slot takes its next shard when free. */
static int fill_self(struct coord *co)
{
    if (runner_busy(co->runner) || !rank_usable(co->in, 0))
        return 0;
    long index = plan_next(co->plan, 0);
    if (index < 0)
        return 0;
    co->owner[index] = 0;
    co->host_assigned[co->in->cluster->rank_host[0]]++;
    char *task = co->in->tasks ? co->in->tasks->lines[index] : NULL;
    return worker_start_shard(co->runner, co->in->spec, index, task);
}

static void record(struct coord *co, struct shard_result *res)
{
    const struct cluster *c = co->in->cluster;
    co->results[res->index] = res;
    co->done++;
    co->busy_sum += result_busy(res);
    co->attempts_sum += res->nattempts;
    int h = c->rank_host[res->rank];
    co->host_done[h]++;
    if (status_is_pass(res->status))
        co->passed++;
    else
        co->failed++;
    if (co->mode == PROGRESS_LINES) {
        char line[1024];
        summary_result_line(line, sizeof line, res, co->done, co->in->spec->total,
                            c->hosts[h].name);
        say(co, "%s\n", line);
    } else if (co->mode == PROGRESS_BARS && co->done == co->in->spec->total) {
        frame_draw(co); /* the last state stays on the screen */
    }
}

/* A result from worker src. Returns 0, or -1 with err for a broken message. */
static int on_result(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    struct shard_result *res = result_unpack(&u);
    if (!res) {
        snprintf(err, errlen, "malformed result message from rank %d", src);
        return -1;
    }
    if (res->index >= co->in->spec->total || co->owner[res->index] != src ||
        co->results[res->index] || res->rank != src) {
        fprintf(stderr,
                "distmpi: ignoring a result for shard %ld from rank %d: it was not "
                "running there\n",
                res->index + 1, src);
        result_free(res);
        return 0;
    }
    record(co, res);
    co->outstanding[src]--;
    return fill(co, src, err, errlen);
}

/* Send every worker an empty message with tag: TAG_ABORT or TAG_STOP. */
/* A probe of host h: print a change of state, and on recovery give the
 * host's ranks work again. Returns 0, or -1 with err. */
static int on_probe(struct coord *co, int h, const struct probe *pr, char *err, size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    struct watch *w = co->in->watch;
    int change = watch_update(w, h, pr, time_wall());
    if (change == -2) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (change == 0)
        return 0;
    int n;
    const struct watch_event *e = watch_events(w, h, &n);
    /* the host's ranks may hold shards they have not started: they start
     * none of them until the host is healthy again */
    for (int r = 1; r < c->nranks; r++) {
        if (c->rank_host[r] != h)
            continue;
        unsigned char *flag = malloc(1);
        if (!flag) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        /* a dynamic plan takes the queued shards back for other hosts; a
         * static one keeps them where it put them */
        flag[0] = !plan_is_static(co->plan);
        if (outbox_send(co->ob, r, change < 0 ? TAG_PAUSE : TAG_RESUME, flag, 1, err, errlen) < 0)
            return -1;
    }
    if (change < 0) {
        say(co, "distmpi: host %s excluded: %s; it gets no new shards\n", c->hosts[h].name,
            e[n - 1].reason);
        if (watch_count_healthy(w) == 0)
            say(co, "distmpi: no healthy host left: waiting for one to recover\n");
    } else {
        say(co, "distmpi: host %s healthy again (%s)\n", c->hosts[h].name, e[n - 1].reason);
        for (int r = 1; r < c->nranks; r++)
            if (c->rank_host[r] == h && fill(co, r, err, errlen) < 0)
                return -1;
    }
    fflush(stdout);
    return 0;
}

/* Worker src gave back shards it had not started: others may run them. */
static int on_return(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    long n = (long)unpack_range(&u, 0, co->in->spec->total);
    for (long i = 0; i < n && !u.failed; i++) {
        long index = (long)unpack_range(&u, 0, co->in->spec->total - 1);
        if (u.failed || co->owner[index] != src || co->results[index])
            continue; /* not src's to give back */
        co->owner[index] = -1;
        co->host_assigned[co->in->cluster->rank_host[src]]--;
        co->outstanding[src]--;
        if (plan_return(co->plan, index) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (u.failed || u.pos != u.len) {
        snprintf(err, errlen, "malformed message giving shards back from rank %d", src);
        return -1;
    }
    for (int r = 1; r < co->in->cluster->nranks; r++)
        if (fill(co, r, err, errlen) < 0)
            return -1;
    return 0;
}

/* A TAG_HEALTH message from host leader src. */
static int on_health(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    struct unpacker u;
    unpacker_init(&u, data, len);
    struct probe pr;
    if (probe_unpack(&u, &pr) < 0 || u.pos != u.len) {
        snprintf(err, errlen, "malformed health message from rank %d", src);
        return -1;
    }
    if (!co->in->watch || c->hosts[c->rank_host[src]].leader != src)
        return 0; /* not asked for, or not from the host's leader: ignore */
    return on_probe(co, c->rank_host[src], &pr, err, errlen);
}

static int tell_workers(struct coord *co, int tag, char *err, size_t errlen)
{
    for (int r = 1; r < co->in->cluster->nranks; r++) {
        unsigned char *none = malloc(1);
        if (!none) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (outbox_send(co->ob, r, tag, none, 0, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static void header(const struct coord *co)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long cores = 0;
    for (int h = 0; h < c->nhosts; h++)
        cores += c->hosts[h].cores;
    printf("distmpi: %ld shard%s of ", in->spec->total, in->spec->total == 1 ? "" : "s");
    print_command(stdout, in);
    printf(" on %d rank%s, %d host%s (%ld cores), schedule %s\n", c->nranks,
           c->nranks == 1 ? "" : "s", c->nhosts, c->nhosts == 1 ? "" : "s", cores,
           schedule_name(in->settings->schedule));
    char cwd[4096];
    const char *dir = in->spec->run_dir;
    if (dir[0] != '/' && getcwd(cwd, sizeof cwd))
        printf("distmpi: shard output in %s/%s on each host\n", cwd, dir);
    else
        printf("distmpi: shard output in %s on each host\n", dir);
    fflush(stdout);
}

/* Summarise, report and set *exit_status (128+sig when a signal stopped the
 * run). */
static int finish(struct coord *co, int sig, int *exit_status, char *err, size_t errlen)
{
    const struct coord_input *in = co->in;
    const struct cluster *c = in->cluster;
    long total = in->spec->total;
    struct summary sum;
    if (summary_build(&sum, c->nhosts, c->rank_host, c->nranks, co->results, total) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    double elapsed = time_wall() - in->started;
    *exit_status = sig ? 128 + sig : result_exit_status(sum.total.count);
    summary_print(stdout, &sum, c, in->watch, co->results, total, elapsed, time_wall());
    fflush(stdout);
    struct report rep = {
        .run_id = in->spec->run_id,
        .run_dir = in->spec->run_dir,
        .command = in->tasks ? NULL : in->command,
        .ncommand = in->tasks ? 0 : in->ncommand,
        .tasks = in->tasks ? in->settings->tasks : NULL,
        .schedule = schedule_name(in->settings->schedule),
        .total = total,
        .started = in->started,
        .duration = elapsed,
        .exit_status = *exit_status,
        .cluster = c,
        .summary = &sum,
        .results = co->results,
        .watch = in->watch,
        .health_interval = in->spec->health_interval,
    };
    /* a report that cannot be written is an infrastructure failure: the
     * results were printed, but what CI reads is missing */
    char why[1024];
    int failed = 0;
    if (in->settings->json && report_json_write(in->settings->json, &rep, why, sizeof why) < 0) {
        fprintf(stderr, "distmpi: cannot write the JSON report: %s\n", why);
        failed = 1;
    }
    if (in->settings->junit && report_junit_write(in->settings->junit, &rep, why, sizeof why) < 0) {
        fprintf(stderr, "distmpi: cannot write the JUnit report: %s\n", why);
        failed = 1;
    }
    if (failed && (*exit_status == EXIT_PASSED || *exit_status == EXIT_TEST_FAILED))
        *exit_status = EXIT_INFRA;
    summary_free(&sum);
    return 0;
}

int coord_run(const struct coord_input *in, int *exit_status, char *err, size_t errlen)
{
    const struct cluster *c = in->cluster;
    const struct spec *sp = in->spec;
    struct coord co = {.in = in};
    int status = -1;
    co.plan = make_plan(in);
    co.ob = outbox_create();
    co.runner = worker_runner_create(sp, in->me);
    co.results = calloc((size_t)sp->total, sizeof *co.results);
    co.owner = malloc((size_t)sp->total * sizeof *co.owner);
    co.outstanding = calloc((size_t)c->nranks, sizeof *co.outstanding);
    co.host_done = calloc((size_t)c->nhosts, sizeof *co.host_done);
    co.host_assigned = calloc((size_t)c->nhosts, sizeof *co.host_assigned);
    if (!co.plan || !co.ob || !co.runner || !co.results || !co.owner || !co.outstanding ||
        !co.host_done || !co.host_assigned) {
        snprintf(err, errlen, "out of memory setting up the run");
        goto out;
    }
    for (long i = 0; i < sp->total; i++)
        co.owner[i] = -1;
    co.next_probe = in->watch ? time_mono() + sp->health_interval : INFINITY;

    co.mode = in->settings->progress;
    if (co.mode == PROGRESS_AUTO) {
        const char *term = getenv("TERM");
        co.mode = isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb")) ? PROGRESS_BARS
                                                                            : PROGRESS_LINES;
    }
    co.next_draw = co.mode == PROGRESS_LINES ? time_mono() + SUMMARY_EVERY : 0;
    header(&co);
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25l"); /* no cursor blinking in the bars; finish() restores it */
    for (int r = 1; r < c->nranks; r++)
        if (fill(&co, r, err, errlen) < 0)
            goto out;

    struct waiter w;
    waiter_reset(&w);
    int sig = 0;
    while (co.done < sp->total && !(sig = signals_caught())) {
        bool active = false;
        int src, tag, got;
        unsigned char *data;
        size_t len;
        while ((got = msg_poll(&src, &tag, &data, &len, err, errlen)) == 1) {
            int hrc = 0;
            if (tag == TAG_RESULT)
                hrc = on_result(&co, src, data, len, err, errlen);
            else if (tag == TAG_HEALTH)
                hrc = on_health(&co, src, data, len, err, errlen);
            else if (tag == TAG_RETURN)
                hrc = on_return(&co, src, data, len, err, errlen);
            else
                fprintf(stderr, "distmpi: ignoring a message with tag %d from rank %d\n", tag, src);
            free(data);
            if (hrc < 0)
                goto out;
            active = true;
        }
        if (got < 0)
            goto out;
        if (fill_self(&co) < 0) {
            snprintf(err, errlen, "cannot start a shard on rank 0: %s", strerror(errno));
            goto out;
        }
        struct shard_result *res = runner_step(co.runner);
        if (res) {
            record(&co, res);
            active = true;
            continue; /* take the next shard at once */
        }
        if (time_mono() >= co.next_probe) { /* rank 0 leads its own host */
            struct probe pr;
            hostinfo_probe(in->me->cores, &pr);
            if (on_probe(&co, c->rank_host[0], &pr, err, errlen) < 0)
                goto out;
            co.next_probe = time_mono() + sp->health_interval;
        }
        tick(&co);
        if (outbox_progress(co.ob, err, errlen) < 0)
            goto out;
        if (active) {
            waiter_reset(&w);
        } else {
            double deadline = runner_deadline(co.runner);
            if (co.next_probe < deadline)
                deadline = co.next_probe;
            if (co.mode != PROGRESS_NONE && co.next_draw < deadline)
                deadline = co.next_draw;
            waiter_wait(&w, runner_fd(co.runner), deadline);
        }
    }
    if (sig) {
        /* every rank ends its shard now; the workers then wait for our STOP,
         * so that none leaves (and makes mpirun end the job) before the
         * summary and the reports are written */
        if (tell_workers(&co, TAG_ABORT, err, errlen) < 0)
            goto out;
        runner_cancel(co.runner);
        for (long i = 0; i < sp->total; i++) {
            if (!co.results[i] && !(co.results[i] = result_new_missing(i, STATUS_INTERRUPTED))) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
        }
        fprintf(stderr, "distmpi: stopped by signal %d; %ld of %ld shards had finished\n", sig,
                co.done, sp->total);
    }
    status = finish(&co, sig, exit_status, err, errlen);
    if (status == 0 &&
        (tell_workers(&co, TAG_STOP, err, errlen) < 0 || outbox_drain(co.ob, err, errlen) < 0))
        status = -1;
out:
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25h"); /* the cursor back, whatever happened */
    fflush(stdout);
    free(co.host_done);
    free(co.host_assigned);
    if (co.results)
        for (long i = 0; i < sp->total; i++)
            result_free(co.results[i]);
    free(co.results);
    free(co.owner);
    free(co.outstanding);
    runner_destroy(co.runner);
    outbox_destroy(co.ob);
    plan_destroy(co.plan);
    return status;
}
