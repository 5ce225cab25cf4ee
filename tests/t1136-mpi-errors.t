#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='MPI calls that fail: a clear error and exit status 3

A library preloaded into every rank makes one MPI call fail (it stands in
for an MPI that returns an error): distmpi says which call failed and
exits with 3, the status of an infrastructure failure, instead of going on
as if it had worked.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
command -v mpicc >/dev/null 2>&1 && test_set_prereq MPICC

# failing.so: MPI_Comm_set_errhandler fails when FAIL_MPI=errhandler,
# MPI_Get_count when FAIL_MPI=count; otherwise both do their work.
# !SANITIZED: an ASan binary refuses a library preloaded ahead of its runtime
test_expect_success MPICC,!SANITIZED 'build a library that makes an MPI call fail' '
	cat >failing.c <<-\EOF &&
	#include <mpi.h>
	#include <stdlib.h>
	#include <string.h>
	static int failing(const char *name)
	{
	    const char *f = getenv("FAIL_MPI");
	    return f && !strcmp(f, name);
	}
	int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler h)
	{
	    return failing("errhandler") ? MPI_ERR_COMM : PMPI_Comm_set_errhandler(comm, h);
	}
	int MPI_Get_count(const MPI_Status *st, MPI_Datatype t, int *count)
	{
	    return failing("count") ? MPI_ERR_TYPE : PMPI_Get_count(st, t, count);
	}
	EOF
	mpicc -shared -fPIC -o failing.so failing.c &&
	test_set_prereq FAILING
'

# run_failing CALL NP ARGS... - distmpi with CALL failing on every rank (60 s
# at most: a run that goes on regardless must not hang the test). The
# library is preloaded by name (LD_PRELOAD splits paths at spaces, and the
# trash directory has one).
run_failing() {
	_call=$1 _np=$2
	shift 2
	timeout 60 "$MPIRUN" -np "$_np" --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		--mca odls_base_sigkill_timeout 0 -x LD_PRELOAD=failing.so \
		-x LD_LIBRARY_PATH="$PWD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" -x FAIL_MPI="$_call" \
		"$DISTMPI" "$@"
}

test_expect_success FAILING 'the library changes nothing unless asked' '
	run_failing none 2 -n 2 -- true >out 2>err &&
	grep "^2 shards: 2 passed" out
'

test_expect_success FAILING 'MPI_Comm_set_errhandler failing: exit 3, nothing runs' '
	test_expect_code 3 run_failing errhandler 2 -n 2 -- touch ran.{shard} >out 2>err &&
	grep "^distmpi: cannot have MPI errors returned (MPI_Comm_set_errhandler: " err &&
	test ! -e ran.1 && test ! -e ran.2
'

# The first message a worker takes (its first shard) cannot be measured.
test_expect_success FAILING 'MPI_Get_count failing: exit 3, the message named' '
	test_expect_code 3 run_failing count 2 -n 4 -- true >out 2>err &&
	grep -E "^distmpi: (rank [0-9]+ on .*: )?MPI_Get_count of a message \(tag [0-9]+\) from rank [0-9]+: " err
'

test_done
