/* SPDX-License-Identifier: BSD-3-Clause */
/* test_journal.c - unit tests of the journal (journal.h): what is written
 * reads back the same, a torn last line is ignored, anything else that is
 * wrong is refused with FILE:LINE, and two runs are told apart. */
#include "config.h"

#include "coord/journal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>

#include "unit.h"

/* jansson's json_array_append_new, which this program's definition
 * replaces (for the journal's calls too), failing the call numbered
 * append_fail_at (from 0, counting from when append_calls was last set to
 * 0; -1: none) as jansson does when out of memory. */
static int append_calls, append_fail_at = -1;

int json_array_append_new(json_t *array, json_t *value)
{
    static int (*real)(json_t *, json_t *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "json_array_append_new");
    if (append_fail_at >= 0 && append_calls++ == append_fail_at) {
        json_decref(value);
        return -1;
    }
    return real(array, value);
}

static char *const CMD[] = {"sh", "-c", "test {shard} -ne 3", NULL};

static struct journal_identity identity(void)
{
    return (struct journal_identity){.command = CMD,
                                     .ncommand = 3,
                                     .total = 4,
                                     .schedule = "dynamic",
                                     .run_id = "20261126-1",
                                     .started = 1795700000.5};
}

/* A fresh path in the temporary directory (the file does not exist). */
static void temp_path(char *path)
{
    unit_write_temp("", 0, path);
    unlink(path);
}

static struct shard_result result(long index, int status, int nattempts)
{
    /* numbered with a gap, as after a move off a lost host */
    static struct attempt a[3] = {{OUTCOME_FAILED, 1, 0, 1795700001.25, 0.5, 1, 1, 0},
                                  {OUTCOME_CRASHED, -1, 11, 1795700002.0, 0.25, 4, 1, 0},
                                  {OUTCOME_PASSED, 0, 0, 1795700003.0, 1.0, 5, 1, 0}};
    return (struct shard_result){.index = index,
                                 .status = status,
                                 .rank = 1,
                                 .slot = 0,
                                 .nattempts = nattempts,
                                 .attempts = nattempts ? a + 3 - nattempts : NULL};
}

START_TEST(round_trip)
{
    char path[4096];
    struct error e = {""};
    temp_path(path);
    struct journal_identity id = identity();
    struct journal *j = journal_create(path, &id, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    struct shard_result r1 = result(0, STATUS_FLAKY, 3);
    struct shard_result r3 = result(2, STATUS_FAILED, 1);
    r3.error = "bad \xff bytes";
    ck_assert_int_eq(journal_append(j, &r1, "node1", "/runs/shard-1/attempt-1.log", &e), 0);
    ck_assert_int_eq(journal_append(j, &r3, "caf\xe9", NULL, &e), 0);
    ck_assert_msg(journal_sync(j, &e) == 0, "%s", e.text);
    journal_close(j);

    struct journal_data d;
    ck_assert_msg(journal_load(path, &d, &e) == 0, "%s", e.text);
    ck_assert_int_eq(d.total, 4);
    ck_assert_int_eq(d.ncommand, 3);
    ck_assert_str_eq(d.command[2], "test {shard} -ne 3");
    ck_assert_ptr_null(d.tasks);
    ck_assert_str_eq(d.schedule, "dynamic");
    ck_assert_int_eq(d.nresults, 2);
    const struct shard_result *a = d.results[0];
    ck_assert_ptr_nonnull(a);
    ck_assert(a->carried);
    ck_assert_int_eq(a->rank, -1);
    ck_assert_int_eq(a->status, STATUS_FLAKY);
    ck_assert_str_eq(a->host, "node1");
    ck_assert_int_eq(a->nattempts, 3);
    ck_assert_int_eq(a->attempts[1].outcome, OUTCOME_CRASHED);
    ck_assert_int_eq(a->attempts[0].number, 1);
    ck_assert_int_eq(a->attempts[1].number, 4);
    ck_assert_int_eq(a->attempts[2].number, 5);
    ck_assert_int_eq(d.results[2]->attempts[0].number, 5);
    ck_assert_int_eq(a->attempts[1].signal, 11);
    ck_assert_int_eq(a->attempts[0].exit_code, 1);
    ck_assert_double_eq(a->attempts[0].start, 1795700001.25);
    ck_assert_str_eq(a->log, "/runs/shard-1/attempt-1.log");
    ck_assert_ptr_null(d.results[2]->log);
    ck_assert_ptr_null(d.results[1]);
    ck_assert_str_eq(d.results[2]->host, "caf\xe9"); /* every byte survives */
    ck_assert_str_eq(d.results[2]->error, "bad \xff bytes");
    ck_assert_int_eq(journal_match(&d, &id, &e), 0);
    journal_data_free(&d);
    unlink(path);
}
END_TEST

START_TEST(never_replaces_a_file)
{
    char path[4096];
    struct error e = {""};
    unit_write_temp("precious\n", 9, path);
    struct journal_identity id = identity();
    errno = 0;
    ck_assert_ptr_null(journal_create(path, &id, &e));
    ck_assert_int_eq(errno, EEXIST);
    unit_assert_contains(e.text, "exists already");
    unlink(path);
}
END_TEST

/* An attempt that cannot be added to its line is an error, never a line
 * without it. */
START_TEST(append_out_of_memory)
{
    char path[4096];
    struct error e = {""};
    temp_path(path);
    struct journal_identity id = identity();
    struct journal *j = journal_create(path, &id, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    struct shard_result r = result(0, STATUS_FLAKY, 3);
    append_calls = 0;
    append_fail_at = 1; /* the second attempt */
    ck_assert_int_eq(journal_append(j, &r, "node1", NULL, &e), -1);
    append_fail_at = -1;
    unit_assert_contains(e.text, "cannot write shard 1 to the journal");
    unit_assert_contains(e.text, "out of memory");
    ck_assert_int_eq(journal_append(j, &r, "node1", NULL, &e), 0);
    journal_close(j);
    struct journal_data d;
    ck_assert_msg(journal_load(path, &d, &e) == 0, "%s", e.text);
    ck_assert_int_eq(d.nresults, 1);
    ck_assert_int_eq(d.results[0]->nattempts, 3);
    journal_data_free(&d);
    unlink(path);
}
END_TEST

/* Load text as a journal: the return value, and err. */
static int load_text(const char *text, struct journal_data *d, struct error *e)
{
    char path[4096];
    unit_write_temp(text, strlen(text), path);
    int rc = journal_load(path, d, e);
    char *err = e->text;
    const char *base = strrchr(path, '/') + 1;
    /* name the file "J" in err, so tests can compare it */
    char *at = strstr(err, base);
    if (rc < 0 && at)
        memmove(err, at + strlen(base) - 1, strlen(at + strlen(base) - 1) + 1), err[0] = 'J';
    unlink(path);
    return rc;
}

#define HEADER                                                                             \
    "{\"journal\":\"distmpi\",\"version\":1,\"run_id\":\"r\",\"started\":1.0,\"total\":3," \
    "\"schedule\":\"static\",\"command\":null,\"tasks\":[\"true\",\"false\",\"true\"]}\n"
#define PASSED(n)                                                                        \
    "{\"shard\":" #n                                                                     \
    ",\"status\":\"passed\",\"host\":\"h\",\"rank\":0,\"slot\":0,\"log\":null,"          \
    "\"error\":null,\"attempts\":[{\"outcome\":\"passed\",\"exit_code\":0,\"signal\":0," \
    "\"start\":2.0,\"duration\":0.5}]}"

START_TEST(torn_last_line_ignored)
{
    struct journal_data d;
    struct error e = {""};
    const char *text = HEADER PASSED(1) "\n" PASSED(2) "\n" "{\"shard\":3,\"sta";
    ck_assert_msg(load_text(text, &d, &e) == 0, "%s", e.text);
    ck_assert_int_eq(d.nresults, 2);
    ck_assert_ptr_null(d.results[2]);
    ck_assert_int_eq(d.ntasks, 3);
    ck_assert_str_eq(d.tasks[1], "false");
    /* a journal from before attempts were numbered counts them from 1 */
    ck_assert_int_eq(d.results[0]->attempts[0].number, 1);
    journal_data_free(&d);
}
END_TEST

START_TEST(later_line_wins)
{
    struct journal_data d;
    struct error e = {""};
    const char *text = HEADER
        "{\"shard\":1,\"status\":\"failed\",\"host\":\"h\",\"rank\":0,\"slot\":0,\"log\":null,"
        "\"error\":null,\"attempts\":[]}\n" PASSED(1) "\n";
    ck_assert_msg(load_text(text, &d, &e) == 0, "%s", e.text);
    ck_assert_int_eq(d.nresults, 1);
    ck_assert_int_eq(d.results[0]->status, STATUS_PASSED);
    journal_data_free(&d);
}
END_TEST

/* --speculate: the copies ended as superseded are written with their
 * logs and read back apart from the attempts; a copy that failed before the
 * other passed comes first, with the higher numbers. */
START_TEST(superseded_round_trip)
{
    char path[4096];
    struct error e = {""};
    temp_path(path);
    struct journal_identity id = identity();
    struct journal *j = journal_create(path, &id, &e);
    ck_assert_msg(j != NULL, "%s", e.text);
    struct attempt a[2] = {{OUTCOME_FAILED, 1, 0, 1795700001.0, 0.5, 4, 2, 0},
                           {OUTCOME_PASSED, 0, 0, 1795700000.0, 3.0, 1, 1, 2}};
    struct shard_result r = result(1, STATUS_FLAKY, 0);
    r.nattempts = 2;
    r.attempts = a;
    struct shard_result ended = result(3, STATUS_PASSED, 1);
    struct superseded copy = {{OUTCOME_SUPERSEDED, -1, 0, 1795700002.0, 1.5, 2, 3, 0},
                              "/runs/shard-4/attempt-2.log"};
    ended.nsuperseded = 1;
    ended.superseded = &copy;
    ck_assert_int_eq(journal_append(j, &r, "node1", NULL, &e), 0);
    ck_assert_int_eq(journal_append(j, &ended, "node2", "/runs/shard-4/attempt-5.log", &e), 0);
    ck_assert_msg(journal_sync(j, &e) == 0, "%s", e.text);
    journal_close(j);

    struct journal_data d;
    ck_assert_msg(journal_load(path, &d, &e) == 0, "%s", e.text);
    const struct shard_result *x = d.results[1];
    ck_assert_int_eq(x->nattempts, 2);
    ck_assert_int_eq(x->attempts[0].number, 4);
    ck_assert_int_eq(x->attempts[1].number, 1);
    ck_assert_int_eq(x->attempts[0].retried, 0);
    ck_assert_int_eq(x->attempts[1].retried, 2);
    ck_assert_int_eq(x->nsuperseded, 0);
    const struct shard_result *y = d.results[3];
    ck_assert_int_eq(y->nattempts, 1);
    ck_assert_int_eq(y->nsuperseded, 1);
    ck_assert_int_eq(y->superseded[0].attempt.outcome, OUTCOME_SUPERSEDED);
    ck_assert_int_eq(y->superseded[0].attempt.number, 2);
    ck_assert_int_eq(y->superseded[0].attempt.rank, -1); /* another run's */
    ck_assert_double_eq(y->superseded[0].attempt.duration, 1.5);
    ck_assert_str_eq(y->superseded[0].log, "/runs/shard-4/attempt-2.log");
    journal_data_free(&d);
    unlink(path);

    /* a superseded outcome among the attempts, another among the copies,
     * a list that is not one: refused */
    static const char *const bad[] = {
        HEADER
        "{\"shard\":1,\"status\":\"passed\",\"attempts\":[{\"outcome\":"
        "\"superseded\",\"exit_code\":-1,\"signal\":0,\"start\":1.0,\"duration\":1.0}]}\n",
        HEADER
        "{\"shard\":1,\"status\":\"passed\",\"attempts\":[],\"superseded\":[{"
        "\"attempt\":1,\"outcome\":\"passed\",\"exit_code\":0,\"signal\":0,\"start\":1.0,"
        "\"duration\":1.0,\"log\":null}]}\n",
        HEADER "{\"shard\":1,\"status\":\"passed\",\"attempts\":[],\"superseded\":{}}\n",
        HEADER
        "{\"shard\":1,\"status\":\"passed\",\"attempts\":[],\"superseded\":[{"
        "\"outcome\":\"superseded\",\"exit_code\":-1,\"signal\":0,\"start\":1.0,"
        "\"duration\":1.0}]}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(load_text(bad[i], &d, &e) < 0, "case %zu accepted", i);
        unit_assert_prefix(e.text, "J:2: bad attempt");
    }
}
END_TEST

START_TEST(bad_journals_refused)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "J: empty, not a distmpi journal"},
        {"{\"hello\":1}\n", "J:1: not a distmpi journal"},
        {"not json\n", "J:1: not JSON"},
        {"{\"journal\":\"distmpi\",\"version\":2,\"total\":3,\"schedule\":\"x\"}\n",
         "J:1: journal version 2 is not known"},
        {"{\"journal\":\"distmpi\",\"version\":1,\"total\":0,\"schedule\":\"x\"}\n",
         "J:1: bad shard count 0"},
        {"{\"journal\":\"distmpi\",\"version\":1,\"total\":3,\"schedule\":\"x\",\"command\":null,"
         "\"tasks\":null}\n",
         "J:1: bad command or tasks"},
        {HEADER "{broken\n" PASSED(2) "\n", "J:2: not JSON"},
        {HEADER "{\"shard\":4,\"status\":\"passed\",\"attempts\":[]}\n", "J:2: bad shard number"},
        {HEADER "{\"shard\":1,\"status\":\"great\",\"attempts\":[]}\n", "J:2: bad shard number"},
        {HEADER "{\"shard\":1,\"status\":\"passed\",\"attempts\":[{\"outcome\":\"x\"}]}\n",
         "J:2: bad attempt"},
        {HEADER "{\"shard\":1,\"status\":\"passed\",\"host\":{\"hex\":\"zz\"},\"attempts\":[]}\n",
         "J:2: bad attempt, host"},
        /* attempt numbers are all different, and from 1 */
        {HEADER "{\"shard\":1,\"status\":\"failed\",\"attempts\":[{\"attempt\":2,\"outcome\":"
                "\"failed\",\"exit_code\":1,\"signal\":0,\"start\":1.0,\"duration\":1.0},"
                "{\"attempt\":2,\"outcome\":\"failed\",\"exit_code\":1,\"signal\":0,\"start\":2.0,"
                "\"duration\":1.0}]}\n",
         "J:2: bad attempt"},
        {HEADER "{\"shard\":1,\"status\":\"failed\",\"attempts\":[{\"attempt\":0,\"outcome\":"
                "\"failed\",\"exit_code\":1,\"signal\":0,\"start\":1.0,\"duration\":1.0}]}\n",
         "J:2: bad attempt"},
        {HEADER "{\"shard\":1,\"shard\":2,\"status\":\"passed\",\"attempts\":[]}\n",
         "J:2: not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct journal_data d;
        struct error e = {""};
        ck_assert_msg(load_text(cases[i].text, &d, &e) < 0, "case %zu accepted", i);
        unit_assert_prefix(e.text, cases[i].want);
    }
}
END_TEST

START_TEST(match_tells_runs_apart)
{
    struct journal_data d;
    struct error e = {""};
    ck_assert_int_eq(load_text(HEADER, &d, &e), 0);
    char *tasks[] = {"true", "false", "true", NULL};
    struct journal_identity id = {.tasks = tasks, .ntasks = 3, .total = 3};
    ck_assert_int_eq(journal_match(&d, &id, &e), 0);
    tasks[1] = "false # changed";
    ck_assert_int_eq(journal_match(&d, &id, &e), -1);
    unit_assert_prefix(e.text,
                       "task 2 differs: the journal has 'false', this run 'false # changed'");
    tasks[1] = "false";
    id.ntasks = 2;
    ck_assert_int_eq(journal_match(&d, &id, &e), -1);
    unit_assert_prefix(e.text, "task 3 differs: the journal has 'true', this run none");
    struct journal_identity cmd = {.command = CMD, .ncommand = 3, .total = 3};
    ck_assert_int_eq(journal_match(&d, &cmd, &e), -1);
    unit_assert_prefix(e.text, "the journal's run used a task file, this one a command");
    id.ntasks = 3;
    id.total = 4;
    ck_assert_int_eq(journal_match(&d, &id, &e), -1);
    unit_assert_prefix(e.text, "the journal's run had 3 shards, this one 4");
    journal_data_free(&d);
}
END_TEST

static Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("journal");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, never_replaces_a_file);
    tcase_add_test(tc, append_out_of_memory);
    tcase_add_test(tc, torn_last_line_ignored);
    tcase_add_test(tc, later_line_wins);
    tcase_add_test(tc, superseded_round_trip);
    tcase_add_test(tc, bad_journals_refused);
    tcase_add_test(tc, match_tells_runs_apart);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(journal_suite());
}
