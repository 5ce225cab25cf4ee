/* SPDX-License-Identifier: BSD-3-Clause */
/* test_verdict_gather.c - unit tests of the test cases read from collected
 * JUnit files (junit_cases_read) and of rank 0's verdicts on them
 * (verdict_gather.h), on a made-up cluster of two hosts. */
#include "config.h"

#include "report/verdict_gather.h"

#include <errno.h>

#include "report/junit_merge.h"
#include "unit.h"

/* ------------------------------------------------------------ reading */

struct seen {
    int n;
    char line[16][160];
};

static int remember(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    struct seen *s = arg;
    ck_assert_ptr_null(w);
    ck_assert_int_lt(s->n, 16);
    snprintf(s->line[s->n++], sizeof s->line[0], "%s|%s|%s|%d|%d|%s", c->classname, c->name,
             c->project ? c->project : "-", (int)c->outcome, c->failed_before,
             c->message ? c->message : "-");
    return 0;
}

static int refuse(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    (void)arg;
    (void)c;
    (void)w;
    errno = EPERM;
    return -1;
}

/* Each test case once, in document order, with its outcome, its earlier
 * failed executions and the hostname of its nearest suite that has one. */
START_TEST(cases_read)
{
    static const char xml[] =
        "<testsuites>"
        "<testsuite name=\"login.spec.ts\" hostname=\"desktop\">"
        "<testcase name=\"ok\" classname=\"login.spec.ts\"/>"
        "<testcase name=\"flaky\" classname=\"login.spec.ts\">"
        "<flakyFailure message=\"1\"/><flakyError message=\"2\"/></testcase>"
        "<testsuite name=\"inner\"><testcase name=\"nested\"><skipped/></testcase></testsuite>"
        "</testsuite>"
        "<testsuite name=\"py\" hostname=\"\">"
        "<testcase name=\"bad\" classname=\"m\"><rerunFailure message=\"r1\"/><rerunError/>"
        "<failure message=\"last\"/></testcase>"
        "<testcase name=\"err\" classname=\"m\"><error/></testcase>"
        "<testcase classname=\"m\"><skipped/><failure/></testcase>"
        "</testsuite></testsuites>";
    char path[4096];
    unit_write_temp(xml, sizeof xml - 1, path);
    struct seen s = {0};
    char why[256] = "x";
    ck_assert_int_eq(junit_cases_read(path, NULL, remember, &s, why, sizeof why), 6);
    ck_assert_str_eq(why, "");
    ck_assert_int_eq(s.n, 6);
    ck_assert_str_eq(s.line[0], "login.spec.ts|ok|desktop|0|0|-");
    ck_assert_str_eq(s.line[1], "login.spec.ts|flaky|desktop|0|2|1");
    ck_assert_str_eq(s.line[2], "inner|nested|desktop|2|0|-");
    ck_assert_str_eq(s.line[3], "m|bad|-|1|2|last");
    ck_assert_str_eq(s.line[4], "m|err|-|1|0|-");
    ck_assert_str_eq(s.line[5], "m|(unnamed)|-|1|0|-");
    /* a callback that fails stops the read */
    errno = 0;
    ck_assert_int_eq(junit_cases_read(path, NULL, refuse, NULL, why, sizeof why), -2);
    ck_assert_int_eq(errno, EPERM);
    unlink(path);
    /* an unusable file: -1 and why */
    unit_write_temp("<html/>", 7, path);
    s.n = 0;
    ck_assert_int_eq(junit_cases_read(path, NULL, remember, &s, why, sizeof why), -1);
    ck_assert_int_eq(s.n, 0);
    ck_assert_msg(strstr(why, "root element is <html>"), "%s", why);
    unlink(path);
    /* no classname and no suite name: the file's name, as in the merge */
    static const char bare[] =
        "<testsuites><testsuite><testcase name=\"x\"/></testsuite></testsuites>";
    unit_write_temp(bare, sizeof bare - 1, path);
    s.n = 0;
    ck_assert_int_eq(junit_cases_read(path, "out/j.xml", remember, &s, why, sizeof why), 1);
    ck_assert_str_eq(s.line[0], "out/j.xml|x|-|0|0|-");
    unlink(path);
}
END_TEST

START_TEST(project)
{
    ck_assert_str_eq(verdict_project("desktop", "node1"), "desktop");
    ck_assert_ptr_null(verdict_project("node1", "node1"));
    ck_assert_ptr_null(verdict_project("node1", "node1.example.com"));
    ck_assert_str_eq(verdict_project("node1.example", "node1.example.com"), "node1.example");
    ck_assert_str_eq(verdict_project("node", "node1"), "node");
    ck_assert_ptr_null(verdict_project("", "node1"));
    ck_assert_ptr_null(verdict_project(NULL, "node1"));
    ck_assert_str_eq(verdict_project("mobile", NULL), "mobile");
}
END_TEST

/* ------------------------------------------------------------ gathering */

/* Two hosts, node1 (ranks 0 and 1) and node2 (rank 2). */
struct world {
    struct host hosts[2];
    int rank_host[3], rank_slot[3];
    struct cluster c;
    struct collected_file files[3][4];
    const struct collected_file *lists[3];
    int n[3];
    struct report rep;
    char paths[12][4096];
    int npaths;
};

static void world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    w->hosts[0].name = "node1";
    w->hosts[1].name = "node2.example.com";
    w->rank_host[1] = 0;
    w->rank_host[2] = 1;
    w->c = (struct cluster){3, 2, w->rank_host, w->rank_slot, w->hosts};
    for (int i = 0; i < 3; i++)
        w->lists[i] = w->files[i];
    w->rep.total = 3;
    w->rep.cluster = &w->c;
    w->rep.collected = w->lists;
    w->rep.ncollected = w->n;
}

/* A file of shard (from 0) and attempt sent by rank, holding body inside
 * a suite whose hostname is suite_host (NULL: none). */
static void world_file(struct world *w, long shard, int attempt, int rank, const char *suite_host,
                       const char *body)
{
    char xml[2048];
    int len = snprintf(xml, sizeof xml, "<testsuite name=\"s\"%s%s%s>%s</testsuite>",
                       suite_host ? " hostname=\"" : "", suite_host ? suite_host : "",
                       suite_host ? "\"" : "", body);
    char *path = w->paths[w->npaths++];
    unit_write_temp(xml, (size_t)len, path);
    w->files[shard][w->n[shard]++] = (struct collected_file){
        .name = "results/junit.xml", .path = path, .attempt = attempt, .rank = rank};
}

static void world_done(struct world *w)
{
    for (int i = 0; i < w->npaths; i++)
        unlink(w->paths[i]);
}

static const struct verdict_test *find(const struct verdict_table *t, const char *name)
{
    for (size_t i = 0; i < verdict_table_count(t); i++)
        if (!strcmp(verdict_table_test(t, i)->name, name))
            return verdict_table_test(t, i);
    ck_abort_msg("no test %s", name);
    return NULL;
}

/* The same test in shards run on both hosts: it failed on node2 every
 * time and passed on node1, so node2 is the suspect; tests that failed
 * and passed on one host are flaky; a pytest-style hostname (the host's
 * own name) is not a project, so both hosts' runs are one test. */
START_TEST(gather_two_hosts)
{
    struct world w;
    world_init(&w);
    static const char fail[] = "<failure message=\"no font\"/>";
    char body[512];
    /* shard 1 on node2 (rank 2): attempt 1 and 2 fail "render" */
    snprintf(body, sizeof body,
             "<testcase classname=\"r\" name=\"render\">%s</testcase>"
             "<testcase classname=\"r\" name=\"retry\">%s</testcase>",
             fail, fail);
    world_file(&w, 0, 1, 2, "node2", body);
    snprintf(body, sizeof body,
             "<testcase classname=\"r\" name=\"render\">%s</testcase>"
             "<testcase classname=\"r\" name=\"retry\"/>",
             fail);
    world_file(&w, 0, 2, 2, "node2", body);
    /* shard 1 again, its attempt 3 on node1 (rank 1, a lost rank's shard moved) */
    world_file(&w, 0, 3, 1, "node1",
               "<testcase classname=\"r\" name=\"render\"/><testcase classname=\"r\" "
               "name=\"retry\"/>");
    /* shard 2 on node1, with a project and a failed test */
    world_file(&w, 1, 1, 0, "desktop",
               "<testcase classname=\"p\" name=\"broken\"><error/></testcase>"
               "<testcase classname=\"p\" name=\"skip\"><skipped/></testcase>");
    /* shard 3: a file that is not usable, and one that was never stored */
    world_file(&w, 2, 1, 0, NULL, "<testcase name=\"cut\"");
    w.files[2][w.n[2]++] = (struct collected_file){
        .name = "results/junit.xml", .error = "no file matches", .attempt = 1};
    w.files[2][w.n[2]++] =
        (struct collected_file){.name = "screenshot.png", .path = w.paths[0], .attempt = 1};

    struct verdict_table *t = NULL;
    struct error err;
    ck_assert_int_eq(verdict_gather(&w.rep, &t, &err), 0);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(verdict_table_count(t), 4);
    const struct verdict_test *x = find(t, "render");
    ck_assert_int_eq(x->verdict, VERDICT_HOST_SPECIFIC);
    ck_assert_str_eq(x->project, "");
    ck_assert_uint_eq(x->nruns, 3);
    ck_assert_int_eq(x->runs[0].host, 1);
    ck_assert_int_eq(x->runs[2].host, 0);
    ck_assert_int_eq(x->runs[2].attempt, 3);
    x = find(t, "retry");
    ck_assert_int_eq(x->verdict, VERDICT_FLAKY);
    x = find(t, "broken");
    ck_assert_int_eq(x->verdict, VERDICT_FAILING);
    ck_assert_str_eq(x->project, "desktop");
    ck_assert_int_eq(x->runs[0].shard, 1);
    ck_assert_int_eq(find(t, "skip")->verdict, VERDICT_SKIPPED);
    ck_assert(verdict_any_flaky(t, 0));

    /* the summary's section */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    verdict_print(f, t, &w.c, 10);
    fclose(f);
    ck_assert_msg(strstr(text,
                         "\nTests: 4: 0 passed, 1 flaky, 1 failing, 1 host-specific, "
                         "1 skipped\n"),
                  "%s", text);
    ck_assert_msg(strstr(text,
                         "  failing       p: broken [desktop] (node1 shard 2 attempt 1: "
                         "failed)\n"),
                  "%s", text);
    ck_assert_msg(strstr(text,
                         "  host-specific r: render (node2.example.com shard 1 attempt 1: "
                         "failed; node2.example.com shard 1 attempt 2: failed; node1 "
                         "shard 1 attempt 3: passed)\n"),
                  "%s", text);
    ck_assert_ptr_null(strstr(text, "p: skip"));
    free(text);
    /* bounded: one test named, the others counted */
    f = open_memstream(&text, &len);
    verdict_print(f, t, &w.c, 1);
    fclose(f);
    ck_assert_msg(strstr(text, "  failing ") && !strstr(text, "  host-specific r:"), "%s", text);
    ck_assert_msg(strstr(text, "  ... and 2 more that failed at least once"), "%s", text);
    free(text);
    verdict_table_destroy(t);
    world_done(&w);
}
END_TEST

/* Nothing collected: no table. Only passing tests: nothing flaky. */
START_TEST(gather_nothing)
{
    struct world w;
    world_init(&w);
    struct verdict_table *t = (struct verdict_table *)&w; /* overwritten */
    struct error err;
    w.rep.collected = NULL;
    ck_assert_int_eq(verdict_gather(&w.rep, &t, &err), 0);
    ck_assert_ptr_null(t);
    ck_assert(!verdict_any_flaky(NULL, 0));
    ck_assert(verdict_any_flaky(NULL, 1)); /* a flaky shard */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    verdict_print(f, NULL, &w.c, 10);
    fclose(f);
    ck_assert_str_eq(text, "");
    free(text);

    w.rep.collected = w.lists;
    world_file(&w, 0, 1, 0, NULL, "<testcase classname=\"a\" name=\"b\"/>");
    ck_assert_int_eq(verdict_gather(&w.rep, &t, &err), 0);
    ck_assert_uint_eq(verdict_table_count(t), 1);
    ck_assert(!verdict_any_flaky(t, 0));
    ck_assert_str_eq(verdict_host_name(&w.c, 5), "?");
    ck_assert_str_eq(verdict_host_name(&w.c, -1), "?");
    verdict_table_destroy(t);
    world_done(&w);
}
END_TEST

static Suite *gather_suite(void)
{
    Suite *s = suite_create("verdict_gather");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cases_read);
    tcase_add_test(tc, project);
    tcase_add_test(tc, gather_two_hosts);
    tcase_add_test(tc, gather_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(gather_suite());
}
