/* SPDX-License-Identifier: BSD-3-Clause */
/* test_junit.c - unit tests of the JUnit XML report (report_junit.h): every
 * report is written to a file, validated against the schema Jenkins' xunit
 * plugin checks (tests/data/junit-10.xsd) and read back with XPath. */
#include "config.h"

#include "report/report_junit.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <math.h>
#include <regex.h>
#include <sys/stat.h>

#include "unit.h"

/* ------------------------------------------------------------ fixtures */

static char host0[] = "node1";
static char host1[] = "node2";
static struct host hosts[2];
static int rank_host[4] = {0, 0, 1, 1};
static int rank_slot[4] = {0, 1, 0, 1};
static struct cluster cluster;

#define MAX_SHARDS 16

/* A report under construction: its results are freed by done(). */
struct fixture {
    struct report rep;
    struct shard_result *results[MAX_SHARDS];
    const char *tails[MAX_SHARDS];
    struct junit_options opt;
};

static void setup(void)
{
    memset(hosts, 0, sizeof hosts);
    hosts[0].name = host0;
    hosts[0].nranks = 2;
    hosts[1].name = host1;
    hosts[1].nranks = 2;
    hosts[1].leader = 2;
    cluster = (struct cluster){
        .nranks = 4, .nhosts = 2, .rank_host = rank_host, .rank_slot = rank_slot, .hosts = hosts};
}

static void init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->rep.run_id = "20261126-120102-abcd";
    f->rep.schedule = "dynamic";
    f->rep.started = 1795694462.25; /* 2026-11-26T12:01:02.250Z */
    f->rep.duration = 12.5;
    f->rep.cluster = &cluster;
    f->rep.results = f->results;
}

/* Append a shard that ran on rank with these attempt outcomes (exit codes
 * 1 for failures, signals 9 for timeouts and 11 for crashes), each 1.5 s. */
static struct shard_result *add_shard(struct fixture *f, int rank, const int *outcomes, int n)
{
    ck_assert_int_lt(f->rep.total, MAX_SHARDS);
    struct shard_result *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->index = f->rep.total;
    r->rank = rank;
    r->slot = rank >= 0 ? rank_slot[rank] : -1;
    r->nattempts = n;
    r->attempts = calloc((size_t)n + 1, sizeof *r->attempts);
    ck_assert_ptr_nonnull(r->attempts);
    for (int k = 0; k < n; k++) {
        struct attempt *a = &r->attempts[k];
        a->number = k + 1;
        a->rank = rank;
        a->outcome = outcomes[k];
        a->start = f->rep.started + 2.0 * k;
        a->duration = 1.5;
        a->exit_code = -1;
        switch (outcomes[k]) {
        case OUTCOME_PASSED:
            a->exit_code = 0;
            break;
        case OUTCOME_FAILED:
            a->exit_code = 1;
            break;
        case OUTCOME_TIMEOUT:
            a->signal = 9;
            break;
        case OUTCOME_CRASHED:
            a->signal = 11;
            break;
        default:
            break;
        }
    }
    r->status = result_status_from_attempts(r->attempts, n);
    f->results[f->rep.total++] = r;
    return r;
}

/* Append a shard without a result: NULL (lost) or result_new_missing. */
static void add_missing(struct fixture *f, int status, int as_null)
{
    ck_assert_int_lt(f->rep.total, MAX_SHARDS);
    f->results[f->rep.total] = as_null ? NULL : result_new_missing(f->rep.total, status);
    f->rep.total++;
}

static void done(struct fixture *f)
{
    for (long i = 0; i < f->rep.total; i++)
        result_free(f->results[i]);
}

/* ------------------------------------------------------------ schema */

static char schema_errors[2048];

static void collect_error(void *ctx, const xmlError *e)
{
    (void)ctx;
    size_t used = strlen(schema_errors);
    if (used + 1 < sizeof schema_errors)
        snprintf(schema_errors + used, sizeof schema_errors - used, "line %d: %s", e->line,
                 e->message ? e->message : "?");
}

/* The schema from the source tree ($DISTMPI_SRCDIR/tests/data/junit-10.xsd,
 * or ./tests/data/junit-10.xsd). Fails the test when it is not there. */
static xmlSchemaPtr load_schema(void)
{
    const char *src = getenv("DISTMPI_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/junit-10.xsd", src && *src ? src : ".");
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0,
                  "the JUnit schema %s is missing (%s); set DISTMPI_SRCDIR to the source tree",
                  path, strerror(errno));
    schema_errors[0] = '\0';
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    ck_assert_ptr_nonnull(pc);
    xmlSchemaSetParserStructuredErrors(pc, (xmlStructuredErrorFunc)collect_error, NULL);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    ck_assert_msg(schema != NULL, "%s does not parse as a schema: %s", path, schema_errors);
    return schema;
}

/* Write f's report to a temporary file, parse it back (failing on any error
 * or warning), remove the file and validate the document. */
static xmlDocPtr write_valid(struct fixture *f)
{
    xmlSchemaPtr schema = load_schema();
    char path[4096];
    unit_write_temp("", 0, path);
    struct error err = {""};
    int rc = report_junit_write_opts(path, &f->rep, &f->opt, &err);
    xmlDocPtr doc =
        rc == 0 ? xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                : NULL;
    unlink(path);
    ck_assert_msg(rc == 0, "report_junit_write: %s", err.text);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        ck_abort_msg("the report is not well-formed XML: %s", e && e->message ? e->message : "?");
    }
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    ck_assert_ptr_nonnull(vc);
    schema_errors[0] = '\0';
    xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)collect_error, NULL);
    rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    ck_assert_msg(rc == 0, "the report does not validate against junit-10.xsd (%d): %s", rc,
                  schema_errors);
    return doc;
}

/* ------------------------------------------------------------ XPath */

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(o != NULL, "bad XPath %s", expr);
    return o;
}

static double xp_number(xmlDocPtr doc, const char *expr)
{
    xmlXPathObjectPtr o = eval(doc, expr);
    double v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return v;
}

#define xp_count_eq(doc, expr, want)                                                  \
    do {                                                                              \
        double got_ = xp_number((doc), "count(" expr ")");                            \
        ck_assert_msg(got_ == (double)(want), "count(%s) is %g, want %d", expr, got_, \
                      (int)(want));                                                   \
    } while (0)

/* The string value of expr, in a static buffer. */
static const char *xp_string(xmlDocPtr doc, const char *expr)
{
    static char buf[8192];
    xmlXPathObjectPtr o = eval(doc, expr);
    xmlChar *s = xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    ck_assert_ptr_nonnull(s);
    snprintf(buf, sizeof buf, "%s", (const char *)s);
    xmlFree(s);
    return buf;
}

#define xp_string_eq(doc, expr, want)                                                        \
    do {                                                                                     \
        const char *got_ = xp_string((doc), (expr));                                         \
        ck_assert_msg(!strcmp(got_, (want)), "%s is '%s', want '%s'", (expr), got_, (want)); \
    } while (0)

static int matches(const char *s, const char *pattern)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* ------------------------------------------------------------ tests */

START_TEST(all_passed)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_shard(&f, 3, (int[]){OUTCOME_PASSED}, 1);
    xmlDocPtr doc = write_valid(&f);

    xp_string_eq(doc, "name(/*)", "testsuites");
    xp_string_eq(doc, "/testsuites/@name", "distmpi");
    xp_string_eq(doc, "/testsuites/@tests", "2");
    xp_string_eq(doc, "/testsuites/@failures", "0");
    xp_string_eq(doc, "/testsuites/@errors", "0");
    xp_string_eq(doc, "/testsuites/@time", "12.500");
    xp_count_eq(doc, "/testsuites/testsuite", 2);

    xp_string_eq(doc, "/testsuites/testsuite[1]/@name", "shard-1");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@id", "0");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@tests", "1");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@failures", "0");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@errors", "0");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@skipped", "0");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@time", "1.500");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@hostname", "node1");
    xp_string_eq(doc, "/testsuites/testsuite[1]/@timestamp", "2026-11-26T12:01:02");
    const char *ts = xp_string(doc, "/testsuites/testsuite[2]/@timestamp");
    ck_assert_msg(matches(ts, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"),
                  "timestamp '%s'", ts);

    xp_string_eq(doc, "/testsuites/testsuite[2]/@name", "shard-2");
    xp_string_eq(doc, "/testsuites/testsuite[2]/@hostname", "node2");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='host']/@value", "node2");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='rank']/@value", "3");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='slot']/@value", "1");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='attempts']/@value", "1");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='status']/@value",
                 "passed");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='run_id']/@value",
                 "20261126-120102-abcd");
    xp_count_eq(doc, "//property[@name='flaky']", 0);

    xp_count_eq(doc, "//testcase", 2);
    xp_string_eq(doc, "/testsuites/testsuite[1]/testcase/@name", "shard 1");
    xp_string_eq(doc, "/testsuites/testsuite[1]/testcase/@classname", "distmpi.shard");
    xp_string_eq(doc, "/testsuites/testsuite[1]/testcase/@time", "1.500");
    xp_count_eq(doc, "//testcase/*", 0); /* a pass is an empty testcase */
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(failed_after_retries)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    struct shard_result *r =
        add_shard(&f, 2, (int[]){OUTCOME_FAILED, OUTCOME_FAILED, OUTCOME_FAILED}, 3);
    r->log = strdup("/tmp/run/shard-2.log");
    xmlDocPtr doc = write_valid(&f);

    xp_string_eq(doc, "/testsuites/@tests", "2");
    xp_string_eq(doc, "/testsuites/@failures", "1");
    xp_string_eq(doc, "/testsuites/@errors", "0");
    xp_string_eq(doc, "/testsuites/testsuite[2]/@failures", "1");
    xp_string_eq(doc, "/testsuites/testsuite[2]/@errors", "0");
    xp_string_eq(doc, "/testsuites/testsuite[2]/@time", "4.500"); /* busy: 3 x 1.5 s */
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='attempts']/@value", "3");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='exit_code']/@value",
                 "1");
    xp_string_eq(doc, "/testsuites/testsuite[2]/properties/property[@name='log']/@value",
                 "/tmp/run/shard-2.log");
    xp_count_eq(doc, "/testsuites/testsuite[2]/testcase/failure", 1);
    xp_count_eq(doc, "//error", 0);
    xp_string_eq(doc, "//failure/@message", "exit 1 after 3 attempts");
    xp_string_eq(doc, "//failure/@type", "failed");
    const char *text = xp_string(doc, "//failure");
    unit_assert_prefix(text, "shard 2 failed: exit 1 after 3 attempts\n");
    unit_assert_contains(text, "host node2, rank 2, slot 0\n");
    unit_assert_contains(text, "attempt 3 of 3: failed (exit 1), 1.500s, started 2026-11-26T");
    unit_assert_contains(text, "log: /tmp/run/shard-2.log on node2\n");
    /* the earlier attempts, as Surefire reports reruns */
    xp_count_eq(doc, "//testcase/rerunFailure", 2);
    xp_string_eq(doc, "//testcase/rerunFailure[1]/@message", "exit 1 (attempt 1 of 3)");
    xp_string_eq(doc, "//testcase/rerunFailure[1]/@type", "failed");
    xp_count_eq(doc, "//flakyFailure", 0);
    xp_count_eq(doc, "//system-out", 0); /* no log tail given */
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(flaky)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 1, (int[]){OUTCOME_FAILED, OUTCOME_TIMEOUT, OUTCOME_EXEC_ERROR, OUTCOME_PASSED},
              4);
    ck_assert_int_eq(f.results[0]->status, STATUS_FLAKY);
    xmlDocPtr doc = write_valid(&f);

    xp_string_eq(doc, "/testsuites/@failures", "0");
    xp_string_eq(doc, "/testsuites/@errors", "0");
    xp_string_eq(doc, "//testsuite/@failures", "0");
    xp_string_eq(doc, "//testsuite/@errors", "0");
    xp_count_eq(doc, "//failure", 0);
    xp_count_eq(doc, "//error", 0);
    xp_string_eq(doc, "//property[@name='status']/@value", "flaky");
    xp_string_eq(doc, "//property[@name='flaky']/@value", "true");
    xp_string_eq(doc, "//property[@name='attempts']/@value", "4");
    /* one flakyFailure per failed attempt, flakyError for the one that could
     * not start */
    xp_count_eq(doc, "//testcase/flakyFailure", 2);
    xp_count_eq(doc, "//testcase/flakyError", 1);
    xp_string_eq(doc, "//testcase/flakyFailure[1]/@type", "failed");
    xp_string_eq(doc, "//testcase/flakyFailure[1]/@message", "exit 1 (attempt 1 of 4)");
    xp_string_eq(doc, "//testcase/flakyFailure[2]/@type", "timeout");
    xp_string_eq(doc, "//testcase/flakyFailure[2]/@message",
                 "timeout after 1.50s (killed by signal 9) (attempt 2 of 4)");
    xp_string_eq(doc, "//testcase/flakyError/@type", "exec_error");
    unit_assert_prefix(xp_string(doc, "//testcase/flakyFailure[1]"),
                       "attempt 1 of 4: failed (exit 1), 1.500s, started ");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

/* --speculate: a shard whose other copy was ended is one passed testcase,
 * with no failure, rerun or flaky element for that copy, and a property
 * naming it, its host and its log. */
START_TEST(superseded_copy)
{
    struct fixture f;
    init(&f);
    struct shard_result *r = add_shard(&f, 1, (int[]){OUTCOME_PASSED}, 1);
    r->attempts[0].number = 4;
    struct attempt ended = {.outcome = OUTCOME_SUPERSEDED,
                            .exit_code = -1,
                            .start = f.rep.started,
                            .duration = 2.25,
                            .number = 1,
                            .rank = 2};
    ck_assert_int_eq(result_add_superseded(r, &ended, "/logs/shard-1/attempt-1.log"), 0);
    xmlDocPtr doc = write_valid(&f);
    xp_count_eq(doc, "//testsuite", 1);
    xp_count_eq(doc, "//testcase", 1);
    xp_string_eq(doc, "/testsuites/@failures", "0");
    xp_string_eq(doc, "/testsuites/@errors", "0");
    xp_count_eq(doc, "//failure|//error|//flakyFailure|//flakyError|//rerunFailure", 0);
    xp_string_eq(doc, "//property[@name='status']/@value", "passed");
    xp_string_eq(doc, "//property[@name='attempts']/@value", "1");
    xp_count_eq(doc, "//property[@name='flaky']", 0);
    xp_string_eq(doc, "//property[@name='superseded']/@value",
                 "attempt 1: superseded (ended: another copy counted first), 2.250s, started "
                 "2026-11-26T12:01:02.250Z on node2, log /logs/shard-1/attempt-1.log");
    xp_string_eq(doc, "//testsuite/@time", "1.500"); /* its busy time: the copy that counted */
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(timeout)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_TIMEOUT}, 1);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@failures", "1");
    xp_string_eq(doc, "//failure/@type", "timeout");
    xp_string_eq(doc, "//failure/@message",
                 "timeout after 1.50s (killed by signal 9) after 1 attempt");
    xp_string_eq(doc, "//property[@name='signal']/@value", "9");
    xp_count_eq(doc, "//property[@name='exit_code']", 0);
    xp_count_eq(doc, "//rerunFailure", 0);
    unit_assert_prefix(xp_string(doc, "//failure"), "shard 1 timed out: ");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(crashed)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_TIMEOUT, OUTCOME_CRASHED}, 2);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@failures", "1");
    xp_string_eq(doc, "/testsuites/@errors", "0");
    xp_string_eq(doc, "//failure/@type", "crashed");
    xp_string_eq(doc, "//failure/@message", "crashed (signal 11) after 2 attempts");
    xp_string_eq(doc, "//property[@name='signal']/@value", "11");
    xp_count_eq(doc, "//rerunFailure", 1);
    xp_string_eq(doc, "//rerunFailure/@type", "timeout");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(exec_error)
{
    struct fixture f;
    init(&f);
    struct shard_result *r = add_shard(&f, 3, (int[]){OUTCOME_EXEC_ERROR}, 1);
    r->error = strdup("./run-tests: No such file or directory");
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@failures", "0");
    xp_string_eq(doc, "/testsuites/@errors", "1");
    xp_string_eq(doc, "//testsuite/@errors", "1");
    xp_string_eq(doc, "//testsuite/@failures", "0");
    xp_count_eq(doc, "//failure", 0);
    xp_count_eq(doc, "//testcase/error", 1);
    xp_string_eq(doc, "//error/@type", "exec_error");
    xp_string_eq(doc, "//error/@message",
                 "could not start after 1 attempt: ./run-tests: No such file or directory");
    xp_string_eq(doc, "//property[@name='error']/@value", "./run-tests: No such file or directory");
    unit_assert_contains(xp_string(doc, "//error"),
                         "error: ./run-tests: No such file or directory\n");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(lost)
{
    struct fixture f;
    init(&f);
    add_missing(&f, STATUS_LOST, 1);
    add_missing(&f, STATUS_LOST, 0);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@tests", "2");
    xp_string_eq(doc, "/testsuites/@errors", "2");
    xp_count_eq(doc, "//testsuite/testcase/error[@type='lost']", 2);
    xp_string_eq(doc, "//testsuite[1]/testcase/error/@message",
                 "the shard never reported a result");
    /* nothing known about where or when it ran */
    xp_count_eq(doc, "//testsuite/@hostname", 0);
    xp_count_eq(doc, "//testsuite/@timestamp", 0);
    xp_count_eq(doc, "//property[@name='host']", 0);
    xp_count_eq(doc, "//property[@name='rank']", 0);
    xp_string_eq(doc, "//testsuite[2]/properties/property[@name='attempts']/@value", "0");
    xp_string_eq(doc, "//testsuite[2]/properties/property[@name='status']/@value", "lost");
    xp_string_eq(doc, "//testsuite[1]/@time", "0.000");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(interrupted)
{
    struct fixture f;
    init(&f);
    add_missing(&f, STATUS_INTERRUPTED, 0);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@errors", "1");
    xp_string_eq(doc, "//error/@type", "interrupted");
    xp_string_eq(doc, "//error/@message", "interrupted before the shard finished");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(mixed_totals)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_shard(&f, 1, (int[]){OUTCOME_FAILED, OUTCOME_PASSED}, 2);
    add_shard(&f, 2, (int[]){OUTCOME_FAILED}, 1);
    add_shard(&f, 3, (int[]){OUTCOME_TIMEOUT}, 1);
    add_shard(&f, 0, (int[]){OUTCOME_CRASHED}, 1);
    add_shard(&f, 1, (int[]){OUTCOME_EXEC_ERROR}, 1);
    add_missing(&f, STATUS_LOST, 1);
    add_missing(&f, STATUS_INTERRUPTED, 0);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@tests", "8");
    xp_string_eq(doc, "/testsuites/@failures", "3");
    xp_string_eq(doc, "/testsuites/@errors", "3");
    ck_assert(xp_number(doc, "sum(//testsuite/@tests)") == 8);
    ck_assert(xp_number(doc, "sum(//testsuite/@failures)") == 3);
    ck_assert(xp_number(doc, "sum(//testsuite/@errors)") == 3);
    xp_count_eq(doc, "//testcase/failure", 3);
    xp_count_eq(doc, "//testcase/error", 3);
    xp_count_eq(doc, "//testcase/flakyFailure", 1);
    for (int i = 1; i <= 8; i++) {
        char expr[128], want[32];
        snprintf(expr, sizeof expr, "/testsuites/testsuite[%d]/@name", i);
        snprintf(want, sizeof want, "shard-%d", i);
        xp_string_eq(doc, expr, want);
    }
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(empty_run)
{
    struct fixture f;
    init(&f);
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@tests", "0");
    xp_count_eq(doc, "//testsuite", 0);
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(log_tails)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_shard(&f, 1, (int[]){OUTCOME_FAILED}, 1);
    add_shard(&f, 2, (int[]){OUTCOME_FAILED}, 1);
    f.tails[0] = "all good\n";
    f.tails[1] = "FAIL: test_foo\nexpected 1, got 2";
    f.tails[2] = NULL; /* none for this one */
    f.opt.log_tails = f.tails;
    f.opt.name = "nightly";
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@name", "nightly");
    /* a pass: only system-out */
    xp_count_eq(doc, "//testsuite[1]/testcase/*", 1);
    xp_string_eq(doc, "//testsuite[1]/testcase/system-out", "all good\n");
    /* a failure: in the failure text and in system-out */
    xp_string_eq(doc, "//testsuite[2]/testcase/system-out", "FAIL: test_foo\nexpected 1, got 2");
    const char *text = xp_string(doc, "//testsuite[2]/testcase/failure");
    unit_assert_contains(text, "\n--- log tail ---\nFAIL: test_foo\nexpected 1, got 2\n");
    xp_count_eq(doc, "//testsuite[3]/testcase/system-out", 0);
    ck_assert_ptr_null(strstr(xp_string(doc, "//testsuite[3]/testcase/failure"), "log tail"));
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

/* What the cleaner must make of nasty bytes, in one string. */
static const char nasty[] =
    "ctl:\x01\x02\x07\x08\x0b\x0c\x1b[31m\x1f\x7f"
    " ws:\t\n\r"
    " cdata:]]> <![CDATA[x]]>"
    " esc:<&>\"' &amp; &#0;"
    " bad:\xff\xfe\xc3("
    " overlong:\xc0\xaf\xe0\x80\xaf"
    " surrogate:\xed\xa0\x80"
    " nonchar:\xef\xbf\xbe\xef\xbf\xbf"
    " big:\xf4\x90\x80\x80"
    " cut:\xe2\x82"
    " ok:\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xc2\x85";

#define R "\xef\xbf\xbd" /* U+FFFD */
static const char nasty_clean[] =
    "ctl:" R R R R R R R "[31m" R
    "\x7f"
    " ws:\t\n\r"
    " cdata:]]> <![CDATA[x]]>"
    " esc:<&>\"' &amp; &#0;"
    " bad:" R R R
    "("
    " overlong:" R R R R R " surrogate:" R R R " nonchar:" R R R R R R " big:" R R R R " cut:" R R
    " ok:\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xc2\x85";

START_TEST(clean_text_cases)
{
    char *c = junit_clean_text(nasty);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c, nasty_clean);
    free(c);
    c = junit_clean_text(NULL);
    ck_assert_str_eq(c, "");
    free(c);
    /* every single byte */
    for (int b = 1; b < 256; b++) {
        char in[2] = {(char)b, 0};
        c = junit_clean_text(in);
        ck_assert_ptr_nonnull(c);
        int keep = b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b < 0x80);
        if (keep)
            ck_assert_msg(!strcmp(c, in), "byte %#x changed", b);
        else
            ck_assert_msg(!strcmp(c, R), "byte %#x became '%s'", b, c);
        free(c);
    }
}
END_TEST

/* Random bytes always come out as valid UTF-8 of XML characters, and
 * cleaning is idempotent. */
START_TEST(clean_text_random)
{
    unsigned long long st = 0x5eed1234abcdULL;
    char in[64];
    for (int round = 0; round < 20000; round++) {
        int n = (int)unit_rand_range(&st, 0, (long)sizeof in - 1);
        for (int i = 0; i < n; i++) {
            /* favour the bytes UTF-8 sequences are made of */
            long v = unit_rand_range(&st, 0, 3);
            in[i] =
                (char)(v == 0 ? unit_rand_range(&st, 1, 0x7f) : unit_rand_range(&st, 0x80, 0xff));
        }
        in[n] = '\0';
        char *c = junit_clean_text(in);
        unit_require(c != NULL, "out of memory");
        int len = (int)strlen(c);
        unit_require(xmlCheckUTF8(BAD_CAST c), "round %d: invalid UTF-8 out", round);
        const unsigned char *p = (const unsigned char *)c;
        for (int i = 0; i < len;) {
            int l = len - i;
            int ch = xmlGetUTF8Char(p + i, &l);
            unit_require(ch >= 0 && l > 0, "round %d: undecodable at %d", round, i);
            int ok = ch == 0x9 || ch == 0xA || ch == 0xD || (ch >= 0x20 && ch <= 0xD7FF) ||
                     (ch >= 0xE000 && ch <= 0xFFFD) || (ch >= 0x10000 && ch <= 0x10FFFF);
            unit_require(ok, "round %d: character %#x is not an XML character", round, ch);
            i += l;
        }
        char *again = junit_clean_text(c);
        unit_require(again && !strcmp(again, c), "round %d: not idempotent", round);
        free(again);
        free(c);
    }
}
END_TEST

START_TEST(nasty_text)
{
    char nasty_host[] = "h\x01st<&>\"'\xff]]>";
    struct host saved = hosts[1];
    hosts[1].name = nasty_host;
    struct fixture f;
    init(&f);
    f.rep.run_id = nasty;
    struct shard_result *r = add_shard(&f, 2, (int[]){OUTCOME_FAILED}, 1);
    r->error = strdup(nasty);
    r->log = strdup(nasty);
    r = add_shard(&f, 3, (int[]){OUTCOME_EXEC_ERROR}, 1);
    r->error = strdup(nasty);
    add_shard(&f, 2, (int[]){OUTCOME_CRASHED, OUTCOME_PASSED}, 2);
    f.tails[0] = nasty;
    f.tails[1] = nasty;
    f.tails[2] = nasty;
    f.opt.log_tails = f.tails;
    f.opt.name = nasty;
    xmlDocPtr doc = write_valid(&f);
    hosts[1] = saved;

    /* what comes back is exactly the cleaned text, in attributes and text */
    xp_string_eq(doc, "/testsuites/@name", nasty_clean);
    xp_string_eq(doc, "//testsuite[1]/@hostname", "h" R "st<&>\"'" R "]]>");
    xp_string_eq(doc, "//testsuite[1]/properties/property[@name='run_id']/@value", nasty_clean);
    xp_string_eq(doc, "//testsuite[1]/properties/property[@name='error']/@value", nasty_clean);
    xp_string_eq(doc, "//testsuite[1]/properties/property[@name='log']/@value", nasty_clean);
    xp_string_eq(doc, "//testsuite[1]/testcase/system-out", nasty_clean);
    xp_string_eq(doc, "//testsuite[2]/testcase/system-out", nasty_clean);
    xp_string_eq(doc, "//testsuite[3]/testcase/system-out", nasty_clean);
    unit_assert_contains(xp_string(doc, "//testsuite[1]/testcase/failure"), nasty_clean);
    xp_string_eq(doc, "//testsuite[2]/testcase/error/@message",
                 "could not start after 1 attempt: "
                 "ctl:" R R R R R R R "[31m" R
                 "\x7f"
                 " ws:\t\n\r"
                 " cdata:]]> <![CDATA[x]]>"
                 " esc:<&>\"' &amp; &#0;"
                 " bad:" R R R
                 "("
                 " overlong:" R R R R R " surrogate:" R R R " nonchar:" R R R R R R " big:" R R R R
                 " cut:" R R " ok:\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xc2\x85");
    xp_count_eq(doc, "//testsuite[3]/testcase/flakyFailure", 1);
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

/* A shard moved off a lost host numbers its attempts after the ones the
 * copy left there might use: the reports name them by number. */
START_TEST(moved_attempt_numbers)
{
    struct fixture f;
    init(&f);
    struct shard_result *r = add_shard(&f, 1, (int[]){OUTCOME_FAILED, OUTCOME_PASSED}, 2);
    r->attempts[0].number = 4;
    r->attempts[1].number = 5;
    r = add_shard(&f, 2, (int[]){OUTCOME_FAILED}, 1);
    r->attempts[0].number = 7;
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "//testsuite[1]/testcase/flakyFailure/@message",
                 "exit 1 (attempt 4 (1 of 2))");
    unit_assert_contains(xp_string(doc, "//testsuite[2]/testcase/failure"),
                         "attempt 7 (1 of 1): failed (exit 1)");
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

/* The file holds no CDATA, no raw control characters, and is UTF-8. */
START_TEST(nasty_text_bytes)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_FAILED}, 1);
    f.tails[0] = nasty;
    f.opt.log_tails = f.tails;
    size_t len = 0;
    char *xml = report_junit_build(&f.rep, &f.opt, &len);
    ck_assert_ptr_nonnull(xml);
    ck_assert_uint_eq(strlen(xml), len);
    unit_assert_prefix(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    ck_assert_ptr_null(strstr(xml, "<![CDATA["));
    ck_assert_ptr_null(strstr(xml, "]]>"));
    ck_assert(xmlCheckUTF8(BAD_CAST xml));
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)xml[i];
        ck_assert_msg(b >= 0x20 || b == '\t' || b == '\n', "raw byte %#x at %zu", b, i);
    }
    unit_assert_contains(xml, "esc:&lt;&amp;&gt;\"' &amp;amp; &amp;#0;");
    unit_assert_contains(xml, " ws:\t\n&#13;");
    free(xml);
    done(&f);
}
END_TEST

/* The file is what report_junit_build returns, and replaces an old one. */
START_TEST(write_matches_build)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_shard(&f, 1, (int[]){OUTCOME_FAILED, OUTCOME_PASSED}, 2);
    add_missing(&f, STATUS_LOST, 1);
    char path[4096];
    const char old[] = "old contents";
    unit_write_temp(old, sizeof old - 1, path);
    struct error err = {""};
    ck_assert_int_eq(report_junit_write(path, &f.rep, &err), 0);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    static char file[65536];
    size_t n = fread(file, 1, sizeof file - 1, fp);
    fclose(fp);
    file[n] = '\0';
    unlink(path);
    size_t len;
    char *mem = report_junit_build(&f.rep, NULL, &len);
    ck_assert_ptr_nonnull(mem);
    ck_assert_uint_eq(n, len);
    ck_assert_str_eq(file, mem);
    free(mem);
    done(&f);
}
END_TEST

START_TEST(odd_numbers)
{
    struct fixture f;
    init(&f);
    f.rep.duration = NAN;
    struct shard_result *r = add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    r->attempts[0].duration = -3;
    r = add_shard(&f, 1, (int[]){OUTCOME_TIMEOUT}, 1);
    r->attempts[0].duration = INFINITY;
    r = add_shard(&f, 2, (int[]){OUTCOME_PASSED}, 1);
    r->attempts[0].duration = 123456.789;
    r->rank = 17; /* not a rank of the cluster: no host */
    f.rep.cluster = &cluster;
    xmlDocPtr doc = write_valid(&f);
    xp_string_eq(doc, "/testsuites/@time", "0.000");
    xp_string_eq(doc, "//testsuite[3]/@time", "123456.789");
    xp_count_eq(doc, "//testsuite[3]/@hostname", 0);
    xmlFreeDoc(doc);
    done(&f);
}
END_TEST

START_TEST(write_error)
{
    struct fixture f;
    init(&f);
    add_shard(&f, 0, (int[]){OUTCOME_PASSED}, 1);
    struct error err = {""};
    const char *path = "/nonexistent-distmpi-dir/report.xml";
    ck_assert_int_eq(report_junit_write(path, &f.rep, &err), -1);
    unit_assert_prefix(err.text, "/nonexistent-distmpi-dir/report.xml: ");
    unit_assert_contains(err.text, "No such file or directory");
    done(&f);
}
END_TEST

static Suite *junit_suite(void)
{
    Suite *s = suite_create("junit");
    TCase *tc = tcase_create("shapes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, all_passed);
    tcase_add_test(tc, failed_after_retries);
    tcase_add_test(tc, flaky);
    tcase_add_test(tc, superseded_copy);
    tcase_add_test(tc, timeout);
    tcase_add_test(tc, crashed);
    tcase_add_test(tc, exec_error);
    tcase_add_test(tc, lost);
    tcase_add_test(tc, interrupted);
    tcase_add_test(tc, mixed_totals);
    tcase_add_test(tc, empty_run);
    tcase_add_test(tc, log_tails);
    tcase_add_test(tc, odd_numbers);
    tcase_add_test(tc, moved_attempt_numbers);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, clean_text_cases);
    tcase_add_test(tc, clean_text_random);
    tcase_add_test(tc, nasty_text);
    tcase_add_test(tc, nasty_text_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, write_matches_build);
    tcase_add_test(tc, write_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    xmlInitParser();
    int rc = unit_run(junit_suite());
    xmlCleanupParser();
    return rc;
}
