/* SPDX-License-Identifier: BSD-3-Clause */
/* launcher.c - how this process was started. */
#include "config.h"

#include "config/launcher.h"

#include <stddef.h>

static int set(char *(*get)(const char *), const char *name)
{
    const char *v = get(name);
    return v && *v;
}

enum launcher launcher_detect(char *(*get)(const char *))
{
    static const char *const ranks[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof ranks / sizeof *ranks; i++)
        if (set(get, ranks[i]))
            return LAUNCHER_MPI;
    return set(get, "SLURM_STEP_ID") ? LAUNCHER_SRUN_NOPMI : LAUNCHER_NONE;
}
