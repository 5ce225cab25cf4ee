/* SPDX-License-Identifier: BSD-3-Clause */
/* verdict_gather.c - the collected JUnit files read into verdicts, and the
 * summary's section of tests (contract in verdict_gather.h). */
#include "config.h"

#include "report/verdict_gather.h"

#include <errno.h>
#include <string.h>

#include "report/junit_merge.h"

const char *verdict_project(const char *project, const char *host)
{
    if (!project || !*project)
        return NULL;
    if (host && *host) {
        size_t label = strcspn(host, ".");
        if (!strcmp(project, host) || (strlen(project) == label && !strncmp(project, host, label)))
            return NULL;
    }
    return project;
}

const char *verdict_host_name(const struct cluster *c, int h)
{
    return c && h >= 0 && h < c->nhosts && c->hosts[h].name ? c->hosts[h].name : "?";
}

struct gather {
    struct verdict_table *t;
    const char *host_name;
    struct test_run run; /* the file's host, shard and attempt */
};

static int add_case(void *arg, const struct junit_case *jc, struct xml_writer *w)
{
    (void)w;
    struct gather *g = arg;
    struct test_run r = g->run;
    r.outcome = jc->outcome == JUNIT_CASE_FAILED    ? TEST_FAILED
                : jc->outcome == JUNIT_CASE_SKIPPED ? TEST_SKIPPED
                                                    : TEST_PASSED;
    r.failed_before = jc->failed_before;
    r.message = jc->message;
    return verdict_table_add(g->t, jc->classname, jc->name,
                             verdict_project(jc->project, g->host_name), &r);
}

static int is_xml(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 4 && !strcmp(name + n - 4, ".xml");
}

int verdict_gather(const struct report *rep, struct verdict_table **out, struct error *err)
{
    *out = NULL;
    if (!rep->collected || !rep->ncollected)
        return 0;
    struct gather g = {.t = verdict_table_create()};
    if (!g.t)
        return errprintf(err, "out of memory");
    const struct cluster *c = rep->cluster;
    for (long i = 0; i < rep->total; i++) {
        for (int k = 0; rep->collected[i] && k < rep->ncollected[i]; k++) {
            const struct collected_file *f = &rep->collected[i][k];
            if (f->error || !f->path || !is_xml(f->name))
                continue;
            int host = c && f->rank >= 0 && f->rank < c->nranks ? c->rank_host[f->rank] : -1;
            g.host_name = host >= 0 ? verdict_host_name(c, host) : NULL;
            g.run = (struct test_run){.host = host, .shard = i, .attempt = f->attempt};
            char why[256];
            if (junit_cases_read(f->path, f->name, add_case, &g, why, sizeof why) == -2) {
                verdict_table_destroy(g.t);
                return errprintf(err, "out of memory");
            }
        }
    }
    if (verdict_table_judge(g.t) < 0) {
        verdict_table_destroy(g.t);
        return errprintf(err, "out of memory");
    }
    *out = g.t;
    return 0;
}

bool verdict_any_flaky(const struct verdict_table *t, long flaky_shards)
{
    long counts[VERDICT_COUNT];
    verdict_table_counts(t, counts);
    return flaky_shards > 0 || counts[VERDICT_FLAKY] > 0 || counts[VERDICT_HOST_SPECIFIC] > 0;
}

/* "vm shard 3 attempt 2: failed 1 time, then passed" */
static void print_run(FILE *f, const struct test_run *r, const struct cluster *c)
{
    fprintf(f, "%s shard %ld attempt %d: ", verdict_host_name(c, r->host), r->shard + 1,
            r->attempt);
    if (r->failed_before > 0)
        fprintf(f, "failed %d time%s, then ", r->failed_before, r->failed_before == 1 ? "" : "s");
    fputs(test_outcome_name(r->outcome), f);
}

void verdict_print(FILE *f, const struct verdict_table *t, const struct cluster *c, int max)
{
    size_t n = verdict_table_count(t);
    if (n == 0)
        return;
    long counts[VERDICT_COUNT];
    verdict_table_counts(t, counts);
    fprintf(f, "\nTests: %zu: %ld passed, %ld flaky, %ld failing, %ld host-specific, %ld skipped\n",
            n, counts[VERDICT_PASSED], counts[VERDICT_FLAKY], counts[VERDICT_FAILING],
            counts[VERDICT_HOST_SPECIFIC], counts[VERDICT_SKIPPED]);
    long shown = 0,
         bad = counts[VERDICT_FAILING] + counts[VERDICT_HOST_SPECIFIC] + counts[VERDICT_FLAKY];
    /* the table lists failing, host-specific and flaky first */
    for (size_t i = 0; i < n && shown < max; i++) {
        const struct verdict_test *x = verdict_table_test(t, i);
        if (x->verdict == VERDICT_PASSED || x->verdict == VERDICT_SKIPPED)
            break;
        fprintf(f, "  %-13s %.100s: %.160s", verdict_name(x->verdict), x->classname, x->name);
        if (*x->project)
            fprintf(f, " [%.60s]", x->project);
        fputs(" (", f);
        size_t listed = x->nruns < 4 ? x->nruns : 4;
        for (size_t k = 0; k < listed; k++) {
            if (k)
                fputs("; ", f);
            print_run(f, &x->runs[k], c);
        }
        if (listed < x->nruns)
            fprintf(f, "; %zu more", x->nruns - listed);
        fputs(")\n", f);
        shown++;
    }
    if (shown < bad)
        fprintf(f,
                "  ... and %ld more that failed at least once (the JSON report lists them all)\n",
                bad - shown);
}
