/* SPDX-License-Identifier: BSD-3-Clause */
/* msg.c - non-blocking MPI sends, polled receives, backoff sleeps. */
#include "config.h"

#include "mpi/msg.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/timeutil.h"
#include "mpi/waiter.h"

/* A send under way: its buffer, and its destination (to give up a lost
 * rank's). */
struct sending {
    unsigned char *buf;
    int dest;
};

/* The sends under way: reqs[i] is sends[i]'s request (MPI_Testsome takes
 * the requests as an array of their own); done has room for as many
 * indices. The three grow together. */
struct outbox {
    MPI_Request *reqs;
    struct sending *sends;
    int *done;
    int len, cap;
};

/* "WHAT: MPI's reason" into err. Returns -1. */
static int mpi_error(struct error *err, const char *what, int rc)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error %d", rc);
    return errprintf(err, "%s: %s", what, text);
}

struct outbox *outbox_create(void)
{
    return calloc(1, sizeof(struct outbox));
}

void outbox_destroy(struct outbox *ob)
{
    if (!ob)
        return;
    for (int dest; (dest = outbox_pending_dest(ob)) >= 0;)
        if (outbox_abandon(ob, dest, NULL) < 0)
            break; /* MPI failed: the rest go with the process as well */
    free(ob->reqs);
    free(ob->sends);
    free(ob->done);
    free(ob);
}

/* Room for twice as many sends. Returns 0, or -1 (ENOMEM). */
static int grow(struct outbox *ob)
{
    int cap = ob->cap ? ob->cap * 2 : 16;
    MPI_Request *reqs = realloc(ob->reqs, (size_t)cap * sizeof *reqs);
    if (reqs)
        ob->reqs = reqs;
    struct sending *sends = realloc(ob->sends, (size_t)cap * sizeof *sends);
    if (sends)
        ob->sends = sends;
    int *done = realloc(ob->done, (size_t)cap * sizeof *done);
    if (done)
        ob->done = done;
    if (!reqs || !sends || !done)
        return -1;
    ob->cap = cap;
    return 0;
}

int outbox_send(struct outbox *ob, int dest, int tag, unsigned char *data, size_t len,
                struct error *err)
{
    if (len > INT_MAX) {
        free(data);
        return errprintf(err, "message of %zu bytes is too large", len);
    }
    if (ob->len == ob->cap && grow(ob) < 0) {
        free(data);
        return errprintf(err, "out of memory");
    }
    int rc = MPI_Isend(data, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &ob->reqs[ob->len]);
    if (rc != MPI_SUCCESS) {
        free(data);
        return mpi_error(err, "MPI_Isend", rc);
    }
    ob->sends[ob->len++] = (struct sending){data, dest};
    return 0;
}

int outbox_progress(struct outbox *ob, struct error *err)
{
    if (ob->len == 0)
        return 0;
    int ndone = 0;
    int rc = MPI_Testsome(ob->len, ob->reqs, &ndone, ob->done, MPI_STATUSES_IGNORE);
    if (rc != MPI_SUCCESS)
        return mpi_error(err, "MPI_Testsome", rc);
    /* completed requests are now MPI_REQUEST_NULL: free their buffers and
     * close the gaps */
    int k = 0;
    for (int i = 0; i < ob->len; i++) {
        if (ob->reqs[i] == MPI_REQUEST_NULL) {
            free(ob->sends[i].buf);
            continue;
        }
        ob->reqs[k] = ob->reqs[i];
        ob->sends[k++] = ob->sends[i];
    }
    ob->len = k;
    return k;
}

int outbox_pending_dest(const struct outbox *ob)
{
    return ob->len > 0 ? ob->sends[0].dest : -1;
}

/* Give up one pending send: 0 it had been delivered after all, 1 it was
 * cancelled (for both, MPI is done with its buffer), 2 it was freed while
 * under way (MPI may still read the buffer); -1 with err when MPI failed. */
static int abandon_one(MPI_Request *req, struct error *err)
{
    int done = 0, cancelled = 0;
    MPI_Status st;
    int rc = MPI_Cancel(req);
    if (rc != MPI_SUCCESS)
        return mpi_error(err, "MPI_Cancel", rc);
    rc = MPI_Test(req, &done, &st);
    if (rc != MPI_SUCCESS)
        return mpi_error(err, "MPI_Test", rc);
    if (done) {
        rc = MPI_Test_cancelled(&st, &cancelled);
        if (rc != MPI_SUCCESS)
            return mpi_error(err, "MPI_Test_cancelled", rc);
        return cancelled ? 1 : 0;
    }
    /* never waited on: MPI lets the request go if it ever completes */
    rc = MPI_Request_free(req);
    if (rc != MPI_SUCCESS)
        return mpi_error(err, "MPI_Request_free", rc);
    return 2;
}

int outbox_abandon(struct outbox *ob, int dest, struct error *err)
{
    int given_up = 0, k = 0;
    bool failed = false;
    for (int i = 0; i < ob->len; i++) {
        if (ob->sends[i].dest == dest && !failed) {
            int how = abandon_one(&ob->reqs[i], err);
            if (how == 0 || how == 1)
                free(ob->sends[i].buf);
            /* how == 2: MPI may send from the buffer for as long as the
             * process lives, so it is left to the end (a deliberate leak,
             * of the few messages a lost rank did not take) */
            if (how >= 0) {
                given_up += how > 0;
                continue;
            }
            failed = true; /* this one and the rest stay; the caller ends the run */
        }
        ob->reqs[k] = ob->reqs[i];
        ob->sends[k++] = ob->sends[i];
    }
    ob->len = k;
    return failed ? -1 : given_up;
}

int msg_poll(int *src, int *tag, unsigned char **data, size_t *len, struct error *err)
{
    int flag = 0;
    MPI_Status st;
    int rc = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (rc != MPI_SUCCESS)
        return mpi_error(err, "MPI_Iprobe", rc);
    if (!flag)
        return 0;
    int count = 0;
    rc = MPI_Get_count(&st, MPI_BYTE, &count);
    if (rc != MPI_SUCCESS) {
        char what[96];
        snprintf(what, sizeof what, "MPI_Get_count of a message (tag %d) from rank %d", st.MPI_TAG,
                 st.MPI_SOURCE);
        return mpi_error(err, what, rc);
    }
    if (count == MPI_UNDEFINED || count < 0)
        return errprintf(err, "a message (tag %d) from rank %d has no byte count (%d)", st.MPI_TAG,
                         st.MPI_SOURCE, count);
    unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
    if (!buf)
        return errprintf(err, "out of memory for a message of %d bytes", count);
    /* the message is already here: this receive does not wait */
    rc = MPI_Recv(buf, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                  MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) {
        free(buf);
        return mpi_error(err, "MPI_Recv", rc);
    }
    *src = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    *data = buf;
    *len = (size_t)count;
    return 1;
}

int msg_wait(MPI_Request *req, const char *what, struct error *err)
{
    struct waiter w;
    waiter_reset(&w);
    double start = time_mono();
    for (;;) {
        int done = 0;
        int rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return mpi_error(err, what, rc);
        if (done)
            return 0;
        /* no sleep longer than an eighth of the time waited so far: the
         * start-up's collectives come one after another, and each would
         * otherwise end up to a whole WAITER_MAX after its partners were
         * ready; a long wait still backs off to WAITER_MAX soon */
        double now = time_mono(), cap = (now - start) / 8;
        waiter_wait(&w, -1, now + (cap > WAITER_MIN ? cap : WAITER_MIN));
    }
}

int msg_collective(int rc, MPI_Request *req, const char *what, struct error *err)
{
    if (rc != MPI_SUCCESS)
        return mpi_error(err, what, rc);
    return msg_wait(req, what, err);
}

static int io_poll(void *io, int *src, int *tag, unsigned char **data, size_t *len,
                   struct error *err)
{
    (void)io;
    return msg_poll(src, tag, data, len, err);
}

static int io_send(void *io, int dest, int tag, unsigned char *data, size_t len, struct error *err)
{
    return outbox_send(io, dest, tag, data, len, err);
}

static int io_progress(void *io, struct error *err)
{
    return outbox_progress(io, err);
}

static int io_pending_dest(void *io)
{
    return outbox_pending_dest(io);
}

static int io_abandon(void *io, int dest, struct error *err)
{
    return outbox_abandon(io, dest, err);
}

static double io_now(void *io)
{
    (void)io;
    return time_mono();
}

static void io_sleep(void *io, int fd, double seconds)
{
    (void)io;
    waiter_sleep(fd, seconds);
}

const struct loop_io msg_io = {
    .poll = io_poll,
    .send = io_send,
    .progress = io_progress,
    .pending_dest = io_pending_dest,
    .abandon = io_abandon,
    .now = io_now,
    .sleep = io_sleep,
};
