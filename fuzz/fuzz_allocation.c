/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_allocation.c - libFuzzer harness for batch allocations
 * (allocation.h). The first byte picks the parser: 0 a Slurm node list
 * (alloc_nodelist_parse, the rest up to a NUL byte), 1 a Slurm count list
 * (alloc_counts_parse, the second byte the number of hosts), 2 a PBS node
 * file (alloc_pbs_parse, the rest as bytes). What is accepted must be valid
 * and read back the same when written out plainly; an error is one line. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/allocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct error *err, const char *prefix)
{
    if (!err->text[0] || strchr(err->text, '\n') || strncmp(err->text, prefix, strlen(prefix)))
        abort();
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every host is named validly and once. */
static void check_hosts(const struct hostfile *h)
{
    if (h->count < 1 || h->count > ALLOC_MAX_HOSTS)
        abort();
    char **names = malloc((size_t)h->count * sizeof *names);
    if (!names)
        abort();
    for (long i = 0; i < h->count; i++) {
        const char *n = h->hosts[i].name;
        size_t len = strlen(n);
        if (len < 1 || len > ALLOC_MAX_NAME || !isalnum((unsigned char)n[0]) || h->hosts[i].user)
            abort();
        for (size_t j = 0; j < len; j++)
            if (!isalnum((unsigned char)n[j]) && !strchr("-._", n[j]))
                abort();
        names[i] = h->hosts[i].name;
    }
    qsort(names, (size_t)h->count, sizeof *names, by_name);
    for (long i = 1; i < h->count; i++)
        if (!strcmp(names[i - 1], names[i]))
            abort();
    free(names);
}

static void same_hosts(const struct hostfile *a, const struct hostfile *b)
{
    if (a->count != b->count)
        abort();
    for (long i = 0; i < a->count; i++)
        if (strcmp(a->hosts[i].name, b->hosts[i].name) || a->hosts[i].slots != b->hosts[i].slots)
            abort();
}

static void fuzz_nodelist(const char *list)
{
    struct hostfile *h = NULL;
    struct error err;
    if (alloc_nodelist_parse(list, &h, &err) < 0) {
        check_error(&err, "");
        return;
    }
    check_hosts(h);
    for (long i = 0; i < h->count; i++)
        if (h->hosts[i].slots != 0 || h->hosts[i].line != i + 1)
            abort();
    /* the names, uncompressed, are a node list of the same hosts */
    if (h->count <= 2000) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
            abort();
        for (long i = 0; i < h->count; i++)
            fprintf(f, "%s%s", i ? "," : "", h->hosts[i].name);
        if (fclose(f) != 0)
            abort();
        struct hostfile *back = NULL;
        if (alloc_nodelist_parse(text, &back, &err) < 0)
            abort();
        same_hosts(h, back);
        hostfile_destroy(back);
        free(text);
    }
    hostfile_destroy(h);
}

static void fuzz_counts(long n, const char *spec)
{
    long *c = malloc((size_t)(n + 1) * sizeof *c);
    if (!c)
        abort();
    struct error err;
    if (alloc_counts_parse(spec, n, c, &err) == 0) {
        for (long i = 0; i < n; i++)
            if (c[i] < 1 || c[i] > INT_MAX)
                abort();
    } else {
        check_error(&err, "");
    }
    free(c);
}

static void fuzz_pbs(const char *data, size_t size)
{
    struct hostfile *h = NULL;
    struct error err;
    if (alloc_pbs_parse("nodes", data, size, &h, &err) < 0) {
        check_error(&err, "nodes");
        return;
    }
    check_hosts(h);
    /* a slot per line that names a host, lines in increasing order */
    long slots = 0, lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    for (long i = 0; i < h->count; i++) {
        if (h->hosts[i].slots < 1 || h->hosts[i].line < 1 || h->hosts[i].line > lines ||
            (i && h->hosts[i].line <= h->hosts[i - 1].line))
            abort();
        slots += h->hosts[i].slots;
    }
    if (slots > lines)
        abort();
    /* written out plainly, host after host, it reads back the same */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    for (long i = 0; i < h->count; i++)
        for (long k = 0; k < h->hosts[i].slots; k++)
            fprintf(f, "%s\n", h->hosts[i].name);
    if (fclose(f) != 0)
        abort();
    struct hostfile *back = NULL;
    if (alloc_pbs_parse("written", text, len, &back, &err) < 0)
        abort();
    same_hosts(h, back);
    hostfile_destroy(back);
    free(text);
    hostfile_destroy(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    if (mode == 2) {
        char *buf = malloc(size - 1 ? size - 1 : 1); /* exact size: no terminator */
        if (!buf)
            return 0;
        memcpy(buf, data + 1, size - 1);
        fuzz_pbs(buf, size - 1);
        free(buf);
        return 0;
    }
    size_t skip = mode == 1 ? 2 : 1;
    if (size < skip)
        return 0;
    char *s = strndup((const char *)data + skip, size - skip);
    if (!s)
        return 0;
    if (mode == 0)
        fuzz_nodelist(s);
    else
        fuzz_counts(data[1], s);
    free(s);
    return 0;
}
