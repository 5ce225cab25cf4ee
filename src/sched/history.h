/* SPDX-License-Identifier: BSD-3-Clause */
/* history.h - the timing history: how long each shard took on each host in
 * past runs, smoothed, so that a run can hand out the longest shards first
 * and put them on the fastest hosts.
 *
 * A shard is keyed by what it runs (its expanded command or task line), not
 * by its number, so adding a test does not shift every key. Durations come
 * from passing attempts only, per host, so the history also learns each
 * host's speed.
 *
 * The file (by default .distmpi/history.json in the working directory) is
 * JSON Lines, so that it is read and written one small record at a time: a
 * header, then one line per shard in key order (bytewise), each host's
 * record sorted by host name, every line ending in a newline:
 *
 *   {"distmpi_history":1,"runs":R}
 *   {"key":"KEY","last_run":L,"hosts":{"HOST":{"runs":N,"seconds":S}}}
 *   ...
 *
 *   distmpi_history  the format's version, HISTORY_VERSION
 *   runs             how many runs have saved into the file (a whole number)
 *   key              the shard's expanded command or task line
 *   last_run         the number (1 to R) of the last run that saw the shard
 *   HOST             a host the shard passed on
 *   runs (of HOST)   how many runs saw it pass there (1 or more)
 *   seconds          its smoothed duration there: each run moves it half-way
 *                    to that run's duration (S' = S + (new - S) / 2), the
 *                    first run sets it; finite and >= 0
 *
 * Reading is strict, line by line: a line that is not one JSON object, a
 * member of the wrong type, missing or unknown, a negative or non-finite
 * duration, a number out of its range, a key or host longer than
 * HISTORY_MAX_KEY bytes, a key not after the line before's (out of order or
 * twice), a line longer than HISTORY_MAX_LINE bytes, more than
 * HISTORY_MAX_KEYS shards, or another version or no header makes the whole
 * file corrupt, with the reason naming the line and the key. Such a file is
 * a warning and an empty history, never a failure, and the next save
 * replaces it.
 *
 * Each host's speed is learned when the file is loaded (hostspeed.h).
 *
 * Runs at once share the file safely: a save takes an exclusive lock (flock)
 * of PATH.lock, reads the file again inside it and merges its own notes into
 * what it finds, then replaces the file atomically. The lock file stays.
 *
 * No MPI and no globals; the file is read and written only by history_load
 * and history_save.
 */
#ifndef DISTMPI_HISTORY_H
#define DISTMPI_HISTORY_H

#include "common/error.h"

#define HISTORY_VERSION   1
#define HISTORY_MAX_KEYS  100000      /* shards kept; the least recently seen go first */
#define HISTORY_LOCK_WAIT 60          /* seconds a save waits for another's lock */
#define HISTORY_MAX_KEY   4096        /* bytes of a key (or a host name) */
#define HISTORY_MAX_BYTES (64L << 20) /* a larger file is refused unread */
#define HISTORY_MAX_LINE  (1 << 20)   /* bytes of a line of the file */

struct history;

/* Read the history at path. A missing file is an empty history (no warning);
 * an unreadable, corrupt, wrong-version or over-large (HISTORY_MAX_BYTES)
 * file is an empty history too, with the reason in warn ("PATH: reason") and
 * a return of -1. Returns 0 otherwise. *out is always set to a history
 * (NULL only when out of memory, errno ENOMEM). */
int history_load(const char *path, struct history **out, struct error *warn);

/* Free h; accepts NULL; keeps errno. */
void history_destroy(struct history *h);

/* The predicted seconds of the shard keyed key when it runs on host: its
 * smoothed duration on that host; else its time on a host of speed 1 (the
 * mean over the hosts it ran on of their duration times their speed) divided
 * by host's speed (history_host_speed); host NULL: on a host of speed 1.
 * NAN when the shard was never seen. Only what was loaded counts, not what
 * was noted since. */
double history_predict(const struct history *h, const char *key, const char *host);

/* How fast host is against the others, from the shards timed on it and on
 * other hosts (hostspeed.h): 2 runs a shard in half the time of a host of
 * speed 1. 1 for a host the loaded history does not know or cannot compare,
 * for h NULL, and after history_forget_loaded. */
double history_host_speed(const struct history *h, const char *host);

/* Drop what was loaded, once the predictions are made (history_predict
 * gives NAN from then on): a run keeps only its notes until it saves, and
 * the save reads the file again anyway. Accepts NULL. */
void history_forget_loaded(struct history *h);

/* Note that an attempt of the shard keyed key passed on host in seconds (>= 0,
 * finite; other values are ignored), for history_save. Keys longer than
 * HISTORY_MAX_KEY bytes are ignored, and so are a NULL key or host, a host
 * longer than HISTORY_MAX_KEY bytes, and a key or host that is not valid
 * UTF-8 (JSON could not hold it). Returns 0, or -1 with errno ENOMEM. */
int history_note(struct history *h, const char *key, const char *host, double seconds);

/* How many notes history_save would write (for tests and messages): the
 * distinct (key, host) pairs noted since the load or the last save, several
 * notes of one key on one host counting once. */
long history_noted(const struct history *h);

/* Merge the notes into the file at path: under an exclusive lock (flock of
 * PATH.lock, created beside it, never through a symbolic link), re-read the file
 * inside the lock so that two runs at once lose nothing of each other; for each
 * note, new = old + (seconds - old) / 2 on that key and host (the first note of a
 * key on a host is taken as it is; several notes of one key and host in one run
 * are averaged first); count the run; keep at most HISTORY_MAX_KEYS keys, dropping
 * the ones seen in the fewest recent runs (least recently seen first), and leave
 * out a shard whose line would be longer than HISTORY_MAX_LINE (hundreds of hosts
 * with names of thousands of bytes); then replace
 * the file atomically (fs_write_atomic). A missing directory of path is made (one
 * level, as for .distmpi/history.json in the working directory). A corrupt file is
 * replaced. With no notes, nothing is written and 0 returned. Returns 0, or -1 with
 * the reason in err ("cannot save the timing history PATH: reason").
 *
 * Another run holds the lock only while it merges (under a second at
 * HISTORY_MAX_KEYS shards); a save waits for it at most HISTORY_LOCK_WAIT
 * seconds (history_set_lock_wait), then gives up (errno ETIMEDOUT): a stuck
 * holder must not hang the end of this run.
 *
 * Also: a file that cannot be read (other than missing, corrupt or too
 * large) is left alone and is an error. On success the notes are forgotten
 * (history_noted is 0), so a second save does not count them again; on
 * failure they are kept. What history_predict answers does not change. */
int history_save(struct history *h, const char *path, struct error *err);

/* How long history_save waits for another process's lock: seconds >= 0
 * (0: it tries once), else unchanged. */
void history_set_lock_wait(struct history *h, double seconds);

/* For tests only: keep at most max keys (1 or more) in h's saves instead of
 * HISTORY_MAX_KEYS, so the bound can be tested on a few keys. */
void history_set_max_keys(struct history *h, long max);

#endif
