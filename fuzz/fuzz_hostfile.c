/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_hostfile.c - libFuzzer harness for Open MPI hostfiles: hostfile_parse
 * (hostfile.h) on arbitrary bytes, and every accepted file written back with
 * hostfile_write and read again to the same hosts. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/hostfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* hostfile.h promises that the writer's output reads back unchanged. */
static void round_trip(const struct hostfile *h)
{
    const struct hostfile_entry **list = calloc((size_t)h->count + 1, sizeof *list);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!list || !f)
        abort();
    for (long i = 0; i < h->count; i++)
        list[i] = &h->hosts[i];
    if (hostfile_write(f, list, h->count) < 0 || fclose(f) != 0)
        abort();
    struct hostfile *back = NULL;
    struct error err;
    if (hostfile_parse("written", text, len, &back, &err) < 0 || back->count != h->count)
        abort();
    for (long i = 0; i < h->count; i++) {
        const struct hostfile_entry *a = &h->hosts[i], *b = &back->hosts[i];
        if (!same_str(a->name, b->name) || !same_str(a->user, b->user) || a->slots != b->slots ||
            a->max_slots != b->max_slots || b->line != i + 1)
            abort();
    }
    hostfile_destroy(back);
    free(text);
    free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1); /* exact size: no terminator to lean on */
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct hostfile *h = NULL;
    struct error err;
    error_clear(&err);
    if (hostfile_parse("hosts", buf, size, &h, &err) == 0) {
        for (long i = 0; i < h->count; i++) {
            const struct hostfile_entry *e = &h->hosts[i];
            if (!e->name || !e->name[0] || e->slots < 0 || e->max_slots < 0 ||
                (e->slots && e->max_slots && e->max_slots < e->slots))
                abort();
        }
        round_trip(h);
        hostfile_destroy(h);
    } else if (strncmp(err.text, "hosts", 5) || strchr(err.text, '\n')) {
        abort(); /* errors are one line naming the file */
    }
    free(buf);
    return 0;
}
