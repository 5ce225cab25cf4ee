#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# startup.sh - what does distmpi add to the start and end of a run, beside
# an MPI program that does nothing at all?
#
#   bench/startup.sh [RUNS [RANKS]]       (defaults: 10 runs, 2 ranks)
#
# Runs, RUNS times each and interleaved (one of each, then again, ...):
#   mpi-null  mpirun --oversubscribe -np RANKS bench/mpi-null: MPI_Init and
#             MPI_Finalize only
#   distmpi   mpirun --oversubscribe -np RANKS distmpi -n RANKS
#             --max-load 1000000 --progress none -- true: one trivial shard
#             per rank, with what distmpi always does (the health probe, the
#             plan, the journal, the per-shard logs, the summary)
# and prints the median wall time of each, distmpi's difference in ms and
# the ratio. --max-load 1000000 keeps distmpi from waiting for other work
# on the machine to pass, which would be that work's cost, not distmpi's.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH; mpi-null is
# the build tree's bench/mpi-null, else bench/mpi-null.c built with $MPICC
# or mpicc. mpirun is $MPIRUN or mpirun on PATH.
#
# Exit status: 0 distmpi within the target (100 ms of mpi-null), 1 not, 2 the
# measurement could not be made.
set -euo pipefail

bench_name=startup
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

runs=${1:-10}
ranks=${2:-2}
target_ms=100
whole_number RUNS "$runs"
whole_number RANKS "$ranks"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$ranks" -ge 1 ] || die "RANKS must be at least 1"

null=$(bench_tool mpi-null "${MPICC:-mpicc}")

bench_header
note "$runs runs of each on $ranks ranks, interleaved"

null_times=() d_times=()
for run in $(seq "$runs"); do
    timed "$tmp/null.out" "$mpirun" --oversubscribe -np "$ranks" "$null"
    [ "$r_rc" -eq 0 ] || {
        cat "$tmp/null.out" >&2
        die "mpi-null (run $run) exited $r_rc"
    }
    null_times+=("$r_secs")
    n=$r_secs
    timed "$tmp/distmpi.out" "$mpirun" --oversubscribe -np "$ranks" "$distmpi" -n "$ranks" \
        --max-load 1000000 --progress none --run-dir "$tmp/run-$run" -- true
    [ "$r_rc" -eq 0 ] || {
        cat "$tmp/distmpi.out" >&2
        die "distmpi (run $run) exited $r_rc"
    }
    d_times+=("$r_secs")
    rm -rf "$tmp/run-$run"
    note "run $run/$runs: mpi-null ${n}s distmpi ${r_secs}s"
done

m_null=$(median "${null_times[@]}")
m_d=$(median "${d_times[@]}")
diff_ms=$(calc 'sprintf("%.0f", 1000 * (d - n))' d="$m_d" n="$m_null")
ratio=$(calc 'sprintf("%.2f", d / n)' d="$m_d" n="$m_null")
echo
printf '%-10s %10s   %s\n' run "median s" "runs (s)"
printf '%-10s %10s  %s\n' mpi-null "$m_null" "${null_times[*]}"
printf '%-10s %10s  %s\n' distmpi "$m_d" "${d_times[*]}"
echo
echo "distmpi - mpi-null: $diff_ms ms"
echo "distmpi/mpi-null $ratio"
note "load average after: $(loadavg)"
if [ "$diff_ms" -le "$target_ms" ]; then
    echo "target: within $target_ms ms of mpi-null: met ($diff_ms ms)"
    exit 0
fi
echo "target: within $target_ms ms of mpi-null: MISSED ($diff_ms ms)"
exit 1
