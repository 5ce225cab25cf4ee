/* SPDX-License-Identifier: BSD-3-Clause */
/* mpi-null - an MPI program that only initialises and finalises: what
 * mpirun and MPI_Init cost before any work, the baseline bench/startup.sh
 * holds distmpi's start-up against. Exit status 0, or 3 when MPI fails. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "mpi-null: MPI_Init failed\n");
        return 3;
    }
    if (MPI_Finalize() != MPI_SUCCESS) {
        fprintf(stderr, "mpi-null: MPI_Finalize failed\n");
        return 3;
    }
    return 0;
}
