#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='ranks of different builds: refused at start-up by name

Every rank tells rank 0 the protocol version it speaks in its host record.
A rank of another version (faked with the test-only variable
DISTMPI_TEST_PROTOCOL_VERSION, set for one rank of an MPMD launch) is
refused before anything runs, with one error naming the rank, its host and
both versions, and exit status 3, instead of a malformed message later.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# mixed_run NP_PLAIN NP_FAKED VERSION ARGS... - NP_PLAIN ranks as built,
# then NP_FAKED ranks speaking protocol VERSION, all with ARGS (60 s at
# most: a run that goes on regardless must not hang the test).
mixed_run() {
	_plain=$1 _faked=$2 _version=$3
	shift 3
	timeout 60 "$MPIRUN" --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		--mca odls_base_sigkill_timeout 0 \
		-np "$_plain" "$DISTMPI" "$@" : \
		-np "$_faked" env DISTMPI_TEST_PROTOCOL_VERSION="$_version" "$DISTMPI" "$@"
}

version_error='every rank must run the same build of distmpi$'

test_expect_success 'a worker of another protocol version: refused by name, exit 3, nothing runs' '
	test_expect_code 3 mixed_run 2 1 999 -n 3 -- touch ran.{shard} >out 2>err &&
	test_one_error err "^distmpi: rank 0: rank 2 on [^ ]+ runs distmpi [^ ]+, protocol version 999; rank 0 runs distmpi [^ ]+, protocol version [0-9]+: $version_error" &&
	! ls ran.* 2>/dev/null &&
	! test -e distmpi-runs
'

test_expect_success 'rank 0 of another version: the first other rank is named' '
	test_expect_code 3 timeout 60 "$MPIRUN" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		-np 1 env DISTMPI_TEST_PROTOCOL_VERSION=1000 "$DISTMPI" -n 3 -- touch ran.{shard} : \
		-np 2 "$DISTMPI" -n 3 -- touch ran.{shard} >out 2>err &&
	test_one_error err "^distmpi: rank 0: rank 1 on [^ ]+ runs distmpi [^ ]+, protocol version [0-9]+; rank 0 runs distmpi [^ ]+, protocol version 1000: $version_error" &&
	! ls ran.* 2>/dev/null
'

test_expect_success 'every rank of the same (faked) version: the run goes on' '
	run_distmpi_x 3 DISTMPI_TEST_PROTOCOL_VERSION=999 -n 3 -- touch ran.{shard} >out 2>err &&
	grep "^3 shards: 3 passed" out &&
	test -e ran.1 && test -e ran.2 && test -e ran.3
'

test_expect_success 'a value that is not a number is said and ignored' '
	mixed_run 1 1 seven -n 2 -- true >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	grep "^distmpi: ignoring DISTMPI_TEST_PROTOCOL_VERSION=seven: not a number" err
'

test_done
