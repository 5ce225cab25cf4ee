/* SPDX-License-Identifier: BSD-3-Clause */
/* collect.c - the files a shard's test tool left behind. */
#include "config.h"

#include "exec/collect.h"

#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "report/junit_merge.h"

static bool is_xml(const char *name)
{
    size_t n = strlen(name);
    return n >= 4 && strcmp(name + n - 4, ".xml") == 0;
}

/* Pass on a file that is not there to read, and count it when it was to
 * be a JUnit report: the first such problem's text goes to why. */
static void problem(collect_fn fn, void *arg, const char *name, const char *data, size_t len,
                    const char *reason, int *count, struct error *why)
{
    fn(arg, name, data, len, reason);
    if (!is_xml(name))
        return; /* a screenshot that is not there says nothing about the tests */
    if ((*count)++ == 0)
        errprintf(why, "%s: %s", name, reason);
}

/* A failed test's words are made from the attributes it has itself: the
 * name and classname the merge falls back on ("(unnamed)", the suite's
 * name) are no test a test tool knows. */
static int add_failed(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    (void)w;
    if (c->outcome != JUNIT_CASE_FAILED)
        return 0;
    return failed_set_add(arg, c->has_name ? c->name : NULL, c->has_classname ? c->classname : NULL,
                          c->file, c->line);
}

/* How far a file's modification time may be behind the wall clock read
 * before it was written: the kernel stamps files from a clock that is
 * updated once per tick (at most 10 ms). */
#define MTIME_SLACK 0.02

int collect_failed_tests(const char *pattern, const struct subst *v, double since,
                         struct failed_set *f, struct error *why)
{
    error_clear(why);
    if (!is_xml(pattern)) {
        errprintf(why, "--collect names no JUnit report (a pattern ending in .xml)");
        return 1;
    }
    char *glob_pattern = template_expand_glob(pattern, v);
    if (!glob_pattern)
        return -1;
    glob_t g;
    int rc = glob(glob_pattern, GLOB_ERR, NULL, &g);
    free(glob_pattern);
    if (rc == GLOB_NOSPACE) {
        errno = ENOMEM;
        return -1;
    }
    if (rc != 0) {
        errprintf(why, "%s",
                  rc == GLOB_NOMATCH ? "no JUnit report matches --collect"
                                     : "cannot read a directory of --collect");
        if (rc != GLOB_NOMATCH)
            globfree(&g);
        return 1;
    }
    int result = 0;
    for (size_t i = 0; i < g.gl_pathc && result == 0; i++) {
        const char *name = g.gl_pathv[i];
        if (i == COLLECT_MAX_FILES) {
            errprintf(why, "more than %d JUnit reports match --collect", COLLECT_MAX_FILES);
            result = 1;
            break;
        }
        /* a report left by an earlier attempt or run says nothing of this
         * one, which may have ended before it ran a test */
        struct stat st;
        if (stat(name, &st) == 0 &&
            (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9 < since - MTIME_SLACK) {
            errprintf(why, "%s was not written by that attempt", name);
            result = 1;
            break;
        }
        char *data = NULL;
        size_t len = 0;
        struct error err;
        if (fs_read_file(name, COLLECT_MAX_BYTES, &data, &len, &err) < 0) {
            if (errno == ENOMEM) {
                result = -1;
                break;
            }
            errprintf(why, "%s", err.text);
            result = 1;
            break;
        }
        char bad[512];
        int n = junit_each_case(data, len, add_failed, f, bad, sizeof bad);
        free(data);
        if (n == -2) {
            result = -1;
        } else if (n < 0) {
            errprintf(why, "%s: not a usable JUnit report: %s", name, bad);
            result = 1;
        }
    }
    globfree(&g);
    if (result == 0 && f->refused) {
        errprintf(why, "%s", f->refused);
        result = 1;
    } else if (result == 0 && f->ntests == 0) {
        errprintf(why, "its JUnit report names no failed test");
        result = 1;
    }
    if (result < 0)
        errno = ENOMEM;
    return result;
}

int collect_files(const char *pattern, const struct subst *v, collect_fn fn, void *arg,
                  struct error *why)
{
    error_clear(why);
    /* the values match only themselves; messages show them as they are */
    char *glob_pattern = template_expand_glob(pattern, v);
    char *expanded = template_expand(pattern, v, false);
    if (!glob_pattern || !expanded) {
        free(glob_pattern);
        free(expanded);
        return -1;
    }
    glob_t g;
    int problems = 0;
    int rc = glob(glob_pattern, GLOB_ERR, NULL, &g);
    free(glob_pattern);
    if (rc == GLOB_NOSPACE) {
        free(expanded);
        errno = ENOMEM;
        return -1;
    }
    if (rc != 0) { /* GLOB_NOMATCH, or GLOB_ABORTED: a directory could not be read */
        const char *reason = rc == GLOB_NOMATCH ? "no file matches" : "cannot read a directory";
        problem(fn, arg, expanded, NULL, 0, reason, &problems, why);
        if (rc != GLOB_NOMATCH)
            globfree(&g);
        free(expanded);
        return problems;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *name = g.gl_pathv[i];
        if (i == COLLECT_MAX_FILES) {
            char reason[96];
            snprintf(reason, sizeof reason, "more than %d files match; the rest are left out",
                     COLLECT_MAX_FILES);
            problem(fn, arg, expanded, NULL, 0, reason, &problems, why);
            break;
        }
        char *data = NULL;
        size_t len = 0;
        struct error err;
        if (fs_read_file(name, COLLECT_MAX_BYTES, &data, &len, &err) < 0) {
            if (errno == ENOMEM) {
                globfree(&g);
                free(expanded);
                return -1;
            }
            /* fs_read_file says "NAME: reason": keep the reason */
            const char *reason =
                strncmp(err.text, name, strlen(name)) == 0 && err.text[strlen(name)] == ':'
                    ? err.text + strlen(name) + 2
                    : err.text;
            problem(fn, arg, name, NULL, 0, reason, &problems, why);
            continue;
        }
        char bad[512] = "";
        if (is_xml(name) && junit_file_check(data, len, bad, sizeof bad) < 0) {
            char reason[600];
            snprintf(reason, sizeof reason, "not a usable JUnit report: %s", bad);
            problem(fn, arg, name, data, len, reason, &problems, why);
        } else {
            fn(arg, name, data, len, NULL);
        }
        free(data);
    }
    globfree(&g);
    free(expanded);
    return problems;
}
