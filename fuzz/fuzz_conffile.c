/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_conffile.c - libFuzzer harness for distmpi.conf: conffile_load
 * (conffile.h), libconfig included, on arbitrary bytes. The loader reads a
 * path, so the bytes go to one private temporary file, rewritten per input. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conffile.h"
#include "config/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void cleanup(void)
{
    if (fd >= 0)
        unlink(path);
}

static void put_file(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/fuzz-conffile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        fd = mkstemp(path);
        if (fd < 0)
            abort();
        atexit(cleanup);
    }
    if (ftruncate(fd, 0) < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
}

/* Load the file into s; errors must be one line naming the file. */
static int load(struct settings *s)
{
    struct error err;
    error_clear(&err);
    int rc = conffile_load(path, s, &err);
    if (rc < 0 && (strncmp(err.text, path, strlen(path)) || strchr(err.text, '\n')))
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    put_file(data, size);
    struct settings s;
    settings_init(&s);
    if (load(&s) == 0) {
        struct error why;
        settings_validate(&s, &why);
    }
    settings_free(&s);

    /* the same file when every setting came from a flag: values are still
     * checked, on a scratch copy, and the flags' values kept */
    settings_init(&s);
    for (int i = 0; i < SET_COUNT; i++)
        s.source[i] = SOURCE_FLAG;
    load(&s);
    settings_free(&s);
    return 0;
}
