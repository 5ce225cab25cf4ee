/* SPDX-License-Identifier: BSD-3-Clause */
/* hostinfo.c - the start-up gather of hosts and cores. */
#include "config.h"

#include "mpi/hostinfo.h"

#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpi/msg.h"
#include "health/proctree.h"
#include "mpi/proto.h"
#include "health/topo.h"

/* The protocol version this rank speaks: PROTO_VERSION, or for tests only
 * the one in $DISTMPI_TEST_PROTOCOL_VERSION (docs/testing.md), which makes
 * the rank look like another build of distmpi to rank 0. */
static int64_t protocol_version(void)
{
    const char *v = getenv("DISTMPI_TEST_PROTOCOL_VERSION");
    if (!v || !*v)
        return PROTO_VERSION;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end) {
        fprintf(stderr, "distmpi: ignoring DISTMPI_TEST_PROTOCOL_VERSION=%s: not a number\n", v);
        return PROTO_VERSION;
    }
    return n;
}

void cluster_destroy(struct cluster *c)
{
    if (!c)
        return;
    for (int h = 0; h < c->nhosts; h++)
        free(c->hosts[h].name);
    free(c->hosts);
    free(c->rank_host);
    free(c->rank_slot);
    free(c);
}

/* Rank 0, which speaks protocol: group the gathered records by leader
 * rank. */
static struct cluster *build(const unsigned char *all, int nranks, int64_t protocol, char *err,
                             size_t errlen)
{
    struct error e;
    struct cluster *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    c->nranks = nranks;
    c->rank_host = calloc((size_t)nranks, sizeof *c->rank_host);
    c->rank_slot = calloc((size_t)nranks, sizeof *c->rank_slot);
    c->hosts = calloc((size_t)nranks, sizeof *c->hosts);
    if (!c->rank_host || !c->rank_slot || !c->hosts)
        goto nomem;
    int *host_of_leader = malloc((size_t)nranks * sizeof *host_of_leader);
    if (!host_of_leader)
        goto nomem;
    for (int r = 0; r < nranks; r++)
        host_of_leader[r] = -1;
    for (int r = 0; r < nranks; r++) {
        struct host_record hr;
        if (proto_host_record_decode(all + (size_t)r * PROTO_RECORD_SIZE, PROTO_RECORD_SIZE, r,
                                     nranks, protocol, &hr, &e) < 0) {
            free(host_of_leader);
            snprintf(err, errlen, "%s", e.text);
            cluster_destroy(c);
            return NULL;
        }
        int leader = hr.leader;
        int h = host_of_leader[leader];
        if (h < 0) {
            h = host_of_leader[leader] = c->nhosts++;
            c->hosts[h].leader = leader;
        }
        if (r == leader) {
            c->hosts[h].cores = hr.cores;
            c->hosts[h].pus = hr.pus;
            c->hosts[h].probe = hr.probe;
        }
        if (!c->hosts[h].name && !(c->hosts[h].name = strdup(hr.host))) {
            free(host_of_leader);
            goto nomem;
        }
        c->hosts[h].nranks++;
        c->rank_host[r] = h;
        c->rank_slot[r] = hr.slot;
    }
    free(host_of_leader);
    return c;
nomem:
    snprintf(err, errlen, "out of memory");
    cluster_destroy(c);
    return NULL;
}

int hostinfo_gather(struct self *me, struct cluster **out, char *err, size_t errlen)
{
    *out = NULL;
    MPI_Comm local;
    if (MPI_Comm_rank(MPI_COMM_WORLD, &me->rank) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, &me->nranks) != MPI_SUCCESS ||
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) !=
            MPI_SUCCESS) {
        snprintf(err, errlen, "cannot learn the ranks of this host from MPI");
        return -1;
    }
    int leader = me->rank, nlocal = 0;
    me->host_pids = NULL;
    me->nhost_pids = 0;
    /* the collectives here are polled, not blocking: a rank that waits
     * for its leader or for rank 0 (reading the host's topology, say)
     * must not spin a core meanwhile */
    MPI_Request req;
    char why[ERROR_TEXT_MAX] = "";
    int rc = MPI_Comm_rank(local, &me->slot);
    if (rc == MPI_SUCCESS)
        rc = MPI_Comm_size(local, &nlocal);
    struct error e;
    if (rc == MPI_SUCCESS &&
        msg_collective(MPI_Iallreduce(&me->rank, &leader, 1, MPI_INT, MPI_MIN, local, &req), &req,
                       "MPI_Iallreduce", &e) < 0) {
        rc = MPI_ERR_OTHER;
        snprintf(why, sizeof why, "%s", e.text);
    }
    /* the leader learns its host's ranks, to tell their load from other work */
    long mypid = (long)getpid();
    long *pids = NULL;
    if (rc == MPI_SUCCESS && me->rank == leader &&
        !(pids = malloc((size_t)(nlocal > 0 ? nlocal : 1) * sizeof *pids))) {
        MPI_Comm_free(&local);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (rc == MPI_SUCCESS &&
        msg_collective(MPI_Igather(&mypid, 1, MPI_LONG, pids, 1, MPI_LONG, 0, local, &req), &req,
                       "MPI_Igather", &e) < 0) {
        rc = MPI_ERR_OTHER;
        snprintf(why, sizeof why, "%s", e.text);
    }
    if (MPI_Comm_free(&local) != MPI_SUCCESS && rc == MPI_SUCCESS) {
        rc = MPI_ERR_OTHER;
        snprintf(why, sizeof why, "MPI_Comm_free failed");
    }
    if (rc != MPI_SUCCESS) {
        free(pids);
        snprintf(err, errlen, "cannot find this host's leader rank%s%s", why[0] ? ": " : "", why);
        return -1;
    }
    me->host_pids = pids;
    me->nhost_pids = pids ? nlocal : 0;
    if (gethostname(me->host, sizeof me->host) < 0)
        snprintf(me->host, sizeof me->host, "rank%d", me->rank);
    me->host[sizeof me->host - 1] = '\0';

    long cores = 0, pus = 0;
    struct probe pr = {0};
    if (me->rank == leader) {
        struct error topo_err;
        if (topo_count(&cores, &pus, &topo_err) < 0)
            fprintf(stderr, "distmpi: %s: %s; counting %ld online CPUs instead\n", me->host,
                    topo_err.text, cores);
        me->cores = cores;
        hostinfo_probe(me, &pr);
    }
    me->cores = cores;
    struct host_record hr = {.protocol = protocol_version(),
                             .slot = me->slot,
                             .leader = leader,
                             .cores = cores,
                             .pus = pus,
                             .probe = pr};
    snprintf(hr.version, sizeof hr.version, "%s", PACKAGE_VERSION);
    snprintf(hr.host, sizeof hr.host, "%s", me->host);
    unsigned char record[PROTO_RECORD_SIZE];
    if (proto_host_record_encode(&hr, record, &e) < 0) {
        snprintf(err, errlen, "%s", e.text);
        return -1;
    }

    unsigned char *all = NULL;
    if (me->rank == 0) {
        all = malloc((size_t)me->nranks * PROTO_RECORD_SIZE);
        if (!all) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (msg_collective(MPI_Igather(record, PROTO_RECORD_SIZE, MPI_BYTE, all, PROTO_RECORD_SIZE,
                                   MPI_BYTE, 0, MPI_COMM_WORLD, &req),
                       &req, "MPI_Igather of host records", &e) < 0) {
        free(all);
        snprintf(err, errlen, "%s", e.text);
        return -1;
    }
    if (me->rank == 0) {
        *out = build(all, me->nranks, hr.protocol, err, errlen);
        free(all);
        if (!*out)
            return -1;
    }
    return 0;
}

void self_free(struct self *me)
{
    if (!me)
        return;
    free(me->host_pids);
    me->host_pids = NULL;
    me->nhost_pids = 0;
}

struct own_arg {
    const char *procdir;
    const struct self *me;
};

static long own_running(void *arg)
{
    const struct own_arg *a = arg;
    return proctree_running(a->procdir, a->me->host_pids, a->me->nhost_pids);
}

void hostinfo_probe(const struct self *me, struct probe *pr)
{
    memset(pr, 0, sizeof *pr);
    const char *dir = getenv("DISTMPI_PROC_DIR");
    if (!dir || !*dir)
        dir = "/proc";
    char meminfo[4096], loadavg[4096];
    snprintf(meminfo, sizeof meminfo, "%s/meminfo", dir);
    snprintf(loadavg, sizeof loadavg, "%s/loadavg", dir);
    struct own_arg a = {dir, me};
    struct error e;
    pr->ok =
        health_probe_files(".", meminfo, loadavg, me->cores, own_running, &a, &pr->sample, &e) == 0;
    if (pr->ok)
        return;
    /* the probe's wire form holds less than a struct error: mark a cut */
    size_t n = strlen(e.text);
    if (n < sizeof pr->error)
        memcpy(pr->error, e.text, n + 1);
    else
        snprintf(pr->error, sizeof pr->error, "%.*s...", (int)sizeof pr->error - 4, e.text);
}

int hostinfo_reprobe(const struct self *me, struct cluster *c, int again, char *err, size_t errlen)
{
    MPI_Request req;
    int flag = again;
    struct error e;
    if (msg_collective(MPI_Ibcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD, &req), &req,
                       "MPI_Ibcast of a health round", &e) < 0) {
        snprintf(err, errlen, "%s", e.text);
        return -1;
    }
    if (!flag)
        return 0;
    struct probe pr = {0};
    if (me->host_pids) /* only the leaders have them */
        hostinfo_probe(me, &pr);
    unsigned char record[PROTO_RECORD_SIZE];
    if (proto_probe_record_encode(&pr, record, &e) < 0) {
        snprintf(err, errlen, "%s", e.text);
        return -1;
    }
    unsigned char *all = NULL;
    if (me->rank == 0 && !(all = malloc((size_t)me->nranks * PROTO_RECORD_SIZE))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (msg_collective(MPI_Igather(record, PROTO_RECORD_SIZE, MPI_BYTE, all, PROTO_RECORD_SIZE,
                                   MPI_BYTE, 0, MPI_COMM_WORLD, &req),
                       &req, "MPI_Igather of health probes", &e) < 0) {
        free(all);
        snprintf(err, errlen, "%s", e.text);
        return -1;
    }
    for (int h = 0; c && h < c->nhosts; h++) {
        if (proto_probe_record_decode(all + (size_t)c->hosts[h].leader * PROTO_RECORD_SIZE,
                                      PROTO_RECORD_SIZE, &pr) < 0) {
            free(all);
            snprintf(err, errlen, "rank %d sent a malformed probe", c->hosts[h].leader);
            return -1;
        }
        c->hosts[h].probe = pr;
    }
    free(all);
    return 1;
}
