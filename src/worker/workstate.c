/* SPDX-License-Identifier: BSD-3-Clause */
/* workstate.c - a worker's state under rank 0's control messages. */
#include "config.h"

#include "worker/workstate.h"

void workstate_init(struct workstate *s)
{
    *s = (struct workstate){false, false, false, false};
}

int workstate_take(struct workstate *s, int tag, int flag)
{
    switch (tag) {
    case TAG_STOP:
        s->stopped = true;
        return 0;
    case TAG_ABORT:
        s->aborting = true; /* the worker ends the shard and empties the queue */
        return 0;
    case TAG_PAUSE:
        if (flag < PAUSE_KEEP || flag > PAUSE_SHARE)
            return WS_MALFORMED;
        if (flag == PAUSE_SHARE) /* another rank runs them now: this one goes on */
            return WS_GIVE_BACK;
        s->paused = true;
        if (flag == PAUSE_STOP)
            s->winding = true;
        return flag == PAUSE_KEEP ? 0 : WS_GIVE_BACK;
    case TAG_RESUME:
        if (!s->winding) /* a stopping run starts nothing again */
            s->paused = false;
        return 0;
    case TAG_CANCEL:
        if (flag < 0)
            return WS_MALFORMED;
        return s->aborting ? 0 : WS_CANCEL; /* an abort ends the copy anyway */
    case TAG_ASSIGN:
        if (s->aborting) /* crossed the ABORT on its way */
            return WS_DROP;
        /* crossed the stop on its way: rank 0 counts it as ours until we
         * give it back */
        return s->winding ? WS_QUEUE | WS_GIVE_BACK : WS_QUEUE;
    default:
        return WS_MALFORMED;
    }
}

bool workstate_may_start(const struct workstate *s)
{
    return !s->aborting && !s->paused;
}
