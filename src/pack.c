/* pack.c - the message byte format. */
#include "config.h"

#include "pack.h"

#include <stdlib.h>
#include <string.h>

/* strings longer than this are refused on both ends: no message needs them */
#define PACK_MAX_STR  (64u * 1024 * 1024)
#define PACK_NULL_STR UINT64_MAX

void packer_init(struct packer *p)
{
    memset(p, 0, sizeof *p);
}

static void put(struct packer *p, const void *src, size_t n)
{
    /* nothing to copy: src may then be NULL (pack_bytes(p, NULL, 0)), which
     * memcpy must never be given, even for 0 bytes */
    if (p->failed || n == 0)
        return;
    if (p->len + n > p->cap) {
        size_t cap = p->cap ? p->cap : 256;
        while (cap < p->len + n)
            cap *= 2;
        unsigned char *d = realloc(p->data, cap);
        if (!d) {
            p->failed = 1;
            return;
        }
        p->data = d;
        p->cap = cap;
    }
    memcpy(p->data + p->len, src, n);
    p->len += n;
}

static void put_u64(struct packer *p, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put(p, b, 8);
}

void pack_i64(struct packer *p, int64_t v)
{
    put_u64(p, (uint64_t)v);
}

void pack_f64(struct packer *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_u64(p, bits);
}

void pack_str(struct packer *p, const char *s)
{
    if (!s) {
        put_u64(p, PACK_NULL_STR);
        return;
    }
    size_t n = strlen(s);
    if (n > PACK_MAX_STR) {
        p->failed = 1;
        return;
    }
    put_u64(p, n);
    put(p, s, n);
}

void pack_bytes(struct packer *p, const void *data, size_t n)
{
    if (n > PACK_MAX_STR) {
        p->failed = 1;
        return;
    }
    put_u64(p, n);
    put(p, data, n);
}

unsigned char *packer_take(struct packer *p, size_t *len)
{
    unsigned char *d = p->failed ? NULL : p->data;
    if (p->failed)
        free(p->data);
    *len = d ? p->len : 0;
    packer_init(p);
    return d;
}

void packer_free(struct packer *p)
{
    free(p->data);
    packer_init(p);
}

void unpacker_init(struct unpacker *u, const void *data, size_t len)
{
    u->data = data;
    u->len = len;
    u->pos = 0;
    u->failed = 0;
}

static uint64_t get_u64(struct unpacker *u)
{
    if (u->failed || u->len - u->pos < 8) {
        u->failed = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)u->data[u->pos + i] << (8 * i);
    u->pos += 8;
    return v;
}

int64_t unpack_i64(struct unpacker *u)
{
    return (int64_t)get_u64(u);
}

double unpack_f64(struct unpacker *u)
{
    uint64_t bits = get_u64(u);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

char *unpack_str(struct unpacker *u)
{
    uint64_t n = get_u64(u);
    if (u->failed || n == PACK_NULL_STR)
        return NULL;
    if (n > PACK_MAX_STR || n > u->len - u->pos || memchr(u->data + u->pos, '\0', n)) {
        u->failed = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        u->failed = 1;
        return NULL;
    }
    memcpy(s, u->data + u->pos, n);
    s[n] = '\0';
    u->pos += n;
    return s;
}

const void *unpack_bytes(struct unpacker *u, size_t *n)
{
    uint64_t k = get_u64(u);
    *n = 0;
    if (u->failed || k > PACK_MAX_STR || k > u->len - u->pos) {
        u->failed = 1;
        return NULL;
    }
    const void *d = u->data + u->pos;
    u->pos += k;
    *n = (size_t)k;
    return d;
}

int64_t unpack_range(struct unpacker *u, int64_t min, int64_t max)
{
    int64_t v = unpack_i64(u);
    if (u->failed || v < min || v > max) {
        u->failed = 1;
        return min;
    }
    return v;
}
