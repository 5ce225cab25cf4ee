/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_files.c - what rank 0 keeps of each shard: its
 * logs, as the pieces arrive, and the files --collect fetched. */
#include "config.h"

#include "coord/coord_private.h"

#include "exec/slot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A piece of output of an attempt on rank (0 included): store it, and show
 * it with --stream. */
void coord_piece(struct coord *co, int rank, long index, int attempt, int kind, const void *data,
                 size_t len)
{
    struct error why;
    coord_race_note_attempt(co, rank, index, attempt);
    if (logstore_put(co->logs, rank, index, attempt, kind, data, len, &why) < 0) {
        co->log_failed = true;
        coord_say(co, "distmpi: %s\n", why.text);
    }
    if (!co->in->spec->stream)
        return;
    struct stream_ctx sc = {co, rank, index, attempt};
    if (kind == LOG_HEAD || kind == LOG_LIVE)
        lines_feed(&co->streams[rank], data, len, coord_show_line, &sc);
    else if (kind == LOG_END)
        lines_flush(&co->streams[rank], coord_show_line, &sc);
}

/* Rank 0's own runner hands its output here directly. */
void coord_local_output(void *arg, long index, int attempt, int kind, const char *data, size_t len)
{
    coord_piece(arg, 0, index, attempt, kind, data, len);
}

/* A file collected after shard index: keep rank 0's copy and remember it
 * for the reports. */
void coord_add_collected(struct coord *co, int rank, long index, int attempt, bool earlier,
                         const char *name, const void *data, size_t len, const char *error)
{
    struct error why;
    int prefix;
    struct collected_list **listp = coord_race_files(co, rank, index, &prefix);
    if (!listp)
        listp = &co->shards[index].collected;
    /* the second of two copies, or an attempt that was retried (its retry
     * writes a file of the same name): a name of its own on disk */
    char *stored = NULL;
    if ((prefix > 0 || earlier) &&
        asprintf(&stored, "attempt-%d/%s", earlier ? attempt : prefix, name) < 0) {
        co->collect_failed = true;
        return;
    }
    char *path = NULL;
    if (!error || len > 0) { /* a JUnit file that is not usable is kept for people to read */
        path = logstore_save(co->logs, index, stored ? stored : name, data, len, &why);
        if (!path) {
            co->log_failed = true;
            coord_say(co, "distmpi: %s\n", why.text);
            if (!error)
                error = why.text;
        }
    }
    free(stored);
    struct collected_list *old = *listp;
    int n = old ? old->n : 0;
    struct collected_list *list =
        realloc(old, sizeof *list + (size_t)(n + 1) * sizeof list->files[0]);
    char *name_copy = strdup(name), *error_copy = error ? strdup(error) : NULL;
    if (!list || !name_copy || (error && !error_copy)) {
        if (list) {
            list->n = n;
            *listp = list;
        }
        free(path);
        free(name_copy);
        free(error_copy);
        co->collect_failed = true;
        return;
    }
    list->files[n] = (struct collected_file){name_copy, path, error_copy, attempt, rank, earlier};
    list->n = n + 1;
    *listp = list;
}

void coord_local_collected(void *arg, const char *name, const char *data, size_t len,
                           const char *error)
{
    struct local_collect *lc = arg;
    coord_add_collected(lc->co, 0, lc->index, lc->attempt, lc->earlier, name, data, data ? len : 0,
                        error);
}

void coord_local_retry(void *arg, long index, int attempt)
{
    struct coord *co = arg;
    struct local_collect lc = {co, index, attempt, true};
    if (slot_collect_attempt(co->in->spec, co->in->me, co->runner, index, attempt,
                             coord_local_collected, &lc) < 0)
        co->collect_failed = true;
}

void coord_free_collected(struct shard_state *s)
{
    for (int k = 0; s->collected && k < s->collected->n; k++) {
        free((char *)s->collected->files[k].name);
        free((char *)s->collected->files[k].path);
        free((char *)s->collected->files[k].error);
    }
    free(s->collected);
    s->collected = NULL;
}
