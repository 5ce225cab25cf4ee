/* SPDX-License-Identifier: BSD-3-Clause */
/* collect.h - --collect PATTERN: after a shard, the rank that ran it reads
 * the files the test tool wrote on its own host, checks JUnit files, and
 * hands each on (to be shipped to rank 0).
 */
#ifndef DISTMPI_COLLECT_H
#define DISTMPI_COLLECT_H

#include <stddef.h>

#include "common/error.h"
#include "model/output.h" /* COLLECT_MAX_FILES, COLLECT_MAX_BYTES */
#include "model/retryfailed.h"
#include "model/template.h"

/* Receives one matched file: its name as it matched, and either its
 * contents (data, len; error NULL) or why there are none (data NULL). A JUnit
 * file that is not usable comes with both its contents and the reason. */
typedef void (*collect_fn)(void *arg, const char *name, const char *data, size_t len,
                           const char *error);

/* Expand pattern with v (the placeholders of the command; a {host} or
 * {output_dir} value matches only itself, see template_expand_glob), match it
 * with glob(3) relative to the working directory (sorted), and pass each matching
 * file to fn. A name ending in ".xml" is a JUnit report: it is checked with
 * junit_file_check. When nothing matches, fn gets the expanded pattern as
 * name with the error "no file matches".
 * Returns how many JUnit reports are missing or unusable (nothing matched a
 * pattern ending in ".xml"; a ".xml" file unreadable, too large, or not
 * JUnit; more than COLLECT_MAX_FILES matches of an ".xml" pattern), 0 when
 * none, with the first one in why as "NAME: reason"; other files' problems
 * reach fn but are not counted. -1 with errno ENOMEM. */
int collect_files(const char *pattern, const struct subst *v, collect_fn fn, void *arg,
                  struct error *why);

/* --retry-command: add to f the failed tests of the JUnit reports that
 * pattern (a --collect pattern ending in ".xml", expanded with v as
 * collect_files expands it) matches, each of which must have been written
 * since the wall-clock time since (the attempt's start). Returns 0 when f
 * can be used for a partial retry; 1 when it cannot, with why: the pattern
 * names no JUnit report, nothing matches, a report is older than since (an
 * earlier attempt's or run's: this attempt wrote none), unreadable, too
 * large or not JUnit, none names a failed test, or f refused a name
 * (retryfailed.h); -1 with errno ENOMEM. */
int collect_failed_tests(const char *pattern, const struct subst *v, double since,
                         struct failed_set *f, struct error *why);

#endif
