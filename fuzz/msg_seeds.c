/* msg_seeds.c - writes well-formed messages of every kind, each prefixed
 * with fuzz_msg's selector byte, into a directory: the seeds of fuzz_msg,
 * made by the current encoders so that they follow any change of format.
 *
 *   msg_seeds DIR
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"
#include "proto.h"
#include "result.h"
#include "runner.h"
#include "spec.h"
#include "watch.h"

/* The selector bytes of fuzz_msg.c. */
enum kind { K_PRIMITIVES, K_RESULT, K_SPEC, K_ASSIGN, K_LOGPIECE, K_COLLECTED, K_PROBE };

static const char *dir;

static void put(const char *name, int kind, unsigned char *msg, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || !msg || fputc(kind, f) == EOF || fwrite(msg, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
    free(msg);
}

static void packed(const char *name, int kind, struct packer *p)
{
    size_t len;
    unsigned char *msg = packer_take(p, &len);
    put(name, kind, msg, len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: msg_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    struct packer p;
    size_t len;

    packer_init(&p);
    pack_i64(&p, 42);
    pack_f64(&p, 1.5);
    pack_str(&p, "text");
    pack_bytes(&p, "a\0b", 3);
    pack_str(&p, NULL);
    packed("primitives", K_PRIMITIVES, &p);

    struct attempt at[2] = {{OUTCOME_FAILED, 1, 0, 1.7e9, 2.5, 1, 3},
                            {OUTCOME_PASSED, 0, 0, 1.7e9, 1, 2, 3}};
    struct shard_result r = {.index = 4,
                             .status = STATUS_FLAKY,
                             .rank = 1,
                             .slot = 1,
                             .nattempts = 2,
                             .attempts = at,
                             .log = "/runs/shard-05/attempt-2.log"};
    packer_init(&p);
    result_pack(&p, &r);
    packed("result-flaky", K_RESULT, &p);
    struct attempt sig = {OUTCOME_TIMEOUT, -1, 15, 1.7e9, 30, 4, 0};
    struct shard_result t = {.index = 0,
                             .status = STATUS_TIMEOUT,
                             .rank = 3,
                             .slot = 0,
                             .nattempts = 1,
                             .attempts = &sig,
                             .error = "timed out"};
    packer_init(&p);
    result_pack(&p, &t);
    packed("result-timeout", K_RESULT, &p);

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
                     .collect = "out/junit-{shard}.xml"};
    put("spec-command", K_SPEC, spec_pack(&s, &len), len);
    struct spec task = {.status = -1, .total = 3, .shell = 1, .run_dir = "r", .run_id = "i"};
    put("spec-tasks", K_SPEC, spec_pack(&task, &len), len);
    struct spec stop = {.status = 2};
    put("spec-stop", K_SPEC, spec_pack(&stop, &len), len);

    struct assignment ac = {.index = 7, .first_attempt = 1, .retries = 2};
    put("assign-command", K_ASSIGN, assign_pack(&ac, &len), len);
    struct assignment tk = {
        .index = 2, .first_attempt = 4, .retries = 0, .task = "make test-{shard} > out"};
    put("assign-task", K_ASSIGN, assign_pack(&tk, &len), len);

    put("logpiece-head", K_LOGPIECE, logpiece_pack(1, 1, LOG_HEAD, "ok 1\n\x1b[31mred\n", 14, &len),
        len);
    put("logpiece-end", K_LOGPIECE, logpiece_pack(1, 2, LOG_END, NULL, 0, &len), len);

    static const char xml[] = "<testsuite><testcase name=\"a\"/></testsuite>\n";
    put("collected-file", K_COLLECTED,
        collected_pack(3, "out/junit-4.xml", NULL, xml, sizeof xml - 1, &len), len);
    put("collected-error", K_COLLECTED,
        collected_pack(3, "out/junit-4.xml", "no such file", NULL, 0, &len), len);

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
    packer_init(&p);
    probe_pack(&p, &ok);
    packed("probe-ok", K_PROBE, &p);
    struct probe bad = {.ok = 0};
    snprintf(bad.error, sizeof bad.error, "/proc/meminfo: no MemTotal");
    packer_init(&p);
    probe_pack(&p, &bad);
    packed("probe-failed", K_PROBE, &p);
    return 0;
}
