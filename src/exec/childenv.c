/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "exec/childenv.h"

#include <stdlib.h>
#include <string.h>

/* Name prefixes of what a launcher sets to place a process in its job:
 * Open MPI's mpirun and orted, and PMI-2 (srun --mpi=pmi2). */
static const char *const job_prefixes[] = {"OMPI_COMM_WORLD_", "OMPI_APP_CTX_", "PMI_"};

/* Whole names of the same: what Open MPI 4.1's orted adds to each rank's
 * environment beyond the user's --mca and -x settings. The user's own
 * OMPI_MCA_orte_* settings (given with --mca) are kept. */
static const char *const job_names[] = {
    "OMPI_COMMAND",
    "OMPI_ARGV",
    "OMPI_FILE_LOCATION",
    "OMPI_FIRST_RANKS",
    "OMPI_NUM_APP_CTX",
    "OMPI_UNIVERSE_SIZE",
    "OMPI_MCA_ess",
    "OMPI_MCA_ess_base_jobid",
    "OMPI_MCA_ess_base_vpid",
    "OMPI_MCA_pmix",
    "OMPI_MCA_initial_wdir",
    "OMPI_MCA_mpi_oversubscribe",
    "OMPI_MCA_shmem_RUNTIME_QUERY_hint",
    "OMPI_MCA_orte_app_num",
    "OMPI_MCA_orte_bound_at_launch",
    "OMPI_MCA_orte_ess_node_rank",
    "OMPI_MCA_orte_ess_num_procs",
    "OMPI_MCA_orte_hnp_uri",
    "OMPI_MCA_orte_jobfam_session_dir",
    "OMPI_MCA_orte_launch",
    "OMPI_MCA_orte_local_daemon_uri",
    "OMPI_MCA_orte_num_nodes",
    "OMPI_MCA_orte_precondition_transports",
    "OMPI_MCA_orte_top_session_dir",
};

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool childenv_is_job_var(const char *entry)
{
    /* PMIx's identity and server (PMIX_RANK, PMIX_NAMESPACE,
     * PMIX_SERVER_URI*...), not its settings */
    if (starts(entry, "PMIX_") && !starts(entry, "PMIX_MCA_"))
        return true;
    for (size_t i = 0; i < sizeof job_prefixes / sizeof job_prefixes[0]; i++)
        if (starts(entry, job_prefixes[i]))
            return true;
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    for (size_t i = 0; i < sizeof job_names / sizeof job_names[0]; i++)
        if (strlen(job_names[i]) == len && !strncmp(entry, job_names[i], len))
            return true;
    return false;
}

bool childenv_inherits(const char *entry)
{
    return !starts(entry, "DISTMPI_") && !childenv_is_job_var(entry);
}

/* Whether entry's name is the name of one of the entries of env. */
static bool named_in(const char *entry, char *const *env)
{
    size_t len = strcspn(entry, "=");
    for (char *const *e = env; e && *e; e++)
        if (strncmp(*e, entry, len) == 0 && (*e)[len] == '=')
            return true;
    return false;
}

char **childenv_make(char *const *base, char *const *extra, bool shard)
{
    size_t n = 0, nextra = 0;
    while (base && base[n])
        n++;
    while (extra && extra[nextra])
        nextra++;
    char **out = calloc(n + nextra + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < nextra; i++)
        out[k++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        bool keep = shard ? childenv_inherits(base[i]) : !childenv_is_job_var(base[i]);
        if (keep && !named_in(base[i], extra))
            out[k++] = base[i];
    }
    out[k] = NULL;
    return out;
}
