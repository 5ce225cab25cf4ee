/* spec.c - wire form of the run spec and of assignments. */
#include "config.h"

#include "spec.h"

#include <stdlib.h>
#include <string.h>

#include "pack.h"

unsigned char *spec_pack(const struct spec *s, size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, s->status);
    pack_i64(&p, s->total);
    pack_i64(&p, s->shell);
    pack_i64(&p, s->nwords);
    for (int i = 0; i < s->nwords; i++)
        pack_str(&p, s->words[i]);
    pack_f64(&p, s->timeout);
    pack_f64(&p, s->kill_grace);
    pack_f64(&p, s->backoff);
    pack_f64(&p, s->backoff_max);
    pack_f64(&p, s->backoff_jitter);
    pack_i64(&p, s->retries);
    pack_str(&p, s->run_dir);
    pack_str(&p, s->run_id);
    pack_i64(&p, s->skip_health);
    pack_f64(&p, s->health_interval);
    return packer_take(&p, len);
}

int spec_unpack(struct spec *s, const void *data, size_t len)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    memset(s, 0, sizeof *s);
    s->status = (int)unpack_range(&u, -1, 255);
    s->total = (long)unpack_range(&u, 0, INT32_MAX);
    s->shell = (int)unpack_range(&u, 0, 1);
    int n = (int)unpack_range(&u, 0, 1 << 20);
    if (!u.failed && n > 0) {
        s->words = calloc((size_t)n + 1, sizeof *s->words);
        if (!s->words)
            u.failed = 1;
    }
    for (int i = 0; i < n && !u.failed; i++) {
        s->words[i] = unpack_str(&u);
        s->nwords = i + 1;
        if (!s->words[i])
            u.failed = 1;
    }
    s->timeout = unpack_f64(&u);
    s->kill_grace = unpack_f64(&u);
    s->backoff = unpack_f64(&u);
    s->backoff_max = unpack_f64(&u);
    s->backoff_jitter = unpack_f64(&u);
    s->retries = (long)unpack_range(&u, 0, 1000000);
    s->run_dir = unpack_str(&u);
    s->run_id = unpack_str(&u);
    s->skip_health = (int)unpack_range(&u, 0, 1);
    s->health_interval = unpack_f64(&u);
    if (u.failed || u.pos != u.len) {
        spec_free(s);
        return -1;
    }
    return 0;
}

void spec_free(struct spec *s)
{
    for (int i = 0; i < s->nwords; i++)
        free(s->words[i]);
    free(s->words);
    free(s->run_dir);
    free(s->run_id);
    memset(s, 0, sizeof *s);
}

unsigned char *assign_pack(long index, const char *task, size_t *len)
{
    struct packer p;
    packer_init(&p);
    pack_i64(&p, index);
    pack_str(&p, task);
    return packer_take(&p, len);
}

int assign_unpack(const void *data, size_t len, long *index, char **task)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    *index = (long)unpack_range(&u, 0, INT32_MAX);
    *task = unpack_str(&u);
    if (u.failed || u.pos != u.len) {
        free(*task);
        *task = NULL;
        return -1;
    }
    return 0;
}
