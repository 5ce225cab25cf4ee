#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# idle-cpu.sh - how much CPU do distmpi's ranks use while their shards run?
#
#   bench/idle-cpu.sh [RANKS [SECONDS]]        (defaults: 4 ranks, 10 s)
#
# Runs, one after the other on this machine:
#   1. mpirun -np RANKS --oversubscribe distmpi -n RANKS -- sleep SECONDS
#   2. mpirun -np RANKS --oversubscribe sh -c 'sleep SECONDS'   (no distmpi)
#   3. mpirun -np RANKS --oversubscribe recv-block SECONDS: a tiny MPI program
#      (compiled here with mpicc) whose rank 0 sleeps while the other ranks
#      wait in a blocking MPI_Recv, the way a naive MPI launcher would wait.
# For each, it reads the CPU time (user + system, all threads) of the ranks
# (the children of that mpirun) and of mpirun itself, from
# /proc/PID/task/*/schedstat (nanoseconds; /proc/PID/stat utime+stime where
# that is missing), at the start and the end of a steady-state window (from
# 0.5 s after every rank is waiting, to 1.5 s before the sleeps end), and
# prints it as a percentage of one core per rank, then the ratio of
# distmpi's figure to the blocking receive's.
#
# The distmpi binary is $DISTMPI, else src/distmpi of the build tree this
# script is run from (or of the source tree it is in), else distmpi on PATH.
# mpirun is $MPIRUN or mpirun on PATH; mpicc is $MPICC or mpicc.
#
# Exit status: 0 distmpi's ranks stayed under the 1 % target, 1 they did
# not, 2 the measurement could not be made.
set -euo pipefail

ranks=${1:-4}
secs=${2:-10}
target=1.0 # percent of a core per rank
mpirun=${MPIRUN:-mpirun}
mpicc=${MPICC:-mpicc}

die() {
    echo "idle-cpu: $*" >&2
    exit 2
}

case $ranks in '' | *[!0-9]*) die "RANKS must be a whole number, not '$ranks'" ;; esac
case $secs in '' | *[!0-9]*) die "SECONDS must be a whole number, not '$secs'" ;; esac
[ "$ranks" -ge 2 ] || die "RANKS must be at least 2"
[ "$secs" -ge 3 ] || die "SECONDS must be at least 3"

here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${DISTMPI:-}" ]; then
    distmpi=$DISTMPI
elif [ -x src/distmpi ]; then
    distmpi=$PWD/src/distmpi
elif [ -x "$here/src/distmpi" ]; then
    distmpi=$here/src/distmpi
elif command -v distmpi >/dev/null 2>&1; then
    distmpi=$(command -v distmpi)
else
    die "no distmpi: build it (make), or set DISTMPI=/path/to/distmpi"
fi
[ -x "$distmpi" ] || die "$distmpi is not executable"
command -v "$mpirun" >/dev/null 2>&1 || die "mpirun not found (set MPIRUN)"

if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idle-cpu.XXXXXX")
mpipid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$mpipid" ] && kill -0 "$mpipid" 2>/dev/null; then
        kill -TERM "$mpipid" 2>/dev/null || true
        sleep 1
        kill -KILL "$mpipid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

hz=$(getconf CLK_TCK)

# CPU time, in nanoseconds, of the given processes, all threads included:
# the sum of the first field of /proc/PID/task/*/schedstat (time on a CPU,
# user and system, in ns), or where that is missing utime + stime from
# /proc/PID/stat (in clock ticks, so 10 ms steps). In /proc/PID/stat the
# command name may hold spaces, so fields are counted after its ")".
cpu_ns() {
    local total=0 pid f rest ns
    for pid in "$@"; do
        [ -d "/proc/$pid" ] || die "process $pid went away during the window"
        ns=0
        for f in /proc/"$pid"/task/*/schedstat; do
            read -r rest _ 2>/dev/null <"$f" || continue
            ns=$((ns + rest))
        done
        if [ "$ns" -eq 0 ]; then
            rest=$(cat "/proc/$pid/stat" 2>/dev/null) || die "process $pid went away"
            rest=${rest##*) }
            # shellcheck disable=SC2086 # split the fields on purpose
            set -- $rest
            ns=$(((${12} + ${13}) * 1000000000 / hz))
        fi
        total=$((total + ns))
    done
    echo "$total"
}

now() {
    date +%s.%N
}

# The children of mpirun named $1 (its ranks: on one machine mpirun starts
# them itself), one PID a line.
ranks_of() {
    pgrep -P "$mpipid" -x "$1" || true
}

# measure NAME WAITERS_NEED_CHILD COMMAND...: start COMMAND (an mpirun) in the
# background, wait until it has $ranks ranks named NAME (and, if
# WAITERS_NEED_CHILD is 1, each of them has a child: its shard), measure,
# and set r_rank_pct (per rank), r_mpirun_pct and r_window.
measure() {
    local name=$1 need_child=$2
    shift 2
    (cd "$tmp" && exec "$@") >"$tmp/$name.out" 2>&1 &
    mpipid=$!
    local deadline pids pid ready
    deadline=$(($(date +%s) + 30))
    while :; do
        kill -0 "$mpipid" 2>/dev/null || {
            cat "$tmp/$name.out" >&2
            die "$* ended before it could be measured"
        }
        [ "$(date +%s)" -lt "$deadline" ] || die "$name: ranks did not start within 30 s"
        mapfile -t pids < <(ranks_of "$name")
        if [ "${#pids[@]}" -eq "$ranks" ]; then
            ready=1
            if [ "$need_child" -eq 1 ]; then
                for pid in "${pids[@]}"; do
                    pgrep -P "$pid" >/dev/null || ready=0
                done
            fi
            [ "$ready" -eq 1 ] && break
        fi
        sleep 0.05
    done
    sleep 0.5
    local window t0 t1 c0 c1 m0 m1
    window=$(awk -v s="$secs" 'BEGIN { printf "%.1f", s - 2 }')
    t0=$(now)
    c0=$(cpu_ns "${pids[@]}")
    m0=$(cpu_ns "$mpipid")
    sleep "$window"
    c1=$(cpu_ns "${pids[@]}")
    m1=$(cpu_ns "$mpipid")
    t1=$(now)
    local rc=0
    wait "$mpipid" || rc=$?
    mpipid=
    r_window=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    r_rank_cpu=$(awk -v c=$((c1 - c0)) 'BEGIN { printf "%.3f", c / 1e9 }')
    r_rank_pct=$(awk -v c=$((c1 - c0)) -v w="$r_window" -v n="$ranks" \
        'BEGIN { printf "%.2f", 100 * c / 1e9 / w / n }')
    r_mpirun_pct=$(awk -v c=$((m1 - m0)) -v w="$r_window" \
        'BEGIN { printf "%.2f", 100 * c / 1e9 / w }')
    r_rc=$rc
}

cores=$(nproc)
echo "idle-cpu: $ranks ranks on $cores cores, shards of ${secs} s; $("$distmpi" --version);" \
    "$("$mpirun" --version 2>/dev/null | head -n 1)"
echo "idle-cpu: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. distmpi running sleep shards
measure distmpi 1 "$mpirun" -np "$ranks" --oversubscribe "$distmpi" -n "$ranks" --retries 0 \
    --run-dir "$tmp/runs" -- sleep "$secs"
[ "$r_rc" -eq 0 ] || {
    cat "$tmp/distmpi.out" >&2
    die "the distmpi run exited $r_rc"
}
d_pct=$r_rank_pct d_cpu=$r_rank_cpu d_mpirun=$r_mpirun_pct d_window=$r_window

# 2. the same sleeps under a bare mpirun
measure sh 0 "$mpirun" -np "$ranks" --oversubscribe sh -c "sleep $secs"
s_pct=$r_rank_pct s_mpirun=$r_mpirun_pct

# 3. ranks waiting in a blocking MPI_Recv
b_pct=
if command -v "$mpicc" >/dev/null 2>&1; then
    cat >"$tmp/recv-block.c" <<'EOF'
/* Rank 0 sleeps; every other rank waits for it in a blocking MPI_Recv. */
#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int rank, size, token = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        sleep((unsigned)atoi(argv[1]));
        for (int i = 1; i < size; i++)
            MPI_Send(&token, 1, MPI_INT, i, 0, MPI_COMM_WORLD);
    } else {
        MPI_Recv(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    MPI_Finalize();
    return 0;
}
EOF
    if "$mpicc" -O2 -o "$tmp/recv-block" "$tmp/recv-block.c" 2>"$tmp/mpicc.err"; then
        measure recv-block 0 "$mpirun" -np "$ranks" --oversubscribe "$tmp/recv-block" "$secs"
        # rank 0 sleeps: the figure per waiting rank is over the other ranks
        b_pct=$(awk -v p="$r_rank_pct" -v n="$ranks" 'BEGIN { printf "%.1f", p * n / (n - 1) }')
        b_mpirun=$r_mpirun_pct
    else
        echo "idle-cpu: mpicc failed, no blocking-receive baseline:" >&2
        cat "$tmp/mpicc.err" >&2
    fi
else
    echo "idle-cpu: no mpicc, no blocking-receive baseline" >&2
fi

echo
printf '%-46s %8s %10s\n' "run (window ${d_window} s)" "per rank" "mpirun"
printf '%-46s %7s%% %9s%%\n' "distmpi -- sleep $secs" "$d_pct" "$d_mpirun"
printf '%-46s %7s%% %9s%%\n' "sh -c 'sleep $secs' (no distmpi)" "$s_pct" "$s_mpirun"
if [ -n "$b_pct" ]; then
    printf '%-46s %7s%% %9s%%\n' "blocking MPI_Recv ($((ranks - 1)) waiting ranks)" "$b_pct" \
        "$b_mpirun"
fi
echo "(percent of one core; distmpi's ranks used $d_cpu s of CPU in all during the window)"
echo
if [ -n "$b_pct" ]; then
    ratio=$(awk -v a="$d_pct" -v b="$b_pct" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "n/a" }')
    echo "distmpi ranks: $d_pct % of a core each; blocking MPI_Recv: $b_pct % (ratio $ratio)"
else
    echo "distmpi ranks: $d_pct % of a core each"
fi
if awk -v p="$d_pct" -v t="$target" 'BEGIN { exit !(p < t) }'; then
    echo "target: under $target % of a core per rank: met"
    exit 0
fi
echo "target: under $target % of a core per rank: MISSED"
exit 1
