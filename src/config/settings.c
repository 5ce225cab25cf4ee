/* SPDX-License-Identifier: BSD-3-Clause */
/* settings.c - the settings table, defaults and typed, range-checked setters. */
#include "config.h"

#include "config/settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/result.h"

static const char *const schedule_choices[] = {"dynamic", "static", NULL};
static const char *const progress_choices[] = {"auto", "bars", "lines", "none", NULL};

#define OFF(field) offsetof(struct settings, field)

/* Keep in enum setting_id order; man/distmpi.1 and man/distmpi.conf.5
 * document every entry (tests/t0010-manpage.t checks the options). The
 * cli_only ones say what one run does with an earlier one: in a
 * configuration file they would apply to every run. */
const struct setting_desc settings_table[SET_COUNT] = {
    {SET_SHARDS, "shards", 'n', SETTING_INT, OFF(shards), 1, 10000000, NULL, "N",
     "number of shards (default: one per rank)", false},
    {SET_SCHEDULE, "schedule", 0, SETTING_CHOICE, OFF(schedule), 0, 0, schedule_choices,
     "dynamic|static", "hand shards to free ranks, or plan by cores up front (default dynamic)",
     false},
    {SET_DRY_RUN, "dry-run", 0, SETTING_BOOL, OFF(dry_run), 0, 0, NULL, NULL,
     "print hosts, cores and plan; run nothing", false},
    {SET_TASKS, "tasks", 0, SETTING_STRING, OFF(tasks), 0, 0, NULL, "FILE",
     "run line N of FILE as shard N, through /bin/sh -c", false},
    {SET_ITEMS, "items", 0, SETTING_STRING, OFF(items), 0, 0, NULL, "FILE",
     "work items, one per line: packed into batches, each run with {items} as its items", false},
    {SET_ITEMS_COMMAND, "items-command", 0, SETTING_STRING, OFF(items_command), 0, 0, NULL, "CMD",
     "the work items are what CMD prints (run with /bin/sh -c on rank 0)", false},
    {SET_TIMEOUT, "timeout", 0, SETTING_DOUBLE, OFF(timeout), 0, 1e9, NULL, "SECONDS",
     "end an attempt after SECONDS (default 0: no limit)", false},
    {SET_KILL_GRACE, "kill-grace", 0, SETTING_DOUBLE, OFF(kill_grace), 0, 3600, NULL, "SECONDS",
     "wait between SIGTERM and SIGKILL (default 5)", false},
    {SET_RETRIES, "retries", 0, SETTING_INT, OFF(retries), 0, RETRIES_MAX, NULL, "N",
     "retry a failed shard N times on its rank (default 2)", false},
    {SET_RETRY_ELSEWHERE, "retry-elsewhere", 0, SETTING_BOOL, OFF(retry_elsewhere), 0, 0, NULL,
     NULL, "retry a shard that could not start on a rank of another host", false},
    {SET_BACKOFF, "backoff", 0, SETTING_DOUBLE, OFF(backoff), 0, 86400, NULL, "SECONDS",
     "delay before the first retry, doubled for each next one (default 5)", false},
    {SET_BACKOFF_MAX, "backoff-max", 0, SETTING_DOUBLE, OFF(backoff_max), 0, 86400, NULL, "SECONDS",
     "longest delay between retries (default 300)", false},
    {SET_BACKOFF_JITTER, "backoff-jitter", 0, SETTING_DOUBLE, OFF(backoff_jitter), 0, 1, NULL,
     "FRACTION", "randomise each delay by up to +/- FRACTION (default 0.1)", false},
    {SET_RUN_DIR, "run-dir", 0, SETTING_STRING, OFF(run_dir), 0, 0, NULL, "DIR",
     "directory for this run's shard output (default distmpi-runs/RUN_ID)", false},
    {SET_JSON, "json", 0, SETTING_STRING, OFF(json), 0, 0, NULL, "FILE",
     "write every shard's result and the summary as JSON to FILE", false},
    {SET_SKIP_HEALTH, "skip-health-checks", 0, SETTING_BOOL, OFF(skip_health), 0, 0, NULL, NULL,
     "send work to every host, whatever its disk, memory and load", false},
    {SET_HEALTH_INTERVAL, "health-interval", 0, SETTING_DOUBLE, OFF(health_interval), 0.1, 86400,
     NULL, "SECONDS", "probe each host's health this often during the run (default 30)", false},
    {SET_MIN_DISK_FREE, "min-disk-free", 0, SETTING_DOUBLE, OFF(min_disk_free), 0, 100, NULL,
     "PERCENT", "a host needs this much disk free in the working directory (default 10)", false},
    {SET_MAX_MEMORY_USED, "max-memory-used", 0, SETTING_DOUBLE, OFF(max_memory_used), 0, 100, NULL,
     "PERCENT", "a host may have at most this much memory in use (default 95)", false},
    {SET_MAX_LOAD, "max-load", 0, SETTING_DOUBLE, OFF(max_load), 0, 1e6, NULL, "PER_CORE",
     "a host's load from other work may be at most this per core (default 2.0)", false},
    {SET_LOAD_WAIT, "load-wait", 0, SETTING_DOUBLE, OFF(load_wait), 0, 86400, NULL, "SECONDS",
     "at the start, wait up to SECONDS for a host busy with other work (default 30)", false},
    {SET_CONNECT_TIMEOUT, "connect-timeout", 0, SETTING_DOUBLE, OFF(connect_timeout), 0.1, 3600,
     NULL, "SECONDS", "distmpi health and launch: give up on a host after SECONDS (default 5)",
     false},
    {SET_PROGRESS, "progress", 0, SETTING_CHOICE, OFF(progress), 0, 0, progress_choices,
     "auto|bars|lines|none", "live bars on a terminal, else a line per shard (default auto)",
     false},
    {SET_JUNIT, "junit", 0, SETTING_STRING, OFF(junit), 0, 0, NULL, "FILE",
     "write a JUnit XML report (one testsuite per shard) to FILE", false},
    {SET_LOGS, "logs", 0, SETTING_STRING, OFF(logs), 0, 0, NULL, "DIR",
     "store every attempt's output on rank 0 under DIR (default: the run directory)", false},
    {SET_MAX_LOG_BYTES, "max-log-bytes", 0, SETTING_INT, OFF(max_log_bytes), 1024, 1e15, NULL,
     "BYTES", "keep the first and last BYTES/2 of each attempt's output (default 10485760)", false},
    {SET_STREAM, "stream", 0, SETTING_BOOL, OFF(stream), 0, 0, NULL, NULL,
     "print the shards' output as it comes, each line prefixed with host and shard", false},
    {SET_COLLECT, "collect", 0, SETTING_STRING, OFF(collect), 0, 0, NULL, "PATTERN",
     "after each shard, fetch the files matching PATTERN from its host (JUnit: merged)", false},
    {SET_RETRY_COMMAND, "retry-command", 0, SETTING_STRING, OFF(retry_command), 0, 0, NULL,
     "TEMPLATE", "retry with the /bin/sh line TEMPLATE, {failed} being the tests that failed",
     false},
    {SET_HTML, "html", 0, SETTING_STRING, OFF(html), 0, 0, NULL, "FILE",
     "write a self-contained HTML report with a timeline of every slot to FILE", false},
    {SET_HTML_INTERVAL, "html-interval", 0, SETTING_DOUBLE, OFF(html_interval), 0, 86400, NULL,
     "SECONDS", "rewrite the --html report every SECONDS during the run (default 5, 0: at the end)",
     false},
    {SET_METRICS, "metrics", 0, SETTING_STRING, OFF(metrics), 0, 0, NULL, "FILE",
     "write the run's counts as OpenMetrics text to FILE, during the run and at its end", false},
    {SET_JOURNAL, "journal", 0, SETTING_STRING, OFF(journal), 0, 0, NULL, "FILE",
     "record every result in FILE, synced to disk (default RUN_DIR/journal.jsonl)", false},
    {SET_RESUME, "resume", 0, SETTING_STRING, OFF(resume), 0, 0, NULL, "JOURNAL",
     "run only the shards that did not pass in the run JOURNAL records (last: the newest "
     "journal under the run directory)",
     true},
    {SET_RERUN_FAILED, "rerun-failed", 0, SETTING_STRING, OFF(rerun_failed), 0, 0, NULL, "JOURNAL",
     "run again only the shards that failed, timed out or crashed in JOURNAL (or last)", true},
    {SET_FORCE_RESUME, "force-resume", 0, SETTING_BOOL, OFF(force_resume), 0, 0, NULL, NULL,
     "resume from a journal of another command or shard count", true},
    {SET_MAX_FAILURES, "max-failures", 0, SETTING_INT, OFF(max_failures), 0, 10000000, NULL, "N",
     "start no more shards once N have not passed (default 0: no limit)", false},
    {SET_FAIL_FAST, "fail-fast", 0, SETTING_BOOL, OFF(fail_fast), 0, 0, NULL, NULL,
     "start no more shards after the first that does not pass (--max-failures 1)", false},
    {SET_HEARTBEAT_TIMEOUT, "heartbeat-timeout", 0, SETTING_DOUBLE, OFF(heartbeat_timeout), 0,
     86400, NULL, "SECONDS",
     "a rank silent this long is lost; its shards run elsewhere (default 30, 0: never)", false},
    {SET_HISTORY, "history", 0, SETTING_STRING, OFF(history), 0, 0, NULL, "FILE",
     "keep each shard's duration in FILE; run the longest first (default " DEFAULT_HISTORY ")",
     false},
    {SET_NO_HISTORY, "no-history", 0, SETTING_BOOL, OFF(no_history), 0, 0, NULL, NULL,
     "keep no timing history, and run the shards in their order", false},
    {SET_HISTORY_WAIT, "history-wait", 0, SETTING_DOUBLE, OFF(history_wait), 0, 86400, NULL,
     "SECONDS", "wait at most SECONDS for another run's save of the history (default 60)", false},
    {SET_SPECULATE, "speculate", 0, SETTING_BOOL, OFF(speculate), 0, 0, NULL, NULL,
     "give the last shards a second copy on idle slots; the first to pass counts", false},
    {SET_NOTIFY_COMMAND, "notify-command", 0, SETTING_STRING, OFF(notify_command), 0, 0, NULL,
     "CMD", "at the end of the run, run CMD with the outcome in DISTMPI_* variables", false},
    {SET_NOTIFY_TIMEOUT, "notify-timeout", 0, SETTING_DOUBLE, OFF(notify_timeout), 0, 86400, NULL,
     "SECONDS", "stop a --notify-command still running after SECONDS (default 30)", false},
    {SET_FAIL_ON_FLAKY, "fail-on-flaky", 0, SETTING_BOOL, OFF(fail_on_flaky), 0, 0, NULL, NULL,
     "exit 1 when a shard or a collected test failed before it passed", false},
};

const char *settings_history(const struct settings *s)
{
    bool flag_on = s->source[SET_HISTORY] == SOURCE_FLAG;
    bool flag_off = s->source[SET_NO_HISTORY] == SOURCE_FLAG && s->no_history;
    if (flag_off || (s->no_history && !flag_on))
        return NULL;
    return s->history ? s->history : DEFAULT_HISTORY;
}

void settings_init(struct settings *s)
{
    memset(s, 0, sizeof *s);
    s->shards = 0;
    s->schedule = SCHEDULE_DYNAMIC;
    s->dry_run = false;
    s->timeout = 0;
    s->kill_grace = 5;
    s->retries = 2;
    s->backoff = 5;
    s->backoff_max = 300;
    s->backoff_jitter = 0.1;
    s->skip_health = false;
    s->health_interval = 30;
    s->min_disk_free = 10;
    s->max_memory_used = 95;
    s->max_load = 2.0;
    s->load_wait = 30;
    s->connect_timeout = 5;
    s->max_log_bytes = 10485760;
    s->heartbeat_timeout = 30;
    s->notify_timeout = 30;
    s->history_wait = 60; /* HISTORY_LOCK_WAIT, the history's own default */
    s->html_interval = 5;
    for (int i = 0; i < SET_COUNT; i++)
        s->source[i] = SOURCE_DEFAULT;
}

void settings_free(struct settings *s)
{
    if (!s)
        return;
    for (int i = 0; i < SET_COUNT; i++) {
        const struct setting_desc *d = &settings_table[i];
        if (d->type == SETTING_STRING) {
            char **p = (char **)((char *)s + d->offset);
            free(*p);
            *p = NULL;
        }
    }
}

const struct setting_desc *settings_find(const char *name)
{
    for (int i = 0; i < SET_COUNT; i++) {
        const char *a = settings_table[i].name;
        const char *b = name;
        /* '-' in the option name matches '_' in the config key */
        while (*a && (*a == *b || (*a == '-' && *b == '_'))) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return &settings_table[i];
    }
    return NULL;
}

static void *field(struct settings *s, const struct setting_desc *d)
{
    return (char *)s + d->offset;
}

int settings_set_long(struct settings *s, const struct setting_desc *d, long v,
                      enum setting_source src, struct error *err)
{
    if (d->type == SETTING_DOUBLE)
        return settings_set_double(s, d, (double)v, src, err);
    if (d->type != SETTING_INT)
        return errprintf(err, "expects %s, not a number",
                         d->type == SETTING_BOOL ? "true or false" : "a string");
    if ((double)v < d->min || (double)v > d->max)
        return errprintf(err, "%ld is out of range (%.0f to %.0f)", v, d->min, d->max);
    *(long *)field(s, d) = v;
    s->source[d->id] = src;
    return 0;
}

int settings_set_double(struct settings *s, const struct setting_desc *d, double v,
                        enum setting_source src, struct error *err)
{
    if (d->type != SETTING_DOUBLE) {
        if (d->type == SETTING_INT && v == floor(v) && fabs(v) < 1e15)
            return settings_set_long(s, d, (long)v, src, err);
        return errprintf(err, "expects %s", d->type == SETTING_INT ? "a whole number" : "a string");
    }
    if (!isfinite(v) || v < d->min || v > d->max)
        return errprintf(err, "%g is out of range (%g to %g)", v, d->min, d->max);
    *(double *)field(s, d) = v;
    s->source[d->id] = src;
    return 0;
}

static int parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int settings_set_string(struct settings *s, const struct setting_desc *d, const char *text,
                        enum setting_source src, struct error *err)
{
    switch (d->type) {
    case SETTING_INT: {
        long v;
        if (parse_long(text, &v) < 0)
            return errprintf(err, "'%s' is not a whole number", text);
        return settings_set_long(s, d, v, src, err);
    }
    case SETTING_DOUBLE: {
        double v;
        if (parse_double(text, &v) < 0)
            return errprintf(err, "'%s' is not a number of seconds", text);
        return settings_set_double(s, d, v, src, err);
    }
    case SETTING_STRING: {
        if (text[0] == '\0')
            return errprintf(err, "must not be empty");
        char *copy = strdup(text);
        if (!copy)
            return errprintf(err, "out of memory");
        char **p = field(s, d);
        free(*p);
        *p = copy;
        s->source[d->id] = src;
        return 0;
    }
    case SETTING_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "1")) {
            *(bool *)field(s, d) = true;
        } else if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "0")) {
            *(bool *)field(s, d) = false;
        } else {
            return errprintf(err, "'%s' is not true or false", text);
        }
        s->source[d->id] = src;
        return 0;
    case SETTING_CHOICE:
        for (int i = 0; d->choices[i]; i++) {
            if (!strcmp(text, d->choices[i])) {
                *(int *)field(s, d) = i;
                s->source[d->id] = src;
                return 0;
            }
        }
        return errprintf(err, "'%s' is not one of %s", text, d->arg);
    }
    return errprintf(err, "unknown setting type");
}

int settings_validate(const struct settings *s, struct error *err)
{
    if (s->resume && s->rerun_failed)
        return errprintf(err, "give either --resume or --rerun-failed, not both");
    if (s->backoff > s->backoff_max)
        return errprintf(err, "--backoff (%g) is larger than --backoff-max (%g)", s->backoff,
                         s->backoff_max);
    return 0;
}

const char *schedule_name(int schedule)
{
    return schedule_choices[schedule == SCHEDULE_STATIC ? 1 : 0];
}
