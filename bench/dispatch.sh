#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dispatch.sh - how fast does distmpi hand out and reap short shards, beside
# the plainest ways to run the same processes on the same cores?
#
#   bench/dispatch.sh [SHARDS [RANKS [RUNS]]]     (defaults: 5000, 2, 3)
#
# Runs SHARDS /bin/true processes, RANKS at a time, each way:
#   distmpi       mpirun --oversubscribe -np RANKS distmpi -n SHARDS
#                 --max-load 1000000 --progress none -- /bin/true
#                 (no reports; the journal and the per-shard logs it always
#                 keeps are on)
#   distmpi-json  the same with --json FILE --junit FILE --html FILE
#   spawnloop     bench/spawnloop SHARDS RANKS /bin/true: posix_spawn and
#                 waitpid, RANKS at a time (the fork limit)
#   xargs         seq SHARDS | xargs -P RANKS -n 1 /bin/true
#   parallel      seq SHARDS | parallel -j RANKS /bin/true (GNU parallel;
#                 left out with a note when it is not installed)
#   before        with DISTMPI_BEFORE=PATH: the distmpi way with that
#                 binary (an older build), for a before-and-after in one run
# DISPATCH_PROGRESS=bars|lines gives the distmpi and before ways that
# --progress instead of none (the output to a file), to weigh what rank 0
# shows while it dispatches: the bars' redraws, with the ETA on them.
# RUNS times each, interleaved (all of them, then all again, ...) so that
# the other work on the machine hits them alike, and prints the median wall
# time and shards/s of each, then distmpi's rate as a fraction of each
# baseline's (distmpi/spawnloop 0.25: a quarter of the spawn loop's rate).
#
# Two rates for each distmpi way. The whole run, from mpirun's start to its
# end, counts Open MPI's launch and teardown too (about 0.35 s on a quiet
# 2-core machine, whatever the shard count): the figure users wait for. The
# dispatch window, from the first shard's start to the last one's end as
# the journal records them, is the rate at which distmpi hands out and reaps
# shards once it runs: the figure the target is about (with python3; else
# only the whole run). The run directories stay until the end of the script:
# on ext4 without a journal, inodes freed a minute before slow down the next
# allocations (ext4's recently_deleted), which would tax later runs for the
# earlier runs' deletions.
# With /usr/bin/time it also prints the median CPU seconds (user + system,
# of the whole process tree) of each way and distmpi's as a multiple of the
# spawn loop's: what the machine's other work changes least.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH; spawnloop is
# the build tree's bench/spawnloop, else bench/spawnloop.c built with $CC or
# cc. mpirun is $MPIRUN or mpirun on PATH.
#
# Exit status: 0 distmpi reached the target (its dispatch window at 80 % of
# the spawn loop's rate; its whole run without python3), 1 it did not, 2 the
# measurement could not be made.
set -euo pipefail

bench_name=dispatch
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

shards=${1:-5000}
ranks=${2:-2}
runs=${3:-3}
target=0.80
whole_number SHARDS "$shards"
whole_number RANKS "$ranks"
whole_number RUNS "$runs"
[ "$shards" -ge 1 ] || die "SHARDS must be at least 1"
[ "$ranks" -ge 1 ] || die "RANKS must be at least 1"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"

spawnloop=$(bench_tool spawnloop "${CC:-cc}")
ways="distmpi distmpi-json spawnloop xargs"
before=${DISTMPI_BEFORE:-}
progress=${DISPATCH_PROGRESS:-none}
case $progress in none | bars | lines) ;; *) die "DISPATCH_PROGRESS must be none, bars or lines" ;; esac
if [ -n "$before" ]; then
    [ -x "$before" ] || die "DISTMPI_BEFORE=$before is not executable"
    ways="before $ways"
fi
cputime=
[ -x /usr/bin/time ] && cputime=/usr/bin/time
python=
command -v python3 >/dev/null 2>&1 && python=python3
[ -n "$python" ] || note "no python3: no dispatch window from the journal, only whole runs"
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
    ways="$ways parallel"
else
    note "GNU parallel is not installed: no parallel baseline (apt-get install parallel)"
fi

bench_header
note "$shards shards of /bin/true, $ranks at a time, $runs runs of each way, interleaved; --progress $progress"

# window RUN_DIR: the seconds from the first attempt's start to the last
# one's end in RUN_DIR/journal.jsonl, or "-".
window() {
    if [ -z "$python" ] || [ ! -f "$1/journal.jsonl" ]; then
        echo -
        return
    fi
    "$python" - "$1/journal.jsonl" <<'PY' || echo -
import json, sys
first = last = None
with open(sys.argv[1]) as f:
    next(f)  # the run's identity
    for line in f:
        for a in json.loads(line).get("attempts") or []:
            s, e = a["start"], a["start"] + a["duration"]
            first = s if first is None or s < first else first
            last = e if last is None or e > last else last
print("%.3f" % (last - first) if first is not None else "-")
PY
}

# run_way WAY RUN: run WAY once; set r_secs, r_cpu (or "-"), r_win (the
# dispatch window, or "-"), r_rc.
run_way() {
    local way=$1 run=$2 out="$tmp/$1.$2.out" cpu="$tmp/$1.$2.cpu"
    local t=()
    [ -n "$cputime" ] && t=("$cputime" -f "%U %S" -o "$cpu")
    case $way in
    distmpi | before)
        local bin=$distmpi
        [ "$way" = before ] && bin=$before
        timed "$out" "${t[@]}" "$mpirun" --oversubscribe -np "$ranks" "$bin" -n "$shards" \
            --max-load 1000000 --progress "$progress" --run-dir "$tmp/run-$way-$run" -- /bin/true
        ;;
    distmpi-json)
        timed "$out" "${t[@]}" "$mpirun" --oversubscribe -np "$ranks" "$distmpi" -n "$shards" \
            --max-load 1000000 --progress none --run-dir "$tmp/run-$way-$run" \
            --json "$tmp/r.json" --junit "$tmp/r.xml" --html "$tmp/r.html" -- /bin/true
        ;;
    spawnloop)
        timed "$out" "${t[@]}" "$spawnloop" "$shards" "$ranks" /bin/true
        ;;
    xargs)
        # shellcheck disable=SC2016 # expanded by that sh, not here
        timed "$out" "${t[@]}" sh -c 'seq "$1" | xargs -P "$2" -n 1 /bin/true' sh "$shards" "$ranks"
        ;;
    parallel)
        # shellcheck disable=SC2016 # expanded by that sh, not here
        timed "$out" "${t[@]}" sh -c 'seq "$1" | parallel --will-cite -j "$2" /bin/true' sh \
            "$shards" "$ranks"
        ;;
    esac
    if [ "$r_rc" -ne 0 ]; then
        tail -n 20 "$out" >&2
        die "$way (run $run) exited $r_rc"
    fi
    r_cpu=-
    if [ -n "$cputime" ] && [ -s "$cpu" ]; then
        r_cpu=$(awk 'END { printf "%.3f", $1 + $2 }' "$cpu")
    fi
    r_win=-
    case $way in distmpi* | before) r_win=$(window "$tmp/run-$way-$run") ;; esac
}

declare -A times cpus wins
for run in $(seq "$runs"); do
    line="run $run/$runs:"
    for way in $ways; do
        run_way "$way" "$run"
        times[$way]="${times[$way]:-} $r_secs"
        cpus[$way]="${cpus[$way]:-} $r_cpu"
        [ "$r_win" != - ] && wins[$way]="${wins[$way]:-} $r_win"
        line="$line $way ${r_secs}s"
    done
    note "$line"
done

echo
printf '%-14s %10s %10s %10s   %s\n' way "median s" "shards/s" "cpu s" "runs (s)"
declare -A rate cpu
for way in $ways; do
    # shellcheck disable=SC2086 # the list of times, split on purpose
    m=$(median ${times[$way]})
    rate[$way]=$(calc 'sprintf("%.0f", n / m)' n="$shards" m="$m")
    cpu[$way]=-
    # shellcheck disable=SC2086 # the list of times, split on purpose
    [ -n "$cputime" ] && cpu[$way]=$(median ${cpus[$way]})
    printf '%-14s %10s %10s %10s  %s\n' "$way" "$m" "${rate[$way]}" "${cpu[$way]}" "${times[$way]}"
done
echo
mine="distmpi distmpi-json"
[ -n "$before" ] && mine="before $mine"
for way in $ways; do
    case $way in distmpi* | before) continue ;; esac
    for d in $mine; do
        echo "$d/$way $(calc 'sprintf("%.2f", a / b)' a="${rate[$d]}" b="${rate[$way]}")"
    done
done
if [ -n "$cputime" ]; then
    for d in $mine; do
        echo "cpu: $d uses $(calc 'sprintf("%.2f", a / b)' a="${cpu[$d]}" b="${cpu[spawnloop]}") times the spawn loop's CPU time"
    done
fi
# the dispatch window: the shards' own span, without MPI's launch
declare -A wrate
for d in $mine; do
    [ -n "${wins[$d]:-}" ] || continue
    # shellcheck disable=SC2086 # the list of windows, split on purpose
    w=$(median ${wins[$d]})
    wrate[$d]=$(calc 'sprintf("%.0f", n / w)' n="$shards" w="$w")
    echo "window: $d from the first shard's start to the last one's end: median ${w}s, ${wrate[$d]} shards/s, $(calc 'sprintf("%.2f", a / b)' a="${wrate[$d]}" b="${rate[spawnloop]}") of the spawn loop's rate (runs:${wins[$d]})"
done
note "load average after: $(loadavg)"
pct=$(calc 'sprintf("%.0f", 100 * t)' t="$target")
what="whole run"
ratio=$(calc 'sprintf("%.2f", a / b)' a="${rate[distmpi]}" b="${rate[spawnloop]}")
if [ -n "${wrate[distmpi]:-}" ]; then
    what="dispatch window"
    ratio=$(calc 'sprintf("%.2f", a / b)' a="${wrate[distmpi]}" b="${rate[spawnloop]}")
fi
if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r >= t) }'; then
    echo "target: distmpi's $what at >= $pct % of the spawn loop's rate: met ($ratio)"
    exit 0
fi
echo "target: distmpi's $what at >= $pct % of the spawn loop's rate: MISSED ($ratio)"
exit 1
