/* SPDX-License-Identifier: BSD-3-Clause */
/* hostfile.c - Open MPI hostfile reading and writing. */
#include "config.h"

#include "config/hostfile.h"

#include "common/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mpirun keeps slot counts in an int; refuse what it would overflow. */
#define HOSTFILE_MAX_VALUE ((long)INT_MAX)

void hostfile_destroy(struct hostfile *h)
{
    if (!h)
        return;
    int saved = errno;
    for (long i = 0; i < h->count; i++) {
        free(h->hosts[i].name);
        free(h->hosts[i].user);
    }
    free(h->hosts);
    free(h);
    errno = saved;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* One line's words: [USER@]NAME and its KEY=VALUE settings. */
struct line_host {
    const char *user, *name;
    size_t userlen, namelen;
    long slots, max_slots; /* 0: not on this line */
};

/* A host name, an IPv4 literal (a name by these rules) or an IPv6 literal
 * (hex digits, ':' and '.', at least two ':'). */
static const char *check_name(const char *s, size_t n)
{
    if (n == 0)
        return "missing host name";
    if (memchr(s, ':', n)) {
        int colons = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == ':')
                colons++;
            else if (!isxdigit((unsigned char)s[i]) && s[i] != '.')
                return "bad character in IPv6 address";
        }
        return colons >= 2 ? NULL : "bad IPv6 address";
    }
    if (!isalnum((unsigned char)s[0]))
        return "host name must start with a letter or digit";
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return "bad character in host name (allowed: letters, digits, '-', '.', '_')";
    return NULL;
}

static const char *check_user(const char *s, size_t n)
{
    if (n == 0)
        return "empty user name before '@'";
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return "bad character in user name";
    return NULL;
}

enum key_kind { KEY_NONE, KEY_SLOTS, KEY_MAX };

static enum key_kind key_lookup(const char *k, size_t n)
{
    static const char *const slots[] = {"slots", "count", "cpu"};
    static const char *const max[] = {"max_slots", "max-slots", "slots_max", "slots-max",
                                      "max_cpu",   "max-cpu",   "cpu_max",   "cpu-max",
                                      "max_count", "max-count", "count_max", "count-max"};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (strlen(slots[i]) == n && !memcmp(slots[i], k, n))
            return KEY_SLOTS;
    for (size_t i = 0; i < sizeof max / sizeof max[0]; i++)
        if (strlen(max[i]) == n && !memcmp(max[i], k, n))
            return KEY_MAX;
    return KEY_NONE;
}

/* Split one line (no newline, no comment) into h. Returns 0, or -1 with
 * the problem in err. */
static int scan_line(const char *p, size_t n, struct line_host *h, struct error *err)
{
    size_t i = 0;
    while (i < n && is_blank(p[i]))
        i++;
    size_t start = i;
    while (i < n && !is_blank(p[i]) && p[i] != '=')
        i++;
    const char *word = p + start;
    size_t wlen = i - start;
    const char *at = memchr(word, '@', wlen);
    h->user = NULL;
    h->userlen = 0;
    h->name = word;
    h->namelen = wlen;
    if (at) {
        h->user = word;
        h->userlen = (size_t)(at - word);
        h->name = at + 1;
        h->namelen = wlen - h->userlen - 1;
    }
    const char *bad = h->user ? check_user(h->user, h->userlen) : NULL;
    if (!bad)
        bad = check_name(h->name, h->namelen);
    if (bad)
        return errprintf(err, "%s: '%.*s'", bad, (int)wlen, word);
    h->slots = h->max_slots = 0;
    for (;;) {
        while (i < n && is_blank(p[i]))
            i++;
        if (i == n)
            break;
        size_t ks = i;
        while (i < n && !is_blank(p[i]) && p[i] != '=')
            i++;
        const char *key = p + ks;
        int klen = (int)(i - ks);
        enum key_kind kind = key_lookup(key, i - ks);
        if (kind == KEY_NONE && i == ks)
            return errprintf(err, "'=' without a keyword");
        if (kind == KEY_NONE)
            return errprintf(err,
                             "unknown keyword '%.*s' (known: slots, max_slots and their synonyms)",
                             klen, key);
        while (i < n && is_blank(p[i]))
            i++;
        if (i == n || p[i] != '=')
            return errprintf(err, "'%.*s' needs a value: %.*s=N", klen, key, klen, key);
        i++;
        while (i < n && is_blank(p[i]))
            i++;
        size_t vs = i;
        while (i < n && !is_blank(p[i]))
            i++;
        const char *val = p + vs;
        int vlen = (int)(i - vs);
        long long v = 0; /* saturates just above the limit, so no overflow */
        bool ok = i > vs;
        for (size_t j = vs; ok && j < i; j++) {
            if (!isdigit((unsigned char)p[j]))
                ok = false;
            else if (v <= HOSTFILE_MAX_VALUE)
                v = v * 10 + (p[j] - '0');
        }
        if (ok && v > HOSTFILE_MAX_VALUE)
            return errprintf(err, "%.*s=%.*s is too large (at most %ld)", klen, key, vlen, val,
                             HOSTFILE_MAX_VALUE);
        if (!ok || v < 1)
            return errprintf(err, "%.*s=%.*s: not a whole number >= 1%s", klen, key, vlen, val,
                             ok ? " (to give a host no processes, leave it out)" : "");
        long *slot = kind == KEY_SLOTS ? &h->slots : &h->max_slots;
        if (*slot)
            return errprintf(err, "%s given twice on the line",
                             kind == KEY_SLOTS ? "slot count" : "max_slots");
        *slot = (long)v;
    }
    if (h->slots && h->max_slots && h->max_slots < h->slots)
        return errprintf(err, "max_slots=%ld is less than slots=%ld", h->max_slots, h->slots);
    return 0;
}

static struct hostfile_entry *find_host(struct hostfile *hf, const char *name, size_t n)
{
    for (long i = 0; i < hf->count; i++)
        if (strlen(hf->hosts[i].name) == n && !memcmp(hf->hosts[i].name, name, n))
            return &hf->hosts[i];
    return NULL;
}

/* Fold a repeated line into the host's first entry, as mpirun 4.1 does.
 * Returns 0, or -1 with the problem in err. */
static int merge_host(struct hostfile_entry *e, const struct line_host *h, struct error *err)
{
    if (h->slots)
        return errprintf(err,
                         "host '%s' already listed on line %ld: mpirun refuses a second slot "
                         "count for a host (give one line with the total)",
                         e->name, e->line);
    if (e->slots >= HOSTFILE_MAX_VALUE)
        return errprintf(err, "host '%s': too many slots", e->name);
    e->slots = (e->slots ? e->slots : 1) + 1;
    if (h->max_slots)
        e->max_slots = h->max_slots;
    if (e->max_slots && e->max_slots < e->slots)
        return errprintf(err, "host '%s' now has %ld slots, more than max_slots=%ld", e->name,
                         e->slots, e->max_slots);
    return 0;
}

static int add_host(struct hostfile *hf, long *cap, const struct line_host *h, long line)
{
    if (hf->count == *cap) {
        long ncap = *cap ? *cap * 2 : 16;
        struct hostfile_entry *n = realloc(hf->hosts, (size_t)ncap * sizeof *n);
        if (!n)
            return -1;
        hf->hosts = n;
        *cap = ncap;
    }
    struct hostfile_entry *e = &hf->hosts[hf->count];
    memset(e, 0, sizeof *e);
    e->name = strndup(h->name, h->namelen);
    if (!e->name)
        return -1;
    if (h->user && !(e->user = strndup(h->user, h->userlen))) {
        free(e->name);
        return -1;
    }
    e->slots = h->slots;
    e->max_slots = h->max_slots;
    e->line = line;
    hf->count++;
    return 0;
}

int hostfile_parse(const char *name, const char *data, size_t len, struct hostfile **out,
                   struct error *err)
{
    struct hostfile *hf = calloc(1, sizeof *hf);
    long cap = 0;
    if (!hf)
        goto nomem;
    long line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (memchr(start, '\0', n)) {
            errprintf(err, "%s:%ld: line contains a NUL byte (is this a text file?)", name, line);
            goto fail;
        }
        const char *hash = memchr(start, '#', n);
        if (hash)
            n = (size_t)(hash - start);
        else if (n > 0 && start[n - 1] == '\r')
            n--;
        while (n > 0 && is_blank(start[n - 1]))
            n--;
        size_t skip = 0;
        while (skip < n && is_blank(start[skip]))
            skip++;
        if (skip == n)
            continue;
        struct line_host h;
        struct hostfile_entry *e = NULL;
        if (scan_line(start, n, &h, err) < 0 ||
            ((e = find_host(hf, h.name, h.namelen)) && merge_host(e, &h, err) < 0)) {
            errprefix(err, "%s:%ld: ", name, line);
            goto fail;
        }
        if (!e && add_host(hf, &cap, &h, line) < 0)
            goto nomem;
    }
    *out = hf;
    return 0;
nomem:
    errprintf(err, "%s: out of memory", name);
fail:
    hostfile_destroy(hf);
    return -1;
}

/* Hostfiles list machines: a megabyte is already far more than any cluster. */
#define HOSTFILE_MAX_BYTES ((size_t)64 << 20)

int hostfile_load(const char *path, struct hostfile **out, struct error *err)
{
    char *data;
    size_t len;
    if (fs_read_file(path, HOSTFILE_MAX_BYTES, &data, &len, err) < 0)
        return -1;
    int rc = hostfile_parse(path, data ? data : "", len, out, err);
    free(data);
    return rc;
}

int hostfile_write(FILE *f, const struct hostfile_entry *const *hosts, long n)
{
    for (long i = 0; i < n; i++) {
        const struct hostfile_entry *e = hosts[i];
        if (!e || !e->name) {
            errno = EINVAL;
            return -1;
        }
        if (e->user && fprintf(f, "%s@", e->user) < 0)
            return -1;
        if (fputs(e->name, f) < 0)
            return -1;
        if (e->slots > 0 && fprintf(f, " slots=%ld", e->slots) < 0)
            return -1;
        if (e->max_slots > 0 && fprintf(f, " max_slots=%ld", e->max_slots) < 0)
            return -1;
        if (fputc('\n', f) == EOF)
            return -1;
    }
    return fflush(f) == EOF ? -1 : 0;
}
