/* SPDX-License-Identifier: BSD-3-Clause */
/* test_report_stream.c - the JSON, JUnit and HTML reports are written as
 * streams: a report of thousands of shards is whole and well-formed (the
 * JUnit one valid against tests/data/junit-10.xsd, the JSON one read back
 * by jansson and, when it is installed, by python3), and the memory the
 * writer holds at its peak does not grow with the number of shards.
 *
 * The memory is counted, not guessed from RSS: this program replaces
 * malloc, calloc, realloc and free with counting wrappers around glibc's
 * own (every library in the process allocates through them), which track
 * the bytes live and their peak. A sanitized build (ASan) keeps its own
 * allocator: there the counts are skipped and only the documents are
 * checked. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <malloc.h>
#include <sys/stat.h>

#include "report/report_html.h"
#include "report/report_json.h"
#include "report/report_junit.h"
#include "report/summary.h"
#include "unit.h"

/* ------------------------------------------------------------ counting */

#if defined(__SANITIZE_ADDRESS__)
#define COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNTING 0
#endif
#endif
#ifndef COUNTING
#define COUNTING 1
#endif

static size_t live, peak;

#if COUNTING
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static void counted(void *p)
{
    if (p) {
        live += malloc_usable_size(p);
        if (live > peak)
            peak = live;
    }
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    counted(p);
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    counted(p);
    return p;
}

void *realloc(void *old, size_t n)
{
    size_t before = old ? malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, n);
    if (p || !n) {
        live -= before < live ? before : live;
        counted(p);
    }
    return p;
}

void free(void *p)
{
    if (p) {
        size_t n = malloc_usable_size(p);
        live -= n < live ? n : live;
    }
    __libc_free(p);
}
#endif

/* Start counting the peak from what is live now. */
static size_t peak_reset(void)
{
    peak = live;
    return live;
}

/* ------------------------------------------------------------ a run */

static char host0[] = "node1", host1[] = "node2";
static struct host hosts[2];
static int rank_host[4] = {0, 0, 1, 1};
static int rank_slot[4] = {0, 1, 0, 1};
static struct cluster cluster;

/* n shards: every 7th failed after a retry, every 11th flaky, every 13th
 * lost, the others passed at once; each with a log path. */
struct run {
    struct report rep;
    struct summary sum;
    struct shard_result **results;
    /* --collect: every 50th shard has one JUnit file (with merge set) */
    struct collected_file file;
    const struct collected_file **collected;
    int *ncollected;
    char tail[4096];
    long tails_read;
};

static void run_init(struct run *run, long n, int merge)
{
    memset(hosts, 0, sizeof hosts);
    hosts[0] = (struct host){.name = host0, .nranks = 2, .cores = 2};
    hosts[1] = (struct host){.name = host1, .nranks = 2, .cores = 2, .leader = 2};
    cluster = (struct cluster){
        .nranks = 4, .nhosts = 2, .rank_host = rank_host, .rank_slot = rank_slot, .hosts = hosts};
    memset(run, 0, sizeof *run);
    run->results = calloc((size_t)n, sizeof *run->results);
    ck_assert_ptr_nonnull(run->results);
    for (long i = 0; i < n; i++) {
        if (i % 13 == 12)
            continue; /* lost */
        struct shard_result *r = calloc(1, sizeof *r);
        ck_assert_ptr_nonnull(r);
        int na = i % 7 == 6 || i % 11 == 10 ? 2 : 1;
        r->index = i;
        r->rank = (int)(i % 4);
        r->slot = rank_slot[r->rank];
        r->nattempts = na;
        r->attempts = calloc((size_t)na, sizeof *r->attempts);
        ck_assert_ptr_nonnull(r->attempts);
        for (int k = 0; k < na; k++) {
            struct attempt *a = &r->attempts[k];
            a->number = k + 1;
            a->rank = r->rank;
            a->start = 1795694462.25 + (double)i * 0.01 + k;
            a->duration = 0.5;
            int passed = i % 7 != 6 && (k == na - 1);
            a->outcome = passed ? OUTCOME_PASSED : OUTCOME_FAILED;
            a->exit_code = passed ? 0 : 1;
        }
        r->status = result_status_from_attempts(r->attempts, na);
        char log[64];
        snprintf(log, sizeof log, "/logs/shard-%ld/attempt-%d.log", i + 1, na);
        r->log = strdup(log);
        ck_assert_ptr_nonnull(r->log);
        run->results[i] = r;
    }
    ck_assert_int_eq(summary_build(&run->sum, 2, rank_host, 4, run->results, n), 0);
    run->rep = (struct report){.run_id = "20261126-120102-abcd",
                               .schedule = "dynamic",
                               .total = n,
                               .started = 1795694462.25,
                               .duration = (double)n * 0.01 + 2,
                               .exit_status = 1,
                               .cluster = &cluster,
                               .summary = &run->sum,
                               .results = run->results};
    if (merge) {
        const char *src = getenv("DISTMPI_SRCDIR");
        static char path[4096];
        snprintf(path, sizeof path, "%s/tests/data/collected/pytest.xml", src && *src ? src : ".");
        run->file = (struct collected_file){.name = "results/pytest.xml", .path = path};
        run->collected = calloc((size_t)n, sizeof *run->collected);
        run->ncollected = calloc((size_t)n, sizeof *run->ncollected);
        ck_assert_ptr_nonnull(run->collected);
        ck_assert_ptr_nonnull(run->ncollected);
        for (long i = 0; i < n; i += 50) {
            run->collected[i] = &run->file;
            run->ncollected[i] = 1;
        }
    }
}

static void run_free(struct run *run)
{
    for (long i = 0; i < run->rep.total; i++)
        result_free(run->results[i]);
    free(run->results);
    free(run->collected);
    free(run->ncollected);
    summary_free(&run->sum);
}

/* The log tail of a shard that did not pass, in one buffer reused, as rank
 * 0 reads them: 4 KiB of text with characters to escape. */
static const char *read_tail(void *arg, long index)
{
    struct run *run = arg;
    const struct shard_result *r = run->results[index];
    if (!r || status_is_pass(r->status))
        return NULL;
    run->tails_read++;
    memset(run->tail, 'x', sizeof run->tail - 1);
    int n = snprintf(run->tail, sizeof run->tail, "shard %ld <failed> & \"quoted\"\n", index + 1);
    run->tail[n] = 'x';
    run->tail[sizeof run->tail - 2] = '\n';
    run->tail[sizeof run->tail - 1] = '\0';
    return run->tail;
}

static char dir[] = "/tmp/distmpi-stream.XXXXXX";

static void setup(void)
{
    strcpy(dir, "/tmp/distmpi-stream.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    rmdir(dir);
}

enum kind { JSON, JUNIT, HTML };

/* Write run's report of kind to a file in dir. Returns the writer's peak
 * of bytes live beyond what was live before it started, and the file's path
 * in path. */
static size_t write_report(struct run *run, enum kind kind, char *path, size_t len)
{
    static const char *const names[] = {"r.json", "r.xml", "r.html"};
    snprintf(path, len, "%s/%s", dir, names[kind]);
    struct junit_options jopt = {.read_tail = read_tail,
                                 .tail_arg = run,
                                 .collected = run->collected,
                                 .ncollected = run->ncollected};
    struct html_options hopt = {.read_tail = read_tail, .tail_arg = run};
    struct error err = {""};
    size_t before = peak_reset();
    int rc = kind == JSON    ? report_json_write(path, &run->rep, &err)
             : kind == JUNIT ? report_junit_write_opts(path, &run->rep, &jopt, &err)
                             : report_html_write(path, &run->rep, &hopt, &err);
    size_t used = peak - before;
    ck_assert_msg(rc == 0, "%s: %s", names[kind], err.text);
    return used;
}

/* ------------------------------------------------------------ reading back */

static double xp_number(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    ck_assert_ptr_nonnull(o);
    double v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return v;
}

static xmlDocPtr read_xml(const char *path)
{
    xmlDocPtr doc = xmlReadFile(
        path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    ck_assert_msg(doc != NULL, "%s is not well-formed XML", path);
    return doc;
}

static void check_junit(const char *path, const struct run *run)
{
    const char *src = getenv("DISTMPI_SRCDIR");
    char xsd[4096];
    snprintf(xsd, sizeof xsd, "%s/tests/data/junit-10.xsd", src && *src ? src : ".");
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
    ck_assert_ptr_nonnull(pc);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    ck_assert_msg(schema != NULL, "%s does not parse as a schema", xsd);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    ck_assert_ptr_nonnull(vc);
    ck_assert_msg(xmlSchemaValidateFile(vc, path, 0) == 0, "%s is not valid against %s", path, xsd);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlDocPtr doc = read_xml(path);
    long n = run->rep.total, merged = run->collected ? 6 * ((n + 49) / 50) : 0;
    ck_assert_int_eq((long)xp_number(doc, "count(/testsuites/testsuite)"), n);
    ck_assert_int_eq((long)xp_number(doc, "count(//testcase)"), n + merged);
    ck_assert_int_eq((long)xp_number(doc, "/testsuites/@tests"), n + merged);
    long failed = 0;
    for (long i = 0; i < n; i++)
        failed += run->results[i] && run->results[i]->status == STATUS_FAILED;
    /* a tail for each shard that failed (lost ones have no log) */
    ck_assert_int_eq(
        (long)xp_number(doc, "count(//testcase[@classname='distmpi.shard']/system-out)"), failed);
    xmlFreeDoc(doc);
}

static void check_html(const char *path, const struct run *run)
{
    xmlDocPtr doc = read_xml(path);
    long bars = 0, failures = 0;
    for (long i = 0; i < run->rep.total; i++) {
        const struct shard_result *r = run->results[i];
        bars += r ? r->nattempts : 0;
        failures += !r || !status_is_pass(r->status);
    }
    ck_assert_int_eq((long)xp_number(doc, "count(//span[contains(@class, 'bar ')])"), bars);
    ck_assert_int_eq((long)xp_number(doc, "count(//article[contains(@class, 'failure')])"),
                     failures);
    ck_assert_int_eq((long)xp_number(doc, "count(//pre[@class='tail'])"),
                     failures - run->rep.total / 13);
    xmlFreeDoc(doc);
}

static void check_json(const char *path, const struct run *run)
{
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    ck_assert_msg(root != NULL, "%s: line %d: %s", path, e.line, e.text);
    json_t *shards = json_object_get(root, "shards");
    ck_assert_int_eq((long)json_array_size(shards), run->rep.total);
    for (size_t i = 0; i < json_array_size(shards); i++)
        unit_require_eq(json_integer_value(json_object_get(json_array_get(shards, i), "shard")),
                        (long long)i + 1);
    json_decref(root);
    /* and python3's reading of it, where there is one */
    if (system("command -v python3 >/dev/null 2>&1") == 0) {
        char cmd[8192];
        snprintf(cmd, sizeof cmd,
                 "python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); "
                 "sys.exit(0 if [s[\"shard\"] for s in d[\"shards\"]] == "
                 "list(range(1, %ld)) else 1)' '%s'",
                 run->rep.total + 1, path);
        ck_assert_msg(system(cmd) == 0, "python3 does not read %s as the report", path);
    }
}

/* ------------------------------------------------------------ tests */

/* Slack for what the writers hold whatever the number of shards (libxml2's
 * and stdio's buffers, a shard's tree, a tail's cleaned copy) to vary by. */
#define SLACK (16 * 1024)

/* Each report of 2,000 and of 20,000 shards is whole, and the writer's
 * peak is the same within SLACK: nothing is kept by the shard. */
static void same_memory(enum kind kind)
{
    size_t used[2];
    long sizes[2] = {2000, 20000};
    for (int s = 0; s < 2; s++) {
        struct run run;
        run_init(&run, sizes[s], 0);
        char path[4096 + 16];
        used[s] = write_report(&run, kind, path, sizeof path);
        if (kind == JSON)
            check_json(path, &run);
        else if (kind == JUNIT)
            check_junit(path, &run);
        else
            check_html(path, &run);
        if (kind != JSON)
            ck_assert_int_gt(run.tails_read, 0);
        unlink(path);
        run_free(&run);
    }
    if (getenv("STREAM_DEBUG"))
        fprintf(stderr, "kind %d: %zu bytes at %ld shards, %zu at %ld\n", (int)kind, used[0],
                sizes[0], used[1], sizes[1]);
    if (!COUNTING)
        return;
    ck_assert_msg(used[0] > 0, "nothing counted: the allocator was not replaced");
    ck_assert_msg(used[1] <= used[0] + SLACK,
                  "the writer's peak grew from %zu bytes at %ld shards to %zu at %ld", used[0],
                  sizes[0], used[1], sizes[1]);
}

START_TEST(json_is_a_stream)
{
    same_memory(JSON);
}
END_TEST

START_TEST(junit_is_a_stream)
{
    same_memory(JUNIT);
}
END_TEST

START_TEST(html_is_a_stream)
{
    same_memory(HTML);
}
END_TEST

/* Merging collected files, the JUnit writer keeps what each shard's files
 * add to its counters (16 bytes a shard) and one file at a time: 10 times
 * the shards (and the files) cost at most those 16 bytes a shard more. */
START_TEST(junit_merge_is_a_stream)
{
    size_t used[2];
    long sizes[2] = {1000, 10000};
    for (int s = 0; s < 2; s++) {
        struct run run;
        run_init(&run, sizes[s], 1);
        char path[4096 + 16];
        used[s] = write_report(&run, JUNIT, path, sizeof path);
        check_junit(path, &run);
        unlink(path);
        run_free(&run);
    }
    if (!COUNTING)
        return;
    size_t allowed = used[0] + (size_t)(sizes[1] - sizes[0]) * 16 + SLACK;
    ck_assert_msg(used[1] <= allowed,
                  "the writer's peak grew from %zu bytes at %ld shards to %zu at %ld", used[0],
                  sizes[0], used[1], sizes[1]);
}
END_TEST

/* The counting itself works: a test that could not fail would prove
 * nothing. */
START_TEST(counting_counts)
{
    if (!COUNTING)
        return;
    size_t before = peak_reset();
    char *p = malloc(100000);
    ck_assert_ptr_nonnull(p);
    p[0] = 1;
    ck_assert_uint_ge(live - before, 100000);
    free(p);
    ck_assert_uint_ge(peak - before, 100000);
    ck_assert_uint_lt(live - before, 100000);
}
END_TEST

static Suite *stream_suite(void)
{
    Suite *s = suite_create("report_stream");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, counting_counts);
    tcase_add_test(tc, json_is_a_stream);
    tcase_add_test(tc, junit_is_a_stream);
    tcase_add_test(tc, html_is_a_stream);
    tcase_add_test(tc, junit_merge_is_a_stream);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = unit_run(stream_suite());
    xmlCleanupParser();
    return rc;
}
