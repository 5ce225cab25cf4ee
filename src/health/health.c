/* SPDX-License-Identifier: BSD-3-Clause */
/* health.c - host health: /proc parsers, limits, the report's wording, and the local probe. */
#include "config.h"

#include "health/health.h"

#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* Format the message into err and fail with errno EINVAL: every caller
 * reports a value that cannot be right, never a system error. */
__attribute__((format(printf, 2, 3))) static int invalid(struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrprintf(err, fmt, ap);
    va_end(ap);
    errno = EINVAL;
    return -1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Input can be anything (a remote host's output, a binary file), so a bad
 * value is shown trimmed, short and with only printable ASCII. */
static const char *quote(const char *p, size_t n, char *out, size_t outlen)
{
    while (n > 0 && is_blank(*p)) {
        p++;
        n--;
    }
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    size_t k = 0, i = 0;
    for (; i < n && k + 4 < outlen; i++)
        out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
    if (i < n && k + 3 < outlen) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

void health_limits_default(struct health_limits *l)
{
    l->min_disk_free = 0.10;
    l->max_mem_used = 0.95;
    l->max_load_per_core = 2.0;
}

const char *health_check_name(enum health_check c)
{
    switch (c) {
    case HEALTH_DISK:
        return "disk";
    case HEALTH_MEMORY:
        return "memory";
    case HEALTH_LOAD:
        return "load";
    default:
        return NULL;
    }
}

/* ---------------------------------------------------------------- parsers */

/* The part of a meminfo line after the colon: "   12345 kB". The kernel
 * always writes kB; anything else means this is not what we think it is. */
static int parse_kb(const char *p, size_t n, unsigned long long *out)
{
    size_t i = 0;
    while (i < n && is_blank(p[i]))
        i++;
    size_t start = i;
    unsigned long long v = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (i == start)
        return -1;
    while (i < n && is_blank(p[i]))
        i++;
    if (n - i >= 2 && p[i] == 'k' && p[i + 1] == 'B')
        i += 2;
    while (i < n && is_blank(p[i]))
        i++;
    if (i != n)
        return -1;
    *out = v;
    return 0;
}

static int check_memory(unsigned long long total, unsigned long long avail, const char *avail_what,
                        struct error *err)
{
    if (total == 0)
        return invalid(err, "MemTotal is 0");
    if (avail > total)
        return invalid(err, "%s (%llu kB) is more than MemTotal (%llu kB)", avail_what, avail,
                       total);
    return 0;
}

enum { MEM_TOTAL, MEM_AVAILABLE, MEM_FREE, MEM_BUFFERS, MEM_CACHED, MEM_KEYS };

/* The parsers' messages leave out what was parsed: the caller puts
 * "meminfo: " (text from anywhere) or the path (the probe) in front. */
static int parse_meminfo(const char *text, size_t len, unsigned long long *total_kb,
                         unsigned long long *available_kb, struct error *err)
{
    static const char *const keys[MEM_KEYS] = {"MemTotal", "MemAvailable", "MemFree", "Buffers",
                                               "Cached"};
    unsigned long long value[MEM_KEYS] = {0};
    int seen[MEM_KEYS] = {0};
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        const char *colon = memchr(line, ':', n);
        if (!colon)
            continue;
        size_t klen = (size_t)(colon - line);
        for (int k = 0; k < MEM_KEYS; k++) {
            if (strlen(keys[k]) != klen || memcmp(line, keys[k], klen) != 0)
                continue;
            /* /proc never repeats a line; two different values mean two files were mixed */
            if (seen[k])
                return invalid(err, "%s appears twice", keys[k]);
            if (parse_kb(colon + 1, n - klen - 1, &value[k]) < 0) {
                char q[48];
                return invalid(err, "%s: expected a number of kB, got '%s'", keys[k],
                               quote(colon + 1, n - klen - 1, q, sizeof q));
            }
            seen[k] = 1;
        }
    }
    if (!seen[MEM_TOTAL])
        return invalid(err, "no MemTotal line (is this /proc/meminfo?)");
    unsigned long long avail;
    const char *what = "MemAvailable";
    if (seen[MEM_AVAILABLE]) {
        avail = value[MEM_AVAILABLE];
    } else if (seen[MEM_FREE] && seen[MEM_BUFFERS] && seen[MEM_CACHED]) {
        /* Kernels before 3.14 have no MemAvailable. MemFree + Buffers + Cached
         * is what free(1) called available then; it overstates a little
         * (Cached includes shmem, which cannot be dropped), which a 95 %
         * limit tolerates. */
        avail = value[MEM_FREE];
        what = "MemFree + Buffers + Cached";
        if (value[MEM_BUFFERS] > ULLONG_MAX - avail ||
            value[MEM_CACHED] > ULLONG_MAX - avail - value[MEM_BUFFERS])
            return invalid(err, "%s overflows", what);
        avail += value[MEM_BUFFERS] + value[MEM_CACHED];
    } else {
        return invalid(err,
                       "no MemAvailable line, and no MemFree, Buffers and Cached to "
                       "estimate it from");
    }
    if (check_memory(value[MEM_TOTAL], avail, what, err) < 0)
        return -1;
    *total_kb = value[MEM_TOTAL];
    *available_kb = avail;
    return 0;
}

int health_parse_meminfo(const char *text, size_t len, unsigned long long *total_kb,
                         unsigned long long *available_kb, struct error *err)
{
    if (parse_meminfo(text, len, total_kb, available_kb, err) < 0)
        return errprefix(err, "meminfo: ");
    return 0;
}

static int parse_loadavg(const char *text, size_t len, double *load1, struct error *err)
{
    size_t i = 0;
    while (i < len && is_blank(text[i]))
        i++;
    const char *f = text + i;
    size_t n = 0;
    while (i + n < len && !is_blank(f[n]) && f[n] != '\n')
        n++;
    if (n == 0)
        return invalid(err, "no load average in the first field");
    /* By hand rather than strtod, which follows the locale's decimal point
     * and accepts "nan", "inf", "-1" and hex. */
    unsigned long long mant = 0;
    int digits = 0, frac = 0, dot = 0, ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        if (f[k] >= '0' && f[k] <= '9') {
            ok = ++digits <= 15;
            mant = mant * 10 + (unsigned)(f[k] - '0');
            frac += dot;
        } else if (f[k] == '.' && !dot && digits > 0) {
            dot = 1;
        } else {
            ok = 0;
        }
    }
    if (!ok || (dot && frac == 0)) {
        char q[48];
        return invalid(err, "expected a load average such as 0.18, got '%s'",
                       quote(f, n, q, sizeof q));
    }
    /* 15 digits and 10^15 are exact doubles, so this one division rounds
     * correctly, like strtod. */
    double scale = 1;
    for (int k = 0; k < frac; k++)
        scale *= 10;
    *load1 = (double)mant / scale;
    return 0;
}

int health_parse_loadavg(const char *text, size_t len, double *load1, struct error *err)
{
    if (parse_loadavg(text, len, load1, err) < 0)
        return errprefix(err, "loadavg: ");
    return 0;
}

/* One number of digits at f[*i..n), advanced past; -1 when there is none or
 * it does not fit a long. */
static long parse_count(const char *f, size_t n, size_t *i)
{
    long v = 0;
    size_t start = *i;
    for (; *i < n && f[*i] >= '0' && f[*i] <= '9'; (*i)++) {
        if (v > (LONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (f[*i] - '0');
    }
    return *i == start ? -1 : v;
}

static int parse_running(const char *text, size_t len, long *running, struct error *err)
{
    const char *nl = memchr(text, '\n', len);
    size_t n = nl ? (size_t)(nl - text) : len, i = 0;
    for (int field = 0; field < 3; field++) {
        while (i < n && is_blank(text[i]))
            i++;
        while (i < n && !is_blank(text[i]))
            i++;
    }
    while (i < n && is_blank(text[i]))
        i++;
    size_t start = i;
    long r = parse_count(text, n, &i), total = -1;
    if (r >= 0 && i < n && text[i] == '/') {
        i++;
        total = parse_count(text, n, &i);
    }
    if (r < 0 || total < 0 || (i < n && !is_blank(text[i]))) {
        char q[48];
        size_t end = start;
        while (end < n && !is_blank(text[end]))
            end++;
        return invalid(err,
                       "expected running/total tasks such as 3/250 in the fourth field, got '%s'",
                       quote(text + start, end - start, q, sizeof q));
    }
    *running = r;
    return 0;
}

int health_parse_running(const char *text, size_t len, long *running, struct error *err)
{
    if (parse_running(text, len, running, err) < 0)
        return errprefix(err, "loadavg: ");
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double health_other_load(const long *running, const long *own, int n)
{
    double v[HEALTH_SAMPLES * 4];
    if (n < 1)
        return 0;
    if (n > (int)(sizeof v / sizeof v[0]))
        n = (int)(sizeof v / sizeof v[0]);
    for (int i = 0; i < n; i++)
        v[i] = running[i] > own[i] ? (double)(running[i] - own[i]) : 0;
    qsort(v, (size_t)n, sizeof v[0], compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* As df: used = blocks - bfree, Use% = used / (used + bavail). The root
 * reserve, bfree - bavail, is in neither, so a disk df shows 17 % used is 83 %
 * free here too. */
static int disk_fraction(unsigned long long blocks, unsigned long long bfree,
                         unsigned long long bavail, double *free_frac, struct error *err)
{
    if (blocks == 0)
        return invalid(err, "the filesystem reports a size of 0 (not a disk?)");
    if (bfree > blocks)
        return invalid(err, "more blocks free (%llu) than in the filesystem (%llu)", bfree, blocks);
    if (bavail > bfree)
        return invalid(err, "more blocks available (%llu) than free (%llu)", bavail, bfree);
    /* no overflow: used + bavail <= used + bfree = blocks */
    unsigned long long used = blocks - bfree, size = used + bavail;
    if (size == 0)
        return invalid(err, "no block is in use or available (all %llu are reserved for root)",
                       blocks);
    /* one correctly rounded division, so 10 of 100 is the same double as 0.10 */
    *free_frac = (double)bavail / (double)size;
    return 0;
}

int health_disk_fraction(unsigned long long blocks, unsigned long long bfree,
                         unsigned long long bavail, double *free_frac, struct error *err)
{
    if (disk_fraction(blocks, bfree, bavail, free_frac, err) < 0)
        return errprefix(err, "disk: ");
    return 0;
}

/* The names start the messages, as in the parsers. */
static int sample_from_raw(const struct health_raw *raw, struct health_sample *out,
                           const char *disk, const char *mem, const char *load, struct error *err)
{
    double disk_free = 0; /* set on success; gcc cannot see through invalid() */
    if (disk_fraction(raw->disk_blocks, raw->disk_bfree, raw->disk_bavail, &disk_free, err) < 0)
        return errprefix(err, "%s: ", disk);
    if (raw->disk_block_size == 0)
        return invalid(err, "%s: the filesystem reports a block size of 0", disk);
    if (raw->disk_blocks > ULLONG_MAX / raw->disk_block_size)
        return invalid(err, "%s: the filesystem is larger than 2^64 bytes", disk);
    if (check_memory(raw->mem_total_kb, raw->mem_available_kb, "MemAvailable", err) < 0)
        return errprefix(err, "%s: ", mem);
    if (!(raw->load1 >= 0) || isinf(raw->load1))
        return invalid(err, "%s: load average %g is not a number >= 0", load, raw->load1);
    if (!(raw->other_load >= 0) || isinf(raw->other_load))
        return invalid(err, "%s: load from other work %g is not a number >= 0", load,
                       raw->other_load);
    long cores = raw->cores < 1 ? 1 : raw->cores;
    *out = (struct health_sample){
        .disk_free = disk_free,
        /* used / total, not 1 - available / total: one correctly rounded
         * division, so 95 of 100 is the same double as a limit of 0.95 and
         * the boundary is healthy as promised. */
        .mem_used = (double)(raw->mem_total_kb - raw->mem_available_kb) / (double)raw->mem_total_kb,
        .load1 = raw->load1,
        .cores = cores,
        .load_per_core = raw->load1 / (double)cores,
        .other_load = raw->other_load,
        .other_per_core = raw->other_load / (double)cores,
        .disk_total_bytes = raw->disk_blocks * raw->disk_block_size,
        .disk_avail_bytes = raw->disk_bavail * raw->disk_block_size,
        .mem_total_kb = raw->mem_total_kb,
        .mem_available_kb = raw->mem_available_kb,
    };
    return 0;
}

int health_sample_from_raw(const struct health_raw *raw, struct health_sample *out,
                           struct error *err)
{
    return sample_from_raw(raw, out, "disk", "meminfo", "loadavg", err);
}

/* ---------------------------------------------------------------- judging and wording */

unsigned health_failures(const struct health_sample *s, const struct health_limits *l)
{
    /* negated so that a NaN, which compares false with everything, fails */
    unsigned f = 0;
    if (!(s->disk_free >= l->min_disk_free))
        f |= 1u << HEALTH_DISK;
    if (!(s->mem_used <= l->max_mem_used))
        f |= 1u << HEALTH_MEMORY;
    if (!(s->other_per_core <= l->max_load_per_core))
        f |= 1u << HEALTH_LOAD;
    return f;
}

/* "memory 95.0% used (maximum 95%)" would read as healthy; print enough
 * decimals (up to 6) that the value and the limit differ. */
static int distinct_precision(double value, double limit, int prec)
{
    char a[64], b[64];
    for (; prec < 6; prec++) {
        snprintf(a, sizeof a, "%.*f", prec, value);
        snprintf(b, sizeof b, "%.*f", prec, limit);
        if (strcmp(a, b) != 0)
            break;
    }
    return prec;
}

/* Append to the NUL-terminated buf; what does not fit is cut off. */
__attribute__((format(printf, 3, 4))) static void appendf(char *buf, size_t len, const char *fmt,
                                                          ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

int health_judge(const struct health_sample *s, const struct health_limits *l, char *reason,
                 size_t len)
{
    unsigned f = health_failures(s, l);
    if (len == 0)
        return f == 0;
    reason[0] = '\0';
    const char *sep = "";
    if (f & (1u << HEALTH_DISK)) {
        double v = s->disk_free * 100, lim = l->min_disk_free * 100;
        appendf(reason, len, "%s%s %.*f%% free (minimum %g%%)", sep, health_check_name(HEALTH_DISK),
                distinct_precision(v, lim, 1), v, lim);
        sep = "; ";
    }
    if (f & (1u << HEALTH_MEMORY)) {
        double v = s->mem_used * 100, lim = l->max_mem_used * 100;
        appendf(reason, len, "%s%s %.*f%% used (maximum %g%%)", sep,
                health_check_name(HEALTH_MEMORY), distinct_precision(v, lim, 1), v, lim);
        sep = "; ";
    }
    if (f & (1u << HEALTH_LOAD)) {
        double v = s->other_per_core, lim = l->max_load_per_core;
        appendf(reason, len, "%s%s %.*f per core from other work (maximum %.2f)", sep,
                health_check_name(HEALTH_LOAD), distinct_precision(v, lim, 2), v, lim);
    }
    return f == 0;
}

void health_format(const struct health_sample *s, char *buf, size_t len)
{
    /* Rounded down like the seed's report, so a nearly full disk never looks
     * emptier than it is. The nudge keeps exact ratios whole: 29/100 is
     * 0.28999... as a double and must still print 29. */
    double disk = floor(s->disk_free * 100 + 1e-9);
    snprintf(buf, len,
             "Disk: %.0f%% free\nMemory: %.1f%% used\nCPU: Load %.2f (%.2f/core), other work %.2f "
             "(%.2f/core)",
             disk, s->mem_used * 100, s->load1, s->load_per_core, s->other_load, s->other_per_core);
}

/* ---------------------------------------------------------------- I/O */

enum { PROBE_READ_MAX = 64 * 1024 };

static void pause_seconds(double sec)
{
    struct timespec ts = {(time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* HEALTH_SAMPLES reads of the running count, each with the run's own count
 * right after it; the first read also gives the 1-minute load. */
static int sample_load(const char *path, health_own_fn own, void *arg, struct health_raw *raw,
                       struct error *err)
{
    long running[HEALTH_SAMPLES], mine[HEALTH_SAMPLES];
    for (int i = 0; i < HEALTH_SAMPLES; i++) {
        if (i > 0)
            pause_seconds(HEALTH_SAMPLE_GAP);
        char *text = NULL;
        size_t len;
        if (fs_read_file(path, PROBE_READ_MAX, &text, &len, err) < 0)
            return -1;
        int rc = i > 0 ? 0 : parse_loadavg(text, len, &raw->load1, err);
        if (rc == 0)
            rc = parse_running(text, len, &running[i], err);
        int saved = errno;
        free(text);
        if (rc < 0) {
            errno = saved;
            return errprefix(err, "%s: ", path);
        }
        /* after the read: a task of the run's that started in between is
         * taken off although not counted, which errs towards running */
        long n = own ? own(arg) : 0;
        mine[i] = n > 0 ? n : 0;
    }
    raw->other_load = health_other_load(running, mine, HEALTH_SAMPLES);
    return 0;
}

int health_probe_files(const char *disk_path, const char *meminfo_path, const char *loadavg_path,
                       long cores, health_own_fn own, void *arg, struct health_sample *out,
                       struct error *err)
{
    struct error scratch;
    if (!err)
        err = &scratch; /* fs_read_file writes into err->text */
    struct statvfs vfs;
    if (statvfs(disk_path, &vfs) < 0)
        return errprintf(err, "%s: statvfs: %s", disk_path, strerror(errno));
    struct health_raw raw = {
        .disk_blocks = vfs.f_blocks,
        .disk_bfree = vfs.f_bfree,
        .disk_bavail = vfs.f_bavail,
        /* f_frsize is the unit of the counts; some old systems leave it 0 */
        .disk_block_size = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize,
        .cores = cores,
    };
    char *mem = NULL;
    size_t memlen;
    int rc = fs_read_file(meminfo_path, PROBE_READ_MAX, &mem, &memlen, err);
    if (rc == 0 && parse_meminfo(mem, memlen, &raw.mem_total_kb, &raw.mem_available_kb, err) < 0)
        rc = errprefix(err, "%s: ", meminfo_path);
    if (rc == 0 && (sample_load(loadavg_path, own, arg, &raw, err) < 0 ||
                    sample_from_raw(&raw, out, disk_path, meminfo_path, loadavg_path, err) < 0))
        rc = -1;
    int saved = errno;
    free(mem);
    errno = saved;
    return rc;
}

int health_probe_local(const char *path, long cores, struct health_sample *out, struct error *err)
{
    return health_probe_files(path, "/proc/meminfo", "/proc/loadavg", cores, NULL, NULL, out, err);
}
