# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034,SC2154 # bench_name is the caller's; r_* are for the caller
# common.sh - what bench/dispatch.sh, startup.sh and scale.sh share: finding
# distmpi and the baselines, a temporary directory removed at exit (kept
# with BENCH_KEEP=1, for a look at the runs), timing a command, medians and
# ratios. Sourced (bash), not run; the script sets
# bench_name first.

die() {
    echo "$bench_name: $*" >&2
    exit 2
}

note() {
    echo "$bench_name: $*"
}

bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# distmpi is $DISTMPI, else src/distmpi of the build tree the script is run
# from (or of the source tree it is in), else distmpi on PATH.
if [ -n "${DISTMPI:-}" ]; then
    distmpi=$DISTMPI
elif [ -x src/distmpi ]; then
    distmpi=$PWD/src/distmpi
elif [ -x "$bench_here/src/distmpi" ]; then
    distmpi=$bench_here/src/distmpi
elif command -v distmpi >/dev/null 2>&1; then
    distmpi=$(command -v distmpi)
else
    die "no distmpi: build it (make), or set DISTMPI=/path/to/distmpi"
fi
[ -x "$distmpi" ] || die "$distmpi is not executable"
mpirun=${MPIRUN:-mpirun}
command -v "$mpirun" >/dev/null 2>&1 || die "mpirun not found (set MPIRUN)"

if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$bench_name.XXXXXX")
bench_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
    if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
        # its children first (xargs under sh -c, mpirun under timeout)
        pkill -TERM -P "$bench_pid" 2>/dev/null || true
        kill -TERM "$bench_pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$bench_pid" 2>/dev/null || true
    fi
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "$bench_name: BENCH_KEEP is set: the runs are kept in $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap bench_cleanup EXIT
trap 'exit 2' INT TERM

# bench_tool NAME COMPILER: the path of the baseline program NAME: the one
# built by make in the build tree of $distmpi or of the current directory
# (bench/NAME), else bench/NAME.c compiled here with COMPILER into $tmp.
bench_tool() {
    local name=$1 cc=$2 dir
    for dir in "$(dirname "$distmpi")/../bench" "$PWD/bench" "$bench_here/bench"; do
        if [ -x "$dir/$name" ]; then
            echo "$dir/$name"
            return
        fi
    done
    [ -f "$bench_here/bench/$name.c" ] || die "no $name and no bench/$name.c to build it from"
    command -v "$cc" >/dev/null 2>&1 || die "no $name: run make, or install $cc"
    "$cc" -O2 -o "$tmp/$name" "$bench_here/bench/$name.c" >"$tmp/$name.err" 2>&1 || {
        cat "$tmp/$name.err" >&2
        die "$cc could not build $name"
    }
    echo "$tmp/$name"
}

now() {
    date +%s.%N
}

# timed OUT COMMAND...: run COMMAND in $tmp, its output in OUT, and set
# r_secs (wall-clock seconds) and r_rc (its exit status).
timed() {
    local out=$1 t0 t1
    shift
    t0=$(now)
    r_rc=0
    (cd "$tmp" && exec "$@") >"$out" 2>&1 &
    bench_pid=$!
    wait "$bench_pid" || r_rc=$?
    bench_pid=
    t1=$(now)
    r_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# median NUMBER...: the median (the mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2];
              else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPRESSION [VAR=VALUE]...: an awk expression, printed.
calc() {
    local expr=$1 args=() a
    shift
    for a in "$@"; do
        args+=(-v "$a")
    done
    awk "${args[@]}" "BEGIN { print $expr }"
}

whole_number() {
    case $2 in '' | *[!0-9]*) die "$1 must be a whole number, not '$2'" ;; esac
}

loadavg() {
    cut -d' ' -f1-3 /proc/loadavg
}

bench_header() {
    note "$(nproc) cores; $("$distmpi" --version); $("$mpirun" --version 2>/dev/null | head -n 1)"
    note "load average before: $(loadavg) (other work on this machine slows every run alike)"
}
