/* SPDX-License-Identifier: BSD-3-Clause */
/* error.h - an error message for people, in a struct the caller owns.
 *
 * The way flux-core's flux_error_t and errprintf() work: a function that
 * fails writes one line saying what went wrong into the caller's struct
 * error and returns -1 (or NULL) with errno set. errprintf() returns -1 and
 * keeps errno, so "return errprintf(e, ...);" is a whole failure path.
 * A caller adds its own context in front with errprefix(), in the same
 * struct, instead of formatting the callee's message into a second buffer.
 * A message too long for the struct ends in "..." instead of being cut
 * without a sign.
 */
#ifndef DISTMPI_ERROR_H
#define DISTMPI_ERROR_H

#include <stdarg.h>

/* Long enough for two paths and a reason. */
#define ERROR_TEXT_MAX 1024

struct error {
    char text[ERROR_TEXT_MAX]; /* always NUL-terminated once written */
};

/* Set e's text from fmt. e may be NULL (nothing is written). Returns -1;
 * keeps errno. */
int errprintf(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int verrprintf(struct error *e, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Put fmt's text in front of e's: "PREFIX" followed by e's text, so pass
 * the separator yourself ("cannot read %s: "). e may be NULL. Returns -1;
 * keeps errno. */
int errprefix(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empty e's text (e may be NULL). */
void error_clear(struct error *e);

#endif
