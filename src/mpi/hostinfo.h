/* SPDX-License-Identifier: BSD-3-Clause */
/* hostinfo.h - which ranks share a host, and each host's name and cores.
 * One leader rank per host (MPI_Comm_split_type shared) reads the host's
 * topology with hwloc; rank 0 gathers it all.
 */
#ifndef DISTMPI_HOSTINFO_H
#define DISTMPI_HOSTINFO_H

#include <stddef.h>

#include "health/probe.h"

struct host {
    char *name;
    long cores, pus;
    int nranks;
    int leader;         /* world rank of the host's leader */
    struct probe probe; /* its health when the run started */
};

struct cluster {
    int nranks;
    int nhosts;
    int *rank_host;     /* host index of each rank */
    int *rank_slot;     /* slot of each rank on its host */
    struct host *hosts; /* in order of their leader's rank */
};

/* What this rank learns about itself. */
struct self {
    int rank, nranks;
    int slot; /* rank among the ranks of this host, 0-based */
    char host[256];
    long cores;      /* this host's cores (the leader's count; 0 elsewhere) */
    long *host_pids; /* the leader's: the pids of this host's ranks; NULL elsewhere */
    int nhost_pids;
    /* the soft limit on open files this rank started with, which its shards
     * get back (main.c raises the rank's own); 0: the rank's, unchanged */
    unsigned long long file_limit;
};

/* Collective over MPI_COMM_WORLD. Every rank fills *me (free with
 * self_free); rank 0 also gets the cluster in *out (free with
 * cluster_destroy), other ranks NULL.
 * Returns 0, or -1 with a reason in err. */
int hostinfo_gather(struct self *me, struct cluster **out, char *err, size_t errlen);

/* What hostinfo_gather allocated in *me. Accepts NULL. */
void self_free(struct self *me);

/* Collective over MPI_COMM_WORLD, for the start-up wait on busy hosts: rank
 * 0 passes again 1 to have every host's leader probe its host once more
 * (the new probes land in c->hosts[h].probe), or 0 to end the rounds; the
 * other ranks pass c NULL and learn which it was. Nobody spins: the
 * collectives are polled with short sleeps.
 * Returns 1 after a round of probes, 0 when rank 0 ended the rounds, or -1
 * with a reason in err. */
int hostinfo_reprobe(const struct self *me, struct cluster *c, int again, char *err, size_t errlen);

/* Accepts NULL. */
void cluster_destroy(struct cluster *c);

/* Probe this host's health for work in the working directory (disk, memory,
 * load from other work over cores: the host's ranks, their parents and the
 * ranks' descendants are not other work; see proctree.h). Reads /proc, or
 * the directory in the environment variable DISTMPI_PROC_DIR when that is
 * set (tests give recorded files that way). Only for a host's leader (me as
 * hostinfo_gather filled it). Never fails: a probe that could not be taken
 * has ok 0 and the reason in error. */
void hostinfo_probe(const struct self *me, struct probe *pr);

#endif
