/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_junit.c - libFuzzer harness for the test tool's JUnit files
 * (junit_merge.h): junit_file_check and junit_merge_buffer into a fresh
 * <testsuite> on arbitrary bytes, the merged report serialized and parsed
 * again strictly, and junit_merge_error with arbitrary names and reasons;
 * the same merge streamed through the report's writer (junit_xml.h) gives
 * the very bytes libxml2 writes for the tree; junit_each_case, the reader
 * of the verdicts and retries, gives the cases the merge appends. */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "report/junit_merge.h"
#include "report/junit_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

/* libxml2's messages about the strict re-parse are not wanted on stderr. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int to_buf(void *ctx, const char *data, size_t len)
{
    return buf_add(ctx, data, len);
}

/* The merge of buf streamed through a writer, into a <testsuite> of its
 * own, as the report writes it; when the tree merge refused the file
 * (usable 0), only the same stand-in: a refused file is not parsed a
 * fourth time (one with nested entities takes libxml2 seconds a parse).
 * Returns the document (heap), or NULL out of memory. */
static char *streamed(const char *buf, size_t size, int usable, const char *name,
                      const char *why_name, const char *why_text, size_t *len)
{
    struct buf out = BUF_INIT;
    struct xml_writer *w = xml_writer_create(to_buf, &out);
    if (!w)
        return NULL;
    char why[256];
    xml_writer_start(w, "testsuite");
    int merged = usable ? junit_merge_write_buffer(w, buf, size, name, NULL, why, sizeof why) : -1;
    if (merged == -1)
        junit_merge_write_error(w, why_name, why_text, NULL);
    int rc = xml_writer_finish(w);
    xml_writer_destroy(w);
    char *s = rc == 0 ? buf_take(&out, len) : NULL;
    buf_free(&out);
    return s;
}

/* What junit_each_case gave: the cases' names and own classnames (NULL
 * when the case has none), in document order. */
struct cases {
    long n, cap;
    char **name, **classname;
};

static int note_case(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    struct cases *cs = arg;
    /* reading: no writer, and names and classnames are clean text */
    if (w || !c->name || !c->classname || !xmlCheckUTF8((const xmlChar *)c->name) ||
        !xmlCheckUTF8((const xmlChar *)c->classname))
        abort();
    if (cs->n == cs->cap) {
        long cap = cs->cap ? cs->cap * 2 : 16;
        char **name = realloc(cs->name, (size_t)cap * sizeof *name);
        if (name)
            cs->name = name;
        char **classname = realloc(cs->classname, (size_t)cap * sizeof *classname);
        if (classname)
            cs->classname = classname;
        if (!name || !classname)
            abort();
        cs->cap = cap;
    }
    cs->name[cs->n] = strdup(c->name);
    cs->classname[cs->n] = c->has_classname ? strdup(c->classname) : NULL;
    if (!cs->name[cs->n] || (c->has_classname && !cs->classname[cs->n]))
        abort();
    cs->n++;
    return 0;
}

/* The test cases the merge appended to suite are those junit_each_case
 * gave, with the same names and, where a case has its own, classnames. */
static void same_cases(xmlNodePtr suite, struct cases *cs, int merged)
{
    long k = 0;
    for (xmlNodePtr c = suite->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (k == cs->n || strcmp((const char *)c->name, "testcase"))
            abort();
        xmlChar *name = xmlGetProp(c, BAD_CAST "name");
        xmlChar *classname = xmlGetProp(c, BAD_CAST "classname");
        if (!name || strcmp((const char *)name, cs->name[k]) ||
            (cs->classname[k] && (!classname || strcmp((const char *)classname, cs->classname[k]))))
            abort();
        xmlFree(name);
        xmlFree(classname);
        k++;
    }
    if (k != cs->n || k != merged)
        abort();
}

static void free_cases(struct cases *cs)
{
    for (long i = 0; i < cs->n; i++) {
        free(cs->name[i]);
        free(cs->classname[i]);
    }
    free(cs->name);
    free(cs->classname);
}

/* A reason is one line of valid text, ending with a NUL inside whylen. */
static void check_why(const char *why, size_t whylen)
{
    if (strnlen(why, whylen) == whylen || strchr(why, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: the parser must not read past len */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    char why[256];
    int checked = junit_file_check(buf, size, why, sizeof why);
    check_why(why, sizeof why);
    char tiny[7]; /* reasons are cut at a character boundary */
    junit_file_check(buf, size, tiny, sizeof tiny);
    check_why(tiny, sizeof tiny);

    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr suite = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "testsuite", NULL) : NULL;
    if (!suite)
        abort();
    xmlDocSetRootElement(doc, suite);
    struct junit_counts counts = {0};
    int merged = junit_merge_buffer(suite, buf, size, "junit-<1>&.xml", &counts, why, sizeof why);
    check_why(why, sizeof why);
    /* the check and the merge agree on what the file is */
    if ((checked < 0) != (merged < 0) || (merged >= 0 && merged != checked))
        abort();
    if (merged >= 0 &&
        (counts.tests != merged || counts.failures + counts.errors + counts.skipped > counts.tests))
        abort();
    /* the reader of test cases parses as the merge does: the same cases,
     * or unusable too */
    struct cases cs = {0};
    int each = junit_each_case(buf, size, note_case, &cs, why, sizeof why);
    check_why(why, sizeof why);
    if (each != -2 && merged != -2) {
        if (each != merged || (each >= 0 && each != cs.n))
            abort();
        if (merged >= 0)
            same_cases(suite, &cs, merged);
    }
    free_cases(&cs);
    /* the stand-in for an unusable file, with the fuzz bytes as its name
     * and reason */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, buf, size);
    text[size] = '\0';
    size_t half = strlen(text) / 2;
    char *name = strndup(text, half);
    if (!name)
        abort();
    if (merged < 0)
        junit_merge_error(suite, name, text + half, &counts);

    /* streamed, the same bytes as the tree written with libxml2's own
     * formatting */
    size_t slen = 0;
    char *s = streamed(buf, size, merged >= 0, "junit-<1>&.xml", name, text + half, &slen);
    xmlChar *fmt = NULL;
    int fmtlen = 0;
    xmlDocDumpFormatMemoryEnc(doc, &fmt, &fmtlen, "UTF-8", 1);
    if (!s || !fmt || slen != (size_t)fmtlen || memcmp(s, fmt, slen))
        abort();
    free(s);
    xmlFree(fmt);
    free(name);
    free(text);

    /* whatever the file held, the report is well-formed XML */
    xmlChar *out = NULL;
    int outlen = 0;
    xmlDocDumpMemoryEnc(doc, &out, &outlen, "UTF-8");
    if (!out)
        abort();
    xmlGenericErrorFunc saved = xmlGenericError;
    void *saved_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlDocPtr again = xmlReadMemory((const char *)out, outlen, "report.xml", NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlSetGenericErrorFunc(saved_ctx, saved);
    if (!again)
        abort();
    xmlFreeDoc(again);
    xmlFree(out);
    xmlFreeDoc(doc);
    free(buf);
    return 0;
}
