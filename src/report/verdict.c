/* SPDX-License-Identifier: BSD-3-Clause */
/* verdict.c - a verdict on every test from its runs (contract in
 * verdict.h). */
#include "config.h"

#include "report/verdict.h"

#include "common/utf8.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum verdict verdict_judge(const struct test_run *runs, size_t n)
{
    long fails = 0, passes = 0;
    /* the one host that failed it, or -1 (none yet), or -2 (several) */
    long fail_host = -1;
    for (size_t i = 0; i < n; i++) {
        const struct test_run *r = &runs[i];
        int failed = r->failed_before + (r->outcome == TEST_FAILED);
        fails += failed;
        passes += r->outcome == TEST_PASSED;
        if (failed > 0)
            fail_host = fail_host == -1 || fail_host == r->host ? r->host : -2;
    }
    if (fails == 0)
        return passes > 0 ? VERDICT_PASSED : VERDICT_SKIPPED;
    if (passes == 0)
        return VERDICT_FAILING;
    if (fail_host >= 0) {
        /* one host failed it: did it also pass there, or only elsewhere? */
        bool passed_there = false, passed_elsewhere = false;
        for (size_t i = 0; i < n; i++)
            if (runs[i].outcome == TEST_PASSED) {
                if (runs[i].host == fail_host)
                    passed_there = true;
                else
                    passed_elsewhere = true;
            }
        if (!passed_there && passed_elsewhere)
            return VERDICT_HOST_SPECIFIC;
    }
    return VERDICT_FLAKY;
}

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_FAILING:
        return "failing";
    case VERDICT_HOST_SPECIFIC:
        return "host-specific";
    case VERDICT_FLAKY:
        return "flaky";
    case VERDICT_PASSED:
        return "passed";
    case VERDICT_SKIPPED:
        return "skipped";
    case VERDICT_COUNT:
        break;
    }
    return NULL;
}

const char *test_outcome_name(enum test_outcome o)
{
    return o == TEST_PASSED ? "passed" : o == TEST_FAILED ? "failed" : "skipped";
}

/* ------------------------------------------------------------ the table */

/* A run as added: its test's key and its place in the order of adding. */
struct entry {
    char *classname, *name, *project, *message;
    size_t seq;
    struct test_run run;
};

struct verdict_table {
    struct entry *entries;
    size_t n, cap;
    bool judged;
    struct test_run *runs; /* judged: the runs, test by test */
    struct verdict_test *tests;
    size_t ntests;
    size_t *by_key; /* judged: the tests' indexes in the order of their keys */
};

struct verdict_table *verdict_table_create(void)
{
    return calloc(1, sizeof(struct verdict_table));
}

void verdict_table_destroy(struct verdict_table *t)
{
    if (!t)
        return;
    int saved = errno;
    for (size_t i = 0; i < t->n; i++) {
        free(t->entries[i].classname);
        free(t->entries[i].name);
        free(t->entries[i].project);
        free(t->entries[i].message);
    }
    free(t->entries);
    free(t->runs);
    free(t->tests);
    free(t->by_key);
    free(t);
    errno = saved;
}

/* A copy of s of at most VERDICT_MESSAGE_MAX bytes, cut before a UTF-8
 * continuation byte; NULL for NULL (or ENOMEM). */
static char *message_copy(const char *s)
{
    if (!s)
        return NULL;
    return strndup(s, utf8_fit(s, strlen(s), VERDICT_MESSAGE_MAX));
}

int verdict_table_add(struct verdict_table *t, const char *classname, const char *name,
                      const char *project, const struct test_run *run)
{
    if (t->judged) {
        errno = EINVAL;
        return -1;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *t->entries) {
            errno = ENOMEM;
            return -1;
        }
        struct entry *grown = realloc(t->entries, cap * sizeof *grown);
        if (!grown)
            return -1;
        t->entries = grown;
        t->cap = cap;
    }
    struct entry e = {strdup(classname ? classname : ""),
                      strdup(name ? name : ""),
                      strdup(project ? project : ""),
                      message_copy(run->message),
                      t->n,
                      *run};
    if (!e.classname || !e.name || !e.project || (run->message && !e.message)) {
        free(e.classname);
        free(e.name);
        free(e.project);
        free(e.message);
        errno = ENOMEM;
        return -1;
    }
    e.run.message = e.message;
    t->entries[t->n++] = e;
    return 0;
}

static int key_cmp(const char *ac, const char *an, const char *ap, const char *bc, const char *bn,
                   const char *bp)
{
    int c = strcmp(ac, bc);
    if (!c)
        c = strcmp(an, bn);
    if (!c)
        c = strcmp(ap, bp);
    return c;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = key_cmp(x->classname, x->name, x->project, y->classname, y->name, y->project);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int test_cmp(const void *a, const void *b)
{
    const struct verdict_test *x = a, *y = b;
    if (x->verdict != y->verdict)
        return x->verdict < y->verdict ? -1 : 1;
    return key_cmp(x->classname, x->name, x->project, y->classname, y->name, y->project);
}

/* The tests index_cmp compares the indexes of (qsort has no argument for
 * it; the table is judged in one thread). */
static const struct verdict_test *sort_tests;

static int index_cmp(const void *a, const void *b)
{
    const struct verdict_test *x = &sort_tests[*(const size_t *)a];
    const struct verdict_test *y = &sort_tests[*(const size_t *)b];
    return key_cmp(x->classname, x->name, x->project, y->classname, y->name, y->project);
}

int verdict_table_judge(struct verdict_table *t)
{
    if (t->judged)
        return 0;
    if (t->n > 0) {
        t->runs = malloc(t->n * sizeof *t->runs);
        t->tests = malloc(t->n * sizeof *t->tests);
        t->by_key = malloc(t->n * sizeof *t->by_key);
        if (!t->runs || !t->tests || !t->by_key) {
            free(t->runs);
            free(t->tests);
            free(t->by_key);
            t->runs = NULL;
            t->tests = NULL;
            t->by_key = NULL;
            errno = ENOMEM;
            return -1;
        }
    }
    if (t->n > 1) /* qsort wants an array, even of nothing: entries is NULL when empty */
        qsort(t->entries, t->n, sizeof *t->entries, entry_cmp);
    for (size_t i = 0; i < t->n; i++) {
        const struct entry *e = &t->entries[i];
        t->runs[i] = e->run;
        struct verdict_test *last = t->ntests ? &t->tests[t->ntests - 1] : NULL;
        if (last && !key_cmp(last->classname, last->name, last->project, e->classname, e->name,
                             e->project)) {
            last->nruns++;
            continue;
        }
        t->tests[t->ntests++] = (struct verdict_test){e->classname,    e->name,     e->project,
                                                      VERDICT_SKIPPED, &t->runs[i], 1};
    }
    for (size_t i = 0; i < t->ntests; i++)
        t->tests[i].verdict = verdict_judge(t->tests[i].runs, t->tests[i].nruns);
    if (t->ntests > 1)
        qsort(t->tests, t->ntests, sizeof *t->tests, test_cmp);
    for (size_t i = 0; i < t->ntests; i++)
        t->by_key[i] = i;
    sort_tests = t->tests;
    if (t->ntests > 1)
        qsort(t->by_key, t->ntests, sizeof *t->by_key, index_cmp);
    sort_tests = NULL;
    t->judged = true;
    return 0;
}

const struct verdict_test *verdict_table_find(const struct verdict_table *t, const char *classname,
                                              const char *name, const char *project)
{
    size_t lo = 0, hi = verdict_table_count(t);
    classname = classname ? classname : "";
    name = name ? name : "";
    project = project ? project : "";
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct verdict_test *x = &t->tests[t->by_key[mid]];
        int c = key_cmp(classname, name, project, x->classname, x->name, x->project);
        if (!c)
            return x;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t verdict_table_count(const struct verdict_table *t)
{
    return t && t->judged ? t->ntests : 0;
}

const struct verdict_test *verdict_table_test(const struct verdict_table *t, size_t i)
{
    return i < verdict_table_count(t) ? &t->tests[i] : NULL;
}

void verdict_table_counts(const struct verdict_table *t, long counts[VERDICT_COUNT])
{
    for (int v = 0; v < VERDICT_COUNT; v++)
        counts[v] = 0;
    for (size_t i = 0; i < verdict_table_count(t); i++)
        counts[t->tests[i].verdict]++;
}
