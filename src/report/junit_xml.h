/* SPDX-License-Identifier: BSD-3-Clause */
/* junit_xml.h - what the JUnit report and the merge of collected JUnit files
 * share about XML: text made fit for XML 1.0, libxml2's allocations counted,
 * and a writer that streams a document element by element.
 *
 * The writer (struct xml_writer) puts a document out through libxml2's
 * xmlTextWriter as it goes, never holding more than the element being
 * written, in the very bytes libxml2's xmlSaveDoc writes for the same tree
 * with XML_SAVE_FORMAT and the UTF-8 encoding: an element whose content is
 * elements only has them on lines of their own, indented two spaces a
 * level; an element that holds text keeps its content, and everything
 * below it, on one run of text; an element without content is closed with
 * "/>". Text must come before the child elements of an element that holds
 * both (that is all the JUnit report needs). Attributes escape & < > " and
 * tab, newline and carriage return; text escapes & < > and carriage return.
 */
#ifndef DISTMPI_JUNIT_XML_H
#define DISTMPI_JUNIT_XML_H

#include <stdbool.h>
#include <stddef.h>

/* s (NULL: "") made fit for an XML 1.0 document: a heap copy in which every
 * byte that does not start a valid UTF-8 sequence, and every character XML
 * 1.0 forbids, is replaced by U+FFFD. Returns NULL on ENOMEM. */
char *junit_clean_text(const char *s);

/* libxml2 2.9 does not always notice when it runs out of memory: an
 * attribute whose value it could not copy is parsed as empty, a node may
 * lose its name, a document being written is cut short. So distmpi has
 * libxml2 allocate through allocators that count failures (plain malloc,
 * realloc, strdup and free, so memory allocated before stays valid), and a
 * parse, build or write during which the count changed is out of memory,
 * whatever libxml2 returned. junit_xml_setup installs them (idempotent; the
 * report and the merge call it themselves); junit_xml_failures is the count
 * so far in this process. */
void junit_xml_setup(void);
unsigned long junit_xml_failures(void);

/* For tests: while should_fail (NULL: never) returns non-zero, each libxml2
 * allocation fails (and is counted). */
void junit_xml_fail_when(int (*should_fail)(void));

/* Where a writer's bytes go: write len bytes, return 0, or -1 with errno
 * set. */
typedef int (*xml_sink_fn)(void *ctx, const char *data, size_t len);

struct xml_writer;

/* A writer that has written the XML declaration
 * (<?xml version="1.0" encoding="UTF-8"?>) to sink. Returns NULL with errno
 * ENOMEM. */
struct xml_writer *xml_writer_create(xml_sink_fn sink, void *ctx);

/* Open an element (name: distmpi's own, not checked) as the next child of
 * the one open. Returns 0, or -1 with errno set. */
int xml_writer_start(struct xml_writer *w, const char *name);

/* An attribute of the element just opened (before any content). value must
 * already be clean (junit_clean_text). Returns 0 or -1. */
int xml_writer_attr(struct xml_writer *w, const char *name, const char *value);

/* Clean text (junit_clean_text) as content of the open element; "" writes
 * nothing. Returns 0 or -1. */
int xml_writer_text(struct xml_writer *w, const char *text);

/* Close the open element. Returns 0 or -1. */
int xml_writer_end(struct xml_writer *w);

/* Close whatever is open, end the document with a newline and flush it to
 * the sink. Returns 0, or -1 with errno set: when any call before failed,
 * when the sink failed, or when libxml2 ran out of memory on the way
 * (ENOMEM), so that a document cut short is never taken for whole. */
int xml_writer_finish(struct xml_writer *w);

/* Whether a call so far failed. */
bool xml_writer_failed(const struct xml_writer *w);

/* Free w (NULL accepted; keeps errno). Whatever was not finished is lost. */
void xml_writer_destroy(struct xml_writer *w);

#endif
