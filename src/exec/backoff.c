/* SPDX-License-Identifier: BSD-3-Clause */
/* backoff.c - exponential backoff with jitter. */
#include "config.h"

#include "exec/backoff.h"

#include <math.h>

double backoff_delay(double base, double max, double jitter, int retry, double u)
{
    if (retry < 1 || base <= 0)
        return 0;
    /* past 2^1100 any double overflows to infinity, which the cap handles */
    double d = base * ldexp(1.0, retry - 1 < 1100 ? retry - 1 : 1100);
    if (d > max)
        d = max;
    d *= 1.0 + jitter * (2.0 * u - 1.0);
    if (d < 0)
        d = 0;
    if (d > max)
        d = max;
    return d;
}
