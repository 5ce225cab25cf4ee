/* SPDX-License-Identifier: BSD-3-Clause */
/* settings.h - every run setting, its default, and the one table that both the
 * command line and the configuration file are built from.
 *
 * Pure: no I/O, no MPI, no globals besides the constant table.
 */
#ifndef DISTMPI_SETTINGS_H
#define DISTMPI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum schedule { SCHEDULE_DYNAMIC, SCHEDULE_STATIC };

enum progress_mode { PROGRESS_AUTO, PROGRESS_BARS, PROGRESS_LINES, PROGRESS_NONE };

/* Where a setting's value came from; later sources win. */
enum setting_source { SOURCE_DEFAULT, SOURCE_CONFIG, SOURCE_FLAG };

enum setting_type {
    SETTING_INT,    /* long, bounded by min/max */
    SETTING_DOUBLE, /* double seconds or fraction, bounded by min/max */
    SETTING_STRING, /* heap string, NULL when unset */
    SETTING_BOOL,   /* flag without argument on the command line */
    SETTING_CHOICE, /* one of choices[], stored as its index (int) */
};

enum setting_id {
    SET_SHARDS,
    SET_SCHEDULE,
    SET_DRY_RUN,
    SET_TASKS,
    SET_ITEMS,
    SET_ITEMS_COMMAND,
    SET_TIMEOUT,
    SET_KILL_GRACE,
    SET_RETRIES,
    SET_RETRY_ELSEWHERE,
    SET_BACKOFF,
    SET_BACKOFF_MAX,
    SET_BACKOFF_JITTER,
    SET_RUN_DIR,
    SET_JSON,
    SET_SKIP_HEALTH,
    SET_HEALTH_INTERVAL,
    SET_MIN_DISK_FREE,
    SET_MAX_MEMORY_USED,
    SET_MAX_LOAD,
    SET_LOAD_WAIT,
    SET_CONNECT_TIMEOUT,
    SET_PROGRESS,
    SET_JUNIT,
    SET_LOGS,
    SET_MAX_LOG_BYTES,
    SET_STREAM,
    SET_COLLECT,
    SET_RETRY_COMMAND,
    SET_HTML,
    SET_HTML_INTERVAL,
    SET_METRICS,
    SET_JOURNAL,
    SET_RESUME,
    SET_RERUN_FAILED,
    SET_FORCE_RESUME,
    SET_MAX_FAILURES,
    SET_FAIL_FAST,
    SET_HEARTBEAT_TIMEOUT,
    SET_HISTORY,
    SET_NO_HISTORY,
    SET_HISTORY_WAIT,
    SET_SPECULATE,
    SET_NOTIFY_COMMAND,
    SET_NOTIFY_TIMEOUT,
    SET_FAIL_ON_FLAKY,
    SET_COUNT
};

struct settings {
    long shards;  /* 0: one shard per rank */
    int schedule; /* enum schedule */
    bool dry_run;
    char *tasks;              /* task file, or NULL for a command */
    char *items;              /* --items: the work items' file, or NULL */
    char *items_command;      /* --items-command: what prints them, or NULL */
    double timeout;           /* seconds per attempt; 0: none */
    double kill_grace;        /* seconds between SIGTERM and SIGKILL */
    long retries;             /* retries after the first attempt */
    bool retry_elsewhere;     /* an exec error's next attempt goes to another host */
    double backoff;           /* first retry delay, seconds */
    double backoff_max;       /* cap on any retry delay, seconds */
    double backoff_jitter;    /* +/- fraction applied to each delay */
    char *run_dir;            /* NULL: distmpi-runs/RUN_ID */
    char *json;               /* JSON report path, or NULL */
    bool skip_health;         /* no health checks at all */
    double health_interval;   /* seconds between probes during the run */
    double min_disk_free;     /* percent free in the working directory */
    double max_memory_used;   /* percent of memory in use */
    double max_load;          /* load from other work now, per core */
    double load_wait;         /* seconds to wait at the start for a host busy with other work */
    double connect_timeout;   /* distmpi health/launch: seconds per host */
    int progress;             /* enum progress_mode */
    char *junit;              /* JUnit XML report path, or NULL */
    char *logs;               /* where rank 0 stores the logs; NULL: the run directory */
    long max_log_bytes;       /* per attempt: the head and the tail, half each */
    bool stream;              /* print the shards' output live */
    char *collect;            /* file pattern fetched after each shard, or NULL */
    char *retry_command;      /* /bin/sh line a retry runs for the failed tests, or NULL */
    char *html;               /* HTML report path, or NULL */
    double html_interval;     /* the HTML report rewritten this often during the run; 0: not */
    char *metrics;            /* --metrics: OpenMetrics text file, or NULL */
    char *journal;            /* NULL: RUN_DIR/journal.jsonl */
    char *resume;             /* journal of the run to finish, or NULL */
    char *rerun_failed;       /* journal whose failed shards run again, or NULL */
    bool force_resume;        /* use a journal of another command or shard count */
    long max_failures;        /* start no shard once this many did not pass; 0: no limit */
    bool fail_fast;           /* the same as max_failures 1 */
    double heartbeat_timeout; /* a rank silent this long is lost; 0: never */
    char *history;            /* the timing history; NULL: DEFAULT_HISTORY */
    bool no_history;          /* keep and use none */
    double history_wait;      /* seconds the save waits for another run's lock */
    bool fail_on_flaky;       /* a flaky shard or test makes the exit status 1 */
    bool speculate;           /* a second copy of the last shards on idle slots */
    char *notify_command;     /* run at the end with the outcome; NULL: none */
    double notify_timeout;    /* seconds it may run; 0: no limit */
    enum setting_source source[SET_COUNT];
};

struct setting_desc {
    enum setting_id id;
    const char *name; /* long option; config key is the same with '_' for '-' */
    int short_opt;    /* 0 when none */
    enum setting_type type;
    size_t offset;              /* offset of the value in struct settings */
    double min, max;            /* inclusive bounds for INT and DOUBLE */
    const char *const *choices; /* NULL-terminated, for CHOICE */
    const char *arg;            /* argument name for --help, NULL for BOOL */
    const char *help;           /* one line for --help */
    bool cli_only;              /* not a key of the configuration file */
};

/* The table, SET_COUNT entries in enum order. */
extern const struct setting_desc settings_table[SET_COUNT];

/* Where the timing history is kept unless --history says: in the working
 * directory of rank 0 (under mpirun, where mpirun was started). */
#define DEFAULT_HISTORY ".distmpi/history.json"

/* The timing history this run keeps and uses, or NULL for none: --no-history
 * turns it off, --history FILE on (a flag beats the configuration file, so
 * --history wins over no_history = true there); else the file's no_history,
 * else its history, else DEFAULT_HISTORY. */
const char *settings_history(const struct settings *s);

/* Fill s with the defaults. */
void settings_init(struct settings *s);

/* Free the strings s owns; s may then be reused after settings_init. */
void settings_free(struct settings *s);

/* Look a setting up by long option name ("backoff-max") or config key
 * ("backoff_max"). Returns NULL when there is none. */
const struct setting_desc *settings_find(const char *name);

/* Parse text as the value of d and store it in s with the given source.
 * Returns 0, or -1 with a one-line reason (no file or flag name) in err:
 * the caller puts the flag or "FILE:LINE: key" in front (errprefix). */
int settings_set_string(struct settings *s, const struct setting_desc *d, const char *text,
                        enum setting_source src, struct error *err);

/* Store typed values (used by the config loader, which knows the types).
 * Same return convention; the value is range-checked. */
int settings_set_long(struct settings *s, const struct setting_desc *d, long v,
                      enum setting_source src, struct error *err);
int settings_set_double(struct settings *s, const struct setting_desc *d, double v,
                        enum setting_source src, struct error *err);

/* Check relations between settings (backoff <= backoff-max, ...).
 * Returns 0, or -1 with a reason in err. */
int settings_validate(const struct settings *s, struct error *err);

const char *schedule_name(int schedule);

#endif
