#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# suite.sh - a real test suite as a task list: distmpi's own shell tests on
# 2 ranks, the first run and the second (with the first's history), beside
# GNU parallel -j2, each against the lower bound of its own durations.
#
#   bench/suite.sh [RUNS [SET [RANKS]]]       (defaults: 3, quick, 2)
#
# SET picks the test scripts of tests/, in their order:
#   quick   t0000 t0010 t1000 t1030 t1050 t1065 t1067 t1100 t1136 t1138:
#           about 40 s of tests in a row here, the longest (t1100, 12 s)
#           near the end, as in the whole suite the longest come late
#   all     every tests/t*.t but those that must run alone (they take a
#           lock shared with every test run on the machine, and judge the
#           machine's load): 30 scripts, about 360 s in a row, the
#           longest 65 s
#   other   a shell pattern of names, 't10*' for instance
# Each is one line of the task list: a wrapper that clears the Open MPI
# variables of the rank that starts it (the tests run mpirun themselves) and
# runs the script as `make check` would (DISTMPI, MPIRUN, SHARNESS, ... of
# this build tree), its trash directory and log in a temporary directory.
# Each repetition runs, from no history:
#   history-1  mpirun --oversubscribe --bind-to none -np RANKS distmpi
#              --tasks LIST --max-load 1000000 --progress none --retries 0
#              --history FILE, FILE absent: the scripts in file order
#   history-2  the same again with the first run's history, longest first
#   parallel   parallel -j RANKS -a LIST (GNU parallel: apt-get install
#              parallel; the row is left out with a note when it is missing)
# and prints for each the median makespan (the span from the first script's
# start to the last one's end, as the journal or --joblog records it), the
# median lower bound and the median of the runs' ratios span / bound, the
# bound of each run being max(total / RANKS, longest) of the durations
# measured in that same run: tests, unlike sleeps, take as long as the
# machine lets them, so the bound is taken from the run itself. The idle
# tail is as in bench/schedule.sh.
#
# Needs a build tree (make) of this source tree or $DISTMPI's, sharness
# ($SHARNESS, else /usr/share/sharness/sharness.sh) and python3. A test that
# fails is reported (its log kept) and counted; the run still counts.
# The defaults take about three and a half minutes on a quiet machine
# (twice that and more when other work has it at a load average of 7).
#
# Exit status: 0 the target was met (history-2 closer to its bound than
# history-1 and than GNU parallel, medians of the ratios), 1 it was not, 2
# the measurement could not be made. The ratios, not the spans: the same
# tests take twice as long when the machine's other work doubles, and each
# ratio holds a run against its own durations.
set -euo pipefail

bench_name=suite
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=bench/schedule-lib.sh
. "$(dirname "$0")/schedule-lib.sh"

runs=${1:-3}
set_name=${2:-quick}
np=${3:-2}
whole_number RUNS "$runs"
whole_number RANKS "$np"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$np" -ge 1 ] || die "RANKS must be at least 1"

# The build tree: the one $distmpi was built in (its tests/ has the
# sharness.d helpers of the source tree, or the source tree has them).
build=$(cd "$(dirname "$distmpi")/.." && pwd)
src=$bench_here
[ -d "$src/tests/sharness.d" ] || die "no tests/sharness.d in $src"
sharness=${SHARNESS:-/usr/share/sharness/sharness.sh}
[ -f "$sharness" ] || die "no sharness at $sharness (apt-get install sharness, or set SHARNESS)"

quick="t0000 t0010 t1000 t1030 t1050 t1065 t1067 t1100 t1136 t1138"
scripts=()
for t in "$src"/tests/t*.t; do
    name=$(basename "$t" .t)
    case $set_name in
    quick) case " $quick " in *" ${name%%-*} "*) ;; *) continue ;; esac ;;
    all) ;;
    *)
        # shellcheck disable=SC2254 # SET is a pattern
        case $name in $set_name) ;; *) continue ;; esac
        ;;
    esac
    # the scripts that must run alone wait for a lock that any test run on
    # the machine may hold, and judge the machine's load: not here
    grep -q DISTMPI_ALONE "$t" && continue
    scripts+=("$name")
done
[ "${#scripts[@]}" -ge 1 ] || die "SET '$set_name' names no test script"

# run-test NAME: one test script as make check runs it, without the
# variables Open MPI gave the rank that runs it (its own mpirun would take
# itself for a part of that job).
mkdir -p "$tmp/logs" "$tmp/trash"
cat >"$tmp/run-test" <<EOF
#!/bin/sh
for v in \$(env | sed -n 's/^\(\(OMPI\|PMIX\|OPAL\|ORTE\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
    case \$v in OMPI_ALLOW_RUN_AS_ROOT*) ;; *) unset "\$v" ;; esac
done
cd "$src/tests" || exit 1
DISTMPI='$distmpi' MPIRUN='$(command -v "$mpirun")' SHARNESS='$sharness' \\
    DISTMPI_SRCDIR='$src' DISTMPI_BUILDDIR='$build' SHARNESS_TEST_DIRECTORY='$build/tests' \\
    HARNESS_ACTIVE=t verbose=t CK_DEFAULT_TIMEOUT=120 \\
    exec "./\$1.t" --root='$tmp/trash' >'$tmp/logs/'"\$1.log" 2>&1
EOF
chmod +x "$tmp/run-test"
for name in "${scripts[@]}"; do
    echo "$tmp/run-test $name"
done >"$tmp/tasks"

rows="history-1 history-2 parallel"
if ! have_parallel; then
    note "GNU parallel is not installed: no parallel row (apt-get install parallel)"
    rows=${rows% parallel}
fi

bench_header
note "${#scripts[@]} test scripts ($set_name) on $np ranks, $runs runs of each row, in turn"

# run_durations ROW REP: the durations that run measured, one a line.
run_durations() {
    case $1 in
    parallel) joblog_durations "$tmp/$1.$2.joblog" ;;
    *) journal_durations "$tmp/run-$1.$2/journal.jsonl" ;;
    esac
}

declare -A row_ratios row_bounds
failures=0
for rep in $(seq "$runs"); do
    line="run $rep/$runs:"
    for row in $rows; do
        run_row "$row" "$rep" "$tmp/tasks" "$np"
        # distmpi exits 1 when a test script failed: counted below
        if [ "$r_rc" -ne 0 ] && [ "$r_rc" -ne 1 ]; then
            tail -n 20 "$tmp/$row.$rep.out" >&2
            die "$row (run $rep) exited $r_rc"
        fi
        run_durations "$row" "$rep" >"$tmp/durations.$row.$rep"
        [ "$(wc -l <"$tmp/durations.$row.$rep")" -eq "${#scripts[@]}" ] ||
            die "$row (run $rep): $(wc -l <"$tmp/durations.$row.$rep") durations for ${#scripts[@]} scripts"
        b=$(bound "$tmp/durations.$row.$rep" "$np")
        record_row "$row"
        row_bounds[$row]="${row_bounds[$row]:-} $b"
        row_ratios[$row]="${row_ratios[$row]:-} $(ratio "$r_span" "$b")"
        failed=$(row_failed "$row" "$rep")
        if [ "$failed" != 0 ]; then
            failures=$((failures + 1))
            mkdir -p "$tmp/failed.$row.$rep"
            awk '/^not ok/ && !/# TODO/ { print FILENAME; nextfile }' "$tmp"/logs/*.log |
                while read -r log; do
                    cp "$log" "$tmp/failed.$row.$rep/"
                    note "$row (run $rep): $(basename "$log" .log) failed:" \
                        "$(grep '^not ok' "$log" | grep -v '# TODO' | head -n 3 | tr '\n' ' ')"
                done
        fi
        line="$line $row ${r_span}s (bound ${b}s)"
    done
    note "$line"
done

echo
printf '%-12s %9s %9s %8s %8s %9s   %s\n' row "span s" "bound s" "/bound" "tail s" "whole s" \
    "span/bound of the runs"
for row in $rows; do
    # shellcheck disable=SC2086 # lists of figures, split on purpose
    printf '%-12s %9s %9s %8s %8s %9s  %s\n' "$row" "$(row_median "$row")" \
        "$(median ${row_bounds[$row]})" "$(median ${row_ratios[$row]})" \
        "$(median_of ${row_tails[$row]})" "$(median ${row_walls[$row]})" "${row_ratios[$row]}"
done
[ "$failures" -eq 0 ] || note "$failures runs had a failing test script (their durations count all the same)"
note "load average after: $(loadavg)"

# shellcheck disable=SC2086 # lists of figures, split on purpose
r1=$(median ${row_ratios[history-1]})
# shellcheck disable=SC2086 # lists of figures, split on purpose
r2=$(median ${row_ratios[history-2]})
met=1
awk -v a="$r2" -v b="$r1" 'BEGIN { exit !(a < b) }' || met=0
vs="no GNU parallel to compare with"
case " $rows " in
*" parallel "*)
    # shellcheck disable=SC2086 # lists of figures, split on purpose
    rp=$(median ${row_ratios[parallel]})
    vs="GNU parallel $rp"
    awk -v a="$r2" -v b="$rp" 'BEGIN { exit !(a <= b) }' || met=0
    ;;
esac
what="history-2 closer to its bound than history-1 and than GNU parallel"
if [ "$met" = 1 ]; then
    echo "target: $what: met ($r2 against $r1; $vs)"
    exit 0
fi
echo "target: $what: MISSED ($r2 against $r1; $vs)"
exit 1
