/* SPDX-License-Identifier: BSD-3-Clause */
/* allocation.h - the hosts and slots of a batch allocation (Slurm, PBS), so
 * that `distmpi health` and `distmpi launch` need no hostfile inside a job.
 *
 * Everything here is pure parsing apart from alloc_pbs_load (reads a file)
 * and alloc_from_env (reads the environment through the function it is
 * given). The results are struct hostfile (hostfile.h), so that they go
 * wherever a hostfile's hosts go; hostfile_destroy frees them.
 *
 * Slurm node lists (SLURM_JOB_NODELIST), as Slurm compresses them:
 *   LIST  = NAME ("," NAME)*
 *   NAME  = (TEXT | "[" RANGE ("," RANGE)* "]")+
 *   RANGE = DIGITS | DIGITS "-" DIGITS
 * TEXT is letters, digits, '-', '.' and '_'. A bracket group stands for each
 * of its numbers in turn, printed at least as wide as the low end is written
 * ("n[07-10]" is n07 n08 n09 n10, "n[8-10]" n8 n9 n10). Several groups in
 * one name give every combination, the last group varying fastest
 * ("r[1-2]n[1-2]" is r1n1 r1n2 r2n1 r2n2). A name must start with a letter
 * or digit and be at most ALLOC_MAX_NAME characters. Errors: an empty name,
 * nested or unbalanced brackets, an empty or reversed range, a number of more
 * than 18 digits, any other character (spaces too), a host named twice, more
 * than ALLOC_MAX_HOSTS hosts in all.
 *
 * Slurm per-node counts (SLURM_TASKS_PER_NODE, SLURM_JOB_CPUS_PER_NODE):
 *   COUNTS = ITEM ("," ITEM)*;  ITEM = N | N "(x" M ")"
 * N (1 to INT_MAX, as mpirun keeps slots in an int) for the next M hosts
 * (M >= 1): "2(x3),1" is 2 2 2 1. There must be exactly one count per host of
 * the node list.
 *
 * PBS node files (PBS_NODEFILE): one host name per line, a host repeated
 * once per slot; hosts keep the order in which they first appear. Blank
 * lines, spaces around a name and a final '\r' are ignored; a name follows
 * the rules of TEXT above; a NUL byte, a line of more than ALLOC_MAX_NAME
 * characters, a file naming no host or more than ALLOC_MAX_HOSTS hosts is an
 * error.
 */
#ifndef DISTMPI_ALLOCATION_H
#define DISTMPI_ALLOCATION_H

#include <stddef.h>

#include "common/error.h"
#include "config/hostfile.h"

/* The most hosts an allocation may have: beyond the largest machines, and a
 * bound on what a hostile node list such as "n[0-999999999]" can make us
 * allocate. */
#define ALLOC_MAX_HOSTS 65536L

/* The longest host name (a DNS name is at most 253 characters). */
#define ALLOC_MAX_NAME 255

/* Expand a Slurm node list. Returns 0 and the hosts in *out (in the order
 * of the list; slots 0; line: the host's position, 1-based), or -1 with the
 * problem, where it is in list and the text there, in err (*out
 * untouched). */
int alloc_nodelist_parse(const char *list, struct hostfile **out, struct error *err);

/* Expand a Slurm count list into counts[0..n). Returns 0 when it gives
 * exactly n counts; -1 with the problem in err otherwise (also when it gives
 * more or fewer: err then says how many). counts may be NULL when n is 0. */
int alloc_counts_parse(const char *spec, long n, long *counts, struct error *err);

/* The hosts of a Slurm allocation: the node list, each host's slots from
 * counts. counts_var names the variable counts came from, for errors.
 * Returns 0 and *out, or -1 with "VARIABLE: problem" in err. */
int alloc_slurm(const char *nodelist, const char *counts, const char *counts_var,
                struct hostfile **out, struct error *err);

/* Parse len bytes of a PBS node file called name (need not be
 * NUL-terminated). Returns 0 and *out (slots: the times a host is listed;
 * line: the line that first names it), or -1 with "NAME:LINE: problem" or
 * "NAME: problem" in err. */
int alloc_pbs_parse(const char *name, const char *data, size_t len, struct hostfile **out,
                    struct error *err);

/* Read path and parse it as alloc_pbs_parse does. */
int alloc_pbs_load(const char *path, struct hostfile **out, struct error *err);

enum alloc_kind { ALLOC_NONE, ALLOC_SLURM, ALLOC_PBS };

/* The allocation this process runs in. */
struct allocation {
    enum alloc_kind kind;
    struct hostfile *hosts; /* free with hostfile_destroy */
    /* for people: where the hosts and slots came from, e.g. "the Slurm
     * allocation (SLURM_JOB_NODELIST, slots from SLURM_TASKS_PER_NODE)" */
    char source[160];
};

/* Find the allocation through get (getenv, or a test's stand-in):
 * SLURM_JOB_NODELIST with SLURM_TASKS_PER_NODE, else with
 * SLURM_JOB_CPUS_PER_NODE; else PBS_NODEFILE. A variable set to the empty
 * string counts as unset. Returns 1 with *a filled in, 0 when neither is set
 * (kind ALLOC_NONE, hosts NULL), or -1 with "VARIABLE: problem" in err. */
int alloc_from_env(char *(*get)(const char *), struct allocation *a, struct error *err);

/* "slurm", "pbs", or NULL for ALLOC_NONE. */
const char *alloc_kind_name(enum alloc_kind kind);

#endif
