#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='distmpi is built, tells its version and help, and starts under mpirun

--help and --version work without mpirun (a plain singleton process) and
under mpirun, print once (rank 0 only), and exit 0.'

# make check runs the scripts from the top build directory: keep the trash
# directories and test-results under tests/, where "make clean" looks.
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

test_expect_success 'the distmpi binary exists and is executable' '
	test -n "$DISTMPI" &&
	test -f "$DISTMPI" &&
	test -x "$DISTMPI"
'

if ! test_have_prereq DISTMPI; then
	skip_all="distmpi binary not found at '$DISTMPI' (build it first)"
	test_done
fi

test_expect_success '--version prints "distmpi VERSION" and exits 0' '
	"$DISTMPI" --version >out 2>err &&
	test_must_be_empty err &&
	test "$(wc -l <out)" -eq 1 &&
	grep -E "^distmpi [0-9]+\.[0-9]+(\.[0-9]+)?" out
'

test_expect_success '-V is --version' '
	"$DISTMPI" -V >out2 2>err &&
	test_must_be_empty err &&
	test_cmp out out2
'

test_expect_success '--help prints usage and every option on stdout, exits 0' '
	"$DISTMPI" --help >help 2>err &&
	test_must_be_empty err &&
	grep "^Usage: " help &&
	for opt in --shards -n --schedule --dry-run --tasks --timeout --kill-grace \
		--retries --backoff --backoff-max --backoff-jitter --run-dir --json \
		--config --help -h --version -V
	do
		grep -E -e "^ +(-[A-Za-z], )?$opt([ ,]|\$)" help >/dev/null ||
		grep -E -e "^ +$opt, " help >/dev/null || {
			echo "option $opt missing from --help" && return 1
		}
	done
'

test_expect_success '-h is --help' '
	"$DISTMPI" -h >help2 2>err &&
	test_must_be_empty err &&
	test_cmp help help2
'

test_expect_success '--help needs no command' '
	"$DISTMPI" --retries 1 --help >help3 2>err &&
	test_cmp help help3
'

test_expect_success MPI '--version under mpirun prints once, exit 0' '
	run_distmpi 2 --version >out3 2>err &&
	test_cmp out out3
'

test_expect_success MPI '--help under mpirun prints once, exit 0' '
	run_distmpi 2 --help >help4 2>err &&
	test_cmp help help4
'

test_expect_success MPI 'a singleton run (no mpirun) runs one shard' '
	"$DISTMPI" -- touch ran.{shard} >out5 2>err &&
	test -f ran.1 &&
	grep "^1 shards\{0,1\}: 1 passed" out5
'

test_expect_success MPI 'a trivial run under mpirun passes' '
	run_distmpi 2 -- true >out4 2>err &&
	grep "^2 shards: 2 passed" out4
'

test_done
