/* SPDX-License-Identifier: BSD-3-Clause */
/* test_health.c - unit tests of the health probes (health.h), on recorded
 * /proc contents in tests/data/proc and on this machine. */
#include "config.h"

#include "health/health.h"
#include "health/proctree.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "unit.h"

typedef unsigned long long ull;

/* ---------------------------------------------------------------- helpers */

/* Where the recorded files are: $DISTMPI_SRCDIR/tests/data/proc/NAME. */
static void data_path(const char *name, char *path)
{
    const char *dir = getenv("DISTMPI_SRCDIR");
    ck_assert_msg(dir && dir[0],
                  "DISTMPI_SRCDIR is not set: run this through 'make check', or set it to "
                  "distmpi's source directory (the one holding tests/data/proc)");
    snprintf(path, 4096, "%s/tests/data/proc/%s", dir, name);
}

/* A recorded file in a buffer of exactly its size, with no terminator, so a
 * read past the end shows under valgrind or ASan. The caller frees it. */
static char *read_data(const char *name, size_t *len)
{
    char path[4096];
    data_path(name, path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    char *data = malloc(size ? (size_t)size : 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

static int meminfo_bytes(const char *data, size_t len, ull *total, ull *avail, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = health_parse_meminfo(copy, len, total, avail, e);
    free(copy);
    return rc;
}

static int meminfo_text(const char *text, ull *total, ull *avail, struct error *e)
{
    return meminfo_bytes(text, strlen(text), total, avail, e);
}

static int loadavg_bytes(const char *data, size_t len, double *load, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = health_parse_loadavg(copy, len, load, e);
    free(copy);
    return rc;
}

static int loadavg_text(const char *text, double *load, struct error *e)
{
    return loadavg_bytes(text, strlen(text), load, e);
}

static struct health_sample sample(double disk_free, double mem_used, double load_per_core)
{
    return (struct health_sample){.disk_free = disk_free,
                                  .mem_used = mem_used,
                                  .load1 = load_per_core * 4,
                                  .cores = 4,
                                  .load_per_core = load_per_core,
                                  .other_load = load_per_core * 4,
                                  .other_per_core = load_per_core};
}

/* A sample from whole numbers, through health_sample_from_raw. */
static struct health_sample sample_raw(ull blocks, ull bfree, ull bavail, ull mem_total,
                                       ull mem_avail, double load1, long cores)
{
    struct health_raw raw = {blocks,    bfree, bavail, 4096, mem_total,
                             mem_avail, load1, cores,  load1};
    struct health_sample s;
    struct error err = {""};
    /* unit_require: the brute-force test calls this 40000 times */
    unit_require(health_sample_from_raw(&raw, &s, &err) == 0, "refused: %s", err.text);
    return s;
}

static const ull TOTAL0 = 4242, AVAIL0 = 2424;

/* Fail case i unless it failed (rc -1, errno e EINVAL) with err starting with want. */
static void expect_invalid(size_t i, int rc, int e, const char *err, const char *want)
{
    ck_assert_msg(rc == -1, "case %zu accepted", i);
    ck_assert_msg(e == EINVAL, "case %zu: errno %d, want EINVAL", i, e);
    ck_assert_msg(!strncmp(err, want, strlen(want)), "case %zu: '%s' does not start with '%s'", i,
                  err, want);
}

/* ---------------------------------------------------------------- meminfo */

START_TEST(meminfo_recorded_files)
{
    static const struct {
        const char *file;
        ull total, avail;
        const char *err;
    } cases[] = {
        /* MemAvailable, not the estimate MemFree + Buffers + Cached = 25877340 */
        {"meminfo-debian12", 32734088, 25205248, NULL},
        /* no MemAvailable: MemFree + Buffers + Cached */
        {"meminfo-rhel6", 1922088, 180516 + 114700 + 1195672, NULL},
        {"meminfo-truncated", 0, 0,
         "meminfo: no MemAvailable line, and no MemFree, Buffers and Cached to estimate it from"},
        {"meminfo-garbage", 0, 0,
         "meminfo: MemTotal: expected a number of kB, got '32,734,088 kB'"},
        {"loadavg", 0, 0, "meminfo: no MemTotal line (is this /proc/meminfo?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *data = read_data(cases[i].file, &len);
        ull total = TOTAL0, avail = AVAIL0;
        struct error err = {""};
        errno = 0;
        int rc = health_parse_meminfo(data, len, &total, &avail, &err);
        int e = errno;
        free(data);
        if (cases[i].err) {
            expect_invalid(i, rc, e, err.text, cases[i].err);
            ck_assert_str_eq(err.text, cases[i].err);
            ck_assert_uint_eq(total, TOTAL0); /* untouched */
            ck_assert_uint_eq(avail, AVAIL0);
        } else {
            ck_assert_msg(rc == 0, "%s refused: %s", cases[i].file, err.text);
            ck_assert_uint_eq(total, cases[i].total);
            ck_assert_uint_eq(avail, cases[i].avail);
        }
    }
}
END_TEST

START_TEST(meminfo_len_is_respected)
{
    size_t len;
    char *data = read_data("meminfo-debian12", &len);
    ull total = TOTAL0, avail = AVAIL0;
    struct error err = {""};

    /* a prefix that stops just before MemAvailable: MemFree is there but not
     * Buffers and Cached, so there is nothing to go on */
    const char *cut = strstr(data, "MemAvailable:"); /* the file has no NUL: bounded below */
    ck_assert_ptr_nonnull(cut);
    ck_assert_int_eq(meminfo_bytes(data, (size_t)(cut - data), &total, &avail, &err), -1);
    unit_assert_prefix(err.text, "meminfo: no MemAvailable line");
    ck_assert_uint_eq(total, TOTAL0);

    /* the whole file but the final newline is still the whole file */
    ck_assert_int_eq(meminfo_bytes(data, len - 1, &total, &avail, &err), 0);
    ck_assert_uint_eq(avail, 25205248);
    free(data);

    /* what lies past len is not read: the estimate, not the 50 kB */
    const char *text =
        "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 1 kB\nCached: 2 kB\nMemAvailable: 50 kB\n";
    const char *past = strstr(text, "MemAvailable");
    ck_assert_int_eq(meminfo_bytes(text, (size_t)(past - text), &total, &avail, &err), 0);
    ck_assert_uint_eq(total, 100);
    ck_assert_uint_eq(avail, 13);

    /* and a number cut short by len is the shorter number */
    const char *t2 = "MemTotal: 1000 kB\nMemAvailable: 123456 kB\n";
    ck_assert_int_eq(
        meminfo_bytes(t2, strlen("MemTotal: 1000 kB\nMemAvailable: 123"), &total, &avail, &err), 0);
    ck_assert_uint_eq(avail, 123);
}
END_TEST

START_TEST(meminfo_lenient_layout)
{
    ull total, avail;
    struct error err = {""};
    const char *texts[] = {
        "MemTotal: 1000 kB\nMemAvailable: 400 kB",           /* no final newline */
        "MemTotal:\t1000 kB\r\nMemAvailable:\t\t400 kB\r\n", /* tabs, CRLF */
        "MemTotal: 1000\nMemAvailable: 400\n",               /* no unit */
        "MemTotal: 1000kB\nMemAvailable:400 kB\n",           /* no spaces */
        "garbage line\nFoo: bar\n\nMemAvailable: 400 kB\nMemTotal: 1000 kB\nX: \n", /* noise */
        "HugePages_Total: 0\nMemTotal: 1000 kB\nMemAvailable: 400 kB\nDirectMap1G: x\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        total = avail = 0;
        ck_assert_msg(meminfo_text(texts[i], &total, &avail, &err) == 0, "text %zu refused: %s", i,
                      err.text);
        ck_assert_uint_eq(total, 1000);
        ck_assert_uint_eq(avail, 400);
    }
}
END_TEST

START_TEST(meminfo_errors)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "meminfo: no MemTotal line (is this /proc/meminfo?)"},
        {"MemAvailable: 5 kB\n", "meminfo: no MemTotal line (is this /proc/meminfo?)"},
        {"memtotal: 100 kB\nMemAvailable: 5 kB\n", "meminfo: no MemTotal line"},
        {" MemTotal: 100 kB\nMemAvailable: 5 kB\n", "meminfo: no MemTotal line"},
        {"MemTotal: 0 kB\nMemAvailable: 0 kB\n", "meminfo: MemTotal is 0"},
        {"MemTotal: 100 kB\n", "meminfo: no MemAvailable line, and no MemFree, Buffers"},
        {"MemTotal: 100 kB\nMemFree: 1 kB\nCached: 1 kB\n", "meminfo: no MemAvailable line"},
        {"MemTotal: abc kB\nMemAvailable: 5 kB\n",
         "meminfo: MemTotal: expected a number of kB, got 'abc kB'"},
        {"MemTotal: 12x kB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal: -5 kB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal: 1.5 kB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal: kB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal:\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number of kB, got ''"},
        {"MemTotal: 100 MB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal: 100 kB kB\nMemAvailable: 5 kB\n", "meminfo: MemTotal: expected a number"},
        {"MemTotal: 100 kB\nMemAvailable: 5 kB extra\n", "meminfo: MemAvailable: expected"},
        {"MemTotal: 99999999999999999999999 kB\nMemAvailable: 5 kB\n",
         "meminfo: MemTotal: expected a number"},
        {"MemTotal: 100 kB\nMemAvailable: 200 kB\n",
         "meminfo: MemAvailable (200 kB) is more than MemTotal (100 kB)"},
        {"MemTotal: 100 kB\nMemFree: 60 kB\nBuffers: 1 kB\nCached: 40 kB\n",
         "meminfo: MemFree + Buffers + Cached (101 kB) is more than MemTotal (100 kB)"},
        {"MemTotal: 100 kB\nMemFree: 18446744073709551615 kB\nBuffers: 1 kB\nCached: 1 kB\n",
         "meminfo: MemFree + Buffers + Cached overflows"},
        {"MemTotal: 100 kB\nMemAvailable: 5 kB\nMemTotal: 200 kB\n",
         "meminfo: MemTotal appears twice"},
        {"MemTotal: 100 kB\nMemAvailable: 5 kB\nMemAvailable: 5 kB\n",
         "meminfo: MemAvailable appears twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ull total = TOTAL0, avail = AVAIL0;
        struct error err = {""};
        errno = 0;
        int rc = meminfo_text(cases[i].text, &total, &avail, &err);
        expect_invalid(i, rc, errno, err.text, cases[i].want);
        ck_assert_uint_eq(total, TOTAL0);
        ck_assert_uint_eq(avail, AVAIL0);
    }
}
END_TEST

START_TEST(meminfo_nul_and_binary_bytes)
{
    ull total = TOTAL0, avail = AVAIL0;
    struct error err = {""};
    const char data[] = "MemTotal: 10\0000 kB\nMemAvailable: 5 kB\n";
    ck_assert_int_eq(meminfo_bytes(data, sizeof data - 1, &total, &avail, &err), -1);
    /* shown, but not as a NUL that would end the message */
    ck_assert_str_eq(err.text, "meminfo: MemTotal: expected a number of kB, got '10?0 kB'");

    const char bin[] = "MemTotal: \x01\x02\xff\xfe kB\n";
    ck_assert_int_eq(meminfo_bytes(bin, sizeof bin - 1, &total, &avail, &err), -1);
    ck_assert_str_eq(err.text, "meminfo: MemTotal: expected a number of kB, got '???? kB'");

    /* a long bad value is cut short */
    char longer[400];
    memset(longer, 'x', sizeof longer);
    memcpy(longer, "MemTotal: ", 10);
    ck_assert_int_eq(meminfo_bytes(longer, sizeof longer, &total, &avail, &err), -1);
    unit_assert_contains(err.text, "xxx...'");
    ck_assert_int_lt(strlen(err.text), 120);
    ck_assert_uint_eq(total, TOTAL0);
}
END_TEST

/* ---------------------------------------------------------------- loadavg */

START_TEST(loadavg_values)
{
    static const struct {
        const char *text;
        double want;
    } cases[] = {
        {"0.00 0.01 0.05 1/100 42\n", 0.0},
        {"2.00 1.00 0.50 3/100 42\n", 2.0},
        {"12.50 8.00 4.00 17/900 4242\n", 12.5},
        {"123.45 0 0 1/1 1\n", 123.45},
        {"9.10", 9.10},
        {"  1.5\t2\n", 1.5},
        {"7\n", 7.0},
        {"0.3\r\n", 0.3},
        {"999999999999.999", 999999999999.999},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double load = -1;
        struct error err = {""};
        ck_assert_msg(loadavg_text(cases[i].text, &load, &err) == 0, "case %zu refused: %s", i,
                      err.text);
        /* exactly what strtod gives in the C locale */
        ck_assert_msg(load == cases[i].want, "case %zu: %.17g, want %.17g", i, load, cases[i].want);
    }
}
END_TEST

START_TEST(loadavg_errors)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "loadavg: no load average in the first field"},
        {"\n", "loadavg: no load average"},
        {"   \n0.5", "loadavg: no load average"},
        {"-1.00 0.5 0.5 1/1 1\n", "loadavg: expected a load average such as 0.18, got '-1.00'"},
        {"nan 0 0 1/1 1\n", "loadavg: expected a load average such as 0.18, got 'nan'"},
        {"NaN\n", "loadavg: expected a load average"},
        {"inf\n", "loadavg: expected a load average"},
        {"abc def\n", "loadavg: expected a load average such as 0.18, got 'abc'"},
        {"1.2.3 0 0\n", "loadavg: expected a load average"},
        {"0x10 0 0\n", "loadavg: expected a load average"},
        {"1e3 0 0\n", "loadavg: expected a load average"},
        {"1. 0 0\n", "loadavg: expected a load average"},
        {".5 0 0\n", "loadavg: expected a load average"},
        {"1,5 0 0\n", "loadavg: expected a load average"},
        {"+1.5 0 0\n", "loadavg: expected a load average"},
        {"1234567890123456 0 0\n", "loadavg: expected a load average"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double load = 42;
        struct error err = {""};
        errno = 0;
        int rc = loadavg_text(cases[i].text, &load, &err);
        expect_invalid(i, rc, errno, err.text, cases[i].want);
        ck_assert_double_eq(load, 42); /* untouched */
    }
}
END_TEST

START_TEST(loadavg_file_and_len)
{
    size_t len;
    char *data = read_data("loadavg", &len);
    double load = -1;
    struct error err = {""};
    int rc = health_parse_loadavg(data, len, &load, &err);
    free(data);
    ck_assert_msg(rc == 0, "refused: %s", err.text);
    ck_assert_double_eq(load, 0.18);

    /* nothing past len is read */
    ck_assert_int_eq(loadavg_bytes("0.18 0.25", 3, &load, &err), 0);
    ck_assert_double_eq(load, 0.1);
    ck_assert_int_eq(loadavg_bytes("0.18 0.25", 0, &load, &err), -1);
    ck_assert_int_eq(loadavg_bytes("0.18 0.25", 2, &load, &err), -1); /* "0." */
}
END_TEST

/* ---------------------------------------------------------------- disk, raw */

START_TEST(disk_fraction)
{
    /* blocks, bfree, bavail: free is bavail / (blocks - bfree + bavail), as df */
    static const struct {
        ull blocks, bfree, bavail;
        double want;
    } cases[] = {
        /* no root reserve: bavail / blocks */
        {100, 10, 10, 0.10},
        {100, 0, 0, 0.0},
        {100, 100, 100, 1.0},
        /* a reserve of 50: used 900, free 50 of 950 = 5.26 %, not 5 % */
        {1000, 100, 50, 50.0 / 950},
        /* the reserve alone left: nothing free, as df's 100 % */
        {1000, 100, 0, 0.0},
        /* a real host: df -P says 16709580 used, 83627608 available,
         * 17 %; bavail / blocks would say 31.65 % free */
        {264212084, 247502504, 83627608, 83627608.0 / (16709580 + 83627608)},
        /* ext4's default 5 % reserve on an empty disk: all of it free */
        {1000000, 1000000, 950000, 1.0},
        /* at the edge of the type: used + bavail cannot overflow */
        {ULLONG_MAX, ULLONG_MAX / 2 + 1, ULLONG_MAX / 2, 0.5},
        {ULLONG_MAX, ULLONG_MAX, ULLONG_MAX, 1.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double f = -1;
        struct error err = {""};
        ck_assert_msg(
            health_disk_fraction(cases[i].blocks, cases[i].bfree, cases[i].bavail, &f, &err) == 0,
            "case %zu refused: %s", i, err.text);
        ck_assert_msg(fabs(f - cases[i].want) <= 1e-12, "case %zu: %.17g, want %.17g", i, f,
                      cases[i].want);
    }
    /* exact where it matters: at a limit */
    double f = -1;
    struct error err = {""};
    ck_assert_int_eq(health_disk_fraction(1000, 100, 50, &f, &err), 0);
    ck_assert_double_eq(f, 50.0 / 950);
    ck_assert_double_eq_tol(f * 100, 5.26, 0.005);
    ck_assert_int_eq(health_disk_fraction(120, 30, 10, &f, &err), 0);
    ck_assert_double_eq(f, 0.10); /* 10 of 90 + 10 */

    static const struct {
        ull blocks, bfree, bavail;
        const char *want;
    } bad[] = {
        {0, 0, 0, "disk: the filesystem reports a size of 0 (not a disk?)"},
        {0, 5, 5, "disk: the filesystem reports a size of 0 (not a disk?)"},
        {10, 11, 5, "disk: more blocks free (11) than in the filesystem (10)"},
        {10, 11, 11, "disk: more blocks free (11) than in the filesystem (10)"},
        {10, 5, 6, "disk: more blocks available (6) than free (5)"},
        {10, 0, 1, "disk: more blocks available (1) than free (0)"},
        {10, 10, 0, "disk: no block is in use or available (all 10 are reserved for root)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = 42;
        errno = 0;
        int rc = health_disk_fraction(bad[i].blocks, bad[i].bfree, bad[i].bavail, &f, &err);
        expect_invalid(i, rc, errno, err.text, bad[i].want);
        ck_assert_str_eq(err.text, bad[i].want);
        ck_assert_double_eq(f, 42); /* untouched */
    }
}
END_TEST

START_TEST(sample_from_raw)
{
    struct health_raw raw = {1000, 250, 250, 4096, 2000, 500, 3.0, 6, 1.5}; /* as in health.h */
    struct health_sample s;
    struct error err = {""};
    ck_assert_msg(health_sample_from_raw(&raw, &s, &err) == 0, "refused: %s", err.text);
    ck_assert_double_eq(s.disk_free, 0.25);
    ck_assert_double_eq(s.mem_used, 0.75);
    ck_assert_double_eq(s.load1, 3.0);
    ck_assert_int_eq(s.cores, 6);
    ck_assert_double_eq(s.load_per_core, 0.5);
    ck_assert_double_eq(s.other_load, 1.5);
    ck_assert_double_eq(s.other_per_core, 0.25);
    ck_assert_uint_eq(s.disk_total_bytes, 4096000);
    ck_assert_uint_eq(s.disk_avail_bytes, 1024000);
    ck_assert_uint_eq(s.mem_total_kb, 2000);
    ck_assert_uint_eq(s.mem_available_kb, 500);

    /* fewer than one core counts as one */
    raw.cores = 0;
    ck_assert_int_eq(health_sample_from_raw(&raw, &s, &err), 0);
    ck_assert_int_eq(s.cores, 1);
    ck_assert_double_eq(s.load_per_core, 3.0);
    raw.cores = -8;
    ck_assert_int_eq(health_sample_from_raw(&raw, &s, &err), 0);
    ck_assert_int_eq(s.cores, 1);

    /* a root reserve of 50 blocks: free as df shows it, while the byte
     * counts stay f_blocks and f_bavail times the block size */
    raw = (struct health_raw){.disk_blocks = 1000,
                              .disk_bfree = 100,
                              .disk_bavail = 50,
                              .disk_block_size = 4096,
                              .mem_total_kb = 2000,
                              .mem_available_kb = 500,
                              .load1 = 3.0,
                              .cores = 6};
    ck_assert_msg(health_sample_from_raw(&raw, &s, &err) == 0, "refused: %s", err.text);
    ck_assert_double_eq(s.disk_free, 50.0 / 950);
    ck_assert_uint_eq(s.disk_total_bytes, 4096000);
    ck_assert_uint_eq(s.disk_avail_bytes, 204800);
    struct health_limits l;
    health_limits_default(&l);
    char reason[256];
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(reason, "disk 5.3% free (minimum 10%)");
    char buf[128];
    health_format(&s, buf, sizeof buf);
    unit_assert_prefix(buf, "Disk: 5% free\n");
}
END_TEST

START_TEST(sample_from_raw_errors)
{
    /* fields: blocks, bfree, bavail, block size, MemTotal, MemAvailable, load1, cores */
    static const struct {
        struct health_raw raw;
        const char *want;
    } cases[] = {
        {{0, 0, 0, 4096, 2000, 500, 3.0, 6, 0}, "disk: the filesystem reports a size of 0"},
        {{1000, 1001, 1001, 4096, 2000, 500, 3.0, 6, 0},
         "disk: more blocks free (1001) than in the filesystem (1000)"},
        {{1000, 250, 251, 4096, 2000, 500, 3.0, 6, 0},
         "disk: more blocks available (251) than free (250)"},
        {{1000, 1000, 0, 4096, 2000, 500, 3.0, 6, 0},
         "disk: no block is in use or available (all 1000 are reserved for root)"},
        {{1000, 250, 250, 0, 2000, 500, 3.0, 6, 0},
         "disk: the filesystem reports a block size of 0"},
        {{ULLONG_MAX / 1024, 250, 250, 4096, 2000, 500, 3.0, 6, 0},
         "disk: the filesystem is larger than 2^64 bytes"},
        {{1000, 250, 250, 4096, 0, 0, 3.0, 6, 0}, "meminfo: MemTotal is 0"},
        {{1000, 250, 250, 4096, 2000, 2001, 3.0, 6, 0},
         "meminfo: MemAvailable (2001 kB) is more than MemTotal (2000 kB)"},
        {{1000, 250, 250, 4096, 2000, 500, NAN, 6, 0},
         "loadavg: load average nan is not a number >= 0"},
        {{1000, 250, 250, 4096, 2000, 500, -1, 6, 0},
         "loadavg: load average -1 is not a number >= 0"},
        {{1000, 250, 250, 4096, 2000, 500, INFINITY, 6, 0},
         "loadavg: load average inf is not a number >= 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health_sample s = sample(0.5, 0.5, 0.5);
        struct error err = {""};
        errno = 0;
        int rc = health_sample_from_raw(&cases[i].raw, &s, &err);
        expect_invalid(i, rc, errno, err.text, cases[i].want);
        ck_assert_double_eq(s.disk_free, 0.5); /* untouched */
    }
}
END_TEST

START_TEST(limits_and_names)
{
    struct health_limits l;
    memset(&l, 0xff, sizeof l);
    health_limits_default(&l);
    ck_assert_double_eq(l.min_disk_free, 0.10);
    ck_assert_double_eq(l.max_mem_used, 0.95);
    ck_assert_double_eq(l.max_load_per_core, 2.0);
    ck_assert_str_eq(health_check_name(HEALTH_DISK), "disk");
    ck_assert_str_eq(health_check_name(HEALTH_MEMORY), "memory");
    ck_assert_str_eq(health_check_name(HEALTH_LOAD), "load");
    ck_assert_ptr_null(health_check_name(HEALTH_CHECK_COUNT));
}
END_TEST

START_TEST(judge_single_checks)
{
    struct health_limits l;
    health_limits_default(&l);
    static const struct {
        double disk, mem, load;
        unsigned failures;
        const char *want;
    } cases[] = {
        {0.91, 0.23, 0.01, 0, ""},
        {0.042, 0.5, 0.5, 1u << HEALTH_DISK, "disk 4.2% free (minimum 10%)"},
        {0.5, 0.971, 0.5, 1u << HEALTH_MEMORY, "memory 97.1% used (maximum 95%)"},
        {0.5, 0.5, 9.10, 1u << HEALTH_LOAD, "load 9.10 per core from other work (maximum 2.00)"},
        {0.0, 0.5, 0.5, 1u << HEALTH_DISK, "disk 0.0% free (minimum 10%)"},
        {0.5, 1.0, 0.5, 1u << HEALTH_MEMORY, "memory 100.0% used (maximum 95%)"},
        /* just past the limit: enough digits to show it */
        {0.0999, 0.5, 0.5, 1u << HEALTH_DISK, "disk 9.99% free (minimum 10%)"},
        {0.5, 0.9504, 0.5, 1u << HEALTH_MEMORY, "memory 95.04% used (maximum 95%)"},
        {0.5, 0.5, 2.001, 1u << HEALTH_LOAD, "load 2.001 per core from other work (maximum 2.00)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health_sample s = sample(cases[i].disk, cases[i].mem, cases[i].load);
        char reason[256];
        memset(reason, '#', sizeof reason);
        ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), cases[i].failures == 0);
        ck_assert_str_eq(reason, cases[i].want);
        ck_assert_uint_eq(health_failures(&s, &l), cases[i].failures);
    }
}
END_TEST

START_TEST(judge_all_failing_in_order)
{
    struct health_limits l;
    health_limits_default(&l);
    struct health_sample s = sample(0.042, 0.971, 9.10);
    char reason[256] = "";
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(reason,
                     "disk 4.2% free (minimum 10%); memory 97.1% used (maximum 95%); "
                     "load 9.10 per core from other work (maximum 2.00)");
    ck_assert_uint_eq(health_failures(&s, &l), 7);

    /* two of three, still separated */
    s = sample(0.5, 0.971, 9.10);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(
        reason,
        "memory 97.1% used (maximum 95%); load 9.10 per core from other work (maximum 2.00)");
    s = sample(0.042, 0.5, 9.10);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(
        reason, "disk 4.2% free (minimum 10%); load 9.10 per core from other work (maximum 2.00)");

    /* a value that is not a number fails its check */
    s = sample(NAN, NAN, NAN);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_uint_eq(health_failures(&s, &l), 7);
    unit_assert_prefix(reason, "disk ");
    unit_assert_contains(reason, "; memory ");
    unit_assert_contains(reason, "; load ");
}
END_TEST

START_TEST(judge_boundaries_are_healthy)
{
    struct health_limits l;
    health_limits_default(&l);
    char reason[256] = "x";
    struct error err = {""};
    struct health_sample s = sample(0.10, 0.95, 2.0);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 1);
    ck_assert_str_eq(reason, "");

    /* reached from whole numbers, as a probe reaches them: 10 of 100 blocks
     * free, 95 of 100 kB used, a load of "6.00" on 3 cores */
    double load;
    ck_assert_int_eq(loadavg_text("6.00 1 1 1/1 1\n", &load, &err), 0);
    s = sample_raw(100, 10, 10, 100, 5, load, 3);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 1);
    /* and 10 % free as df shows it, past a root reserve of 5 blocks */
    s = sample_raw(105, 15, 10, 100, 5, load, 3);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 1);
    s = sample_raw(105, 14, 9, 100, 5, load, 3);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);

    /* every whole percent as the limit, on random sizes and root reserves:
     * at the limit is healthy, one unit past is not. Memory computed as
     * 1 - available / total would fail this (1 - 0.99 is above 0.01), and disk
     * counting the reserve as used or free would miss the limit. */
    ull state = 0x9e3779b97f4a7c15ULL;
    for (int k = 1; k < 100; k++) {
        l = (struct health_limits){k / 100.0, k / 100.0, k / 100.0};
        for (int i = 0; i < 200; i++) {
            ull n = 100 * (ull)unit_rand_range(&state, 1, 1L << 40), at = n / 100 * (ull)k;
            /* half of the rounds without a reserve, half with up to n / 10 */
            ull r = i % 2 ? (ull)unit_rand_range(&state, 1, (long)(n / 10)) : 0;
            /* used + available is n: used n - at, free at (+ the reserve) */
            s = sample_raw(n + r, at + r, at, n, n - at, 4 * (k / 100.0), 4);
            unit_require(health_failures(&s, &l) == 0,
                         "%d %% of %llu (reserve %llu): failures %u at the limit", k, n, r,
                         health_failures(&s, &l));
            s = sample_raw(n + r, at - 1 + r, at - 1, n, n - at - 1, 4 * (k / 100.0) + 0.01, 4);
            unit_require(health_failures(&s, &l) == 7,
                         "%d %% of %llu (reserve %llu): one past passes", k, n, r);
        }
    }
}
END_TEST

START_TEST(judge_other_limits)
{
    struct health_limits l = {.min_disk_free = 0.25, .max_mem_used = 0.5, .max_load_per_core = 1};
    struct health_sample s = sample(0.2, 0.6, 1.5);
    char reason[256] = "";
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(reason,
                     "disk 20.0% free (minimum 25%); memory 60.0% used (maximum 50%); "
                     "load 1.50 per core from other work (maximum 1.00)");
    /* limits that nothing passes or everything passes */
    l = (struct health_limits){.min_disk_free = 1.01, .max_mem_used = -1, .max_load_per_core = -1};
    s = sample(1.0, 0.0, 0.0);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 0);
    l = (struct health_limits){.min_disk_free = 0, .max_mem_used = 1, .max_load_per_core = 1e9};
    s = sample(0.0, 1.0, 1000.0);
    ck_assert_int_eq(health_judge(&s, &l, reason, sizeof reason), 1);
}
END_TEST

START_TEST(small_buffers)
{
    struct health_limits l;
    health_limits_default(&l);
    struct health_sample s = sample(0.042, 0.971, 9.10);
    char buf[32];
    memset(buf, '#', sizeof buf);
    ck_assert_int_eq(health_judge(&s, &l, buf, 12), 0);
    ck_assert_str_eq(buf, "disk 4.2% f");
    for (size_t i = 12; i < sizeof buf; i++)
        ck_assert_int_eq(buf[i], '#');
    /* room for the first check only: the rest is cut, not garbled */
    ck_assert_int_eq(health_judge(&s, &l, buf, 29), 0);
    ck_assert_str_eq(buf, "disk 4.2% free (minimum 10%)");
    ck_assert_int_eq(health_judge(&s, &l, buf, 1), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(health_judge(&s, &l, NULL, 0), 0);
    s = sample(0.5, 0.5, 0.5);
    ck_assert_int_eq(health_judge(&s, &l, NULL, 0), 1);

    s = sample_raw(100, 91, 91, 1000, 770, 0.18, 24);
    memset(buf, '#', sizeof buf);
    health_format(&s, buf, 10);
    ck_assert_str_eq(buf, "Disk: 91%");
    ck_assert_int_eq(buf[10], '#');
    health_format(&s, NULL, 0);

    /* no struct error at all: the failure still shows */
    ull total, avail;
    errno = 0;
    ck_assert_int_eq(meminfo_text("nothing", &total, &avail, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    struct health_sample out = s;
    ck_assert_int_eq(health_probe_files("/nonexistent/distmpi", "/nonexistent", "/nonexistent", 1,
                                        NULL, NULL, &out, NULL),
                     -1);
}
END_TEST

/* ---------------------------------------------------------------- format */

START_TEST(format_seed_examples)
{
    /* the four hosts of the seed report, from whole numbers */
    static const struct {
        ull bavail, mem_avail;
        double load1;
        long cores;
        const char *want;
    } cases[] = {
        {21, 500, 3.74, 16,
         "Disk: 21% free\nMemory: 50.0% used\nCPU: Load 3.74 (0.23/core), other work 3.74 "
         "(0.23/core)"},
        {91, 770, 0.18, 24,
         "Disk: 91% free\nMemory: 23.0% used\nCPU: Load 0.18 (0.01/core), "
         "other work 0.18 (0.01/core)"},
        {37, 849, 0.05, 4,
         "Disk: 37% free\nMemory: 15.1% used\nCPU: Load 0.05 (0.01/core), "
         "other work 0.05 (0.01/core)"},
        {90, 912, 0.04, 4,
         "Disk: 90% free\nMemory: 8.8% used\nCPU: Load 0.04 (0.01/core), "
         "other work 0.04 (0.01/core)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health_sample s = sample_raw(100, cases[i].bavail, cases[i].bavail, 1000,
                                            cases[i].mem_avail, cases[i].load1, cases[i].cores);
        char buf[128];
        health_format(&s, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].want);
    }
}
END_TEST

START_TEST(format_disk_rounds_down)
{
    static const struct {
        ull blocks, bfree, bavail;
        const char *want;
    } cases[] = {
        {1000, 919, 919, "Disk: 91% free"},
        {100, 29, 29, "Disk: 29% free"},
        {100, 57, 57, "Disk: 57% free"},
        {100000, 99999, 99999, "Disk: 99% free"},
        {1000, 9, 9, "Disk: 0% free"},
        {100, 0, 0, "Disk: 0% free"},
        {100, 100, 100, "Disk: 100% free"},
        /* with a root reserve: 100 % minus df's Use% */
        {1000, 100, 50, "Disk: 5% free"},                   /* 5.26 % */
        {1050, 340, 290, "Disk: 29% free"},                 /* 290 of 1000 */
        {1000, 1000, 950, "Disk: 100% free"},               /* only the reserve is unavailable */
        {1000, 50, 0, "Disk: 0% free"},                     /* only the reserve is left */
        {264212084, 247502504, 83627608, "Disk: 83% free"}, /* df -P: 17 % used */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health_sample s =
            sample_raw(cases[i].blocks, cases[i].bfree, cases[i].bavail, 10, 5, 0, 1);
        char buf[128];
        health_format(&s, buf, sizeof buf);
        unit_assert_prefix(buf, cases[i].want);
        ck_assert_int_eq(buf[strlen(cases[i].want)], '\n');
    }
}
END_TEST

/* ---------------------------------------------------------------- probe */

START_TEST(probe_files_recorded)
{
    char meminfo[4096], loadavg[4096], dir[4096];
    struct error err = {""};
    data_path("meminfo-debian12", meminfo);
    data_path("loadavg", loadavg);
    snprintf(dir, sizeof dir, "%s/distmpi-unit-XXXXXX", unit_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct health_sample s;
    memset(&s, 0, sizeof s);
    struct statvfs vfs;
    ck_assert_int_eq(statvfs(dir, &vfs), 0);
    int rc = health_probe_files(dir, meminfo, loadavg, 4, NULL, NULL, &s, &err);
    rmdir(dir);
    ck_assert_msg(rc == 0, "refused: %s", err.text);
    ck_assert_uint_eq(s.mem_total_kb, 32734088);
    ck_assert_uint_eq(s.mem_available_kb, 25205248);
    ck_assert_double_eq_tol(s.mem_used, 0.23, 1e-6);
    ck_assert_double_eq(s.load1, 0.18);
    ck_assert_int_eq(s.cores, 4);
    ck_assert_double_eq(s.load_per_core, 0.18 / 4);
    /* "2/734": two runnable tasks in each of the five reads, none the run's */
    ck_assert_double_eq(s.other_load, 2);
    ck_assert_double_eq(s.other_per_core, 0.5);
    ck_assert_uint_gt(s.disk_total_bytes, 0);
    ck_assert_uint_le(s.disk_avail_bytes, s.disk_total_bytes);
    ck_assert_double_ge(s.disk_free, 0);
    ck_assert_double_le(s.disk_free, 1);
    /* free as df shows it, from f_bfree as well; other processes may write
     * between the two statvfs calls, hence the tolerance */
    ull unit = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
    ck_assert_uint_eq(s.disk_total_bytes, (ull)vfs.f_blocks * unit);
    double used = (double)(vfs.f_blocks - vfs.f_bfree), avail = (double)vfs.f_bavail;
    ck_assert_double_eq_tol(s.disk_free, avail / (used + avail), 1e-3);
    ck_assert_double_eq_tol((double)s.disk_avail_bytes, avail * (double)unit,
                            1e-3 * (double)s.disk_total_bytes);
    /* the root reserve is left out, so never less free than bavail / blocks */
    ck_assert_double_ge(s.disk_free + 1e-3,
                        (double)s.disk_avail_bytes / (double)s.disk_total_bytes);
    char buf[128];
    health_format(&s, buf, sizeof buf);
    unit_assert_contains(buf, "% free\nMemory: 23.0% used\nCPU: Load 0.18 (");

    /* the old kernel's file, and fewer than one core */
    data_path("meminfo-rhel6", meminfo);
    ck_assert_int_eq(health_probe_files(unit_tmpdir(), meminfo, loadavg, 0, NULL, NULL, &s, &err),
                     0);
    ck_assert_uint_eq(s.mem_available_kb, 1490888);
    ck_assert_int_eq(s.cores, 1);
    ck_assert_double_eq(s.load_per_core, 0.18);
}
END_TEST

/* Probe with one path replaced, expect failure with err starting with
 * PATH + want, and *out untouched. */
static void probe_fails(const char *disk, const char *meminfo, const char *loadavg,
                        const char *path, const char *want, int want_errno)
{
    struct health_sample s = sample(0.5, 0.5, 0.5);
    char prefix[4200];
    struct error err = {""};
    errno = 0;
    ck_assert_int_eq(health_probe_files(disk, meminfo, loadavg, 4, NULL, NULL, &s, &err), -1);
    ck_assert_int_eq(errno, want_errno);
    snprintf(prefix, sizeof prefix, "%s%s", path, want);
    unit_assert_prefix(err.text, prefix);
    ck_assert_double_eq(s.disk_free, 0.5);
}

START_TEST(probe_files_errors)
{
    char meminfo[4096], loadavg[4096], missing[4096], bad[4096], big[4096];
    data_path("meminfo-debian12", meminfo);
    data_path("loadavg", loadavg);
    const char *tmp = unit_tmpdir();
    snprintf(missing, sizeof missing, "%s/distmpi-unit-no-such-%ld", tmp, (long)getpid());

    probe_fails(missing, meminfo, loadavg, missing, ": statvfs: No such file or directory", ENOENT);
    probe_fails(tmp, missing, loadavg, missing, ": No such file or directory", ENOENT);
    probe_fails(tmp, meminfo, missing, missing, ": No such file or directory", ENOENT);
    probe_fails(tmp, tmp, loadavg, tmp, ": is a directory, not a file", EISDIR);
    probe_fails(tmp, meminfo, tmp, tmp, ": is a directory, not a file", EISDIR);
    /* /proc has no size: not a place to judge free space by */
    probe_fails("/proc", meminfo, loadavg, "/proc", ": the filesystem reports a size of 0", EINVAL);

    /* parse errors name the file instead of "meminfo" / "loadavg" */
    data_path("meminfo-truncated", bad);
    probe_fails(tmp, bad, loadavg, bad, ": no MemAvailable line", EINVAL);
    data_path("meminfo-garbage", bad);
    probe_fails(tmp, bad, loadavg, bad, ": MemTotal: expected a number of kB", EINVAL);
    probe_fails(tmp, loadavg, loadavg, loadavg, ": no MemTotal line", EINVAL);
    probe_fails(tmp, meminfo, meminfo, meminfo, ": expected a load average such as 0.18, got 'M",
                EINVAL);
    unit_write_temp("", 0, bad);
    probe_fails(tmp, meminfo, bad, bad, ": no load average in the first field", EINVAL);
    unlink(bad);

    /* a file too large to be from /proc */
    size_t n = 70 * 1024;
    char *data = malloc(n);
    memset(data, '\n', n);
    memcpy(data, "MemTotal: 100 kB\nMemAvailable: 5 kB\n", 36);
    unit_write_temp(data, n, big);
    free(data);
    probe_fails(tmp, big, loadavg, big, ": 64 KiB or more, too large", EFBIG);
    unlink(big);
}
END_TEST

/* A long path is named whole in the message, and one too long for it ends
 * in "...": the message used to be cut to the caller's buffer without a
 * sign (rank 0 showed 255 bytes of it). */
START_TEST(probe_long_path)
{
    char meminfo[4096], loadavg[4096], disk[4096], want[4200];
    data_path("meminfo-debian12", meminfo);
    data_path("loadavg", loadavg);
    int n =
        snprintf(disk, sizeof disk, "%s/distmpi-unit-no-such-%ld-", unit_tmpdir(), (long)getpid());
    memset(disk + n, 'd', 600);
    disk[n + 600] = '\0';
    struct health_sample s = sample(0.5, 0.5, 0.5);
    struct error err = {""};
    ck_assert_int_eq(health_probe_files(disk, meminfo, loadavg, 4, NULL, NULL, &s, &err), -1);
    snprintf(want, sizeof want, "%s: statvfs: %s", disk, strerror(ENAMETOOLONG));
    ck_assert_str_eq(err.text, want);

    memset(disk + n, 'd', 2000);
    disk[n + 2000] = '\0';
    ck_assert_int_eq(health_probe_files(disk, meminfo, loadavg, 4, NULL, NULL, &s, &err), -1);
    unit_assert_prefix(err.text, "/");
    size_t len = strlen(err.text);
    ck_assert_uint_eq(len, sizeof err.text - 1);
    ck_assert_str_eq(err.text + len - 3, "...");
}
END_TEST

START_TEST(probe_local_is_sane)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct health_sample s;
    struct error err = {""};
    ck_assert_msg(health_probe_local(unit_tmpdir(), cores, &s, &err) == 0, "this machine: %s",
                  err.text);
    ck_assert_msg(s.disk_free > 0 && s.disk_free < 1, "disk free %g", s.disk_free);
    ck_assert_msg(s.mem_used > 0 && s.mem_used < 1, "memory used %g", s.mem_used);
    ck_assert_msg(s.load1 >= 0 && isfinite(s.load1), "load %g", s.load1);
    ck_assert_int_eq(s.cores, cores < 1 ? 1 : cores);
    ck_assert_double_eq(s.load_per_core, s.load1 / (double)s.cores);
    ck_assert_uint_gt(s.mem_total_kb, 0);
    ck_assert_uint_lt(s.mem_available_kb, s.mem_total_kb);
    ck_assert_uint_gt(s.disk_total_bytes, 0);

    /* and it reads as the report would print it */
    char buf[128];
    health_format(&s, buf, sizeof buf);
    unit_assert_prefix(buf, "Disk: ");
    unit_assert_contains(buf, "% free\nMemory: ");
    unit_assert_contains(buf, "% used\nCPU: Load ");
    unit_assert_contains(buf, "/core)");

    /* "." works as well as an absolute path */
    ck_assert_msg(health_probe_local(".", 1, &s, &err) == 0, "'.': %s", err.text);
}
END_TEST

/* df -P DIR's "Capacity" (Use%): the first field of its second line, past
 * the filesystem's name, that is digits and a percent sign. -1 when df
 * failed or printed "-" (a filesystem with no size). */
static int df_use_percent(const char *dir)
{
    char cmd[4200], line[4096];
    snprintf(cmd, sizeof cmd, "df -P '%s' 2>/dev/null", dir); /* dir is "." here */
    FILE *p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "popen df: %s", strerror(errno));
    int use = -1, lineno = 0;
    while (fgets(line, sizeof line, p)) {
        if (++lineno != 2)
            continue;
        char *save = NULL, *tok = strtok_r(line, " \t\n", &save); /* the filesystem */
        while (tok && (tok = strtok_r(NULL, " \t\n", &save))) {
            size_t n = strlen(tok);
            if (n >= 2 && n <= 4 && tok[n - 1] == '%' && strspn(tok, "0123456789") == n - 1) {
                use = atoi(tok);
                break;
            }
        }
    }
    int status = pclose(p);
    ck_assert_msg(status == 0, "df -P %s: exit status %d (is df installed?)", dir, status);
    return use;
}

START_TEST(probe_local_matches_df)
{
    /* what users see in df: 100 % minus its Use%, which df rounds up */
    struct health_sample s;
    struct error err = {""};
    ck_assert_msg(health_probe_local(".", 1, &s, &err) == 0, "'.': %s", err.text);
    int use = df_use_percent(".");
    ck_assert_msg(use >= 0 && use <= 100, "could not read Use%% from df -P .");
    double ours = (1 - s.disk_free) * 100;
    ck_assert_msg(fabs(ours - use) <= 1.0, "%.2f %% used here, df -P . says %d %%", ours, use);
}
END_TEST

/* ------------------------------------------------- load from other work */

START_TEST(running_values)
{
    static const struct {
        const char *text;
        long want;
    } cases[] = {
        {"0.18 0.25 0.31 2/734 412873\n", 2},
        {"13.91 9.02 4.10 1/250 77", 1}, /* no newline: the load has gone, 1 runs */
        {"  0.00 0.00 0.00 0/1 1\n", 0},
        {"0.00\t0.00 0.00 4000/5000 1\nignored 1 2 x/y\n", 4000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long r = -7;
        struct error err = {""};
        ck_assert_msg(health_parse_running(cases[i].text, strlen(cases[i].text), &r, &err) == 0,
                      "case %zu: %s", i, err.text);
        ck_assert_int_eq(r, cases[i].want);
    }
}
END_TEST

START_TEST(running_errors)
{
    static const char *const cases[] = {
        "",
        "0.18 0.25 0.31\n",
        "0.18 0.25 0.31 2\n",
        "0.18 0.25 0.31 /734 1\n",
        "0.1 0.2 0.3 2/ 1",
        "0.1 0.2 0.3 -2/734 1",
        "0.1 0.2 0.3 2/734x 1",
        "0.1 0.2 0.3 99999999999999999999999/1 1",
        "0.1 0.2\n0.3 2/734 1\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long r = -7;
        struct error err = {""};
        errno = 0;
        ck_assert_msg(health_parse_running(cases[i], strlen(cases[i]), &r, &err) == -1,
                      "case %zu accepted", i);
        ck_assert_int_eq(errno, EINVAL);
        unit_assert_prefix(err.text, "loadavg: expected running/total tasks such as 3/250");
        ck_assert_int_eq(r, -7);
    }
}
END_TEST

START_TEST(other_load_median)
{
    long running[] = {9, 3, 8, 8, 40}, own[] = {1, 1, 0, 2, 1};
    /* other work 8, 2, 8, 6, 39: the median is 8, the one spike moves it not */
    ck_assert_double_eq(health_other_load(running, own, 5), 8);
    /* the run's own never makes other work negative */
    long few[] = {1, 2, 0}, many[] = {5, 5, 5};
    ck_assert_double_eq(health_other_load(few, many, 3), 0);
    /* an even count: the mean of the middle two (1 and 3) */
    long r4[] = {1, 3, 9, 0}, o4[] = {0, 0, 0, 0};
    ck_assert_double_eq(health_other_load(r4, o4, 4), 2);
    ck_assert_double_eq(health_other_load(r4, o4, 1), 1);
    ck_assert_double_eq(health_other_load(r4, o4, 0), 0);
    ck_assert_int_eq(running[4], 40); /* not changed */
}
END_TEST

/* The two cases the load check is about: a host whose load average still
 * remembers work that has ended is healthy; one whose CPUs other work uses
 * now is not, whatever its load average says. */
START_TEST(judge_load_now_not_load_average)
{
    struct health_limits l;
    health_limits_default(&l);
    char reason[256];
    /* 1-minute load 13.91 on 2 cores, 1 runnable task now (the reader) */
    struct health_sample gone = sample_raw(100, 50, 50, 1000, 500, 13.91, 2);
    gone.other_load = 1;
    gone.other_per_core = 0.5;
    ck_assert_int_eq(health_judge(&gone, &l, reason, sizeof reason), 1);
    ck_assert_str_eq(reason, "");
    /* load average 0.5, but 9 busy loops now */
    struct health_sample now = sample_raw(100, 50, 50, 1000, 500, 0.5, 2);
    now.other_load = 9;
    now.other_per_core = 4.5;
    ck_assert_int_eq(health_judge(&now, &l, reason, sizeof reason), 0);
    ck_assert_str_eq(reason, "load 4.50 per core from other work (maximum 2.00)");
    /* the limit keeps its meaning: 2 per core, at the limit healthy */
    now.other_per_core = 2.0;
    ck_assert_int_eq(health_judge(&now, &l, reason, sizeof reason), 1);
}
END_TEST

/* A recorded loadavg in a file of its own. */
static void write_loadavg(const char *text, char *path)
{
    unit_write_temp(text, strlen(text), path);
}

static long own_three(void *arg)
{
    int *calls = arg;
    ++*calls;
    return 3;
}

START_TEST(probe_files_load_now)
{
    char meminfo[4096], gone[4096], busy[4096];
    struct error err = {""};
    data_path("meminfo-debian12", meminfo);
    write_loadavg("13.91 9.02 4.10 1/250 77\n", gone);
    write_loadavg("0.50 0.40 0.30 12/250 77\n", busy);
    struct health_limits l;
    health_limits_default(&l);
    struct health_sample s;
    ck_assert_msg(health_probe_files(".", meminfo, gone, 2, NULL, NULL, &s, &err) == 0, "%s",
                  err.text);
    ck_assert_double_eq(s.load1, 13.91);
    ck_assert_double_eq(s.other_load, 1);
    ck_assert_int_eq(health_failures(&s, &l), 0);
    /* 12 runnable, 3 of them the run's own in every read: 9 on 2 cores */
    int calls = 0;
    ck_assert_msg(health_probe_files(".", meminfo, busy, 2, own_three, &calls, &s, &err) == 0, "%s",
                  err.text);
    ck_assert_int_eq(calls, HEALTH_SAMPLES);
    ck_assert_double_eq(s.other_load, 9);
    ck_assert_double_eq(s.other_per_core, 4.5);
    ck_assert_uint_eq(health_failures(&s, &l), 1u << HEALTH_LOAD);
    /* the run's own more than all that runs: none from other work */
    write_loadavg("0.50 0.40 0.30 2/250 77\n", busy);
    ck_assert_int_eq(health_probe_files(".", meminfo, busy, 2, own_three, &calls, &s, &err), 0);
    ck_assert_double_eq(s.other_load, 0);
    unlink(gone);
    unlink(busy);
}
END_TEST

/* ------------------------------------------------------------ proctree */

START_TEST(proctree_stat_parse)
{
    long pid = 0, ppid = 0;
    char st = 0;
    const char *a = "4242 (sh) R 17 4242 4242 0 -1 4194304 99 0 0 0\n";
    ck_assert_int_eq(proctree_parse_stat(a, strlen(a), &pid, &st, &ppid), 0);
    ck_assert_int_eq(pid, 4242);
    ck_assert_int_eq(st, 'R');
    ck_assert_int_eq(ppid, 17);
    /* a command name with blanks and parentheses: the last ')' ends it */
    const char *b = "7 (a) S (b)) Z 1 2 3\n";
    ck_assert_int_eq(proctree_parse_stat(b, strlen(b), &pid, &st, &ppid), 0);
    ck_assert_int_eq(pid, 7);
    ck_assert_int_eq(st, 'Z');
    ck_assert_int_eq(ppid, 1);
    static const char *const bad[] = {
        "", "x (sh) R 1", "12 sh R 1", "12 (sh) R", "12 (sh) R x", "12 (sh R 1", "12 (sh)R 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        ck_assert_msg(proctree_parse_stat(bad[i], strlen(bad[i]), &pid, &st, &ppid) == -1,
                      "'%s' accepted", bad[i]);
        ck_assert_int_eq(errno, EINVAL);
    }
}
END_TEST

START_TEST(proctree_marks_the_runs_own)
{
    /* 1 init; 10 a shell; 20 mpirun (its child); 30, 31 its ranks; 40 a
     * shard of 30, 41 a grandchild; 50 a busy loop of the shell; 60 an
     * unrelated daemon; 70 mpirun's other child (not a rank) */
    const long pid[] = {1, 10, 20, 30, 31, 40, 41, 50, 60, 70};
    const long ppid[] = {0, 1, 10, 20, 20, 30, 40, 10, 1, 20};
    const long ranks[] = {31, 30};
    unsigned char own[10];
    proctree_mark(pid, ppid, 10, ranks, 2, own);
    const unsigned char want[] = {0, 0, 1, 1, 1, 1, 1, 0, 0, 0};
    for (int i = 0; i < 10; i++)
        ck_assert_msg(own[i] == want[i], "pid %ld: %d", pid[i], own[i]);
    /* children listed before their parents are found as well */
    const long pid2[] = {41, 40, 50, 30, 20}, ppid2[] = {40, 30, 10, 20, 10}, rank[] = {30};
    proctree_mark(pid2, ppid2, 5, rank, 1, own);
    ck_assert(own[0] && own[1] && !own[2] && own[3] && own[4]);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void make_dir(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(mkdir(path, 0700), 0);
}

START_TEST(proctree_counts_runnable_threads)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/distmpi-unit-XXXXXX", unit_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* rank 30 with two threads, one runnable; its shard 40 runnable (no
     * task directory); mpirun 20 runnable; a busy loop 50 outside */
    make_dir(dir, "20");
    write_file(dir, "20/stat", "20 (mpirun) R 10 1 1\n");
    make_dir(dir, "30");
    write_file(dir, "30/stat", "30 (distmpi) S 20 1 1\n");
    make_dir(dir, "30/task");
    make_dir(dir, "30/task/30");
    write_file(dir, "30/task/30/stat", "30 (distmpi) S 20 1 1\n");
    make_dir(dir, "30/task/33");
    write_file(dir, "30/task/33/stat", "33 (distmpi) R 20 1 1\n");
    make_dir(dir, "40");
    write_file(dir, "40/stat", "40 (sh) R 30 40 40\n");
    make_dir(dir, "50");
    write_file(dir, "50/stat", "50 (sh) R 10 50 50\n");
    make_dir(dir, "self"); /* not a process */
    const long ranks[] = {30};
    ck_assert_int_eq(proctree_running(dir, ranks, 1), 3);
    const long none[] = {999};
    ck_assert_int_eq(proctree_running(dir, none, 1), 0);
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/none", dir);
    errno = 0;
    ck_assert_int_eq(proctree_running(missing, ranks, 1), -1);
    ck_assert_int_eq(errno, ENOENT);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -r '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(proctree_on_this_process)
{
    /* this test is running, so at least one of its tasks is runnable */
    long me = (long)getpid();
    long n = proctree_running("/proc", &me, 1);
    ck_assert_msg(n >= 1, "%ld runnable tasks of this process", n);
}
END_TEST

static Suite *health_suite(void)
{
    Suite *s = suite_create("health");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, meminfo_recorded_files);
    tcase_add_test(tc, meminfo_len_is_respected);
    tcase_add_test(tc, meminfo_lenient_layout);
    tcase_add_test(tc, meminfo_errors);
    tcase_add_test(tc, meminfo_nul_and_binary_bytes);
    tcase_add_test(tc, loadavg_file_and_len);
    tcase_add_test(tc, loadavg_values);
    tcase_add_test(tc, loadavg_errors);
    tcase_add_test(tc, disk_fraction);
    tcase_add_test(tc, sample_from_raw);
    tcase_add_test(tc, sample_from_raw_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("judge");
    tcase_add_test(tc, limits_and_names);
    tcase_add_test(tc, judge_single_checks);
    tcase_add_test(tc, judge_all_failing_in_order);
    tcase_add_test(tc, judge_boundaries_are_healthy);
    tcase_add_test(tc, judge_other_limits);
    tcase_add_test(tc, small_buffers);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, format_seed_examples);
    tcase_add_test(tc, format_disk_rounds_down);
    suite_add_tcase(s, tc);

    tc = tcase_create("probe");
    tcase_add_test(tc, probe_files_recorded);
    tcase_add_test(tc, probe_files_errors);
    tcase_add_test(tc, probe_long_path);
    tcase_add_test(tc, probe_local_is_sane);
    tcase_add_test(tc, probe_local_matches_df);
    tcase_add_test(tc, probe_files_load_now);
    suite_add_tcase(s, tc);

    tc = tcase_create("load now");
    tcase_add_test(tc, running_values);
    tcase_add_test(tc, running_errors);
    tcase_add_test(tc, other_load_median);
    tcase_add_test(tc, judge_load_now_not_load_average);
    tcase_add_test(tc, proctree_stat_parse);
    tcase_add_test(tc, proctree_marks_the_runs_own);
    tcase_add_test(tc, proctree_counts_runnable_threads);
    tcase_add_test(tc, proctree_on_this_process);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(health_suite());
}
