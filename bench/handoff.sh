#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# handoff.sh - how long does a rank stand idle between the end of one shard
# and the start of its next?
#
#   bench/handoff.sh [SHARDS [RANKS [RUNS [SECONDS]]]]   (defaults: 40, 4, 3, 0.3)
#
# Runs RUNS times
#   mpirun --oversubscribe -np RANKS distmpi -n SHARDS --max-load 1000000
#          --progress none --json FILE -- sleep SECONDS
# and, when $DISTMPI_BEFORE names another distmpi binary (an older build), the same
# with it, interleaved (distmpi, before, distmpi, ...), so that the other
# work on the machine hits both alike. From each JSON report it sorts every
# rank's attempts (shards[].attempt_results[]: rank, start, duration) by
# start and takes each gap next.start - (prev.start + prev.duration): the
# time between the end of one shard and the start of the rank's next. It
# prints, for each build, the mean and the largest gap of the workers (ranks
# 1 and up) and of rank 0, over all runs, in milliseconds. The report's
# times are in milliseconds, so each gap is good to about 1 ms.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH. mpirun is
# $MPIRUN or mpirun on PATH. It needs python3.
#
# Exit status: 0 the workers' mean gap is under the target (5 ms), 1 it is
# not, 2 the measurement could not be made.
set -euo pipefail

bench_name=handoff
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

shards=${1:-40}
ranks=${2:-4}
runs=${3:-3}
secs=${4:-0.3}
target_ms=5
whole_number SHARDS "$shards"
whole_number RANKS "$ranks"
whole_number RUNS "$runs"
[ "$shards" -ge 1 ] || die "SHARDS must be at least 1"
[ "$ranks" -ge 2 ] || die "RANKS must be at least 2"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
command -v python3 >/dev/null 2>&1 || die "no python3 to read the JSON reports"

builds=distmpi
declare -A bin=([distmpi]=$distmpi)
if [ -n "${DISTMPI_BEFORE:-}" ]; then
    [ -x "$DISTMPI_BEFORE" ] || die "DISTMPI_BEFORE=$DISTMPI_BEFORE is not executable"
    builds="distmpi before"
    bin[before]=$DISTMPI_BEFORE
fi

# Prints "workers MEAN MAX N rank0 MEAN MAX N" (ms) for the JSON reports given.
cat >"$tmp/gaps.py" <<'EOF'
import json, sys
from datetime import datetime

def secs(t):
    return datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()

gaps = {"workers": [], "rank0": []}
for path in sys.argv[1:]:
    by_rank = {}
    for s in json.load(open(path))["shards"]:
        for a in s["attempt_results"]:
            if a["rank"] is not None and a["start"]:
                by_rank.setdefault(a["rank"], []).append((secs(a["start"]), a["duration"]))
    for rank, attempts in by_rank.items():
        attempts.sort()
        for (s0, d0), (s1, _) in zip(attempts, attempts[1:]):
            gaps["rank0" if rank == 0 else "workers"].append(1000 * (s1 - (s0 + d0)))
out = []
for who in ("workers", "rank0"):
    g = gaps[who]
    if g:
        out.append("%s %.1f %.1f %d" % (who, sum(g) / len(g), max(g), len(g)))
    else:
        out.append("%s - - 0" % who)
print(" ".join(out))
EOF

bench_header
note "$shards shards of sleep $secs on $ranks ranks, $runs runs of each build, interleaved"
[ -n "${DISTMPI_BEFORE:-}" ] && note "before: $DISTMPI_BEFORE"

declare -A reports
for run in $(seq "$runs"); do
    for b in $builds; do
        out="$tmp/$b.$run.out"
        json="$tmp/$b.$run.json"
        timed "$out" "$mpirun" --oversubscribe -np "$ranks" "${bin[$b]}" -n "$shards" \
            --max-load 1000000 --progress none --run-dir "$tmp/run-$b-$run" --json "$json" \
            -- sleep "$secs"
        if [ "$r_rc" -ne 0 ]; then
            tail -n 20 "$out" >&2
            die "$b (run $run) exited $r_rc"
        fi
        rm -rf "$tmp/run-$b-$run"
        reports[$b]="${reports[$b]:-} $json"
        # shellcheck disable=SC2086 # one report
        note "run $run/$runs: $b ${r_secs}s: $(python3 "$tmp/gaps.py" $json)"
    done
done

echo
printf '%-10s %16s %16s %8s %16s %16s %8s\n' build "workers mean ms" "workers max ms" gaps \
    "rank 0 mean ms" "rank 0 max ms" gaps
for b in $builds; do
    # shellcheck disable=SC2086 # the list of reports, split on purpose
    read -r _ wmean wmax wn _ zmean zmax zn < <(python3 "$tmp/gaps.py" ${reports[$b]})
    printf '%-10s %16s %16s %8s %16s %16s %8s\n' "$b" "$wmean" "$wmax" "$wn" "$zmean" "$zmax" "$zn"
    [ "$b" = distmpi ] && d_mean=$wmean
done
note "load average after: $(loadavg)"
if [ "$d_mean" != - ] && awk -v m="$d_mean" -v t="$target_ms" 'BEGIN { exit !(m < t) }'; then
    echo "target: workers' mean hand-off gap under $target_ms ms: met ($d_mean ms)"
    exit 0
fi
echo "target: workers' mean hand-off gap under $target_ms ms: MISSED ($d_mean ms)"
exit 1
