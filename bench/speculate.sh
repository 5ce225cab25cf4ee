#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# speculate.sh - what --speculate does to a run with one straggler, and what
# it costs a run without one.
#
#   bench/speculate.sh [TASKS [RANKS [RUNS [SLOW]]]]     (defaults: 12, 4, 3, 10)
#
# Three task lists of TASKS lines, each run RANKS ranks wide, with and
# without --speculate, RUNS times each, interleaved:
#   straggler  TASKS - 1 lines "sleep 1", and last one that sleeps SLOW
#              seconds in the first copy that runs it and 1 s in any other
#              (a test stuck on its host that a second try passes): the
#              bound without it is max(TASKS / RANKS, 1) seconds
#   even       TASKS lines "sleep 1": nothing to gain, copies at the tail
#              cost CPU, not time
#   tiny       2000 lines "true": shards end long before they could be
#              copied; the dispatch rate must not change
# It prints the median wall time of mpirun (start-up included) of each way,
# the ratio with/without, and the copies superseded (from the summary line).
# No timing history (--no-history): the choice is the one of a first run.
# Exits 0 when --speculate ends the straggler list sooner, 1 when not.
set -u
bench_name=speculate
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

tasks=${1:-12}
ranks=${2:-4}
runs=${3:-3}
slow=${4:-10}
whole_number TASKS "$tasks"
whole_number RANKS "$ranks"
whole_number RUNS "$runs"
whole_number SLOW "$slow"
[ "$tasks" -ge 2 ] || die "TASKS must be 2 or more"
bench_header

make_list() { # NAME RUN: the list, its straggler's marker apart for each run
    case $1 in
    straggler)
        for ((i = 1; i < tasks; i++)); do echo "sleep 1"; done
        echo "if mkdir straggler.$2.d 2>/dev/null; then sleep $slow; else sleep 1; fi"
        ;;
    even) for ((i = 1; i <= tasks; i++)); do echo "sleep 1"; done ;;
    tiny) for ((i = 1; i <= 2000; i++)); do echo "true"; done ;;
    esac
}

declare -A secs copies
for ((run = 1; run <= runs; run++)); do
    for list in straggler even tiny; do
        for way in plain speculate; do
            make_list "$list" "$run-$way" >"$tmp/$list.$run.$way.tasks"
            flag=()
            [ "$way" = speculate ] && flag=(--speculate)
            timed "$tmp/out" "$mpirun" -np "$ranks" --oversubscribe --bind-to none \
                --mca mpi_yield_when_idle 1 "$distmpi" --tasks "$list.$run.$way.tasks" \
                --no-history --max-load 1000000 --progress none --run-dir "run.$list.$run.$way" \
                "${flag[@]}"
            [ "$r_rc" -eq 0 ] || {
                cat "$tmp/out" >&2
                die "$list $way: exit status $r_rc"
            }
            secs[$list.$way]+="$r_secs "
            n=$(sed -n 's/.*; \([0-9]*\) cop\(y\|ies\) superseded;.*/\1/p' "$tmp/out")
            copies[$list.$way]+="${n:-0} "
        done
    done
done

printf '%-10s %10s %10s %8s %9s\n' list plain speculate ratio copies
for list in straggler even tiny; do
    # shellcheck disable=SC2086 # one number a word
    p=$(median ${secs[$list.plain]}) s=$(median ${secs[$list.speculate]})
    # shellcheck disable=SC2086
    c=$(median ${copies[$list.speculate]})
    printf '%-10s %9ss %9ss %8.2f %9s\n' "$list" "$p" "$s" "$(calc 's / p' s="$s" p="$p")" "$c"
done
note "load average after: $(loadavg)"
# shellcheck disable=SC2086
[ "$(calc '(s < p) ? 1 : 0' s="$(median ${secs[straggler.speculate]})" \
    p="$(median ${secs[straggler.plain]})")" = 1 ]
