/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_history.c - libFuzzer harness for the timing history file (JSON
 * Lines, read one line at a time): history_load (history.h) on arbitrary
 * bytes, then history_save over them (the save streams the file again,
 * merging its note in key order) and history_load again. The loader reads
 * a path, so the bytes go to one private temporary directory, the file
 * rewritten per input. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[4096], path[4200], lock[4300];

static void cleanup(void)
{
    unlink(path);
    unlink(lock);
    rmdir(dir);
}

static void put_file(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fuzz-history-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/history.json", dir);
        snprintf(lock, sizeof lock, "%s.lock", path);
        atexit(cleanup);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    close(fd);
}

/* Load path: a warning is one line that starts with the file's name, and
 * there is always a history. */
static struct history *load(int *rc)
{
    struct history *h = NULL;
    struct error warn;
    error_clear(&warn);
    *rc = history_load(path, &h, &warn);
    if (!h)
        abort();
    if (*rc < 0 && (strncmp(warn.text, path, strlen(path)) || warn.text[strlen(path)] != ':' ||
                    strchr(warn.text, '\n')))
        abort();
    if (*rc == 0 && warn.text[0])
        abort();
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    put_file(data, size);
    int rc;
    struct history *h = load(&rc);
    double before = history_predict(h, "fuzz", "node1");
    if (!isnan(before) && !(before >= 0 && isfinite(before)))
        abort();
    history_predict(h, "fuzz", NULL);

    /* a save over whatever was there (merged, or replaced when corrupt)
     * writes a file that loads without a warning and knows the note */
    if (history_note(h, "fuzz", "node1", 2.5) < 0)
        abort();
    struct error err;
    error_clear(&err);
    if (history_save(h, path, &err) < 0)
        abort();
    history_destroy(h);
    h = load(&rc);
    double after = history_predict(h, "fuzz", "node1");
    if (rc != 0 || !(after >= 0 && isfinite(after)))
        abort();
    if (isnan(before) && after != 2.5)
        abort();
    /* a shard known on node1 moves half-way to the note (before was the
     * mean of its other hosts' if it was not known there: then it is the
     * note) */
    if (!isnan(before) && after != before + (2.5 - before) / 2 && after != 2.5)
        abort();
    history_destroy(h);
    return 0;
}
