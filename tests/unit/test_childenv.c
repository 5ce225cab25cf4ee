/* SPDX-License-Identifier: BSD-3-Clause */
/* test_childenv.c - unit tests of what a shard inherits of its rank's
 * environment (childenv.h): the environment Open MPI 4.1's mpirun gave a
 * rank on this project's machines, and srun's, entry by entry. */
#include "config.h"

#include "exec/childenv.h"

#include "unit.h"

#include <stdlib.h>
#include <string.h>

START_TEST(the_job_stays_with_the_rank)
{
    /* what `mpirun -np 1 --mca btl_tcp_if_include lo sh -c env` added */
    static const char *const dropped[] = {
        "OMPI_APP_CTX_NUM_PROCS=1",
        "OMPI_ARGV=-c env",
        "OMPI_COMMAND=sh",
        "OMPI_COMM_WORLD_LOCAL_RANK=0",
        "OMPI_COMM_WORLD_LOCAL_SIZE=1",
        "OMPI_COMM_WORLD_NODE_RANK=0",
        "OMPI_COMM_WORLD_RANK=0",
        "OMPI_COMM_WORLD_SIZE=1",
        "OMPI_FILE_LOCATION=/tmp/ompi.vm.0/pid.11609/0/0",
        "OMPI_FIRST_RANKS=0",
        "OMPI_MCA_ess=^singleton",
        "OMPI_MCA_ess_base_jobid=1101463553",
        "OMPI_MCA_ess_base_vpid=0",
        "OMPI_MCA_initial_wdir=/tmp/mpihello",
        "OMPI_MCA_mpi_oversubscribe=0",
        "OMPI_MCA_orte_app_num=0",
        "OMPI_MCA_orte_bound_at_launch=1",
        "OMPI_MCA_orte_ess_node_rank=0",
        "OMPI_MCA_orte_ess_num_procs=1",
        "OMPI_MCA_orte_hnp_uri=1101463552.0;tcp://192.0.2.2:41239",
        "OMPI_MCA_orte_jobfam_session_dir=/tmp/ompi.vm.0/pid.11609",
        "OMPI_MCA_orte_launch=1",
        "OMPI_MCA_orte_local_daemon_uri=1101463552.0;tcp://192.0.2.2:41239",
        "OMPI_MCA_orte_num_nodes=1",
        "OMPI_MCA_orte_precondition_transports=ebede3ed95fd1267-c45da841df54d035",
        "OMPI_MCA_orte_top_session_dir=/tmp/ompi.vm.0",
        "OMPI_MCA_pmix=^s1,s2,cray,isolated",
        "OMPI_MCA_shmem_RUNTIME_QUERY_hint=mmap",
        "OMPI_NUM_APP_CTX=1",
        "OMPI_UNIVERSE_SIZE=2",
        "PMIX_BFROP_BUFFER_TYPE=PMIX_BFROP_BUFFER_NON_DESC",
        "PMIX_DSTORE_21_BASE_PATH=/tmp/ompi.vm.0/pid.11609/pmix_dstor_ds21_11609",
        "PMIX_GDS_MODULE=ds21,ds12,hash",
        "PMIX_HOSTNAME=vm",
        "PMIX_ID=1101463553.0",
        "PMIX_NAMESPACE=1101463553",
        "PMIX_RANK=0",
        "PMIX_SECURITY_MODE=native",
        "PMIX_SERVER_TMPDIR=/tmp/ompi.vm.0/pid.11609",
        "PMIX_SERVER_URI2=1101463552.0;tcp4://127.0.0.1:57407",
        "PMIX_SERVER_URI41=1101463552.0;tcp4://127.0.0.1:57407",
        "PMIX_SYSTEM_TMPDIR=/tmp",
        "PMIX_VERSION=4.2.2rc2",
        /* srun --mpi=pmi2 */
        "PMI_FD=7",
        "PMI_RANK=3",
        "PMI_SIZE=8",
        "PMI_JOBID=1234.0",
        /* the attempt's own come from the runner */
        "DISTMPI_SHARD=2",
        "DISTMPI_FOO=bar",
    };
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        ck_assert_msg(!childenv_inherits(dropped[i]), "%s is inherited", dropped[i]);
}
END_TEST

START_TEST(the_users_settings_pass)
{
    static const char *const kept[] = {
        "PATH=/usr/bin:/bin",
        "HOME=/root",
        "OMPI_ALLOW_RUN_AS_ROOT=1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
        "OMPI_MCA_btl_tcp_if_include=lo", /* --mca on the outer mpirun */
        "OMPI_MCA_mpi_yield_when_idle=1",
        "OMPI_MCA_orte_tmpdir_base=/scratch", /* a user's own orte setting */
        "OMPI_MCA_orte_keep_fqdn_hostnames=1",
        "OMPI_MCA_essential_thing=1", /* not OMPI_MCA_ess */
        "OMPI_MCA_pmix_base_verbose=5",
        "OMPI_COMMANDS=x", /* not OMPI_COMMAND */
        "PMIX_MCA_gds=hash",
        "PMIX_MCA_mca_base_component_show_load_errors=1",
        "HFI_NO_BACKTRACE=1",
        "SLURM_JOB_ID=42",
        "SLURM_PROCID=3",
        "PMIXY=1", /* neither PMIX_ nor PMI_ */
        "DISTMPIX=1",
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        ck_assert_msg(childenv_inherits(kept[i]), "%s is left out", kept[i]);
    ck_assert(!childenv_inherits("OMPI_COMMAND")); /* no '=': the name is all of it */
    /* the notify command keeps distmpi's own variables, not the job's */
    ck_assert(!childenv_is_job_var("DISTMPI_CONFIG=/etc/x.conf"));
    ck_assert(childenv_is_job_var("PMIX_RANK=0"));
    ck_assert(!childenv_is_job_var("OMPI_MCA_btl_tcp_if_include=lo"));
}
END_TEST

/* envp as "A|B|C" */
static void joined(char **envp, char *out, size_t len)
{
    out[0] = '\0';
    for (char **e = envp; *e; e++) {
        if (e != envp)
            strncat(out, "|", len - strlen(out) - 1);
        strncat(out, *e, len - strlen(out) - 1);
    }
}

START_TEST(an_environment_made)
{
    char *base[] = {"PATH=/bin",
                    "PMIX_RANK=0",
                    "DISTMPI_CONFIG=x.conf",
                    "DISTMPI_SHARD=9",
                    "OMPI_MCA_btl=self",
                    "HOME=/root",
                    NULL};
    char *extra[] = {"DISTMPI_SHARD=2", "HOME=/tmp", NULL};
    char got[256];
    /* a shard: the attempt's first, no DISTMPI_* inherited, no job variable */
    char **envp = childenv_make(base, extra, true);
    ck_assert_ptr_nonnull(envp);
    joined(envp, got, sizeof got);
    ck_assert_str_eq(got, "DISTMPI_SHARD=2|HOME=/tmp|PATH=/bin|OMPI_MCA_btl=self");
    free(envp);
    /* the notify command: distmpi's own variables kept, extra's replace theirs */
    envp = childenv_make(base, extra, false);
    joined(envp, got, sizeof got);
    ck_assert_str_eq(got,
                     "DISTMPI_SHARD=2|HOME=/tmp|PATH=/bin|DISTMPI_CONFIG=x.conf|OMPI_MCA_btl=self");
    free(envp);
    envp = childenv_make(base, NULL, false);
    joined(envp, got, sizeof got);
    ck_assert_str_eq(got,
                     "PATH=/bin|DISTMPI_CONFIG=x.conf|DISTMPI_SHARD=9|OMPI_MCA_btl=self|"
                     "HOME=/root");
    free(envp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("childenv");
    TCase *tc = tcase_create("childenv");
    tcase_add_test(tc, the_job_stays_with_the_rank);
    tcase_add_test(tc, the_users_settings_pass);
    tcase_add_test(tc, an_environment_made);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
