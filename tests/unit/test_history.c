/* SPDX-License-Identifier: BSD-3-Clause */
/* test_history.c - unit tests of the timing history (history.h): what is
 * noted and saved predicts the next run, durations are smoothed over runs,
 * two runs saving one after the other keep each other's notes, the bound on
 * keys drops the least recently seen, and every kind of bad file is a
 * warning naming the file and what is wrong, never a crash. */
#include "config.h"

#include "sched/history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sched/hostspeed.h"
#include "unit.h"

static char dir[4096];

/* A fresh directory for one test (removed after it), and chdir into it so
 * that relative paths work too. */
static const char *scratch(void)
{
    snprintf(dir, sizeof dir, "%s/distmpi-history.XXXXXX", unit_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
    return dir;
}

static void remove_scratch(void)
{
    if (!dir[0] || chdir("/") < 0)
        return;
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* The whole of path as a string (the caller frees it); NULL if missing. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* Load path, which must load without a warning. */
static struct history *load_ok(const char *path)
{
    struct history *h = NULL;
    struct error warn = {""};
    int rc = history_load(path, &h, &warn);
    ck_assert_msg(rc == 0, "history_load: %s", warn.text);
    ck_assert_str_eq(warn.text, "");
    ck_assert_ptr_nonnull(h);
    return h;
}

static void save_ok(struct history *h, const char *path)
{
    struct error err = {""};
    int rc = history_save(h, path, &err);
    ck_assert_msg(rc == 0, "history_save: %s", err.text);
}

/* Note one duration of key on host in a run of its own: load, note, save. */
static void one_run(const char *path, const char *key, const char *host, double seconds)
{
    struct history *h = load_ok(path);
    ck_assert_int_eq(history_note(h, key, host, seconds), 0);
    save_ok(h, path);
    history_destroy(h);
}

#define ck_assert_seconds(got, want)                                                  \
    do {                                                                              \
        double g_ = (got), w_ = (want);                                               \
        ck_assert_msg(fabs(g_ - w_) < 1e-9, "%s is %.17g, want %.17g", #got, g_, w_); \
    } while (0)

START_TEST(missing_file_is_empty_without_warning)
{
    scratch();
    struct history *h = NULL;
    struct error warn = {""};
    ck_assert_int_eq(history_load("nothing/here.json", &h, &warn), 0);
    ck_assert_str_eq(warn.text, "");
    ck_assert_ptr_nonnull(h);
    ck_assert(isnan(history_predict(h, "make test", NULL)));
    ck_assert(isnan(history_predict(h, "make test", "node1")));
    ck_assert_int_eq(history_noted(h), 0);
    history_destroy(h);
    history_destroy(NULL);
}
END_TEST

/* A file and what its warning must say after "PATH: ". */
struct bad {
    const char *text, *why;
};

#define HEAD "{\"distmpi_history\": 1, \"runs\": 3}\n"
/* a good shard before the bad one ("Good" sorts before "a") */
#define GOOD \
    "{\"key\": \"Good\", \"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": 2}}}\n"
#define A "{\"key\": \"a\", "

static const struct bad bad_files[] = {
    {"", "corrupt: line 1: not JSON"},
    {"{", "corrupt: line 1: not JSON"},
    {"\n" HEAD, "corrupt: line 1: not JSON"},
    {"[]", "corrupt: line 1: not a JSON object"},
    {"null", "corrupt: line 1: not JSON"}, /* jansson wants an object or array */
    {"{\"distmpi_history\": 1, \"runs\": 3} trailing\n", "corrupt: line 1: not JSON"},
    {"{\"runs\": 0}", "corrupt: line 1: no \"distmpi_history\" member"},
    {"{\"distmpi_history\": \"1\", \"runs\": 0}",
     "corrupt: line 1: \"distmpi_history\" is not a whole number"},
    {"{\"distmpi_history\": 1.0, \"runs\": 0}",
     "corrupt: line 1: \"distmpi_history\" is not a whole number"},
    {"{\"distmpi_history\": 2, \"runs\": 0}", "corrupt: line 1: unknown version 2"},
    {"{\"distmpi_history\": 1, \"runs\": 0, \"more\": 1}",
     "corrupt: line 1: unknown member \"more\""},
    /* the whole-object format of before: refused, not misread */
    {"{\"distmpi_history\": 1, \"runs\": 0, \"shards\": {}}",
     "corrupt: line 1: unknown member \"shards\""},
    {"{\"distmpi_history\": 1, \"runs\": 0,\n \"shards\": {}}", "corrupt: line 1: not JSON"},
    {"{\"distmpi_history\": 1}", "corrupt: line 1: \"runs\" is missing"},
    {"{\"distmpi_history\": 1, \"runs\": -1}", "corrupt: line 1: \"runs\" is missing or not"},
    {"{\"distmpi_history\": 1, \"runs\": 1.5}", "corrupt: line 1: \"runs\" is missing or not"},
    {"{\"distmpi_history\": 1, \"runs\": 99999999999999999}",
     "corrupt: line 1: \"runs\" is missing or not"},
    {HEAD "[]\n", "corrupt: line 2: not a JSON object"},
    {HEAD GOOD "\n", "corrupt: line 3: not JSON"},
    {HEAD "\n" GOOD, "corrupt: line 2: not JSON"},
    {HEAD "{\"last_run\": 1, \"hosts\": {}}\n", "corrupt: line 2: \"key\" is missing or not"},
    {HEAD "{\"key\": 1, \"last_run\": 1, \"hosts\": {}}\n",
     "corrupt: line 2: \"key\" is missing or not a string"},
    {HEAD GOOD A "\"hosts\": {}}\n", "corrupt: line 3: shard \"a\": \"last_run\" is missing"},
    {HEAD A "\"last_run\": 0, \"hosts\": {}}\n",
     "corrupt: line 2: shard \"a\": \"last_run\" is missing"},
    {HEAD A "\"last_run\": 4, \"hosts\": {}}\n",
     "corrupt: line 2: shard \"a\": \"last_run\" is missing"},
    {HEAD A "\"last_run\": \"1\", \"hosts\": {}}\n",
     "corrupt: line 2: shard \"a\": \"last_run\" is missing"},
    {HEAD A "\"last_run\": 1}\n",
     "corrupt: line 2: shard \"a\": \"hosts\" is missing or not an object"},
    {HEAD A "\"last_run\": 1, \"hosts\": [1]}\n",
     "corrupt: line 2: shard \"a\": \"hosts\" is missing or not an object"},
    {HEAD A "\"last_run\": 1, \"hosts\": {}, \"x\": 1}\n",
     "corrupt: line 2: shard \"a\": unknown member \"x\""},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": 2}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\" is not an object"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"seconds\" is missing or not a number"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": \"2\"}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"seconds\" is missing or not a number"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": null}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"seconds\" is missing or not a number"},
    {HEAD GOOD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": -0.5}}}\n",
     "corrupt: line 3: shard \"a\": host \"n1\": \"seconds\" is negative (-0.5)"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": 1e999}}}\n",
     "corrupt: line 2: not JSON"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"seconds\": 1}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"runs\" is missing or not a whole number from 1 "
     "to 3"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 0, \"seconds\": 1}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"runs\" is missing"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 4, \"seconds\": 1}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": \"runs\" is missing"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": 1, \"y\": 0}}}\n",
     "corrupt: line 2: shard \"a\": host \"n1\": unknown member \"y\""},
    /* a duplicate key: on the next line, out of order, or twice in a line */
    {HEAD A "\"last_run\": 1, \"hosts\": {}}\n" A "\"last_run\": 1, \"hosts\": {}}\n",
     "corrupt: line 3: shard \"a\": the key is on the line before too"},
    {HEAD A "\"last_run\": 1, \"hosts\": {}}\n" GOOD,
     "corrupt: line 3: shard \"Good\": not in key order (after \"a\")"},
    {HEAD A "\"last_run\": 1, \"hosts\": {}, \"key\": \"b\"}\n", "corrupt: line 2: not JSON"},
    {HEAD A "\"last_run\": 1, \"hosts\": {\"n1\": {\"runs\": 1, \"seconds\": 1}, \"n1\": "
            "{\"runs\": 1, \"seconds\": 1}}}\n",
     "corrupt: line 2: not JSON"},
    {HEAD "{\"key\": \"a\\u0000b\", \"last_run\": 1, \"hosts\": {}}\n",
     "corrupt: line 2: not JSON"},
    {HEAD "{\"key\": \"\\u001b[31mred\", \"last_run\": 9, \"hosts\": {}}\n",
     "corrupt: line 2: shard \"?[31mred\": \"last_run\" is missing"},
    {HEAD "{\"key\": \"a\xff\", \"last_run\": 1, \"hosts\": {}}\n", "corrupt: line 2: not JSON"},
    /* jansson quotes the text near the error, control characters too:
     * the warning stays one line */
    {HEAD "{\"key\": \"sh t1.sh \\u00e\x01\x1b\", \"last_run\": 1}\n",
     "corrupt: line 2: not JSON: column 24: invalid escape near '\"sh t1.sh \\u00e?'"},
    {"{\"distmpi_history\": 1, \"runs\": 0}\n" A "\"last_run\": 1, \"hosts\": {}}\n",
     "corrupt: line 2: shard \"a\": \"last_run\" is missing or not a whole number from 1 to the "
     "file's runs (0)"},
};

/* Each kind of bad file: a warning "PATH: what is wrong", -1, and an empty
 * history (also for the good shard beside the bad one). */
START_TEST(corrupt_file_is_a_warning_and_empty)
{
    scratch();
    const struct bad *b = &bad_files[_i];
    put("history.json", b->text);
    struct history *h = NULL;
    struct error warn = {""};
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    ck_assert_ptr_nonnull(h);
    unit_assert_prefix(warn.text, "history.json: ");
    unit_assert_contains(warn.text, b->why);
    ck_assert_ptr_null(strchr(warn.text, '\n'));
    ck_assert(isnan(history_predict(h, "Good", "n1")));
    ck_assert(isnan(history_predict(h, "a", NULL)));
    history_destroy(h);
}
END_TEST

/* Write a history: a header of runs, then j's compact JSON as line 2. */
static void put_line(const char *path, int runs, json_t *j)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{\"distmpi_history\": 1, \"runs\": %d}\n", runs);
    ck_assert_int_eq(json_dumpf(j, f, JSON_COMPACT), 0);
    fputc('\n', f);
    ck_assert_int_eq(fclose(f), 0);
    json_decref(j);
}

/* A key or host longer than HISTORY_MAX_KEY bytes in the file; the
 * message shows the start of it only. A line longer than HISTORY_MAX_LINE
 * bytes is refused before it is parsed; so are more than HISTORY_MAX_KEYS
 * shards. */
START_TEST(overlong_key_in_file)
{
    scratch();
    char *key = malloc(HISTORY_MAX_KEY + 2);
    ck_assert_ptr_nonnull(key);
    memset(key, 'k', HISTORY_MAX_KEY + 1);
    key[HISTORY_MAX_KEY + 1] = '\0';
    put_line("history.json", 1, json_pack("{s:s, s:i, s:{}}", "key", key, "last_run", 1, "hosts"));
    struct history *h = NULL;
    struct error warn = {""};
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    unit_assert_contains(warn.text, "line 2: shard \"kkkkkkkk");
    unit_assert_contains(warn.text, "the key is longer than 4096 bytes");
    unit_assert_contains(warn.text, "kkkkkkkk...\"");
    ck_assert_int_lt(strlen(warn.text), 200);
    history_destroy(h);

    put_line("history.json", 1,
             json_pack("{s:s, s:i, s:{s:{s:i, s:i}}}", "key", "a", "last_run", 1, "hosts", key,
                       "runs", 1, "seconds", 1));
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    unit_assert_contains(warn.text, "line 2: shard \"a\": host \"kkkk");
    unit_assert_contains(warn.text, "is longer than 4096 bytes");
    history_destroy(h);
    free(key);

    /* one byte too many on a line: the message says which line */
    char *line = malloc(HISTORY_MAX_LINE + 2);
    ck_assert_ptr_nonnull(line);
    memset(line, ' ', HISTORY_MAX_LINE + 1);
    line[HISTORY_MAX_LINE + 1] = '\0';
    FILE *f = fopen("history.json", "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{\"distmpi_history\": 1, \"runs\": 1}\n%s\n", line);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    ck_assert_str_eq(warn.text, "history.json: corrupt: line 2 is longer than 1048576 bytes");
    history_destroy(h);
    /* and exactly the limit (spaces around a shard's JSON) is read */
    const char *shard = "{\"key\": \"a\", \"last_run\": 1, \"hosts\": {}}";
    memcpy(line + HISTORY_MAX_LINE - strlen(shard), shard, strlen(shard));
    line[HISTORY_MAX_LINE] = '\0';
    f = fopen("history.json", "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{\"distmpi_history\": 1, \"runs\": 1}\n%s\n", line);
    ck_assert_int_eq(fclose(f), 0);
    history_destroy(load_ok("history.json"));
    free(line);

    /* HISTORY_MAX_KEYS shards are read, one more is not */
    f = fopen("history.json", "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{\"distmpi_history\": 1, \"runs\": 1}\n");
    for (long i = 0; i < HISTORY_MAX_KEYS; i++)
        fprintf(f, "{\"key\": \"k%06ld\", \"last_run\": 1, \"hosts\": {}}\n", i);
    ck_assert_int_eq(fclose(f), 0);
    history_destroy(load_ok("history.json"));
    f = fopen("history.json", "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{\"key\": \"z\", \"last_run\": 1, \"hosts\": {}}\n");
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    ck_assert_str_eq(warn.text, "history.json: corrupt: line 100002: more than 100000 shards");
    ck_assert(isnan(history_predict(h, "k000000", NULL)));
    history_destroy(h);
}
END_TEST

/* A file over HISTORY_MAX_BYTES is refused before it is read (a sparse
 * one: its bytes are never there); a directory or a FIFO is no history. */
START_TEST(too_large_or_not_a_file)
{
    scratch();
    int fd = open("history.json", O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, HISTORY_MAX_BYTES + 1), 0);
    close(fd);
    struct history *h = NULL;
    struct error warn = {""};
    ck_assert_int_eq(history_load("history.json", &h, &warn), -1);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(warn.text, "history.json: 67108865 bytes, more than the limit of 64 MiB");
    history_destroy(h);

    ck_assert_int_eq(mkdir("dir.json", 0777), 0);
    ck_assert_int_eq(history_load("dir.json", &h, &warn), -1);
    ck_assert_str_eq(warn.text, "dir.json: not a regular file");
    history_destroy(h);

    ck_assert_int_eq(mkfifo("fifo.json", 0666), 0);
    ck_assert_int_eq(history_load("fifo.json", &h, &warn), -1);
    ck_assert_str_eq(warn.text, "fifo.json: not a regular file");
    history_destroy(h);
}
END_TEST

/* Note, save, load, predict: per host; for another or no host the time on
 * a host of speed 1 (one shard on two hosts, 10 s and 20 s, once: each host's
 * log speed is half the log of the ratio, shrunk by the prior of one run to a
 * half of that: speeds 2^(1/4) and 2^(-1/4)), several notes of one key and
 * host averaged, NAN for the unseen; predictions come from the load, never
 * from notes since. */
START_TEST(round_trip)
{
    scratch();
    const char *path = ".distmpi/history.json";
    struct history *h = load_ok(path);
    ck_assert_int_eq(history_note(h, "sh t1.sh", "node1", 10), 0);
    ck_assert_int_eq(history_note(h, "sh t1.sh", "node2", 20), 0);
    ck_assert_int_eq(history_note(h, "sh t2.sh 'caf\xc3\xa9'", "node1", 5), 0);
    ck_assert_int_eq(history_note(h, "sh t3.sh", "node1", 2), 0);
    ck_assert_int_eq(history_note(h, "sh t3.sh", "node1", 4), 0);
    ck_assert_int_eq(history_note(h, "sh t3.sh", "node1", 6), 0);
    ck_assert_int_eq(history_noted(h), 4);
    ck_assert(isnan(history_predict(h, "sh t1.sh", "node1"))); /* not loaded */
    save_ok(h, path);                                          /* makes .distmpi */
    ck_assert_int_eq(history_noted(h), 0);
    ck_assert(isnan(history_predict(h, "sh t1.sh", "node1")));
    save_ok(h, path); /* nothing noted: nothing written */
    history_destroy(h);

    h = load_ok(path);
    ck_assert_seconds(history_predict(h, "sh t1.sh", "node1"), 10);
    ck_assert_seconds(history_predict(h, "sh t1.sh", "node2"), 20);
    /* one shard timed once on two hosts: half its log ratio over 1 + the
     * prior (hostspeed.h) */
    double fast = pow(2, 0.5 / (1 + HOSTSPEED_PRIOR));
    ck_assert_seconds(history_host_speed(h, "node1"), fast);
    ck_assert_seconds(history_host_speed(h, "node2"), 1 / fast);
    ck_assert_seconds(history_host_speed(h, "node3"), 1);
    ck_assert_seconds(history_predict(h, "sh t1.sh", NULL), (10 * fast + 20 / fast) / 2);
    ck_assert_seconds(history_predict(h, "sh t1.sh", "node3"), (10 * fast + 20 / fast) / 2);
    ck_assert_seconds(history_predict(h, "sh t2.sh 'caf\xc3\xa9'", "node3"), 5 * fast);
    ck_assert_seconds(history_predict(h, "sh t2.sh 'caf\xc3\xa9'", "node2"), 5 * fast * fast);
    ck_assert_seconds(history_predict(h, "sh t3.sh", "node1"), 4);
    ck_assert(isnan(history_predict(h, "sh t4.sh", NULL)));
    ck_assert(isnan(history_predict(h, "sh t4.sh", "node1")));
    ck_assert(isnan(history_predict(h, NULL, "node1")));
    history_destroy(h);

    /* the file as documented: a header, then a line per shard in key
     * order, hosts sorted, a newline at the end */
    char *text = slurp(path);
    ck_assert_ptr_nonnull(text);
    size_t n = strlen(text);
    ck_assert(n > 0 && text[n - 1] == '\n');
    unit_assert_prefix(text, "{\"distmpi_history\":1,\"runs\":1}\n{\"key\":\"sh t1.sh\",");
    ck_assert(strstr(text, "\"sh t1.sh\"") < strstr(text, "\"sh t2.sh"));
    ck_assert(strstr(text, "\"sh t2.sh") < strstr(text, "\"sh t3.sh"));
    ck_assert(strstr(text, "\"node1\"") < strstr(text, "\"node2\""));
    int lines = 0;
    json_int_t last = 0, runs = 0;
    double seconds = 0;
    for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
        json_error_t jerr;
        json_t *j = json_loadb(line, (size_t)(nl - line), 0, &jerr);
        ck_assert_msg(j != NULL, "line %d: %s", lines + 1, jerr.text);
        if (json_unpack(j, "{s:s}", "key", &(const char *){0}) == 0 &&
            !strcmp(json_string_value(json_object_get(j, "key")), "sh t3.sh"))
            ck_assert_int_eq(json_unpack(j, "{s:I, s:{s:{s:I, s:F}}}", "last_run", &last, "hosts",
                                         "node1", "runs", &runs, "seconds", &seconds),
                             0);
        json_decref(j);
    }
    ck_assert_int_eq(lines, 4);
    ck_assert_int_eq(last, 1);
    ck_assert_int_eq(runs, 1);
    ck_assert_seconds(seconds, 4);
    free(text);
}
END_TEST

/* What history_note ignores: bad durations, keys or hosts too long, NULL,
 * not UTF-8. With nothing noted, a save writes nothing. */
/* history_forget_loaded: no more predictions, the notes stay and save as
 * before (smoothed against the file, which the save reads again). */
START_TEST(forget_loaded_keeps_notes)
{
    char path[128];
    snprintf(path, sizeof path, "%s/h.json", scratch());
    one_run(path, "k", "n1", 4);
    struct history *h = load_ok(path);
    ck_assert_seconds(history_predict(h, "k", NULL), 4);
    history_forget_loaded(h);
    history_forget_loaded(h); /* twice: nothing more to drop */
    history_forget_loaded(NULL);
    ck_assert(isnan(history_predict(h, "k", NULL)));
    ck_assert_int_eq(history_note(h, "k", "n1", 2), 0);
    save_ok(h, path);
    history_destroy(h);
    h = load_ok(path);
    ck_assert_seconds(history_predict(h, "k", "n1"), 3);
    history_destroy(h);
}
END_TEST

START_TEST(ignored_notes)
{
    scratch();
    struct history *h = load_ok("history.json");
    char *key = malloc(HISTORY_MAX_KEY + 2);
    ck_assert_ptr_nonnull(key);
    memset(key, 'k', HISTORY_MAX_KEY + 1);
    key[HISTORY_MAX_KEY + 1] = '\0';
    ck_assert_int_eq(history_note(h, "a", "n1", -1), 0);
    ck_assert_int_eq(history_note(h, "a", "n1", NAN), 0);
    ck_assert_int_eq(history_note(h, "a", "n1", INFINITY), 0);
    ck_assert_int_eq(history_note(h, key, "n1", 1), 0);
    ck_assert_int_eq(history_note(h, "a", key, 1), 0);
    ck_assert_int_eq(history_note(h, NULL, "n1", 1), 0);
    ck_assert_int_eq(history_note(h, "a", NULL, 1), 0);
    ck_assert_int_eq(history_note(h, "caf\xe9", "n1", 1), 0);      /* Latin-1 */
    ck_assert_int_eq(history_note(h, "\xc0\xaf", "n1", 1), 0);     /* overlong '/' */
    ck_assert_int_eq(history_note(h, "\xed\xa0\x80", "n1", 1), 0); /* a surrogate */
    ck_assert_int_eq(history_noted(h), 0);
    save_ok(h, "history.json");
    ck_assert_int_eq(access("history.json", F_OK), -1);
    ck_assert_int_eq(access("history.json.lock", F_OK), -1);
    key[HISTORY_MAX_KEY] = '\0'; /* exactly the limit: kept */
    ck_assert_int_eq(history_note(h, key, "n1", 0), 0);
    ck_assert_int_eq(history_noted(h), 1);
    save_ok(h, "history.json");
    history_destroy(h);
    h = load_ok("history.json");
    ck_assert_seconds(history_predict(h, key, "n1"), 0);
    history_destroy(h);
    free(key);
}
END_TEST

/* Each save moves a duration half-way to the new one: 8, then 4 (6), then
 * 10 (8); the runs are counted in the file and per host. */
START_TEST(smoothing_over_three_saves)
{
    scratch();
    one_run("h.json", "sh slow.sh", "node1", 8);
    struct history *h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "sh slow.sh", "node1"), 8);
    history_destroy(h);
    one_run("h.json", "sh slow.sh", "node1", 4);
    h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "sh slow.sh", "node1"), 6);
    history_destroy(h);
    one_run("h.json", "sh slow.sh", "node1", 10);
    one_run("h.json", "sh other.sh", "node2", 1); /* another host: only its own */
    h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "sh slow.sh", "node1"), 8);
    ck_assert_seconds(history_predict(h, "sh slow.sh", "node2"), 8);
    ck_assert_seconds(history_predict(h, "sh other.sh", NULL), 1);
    history_destroy(h);
    char *text = slurp("h.json");
    unit_assert_prefix(text, "{\"distmpi_history\":1,\"runs\":4}\n");
    unit_assert_contains(text,
                         "{\"key\":\"sh slow.sh\",\"last_run\":3,\"hosts\":"
                         "{\"node1\":{\"runs\":3,\"seconds\":8}}}\n");
    free(text);
}
END_TEST

/* Two runs load the same file, each notes its own shards, and they save
 * one after the other: the second re-reads the file inside the lock, so
 * the first one's shards are kept (a save from what it loaded would lose
 * them). */
START_TEST(two_runs_keep_each_others_notes)
{
    scratch();
    one_run("h.json", "sh old.sh", "node1", 3);
    struct history *a = load_ok("h.json"), *b = load_ok("h.json");
    ck_assert_int_eq(history_note(a, "sh a.sh", "node1", 1), 0);
    ck_assert_int_eq(history_note(a, "sh old.sh", "node1", 5), 0);
    ck_assert_int_eq(history_note(b, "sh b.sh", "node2", 2), 0);
    ck_assert_int_eq(history_note(b, "sh old.sh", "node1", 7), 0);
    save_ok(a, "h.json");
    save_ok(b, "h.json");
    history_destroy(a);
    history_destroy(b);
    struct history *h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "sh a.sh", "node1"), 1);
    ck_assert_seconds(history_predict(h, "sh b.sh", "node2"), 2);
    ck_assert_seconds(history_predict(h, "sh old.sh", "node1"), 5.5); /* 3, then 4, then 5.5 */
    history_destroy(h);
}
END_TEST

/* Two processes saving at once, many times over: every run's note is in
 * the file and the runs add up (the lock serialises the read-merge-write). */
START_TEST(saves_at_once_lose_nothing)
{
    scratch();
    enum { PROCS = 2, RUNS = 30 };
    pid_t pid[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pid[p] = fork();
        ck_assert_int_ge(pid[p], 0);
        if (pid[p] == 0) {
            for (int r = 0; r < RUNS; r++) {
                struct history *h = NULL;
                struct error e;
                history_load("h.json", &h, &e);
                char key[64];
                snprintf(key, sizeof key, "sh p%d-r%d.sh", p, r);
                struct error err;
                if (!h || history_note(h, key, "node1", 1) < 0 ||
                    history_save(h, "h.json", &err) < 0)
                    _exit(1);
                history_destroy(h);
            }
            _exit(0);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int status;
        ck_assert_int_eq(waitpid(pid[p], &status, 0), pid[p]);
        ck_assert_int_eq(status, 0);
    }
    struct history *h = load_ok("h.json");
    for (int p = 0; p < PROCS; p++)
        for (int r = 0; r < RUNS; r++) {
            char key[64];
            snprintf(key, sizeof key, "sh p%d-r%d.sh", p, r);
            unit_require(history_predict(h, key, "node1") == 1, "%s lost", key);
        }
    history_destroy(h);
    char *text = slurp("h.json");
    ck_assert_ptr_nonnull(strstr(text, "\"runs\":60}\n"));
    free(text);
}
END_TEST

/* With a bound of 2 keys: the least recently seen key goes first; of two
 * last seen in the same run, the one seen in fewer runs. */
START_TEST(bound_drops_least_recently_seen)
{
    scratch();
    struct history *h = load_ok("h.json");
    history_set_max_keys(h, 2);
    ck_assert_int_eq(history_note(h, "a", "n1", 1), 0);
    ck_assert_int_eq(history_note(h, "b", "n1", 2), 0);
    save_ok(h, "h.json"); /* run 1: a, b */
    ck_assert_int_eq(history_note(h, "b", "n1", 2), 0);
    ck_assert_int_eq(history_note(h, "c", "n1", 3), 0);
    save_ok(h, "h.json"); /* run 2: b, c; a was last seen in run 1 */
    history_destroy(h);
    h = load_ok("h.json");
    ck_assert(isnan(history_predict(h, "a", NULL)));
    ck_assert_seconds(history_predict(h, "b", NULL), 2);
    ck_assert_seconds(history_predict(h, "c", NULL), 3);
    history_set_max_keys(h, 2);
    ck_assert_int_eq(history_note(h, "d", "n1", 4), 0);
    save_ok(h, "h.json"); /* run 3: d; b and c last seen in run 2, c in fewer runs */
    history_destroy(h);
    h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "b", NULL), 2);
    ck_assert(isnan(history_predict(h, "c", NULL)));
    ck_assert_seconds(history_predict(h, "d", NULL), 4);
    history_destroy(h);

    /* the default bound: HISTORY_MAX_KEYS keys, one more drops one */
    h = load_ok("big.json");
    char key[32];
    for (long i = 0; i <= HISTORY_MAX_KEYS; i++) {
        snprintf(key, sizeof key, "k%06ld", i);
        unit_require(history_note(h, key, "n1", 1) == 0, "note %s", key);
    }
    save_ok(h, "big.json");
    history_destroy(h);
    h = load_ok("big.json");
    ck_assert(isnan(history_predict(h, "k000000", NULL))); /* the least by key */
    ck_assert_seconds(history_predict(h, "k000001", NULL), 1);
    snprintf(key, sizeof key, "k%06d", HISTORY_MAX_KEYS);
    ck_assert_seconds(history_predict(h, key, NULL), 1);
    history_destroy(h);
}
END_TEST

/* Keys that make a large file (4096 bytes each, mostly control characters,
 * six bytes each in JSON: 3000 of them would take 74 MB): a save keeps the
 * file under HISTORY_MAX_BYTES, dropping the least recently seen keys (here
 * all seen once, so by key), and it loads again. */
START_TEST(bound_keeps_the_file_under_the_limit)
{
    scratch();
    struct history *h = load_ok("h.json");
    char *key = malloc(HISTORY_MAX_KEY + 1);
    ck_assert_ptr_nonnull(key);
    memset(key, '\x01', HISTORY_MAX_KEY);
    key[HISTORY_MAX_KEY] = '\0';
    for (int i = 0; i < 3000; i++) {
        char num[8];
        snprintf(num, sizeof num, "%05d", i);
        memcpy(key, num, 5);
        unit_require(history_note(h, key, "n1", i) == 0, "note %d", i);
    }
    save_ok(h, "h.json");
    history_destroy(h);
    struct stat st;
    ck_assert_int_eq(stat("h.json", &st), 0);
    ck_assert_int_le(st.st_size, HISTORY_MAX_BYTES);
    ck_assert_int_gt(st.st_size, HISTORY_MAX_BYTES / 2);
    h = load_ok("h.json");
    memcpy(key, "00000", 5);
    ck_assert(isnan(history_predict(h, key, NULL)));
    memcpy(key, "02999", 5);
    ck_assert_seconds(history_predict(h, key, NULL), 2999);
    history_destroy(h);

    /* a shard on 50 such hosts would take a line of 1.2 MB, more than the
     * reader takes: it is left out, the others are kept */
    h = load_ok("w.json");
    for (int i = 0; i < 50; i++) {
        char num[8];
        snprintf(num, sizeof num, "%05d", i);
        memcpy(key, num, 5);
        ck_assert_int_eq(history_note(h, "wide", key, 1), 0);
    }
    ck_assert_int_eq(history_note(h, "narrow", "n1", 1), 0);
    save_ok(h, "w.json");
    history_destroy(h);
    h = load_ok("w.json");
    ck_assert(isnan(history_predict(h, "wide", NULL)));
    ck_assert_seconds(history_predict(h, "narrow", NULL), 1);
    history_destroy(h);
    free(key);
}
END_TEST

/* A corrupt file is a warning at load and replaced at save. */
START_TEST(corrupt_file_replaced)
{
    scratch();
    put("h.json", "{\"distmpi_history\": 1, \"runs\": \"many\"");
    struct history *h = NULL;
    struct error warn = {""};
    ck_assert_int_eq(history_load("h.json", &h, &warn), -1);
    ck_assert_int_eq(history_note(h, "a", "n1", 1.5), 0);
    save_ok(h, "h.json");
    history_destroy(h);
    h = load_ok("h.json");
    ck_assert_seconds(history_predict(h, "a", "n1"), 1.5);
    history_destroy(h);

    /* corrupt on a later line: what came before it is not kept either, and
     * the runs start again */
    put("h.json",
        "{\"distmpi_history\": 1, \"runs\": 5}\n"
        "{\"key\": \"a\", \"last_run\": 5, \"hosts\": {\"n1\": {\"runs\": 5, "
        "\"seconds\": 9}}}\n"
        "{\"key\": \"b\", \"last_run\": 6, \"hosts\": {}}\n");
    ck_assert_int_eq(history_load("h.json", &h, &warn), -1);
    ck_assert_str_eq(warn.text,
                     "h.json: corrupt: line 3: shard \"b\": \"last_run\" is missing or "
                     "not a whole number from 1 to the file's runs (5)");
    ck_assert(isnan(history_predict(h, "a", "n1")));
    ck_assert_int_eq(history_note(h, "c", "n1", 2), 0);
    save_ok(h, "h.json");
    history_destroy(h);
    char *text = slurp("h.json");
    ck_assert_str_eq(text,
                     "{\"distmpi_history\":1,\"runs\":1}\n"
                     "{\"key\":\"c\",\"last_run\":1,\"hosts\":{\"n1\":{\"runs\":1,"
                     "\"seconds\":2}}}\n");
    free(text);
}
END_TEST

/* A symbolic link at PATH.lock is refused: nothing is written where it
 * points, the history is not written, and the notes stay for another try. */
START_TEST(lock_link_refused)
{
    scratch();
    put("victim", "precious");
    ck_assert_int_eq(symlink("victim", "h.json.lock"), 0);
    struct history *h = load_ok("h.json");
    ck_assert_int_eq(history_note(h, "a", "n1", 1), 0);
    struct error err = {""};
    ck_assert_int_eq(history_save(h, "h.json", &err), -1);
    ck_assert_str_eq(err.text,
                     "cannot save the timing history h.json: h.json.lock is a symbolic "
                     "link; distmpi will not follow it");
    ck_assert_int_eq(history_noted(h), 1);
    ck_assert_int_eq(access("h.json", F_OK), -1);
    char *text = slurp("victim");
    ck_assert_str_eq(text, "precious");
    free(text);
    /* a dangling one too: nothing is created where it points */
    ck_assert_int_eq(symlink("made", "g.json.lock"), 0);
    ck_assert_int_eq(history_save(h, "g.json", &err), -1);
    unit_assert_contains(err.text, "g.json.lock is a symbolic link");
    ck_assert_int_eq(access("made", F_OK), -1);
    /* a directory there is no lock either */
    ck_assert_int_eq(mkdir("d.json.lock", 0777), 0);
    ck_assert_int_eq(history_save(h, "d.json", &err), -1);
    unit_assert_contains(err.text, "d.json.lock: Is a directory");
    ck_assert_int_eq(mkfifo("f.json.lock", 0666), 0);
    ck_assert_int_eq(history_save(h, "f.json", &err), -1);
    ck_assert_str_eq(err.text,
                     "cannot save the timing history f.json: f.json.lock is not a regular file");
    /* and a link at the history itself (fs_write_atomic's rule) */
    ck_assert_int_eq(symlink("victim", "v.json"), 0);
    ck_assert_int_eq(history_save(h, "v.json", &err), -1);
    unit_assert_contains(err.text, "cannot save the timing history v.json is a symbolic link");
    text = slurp("victim");
    ck_assert_str_eq(text, "precious");
    free(text);
    history_destroy(h);
}
END_TEST

/* A lock held elsewhere (here by another open of the lock file, which
 * flock tells apart from the save's own) is waited for history_set_lock_wait
 * seconds, then the save gives up with ETIMEDOUT, the notes kept and the
 * file untouched; once it is let go, the save goes through. */
START_TEST(lock_held_too_long_gives_up)
{
    scratch();
    one_run("h.json", "a", "n1", 1);
    char *before = slurp("h.json");
    int fd = open("h.json.lock", O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    struct history *h = load_ok("h.json");
    ck_assert_int_eq(history_note(h, "a", "n1", 3), 0);
    history_set_lock_wait(h, 0.2);
    history_set_lock_wait(h, -1); /* ignored */
    history_set_lock_wait(h, NAN);
    struct error err = {""};
    errno = 0;
    ck_assert_int_eq(history_save(h, "h.json", &err), -1);
    ck_assert_int_eq(errno, ETIMEDOUT);
    ck_assert_str_eq(err.text,
                     "cannot save the timing history h.json: another process has held "
                     "the lock h.json.lock for 0.2 s");
    ck_assert_int_eq(history_noted(h), 1);
    char *after = slurp("h.json");
    ck_assert_str_eq(after, before);
    free(after);
    history_set_lock_wait(h, 0); /* tries once */
    ck_assert_int_eq(history_save(h, "h.json", &err), -1);
    ck_assert_int_eq(errno, ETIMEDOUT);
    close(fd);
    save_ok(h, "h.json");
    ck_assert_int_eq(history_noted(h), 0);
    history_destroy(h);
    free(before);
}
END_TEST

/* Saving where it cannot: the reason, -1, the notes kept. */
START_TEST(unwritable_is_an_error)
{
    scratch();
    struct history *h = load_ok("h.json");
    ck_assert_int_eq(history_note(h, "a", "n1", 1), 0);
    struct error err = {""};

    /* the directory's parent is a file */
    put("file", "");
    ck_assert_int_eq(history_save(h, "file/sub/h.json", &err), -1);
    ck_assert_str_eq(err.text,
                     "cannot save the timing history file/sub/h.json: cannot make "
                     "file/sub: Not a directory");
    /* a directory at the path: left alone */
    ck_assert_int_eq(mkdir("d.json", 0777), 0);
    ck_assert_int_eq(history_save(h, "d.json", &err), -1);
    ck_assert_str_eq(err.text, "cannot save the timing history d.json: not a regular file");
    ck_assert_int_eq(history_noted(h), 1);

    /* a directory this user may not write (as root: as nobody) */
    ck_assert_int_eq(mkdir("ro", 0555), 0);
    ck_assert_int_eq(chmod("ro", 0555), 0);
    struct passwd *nobody = getpwnam("nobody");
    if (geteuid() == 0 && !nobody) {
        history_destroy(h);
        return;
    }
    ck_assert_int_eq(chmod(dir, 0755), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(nobody->pw_gid) < 0 || setuid(nobody->pw_uid) < 0))
            _exit(2);
        int rc = history_save(h, "ro/h.json", &err);
        if (write(fds[1], err.text, strlen(err.text)) < 0)
            _exit(3);
        _exit(rc == -1 ? 0 : 1);
    }
    close(fds[1]);
    char got[sizeof err.text] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    got[n > 0 ? n : 0] = '\0';
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(got,
                     "cannot save the timing history ro/h.json: ro/h.json.lock: "
                     "Permission denied");
    history_destroy(h);
}
END_TEST

/* Random damage to a good file (bytes changed, cut, inserted): the load
 * never crashes, and either succeeds or warns on one line naming the file;
 * what it loaded, saved and loaded again, predicts the same. */
START_TEST(damaged_files_never_crash)
{
    scratch();
    struct history *h = load_ok("good.json");
    const char *hosts[] = {"node1", "node2", "pi"};
    for (int i = 0; i < 20; i++) {
        char key[32];
        snprintf(key, sizeof key, "sh t%02d.sh", i);
        ck_assert_int_eq(history_note(h, key, hosts[i % 3], i * 0.75), 0);
    }
    save_ok(h, "good.json");
    history_destroy(h);
    char *good = slurp("good.json");
    size_t len = strlen(good);
    static const char pieces[] = "{}[]\",:-0123456789.eE nultrfa\\u\x01\xff";
    unsigned long long seed = 13;
    char *bad = malloc(len + 64);
    ck_assert_ptr_nonnull(bad);
    int loaded = 0, warned = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(bad, good, len + 1);
        size_t n = len;
        int edits = (int)unit_rand_range(&seed, 1, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)unit_rand_range(&seed, 0, (long)n - 1);
            char c = pieces[unit_rand_range(&seed, 0, (long)sizeof pieces - 2)];
            switch (unit_rand_range(&seed, 0, 2)) {
            case 0:
                bad[at] = c;
                break;
            case 1:
                n = at + 1;
                break;
            default:
                if (n + 1 < len + 64) {
                    memmove(bad + at + 1, bad + at, n - at);
                    bad[at] = c;
                    n++;
                }
            }
        }
        FILE *f = fopen("bad.json", "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fwrite(bad, 1, n, f), n);
        ck_assert_int_eq(fclose(f), 0);
        struct error warn = {""};
        int rc = history_load("bad.json", &h, &warn);
        unit_require(h != NULL, "no history");
        if (rc == 0) {
            loaded++;
            unit_require(warn.text[0] == '\0', "a warning with 0: %s", warn.text);
        } else {
            warned++;
            unit_require(!strncmp(warn.text, "bad.json: ", 10) && !strchr(warn.text, '\n'),
                         "bad warning: %s", warn.text);
        }
        history_destroy(h);
    }
    ck_assert_int_gt(loaded, 0);
    ck_assert_int_gt(warned, 0);
    free(bad);
    free(good);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");
    tcase_add_test(tc, missing_file_is_empty_without_warning);
    tcase_add_loop_test(tc, corrupt_file_is_a_warning_and_empty, 0,
                        (int)(sizeof bad_files / sizeof bad_files[0]));
    tcase_add_test(tc, overlong_key_in_file);
    tcase_add_test(tc, too_large_or_not_a_file);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, forget_loaded_keeps_notes);
    tcase_add_test(tc, ignored_notes);
    tcase_add_test(tc, smoothing_over_three_saves);
    tcase_add_test(tc, two_runs_keep_each_others_notes);
    tcase_add_test(tc, saves_at_once_lose_nothing);
    tcase_add_test(tc, bound_drops_least_recently_seen);
    tcase_add_test(tc, bound_keeps_the_file_under_the_limit);
    tcase_add_test(tc, corrupt_file_replaced);
    tcase_add_test(tc, lock_link_refused);
    tcase_add_test(tc, lock_held_too_long_gives_up);
    tcase_add_test(tc, unwritable_is_an_error);
    tcase_add_test(tc, damaged_files_never_crash);
    tcase_add_checked_fixture(tc, NULL, remove_scratch);
    tcase_set_timeout(tc, 60); /* 100001 keys under ASan on a loaded machine */
    suite_add_tcase(s, tc);
    return unit_run(s);
}
