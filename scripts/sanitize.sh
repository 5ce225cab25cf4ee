#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sanitize.sh - build distmpi with AddressSanitizer and UndefinedBehaviorSanitizer
# (configure --enable-sanitizers --enable-werror) in a fresh directory out of
# the source tree, and run make check there: the unit tests and the shell
# tests, whose mpirun starts the sanitized distmpi.
#
#   bash scripts/sanitize.sh        (after scripts/install-deps.sh; as root,
#                                    like scripts/test.sh, or as a user)
#
# The source tree is left alone, configured or not: its files (those git
# knows of, or all of them outside a git checkout) are copied to
# $SANITIZE_DIR/src and autoreconf'd there; the build is $SANITIZE_DIR/build.
# Environment: SANITIZE_DIR (default: a new directory under $TMPDIR, kept),
# JOBS (parallel make jobs, default 2), CHECK_JOBS (parallel tests, default
# JOBS), CC (default: configure's choice), SANITIZE_CLUSTER_TESTS=1 to run
# the namespace-cluster scripts too, SANITIZE_SUBSET=1 to run every unit
# test and only the integration tests of tests/sanitize.list (what
# scripts/test.sh does).
#
# Any sanitizer report aborts the process that made it, so the test that ran
# it fails; leaks inside Open MPI and other libraries are suppressed
# (tests/lsan.supp), distmpi's own are reported. The last line is
# "N passed, N failed" (and ", N skipped"), as for scripts/test.sh.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
dir=${SANITIZE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/distmpi-sanitize.XXXXXX")}
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
case $dir/ in
"$top"/*)
    echo "sanitize.sh: SANITIZE_DIR must be outside the source tree ($top)" >&2
    exit 2
    ;;
esac
src=$dir/src
build=$dir/build

if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export VERBOSE=1 # make check prints the log of every test that did not pass

step() {
    printf '\n==> %s\n' "$*"
    "$@"
}

fail() {
    echo "sanitize.sh: FAILED: $*" >&2
    exit 1
}

# Count the results like scripts/test.sh: one per TAP test point.
summary() {
    local pass=0 fail=0 skip=0 result trs
    shopt -s nullglob
    for trs in "$build"/tests/*.trs "$build"/tests/unit/*.trs; do
        while read -r _ result _; do
            case $result in
            PASS | XFAIL) pass=$((pass + 1)) ;;
            SKIP) skip=$((skip + 1)) ;;
            *) fail=$((fail + 1)) ;;
            esac
        done < <(grep '^:test-result:' "$trs")
    done
    shopt -u nullglob
    if [ "$skip" -gt 0 ]; then
        echo "$pass passed, $fail failed, $skip skipped"
    else
        echo "$pass passed, $fail failed"
    fi
}

echo "sanitize.sh: sources in $src, build in $build"
rm -rf "$src" "$build"
mkdir -p "$src" "$build" || exit 1
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # tracked files and new ones not ignored: the sources, never build output
    (cd "$top" && git ls-files -z -c -o --exclude-standard | tar --null -T - -cf -) |
        tar -C "$src" -xf - || fail "copying the sources"
else
    (cd "$top" && tar -cf - .) | tar -C "$src" -xf - || fail "copying the sources"
    if [ -f "$src/config.status" ]; then
        (cd "$src" && make distclean >/dev/null) || fail "make distclean in the copy"
    fi
fi

cd "$src" || exit 1
step autoreconf -fi || fail "autoreconf -fi"
cd "$build" || exit 1
# The namespace-cluster scripts are left out (48 ranks under ASan on 2 cores
# outlast their time limits) unless SANITIZE_CLUSTER_TESTS=1.
cluster=--disable-cluster-tests
[ "${SANITIZE_CLUSTER_TESTS:-0}" = 1 ] && cluster=
step "$src/configure" --enable-sanitizers --enable-werror --quiet $cluster ${CC:+CC="$CC"} ||
    fail "configure --enable-sanitizers --enable-werror"
step make -j"$jobs" || fail "make"
rc=0
if [ "${SANITIZE_SUBSET:-0}" = 1 ]; then
    # every unit test and the integration tests of tests/sanitize.list
    units=$(make -s print-unit-tests) || fail "make print-unit-tests"
    shells=$(grep -v '^#' "$src/tests/sanitize.list") || fail "reading tests/sanitize.list"
    step make -j"${CHECK_JOBS:-$jobs}" check TESTS="$units $shells" || rc=1
else
    step make -j"${CHECK_JOBS:-$jobs}" check || rc=1
fi
echo
if [ "$rc" -eq 0 ]; then
    echo "sanitize.sh: make check passed under ASan and UBSan"
else
    echo "sanitize.sh: FAILED: make check under ASan and UBSan (logs in $build/tests)"
fi
summary
exit "$rc"
