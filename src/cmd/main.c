/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c - distmpi: start MPI, let rank 0 read the command line's files and
 * tell everyone the run, then coordinate (rank 0) or work (the others).
 * Only this file decides to exit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config/cli.h"
#include "config/conffile.h"
#include "config/launcher.h"
#include "common/fdio.h"
#include "common/fsutil.h"
#include "coord/coord.h"
#include "cmd/healthcmd.h"
#include "mpi/hostinfo.h"
#include "coord/journal.h"
#include "coord/journal_find.h"
#include "mpi/msg.h"
#include "mpi/proto.h"
#include "exec/reaper.h"
#include "model/result.h"
#include "exec/runner.h"
#include "config/settings.h"
#include "common/signals.h"
#include "model/retryfailed.h"
#include "model/spec.h"
#include "config/tasks.h"
#include "config/items.h"
#include "cmd/itembatch.h"
#include "exec/notify.h"
#include "report/summary.h"
#include "model/template.h"
#include "common/timeutil.h"
#include "health/watch.h"
#include "sched/history.h"
#include "worker/worker.h"

/* Where the run directories are when no --run-dir names one. */
#define RUN_DIR_BASE "distmpi-runs"

/* Whether a launcher (mpirun, srun --mpi=pmix) started this process. */
static int launched(void)
{
    return launcher_detect(getenv) == LAUNCHER_MPI;
}

/* Raise the soft limit on open files to the hard limit: rank 0 keeps logs,
 * the journal and an MPI connection per rank open, and a run of hundreds
 * of ranks needs more than the usual 1024. A limit that cannot be raised
 * is said, not fatal (logstore bounds its open logs by it). Returns the
 * soft limit it had, which the shards get back, or 0 when it is unchanged. */
static unsigned long long raise_file_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        fprintf(stderr, "distmpi: warning: cannot read the limit on open files: %s\n",
                strerror(errno));
        return 0;
    }
    rlim_t want = rl.rlim_max;
    if (want == RLIM_INFINITY) {
        /* the kernel refuses more than fs.nr_open */
        FILE *f = fopen("/proc/sys/fs/nr_open", "r");
        unsigned long long n = 0;
        if (!f || fscanf(f, "%llu", &n) != 1 || n == 0)
            n = 1048576;
        if (f)
            fclose(f);
        want = (rlim_t)n;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want)
        return 0;
    rlim_t was = rl.rlim_cur;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        fprintf(stderr,
                "distmpi: warning: cannot raise the limit on open files from %llu to %llu: %s; "
                "going on with %llu\n",
                (unsigned long long)was, (unsigned long long)want, strerror(errno),
                (unsigned long long)was);
        return 0;
    }
    return (unsigned long long)was;
}

/* Print the help, the version or a command-line error (once, on rank 0) and
 * return status. Under a launcher this goes through MPI_Init and
 * MPI_Finalize: Open MPI can drop what a process printed when it exits
 * before MPI_Init (its output forwarding races the exit). */
static int answer_command_line(int status, const struct cli *cli, const char *error, int *argc,
                               char ***argv)
{
    int rank = 0;
    int mpi = launched() && MPI_Init(argc, argv) == MPI_SUCCESS;
    if (mpi)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        if (error)
            fprintf(stderr, "distmpi: %s\n", error);
        else if (cli->help)
            cli_usage(stdout);
        else
            printf("distmpi %s\n", PACKAGE_VERSION);
        fflush(NULL);
    }
    if (mpi)
        MPI_Finalize();
    return status;
}

/* --resume or --rerun-failed without a command: run the journal's command
 * or task lines. Returns 0, or -1 (ENOMEM). */
static int command_from_journal(struct cli *cli, struct journal_data *jd, struct tasklist **tasks)
{
    if (jd->command) {
        cli->command = jd->command; /* jd outlives the run */
        cli->ncommand = jd->ncommand;
        return 0;
    }
    struct tasklist *t = calloc(1, sizeof *t);
    if (!t || !(t->lines = calloc((size_t)jd->ntasks + 1, sizeof *t->lines)) ||
        !(t->lineno = calloc((size_t)jd->ntasks + 1, sizeof *t->lineno))) {
        tasks_destroy(t);
        return -1;
    }
    for (long i = 0; i < jd->ntasks; i++) {
        t->lineno[i] = i + 1;
        t->count = i + 1;
        if (!(t->lines[i] = strdup(jd->tasks[i]))) {
            tasks_destroy(t);
            return -1;
        }
    }
    *tasks = t;
    return 0;
}

/* Rank 0: merge the configuration file, check the command, read the task
 * file (or the journal to resume) and fill the spec. Returns 0, or -1 with
 * the problem in err. */
/* What rank 0 prepares besides the spec. */
struct prepared {
    struct tasklist *tasks;       /* task mode (--items: the batches' lines) */
    struct itemlist *items;       /* --items, --items-command: until packed */
    struct item_batches *batches; /* --items: each batch's items, for the history */
    struct journal_data *journal; /* --resume / --rerun-failed */
    struct journal *journal_out;  /* this run's journal (not for --dry-run) */
    char *journal_path;
};

/* Create this run's journal: --journal FILE, else RUN_DIR/journal.jsonl. */
static int open_journal(const struct settings *s, const struct cli *cli, const struct spec *sp,
                        double started, struct prepared *pr, struct error *err)
{
    if (s->journal)
        pr->journal_path = strdup(s->journal);
    else if (asprintf(&pr->journal_path, "%s/journal.jsonl", sp->run_dir) < 0)
        pr->journal_path = NULL;
    if (!pr->journal_path)
        return errprintf(err, "out of memory");
    /* journal_create makes its directory too, by fsutil.h's rule */
    struct journal_identity id = {.command = pr->tasks ? NULL : cli->command,
                                  .ncommand = pr->tasks ? 0 : cli->ncommand,
                                  .tasks = pr->tasks ? pr->tasks->lines : NULL,
                                  .ntasks = pr->tasks ? pr->tasks->count : 0,
                                  .total = sp->total,
                                  .schedule = schedule_name(s->schedule),
                                  .run_id = sp->run_id,
                                  .started = started};
    pr->journal_out = journal_create(pr->journal_path, &id, err);
    if (!pr->journal_out && !s->journal && errno == EEXIST) {
        /* a --run-dir used again: keep the earlier run's journal, which
         * --resume may still need, and name this one after the run */
        free(pr->journal_path);
        if (asprintf(&pr->journal_path, "%s/journal-%s.jsonl", sp->run_dir, sp->run_id) < 0) {
            pr->journal_path = NULL;
            return errprintf(err, "out of memory");
        }
        pr->journal_out = journal_create(pr->journal_path, &id, err);
    }
    return pr->journal_out ? 0 : -1;
}

static int prepare(struct cli *cli, struct settings *s, struct prepared *pr, struct spec *sp,
                   const struct self *me, struct error *err)
{
    struct tasklist **tasks = &pr->tasks;
    struct journal_data **journal = &pr->journal;
    int required;
    const char *path = conffile_choose(cli->config_path, getenv("DISTMPI_CONFIG"),
                                       SYSCONFDIR "/distmpi.conf", &required);
    if ((path && conffile_load(path, s, err) < 0) || settings_validate(s, err) < 0)
        return -1;
    /* --resume last: the newest journal under the run directory, so that a
     * resubmitted or requeued batch job needs no run id */
    char **which = s->resume ? &s->resume : &s->rerun_failed;
    if (journal_is_last(*which)) {
        char *found;
        if (journal_find_last(s->run_dir, RUN_DIR_BASE, &found, err) < 0)
            return errprefix(err, "%s last: ", s->resume ? "--resume" : "--rerun-failed");
        free(*which);
        *which = found;
    }
    const char *resume = *which;
    bool from_journal = false;
    if (resume) {
        if (!(*journal = calloc(1, sizeof **journal)))
            return errprintf(err, "out of memory");
        if (journal_load(resume, *journal, err) < 0)
            return -1;
        from_journal = cli->ncommand == 0 && !s->tasks;
        if (from_journal && command_from_journal(cli, *journal, tasks) < 0)
            return errprintf(err, "out of memory");
        /* the same shard count as the journal's run, unless asked otherwise */
        if (cli->ncommand > 0 && s->source[SET_SHARDS] == SOURCE_DEFAULT)
            s->shards = (*journal)->total;
    }
    if (!from_journal && cli_check_command(cli, s, err) < 0)
        return -1;
    bool items = s->items || s->items_command;
    if (items && resume)
        return errprintf(err,
                         "--items and --items-command do not go with --resume or "
                         "--rerun-failed: give the journal alone, it keeps the batches");
    if (items && items_check_command(cli->command, cli->ncommand, err) < 0)
        return -1;
    for (int i = 0; !items && i < cli->ncommand; i++) {
        if (template_check(cli->command[i], err) < 0)
            return errprefix(err, "command word %d: ", i + 1);
    }
    /* a journal's task lines go to /bin/sh as a task file's would */
    for (long i = 0; from_journal && *tasks && i < (*tasks)->count; i++) {
        if (template_check_shell((*tasks)->lines[i], err) < 0)
            return errprefix(err, "%s: task %ld: ", resume, i + 1);
    }
    if (s->collect && template_check(s->collect, err) < 0)
        return errprefix(err, "--collect: ");
    if (s->retry_command && retry_template_check(s->retry_command, err) < 0)
        return errprefix(err, "--retry-command: ");
    /* without a report to name the failed tests it would never be used */
    size_t clen = s->collect ? strlen(s->collect) : 0;
    if (s->retry_command && (clen < 4 || strcmp(s->collect + clen - 4, ".xml") != 0))
        return errprintf(err,
                         "--retry-command needs --collect with a pattern ending in .xml: the "
                         "JUnit report that names the failed tests");
    if (s->tasks && !*tasks && tasks_load(s->tasks, tasks, err) < 0)
        return -1;
    if (s->items && items_load(s->items, &pr->items, err) < 0)
        return -1;
    if (s->items_command && items_from_command(s->items_command, &pr->items, err) < 0)
        return -1;

    char run_id[64], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(run_id, sizeof run_id, "%s-%ld", stamp, (long)getpid());

    sp->status = -1;
    sp->total = *tasks ? (*tasks)->count : (s->shards > 0 ? s->shards : me->nranks);
    sp->shell = *tasks != NULL;
    sp->words = *tasks ? NULL : cli->command;
    sp->nwords = *tasks ? 0 : cli->ncommand;
    sp->timeout = s->timeout;
    sp->kill_grace = s->kill_grace;
    sp->backoff = s->backoff;
    sp->backoff_max = s->backoff_max;
    sp->backoff_jitter = s->backoff_jitter;
    sp->retries = s->retries;
    sp->skip_health = s->skip_health;
    sp->health_interval = s->health_interval;
    sp->max_log_bytes = s->max_log_bytes;
    /* several heartbeats per timeout, so one late message is no loss */
    sp->heartbeat = s->heartbeat_timeout / 4;
    sp->stream = s->stream;
    if (s->collect && !(sp->collect = strdup(s->collect)))
        return errprintf(err, "out of memory");
    if (s->retry_command && !(sp->retry_command = strdup(s->retry_command)))
        return errprintf(err, "out of memory");
    sp->run_id = strdup(run_id);
    if (s->run_dir)
        sp->run_dir = strdup(s->run_dir);
    else if (asprintf(&sp->run_dir, RUN_DIR_BASE "/%s", run_id) < 0)
        sp->run_dir = NULL;
    if (!sp->run_id || !sp->run_dir)
        return errprintf(err, "out of memory");
    if (*journal) {
        struct journal_identity id = {.command = *tasks ? NULL : cli->command,
                                      .ncommand = *tasks ? 0 : cli->ncommand,
                                      .tasks = *tasks ? (*tasks)->lines : NULL,
                                      .ntasks = *tasks ? (*tasks)->count : 0,
                                      .total = sp->total};
        struct error e;
        if (journal_match(*journal, &id, &e) < 0 && !s->force_resume)
            return errprintf(err,
                             "%s is the journal of another run: %s (--force-resume uses it anyway)",
                             resume, e.text);
    }
    return 0;
}

/* --notify-command: run it with the outcome in its environment (rank 0,
 * once, at the very end). Its failure is a warning, never the exit status. */
static void notify(const struct settings *s, const struct spec *sp, int status, const char *summary)
{
    char *env[8] = {NULL};
    int n = 0;
    bool ok = asprintf(&env[n++], "DISTMPI_EXIT_STATUS=%d", status) >= 0 &&
              asprintf(&env[n++], "DISTMPI_SUMMARY=%s", summary) >= 0 &&
              asprintf(&env[n++], "DISTMPI_RUN_ID=%s", sp->run_id ? sp->run_id : "") >= 0;
    const char *name[] = {"DISTMPI_JSON", "DISTMPI_JUNIT", "DISTMPI_HTML"};
    const char *path[] = {s->json, s->junit, s->html};
    for (int k = 0; ok && k < 3; k++)
        if (path[k])
            ok = asprintf(&env[n++], "%s=%s", name[k], path[k]) >= 0;
    if (!ok) {
        env[n - 1] = NULL; /* asprintf left it undefined */
        fprintf(stderr, "distmpi: warning: --notify-command not run: out of memory\n");
    } else {
        fflush(stdout);
        struct error why;
        if (notify_run(s->notify_command, env, s->notify_timeout, &why) < 0)
            fprintf(stderr, "distmpi: warning: --notify-command: %s\n", why.text);
    }
    for (int k = 0; k < n; k++)
        free(env[k]);
}

/* Shards per slot when --items packs items into batches and --shards does
 * not say how many: enough that the batches even out on hosts of different
 * speeds and around long items, few enough that each tool's start-up counts
 * little (docs/performance.md, over-sharding). */
#define ITEM_BATCHES_PER_RANK 4

/* --items: pack the items into batches, the run's shards, now that the
 * timing history is read (history: NULL without one). Returns 0, or -1
 * with err. */
static int pack_items(const struct cli *cli, const struct settings *s, const struct self *me,
                      const struct history *history, struct prepared *pr, struct spec *sp,
                      struct error *err)
{
    long nbatches = s->source[SET_SHARDS] != SOURCE_DEFAULT && s->shards > 0
                        ? s->shards
                        : (long)me->nranks * ITEM_BATCHES_PER_RANK;
    if (itembatch_make(cli->command, cli->ncommand, pr->items, history, nbatches, &pr->tasks,
                       &pr->batches, err) < 0)
        return -1;
    sp->total = pr->tasks->count;
    sp->shell = 1;
    sp->words = NULL;
    sp->nwords = 0;
    return 0;
}

/* Rank 0, at the start: a host whose only problem is load from other work
 * is waited for, up to load_wait seconds, with a new probe of every host
 * each second; it is judged (coord_judge_start) on its last probe. Returns
 * 0, the signal that ended the wait, or -1 with err. */
static int wait_for_busy_hosts(const struct self *me, struct cluster *c,
                               const struct health_limits *l, double load_wait, char *err,
                               size_t errlen)
{
    unsigned char *busy = calloc(c->nhosts > 0 ? (size_t)c->nhosts : 1, 1);
    if (!busy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int nbusy = 0;
    for (int h = 0; h < c->nhosts && load_wait > 0; h++) {
        const struct probe *pr = &c->hosts[h].probe;
        if (!pr->ok || health_failures(&pr->sample, l) != 1u << HEALTH_LOAD)
            continue;
        char why[256];
        health_judge(&pr->sample, l, why, sizeof why);
        printf("distmpi: host %s is busy: %s; waiting up to %g s\n", c->hosts[h].name, why,
               load_wait);
        busy[h] = 1;
        nbusy++;
    }
    fflush(stdout);
    double start = time_mono();
    while (nbusy > 0 && !signals_caught()) {
        double left = start + load_wait - time_mono();
        if (left <= 0)
            break;
        double nap = left < 1 ? left : 1;
        /* a signal ends the sleep early (no SA_RESTART) */
        struct timespec ts = {(time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9)};
        nanosleep(&ts, NULL);
        if (signals_caught())
            break;
        if (hostinfo_reprobe(me, c, 1, err, errlen) < 0) {
            free(busy);
            return -1;
        }
        for (int h = 0; h < c->nhosts; h++) {
            const struct probe *pr = &c->hosts[h].probe;
            if (!busy[h])
                continue;
            unsigned f = pr->ok ? health_failures(&pr->sample, l) : ~0u;
            if (f == 1u << HEALTH_LOAD)
                continue;
            busy[h] = 0; /* healthy now, or unhealthy for another reason */
            nbusy--;
            if (f == 0)
                printf(
                    "distmpi: host %s is no longer busy after %.1f s: load %.2f per core from "
                    "other work\n",
                    c->hosts[h].name, time_mono() - start, pr->sample.other_per_core);
        }
        fflush(stdout);
    }
    free(busy);
    return signals_caught();
}

/* Rank 0 sends the spec (or the exit status everyone should take) to all.
 * The others may wait here for long, while rank 0 reads a large task file
 * or journal: the broadcasts are polled (msg_wait), so they spin no core. */
static int broadcast_spec(struct spec *sp, int rank, struct error *err)
{
    unsigned char *data = NULL;
    long long len = 0;
    if (rank == 0) {
        size_t n;
        data = proto_spec_encode(sp, &n);
        if (!data) {
            /* still tell the others to stop */
            struct spec stop = {.status = 3};
            data = proto_spec_encode(&stop, &n);
        }
        len = data ? (long long)n : 0;
    }
    MPI_Request req;
    if (msg_collective(MPI_Ibcast(&len, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD, &req), &req,
                       "MPI_Ibcast of the run's size", err) < 0) {
        free(data);
        return -1;
    }
    if (len < 0 || len > INT_MAX) {
        free(data);
        return errprintf(err, "a run description of %lld bytes from rank 0", len);
    }
    if (rank != 0) {
        data = malloc(len > 0 ? (size_t)len : 1);
        if (!data)
            return errprintf(err, "out of memory");
    }
    if (msg_collective(MPI_Ibcast(data, (int)len, MPI_BYTE, 0, MPI_COMM_WORLD, &req), &req,
                       "MPI_Ibcast of the run", err) < 0) {
        free(data);
        return -1;
    }
    int rc = 0;
    if (rank != 0 && proto_spec_decode(data, (size_t)len, sp) < 0)
        rc = errprintf(err, "malformed run description from rank 0");
    free(data);
    return rc;
}

/* Rank 0, for tests: $DISTMPI_TEST_DELAY_START seconds (at most 600) of
 * sleep before the run is broadcast, standing for a slow preparation (a
 * large task file or journal read from a slow disk), so that a test can
 * watch what the other ranks cost meanwhile. */
static void test_delay_start(void)
{
    const char *v = getenv("DISTMPI_TEST_DELAY_START");
    if (!v || !*v)
        return;
    char *end;
    errno = 0;
    double secs = strtod(v, &end);
    if (errno || *end || !(secs >= 0 && secs <= 600)) {
        fprintf(stderr, "distmpi: ignoring DISTMPI_TEST_DELAY_START=%s: not 0 to 600 seconds\n", v);
        return;
    }
    struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !signals_caught())
        ;
}

/* Whether process pid is mpirun (or a name Open MPI's launcher goes by). */
static bool is_mpirun(pid_t pid)
{
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    if (!fgets(comm, sizeof comm, f))
        comm[0] = '\0';
    fclose(f);
    comm[strcspn(comm, "\n")] = '\0';
    return !strcmp(comm, "mpirun") || !strcmp(comm, "mpiexec") || !strcmp(comm, "orterun") ||
           !strcmp(comm, "prterun");
}

/* Rank 0 after a run that lost ranks: everything is written, but neither
 * MPI_Finalize nor MPI_Abort returns while a host is cut off (Open MPI waits
 * for its daemon until TCP gives up, minutes later). So the job is ended
 * here: status goes to $DISTMPI_STATUS_FILE if set (distmpi launch reads
 * it), then mpirun, when it is our parent, is killed (it exits 137; the
 * other ranks and their shards die with it); otherwise MPI_Abort. */
static _Noreturn void end_job_without_lost_ranks(int status)
{
    const char *file = getenv("DISTMPI_STATUS_FILE");
    if (file && *file) {
        /* a new file, never through a link or over what is there: launch
         * names it in a directory of its own, so anything there was planted */
        char line[16];
        int len = snprintf(line, sizeof line, "%d\n", status);
        int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int ok = fd >= 0 && write_all(fd, line, (size_t)len) == 0;
        int saved = errno;
        if (fd >= 0 && close(fd) < 0 && ok) {
            ok = 0;
            saved = errno;
        }
        if (!ok)
            fprintf(stderr,
                    "distmpi: cannot write the exit status to DISTMPI_STATUS_FILE %s: %s%s\n", file,
                    strerror(saved), saved == EEXIST ? " (what is there is left alone)" : "");
    }
    printf("distmpi: ending the job without the lost ranks (exit status %d)\n", status);
    fflush(NULL);
    pid_t parent = getppid();
    if (is_mpirun(parent)) {
        /* give mpirun a moment to forward what we printed */
        struct timespec ts = {0, 500000000};
        nanosleep(&ts, NULL);
        kill(parent, SIGKILL);
        pause(); /* PR_SET_PDEATHSIG ends this process */
    }
    MPI_Abort(MPI_COMM_WORLD, status);
    _exit(status);
}

static int finalize(int status)
{
    MPI_Finalize();
    return status;
}

int main(int argc, char **argv)
{
    struct settings s;
    struct cli cli;
    char err[2048];
    struct error cli_err;

    /* the pre-flight check runs without MPI */
    if (argc > 1 && !strcmp(argv[1], "health"))
        return healthcmd_main(argc - 1, argv + 1, 0);
    if (argc > 1 && !strcmp(argv[1], "launch"))
        return healthcmd_main(argc - 1, argv + 1, 1);

    settings_init(&s);
    if (cli_parse(argc, argv, &cli, &s, &cli_err) < 0) {
        settings_free(&s);
        return answer_command_line(EXIT_USAGE, &cli, cli_err.text, &argc, &argv);
    }
    if (cli.help || cli.version) {
        settings_free(&s);
        return answer_command_line(0, &cli, NULL, &argc, &argv);
    }
    /* a task of srun without an MPI plugin: MPI_Init would fail with Open
     * MPI's long message and status 1, which reads as failed tests; say what
     * to do instead, once (task 0), and that nothing ran */
    if (launcher_detect(getenv) == LAUNCHER_SRUN_NOPMI) {
        const char *task = getenv("SLURM_PROCID");
        if (!task || !strcmp(task, "0"))
            fprintf(stderr,
                    "distmpi: started by srun without an MPI plugin (srun --mpi=none): "
                    "start it with srun --mpi=pmix, or with mpirun\n");
        settings_free(&s);
        return EXIT_USAGE;
    }

    /* when mpirun or the host's Open MPI daemon dies (kill -9, a lost
     * host), this rank must not go on running shards nobody will record:
     * it dies too, and its shard with it (see runner.c); the journal keeps
     * what had finished */
    if (launched()) {
        pid_t parent = getppid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            return EXIT_INFRA;
    }

    double started = time_wall();
    /* before MPI_Init, so that Open MPI has the descriptors too */
    unsigned long long file_limit = raise_file_limit();
    /* before MPI_Init, so that Open MPI's threads never take these signals */
    if (signals_hold() < 0) {
        fprintf(stderr, "distmpi: cannot block signals: %s\n", strerror(errno));
        return EXIT_INFRA;
    }
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "distmpi: MPI_Init failed\n");
        return EXIT_INFRA;
    }
    /* MPI errors come back to us, to be said clearly and end with status
     * 3; left as they are, the first one ends the job with Open MPI's
     * message and status instead */
    int mrc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (mrc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int tlen = 0;
        if (MPI_Error_string(mrc, text, &tlen) != MPI_SUCCESS)
            snprintf(text, sizeof text, "error %d", mrc);
        fprintf(stderr, "distmpi: cannot have MPI errors returned (MPI_Comm_set_errhandler: %s)\n",
                text);
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }
    /* after MPI_Init, so these handlers are the ones in force; a second
     * signal kills what the shards left running before it ends the rank */
    if (signals_install(reaper_kill_all) < 0) {
        fprintf(stderr, "distmpi: cannot catch SIGINT, SIGTERM and SIGHUP: %s\n", strerror(errno));
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }

    struct self me;
    struct cluster *cluster = NULL;
    if (hostinfo_gather(&me, &cluster, err, sizeof err) < 0) {
        fprintf(stderr, "distmpi: rank %d: %s\n", me.rank, err);
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }
    me.file_limit = file_limit;

    struct spec sp = {.status = -1};
    struct prepared pr = {0};
    int status = 0;
    if (me.rank == 0) {
        struct error e;
        if (prepare(&cli, &s, &pr, &sp, &me, &e) < 0) {
            fprintf(stderr, "distmpi: %s\n", e.text);
            sp.status = EXIT_USAGE;
        }
    }
    struct coord_input in = {
        .spec = &sp,
        .settings = &s,
        .me = &me,
        .cluster = cluster,
        .tasks = pr.tasks,
        .command = cli.command,
        .ncommand = cli.ncommand,
        .started = started,
        .journal = pr.journal,
        .journal_out = pr.journal_out,
        .journal_path = pr.journal_path,
    };
    char summary[SUMMARY_LINE_MAX] = "";
    in.summary_line = summary;
    /* --notify-command for every run that got past its command line: also
     * one that could not start (no healthy host) or was stopped */
    bool notifies = me.rank == 0 && s.notify_command && !s.dry_run && sp.status < 0;
    if (me.rank == 0 && sp.status < 0 && !s.skip_health) {
        /* the thresholds are percentages for people, fractions for health.c */
        struct health_limits limits = {.min_disk_free = s.min_disk_free / 100,
                                       .max_mem_used = s.max_memory_used / 100,
                                       .max_load_per_core = s.max_load};
        in.watch = watch_create(cluster->nhosts, &limits);
        int sig = 0;
        if (!in.watch) {
            fprintf(stderr, "distmpi: out of memory\n");
            sp.status = EXIT_INFRA;
        } else if ((sig = wait_for_busy_hosts(&me, cluster, &limits, s.load_wait, err,
                                              sizeof err)) < 0) {
            fprintf(stderr, "distmpi: %s\n", err);
            MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
            return EXIT_INFRA;
        } else if (sig > 0) {
            fprintf(stderr, "distmpi: stopped by signal %d while waiting for busy hosts\n", sig);
            sp.status = 128 + sig;
        } else if (coord_judge_start(&in, stdout) == 0) {
            printf("distmpi: no healthy host: nothing runs (--skip-health-checks runs anyway)\n");
            fflush(stdout);
            sp.status = EXIT_INFRA;
        }
    }
    /* every rank takes part in the rounds of the wait above, and in its end */
    int round = hostinfo_reprobe(&me, cluster, 0, err, sizeof err);
    while (me.rank != 0 && round == 1)
        round = hostinfo_reprobe(&me, NULL, 0, err, sizeof err);
    if (round < 0) {
        fprintf(stderr, "distmpi: rank %d: %s\n", me.rank, err);
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }
    /* the timing history, before the plan it orders; a history that cannot
     * be read is a run without one, never a failed run */
    const char *history = me.rank == 0 && sp.status < 0 ? settings_history(&s) : NULL;
    if (history) {
        struct error why;
        if (history_load(history, &in.history, &why) < 0)
            fprintf(stderr, "distmpi: warning: %s; this run goes without a timing history%s\n",
                    why.text, s.dry_run ? "" : " (the file is written anew at its end)");
        if (!in.history) {
            fprintf(stderr, "distmpi: out of memory reading the timing history\n");
            sp.status = EXIT_INFRA;
        }
    }
    /* --items: the batches, packed by the history's predictions */
    if (me.rank == 0 && sp.status < 0 && pr.items) {
        struct error e;
        if (pack_items(&cli, &s, &me, in.history, &pr, &sp, &e) < 0) {
            fprintf(stderr, "distmpi: %s\n", e.text);
            sp.status = EXIT_USAGE;
        }
        in.tasks = pr.tasks;
        in.batches = pr.batches;
    }
    if (me.rank == 0 && sp.status < 0 && s.dry_run) {
        if (coord_dry_run(stdout, &in) < 0) {
            fprintf(stderr, "distmpi: out of memory planning the run\n");
            sp.status = EXIT_INFRA;
        } else {
            sp.status = 0;
        }
    }
    /* only a run that will start gets a journal (and a run directory) */
    if (me.rank == 0 && sp.status < 0) {
        struct error e;
        if (open_journal(&s, &cli, &sp, started, &pr, &e) < 0) {
            fprintf(stderr, "distmpi: %s\n", e.text);
            sp.status = EXIT_USAGE;
        }
        in.journal_out = pr.journal_out;
        in.journal_path = pr.journal_path;
    }
    if (me.rank == 0)
        test_delay_start();
    struct error e;
    if (broadcast_spec(&sp, me.rank, &e) < 0) {
        fprintf(stderr, "distmpi: rank %d: %s\n", me.rank, e.text);
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }

    if (sp.status >= 0) {
        status = me.rank == 0 ? sp.status : 0;
        if (notifies && sp.status != EXIT_USAGE && !s.dry_run) {
            snprintf(summary, sizeof summary, "nothing ran (exit status %d)", sp.status);
            notify(&s, &sp, status, summary);
        }
    } else if (me.rank == 0) {
        int lost = 0;
        if (coord_run(&in, &status, &lost, &e) < 0) {
            fprintf(stderr, "distmpi: %s\n", e.text);
            MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
            return EXIT_INFRA;
        }
        if (notifies)
            notify(&s, &sp, status, summary);
        if (lost > 0)
            end_job_without_lost_ranks(status);
    } else if (worker_run(&sp, &me, &e) < 0) {
        fprintf(stderr, "distmpi: rank %d on %s: %s\n", me.rank, me.host, e.text);
        MPI_Abort(MPI_COMM_WORLD, EXIT_INFRA);
        return EXIT_INFRA;
    }

    if (me.rank == 0) {
        /* the spec borrows the command words from argv */
        sp.words = NULL;
        sp.nwords = 0;
    }
    spec_free(&sp);
    tasks_destroy(pr.tasks);
    items_destroy(pr.items);
    item_batches_destroy(pr.batches);
    if (pr.journal)
        journal_data_free(pr.journal);
    free(pr.journal);
    journal_close(pr.journal_out);
    free(pr.journal_path);
    watch_destroy(in.watch);
    history_destroy(in.history);
    cluster_destroy(cluster);
    self_free(&me);
    settings_free(&s);
    /* workers exit 0, even after a signal: the run's status is rank 0's,
     * which mpirun passes on */
    return finalize(status);
}
