#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# schedule.sh - how close does distmpi's makespan come to the lower bound on
# a heterogeneous task list, each way it can schedule, beside GNU parallel?
#
#   bench/schedule.sh [RANKS [RUNS [TASKS [WORK [SEED]]]]]
#                                   (defaults: 4, 3, 60, 16, 1)
#
# The task list: TASKS lines `sleep D`, the durations lognormal (median
# 0.6 s, sigma 0.9, at most 6 s), scaled to WORK seconds in all, the longest
# tenth last in the file (as a suite's slowest specs often are), drawn from
# SEED: the same list on every machine. Sleeps need no core, so RANKS may
# exceed the cores (mpirun --oversubscribe). Each repetition runs it, one
# after the other:
#   static          mpirun --oversubscribe --bind-to none -np RANKS distmpi
#                   --tasks LIST --max-load 1000000 --progress none
#                   --retries 0 --schedule static --no-history
#   dynamic         the same with the default --schedule dynamic
#   history-1       dynamic with --history FILE, FILE absent: the first run,
#                   which writes the history
#   history-2       the same again: the first run's history, longest first
#   static-history  --schedule static with the history history-2 had
#   parallel        parallel -j RANKS -a LIST (GNU parallel; the row is left
#                   out with a note when it is not installed: apt-get install
#                   parallel)
# RUNS repetitions (each from no history), and prints for each row the
# median makespan, its ratio to the lower bound max(WORK / RANKS, longest
# task) of the list, the median idle tail (from the moment the first rank
# ran out of work to the end: slots standing idle while others still run;
# distmpi's rows only, parallel's job log does not say which slot ran a
# job), the median whole run and every run's makespan.
#
# The makespan is the span from the first task's start to the last one's end
# as the run records it (distmpi's journal, parallel's --joblog): what the
# schedule decides. The whole run adds Open MPI's launch and teardown (about
# 0.4 s here, the same for every schedule; bench/startup.sh measures it) or
# parallel's start-up, and is printed beside it.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH. mpirun is
# $MPIRUN or mpirun on PATH. It needs python3. The defaults take about two
# minutes.
#
# Exit status: 0 the target was met (history-2 within 5 % of the bound and
# no later than GNU parallel, medians), 1 it was not, 2 the measurement
# could not be made.
set -euo pipefail

bench_name=schedule
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=bench/schedule-lib.sh
. "$(dirname "$0")/schedule-lib.sh"

np=${1:-4}
runs=${2:-3}
ntasks=${3:-60}
work=${4:-16}
seed=${5:-1}
target=1.05
whole_number RANKS "$np"
whole_number RUNS "$runs"
whole_number TASKS "$ntasks"
whole_number WORK "$work"
whole_number SEED "$seed"
[ "$np" -ge 1 ] || die "RANKS must be at least 1"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$ntasks" -ge 1 ] || die "TASKS must be at least 1"
[ "$work" -ge 1 ] || die "WORK must be at least 1"

rows=$schedule_rows
if ! have_parallel; then
    note "GNU parallel is not installed: no parallel row (apt-get install parallel)"
    rows=${rows% parallel}
fi

sleep_durations "$ntasks" "$seed" 0.6 0.9 6 "$work" >"$tmp/durations"
sed 's/^/sleep /' "$tmp/durations" >"$tmp/tasks"
b=$(bound "$tmp/durations" "$np")

bench_header
note "$(wc -l <"$tmp/tasks") tasks (sleeps, lognormal, seed $seed, the longest tenth last):" \
    "$(awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.2f s in all, the longest %.2f s", s, m }' \
        "$tmp/durations")"
note "on $np ranks: lower bound max(work / $np, longest) = ${b}s; $runs runs of each row, in turn"

# shellcheck disable=SC2086 # the list of rows, split on purpose
run_rows "$runs" "$tmp/tasks" "$np" $rows

echo
# shellcheck disable=SC2086 # the list of rows, split on purpose
print_rows "$b" $rows
print_prediction "$runs" "$tmp/tasks" "$np"
note "load average after: $(loadavg)"

h2=$(row_median history-2)
p=-
case " $rows " in *" parallel "*) p=$(row_median parallel) ;; esac
[ "$h2" != - ] || die "no makespan for history-2 (no journal?)"
r=$(ratio "$h2" "$b")
pct=$(calc 'sprintf("%.0f", 100 * (t - 1))' t="$target")
met=1
awk -v r="$r" -v t="$target" 'BEGIN { exit !(r <= t) }' || met=0
vs="no GNU parallel to compare with"
if [ "$p" != - ]; then
    vs="GNU parallel ${p}s"
    awk -v a="$h2" -v b="$p" 'BEGIN { exit !(a <= b) }' || met=0
fi
if [ "$met" = 1 ]; then
    echo "target: history-2 within $pct % of the bound and no later than GNU parallel: met ($r; ${h2}s, $vs)"
    exit 0
fi
echo "target: history-2 within $pct % of the bound and no later than GNU parallel: MISSED ($r; ${h2}s, $vs)"
exit 1
