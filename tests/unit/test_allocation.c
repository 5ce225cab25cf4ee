/* SPDX-License-Identifier: BSD-3-Clause */
/* test_allocation.c - unit tests of batch allocations (allocation.h): Slurm
 * node lists and counts, PBS node files, the environment. */
#include "config.h"

#include "config/allocation.h"

#include <errno.h>

#include "unit.h"

/* The names of h joined by spaces, and each host's slots after a ':' when
 * slots is set: "n1:2 n2:2". A static buffer, big enough for the tests. */
static const char *joined(const struct hostfile *h, int slots)
{
    static char buf[65536];
    size_t k = 0;
    buf[0] = '\0';
    for (long i = 0; i < h->count; i++) {
        int w = slots ? snprintf(buf + k, sizeof buf - k, "%s%s:%ld", i ? " " : "",
                                 h->hosts[i].name, h->hosts[i].slots)
                      : snprintf(buf + k, sizeof buf - k, "%s%s", i ? " " : "", h->hosts[i].name);
        ck_assert(w > 0 && (size_t)w < sizeof buf - k);
        k += (size_t)w;
    }
    return buf;
}

/* list expands to want (names joined by spaces), each with slots 0 and its
 * position as line */
static void list_is(const char *list, const char *want)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(alloc_nodelist_parse(list, &h, &err) == 0, "refused '%s': %s", list, err.text);
    ck_assert_str_eq(joined(h, 0), want);
    for (long i = 0; i < h->count; i++) {
        ck_assert_int_eq(h->hosts[i].slots, 0);
        ck_assert_int_eq(h->hosts[i].line, i + 1);
        ck_assert_ptr_null(h->hosts[i].user);
    }
    hostfile_destroy(h);
}

/* list is refused with an error that contains needle, on one line */
static void list_bad(const char *list, const char *needle)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(alloc_nodelist_parse(list, &h, &err) == -1, "accepted '%s'", list);
    ck_assert_ptr_null(h);
    unit_assert_contains(err.text, needle);
    ck_assert_msg(!strchr(err.text, '\n'), "two lines: %s", err.text);
}

START_TEST(nodelist_forms)
{
    list_is("n1", "n1");
    list_is("n1,n2,gpu01", "n1 n2 gpu01");
    list_is("n[1-4,07],gpu01", "n1 n2 n3 n4 n07 gpu01");
    list_is("n[07-10]", "n07 n08 n09 n10");
    list_is("n[8-10]", "n8 n9 n10");
    list_is("n[098-101]", "n098 n099 n100 n101");
    list_is("n[5]", "n5");
    list_is("n[3,1,2]", "n3 n1 n2");
    list_is("r[1-2]n[1-2]", "r1n1 r1n2 r2n1 r2n2");
    list_is("r[1-2]n[1-2],x", "r1n1 r1n2 r2n1 r2n2 x");
    list_is("n[1-2]-ib", "n1-ib n2-ib");
    list_is("[1-3]", "1 2 3");
    list_is("node-01.example.org,node_02", "node-01.example.org node_02");
    list_is("a[0-1]b[0-1]c[7]d", "a0b0c7d a0b1c7d a1b0c7d a1b1c7d");
    list_is("n[000000000000000001-000000000000000002]", "n000000000000000001 n000000000000000002");
    list_is("n[999999999999999998-999999999999999999]", "n999999999999999998 n999999999999999999");
}
END_TEST

START_TEST(nodelist_errors)
{
    list_bad("", "empty host name at the end");
    list_bad(",", "empty host name at character 1");
    list_bad("n1,", "empty host name at the end");
    list_bad(",n1", "empty host name at character 1");
    list_bad("n1,,n2", "empty host name at character 4 (',n2')");
    list_bad("n[1-2", "'[' without ']' at character 2 ('[1-2')");
    list_bad("n1]", "']' without '[' at character 3");
    list_bad("n[[1]]", "'[' inside brackets at character 3");
    list_bad("n[1[2]]", "'[' inside brackets");
    list_bad("n[]", "empty range in brackets at character 3");
    list_bad("n[1,]", "empty range in brackets at character 5");
    list_bad("n[,1]", "empty range in brackets");
    list_bad("n[3-1]", "reversed range 3-1 at character 3");
    list_bad("n[10-09]", "reversed range 10-9");
    list_bad("n[1-2-3]", "bad character in brackets");
    list_bad("n[1-]", "expected a number");
    list_bad("n[-1]", "expected a number");
    list_bad("n[a]", "expected a number");
    list_bad("n[1 ]", "bad character in brackets");
    list_bad("n 1", "bad character in host name");
    list_bad("n\t1", "'_') at character 2 ('?1')");
    list_bad("n\n1", "bad character in host name");
    list_bad("n\x01", "bad character in host name");
    list_bad("n\xc3\xa9", "bad character in host name");
    list_bad("n:1", "bad character in host name");
    list_bad("user@n1", "bad character in host name");
    list_bad("-n1", "must start with a letter or digit");
    list_bad(".[1-2]", "must start with a letter or digit");
    list_bad("n[0000000000000000001]", "more than 18 digits");
    list_bad("n[1-99999999999999999999999]", "more than 18 digits");
    list_bad("n1,n1", "host n1 named twice");
    list_bad("n[1-2],n2", "host n2 named twice");
    list_bad("n[1,1]", "host n1 named twice");
    list_is("n[1-2],n[01-2]", "n1 n2 n01 n02"); /* other names, not repeats */
}
END_TEST

/* The cap on hosts holds for one range, a product of groups, the sum of
 * names and many ranges in a group; just under the cap is fine. */
START_TEST(nodelist_cap)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(alloc_nodelist_parse("n[1-65536]", &h, &err), 0);
    ck_assert_int_eq(h->count, ALLOC_MAX_HOSTS);
    ck_assert_str_eq(h->hosts[65535].name, "n65536");
    hostfile_destroy(h);
    list_bad("n[1-65537]", "more than 65536 hosts");
    list_bad("n[0-999999999999999999]", "more than 65536 hosts");
    list_bad("a[1-300]b[1-300]", "more than 65536 hosts");
    list_bad("a[1-256]b[1-256]c[1-256]d[1-256]e[1-256]f[1-256]g[1-256]h[1-256]",
             "more than 65536 hosts");
    list_bad("n[1-40000],m[1-40000]",
             "more than 65536 hosts (the most allowed) at character 12 ('m[1-40000]')");
    list_bad("n[1-65536],m", "more than 65536 hosts");
    list_bad("n[1-30000,40000-80000]", "more than 65536 hosts");
    ck_assert_int_eq(alloc_nodelist_parse("a[1-256]b[1-256]", &h, &err), 0);
    ck_assert_int_eq(h->count, 65536);
    hostfile_destroy(h);
}
END_TEST

START_TEST(nodelist_long_names)
{
    char name[600];
    memset(name, 'a', 255);
    name[255] = '\0';
    list_is(name, name);
    name[255] = 'a';
    name[256] = '\0';
    list_bad(name, "host name longer than 255 characters");
    /* long only once the number is added */
    memset(name, 'a', 254);
    strcpy(name + 254, "[9-10]");
    list_bad(name, "host name longer than 255 characters");
    /* a huge list: the error still names the place, and stays one line */
    static char big[200000];
    size_t k = 0;
    for (int i = 0; i < 10000; i++)
        k += (size_t)snprintf(big + k, sizeof big - k, "h%d,", i);
    strcpy(big + k, "bad!");
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(alloc_nodelist_parse(big, &h, &err), -1);
    unit_assert_contains(err.text, "bad character in host name");
    char want[64];
    snprintf(want, sizeof want, "at character %zu ('!')", k + 4);
    unit_assert_contains(err.text, want);
}
END_TEST

/* spec over n hosts gives want (counts joined by spaces) */
static void counts_are(const char *spec, long n, const char *want)
{
    long c[16];
    struct error err = {""};
    ck_assert_msg(alloc_counts_parse(spec, n, c, &err) == 0, "refused '%s': %s", spec, err.text);
    char got[256] = "";
    size_t k = 0;
    for (long i = 0; i < n; i++)
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%ld", i ? " " : "", c[i]);
    ck_assert_str_eq(got, want);
}

static void counts_bad(const char *spec, long n, const char *needle)
{
    long c[16];
    struct error err = {""};
    ck_assert_msg(alloc_counts_parse(spec, n, c, &err) == -1, "accepted '%s'", spec);
    unit_assert_contains(err.text, needle);
    ck_assert_msg(!strchr(err.text, '\n'), "two lines: %s", err.text);
}

START_TEST(counts_forms)
{
    counts_are("1", 1, "1");
    counts_are("2(x3),1", 4, "2 2 2 1");
    counts_are("16(x2),24,4(x2)", 5, "16 16 24 4 4");
    counts_are("1,2,3", 3, "1 2 3");
    counts_are("7(x1)", 1, "7");
    counts_are("2147483647", 1, "2147483647");
}
END_TEST

START_TEST(counts_errors)
{
    counts_bad("", 1, "empty");
    counts_bad("0", 1, "0 slots for a host");
    counts_bad("2147483648", 1, "more than 2147483647 slots for a host");
    counts_bad("99999999999999999999", 1, "more than 18 digits");
    counts_bad("2(x0)", 1, "a count for 0 hosts");
    counts_bad("2(3)", 3, "expected '(xN)' at character 2");
    counts_bad("2(x3", 3, "expected ')' at the end");
    counts_bad("2(x)", 3, "expected a number at character 4");
    counts_bad("2(x3),", 3, "expected a number at the end");
    counts_bad(",2", 1, "expected a number at character 1");
    counts_bad("a", 1, "expected a number");
    counts_bad("2 ", 1, "expected ',' or the end at character 2");
    counts_bad("-1", 1, "expected a number");
    counts_bad("2(x3)", 4, "'2(x3)' counts for 3 hosts, but the node list has 4");
    counts_bad("2(x3),1,1", 4, "counts for more than 4 hosts, but the node list has 4");
    /* a huge repeat neither loops for long nor writes past the array */
    counts_bad("2(x999999999999999999)", 4, "counts for more than 4 hosts");
    counts_bad("1", 0, "counts for more than 0 hosts");
}
END_TEST

START_TEST(slurm_hosts_and_slots)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(
        alloc_slurm("n[1-4,07],gpu01", "2(x3),1,4,8", "SLURM_TASKS_PER_NODE", &h, &err), 0);
    ck_assert_str_eq(joined(h, 1), "n1:2 n2:2 n3:2 n4:1 n07:4 gpu01:8");
    hostfile_destroy(h);

    h = NULL;
    ck_assert_int_eq(alloc_slurm("n[1-5]", "2(x3),1", "SLURM_TASKS_PER_NODE", &h, &err), -1);
    ck_assert_ptr_null(h);
    ck_assert_str_eq(err.text,
                     "SLURM_TASKS_PER_NODE: '2(x3),1' counts for 4 hosts, but the "
                     "node list has 5");
    ck_assert_int_eq(alloc_slurm("n[1-5", "1", "SLURM_JOB_CPUS_PER_NODE", &h, &err), -1);
    unit_assert_prefix(err.text, "SLURM_JOB_NODELIST: '[' without ']'");
    ck_assert_int_eq(alloc_slurm("n1", "x", "SLURM_JOB_CPUS_PER_NODE", &h, &err), -1);
    unit_assert_prefix(err.text, "SLURM_JOB_CPUS_PER_NODE: expected a number");
    ck_assert_ptr_null(h);
}
END_TEST

/* Parse len bytes copied into a buffer of exactly that size (no terminator),
 * so a read past the end shows under valgrind or ASan. */
static int pbs_bytes(const char *data, size_t len, struct hostfile **out, struct error *e)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    int rc = alloc_pbs_parse("nodes", copy, len, out, e);
    free(copy);
    return rc;
}

static void pbs_is(const char *text, const char *want)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(pbs_bytes(text, strlen(text), &h, &err) == 0, "refused '%s': %s", text, err.text);
    ck_assert_str_eq(joined(h, 1), want);
    hostfile_destroy(h);
}

static void pbs_bad(const char *text, size_t len, const char *want)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_msg(pbs_bytes(text, len, &h, &err) == -1, "accepted '%s'", text);
    ck_assert_ptr_null(h);
    unit_assert_prefix(err.text, want);
    ck_assert_msg(!strchr(err.text, '\n'), "two lines: %s", err.text);
}

START_TEST(pbs_forms)
{
    pbs_is("a\n", "a:1");
    pbs_is("a\na\nb\nb\nb\n", "a:2 b:3");
    /* order of first appearance, also when a host comes back later */
    pbs_is("b\na\nb\nc\na\n", "b:2 a:2 c:1");
    pbs_is("a", "a:1");
    pbs_is("a\r\nb\r\n", "a:1 b:1");
    pbs_is("\n  a  \n\t\n\tb\t\n\n", "a:1 b:1");
    pbs_is("node-01.example.org\n10.0.0.1\n", "node-01.example.org:1 10.0.0.1:1");
    struct hostfile *h = NULL;
    struct error err = {""};
    const char *text = "x\ny\nx\n";
    ck_assert_int_eq(pbs_bytes(text, strlen(text), &h, &err), 0);
    ck_assert_int_eq(h->hosts[0].line, 1);
    ck_assert_int_eq(h->hosts[1].line, 2);
    hostfile_destroy(h);
    /* len is respected: what follows is not read */
    ck_assert_int_eq(pbs_bytes("a\nb!", 2, &h, &err), 0);
    ck_assert_int_eq(h->count, 1);
    hostfile_destroy(h);
}
END_TEST

START_TEST(pbs_errors)
{
    pbs_bad("", 0, "nodes: names no host");
    pbs_bad("\n\n  \n", 4, "nodes: names no host");
    pbs_bad("a\nb\0c\n", 6, "nodes:2: line contains a NUL byte");
    pbs_bad("a b\n", 4, "nodes:1: bad character in host name");
    pbs_bad("a\nb#c\n", 6, "nodes:2: bad character in host name");
    pbs_bad("a\n-b\n", 5, "nodes:2: host name must start with a letter or digit");
    pbs_bad("a\x1b[31m\n", 7,
            "nodes:1: bad character in host name (allowed: letters, digits, "
            "'-', '.', '_'): 'a?[31m'");
    char line[1000];
    memset(line, 'a', sizeof line);
    pbs_bad(line, 256,
            "nodes:1: host name longer than 255 characters ('aaaaaaaaaaaaaaaaaaaaaaaa...')");
    pbs_bad(line, sizeof line, "nodes:1: host name longer than 255 characters");
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(pbs_bytes(line, 255, &h, &err), 0);
    hostfile_destroy(h);
}
END_TEST

START_TEST(pbs_cap)
{
    size_t size = 70000 * 8, k = 0;
    char *text = malloc(size);
    for (long i = 0; i < ALLOC_MAX_HOSTS; i++)
        k += (size_t)snprintf(text + k, size - k, "h%ld\n", i);
    /* many slots on the hosts already listed are fine */
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(text + k, size - k, "h%d\n", i % 3);
    struct hostfile *h = NULL;
    struct error err = {""};
    ck_assert_int_eq(pbs_bytes(text, k, &h, &err), 0);
    ck_assert_int_eq(h->count, ALLOC_MAX_HOSTS);
    ck_assert_int_eq(h->hosts[0].slots, 335);
    ck_assert_int_eq(h->hosts[3].slots, 1);
    hostfile_destroy(h);
    k += (size_t)snprintf(text + k, size - k, "one-more\n");
    char want[64];
    snprintf(want, sizeof want, "nodes:%ld: more than 65536 hosts", ALLOC_MAX_HOSTS + 1001);
    pbs_bad(text, k, want);
    free(text);
}
END_TEST

START_TEST(pbs_load)
{
    struct hostfile *h = NULL;
    struct error err = {""};
    char path[4096];
    snprintf(path, sizeof path, "%s/distmpi-no-such-nodefile-%d", unit_tmpdir(), (int)getpid());
    ck_assert_int_eq(alloc_pbs_load(path, &h, &err), -1);
    unit_assert_prefix(err.text, path);
    unit_assert_contains(err.text, "No such file");
    ck_assert_int_eq(alloc_pbs_load(unit_tmpdir(), &h, &err), -1);
    unit_assert_contains(err.text, "directory");
    const char *text = "n1\nn1\nn2\n";
    unit_write_temp(text, strlen(text), path);
    ck_assert_int_eq(alloc_pbs_load(path, &h, &err), 0);
    ck_assert_str_eq(joined(h, 1), "n1:2 n2:1");
    hostfile_destroy(h);
    unlink(path);
}
END_TEST

/* A stand-in for getenv over a NULL-terminated list of NAME=VALUE. */
static const char *const *fake_env;

static char *fake_getenv(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return (char *)*e + n + 1;
    return NULL;
}

/* alloc_from_env over env: its result, and a in *a */
static int from_env(const char *const *env, struct allocation *a, struct error *err)
{
    fake_env = env;
    return alloc_from_env(fake_getenv, a, err);
}

START_TEST(env_choice)
{
    struct allocation a;
    struct error err = {""};
    const char *none[] = {"PATH=/bin", NULL};
    ck_assert_int_eq(from_env(none, &a, &err), 0);
    ck_assert_int_eq(a.kind, ALLOC_NONE);
    ck_assert_ptr_null(a.hosts);
    ck_assert_ptr_null(alloc_kind_name(a.kind));

    const char *empty[] = {"SLURM_JOB_NODELIST=", "PBS_NODEFILE=", NULL};
    ck_assert_int_eq(from_env(empty, &a, &err), 0);

    const char *slurm[] = {"SLURM_JOB_NODELIST=n[1-2]", "SLURM_TASKS_PER_NODE=3(x2)",
                           "SLURM_JOB_CPUS_PER_NODE=8(x2)", NULL};
    ck_assert_int_eq(from_env(slurm, &a, &err), 1);
    ck_assert_int_eq(a.kind, ALLOC_SLURM);
    ck_assert_str_eq(alloc_kind_name(a.kind), "slurm");
    ck_assert_str_eq(joined(a.hosts, 1), "n1:3 n2:3");
    ck_assert_str_eq(a.source,
                     "the Slurm allocation (SLURM_JOB_NODELIST, slots from "
                     "SLURM_TASKS_PER_NODE)");
    hostfile_destroy(a.hosts);

    const char *cpus[] = {"SLURM_JOB_NODELIST=n[1-2]",
                          "SLURM_TASKS_PER_NODE=", "SLURM_JOB_CPUS_PER_NODE=8,4", NULL};
    ck_assert_int_eq(from_env(cpus, &a, &err), 1);
    ck_assert_str_eq(joined(a.hosts, 1), "n1:8 n2:4");
    unit_assert_contains(a.source, "slots from SLURM_JOB_CPUS_PER_NODE");
    hostfile_destroy(a.hosts);

    const char *nocounts[] = {"SLURM_JOB_NODELIST=n1", NULL};
    ck_assert_int_eq(from_env(nocounts, &a, &err), -1);
    ck_assert_ptr_null(a.hosts);
    unit_assert_contains(err.text, "neither SLURM_TASKS_PER_NODE nor SLURM_JOB_CPUS_PER_NODE");

    const char *bad[] = {"SLURM_JOB_NODELIST=n[2-1]", "SLURM_TASKS_PER_NODE=1", NULL};
    ck_assert_int_eq(from_env(bad, &a, &err), -1);
    unit_assert_prefix(err.text, "SLURM_JOB_NODELIST: reversed range 2-1");

    char path[4096];
    const char *text = "p1\np2\np1\n";
    unit_write_temp(text, strlen(text), path);
    char var[4200];
    snprintf(var, sizeof var, "PBS_NODEFILE=%s", path);
    const char *pbs[] = {var, NULL};
    ck_assert_int_eq(from_env(pbs, &a, &err), 1);
    ck_assert_int_eq(a.kind, ALLOC_PBS);
    ck_assert_str_eq(alloc_kind_name(a.kind), "pbs");
    ck_assert_str_eq(joined(a.hosts, 1), "p1:2 p2:1");
    ck_assert_str_eq(a.source, "the PBS allocation (PBS_NODEFILE)");
    hostfile_destroy(a.hosts);

    /* both: Slurm's wins */
    const char *both[] = {var, "SLURM_JOB_NODELIST=s1", "SLURM_TASKS_PER_NODE=1", NULL};
    ck_assert_int_eq(from_env(both, &a, &err), 1);
    ck_assert_int_eq(a.kind, ALLOC_SLURM);
    ck_assert_str_eq(joined(a.hosts, 1), "s1:1");
    hostfile_destroy(a.hosts);

    unlink(path);
    ck_assert_int_eq(from_env(pbs, &a, &err), -1);
    char want[4200];
    snprintf(want, sizeof want, "PBS_NODEFILE: %s: ", path);
    unit_assert_prefix(err.text, want);
}
END_TEST

/* Random bracket groups of increasing ranges against a plain expansion
 * with printf. */
START_TEST(random_ranges)
{
    unsigned long long seed = 14;
    for (int round = 0; round < 2000; round++) {
        static char list[512], want[65536];
        size_t lk = 0, wk = 0;
        long start = unit_rand_range(&seed, 0, 50);
        int nr = (int)unit_rand_range(&seed, 1, 4);
        lk += (size_t)snprintf(list + lk, sizeof list - lk, "h[");
        for (int r = 0; r < nr; r++) {
            long lo = start, hi = lo + unit_rand_range(&seed, 0, 10);
            int width = (int)unit_rand_range(&seed, 1, 4);
            if (unit_rand_range(&seed, 0, 1) && lo == hi)
                lk += (size_t)snprintf(list + lk, sizeof list - lk, "%s%0*ld", r ? "," : "", width,
                                       lo);
            else
                lk += (size_t)snprintf(list + lk, sizeof list - lk, "%s%0*ld-%ld", r ? "," : "",
                                       width, lo, hi);
            for (long v = lo; v <= hi; v++)
                wk += (size_t)snprintf(want + wk, sizeof want - wk, "%sh%0*ld", wk ? " " : "",
                                       width, v);
            start = hi + 1 + unit_rand_range(&seed, 0, 20);
        }
        snprintf(list + lk, sizeof list - lk, "]");
        list_is(list, want);
    }
}
END_TEST

/* Random strings of the node list's characters never crash, and what is
 * accepted names valid, distinct hosts. */
START_TEST(random_lists_never_crash)
{
    static const char alphabet[] = "n1209[[]]],,,--x()\t ";
    unsigned long long seed = 7;
    for (int round = 0; round < 20000; round++) {
        char list[32];
        int n = (int)unit_rand_range(&seed, 0, 31);
        for (int i = 0; i < n; i++)
            list[i] = alphabet[unit_rand_range(&seed, 0, (long)sizeof alphabet - 2)];
        list[n] = '\0';
        struct hostfile *h = NULL;
        struct error err = {""};
        if (alloc_nodelist_parse(list, &h, &err) == 0) {
            unit_require(h->count >= 1 && h->count <= ALLOC_MAX_HOSTS, "'%s': %ld hosts", list,
                         h->count);
            for (long i = 0; i < h->count; i++)
                unit_require(h->hosts[i].name[0] && strlen(h->hosts[i].name) <= ALLOC_MAX_NAME,
                             "'%s': bad name", list);
            hostfile_destroy(h);
        } else {
            unit_require(err.text[0] && !strchr(err.text, '\n'), "'%s': error '%s'", list,
                         err.text);
        }
        long c[4];
        alloc_counts_parse(list, 4, c, &err);
    }
}
END_TEST

static Suite *allocation_suite(void)
{
    Suite *s = suite_create("allocation");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, nodelist_forms);
    tcase_add_test(tc, nodelist_errors);
    tcase_add_test(tc, nodelist_cap);
    tcase_add_test(tc, nodelist_long_names);
    tcase_add_test(tc, counts_forms);
    tcase_add_test(tc, counts_errors);
    tcase_add_test(tc, slurm_hosts_and_slots);
    tcase_add_test(tc, pbs_forms);
    tcase_add_test(tc, pbs_errors);
    tcase_add_test(tc, pbs_cap);
    tcase_add_test(tc, pbs_load);
    tcase_add_test(tc, env_choice);
    tcase_add_test(tc, random_ranges);
    tcase_add_test(tc, random_lists_never_crash);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(allocation_suite());
}
