#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test.sh - install what the tests need, build distmpi and run the whole test
# suite: make check (unit and integration tests), make distcheck, the same
# tests again built with ASan and UBSan (scripts/sanitize.sh), and every fuzz
# target for a bounded time (scripts/fuzz.sh).
#
#   bash scripts/test.sh        (from a clone of the repository, as root on
#                                Debian 12, or as a user who can sudo)
#
# It configures and builds in the source tree, with --enable-werror. Its last
# line is always "N passed, N failed" (and ", N skipped" when tests were
# skipped), counted from the results of make check; its exit status is 0 only
# when every step passed. The counts include the sanitized build's tests and
# one test point per fuzz target. Set DISTMPI_SKIP_DEPS=1 to skip the package
# step, JOBS to change the number of parallel make jobs (default 2),
# CHECK_JOBS the number of tests run at once (default 4: they mostly wait
# on processes, timers and the network, not on the cores),
# FUZZ_SECONDS for each fuzz target's time (default 5; 0 runs the corpora
# only; `bash scripts/fuzz.sh 300` is the long fuzz, by hand), and
# DISTMPI_QUICK=1 to leave out the sanitized build and fuzzing.
#
# What each step runs, so that the whole stays under 20 minutes on 2 cores
# with nothing left untested (docs/testing.md, "How long CI takes"): make
# check runs every test; make distcheck builds, installs and checks the
# tarball with the unit tests and the basic and man page scripts, and the
# tarball is checked to hold every file git tracks (so no test or data file
# is missing from it); the sanitized build runs every unit test and the
# integration tests of tests/sanitize.list.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=${JOBS:-2}
check_jobs=${CHECK_JOBS:-4}
# the sanitized build and the fuzzers work outside the source tree
work=$(mktemp -d "${TMPDIR:-/tmp}/distmpi-test.XXXXXX") || exit 1
export SANITIZE_DIR=$work/sanitize FUZZ_DIR=$work/fuzz

# mpirun refuses root without these; the tests set them too, but make sure.
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# make check prints the log of every test that did not pass
export VERBOSE=1

failed_steps=()

step() {
    local name=$1
    shift
    printf '\n==> %s\n' "$name"
    if "$@"; then
        return 0
    fi
    echo "test.sh: FAILED: $name" >&2
    failed_steps+=("$name")
    return 1
}

# Count the results of make check from the .trs files the automake harness
# writes next to each test's log: one ":test-result:" line per test point
# (each "ok"/"not ok" of a TAP test).
summary() {
    local pass=0 fail=0 skip=0 result trs
    shopt -s nullglob
    for trs in tests/*.trs tests/unit/*.trs "$SANITIZE_DIR"/build/tests/*.trs \
        "$SANITIZE_DIR"/build/tests/unit/*.trs; do
        while read -r _ result _; do
            case $result in
            PASS | XFAIL) pass=$((pass + 1)) ;;
            SKIP) skip=$((skip + 1)) ;;
            *) fail=$((fail + 1)) ;; # FAIL, XPASS, ERROR
            esac
        done < <(grep '^:test-result:' "$trs")
    done
    shopt -u nullglob
    # one test point per fuzz target
    if [ -f "$work/fuzz.out" ]; then
        pass=$((pass + $(grep -c 'ok     fuzz_' "$work/fuzz.out")))
        fail=$((fail + $(grep -c 'FAILED fuzz_' "$work/fuzz.out")))
    fi
    if [ "$skip" -gt 0 ]; then
        echo "$pass passed, $fail failed, $skip skipped"
    else
        echo "$pass passed, $fail failed"
    fi
}

finish() {
    local rc=$1
    [ "${#failed_steps[@]}" -gt 0 ] && rc=1
    echo
    if [ "$rc" -eq 0 ]; then
        echo "test.sh: every step passed"
    else
        echo "test.sh: failed: ${failed_steps[*]:-interrupted}"
    fi
    summary
    exit "$rc"
}
trap 'finish 130' INT
trap 'finish 143' TERM

# Every file git tracks (but .gitignore) is in the tarball make distcheck
# left here: a test or data file left out of EXTRA_DIST shows here, without
# running every test again from the tarball.
# shellcheck disable=SC2317 # called through step
dist_complete() {
    local tarball
    # shellcheck disable=SC2012 # our own tarball's name: no odd characters
    tarball=$(ls -t distmpi-*.tar.gz 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || { echo "test.sh: no distmpi-*.tar.gz" >&2; return 1; }
    if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "test.sh: not a git checkout: the tarball's contents are not compared"
        return 0
    fi
    local missing
    missing=$(comm -13 <(tar tzf "$tarball" | sed 's|^[^/]*/||' | sort) \
        <(git ls-files | grep -v '^\.gitignore$' | sort))
    if [ -n "$missing" ]; then
        echo "test.sh: not in $tarball (add them to EXTRA_DIST or a _DATA variable):" >&2
        echo "$missing" | sed 's/^/  /' >&2
        return 1
    fi
    echo "test.sh: $tarball holds every file git tracks"
}

# Results of an earlier run must not be counted.
rm -f tests/*.trs tests/unit/*.trs tests/*.log tests/unit/*.log test-suite.log

if [ "${DISTMPI_SKIP_DEPS:-0}" != 1 ]; then
    step "install packages (scripts/install-deps.sh)" sh scripts/install-deps.sh || finish 1
fi

step "autoreconf -fi" autoreconf -fi || finish 1
step "./configure --enable-werror" ./configure --enable-werror --quiet || finish 1
step "make -j$jobs" make -j"$jobs" || finish 1

# The namespace-cluster scripts run here, in the first make check; distcheck
# and the sanitized build leave them out (configure --disable-cluster-tests):
# they take minutes each there, and under ASan their 48 ranks on 2 cores
# outlast the tests' time limits.
if step "make -j$check_jobs check" make -j"$check_jobs" check; then
    # the tarball's own build: the unit tests and two scripts (the rest ran
    # above, from the same files: dist_complete shows they are all in it)
    units=$(make -s print-unit-tests)
    step "make -j$jobs distcheck (unit tests, t0000, t0010)" make -j"$jobs" distcheck \
        DISTCHECK_CONFIGURE_FLAGS="--enable-werror --disable-cluster-tests" \
        TESTS="$units tests/t0000-basic.t tests/t0010-manpage.t" &&
        step "the tarball holds every file git tracks" dist_complete
else
    echo "test.sh: make distcheck skipped: make check failed" >&2
fi

if [ "${DISTMPI_QUICK:-0}" != 1 ]; then
    step "ASan and UBSan: unit tests and tests/sanitize.list (scripts/sanitize.sh)" \
        env SANITIZE_SUBSET=1 CHECK_JOBS="$check_jobs" bash scripts/sanitize.sh
    step "fuzz every parser (scripts/fuzz.sh ${FUZZ_SECONDS:-5})" \
        bash -c 'bash scripts/fuzz.sh "$1" 2>&1 | tee "$2"; exit "${PIPESTATUS[0]}"' _ \
        "${FUZZ_SECONDS:-5}" "$work/fuzz.out"
fi

finish 0
