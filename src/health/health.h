/* SPDX-License-Identifier: BSD-3-Clause */
/* health.h - is a host fit for work: free disk, memory in use, load per core.
 *
 * Everything above the I/O line is pure (no I/O, no globals), so the same
 * code judges this host and the raw values read from a remote one. Errors go
 * into a caller-owned struct error (err may be NULL); on failure the outputs
 * are left unchanged.
 */
#ifndef DISTMPI_HEALTH_H
#define DISTMPI_HEALTH_H

#include <stddef.h>

#include "common/error.h"

/* A host is healthy when every value is within its limit; a value exactly at
 * its limit is within it. */
struct health_limits {
    double min_disk_free;     /* fraction free, default 0.10 */
    double max_mem_used;      /* fraction used, default 0.95 */
    double max_load_per_core; /* load from other work now / cores, default 2.0 */
};

/* One measurement of one host. */
struct health_sample {
    double disk_free;      /* fraction of the filesystem free, as df shows it:
                              f_bavail / (f_blocks - f_bfree + f_bavail), i.e. 1 - df's
                              "Use%"; the blocks reserved for root count as neither
                              free nor used */
    double mem_used;       /* 1 - MemAvailable / MemTotal */
    double load1;          /* 1-minute load average (reported, not judged) */
    long cores;            /* cores the load is shared by (at least 1) */
    double load_per_core;  /* load1 / cores */
    double other_load;     /* runnable tasks of other work now: see health_other_load */
    double other_per_core; /* other_load / cores: what the load check judges */
    unsigned long long disk_total_bytes, disk_avail_bytes;
    unsigned long long mem_total_kb, mem_available_kb;
};

/* What a sample is computed from: statvfs of a directory, two numbers of
 * /proc/meminfo, the first field of /proc/loadavg, the load from other work
 * (health_other_load) and the core count. */
struct health_raw {
    unsigned long long disk_blocks;     /* f_blocks */
    unsigned long long disk_bfree;      /* f_bfree (free, including root's reserve) */
    unsigned long long disk_bavail;     /* f_bavail (free for unprivileged users) */
    unsigned long long disk_block_size; /* f_frsize (the unit of the three above) */
    unsigned long long mem_total_kb, mem_available_kb;
    double load1;
    long cores;        /* < 1 counts as 1 */
    double other_load; /* runnable tasks of other work now (health_other_load) */
};

/* The checks, in the order health_judge reports them. */
enum health_check { HEALTH_DISK, HEALTH_MEMORY, HEALTH_LOAD, HEALTH_CHECK_COUNT };

/* Set *l to the defaults above. */
void health_limits_default(struct health_limits *l);

/* The check's name in reasons and reports: "disk", "memory", "load"; NULL for
 * a value that is not a check. The string is static. */
const char *health_check_name(enum health_check c);

/* Parse the text of /proc/meminfo: len bytes, not necessarily NUL-terminated,
 * nothing past len is read. Sets *total_kb from MemTotal and *available_kb from
 * MemAvailable, or, on kernels before 3.14 that lack it, from the estimate
 * MemFree + Buffers + Cached. Lines it does not need are ignored.
 * Returns 0, or -1 with errno EINVAL and "meminfo: PROBLEM" in err when
 * MemTotal is missing or 0, a value it needs is not a number of kB or appears
 * twice, neither MemAvailable nor all three of the estimate's lines are there,
 * or the available memory exceeds MemTotal. */
int health_parse_meminfo(const char *text, size_t len, unsigned long long *total_kb,
                         unsigned long long *available_kb, struct error *err);

/* Parse the 1-minute load average, the first field of /proc/loadavg (len
 * bytes, not necessarily NUL-terminated; leading blanks allowed). The field
 * must be digits with an optional fraction ("0.18"); the locale plays no part.
 * Returns 0 with *load1 set, or -1 with errno EINVAL and "loadavg: PROBLEM" in
 * err (empty, negative, NaN, exponent, anything else that is not such a
 * number). */
int health_parse_loadavg(const char *text, size_t len, double *load1, struct error *err);

/* Parse the running count of /proc/loadavg's fourth field, "R/T" (runnable
 * scheduling entities / all of them), from the first line of text (len bytes,
 * not necessarily NUL-terminated). Returns 0 with *running set, or -1 with
 * errno EINVAL and "loadavg: PROBLEM" in err when the line has fewer than four
 * fields or the fourth is not two numbers with a slash. */
int health_parse_running(const char *text, size_t len, long *running, struct error *err);

/* The load from other work now, from n samples (n >= 1) taken a little
 * apart: sample i counted running[i] runnable tasks on the host, own[i] of
 * them the run's own (or the reader's). Each sample's other work is
 * running[i] - own[i], at least 0; the result is their median (the mean of
 * the two middle ones for an even n), so a task that starts or ends right at
 * one sample moves it little. running and own are not changed. */
double health_other_load(const long *running, const long *own, int n);

/* The fraction of a filesystem free, as df shows it (100 % minus its "Use%"):
 * bavail / (used + bavail) with used = blocks - bfree, so the blocks reserved
 * for root (bfree - bavail) are neither free nor used.
 * Returns 0 with *free_frac in [0, 1], or -1 with errno EINVAL and "disk:
 * PROBLEM" in err when blocks is 0 (a pseudo filesystem such as /proc), bfree
 * exceeds blocks, bavail exceeds bfree, or used + bavail is 0 (every block is
 * free but reserved). */
int health_disk_fraction(unsigned long long blocks, unsigned long long bfree,
                         unsigned long long bavail, double *free_frac, struct error *err);

/* Fill *out from raw values: the byte counts, the fractions and the loads per
 * core (cores < 1 counts as 1). Returns 0, or -1 with errno EINVAL and
 * "disk: ...", "meminfo: ..." or "loadavg: ..." in err when a value is
 * impossible (see the parsers above; also a block size of 0, a filesystem over
 * 2^64 bytes, a negative, infinite or NaN load or load from other work). */
int health_sample_from_raw(const struct health_raw *raw, struct health_sample *out,
                           struct error *err);

/* The checks s fails against l, as a bit mask of 1u << HEALTH_DISK etc.;
 * 0 when healthy. A NaN value fails its check. */
unsigned health_failures(const struct health_sample *s, const struct health_limits *l);

/* Returns 1 when s is within l, else 0 with every failing check, its value and
 * its limit in reason (len bytes, always NUL-terminated when len > 0, cut
 * short if too small), in the order disk, memory, load, separated by "; ":
 *   disk 4.2% free (minimum 10%); memory 97.1% used (maximum 95%);
 *   load 9.10 per core from other work (maximum 2.00)
 * A value that would print the same as its limit gets more decimals
 * ("disk 9.99% free (minimum 10%)"). When healthy, reason is "". */
int health_judge(const struct health_sample *s, const struct health_limits *l, char *reason,
                 size_t len);

/* The report's three lines, without colour or a final newline:
 *   Disk: 91% free
 *   Memory: 23.0% used
 *   CPU: Load 0.18 (0.01/core), other work 1.00 (0.50/core)
 * (disk in whole percent rounded down, memory to 0.1 %, loads to 0.01; the
 * second load is the one judged).
 * buf (len bytes) is always NUL-terminated when len > 0; 128 bytes hold any
 * sample of a real host. */
void health_format(const struct health_sample *s, char *buf, size_t len);

/* ---------------------------------------------------------------- I/O */

/* Count the run's own runnable tasks for one sample; returns the count, or
 * -1 when it cannot be had (then the sample counts none as the run's own). */
typedef long (*health_own_fn)(void *arg);

/* Measure this host: statvfs(disk_path), and read meminfo_path and
 * loadavg_path (at most 64 KiB each) with the parsers above; cores as in
 * health_raw. The load from other work comes from HEALTH_SAMPLES reads of
 * loadavg_path's running count, HEALTH_SAMPLE_GAP seconds apart, each
 * followed by own(arg) (NULL: nothing is the run's own). Tests point it at
 * recorded files.
 * Returns 0 with *out filled, or -1 with errno set and the reason in err,
 * naming the file: "DISK_PATH: statvfs: REASON", "DISK_PATH: PROBLEM",
 * "MEMINFO_PATH: REASON" (a system error or a parse problem), likewise for
 * loadavg_path. */
int health_probe_files(const char *disk_path, const char *meminfo_path, const char *loadavg_path,
                       long cores, health_own_fn own, void *arg, struct health_sample *out,
                       struct error *err);

enum { HEALTH_SAMPLES = 5 };
#define HEALTH_SAMPLE_GAP 0.002

/* health_probe_files(path, "/proc/meminfo", "/proc/loadavg", cores, NULL,
 * NULL, ...): this host's health for work in the directory path, every
 * runnable task counted as other work. Linux only. */
int health_probe_local(const char *path, long cores, struct health_sample *out, struct error *err);

#endif
