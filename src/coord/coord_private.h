/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_private.h - what the parts of rank 0's coordinator share: its
 * state, and the functions one part calls in another. Only coord*.c
 * include it.
 *
 *   coord.c          the loop: dispatch, messages, lost ranks, --max-failures
 *   coord_plan.c     the plan, the start-up health judgement, --dry-run
 *   coord_console.c  what rank 0 shows: header, bars or lines, --stream
 *   coord_files.c    what rank 0 keeps: logs and collected files
 *   coord_finish.c   the summary and the reports at the end
 *   coord_speculate.c --speculate: second copies of the last shards
 */
#ifndef DISTMPI_COORD_PRIVATE_H
#define DISTMPI_COORD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "coord/coord.h"
#include "common/lines.h"
#include "coord/liveness.h"
#include "coord/logstore.h"
#include "mpi/loop.h"
#include "mpi/msg.h"
#include "coord/plan.h"
#include "mpi/proto.h"
#include "coord/rescue.h"
#include "report/report_json.h"
#include "model/result.h"
#include "exec/runner.h"
#include "sched/eta.h"

/* Bars are redrawn at most this often; lines mode prints a summary line this
 * often, so a batch log shows the run is alive between finished shards. */
#define DRAW_EVERY    0.5
#define SUMMARY_EVERY 30.0

/* A result is in the journal as it arrives, and shown once an fsync covers
 * it: the first result that waits for one gets it this many seconds later,
 * with every result that came meanwhile. */
#define JOURNAL_SYNC_EVERY 0.02

/* The longest sleep between two looks of rank 0 just after a result at
 * the tail of a run (see wait_max in coord.c). */
#define LOOK_AT_TAIL 0.002

/* How much of a shard's log the reports show. */
#define LOG_TAIL_BYTES 4096

/* The files collected after a shard (--collect), strings owned. */
struct collected_list {
    int n;
    struct collected_file files[];
};

/* What a rank holds: the shard it runs (since when, as rank 0 saw it: its
 * hand-out, or the result of the shard before it) and the one queued
 * behind it; -1 for none. For the ETA, work stealing and --speculate. */
struct held {
    long running, queued;
    double since; /* monotonic */
    bool asked;   /* asked to give queued back (PAUSE_SHARE), nothing changed since */
};

/* What rank 0 keeps of one shard while the run goes on (co->shards[i]):
 * 40 bytes. */
struct shard_state {
    struct shard_result *result; /* once it is settled, else NULL */
    /* --retry-elsewhere: the attempts it made on hosts where it could not
     * start, while it waits to run on another */
    struct shard_result *partial;
    struct collected_list *collected; /* --collect: its files, or NULL */
    int owner;                        /* the rank it was given to, -1 if none */
    /* the number of the first attempt of its latest hand-out, and where the
     * next hand-out starts (see hand_out in coord.c) */
    int first_attempt, next_attempt;
    unsigned moved : 30;    /* how often it was taken from a lost rank */
    unsigned log_named : 1; /* its result's log was there when it was recorded */
    unsigned copied : 1;    /* --speculate gave it its one second copy */
};

struct coord {
    const struct coord_input *in;
    struct plan *plan;
    struct outbox *ob; /* the loop's sends (msg.h) */
    struct loop *loop;
    struct runner *runner;      /* rank 0's own slot */
    struct shard_state *shards; /* one per shard */
    int *outstanding;           /* per rank: shards given to it and not reported */
    struct held *held;          /* per rank: which of those runs, which waits */
    long nqueued;               /* ranks with a queued shard (held[r].queued >= 0) */
    /* with a timing history: each shard's predicted seconds on a host of
     * speed 1 (NAN: unknown), and each host's speed (1: unknown); both NULL
     * without one */
    double *predicted, *speed;
    struct eta *eta; /* the predicted time left, from those (sched/eta.h) */
    /* what eta_left is given, one entry per rank at most */
    struct eta_running *eta_running;
    double *eta_slots;
    bool first_round;   /* every rank was offered its first shard */
    long done;          /* shards settled (in the journal, or not run) */
    double last_result; /* when the latest result came (monotonic) */
    long shown;         /* of those, on the screen (the bars' count) */
    /* the shards whose results wait for the journal's next fsync to be
     * shown (nunshown of them, room for unshown_cap) */
    long *unshown, nunshown, unshown_cap;
    int sig;                     /* the signal that stopped the run, or 0 */
    int stuck;                   /* ranks that did not take their last messages */
    int probe_timer, draw_timer; /* rank 0 probes its own host; bars or lines */
    int sync_timer;              /* the journal's next fsync */
    int metrics_timer;           /* --metrics: the file's next writing during the run */
    int html_timer;              /* --html: the live page's next writing */
    bool html_warned;            /* it could not be written during the run: said once */
    bool metrics_warned;         /* it could not be written during the run: said once */

    /* what rank 0 shows while the run goes on */
    int mode;         /* PROGRESS_BARS, _LINES or _NONE (auto resolved) */
    int frame_lines;  /* lines of the bars now on the screen */
    double next_draw; /* bars: next redraw; lines: next summary line */
    long passed, failed;
    long *host_done, *host_assigned;

    /* every attempt's output, stored as it arrives */
    struct logstore *logs;
    bool log_failed;       /* some log could not be stored: exit 3 at the end */
    struct lines *streams; /* --stream: each rank's unfinished line */
    bool redraw;           /* streamed lines went above the bars: draw them again */

    bool collect_failed; /* out of memory recording a collected file */
    bool journal_failed; /* the journal could not be written: exit 3 at the end */

    /* --max-failures / --fail-fast */
    long failed_now; /* shards of this run that did not pass */
    bool stopping;   /* the limit was reached: no shard is started any more */
    bool stop_told;  /* the workers were asked for their queued shards back */

    /* lost ranks (--heartbeat-timeout) and the shards they leave behind */
    struct liveness *alive;
    /* shards taken back from lost ranks or to retry on another host
     * (--retry-elsewhere), handed out first */
    struct rescue *rescue;
    /* --speculate: the shards running twice (coord_speculate.c); NULL
     * without it */
    struct race_table *races;

    /* For coord_finish only: the arrays the reports take, indexed by
     * shard, made from co->shards when the run ends (coord_run). The
     * results and the collected files are the records' (not owned);
     * collected and ncollected are NULL without --collect, moved when no
     * rank was lost. */
    struct shard_result **results;
    struct collected_file **collected;
    int *ncollected;
    int *moved;
};

/* The attempt whose output is being shown. */
struct stream_ctx {
    struct coord *co;
    int rank;
    long index;
    int attempt;
};

/* Rank 0's own shards' files, stored at once. */
struct local_collect {
    struct coord *co;
    long index;
    int attempt;
    bool earlier; /* a retry follows the attempt */
};

/* coord_plan.c */
/* The plan of the shards still to run (coord_keeps), from the predictions
 * of coord_predictions and the speeds of coord_host_speeds (either NULL:
 * none). Static: balanced by predicted time and host speed (LPT) when a
 * shard has a prediction, else core-weighted. Dynamic: longest first, cut
 * into one part for each band of host speed (plan_split_by_speed).
 * NULL (ENOMEM). */
struct plan *coord_make_plan(const struct coord_input *in, const double *predicted,
                             const double *speed);

/* coord_history.c */

/* Every shard's predicted seconds from in->history (NAN: none), indexed by
 * shard: heap, or NULL (ENOMEM). */
double *coord_predictions(const struct coord_input *in);

/* Each host's speed from in->history (1: unknown), indexed by host: heap,
 * or NULL (no history, or ENOMEM: then every host counts as speed 1). Call
 * before the history forgets what it loaded. */
double *coord_host_speeds(const struct coord_input *in);

/* Note this run's passing attempts in in->history and save it (a failure is
 * a warning on stderr, never the run's). Nothing without a history. */
void coord_note_history(const struct coord *co);
/* "sh -c 'test ...'", or "the tasks in FILE", for people. */
void coord_print_command(FILE *out, const struct coord_input *in);

/* coord_console.c */
/* The run's first lines: what runs where, where output goes. */
void coord_header(const struct coord *co);
/* Erase the bars; draw them anew (in one write, so they do not flicker). */
void coord_erase(struct coord *co);
void coord_draw(struct coord *co);
/* Print a line for people above the bars (or as it is without them). */
void coord_say(struct coord *co, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bars: redraw when due. Lines: a summary line when due. */
void coord_tick(struct coord *co);
/* Seconds between two summary lines in lines mode: SUMMARY_EVERY, or
 * $DISTMPI_TEST_SUMMARY_EVERY for tests. */
double coord_summary_every(void);
/* The speed of host h (1 without measured speeds), for the ETA. */
double coord_host_speed(const struct coord *co, int h);
/* --stream: one line of an attempt's output (arg: struct stream_ctx). */
void coord_show_line(void *arg, const char *line, size_t len);

/* coord_files.c */
/* A piece of an attempt's output from rank (0 included): store it, and show
 * it with --stream. */
void coord_piece(struct coord *co, int rank, long index, int attempt, int kind, const void *data,
                 size_t len);
/* runner_output_fn of rank 0's own runner (arg: the coord). */
void coord_local_output(void *arg, long index, int attempt, int kind, const char *data, size_t len);
/* A file collected after shard index by rank: keep rank 0's copy,
 * remember it (with the shard, or with the rank's copy of it while two
 * race: coord_race_files). */
void coord_add_collected(struct coord *co, int rank, long index, int attempt, bool earlier,
                         const char *name, const void *data, size_t len, const char *error);
/* runner_retry_fn of rank 0's own runner (arg: the coord): the files of an
 * attempt that will be retried. */
void coord_local_retry(void *arg, long index, int attempt);
/* collect_fn of rank 0's own shards (arg: struct local_collect). */
void coord_local_collected(void *arg, const char *name, const char *data, size_t len,
                           const char *error);
/* Free what shard s collected. */
void coord_free_collected(struct shard_state *s);

/* coord_dispatch.c */
/* Reserve the attempt numbers of a hand-out of shard index (its first,
 * and as many as its retries may use): the assignment to send. The shard's
 * first_attempt is the caller's to set (a second copy leaves it). */
struct assignment coord_reserve(struct coord *co, long index);
/* Rank r was given shard index: it runs it now if it held nothing, else
 * queues it. */
void coord_held_add(struct coord *co, int r, long index);
/* Rank r no longer holds shard index (its result came, it gave it back):
 * the shard queued behind it starts now. */
void coord_held_remove(struct coord *co, int r, long index);
/* Rank r holds nothing any more (it was lost). */
void coord_held_clear(struct coord *co, int r);
/* Give worker rank r shards until it holds its share (the one it runs and,
 * away from the tail, one queued). Returns 0, or -1 with err. */
int coord_fill(struct coord *co, int r, struct error *err);
/* Send worker r a TAG_PAUSE with flag (enum pause_flag). Returns 0, or -1
 * with err. */
int coord_send_pause(struct coord *co, int r, int flag, struct error *err);
/* A rank is free and nothing is left to hand out (a dynamic plan): every
 * worker with a shard queued behind the one it runs is asked to give it back
 * (PAUSE_SHARE), once until what it holds changes, so that a free rank runs
 * it now instead of after a long shard (work stealing). A static plan's
 * shards stay with their rank. Returns 0, or -1 with err. */
int coord_share_out(struct coord *co, struct error *err);
/* Whether rank r's host may get new shards (healthy). */
int coord_usable(const struct coord_input *in, int r);
/* --metrics: write the file (report/metrics.h) with what is settled now;
 * finished with the run's exit status at the end. Returns 0, or -1 with
 * why in err. */
int coord_write_metrics(struct coord *co, bool finished, int exit_status, struct error *err);
/* --html during the run: the live page (report_html.h, live_every), from
 * what is settled now. Returns 0, or -1 with why in err. */
int coord_write_live_html(struct coord *co, struct error *err);
/* coord_fill() for every worker. */
int coord_fill_all(struct coord *co, struct error *err);
/* Rank 0's own slot takes its next shard when free. Returns 0, or
 * slot_start_shard()'s -1 with errno. */
int coord_fill_self(struct coord *co);
/* Whether res may stop the run (--max-failures, --fail-fast): then it is
 * recorded before the next shard is handed out, not after. */
bool coord_may_stop(const struct coord *co, const struct shard_result *res);
/* The result of a shard's hand-out from the rank that ran it (0 included):
 * recorded, or with --retry-elsewhere queued for another host. Takes res.
 * Returns 0, or -1 with err (ENOMEM). */
int coord_settle(struct coord *co, struct shard_result *res, struct error *err);
/* A TAG_RESULT message from worker src: src's next shard handed out, the
 * result settled. Returns 0, or -1 with err for a broken message. */
int coord_on_result(struct coord *co, int src, const unsigned char *data, size_t len,
                    struct error *err);
/* A TAG_RETURN message: worker src gave back shards it had not started.
 * Returns 0, or -1 with err. */
int coord_on_return(struct coord *co, int src, const unsigned char *data, size_t len,
                    struct error *err);
/* Rank r is lost: the shards it held go to the others. Returns 0, or -1
 * with err. */
int coord_on_lost(struct coord *co, int r, struct error *err);
/* --max-failures reached: the workers hand back what they have not
 * started; once nothing runs, those never started are "not run". Returns
 * 0, or -1 with err. */
int coord_wind_down(struct coord *co, struct error *err);

/* coord_record.c */
/* Record res (settled: its shard is done): into the journal at once, on
 * the screen after the next fsync (coord_sync); stop the run when it
 * reaches --max-failures. Takes res. */
void coord_record(struct coord *co, struct shard_result *res);
/* Make the journal durable (fsync) and show the results that waited. */
void coord_sync(struct coord *co);
/* Take the results the earlier run settled (coord_keeps) into this run:
 * counted, in this run's journal, and not run again. */
void coord_carry_over(struct coord *co);

/* coord_speculate.c */
struct race_table;
/* The races of a run on nranks ranks, or NULL (ENOMEM). */
struct race_table *coord_races_create(int nranks);
/* Accepts NULL. */
void coord_races_destroy(struct race_table *t);
/* At the tail (nothing left to hand out), give each idle slot a second
 * copy of the shard predicted to finish last, where it may help. Nothing
 * without --speculate. Returns 0, or -1 with err. */
int coord_speculate(struct coord *co, struct error *err);
/* Whether res from rank src is the result of a copy of a shard running
 * twice (or of one ended for the other): then coord_race_settle takes it. */
bool coord_race_claims(const struct coord *co, int src, const struct shard_result *res);
/* Take res (claimed; the rank's counts already updated): the shard's
 * result when it counts, kept while the other copy may still pass, or
 * dropped from a copy ended for the other. Returns 0, or -1 with err. */
int coord_race_settle(struct coord *co, int src, struct shard_result *res, struct error *err);
/* Worker src gave shard index back unstarted: when it was a copy of a
 * shard running twice, the rank's counts are updated and the other copy
 * goes on alone; returns 1. 0 when it was not such a copy, -1 with err. */
int coord_race_given_back(struct coord *co, int src, long index, struct error *err);
/* Rank r is lost: the copies it ran are gone, the other copies go on
 * alone. Returns 0, or -1 with err. */
int coord_race_lost(struct coord *co, int r, struct error *err);
/* Whether rank runs a copy of shard index: running (its output and files
 * are taken), or, with ended_too, one ended for the other (its output is
 * still stored). */
bool coord_race_hears(const struct coord *co, int rank, long index, bool ended_too);
/* A piece of output of attempt came from rank for shard index: the latest
 * attempt of a copy, for its record when it is ended. */
void coord_race_note_attempt(struct coord *co, int rank, long index, int attempt);
/* Where the files rank collects for shard index go while two copies race
 * (NULL: with the shard), and *prefix: the first attempt to put in front
 * of their names on disk (0: none). */
struct collected_list **coord_race_files(struct coord *co, int rank, long index, int *prefix);
/* Whether a copy ended for the other has still to say its last: the run
 * waits for it. */
bool coord_races_ending(const struct coord *co);
/* A signal stops the run: a copy's failure that waited for the other stays
 * as the shard's attempts (made interrupted by coord_run). */
void coord_races_interrupt(struct coord *co);

/* coord_finish.c */
/* Summarise, report and set *exit_status (128+sig when a signal stopped the
 * run). Returns 0, or -1 with err (ENOMEM). */
int coord_finish(struct coord *co, int sig, int *exit_status, char *err, size_t errlen);

#endif
