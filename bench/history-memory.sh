#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# history-memory.sh - how much memory and time does the timing history take
# rank 0 at the end of a run of many shards?
#
#   bench/history-memory.sh [KEYS [RUNS]]   (defaults: 100000, 3)
#
# Runs RUNS times, each in a fresh directory, bench/history-mem (built by
# make beside distmpi: load, note KEYS keys "/bin/true [shard I/KEYS]" on one
# host, save, destroy) twice on the same file: the first save writes a new
# file, the second merges into it (the second run of a suite). Each is
# measured with /usr/bin/time: the whole process's peak RSS and wall-clock
# seconds. It prints the median of each over the runs, the file's size, and
# whether both saves stayed under the target (45 MB and 1 s at 100,000 keys,
# so that the history is a small part of rank 0's 100 MB).
#
# bench/history-mem is found as distmpi's baselines are (bench/common.sh);
# it is not built here: run make first.
#
# Exit status: 0 under the target, 1 not, 2 the measurement could not be made.
set -euo pipefail

bench_name=history-memory
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

keys=${1:-100000}
runs=${2:-3}
whole_number KEYS "$keys"
whole_number RUNS "$runs"
target_kb=45000
target_s=1
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
prog=
for dir in "$(dirname "$distmpi")/../bench" "$PWD/bench" "$bench_here/bench"; do
    if [ -x "$dir/history-mem" ]; then
        prog=$dir/history-mem
        break
    fi
done
[ -n "$prog" ] || die "no bench/history-mem: run make"

note "$(nproc) cores; load average before: $(loadavg)"
note "$keys keys on one host, $runs runs of a first and a second save"
first_kb=() first_s=() second_kb=() second_s=()
for r in $(seq 1 "$runs"); do
    mkdir "$tmp/run$r"
    for which in first second; do
        /usr/bin/time -f "%M %e" -o "$tmp/time" "$prog" "$tmp/run$r/history.json" "$keys" \
            >"$tmp/out" 2>&1 || {
            cat "$tmp/out" >&2
            die "run $r: the $which save failed"
        }
        read -r kb s <"$tmp/time"
        note "run $r: $which save: $kb KB peak RSS, $s s"
        if [ "$which" = first ]; then
            first_kb+=("$kb") first_s+=("$s")
        else
            second_kb+=("$kb") second_s+=("$s")
        fi
    done
done
bytes=$(stat -c %s "$tmp/run1/history.json")
m1kb=$(median "${first_kb[@]}") m1s=$(median "${first_s[@]}")
m2kb=$(median "${second_kb[@]}") m2s=$(median "${second_s[@]}")
note "file: $bytes bytes ($(calc 'b / k' b="$bytes" k="$keys") a key)"
note "median first save:  $(calc 'k / 1000' k="$m1kb") MB peak RSS, $m1s s"
note "median second save: $(calc 'k / 1000' k="$m2kb") MB peak RSS, $m2s s"
note "load average after: $(loadavg)"
if [ "$keys" -ne 100000 ]; then
    note "target: only for 100000 keys"
    exit 0
fi
if awk -v a="$m1kb" -v b="$m2kb" -v c="$m1s" -v d="$m2s" -v k="$target_kb" -v s="$target_s" \
    'BEGIN { exit !(a < k && b < k && c < s && d < s) }'; then
    note "target: both saves under 45 MB and 1 s: met"
else
    note "target: both saves under 45 MB and 1 s: not met"
    exit 1
fi
