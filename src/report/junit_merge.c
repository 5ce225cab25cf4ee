/* SPDX-License-Identifier: BSD-3-Clause */
/* junit_merge.c - the test tool's JUnit files checked and merged into the
 * --junit report, parsed with libxml2 without ever loading or expanding an
 * entity (contract in junit_merge.h). */
#include "config.h"

#include "report/junit_merge.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/utf8.h"
#include "report/junit_xml.h"

/* No network, no libxml2 output of its own. Deliberately absent: NOENT and
 * DTDLOAD/DTDATTR/DTDVALID (they would load external entities and DTDs:
 * XXE) and HUGE (it lifts the limits on depth and entity amplification). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

#define MERGE_NOMEM (-2)

static void set_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format a reason into why: valid UTF-8 whatever the file held (reasons
 * quote element names and end up in JSON and on terminals), cut at the
 * start of a character when whylen is short. */
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || !whylen)
        return;
    char raw[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char *clean = junit_clean_text(raw);
    const char *s = clean ? clean : "out of memory";
    size_t n = utf8_fit(s, strlen(s), whylen - 1);
    memcpy(why, s, n);
    why[n] = '\0';
    free(clean);
}

/* ------------------------------------------------------------ text */

/* The text, cleaned for XML 1.0, in a new heap string; NULL on ENOMEM. */
static char *text_clean(const struct buf *t)
{
    return t->failed ? NULL : junit_clean_text(buf_str(t));
}

/* Append the character data of the nodes from n on: text and CDATA, the
 * content of elements, recursively when deep, and an entity reference as
 * the literal "&name;". Never the entity's value: following references is
 * what lets a few hundred bytes of entities expand to gigabytes. */
static void gather(struct buf *t, xmlNodePtr n, int deep)
{
    for (; n && !t->failed; n = n->next) {
        switch (n->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (n->content)
                buf_addstr(t, (const char *)n->content);
            break;
        case XML_ENTITY_REF_NODE:
            buf_printf(t, "&%s;", (const char *)n->name);
            break;
        case XML_ELEMENT_NODE:
            if (deep)
                gather(t, n->children, deep);
            break;
        default: /* comments, processing instructions */
            break;
        }
    }
}

/* ------------------------------------------------------------ parsing */

struct capture {
    int set, code, line;
    int oom; /* libxml2 ran out of memory, whatever error came first */
    char msg[240];
};

#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlError *error_ptr;
#endif

/* libxml2's structured error handler for one parser context: keep the
 * first error (later ones are mostly consequences), print nothing. */
static void on_error(void *data, error_ptr e)
{
    xmlParserCtxtPtr ctxt = data;
    struct capture *cap = ctxt ? ctxt->_private : NULL;
    if (cap && e && e->code == XML_ERR_NO_MEMORY)
        cap->oom = 1;
    if (!cap || !e || cap->set || e->level < XML_ERR_ERROR)
        return;
    cap->set = 1;
    cap->code = e->code;
    cap->line = e->line;
    /* one line: libxml2's messages end with a newline and may hold several */
    size_t o = 0;
    for (const char *p = e->message ? e->message : ""; *p && o + 1 < sizeof cap->msg; p++) {
        char c = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
        if (c == ' ' && (o == 0 || cap->msg[o - 1] == ' '))
            continue;
        cap->msg[o++] = c;
    }
    while (o > 0 && cap->msg[o - 1] == ' ')
        o--;
    cap->msg[o] = '\0';
}

/* Where libxml2's errors that belong to no parser context go while we
 * parse: nowhere. The conversion from a declared encoding (ISO-2022-JP
 * with bytes it cannot have) reports through the generic handler, which
 * prints on stderr; the parser's own error follows and is the reason. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* Parse len bytes of buf once. Returns the document, or NULL with the
 * first error in *cap (cap->code XML_ERR_NO_MEMORY when out of memory). */
static xmlDocPtr parse_once(const char *buf, size_t len, struct capture *cap)
{
    memset(cap, 0, sizeof *cap);
    junit_xml_setup();
    unsigned long xml_failed = junit_xml_failures();
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        cap->set = 1;
        cap->code = XML_ERR_NO_MEMORY;
        return NULL;
    }
    ctxt->_private = cap;
    ctxt->sax->serror = on_error; /* this context's own copy of the handler */
    /* libxml2's handlers are per thread: replaced for this parse only */
    xmlGenericErrorFunc generic = xmlGenericError;
    void *generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc structured = xmlStructuredError;
    void *structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL, PARSE_OPTIONS);
    xmlSetStructuredErrorFunc(structured_ctx, structured);
    xmlSetGenericErrorFunc(generic_ctx, generic);
    /* out of memory, libxml2 2.9 may still return a document, with what it
     * could not allocate left out (an attribute's value, say), or fail
     * without an error (when it cannot set up its input): either way the
     * file was not read, and "not well-formed" would be wrong */
    if (cap->oom || ctxt->errNo == XML_ERR_NO_MEMORY || junit_xml_failures() != xml_failed) {
        xmlFreeDoc(doc);
        doc = NULL;
        cap->set = 1;
        cap->code = XML_ERR_NO_MEMORY;
    }
    if (!doc && !cap->set) {
        cap->set = 1;
        cap->code = ctxt->errNo ? ctxt->errNo : XML_ERR_INTERNAL_ERROR;
        cap->line = ctxt->input ? ctxt->input->line : 0;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

/* Whether buf is, or declares itself, UTF-8 (or ASCII): only then can its
 * bytes be repaired as UTF-8. */
static int is_utf8(const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3;
        len -= 3;
    }
    for (size_t i = 0; i < len && i < 4; i++)
        if (p[i] == 0 || p[i] == 0xFE || p[i] == 0xFF)
            return 0; /* UTF-16 or UTF-32 */
    if (len < 5 || memcmp(p, "<?xml", 5))
        return 1;
    size_t end = 5;
    while (end + 1 < len && end < 512 && !(p[end] == '?' && p[end + 1] == '>'))
        end++;
    const char *decl = (const char *)p;
    for (size_t i = 5; i + 8 <= end; i++) {
        if (memcmp(decl + i, "encoding", 8))
            continue;
        size_t j = i + 8;
        while (j < end && (decl[j] == ' ' || decl[j] == '\t' || decl[j] == '\r' ||
                           decl[j] == '\n' || decl[j] == '='))
            j++;
        if (j < end && (decl[j] == '"' || decl[j] == '\''))
            j++;
        return (j + 5 <= end && !strncasecmp(decl + j, "utf-8", 5)) ||
               (j + 4 <= end && !strncasecmp(decl + j, "utf8", 4)) ||
               (j + 8 <= end && !strncasecmp(decl + j, "us-ascii", 8));
    }
    return 1;
}

static int xml_char_ok(unsigned long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* A copy of buf in which NUL bytes and character references to characters
 * XML forbids ("&#27;", "&#x1b;") are U+FFFD, and then (junit_clean_text)
 * invalid UTF-8 and control characters too. NULL on ENOMEM. */
static char *repair(const char *buf, size_t len)
{
    char *tmp = malloc(len + 1);
    if (!tmp)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (buf[i] == '&' && i + 2 < len && buf[i + 1] == '#') {
            size_t j = i + 2;
            int hex = j < len && buf[j] == 'x';
            j += (size_t)hex;
            unsigned long v = 0;
            size_t digits = 0;
            for (; j < len && digits < 9; j++, digits++) {
                char c = buf[j];
                int d = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0)
                    break;
                v = v * (hex ? 16 : 10) + (unsigned long)d;
            }
            if (digits > 0 && j < len && buf[j] == ';' && !xml_char_ok(v)) {
                memcpy(tmp + o, "\xEF\xBF\xBD", 3); /* never longer than "&#N;" */
                o += 3;
                i = j + 1;
                continue;
            }
        }
        tmp[o++] = buf[i] ? buf[i] : '\x01'; /* cleaned to U+FFFD below */
        i++;
    }
    tmp[o] = '\0';
    char *clean = junit_clean_text(tmp);
    free(tmp);
    return clean;
}

/* Whether e is the element called name (namespace ignored). */
static int is_elem(xmlNodePtr e, const char *name)
{
    return e && e->type == XML_ELEMENT_NODE && e->name && !strcmp((const char *)e->name, name);
}

/* Parse buf into *doc: 0, -1 with why (unusable), or MERGE_NOMEM. *repaired
 * tells whether invalid characters had to be replaced. */
static int parse(const char *buf, size_t len, xmlDocPtr *doc, int *repaired, char *why,
                 size_t whylen)
{
    *doc = NULL;
    *repaired = 0;
    if ((unsigned long long)len > (unsigned long long)JUNIT_MERGE_MAX_BYTES) {
        set_why(why, whylen, "larger than %ld MiB (%zu bytes)", JUNIT_MERGE_MAX_BYTES >> 20, len);
        return -1;
    }
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (i == len) {
        set_why(why, whylen, "empty file");
        return -1;
    }
    struct capture cap;
    xmlDocPtr d = parse_once(buf, len, &cap);
    /* libxml2 reports such characters under several codes (in CDATA:
     * none of its own), so try again whenever there is something to
     * repair; if that fails too, its error is the one that remains */
    if (!d && cap.code != XML_ERR_NO_MEMORY && is_utf8(buf, len)) {
        char *fixed = repair(buf, len);
        if (!fixed)
            return MERGE_NOMEM;
        size_t flen = strlen(fixed);
        if (flen != len || memcmp(fixed, buf, len)) {
            d = parse_once(fixed, flen, &cap);
            *repaired = d != NULL;
        }
        free(fixed);
    }
    if (!d) {
        if (cap.code == XML_ERR_NO_MEMORY) {
            errno = ENOMEM;
            return MERGE_NOMEM;
        }
        /* an entity loop or amplification is well-formed, but refused */
        const char *what = cap.code == XML_ERR_ENTITY_LOOP ? "refused XML (entity expansion)"
                                                           : "not well-formed XML";
        if (cap.msg[0] && strncmp(cap.msg, "Unregistered error", 18))
            set_why(why, whylen, "%s: line %d: %s", what, cap.line, cap.msg);
        else
            set_why(why, whylen, "%s: line %d: error %d", what, cap.line, cap.code);
        return -1;
    }
    xmlNodePtr root = xmlDocGetRootElement(d);
    if (!is_elem(root, "testsuites") && !is_elem(root, "testsuite")) {
        set_why(why, whylen, "root element is <%.100s>, not <testsuites> or <testsuite>",
                root && root->name ? (const char *)root->name : "");
        xmlFreeDoc(d);
        return -1;
    }
    *doc = d;
    return 0;
}

/* ------------------------------------------------------------ copying */

/* A merge: where the copies go, and what they add up to. The copies are
 * made in one of two places: a libxml2 tree (junit_merge_buffer: under
 * holder, moved into the suite once they all exist), or a writer
 * (junit_merge_write: streamed out as they are made, the report's
 * testsuite being the writer's open element). Neither: count only. */
struct merge {
    xmlDocPtr out;         /* tree: the report's document */
    xmlNodePtr holder;     /* tree: the copies, until they all exist */
    xmlNodePtr cur;        /* tree: the element being filled */
    struct xml_writer *w;  /* writer */
    const char *file_name; /* classname of last resort, or NULL */
    const char *project;   /* the nearest suite's hostname attribute, or NULL */
    junit_case_fn case_fn; /* NULL: none */
    void *case_arg;
    struct junit_counts c;
    int failed; /* out of memory, or the writer failed (errno says) */
    int err;    /* errno of that failure */
};

static void merge_fail(struct merge *m, int err)
{
    if (!m->failed)
        m->err = err ? err : ENOMEM;
    m->failed = 1;
}

/* Whether copies are made (else: counted only). */
static int copying(const struct merge *m)
{
    return (m->holder || m->w) && !m->failed;
}

/* Open an element called name inside the one being filled. */
static void open_elem(struct merge *m, const char *name)
{
    if (!copying(m))
        return;
    if (m->w) {
        if (xml_writer_start(m->w, name) < 0)
            merge_fail(m, errno);
        return;
    }
    xmlNodePtr n = xmlNewDocNode(m->out, NULL, BAD_CAST name, NULL);
    if (!n || !xmlAddChild(m->cur, n)) {
        xmlFreeNode(n);
        merge_fail(m, ENOMEM);
        return;
    }
    m->cur = n;
}

static void close_elem(struct merge *m)
{
    if (!copying(m))
        return;
    if (m->w) {
        if (xml_writer_end(m->w) < 0)
            merge_fail(m, errno);
        return;
    }
    m->cur = m->cur->parent;
}

/* An attribute of the element just opened, value already clean (NULL:
 * nothing). */
static void set_attr(struct merge *m, const char *name, const char *value)
{
    if (!copying(m) || !value)
        return;
    if (m->w) {
        if (xml_writer_attr(m->w, name, value) < 0)
            merge_fail(m, errno);
    } else if (!xmlNewProp(m->cur, BAD_CAST name, BAD_CAST value)) {
        merge_fail(m, ENOMEM);
    }
}

/* Clean text as content of the element being filled. */
static void add_text(struct merge *m, const char *clean)
{
    if (!copying(m))
        return;
    if (m->w) {
        if (xml_writer_text(m->w, clean) < 0)
            merge_fail(m, errno);
        return;
    }
    xmlNodePtr n = xmlNewDocText(m->out, BAD_CAST clean);
    if (!n || !xmlAddChild(m->cur, n)) {
        xmlFreeNode(n);
        merge_fail(m, ENOMEM);
    }
}

/* The attribute called name without a namespace, or NULL. Looked up by
 * hand: xmlHasProp would also return defaults declared in the DTD. */
static xmlAttrPtr find_attr(xmlNodePtr e, const char *name)
{
    for (xmlAttrPtr a = e->properties; a; a = a->next)
        if (!a->ns && a->name && !strcmp((const char *)a->name, name))
            return a;
    return NULL;
}

/* The cleaned value of e's attribute name, or NULL when it has none (or
 * out of memory: m->failed). */
static char *attr_value(struct merge *m, xmlNodePtr e, const char *name)
{
    xmlAttrPtr a = find_attr(e, name);
    if (!a)
        return NULL;
    struct buf t = BUF_INIT;
    gather(&t, a->children, 0);
    char *v = text_clean(&t);
    buf_free(&t);
    if (!v)
        merge_fail(m, ENOMEM);
    return v;
}

/* Seconds from a time attribute: "1.5", "1,234.5" (Surefire's thousands
 * separators), "1e-3"; anything else, negative or not finite: 0. */
static double parse_time(const char *s)
{
    char num[64];
    size_t o = 0;
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    for (; *s && o + 1 < sizeof num; s++) {
        if (*s == ',')
            continue;
        if (!strchr("0123456789.eE+-", *s))
            break;
        num[o++] = *s;
    }
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    num[o] = '\0';
    if (*s || !o)
        return 0;
    char *end;
    double v = strtod(num, &end);
    return *end || !isfinite(v) || v < 0 ? 0 : v;
}

/* Copy attribute name of from, cleaned, to the element just opened, if
 * from has it. */
static void copy_attr(struct merge *m, xmlNodePtr from, const char *name)
{
    if (!copying(m))
        return;
    char *v = attr_value(m, from, name);
    set_attr(m, name, v);
    free(v);
}

/* The cleaned character data of from's children (heap), or NULL (out of
 * memory: m->failed). */
static char *text_of(struct merge *m, xmlNodePtr from, int deep)
{
    struct buf t = BUF_INIT;
    gather(&t, from->children, deep);
    char *clean = text_clean(&t);
    buf_free(&t);
    if (!clean)
        merge_fail(m, ENOMEM);
    return clean;
}

/* Whether clean holds anything beyond white space: indentation between
 * child elements (Surefire's <rerunFailure>) is not text anyone wrote. */
static int has_text(const char *clean)
{
    return clean[strspn(clean, " \t\r\n")] != '\0';
}

/* Append the cleaned character data of from's children to the element
 * being filled, unless it is only white space. */
static void copy_text(struct merge *m, xmlNodePtr from, int deep)
{
    if (!copying(m))
        return;
    char *clean = text_of(m, from, deep);
    if (clean && has_text(clean))
        add_text(m, clean);
    free(clean);
}

/* <system-out> or <system-err>, unless it holds nothing but white space. */
static void copy_output(struct merge *m, xmlNodePtr from)
{
    if (!copying(m))
        return;
    char *clean = text_of(m, from, 1);
    if (clean && has_text(clean)) {
        open_elem(m, (const char *)from->name);
        add_text(m, clean);
        close_elem(m);
    }
    free(clean);
}

/* <rerunFailure> and kin: message, type (required by the schema), its own
 * text, and the first <stackTrace>, <system-out> and <system-err>, in the
 * order the schema's sequence wants. */
static void copy_rerun(struct merge *m, xmlNodePtr from)
{
    open_elem(m, (const char *)from->name);
    copy_attr(m, from, "message");
    char *type = copying(m) ? attr_value(m, from, "type") : NULL;
    set_attr(m, "type", type ? type : "");
    free(type);
    copy_text(m, from, 0);
    static const char *const parts[] = {"stackTrace", "system-out", "system-err"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        xmlNodePtr c = from->children;
        while (c && !is_elem(c, parts[k]))
            c = c->next;
        if (c) {
            open_elem(m, parts[k]);
            copy_text(m, c, 1);
            close_elem(m);
        }
    }
    close_elem(m);
}

/* Whether c records an execution that failed before the test case's
 * outcome, in the test tool's own retries (Surefire's names). */
static int is_rerun(xmlNodePtr c)
{
    return is_elem(c, "rerunFailure") || is_elem(c, "rerunError") || is_elem(c, "flakyFailure") ||
           is_elem(c, "flakyError");
}

/* jc's outcome and failed_before, from the children of from. */
static void case_outcome(struct junit_case *jc, xmlNodePtr from)
{
    jc->outcome = JUNIT_CASE_PASSED;
    for (xmlNodePtr c = from->children; c; c = c->next) {
        if (is_elem(c, "failure") || is_elem(c, "error"))
            jc->outcome = JUNIT_CASE_FAILED;
        else if (is_elem(c, "skipped") && jc->outcome == JUNIT_CASE_PASSED)
            jc->outcome = JUNIT_CASE_SKIPPED;
        else if (is_rerun(c))
            jc->failed_before += jc->failed_before < 1000000;
    }
}

/* Why test case from failed (heap), or NULL: the last outcome's message,
 * else the first rerun's. */
static char *case_message(struct merge *m, xmlNodePtr from)
{
    char *message = NULL;
    for (xmlNodePtr c = from->children; c && !message; c = c->next)
        if (is_elem(c, "failure") || is_elem(c, "error"))
            message = attr_value(m, c, "message");
    for (xmlNodePtr c = from->children; c && !message; c = c->next)
        if (is_rerun(c))
            message = attr_value(m, c, "message");
    return message;
}

/* The test case from as struct junit_case, for m->case_fn. */
static void case_call(struct merge *m, xmlNodePtr from, const char *suite_name)
{
    struct junit_case jc = {.project = m->project};
    case_outcome(&jc, from);
    char *message = case_message(m, from);
    char *name = attr_value(m, from, "name");
    char *classname = attr_value(m, from, "classname");
    char *file = attr_value(m, from, "file");
    char *line = attr_value(m, from, "line");
    jc.message = message && *message ? message : NULL;
    jc.has_name = name != NULL;
    jc.name = name ? name : "(unnamed)";
    jc.has_classname = classname != NULL;
    jc.classname = classname ? classname : suite_name ? suite_name : m->file_name;
    if (!jc.classname)
        jc.classname = "";
    jc.file = file;
    jc.line = line;
    if (!m->failed && m->case_fn(m->case_arg, &jc, copying(m) ? m->w : NULL) < 0)
        merge_fail(m, errno);
    free(message);
    free(name);
    free(classname);
    free(file);
    free(line);
}

static void copy_case(struct merge *m, xmlNodePtr from, const char *suite_name)
{
    int failure = 0, error = 0, skipped = 0;
    for (xmlNodePtr c = from->children; c; c = c->next) {
        failure |= is_elem(c, "failure");
        error |= is_elem(c, "error");
        skipped |= is_elem(c, "skipped");
    }
    char *time_s = attr_value(m, from, "time");
    double time = parse_time(time_s);
    free(time_s);
    m->c.tests++;
    m->c.failures += failure;
    m->c.errors += !failure && error;
    m->c.skipped += !failure && !error && skipped;
    m->c.time += time;
    if (!copying(m)) {
        if (m->case_fn)
            case_call(m, from, suite_name);
        return;
    }

    open_elem(m, "testcase");
    char *name = attr_value(m, from, "name");
    set_attr(m, "name", name ? name : "(unnamed)");
    free(name);
    char *classname = attr_value(m, from, "classname");
    if (classname)
        set_attr(m, "classname", classname);
    else if (suite_name)
        set_attr(m, "classname", suite_name); /* already clean */
    else
        set_attr(m, "classname", m->file_name); /* NULL: none */
    free(classname);
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", time);
    set_attr(m, "time", buf);

    for (xmlNodePtr c = from->children; c && copying(m); c = c->next) {
        if (is_elem(c, "failure") || is_elem(c, "error") || is_elem(c, "skipped")) {
            open_elem(m, (const char *)c->name);
            copy_attr(m, c, "message");
            copy_attr(m, c, "type");
            copy_text(m, c, 1);
            close_elem(m);
        } else if (is_rerun(c)) {
            copy_rerun(m, c);
        } else if (is_elem(c, "system-out") || is_elem(c, "system-err")) {
            copy_output(m, c);
        }
        /* else: <properties> (Playwright), anything the schema would refuse */
    }
    if (m->case_fn && m->w)
        case_call(m, from, suite_name);
    close_elem(m);
}

/* The test cases of suite and of the suites inside it. suite_name: the
 * cleaned name of the nearest <testsuite>, or NULL. The parser's depth
 * limit (256) bounds the recursion. */
static void walk(struct merge *m, xmlNodePtr suite, const char *suite_name)
{
    for (xmlNodePtr c = suite->children; c && !m->failed; c = c->next) {
        if (is_elem(c, "testcase")) {
            copy_case(m, c, suite_name);
        } else if (is_elem(c, "testsuite")) {
            char *name = attr_value(m, c, "name");
            char *project = attr_value(m, c, "hostname");
            const char *outer = m->project;
            if (project && *project)
                m->project = project;
            walk(m, c, name && *name ? name : suite_name);
            m->project = outer;
            free(name);
            free(project);
        } else if (is_elem(c, "testsuites")) {
            walk(m, c, suite_name);
        }
    }
}

static void walk_root(struct merge *m, xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char *name = is_elem(root, "testsuite") ? attr_value(m, root, "name") : NULL;
    char *project = is_elem(root, "testsuite") ? attr_value(m, root, "hostname") : NULL;
    m->project = project && *project ? project : NULL;
    walk(m, root, name && *name ? name : NULL);
    m->project = NULL;
    free(name);
    free(project);
}

/* The test case that stands for a file that could not be merged. */
static void error_case(struct merge *m, const char *file_name, const char *why)
{
    char *name = junit_clean_text(file_name);
    char *msg = junit_clean_text(why);
    struct buf t = BUF_INIT;
    buf_printf(&t, "%s: %s", file_name, why);
    char *body = text_clean(&t);
    buf_free(&t);
    if (!name || !msg || !body)
        merge_fail(m, ENOMEM);
    open_elem(m, "testcase");
    set_attr(m, "name", name);
    set_attr(m, "classname", JUNIT_COLLECT_CLASSNAME);
    set_attr(m, "time", "0.000");
    open_elem(m, "error");
    set_attr(m, "message", msg);
    set_attr(m, "type", JUNIT_COLLECT_ERROR);
    if (body)
        add_text(m, body);
    close_elem(m);
    close_elem(m);
    free(name);
    free(msg);
    free(body);
}

static void add_counts(struct junit_counts *to, const struct junit_counts *c)
{
    if (!to)
        return;
    to->tests += c->tests;
    to->failures += c->failures;
    to->errors += c->errors;
    to->skipped += c->skipped;
    to->time += c->time;
}

static int ncases(const struct merge *m)
{
    return m->c.tests > 0x7fffffffL ? 0x7fffffff : (int)m->c.tests;
}

/* Parse buf and walk it with m: the number of test cases, -1 (unusable,
 * why), or MERGE_NOMEM (m->failed, errno set). */
static int merge_parsed(struct merge *m, const char *buf, size_t len, char *why, size_t whylen)
{
    xmlDocPtr doc;
    int repaired;
    int rc = parse(buf, len, &doc, &repaired, why, whylen);
    if (rc == MERGE_NOMEM) {
        set_why(why, whylen, "out of memory");
        merge_fail(m, ENOMEM);
    }
    if (rc < 0)
        return rc;
    walk_root(m, doc);
    xmlFreeDoc(doc);
    if (m->failed) {
        /* out of memory, or the callback stopped the walk with its errno */
        set_why(why, whylen, "%s", m->err == ENOMEM ? "out of memory" : strerror(m->err));
        errno = m->err;
        return MERGE_NOMEM;
    }
    if (repaired)
        set_why(why, whylen, "invalid UTF-8 or characters XML forbids replaced with U+FFFD");
    return ncases(m);
}

/* Read the file at path (whole: a file is repaired and parsed from memory)
 * and merge it with m, as junit_merge_file describes. */
static int merge_path(struct merge *m, const char *path, char *why, size_t whylen)
{
    char *buf = NULL;
    struct error err;
    size_t len = 0;
    /* one byte more than the limit, so that a file of exactly the limit is read */
    if (fs_read_file(path, (size_t)JUNIT_MERGE_MAX_BYTES + 1, &buf, &len, &err) < 0) {
        if (errno == ENOMEM) {
            merge_fail(m, ENOMEM);
            return MERGE_NOMEM;
        }
        if (errno == EFBIG)
            set_why(why, whylen, "larger than %ld MiB", JUNIT_MERGE_MAX_BYTES >> 20);
        else
            set_why(why, whylen, "cannot read the copy on rank 0: %s", err.text);
        return -1;
    }
    int rc = merge_parsed(m, buf, len, why, whylen);
    int saved = errno;
    free(buf);
    errno = saved;
    return rc;
}

/* ------------------------------------------------------------ the tree API */

int junit_each_case(const char *buf, size_t len, junit_case_fn fn, void *arg, char *why,
                    size_t whylen)
{
    set_why(why, whylen, "%s", "");
    /* neither a tree nor a writer: nothing is copied, fn is called with w NULL */
    struct merge m = {.case_fn = fn, .case_arg = arg};
    return merge_parsed(&m, buf, len, why, whylen);
}

int junit_file_check(const char *buf, size_t len, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    struct merge m = {0};
    int rc = merge_parsed(&m, buf, len, why, whylen);
    return rc < 0 ? -1 : rc;
}

/* A merge into the tree of suite's document, or NULL (errno EINVAL, with
 * the reason in why) when suite is not in one. */
static int tree_merge(struct merge *m, struct _xmlNode *suite, const char *file_name, char *why,
                      size_t whylen)
{
    if (!suite || !suite->doc) {
        set_why(why, whylen, "no report to merge into");
        errno = EINVAL;
        return -1;
    }
    *m = (struct merge){.out = suite->doc};
    m->holder = xmlNewDocNode(m->out, NULL, BAD_CAST "holder", NULL);
    m->cur = m->holder;
    char *clean_name = file_name ? junit_clean_text(file_name) : NULL;
    m->file_name = clean_name;
    if (!m->holder || (file_name && !clean_name)) {
        free(clean_name);
        xmlFreeNode(m->holder);
        set_why(why, whylen, "out of memory");
        errno = ENOMEM;
        return MERGE_NOMEM;
    }
    return 0;
}

/* Move the copies into suite when rc says all went well (this cannot
 * fail), or drop them; counts as junit_merge_buffer says. */
static int tree_done(struct merge *m, struct _xmlNode *suite, int rc, struct junit_counts *counts)
{
    int saved = errno;
    for (xmlNodePtr c = m->holder->children, next; rc >= 0 && c; c = next) {
        next = c->next;
        xmlUnlinkNode(c);
        xmlAddChild(suite, c);
    }
    xmlFreeNode(m->holder);
    free((char *)m->file_name);
    if (rc >= 0)
        add_counts(counts, &m->c);
    errno = saved;
    return rc;
}

int junit_merge_buffer(struct _xmlNode *suite, const char *buf, size_t len, const char *file_name,
                       struct junit_counts *counts, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    struct merge m;
    int rc = tree_merge(&m, suite, file_name, why, whylen);
    if (rc < 0)
        return rc;
    return tree_done(&m, suite, merge_parsed(&m, buf, len, why, whylen), counts);
}

int junit_merge_file(struct _xmlNode *suite, const char *path, const char *file_name,
                     struct junit_counts *counts, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    struct merge m;
    int rc = tree_merge(&m, suite, file_name, why, whylen);
    if (rc < 0)
        return rc;
    return tree_done(&m, suite, merge_path(&m, path, why, whylen), counts);
}

int junit_merge_error(struct _xmlNode *suite, const char *file_name, const char *why,
                      struct junit_counts *counts)
{
    struct merge m;
    if (tree_merge(&m, suite, NULL, NULL, 0) < 0)
        return -1;
    error_case(&m, file_name ? file_name : "(unknown file)", why ? why : "unusable");
    m.c.tests = 1;
    m.c.errors = 1;
    if (m.failed)
        errno = ENOMEM;
    return tree_done(&m, suite, m.failed ? -1 : 0, counts);
}

/* ------------------------------------------------------------ the writer API */

int junit_merge_count(const char *path, struct junit_counts *counts, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    struct merge m = {0};
    int rc = merge_path(&m, path, why, whylen);
    if (rc >= 0)
        add_counts(counts, &m.c);
    return rc;
}

int junit_cases_read(const char *path, const char *file_name, junit_case_fn fn, void *arg,
                     char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    char *clean_name = file_name ? junit_clean_text(file_name) : NULL;
    if (file_name && !clean_name) {
        set_why(why, whylen, "out of memory");
        errno = ENOMEM;
        return MERGE_NOMEM;
    }
    struct merge m = {.file_name = clean_name, .case_fn = fn, .case_arg = arg};
    int rc = merge_path(&m, path, why, whylen);
    int saved = errno;
    free(clean_name);
    errno = saved;
    return rc;
}

/* junit_merge_write and _write_buffer: the file at path (buf NULL), or
 * buf; fn (may be NULL) called in each test case. */
static int write_merge(struct xml_writer *w, const char *path, const char *buf, size_t len,
                       const char *file_name, struct junit_counts *counts, junit_case_fn fn,
                       void *arg, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", "");
    char *clean_name = file_name ? junit_clean_text(file_name) : NULL;
    if (file_name && !clean_name) {
        set_why(why, whylen, "out of memory");
        errno = ENOMEM;
        return MERGE_NOMEM;
    }
    struct merge m = {.w = w, .file_name = clean_name, .case_fn = fn, .case_arg = arg};
    int rc = buf ? merge_parsed(&m, buf, len, why, whylen) : merge_path(&m, path, why, whylen);
    int saved = errno;
    free(clean_name);
    if (rc >= 0)
        add_counts(counts, &m.c);
    errno = saved;
    return rc;
}

int junit_merge_write(struct xml_writer *w, const char *path, const char *file_name,
                      struct junit_counts *counts, char *why, size_t whylen)
{
    return write_merge(w, path, NULL, 0, file_name, counts, NULL, NULL, why, whylen);
}

int junit_merge_write_cases(struct xml_writer *w, const char *path, const char *file_name,
                            struct junit_counts *counts, junit_case_fn fn, void *arg, char *why,
                            size_t whylen)
{
    return write_merge(w, path, NULL, 0, file_name, counts, fn, arg, why, whylen);
}

int junit_merge_write_buffer(struct xml_writer *w, const char *buf, size_t len,
                             const char *file_name, struct junit_counts *counts, char *why,
                             size_t whylen)
{
    return write_merge(w, NULL, buf ? buf : "", len, file_name, counts, NULL, NULL, why, whylen);
}

int junit_merge_write_error(struct xml_writer *w, const char *file_name, const char *why,
                            struct junit_counts *counts)
{
    struct merge m = {.w = w};
    error_case(&m, file_name ? file_name : "(unknown file)", why ? why : "unusable");
    if (m.failed) {
        errno = m.err;
        return -1;
    }
    if (counts) {
        counts->tests++;
        counts->errors++;
    }
    return 0;
}
