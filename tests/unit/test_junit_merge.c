/* SPDX-License-Identifier: BSD-3-Clause */
/* test_junit_merge.c - unit tests of the test tool's JUnit files checked and
 * merged into the --junit report (junit_merge.h, report_junit.h): sample
 * files from several tools and hostile ones (tests/data/collected/), the
 * merged report validated against tests/data/junit-10.xsd and read back
 * with XPath, and random corruptions of every sample. */
#include "config.h"

#include "report/junit_merge.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "report/report_junit.h"
#include "unit.h"

#define R "\xef\xbf\xbd" /* U+FFFD */

/* ------------------------------------------------------------ files */

static const char *srcdir(void)
{
    const char *s = getenv("DISTMPI_SRCDIR");
    return s && *s ? s : ".";
}

/* The path of a sample file, in a static buffer. */
static const char *sample(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/collected/%s", srcdir(), name);
    return path;
}

/* A sample's bytes (free with free()). Fails the test when it is missing. */
static char *read_sample(const char *name, size_t *len)
{
    char *buf = NULL;
    struct error err;
    ck_assert_msg(fs_read_file(sample(name), 1 << 20, &buf, len, &err) == 0,
                  "%s (set DISTMPI_SRCDIR to the source tree)", err.text);
    return buf;
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

static xmlSchemaPtr load_schema(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/junit-10.xsd", srcdir());
    schema_errors[0] = '\0';
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    ck_assert_ptr_nonnull(pc);
    xmlSchemaSetParserStructuredErrors(pc, (xmlStructuredErrorFunc)collect_error, NULL);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    ck_assert_msg(schema != NULL, "%s does not load: %s", path, schema_errors);
    return schema;
}

/* Fail unless doc validates against junit-10.xsd. */
static void assert_valid(xmlSchemaPtr schema, xmlDocPtr doc, const char *what)
{
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    ck_assert_ptr_nonnull(vc);
    schema_errors[0] = '\0';
    xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)collect_error, NULL);
    int rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    unit_require(rc == 0, "%s does not validate against junit-10.xsd (%d): %s", what, rc,
                 schema_errors);
}

/* ------------------------------------------------------------ XPath */

static double xp_number(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(o != NULL, "bad XPath %s", expr);
    double v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return v;
}

/* The string value of expr, in a static buffer. */
static const char *xp_string(xmlDocPtr doc, const char *expr)
{
    static char buf[16384];
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(o != NULL, "bad XPath %s", expr);
    xmlChar *s = xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    ck_assert_ptr_nonnull(s);
    snprintf(buf, sizeof buf, "%s", (const char *)s);
    xmlFree(s);
    return buf;
}

#define xp_eq(doc, expr, want)                                                               \
    do {                                                                                     \
        const char *got_ = xp_string((doc), (expr));                                         \
        ck_assert_msg(!strcmp(got_, (want)), "%s is '%s', want '%s'", (expr), got_, (want)); \
    } while (0)

#define xp_num_eq(doc, expr, want)                                                              \
    do {                                                                                        \
        double got_ = xp_number((doc), (expr));                                                 \
        unit_require(got_ == (double)(want), "%s is %g, want %ld", (expr), got_, (long)(want)); \
    } while (0)

/* Every <testsuite>'s counters agree with the test cases it holds (a test
 * case counts once: failure, else error, else skipped), and <testsuites>'
 * with the sum of its suites'. */
static void assert_counts_consistent(xmlDocPtr doc)
{
    int n = (int)xp_number(doc, "count(/testsuites/testsuite)");
    for (int i = 1; i <= n; i++) {
        char e1[256], e2[256];
#define SAME(attr, cases)                                                                        \
    snprintf(e1, sizeof e1, "number(/testsuites/testsuite[%d]/@" attr ")", i);                   \
    snprintf(e2, sizeof e2, "count(/testsuites/testsuite[%d]/testcase" cases ")", i);            \
    unit_require(xp_number(doc, e1) == xp_number(doc, e2), "suite %d: %s is %g but %s is %g", i, \
                 e1, xp_number(doc, e1), e2, xp_number(doc, e2));
        SAME("tests", "")
        SAME("failures", "[failure]")
        SAME("errors", "[error and not(failure)]")
        SAME("skipped", "[skipped and not(failure) and not(error)]")
#undef SAME
    }
    ck_assert(xp_number(doc, "number(/testsuites/@tests)") == xp_number(doc, "count(//testcase)"));
    ck_assert(xp_number(doc, "number(/testsuites/@failures)") ==
              xp_number(doc, "sum(/testsuites/testsuite/@failures)"));
    ck_assert(xp_number(doc, "number(/testsuites/@errors)") ==
              xp_number(doc, "sum(/testsuites/testsuite/@errors)"));
}

/* ------------------------------------------------------------ stderr */

/* libxml2 must print nothing: stderr goes to a file while the tests run. */
static int saved_stderr = -1;
static char stderr_path[4096];

static void stderr_to_file(void)
{
    unit_write_temp("", 0, stderr_path);
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(stderr_path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, 2), 2);
    close(fd);
}

/* Restore stderr and fail when anything was written to it. */
static void stderr_assert_empty(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    struct stat st;
    ck_assert_int_eq(stat(stderr_path, &st), 0);
    char head[512] = "";
    FILE *f = fopen(stderr_path, "r");
    if (f) {
        size_t n = fread(head, 1, sizeof head - 1, f);
        head[n] = '\0';
        fclose(f);
    }
    unlink(stderr_path);
    ck_assert_msg(st.st_size == 0, "%lld bytes on stderr: %s", (long long)st.st_size, head);
}

/* ------------------------------------------------------------ check */

static const struct {
    const char *file;
    int count;       /* -1: refused */
    const char *why; /* the reason's start ("": none) */
} samples[] = {
    {"playwright.xml", 4, ""},
    {"pytest.xml", 6, ""},
    {"surefire.xml", 5, ""},
    {"jest.xml", 3, ""},
    {"odd.xml", 10, ""},
    {"cdata.xml", 2, ""},
    {"latin1.xml", 1, ""},
    {"xxe.xml", 1, ""},
    {"xxe-param.xml", 1, ""},
    {"bad-bytes.xml", 2, "invalid UTF-8 or characters XML forbids replaced with U+FFFD"},
    {"billion-laughs.xml", -1, "refused XML (entity expansion): line "},
    {"truncated.xml", -1, "not well-formed XML: line 4: "},
    {"wrong-root.xml", -1, "root element is <html>, not <testsuites> or <testsuite>"},
    {"empty.xml", -1, "empty file"},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

START_TEST(check_samples)
{
    stderr_to_file();
    for (size_t i = 0; i < NSAMPLES; i++) {
        size_t len;
        char *buf = read_sample(samples[i].file, &len);
        char why[512] = "junk";
        int n = junit_file_check(buf, len, why, sizeof why);
        free(buf);
        ck_assert_msg(n == samples[i].count, "%s: %d test cases, want %d (%s)", samples[i].file, n,
                      samples[i].count, why);
        if (*samples[i].why)
            ck_assert_msg(!strncmp(why, samples[i].why, strlen(samples[i].why)),
                          "%s: reason '%s', want '%s...'", samples[i].file, why, samples[i].why);
        else
            ck_assert_msg(!*why, "%s: reason '%s', want none", samples[i].file, why);
        ck_assert_msg(!strchr(why, '\n'), "%s: reason of several lines: %s", samples[i].file, why);
    }
    stderr_assert_empty();
}
END_TEST

START_TEST(check_buffers)
{
    char why[256];
    ck_assert_int_eq(junit_file_check(" \n\t\r\n", 5, why, sizeof why), -1);
    ck_assert_str_eq(why, "empty file");
    ck_assert_int_eq(junit_file_check("", 0, why, sizeof why), -1);
    ck_assert_str_eq(why, "empty file");
    ck_assert_int_eq(junit_file_check("<testsuite/>", 12, why, sizeof why), 0);
    ck_assert_str_eq(why, "");
    ck_assert_int_eq(junit_file_check("<testsuites/>", 13, NULL, 0), 0);
    /* only len bytes count: what follows is not read */
    ck_assert_int_eq(junit_file_check("<testsuite><testcase name='a'/></testsuite>garbage<", 43,
                                      why, sizeof why),
                     1);
    /* suites nest, in any depth; a test case under <testsuites> counts too */
    const char *nested =
        "<testsuites><testsuite><testsuite><testsuite><testcase name='a'/>"
        "</testsuite><testcase name='b'/></testsuite></testsuite>"
        "<testcase name='c'/><other><testcase name='not me'/></other>"
        "</testsuites>";
    ck_assert_int_eq(junit_file_check(nested, strlen(nested), why, sizeof why), 3);
    /* a root in a namespace, or with a prefix */
    const char *ns = "<j:testsuite xmlns:j='urn:x'><j:testcase name='a'/></j:testsuite>";
    ck_assert_int_eq(junit_file_check(ns, strlen(ns), why, sizeof why), 1);
    /* wrong roots */
    ck_assert_int_eq(junit_file_check("<testcase name='a'/>", 20, why, sizeof why), -1);
    ck_assert_str_eq(why, "root element is <testcase>, not <testsuites> or <testsuite>");
    ck_assert_int_eq(junit_file_check("<TestSuite/>", 12, why, sizeof why), -1);
    /* not XML at all, and two roots */
    ck_assert_int_eq(junit_file_check("PASS 3 tests\n", 13, why, sizeof why), -1);
    unit_assert_prefix(why, "not well-formed XML: line 1: ");
    ck_assert_int_eq(junit_file_check("<testsuite/><testsuite/>", 24, why, sizeof why), -1);
    unit_assert_prefix(why, "not well-formed XML: line 1: ");
    /* an undeclared entity is an error, not text */
    const char *undeclared = "<testsuite><testcase name='&nbsp;'/></testsuite>";
    ck_assert_int_eq(junit_file_check(undeclared, strlen(undeclared), why, sizeof why), -1);
    /* the reason fits any buffer */
    char tiny[8];
    ck_assert_int_eq(junit_file_check("<html/>", 7, tiny, sizeof tiny), -1);
    ck_assert_str_eq(tiny, "root el");
    /* a reason cut short is still valid UTF-8 */
    const char *umlaut =
        "<gr\xc3\xb6\xc3\x9f"
        "e/>";
    ck_assert_int_eq(junit_file_check(umlaut, strlen(umlaut), why, sizeof why), -1);
    ck_assert_str_eq(why,
                     "root element is <gr\xc3\xb6\xc3\x9f"
                     "e>, not <testsuites> or <testsuite>");
    ck_assert_int_eq(junit_file_check(umlaut, strlen(umlaut), why, 21), -1);
    ck_assert_str_eq(why, "root element is <gr");
    ck_assert_int_eq(junit_file_check(umlaut, strlen(umlaut), why, 22), -1);
    ck_assert_str_eq(why, "root element is <gr\xc3\xb6");
    /* UTF-16 with a BOM, as PowerShell writes it */
    const char u16[] =
        "\xff\xfe<\0t\0e\0s\0t\0s\0u\0i\0t\0e\0>\0<\0t\0e\0s\0t\0c\0a\0s\0e\0 "
        "\0n\0a\0m\0e\0=\0'\0\xfc\0'\0/\0>\0<\0/\0t\0e\0s\0t\0s\0u\0i\0t\0e\0>\0";
    ck_assert_int_eq(junit_file_check(u16, sizeof u16 - 1, why, sizeof why), 1);
    ck_assert_str_eq(why, "");
    /* character references to forbidden characters are repaired too, and
     * only then */
    const char *refs = "<testsuite><testcase name='a&#27;b&#x1F600;'/></testsuite>";
    ck_assert_int_eq(junit_file_check(refs, strlen(refs), why, sizeof why), 1);
    ck_assert_str_eq(why, "invalid UTF-8 or characters XML forbids replaced with U+FFFD");
    /* in CDATA, where libxml2 has no error code of its own for them */
    const char *cdata =
        "<testsuite><testcase name='a'><system-out><![CDATA[\x02\x1b[0m]]>"
        "</system-out></testcase></testsuite>";
    ck_assert_int_eq(junit_file_check(cdata, strlen(cdata), why, sizeof why), 1);
    ck_assert_str_eq(why, "invalid UTF-8 or characters XML forbids replaced with U+FFFD");
    /* repaired or not, a truncated document is still refused, for that */
    const char *cut = "<testsuite><testcase name='\x1b'/>";
    ck_assert_int_eq(junit_file_check(cut, strlen(cut), why, sizeof why), -1);
    ck_assert_str_eq(why,
                     "not well-formed XML: line 1: Premature end of data in tag testsuite "
                     "line 1");
    /* a Latin-1 document's bytes are not UTF-8 but fine; a control
     * character in it cannot be repaired as UTF-8 */
    const char *latin = "<?xml version='1.0' encoding='ISO-8859-1'?><testsuite>\x1b</testsuite>";
    ck_assert_int_eq(junit_file_check(latin, strlen(latin), why, sizeof why), -1);
    unit_assert_prefix(why, "not well-formed XML: line 1: ");
}
END_TEST

/* A document <testsuite name="t"/> to merge into. */
static xmlDocPtr new_suite_doc(xmlNodePtr *suite)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    ck_assert_ptr_nonnull(doc);
    *suite = xmlNewDocNode(doc, NULL, BAD_CAST "testsuite", NULL);
    ck_assert_ptr_nonnull(*suite);
    xmlDocSetRootElement(doc, *suite);
    return doc;
}

static long children(xmlNodePtr n)
{
    long k = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        k++;
    return k;
}

/* Errors libxml2 reports outside the parser (converting a declared
 * encoding) print nothing either. */
START_TEST(check_quiet)
{
    static const char *const docs[] = {
        "<?xml version='1.0' encoding='ISO-2022-JP'?><testsuite name='\x1b$B\xff\xff'/>",
        "<?xml version='1.0' encoding='EUC-JP'?><testsuite name='\xff\xfe\x80'/>",
        "<?xml version='1.0' encoding='SHIFT_JIS'?><testsuite name='\x81'/>",
        "<?xml version='1.0' encoding='no-such-encoding'?><testsuite/>",
        "<?xml version='1.0' encoding='UTF-16'?><testsuite/>",
    };
    char why[256];
    stderr_to_file();
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        int n = junit_file_check(docs[i], strlen(docs[i]), why, sizeof why);
        unit_require(n == -1, "document %zu: %d test cases", i, n);
        unit_require(!strncmp(why, "not well-formed XML: line 1: ", 29), "document %zu: %s", i,
                     why);
    }
    stderr_assert_empty();
}
END_TEST

/* Fill buf with a JUnit document of exactly len bytes (len >= 4096): test
 * cases with outputs of up to 1 MB. */
static void fill_document(char *buf, size_t len)
{
    const char head[] = "<testsuite name=\"edge\">\n";
    const char tail[] = "</testsuite>\n";
    const char open[] = "<testcase name=\"t\"><system-out>";
    const char close[] = "</system-out></testcase>\n";
    size_t over = sizeof open - 1 + sizeof close - 1;
    size_t n = sizeof head - 1;
    memcpy(buf, head, n);
    size_t end = len - (sizeof tail - 1);
    while (n < end) {
        size_t out = end - n - over;
        if (out > 1000000)
            out = end - n - over > 2000000 ? 1000000 : (end - n - over) / 2;
        memcpy(buf + n, open, sizeof open - 1);
        n += sizeof open - 1;
        memset(buf + n, 'x', out);
        n += out;
        memcpy(buf + n, close, sizeof close - 1);
        n += sizeof close - 1;
    }
    ck_assert_uint_eq(n, end);
    memcpy(buf + n, tail, sizeof tail - 1);
}

/* The size limit: one byte over is refused without parsing, exactly the
 * limit is read and parsed; libxml2's own limit on depth (no
 * XML_PARSE_HUGE) stays. */
START_TEST(check_limits)
{
    char why[256];
    size_t max = (size_t)JUNIT_MERGE_MAX_BYTES;
    char *buf = malloc(max + 1);
    ck_assert_ptr_nonnull(buf);
    fill_document(buf, max);
    int cases = junit_file_check(buf, max, why, sizeof why);
    ck_assert_msg(cases > 64, "%d test cases: %s", cases, why);
    buf[max] = '\n'; /* white space after the root */
    ck_assert_int_eq(junit_file_check(buf, max + 1, why, sizeof why), -1);
    ck_assert_str_eq(why, "larger than 64 MiB (67108865 bytes)");

    char path[4096];
    unit_write_temp(buf, max, path);
    xmlNodePtr suite;
    xmlDocPtr doc = new_suite_doc(&suite);
    struct junit_counts c = {0};
    ck_assert_int_eq(junit_merge_file(suite, path, "edge.xml", &c, why, sizeof why), cases);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputc('\n', f);
    fclose(f);
    ck_assert_int_eq(junit_merge_file(suite, path, "edge.xml", &c, why, sizeof why), -1);
    ck_assert_str_eq(why, "larger than 64 MiB");
    unlink(path);
    ck_assert_int_eq(c.tests, cases);
    xmlFreeDoc(doc);

    /* suites nested 200 deep are fine, 300 deep are not */
    for (int depth = 200; depth <= 300; depth += 100) {
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            n += (size_t)sprintf(buf + n, "<testsuite>");
        n += (size_t)sprintf(buf + n, "<testcase name='deep'/>");
        for (int i = 0; i < depth; i++)
            n += (size_t)sprintf(buf + n, "</testsuite>");
        ck_assert_int_eq(junit_file_check(buf, n, why, sizeof why), depth == 200 ? 1 : -1);
    }
    unit_assert_prefix(why, "not well-formed XML: line 1: ");
    free(buf);
}
END_TEST

/* ------------------------------------------------------------ merge API */

START_TEST(merge_api)
{
    xmlNodePtr suite;
    xmlDocPtr doc = new_suite_doc(&suite);
    struct junit_counts c = {0};
    char why[512];
    size_t len;
    char *buf = read_sample("pytest.xml", &len);
    ck_assert_int_eq(junit_merge_buffer(suite, buf, len, "p.xml", &c, why, sizeof why), 6);
    ck_assert_str_eq(why, "");
    free(buf);
    ck_assert_int_eq(c.tests, 6);
    ck_assert_int_eq(c.failures, 1);
    ck_assert_int_eq(c.errors, 1);
    ck_assert_int_eq(c.skipped, 2);
    ck_assert_msg(fabs(c.time - 0.020) < 1e-9, "time %g", c.time);
    ck_assert_int_eq(children(suite), 6);
    /* counts add up */
    ck_assert_int_eq(junit_merge_file(suite, sample("jest.xml"), "j.xml", &c, why, sizeof why), 3);
    ck_assert_int_eq(c.tests, 9);
    ck_assert_int_eq(c.failures, 2);
    ck_assert_int_eq(c.skipped, 3);
    /* a failure leaves the suite and the counts alone */
    struct junit_counts before = c;
    buf = read_sample("truncated.xml", &len);
    ck_assert_int_eq(junit_merge_buffer(suite, buf, len, "t.xml", &c, why, sizeof why), -1);
    free(buf);
    unit_assert_prefix(why, "not well-formed XML: line 4: ");
    ck_assert_int_eq(children(suite), 9);
    ck_assert(!memcmp(&c, &before, sizeof c));
    ck_assert_int_eq(
        junit_merge_file(suite, "/nonexistent-distmpi/j.xml", "j.xml", &c, why, sizeof why), -1);
    ck_assert_str_eq(why,
                     "cannot read the copy on rank 0: /nonexistent-distmpi/j.xml: No such "
                     "file or directory");
    ck_assert_int_eq(junit_merge_file(suite, "/", "j.xml", &c, why, sizeof why), -1);
    unit_assert_contains(why, "is a directory");
    ck_assert_int_eq(children(suite), 9);
    /* the error entry */
    ck_assert_int_eq(junit_merge_error(suite, "results/junit-3.xml", "no file matches", &c), 0);
    ck_assert_int_eq(c.tests, 10);
    ck_assert_int_eq(c.errors, 2);
    ck_assert_int_eq(junit_merge_error(suite, NULL, NULL, NULL), 0);
    ck_assert_int_eq(children(suite), 11);
    xp_eq(doc, "/testsuite/testcase[10]/@name", "results/junit-3.xml");
    xp_eq(doc, "/testsuite/testcase[10]/@classname", "distmpi.collect");
    xp_eq(doc, "/testsuite/testcase[10]/error/@type", "collect_error");
    xp_eq(doc, "/testsuite/testcase[10]/error/@message", "no file matches");
    xp_eq(doc, "/testsuite/testcase[10]/error", "results/junit-3.xml: no file matches");
    xp_eq(doc, "/testsuite/testcase[11]/@name", "(unknown file)");
    xp_eq(doc, "/testsuite/testcase[11]/error/@message", "unusable");
    /* counts may be NULL; no suite is refused */
    ck_assert_int_eq(junit_merge_file(suite, sample("jest.xml"), NULL, NULL, why, sizeof why), 3);
    ck_assert_int_eq(junit_merge_buffer(NULL, "<testsuite/>", 12, NULL, NULL, why, sizeof why), -1);
    ck_assert_int_eq(junit_merge_error(NULL, "x", "y", NULL), -1);
    xmlFreeDoc(doc);
}
END_TEST

/* ------------------------------------------------------------ reading */

/* What junit_each_case gave for one test case, copied (its strings live
 * only for the call). */
struct seen {
    char *name, *classname, *file, *line, *message, *project;
    int has_name, has_classname, failed_before;
    enum junit_case_outcome outcome;
};

struct seen_list {
    struct seen cases[8];
    int n;
    int writer_given; /* a call had a writer: reading must pass none */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int see_case(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    struct seen_list *l = arg;
    l->writer_given |= w != NULL;
    ck_assert_int_lt(l->n, 8);
    struct seen *s = &l->cases[l->n++];
    *s = (struct seen){dup_or_null(c->name),
                       dup_or_null(c->classname),
                       dup_or_null(c->file),
                       dup_or_null(c->line),
                       dup_or_null(c->message),
                       dup_or_null(c->project),
                       c->has_name,
                       c->has_classname,
                       c->failed_before,
                       c->outcome};
    return 0;
}

static void seen_free(struct seen_list *l)
{
    for (int i = 0; i < l->n; i++) {
        struct seen *s = &l->cases[i];
        free(s->name);
        free(s->classname);
        free(s->file);
        free(s->line);
        free(s->message);
        free(s->project);
    }
}

static int refuse_case(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    (void)arg;
    (void)c;
    (void)w;
    errno = EIO;
    return -1;
}

START_TEST(each_case)
{
    static const char xml[] =
        "<testsuites><testsuite name=\"outer\" hostname=\"chromium\">\n"
        " <testcase name=\"adds\" classname=\"math.spec.ts\" file=\"tests/math.spec.ts\" "
        "line=\"12\"><failure message=\"50% &#10;of it: \xc3\xa9t\xc3\xa9\">trace</failure>"
        "</testcase>\n"
        " <testsuite name=\"inner\"><testcase file=\"b.ts\"><error/></testcase></testsuite>\n"
        " <testcase name=\"skips\" classname=\"\"><skipped message=\"not here\"/></testcase>\n"
        " <testcase name=\"retried\" classname=\"r\"><flakyFailure message=\"once\"/>"
        "<rerunError/></testcase>\n"
        "</testsuite></testsuites>\n";
    struct seen_list l = {0};
    char why[256];
    ck_assert_int_eq(junit_each_case(xml, strlen(xml), see_case, &l, why, sizeof why), 4);
    ck_assert_str_eq(why, "");
    ck_assert_int_eq(l.n, 4);
    ck_assert_int_eq(l.writer_given, 0);

    /* a failure: its attributes, file and line as written, the message cleaned */
    struct seen *c = &l.cases[0];
    ck_assert_int_eq(c->outcome, JUNIT_CASE_FAILED);
    ck_assert_str_eq(c->name, "adds");
    ck_assert_int_eq(c->has_name, 1);
    ck_assert_str_eq(c->classname, "math.spec.ts");
    ck_assert_int_eq(c->has_classname, 1);
    ck_assert_str_eq(c->file, "tests/math.spec.ts");
    ck_assert_str_eq(c->line, "12");
    ck_assert_str_eq(c->message, "50% \nof it: \xc3\xa9t\xc3\xa9");
    ck_assert_str_eq(c->project, "chromium");
    ck_assert_int_eq(c->failed_before, 0);

    /* an <error> fails too; a missing name and classname fall back as the
     * merge's do (the nearest suite's name; no file name here), and say so */
    c = &l.cases[1];
    ck_assert_int_eq(c->outcome, JUNIT_CASE_FAILED);
    ck_assert_str_eq(c->name, "(unnamed)");
    ck_assert_int_eq(c->has_name, 0);
    ck_assert_str_eq(c->classname, "inner");
    ck_assert_int_eq(c->has_classname, 0);
    ck_assert_str_eq(c->file, "b.ts");
    ck_assert_ptr_null(c->line);
    ck_assert_ptr_null(c->message);

    /* skipped: not failed, and a <skipped>'s message is no failure's; an
     * empty classname is the test case's own */
    c = &l.cases[2];
    ck_assert_int_eq(c->outcome, JUNIT_CASE_SKIPPED);
    ck_assert_ptr_null(c->message);
    ck_assert_str_eq(c->classname, "");
    ck_assert_int_eq(c->has_classname, 1);
    ck_assert_ptr_null(c->file);

    /* passed after failing in the test tool's own retries */
    c = &l.cases[3];
    ck_assert_int_eq(c->outcome, JUNIT_CASE_PASSED);
    ck_assert_int_eq(c->failed_before, 2);
    ck_assert_str_eq(c->message, "once");
    seen_free(&l);

    /* a callback that fails stops the reading with its errno */
    errno = 0;
    ck_assert_int_eq(junit_each_case(xml, strlen(xml), refuse_case, NULL, why, sizeof why), -2);
    ck_assert_int_eq(errno, EIO);
    ck_assert_str_eq(why, strerror(EIO)); /* not "out of memory" */
    /* an unusable file calls nothing */
    struct seen_list none = {0};
    ck_assert_int_eq(junit_each_case("<html/>", 7, see_case, &none, why, sizeof why), -1);
    unit_assert_contains(why, "root element");
    ck_assert_int_eq(none.n, 0);
}
END_TEST

/* ------------------------------------------------------------ the report */

#define NSHARDS 7

struct fixture {
    struct report rep;
    struct shard_result *results[NSHARDS];
    struct collected_file files[NSHARDS][10];
    const struct collected_file *collected[NSHARDS];
    int ncollected[NSHARDS];
    struct junit_options opt;
};

static void add_shard(struct fixture *f, int outcome)
{
    struct shard_result *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->index = f->rep.total;
    r->rank = (int)f->rep.total % 4;
    r->nattempts = 1;
    r->attempts = calloc(1, sizeof *r->attempts);
    ck_assert_ptr_nonnull(r->attempts);
    r->attempts[0].outcome = outcome;
    r->attempts[0].start = f->rep.started;
    r->attempts[0].duration = 1.5;
    r->attempts[0].exit_code = outcome == OUTCOME_PASSED ? 0 : 1;
    r->status = result_status_from_attempts(r->attempts, 1);
    f->results[f->rep.total++] = r;
}

/* Shard i (0-based) collected file name, copied at sample(copy) (NULL: no
 * copy), or an error. */
static void add_file(struct fixture *f, int i, const char *name, const char *copy,
                     const char *error)
{
    int k = f->ncollected[i]++;
    ck_assert_int_lt(k, 10);
    f->files[i][k].name = name;
    f->files[i][k].path = copy ? strdup(sample(copy)) : NULL;
    f->files[i][k].error = error;
}

static void done(struct fixture *f)
{
    for (int i = 0; i < NSHARDS; i++) {
        result_free(f->results[i]);
        for (int k = 0; k < f->ncollected[i]; k++)
            free((char *)f->files[i][k].path);
    }
}

/* The issue's run: shards with the files of several tools, missing and
 * broken files, hostile files, and a lost shard. */
static void build_run(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->rep.run_id = "20261126-120102-abcd";
    f->rep.started = 1795694462.25;
    f->rep.duration = 12.5;
    f->rep.results = f->results;
    add_shard(f, OUTCOME_PASSED); /* 1: Playwright and pytest */
    add_file(f, 0, "results/junit-1.xml", "playwright.xml", NULL);
    add_file(f, 0, "results/pytest-1.xml", "pytest.xml", NULL);
    add_shard(f, OUTCOME_FAILED); /* 2: Surefire */
    add_file(f, 1, "target/surefire-reports/TEST-all.xml", "surefire.xml", NULL);
    add_shard(f, OUTCOME_PASSED); /* 3: the tool wrote nothing */
    add_file(f, 2, "results/junit-3.xml", NULL, "no file matches results/junit-3.xml");
    add_shard(f, OUTCOME_PASSED); /* 4: broken files */
    add_file(f, 3, "results/truncated.xml", "truncated.xml", NULL);
    add_file(f, 3, "results/index.html", "wrong-root.xml", NULL);
    add_file(f, 3, "results/empty.xml", "empty.xml", NULL);
    add_file(f, 3, "results/gone.xml", NULL, NULL);
    f->results[f->rep.total++] = NULL; /* 5: lost, nothing collected */
    add_shard(f, OUTCOME_PASSED);      /* 6: hostile and odd files */
    add_file(f, 5, "results/xxe.xml", "xxe.xml", NULL);
    add_file(f, 5, "results/xxe-param.xml", "xxe-param.xml", NULL);
    add_file(f, 5, "results/laughs.xml", "billion-laughs.xml", NULL);
    add_file(f, 5, "results/bytes.xml", "bad-bytes.xml", NULL);
    add_file(f, 5, "results/cdata.xml", "cdata.xml", NULL);
    add_file(f, 5, "results/odd.xml", "odd.xml", NULL);
    add_file(f, 5, "results/jest.xml", "jest.xml", NULL);
    add_file(f, 5, "results/latin1.xml", "latin1.xml", NULL);
    add_shard(f, OUTCOME_PASSED); /* 7: collected is set, but none for it */
    for (int i = 0; i < NSHARDS; i++)
        f->collected[i] = f->ncollected[i] ? f->files[i] : NULL;
    f->opt.collected = f->collected;
    f->opt.ncollected = f->ncollected;
}

/* Build f's report, check it is one well-formed document valid against the
 * schema, and return it parsed (and its text in *xml). */
static xmlDocPtr build_valid(struct fixture *f, char **xml)
{
    size_t len = 0;
    char *s = report_junit_build(&f->rep, &f->opt, &len);
    ck_assert_ptr_nonnull(s);
    xmlDocPtr doc = xmlReadMemory(s, (int)len, "report.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "the report is not well-formed");
    xmlSchemaPtr schema = load_schema();
    assert_valid(schema, doc, "the merged report");
    xmlSchemaFree(schema);
    *xml = s;
    return doc;
}

#define SHARD(n) "/testsuites/testsuite[@name='shard-" #n "']"

START_TEST(merged_report)
{
    struct fixture f;
    build_run(&f);
    stderr_to_file();
    char *xml;
    xmlDocPtr doc = build_valid(&f, &xml);
    stderr_assert_empty();

    /* 7 shard test cases; merged: 10 + 5 + 1 + 4 + 0 + 21 + 0 */
    xp_eq(doc, "/testsuites/@tests", "48");
    /* shard 2 failed; files: Playwright, pytest, Surefire, XXE, bytes,
     * cdata, odd, jest each have one failing test */
    xp_eq(doc, "/testsuites/@failures", "9");
    /* shard 5 lost; pytest's setup error; 1 + 4 + 1 collect errors */
    xp_eq(doc, "/testsuites/@errors", "8");
    xp_eq(doc, "/testsuites/@time", "12.500");
    assert_counts_consistent(doc);

    /* shard 1: its own test case first, then every collected one, in order */
    xp_eq(doc, SHARD(1) "/@tests", "11");
    xp_eq(doc, SHARD(1) "/@failures", "2");
    xp_eq(doc, SHARD(1) "/@errors", "1");
    xp_eq(doc, SHARD(1) "/@skipped", "3");
    xp_eq(doc, SHARD(1) "/@time", "1.500"); /* the shard's, not the tests' sum */
    xp_eq(doc, SHARD(1) "/testcase[1]/@name", "shard 1");
    xp_eq(doc, SHARD(1) "/testcase[2]/@name", "login \xe2\x80\xba accepts a valid password");
    xp_eq(doc, SHARD(1) "/testcase[2]/@classname", "login.spec.ts");
    xp_eq(doc, SHARD(1) "/testcase[2]/@time", "1.204");
    xp_eq(doc, SHARD(1) "/testcase[3]/failure/@type", "FAILURE");
    xp_eq(doc, SHARD(1) "/testcase[3]/failure/@message",
          "login.spec.ts:14:7 login \xe2\x80\xba rejects a wrong password");
    unit_assert_contains(xp_string(doc, SHARD(1) "/testcase[3]/failure"),
                         "Expected string: \"Wrong password\"\n");
    unit_assert_contains(xp_string(doc, SHARD(1) "/testcase[3]/system-out"),
                         "[[ATTACHMENT|test-results/login-rejects-chromium/test-failed-1.png]]");
    xp_num_eq(doc, "count(" SHARD(1) "/testcase[4]/skipped)", 1);
    xp_eq(doc, SHARD(1) "/testcase[4]/skipped", "");
    xp_eq(doc, SHARD(1) "/testcase[5]/@classname", "cart.spec.ts");
    xp_eq(doc, SHARD(1) "/testcase[5]/system-err", "\nwarning: slow network\n\n");
    /* Playwright's properties inside test cases are dropped */
    xp_num_eq(doc, "count(//testcase/properties)", 0);
    ck_assert_ptr_null(strstr(xml, "issue: https://example.com/issues/12"));
    /* pytest */
    xp_eq(doc, SHARD(1) "/testcase[6]/@name", "test_add");
    xp_eq(doc, SHARD(1) "/testcase[6]/@classname", "tests.test_math");
    xp_eq(doc, SHARD(1) "/testcase[8]/skipped/@type", "pytest.skip");
    xp_eq(doc, SHARD(1) "/testcase[8]/skipped/@message", "no GPU");
    xp_eq(doc, SHARD(1) "/testcase[8]/skipped", "/src/tests/test_gpu.py:4: no GPU");
    xp_eq(doc, SHARD(1) "/testcase[10]/error/@message",
          "failed on setup with \"fixture 'db' not found\"");
    xp_eq(doc, SHARD(1) "/testcase[11]/system-out", "hello <world> & all\n");

    /* shard 2: nested Surefire suites, flattened, classname from the
     * nearest suite when missing, reruns with their parts */
    xp_eq(doc, SHARD(2) "/@tests", "6");
    xp_eq(doc, SHARD(2) "/@failures", "2");
    xp_eq(doc, SHARD(2) "/@skipped", "1");
    xp_num_eq(doc, "count(" SHARD(2) "/testsuite)", 0);
    xp_eq(doc, SHARD(2) "/testcase[3]/@name", "parsesNested");
    xp_eq(doc, SHARD(2) "/testcase[3]/@time", "1001.500"); /* "1,001.5" */
    xp_eq(doc, SHARD(2) "/testcase[3]/rerunFailure/stackTrace",
          "at com.example.ParserTest.parsesNested(ParserTest.java:42)");
    xp_eq(doc, SHARD(2) "/testcase[3]/rerunFailure/system-out", "first try");
    xp_num_eq(doc, "count(" SHARD(2) "/testcase[3]/rerunFailure/text()[normalize-space()])", 0);
    xp_eq(doc, SHARD(2) "/testcase[4]/flakyFailure/system-err", "slow");
    xp_eq(doc, SHARD(2) "/testcase[4]/flakyError/@type", ""); /* required by the schema */
    xp_eq(doc, SHARD(2) "/testcase[4]/flakyError", "no type given");
    xp_eq(doc, SHARD(2) "/testcase[5]/@name", "lexesUmlauts");
    xp_eq(doc, SHARD(2) "/testcase[5]/@classname", "com.example.LexerTest$Unicode");

    /* shard 3: no file, so not a pass */
    xp_eq(doc, SHARD(3) "/@tests", "2");
    xp_eq(doc, SHARD(3) "/@errors", "1");
    xp_eq(doc, SHARD(3) "/testcase[2]/@name", "results/junit-3.xml");
    xp_eq(doc, SHARD(3) "/testcase[2]/@classname", "distmpi.collect");
    xp_eq(doc, SHARD(3) "/testcase[2]/error/@type", "collect_error");
    xp_eq(doc, SHARD(3) "/testcase[2]/error/@message", "no file matches results/junit-3.xml");

    /* shard 4: every broken file is an error entry, in order */
    xp_eq(doc, SHARD(4) "/@tests", "5");
    xp_eq(doc, SHARD(4) "/@errors", "4");
    xp_eq(doc, SHARD(4) "/testcase[2]/@name", "results/truncated.xml");
    unit_assert_prefix(xp_string(doc, SHARD(4) "/testcase[2]/error/@message"),
                       "not well-formed XML: line 4: ");
    xp_eq(doc, SHARD(4) "/testcase[3]/@name", "results/index.html");
    xp_eq(doc, SHARD(4) "/testcase[3]/error/@message",
          "root element is <html>, not <testsuites> or <testsuite>");
    xp_eq(doc, SHARD(4) "/testcase[4]/error/@message", "empty file");
    xp_eq(doc, SHARD(4) "/testcase[5]/@name", "results/gone.xml");
    xp_eq(doc, SHARD(4) "/testcase[5]/error/@message", "no copy of the file on rank 0");

    /* shard 5 (lost) and 7 (nothing collected): the shard alone */
    xp_eq(doc, SHARD(5) "/@tests", "1");
    xp_eq(doc, SHARD(5) "/@errors", "1");
    xp_eq(doc, SHARD(7) "/@tests", "1");
    xp_eq(doc, SHARD(7) "/@errors", "0");

    /* shard 6: XXE reads nothing, entities stay references */
    xp_eq(doc, SHARD(6) "/testcase[@name='steal']/failure", "leak: &e; end");
    xp_eq(doc, SHARD(6) "/testcase[@name='steal']/system-out", "&e;");
    xp_eq(doc, SHARD(6) "/testcase[@classname='xxe-param']/@name",
          "steal through a parameter entity");
    ck_assert_ptr_null(strstr(xml, "root:"));
    ck_assert_ptr_null(strstr(xml, "/bin/"));
    /* the billion laughs are refused, and laugh nowhere */
    xp_eq(doc, SHARD(6) "/testcase[@name='results/laughs.xml']/error/@type", "collect_error");
    unit_assert_prefix(
        xp_string(doc, SHARD(6) "/testcase[@name='results/laughs.xml']/error/@message"),
        "refused XML (entity expansion): ");
    ck_assert_ptr_null(strstr(xml, "lollol"));
    ck_assert_uint_lt(strlen(xml), 64 * 1024);
    /* raw control characters, invalid UTF-8, NUL and references to
     * forbidden characters became U+FFFD */
    xp_eq(doc, SHARD(6) "/testcase[@classname='bytes'][1]/@name", "ansi " R "[31mred" R "[0m");
    xp_eq(doc, SHARD(6) "/testcase[@classname='bytes'][1]/failure/@message", "bad " R " byte");
    xp_eq(doc, SHARD(6) "/testcase[@classname='bytes'][1]/failure",
          "raw: " R R R R R R "[1m bold " R "( cut " R R R " nul:" R ": ref:" R R R
          " ok: \xc3\xbc\xe2\x82\xac");
    /* CDATA and "]]>" survive as text, and the report has neither */
    xp_eq(doc, SHARD(6) "/testcase[@classname='cdata]]>']/@name", "ends with ]]>");
    xp_eq(doc, SHARD(6) "/testcase[@classname='cdata]]>']/failure",
          "before ]]> after <![CDATA[ inner & <tag>");
    xp_eq(doc, SHARD(6) "/testcase[@classname='cdata]]>']/failure/@message",
          "a ]]> b <![CDATA[x]]>");
    xp_eq(doc, SHARD(6) "/testcase[@classname='cdata]]>']/system-out", "text ]]> more cdata and &");
    xp_eq(doc, SHARD(6) "/testcase[@name='plain']/@classname", "cdata");
    ck_assert_ptr_null(strstr(xml, "<![CDATA["));
    ck_assert_ptr_null(strstr(xml, "]]>"));
    /* odd: times, names, classnames, dropped attributes and children */
    xp_eq(doc, SHARD(6) "/testcase[@name='no time']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='garbage time']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='negative time']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='not a number']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='infinite']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='hex']/@time", "0.000");
    xp_eq(doc, SHARD(6) "/testcase[@name='spaced']/@time", "2.500");
    xp_eq(doc, SHARD(6) "/testcase[@name='(unnamed)']/@time", "0.250");
    xp_eq(doc, SHARD(6) "/testcase[@name='no time']/@classname", "odd"); /* not the DTD's */
    xp_eq(doc, SHARD(6) "/testcase[@name='outside any suite']/@classname", "results/odd.xml");
    xp_eq(doc, SHARD(6) "/testcase[@name='&product; works']/failure", "the &product; really broke");
    xp_eq(doc, SHARD(6) "/testcase[@name='&product; works']/failure/@message", "&product; broke");
    xp_num_eq(doc, "count(" SHARD(6) "/testcase[@name='&product; works']/*)", 1);
    xp_num_eq(doc, "count(" SHARD(6) "/testcase[@name='&product; works']/failure/@*)", 2);
    xp_num_eq(doc, "count(" SHARD(6) "/testcase[@name='spaced']/@*)", 3);
    /* Latin-1 converted */
    xp_eq(doc, SHARD(6) "/testcase[@classname='caf\xc3\xa9']/@name",
          "Gr\xc3\xbc\xc3\x9f"
          "e");
    xp_eq(doc, SHARD(6) "/@tests", "22");

    xmlFreeDoc(doc);
    free(xml);
    done(&f);
}
END_TEST

/* Written to a file, the report is the same as built in memory. */
START_TEST(merged_report_file)
{
    struct fixture f;
    build_run(&f);
    char path[4096];
    unit_write_temp("", 0, path);
    ck_assert_int_eq(report_junit_write_opts(path, &f.rep, &f.opt, NULL), 0);
    char *file;
    size_t flen;
    ck_assert_int_eq(fs_read_file(path, 1 << 20, &file, &flen, NULL), 0);
    unlink(path);
    size_t len;
    char *mem = report_junit_build(&f.rep, &f.opt, &len);
    ck_assert_ptr_nonnull(mem);
    ck_assert_uint_eq(flen, len);
    ck_assert(!memcmp(file, mem, len));
    free(file);
    free(mem);
    done(&f);
}
END_TEST

/* Without collected files, or with an empty list, the report is the one
 * report_junit always wrote. */
START_TEST(nothing_collected)
{
    struct fixture f;
    build_run(&f);
    size_t plain_len, len;
    char *plain = report_junit_build(&f.rep, NULL, &plain_len);
    ck_assert_ptr_nonnull(plain);
    int zero[NSHARDS] = {0};
    f.opt.ncollected = zero;
    char *empty = report_junit_build(&f.rep, &f.opt, &len);
    ck_assert_ptr_nonnull(empty);
    ck_assert_str_eq(empty, plain);
    free(empty);
    f.opt.ncollected = NULL;
    empty = report_junit_build(&f.rep, &f.opt, &len);
    ck_assert_str_eq(empty, plain);
    free(empty);
    free(plain);
    done(&f);
}
END_TEST

/* ------------------------------------------------------------ big */

START_TEST(big_file)
{
    /* 20000 test cases of one suite, every 7th failing, every 11th skipped */
    size_t cap = 4 << 20, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    len += (size_t)snprintf(buf, cap, "<testsuites><testsuite name=\"big\">\n");
    long fails = 0, skips = 0;
    for (int i = 0; i < 20000; i++) {
        const char *inner = "";
        if (i % 7 == 0) {
            inner = "<failure message=\"m\">assert</failure>";
            fails++;
        } else if (i % 11 == 0) {
            inner = "<skipped/>";
            skips++;
        }
        len += (size_t)snprintf(buf + len, cap - len,
                                "<testcase name=\"test_%05d\" classname=\"big.Case\" "
                                "time=\"0.001\">%s</testcase>\n",
                                i, inner);
        ck_assert_uint_lt(len, cap - 64);
    }
    len += (size_t)snprintf(buf + len, cap - len, "</testsuite></testsuites>\n");
    char why[256];
    ck_assert_int_eq(junit_file_check(buf, len, why, sizeof why), 20000);

    char path[4096];
    unit_write_temp(buf, len, path);
    free(buf);
    struct fixture f;
    memset(&f, 0, sizeof f);
    f.rep.results = f.results;
    f.rep.duration = 3;
    add_shard(&f, OUTCOME_PASSED);
    f.files[0][0] = (struct collected_file){.name = "big.xml", .path = strdup(path)};
    f.ncollected[0] = 1;
    f.collected[0] = f.files[0];
    f.opt.collected = f.collected;
    f.opt.ncollected = f.ncollected;
    char *xml;
    xmlDocPtr doc = build_valid(&f, &xml);
    unlink(path);
    xp_num_eq(doc, "number(/testsuites/@tests)", 20001);
    xp_num_eq(doc, "number(/testsuites/@failures)", fails);
    xp_num_eq(doc, "number(//testsuite/@skipped)", skips);
    xp_eq(doc, "//testsuite/testcase[20001]/@name", "test_19999");
    assert_counts_consistent(doc);
    xmlFreeDoc(doc);
    free(xml);
    done(&f);
}
END_TEST

/* ------------------------------------------------------------ fuzz */

/* Random damage to every sample: check and merge agree, never crash, say
 * why in one line, print nothing, and what merges validates. */
START_TEST(fuzz)
{
    static const char *const inserts[] = {"<",
                                          ">",
                                          "&",
                                          "]]>",
                                          "<![CDATA[",
                                          "\x00",
                                          "\xff",
                                          "\xc3",
                                          "\x1b[31m",
                                          "&#0;",
                                          "&#x1b;",
                                          "<testcase>",
                                          "</testsuite>",
                                          "<testcase name='x' time='1e9999'>",
                                          "<!--",
                                          "<?x ?>",
                                          "\"",
                                          "&lt",
                                          "<failure/>",
                                          "<testsuite name=\"n\" tests=\"1\">",
                                          "<!DOCTYPE x [<!ENTITY a 'b'>]>"};
    unsigned long long st = 0x6a756e6974ULL;
    xmlSchemaPtr schema = load_schema();
    stderr_to_file();
    int merged = 0, refused = 0;
    for (size_t s = 0; s < NSAMPLES; s++) {
        size_t len;
        char *orig = read_sample(samples[s].file, &len);
        char *buf = malloc(len + 4096);
        ck_assert_ptr_nonnull(buf);
        for (int round = 0; round < 120; round++) {
            memcpy(buf, orig, len);
            size_t n = len;
            int edits = (int)unit_rand_range(&st, 1, 4);
            for (int e = 0; e < edits; e++) {
                size_t at = n ? (size_t)unit_rand_range(&st, 0, (long)n - 1) : 0;
                switch (unit_rand_range(&st, 0, 3)) {
                case 0: /* truncate */
                    n = at;
                    break;
                case 1: /* flip a byte */
                    if (n)
                        buf[at] = (char)unit_rand_range(&st, 0, 255);
                    break;
                case 2: { /* insert something nasty */
                    const char *ins = inserts[unit_rand_range(
                        &st, 0, (long)(sizeof inserts / sizeof inserts[0]) - 1)];
                    size_t il = *ins ? strlen(ins) : 1;
                    if (n + il < len + 4096) {
                        memmove(buf + at + il, buf + at, n - at);
                        memcpy(buf + at, ins, il);
                        n += il;
                    }
                    break;
                }
                default: /* delete a span */
                    if (n) {
                        size_t k = (size_t)unit_rand_range(&st, 1, 40);
                        if (at + k > n)
                            k = n - at;
                        memmove(buf + at, buf + at + k, n - at - k);
                        n -= k;
                    }
                    break;
                }
            }
            char why1[512], why2[512];
            int c = junit_file_check(buf, n, why1, sizeof why1);
            xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
            xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "testsuites", NULL);
            xmlDocSetRootElement(doc, root);
            xmlNodePtr suite = xmlNewChild(root, NULL, BAD_CAST "testsuite", NULL);
            struct junit_counts k = {0};
            int m = junit_merge_buffer(suite, buf, n, "fuzz.xml", &k, why2, sizeof why2);
            unit_require(c == m, "%s round %d: check says %d (%s), merge %d (%s)", samples[s].file,
                         round, c, why1, m, why2);
            unit_require(!strcmp(why1, why2), "%s round %d: '%s' vs '%s'", samples[s].file, round,
                         why1, why2);
            unit_require(!strchr(why1, '\n'), "reason of several lines: %s", why1);
            if (m < 0) {
                unit_require(*why1, "%s round %d: refused without a reason", samples[s].file,
                             round);
                refused++;
                unit_require(junit_merge_error(suite, "fuzz.xml", why2, &k) == 0, "merge_error");
            } else {
                merged++;
                unit_require(k.tests == m, "%ld tests counted, %d merged", k.tests, m);
            }
            char num[32];
            xmlNewProp(suite, BAD_CAST "name", BAD_CAST "fuzz");
            snprintf(num, sizeof num, "%ld", k.tests);
            xmlNewProp(suite, BAD_CAST "tests", BAD_CAST num);
            snprintf(num, sizeof num, "%ld", k.failures);
            xmlNewProp(suite, BAD_CAST "failures", BAD_CAST num);
            snprintf(num, sizeof num, "%ld", k.errors);
            xmlNewProp(suite, BAD_CAST "errors", BAD_CAST num);
            snprintf(num, sizeof num, "%ld", k.skipped);
            xmlNewProp(suite, BAD_CAST "skipped", BAD_CAST num);
            assert_valid(schema, doc, samples[s].file);
            unit_require(xp_number(doc, "count(//testcase)") == (double)k.tests,
                         "%s round %d: test cases and count differ", samples[s].file, round);
            xmlFreeDoc(doc);
        }
        free(buf);
        free(orig);
    }
    stderr_assert_empty();
    xmlSchemaFree(schema);
    /* the damage must sometimes be survivable and sometimes not */
    ck_assert_int_gt(merged, 50);
    ck_assert_int_gt(refused, 100);
}
END_TEST

/* ------------------------------------------------------------ out of memory */

/* Fail libxml2's allocation numbered xml_fail_at (counted from 0; -1:
 * none), and every one after it while xml_fail_all is set. */
static long xml_calls, xml_fail_at = -1;
static int xml_fail_all;

static int xml_should_fail(void)
{
    long n = xml_calls++;
    return xml_fail_at >= 0 && (n == xml_fail_at || (xml_fail_all && n > xml_fail_at));
}

/* Whatever libxml2 allocation fails while the report merges the collected
 * files, the report is either the one built without failures, byte for
 * byte, or no report (ENOMEM): never one with a file or test case missing. */
START_TEST(merge_out_of_memory)
{
    struct fixture f;
    build_run(&f);
    size_t good_len;
    char *good = report_junit_build(&f.rep, &f.opt, &good_len);
    ck_assert_ptr_nonnull(good);
    junit_xml_fail_when(xml_should_fail);
    xml_calls = 0;
    char *again = report_junit_build(&f.rep, &f.opt, NULL);
    long calls = xml_calls;
    ck_assert_ptr_nonnull(again);
    ck_assert_str_eq(again, good);
    free(again);
    long failed = 0;
    for (int all = 0; all < 2; all++) {
        for (long at = 0; at < calls; at += 1 + at / 400) {
            xml_calls = 0;
            xml_fail_at = at;
            xml_fail_all = all;
            errno = 0;
            size_t len = 0;
            char *s = report_junit_build(&f.rep, &f.opt, &len);
            xml_fail_at = -1;
            if (!s) {
                unit_require(errno == ENOMEM, "allocation %ld failed: no report, errno %d", at,
                             errno);
                failed++;
                continue;
            }
            unit_require(len == good_len && !memcmp(s, good, len),
                         "allocation %ld of %ld failed%s: a report that differs", at, calls,
                         all ? " (and all after it)" : "");
            free(s);
        }
    }
    ck_assert_int_gt(failed, 0);
    free(good);
    done(&f);
}
END_TEST

/* The same for the report written to a file: the file is the good report,
 * or it is not there and the error says why. */
START_TEST(write_out_of_memory)
{
    struct fixture f;
    build_run(&f);
    size_t good_len;
    char *good = report_junit_build(&f.rep, &f.opt, &good_len);
    ck_assert_ptr_nonnull(good);
    char dir[] = "/tmp/distmpi-junit-oom.XXXXXX", path[sizeof dir + 16];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.xml", dir);
    junit_xml_fail_when(xml_should_fail);
    xml_calls = 0;
    struct error werr;
    ck_assert_int_eq(report_junit_write_opts(path, &f.rep, &f.opt, &werr), 0);
    long calls = xml_calls, failed = 0;
    for (long at = 0; at < calls; at += 1 + at / 200) {
        unlink(path);
        xml_calls = 0;
        xml_fail_at = at;
        werr.text[0] = '\0';
        int rc = report_junit_write_opts(path, &f.rep, &f.opt, &werr);
        xml_fail_at = -1;
        struct stat st;
        if (rc < 0) {
            unit_require(strstr(werr.text, "memory") != NULL, "allocation %ld: %s", at, werr.text);
            unit_require(stat(path, &st) < 0, "allocation %ld: a report left behind", at);
            failed++;
            continue;
        }
        char *file;
        size_t flen;
        struct error rerr;
        unit_require(fs_read_file(path, 1 << 20, &file, &flen, &rerr) == 0, "%s", rerr.text);
        unit_require(flen == good_len && !memcmp(file, good, flen),
                     "allocation %ld of %ld failed: a report that differs", at, calls);
        free(file);
    }
    ck_assert_int_gt(failed, 0);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
    free(good);
    done(&f);
}
END_TEST

static Suite *junit_merge_suite(void)
{
    Suite *s = suite_create("junit_merge");
    TCase *tc = tcase_create("check");
    tcase_add_test(tc, check_samples);
    tcase_add_test(tc, check_buffers);
    tcase_add_test(tc, check_quiet);
    tcase_add_test(tc, check_limits);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge");
    tcase_add_test(tc, merge_api);
    tcase_add_test(tc, each_case);
    tcase_add_test(tc, merged_report);
    tcase_add_test(tc, merged_report_file);
    tcase_add_test(tc, nothing_collected);
    tcase_add_test(tc, big_file);
    tcase_add_test(tc, fuzz);
    tcase_add_test(tc, merge_out_of_memory);
    tcase_add_test(tc, write_out_of_memory);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    xmlInitParser();
    int rc = unit_run(junit_merge_suite());
    xmlCleanupParser();
    return rc;
}
