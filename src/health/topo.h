/* SPDX-License-Identifier: BSD-3-Clause */
/* topo.h - this host's cores and hardware threads, from hwloc (which honours
 * HWLOC_SYNTHETIC and HWLOC_XMLFILE, so tests can fake any machine). */
#ifndef DISTMPI_TOPO_H
#define DISTMPI_TOPO_H

#include "common/error.h"

/* Count the cores and PUs this process may use. Returns 0, or -1 with the
 * reason in err (and *cores, *pus set from sysconf as a fallback). */
int topo_count(long *cores, long *pus, struct error *err);

#endif
