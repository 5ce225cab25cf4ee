/* SPDX-License-Identifier: BSD-3-Clause */
/* topo.c - hwloc core counting. */
#include "config.h"

#include "health/topo.h"

#include <hwloc.h>
#include <unistd.h>

int topo_count(long *cores, long *pus, struct error *err)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    *cores = *pus = online > 0 ? online : 1;
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) < 0)
        return errprintf(err, "hwloc_topology_init failed");
    if (hwloc_topology_load(topo) < 0) {
        hwloc_topology_destroy(topo);
        return errprintf(err, "hwloc could not load the topology");
    }
    int nc = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    int np = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    hwloc_topology_destroy(topo);
    if (np > 0)
        *pus = np;
    /* some virtual machines report PUs without cores: count those then */
    if (nc > 0)
        *cores = nc;
    else if (np > 0)
        *cores = np;
    return 0;
}
