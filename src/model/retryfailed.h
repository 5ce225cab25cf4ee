/* SPDX-License-Identifier: BSD-3-Clause */
/* retryfailed.h - --retry-command: the tests a failed attempt's JUnit
 * report names as failed, written as words a test tool takes, and the
 * retry command line with {failed} and {failed_files} put in.
 *
 * What a failed test (a <testcase> with a <failure> or an <error>) is
 * written as in {failed}, from its attributes:
 * - file ending in ".py" (pytest's JUnit with junit_family=xunit1):
 *   pytest's node id FILE::CLASS::NAME, the classes being what the
 *   classname holds past the file's module path (tests/a.py: tests.a);
 * - another file and a line of digits: FILE:LINE (Playwright's and
 *   others' test locations);
 * - otherwise: NAME.
 * {failed_files} is each failed test's file, else its classname (Playwright
 * writes the spec file there), else its name, once each.
 *
 * A word that a test tool or the shell could read as something else is
 * never passed on: one that is empty, starts with '-' (an option) or holds
 * a control character (a line break) makes the whole set unusable, and the
 * retry runs the full command instead. So does a set of more than
 * FAILED_MAX_TESTS tests or FAILED_MAX_BYTES bytes of words.
 *
 * Pure: no I/O, no globals.
 */
#ifndef DISTMPI_RETRYFAILED_H
#define DISTMPI_RETRYFAILED_H

#include <stddef.h>

#include "common/error.h"
#include "model/template.h"

#define FAILED_MAX_TESTS 1000
#define FAILED_MAX_BYTES (64 * 1024)

struct failed_set {
    char **tests; /* {failed}: one word per failed test, in order, once each */
    size_t ntests;
    char **files; /* {failed_files}: once each */
    size_t nfiles;
    size_t bytes;  /* of all the words */
    char *refused; /* why the set cannot be used (the first reason), or NULL */
};

#define FAILED_SET_INIT \
    {                   \
        0               \
    }

void failed_set_free(struct failed_set *s);

/* The {failed} word of a test case (attributes NULL when missing), as the
 * rules above say. Returns a heap string, or NULL (ENOMEM). */
char *failed_test_word(const char *name, const char *classname, const char *file, const char *line);

/* Add a failed test case to s: its {failed} and {failed_files} words,
 * unless s holds them already. A word that cannot be passed on, or a set
 * grown past the limits, sets s->refused (later additions are ignored).
 * Returns 0, or -1 with errno ENOMEM. */
int failed_set_add(struct failed_set *s, const char *name, const char *classname, const char *file,
                   const char *line);

/* Whether s can be used for a partial retry: no refusal and a test in it. */
int failed_set_usable(const struct failed_set *s);

/* Check a --retry-command: a /bin/sh command line as template_check_shell
 * checks a task line, where {failed} and {failed_files} may also stand,
 * each as a word of its own outside quotes and substitutions. Returns 0,
 * or -1 with the problem in err. */
int retry_template_check(const char *text, struct error *err);

/* Expand a --retry-command that retry_template_check accepts: the
 * placeholders of v as template_expand puts them in a task line, and
 * {failed} and {failed_files} as the words of f, each one single-quoted
 * word, separated by blanks. Returns a heap string, or NULL with errno
 * (EINVAL: a template the check refuses, or an f that is not usable;
 * EILSEQ as template_expand; ENOMEM). */
char *retry_template_expand(const char *text, const struct subst *v, const struct failed_set *f);

#endif
