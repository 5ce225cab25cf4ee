/* SPDX-License-Identifier: BSD-3-Clause */
/* utf8.h - UTF-8 as the reports, the journal and messages need it: whether
 * bytes are valid UTF-8 (JSON strings must be), and where to cut text to
 * a length without splitting a character.
 *
 * Valid means what RFC 3629 allows: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF.
 *
 * Pure: no I/O.
 */
#ifndef DISTMPI_UTF8_H
#define DISTMPI_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1 to 4) of the valid UTF-8 sequence at s, of which n bytes
 * may be read, or 0 when none starts there (n == 0, a continuation byte,
 * an invalid lead, a sequence cut short or ill-formed). A NUL byte is a
 * sequence of its own, of length 1. */
size_t utf8_char_len(const char *s, size_t n);

/* Whether the n bytes at s are valid UTF-8. */
bool utf8_valid(const char *s, size_t n);

/* How many of the len bytes at s to keep so that at most max remain and no
 * character is split: len when len <= max, else max moved back to the
 * start of a character (a byte that is not a continuation byte). */
size_t utf8_fit(const char *s, size_t len, size_t max);

#endif
