/* SPDX-License-Identifier: BSD-3-Clause */
/* waiter.c - back-off sleeps between polls. */
#include "config.h"

#include "mpi/waiter.h"

#include <poll.h>
#include <time.h>

#include "common/timeutil.h"

void waiter_reset(struct waiter *w)
{
    w->delay = WAITER_MIN;
}

double waiter_next(struct waiter *w, double left, double max)
{
    double wait = w->delay < max ? w->delay : max;
    if (left < wait)
        wait = left > 0 ? left : 0;
    w->delay = w->delay * 2 > WAITER_MAX ? WAITER_MAX : w->delay * 2;
    return wait;
}

void waiter_sleep(int fd, double seconds)
{
    if (!(seconds > 0))
        return;
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    if (fd >= 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ppoll(&pfd, 1, &ts, NULL);
    } else {
        nanosleep(&ts, NULL);
    }
}

void waiter_wait(struct waiter *w, int fd, double deadline)
{
    waiter_sleep(fd, waiter_next(w, deadline - time_mono(), WAITER_MAX));
}
