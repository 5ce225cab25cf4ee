/* SPDX-License-Identifier: BSD-3-Clause */
/* junit_xml.c - XML text, libxml2's counted allocations and the streaming
 * writer shared by the JUnit report and the merge (junit_xml.h). */
#include "config.h"

#include "report/junit_xml.h"

#include "common/utf8.h"

#include <errno.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ clean text */

/* The length of the valid UTF-8 sequence at s (n bytes left) that encodes a
 * character XML 1.0 allows, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
    size_t len = utf8_char_len((const char *)s, n);
    if (len == 1)
        return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' ? 1 : 0;
    /* U+FFFE and U+FFFF are valid UTF-8 but not XML characters */
    if (len == 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
        return 0;
    return len;
}

char *junit_clean_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (n > (((size_t)-1) - 1) / 3)
        return NULL;
    char *out = malloc(3 * n + 1); /* a byte becomes at most 3 */
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t len = xml_char_len(p + i, n - i);
        if (len) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

/* ------------------------------------------------------------ allocation */

/* libxml2's allocator hooks take no context, so the count is process-wide;
 * only rank 0's main thread uses libxml2. */
static _Atomic unsigned long xml_failures;
static int (*_Atomic xml_should_fail)(void);

/* Whether the test hook wants this allocation to fail. */
static int xml_injected(void)
{
    int (*f)(void) = xml_should_fail;
    return f && f();
}

static void *xml_malloc(size_t n)
{
    void *p = xml_injected() ? NULL : malloc(n);
    if (!p)
        xml_failures++;
    return p;
}

static void *xml_realloc(void *old, size_t n)
{
    void *p = xml_injected() ? NULL : realloc(old, n);
    if (!p)
        xml_failures++;
    return p;
}

static char *xml_strdup(const char *str)
{
    char *p = xml_injected() ? NULL : strdup(str);
    if (!p)
        xml_failures++;
    return p;
}

void junit_xml_setup(void)
{
    xmlFreeFunc f;
    xmlMallocFunc m;
    xmlReallocFunc r;
    xmlStrdupFunc d;
    if (xmlMemGet(&f, &m, &r, &d) == 0 && m == xml_malloc)
        return;
    xmlMemSetup(free, xml_malloc, xml_realloc, xml_strdup);
}

unsigned long junit_xml_failures(void)
{
    return xml_failures;
}

void junit_xml_fail_when(int (*should_fail)(void))
{
    junit_xml_setup();
    xml_should_fail = should_fail;
}

/* ------------------------------------------------------------ the writer */

/* Deeper than any JUnit document the report writes (testsuites, testsuite,
 * testcase, rerunFailure, stackTrace). */
#define MAX_DEPTH 16

/* How an open element's content is laid out, as xmlSaveDoc decides it. */
enum layout {
    LAYOUT_EMPTY,    /* no content yet */
    LAYOUT_INDENTED, /* elements only, each on a line of its own */
    LAYOUT_INLINE,   /* text, or below such an element: as it comes */
};

struct xml_writer {
    xmlTextWriterPtr tw;
    xml_sink_fn sink;
    void *ctx;
    int sink_errno;           /* the sink's errno when it failed, else 0 */
    unsigned long xml_failed; /* junit_xml_failures() at creation */
    bool failed;
    bool discard; /* being destroyed: nothing more reaches the sink */
    int depth;    /* open elements */
    struct {
        enum layout layout;
        bool may_indent; /* xmlSaveDoc would indent its children */
    } open[MAX_DEPTH];
};

static int io_write(void *ctx, const char *data, int len)
{
    struct xml_writer *w = ctx;
    if (w->discard)
        return len;
    if (len > 0 && w->sink(w->ctx, data, (size_t)len) < 0) {
        w->sink_errno = errno ? errno : EIO;
        return -1;
    }
    return len;
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Record a failure of libxml2 (rc < 0): the sink's, or else out of memory
 * (the writer fails on nothing else here). Returns 0, or -1 with errno
 * set. */
static int check(struct xml_writer *w, int rc)
{
    if (rc >= 0)
        return 0;
    w->failed = true;
    errno = w->sink_errno ? w->sink_errno : ENOMEM;
    return -1;
}

static int fail(struct xml_writer *w, int err)
{
    w->failed = true;
    errno = err;
    return -1;
}

struct xml_writer *xml_writer_create(xml_sink_fn sink, void *ctx)
{
    junit_xml_setup();
    struct xml_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->sink = sink;
    w->ctx = ctx;
    w->xml_failed = junit_xml_failures();
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(io_write, io_close, w, NULL);
    w->tw = out ? xmlNewTextWriter(out) : NULL;
    if (!w->tw) {
        xmlOutputBufferClose(out);
        free(w);
        errno = ENOMEM;
        return NULL;
    }
    if (xmlTextWriterStartDocument(w->tw, "1.0", "UTF-8", NULL) < 0) {
        xml_writer_destroy(w);
        errno = ENOMEM;
        return NULL;
    }
    return w;
}

/* Write n bytes as they are (markup or escaped text). */
static int raw(struct xml_writer *w, const char *s, size_t n)
{
    if (!n)
        return 0;
    return check(w, xmlTextWriterWriteRawLen(w->tw, BAD_CAST s, (int)n));
}

/* A newline and the indentation of level. */
static int newline(struct xml_writer *w, int level)
{
    static const char spaces[] = "\n                                ";
    size_t n = 1 + 2 * (size_t)level;
    return n < sizeof spaces ? raw(w, spaces, n) : fail(w, EINVAL);
}

/* s escaped: & < > always; " and tab, newline, carriage return as an
 * attribute has them, carriage return alone in text (as xmlSaveDoc). Long
 * texts go out in runs, never copied whole. */
static int escaped(struct xml_writer *w, const char *s, bool attribute)
{
    const char *special = attribute ? "&<>\"\t\n\r" : "&<>\r";
    while (*s) {
        size_t run = strcspn(s, special);
        while (run > 0) { /* xmlTextWriterWriteRawLen takes an int */
            size_t n = run > (1u << 30) ? (1u << 30) : run;
            if (raw(w, s, n) < 0)
                return -1;
            s += n;
            run -= n;
        }
        if (!*s)
            break;
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\t' ? "&#9;"
                        : *s == '\n' ? "&#10;"
                                     : "&#13;";
        if (raw(w, e, strlen(e)) < 0)
            return -1;
        s++;
    }
    return 0;
}

int xml_writer_start(struct xml_writer *w, const char *name)
{
    if (w->failed)
        return fail(w, EIO);
    if (w->depth == MAX_DEPTH)
        return fail(w, EINVAL);
    bool may_indent = true;
    if (w->depth > 0) {
        int p = w->depth - 1;
        if (w->open[p].layout == LAYOUT_EMPTY)
            w->open[p].layout = w->open[p].may_indent ? LAYOUT_INDENTED : LAYOUT_INLINE;
        may_indent = w->open[p].layout == LAYOUT_INDENTED;
        if (may_indent && newline(w, w->depth) < 0)
            return -1;
    }
    if (check(w, xmlTextWriterStartElement(w->tw, BAD_CAST name)) < 0)
        return -1;
    w->open[w->depth].layout = LAYOUT_EMPTY;
    w->open[w->depth].may_indent = may_indent;
    w->depth++;
    return 0;
}

int xml_writer_attr(struct xml_writer *w, const char *name, const char *value)
{
    if (w->failed)
        return fail(w, EIO);
    if (check(w, xmlTextWriterStartAttribute(w->tw, BAD_CAST name)) < 0 ||
        escaped(w, value, true) < 0 || check(w, xmlTextWriterEndAttribute(w->tw)) < 0)
        return -1;
    return 0;
}

int xml_writer_text(struct xml_writer *w, const char *text)
{
    if (w->failed)
        return fail(w, EIO);
    if (!*text)
        return 0;
    if (w->depth == 0)
        return fail(w, EINVAL);
    w->open[w->depth - 1].layout = LAYOUT_INLINE;
    return escaped(w, text, false);
}

int xml_writer_end(struct xml_writer *w)
{
    if (w->failed)
        return fail(w, EIO);
    if (w->depth == 0)
        return fail(w, EINVAL);
    w->depth--;
    if (w->open[w->depth].layout == LAYOUT_INDENTED && newline(w, w->depth) < 0)
        return -1;
    return check(w, xmlTextWriterEndElement(w->tw));
}

int xml_writer_finish(struct xml_writer *w)
{
    while (!w->failed && w->depth > 0)
        xml_writer_end(w);
    /* xmlTextWriterEndDocument ends the document with a newline, as
     * xmlSaveDoc does */
    if (!w->failed)
        check(w, xmlTextWriterEndDocument(w->tw));
    if (!w->failed)
        check(w, xmlTextWriterFlush(w->tw));
    if (w->sink_errno)
        return fail(w, w->sink_errno);
    if (junit_xml_failures() != w->xml_failed)
        return fail(w, ENOMEM); /* cut short where libxml2 ran out of memory */
    if (w->failed)
        return fail(w, ENOMEM);
    return 0;
}

bool xml_writer_failed(const struct xml_writer *w)
{
    return w->failed || w->sink_errno || junit_xml_failures() != w->xml_failed;
}

void xml_writer_destroy(struct xml_writer *w)
{
    if (!w)
        return;
    int saved = errno;
    w->discard = true; /* what is left in libxml2's buffer goes nowhere */
    xmlFreeTextWriter(w->tw);
    free(w);
    errno = saved;
}
