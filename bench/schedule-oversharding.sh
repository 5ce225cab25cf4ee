#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# schedule-oversharding.sh - the same work cut into 1, 2, 4 and 10 shards
# per slot: how close does each come to the ideal, with and without a
# timing history?
#
#   bench/schedule-oversharding.sh [RANKS [RUNS [ITEMS [WORK [OVERHEAD [SEED]]]]]]
#                                   (defaults: 4, 3, 120, 16, 0.1, 1)
#
# The work: ITEMS test files with lognormal durations (median 0.6 s, sigma
# 0.9, at most 6 s) scaled to WORK seconds in all, the longest tenth last,
# from SEED. For each multiple X of 1 2 4 10 it cuts them into N = X * RANKS
# shards as a test runner's --shard=i/N does, by count: shard i gets the
# i-th N-th of the files in order, so the shards of the slow files at the end
# are the long ones. Each shard is a task `sleep D`, D the sum of its files
# plus OVERHEAD seconds, what the test tool's start-up costs every shard.
# Each N is run
#   no history  mpirun --oversubscribe --bind-to none -np RANKS distmpi
#               --tasks LIST --max-load 1000000 --progress none --retries 0
#               --history FILE, FILE absent: the shards in file order (the
#               run writes FILE)
#   history     the same again: that history, longest first
# RUNS times (each from no history), in turn. For each N it prints the lower
# bound of its list, max((WORK + N * OVERHEAD) / RANKS, longest shard), and
# for each row the median makespan (the span from the first shard's start
# to the last one's end, from the journal) against that bound and against
# the ideal WORK / RANKS: what finer shards could at best give with no
# overhead. Over-sharding lowers the bound (shorter longest shard) and
# raises it (N overheads); the table shows where that balance lies and what
# the history adds.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH. mpirun is
# $MPIRUN or mpirun on PATH. It needs python3. The defaults take about three
# minutes.
#
# Exit status: 0 measured (the figures are for reading: there is no target),
# 2 the measurement could not be made.
set -euo pipefail

bench_name=schedule-oversharding
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=bench/schedule-lib.sh
. "$(dirname "$0")/schedule-lib.sh"

np=${1:-4}
runs=${2:-3}
nitems=${3:-120}
work=${4:-16}
overhead=${5:-0.1}
seed=${6:-1}
multiples="1 2 4 10"
whole_number RANKS "$np"
whole_number RUNS "$runs"
whole_number ITEMS "$nitems"
whole_number WORK "$work"
whole_number SEED "$seed"
awk -v o="$overhead" 'BEGIN { exit !(o ~ /^[0-9]+(\.[0-9]+)?$/) }' ||
    die "OVERHEAD must be a number of seconds, not '$overhead'"
[ "$np" -ge 1 ] || die "RANKS must be at least 1"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$work" -ge 1 ] || die "WORK must be at least 1"
[ "$nitems" -ge $((10 * np)) ] || die "ITEMS must be at least 10 x RANKS ($((10 * np)))"

sleep_durations "$nitems" "$seed" 0.6 0.9 6 "$work" >"$tmp/items"
ideal=$(calc 'sprintf("%.3f", w / n)' w="$work" n="$np")
declare -A bounds longest
for x in $multiples; do
    n=$((x * np))
    # shard i of n: items floor((i-1) * M / n) + 1 .. floor(i * M / n)
    awk -v n="$n" -v o="$overhead" '{ d[NR] = $1 }
        END { for (i = 1; i <= n; i++) {
                s = o
                for (j = int((i - 1) * NR / n) + 1; j <= int(i * NR / n); j++) s += d[j]
                printf "%.2f\n", s } }' "$tmp/items" >"$tmp/durations.$x"
    sed 's/^/sleep /' "$tmp/durations.$x" >"$tmp/tasks.$x"
    bounds[$x]=$(bound "$tmp/durations.$x" "$np")
    longest[$x]=$(sort -gr "$tmp/durations.$x" | head -n 1)
done

bench_header
note "$nitems items (lognormal, seed $seed, the longest tenth last):" \
    "$(awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.2f s in all, the longest %.2f s", s, m }' \
        "$tmp/items"); $overhead s more per shard"
note "on $np ranks: ideal work / $np = ${ideal}s; $runs runs of each, in turn"

for rep in $(seq "$runs"); do
    line="run $rep/$runs:"
    for x in $multiples; do
        for row in history-1 history-2; do
            run_row "$row" "$x.$rep" "$tmp/tasks.$x" "$np"
            if [ "$r_rc" -ne 0 ]; then
                tail -n 20 "$tmp/$row.$x.$rep.out" >&2
                die "$row with $x x $np shards (run $rep) exited $r_rc"
            fi
            record_row "$x.$row"
            label=history
            [ "$row" = history-1 ] && label=no-history
            line="$line ${x}x $label ${r_span}s"
        done
    done
    note "$line"
done

echo
printf '%-6s %6s %8s %8s   %-24s   %-24s\n' "" "" "longest" "bound" "no history" "history"
printf '%-6s %6s %8s %8s   %8s %7s %7s   %8s %7s %7s\n' shards "N" "s" "s" \
    "span s" "/bound" "/ideal" "span s" "/bound" "/ideal"
for x in $multiples; do
    a=$(row_median "$x.history-1")
    h=$(row_median "$x.history-2")
    printf '%-6s %6s %8s %8s   %8s %7s %7s   %8s %7s %7s\n' "${x}x" "$((x * np))" \
        "${longest[$x]}" "${bounds[$x]}" \
        "$a" "$(ratio "$a" "${bounds[$x]}")" "$(ratio "$a" "$ideal")" \
        "$h" "$(ratio "$h" "${bounds[$x]}")" "$(ratio "$h" "$ideal")"
done
echo
for x in $multiples; do
    echo "${x}x: no history:${row_spans[$x.history-1]}; history:${row_spans[$x.history-2]}"
done
note "load average after: $(loadavg)"
