/* SPDX-License-Identifier: BSD-3-Clause */
/* history-mem.c - one run's use of the timing history (history.h) as rank 0
 * makes it, for bench/history-memory.sh to measure: load FILE, note N keys
 * "/bin/true [shard I/N]" passed on one host, save, destroy.
 *
 *   bench/history-mem FILE N
 *
 * Exit status 0, or 1 with the reason on standard error when the save
 * fails (a load's warning is printed and is no failure, as in a run). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sched/history.h"

int main(int argc, char **argv)
{
    if (argc != 3 || atol(argv[2]) < 1) {
        fprintf(stderr, "usage: %s FILE KEYS\n", argv[0]);
        return 2;
    }
    long n = atol(argv[2]);
    struct history *h = NULL;
    struct error e = {""};
    if (history_load(argv[1], &h, &e) < 0)
        fprintf(stderr, "warning: %s\n", e.text);
    if (!h)
        return 1;
    char key[128];
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "/bin/true [shard %ld/%ld]", i + 1, n);
        if (history_note(h, key, "node1", 0.001 * (double)(i % 100)) < 0) {
            perror("history_note");
            return 1;
        }
    }
    if (history_save(h, argv[1], &e) < 0) {
        fprintf(stderr, "%s\n", e.text);
        return 1;
    }
    history_destroy(h);
    return 0;
}
