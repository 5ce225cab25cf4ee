# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034,SC2154 # r_* are for the caller; tmp, distmpi are common.sh's
# schedule-lib.sh - what bench/schedule.sh, schedule-oversharding.sh and
# suite.sh share: lists of sleeps with lognormal durations, the lower bound of
# a list's makespan, one run of distmpi or of GNU parallel on a task file
# with its makespan read from the run itself, and the table of the results.
# Sourced after common.sh.
#
# The makespan of a run is its span: from the first task's start to the last
# task's end, as the run itself records them (distmpi's journal, GNU
# parallel's --joblog). The lower bound is about the tasks alone, so the span
# is what to hold against it; Open MPI's launch and teardown (about 0.4 s
# here whatever the schedule, see bench/startup.sh) and GNU parallel's own
# start-up are left out of both alike. The whole run (wall time around the
# command) is printed beside it.

command -v python3 >/dev/null 2>&1 || die "python3 is needed to read distmpi's journal"

# No configuration file of the machine or of the directory steers the runs.
: >"$tmp/empty.conf"
export DISTMPI_CONFIG=$tmp/empty.conf

# sleep_durations N SEED MEDIAN SIGMA CAP [TOTAL]: N durations in seconds, one
# a line, lognormal (median MEDIAN, sigma SIGMA of the logarithm), each at most
# CAP and at least 0.01, scaled to add up to TOTAL when given; in the order
# drawn, except that the longest tenth (at least one) comes last, shortest
# of them first: a suite's slowest specs often sit at its end, which is what
# hurts a queue in file order. The generator is the minimal standard LCG
# (multiplier 48271, modulus 2^31 - 1) and Box-Muller in awk's doubles: the
# same list from any awk on any machine.
sleep_durations() {
    awk -v n="$1" -v seed="$2" -v median="$3" -v sigma="$4" -v cap="$5" -v total="${6:-0}" '
        function uniform() { x = (x * 48271) % 2147483647; return x / 2147483647 }
        BEGIN {
            x = seed % 2147483646 + 1
            for (i = 1; i <= n; i++) {
                u1 = uniform(); u2 = uniform()
                z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
                d[i] = median * exp(sigma * z)
                if (d[i] > cap) d[i] = cap
                sum += d[i]
            }
            f = total > 0 ? total / sum : 1
            # the longest tenth, by index, in ascending order of duration
            k = int((n + 9) / 10)
            for (i = 1; i <= n; i++) { d[i] *= f; if (d[i] < 0.01) d[i] = 0.01; idx[i] = i }
            for (i = 1; i <= n; i++)          # a selection sort of the indices by duration: n is small
                for (j = i + 1; j <= n; j++)
                    if (d[idx[j]] < d[idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
            for (i = n - k + 1; i <= n; i++) last[idx[i]] = 1
            for (i = 1; i <= n; i++) if (!(i in last)) printf "%.2f\n", d[i]
            for (i = n - k + 1; i <= n; i++) printf "%.2f\n", d[idx[i]]
        }'
}

# bound DURATIONS_FILE SLOTS: max(sum / SLOTS, longest), the makespan no
# schedule can beat when every task runs at speed 1 (exact for sleeps).
bound() {
    awk -v slots="$2" '{ s += $1; if ($1 > m) m = $1 }
        END { b = s / slots; if (m > b) b = m; printf "%.3f", b }' "$1"
}

# speed_bound DURATIONS_FILE SPEED...: the same bound for slots of
# different speeds (one SPEED per slot; a task of d seconds takes d / SPEED
# on it): the largest over k of (the k longest tasks) / (the k fastest
# slots), the last k counting every task and every slot. No schedule beats
# it: the k longest tasks need that much work done by at most k slots at
# once.
speed_bound() {
    local durations=$1
    shift
    printf '%s\n' "$@" | sort -gr >"$tmp/speeds"
    sort -gr "$durations" | awk -v speeds="$tmp/speeds" '
        BEGIN { while ((getline line <speeds) > 0) sp[++m] = line }
        { d[NR] = $1 }
        END {
            for (k = 1; k <= m || k <= NR; k++) {
                if (k <= NR) w += d[k]
                if (k <= m) v += sp[k]
                if (w / v > b) b = w / v
            }
            printf "%.3f", b
        }'
}

# journal_span JOURNAL: "SPAN TAIL" from a distmpi journal (JSON Lines):
# the seconds from the first attempt's start to the last attempt's end, and
# the idle tail: from the moment the first rank ran out of work (its last
# attempt's end) to the end, the time some slots stood idle while others
# still ran. "- -" when there is no journal.
journal_span() {
    python3 - "$1" <<'PY' 2>/dev/null || echo "- -"
import json, sys
first = last = None
ends = {}
with open(sys.argv[1]) as f:
    next(f)  # the run's identity
    for line in f:
        r = json.loads(line)
        for a in r.get("attempts") or []:
            s, e = a["start"], a["start"] + a["duration"]
            first = s if first is None or s < first else first
            last = e if last is None or e > last else last
            key = (r.get("host"), r.get("rank"))
            ends[key] = max(ends.get(key, e), e)
if first is None:
    print("- -")
else:
    print("%.3f %.3f" % (last - first, last - min(ends.values())))
PY
}

# journal_durations JOURNAL: each shard's last attempt duration, one a line
# (for the bound of a list whose durations are only known once run).
journal_durations() {
    python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    next(f)
    for line in f:
        a = json.loads(line).get("attempts") or []
        if a:
            print("%.3f" % a[-1]["duration"])
PY
}

# journal_failed JOURNAL: how many shards of the journal did not pass.
journal_failed() {
    python3 - "$1" <<'PY' 2>/dev/null || echo -
import json, sys
n = 0
with open(sys.argv[1]) as f:
    next(f)
    for line in f:
        if json.loads(line).get("status") not in ("passed", "flaky"):
            n += 1
print(n)
PY
}

# joblog_span JOBLOG: the same span from a GNU parallel --joblog file.
joblog_span() {
    awk -F'\t' 'NR > 1 { s = $3; e = $3 + $4
            if (first == "" || s < first) first = s; if (last == "" || e > last) last = e }
        END { if (first == "") print "-"; else printf "%.3f\n", last - first }' "$1"
}

# joblog_durations JOBLOG: each job's run time, one a line.
joblog_durations() {
    awk -F'\t' 'NR > 1 { printf "%.3f\n", $4 }' "$1"
}

# joblog_failed JOBLOG: how many jobs exited non-zero or were signalled.
joblog_failed() {
    awk -F'\t' 'NR > 1 && ($7 != 0 || $8 != 0) { n++ } END { print n + 0 }' "$1"
}

have_parallel() {
    command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'
}

# run_distmpi NAME TASKS NP [OPTION]...: mpirun -np NP distmpi --tasks TASKS
# OPTION..., its run directory $tmp/run-NAME, its output $tmp/NAME.out. Sets
# r_secs (the whole run, mpirun included), r_span (first start to last end,
# from the journal), r_tail (the idle tail, see journal_span), r_rc.
# $launcher (default: nothing) goes in front of mpirun and $mpirun_args
# after it (default --oversubscribe --bind-to none:
# with as many ranks as cores Open MPI binds each rank, and so every task it
# starts, to one core, which GNU parallel does not do).
run_distmpi() {
    local name=$1 tasks=$2 np=$3
    shift 3
    rm -rf "$tmp/run-$name"
    # shellcheck disable=SC2086 # launcher and mpirun_args are lists of words
    timed "$tmp/$name.out" ${launcher:-} "$mpirun" ${mpirun_args:---oversubscribe --bind-to none} \
        -np "$np" "$distmpi" --tasks "$tasks" --max-load 1000000 --progress none --retries 0 \
        --run-dir "$tmp/run-$name" "$@"
    read -r r_span r_tail < <(journal_span "$tmp/run-$name/journal.jsonl")
}

# run_parallel NAME TASKS J: GNU parallel -j J on the lines of TASKS, each
# through the shell, with a job log. Sets r_secs (the whole run), r_span (first
# start to last end, from the job log: its start-up left out, as distmpi's),
# r_rc (r_tail "-": the job log does not say which slot ran a job).
# $launcher goes in front of parallel, and $parallel_args, when set,
# replaces -j J (the cluster variant's -S list of hosts).
run_parallel() {
    local name=$1 tasks=$2 j=$3
    rm -f "$tmp/$name.joblog"
    # shellcheck disable=SC2086 # launcher and parallel_args are lists of words
    timed "$tmp/$name.out" ${launcher:-} parallel --will-cite ${parallel_args:--j $j} \
        --joblog "$tmp/$name.joblog" -a "$tasks"
    r_span=$(joblog_span "$tmp/$name.joblog")
    r_tail=-
}

# The rows of bench/schedule.sh: the same task list run each way.
#   static          --schedule static --no-history: the plan by cores
#   dynamic         --no-history: the queue in file order
#   history-1       --history FILE, FILE absent: as dynamic, and writes FILE
#   history-2       --history FILE again: the first run's history, longest
#                   first (history-3: the history of the first two runs)
#   static-history  --schedule static with a copy of FILE as the last
#                   history-N row before it had it
#   parallel        GNU parallel -j NP on the same lines
schedule_rows="static dynamic history-1 history-2 static-history parallel"

# run_row ROW REP TASKS NP: one run of ROW for repetition REP; sets r_span,
# r_secs, r_rc. Each repetition starts with no history.
run_row() {
    local row=$1 rep=$2 tasks=$3 np=$4 h="$tmp/history.$2.json"
    case $row in
    static) run_distmpi "$row.$rep" "$tasks" "$np" --schedule static --no-history ;;
    dynamic) run_distmpi "$row.$rep" "$tasks" "$np" --no-history ;;
    history-*)
        [ "$row" = history-1 ] && rm -f "$h"
        rm -f "$h.before"
        [ -f "$h" ] && cp "$h" "$h.before"
        run_distmpi "$row.$rep" "$tasks" "$np" --history "$h"
        ;;
    static-history)
        cp "$h.before" "$h.static" 2>/dev/null || rm -f "$h.static"
        run_distmpi "$row.$rep" "$tasks" "$np" --schedule static --history "$h.static"
        ;;
    parallel) run_parallel "$row.$rep" "$tasks" "$np" ;;
    *) die "no row '$row'" ;;
    esac
}

# run_rows RUNS TASKS NP ROW...: RUNS repetitions, each running every ROW
# in turn (run_row) and recording it (record_row), a line of spans each;
# stops with the end of a run's output when one exits non-zero.
run_rows() {
    local runs=$1 tasks=$2 np=$3 rep row line
    shift 3
    for rep in $(seq "$runs"); do
        line="run $rep/$runs:"
        for row; do
            run_row "$row" "$rep" "$tasks" "$np"
            if [ "$r_rc" -ne 0 ]; then
                tail -n 20 "$tmp/$row.$rep.out" >&2
                die "$row (run $rep) exited $r_rc"
            fi
            record_row "$row"
            line="$line $row ${r_span}s"
        done
        note "$line"
    done
}

# print_prediction REP TASKS NP: what distmpi itself predicted from the
# history the last history-N row of repetition REP started with: its
# --dry-run of a static plan (the hosts' learned speeds, the
# predicted makespan and its own bound, to a tenth of a second).
print_prediction() {
    local h="$tmp/history.$1.json"
    [ -f "$h.before" ] || return 0
    cp "$h.before" "$h.dry"
    # shellcheck disable=SC2086 # launcher and mpirun_args are lists of words
    (cd "$tmp" && exec ${launcher:-} "$mpirun" ${mpirun_args:---oversubscribe --bind-to none} \
        -np "$3" "$distmpi" --tasks "$2" --max-load 1000000 --schedule static \
        --history "$h.dry" --dry-run) >"$tmp/dry-run.out" 2>&1 || true
    echo "distmpi's --dry-run --schedule static with that history (run $1):"
    if grep -q '^Predicted makespan' "$tmp/dry-run.out"; then
        grep -E '^(Host speeds|Predicted makespan)' "$tmp/dry-run.out" | sed 's/^/  /'
    else
        echo "  (no prediction; the end of its output:)"
        tail -n 5 "$tmp/dry-run.out" | sed 's/^/  /'
    fi
}

# row_failed ROW REP: the tasks of that run that did not pass.
row_failed() {
    case $1 in
    parallel) joblog_failed "$tmp/$1.$2.joblog" ;;
    *) journal_failed "$tmp/run-$1.$2/journal.jsonl" ;;
    esac
}

# ratio A B: A / B to two places, or "-".
ratio() {
    case "$1$2" in *-*) echo - ;; *) calc 'sprintf("%.2f", a / b)' a="$1" b="$2" ;; esac
}

# Medians of the rows, filled by record_row, printed by print_rows.
declare -A row_spans row_walls row_tails
# record_row KEY: keep this run's r_span, r_tail and r_secs under KEY.
record_row() {
    row_spans[$1]="${row_spans[$1]:-} $r_span"
    row_tails[$1]="${row_tails[$1]:-} ${r_tail:--}"
    row_walls[$1]="${row_walls[$1]:-} $r_secs"
}

# median_of FIGURE...: the median of the figures that are not "-", or "-".
median_of() {
    local v=() s
    for s; do
        [ "$s" = - ] || v+=("$s")
    done
    if [ "${#v[@]}" -eq 0 ]; then
        echo -
    else
        median "${v[@]}"
    fi
}

# row_median KEY: the median span of KEY's runs, or "-".
row_median() {
    # shellcheck disable=SC2086 # the list of spans, split on purpose
    median_of ${row_spans[$1]:-}
}

# print_rows BOUND KEY...: a line per KEY: the median span, its ratio to
# BOUND, the median idle tail, the median whole run and every run's span.
print_rows() {
    local b=$1 key m
    shift
    printf '%-16s %9s %8s %8s %9s   %s\n' row "span s" "/bound" "tail s" "whole s" \
        "spans of the runs (s)"
    for key; do
        m=$(row_median "$key")
        # shellcheck disable=SC2086 # the lists of times, split on purpose
        printf '%-16s %9s %8s %8s %9s  %s\n' "$key" "$m" "$(ratio "$m" "$b")" \
            "$(median_of ${row_tails[$key]})" "$(median_of ${row_walls[$key]})" "${row_spans[$key]}"
    done
}
