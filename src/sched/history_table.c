/* SPDX-License-Identifier: BSD-3-Clause */
/* history_table.c - the timing history's compact table (history_table.h). */
#include "config.h"

#include "sched/history_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void htable_free(struct htable *t)
{
    for (size_t i = 0; i < t->nhosts; i++)
        free(t->hosts[i]);
    free(t->hosts);
    free(t->shards);
    free(t->recs);
    free(t->text);
    free(t->host_slots);
    free(t->key_slots);
    *t = (struct htable){0};
}

int htable_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size || n >= HTABLE_NONE)
        goto nomem;
    void *old, *q;
    memcpy(&old, p, sizeof old); /* p is the address of any pointer */
    if (!(q = realloc(old, n * size)))
        goto nomem;
    memcpy(p, &q, sizeof q);
    *cap = n;
    return 0;
nomem:
    errno = ENOMEM;
    return -1;
}

const char *htable_key(const struct htable *t, uint32_t i)
{
    return t->text + t->shards[i].key;
}

static const char *host_of(const struct htable *t, uint32_t i)
{
    return t->hosts[i];
}

typedef const char *name_fn(const struct htable *t, uint32_t i);

/* The slot of slots (nslots, a power of two) that holds s, or the empty one
 * where it would go (FNV-1a, linear probing). */
static uint32_t *slot_for(uint32_t *slots, size_t nslots, const char *s, name_fn *name,
                          const struct htable *t)
{
    uint64_t x = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        x = (x ^ *p) * 1099511628211ULL;
    for (size_t i = (size_t)x & (nslots - 1);; i = (i + 1) & (nslots - 1))
        if (!slots[i] || !strcmp(name(t, slots[i] - 1), s))
            return &slots[i];
}

/* Room in the hash for one more than count names (at most half full). */
static int rehash(uint32_t **slots, size_t *nslots, size_t count, name_fn *name,
                  const struct htable *t)
{
    if ((count + 1) * 2 <= *nslots)
        return 0;
    size_t n = *nslots ? *nslots * 2 : 64;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < *nslots; i++)
        if ((*slots)[i])
            *slot_for(s, n, name(t, (*slots)[i] - 1), name, t) = (*slots)[i];
    free(*slots);
    *slots = s;
    *nslots = n;
    return 0;
}

long htable_intern_host(struct htable *t, const char *host)
{
    if (rehash(&t->host_slots, &t->host_nslots, t->nhosts, host_of, t) < 0)
        return -1;
    uint32_t *slot = slot_for(t->host_slots, t->host_nslots, host, host_of, t);
    if (*slot)
        return *slot - 1;
    char *copy = strdup(host);
    if (!copy || htable_grow(&t->hosts, &t->host_cap, t->nhosts + 1, sizeof *t->hosts) < 0) {
        free(copy);
        return -1;
    }
    t->hosts[t->nhosts] = copy;
    *slot = (uint32_t)++t->nhosts;
    return (long)t->nhosts - 1;
}

long htable_add_shard(struct htable *t, const char *key, size_t len, long long last_run)
{
    if (htable_grow(&t->shards, &t->shard_cap, t->n + 1, sizeof *t->shards) < 0 ||
        htable_grow(&t->text, &t->text_cap, t->text_len + len + 1, 1) < 0)
        return -1;
    memcpy(t->text + t->text_len, key, len);
    t->text[t->text_len + len] = '\0';
    t->shards[t->n] = (struct hshard){t->text_len, last_run, HTABLE_NONE, 0};
    t->text_len += len + 1;
    return (long)t->n++;
}

int htable_add_rec(struct htable *t, size_t i, long host, long long runs, double seconds)
{
    if (host < 0 || htable_grow(&t->recs, &t->rec_cap, t->nrecs + 1, sizeof *t->recs) < 0)
        return -1;
    struct hshard *s = &t->shards[i];
    t->recs[t->nrecs] = (struct hrec){(uint32_t)host, s->first, runs, seconds};
    s->first = (uint32_t)t->nrecs++;
    s->nhosts++;
    return 0;
}

long htable_find_sorted(const struct htable *t, const char *key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(htable_key(t, (uint32_t)mid), key);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

long htable_find_key(struct htable *t, const char *key)
{
    if (rehash(&t->key_slots, &t->key_nslots, t->n, htable_key, t) < 0)
        return -1;
    uint32_t *slot = slot_for(t->key_slots, t->key_nslots, key, htable_key, t);
    if (!*slot) {
        long i = htable_add_shard(t, key, strlen(key), 0);
        if (i < 0)
            return -1;
        *slot = (uint32_t)i + 1;
    }
    return (long)*slot - 1;
}
