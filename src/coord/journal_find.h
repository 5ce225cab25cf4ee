/* SPDX-License-Identifier: BSD-3-Clause */
/* journal_find.h - which journal `--resume last` means: the newest one
 * under the run directory, so that a resubmitted batch job (or a person
 * coming back to a run cut short) finishes the run without looking up its
 * run id.
 *
 * A journal is a regular file (not a symbolic link, which distmpi never
 * writes) named journal*.jsonl (journal.jsonl, or
 * journal-RUN_ID.jsonl when a --run-dir was used again). With --run-dir DIR
 * the candidates are those directly in DIR; without it, those one level
 * under the default base (distmpi-runs/RUN_ID/). The newest is the one
 * written last (modification time: every result appends to a journal, and
 * a resumed run copies what it carries over into its own at its start);
 * equal times go to the greater name, run ids growing with time.
 */
#ifndef DISTMPI_JOURNAL_FIND_H
#define DISTMPI_JOURNAL_FIND_H

#include <stdbool.h>

#include "common/error.h"

/* The word that asks for the newest journal. */
#define JOURNAL_LAST "last"

/* Whether arg (the value of --resume or --rerun-failed) is JOURNAL_LAST. */
bool journal_is_last(const char *arg);

/* Find the newest journal: directly in run_dir when it is not NULL, else
 * in the directories directly under base. Returns 0 with *path (malloc'd,
 * the caller frees it), or -1 with the reason in err: no such directory,
 * none readable, or no journal there. */
int journal_find_last(const char *run_dir, const char *base, char **path, struct error *err);

#endif
