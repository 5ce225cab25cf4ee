/* SPDX-License-Identifier: BSD-3-Clause */
/* spec.c - the run spec: what it owns. */
#include "config.h"

#include "model/spec.h"

#include <stdlib.h>
#include <string.h>

void spec_free(struct spec *s)
{
    for (int i = 0; i < s->nwords; i++)
        free(s->words[i]);
    free(s->words);
    free(s->run_dir);
    free(s->run_id);
    free(s->collect);
    free(s->retry_command);
    memset(s, 0, sizeof *s);
}
