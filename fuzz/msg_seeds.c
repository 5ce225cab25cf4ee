/* SPDX-License-Identifier: BSD-3-Clause */
/* msg_seeds.c - writes well-formed inputs of every kind fuzz_msg decodes
 * (the run spec, host and probe records, every message), each prefixed
 * with fuzz_msg's selector byte, into a directory: the seeds of fuzz_msg,
 * made by the current encoders so that they follow any change of format.
 *
 *   msg_seeds DIR
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/pack.h"
#include "mpi/proto.h"
#include "exec/runner.h"

/* The selector bytes of fuzz_msg.c. */
enum kind {
    K_PRIMITIVES,
    K_RESULT,
    K_SPEC,
    K_ASSIGN,
    K_LOG,
    K_COLLECT,
    K_PROBE,
    K_HOST_RECORD,
    K_PROBE_RECORD,
    K_PAUSE,
    K_RETURN,
    K_CANCEL
};

static const char *dir;

/* Write the selector, then len bytes of msg (heap, freed); prefix, when
 * not NULL, goes between them (fuzz_msg's run size for RETURN). */
static void put_with(const char *name, int kind, const char *prefix, unsigned char *msg, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || !msg || fputc(kind, f) == EOF || (prefix && fputs(prefix, f) == EOF) ||
        fwrite(msg, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
    free(msg);
}

static void put(const char *name, int kind, unsigned char *msg, size_t len)
{
    put_with(name, kind, NULL, msg, len);
}

/* A record, without the zeros at its end (fuzz_msg pads inputs again). */
static void put_record(const char *name, int kind, const unsigned char *rec)
{
    size_t len = PROTO_RECORD_SIZE;
    while (len > 0 && rec[len - 1] == 0)
        len--;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) {
        perror("malloc");
        exit(1);
    }
    memcpy(copy, rec, len);
    put(name, kind, copy, len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: msg_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    size_t len;

    struct buf b = BUF_INIT;
    pack_i64(&b, 42);
    pack_f64(&b, 1.5);
    pack_str(&b, "text");
    pack_bytes(&b, "a\0b", 3);
    pack_str(&b, NULL);
    unsigned char *prim = pack_take(&b, &len);
    put("primitives", K_PRIMITIVES, prim, len);

    struct attempt at[2] = {{OUTCOME_FAILED, 1, 0, 1.7e9, 2.5, 1, 3},
                            {OUTCOME_PASSED, 0, 0, 1.7e9, 1, 2, 3}};
    struct shard_result r = {.index = 4,
                             .status = STATUS_FLAKY,
                             .rank = 1,
                             .slot = 1,
                             .nattempts = 2,
                             .attempts = at,
                             .log = "/runs/shard-05/attempt-2.log"};
    put("result-flaky", K_RESULT, proto_result_encode(&r, &len), len);
    struct attempt sig = {OUTCOME_TIMEOUT, -1, 15, 1.7e9, 30, 4, 0};
    struct shard_result t = {.index = 0,
                             .status = STATUS_TIMEOUT,
                             .rank = 3,
                             .slot = 0,
                             .nattempts = 1,
                             .attempts = &sig,
                             .error = "timed out"};
    put("result-timeout", K_RESULT, proto_result_encode(&t, &len), len);

    char *words[] = {"npx", "playwright", "test", "--shard={shard}/{total}", NULL};
    struct spec s = {.status = -1,
                     .total = 48,
                     .words = words,
                     .nwords = 4,
                     .timeout = 900,
                     .kill_grace = 5,
                     .backoff = 5,
                     .backoff_max = 60,
                     .backoff_jitter = 0.1,
                     .retries = 2,
                     .run_dir = "distmpi-runs/x",
                     .run_id = "x",
                     .health_interval = 30,
                     .max_log_bytes = 1 << 20,
                     .stream = 1,
                     .collect = "out/junit-{shard}.xml",
                     .heartbeat = 2.5};
    put("spec-command", K_SPEC, proto_spec_encode(&s, &len), len);
    struct spec task = {.status = -1, .total = 3, .shell = 1, .run_dir = "r", .run_id = "i"};
    put("spec-tasks", K_SPEC, proto_spec_encode(&task, &len), len);
    struct spec stop = {.status = 2};
    put("spec-stop", K_SPEC, proto_spec_encode(&stop, &len), len);

    struct assignment ac = {.index = 7, .first_attempt = 1, .retries = 2};
    put("assign-command", K_ASSIGN, proto_assign_encode(&ac, &len), len);
    struct assignment tk = {
        .index = 2, .first_attempt = 4, .retries = 0, .task = "make test-{shard} > out"};
    put("assign-task", K_ASSIGN, proto_assign_encode(&tk, &len), len);

    put("log-head", K_LOG, proto_log_encode(1, 1, LOG_HEAD, "ok 1\n\x1b[31mred\n", 14, &len), len);
    put("log-end", K_LOG, proto_log_encode(1, 2, LOG_END, NULL, 0, &len), len);

    static const char xml[] = "<testsuite><testcase name=\"a\"/></testsuite>\n";
    put("collect-file", K_COLLECT,
        proto_collect_encode(3, 1, false, "out/junit-4.xml", NULL, xml, sizeof xml - 1, &len), len);
    put("collect-error", K_COLLECT,
        proto_collect_encode(3, 2, true, "out/junit-4.xml", "no such file", NULL, 0, &len), len);

    struct probe ok = {.ok = 1,
                       .sample = {.disk_free = 0.5,
                                  .mem_used = 0.25,
                                  .load1 = 1.5,
                                  .cores = 4,
                                  .load_per_core = 0.375,
                                  .other_load = 1,
                                  .other_per_core = 0.25,
                                  .disk_total_bytes = 1ULL << 40,
                                  .disk_avail_bytes = 1ULL << 39,
                                  .mem_total_kb = 1 << 24,
                                  .mem_available_kb = 1 << 23}};
    put("probe-ok", K_PROBE, proto_probe_encode(&ok, &len), len);
    struct probe bad = {.ok = 0};
    snprintf(bad.error, sizeof bad.error, "/proc/meminfo: no MemTotal");
    put("probe-failed", K_PROBE, proto_probe_encode(&bad, &len), len);

    /* as fuzz_msg reads them: rank 3 of 8 */
    unsigned char rec[PROTO_RECORD_SIZE];
    struct error e;
    struct host_record leader = {
        .protocol = PROTO_VERSION, .slot = 0, .leader = 3, .cores = 4, .pus = 8, .probe = ok};
    snprintf(leader.version, sizeof leader.version, "%s", PACKAGE_VERSION);
    snprintf(leader.host, sizeof leader.host, "node-a");
    struct host_record other = leader;
    other.slot = 2;
    other.leader = 1;
    other.cores = other.pus = 0;
    memset(&other.probe, 0, sizeof other.probe);
    struct host_record newer = leader;
    newer.protocol = PROTO_VERSION + 1;
    const struct {
        const char *name;
        const struct host_record *hr;
    } records[] = {{"host-leader", &leader}, {"host-other", &other}, {"host-newer", &newer}};
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        if (proto_host_record_encode(records[i].hr, rec, &e) < 0) {
            fprintf(stderr, "msg_seeds: %s\n", e.text);
            return 1;
        }
        put_record(records[i].name, K_HOST_RECORD, rec);
    }
    if (proto_probe_record_encode(&ok, rec, &e) < 0) {
        fprintf(stderr, "msg_seeds: %s\n", e.text);
        return 1;
    }
    put_record("probe-record", K_PROBE_RECORD, rec);

    put("pause-give-back", K_PAUSE, proto_pause_encode(PAUSE_GIVE_BACK, &len), len);
    struct assignment back[3] = {{.index = 0}, {.index = 9}, {.index = 3}};
    /* "\x02": a run of 16 shards for fuzz_msg */
    put_with("return", K_RETURN, "\x02", proto_return_encode(back, 3, &len), len);
    /* "\x02" again: 16 shards */
    put_with("cancel", K_CANCEL, "\x02", proto_cancel_encode(9, 4, &len), len);
    return 0;
}
