#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='what rank 0 shows while a run goes on: --progress auto|bars|lines|none

Under a terminal (script(1) gives mpirun one, and Open MPI gives rank 0 a
pty) auto draws bars: Overall, Passed, Failed, Time and one bar per host,
redrawn in place, the cursor hidden while they are drawn and shown again at
the end. Without a terminal auto prints a line per finished shard.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
command -v script >/dev/null 2>&1 && test_set_prereq SCRIPT

# on_terminal FILE COMMAND... - run COMMAND with a pseudo-terminal as its
# stdout, keeping what it wrote (escape sequences and all) in FILE
on_terminal() {
	_file=$1
	shift
	TERM=xterm COLUMNS=40 script -qec "$*" "$_file" >/dev/null
}

mpi="$MPIRUN -q -np 2 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1"

test_expect_success SCRIPT 'auto on a terminal: bars, redrawn in place, cursor restored' '
	on_terminal bars.out "$mpi $DISTMPI -n 6 --backoff 0 --retries 0 -- sh -c \"sleep 0.3; test {shard} -ne 4\"" ;
	grep "Overall: 6/6 (100.0%)" bars.out &&
	grep "^Passed: 5" bars.out &&
	grep "^Failed: 1" bars.out &&
	grep "^Time: " bars.out &&
	host=$(hostname) &&
	grep "^$host *\[#*\.*\] [0-9]*/[0-9]*" bars.out &&
	grep "$(printf "\033")\[?25l" bars.out &&
	grep "$(printf "\033")\[?25h" bars.out &&
	grep "$(printf "\033")\[5F" bars.out &&
	! grep "^\[ *[0-9]*/6\] shard" bars.out &&
	grep "^6 shards: 5 passed" bars.out
'

test_expect_success SCRIPT 'the bars fit the terminal width' '
	tr -d "\r" <bars.out | sed "s/$(printf "\033")\[[0-9;?]*[A-Za-z]//g" >plain &&
	grep -v "^Script " plain | awk "length > 39 && /\\[/" >too-long &&
	test_must_be_empty too-long
'

test_expect_success SCRIPT '--progress lines on a terminal: a line per shard, no bars' '
	on_terminal lines.out "$mpi $DISTMPI -n 3 --progress lines -- true" &&
	grep "^\[[0-9]/3\] shard [123] passed" lines.out &&
	! grep "^Overall:" lines.out
'

test_expect_success 'auto without a terminal: a line per shard, no escape sequences' '
	$mpi "$DISTMPI" -n 3 -- true >auto.out 2>err &&
	test "$(grep -c "^\[[0-9]/3\] shard" auto.out)" -eq 3 &&
	! grep "$(printf "\033")" auto.out
'

test_expect_success 'the summary line of lines mode: no ETA while nothing tells one' '
	"$MPIRUN" -q -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		-x DISTMPI_TEST_SUMMARY_EVERY=0.1 "$DISTMPI" -n 1 --progress lines -- sleep 0.6 \
		>summary.out 2>err &&
	grep -E "^distmpi: 0/1 shards done \(0\.0%\), 0 passed, 0 failed, [0-9.]+s\$" summary.out &&
	! grep "ETA" summary.out
'

test_expect_success 'DISTMPI_TEST_SUMMARY_EVERY that is not a number of seconds is said and ignored' '
	"$MPIRUN" -q -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		-x DISTMPI_TEST_SUMMARY_EVERY=soon "$DISTMPI" -n 1 --progress lines -- true \
		>bad-every.out 2>bad-every.err &&
	grep "^distmpi: ignoring DISTMPI_TEST_SUMMARY_EVERY=soon: not 0.01 to 3600 seconds\$" bad-every.err &&
	! grep "shards done" bad-every.out
'

test_expect_success '--progress bars without a terminal draws bars anyway' '
	$mpi "$DISTMPI" -n 2 --progress bars -- true >forced.out 2>err &&
	grep "Overall: 2/2 (100.0%)" forced.out
'

test_expect_success '--progress none: no line per shard, the summary still' '
	$mpi "$DISTMPI" -n 3 --progress none -- true >none.out 2>err &&
	! grep "^\[[0-9]/3\] shard" none.out &&
	! grep "^Overall:" none.out &&
	grep "^3 shards: 3 passed" none.out
'

test_expect_success 'progress = "none"; in the config file, and a bad value refused' '
	printf "progress = \"none\";\nmax_load = 1000000.0;\n" >p.conf &&
	$mpi "$DISTMPI" --config p.conf -n 2 -- true >conf.out 2>err &&
	! grep "^\[[0-9]/2\] shard" conf.out &&
	test_expect_code 2 $mpi "$DISTMPI" --progress fancy -n 2 -- true >bad.out 2>bad.err &&
	grep "^distmpi: --progress: .fancy. is not one of auto|bars|lines|none" bad.err
'

test_done
