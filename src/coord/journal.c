/* SPDX-License-Identifier: BSD-3-Clause */
/* journal.c - results made durable as they arrive, and read back. */
#include "config.h"

#include "coord/journal.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/fsutil.h"
#include "model/retryfailed.h"

struct journal {
    int fd;
    char *path;
};

/* A string as JSON: itself when it is valid UTF-8, else {"hex": ...}. */
static json_t *bytes_json(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *hex = malloc(2 * n + 1);
    if (!hex)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
    j = json_pack("{s:s}", "hex", hex);
    free(hex);
    return j;
}

/* The reverse of bytes_json: a heap string, or NULL (for JSON null, or with
 * *bad set when j is neither). */
static char *json_bytes(const json_t *j, int *bad)
{
    if (!j || json_is_null(j))
        return NULL;
    if (json_is_string(j)) {
        char *s = strdup(json_string_value(j));
        if (!s || strlen(s) != json_string_length(j)) { /* out of memory, or a NUL inside */
            free(s);
            *bad = 1;
            return NULL;
        }
        return s;
    }
    const char *hex = json_string_value(json_object_get(j, "hex"));
    size_t n = hex ? strlen(hex) : 1;
    char *s = n % 2 == 0 ? malloc(n / 2 + 1) : NULL;
    if (!s) {
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v == 0) {
            free(s);
            *bad = 1;
            return NULL;
        }
        s[i] = (char)v;
    }
    s[n / 2] = '\0';
    return s;
}

static json_t *words_json(char *const *w, long n)
{
    if (!w)
        return json_null();
    json_t *a = json_array();
    for (long i = 0; a && i < n; i++)
        if (json_array_append_new(a, bytes_json(w[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* Write one line (not yet durable: journal_sync). */
static int write_line(struct journal *j, json_t *o, struct error *err)
{
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return errprintf(err, "cannot write the journal %s: out of memory", j->path);
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps' NUL: the line's end, written in the same write */
    int rc = write_all(j->fd, text, n + 1);
    free(text); /* keeps errno (glibc) */
    if (rc < 0)
        return errprintf(err, "cannot write the journal %s: %s", j->path, strerror(errno));
    return 0;
}

int journal_sync(struct journal *j, struct error *err)
{
    if (fsync(j->fd) < 0)
        return errprintf(err, "cannot write the journal %s: %s", j->path, strerror(errno));
    return 0;
}

struct journal *journal_create(const char *path, const struct journal_identity *id,
                               struct error *err)
{
    struct journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        errprintf(err, "cannot create the journal %s: out of memory", path);
        return NULL;
    }
    /* its directory is the user's (created if missing), the file is new,
     * never a link (fsutil.h), and its name is durable before any result */
    char *slash = strrchr(j->path, '/');
    struct error why;
    if (!slash) {
        j->fd = fs_create(NULL, "", j->path, FS_SYNC_DIR, &why);
    } else {
        *slash = '\0';
        const char *dir = slash == j->path ? "/" : j->path;
        j->fd = fs_create(NULL, dir, slash + 1, FS_SYNC_DIR, &why);
        *slash = '/';
    }
    if (j->fd < 0) {
        int saved = errno; /* the caller may choose another name on EEXIST */
        errprintf(err, "cannot create the journal %s: %s", path,
                  saved == EEXIST ? "it exists already (choose another with --journal)" : why.text);
        journal_close(j);
        errno = saved;
        return NULL;
    }
    json_t *o = json_pack("{s:s, s:i, s:o, s:f, s:I, s:s, s:o, s:o}", "journal", "distmpi",
                          "version", 1, "run_id", bytes_json(id->run_id), "started", id->started,
                          "total", (json_int_t)id->total, "schedule", id->schedule, "command",
                          words_json(id->command, id->ncommand), "tasks",
                          words_json(id->tasks, id->ntasks));
    if (write_line(j, o, err) < 0 || journal_sync(j, err) < 0) {
        journal_close(j);
        return NULL;
    }
    return j;
}

/* One attempt as the journal has it; NULL on ENOMEM. */
static json_t *attempt_json(const struct attempt *a)
{
    json_t *o = json_pack("{s:i, s:s, s:i, s:i, s:f, s:f}", "attempt", a->number, "outcome",
                          outcome_name(a->outcome), "exit_code", a->exit_code, "signal", a->signal,
                          "start", a->start, "duration", a->duration);
    /* only for a partial retry: the lines of other runs stay as they were */
    if (o && a->retried > 0 && json_object_set_new(o, "retried", json_integer(a->retried)) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int journal_append(struct journal *j, const struct shard_result *r, const char *host,
                   const char *log, struct error *err)
{
    json_t *attempts = json_array();
    for (int k = 0; attempts && k < r->nattempts; k++) {
        /* an attempt left out would be lost to --resume and the reports */
        if (json_array_append_new(attempts, attempt_json(&r->attempts[k])) < 0) {
            json_decref(attempts);
            attempts = NULL;
        }
    }
    /* only when there are some: a journal without them reads as before */
    json_t *superseded = r->nsuperseded > 0 ? json_array() : NULL;
    for (int k = 0; superseded && k < r->nsuperseded; k++) {
        json_t *a = attempt_json(&r->superseded[k].attempt);
        if (!a || json_object_set_new(a, "log", bytes_json(r->superseded[k].log)) < 0 ||
            json_array_append_new(superseded, a) < 0) {
            json_decref(superseded);
            superseded = NULL;
        }
    }
    if (!attempts || (r->nsuperseded > 0 && !superseded)) {
        json_decref(attempts);
        json_decref(superseded);
        return errprintf(err, "cannot write shard %ld to the journal %s: out of memory",
                         r->index + 1, j->path);
    }
    json_t *o = json_pack("{s:I, s:s, s:o, s:i, s:i, s:o, s:o, s:o}", "shard",
                          (json_int_t)r->index + 1, "status", status_name(r->status), "host",
                          bytes_json(host), "rank", r->rank, "slot", r->slot, "log",
                          bytes_json(log), "error", bytes_json(r->error), "attempts", attempts);
    if (o && superseded && json_object_set_new(o, "superseded", superseded) < 0) {
        json_decref(o);
        o = NULL;
    } else if (!o) {
        json_decref(superseded);
    }
    return write_line(j, o, err);
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    int saved = errno;
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j);
    errno = saved;
}

void journal_data_free(struct journal_data *d)
{
    for (int i = 0; d->command && i < d->ncommand; i++)
        free(d->command[i]);
    free(d->command);
    for (long i = 0; d->tasks && i < d->ntasks; i++)
        free(d->tasks[i]);
    free(d->tasks);
    for (long i = 0; d->results && i < d->total; i++)
        result_free(d->results[i]);
    free(d->results);
    free(d->schedule);
    free(d->run_id);
    memset(d, 0, sizeof *d);
}

/* An array of strings (or null) into *out / *n. Returns 0, or -1. */
static int read_words(const json_t *a, char ***out, long *n)
{
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return -1;
    size_t len = json_array_size(a);
    *out = calloc(len + 1, sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int bad = 0;
        (*out)[i] = json_bytes(json_array_get(a, i), &bad);
        *n = (long)i + 1;
        if (bad || !(*out)[i])
            return -1;
    }
    return 0;
}

static int read_header(json_t *o, struct journal_data *d, struct error *why)
{
    json_int_t version = 0, total = -1;
    const char *schedule = NULL, *magic = NULL;
    if (json_unpack(o, "{s:s, s:I, s:I, s:s}", "journal", &magic, "version", &version, "total",
                    &total, "schedule", &schedule) < 0 ||
        strcmp(magic, "distmpi") != 0)
        return errprintf(why, "not a distmpi journal");
    if (version != 1)
        return errprintf(why, "journal version %lld is not known to this distmpi",
                         (long long)version);
    if (total < 1 || total > INT32_MAX)
        return errprintf(why, "bad shard count %lld", (long long)total);
    d->total = (long)total;
    long nc = 0;
    int bad = 0;
    d->run_id = json_bytes(json_object_get(o, "run_id"), &bad);
    d->schedule = strdup(schedule);
    if (bad || !d->schedule || read_words(json_object_get(o, "command"), &d->command, &nc) < 0 ||
        read_words(json_object_get(o, "tasks"), &d->tasks, &d->ntasks) < 0 ||
        (!d->command) == (!d->tasks))
        return errprintf(why, "bad command or tasks in the journal's first line");
    d->ncommand = (int)nc;
    d->results = calloc((size_t)d->total, sizeof *d->results);
    if (!d->results)
        return errprintf(why, "out of memory");
    return 0;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Whether the n attempt numbers of a are all different (a copy that
 * failed before the other passed comes first, with numbers after the
 * other's: --speculate). */
static bool numbers_distinct(const struct attempt *a, size_t n)
{
    if (n < 2)
        return true;
    int *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return false;
    for (size_t k = 0; k < n; k++)
        sorted[k] = a[k].number;
    qsort(sorted, n, sizeof *sorted, compare_ints);
    bool distinct = true;
    for (size_t k = 1; k < n && distinct; k++)
        distinct = sorted[k] != sorted[k - 1];
    free(sorted);
    return distinct;
}

/* One attempt of a result line into *a: of the attempts (superseded
 * false), or of the superseded copies (true, and only then is its outcome
 * "superseded"). Returns 0, or -1 when it is not one. */
static int read_attempt(const json_t *o, struct attempt *a, bool superseded)
{
    const char *outcome = NULL;
    a->rank = -1; /* ranks of another run mean nothing here */
    a->retried = 0;
    if (json_unpack((json_t *)o, "{s?i, s:s, s:i, s:i, s:F, s:F, s?i}", "attempt", &a->number,
                    "outcome", &outcome, "exit_code", &a->exit_code, "signal", &a->signal, "start",
                    &a->start, "duration", &a->duration, "retried", &a->retried) < 0 ||
        a->retried < 0 || a->retried > FAILED_MAX_TESTS ||
        (a->outcome = outcome_from_name(outcome)) < 0 ||
        (a->outcome == OUTCOME_SUPERSEDED) != superseded || a->exit_code < -1 ||
        a->exit_code > 255 || a->signal < 0 || a->signal > 1024 || a->number < 1 ||
        a->number > ATTEMPT_NUMBER_MAX)
        return -1;
    return 0;
}

/* The copies of a result line that were ended as superseded, into r.
 * Returns 0, or -1 when the member is there but not such a list. */
static int read_superseded(const json_t *list, struct shard_result *r)
{
    if (!list)
        return 0;
    if (!json_is_array(list) || json_array_size(list) > 1000)
        return -1;
    for (size_t k = 0; k < json_array_size(list); k++) {
        const json_t *o = json_array_get(list, k);
        struct attempt a = {.number = 0};
        int bad = 0;
        char *log = json_bytes(json_object_get(o, "log"), &bad);
        int rc = bad || read_attempt(o, &a, true) < 0 ? -1 : result_add_superseded(r, &a, log);
        free(log);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int read_result(json_t *o, struct journal_data *d, struct error *why)
{
    json_int_t shard = 0;
    const char *status = NULL;
    json_t *attempts = NULL;
    if (json_unpack(o, "{s:I, s:s, s:o}", "shard", &shard, "status", &status, "attempts",
                    &attempts) < 0 ||
        !json_is_array(attempts))
        return errprintf(why, "not a result line");
    int st = status_from_name(status);
    if (shard < 1 || shard > d->total || st < 0 || json_array_size(attempts) > 100000)
        return errprintf(why, "bad shard number, status or attempts");
    struct shard_result *r = calloc(1, sizeof *r);
    size_t n = json_array_size(attempts);
    if (!r || (n && !(r->attempts = calloc(n, sizeof *r->attempts)))) {
        free(r);
        return errprintf(why, "out of memory");
    }
    r->index = (long)shard - 1;
    r->status = st;
    r->rank = r->slot = -1; /* the ranks of that run are not this one's */
    r->carried = 1;
    int bad = 0;
    r->host = json_bytes(json_object_get(o, "host"), &bad);
    r->log = json_bytes(json_object_get(o, "log"), &bad);
    r->error = json_bytes(json_object_get(o, "error"), &bad);
    for (size_t k = 0; k < n && !bad; k++) {
        /* journals written before attempts had numbers: they counted from 1 */
        r->attempts[k].number = (int)k + 1;
        bad = read_attempt(json_array_get(attempts, k), &r->attempts[k], false) < 0;
        r->nattempts = (int)k + 1;
    }
    if (bad || !numbers_distinct(r->attempts, (size_t)r->nattempts) ||
        read_superseded(json_object_get(o, "superseded"), r) < 0) {
        result_free(r);
        return errprintf(why, "bad attempt, host, log or error");
    }
    if (!d->results[r->index])
        d->nresults++;
    result_free(d->results[r->index]);
    d->results[r->index] = r;
    return 0;
}

/* Journals larger than this are refused rather than read into memory. */
#define JOURNAL_MAX (1024L * 1024 * 1024)

int journal_load(const char *path, struct journal_data *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    char *data;
    size_t len;
    if (fs_read_file(path, JOURNAL_MAX, &data, &len, err) < 0)
        return -1;
    size_t pos = 0;
    long lineno = 0;
    while (pos < len) {
        char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        lineno++;
        json_error_t jerr;
        json_t *o = json_loadb(data + pos, end - pos, JSON_REJECT_DUPLICATES, &jerr);
        int rc;
        if (!o) {
            rc = errprintf(err, "not JSON: %s", jerr.text);
        } else {
            rc = lineno == 1 ? read_header(o, out, err) : read_result(o, out, err);
            json_decref(o);
        }
        if (rc < 0 && !nl && lineno > 1) {
            error_clear(err);
            break; /* the last line, cut short by a crash: the shard is not done */
        }
        if (rc < 0) {
            errprefix(err, "%s:%ld: ", path, lineno);
            free(data);
            journal_data_free(out);
            return -1;
        }
        pos = end + 1;
    }
    free(data);
    if (lineno == 0)
        return errprintf(err, "%s: empty, not a distmpi journal", path);
    return 0;
}

static int same_words(char *const *a, long na, char *const *b, long nb, const char *what,
                      struct error *why)
{
    for (long i = 0; i < na || i < nb; i++) {
        if (i >= na || i >= nb || strcmp(a[i], b[i]) != 0)
            return errprintf(why, "%s %ld differs: the journal has %s%s%s, this run %s%s%s", what,
                             i + 1, i < na ? "'" : "", i < na ? a[i] : "none", i < na ? "'" : "",
                             i < nb ? "'" : "", i < nb ? b[i] : "none", i < nb ? "'" : "");
    }
    return 0;
}

int journal_match(const struct journal_data *d, const struct journal_identity *id,
                  struct error *why)
{
    if ((d->tasks != NULL) != (id->tasks != NULL))
        return errprintf(why, "the journal's run used %s, this one %s",
                         d->tasks ? "a task file" : "a command",
                         id->tasks ? "a task file" : "a command");
    if (d->tasks
            ? same_words(d->tasks, d->ntasks, id->tasks, id->ntasks, "task", why)
            : same_words(d->command, d->ncommand, id->command, id->ncommand, "command word", why))
        return -1;
    if (d->total != id->total)
        return errprintf(why, "the journal's run had %ld shards, this one %ld", d->total,
                         id->total);
    return 0;
}
