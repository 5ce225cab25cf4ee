/* SPDX-License-Identifier: BSD-3-Clause */
/* watch.c - host health states and their history. */
#include "config.h"

#include "health/watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host_watch {
    int healthy;
    int probed;
    struct probe last;
    double unhealthy_since; /* when healthy == 0 */
    double excluded;        /* seconds of earlier exclusions */
    struct watch_event *events;
    int nevents, cap;
};

struct watch {
    struct health_limits limits;
    int nhosts;
    struct host_watch *hosts;
};

struct watch *watch_create(int nhosts, const struct health_limits *l)
{
    struct watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->hosts = calloc(nhosts > 0 ? (size_t)nhosts : 1, sizeof *w->hosts);
    if (!w->hosts) {
        free(w);
        errno = ENOMEM;
        return NULL;
    }
    w->limits = *l;
    w->nhosts = nhosts;
    for (int h = 0; h < nhosts; h++)
        w->hosts[h].healthy = 1;
    return w;
}

void watch_destroy(struct watch *w)
{
    if (!w)
        return;
    int saved = errno;
    for (int h = 0; h < w->nhosts; h++)
        free(w->hosts[h].events);
    free(w->hosts);
    free(w);
    errno = saved;
}

static struct watch_event *add_event(struct host_watch *hw)
{
    if (hw->nevents == hw->cap) {
        int cap = hw->cap ? hw->cap * 2 : 4;
        struct watch_event *e = realloc(hw->events, (size_t)cap * sizeof *e);
        if (!e)
            return NULL;
        hw->events = e;
        hw->cap = cap;
    }
    return &hw->events[hw->nevents++];
}

int watch_update(struct watch *w, int h, const struct probe *pr, double now)
{
    if (h < 0 || h >= w->nhosts)
        return 0;
    struct host_watch *hw = &w->hosts[h];
    char reason[512];
    int healthy;
    if (!pr->ok) {
        snprintf(reason, sizeof reason, "probe failed: %s", pr->error);
        healthy = 0;
    } else {
        healthy = health_judge(&pr->sample, &w->limits, reason, sizeof reason);
        if (healthy) {
            /* on recovery, say what the values are now, on one line */
            probe_format_line(pr, reason, sizeof reason);
        }
    }
    hw->last = *pr;
    hw->probed = 1;
    if (healthy == hw->healthy)
        return 0;
    struct watch_event *e = add_event(hw);
    if (!e)
        return -2;
    e->time = now;
    e->healthy = healthy;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    hw->healthy = healthy;
    if (!healthy) {
        hw->unhealthy_since = now;
        return -1;
    }
    hw->excluded += now - hw->unhealthy_since;
    return 1;
}

int watch_healthy(const struct watch *w, int h)
{
    return h >= 0 && h < w->nhosts && w->hosts[h].healthy;
}

int watch_count_healthy(const struct watch *w)
{
    int n = 0;
    for (int h = 0; h < w->nhosts; h++)
        n += w->hosts[h].healthy;
    return n;
}

const struct probe *watch_last(const struct watch *w, int h)
{
    if (h < 0 || h >= w->nhosts || !w->hosts[h].probed)
        return NULL;
    return &w->hosts[h].last;
}

const struct watch_event *watch_events(const struct watch *w, int h, int *n)
{
    if (h < 0 || h >= w->nhosts) {
        *n = 0;
        return NULL;
    }
    *n = w->hosts[h].nevents;
    return w->hosts[h].events;
}

double watch_excluded_seconds(const struct watch *w, int h, double now)
{
    if (h < 0 || h >= w->nhosts)
        return 0;
    const struct host_watch *hw = &w->hosts[h];
    return hw->excluded + (hw->healthy ? 0 : now - hw->unhealthy_since);
}

const struct health_limits *watch_limits(const struct watch *w)
{
    return &w->limits;
}
