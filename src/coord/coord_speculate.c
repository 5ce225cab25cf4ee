/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_speculate.c - --speculate on rank 0: once nothing is left to hand
 * out, an idle slot gets a second copy of the shard predicted to finish
 * last (sched/speculate.h chooses), and the two copies race.
 *
 * The first copy to pass counts: its result is the shard's, the other copy
 * is ended (TAG_CANCEL, or rank 0's own runner) and recorded with it as
 * superseded, and whatever that copy still says (its output's end, its
 * result) is taken in or dropped without a word. A copy that fails (after
 * its own retries) waits for the other: the shard fails only when both
 * have failed, or when the other is gone (lost, or given back unstarted);
 * when the other passes, the failed copy's attempts come first in the
 * shard's record, which makes it flaky, as a pass after a failed attempt
 * is. A copy that is lost or given back leaves the other running alone, as
 * if there had never been two.
 *
 * Each copy has its hand-out's own attempt numbers (coord_reserve), so its
 * own output directories and logs. Files it collects (--collect) wait in
 * the race until one copy counts; the second copy's are stored as
 * shard-N/collected/attempt-A_NAME, A its first attempt, so that the two
 * never write the same file.
 *
 * A race is rank 0's only record of the second copy: the shard's record
 * (struct shard_state) names the first copy's rank until one counts. A rank
 * runs one copy at a time, so there are never more races than ranks. The
 * run ends only once every copy that was ended has said its last.
 */
#include "config.h"

#include "coord/coord_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "exec/slot.h"
#include "sched/speculate.h"

/* A shard is copied once it has run this long: most shards that have
 * just started end soon (speculate.h). */
#define SPECULATE_MIN_RUN 1.0

/* Two copies of one shard. Copy 0 is the one that ran first (the shard's
 * owner), copy 1 the second. */
struct race {
    long index;                      /* -1: this place is free */
    int rank[2];                     /* where each copy runs; -1 once it is over for rank 0 */
    int first[2];                    /* each copy's first attempt number */
    int latest[2];                   /* the latest attempt number each has shown output of */
    double since[2];                 /* when each started, as rank 0 saw it (monotonic) */
    bool ending[2];                  /* ended for the other: its last words are awaited */
    struct shard_result *failed;     /* the copy that failed first, waiting for the other */
    struct collected_list *files[2]; /* each copy's collected files, until one counts */
};

struct race_table {
    int cap;    /* places */
    int active; /* of them in use: none for most of a run, when nothing is looked up */
    struct race races[];
};

struct race_table *coord_races_create(int nranks)
{
    struct race_table *t = malloc(sizeof *t + (size_t)nranks * sizeof t->races[0]);
    if (!t)
        return NULL;
    t->cap = nranks;
    t->active = 0;
    for (int i = 0; i < nranks; i++)
        t->races[i].index = -1;
    return t;
}

static void free_files(struct collected_list *list)
{
    struct shard_state s = {.collected = list};
    coord_free_collected(&s);
}

/* Forget race x of t (what it holds is freed). */
static void race_free(struct race_table *t, struct race *x)
{
    result_free(x->failed);
    free_files(x->files[0]);
    free_files(x->files[1]);
    *x = (struct race){.index = -1};
    t->active--;
}

void coord_races_destroy(struct race_table *t)
{
    for (int i = 0; t && i < t->cap; i++)
        if (t->races[i].index >= 0)
            race_free(t, &t->races[i]);
    free(t);
}

/* The race of shard index, or NULL. */
static struct race *race_of(const struct coord *co, long index)
{
    struct race_table *t = co->races;
    for (int i = 0; t && t->active > 0 && i < t->cap; i++)
        if (t->races[i].index == index)
            return &t->races[i];
    return NULL;
}

/* Which copy of x rank runs: 0 or 1, or -1 for neither. */
static int copy_on(const struct race *x, int rank)
{
    return x->rank[0] == rank ? 0 : x->rank[1] == rank ? 1 : -1;
}

/* Whether both copies are over for rank 0: then the race is done. */
static bool race_over(const struct race *x)
{
    return x->rank[0] < 0 && x->rank[1] < 0;
}

bool coord_races_ending(const struct coord *co)
{
    struct race_table *t = co->races;
    for (int i = 0; t && t->active > 0 && i < t->cap; i++)
        if (t->races[i].index >= 0 && (t->races[i].ending[0] || t->races[i].ending[1]))
            return true;
    return false;
}

bool coord_race_hears(const struct coord *co, int rank, long index, bool ended_too)
{
    if (!co->races)
        return false;
    const struct race *x = race_of(co, index);
    int k = x ? copy_on(x, rank) : -1;
    return k >= 0 && (ended_too || !x->ending[k]);
}

void coord_race_note_attempt(struct coord *co, int rank, long index, int attempt)
{
    if (!co->races)
        return;
    struct race *x = race_of(co, index);
    int k = x ? copy_on(x, rank) : -1;
    if (k >= 0 && attempt > x->latest[k])
        x->latest[k] = attempt;
}

struct collected_list **coord_race_files(struct coord *co, int rank, long index, int *prefix)
{
    *prefix = 0;
    if (!co->races)
        return NULL;
    struct race *x = race_of(co, index);
    int k = x ? copy_on(x, rank) : -1;
    if (k < 0 || x->ending[k])
        return NULL;
    if (k == 1)
        *prefix = x->first[1];
    return &x->files[k];
}

/* Give the shard of race x the files of copy k (the other's are dropped). */
static void take_files(struct coord *co, struct race *x, int k)
{
    struct shard_state *s = &co->shards[x->index];
    struct collected_list *mine = x->files[k];
    x->files[k] = NULL;
    if (!mine)
        return;
    if (!s->collected) { /* the usual case: no file came before the race */
        s->collected = mine;
        return;
    }
    for (int f = 0; f < mine->n; f++) { /* appended, taken over */
        struct collected_list *grown = realloc(
            s->collected, sizeof *grown + (size_t)(s->collected->n + 1) * sizeof grown->files[0]);
        if (!grown) {
            co->collect_failed = true;
            for (; f < mine->n; f++) {
                free((char *)mine->files[f].name);
                free((char *)mine->files[f].path);
                free((char *)mine->files[f].error);
            }
            break;
        }
        grown->files[grown->n++] = mine->files[f];
        s->collected = grown;
    }
    free(mine);
}

/* Shard index now counts rank's copy, numbered from first, as its own
 * (the one whose result is recorded, or the one left running alone). */
static void owned_by(struct coord *co, long index, int rank, int first)
{
    struct shard_state *s = &co->shards[index];
    const int *host = co->in->cluster->rank_host;
    if (s->owner >= 0 && rank >= 0 && s->owner != rank) {
        co->host_assigned[host[s->owner]]--;
        co->host_assigned[host[rank]]++;
    }
    s->owner = rank;
    s->first_attempt = first;
}

/* Record res, the result that counts for race x's shard, after the
 * attempts it made before on hosts where it could not start
 * (--retry-elsewhere). */
static int record(struct coord *co, struct race *x, struct shard_result *res, struct error *err)
{
    struct shard_state *s = &co->shards[x->index];
    res = result_merge(s->partial, res);
    s->partial = NULL;
    if (!res)
        return errprintf(err, "out of memory");
    co->last_result = loop_now(co->loop);
    coord_record(co, res);
    return 0;
}

/* End copy k of race x: the other's result counted. Its record goes into
 * res as superseded: its latest attempt, from its start to now. */
static int end_copy(struct coord *co, struct race *x, int k, struct shard_result *res,
                    struct error *err)
{
    double now = loop_now(co->loop);
    struct attempt a = {.outcome = OUTCOME_SUPERSEDED,
                        .exit_code = -1,
                        .start = time_wall() - (now - x->since[k]),
                        .duration = now - x->since[k],
                        .number = x->latest[k],
                        .rank = x->rank[k]};
    char *log = logstore_path(co->logs, x->index, x->latest[k]);
    int rc = result_add_superseded(res, &a, log);
    free(log);
    if (rc < 0)
        return errprintf(err, "out of memory");
    x->ending[k] = true;
    free_files(x->files[k]);
    x->files[k] = NULL;
    if (x->rank[k] == 0) { /* rank 0's own slot: its result comes as any other */
        (void)runner_supersede(co->runner, x->index, x->first[k]);
        return 0;
    }
    size_t len;
    unsigned char *data = proto_cancel_encode(x->index, x->first[k], &len);
    if (!data)
        return errprintf(err, "out of memory");
    return loop_send(co->loop, x->rank[k], TAG_CANCEL, data, len, err);
}

/* Copy k of race x passed first: its result counts, the other is ended
 * (or failed before: its attempts go first). */
static int copy_passed(struct coord *co, struct race *x, int k, struct shard_result *res,
                       struct error *err)
{
    const struct cluster *c = co->in->cluster;
    int o = 1 - k;
    if (x->failed) {
        res = result_merge(x->failed, res);
        x->failed = NULL;
        if (!res)
            return errprintf(err, "out of memory");
    } else if (x->rank[o] >= 0) {
        coord_say(co,
                  "distmpi: shard %ld: the copy on %s rank %d passed first; the copy on %s rank %d "
                  "is ended (superseded)\n",
                  x->index + 1, c->hosts[c->rank_host[x->rank[k]]].name, x->rank[k],
                  c->hosts[c->rank_host[x->rank[o]]].name, x->rank[o]);
        if (end_copy(co, x, o, res, err) < 0) {
            result_free(res);
            return -1;
        }
    }
    owned_by(co, x->index, x->rank[k], x->first[k]);
    take_files(co, x, k);
    x->rank[k] = -1;
    return record(co, x, res, err);
}

int coord_race_settle(struct coord *co, int src, struct shard_result *res, struct error *err)
{
    struct race *x = race_of(co, res->index);
    int k = copy_on(x, src), o = 1 - k;
    int rc = 0;
    if (x->ending[k]) { /* ended for the other: it has said its last */
        x->ending[k] = false;
        x->rank[k] = -1;
        result_free(res);
    } else if (status_is_pass(res->status)) {
        rc = copy_passed(co, x, k, res, err);
    } else if (x->rank[o] >= 0 && !x->ending[o]) {
        const struct cluster *c = co->in->cluster;
        coord_say(co,
                  "distmpi: shard %ld: the copy on %s rank %d did not pass (%s); the copy on %s "
                  "rank %d may still pass\n",
                  x->index + 1, c->hosts[c->rank_host[src]].name, src, status_label(res->status),
                  c->hosts[c->rank_host[x->rank[o]]].name, x->rank[o]);
        x->failed = res; /* the other may still pass */
        x->rank[k] = -1;
    } else {
        /* both failed: the first's attempts, then this one's, whose
         * files stay */
        owned_by(co, x->index, x->rank[k], x->first[k]);
        take_files(co, x, k);
        x->rank[k] = -1;
        res = result_merge(x->failed, res);
        x->failed = NULL;
        rc = res ? record(co, x, res, err) : errprintf(err, "out of memory");
    }
    if (race_over(x))
        race_free(co->races, x);
    return rc;
}

bool coord_race_claims(const struct coord *co, int src, const struct shard_result *res)
{
    if (!co->races || res->index < 0 || res->index >= co->in->spec->total)
        return false;
    const struct race *x = race_of(co, res->index);
    int k = x ? copy_on(x, src) : -1;
    /* its hand-out's, as the checks of a result not in a race */
    return k >= 0 && res->rank == src &&
           (res->nattempts == 0 ||
            (res->attempts[0].number == x->first[k] && res->attempts[0].rank == src));
}

/* Copy k of race x is gone without a result (lost, or given back before it
 * started): the other goes on alone, or, when it failed already, its
 * failure is the shard's. */
static int copy_gone(struct coord *co, struct race *x, int k, struct error *err)
{
    int o = 1 - k;
    int rc = 0;
    x->rank[k] = -1;
    if (x->ending[k]) {
        x->ending[k] = false; /* the shard is settled: nothing more to wait for */
    } else if (x->rank[o] >= 0) {
        owned_by(co, x->index, x->rank[o], x->first[o]); /* as if there had been one copy only */
        take_files(co, x, o);
        x->rank[o] = -1;
    } else if (x->failed) {
        struct shard_result *res = x->failed;
        x->failed = NULL;
        take_files(co, x, o);
        owned_by(co, x->index, res->rank, res->nattempts ? res->attempts[0].number : 1);
        rc = record(co, x, res, err);
    }
    if (race_over(x))
        race_free(co->races, x);
    return rc;
}

int coord_race_given_back(struct coord *co, int src, long index, struct error *err)
{
    if (!co->races)
        return 0;
    struct race *x = race_of(co, index);
    int k = x ? copy_on(x, src) : -1;
    if (k < 0)
        return 0;
    co->outstanding[src]--;
    coord_held_remove(co, src, index);
    return copy_gone(co, x, k, err) < 0 ? -1 : 1;
}

int coord_race_lost(struct coord *co, int r, struct error *err)
{
    struct race_table *t = co->races;
    const struct cluster *c = co->in->cluster;
    for (int i = 0; t && t->active > 0 && i < t->cap; i++) {
        struct race *x = &t->races[i];
        int k = x->index >= 0 ? copy_on(x, r) : -1;
        if (k < 0)
            continue;
        int o = 1 - k;
        if (!x->ending[k] && x->rank[o] >= 0)
            coord_say(co,
                      "distmpi: shard %ld: its copy on rank %d is lost; the copy on %s rank %d "
                      "goes on\n",
                      x->index + 1, r, c->hosts[c->rank_host[x->rank[o]]].name, x->rank[o]);
        if (copy_gone(co, x, k, err) < 0)
            return -1;
    }
    return 0;
}

void coord_races_interrupt(struct coord *co)
{
    struct race_table *t = co->races;
    for (int i = 0; t && i < t->cap; i++) {
        struct race *x = &t->races[i];
        if (x->index < 0 || !x->failed)
            continue;
        /* the attempts of the copy that failed stay, as those of a shard
         * waiting for another host do (coord_run makes them interrupted) */
        struct shard_state *s = &co->shards[x->index];
        if (!s->result && !s->partial) {
            s->partial = x->failed;
            x->failed = NULL;
        }
    }
}

/* Whether nothing is left to hand out, nor queued behind a running shard
 * on some rank, and shards still run: the tail, where idle slots may take
 * copies. */
static bool at_the_tail(const struct coord *co)
{
    if (!co->first_round || co->stopping || co->done >= co->in->spec->total ||
        rescue_count(co->rescue) > 0 || co->nqueued > 0) /* work stealing comes first */
        return false;
    if (!plan_is_static(co->plan))
        return plan_pending(co->plan, -1) == 0;
    for (int r = 0; r < co->in->cluster->nranks; r++) /* each rank's own list */
        if (plan_pending(co->plan, r) > 0)
            return false;
    return true;
}

/* Whether rank r is free for a copy. */
static bool idle(const struct coord *co, int r)
{
    if (!coord_usable(co->in, r))
        return false;
    if (r == 0)
        return !runner_busy(co->runner);
    return co->outstanding[r] == 0 && !liveness_is_lost(co->alive, r);
}

/* The shards running that were never copied, into c (room for nranks); their
 * ranks into rank. Returns how many. */
static int candidates(const struct coord *co, struct speculate_running *c, int *rank)
{
    const struct cluster *cl = co->in->cluster;
    int n = 0;
    for (int r = 0; r < cl->nranks; r++) {
        const struct held *h = &co->held[r];
        long i = h->running;
        bool busy = r == 0 ? runner_busy(co->runner) : co->outstanding[r] > 0;
        if (i < 0 || !busy || co->shards[i].result || co->shards[i].owner != r ||
            co->shards[i].copied || liveness_is_lost(co->alive, r))
            continue;
        c[n] = (struct speculate_running){.shard = i, .host = cl->rank_host[r], .since = h->since};
        rank[n++] = r;
    }
    return n;
}

/* A free place in the table (there is always one: see above). */
static struct race *free_race(struct coord *co)
{
    for (int i = 0; i < co->races->cap; i++)
        if (co->races->races[i].index < 0)
            return &co->races->races[i];
    return NULL;
}

/* Start a second copy of the shard rank o runs on idle rank r. */
static int start_copy(struct coord *co, int o, int r, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    long i = co->held[o].running;
    struct race *x = free_race(co);
    if (!x)
        return errprintf(err, "no room for a copy of shard %ld", i + 1);
    struct assignment a = coord_reserve(co, i);
    co->shards[i].copied = 1; /* once: a copy lost or given back is not made again */
    double now = loop_now(co->loop);
    int first0 = co->shards[i].first_attempt;
    co->races->active++;
    *x = (struct race){.index = i,
                       .rank = {o, r},
                       .first = {first0, a.first_attempt},
                       .latest = {first0, a.first_attempt},
                       .since = {co->held[o].since, now}};
    coord_say(co,
              "distmpi: shard %ld: a second copy starts on %s rank %d, beside the one on %s "
              "rank %d (--speculate)\n",
              i + 1, c->hosts[c->rank_host[r]].name, r, c->hosts[c->rank_host[o]].name, o);
    if (r == 0) {
        coord_held_add(co, 0, i);
        if (slot_start_shard(co->runner, co->in->spec, &a) < 0)
            return errprintf(err, "cannot start a shard on rank 0: %s", strerror(errno));
        return 0;
    }
    size_t len;
    unsigned char *data = proto_assign_encode(&a, &len);
    if (!data)
        return errprintf(err, "out of memory");
    if (loop_send(co->loop, r, TAG_ASSIGN, data, len, err) < 0)
        return -1;
    co->outstanding[r]++;
    coord_held_add(co, r, i);
    return 0;
}

int coord_speculate(struct coord *co, struct error *err)
{
    if (!co->races || !at_the_tail(co))
        return 0;
    const struct cluster *cl = co->in->cluster;
    struct speculate_running *c = NULL;
    int *rank = NULL, n = -1;
    int rc = 0;
    for (int r = 0; r < cl->nranks && rc == 0; r++) {
        if (!idle(co, r))
            continue;
        if (n < 0) { /* made once, when some rank is idle */
            c = malloc((size_t)cl->nranks * sizeof *c);
            rank = malloc((size_t)cl->nranks * sizeof *rank);
            if (!c || !rank) {
                rc = errprintf(err, "out of memory");
                break;
            }
            n = candidates(co, c, rank);
        }
        int pick = speculate_pick(c, n, co->predicted, co->speed, cl->rank_host[r], cl->nhosts,
                                  SPECULATE_MIN_RUN, loop_now(co->loop));
        if (pick < 0)
            continue;
        rc = start_copy(co, rank[pick], r, err);
        c[pick].shard = -1; /* one copy a shard */
    }
    free(c);
    free(rank);
    return rc;
}
