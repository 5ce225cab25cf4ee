/* SPDX-License-Identifier: BSD-3-Clause */
/* test_loop.c - unit tests of the event loop (loop.h), driven through a fake
 * io: a scripted inbox whose messages arrive at set times, sends that
 * complete after a set number of looks (or never), and a clock that only
 * the loop's sleeps move. No MPI, no real sleeping, no timing. */
#include "config.h"

#include "mpi/loop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "mpi/waiter.h"

#define MAX_EVENTS 4096

struct fake_msg {
    double at; /* fake time it arrives */
    int src, tag;
};

struct fake_send {
    int dest, tag;
    int looks; /* progress calls until it completes; < 0: never */
};

struct fake {
    double now;
    struct fake_msg inbox[16];
    int ninbox, next;
    struct fake_send pending[64];
    int npending;
    int nsent, sent_tags[64], sent_dests[64];
    int send_looks; /* what each new send gets */
    int never_dest; /* sends to this rank never complete (-1: none) */
    double sleeps[MAX_EVENTS];
    int sleep_fds[MAX_EVENTS];
    int nsleeps;
    int polls, abandoned;
    bool fail_poll;
};

static int fake_poll(void *io, int *src, int *tag, unsigned char **data, size_t *len,
                     struct error *err)
{
    struct fake *f = io;
    f->polls++;
    if (f->fail_poll)
        return errprintf(err, "poll failed");
    if (f->next == f->ninbox || f->inbox[f->next].at > f->now)
        return 0;
    const struct fake_msg *m = &f->inbox[f->next++];
    *src = m->src;
    *tag = m->tag;
    *data = malloc(4); /* the loop frees it: a leak shows under ASan */
    memcpy(*data, "msg", 4);
    *len = 4;
    return 1;
}

static int fake_send(void *io, int dest, int tag, unsigned char *data, size_t len,
                     struct error *err)
{
    struct fake *f = io;
    (void)len;
    (void)err;
    free(data);
    f->sent_dests[f->nsent] = dest;
    f->sent_tags[f->nsent++] = tag;
    f->pending[f->npending++] =
        (struct fake_send){dest, tag, dest == f->never_dest ? -1 : f->send_looks};
    return 0;
}

static int fake_progress(void *io, struct error *err)
{
    struct fake *f = io;
    (void)err;
    int k = 0;
    for (int i = 0; i < f->npending; i++) {
        struct fake_send s = f->pending[i];
        if (s.looks == 0)
            continue; /* completed */
        if (s.looks > 0)
            s.looks--;
        f->pending[k++] = s;
    }
    f->npending = k;
    return k;
}

static int fake_pending_dest(void *io)
{
    struct fake *f = io;
    return f->npending ? f->pending[0].dest : -1;
}

static int fake_abandon(void *io, int dest, struct error *err)
{
    struct fake *f = io;
    (void)err;
    int k = 0, n = 0;
    for (int i = 0; i < f->npending; i++) {
        if (f->pending[i].dest == dest)
            n++;
        else
            f->pending[k++] = f->pending[i];
    }
    f->npending = k;
    f->abandoned += n;
    return n;
}

static double fake_now(void *io)
{
    return ((struct fake *)io)->now;
}

static void fake_sleep(void *io, int fd, double seconds)
{
    struct fake *f = io;
    ck_assert_msg(f->nsleeps < MAX_EVENTS, "the loop slept too often");
    f->sleeps[f->nsleeps] = seconds;
    f->sleep_fds[f->nsleeps++] = fd;
    f->now += seconds;
}

static const struct loop_io fake_io = {
    .poll = fake_poll,
    .send = fake_send,
    .progress = fake_progress,
    .pending_dest = fake_pending_dest,
    .abandon = fake_abandon,
    .now = fake_now,
    .sleep = fake_sleep,
};

/* A side that records what the loop hands it and ends after a set number
 * of messages or at a set time. */
struct side {
    struct fake *f;
    struct loop *l;
    int nmsgs, tags[16], srcs[16];
    int stop_after;                  /* messages; 0: never */
    double stop_at;                  /* fake time; INFINITY: never */
    int works, work_returns_one_for; /* work reports activity this many times */
    bool fail_message;
    int nstalls;
    double stall_from, stall_to;
    int fd;
    double until;
    double max; /* wait_max's answer */
    int nturns_over;
    int gave_up_dest[8], gave_up_n[8], ngave_up;
};

static bool side_over(void *arg)
{
    struct side *s = arg;
    s->nturns_over++;
    return (s->stop_after && s->nmsgs >= s->stop_after) || s->f->now >= s->stop_at;
}

static int side_message(void *arg, int src, int tag, const unsigned char *data, size_t len,
                        struct error *err)
{
    struct side *s = arg;
    ck_assert_int_eq(len, 4);
    ck_assert_str_eq((const char *)data, "msg");
    if (s->fail_message)
        return errprintf(err, "bad message %d", tag);
    s->srcs[s->nmsgs] = src;
    s->tags[s->nmsgs++] = tag;
    return 0;
}

static int side_work(void *arg, struct error *err)
{
    struct side *s = arg;
    (void)err;
    s->works++;
    if (s->work_returns_one_for > 0) {
        s->work_returns_one_for--;
        return 1;
    }
    return 0;
}

static void side_stalled(void *arg, double from, double to)
{
    struct side *s = arg;
    s->nstalls++;
    s->stall_from = from;
    s->stall_to = to;
}

static int side_fd(void *arg)
{
    return ((struct side *)arg)->fd;
}

static double side_until(void *arg)
{
    return ((struct side *)arg)->until;
}

static double side_max(void *arg)
{
    return ((struct side *)arg)->max;
}

static void side_gave_up(void *arg, int dest, int n)
{
    struct side *s = arg;
    s->gave_up_dest[s->ngave_up] = dest;
    s->gave_up_n[s->ngave_up++] = n;
}

static struct loop *make(struct fake *f, struct side *s)
{
    memset(f, 0, sizeof *f);
    f->never_dest = -1;
    memset(s, 0, sizeof *s);
    s->f = f;
    s->stop_at = INFINITY;
    s->fd = -1;
    s->until = INFINITY;
    s->max = WAITER_MAX;
    struct loop_side side = {.arg = s,
                             .over = side_over,
                             .stalled = side_stalled,
                             .message = side_message,
                             .work = side_work,
                             .wait_fd = side_fd,
                             .wait_until = side_until,
                             .wait_max = side_max};
    s->l = loop_create(&fake_io, f, &side);
    ck_assert_ptr_nonnull(s->l);
    return s->l;
}

static void arrive(struct fake *f, double at, int src, int tag)
{
    f->inbox[f->ninbox++] = (struct fake_msg){at, src, tag};
}

START_TEST(messages_in_order_then_over)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    arrive(&f, 0, 1, 10);
    arrive(&f, 0, 2, 11);
    arrive(&f, 0.5, 3, 12);
    s.stop_after = 3;
    struct error e = {""};
    ck_assert_msg(loop_run(l, &e) == 0, "%s", e.text);
    ck_assert_int_eq(s.nmsgs, 3);
    ck_assert_int_eq(s.tags[0], 10);
    ck_assert_int_eq(s.tags[1], 11);
    ck_assert_int_eq(s.tags[2], 12);
    ck_assert_int_eq(s.srcs[2], 3);
    /* the third waited for the clock: the loop slept, and woke for it */
    ck_assert(f.now >= 0.5);
    loop_destroy(l);
}
END_TEST

START_TEST(over_before_the_first_turn)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.stop_at = 0;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(f.polls, 0);
    ck_assert_int_eq(s.works, 0);
    ck_assert_int_eq(f.nsleeps, 0);
    loop_destroy(l);
}
END_TEST

/* Idle: the sleeps double from WAITER_MIN to WAITER_MAX; a message brings
 * them back to the shortest. */
START_TEST(back_off_doubles_and_resets)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    arrive(&f, 1.0, 1, 5);
    s.stop_at = 2.0;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(s.nmsgs, 1);
    ck_assert(fabs(f.sleeps[0] - WAITER_MIN) < 1e-12);
    ck_assert(fabs(f.sleeps[1] - 2 * WAITER_MIN) < 1e-12);
    int i = 0, reset = -1;
    for (i = 1; i < f.nsleeps; i++) {
        unit_require(f.sleeps[i] <= WAITER_MAX + 1e-12, "sleep %d is %g", i, f.sleeps[i]);
        if (f.sleeps[i] < f.sleeps[i - 1] && reset < 0)
            reset = i;
    }
    ck_assert_msg(reset > 0, "the back-off never started over");
    /* it reached the top before the message came at 1.0 */
    ck_assert(fabs(f.sleeps[reset - 1] - WAITER_MAX) < 1e-12);
    ck_assert(fabs(f.sleeps[reset] - WAITER_MIN) < 1e-12);
    loop_destroy(l);
}
END_TEST

/* A turn in which the side did something is followed by another at once. */
START_TEST(work_done_means_no_sleep)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.work_returns_one_for = 5;
    s.stop_at = 0.001;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_ge(s.works, 6);
    ck_assert_int_eq(s.works - f.nsleeps, 5); /* a sleep after each idle turn only */
    loop_destroy(l);
}
END_TEST

/* Work done makes the loop go round again, but does not start the
 * back-off over (only a message does). */
START_TEST(work_does_not_reset_the_back_off)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.stop_at = 0.005; /* the back-off grows to over 1 ms meanwhile */
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    double before = f.sleeps[f.nsleeps - 1];
    ck_assert(before > 1e-3);
    s.work_returns_one_for = 1;
    s.stop_at = f.now + 0.05;
    int from = f.nsleeps;
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_msg(f.sleeps[from] >= before, "the back-off started over: %g after %g",
                  f.sleeps[from], before);
    loop_destroy(l);
}
END_TEST

static int fired;
static double fired_at[8];

static int count_timer(void *arg, struct error *err)
{
    struct side *s = arg;
    (void)err;
    fired_at[fired++] = s->f->now;
    if (fired < 3) /* every 0.1 s, three times */
        loop_timer_set(s->l, 0, s->f->now + 0.1);
    return 0;
}

static int failing_timer(void *arg, struct error *err)
{
    (void)arg;
    return errprintf(err, "timer failed");
}

START_TEST(timers_run_when_due_and_wake_the_loop)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    fired = 0;
    ck_assert_int_eq(loop_timer_add(l, 0.25, count_timer, &s), 0);
    ck_assert(loop_timer_due(l, 0) == 0.25);
    s.stop_at = 1.0;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(fired, 3);
    /* each when it was due (the time it was set for), not later */
    double due = 0.25;
    for (int k = 0; k < 3; k++) {
        ck_assert_msg(fired_at[k] >= due && fired_at[k] < due + 1e-9, "timer %d at %.17g", k,
                      fired_at[k]);
        due = fired_at[k] + 0.1;
    }
    ck_assert(isinf(loop_timer_due(l, 0)));
    /* no sleep went past a due timer */
    double t = 0;
    for (int i = 0; i < f.nsleeps; i++) {
        for (int k = 0; k < 3; k++)
            unit_require(!(t < fired_at[k] - 1e-9 && t + f.sleeps[i] > fired_at[k] + 1e-9),
                         "sleep %d from %g for %g passes timer %d at %g", i, t, f.sleeps[i], k,
                         fired_at[k]);
        t += f.sleeps[i];
    }
    loop_destroy(l);
}
END_TEST

START_TEST(timer_limit_and_errors)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    for (int i = 0; i < LOOP_TIMERS_MAX; i++)
        ck_assert_int_eq(loop_timer_add(l, INFINITY, failing_timer, &s), i);
    ck_assert_int_eq(loop_timer_add(l, 0, failing_timer, &s), -1);
    loop_timer_set(l, 3, 0.5);
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), -1);
    ck_assert_str_eq(e.text, "timer failed");
    ck_assert(f.now >= 0.5);
    loop_destroy(l);
}
END_TEST

START_TEST(errors_end_the_loop)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    arrive(&f, 0, 1, 7);
    arrive(&f, 0, 1, 8);
    s.fail_message = true;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), -1);
    ck_assert_str_eq(e.text, "bad message 7");
    loop_destroy(l);

    l = make(&f, &s);
    f.fail_poll = true;
    ck_assert_int_eq(loop_run(l, &e), -1);
    ck_assert_str_eq(e.text, "poll failed");
    ck_assert_int_eq(s.works, 0);
    loop_destroy(l);
}
END_TEST

/* While a reply is due, the sleeps stay at LOOP_QUICK_WAIT at most; the
 * reply ends that, and so does LOOP_QUICK_FOR without one. */
START_TEST(reply_due_keeps_sleeps_short)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.stop_at = 0.05; /* back-off at its top by then */
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert(fabs(f.sleeps[f.nsleeps - 1] - WAITER_MAX) < 1e-9);

    loop_reply_due(l);
    arrive(&f, f.now + 0.01, 0, 1);
    s.stop_at = INFINITY;
    s.stop_after = 1;
    int from = f.nsleeps;
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(s.nmsgs, 1);
    ck_assert_int_gt(f.nsleeps, from + 10);
    for (int i = from; i < f.nsleeps; i++)
        unit_require(f.sleeps[i] <= LOOP_QUICK_WAIT + 1e-12, "sleep %d: %g", i, f.sleeps[i]);

    /* the reply came: back to the usual back-off */
    s.stop_after = 0;
    s.stop_at = f.now + 0.1;
    from = f.nsleeps;
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert(f.sleeps[f.nsleeps - 1] > LOOP_QUICK_WAIT);

    /* no reply: LOOP_QUICK_FOR of short sleeps, then the usual ones */
    loop_reply_due(l);
    double start = f.now;
    s.stop_at = f.now + LOOP_QUICK_FOR + 0.1;
    from = f.nsleeps;
    ck_assert_int_eq(loop_run(l, &e), 0);
    double t = start;
    for (int i = from; i < f.nsleeps; i++) {
        if (t < start + LOOP_QUICK_FOR - 1e-9)
            unit_require(f.sleeps[i] <= LOOP_QUICK_WAIT + 1e-12, "sleep %d at %g: %g", i, t,
                         f.sleeps[i]);
        t += f.sleeps[i];
    }
    ck_assert(fabs(f.sleeps[f.nsleeps - 1] - WAITER_MAX) < 1e-9);
    loop_destroy(l);
}
END_TEST

/* The side's descriptor and deadline reach the sleep. */
START_TEST(sleeps_on_the_side_fd_until_its_deadline)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.fd = 42;
    s.until = 0.0301;
    s.stop_at = 0.0301;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    double t = 0;
    for (int i = 0; i < f.nsleeps; i++) {
        ck_assert_int_eq(f.sleep_fds[i], 42);
        t += f.sleeps[i];
        unit_require(t <= 0.0301 + 1e-12, "slept past the side's deadline: %g", t);
    }
    loop_destroy(l);
}
END_TEST

/* The side caps the sleeps (rank 0 at the tail): no sleep is longer, and
 * once it no longer asks, the back-off goes on up to WAITER_MAX. */
START_TEST(the_side_caps_the_sleeps)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    s.max = 0.002;
    s.stop_at = 0.5;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    for (int i = 0; i < f.nsleeps; i++)
        unit_require(f.sleeps[i] <= 0.002 + 1e-12, "sleep %d: %g", i, f.sleeps[i]);
    ck_assert(fabs(f.sleeps[f.nsleeps - 1] - 0.002) < 1e-12);
    s.max = WAITER_MAX;
    s.stop_at = 1.0;
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert(fabs(f.sleeps[f.nsleeps - 1] - WAITER_MAX) < 1e-12);
    loop_destroy(l);
}
END_TEST

static int long_work(void *arg, struct error *err)
{
    struct side *s = arg;
    (void)err;
    if (s->works++ == 2)
        s->f->now += 3.0; /* the process was stopped, say */
    return 0;
}

START_TEST(a_stall_is_reported)
{
    struct fake f;
    struct side s;
    loop_destroy(make(&f, &s)); /* for its set-up */
    struct loop_side side = {.arg = &s,
                             .over = side_over,
                             .stalled = side_stalled,
                             .message = side_message,
                             .work = long_work};
    struct loop *l = loop_create(&fake_io, &f, &side);
    s.l = l;
    s.stop_at = 4.0;
    struct error e = {""};
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(s.nstalls, 1);
    ck_assert(s.stall_to - s.stall_from >= 3.0);
    ck_assert(loop_last_look(l) >= s.stall_to);
    loop_destroy(l);
}
END_TEST

START_TEST(sends_and_drain)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    struct error e = {""};
    f.send_looks = 3;
    ck_assert_int_eq(loop_send_empty(l, 1, 9, &e), 0);
    ck_assert_int_eq(loop_send_empty(l, 2, 9, &e), 0);
    ck_assert_int_eq(loop_drain(l, 5.0, side_gave_up, &s, &e), 0);
    ck_assert_int_eq(s.ngave_up, 0);
    ck_assert_int_eq(f.npending, 0);
    ck_assert_int_eq(loop_sends_pending(l), 0);
    ck_assert(f.now < 1.0);

    /* rank 2 never takes its messages: given up after the timeout */
    f.never_dest = 2;
    double start = f.now;
    ck_assert_int_eq(loop_send_empty(l, 1, 3, &e), 0);
    ck_assert_int_eq(loop_send_empty(l, 2, 3, &e), 0);
    ck_assert_int_eq(loop_send_empty(l, 2, 3, &e), 0);
    ck_assert_int_eq(loop_drain(l, 5.0, side_gave_up, &s, &e), 0);
    ck_assert(f.now >= start + 5.0 && f.now < start + 5.0 + WAITER_MAX + 1e-9);
    ck_assert_int_eq(s.ngave_up, 1);
    ck_assert_int_eq(s.gave_up_dest[0], 2);
    ck_assert_int_eq(s.gave_up_n[0], 2);
    ck_assert_int_eq(f.npending, 0);

    /* a lost rank's sends, given up at once */
    ck_assert_int_eq(loop_send_empty(l, 2, 3, &e), 0);
    ck_assert_int_eq(loop_abandon(l, 2, &e), 1);
    ck_assert_int_eq(f.nsent, 6);
    loop_destroy(l);
}
END_TEST

/* The pending count the side sees is the last look's. */
START_TEST(pending_sends_are_counted_each_turn)
{
    struct fake f;
    struct side s;
    struct loop *l = make(&f, &s);
    struct error e = {""};
    f.never_dest = 1;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(loop_send_empty(l, 1, 9, &e), 0);
    ck_assert_int_eq(loop_sends_pending(l), 0); /* not looked yet */
    s.stop_at = 0.001;
    ck_assert_int_eq(loop_run(l, &e), 0);
    ck_assert_int_eq(loop_sends_pending(l), 3);
    loop_destroy(l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, messages_in_order_then_over);
    tcase_add_test(tc, over_before_the_first_turn);
    tcase_add_test(tc, back_off_doubles_and_resets);
    tcase_add_test(tc, work_done_means_no_sleep);
    tcase_add_test(tc, work_does_not_reset_the_back_off);
    tcase_add_test(tc, timers_run_when_due_and_wake_the_loop);
    tcase_add_test(tc, timer_limit_and_errors);
    tcase_add_test(tc, errors_end_the_loop);
    tcase_add_test(tc, reply_due_keeps_sleeps_short);
    tcase_add_test(tc, sleeps_on_the_side_fd_until_its_deadline);
    tcase_add_test(tc, the_side_caps_the_sleeps);
    tcase_add_test(tc, a_stall_is_reported);
    tcase_add_test(tc, sends_and_drain);
    tcase_add_test(tc, pending_sends_are_counted_each_turn);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
