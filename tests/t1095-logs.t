#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='logs on rank 0: --logs DIR, --max-log-bytes, --stream

Every attempt'"'"'s stdout and stderr travel to rank 0 in bounded MPI messages
and are stored there as DIR/shard-N/attempt-A.log, whichever rank ran the
shard. Output beyond --max-log-bytes keeps its head and its tail with a
notice of what was left out between them, and rank 0'"'"'s memory does not grow
with what the shards print. --stream shows each line as it comes, prefixed
with host and shard, stripped of terminal escapes.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
command -v script >/dev/null 2>&1 && test_set_prereq SCRIPT

host=$(hostname)

test_expect_success 'logs of every rank are stored under --logs on rank 0' '
	run_distmpi 3 -n 6 --run-dir rd --logs lg -- \
		sh -c "echo out {shard} rank \$DISTMPI_RANK; echo err {shard} >&2" >out 2>err &&
	for s in 1 2 3 4 5 6; do
		grep -x "err $s" lg/shard-$s/attempt-1.log &&
		grep "^out $s rank [012]\$" lg/shard-$s/attempt-1.log || return 1
	done &&
	cat lg/shard-*/attempt-1.log >all &&
	grep -c "rank 1\$" all && grep -c "rank 2\$" all &&
	test ! -e rd/shard-1/attempt-1.log &&
	test -d rd/shard-1/attempt-1 &&
	grep "logs in $PWD/lg on $host" out
'

test_expect_success 'each retry has its own log' '
	run_distmpi 2 -n 2 --logs retry --backoff 0 --retries 2 -- \
		sh -c "echo attempt \$DISTMPI_ATTEMPT; test {shard} -ne 2" >out 2>err;
	test $? -eq 1 &&
	grep -x "attempt 1" retry/shard-2/attempt-1.log &&
	grep -x "attempt 3" retry/shard-2/attempt-3.log &&
	test ! -e retry/shard-1/attempt-2.log
'

test_expect_success 'output is stored byte for byte (NUL bytes, no final newline)' '
	printf "a\0b\377\nlast" >expect &&
	run_distmpi 2 -n 2 --logs bin -- sh -c "printf \"a\\\\0b\\\\377\\\\nlast\"" >out 2>err &&
	cmp expect bin/shard-1/attempt-1.log &&
	cmp expect bin/shard-2/attempt-1.log
'

# a quiet attempt costs no inode on rank 0 (docs/performance.md): no file,
# and the reports name none; a file of that name from an earlier run in the
# same --logs directory goes, and a link there is neither followed nor named
test_expect_success 'an attempt that prints nothing has no log, nor an old one' '
	mkdir -p empty/shard-1 empty/shard-2 &&
	echo old run >empty/shard-1/attempt-1.log &&
	echo victim >victim &&
	ln -s ../../victim empty/shard-2/attempt-1.log &&
	test_expect_code 1 run_distmpi 2 -n 2 --retries 0 --logs empty --json e.json -- \
		sh -c "test {shard} -eq 1" >out 2>err &&
	test ! -e empty/shard-1/attempt-1.log &&
	test -L empty/shard-2/attempt-1.log &&
	echo victim >expect && test_cmp expect victim &&
	grep "shard 2: failed (exit 1) after 1 attempt on .*; no output stored\$" out &&
	grep "\"log\": null" e.json
'

test_expect_success 'an exec error is explained in the log' '
	test_expect_code 3 run_distmpi 2 -n 2 --logs ee -- ./no-such-program >out 2>err &&
	grep "distmpi: cannot run ./no-such-program: No such file or directory" ee/shard-2/attempt-1.log
'

test_expect_success 'the JSON report points at the logs on rank 0' '
	run_distmpi 2 -n 2 --logs jl --json r.json -- echo hi >out 2>err &&
	grep "\"log\": \"$PWD/jl/shard-1/attempt-1.log\"" r.json &&
	grep "\"log\": \"$PWD/jl/shard-2/attempt-1.log\"" r.json
'

# 100 MB from each of 2 shards, one on rank 0 and one on rank 1, through a
# 1 MiB cap
flood='head -c 1000 /dev/zero | tr "\0" h; echo; yes line-of-output | head -c 100000000; echo; echo the-very-end'

test_expect_success '100 MB of output: the log keeps 1 MiB, head and tail' '
	run_distmpi 2 -n 2 --logs big --max-log-bytes 1048576 -- sh -c "$flood" >out 2>err &&
	for s in 1 2; do
		f=big/shard-$s/attempt-1.log &&
		size=$(wc -c <"$f") &&
		test "$size" -gt 1048576 && test "$size" -lt 1049000 &&
		head -c 1000 "$f" | grep -x "hhhh*" &&
		tail -n 1 "$f" | grep -x the-very-end &&
		grep -a "^\[distmpi: 98952439 bytes of output omitted here; --max-log-bytes keeps the first and the last 524288\]\$" "$f" || return 1
	done
'

# peak memory of the process it runs, in KiB
cat >maxrss.py <<-\PY
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY

# run_measured FILE ARGS... - 2 ranks, rank 0 under maxrss.py
run_measured() {
	_file=$1
	shift
	"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		python3 maxrss.py "$_file" "$DISTMPI" "$@" : \
		-np 1 --oversubscribe --bind-to none "$DISTMPI" "$@"
}

test_expect_success PYTHON 'rank 0 memory stays flat while shards print 100 MB each' '
	run_measured small.rss -n 4 --logs m1 --max-log-bytes 1048576 -- sh -c "echo hi" >out 2>err &&
	run_measured big.rss -n 4 --logs m2 --max-log-bytes 1048576 -- sh -c "$flood" >out 2>err &&
	test "$(wc -c <m2/shard-4/attempt-1.log)" -lt 1049000 &&
	small=$(cat small.rss) && big=$(cat big.rss) &&
	echo "rank 0 peak: $small KiB quiet, $big KiB with 400 MB of output" &&
	test "$big" -lt $((small + 16384))
'

test_expect_success 'a shard whose daemon keeps its stdout open still finishes' '
	run_distmpi 1 -n 1 --logs daemon -- \
		sh -c "setsid sh -c \"while echo tick; do sleep 0.2; done\" & echo started" >out 2>err &&
	grep -x started daemon/shard-1/attempt-1.log
'

test_expect_success '--stream: each line prefixed with host and shard, escapes dropped' '
	run_distmpi 2 -n 3 --stream --logs st --backoff 0 -- \
		sh -c "printf \"\033[31mred {shard}\033[0m\r\nplain {shard}\"; test {shard} -ne 3 || test \$DISTMPI_ATTEMPT -gt 1" \
		>out 2>err &&
	grep -x "\[$host shard 1\] red 1" out &&
	grep -x "\[$host shard 2\] plain 2" out &&
	grep -x "\[$host shard 3\] red 3" out &&
	grep -x "\[$host shard 3, attempt 2\] plain 3" out &&
	! grep "$(printf "\033")" out &&
	grep "^\[[0-9]/3\] shard 3 flaky" out
'

test_expect_success '--stream shows output past the cap that the log leaves out' '
	run_distmpi 2 -n 1 --stream --logs sc --max-log-bytes 1024 -- \
		sh -c "seq 1 2000" >out 2>err &&
	test "$(grep -c "^\[$host shard 1\] [0-9]*\$" out)" -eq 2000 &&
	! grep -x 1000 sc/shard-1/attempt-1.log
'

test_expect_success 'without --stream no shard output reaches the terminal' '
	run_distmpi 2 -n 2 --logs quiet -- printf "%s-%s\n" hidden {shard} >out 2>err &&
	! grep hidden- out && ! grep hidden- err &&
	grep -x hidden-1 quiet/shard-1/attempt-1.log
'

test_expect_success SCRIPT '--stream above the bars on a terminal' '
	TERM=xterm COLUMNS=60 script -qec "$MPIRUN -q -np 2 --oversubscribe --bind-to none \
		$DISTMPI -n 4 --stream -- sh -c \"echo streamed-{shard}; sleep 0.2\"" st.tty >/dev/null &&
	tr -d "\r" <st.tty | sed "s/$(printf "\033")\[[0-9;?]*[A-Za-z]//g" >plain &&
	for s in 1 2 3 4; do grep "^\[$host shard $s\] streamed-$s\$" plain || return 1; done &&
	grep "Overall: 4/4 (100.0%)" plain
'

test_expect_success 'the failure in the JUnit report carries the log tail' '
	test_expect_code 1 run_distmpi 2 -n 2 --retries 0 --logs ju --junit j.xml -- \
		sh -c "printf \"boom-{shard} \\074here\\076\\n\"; test {shard} -ne 2" >out 2>err &&
	grep "boom-2 &lt;here&gt;" j.xml &&
	! grep "boom-1" j.xml
'

test_expect_success '--max-log-bytes below 1024 is refused' '
	test_expect_code 2 run_distmpi 1 --max-log-bytes 10 -- true >out 2>err &&
	grep "max-log-bytes" err
'

test_done
