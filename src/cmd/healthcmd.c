/* SPDX-License-Identifier: BSD-3-Clause */
/* healthcmd.c - the health and launch commands: options, a bounded pool of
 * threads running sshprobe, the verdicts, and mpirun on the healthy hosts
 * (healthreport.c shows the results). */
#include "config.h"

#include "cmd/healthcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/allocation.h"
#include "config/cli.h"
#include "config/conffile.h"
#include "common/fsutil.h"
#include "health/health.h"
#include "cmd/healthreport.h"
#include "config/hostfile.h"
#include "config/settings.h"
#include "health/sshprobe.h"

struct pool {
    struct host_check *hosts;
    long n;
    atomic_long next;
    const struct sshprobe_opts *opts;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        long i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            return NULL;
        sshprobe_run(p->hosts[i].name, p->hosts[i].user, p->opts, &p->hosts[i].res);
    }
}

/* Check every host, at most concurrency at once: about one timeout in all. */
static int check_all(struct host_check *hosts, long n, long concurrency,
                     const struct sshprobe_opts *opts)
{
    struct pool p = {.hosts = hosts, .n = n, .opts = opts};
    atomic_init(&p.next, 0);
    long nthreads = concurrency < n ? concurrency : n;
    pthread_t *t = calloc(nthreads > 0 ? (size_t)nthreads : 1, sizeof *t);
    if (!t)
        return -1;
    long started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, worker, &p) != 0)
            break;
    if (started == 0)
        worker(&p); /* no thread could start: do it here, one by one */
    for (long i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    return 0;
}

static void judge(struct host_check *h, const struct health_limits *l)
{
    if (!h->res.ssh_ok)
        return;
    if (!h->res.probe_ok) {
        h->problem = h->res.probe_error;
        errprefix(&h->problem, "probe failed: ");
        return;
    }
    if (health_sample_from_raw(&h->res.raw, &h->sample, &h->problem) < 0) {
        errprefix(&h->problem, "probe failed: ");
        return;
    }
    h->sample_ok = 1;
    h->healthy = health_judge(&h->sample, l, h->problem.text, sizeof h->problem.text);
}

struct hostfile_out {
    const struct host_check *hosts;
    long n;
};

/* fs_write_atomic's writer: the healthy hosts */
static int write_healthy(FILE *f, void *arg)
{
    const struct hostfile_out *o = arg;
    return healthreport_hostfile(f, o->hosts, o->n);
}

enum {
    OPT_HOSTFILE = 1000,
    OPT_SSH_CONFIG,
    OPT_CONCURRENCY,
    OPT_JSON,
    OPT_WRITE_HOSTFILE,
    OPT_MIN_HEALTHY,
    OPT_CONFIG,
    OPT_HELP,
    OPT_LIMIT, /* + the setting's id */
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: distmpi health [OPTION]... [HOST]...\n"
            "       distmpi launch [--hostfile FILE] [OPTION]... [MPIRUN OPTION]... -- \\\n"
            "              [DISTMPI OPTION]... COMMAND...\n"
            "Check hosts over SSH before a run: reachability, disk, memory and load.\n"
            "launch then starts mpirun on the healthy hosts only, with the words\n"
            "that are not options of this list before '--', and distmpi with the rest;\n"
            "an option of a run, or a near miss of an option, before '--' is an error.\n"
            "Without --hostfile and HOST, the hosts and slots are those of the Slurm\n"
            "(SLURM_JOB_NODELIST) or PBS (PBS_NODEFILE) allocation this runs in.\n"
            "\n"
            "  --hostfile FILE         check the hosts of an Open MPI hostfile\n"
            "  --ssh-config FILE       read this OpenSSH client config, not ~/.ssh/config\n"
            "  --connect-timeout SECONDS  give up on a host after SECONDS (default 5)\n"
            "  --concurrency N         check at most N hosts at once (default 32)\n"
            "  --min-healthy N         succeed when N hosts are healthy (default: all;\n"
            "                          launch: 1)\n"
            "  --write-hostfile FILE   write the healthy hosts as an Open MPI hostfile\n"
            "  --json                  print JSON instead of the report\n"
            "  --min-disk-free PERCENT, --max-memory-used PERCENT, --max-load PER_CORE\n"
            "                          the limits, as for a run (defaults 10, 95, 2.0)\n"
            "  --config FILE           read the limits from FILE (see distmpi.conf(5))\n"
            "  -h, --help              show this help\n"
            "\n"
            "Exit status: 0 enough hosts healthy, 1 not, 2 usage error, 3 the report or\n"
            "hostfile could not be written (launch: mpirun's status, 3 nothing started).\n");
}

static const struct option opts[] = {
    {"hostfile", required_argument, NULL, OPT_HOSTFILE},
    {"ssh-config", required_argument, NULL, OPT_SSH_CONFIG},
    {"connect-timeout", required_argument, NULL, OPT_LIMIT + SET_CONNECT_TIMEOUT},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"json", no_argument, NULL, OPT_JSON},
    {"write-hostfile", required_argument, NULL, OPT_WRITE_HOSTFILE},
    {"min-healthy", required_argument, NULL, OPT_MIN_HEALTHY},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"help", no_argument, NULL, OPT_HELP},
    {"min-disk-free", required_argument, NULL, OPT_LIMIT + SET_MIN_DISK_FREE},
    {"max-memory-used", required_argument, NULL, OPT_LIMIT + SET_MAX_MEMORY_USED},
    {"max-load", required_argument, NULL, OPT_LIMIT + SET_MAX_LOAD},
    {NULL, 0, NULL, 0},
};

/* mpirun's own options (Open MPI 4.1) that are, or are near, an option of
 * distmpi, and the common ones, with the number of values each takes: they
 * and their values always go to mpirun. */
static const struct {
    const char *name;
    int values;
} mpirun_options[] = {
    {"allow-run-as-root", 0},
    {"bind-to", 1},
    {"display-map", 0},
    {"gmca", 2},
    {"host", 1},
    {"hostfile", 1},
    {"machinefile", 1},
    {"map-by", 1},
    {"mca", 2},
    {"n", 1},
    {"np", 1},
    {"npernode", 1},
    {"oversubscribe", 0},
    {"path", 1},
    {"prefix", 1},
    {"rank-by", 1},
    {"rankfile", 1},
    {"report-bindings", 0},
    {"tag-output", 0},
    {"timeout", 1},
    {"verbose", 0},
    {"version", 0},
    {"wdir", 1},
    {"x", 1},
};

/* The values mpirun's option word takes (after it), or -1 when it is not
 * one of mpirun_options. */
static int mpirun_option_values(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof mpirun_options / sizeof *mpirun_options; i++)
        if (strlen(mpirun_options[i].name) == len && !strncmp(mpirun_options[i].name, name, len))
            return mpirun_options[i].values;
    return -1;
}

/* Whether name[0..len) is a long option of health and launch. */
static int is_health_option(const char *name, size_t len)
{
    for (const struct option *p = opts; p->name; p++)
        if (strlen(p->name) == len && !strncmp(p->name, name, len))
            return 1;
    return 0;
}

/* A word before "--" that is neither launch's nor a known one of mpirun's:
 * refused (printed; returns -1) when it is an option of the run or near an
 * option of distmpi's, else 0 (it goes to mpirun). name[0..len) is word's
 * option name, without the dashes. */
static int check_stray_option(const char *word, const char *name, size_t len)
{
    int shown = (int)(name - word + len); /* the word up to its "=" */
    const char *near = NULL;
    if (is_health_option(name, len)) { /* -max-load */
        near = name;
    } else if (cli_is_option(name, len)) {
        fprintf(stderr,
                "distmpi launch: %.*s is an option of the run: write it after '--' "
                "(see distmpi launch --help)\n",
                shown, word);
        return -1;
    } else {
        const char *names[sizeof opts / sizeof *opts];
        size_t k = 0;
        for (const struct option *p = opts; p->name; p++)
            names[k++] = p->name;
        names[k] = NULL;
        near = cli_near_option(name, len, names);
    }
    if (!near)
        return 0;
    size_t nlen = strcspn(near, "=");
    fprintf(stderr, "distmpi launch: unknown option %.*s; did you mean --%.*s%s?\n", shown, word,
            (int)nlen, near, is_health_option(near, nlen) ? "" : " (after '--')");
    return -1;
}

/* launch: split argv into what the health check reads (its options), what
 * goes to mpirun (the other words before "--") and what goes to distmpi
 * (everything after "--"). A word before "--" that looks like a long
 * option (-NAME or --NAME, NAME of 3 or more letters, digits and '-', then
 * "=..." or nothing) and is not one of mpirun_options is refused when it is
 * an option of a run or near one of distmpi's (check_stray_option).
 * Returns 0; -1 when "--" is missing; -2 for a refused word (printed). */
static int split_launch(int argc, char **argv, char **health, int *nhealth, char **mpirun,
                        int *nmpirun, char ***rest, int *nrest)
{
    *nhealth = *nmpirun = 0;
    health[(*nhealth)++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            *rest = argv + i + 1;
            *nrest = argc - i - 1;
            health[*nhealth] = NULL;
            mpirun[*nmpirun] = NULL;
            return 0;
        }
        const struct option *o = NULL;
        if (!strncmp(argv[i], "--", 2)) {
            size_t n = strcspn(argv[i] + 2, "=");
            for (const struct option *p = opts; p->name; p++)
                if (strlen(p->name) == n && !strncmp(p->name, argv[i] + 2, n))
                    o = p;
        }
        if (o) {
            health[(*nhealth)++] = argv[i];
            if (o->has_arg == required_argument && !strchr(argv[i], '=') && i + 1 < argc)
                health[(*nhealth)++] = argv[++i];
            continue;
        }
        const char *name = argv[i] + (argv[i][0] == '-') + (argv[i][0] == '-' && argv[i][1] == '-');
        size_t len = strcspn(name, "=");
        int option_like = name != argv[i] && len >= 1 &&
                          strspn(name,
                                 "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == len &&
                          name[0] != '-';
        mpirun[(*nmpirun)++] = argv[i];
        if (!option_like)
            continue;
        int values = mpirun_option_values(name, len);
        if (values < 0 && len >= 3 && check_stray_option(argv[i], name, len) < 0)
            return -2;
        for (int v = 0; v < values && !name[len] && i + 1 < argc && strcmp(argv[i + 1], "--"); v++)
            mpirun[(*nmpirun)++] = argv[++i];
    }
    return -1;
}

/* mpirun's pid once it is known (0 before and after); the signal that
 * came while there was none */
static volatile sig_atomic_t launched_pid, launch_signals, launch_caught;

/* Pass SIGINT/SIGTERM/SIGHUP on to mpirun once; a second one ends it at
 * once (a second SIGTERM during its abort has crashed mpirun 4.1). */
static void forward_signal(int sig)
{
    if (launched_pid > 0)
        kill((pid_t)launched_pid, launch_signals++ ? SIGKILL : sig);
    else
        launch_caught = sig;
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};
#define NFORWARDED (sizeof forwarded / sizeof *forwarded)

/* launch's files: a directory of its own (mkdtemp, mode 0700) in $TMPDIR or
 * /tmp, so that nobody else can plant or read anything in it, holding the
 * healthy hostfile and, when rank 0 writes it, the status file */
struct launch_files {
    char dir[PATH_MAX];
    char hostfile[PATH_MAX + 16];
    char status[PATH_MAX + 16];
    int made; /* the directory exists */
};

/* Create lf's directory and write the healthy hosts into its hostfile.
 * Returns 0, or -1 with the problem printed. */
static int launch_files_create(struct launch_files *lf, const struct host_check *hosts, long n)
{
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir)
        tmpdir = "/tmp";
    if ((size_t)snprintf(lf->dir, sizeof lf->dir, "%s/distmpi-launch.XXXXXX", tmpdir) >=
        sizeof lf->dir) {
        fprintf(stderr, "distmpi: launch: TMPDIR %s is too long\n", tmpdir);
        return -1;
    }
    if (!mkdtemp(lf->dir)) {
        fprintf(stderr, "distmpi: launch: cannot create a private directory in %s: %s\n", tmpdir,
                strerror(errno));
        return -1;
    }
    lf->made = 1;
    snprintf(lf->hostfile, sizeof lf->hostfile, "%s/hosts", lf->dir);
    snprintf(lf->status, sizeof lf->status, "%s/status", lf->dir);
    int fd = open(lf->hostfile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    struct hostfile_out o = {hosts, n};
    int rc = f && write_healthy(f, &o) == 0 ? 0 : -1;
    int saved = errno;
    if (f ? fclose(f) != 0 : fd >= 0 && close(fd) != 0)
        rc = -1;
    else
        errno = saved;
    if (rc < 0)
        fprintf(stderr, "distmpi: launch: cannot write the hostfile %s: %s\n", lf->hostfile,
                strerror(errno));
    return rc;
}

/* Remove lf's files and directory; what cannot be removed is named. */
static void launch_files_remove(const struct launch_files *lf)
{
    if (!lf->made)
        return;
    const char *files[] = {lf->status, lf->hostfile};
    for (size_t i = 0; i < 2; i++)
        if (unlink(files[i]) < 0 && errno != ENOENT)
            fprintf(stderr, "distmpi: launch: cannot remove %s: %s\n", files[i], strerror(errno));
    if (rmdir(lf->dir) < 0)
        fprintf(stderr, "distmpi: launch: cannot remove %s: %s\n", lf->dir, strerror(errno));
}

/* The status rank 0 left in path (a run that lost ranks), or -1 when there
 * is none (a run that ended normally leaves none). */
static int read_status_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            fprintf(stderr, "distmpi: launch: cannot read rank 0's status in %s: %s\n", path,
                    strerror(errno));
        return -1;
    }
    char buf[16];
    ssize_t len = read(fd, buf, sizeof buf - 1);
    int saved = errno;
    close(fd);
    if (len < 0) {
        fprintf(stderr, "distmpi: launch: cannot read rank 0's status in %s: %s\n", path,
                strerror(saved));
        return -1;
    }
    buf[len] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || (*end && strcmp(end, "\n")) || v < 0 || v > 255) {
        fprintf(stderr, "distmpi: launch: %s does not hold an exit status\n", path);
        return -1;
    }
    return (int)v;
}

/* Start mpirun on the healthy hosts and wait for it. Returns its status
 * (rank 0's, when it left one), 3 when it could not be started or waited
 * for, or 128+N for a signal N that came before mpirun was there. */
static int launch(const struct host_check *hosts, long n, char **mpirun_args, int nmpirun,
                  char **rest, int nrest)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "distmpi: cannot find my own path: %s\n", strerror(errno));
        return 3;
    }
    self[len] = '\0';
    const char *mpirun = getenv("DISTMPI_MPIRUN");
    if (!mpirun || !*mpirun)
        mpirun = "mpirun";
    char **argv = calloc((size_t)(nmpirun + nrest + 7), sizeof *argv);
    if (!argv) {
        fprintf(stderr, "distmpi: out of memory\n");
        return 3;
    }

    /* the signals wait until mpirun's pid is known (or there is none):
     * one that comes meanwhile is then forwarded, not lost */
    sigset_t block, old_mask;
    sigemptyset(&block);
    for (size_t i = 0; i < NFORWARDED; i++)
        sigaddset(&block, forwarded[i]);
    struct sigaction sa = {.sa_handler = forward_signal}, old_act[NFORWARDED], dfl = {0};
    sa.sa_mask = block;
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    /* a caller that ignores SIGCHLD would leave nothing to wait for (and
     * mpirun, which inherits it, nothing to wait for either) */
    if (sigprocmask(SIG_BLOCK, &block, &old_mask) < 0 || sigaction(SIGCHLD, &dfl, NULL) < 0) {
        fprintf(stderr, "distmpi: launch: cannot set up the signals: %s\n", strerror(errno));
        free(argv);
        return 3;
    }
    /* one the caller ignores (nohup, a background job's SIGINT) stays
     * ignored, for mpirun too, as without launch */
    int ignored[NFORWARDED];
    for (size_t i = 0; i < NFORWARDED; i++) { /* valid signals: cannot fail */
        sigaction(forwarded[i], NULL, &old_act[i]);
        ignored[i] = old_act[i].sa_handler == SIG_IGN;
        if (!ignored[i])
            sigaction(forwarded[i], &sa, NULL);
    }

    int status = 3;
    pid_t pid = -1;
    struct launch_files lf = {.made = 0};
    if (launch_files_create(&lf, hosts, n) < 0)
        goto out;
    /* a run that loses a host can only end by rank 0 killing mpirun (see
     * main.c): it creates this file with its real exit status for us */
    if (setenv("DISTMPI_STATUS_FILE", lf.status, 1) < 0) {
        fprintf(stderr, "distmpi: launch: cannot set DISTMPI_STATUS_FILE: %s\n", strerror(errno));
        goto out;
    }
    int k = 0;
    argv[k++] = (char *)mpirun;
    argv[k++] = "--hostfile";
    argv[k++] = lf.hostfile;
    /* to rank 0 wherever it runs; on another host it finds no such
     * directory, says so and launch exits with mpirun's status */
    argv[k++] = "-x";
    argv[k++] = "DISTMPI_STATUS_FILE";
    for (int i = 0; i < nmpirun; i++)
        argv[k++] = mpirun_args[i];
    argv[k++] = self;
    for (int i = 0; i < nrest; i++)
        argv[k++] = rest[i];
    argv[k] = NULL;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        for (size_t i = 0; i < NFORWARDED; i++)
            if (!ignored[i])
                sigaction(forwarded[i], &dfl, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "distmpi: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        fprintf(stderr, "distmpi: cannot start %s: %s\n", argv[0], strerror(errno));
        goto out;
    }
    launched_pid = (sig_atomic_t)pid;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    int wait_errno = errno;
    sigprocmask(SIG_BLOCK, &block, NULL);
    launched_pid = 0; /* its pid may be reused now */
    if (w < 0) {
        fprintf(stderr, "distmpi: launch: cannot wait for %s (pid %ld): %s\n", argv[0], (long)pid,
                strerror(wait_errno));
        goto out;
    }
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    int real = read_status_file(lf.status);
    if (real >= 0)
        status = real;
out:
    launch_files_remove(&lf);
    free(argv);
    /* what came meanwhile is taken now; one that found no mpirun to pass
     * it on to is launch's exit status */
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    return pid <= 0 && launch_caught ? 128 + launch_caught : status;
}

static int parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

int healthcmd_main(int argc, char **argv, int launching)
{
    char **mpirun_args = NULL, **rest = NULL, **health_argv = NULL;
    int nmpirun = 0, nrest = 0;
    if (launching) {
        health_argv = calloc((size_t)argc + 1, sizeof *health_argv);
        mpirun_args = calloc((size_t)argc + 1, sizeof *mpirun_args);
        int argc0 = argc;
        int split = !health_argv || !mpirun_args
                        ? -1
                        : split_launch(argc, argv, health_argv, &argc, mpirun_args, &nmpirun, &rest,
                                       &nrest);
        if (split == -2) {
            free(health_argv);
            free(mpirun_args);
            return 2;
        }
        if (split < 0) {
            for (int i = 1; health_argv && i < argc0; i++) {
                if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                    usage(stdout);
                    free(health_argv);
                    free(mpirun_args);
                    return 0;
                }
            }
            fprintf(stderr,
                    "distmpi: launch: write the distmpi options and the command after "
                    "'--' (see distmpi launch --help)\n");
            free(health_argv);
            free(mpirun_args);
            return 2;
        }
        argv = health_argv;
    }
    const char *hostfile_path = NULL, *write_path = NULL, *config_path = NULL;
    struct sshprobe_opts so = {.ssh_config = NULL, .timeout = 5};
    double concurrency = 32, min_healthy = -1;
    int json = 0, status = 2;
    struct error e;
    struct settings s;
    settings_init(&s);
    struct hostfile *hf = NULL;
    struct allocation alloc = {.kind = ALLOC_NONE};
    struct host_check *hosts = NULL;

    optind = 0;
    opterr = 0;
    int val;
    while ((val = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        const char *word = argv[optind - 1];
        switch (val) {
        case OPT_HOSTFILE:
            hostfile_path = optarg;
            break;
        case OPT_SSH_CONFIG:
            so.ssh_config = optarg;
            break;
        case OPT_WRITE_HOSTFILE:
            write_path = optarg;
            break;
        case OPT_CONFIG:
            config_path = optarg;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_CONCURRENCY:
            if (parse_number(optarg, 1, 4096, &concurrency) < 0 ||
                concurrency != (long)concurrency) {
                fprintf(stderr, "distmpi: --concurrency: '%s' is not a whole number 1 to 4096\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_MIN_HEALTHY:
            if (parse_number(optarg, 0, 1e9, &min_healthy) < 0 ||
                min_healthy != (long)min_healthy) {
                fprintf(stderr, "distmpi: --min-healthy: '%s' is not a whole number >= 0\n",
                        optarg);
                goto out;
            }
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            status = 0;
            goto out;
        case ':':
            fprintf(stderr, "distmpi: health: option '%s' needs a value\n", word);
            goto out;
        case '?':
            fprintf(stderr, "distmpi: health: unknown option '%s' (see distmpi health --help)\n",
                    word);
            goto out;
        default: {
            const struct setting_desc *d = &settings_table[val - OPT_LIMIT];
            if (settings_set_string(&s, d, optarg, SOURCE_FLAG, &e) < 0) {
                fprintf(stderr, "distmpi: --%s: %s\n", d->name, e.text);
                goto out;
            }
        }
        }
    }
    int required;
    const char *conf = conffile_choose(config_path, getenv("DISTMPI_CONFIG"),
                                       SYSCONFDIR "/distmpi.conf", &required);
    if (conf && conffile_load(conf, &s, &e) < 0) {
        fprintf(stderr, "distmpi: %s\n", e.text);
        goto out;
    }
    if (so.ssh_config && access(so.ssh_config, R_OK) < 0) {
        fprintf(stderr, "distmpi: %s: %s\n", so.ssh_config, strerror(errno));
        goto out;
    }
    if (hostfile_path && hostfile_load(hostfile_path, &hf, &e) < 0) {
        fprintf(stderr, "distmpi: %s\n", e.text);
        goto out;
    }
    /* no hosts given: those of the batch allocation this runs in, if any */
    if (!hostfile_path && argc == optind) {
        if (alloc_from_env(getenv, &alloc, &e) < 0) {
            fprintf(stderr, "distmpi: %s: %s\n", launching ? "launch" : "health", e.text);
            goto out;
        }
        hf = alloc.hosts;
    }
    if (launching && (!hf || argc > optind)) {
        fprintf(stderr,
                "distmpi: launch: give the hosts with --hostfile FILE, or run "
                "inside a Slurm or PBS allocation\n");
        goto out;
    }
    long n = (hf ? hf->count : 0) + (argc - optind);
    if (n == 0) {
        fprintf(stderr,
                "distmpi: health: no hosts given (--hostfile FILE or HOST..., or run "
                "inside a Slurm or PBS allocation)\n");
        goto out;
    }
    hosts = calloc((size_t)n, sizeof *hosts);
    if (!hosts) {
        fprintf(stderr, "distmpi: out of memory\n");
        status = 3;
        goto out;
    }
    long k = 0;
    for (long i = 0; hf && i < hf->count; i++, k++) {
        hosts[k].name = hf->hosts[i].name;
        hosts[k].user = hf->hosts[i].user;
        hosts[k].slots = hf->hosts[i].slots;
    }
    for (int i = optind; i < argc; i++) {
        /* a host named twice is checked once (and written once) */
        int seen = 0;
        for (long j = 0; j < k && !seen; j++)
            seen = !strcmp(hosts[j].name, argv[i]);
        if (!seen)
            hosts[k++].name = argv[i];
    }
    n = k;

    so.timeout = s.connect_timeout; /* the flag, else the config file, else 5 */
    if (sshprobe_init() < 0) {
        fprintf(stderr, "distmpi: libssh could not be initialised\n");
        status = 3;
        goto out;
    }
    int checked = check_all(hosts, n, (long)concurrency, &so);
    sshprobe_finish();
    if (checked < 0) {
        fprintf(stderr, "distmpi: out of memory\n");
        status = 3;
        goto out;
    }
    struct health_limits limits = {.min_disk_free = s.min_disk_free / 100,
                                   .max_mem_used = s.max_memory_used / 100,
                                   .max_load_per_core = s.max_load};
    long healthy = 0;
    for (long i = 0; i < n; i++) {
        judge(&hosts[i], &limits);
        healthy += hosts[i].healthy;
    }
    /* health asks for every host by default; launch runs on what is healthy */
    long need = min_healthy >= 0 ? (long)min_healthy : launching ? 1 : n;
    errno = 0;
    const char *from = alloc_kind_name(alloc.kind);
    int printed;
    if (json)
        printed = healthreport_json(stdout, hosts, n, healthy, need, from);
    else if (from && printf("Hosts: %s\n\n", alloc.source) < 0) /* where they came from */
        printed = -1;
    else
        printed = healthreport_print(stdout, hosts, n, healthy, isatty(STDOUT_FILENO));
    if (fflush(stdout) == EOF || printed < 0 || ferror(stdout)) {
        /* a report nobody can read is no pre-flight check: nothing starts */
        fprintf(stderr, "distmpi: %s: cannot write the report to standard output: %s\n",
                launching ? "launch" : "health", errno ? strerror(errno) : "write error");
        status = 3;
        goto out;
    }
    status = healthy >= need ? 0 : 1;
    if (launching) {
        if (healthy == 0 || healthy < need) {
            fprintf(stderr, "distmpi: %ld of %ld hosts healthy (need %ld): nothing launched\n",
                    healthy, n, need ? need : 1);
            status = 3;
            goto out;
        }
        status = launch(hosts, n, mpirun_args, nmpirun, rest, nrest);
        goto out;
    }
    if (write_path) {
        struct hostfile_out o = {hosts, n};
        if (fs_write_atomic(write_path, write_healthy, &o, &e) < 0) {
            fprintf(stderr, "distmpi: cannot write %s\n", e.text);
            status = 3;
        }
    }
out:
    free(health_argv);
    free(mpirun_args);
    free(hosts);
    hostfile_destroy(hf);
    settings_free(&s);
    return status;
}
