/* SPDX-License-Identifier: BSD-3-Clause */
/* healthreport.h - the health command's per-host results, and how they
 * are shown: the report, its JSON form, and a hostfile of the healthy
 * hosts for mpirun. Writes only to the FILE it is given. */
#ifndef DISTMPI_HEALTHREPORT_H
#define DISTMPI_HEALTHREPORT_H

#include <stdio.h>

#include "common/error.h"
#include "health/health.h"
#include "health/sshprobe.h"

/* One host checked by distmpi health or launch. */
struct host_check {
    const char *name; /* as given; the ssh config may map it */
    const char *user; /* USER of a hostfile's USER@NAME, or NULL */
    long slots;       /* from the hostfile, 0 if none */
    struct sshprobe_result res;
    struct health_sample sample;
    int sample_ok;
    int healthy;
    struct error problem; /* when !healthy and res.ssh_ok */
};

/* The report for people: per host, its verdict, SSH latency or error, its
 * values and its problem, then "Health Summary: HEALTHY/N hosts healthy".
 * colour: green and red verdicts. Returns 0, or -1 when out could not be
 * written. */
int healthreport_print(FILE *out, const struct host_check *hosts, long n, long healthy, int colour);

/* The same as one JSON object: "hosts", "healthy", "total", "min_healthy",
 * and "allocation": the batch system the hosts came from ("slurm", "pbs";
 * allocation) or null (a hostfile or the command line; NULL). Returns 0, or
 * -1 when out could not be written. */
int healthreport_json(FILE *out, const struct host_check *hosts, long n, long healthy,
                      long min_healthy, const char *allocation);

/* The healthy hosts as an Open MPI hostfile, each with the slots its
 * hostfile gave, else its core count. Returns 0, or -1 with errno set. */
int healthreport_hostfile(FILE *f, const struct host_check *hosts, long n);

#endif
