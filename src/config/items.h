/* SPDX-License-Identifier: BSD-3-Clause */
/* items.h - work items (--items FILE, --items-command CMD): one item per
 * line, such as a spec file or a test id, that distmpi packs into batches
 * (sched/batch.h) and hands to the command through {items}.
 *
 * Each batch becomes a task line: the command's words written for /bin/sh
 * (placeholders kept as placeholders, so {host} and the others still work),
 * with the word {items} replaced by the batch's items, each one word,
 * quoted. So everything a task file has (the journal, --resume, the
 * reports) holds for batches too.
 *
 * items_parse and the line builders are pure; items_load reads a file and
 * items_from_command runs one.
 */
#ifndef DISTMPI_ITEMS_H
#define DISTMPI_ITEMS_H

#include <stddef.h>

#include "common/error.h"

/* The placeholder that stands for a batch's items: a word of its own. */
#define ITEMS_WORD "{items}"

/* More items than this is a mistake (a runaway command), not a suite. */
#define ITEMS_MAX 1000000

/* The most a --items-command may print, in bytes. */
#define ITEMS_MAX_BYTES ((size_t)64 << 20)

struct itemlist {
    char **items;
    long count;
};

/* Parse len bytes of data (the items file, or the command's output, called
 * name in messages). One item per line; a trailing '\r' and the blanks
 * around an item are dropped; blank lines and lines whose first non-blank
 * character is '#' are skipped. Refused, with "NAME:LINE: ...": a NUL byte
 * or another control character but a tab (an item is one word for the test
 * tool, quoted as one, so a tab inside it is the name's own), an
 * item that starts with '-' (a test tool would read it as an option), more
 * than ITEMS_MAX items; and a list with no item. Returns 0 and the list in
 * *out (free with items_destroy), or -1 with err. */
int items_parse(const char *name, const char *data, size_t len, struct itemlist **out,
                struct error *err);

/* Read path (at most ITEMS_MAX_BYTES) and parse it. */
int items_load(const char *path, struct itemlist **out, struct error *err);

/* Run command with /bin/sh -c, its standard error passed through, and parse
 * what it prints. Its exit status must be 0; output beyond ITEMS_MAX_BYTES
 * ends it with an error. Returns 0, or -1 with err. */
int items_from_command(const char *command, struct itemlist **out, struct error *err);

/* Free l; accepts NULL. */
void items_destroy(struct itemlist *l);

/* Check the command's words for --items: at least one word is exactly
 * {items}, no word holds {items} inside other text, and every other word
 * passes template_check. Returns 0, or -1 with err. */
int items_check_command(char *const *words, int nwords, struct error *err);

/* The task line that runs items[0 .. n) with the command: its words joined
 * by spaces, each written for /bin/sh (the text between placeholders
 * quoted where needed, placeholders as they are), and each {items} word
 * replaced by the items, each quoted as one word with its braces doubled
 * (so that none reads as a placeholder) and never read as an assignment
 * (an item NAME=VALUE is quoted even where it needs no quotes: {items} may
 * be the command's first word). The line passes
 * template_check_shell. Returns a heap string, or NULL (ENOMEM). */
char *items_line(char *const *words, int nwords, char *const *items, long n);

#endif
