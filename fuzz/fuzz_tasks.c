/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_tasks.c - libFuzzer harness for task files: tasks_parse (tasks.h) on
 * arbitrary bytes, with the invariants every accepted list must keep. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/tasks.h"
#include "model/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, not NUL-terminated, so a read past the end shows */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct tasklist *t = NULL;
    struct error err;
    error_clear(&err);
    if (tasks_parse("tasks.txt", buf, size, &t, &err) == 0) {
        if (!t || t->count < 1)
            abort(); /* an empty task file is an error, never an empty list */
        for (long i = 0; i < t->count; i++) {
            /* line N is shard N: each command is one line of the file,
             * checked as the /bin/sh command line it is */
            if (strchr(t->lines[i], '\n') || template_check_shell(t->lines[i], NULL) < 0)
                abort();
            if (t->lineno[i] < 1 || (i > 0 && t->lineno[i] <= t->lineno[i - 1]))
                abort();
        }
        tasks_destroy(t);
    } else if (strncmp(err.text, "tasks.txt", 9) || strchr(err.text, '\n')) {
        abort(); /* errors are one line naming the file */
    }
    free(buf);
    return 0;
}
