/* hostinfo.c - the start-up gather of hosts and cores. */
#include "config.h"

#include "hostinfo.h"

#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "proctree.h"
#include "proto.h"
#include "topo.h"

#define RECORD 1024 /* bytes each rank contributes to the gather */

/* Fill record with what p packed, zero-padded to RECORD bytes (the gathers
 * take fixed-size records). Returns 0, or -1 with err naming what. */
static int record_take(struct packer *p, unsigned char record[RECORD], const char *what,
                       char *err, size_t errlen)
{
    size_t len;
    unsigned char *mine = packer_take(p, &len);
    if (!mine || len > RECORD) {
        free(mine);
        snprintf(err, errlen, "%s too large", what);
        return -1;
    }
    memset(record, 0, RECORD);
    memcpy(record, mine, len);
    free(mine);
    return 0;
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

/* Rank 0: group the gathered records by leader rank. */
static struct cluster *build(const unsigned char *all, int nranks, char *err, size_t errlen)
{
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
        struct unpacker u;
        unpacker_init(&u, all + (size_t)r * RECORD, RECORD);
        char *name = unpack_str(&u);
        int slot = (int)unpack_range(&u, 0, nranks);
        int leader = (int)unpack_range(&u, 0, nranks - 1);
        long cores = (long)unpack_range(&u, 0, 1L << 30);
        long pus = (long)unpack_range(&u, 0, 1L << 30);
        struct probe pr;
        probe_unpack(&u, &pr);
        if (u.failed || !name) {
            free(name);
            free(host_of_leader);
            snprintf(err, errlen, "rank %d sent a malformed host record", r);
            cluster_destroy(c);
            return NULL;
        }
        int h = host_of_leader[leader];
        if (h < 0) {
            h = host_of_leader[leader] = c->nhosts++;
            c->hosts[h].leader = leader;
        }
        if (r == leader) {
            free(c->hosts[h].name);
            c->hosts[h].name = name;
            c->hosts[h].cores = cores;
            c->hosts[h].pus = pus;
            c->hosts[h].probe = pr;
        } else {
            if (!c->hosts[h].name)
                c->hosts[h].name = strdup(name);
            free(name);
        }
        c->hosts[h].nranks++;
        c->rank_host[r] = h;
        c->rank_slot[r] = slot;
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
    char why[256] = "";
    int rc = MPI_Comm_rank(local, &me->slot);
    if (rc == MPI_SUCCESS)
        rc = MPI_Comm_size(local, &nlocal);
    if (rc == MPI_SUCCESS &&
        msg_collective(MPI_Iallreduce(&me->rank, &leader, 1, MPI_INT, MPI_MIN, local, &req), &req,
                       "MPI_Iallreduce", why, sizeof why) < 0)
        rc = MPI_ERR_OTHER;
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
                       "MPI_Igather", why, sizeof why) < 0)
        rc = MPI_ERR_OTHER;
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
        if (topo_count(&cores, &pus, why, sizeof why) < 0)
            fprintf(stderr, "distmpi: %s: %s; counting %ld online CPUs instead\n", me->host, why,
                    cores);
        me->cores = cores;
        hostinfo_probe(me, &pr);
    }
    me->cores = cores;
    struct packer p;
    packer_init(&p);
    pack_str(&p, me->host);
    pack_i64(&p, me->slot);
    pack_i64(&p, leader);
    pack_i64(&p, cores);
    pack_i64(&p, pus);
    probe_pack(&p, &pr);
    unsigned char record[RECORD];
    if (record_take(&p, record, "host record", err, errlen) < 0)
        return -1;

    unsigned char *all = NULL;
    if (me->rank == 0) {
        all = malloc((size_t)me->nranks * RECORD);
        if (!all) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (msg_collective(
            MPI_Igather(record, RECORD, MPI_BYTE, all, RECORD, MPI_BYTE, 0, MPI_COMM_WORLD, &req),
            &req, "MPI_Igather of host records", err, errlen) < 0) {
        free(all);
        return -1;
    }
    if (me->rank == 0) {
        /* the padding after each record is zeros: trim it before unpacking */
        *out = build(all, me->nranks, err, errlen);
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
    pr->ok = health_probe_files(".", meminfo, loadavg, me->cores, own_running, &a, &pr->sample,
                                pr->error, sizeof pr->error) == 0;
}

int hostinfo_reprobe(const struct self *me, struct cluster *c, int again, char *err, size_t errlen)
{
    MPI_Request req;
    int flag = again;
    if (msg_collective(MPI_Ibcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD, &req), &req,
                       "MPI_Ibcast of a health round", err, errlen) < 0)
        return -1;
    if (!flag)
        return 0;
    struct probe pr = {0};
    if (me->host_pids) /* only the leaders have them */
        hostinfo_probe(me, &pr);
    struct packer p;
    packer_init(&p);
    probe_pack(&p, &pr);
    unsigned char record[RECORD];
    if (record_take(&p, record, "probe record", err, errlen) < 0)
        return -1;
    unsigned char *all = NULL;
    if (me->rank == 0 && !(all = malloc((size_t)me->nranks * RECORD))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (msg_collective(
            MPI_Igather(record, RECORD, MPI_BYTE, all, RECORD, MPI_BYTE, 0, MPI_COMM_WORLD, &req),
            &req, "MPI_Igather of health probes", err, errlen) < 0) {
        free(all);
        return -1;
    }
    for (int h = 0; c && h < c->nhosts; h++) {
        struct unpacker u;
        unpacker_init(&u, all + (size_t)c->hosts[h].leader * RECORD, RECORD);
        if (probe_unpack(&u, &pr) < 0) {
            free(all);
            snprintf(err, errlen, "rank %d sent a malformed probe", c->hosts[h].leader);
            return -1;
        }
        c->hosts[h].probe = pr;
    }
    free(all);
    return 1;
}
