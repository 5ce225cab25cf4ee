/* SPDX-License-Identifier: BSD-3-Clause */
/* median.c - the median of the known predictions (see median.h). */
#include "config.h"

#include "sched/median.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

long median_of_known(const double *v, const long *at, long n, double *median)
{
    double *known = malloc((size_t)(n > 0 ? n : 1) * sizeof *known);
    if (!known) {
        errno = ENOMEM;
        return -1;
    }
    long nknown = 0;
    for (long k = 0; k < n; k++) {
        double x = v[at ? at[k] : k];
        if (!isnan(x))
            known[nknown++] = x;
    }
    if (nknown > 0) {
        qsort(known, (size_t)nknown, sizeof *known, by_double);
        *median = nknown % 2 ? known[nknown / 2] : (known[nknown / 2 - 1] + known[nknown / 2]) / 2;
    }
    free(known);
    return nknown;
}
