/* template.h - command templates: {shard} {index} {total} {host} {rank} {slot}
 * {attempt} {output_dir}, with {{ and }} for literal braces.
 *
 * Pure: no I/O, no globals.
 */
#ifndef DISTMPI_TEMPLATE_H
#define DISTMPI_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

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
 * Returns 0, or -1 with "unknown placeholder {name}" (and a hint) in err. */
int template_check(const char *text, char *err, size_t errlen);

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
int template_check_shell(const char *text, char *err, size_t errlen);

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

/* Quote s for /bin/sh when it holds anything outside [A-Za-z0-9_./:=@%+,-]
 * (the empty string becomes ''). Returns a heap string or NULL (ENOMEM). */
char *shell_quote(const char *s);

#endif
