/* SPDX-License-Identifier: BSD-3-Clause */
/* test_html.c - unit tests of the HTML report (report_html.h): reports built
 * from hand-made results are parsed strictly as XML (the report promises it
 * is well-formed) and with libxml2's HTML parser (as a browser reads it), and
 * read back with XPath: counts, attempt bars, failures, escaping, and that
 * nothing refers outside the file. */
#include "config.h"

#include "report/report_html.h"

#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <strings.h>
#include <sys/stat.h>

#include "unit.h"

/* ------------------------------------------------------------ fixtures */

static char host0[] = "node1";
static char host1[] = "node2";
static struct host hosts[2];
static int rank_host[4] = {0, 0, 1, 1};
static int rank_slot[4] = {0, 1, 0, 1};
static struct cluster cluster;
static char *command[] = {"sh", "-c", "run tests --shard={shard}/{total}"};

#define MAX_SHARDS 6000

/* A report under construction: its results and summary are freed by done(). */
struct fixture {
    struct report rep;
    struct summary sum;
    struct shard_result *results[MAX_SHARDS];
    const char *tails[MAX_SHARDS];
    struct html_options opt;
};

static void setup(void)
{
    memset(hosts, 0, sizeof hosts);
    hosts[0].name = host0;
    hosts[0].cores = 2;
    hosts[0].nranks = 2;
    hosts[1].name = host1;
    hosts[1].cores = 4;
    hosts[1].nranks = 2;
    hosts[1].leader = 2;
    cluster = (struct cluster){
        .nranks = 4, .nhosts = 2, .rank_host = rank_host, .rank_slot = rank_slot, .hosts = hosts};
}

static struct fixture *init(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->rep.run_id = "20261126-120102-abcd";
    f->rep.run_dir = "distmpi-runs/20261126-120102-abcd";
    f->rep.command = command;
    f->rep.ncommand = 3;
    f->rep.schedule = "dynamic";
    f->rep.started = 1795694462.25; /* 2026-11-26T12:01:02.250Z */
    f->rep.duration = 12.5;
    f->rep.exit_status = EXIT_TEST_FAILED;
    f->rep.cluster = &cluster;
    f->rep.results = f->results;
    f->rep.summary = &f->sum;
    f->opt.log_tails = f->tails;
    return f;
}

/* Append a shard that ran on rank with these attempt outcomes (exit codes
 * 1 for failures, signals 9 for timeouts and 11 for crashes), attempt k
 * starting 2k s into the run and lasting 1.5 s. */
static struct shard_result *add_shard(struct fixture *f, int rank, const int *outcomes, int n)
{
    ck_assert_int_lt(f->rep.total, MAX_SHARDS);
    struct shard_result *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->index = f->rep.total;
    r->rank = rank;
    r->slot = rank_slot[rank];
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
        a->exit_code = outcomes[k] == OUTCOME_PASSED ? 0 : outcomes[k] == OUTCOME_FAILED ? 1 : -1;
        a->signal = outcomes[k] == OUTCOME_TIMEOUT ? 9 : outcomes[k] == OUTCOME_CRASHED ? 11 : 0;
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

/* Count the results into f->sum; call after the last add_*. */
static void finish(struct fixture *f)
{
    ck_assert_int_eq(summary_build(&f->sum, cluster.nhosts, cluster.rank_host, cluster.nranks,
                                   f->results, f->rep.total),
                     0);
}

static void done(struct fixture *f)
{
    for (long i = 0; i < f->rep.total; i++)
        result_free(f->results[i]);
    summary_free(&f->sum);
    free(f);
}

/* One shard of every status: 1 passed, 2 flaky, 3 failed (3 attempts), 4
 * timeout, 5 crashed, 6 exec error, 7 lost (NULL), 8 interrupted. */
static struct fixture *every_status(void)
{
    struct fixture *f = init();
    add_shard(f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_shard(f, 1, (int[]){OUTCOME_FAILED, OUTCOME_PASSED}, 2);
    struct shard_result *r =
        add_shard(f, 2, (int[]){OUTCOME_FAILED, OUTCOME_FAILED, OUTCOME_FAILED}, 3);
    r->log = strdup("distmpi-runs/x/shard-3/attempt-3.log");
    f->tails[2] = "FAIL: test_widget expected 3, got 4\n";
    add_shard(f, 3, (int[]){OUTCOME_TIMEOUT}, 1);
    add_shard(f, 0, (int[]){OUTCOME_CRASHED}, 1);
    r = add_shard(f, 1, (int[]){OUTCOME_EXEC_ERROR}, 1);
    r->error = strdup("execvp ./nope: No such file or directory");
    add_missing(f, STATUS_LOST, 1);
    add_missing(f, STATUS_INTERRUPTED, 0);
    finish(f);
    return f;
}

/* ------------------------------------------------------------ parsing */

/* The report of f, checked to be NUL-terminated and of the length told. */
static char *build(struct fixture *f, size_t *len)
{
    char *doc = report_html_build(&f->rep, &f->opt, len);
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(strlen(doc), *len);
    return doc;
}

/* doc parsed strictly as XML: any error fails the test. */
static xmlDocPtr parse_xml(const char *doc, size_t len)
{
    xmlDocPtr x = xmlReadMemory(doc, (int)len, "report.html", "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!x) {
        const xmlError *e = xmlGetLastError();
        ck_abort_msg("the report is not well-formed: line %d: %s", e ? e->line : 0,
                     e && e->message ? e->message : "?");
    }
    return x;
}

/* doc parsed as a browser would, by libxml2's HTML parser. */
static xmlDocPtr parse_html(const char *doc, size_t len)
{
    htmlDocPtr h = htmlReadMemory(doc, (int)len, "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    ck_assert_ptr_nonnull(h);
    return h;
}

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

/* XPath for "an element with class c among its classes". */
#define HAS(c) "contains(concat(' ',normalize-space(@class),' '),' " c " ')"

#define xp_count_eq(doc, expr, want)                                                  \
    do {                                                                              \
        double got_ = xp_number((doc), "count(" expr ")");                            \
        ck_assert_msg(got_ == (double)(want), "count(%s) is %g, want %d", expr, got_, \
                      (int)(want));                                                   \
    } while (0)

#define xp_string_eq(doc, expr, want)                                                        \
    do {                                                                                     \
        const char *got_ = xp_string((doc), (expr));                                         \
        ck_assert_msg(!strcmp(got_, (want)), "%s is '%s', want '%s'", (expr), got_, (want)); \
    } while (0)

/* doc contains needle (doc itself is too long for a failure message). */
#define assert_has(doc, needle) \
    ck_assert_msg(strstr((doc), (needle)), "the report lacks '%s'", (needle))

/* Nothing in doc may make a browser fetch or run anything. */
static void assert_self_contained(const char *doc)
{
    static const char *const bad[] = {"http://", "https://", "src=",    "href=",      "@import",
                                      "url(",    "<script",  "<link",   "<img",       "<iframe",
                                      "<object", "<embed",   "onload=", "javascript:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!strcasestr(doc, bad[i]), "the report contains '%s'", bad[i]);
}

/* ------------------------------------------------------------ tests */

START_TEST(every_status_shown)
{
    struct fixture *f = every_status();
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);

    xp_string_eq(x, "string(//div[@id='count-shards']/b)", "8");
    xp_string_eq(x, "string(//div[@id='count-passed']/b)", "2"); /* flaky included */
    xp_string_eq(x, "string(//div[@id='count-flaky']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-failed']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-timeout']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-crashed']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-exec_error']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-lost']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-interrupted']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-retries']/b)", "3");
    ck_assert(strstr(xp_string(x, "string(//p[@id='exit-status'])"), "exit status 1: some shard"));
    xp_string_eq(x, "string(//code[@id='command'])", "sh -c 'run tests --shard={shard}/{total}'");
    ck_assert(strstr(xp_string(x, "string(//header)"), "2026-11-26 12:01:02 UTC"));

    /* hosts: one row each and the total; node1 ran shards 1, 2, 5, 6 */
    xp_count_eq(x, "//section[@id='hosts']//tr[@class='host']", 2);
    xp_count_eq(x, "//section[@id='hosts']//tr[@class='total']", 1);
    xp_string_eq(x, "string(//tr[@class='host'][1]/td[1])", "node1");
    xp_string_eq(x, "string(//tr[@class='host'][1]/td[4])", "4");
    xp_string_eq(x, "string(//tr[@class='host'][2]/td[1])", "node2");
    xp_count_eq(x, "//th[.='health']", 0); /* no health checks: no column */

    /* the timeline: 4 slots, one bar per attempt (1+2+3+1+1+1), none for 7 and 8 */
    xp_count_eq(x, "//div[@class='row']", 4);
    xp_string_eq(x, "string(//div[@class='row'][3]/div[@class='lbl'])", "node2 / slot 0 (rank 2)");
    xp_count_eq(x, "//span[" HAS("bar") "]", 9);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("retry") "]", 3);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("o-passed") "]", 2);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("o-failed") "]", 4);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("o-timeout") "]", 1);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("o-crashed") "]", 1);
    xp_count_eq(x, "//span[" HAS("bar") " and " HAS("o-exec_error") "]", 1);
    xp_count_eq(x, "//div[" HAS("legend") "]/div", OUTCOME_COUNT + 2);

    /* failures: 3 to 8, with what the shard left */
    xp_count_eq(x, "//section[@id='failures']/article", 6);
    xp_string_eq(x, "string(//article[@id='shard-3']/@class)", "failure s-failed");
    xp_string_eq(x, "string(//article[@id='shard-3']//p[@class='what'])",
                 "failed (exit 1) after 3 attempts");
    xp_count_eq(x, "//article[@id='shard-3']//table[@class='attempts']/tr", 4);
    xp_string_eq(x, "string(//article[@id='shard-3']//pre[@class='tail'])",
                 "FAIL: test_widget expected 3, got 4\n");
    xp_string_eq(x, "string(//article[@id='shard-3']//p[@class='logpath']/code)",
                 "distmpi-runs/x/shard-3/attempt-3.log");
    xp_string_eq(x, "string(//article[@id='shard-4']//p[@class='what'])",
                 "timeout (killed by signal 9) after 1 attempt");
    xp_string_eq(x, "string(//article[@id='shard-5']//p[@class='what'])",
                 "crashed (signal 11) after 1 attempt");
    xp_string_eq(x, "string(//article[@id='shard-6']//p[@class='error']/code)",
                 "execvp ./nope: No such file or directory");
    xp_string_eq(x, "string(//article[@id='shard-7']/@class)", "failure s-lost");
    xp_count_eq(x, "//article[@id='shard-7']//table", 0);
    xp_string_eq(x, "string(//article[@id='shard-8']/@class)", "failure s-interrupted");
    xp_count_eq(x, "//article[@id='shard-1' or @id='shard-2']", 0);
    xp_count_eq(x, "//ul[@id='flaky']/li[@class='flaky']", 1);
    xp_string_eq(x, "string(//li[@class='flaky'])",
                 "shard 2 on node1 rank 1: failed (exit 1), then passed");
    xp_string_eq(x, "string(//li[@class='flaky']/@id)", "shard-2");

    /* a browser's parser sees the same elements */
    xmlDocPtr h = parse_html(doc, len);
    xp_count_eq(h, "//span[" HAS("bar") "]", 9);
    xp_count_eq(h, "//section[@id='failures']/article", 6);
    xp_count_eq(h, "//pre[@class='tail']", 1);
    xmlFreeDoc(h);

    assert_self_contained(doc);
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

START_TEST(retries_are_separate_bars)
{
    struct fixture *f = init();
    add_shard(f, 1, (int[]){OUTCOME_FAILED, OUTCOME_TIMEOUT, OUTCOME_PASSED}, 3);
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);
    /* all three in rank 1's row, in order, where their times put them */
    xp_count_eq(x, "//div[@class='row'][2]//span[" HAS("bar") "]", 3);
    xp_count_eq(x, "//span[" HAS("bar") "]", 3);
    xp_string_eq(x, "string(//span[" HAS("bar") "][1]/@class)", "bar o-failed");
    xp_string_eq(x, "string(//span[" HAS("bar") "][2]/@class)", "bar o-timeout retry");
    xp_string_eq(x, "string(//span[" HAS("bar") "][3]/@class)", "bar o-passed retry");
    /* attempt 2 starts 2 s into a 12.5 s run and lasts 1.5 s */
    xp_string_eq(x, "string(//span[" HAS("bar") "][2]/@style)", "left:16.000%;width:12.000%");
    xp_string_eq(x, "string(//span[" HAS("bar") "][2]/@title)",
                 "shard 1, attempt 2 of 3: timeout (killed by signal 9), 1.50s, "
                 "started 12:01:04.250 UTC");
    xp_string_eq(x, "string(//span[" HAS("bar") "][3])", "1");
    xp_string_eq(x, "string(//div[@id='count-flaky']/b)", "1");
    xp_string_eq(x, "string(//div[@id='count-retries']/b)", "2");
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

/* --speculate: the copy ended for the other has its own bar, in the row
 * of the rank that ran it, apart from the attempts and not a retry. */
START_TEST(superseded_copy_has_its_bar)
{
    struct fixture *f = init();
    struct shard_result *r = add_shard(f, 1, (int[]){OUTCOME_PASSED}, 1);
    struct attempt ended = {.outcome = OUTCOME_SUPERSEDED,
                            .exit_code = -1,
                            .start = r->attempts[0].start,
                            .duration = 2,
                            .number = 4,
                            .rank = 0};
    ck_assert_int_eq(result_add_superseded(r, &ended, NULL), 0);
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);
    xp_count_eq(x, "//span[" HAS("bar") "]", 2);
    xp_count_eq(x, "//div[@class='row'][1]//span[" HAS("bar") "]", 1); /* rank 0's */
    xp_string_eq(x, "string(//div[@class='row'][1]//span[" HAS("bar") "]/@class)",
                 "bar o-superseded");
    unit_assert_prefix(xp_string(x, "string(//div[@class='row'][1]//span[" HAS("bar") "]/@title)"),
                       "shard 1, attempt 4 (a copy): superseded (ended: another copy counted "
                       "first), 2.00s, started ");
    xp_string_eq(x, "string(//div[@class='row'][2]//span[" HAS("bar") "]/@class)",
                 "bar o-passed");
    xp_string_eq(x, "string(//div[@id='count-retries']/b)", "0");
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

START_TEST(nasty_text_is_escaped)
{
    static char evil_host[] = "<b>evil&\"host'</b>";
    static char *evil_cmd[] = {"</code><script>alert(1)</script>", "it's \"quoted\""};
    hosts[1].name = evil_host;
    struct fixture *f = init();
    f->rep.run_id = "run<script>alert('id')</script>";
    f->rep.command = evil_cmd;
    f->rep.ncommand = 2;
    f->rep.run_dir = "dir\"><script>x</script>";
    struct shard_result *r = add_shard(f, 2, (int[]){OUTCOME_FAILED}, 1);
    r->error = strdup("bad \x01 byte \xff <img src=x onerror=alert(1)>");
    r->log = strdup("/tmp/'log'&.txt");
    f->tails[0] = "</pre><script>alert(1)</script>\n\x1b[31mred\x1b[0m \xc3\x28 ok\n";
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    ck_assert_msg(!strcasestr(doc, "<script"), "a <script> survived");
    ck_assert_msg(!strstr(doc, "<img"), "an <img> survived");
    ck_assert_msg(!strstr(doc, "<b>evil"), "the host name was not escaped");
    /* all five characters escaped, wherever the host name goes */
    assert_has(doc, "<td class=\"l name\">&lt;b&gt;evil&amp;&quot;host&#39;&lt;/b&gt;</td>");
    assert_has(doc, "title=\"&lt;b&gt;evil&amp;&quot;host&#39;&lt;/b&gt; / slot 0");
    xmlDocPtr x = parse_xml(doc, len);
    xp_string_eq(x, "string(//pre[@class='tail'])",
                 "</pre><script>alert(1)</script>\n\xef\xbf\xbd[31mred\xef\xbf\xbd[0m "
                 "\xef\xbf\xbd( ok\n");
    xp_string_eq(x, "string(//tr[@class='host'][2]/td[1])", "<b>evil&\"host'</b>");
    xp_string_eq(x, "string(//div[@class='row'][3]/div[@class='lbl'])",
                 "<b>evil&\"host'</b> / slot 0 (rank 2)");
    xp_string_eq(x, "string(//div[@class='row'][3]/div[@class='lbl']/@title)",
                 "<b>evil&\"host'</b> / slot 0 (rank 2)");
    xp_string_eq(x, "string(//code[@id='command'])",
                 "'</code><script>alert(1)</script>' 'it'\\''s \"quoted\"'");
    xp_string_eq(x, "string(//code[@class='run-id'])", "run<script>alert('id')</script>");
    xp_string_eq(x, "string(//p[@class='error']/code)",
                 "bad \xef\xbf\xbd byte \xef\xbf\xbd <img src=x onerror=alert(1)>");
    xp_string_eq(x, "string(//p[@class='logpath']/code)", "/tmp/'log'&.txt");
    /* nothing but the report's own elements: one <pre>, no stray ones */
    xp_count_eq(x, "//script|//img|//b[contains(.,'evil')]/b", 0);
    xp_count_eq(x, "//pre", 1);
    xmlDocPtr h = parse_html(doc, len);
    xp_count_eq(h, "//script|//img", 0);
    xp_count_eq(h, "//pre", 1);
    xmlFreeDoc(h);
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

START_TEST(self_contained)
{
    struct fixture *f = every_status();
    size_t len;
    char *doc = build(f, &len);
    assert_self_contained(doc);
    /* the policy that blocks scripts and fetches even if something slipped through */
    ck_assert(strstr(doc,
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                     "'none'; style-src 'unsafe-inline'\" />"));
    ck_assert(strstr(doc, "<style>"));
    ck_assert(!strstr(doc, "<script"));
    unit_assert_prefix(doc, "<!DOCTYPE html>\n<html lang=\"en\">");
    free(doc);
    done(f);
}
END_TEST

START_TEST(empty_run)
{
    static int one_host[1] = {0}, one_slot[1] = {0};
    cluster.nranks = 1;
    cluster.nhosts = 1;
    cluster.rank_host = one_host;
    cluster.rank_slot = one_slot;
    hosts[0].nranks = 1;
    struct fixture *f = init();
    f->rep.duration = 0;
    f->rep.exit_status = EXIT_PASSED;
    f->opt.log_tails = NULL;
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);
    xp_string_eq(x, "string(//div[@id='count-shards']/b)", "0");
    xp_count_eq(x, "//span[" HAS("bar") "]", 0);
    xp_count_eq(x, "//div[@class='row']", 1);
    xp_count_eq(x, "//article", 0);
    xp_count_eq(x, "//tr[@class='host']", 1);
    ck_assert(strstr(xp_string(x, "string(//p[@id='exit-status'])"), "every shard passed"));
    ck_assert(strstr(xp_string(x, "string(//section[@id='failures'])"), "None"));
    assert_self_contained(doc);
    xmlFreeDoc(x);
    free(doc);
    /* and without any options or length */
    doc = report_html_build(&f->rep, NULL, NULL);
    ck_assert_ptr_nonnull(doc);
    free(doc);
    done(f);
}
END_TEST

START_TEST(short_run_stopped_by_signal)
{
    struct fixture *f = init();
    f->rep.duration = 2.3;
    f->rep.exit_status = 128 + 15;
    add_shard(f, 0, (int[]){OUTCOME_PASSED}, 1);
    add_missing(f, STATUS_INTERRUPTED, 0);
    /* interrupted where it had been given: rank 2, slot 0 on node2 */
    f->results[1]->rank = 2;
    f->results[1]->slot = 0;
    add_missing(f, STATUS_INTERRUPTED, 0); /* given to nobody yet */
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);
    unit_assert_prefix(xp_string(x, "string(//p[@id='exit-status'])"),
                       "exit status 143: stopped by signal 15 (");
    /* the hosts table has an interrupted column: node2 1, total 2 */
    xp_string_eq(x, "string(//section[@id='hosts']//tr[1]/th[11])", "interrupted");
    xp_string_eq(x, "string(//section[@id='hosts']//tr[@class='host'][1]/td[11])", "0");
    xp_string_eq(x, "string(//section[@id='hosts']//tr[@class='host'][2]/td[11])", "1");
    xp_string_eq(x, "string(//section[@id='hosts']//tr[@class='total']/td[8])", "2");
    xp_string_eq(x, "string(//article[@id='shard-2']//p[@class='where'])",
                 "on node2, rank 2, slot 0");
    xp_string_eq(x, "string(//p[@id='exit-status']/@class)", "verdict v-stop");
    /* half-second ticks on a 2.3 s axis */
    xp_count_eq(x, "//span[@class='tick']", 5);
    xp_string_eq(x, "string(//span[@class='tick'][2])", "0.5s");
    xp_string_eq(x, "string(//span[@class='tick'][3])", "1s");
    xp_string_eq(x, "string(//span[@class='tick'][5]/@style)", "left:86.957%");
    xp_string_eq(x, "string(//article[@id='shard-2']//p[@class='what'])",
                 "the run was stopped before the shard finished");
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

START_TEST(unhealthy_periods)
{
    struct health_limits l = {
        .min_disk_free = 0.10, .max_mem_used = 0.95, .max_load_per_core = 2.0};
    struct watch *w = watch_create(2, &l);
    ck_assert_ptr_nonnull(w);
    struct probe bad, good;
    memset(&bad, 0, sizeof bad);
    snprintf(bad.error, sizeof bad.error, "statvfs <disk>: failed");
    memset(&good, 0, sizeof good);
    good.ok = 1;
    good.sample = (struct health_sample){
        .disk_free = 0.9, .mem_used = 0.2, .load1 = 0.1, .cores = 4, .load_per_core = 0.025};
    struct fixture *f = init();
    ck_assert_int_eq(watch_update(w, 1, &bad, f->rep.started + 1), -1);
    ck_assert_int_eq(watch_update(w, 1, &good, f->rep.started + 6), 1);
    f->rep.watch = w;
    add_shard(f, 0, (int[]){OUTCOME_PASSED}, 1);
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    xmlDocPtr x = parse_xml(doc, len);
    xp_count_eq(x, "//th[.='health']", 1);
    xp_string_eq(x, "string(//tr[@class='host'][1]/td[@class='l health']/text()[1])", "healthy");
    const char *cell = xp_string(x, "string(//tr[@class='host'][2]/td[@class='l health'])");
    unit_assert_contains(cell, "excluded 1 time, 5.00s in all");
    unit_assert_contains(cell,
                         "12:01:03\xe2\x80\x93"
                         "12:01:08 UTC");
    unit_assert_contains(cell, "statvfs <disk>: failed");
    /* shaded in node2's two rows only, from 1 s to 6 s of 12.5 */
    xp_count_eq(x, "//span[@class='down']", 2);
    xp_count_eq(x, "//div[@class='row'][3]//span[@class='down']", 1);
    xp_string_eq(x, "string(//div[@class='row'][3]//span[@class='down']/@style)",
                 "left:8.000%;width:40.000%");
    xmlFreeDoc(x);
    free(doc);
    done(f);
    watch_destroy(w);
}
END_TEST

START_TEST(thousands_of_shards)
{
    struct fixture *f = init();
    f->rep.duration = 5000;
    long attempts = 0;
    for (int i = 0; i < 5000; i++) {
        int n = i % 50 == 0 ? 2 : 1;
        struct shard_result *r = add_shard(
            f, i % 4, (int[]){i % 7 == 0 ? OUTCOME_FAILED : OUTCOME_PASSED, OUTCOME_PASSED}, n);
        for (int k = 0; k < n; k++)
            r->attempts[k].start = f->rep.started + i + 0.5 * k;
        attempts += n;
    }
    finish(f);
    size_t len;
    char *doc = build(f, &len);
    /* one element per attempt, plus what failures need: well under 1 kB a shard */
    ck_assert_msg(len < 5000 * 1000, "a report of 5000 shards is %zu bytes", len);
    xmlDocPtr x = parse_xml(doc, len);
    xp_count_eq(x, "//span[" HAS("bar") "]", attempts);
    xp_count_eq(x, "//div[@class='row']//span", attempts);
    /* ticks on a 5000 s axis: whole minutes, at most 10 */
    ck_assert_int_le((int)xp_number(x, "count(//span[@class='tick'])"), 11);
    xp_string_eq(x, "string(//span[@class='tick'][2])", "10m");
    xmlFreeDoc(x);
    free(doc);
    done(f);
}
END_TEST

START_TEST(write_file)
{
    struct fixture *f = every_status();
    char path[4096];
    struct error err = {""};
    unit_write_temp("old", 3, path);
    ck_assert_int_eq(report_html_write(path, &f->rep, &f->opt, &err), 0);
    size_t len;
    char *doc = build(f, &len);
    FILE *in = fopen(path, "rb");
    ck_assert_ptr_nonnull(in);
    char *back = malloc(len + 2);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(fread(back, 1, len + 1, in), len);
    fclose(in);
    ck_assert(!memcmp(back, doc, len));
    free(back);
    free(doc);

    /* a symlink at the path is refused, it and its target left alone */
    char target[4096], link[4096 + 8];
    unit_write_temp("keep", 4, target);
    snprintf(link, sizeof link, "%s.lnk", path);
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_int_eq(report_html_write(link, &f->rep, &f->opt, &err), -1);
    unit_assert_contains(err.text, "is a symbolic link; distmpi will not follow it");
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_int_eq(st.st_size, 4);

    /* a directory that does not exist: an error naming the path */
    ck_assert_int_eq(report_html_write("/nonexistent-dir/r.html", &f->rep, &f->opt, &err), -1);
    unit_assert_prefix(err.text, "/nonexistent-dir/r.html: ");
    unlink(path);
    unlink(link);
    unlink(target);
    done(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_status_shown);
    tcase_add_test(tc, retries_are_separate_bars);
    tcase_add_test(tc, superseded_copy_has_its_bar);
    tcase_add_test(tc, nasty_text_is_escaped);
    tcase_add_test(tc, self_contained);
    tcase_add_test(tc, empty_run);
    tcase_add_test(tc, short_run_stopped_by_signal);
    tcase_add_test(tc, unhealthy_periods);
    tcase_add_test(tc, thousands_of_shards);
    tcase_add_test(tc, write_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
