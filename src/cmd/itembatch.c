/* SPDX-License-Identifier: BSD-3-Clause */
/* itembatch.c - --items on rank 0: items into batches, batches into task
 * lines. */
#include "config.h"

#include "cmd/itembatch.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/template.h"
#include "sched/history.h"

char *itembatch_key(char *const *words, int nwords, const char *item)
{
    char *const one[] = {(char *)item};
    char *line = items_line(words, nwords, one, 1);
    char *key = line ? template_key(line, 0, 1, false) : NULL;
    free(line);
    return key;
}

/* The items of each batch, in their order: order[first[b] .. first[b+1]). */
static int group(const long *batch_of, long n, long nb, long *first, long *order)
{
    long *fill = calloc((size_t)nb, sizeof *fill);
    if (!fill)
        return -1;
    for (long b = 0; b <= nb; b++)
        first[b] = 0;
    for (long k = 0; k < n; k++)
        first[batch_of[k] + 1]++;
    for (long b = 0; b < nb; b++)
        first[b + 1] += first[b];
    for (long k = 0; k < n; k++)
        order[first[batch_of[k]] + fill[batch_of[k]]++] = k;
    free(fill);
    return 0;
}

int itembatch_make(char *const *words, int nwords, const struct itemlist *items,
                   const struct history *history, long nbatches, struct tasklist **tasks,
                   struct item_batches **batches, struct error *err)
{
    long n = items->count;
    char **keys = calloc((size_t)n, sizeof *keys);
    double *pred = malloc((size_t)n * sizeof *pred);
    long *batch_of = malloc((size_t)n * sizeof *batch_of);
    long *order = malloc((size_t)n * sizeof *order);
    char **batch_items = malloc((size_t)n * sizeof *batch_items);
    struct tasklist *t = calloc(1, sizeof *t);
    struct item_batches *ib = calloc(1, sizeof *ib);
    int rc = -1;
    if (!keys || !pred || !batch_of || !order || !batch_items || !t || !ib)
        goto nomem;
    for (long k = 0; k < n; k++) {
        if (!(keys[k] = itembatch_key(words, nwords, items->items[k])))
            goto nomem;
        pred[k] = history ? history_predict(history, keys[k], NULL) : NAN;
    }
    long nb = batch_pack(pred, n, nbatches, batch_of);
    if (nb < 0)
        goto nomem; /* the arguments are right: memory */
    ib->nbatches = nb;
    if (!(ib->first = calloc((size_t)(nb + 1), sizeof *ib->first)) ||
        !(ib->key = calloc((size_t)n, sizeof *ib->key)) ||
        !(ib->pred = malloc((size_t)n * sizeof *ib->pred)) ||
        !(t->lines = calloc((size_t)nb, sizeof *t->lines)) ||
        !(t->lineno = calloc((size_t)nb, sizeof *t->lineno)) ||
        group(batch_of, n, nb, ib->first, order) < 0)
        goto nomem;
    for (long k = 0; k < n; k++) { /* the keys move over, in batch order */
        ib->key[k] = keys[order[k]];
        ib->pred[k] = pred[order[k]];
        keys[order[k]] = NULL;
    }
    for (long b = 0; b < nb; b++) {
        long m = ib->first[b + 1] - ib->first[b];
        for (long j = 0; j < m; j++)
            batch_items[j] = items->items[order[ib->first[b] + j]];
        if (!(t->lines[b] = items_line(words, nwords, batch_items, m)))
            goto nomem;
        t->lineno[b] = b + 1;
        t->count++;
        if (template_check_shell(t->lines[b], err) < 0) { /* items_line's promise */
            errprefix(err, "batch %ld: ", b + 1);
            goto out;
        }
    }
    *tasks = t;
    *batches = ib;
    t = NULL;
    ib = NULL;
    rc = 0;
    goto out;
nomem:
    errprintf(err, "out of memory packing the items into batches");
out:
    for (long k = 0; keys && k < n; k++)
        free(keys[k]);
    free(keys);
    free(pred);
    free(batch_of);
    free(order);
    free(batch_items);
    tasks_destroy(t);
    item_batches_destroy(ib);
    return rc;
}
