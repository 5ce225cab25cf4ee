/* SPDX-License-Identifier: BSD-3-Clause */
/* history.c - the timing history file: read strictly, merged under a lock,
 * replaced atomically (see history.h for the format). */
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
#include <unistd.h>

#include "common/fsutil.h"

/* Numbers past this are refused when read, so that counting one more run
 * can never overflow (and a double still holds them exactly). */
#define HISTORY_MAX_COUNT ((json_int_t)1 << 53)

/* What a save reckons each shard and host record costs in the file beside
 * its name (members, numbers, indentation: about 60 and 80 bytes), with room
 * to spare, to keep the file under HISTORY_MAX_BYTES whatever the keys. */
#define SHARD_OVERHEAD 160
#define HOST_OVERHEAD  160
#define SAVE_BUDGET    (HISTORY_MAX_BYTES - (1L << 20))

struct history {
    json_t *shards; /* as loaded and checked: KEY -> {"last_run", "hosts"}; NULL: none */
    json_t *notes;  /* KEY -> HOST -> [mean seconds, count] */
    long noted;     /* (KEY, HOST) pairs in notes */
    long max_keys;
};

/* How reading a file went. */
enum outcome { READ_OK, READ_MISSING, READ_CORRUPT, READ_UNREADABLE, READ_NOMEM };

/* Put s into out (size n) for a message: at most 48 bytes, control
 * characters as '?', a cut one ending in "...". */
static const char *shown(char *out, size_t n, const char *s)
{
    size_t len = strlen(s), keep = len > 48 ? 48 : len;
    while (keep < len && keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--; /* not inside a UTF-8 character */
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

/* Whether s is valid UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF), which JSON strings must be. */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80             ? 0
                : (c & 0xE0) == 0xC0 ? 1
                : (c & 0xF0) == 0xE0 ? 2
                : (c & 0xF8) == 0xF0 ? 3
                                     : -1;
        if (n < 0)
            return 0;
        unsigned long v = n == 0 ? c : c & (0x3F >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            v = v << 6 | (p[i] & 0x3F);
        }
        static const unsigned long least[] = {0, 0x80, 0x800, 0x10000};
        if (v < least[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
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
    shown(k, sizeof k, key);
    shown(h, sizeof h, host);
    if (strlen(host) > HISTORY_MAX_KEY)
        return errprintf(why, "shard \"%s\": host \"%s\" is longer than %d bytes", k, h,
                         HISTORY_MAX_KEY);
    if (!json_is_object(o))
        return errprintf(why, "shard \"%s\": host \"%s\" is not an object", k, h);
    if (!only_members(o, members, &unknown))
        return errprintf(why, "shard \"%s\": host \"%s\": unknown member \"%s\"", k, h,
                         shown((char[64]){0}, 64, unknown));
    if (!count_in(json_object_get(o, "runs"), 1, runs))
        return errprintf(why,
                         "shard \"%s\": host \"%s\": \"runs\" is missing or not a whole "
                         "number from 1 to %lld",
                         k, h, (long long)runs);
    json_t *s = json_object_get(o, "seconds");
    if (!json_is_number(s))
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is missing or not a number",
                         k, h);
    double v = json_number_value(s);
    if (!isfinite(v))
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is not finite", k, h);
    if (v < 0)
        return errprintf(why, "shard \"%s\": host \"%s\": \"seconds\" is negative (%g)", k, h, v);
    return 0;
}

/* Check one shard's record. */
static int check_shard(const char *key, json_t *o, json_int_t runs, struct error *why)
{
    static const char *const members[] = {"last_run", "hosts", NULL};
    char k[64];
    const char *unknown;
    shown(k, sizeof k, key);
    if (strlen(key) > HISTORY_MAX_KEY)
        return errprintf(why, "shard \"%s\": the key is longer than %d bytes", k, HISTORY_MAX_KEY);
    if (!json_is_object(o))
        return errprintf(why, "shard \"%s\" is not an object", k);
    if (!only_members(o, members, &unknown))
        return errprintf(why, "shard \"%s\": unknown member \"%s\"", k,
                         shown((char[64]){0}, 64, unknown));
    if (runs < 1 || !count_in(json_object_get(o, "last_run"), 1, runs))
        return errprintf(why,
                         "shard \"%s\": \"last_run\" is missing or not a whole number from 1 to "
                         "the file's runs (%lld)",
                         k, (long long)runs);
    json_t *hosts = json_object_get(o, "hosts");
    if (!json_is_object(hosts))
        return errprintf(why, "shard \"%s\": \"hosts\" is missing or not an object", k);
    const char *host;
    json_t *v;
    json_object_foreach(hosts, host, v)
    {
        if (check_host(key, host, v, runs, why) < 0)
            return -1;
    }
    return 0;
}

/* Check that root is a history of this version, member by member. */
static int check_history(json_t *root, struct error *why)
{
    static const char *const members[] = {"distmpi_history", "runs", "shards", NULL};
    const char *unknown;
    if (!json_is_object(root))
        return errprintf(why, "not a JSON object");
    json_t *version = json_object_get(root, "distmpi_history");
    if (!version)
        return errprintf(why, "no \"distmpi_history\" member: not a timing history");
    if (!json_is_integer(version))
        return errprintf(why, "\"distmpi_history\" is not a whole number");
    if (json_integer_value(version) != HISTORY_VERSION)
        return errprintf(why, "unknown version %lld (this distmpi reads version %d)",
                         (long long)json_integer_value(version), HISTORY_VERSION);
    if (!only_members(root, members, &unknown))
        return errprintf(why, "unknown member \"%s\"", shown((char[64]){0}, 64, unknown));
    json_t *runs = json_object_get(root, "runs");
    if (!count_in(runs, 0, HISTORY_MAX_COUNT))
        return errprintf(why, "\"runs\" is missing or not a whole number from 0 to %lld",
                         (long long)HISTORY_MAX_COUNT);
    json_t *shards = json_object_get(root, "shards");
    if (!json_is_object(shards))
        return errprintf(why, "\"shards\" is missing or not an object");
    if (json_object_size(shards) > HISTORY_MAX_KEYS)
        return errprintf(why, "more than %d shards", HISTORY_MAX_KEYS);
    const char *key;
    json_t *v;
    json_object_foreach(shards, key, v)
    {
        if (check_shard(key, v, json_integer_value(runs), why) < 0)
            return -1;
    }
    return 0;
}

/* Read and check the history at path into *root (NULL unless READ_OK);
 * why gets "PATH: reason" for READ_CORRUPT and READ_UNREADABLE. */
static enum outcome read_history(const char *path, json_t **root, struct error *why)
{
    *root = NULL;
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return READ_MISSING;
        errprintf(why, "%s: %s", path, strerror(errno));
        return READ_UNREADABLE;
    }
    /* a FIFO would block the read, a directory cannot be one */
    if (!S_ISREG(st.st_mode)) {
        errprintf(why, "%s: not a regular file", path);
        return READ_UNREADABLE;
    }
    if (st.st_size > HISTORY_MAX_BYTES) {
        errprintf(why, "%s: %lld bytes, more than the limit of %ld MiB", path,
                  (long long)st.st_size, HISTORY_MAX_BYTES >> 20);
        return READ_CORRUPT;
    }
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(path, (size_t)HISTORY_MAX_BYTES + 1, &data, &len, why) < 0) {
        if (errno == ENOENT) /* removed since the stat */
            return READ_MISSING;
        if (errno == ENOMEM)
            return READ_NOMEM;
        return errno == EFBIG ? READ_CORRUPT : READ_UNREADABLE;
    }
    json_error_t jerr;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    free(data);
    if (!j) {
        if (json_error_code(&jerr) == json_error_out_of_memory) {
            errno = ENOMEM;
            return READ_NOMEM;
        }
        /* jansson quotes the text near the error, a newline included */
        for (char *c = jerr.text; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        errprintf(why, "%s: corrupt: not JSON: line %d column %d: %s", path, jerr.line, jerr.column,
                  jerr.text);
        return READ_CORRUPT;
    }
    if (check_history(j, why) < 0) {
        json_decref(j);
        errprefix(why, "%s: corrupt: ", path);
        return READ_CORRUPT;
    }
    *root = j;
    return READ_OK;
}

static struct history *history_create(void)
{
    struct history *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->notes = json_object();
    h->max_keys = HISTORY_MAX_KEYS;
    if (!h->notes) {
        free(h);
        errno = ENOMEM;
        return NULL;
    }
    return h;
}

int history_load(const char *path, struct history **out, struct error *warn)
{
    struct history *h = history_create();
    *out = h;
    if (!h) {
        errno = ENOMEM;
        return errprintf(warn, "%s: out of memory", path);
    }
    json_t *root;
    switch (read_history(path, &root, warn)) {
    case READ_OK:
        h->shards = json_incref(json_object_get(root, "shards"));
        json_decref(root);
        return 0;
    case READ_MISSING:
        return 0;
    case READ_NOMEM:
        history_destroy(h);
        *out = NULL;
        errno = ENOMEM;
        return errprintf(warn, "%s: out of memory", path);
    default:
        return -1;
    }
}

void history_destroy(struct history *h)
{
    if (!h)
        return;
    int saved = errno;
    json_decref(h->shards);
    json_decref(h->notes);
    free(h);
    errno = saved;
}

double history_predict(const struct history *h, const char *key, const char *host)
{
    if (!h || !h->shards || !key)
        return NAN;
    json_t *hosts = json_object_get(json_object_get(h->shards, key), "hosts");
    json_t *on = host ? json_object_get(hosts, host) : NULL;
    if (on)
        return json_number_value(json_object_get(on, "seconds"));
    double mean = NAN;
    long n = 0;
    const char *name;
    json_t *v;
    json_object_foreach(hosts, name, v)
    {
        double s = json_number_value(json_object_get(v, "seconds"));
        n++;
        mean = n == 1 ? s : mean + (s - mean) / (double)n; /* a sum could overflow */
    }
    return mean;
}

int history_note(struct history *h, const char *key, const char *host, double seconds)
{
    if (!h || !key || !host || !isfinite(seconds) || seconds < 0 || strlen(key) > HISTORY_MAX_KEY ||
        strlen(host) > HISTORY_MAX_KEY || !valid_utf8(key) || !valid_utf8(host))
        return 0;
    json_t *hosts = json_object_get(h->notes, key);
    if (!hosts) {
        hosts = json_object();
        if (!hosts || json_object_set_new(h->notes, key, hosts) < 0)
            goto nomem;
    }
    json_t *note = json_object_get(hosts, host);
    if (!note) {
        note = json_pack("[f, I]", seconds, (json_int_t)1);
        if (!note || json_object_set_new(hosts, host, note) < 0)
            goto nomem;
        h->noted++;
        return 0;
    }
    /* a running mean: never overflows, as a sum could */
    json_int_t n = json_integer_value(json_array_get(note, 1)) + 1;
    double mean = json_real_value(json_array_get(note, 0));
    mean += (seconds - mean) / (double)n;
    json_real_set(json_array_get(note, 0), mean);
    json_integer_set(json_array_get(note, 1), n);
    return 0;
nomem:
    errno = ENOMEM;
    return -1;
}

long history_noted(const struct history *h)
{
    return h ? h->noted : 0;
}

void history_set_max_keys(struct history *h, long max)
{
    if (h && max >= 1)
        h->max_keys = max;
}

/* Merge h's notes into root, a checked history, as one more run. */
static int merge_notes(const struct history *h, json_t *root)
{
    json_int_t run = json_integer_value(json_object_get(root, "runs")) + 1;
    json_t *shards = json_object_get(root, "shards");
    if (json_object_set_new(root, "runs", json_integer(run)) < 0)
        return -1;
    const char *key;
    json_t *noted;
    json_object_foreach(h->notes, key, noted)
    {
        json_t *shard = json_object_get(shards, key);
        if (!shard) {
            shard = json_pack("{s:I, s:{}}", "last_run", run, "hosts");
            if (!shard || json_object_set_new(shards, key, shard) < 0)
                return -1;
        } else if (json_object_set_new(shard, "last_run", json_integer(run)) < 0) {
            return -1;
        }
        json_t *hosts = json_object_get(shard, "hosts");
        const char *host;
        json_t *note;
        json_object_foreach(noted, host, note)
        {
            double seconds = json_real_value(json_array_get(note, 0));
            json_int_t runs = 1;
            json_t *old = json_object_get(hosts, host);
            if (old) {
                double before = json_number_value(json_object_get(old, "seconds"));
                seconds = before + (seconds - before) / 2;
                runs = json_integer_value(json_object_get(old, "runs")) + 1;
            }
            json_t *rec = json_pack("{s:I, s:f}", "runs", runs, "seconds", seconds);
            if (!rec || json_object_set_new(hosts, host, rec) < 0)
                return -1;
        }
    }
    return 0;
}

/* A shard as the bound weighs it. */
struct kept {
    const char *key;
    json_t *shard;
    json_int_t last_run;
    double runs;  /* summed over its hosts (a double: a sum of 2^53s) */
    double bytes; /* what it takes in the file */
};

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

/* Least recently seen first; then seen in fewer runs; then by key, so the
 * choice does not depend on the hash table's order. */
static int least_recent_first(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    if (x->last_run != y->last_run)
        return x->last_run < y->last_run ? -1 : 1;
    if (x->runs != y->runs)
        return x->runs < y->runs ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Keep at most max shards in root, and few enough for the file to stay
 * well under HISTORY_MAX_BYTES, dropping the least recently seen. */
static int bound_shards(json_t *root, long max)
{
    json_t *shards = json_object_get(root, "shards");
    size_t n = json_object_size(shards), i = 0;
    struct kept *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return -1;
    double bytes = 0;
    const char *key;
    json_t *shard;
    json_object_foreach(shards, key, shard)
    {
        struct kept *k = &all[i++];
        *k = (struct kept){key, shard, json_integer_value(json_object_get(shard, "last_run")), 0,
                           json_bytes(key) + SHARD_OVERHEAD};
        const char *host;
        json_t *v;
        json_object_foreach(json_object_get(shard, "hosts"), host, v)
        {
            k->runs += (double)json_integer_value(json_object_get(v, "runs"));
            k->bytes += json_bytes(host) + HOST_OVERHEAD;
        }
        bytes += k->bytes;
    }
    if (n <= (size_t)max && bytes <= SAVE_BUDGET) {
        free(all);
        return 0;
    }
    qsort(all, n, sizeof *all, least_recent_first);
    size_t drop = 0;
    while (drop < n && (n - drop > (size_t)max || bytes > SAVE_BUDGET))
        bytes -= all[drop++].bytes;
    /* the kept ones into a new object: the keys stay valid meanwhile */
    json_t *kept = json_object();
    int rc = kept ? 0 : -1;
    for (i = drop; i < n && rc == 0; i++)
        rc = json_object_set(kept, all[i].key, all[i].shard);
    free(all);
    if (rc == 0)
        rc = json_object_set_new(root, "shards", kept);
    else
        json_decref(kept);
    return rc;
}

static int write_history(FILE *f, void *arg)
{
    if (json_dumpf(arg, f, JSON_SORT_KEYS | JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return 0;
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

/* Open and lock lockpath: never through a symbolic link, never anything
 * but a regular file. Returns the descriptor (closing it unlocks), or -1. */
static int take_lock(const char *lockpath, struct error *err)
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
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int saved = errno;
            close(fd);
            errno = saved;
            return errprintf(err, "cannot lock %s: %s", lockpath, strerror(saved));
        }
    }
    return fd;
}

int history_save(struct history *h, const char *path, struct error *err)
{
    if (!h || h->noted == 0)
        return 0;
    char *lockpath = malloc(strlen(path) + sizeof ".lock");
    if (!lockpath) {
        errno = ENOMEM;
        return errprintf(err, "cannot save the timing history %s: out of memory", path);
    }
    strcpy(lockpath, path);
    strcat(lockpath, ".lock");
    json_t *root = NULL;
    int lock = -1, rc = -1;
    if (make_parent(path, err) < 0 || (lock = take_lock(lockpath, err)) < 0)
        goto out;
    /* inside the lock: what another run saved since our load is kept */
    struct error why;
    switch (read_history(path, &root, &why)) {
    case READ_OK:
        break;
    case READ_MISSING:
    case READ_CORRUPT: /* replaced */
        root = json_pack("{s:i, s:I, s:{}}", "distmpi_history", HISTORY_VERSION, "runs",
                         (json_int_t)0, "shards");
        if (!root)
            goto nomem;
        break;
    case READ_NOMEM:
        goto nomem;
    case READ_UNREADABLE: /* left alone: it may be good, only not for us */
        errprintf(err, "%s", why.text);
        goto out_prefixed;
    }
    json_t *fresh = json_object();
    if (!fresh || merge_notes(h, root) < 0 || bound_shards(root, h->max_keys) < 0) {
        json_decref(fresh);
        goto nomem;
    }
    if (fs_write_atomic(path, write_history, root, err) < 0) {
        json_decref(fresh);
        goto out_prefixed;
    }
    json_decref(h->notes);
    h->notes = fresh;
    h->noted = 0;
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
    json_decref(root);
    free(lockpath);
    errno = saved;
    return rc;
}
