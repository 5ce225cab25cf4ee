/* pack.h - byte buffers for MPI messages: little-endian integers, doubles and
 * length-prefixed strings, so ranks on different architectures agree.
 *
 * Pure. Writers and readers record the first failure and ignore everything
 * after it, so a caller checks once at the end.
 */
#ifndef DISTMPI_PACK_H
#define DISTMPI_PACK_H

#include <stddef.h>
#include <stdint.h>

struct packer {
    unsigned char *data; /* heap; the caller takes it over with packer_take */
    size_t len, cap;
    int failed; /* out of memory */
};

void packer_init(struct packer *p);
void pack_i64(struct packer *p, int64_t v);
void pack_f64(struct packer *p, double v);
/* s may be NULL; it then unpacks as NULL. */
void pack_str(struct packer *p, const char *s);
/* n raw bytes (NUL bytes allowed), length-prefixed. */
void pack_bytes(struct packer *p, const void *data, size_t n);
/* Hand over the bytes (heap, free with free()) and their length; returns NULL
 * when any write failed. The packer is empty afterwards. */
unsigned char *packer_take(struct packer *p, size_t *len);
void packer_free(struct packer *p);

struct unpacker {
    const unsigned char *data;
    size_t len, pos;
    int failed; /* truncated or malformed input */
};

void unpacker_init(struct unpacker *u, const void *data, size_t len);
int64_t unpack_i64(struct unpacker *u);
double unpack_f64(struct unpacker *u);
/* A heap copy (free with free()), or NULL for a packed NULL or on failure. */
char *unpack_str(struct unpacker *u);
/* Raw bytes packed by pack_bytes: a pointer into the unpacker's data (not a
 * copy) and their length in *n, or NULL (and *n 0) on failure. */
const void *unpack_bytes(struct unpacker *u, size_t *n);
/* Like unpack_i64 but fails (and returns min) unless min <= v <= max. */
int64_t unpack_range(struct unpacker *u, int64_t min, int64_t max);

#endif
