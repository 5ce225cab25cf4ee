/* SPDX-License-Identifier: BSD-3-Clause */
/* history.c - the timing history file: read strictly one line at a time,
 * merged under a lock, replaced atomically (see history.h for the format).
 *
 * In memory there is no JSON: a history is a compact table (struct htable),
 * the loaded one sorted by key (the file's order) and searched by bisection,
 * the notes hashed by key. A run of 100,000 shards holds three such tables
 * at most (loaded, noted, merged), about a hundred bytes a shard each beside
 * the key, where JSON trees took most of a kilobyte. */
#include "config.h"

#include "sched/history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/utf8.h"
#include "sched/history_table.h"
#include "sched/hostspeed.h"

/* Numbers past this are refused when read, so that counting one more run
 * can never overflow (and a double still holds them exactly). */
#define HISTORY_MAX_COUNT ((json_int_t)1 << 53)

/* What a save reckons each shard and host record costs in the file beside
 * its name (members, numbers: about 40 and 50 bytes), with room to spare,
 * to keep the file under HISTORY_MAX_BYTES and each line under
 * HISTORY_MAX_LINE whatever the keys. */
#define SHARD_OVERHEAD 160
#define HOST_OVERHEAD  160
#define SAVE_BUDGET    (HISTORY_MAX_BYTES - (1L << 20))

struct history {
    struct htable loaded; /* as loaded and checked, sorted by key */
    struct htable notes;  /* hashed by key; a record per (key, host) */
    double *speed;        /* each loaded host's speed (hostspeed_fit) */
    long max_keys;
    double lock_wait; /* seconds history_save waits for the lock */
};

/* How reading a file went. */
enum outcome { READ_OK, READ_MISSING, READ_CORRUPT, READ_UNREADABLE, READ_NOMEM };

/* Put s into out (size n) for a message: at most 48 bytes, control
 * characters as '?', a cut one ending in "...". */
static const char *shown(char *out, size_t n, const char *s)
{
    size_t len = strlen(s), keep = utf8_fit(s, len, 48);
    size_t i;
    for (i = 0; i < keep && i + 4 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
    if (keep < len && i + 4 <= n)
        strcat(out, "...");
    return out;
}

/* Whether o, an object, has members named only from names (NULL-ended);
 * *unknown is the first other one. */
static int only_members(json_t *o, const char *const *names, const char **unknown)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        const char *const *n = names;
        while (*n && strcmp(*n, k))
            n++;
        if (!*n) {
            *unknown = k;
            return 0;
        }
    }
    return 1;
}

/* Whether v is a whole number from lo to hi. */
static int count_in(const json_t *v, json_int_t lo, json_int_t hi)
{
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

/* Check one host's record of the shard named key; runs is the file's. */
static int check_host(const char *key, const char *host, json_t *o, json_int_t runs,
                      struct error *why)
{
    static const char *const members[] = {"runs", "seconds", NULL};
    char k[64], h[64];
    const char *unknown;
    /* shown only in a message: not for every host of every line */
#define K shown(k, sizeof k, key)
#define H shown(h, sizeof h, host)
    if (strlen(host) > HISTORY_MAX_KEY)
        return errprintf(why, "shard \"%s\": host \"%s\" is longer than %d bytes", K, H,
                         HISTORY_MAX_KEY);
    if (!json_is_object(o))
        return errprintf(why, "shard \"%s\": host \"%s\" is not an object", K, H);
    if (!only_members(o, members, &unknown))
        return errprintf(why, "shard \"%s\": host \"%s\": unknown member \"%s\"", K, H,
                         shown((char[64]){0}, 64, unknown));
    if (!count_in(json_object_get(o, "runs"), 1, runs))
        return errprintf(why,
                         "shard \"%s\": host \"%s\": \"runs\" is missing or not a whole "
                         "number from 1 to %lld",
                         K, H, (long long)runs);
    json_t *s = json_object_get(o, "seconds");
    if (!json_is_number(s))
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is missing or not a number",
                         K, H);
    double v = json_number_value(s);
    if (!isfinite(v))
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is not finite", K, H);
    if (v < 0)
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is negative (%g)", K, H, v);
    return 0;
#undef K
#undef H
}

/* A file being read: one line at a time, each checked against the header
 * and the line before it. */
struct reader {
    FILE *f;
    long line;       /* the number of the last line read */
    long shards;     /* lines of shards read */
    json_int_t runs; /* the header's */
    long bytes;      /* read so far */
    char *buf;       /* the line */
    size_t cap;
    char prev[HISTORY_MAX_KEY + 1]; /* the key of the line before */
};

/* Read the next line into rd->buf (without its newline) and *len; READ_OK,
 * READ_MISSING at the end of the file (*len 0), or another outcome. */
static enum outcome read_line(struct reader *rd, size_t *len, struct error *why)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(rd->f)) != EOF && c != '\n') {
        if (n >= HISTORY_MAX_LINE) {
            errprintf(why, "line %ld is longer than %d bytes", rd->line + 1, HISTORY_MAX_LINE);
            return READ_CORRUPT;
        }
        if (n + 2 > rd->cap && htable_grow(&rd->buf, &rd->cap, n + 2, 1) < 0)
            return READ_NOMEM;
        rd->buf[n++] = (char)c;
    }
    if (c == EOF && ferror(rd->f)) {
        errprintf(why, "%s", strerror(errno ? errno : EIO));
        return READ_UNREADABLE;
    }
    *len = n;
    if (c == EOF && n == 0)
        return READ_MISSING;
    rd->line++;
    rd->bytes += (long)n + 1;
    if (rd->bytes > HISTORY_MAX_BYTES + 1L) { /* grown since it was opened */
        errprintf(why, "more than the limit of %ld MiB", HISTORY_MAX_BYTES >> 20);
        return READ_CORRUPT;
    }
    return READ_OK;
}

/* Parse rd->buf (len bytes) into *j. */
static enum outcome parse_line(struct reader *rd, size_t len, json_t **j, struct error *why)
{
    json_error_t jerr;
    *j = json_loadb(len ? rd->buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (*j)
        return READ_OK;
    if (json_error_code(&jerr) == json_error_out_of_memory) {
        errno = ENOMEM;
        return READ_NOMEM;
    }
    /* jansson quotes the text near the error, control characters included */
    for (char *c = jerr.text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    errprintf(why, "line %ld: not JSON: column %d: %s", rd->line ? rd->line : 1, jerr.column,
              jerr.text);
    return READ_CORRUPT;
}

/* Check line 1: this version's header. */
static int check_header(struct reader *rd, json_t *j, struct error *why)
{
    static const char *const members[] = {"distmpi_history", "runs", NULL};
    const char *unknown;
    if (!json_is_object(j))
        return errprintf(why, "not a JSON object");
    json_t *version = json_object_get(j, "distmpi_history");
    if (!version)
        return errprintf(why, "no \"distmpi_history\" member: not a timing history");
    if (!json_is_integer(version))
        return errprintf(why, "\"distmpi_history\" is not a whole number");
    if (json_integer_value(version) != HISTORY_VERSION)
        return errprintf(why, "unknown version %lld (this distmpi reads version %d)",
                         (long long)json_integer_value(version), HISTORY_VERSION);
    if (!only_members(j, members, &unknown))
        return errprintf(why, "unknown member \"%s\"", shown((char[64]){0}, 64, unknown));
    json_t *runs = json_object_get(j, "runs");
    if (!count_in(runs, 0, HISTORY_MAX_COUNT))
        return errprintf(why, "\"runs\" is missing or not a whole number from 0 to %lld",
                         (long long)HISTORY_MAX_COUNT);
    rd->runs = json_integer_value(runs);
    return 0;
}

/* Check a shard's line: its members, its key after the line before's. */
static int check_shard(struct reader *rd, json_t *o, struct error *why)
{
    static const char *const members[] = {"key", "last_run", "hosts", NULL};
    char k[64];
    const char *unknown;
    if (!json_is_object(o))
        return errprintf(why, "not a JSON object");
    json_t *jkey = json_object_get(o, "key");
    if (!json_is_string(jkey))
        return errprintf(why, "\"key\" is missing or not a string");
    const char *key = json_string_value(jkey);
#define K shown(k, sizeof k, key)
    if (json_string_length(jkey) > HISTORY_MAX_KEY)
        return errprintf(why, "shard \"%s\": the key is longer than %d bytes", K, HISTORY_MAX_KEY);
    if (!only_members(o, members, &unknown))
        return errprintf(why, "shard \"%s\": unknown member \"%s\"", K,
                         shown((char[64]){0}, 64, unknown));
    int order = rd->shards ? strcmp(key, rd->prev) : 1;
    if (order == 0)
        return errprintf(why, "shard \"%s\": the key is on the line before too", K);
    if (order < 0)
        return errprintf(why, "shard \"%s\": not in key order (after \"%s\")", K,
                         shown((char[64]){0}, 64, rd->prev));
    if (++rd->shards > HISTORY_MAX_KEYS)
        return errprintf(why, "more than %d shards", HISTORY_MAX_KEYS);
    if (rd->runs < 1 || !count_in(json_object_get(o, "last_run"), 1, rd->runs))
        return errprintf(why,
                         "shard \"%s\": \"last_run\" is missing or not a whole number from 1 to "
                         "the file's runs (%lld)",
                         K, (long long)rd->runs);
    json_t *hosts = json_object_get(o, "hosts");
    if (!json_is_object(hosts))
        return errprintf(why, "shard \"%s\": \"hosts\" is missing or not an object", K);
    const char *host;
    json_t *v;
    json_object_foreach(hosts, host, v)
    {
        if (check_host(key, host, v, rd->runs, why) < 0)
            return -1;
    }
    strcpy(rd->prev, key);
    return 0;
#undef K
}

static void reader_close(struct reader *rd)
{
    if (rd->f)
        fclose(rd->f);
    free(rd->buf);
    rd->f = NULL;
    rd->buf = NULL;
}

/* Open the history at path and read its header; why gets the reason
 * ("PATH: reason") for READ_CORRUPT and READ_UNREADABLE. rd is closed
 * unless READ_OK. */
static enum outcome reader_open(struct reader *rd, const char *path, struct error *why)
{
    *rd = (struct reader){0};
    /* not blocking: a FIFO would block the open */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return READ_MISSING;
        errprintf(why, "%s: %s", path, strerror(errno));
        return READ_UNREADABLE;
    }
    struct stat st;
    enum outcome o = READ_UNREADABLE;
    if (fstat(fd, &st) < 0) {
        errprintf(why, "%s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) { /* a FIFO would block the read */
        errprintf(why, "%s: not a regular file", path);
    } else if (st.st_size > HISTORY_MAX_BYTES) {
        errprintf(why, "%s: %lld bytes, more than the limit of %ld MiB", path,
                  (long long)st.st_size, HISTORY_MAX_BYTES >> 20);
        o = READ_CORRUPT;
    } else if (!(rd->f = fdopen(fd, "r"))) {
        o = errno == ENOMEM ? READ_NOMEM : READ_UNREADABLE;
        errprintf(why, "%s: %s", path, strerror(errno));
    } else {
        size_t len;
        json_t *j = NULL;
        o = read_line(rd, &len, why);
        if (o == READ_MISSING) /* empty: no header */
            o = READ_OK;
        if (o == READ_OK)
            o = parse_line(rd, len, &j, why);
        if (o == READ_OK && check_header(rd, j, why) < 0) {
            errprefix(why, "line 1: ");
            o = READ_CORRUPT;
        }
        json_decref(j);
        if (o == READ_OK)
            return o;
        if (o == READ_CORRUPT)
            errprefix(why, "%s: corrupt: ", path);
        else if (o == READ_UNREADABLE)
            errprefix(why, "%s: ", path);
        reader_close(rd);
        return o;
    }
    close(fd);
    return o;
}

/* The next shard's line, checked, in *line (NULL at the end of the file);
 * why gets "line N: reason" for READ_CORRUPT. */
static enum outcome reader_next(struct reader *rd, json_t **line, struct error *why)
{
    size_t len;
    *line = NULL;
    enum outcome o = read_line(rd, &len, why);
    if (o == READ_MISSING)
        return READ_OK;
    if (o == READ_OK)
        o = parse_line(rd, len, line, why);
    if (o == READ_OK && check_shard(rd, *line, why) < 0) {
        errprefix(why, "line %ld: ", rd->line);
        o = READ_CORRUPT;
    }
    if (o != READ_OK) {
        json_decref(*line);
        *line = NULL;
    }
    return o;
}

/* Add a checked shard line to t; its index, or -1 when out of memory. */
static long add_line(struct htable *t, json_t *line)
{
    json_t *key = json_object_get(line, "key");
    long i = htable_add_shard(t, json_string_value(key), json_string_length(key),
                              json_integer_value(json_object_get(line, "last_run")));
    const char *host;
    json_t *v;
    json_object_foreach(json_object_get(line, "hosts"), host, v)
    {
        if (i < 0 || htable_add_rec(t, (size_t)i, htable_intern_host(t, host),
                                    json_integer_value(json_object_get(v, "runs")),
                                    json_number_value(json_object_get(v, "seconds"))) < 0)
            return -1;
    }
    return i;
}

static struct history *history_create(void)
{
    struct history *h = calloc(1, sizeof *h);
    if (!h) {
        errno = ENOMEM;
        return NULL;
    }
    h->max_keys = HISTORY_MAX_KEYS;
    h->lock_wait = HISTORY_LOCK_WAIT;
    return h;
}

int history_load(const char *path, struct history **out, struct error *warn)
{
    struct history *h = history_create();
    *out = h;
    if (!h)
        return errprintf(warn, "%s: out of memory", path);
    struct reader rd;
    enum outcome o = reader_open(&rd, path, warn);
    json_t *line = NULL;
    while (o == READ_OK && (o = reader_next(&rd, &line, warn)) == READ_OK && line) {
        if (add_line(&h->loaded, line) < 0)
            o = READ_NOMEM;
        json_decref(line);
    }
    if (o == READ_OK) {
        reader_close(&rd);
        h->speed = malloc((h->loaded.nhosts ? h->loaded.nhosts : 1) * sizeof *h->speed);
        if (h->speed && hostspeed_fit(&h->loaded, h->speed) == 0)
            return 0;
        o = READ_NOMEM;
    }
    if (o == READ_MISSING)
        return 0;
    if (rd.f) { /* a line of the file: as reader_open says it */
        if (o == READ_CORRUPT)
            errprefix(warn, "%s: corrupt: ", path);
        else if (o == READ_UNREADABLE)
            errprefix(warn, "%s: ", path);
        reader_close(&rd);
    }
    htable_free(&h->loaded); /* all or nothing */
    if (o == READ_NOMEM) {
        history_destroy(h);
        *out = NULL;
        errno = ENOMEM;
        return errprintf(warn, "%s: out of memory", path);
    }
    return -1;
}

void history_destroy(struct history *h)
{
    if (!h)
        return;
    int saved = errno;
    htable_free(&h->loaded);
    htable_free(&h->notes);
    free(h->speed);
    free(h);
    errno = saved;
}

void history_forget_loaded(struct history *h)
{
    if (!h)
        return;
    htable_free(&h->loaded);
    free(h->speed);
    h->speed = NULL;
}

/* The index of host among the loaded ones, or -1 (a run has few hosts). */
static long loaded_host(const struct history *h, const char *host)
{
    for (size_t i = 0; host && i < h->loaded.nhosts; i++)
        if (!strcmp(h->loaded.hosts[i], host))
            return (long)i;
    return -1;
}

double history_host_speed(const struct history *h, const char *host)
{
    long i = h && h->speed ? loaded_host(h, host) : -1;
    return i < 0 ? 1 : h->speed[i];
}

double history_predict(const struct history *h, const char *key, const char *host)
{
    long i = h && key ? htable_find_sorted(&h->loaded, key) : -1;
    if (i < 0)
        return NAN;
    const struct htable *t = &h->loaded;
    double base = NAN; /* the mean over its hosts of seconds * speed */
    long n = 0;
    for (uint32_t r = t->shards[i].first; r != HTABLE_NONE; r = t->recs[r].next) {
        if (host && !strcmp(t->hosts[t->recs[r].host], host))
            return t->recs[r].seconds;
        double s = t->recs[r].seconds * h->speed[t->recs[r].host];
        n++;
        base = n == 1 ? s : base + (s - base) / (double)n; /* a sum could overflow */
    }
    return host ? base / history_host_speed(h, host) : base;
}

int history_note(struct history *h, const char *key, const char *host, double seconds)
{
    if (!h || !key || !host || !isfinite(seconds) || seconds < 0 || strlen(key) > HISTORY_MAX_KEY ||
        strlen(host) > HISTORY_MAX_KEY || !utf8_valid(key, strlen(key)) ||
        !utf8_valid(host, strlen(host)))
        return 0;
    struct htable *t = &h->notes;
    long hi = htable_intern_host(t, host), i = hi < 0 ? -1 : htable_find_key(t, key);
    if (i < 0)
        goto nomem;
    struct hshard *s = &t->shards[i];
    for (uint32_t r = s->first; r != HTABLE_NONE; r = t->recs[r].next) {
        struct hrec *note = &t->recs[r];
        if (note->host == (uint32_t)hi) { /* a running mean: never overflows, as a sum could */
            note->runs++;
            note->seconds += (seconds - note->seconds) / (double)note->runs;
            return 0;
        }
    }
    if (htable_add_rec(t, (size_t)i, hi, 1, seconds) < 0)
        goto nomem;
    return 0;
nomem:
    errno = ENOMEM;
    return -1;
}

long history_noted(const struct history *h)
{
    return h ? (long)h->notes.nrecs : 0;
}

void history_set_lock_wait(struct history *h, double seconds)
{
    if (h && isfinite(seconds) && seconds >= 0)
        h->lock_wait = seconds;
}

void history_set_max_keys(struct history *h, long max)
{
    if (h && max >= 1)
        h->max_keys = max;
}

/* Merge the notes of notes' shard n into out's shard i (-1: a new one) as
 * run number run. */
static int merge_noted(struct htable *out, long i, const struct htable *notes, uint32_t n,
                       json_int_t run)
{
    if (i < 0)
        i = htable_add_shard(out, htable_key(notes, n), strlen(htable_key(notes, n)), run);
    if (i < 0)
        return -1;
    out->shards[i].last_run = run;
    for (uint32_t r = notes->shards[n].first; r != HTABLE_NONE; r = notes->recs[r].next) {
        const struct hrec *note = &notes->recs[r];
        long host = htable_intern_host(out, notes->hosts[note->host]);
        if (host < 0)
            return -1;
        uint32_t o = out->shards[i].first;
        while (o != HTABLE_NONE && out->recs[o].host != (uint32_t)host)
            o = out->recs[o].next;
        if (o == HTABLE_NONE) {
            if (htable_add_rec(out, (size_t)i, host, 1, note->seconds) < 0)
                return -1;
        } else {
            struct hrec *old = &out->recs[o];
            old->seconds += (note->seconds - old->seconds) / 2;
            old->runs++;
        }
    }
    return 0;
}

/* Sorting notes' keys and hosts by name: the table beside each index. */
struct named {
    const char *name;
    uint32_t i;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Merge the file read by rd (NULL: none) and the notes into out, in key
 * order, as run number run. Returns READ_OK or how reading failed (why:
 * "line N: reason"); out holds the file's shards read so far then. */
static enum outcome merge(struct reader *rd, const struct htable *notes, const struct named *sorted,
                          json_int_t run, struct htable *out, struct error *why)
{
    size_t j = 0;
    json_t *line = NULL;
    enum outcome o = READ_OK;
    while (rd && (o = reader_next(rd, &line, why)) == READ_OK && line) {
        const char *key = json_string_value(json_object_get(line, "key"));
        int c = 1;
        while (j < notes->n && (c = strcmp(sorted[j].name, key)) < 0)
            if (merge_noted(out, -1, notes, sorted[j++].i, run) < 0)
                goto nomem;
        long i = add_line(out, line);
        if (i < 0 || (c == 0 && merge_noted(out, i, notes, sorted[j++].i, run) < 0))
            goto nomem;
        json_decref(line);
    }
    if (rd && o != READ_OK)
        return o;
    for (; j < notes->n; j++)
        if (merge_noted(out, -1, notes, sorted[j].i, run) < 0)
            return READ_NOMEM;
    return READ_OK;
nomem:
    json_decref(line);
    return READ_NOMEM;
}

/* The bytes s takes as a JSON string as jansson writes it, quotes
 * included: '"' and '\\' and some control characters escaped in two
 * bytes, the other control characters in six ("\u001f"). */
static double json_bytes(const char *s)
{
    double n = 2;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += *p == '"' || *p == '\\' || strchr("\b\f\n\r\t", *p) ? 2 : *p < 0x20 ? 6 : 1;
    return n;
}

/* A shard as the bound weighs it. */
struct kept {
    const char *key;
    json_int_t last_run;
    double runs; /* summed over its hosts (a double: a sum of 2^53s) */
    uint32_t i;
};

/* Least recently seen first; then seen in fewer runs; then by key. */
static int least_recent_first(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    if (x->last_run != y->last_run)
        return x->last_run < y->last_run ? -1 : 1;
    if (x->runs != y->runs)
        return x->runs < y->runs ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Which of t's shards a save drops (*drop: a flag per shard, NULL when
 * none): a shard whose line would be longer than HISTORY_MAX_LINE, and the
 * least recently seen while more than max are left or the file would take
 * more than SAVE_BUDGET bytes. */
static int bound_shards(const struct htable *t, long max, unsigned char **drop)
{
    *drop = NULL;
    double *bytes = malloc((t->n ? t->n : 1) * sizeof *bytes), total = 0;
    double *host_bytes = malloc((t->nhosts ? t->nhosts : 1) * sizeof *host_bytes);
    size_t kept = t->n, too_long = 0;
    if (!bytes || !host_bytes)
        goto nomem;
    for (size_t h = 0; h < t->nhosts; h++)
        host_bytes[h] = json_bytes(t->hosts[h]) + HOST_OVERHEAD;
    for (size_t i = 0; i < t->n; i++) {
        bytes[i] = json_bytes(htable_key(t, (uint32_t)i)) + SHARD_OVERHEAD;
        for (uint32_t r = t->shards[i].first; r != HTABLE_NONE; r = t->recs[r].next)
            bytes[i] += host_bytes[t->recs[r].host];
        if (bytes[i] > HISTORY_MAX_LINE) {
            bytes[i] = 0;
            too_long++;
        }
        total += bytes[i];
    }
    if (!too_long && t->n <= (size_t)max && total <= SAVE_BUDGET)
        goto done;
    *drop = calloc(t->n, 1);
    struct kept *all = malloc(t->n * sizeof *all);
    if (!*drop || !all) {
        free(all);
        goto nomem;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (bytes[i] == 0) {
            (*drop)[i] = 1;
            kept--;
            continue;
        }
        struct kept *k = &all[n++];
        *k = (struct kept){htable_key(t, (uint32_t)i), t->shards[i].last_run, 0, (uint32_t)i};
        for (uint32_t r = t->shards[i].first; r != HTABLE_NONE; r = t->recs[r].next)
            k->runs += (double)t->recs[r].runs;
    }
    qsort(all, n, sizeof *all, least_recent_first);
    for (size_t d = 0; d < n && (kept > (size_t)max || total > SAVE_BUDGET); d++) {
        (*drop)[all[d].i] = 1;
        total -= bytes[all[d].i];
        kept--;
    }
    free(all);
done:
    free(bytes);
    free(host_bytes);
    return 0;
nomem:
    free(bytes);
    free(host_bytes);
    free(*drop);
    *drop = NULL;
    errno = ENOMEM;
    return -1;
}

/* What write_history writes. */
struct output {
    const struct htable *t;
    const unsigned char *drop;
    json_int_t runs;
    struct named *hosts; /* one shard's, to sort them */
    size_t host_cap;
};

/* s as a JSON string: as it is between quotes when nothing in it needs
 * escaping (most keys), else as jansson escapes it. */
static int put_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p >= 0x20 && *p != '"' && *p != '\\')
        p++;
    if (!*p)
        return fputc('"', f) == EOF || fputs(s, f) == EOF || fputc('"', f) == EOF ? -1 : 0;
    json_t *j = json_string_nocheck(s);
    int rc = j ? json_dumpf(j, f, JSON_ENCODE_ANY) : -1;
    json_decref(j);
    return rc;
}

static int write_history(FILE *f, void *arg)
{
    struct output *out = arg;
    const struct htable *t = out->t;
    errno = 0;
    if (fprintf(f, "{\"distmpi_history\":%d,\"runs\":%lld}\n", HISTORY_VERSION,
                (long long)out->runs) < 0)
        goto fail;
    for (size_t i = 0; i < t->n; i++) {
        const struct hshard *s = &t->shards[i];
        if (out->drop && out->drop[i])
            continue;
        if (htable_grow(&out->hosts, &out->host_cap, s->nhosts + 1, sizeof *out->hosts) < 0)
            goto fail;
        size_t n = 0;
        for (uint32_t r = s->first; r != HTABLE_NONE; r = t->recs[r].next)
            out->hosts[n++] = (struct named){t->hosts[t->recs[r].host], r};
        qsort(out->hosts, n, sizeof *out->hosts, by_name);
        if (fputs("{\"key\":", f) == EOF || put_string(f, htable_key(t, (uint32_t)i)) < 0 ||
            fprintf(f, ",\"last_run\":%lld,\"hosts\":{", (long long)s->last_run) < 0)
            goto fail;
        for (size_t k = 0; k < n; k++) {
            const struct hrec *r = &t->recs[out->hosts[k].i];
            if ((k && fputc(',', f) == EOF) || put_string(f, out->hosts[k].name) < 0 ||
                fprintf(f, ":{\"runs\":%lld,\"seconds\":%.17g}", (long long)r->runs, r->seconds) <
                    0)
                goto fail;
        }
        if (fputs("}}\n", f) == EOF)
            goto fail;
    }
    return 0;
fail:
    if (!errno)
        errno = EIO;
    return -1;
}

/* Make the directory path is in, if it is missing (one level). */
static int make_parent(const char *path, struct error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return errprintf(err, "%s", strerror(errno));
    int rc = 0;
    if (mkdir(dir, 0777) < 0 && errno != EEXIST)
        rc = errprintf(err, "cannot make %s: %s", dir, strerror(errno));
    free(dir);
    return rc;
}

/* Lock fd, waiting at most wait seconds for another holder. Returns 0, or
 * -1 with errno (ETIMEDOUT when the wait ran out). */
static int lock_within(int fd, double wait)
{
    double deadline = time_mono() + wait;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        double left = deadline - time_mono();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        /* a save merges in well under a second: a 50 ms poll loses little */
        double nap = left < 0.05 ? left : 0.05;
        struct timespec ts = {0, (long)(nap * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* Open and lock lockpath (waiting at most wait seconds): never through a
 * symbolic link, never anything but a regular file. Returns the descriptor
 * (closing it unlocks), or -1. */
static int take_lock(const char *lockpath, double wait, struct error *err)
{
    int fd =
        open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ELOOP)
        return errprintf(err, "%s is a symbolic link; distmpi will not follow it", lockpath);
    if (fd < 0)
        return errprintf(err, "%s: %s", lockpath, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return errprintf(err, "%s: %s", lockpath, strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EEXIST;
        return errprintf(err, "%s is not a regular file", lockpath);
    }
    /* another run's save: it holds the lock only while it merges */
    if (lock_within(fd, wait) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        if (saved == ETIMEDOUT)
            return errprintf(err, "another process has held the lock %s for %g s", lockpath, wait);
        return errprintf(err, "cannot lock %s: %s", lockpath, strerror(saved));
    }
    return fd;
}

int history_save(struct history *h, const char *path, struct error *err)
{
    if (!h || h->notes.nrecs == 0)
        return 0;
    char *lockpath = malloc(strlen(path) + sizeof ".lock");
    struct named *sorted = malloc(h->notes.n * sizeof *sorted);
    struct htable merged = {0};
    struct output out = {&merged, NULL, 0, NULL, 0};
    struct reader rd = {0};
    int lock = -1, rc = -1;
    if (!lockpath || !sorted)
        goto nomem;
    strcpy(lockpath, path);
    strcat(lockpath, ".lock");
    for (size_t i = 0; i < h->notes.n; i++)
        sorted[i] = (struct named){htable_key(&h->notes, (uint32_t)i), (uint32_t)i};
    qsort(sorted, h->notes.n, sizeof *sorted, by_name);
    if (make_parent(path, err) < 0 || (lock = take_lock(lockpath, h->lock_wait, err)) < 0)
        goto out;
    /* inside the lock: what another run saved since our load is kept */
    struct error why;
    enum outcome o = reader_open(&rd, path, &why);
    if (o == READ_OK) {
        o = merge(&rd, &h->notes, sorted, rd.runs + 1, &merged, &why);
        out.runs = rd.runs + 1;
        if (o == READ_UNREADABLE)
            errprefix(&why, "%s: ", path);
        reader_close(&rd);
    }
    if (o == READ_NOMEM)
        goto nomem;
    if (o == READ_UNREADABLE) { /* left alone: it may be good, only not for us */
        errprintf(err, "%s", why.text);
        goto out_prefixed;
    }
    if (o != READ_OK) { /* missing, or corrupt: replaced */
        htable_free(&merged);
        out.runs = 1;
        if (merge(NULL, &h->notes, sorted, 1, &merged, &why) != READ_OK)
            goto nomem;
    }
    if (bound_shards(&merged, h->max_keys, (unsigned char **)&out.drop) < 0)
        goto nomem;
    if (fs_write_atomic(path, write_history, &out, err) < 0)
        goto out_prefixed;
    htable_free(&h->notes);
    rc = 0;
    goto done;
nomem:
    errno = ENOMEM;
    errprintf(err, "out of memory");
out:
    errprefix(err, "%s: ", path);
out_prefixed:
    errprefix(err, "cannot save the timing history ");
done:;
    int saved = errno;
    if (lock >= 0)
        close(lock);
    htable_free(&merged);
    free((void *)out.drop);
    free(out.hosts);
    free(sorted);
    free(lockpath);
    errno = saved;
    return rc;
}
