/* SPDX-License-Identifier: BSD-3-Clause */
/* report_json.c - the JSON report, written with jansson one shard at a
 * time: the document without its shards is built and dumped, then each
 * shard's object is built, dumped in its place and freed, so that rank 0
 * never holds more than one shard's tree. The bytes are those jansson
 * writes for the whole tree with JSON_INDENT(2). */
#include "config.h"

#include "report/report_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/timeutil.h"
#include "report/verdict_gather.h"

static json_t *iso(double t)
{
    char buf[40];
    time_format_iso(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
    /* jansson refuses invalid UTF-8; a path or message is kept readable */
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = strdup(s);
    if (!copy)
        return json_null();
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j ? j : json_null();
}

static json_t *tally_json(const struct tally *t, json_t *o)
{
    json_object_set_new(o, "shards", json_integer(t->shards));
    json_object_set_new(o, "passed",
                        json_integer(t->count[STATUS_PASSED] + t->count[STATUS_FLAKY]));
    json_object_set_new(o, "flaky", json_integer(t->count[STATUS_FLAKY]));
    json_object_set_new(o, "failed", json_integer(t->count[STATUS_FAILED]));
    json_object_set_new(o, "timeout", json_integer(t->count[STATUS_TIMEOUT]));
    json_object_set_new(o, "crashed", json_integer(t->count[STATUS_CRASHED]));
    json_object_set_new(o, "exec_error", json_integer(t->count[STATUS_EXEC_ERROR]));
    json_object_set_new(o, "lost", json_integer(t->count[STATUS_LOST]));
    json_object_set_new(o, "interrupted", json_integer(t->count[STATUS_INTERRUPTED]));
    json_object_set_new(o, "skipped", json_integer(t->count[STATUS_SKIPPED]));
    json_object_set_new(o, "retries", json_integer(t->retries));
    json_object_set_new(o, "busy", json_real(t->busy));
    return o;
}

/* host names where the shard's own host is: an attempt of a carried result
 * (rank -1) ran where the result did */
static json_t *attempt_json(const struct cluster *c, const struct attempt *a, json_t *shard_host)
{
    json_t *o = json_object();
    int ran = a->rank >= 0 && a->rank < c->nranks;
    json_object_set_new(o, "attempt", json_integer(a->number));
    json_object_set_new(
        o, "host",
        ran ? str_or_null(c->hosts[c->rank_host[a->rank]].name) : json_incref(shard_host));
    json_object_set_new(o, "rank", ran ? json_integer(a->rank) : json_null());
    json_object_set_new(o, "outcome", json_string(outcome_name(a->outcome)));
    json_object_set_new(o, "exit_code",
                        a->exit_code >= 0 ? json_integer(a->exit_code) : json_null());
    json_object_set_new(o, "signal", a->signal ? json_integer(a->signal) : json_null());
    json_object_set_new(o, "start", iso(a->start));
    json_object_set_new(o, "duration", json_real(a->duration));
    json_object_set_new(o, "retried", json_integer(a->retried));
    return o;
}

/* Shard i's predicted seconds on host h (-1: unknown) as the scheduler used
 * them, or null when the history had none. */
static json_t *predicted_json(const struct report *rep, long i, int h)
{
    double p = rep->predicted ? rep->predicted[i] : NAN;
    if (!isfinite(p) || p < 0)
        return json_null();
    double speed = rep->speed && h >= 0 ? rep->speed[h] : 1;
    return json_real(isfinite(speed) && speed > 0 ? p / speed : p);
}

static json_t *shard_json(const struct report *rep, long i)
{
    const struct shard_result *r = rep->results[i];
    const struct cluster *c = rep->cluster;
    json_t *o = json_object();
    json_object_set_new(o, "shard", json_integer(i + 1));
    json_object_set_new(o, "index", json_integer(i));
    int ran = r && r->rank >= 0 && r->rank < c->nranks;
    json_object_set_new(o, "status", json_string(status_name(r ? r->status : STATUS_LOST)));
    json_object_set_new(
        o, "host",
        ran ? str_or_null(c->hosts[c->rank_host[r->rank]].name) : str_or_null(r ? r->host : NULL));
    json_object_set_new(o, "carried", json_boolean(r && r->carried));
    json_object_set_new(o, "moved", json_integer(rep->moved ? rep->moved[i] : 0));
    json_object_set_new(o, "rank", ran ? json_integer(r->rank) : json_null());
    json_object_set_new(o, "slot", ran ? json_integer(r->slot) : json_null());
    int n = r ? r->nattempts : 0;
    const struct attempt *last = n ? &r->attempts[n - 1] : NULL;
    json_object_set_new(o, "attempts", json_integer(n));
    json_object_set_new(o, "exit_code",
                        last && last->exit_code >= 0 ? json_integer(last->exit_code) : json_null());
    json_object_set_new(o, "signal",
                        last && last->signal ? json_integer(last->signal) : json_null());
    json_object_set_new(o, "start", n ? iso(r->attempts[0].start) : json_null());
    json_object_set_new(o, "duration", json_real(r ? result_elapsed(r) : 0));
    json_object_set_new(o, "predicted", predicted_json(rep, i, ran ? c->rank_host[r->rank] : -1));
    json_object_set_new(o, "busy", json_real(r ? result_busy(r) : 0));
    json_object_set_new(o, "log", str_or_null(r ? r->log : NULL));
    json_object_set_new(o, "error", str_or_null(r ? r->error : NULL));
    json_t *list = json_array();
    for (int k = 0; k < n; k++)
        json_array_append_new(list, attempt_json(c, &r->attempts[k], json_object_get(o, "host")));
    json_object_set_new(o, "attempt_results", list);
    /* --speculate: the copies ended because another counted first */
    json_t *ended = json_array();
    for (int k = 0; r && k < r->nsuperseded; k++) {
        json_t *a = attempt_json(c, &r->superseded[k].attempt, json_object_get(o, "host"));
        json_object_set_new(a, "log", str_or_null(r->superseded[k].log));
        json_array_append_new(ended, a);
    }
    json_object_set_new(o, "superseded", ended);
    if (rep->collected) {
        json_t *files = json_array();
        for (int k = 0; k < rep->ncollected[i]; k++) {
            const struct collected_file *f = &rep->collected[i][k];
            json_t *e = json_object();
            json_object_set_new(e, "name", str_or_null(f->name));
            json_object_set_new(e, "path", str_or_null(f->path));
            json_object_set_new(e, "error", str_or_null(f->error));
            if (f->attempt > 0)
                json_object_set_new(e, "attempt", json_integer(f->attempt));
            json_array_append_new(files, e);
        }
        json_object_set_new(o, "collected", files);
    }
    return o;
}

static json_t *sample_json(const struct probe *pr)
{
    if (!pr)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(pr->ok));
    if (!pr->ok) {
        json_object_set_new(o, "error", str_or_null(pr->error));
        return o;
    }
    const struct health_sample *s = &pr->sample;
    json_object_set_new(o, "disk_free_percent", json_real(s->disk_free * 100));
    json_object_set_new(o, "memory_used_percent", json_real(s->mem_used * 100));
    json_object_set_new(o, "load1", json_real(s->load1));
    json_object_set_new(o, "load_per_core", json_real(s->load_per_core));
    json_object_set_new(o, "other_load", json_real(s->other_load));
    json_object_set_new(o, "other_load_per_core", json_real(s->other_per_core));
    return o;
}

/* A host's health: its state at the end, time excluded, last probe and
 * every change of state. */
static json_t *host_health_json(const struct report *rep, int h, double end)
{
    const struct watch *w = rep->watch;
    json_t *o = json_object();
    json_object_set_new(o, "healthy", json_boolean(watch_healthy(w, h)));
    json_object_set_new(o, "excluded_seconds", json_real(watch_excluded_seconds(w, h, end)));
    json_object_set_new(o, "last_probe", sample_json(watch_last(w, h)));
    json_t *events = json_array();
    int n;
    const struct watch_event *e = watch_events(w, h, &n);
    for (int i = 0; i < n; i++) {
        json_t *ev = json_object();
        json_object_set_new(ev, "time", iso(e[i].time));
        json_object_set_new(ev, "healthy", json_boolean(e[i].healthy));
        json_object_set_new(ev, "reason", str_or_null(e[i].reason));
        json_array_append_new(events, ev);
    }
    json_object_set_new(o, "events", events);
    return o;
}

static json_t *health_json(const struct report *rep)
{
    json_t *o = json_object();
    json_object_set_new(o, "checked", json_boolean(rep->watch != NULL));
    if (rep->watch) {
        const struct health_limits *l = watch_limits(rep->watch);
        json_object_set_new(o, "min_disk_free_percent", json_real(l->min_disk_free * 100));
        json_object_set_new(o, "max_memory_used_percent", json_real(l->max_mem_used * 100));
        json_object_set_new(o, "max_load_per_core", json_real(l->max_load_per_core));
        json_object_set_new(o, "interval", json_real(rep->health_interval));
    }
    return o;
}

/* A test of the collected reports: its names, verdict, the hosts it ran
 * on, and each run (a JUnit file of one attempt of one shard). */
static json_t *test_json(const struct report *rep, const struct verdict_test *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "classname", json_string(x->classname));
    json_object_set_new(o, "name", json_string(x->name));
    json_object_set_new(o, "project", *x->project ? json_string(x->project) : json_null());
    json_object_set_new(o, "verdict", json_string(verdict_name(x->verdict)));
    json_t *hosts = json_array(), *runs = json_array();
    for (size_t k = 0; k < x->nruns; k++) {
        const struct test_run *r = &x->runs[k];
        const char *host = verdict_host_name(rep->cluster, r->host);
        size_t seen = 0;
        while (seen < k && x->runs[seen].host != r->host)
            seen++;
        if (seen == k)
            json_array_append_new(hosts, json_string(host));
        json_t *e = json_object();
        json_object_set_new(e, "shard", json_integer(r->shard + 1));
        json_object_set_new(e, "attempt", json_integer(r->attempt));
        json_object_set_new(e, "host", json_string(host));
        json_object_set_new(e, "outcome", json_string(test_outcome_name(r->outcome)));
        json_object_set_new(e, "failed_before", json_integer(r->failed_before));
        json_object_set_new(e, "message", r->message ? json_string(r->message) : json_null());
        json_array_append_new(runs, e);
    }
    json_object_set_new(o, "hosts", hosts);
    json_object_set_new(o, "runs", runs);
    return o;
}

static json_t *build(const struct report *rep)
{
    const struct cluster *c = rep->cluster;
    json_t *root = json_object();
    json_object_set_new(root, "format", json_integer(1));
    json_object_set_new(root, "distmpi", json_string(PACKAGE_VERSION));
    json_object_set_new(root, "run_id", str_or_null(rep->run_id));
    json_object_set_new(root, "run_dir", str_or_null(rep->run_dir));
    if (rep->command) {
        json_t *cmd = json_array();
        for (int i = 0; i < rep->ncommand; i++)
            json_array_append_new(cmd, str_or_null(rep->command[i]));
        json_object_set_new(root, "command", cmd);
    } else {
        json_object_set_new(root, "command", json_null());
    }
    json_object_set_new(root, "tasks", str_or_null(rep->tasks));
    json_object_set_new(root, "schedule", json_string(rep->schedule));
    json_object_set_new(root, "total_shards", json_integer(rep->total));
    json_object_set_new(root, "ranks", json_integer(c->nranks));
    json_object_set_new(root, "started", iso(rep->started));
    json_object_set_new(root, "duration", json_real(rep->duration));
    json_object_set_new(root, "exit_status", json_integer(rep->exit_status));
    json_t *lost = json_array();
    for (int k = 0; k < rep->nlost_ranks; k++) {
        int r = rep->lost_ranks[k];
        const char *host = c && r >= 0 && r < c->nranks ? c->hosts[c->rank_host[r]].name : NULL;
        json_array_append_new(lost, json_pack("{s:i, s:o}", "rank", r, "host", str_or_null(host)));
    }
    json_object_set_new(root, "lost_ranks", lost);
    json_object_set_new(root, "summary", tally_json(&rep->summary->total, json_object()));
    if (rep->verdicts) {
        long counts[VERDICT_COUNT];
        verdict_table_counts(rep->verdicts, counts);
        json_t *v = json_object();
        for (int k = 0; k < VERDICT_COUNT; k++)
            json_object_set_new(v, verdict_name((enum verdict)k), json_integer(counts[k]));
        json_object_set_new(root, "test_verdicts", v);
    }
    json_object_set_new(root, "health", health_json(rep));
    json_t *hosts = json_array();
    for (int h = 0; h < c->nhosts; h++) {
        json_t *o = json_object();
        json_object_set_new(o, "host", str_or_null(c->hosts[h].name));
        json_object_set_new(o, "cores", json_integer(c->hosts[h].cores));
        json_object_set_new(o, "pus", json_integer(c->hosts[h].pus));
        json_object_set_new(o, "ranks", json_integer(c->hosts[h].nranks));
        /* how well the host's slots were used, and how long its shards took */
        const struct tally *t = &rep->summary->hosts[h];
        json_object_set_new(o, "busy_share",
                            json_real(tally_busy_share(t, c->hosts[h].nranks, rep->duration)));
        json_object_set_new(o, "mean_shard_seconds", json_real(tally_mean_shard_seconds(t)));
        json_object_set_new(
            o, "health",
            rep->watch ? host_health_json(rep, h, rep->started + rep->duration) : json_null());
        json_array_append_new(hosts, tally_json(&rep->summary->hosts[h], o));
    }
    json_object_set_new(root, "hosts", hosts);
    return root;
}

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(6))

/* Where a shard's dump goes: f, each line indented by 4 more spaces, its
 * place in the document ("shards" is at depth 1, its objects at 2). JSON
 * text never holds a raw newline but between tokens, so each newline jansson
 * writes is followed by its indentation plus these 4. */
struct indented {
    FILE *f;
};

static int write_indented(const char *buffer, size_t size, void *data)
{
    struct indented *o = data;
    const char *end = buffer + size;
    while (buffer < end) {
        const char *nl = memchr(buffer, '\n', (size_t)(end - buffer));
        size_t n = nl ? (size_t)(nl - buffer) + 1 : (size_t)(end - buffer);
        if (fwrite(buffer, 1, n, o->f) != n || (nl && fputs("    ", o->f) == EOF))
            return -1;
        buffer += n;
    }
    return 0;
}

static int dump(FILE *f, void *arg)
{
    const struct report *rep = arg;
    json_t *root = build(rep);
    if (!root) {
        errno = ENOMEM;
        return -1;
    }
    /* the document but its shards: its last member ends in "\n}" */
    char *head = json_dumps(root, DUMP_FLAGS);
    json_decref(root);
    size_t len = head ? strlen(head) : 0;
    if (!head || len < 2 || strcmp(head + len - 2, "\n}")) {
        free(head);
        errno = ENOMEM;
        return -1;
    }
    int rc = fwrite(head, 1, len - 2, f) == len - 2 ? 0 : -1;
    free(head);
    if (rc == 0 && fputs(rep->total > 0 ? ",\n  \"shards\": [" : ",\n  \"shards\": []", f) == EOF)
        rc = -1;
    struct indented out = {f};
    for (long i = 0; rc == 0 && i < rep->total; i++) {
        json_t *shard = shard_json(rep, i);
        if (!shard) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        if (fputs(i ? ",\n    " : "\n    ", f) == EOF ||
            json_dump_callback(shard, write_indented, &out, DUMP_FLAGS) < 0)
            rc = -1;
        json_decref(shard);
    }
    if (rc == 0 && rep->total > 0 && fputs("\n  ]", f) == EOF)
        rc = -1;
    size_t ntests = verdict_table_count(rep->verdicts);
    if (rc == 0 && rep->verdicts &&
        fputs(ntests > 0 ? ",\n  \"tests\": [" : ",\n  \"tests\": []", f) == EOF)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < ntests; i++) {
        json_t *t = test_json(rep, verdict_table_test(rep->verdicts, i));
        if (!t) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        if (fputs(i ? ",\n    " : "\n    ", f) == EOF ||
            json_dump_callback(t, write_indented, &out, DUMP_FLAGS) < 0)
            rc = -1;
        json_decref(t);
    }
    if (rc == 0 && fputs(ntests > 0 ? "\n  ]\n}\n" : "\n}\n", f) == EOF)
        rc = -1;
    return rc;
}

int report_json_write(const char *path, const struct report *rep, struct error *err)
{
    struct error local;
    if (!err)
        err = &local;
    return fs_write_atomic(path, dump, (void *)rep, err);
}
