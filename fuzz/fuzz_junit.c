/* fuzz_junit.c - libFuzzer harness for the test tool's JUnit files
 * (junit_merge.h): junit_file_check and junit_merge_buffer into a fresh
 * <testsuite> on arbitrary bytes, the merged report serialized and parsed
 * again strictly, and junit_merge_error with arbitrary names and reasons. */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "junit_merge.h"

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
    if (merged < 0) {
        /* the stand-in for an unusable file, with the fuzz bytes as its
         * name and reason */
        char *text = malloc(size + 1);
        if (!text)
            abort();
        memcpy(text, buf, size);
        text[size] = '\0';
        size_t half = strlen(text) / 2;
        char *name = strndup(text, half);
        if (!name)
            abort();
        junit_merge_error(suite, name, text + half, &counts);
        free(name);
        free(text);
    }

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
