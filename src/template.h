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

/* Expand text with the values in v. With shell_quote, each substituted value
 * that a shell would split or interpret is wrapped in single quotes.
 * Returns a heap string, or NULL with errno set (ENOMEM, or EINVAL for a text
 * that template_check refuses). */
char *template_expand(const char *text, const struct subst *v, bool shell_quote);

/* Quote s for /bin/sh when it holds anything outside [A-Za-z0-9_./:=@%+,-]
 * (the empty string becomes ''). Returns a heap string or NULL (ENOMEM). */
char *shell_quote(const char *s);

#endif
