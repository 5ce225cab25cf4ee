/* SPDX-License-Identifier: BSD-3-Clause */
/* history_table.h - the timing history in memory (history.c's), compact:
 * no JSON tree, so that rank 0 holds 100,000 shards in a few megabytes.
 *
 * A table is its shards (the key an offset in one text arena, the last run
 * that saw it, its host records as a list), the host records (24 bytes
 * each) and the host names, each once (a run has few hosts). A table is
 * either sorted by key (built in key order, searched by bisection:
 * htable_find_sorted) or hashed by key (htable_find_key); history.c keeps
 * the loaded history the first way and the notes the second.
 *
 * Functions that add return -1 with errno ENOMEM when out of memory (the
 * table is left as it was, and htable_free frees it). Indexes are below
 * HTABLE_NONE. No I/O and no globals.
 */
#ifndef DISTMPI_HISTORY_TABLE_H
#define DISTMPI_HISTORY_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define HTABLE_NONE UINT32_MAX

/* One shard: its key (an offset in the table's text), the last run that saw
 * it, and its hosts (a list of records through next). */
struct hshard {
    size_t key;
    long long last_run;
    uint32_t first, nhosts;
};

/* One shard on one host: runs and smoothed seconds (for notes: how many
 * notes, and their mean). */
struct hrec {
    uint32_t host, next;
    long long runs;
    double seconds;
};

struct htable {
    struct hshard *shards;
    size_t n, shard_cap;
    struct hrec *recs;
    size_t nrecs, rec_cap;
    char *text; /* the keys, each NUL-ended, one after the other */
    size_t text_len, text_cap;
    char **hosts; /* each host name once */
    size_t nhosts, host_cap;
    uint32_t *host_slots; /* open addressing: host index + 1, 0 for empty */
    size_t host_nslots;
    uint32_t *key_slots; /* the same for keys (notes only) */
    size_t key_nslots;
};

/* Free what t holds and empty it (a zeroed table is an empty one). */
void htable_free(struct htable *t);

/* Make room for need items of size bytes in the array whose address is p
 * (a pointer to any pointer, capacity *cap), doubling. 0, or -1 (ENOMEM). */
int htable_grow(void *p, size_t *cap, size_t need, size_t size);

/* The key of shard i. */
const char *htable_key(const struct htable *t, uint32_t i);

/* The index of host's name in t, added if new; -1 when out of memory. */
long htable_intern_host(struct htable *t, const char *host);

/* Add a shard keyed key (len bytes, no NUL among them) without hosts; its
 * index, or -1. A sorted table must be given its keys in order. */
long htable_add_shard(struct htable *t, const char *key, size_t len, long long last_run);

/* Add a record of shard i on host (an index from htable_intern_host; a
 * negative one is taken as its failure); 0 or -1. */
int htable_add_rec(struct htable *t, size_t i, long host, long long runs, double seconds);

/* The index of the shard keyed key in a sorted table, or -1. */
long htable_find_sorted(const struct htable *t, const char *key);

/* The index of the shard keyed key in a hashed table, added (last_run 0,
 * no hosts) if missing; -1 when out of memory. */
long htable_find_key(struct htable *t, const char *key);

#endif
