/* SPDX-License-Identifier: BSD-3-Clause */
/* speculate.c - the choice of the shard to copy (--speculate). */
#include "config.h"

#include "sched/speculate.h"

#include <math.h>
#include <stdbool.h>

#include "sched/hostspeed.h"

/* Host h's speed: 1 when unknown or not a positive number. */
static double speed_of(const double *speed, int h)
{
    return hostspeed_or_1(speed && h >= 0 ? speed[h] : 1);
}

/* c's predicted seconds at speed 1, or NAN. */
static double prediction(const struct speculate_running *c, const double *predicted)
{
    double p = predicted && c->shard >= 0 ? predicted[c->shard] : NAN;
    return isfinite(p) && p >= 0 ? p : NAN;
}

double speculate_left(const struct speculate_running *c, const double *predicted,
                      const double *speed, double now)
{
    double ran = now > c->since ? now - c->since : 0;
    double p = prediction(c, predicted);
    double end = c->since + p / speed_of(speed, c->host);
    /* past its prediction, or none: as long again as it has run */
    return !isnan(p) && end > now ? end - now : ran;
}

/* Whether a copy of c on host idle_host may help. */
static bool copy_may_help(const struct speculate_running *c, const double *predicted,
                          const double *speed, int idle_host, int nhosts, double min_run,
                          double now)
{
    if ((c->host == idle_host && nhosts > 1) || now - c->since < min_run)
        return false;
    double p = prediction(c, predicted);
    if (isnan(p))
        return true;
    double end = c->since + p / speed_of(speed, c->host);
    if (end <= now)
        return true; /* a straggler: its prediction says nothing any more */
    return now + p / speed_of(speed, idle_host) < end;
}

int speculate_pick(const struct speculate_running *c, int n, const double *predicted,
                   const double *speed, int idle_host, int nhosts, double min_run, double now)
{
    int best = -1;
    double best_left = 0;
    for (int i = 0; i < n; i++) {
        if (c[i].shard < 0 ||
            !copy_may_help(&c[i], predicted, speed, idle_host, nhosts, min_run, now))
            continue;
        double left = speculate_left(&c[i], predicted, speed, now);
        if (best >= 0 &&
            (left < best_left ||
             (left == best_left && (c[i].since > c[best].since ||
                                    (c[i].since == c[best].since && c[i].shard > c[best].shard)))))
            continue;
        best = i;
        best_left = left;
    }
    return best;
}
