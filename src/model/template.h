/* SPDX-License-Identifier: BSD-3-Clause */
/* template.h - command templates: {shard} {index} {total} {host} {rank} {slot}
 * {attempt} {output_dir}, with {{ and }} for literal braces, and the
 * DISTMPI_* environment variables that carry the same values, both made
 * from one table of placeholders.
 *
 * Pure: no I/O, no mutable globals.
 */
#ifndef DISTMPI_TEMPLATE_H
#define DISTMPI_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* The placeholders, in the order of the table below and of the child's
 * DISTMPI_* variables. */
enum placeholder {
    PH_SHARD,
    PH_INDEX,
    PH_TOTAL,
    PH_HOST,
    PH_RANK,
    PH_SLOT,
    PH_ATTEMPT,
    PH_OUTPUT_DIR,
    PH_COUNT
};

/* One placeholder: {name} in templates, env in the shard's environment. A
 * number is written in decimal; a string (text others choose: a host's
 * name, a directory) as it is, but in a task line as one single-quoted
 * word, and in a --collect pattern with its glob characters escaped. */
struct placeholder_info {
    const char *name;
    const char *env;
    bool is_string;
};

/* The table: placeholders[PH_SHARD] is {shard}, DISTMPI_SHARD, ... */
extern const struct placeholder_info placeholders[PH_COUNT];

/* The values one attempt substitutes. */
struct subst {
    long shard; /* 1-based */
    long index; /* 0-based */
    long total;
    const char *host;
    long rank;
    long slot;
    long attempt;           /* 1-based */
    const char *output_dir; /* the attempt's DISTMPI_OUTPUT_DIR, absolute */
};

/* Check text: every {name} must be a known placeholder.
 * Returns 0, or -1 with "unknown placeholder {name}" (and a hint) in err
 * (error.h; NULL: no message wanted). */
int template_check(const char *text, struct error *err);

/* Check text as template_check does, and also as a /bin/sh command line
 * (a task line): every {host} and {output_dir}, whose values others may
 * choose, must stand where the shell reads the single-quoted word that
 * template_expand puts there as one literal word. So not inside '...',
 * "...", `...`, $(...), ${...}, $((...)), ((...)), [[...]] or an array
 * subscript (NAME[...], or a word that starts with [), not right after a
 * backslash or a $, not in a comment, and not after a construct that shells
 * read differently ($'...', a quote inside ${...} or NAME[...], a case inside
 * $(...), bash's NAME=(...), a line break). The numeric placeholders may
 * stand anywhere.
 * Returns 0, or -1 with the problem in err: "{NAME} is inside '...' quotes
 * (column N); ..." with what to write instead, or template_check's. */
int template_check_shell(const char *text, struct error *err);

/* Expand text with the values in v. With shell (a task line), text must
 * pass template_check_shell, and each {host} and {output_dir} becomes one
 * single-quoted word; numbers are written as they are. Without it, values
 * are put in as they are (command mode: each word is one argv word).
 * Returns a heap string, or NULL with errno set (ENOMEM; EINVAL for a text
 * that template_check, or with shell template_check_shell, refuses; with
 * shell, EILSEQ when a {host} or {output_dir} value holds a line break). */
char *template_expand(const char *text, const struct subst *v, bool shell);

/* Expand a glob(3) pattern (--collect): as template_expand without shell,
 * but with \ before each \, *, ?, [ and ] of a {host} or {output_dir}
 * value, so the value matches only itself and only the pattern's own
 * characters are wildcards. Returns a heap string or NULL (errno as
 * template_expand). */
char *template_expand_glob(const char *pattern, const struct subst *v);

/* What shard index of total runs, as a key that stays the same from run to
 * run (the timing history's): text with {shard}, {index} and {total} put in
 * and every other placeholder ({host}, {attempt}, ...: where and how it runs,
 * not what) and {{ }} left as written. With append_shard (command mode),
 * when text names neither {shard} nor {index}, " [shard N/TOTAL]" is added,
 * as the shards then tell themselves apart by $DISTMPI_SHARD alone. Returns
 * a heap string or NULL (ENOMEM). */
char *template_key(const char *text, long index, long total, bool append_shard);

/* The environment entry of placeholder ph ("DISTMPI_SHARD=3"), its value
 * written as template_expand writes it without shell. Returns a heap
 * string, or NULL with errno ENOMEM (EINVAL: ph out of range). */
char *template_env_entry(const struct subst *v, enum placeholder ph);

/* Quote s for /bin/sh when it holds anything outside [A-Za-z0-9_./:=@%+,-]
 * (the empty string becomes ''). Returns a heap string or NULL (ENOMEM). */
char *shell_quote(const char *s);

#endif
