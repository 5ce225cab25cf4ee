/* coord_private.h - what the parts of rank 0's coordinator share: its
 * state, and the functions one part calls in another. Only coord*.c
 * include it.
 *
 *   coord.c          the loop: dispatch, messages, lost ranks, --max-failures
 *   coord_plan.c     the plan, the start-up health judgement, --dry-run
 *   coord_console.c  what rank 0 shows: header, bars or lines, --stream
 *   coord_files.c    what rank 0 keeps: logs and collected files
 *   coord_finish.c   the summary and the reports at the end
 */
#ifndef DISTMPI_COORD_PRIVATE_H
#define DISTMPI_COORD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "coord.h"
#include "lines.h"
#include "liveness.h"
#include "logstore.h"
#include "msg.h"
#include "plan.h"
#include "proto.h"
#include "rescue.h"
#include "report_json.h"
#include "result.h"
#include "runner.h"

/* Bars are redrawn at most this often; lines mode prints a summary line this
 * often, so a batch log shows the run is alive between finished shards. */
#define DRAW_EVERY    0.5
#define SUMMARY_EVERY 30.0

/* How much of a shard's log the reports show. */
#define LOG_TAIL_BYTES 4096

struct coord {
    const struct coord_input *in;
    struct plan *plan;
    struct outbox *ob;
    struct runner *runner; /* rank 0's own slot */
    struct shard_result **results;
    int *owner;       /* rank each shard was given to, -1 if none */
    int *outstanding; /* shards given to a worker and not reported */
    long done;
    double busy_sum; /* attempt seconds reported, for the prefetch choice */
    long attempts_sum;
    double next_probe; /* when rank 0 probes its own host again */

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

    /* --collect: each shard's files, stored next to its logs (strings owned) */
    struct collected_file **collected;
    int *ncollected;
    bool collect_failed; /* out of memory recording one */
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
    int *moved; /* per shard: how often it was taken from a lost rank */
    /* per shard: the attempts it made on hosts where it could not start,
     * while it waits to run on another (--retry-elsewhere) */
    struct shard_result **partial;

    /* per shard: the number of the first attempt of its latest hand-out, and
     * where the next hand-out starts (see hand_out in coord.c) */
    int *first_attempt, *next_attempt;
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
};

/* coord_plan.c */
/* The plan of the shards still to run (coord_keeps), core-weighted or
 * dynamic as the settings say; NULL (ENOMEM). */
struct plan *coord_make_plan(const struct coord_input *in);
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
/* --stream: one line of an attempt's output (arg: struct stream_ctx). */
void coord_show_line(void *arg, const char *line, size_t len);

/* coord_files.c */
/* A piece of an attempt's output from rank (0 included): store it, and show
 * it with --stream. */
void coord_piece(struct coord *co, int rank, long index, int attempt, int kind, const void *data,
                 size_t len);
/* runner_output_fn of rank 0's own runner (arg: the coord). */
void coord_local_output(void *arg, long index, int attempt, int kind, const char *data, size_t len);
/* A file collected after shard index: keep rank 0's copy, remember it. */
void coord_add_collected(struct coord *co, long index, const char *name, const void *data,
                         size_t len, const char *error);
/* collect_fn of rank 0's own shards (arg: struct local_collect). */
void coord_local_collected(void *arg, const char *name, const char *data, size_t len,
                           const char *error);
void coord_free_collected(struct coord *co, long total);

/* coord_finish.c */
/* Summarise, report and set *exit_status (128+sig when a signal stopped the
 * run). Returns 0, or -1 with err (ENOMEM). */
int coord_finish(struct coord *co, int sig, int *exit_status, char *err, size_t errlen);

#endif
