/* SPDX-License-Identifier: BSD-3-Clause */
/* allocation.c - Slurm node lists and counts, PBS node files. */
#include "config.h"

#include "config/allocation.h"

#include "common/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mpirun keeps slot counts in an int */
#define ALLOC_MAX_SLOTS ((long)INT_MAX)

/* 18 digits always fit an unsigned long of 64 bits */
#define ALLOC_MAX_DIGITS 18

static bool is_text_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* ---------------------------------------------------------------- hosts */

/* The hosts found so far, and a hash set of their names (open addressing;
 * slot: index + 1, 0 empty), so that a long list is checked for repeats in
 * linear time. */
struct hostset {
    struct hostfile *hf;
    long cap;
    long *slot;
    size_t nslot; /* a power of two, at least twice hf->count */
};

static size_t hash_name(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return (size_t)h;
}

/* The index of the host called s[0..n), or -1. */
static long hostset_find(const struct hostset *hs, const char *s, size_t n)
{
    if (!hs->nslot)
        return -1;
    for (size_t i = hash_name(s, n) & (hs->nslot - 1);; i = (i + 1) & (hs->nslot - 1)) {
        long k = hs->slot[i];
        if (!k)
            return -1;
        const char *name = hs->hf->hosts[k - 1].name;
        if (!strncmp(name, s, n) && !name[n])
            return k - 1;
    }
}

static void hostset_put(struct hostset *hs, long index)
{
    const char *name = hs->hf->hosts[index].name;
    size_t i = hash_name(name, strlen(name)) & (hs->nslot - 1);
    while (hs->slot[i])
        i = (i + 1) & (hs->nslot - 1);
    hs->slot[i] = index + 1;
}

/* Add the host s[0..n) (not in the set yet) with slots and line. Returns 0,
 * or -1 when out of memory. */
static int hostset_add(struct hostset *hs, const char *s, size_t n, long slots, long line)
{
    struct hostfile *hf = hs->hf;
    if (hf->count == hs->cap) {
        long ncap = hs->cap ? hs->cap * 2 : 16;
        struct hostfile_entry *e = realloc(hf->hosts, (size_t)ncap * sizeof *e);
        if (!e)
            return -1;
        hf->hosts = e;
        hs->cap = ncap;
    }
    if ((size_t)(hf->count + 1) * 2 > hs->nslot) {
        size_t nslot = hs->nslot ? hs->nslot * 2 : 64;
        long *slot = calloc(nslot, sizeof *slot);
        if (!slot)
            return -1;
        free(hs->slot);
        hs->slot = slot;
        hs->nslot = nslot;
        for (long i = 0; i < hf->count; i++)
            hostset_put(hs, i);
    }
    struct hostfile_entry *e = &hf->hosts[hf->count];
    memset(e, 0, sizeof *e);
    if (!(e->name = strndup(s, n)))
        return -1;
    e->slots = slots;
    e->line = line;
    hostset_put(hs, hf->count++);
    return 0;
}

static int hostset_init(struct hostset *hs)
{
    memset(hs, 0, sizeof *hs);
    hs->hf = calloc(1, sizeof *hs->hf);
    return hs->hf ? 0 : -1;
}

/* Hand over the hosts (the set's table is freed); NULL when fail. */
static struct hostfile *hostset_finish(struct hostset *hs, bool fail)
{
    free(hs->slot);
    if (fail) {
        hostfile_destroy(hs->hf);
        return NULL;
    }
    return hs->hf;
}

/* ---------------------------------------------------------------- node lists */

struct range {
    unsigned long lo, hi;
    int width; /* digits of the low end as written */
};

/* A piece of a name: literal text, then a bracket group or none. */
struct part {
    const char *text;
    size_t textlen;
    long first, nranges; /* its ranges; nranges 0: no group */
    /* while expanding: the range and the number now */
    long r;
    unsigned long v;
};

struct nodelist {
    const char *list;
    struct part *parts;
    long nparts, capparts;
    struct range *ranges;
    long nranges, capranges;
};

static int grow(void **p, long *cap, long need, size_t size)
{
    if (need <= *cap)
        return 0;
    long ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *n = realloc(*p, (size_t)ncap * size);
    if (!n)
        return -1;
    *p = n;
    *cap = ncap;
    return 0;
}

/* Up to 24 characters of s for a message, control characters and other
 * bytes that are not printable ASCII shown as '?', "..." when cut. */
static const char *excerpt(const char *s, size_t n, char *buf, size_t size)
{
    size_t k = 0, max = size - 4;
    for (size_t i = 0; i < n && k < max; i++)
        buf[k++] = s[i] > ' ' && s[i] < 127 ? s[i] : '?';
    if (n > max)
        memcpy(buf + k, "...", 4);
    else
        buf[k] = '\0';
    return buf;
}

/* "PROBLEM at character N ('TEXT THERE')" for the list that starts at list */
static int __attribute__((format(printf, 4, 5)))
at_error(struct error *err, const char *list, const char *pos, const char *fmt, ...)
{
    char problem[256], there[28];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (!*pos)
        return errprintf(err, "%s at the end", problem);
    return errprintf(err, "%s at character %ld ('%s')", problem, (long)(pos - list) + 1,
                     excerpt(pos, strlen(pos), there, sizeof there));
}

/* Read digits at *p: the value and how many there were. Returns 0, or -1
 * with the problem in err. */
static int read_number(const char *list, const char **p, unsigned long *v, int *ndigits,
                       struct error *err)
{
    const char *s = *p;
    unsigned long x = 0;
    int n = 0;
    while (isdigit((unsigned char)s[n])) {
        if (n == ALLOC_MAX_DIGITS)
            return at_error(err, list, s, "number of more than %d digits", ALLOC_MAX_DIGITS);
        x = x * 10 + (unsigned long)(s[n] - '0');
        n++;
    }
    if (n == 0)
        return at_error(err, list, s, "expected a number");
    *v = x;
    *ndigits = n;
    *p = s + n;
    return 0;
}

/* Parse the bracket group at *p (after its '['), up to and past its ']',
 * into nl's ranges; *count: how many numbers it stands for. */
static int parse_group(struct nodelist *nl, const char **p, unsigned long *count, struct error *err)
{
    const char *s = *p;
    unsigned long total = 0;
    for (;;) {
        struct range r;
        const char *start = s;
        if (*s == ',' || *s == ']')
            return at_error(err, nl->list, s, "empty range in brackets");
        if (read_number(nl->list, &s, &r.lo, &r.width, err) < 0)
            return -1;
        r.hi = r.lo;
        if (*s == '-') {
            int w;
            s++;
            if (read_number(nl->list, &s, &r.hi, &w, err) < 0)
                return -1;
        }
        if (r.hi < r.lo)
            return at_error(err, nl->list, start, "reversed range %lu-%lu", r.lo, r.hi);
        if (r.hi - r.lo >= (unsigned long)ALLOC_MAX_HOSTS ||
            (total += r.hi - r.lo + 1) > (unsigned long)ALLOC_MAX_HOSTS)
            return at_error(err, nl->list, start, "more than %ld hosts (the most allowed)",
                            ALLOC_MAX_HOSTS);
        if (grow((void **)&nl->ranges, &nl->capranges, nl->nranges + 1, sizeof *nl->ranges) < 0)
            return errprintf(err, "out of memory");
        nl->ranges[nl->nranges++] = r;
        if (*s == ']') {
            *p = s + 1;
            *count = total;
            return 0;
        }
        if (*s != ',')
            return at_error(err, nl->list, s,
                            *s == '[' ? "'[' inside brackets" : "bad character in brackets");
        s++;
    }
}

/* Split the name s[0..n) into parts; *count: how many hosts it stands for
 * (at most ALLOC_MAX_HOSTS). Brackets are balanced and not nested (checked
 * by the caller). */
static int parse_name(struct nodelist *nl, const char *s, size_t n, unsigned long *count,
                      struct error *err)
{
    const char *end = s + n;
    unsigned long total = 1;
    nl->nparts = nl->nranges = 0;
    while (s < end) {
        if (grow((void **)&nl->parts, &nl->capparts, nl->nparts + 1, sizeof *nl->parts) < 0)
            return errprintf(err, "out of memory");
        struct part *pt = &nl->parts[nl->nparts++];
        memset(pt, 0, sizeof *pt);
        pt->text = s;
        while (s < end && *s != '[') {
            if (!is_text_char(*s))
                return at_error(err, nl->list, s,
                                "bad character in host name (allowed: letters, digits, "
                                "'-', '.', '_')");
            s++;
        }
        pt->textlen = (size_t)(s - pt->text);
        if (s == end)
            break;
        s++;
        pt->first = nl->nranges;
        unsigned long c = 0;
        if (parse_group(nl, &s, &c, err) < 0)
            return -1;
        pt->nranges = nl->nranges - pt->first;
        if (total > (unsigned long)ALLOC_MAX_HOSTS / c)
            return at_error(err, nl->list, pt->text, "more than %ld hosts (the most allowed)",
                            ALLOC_MAX_HOSTS);
        total *= c;
    }
    *count = total;
    return 0;
}

/* Write the name the parts stand for now into buf. Returns its length, or
 * -1 when longer than ALLOC_MAX_NAME. */
static int format_name(const struct nodelist *nl, char *buf)
{
    size_t len = 0;
    for (long i = 0; i < nl->nparts; i++) {
        const struct part *pt = &nl->parts[i];
        if (pt->textlen > ALLOC_MAX_NAME - len)
            return -1;
        memcpy(buf + len, pt->text, pt->textlen);
        len += pt->textlen;
        if (!pt->nranges)
            continue;
        char num[32];
        int w = snprintf(num, sizeof num, "%0*lu", nl->ranges[pt->first + pt->r].width, pt->v);
        if ((size_t)w > ALLOC_MAX_NAME - len)
            return -1;
        memcpy(buf + len, num, (size_t)w);
        len += (size_t)w;
    }
    buf[len] = '\0';
    return (int)len;
}

/* Step the parts to the next name, the last group fastest. Returns 0, or 1
 * after the last name. */
static int next_name(struct nodelist *nl)
{
    for (long i = nl->nparts - 1; i >= 0; i--) {
        struct part *pt = &nl->parts[i];
        if (!pt->nranges)
            continue;
        const struct range *r = &nl->ranges[pt->first + pt->r];
        if (pt->v < r->hi) {
            pt->v++;
            return 0;
        }
        if (pt->r + 1 < pt->nranges) {
            pt->r++;
            pt->v = nl->ranges[pt->first + pt->r].lo;
            return 0;
        }
        pt->r = 0;
        pt->v = nl->ranges[pt->first].lo;
    }
    return 1;
}

/* Add every host the name s[0..n) stands for. */
static int expand_name(struct nodelist *nl, struct hostset *hs, const char *s, size_t n,
                       struct error *err)
{
    if (n == 0)
        return at_error(err, nl->list, s, "empty host name");
    unsigned long count = 0;
    if (parse_name(nl, s, n, &count, err) < 0)
        return -1;
    if (count > (unsigned long)(ALLOC_MAX_HOSTS - hs->hf->count))
        return at_error(err, nl->list, s, "more than %ld hosts (the most allowed)",
                        ALLOC_MAX_HOSTS);
    for (long i = 0; i < nl->nparts; i++) {
        nl->parts[i].r = 0;
        nl->parts[i].v = nl->parts[i].nranges ? nl->ranges[nl->parts[i].first].lo : 0;
    }
    do {
        char name[ALLOC_MAX_NAME + 1];
        int len = format_name(nl, name);
        if (len < 0)
            return at_error(err, nl->list, s, "host name longer than %d characters",
                            ALLOC_MAX_NAME);
        if (!isalnum((unsigned char)name[0]))
            return at_error(err, nl->list, s, "host name must start with a letter or digit");
        if (hostset_find(hs, name, (size_t)len) >= 0)
            return at_error(err, nl->list, s, "host %s named twice", name);
        if (hostset_add(hs, name, (size_t)len, 0, hs->hf->count + 1) < 0)
            return errprintf(err, "out of memory");
    } while (!next_name(nl));
    return 0;
}

int alloc_nodelist_parse(const char *list, struct hostfile **out, struct error *err)
{
    struct nodelist nl = {.list = list};
    struct hostset hs;
    int rc = -1;
    if (hostset_init(&hs) < 0) {
        errprintf(err, "out of memory");
        goto done;
    }
    const char *name = list, *open = NULL;
    for (const char *p = list;; p++) {
        if (*p == '[') {
            if (open) {
                at_error(err, list, p, "'[' inside brackets");
                goto done;
            }
            open = p;
        } else if (*p == ']') {
            if (!open) {
                at_error(err, list, p, "']' without '['");
                goto done;
            }
            open = NULL;
        } else if (!*p && open) {
            at_error(err, list, open, "'[' without ']'");
            goto done;
        } else if (!*p || (*p == ',' && !open)) {
            if (expand_name(&nl, &hs, name, (size_t)(p - name), err) < 0)
                goto done;
            if (!*p)
                break;
            name = p + 1;
        }
    }
    rc = 0;
done:
    free(nl.parts);
    free(nl.ranges);
    if (rc == 0)
        *out = hostset_finish(&hs, false);
    else if (hs.hf)
        hostset_finish(&hs, true);
    return rc;
}

/* ---------------------------------------------------------------- counts */

int alloc_counts_parse(const char *spec, long n, long *counts, struct error *err)
{
    const char *s = spec;
    long k = 0; /* counts given so far, saturating above n */
    if (!*s)
        return errprintf(err, "empty");
    for (;;) {
        const char *start = s;
        unsigned long v, rep = 1;
        int nd;
        if (read_number(spec, &s, &v, &nd, err) < 0)
            return -1;
        if (v == 0)
            return at_error(err, spec, start, "0 slots for a host");
        if (v > (unsigned long)ALLOC_MAX_SLOTS)
            return at_error(err, spec, start, "more than %ld slots for a host", ALLOC_MAX_SLOTS);
        if (*s == '(') {
            if (s[1] != 'x')
                return at_error(err, spec, s, "expected '(xN)'");
            s += 2;
            const char *rs = s;
            if (read_number(spec, &s, &rep, &nd, err) < 0)
                return -1;
            if (rep == 0)
                return at_error(err, spec, rs, "a count for 0 hosts");
            if (*s != ')')
                return at_error(err, spec, s, "expected ')'");
            s++;
        }
        for (unsigned long i = 0; i < rep && k <= n; i++, k++)
            if (k < n)
                counts[k] = (long)v;
        if (!*s)
            break;
        if (*s != ',')
            return at_error(err, spec, s, "expected ',' or the end");
        s++;
    }
    char text[28];
    if (k != n)
        return errprintf(err, "'%s' counts for %s%ld hosts, but the node list has %ld",
                         excerpt(spec, strlen(spec), text, sizeof text), k > n ? "more than " : "",
                         k > n ? n : k, n);
    return 0;
}

int alloc_slurm(const char *nodelist, const char *counts, const char *counts_var,
                struct hostfile **out, struct error *err)
{
    struct hostfile *hf = NULL;
    if (alloc_nodelist_parse(nodelist, &hf, err) < 0)
        return errprefix(err, "SLURM_JOB_NODELIST: ");
    long *c = calloc((size_t)hf->count + 1, sizeof *c);
    if (!c) {
        hostfile_destroy(hf);
        return errprintf(err, "out of memory");
    }
    if (alloc_counts_parse(counts, hf->count, c, err) < 0) {
        free(c);
        hostfile_destroy(hf);
        return errprefix(err, "%s: ", counts_var);
    }
    for (long i = 0; i < hf->count; i++)
        hf->hosts[i].slots = c[i];
    free(c);
    *out = hf;
    return 0;
}

/* ---------------------------------------------------------------- PBS */

int alloc_pbs_parse(const char *name, const char *data, size_t len, struct hostfile **out,
                    struct error *err)
{
    struct hostset hs;
    if (hostset_init(&hs) < 0)
        return errprintf(err, "%s: out of memory", name);
    long line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *s = data + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (memchr(s, '\0', n)) {
            errprintf(err, "%s:%ld: line contains a NUL byte (is this a text file?)", name, line);
            goto fail;
        }
        if (n > 0 && s[n - 1] == '\r')
            n--;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        while (n > 0 && (*s == ' ' || *s == '\t'))
            s++, n--;
        if (n == 0)
            continue;
        char there[28];
        if (n > ALLOC_MAX_NAME) {
            errprintf(err, "%s:%ld: host name longer than %d characters ('%s')", name, line,
                      ALLOC_MAX_NAME, excerpt(s, n, there, sizeof there));
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            if (!is_text_char(s[i])) {
                errprintf(err,
                          "%s:%ld: bad character in host name (allowed: letters, digits, '-', "
                          "'.', '_'): '%s'",
                          name, line, excerpt(s, n, there, sizeof there));
                goto fail;
            }
        }
        if (!isalnum((unsigned char)s[0])) {
            errprintf(err, "%s:%ld: host name must start with a letter or digit: '%s'", name, line,
                      excerpt(s, n, there, sizeof there));
            goto fail;
        }
        long k = hostset_find(&hs, s, n);
        if (k >= 0) {
            if (hs.hf->hosts[k].slots >= ALLOC_MAX_SLOTS) {
                errprintf(err, "%s:%ld: more than %ld slots for host %s", name, line,
                          ALLOC_MAX_SLOTS, hs.hf->hosts[k].name);
                goto fail;
            }
            hs.hf->hosts[k].slots++;
            continue;
        }
        if (hs.hf->count == ALLOC_MAX_HOSTS) {
            errprintf(err, "%s:%ld: more than %ld hosts (the most allowed)", name, line,
                      ALLOC_MAX_HOSTS);
            goto fail;
        }
        if (hostset_add(&hs, s, n, 1, line) < 0) {
            errprintf(err, "%s: out of memory", name);
            goto fail;
        }
    }
    if (hs.hf->count == 0) {
        errprintf(err, "%s: names no host", name);
        goto fail;
    }
    *out = hostset_finish(&hs, false);
    return 0;
fail:
    hostset_finish(&hs, true);
    return -1;
}

/* A node file lists a host once per slot: 64 MiB is millions of slots. */
#define ALLOC_MAX_NODEFILE ((size_t)64 << 20)

int alloc_pbs_load(const char *path, struct hostfile **out, struct error *err)
{
    char *data;
    size_t len;
    if (fs_read_file(path, ALLOC_MAX_NODEFILE, &data, &len, err) < 0)
        return -1;
    int rc = alloc_pbs_parse(path, data ? data : "", len, out, err);
    free(data);
    return rc;
}

/* ---------------------------------------------------------------- the environment */

static const char *var(char *(*get)(const char *), const char *name)
{
    const char *v = get(name);
    return v && *v ? v : NULL;
}

int alloc_from_env(char *(*get)(const char *), struct allocation *a, struct error *err)
{
    memset(a, 0, sizeof *a);
    const char *nodelist = var(get, "SLURM_JOB_NODELIST");
    if (nodelist) {
        const char *cv = "SLURM_TASKS_PER_NODE";
        const char *counts = var(get, cv);
        if (!counts)
            counts = var(get, cv = "SLURM_JOB_CPUS_PER_NODE");
        if (!counts)
            return errprintf(err,
                             "SLURM_JOB_NODELIST is set, but neither SLURM_TASKS_PER_NODE nor "
                             "SLURM_JOB_CPUS_PER_NODE: cannot tell the slots of the hosts");
        if (alloc_slurm(nodelist, counts, cv, &a->hosts, err) < 0)
            return -1;
        a->kind = ALLOC_SLURM;
        snprintf(a->source, sizeof a->source,
                 "the Slurm allocation (SLURM_JOB_NODELIST, slots from %s)", cv);
        return 1;
    }
    const char *nodefile = var(get, "PBS_NODEFILE");
    if (nodefile) {
        if (alloc_pbs_load(nodefile, &a->hosts, err) < 0)
            return errprefix(err, "PBS_NODEFILE: ");
        a->kind = ALLOC_PBS;
        snprintf(a->source, sizeof a->source, "the PBS allocation (PBS_NODEFILE)");
        return 1;
    }
    return 0;
}

const char *alloc_kind_name(enum alloc_kind kind)
{
    switch (kind) {
    case ALLOC_SLURM:
        return "slurm";
    case ALLOC_PBS:
        return "pbs";
    default:
        return NULL;
    }
}
