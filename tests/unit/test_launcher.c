/* SPDX-License-Identifier: BSD-3-Clause */
/* test_launcher.c - unit tests of how a process was started (launcher.h),
 * on the environments measured under mpirun, srun and sbatch. */
#include "config.h"

#include "config/launcher.h"

#include "unit.h"

/* A stand-in for getenv over a NULL-terminated list of NAME=VALUE. */
static const char *const *fake_env;

static char *fake_getenv(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return (char *)*e + n + 1;
    return NULL;
}

static enum launcher detect(const char *const *env)
{
    fake_env = env;
    return launcher_detect(fake_getenv);
}

START_TEST(measured_environments)
{
    /* by hand */
    const char *none[] = {"PATH=/bin", NULL};
    ck_assert_int_eq(detect(none), LAUNCHER_NONE);
    /* a batch script: SLURM_PROCID, no step */
    const char *batch[] = {"SLURM_JOB_ID=3", "SLURM_LOCALID=0", "SLURM_NPROCS=2",
                           "SLURM_NTASKS=2", "SLURM_PROCID=0",  NULL};
    ck_assert_int_eq(detect(batch), LAUNCHER_NONE);
    /* srun --mpi=pmix */
    const char *pmix[] = {"PMIX_RANK=1",     "PMIX_NAMESPACE=slurm.pmix.5.0", "SLURM_PROCID=1",
                          "SLURM_STEP_ID=0", "SLURM_STEP_NUM_TASKS=2",        NULL};
    ck_assert_int_eq(detect(pmix), LAUNCHER_MPI);
    /* srun --mpi=pmi2 */
    const char *pmi2[] = {"PMI_FD=11",      "PMI_RANK=0",      "PMI_SIZE=1",
                          "SLURM_PROCID=0", "SLURM_STEP_ID=0", NULL};
    ck_assert_int_eq(detect(pmi2), LAUNCHER_MPI);
    /* srun --mpi=none */
    const char *nopmi[] = {"SLURM_LOCALID=1", "SLURM_NTASKS=2",  "SLURM_PROCID=1",
                           "SLURM_STEPID=0",  "SLURM_STEP_ID=0", NULL};
    ck_assert_int_eq(detect(nopmi), LAUNCHER_SRUN_NOPMI);
    /* mpirun, also inside a batch script */
    const char *mpirun[] = {"OMPI_COMM_WORLD_RANK=1", "PMIX_RANK=1", "SLURM_PROCID=0", NULL};
    ck_assert_int_eq(detect(mpirun), LAUNCHER_MPI);
    const char *ompi_only[] = {"OMPI_COMM_WORLD_RANK=0", NULL};
    ck_assert_int_eq(detect(ompi_only), LAUNCHER_MPI);
    /* empty values count as unset */
    const char *empty[] = {
        "OMPI_COMM_WORLD_RANK=", "PMIX_RANK=", "PMI_RANK=", "SLURM_STEP_ID=", NULL};
    ck_assert_int_eq(detect(empty), LAUNCHER_NONE);
    const char *empty_ranks[] = {"PMIX_RANK=", "SLURM_STEP_ID=0", NULL};
    ck_assert_int_eq(detect(empty_ranks), LAUNCHER_SRUN_NOPMI);
}
END_TEST

static Suite *launcher_suite(void)
{
    Suite *s = suite_create("launcher");
    TCase *tc = tcase_create("detect");
    tcase_add_test(tc, measured_environments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(launcher_suite());
}
