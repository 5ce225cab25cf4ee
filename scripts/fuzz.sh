#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fuzz.sh - build distmpi's libFuzzer harnesses (fuzz/) with clang, ASan and
# UBSan, and run each for a bounded time. Fails when any target crashes,
# hangs, leaks, runs out of memory or times out, and says which target and
# where its reproducer is.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30; 0: run the
#                                                  corpora once, no fuzzing)
#
# Environment:
#   FUZZ_DIR      where to build and keep corpora, logs and reproducers
#                 (default: a new directory under $TMPDIR, kept at the end);
#                 never the source tree, which stays untouched
#   FUZZ_TARGETS  the targets to run (default: all), e.g. "tasks junit"
#   FUZZ_JOBS     targets run at the same time (default: the number of cores)
#   CC            the compiler (default clang; it needs libFuzzer, Debian
#                 package libclang-rt-14-dev)
#
# The harnesses compile the parsers' sources (src/*.c) directly, with a
# config.h of their own, so no configure run is needed: a fresh clone and
# scripts/install-deps.sh are enough. See docs/testing.md, "Fuzzing".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
case $secs in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
    ;;
esac
CC=${CC:-clang}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
all_targets="tasks hostfile allocation conffile template junit msg history items"
targets=${FUZZ_TARGETS:-$all_targets}
dir=${FUZZ_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/distmpi-fuzz.XXXXXX")}
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
case $dir/ in
"$top"/*)
    echo "fuzz.sh: FUZZ_DIR must be outside the source tree ($top)" >&2
    exit 2
    ;;
esac

# Longest input per target: enough for every seed and for the structure of
# each format, small enough for many runs a second.
max_len() {
    case $1 in
    junit) echo 16384 ;;
    conffile | tasks | hostfile) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

# The sources each harness reaches (plus what the linker pulls in), as
# FOLDER/MODULE under src/: only the pure modules, no MPI, hwloc or libssh.
modules="common/buf common/error common/fdio mpi/pack mpi/proto model/result model/spec
    model/template model/retryfailed config/tasks config/items config/hostfile config/allocation common/fsutil config/conffile
    config/settings report/junit_merge report/junit_xml report/report_junit report/summary
    common/timeutil common/utf8 health/health health/probe health/watch common/rawdir sched/history_table sched/history
    sched/hostspeed"

say() { printf 'fuzz.sh: %s\n' "$*"; }

# ---------------------------------------------------------------- build
build=$dir/build
mkdir -p "$build/obj" || exit 1
command -v "$CC" >/dev/null 2>&1 || {
    say "$CC not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
}
version=$(sed -n 's/^AC_INIT(\[distmpi\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
# What configure would have put in config.h for these modules.
cat >"$build/config.h" <<EOF
/* config.h for the fuzz harnesses, written by scripts/fuzz.sh */
#define _GNU_SOURCE 1
#define PACKAGE_VERSION "${version:-0}"
#define SYSCONFDIR "/etc"
EOF

pkgs=(libxml-2.0 libconfig jansson)
if ! pkg_cflags=$(pkg-config --cflags "${pkgs[@]}") || ! pkg_libs=$(pkg-config --libs "${pkgs[@]}")
then
    say "pkg-config cannot find ${pkgs[*]} (run scripts/install-deps.sh)" >&2
    exit 1
fi
read -ra pkg_cflags <<<"$pkg_cflags"
read -ra pkg_libs <<<"$pkg_libs"
cflags=(-std=gnu11 -g -O1 "-fsanitize=address,undefined" -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer "-I$build" "-I$top/src" "${pkg_cflags[@]}")

echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' \
    >"$build/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" \
    >"$build/probe.log" 2>&1; then
    cat "$build/probe.log" >&2
    say "$CC cannot build libFuzzer targets (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi

say "building in $build with $CC"
start=$(date +%s)
objs=()
pids=()
for m in $modules; do
    o=${m##*/}
    # coverage instrumentation for libFuzzer, but no main of its own
    "$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$top/src/$m.c" -o "$build/obj/$o.o" \
        2>"$build/obj/$o.log" &
    pids+=($!)
    objs+=("$build/obj/$o.o")
    if [ "${#pids[@]}" -ge "$jobs" ]; then
        wait "${pids[0]}" || { cat "$build/obj"/*.log >&2; say "build failed: $m" >&2; exit 1; }
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || { cat "$build/obj"/*.log >&2; say "build failed" >&2; exit 1; }
done
rm -f "$build/libfuzzsrc.a"
ar cr "$build/libfuzzsrc.a" "${objs[@]}" || exit 1
link=("$build/libfuzzsrc.a" "-Wl,--as-needed" "${pkg_libs[@]}" -lm)
for t in $targets; do
    if [ ! -f "$top/fuzz/fuzz_$t.c" ]; then
        say "no such target: $t (targets: $all_targets)" >&2
        exit 2
    fi
    if ! "$CC" "${cflags[@]}" -fsanitize=fuzzer "$top/fuzz/fuzz_$t.c" "${link[@]}" \
        -o "$build/fuzz_$t"; then
        say "build failed: fuzz_$t" >&2
        exit 1
    fi
done
# the seeds of fuzz_msg come from the current encoders
if ! "$CC" "${cflags[@]}" "$top/fuzz/msg_seeds.c" "${link[@]}" -o "$build/msg_seeds"; then
    say "build failed: msg_seeds" >&2
    exit 1
fi
say "built in $(($(date +%s) - start)) s"

# ---------------------------------------------------------------- run
symbolizer=$(command -v llvm-symbolizer)
for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do
    [ -z "$symbolizer" ] && [ -x "$s" ] && symbolizer=$s
done
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
# leaks inside libraries that distmpi cannot free (see the file)
export LSAN_OPTIONS="suppressions=$top/fuzz/lsan.supp:print_suppressions=0"
export TMPDIR=$dir/tmp # fuzz_conffile's file
mkdir -p "$TMPDIR"

# Run target $1; its log is $dir/logs/$1.log. Exit status: libFuzzer's.
run_target() {
    local t=$1 seeds dict=()
    local work=$dir/corpus/$t art=$dir/artifacts/$t
    mkdir -p "$work" "$art" "$dir/logs"
    seeds=("$top/fuzz/corpus/$t")
    if [ "$t" = msg ]; then
        mkdir -p "$dir/seeds/msg"
        "$build/msg_seeds" "$dir/seeds/msg" >"$dir/logs/$t.log" 2>&1 || return 1
        seeds+=("$dir/seeds/msg")
    fi
    [ -f "$top/fuzz/$t.dict" ] && dict=("-dict=$top/fuzz/$t.dict")
    local mode=("-max_total_time=$secs")
    [ "$secs" -eq 0 ] && mode=("-runs=0")
    # libFuzzer writes new inputs to the first corpus directory only: ours.
    # timeout(1) is the guard against a hang libFuzzer itself cannot see.
    timeout -k 10 $((secs + 300)) "$build/fuzz_$t" "${mode[@]}" -max_len="$(max_len "$t")" \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks=1 \
        -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$work" "${seeds[@]}" \
        >"$dir/logs/$t.log" 2>&1
}

# What went wrong in a failed target's log, on one line.
diagnose() {
    local log=$1 rc=$2
    if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
        echo "hang (one input ran more than 10 s)"
    elif grep -q 'ERROR: libFuzzer: out-of-memory\|ERROR: libFuzzer: malloc' "$log"; then
        echo "out of memory (more than 2048 MB)"
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then
        echo "leak"
    elif grep -q 'ERROR: AddressSanitizer' "$log"; then
        grep -m1 'ERROR: AddressSanitizer' "$log" | sed 's/.*ERROR: AddressSanitizer: //'
    elif grep -q 'runtime error:' "$log"; then
        echo "undefined behaviour: $(grep -m1 'runtime error:' "$log")"
    elif grep -q 'ERROR: libFuzzer: deadly signal' "$log"; then
        echo "crash (deadly signal: an abort() of a harness check or a signal)"
    elif grep -q 'ERROR: libFuzzer: fuzz target exited' "$log"; then
        echo "the code under test exited the process"
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "hang (the whole run took more than $((secs + 300)) s)"
    else
        echo "exit status $rc"
    fi
}

say "running $targets: $secs s each, $jobs at a time; corpora, logs and reproducers in $dir"
failed=()
declare -A pid_of
running=()
finish_one() {
    local p=$1 t=${pid_of[$1]} rc=0
    wait "$p" || rc=$?
    local log=$dir/logs/$t.log
    if [ "$rc" -eq 0 ]; then
        local stats
        stats=$(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
        say "ok     fuzz_$t: ${stats:-?} inputs, $(find "$dir/corpus/$t" -type f | wc -l) new in the corpus"
        return
    fi
    failed+=("$t")
    local repro
    repro=$(grep -o 'Test unit written to .*' "$log" | tail -n 1 | sed 's/Test unit written to //')
    say "FAILED fuzz_$t: $(diagnose "$log" "$rc")"
    grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer' "$log" | sed 's/^/    /'
    say "  log:        $log"
    if [ -n "$repro" ]; then
        say "  reproducer: $repro"
        say "  reproduce:  $build/fuzz_$t $repro"
    fi
}
for t in $targets; do
    run_target "$t" &
    pid_of[$!]=$t
    running+=($!)
    if [ "${#running[@]}" -ge "$jobs" ]; then
        finish_one "${running[0]}"
        running=("${running[@]:1}")
    fi
done
for p in "${running[@]}"; do
    finish_one "$p"
done

if [ "${#failed[@]}" -gt 0 ]; then
    say "failed: ${failed[*]} (of: $targets)"
    exit 1
fi
say "every target passed: $targets"
