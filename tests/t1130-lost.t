#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='lost ranks: --heartbeat-timeout

Workers send heartbeats; a rank that says nothing for --heartbeat-timeout
seconds (here: stopped with SIGSTOP) is lost. Its shards move to the other
ranks (not counted as retries), the run completes with every shard
accounted for, the summary and JSON name the lost rank, the exit status is
3, and rank 0 then ends the job itself, since MPI cannot be finalized
without the lost rank: mpirun, killed, exits 137 and nothing is left over.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# lost_run FILE ARGS... - 3 ranks, shards record their rank pid (rpid.RANK);
# rank 2 is stopped as soon as its first shard runs. mpirun's status goes to
# FILE.status.
lost_run() {
	_lost_out=$1
	shift
	rm -f rpid.* ran.* "$_lost_out".status
	"$MPIRUN" -np 3 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		"$DISTMPI" --progress lines "$@" -- \
		sh -c "echo \$PPID >rpid.{rank}; sleep 1; echo x >>ran.{shard}; echo {rank} >\"\$DISTMPI_OUTPUT_DIR/by\"" \
		>"$_lost_out" 2>"$_lost_out".err &
	_lost_mp=$!
	wait_for_files 30 rpid.2 || { kill -KILL $_lost_mp; wait $_lost_mp; return 1; }
	kill -STOP "$(cat rpid.2)"
	wait_pid_limit 60 $_lost_mp
	echo $? >"$_lost_out".status
}

test_expect_success 'a stopped rank is declared lost and its shard runs elsewhere' '
	lost_run out -n 6 --heartbeat-timeout 2 --json lost.json &&
	grep "^distmpi: rank 2 on .* lost: silent for [0-9]* s (--heartbeat-timeout 2); shard [0-9]* moves to other ranks" out &&
	grep "^6 shards: 6 passed" out &&
	grep -A2 "^Lost (silent for --heartbeat-timeout 2 s):" out | grep "rank 2 on" &&
	for s in 1 2 3 4 5 6; do test -s ran.$s || return 1; done
'

test_expect_success PYTHON 'the JSON report: exit status 3, the lost rank, the moved shard' '
	json_check lost.json "
assert j[\"exit_status\"] == 3, j[\"exit_status\"]
assert [l[\"rank\"] for l in j[\"lost_ranks\"]] == [2], j[\"lost_ranks\"]
moved = [s for s in j[\"shards\"] if s[\"moved\"]]
assert len(moved) == 1 and moved[0][\"status\"] == \"passed\", moved
assert moved[0][\"rank\"] in (0, 1) and moved[0][\"attempts\"] == 1, moved
"
'

# The copy on the stopped rank goes on (only the rank is stopped), in the
# same run directory: the copy that replaces it numbers its attempts after
# the 1 + --retries the lost copy may use, so neither empties the other's
# output directory.
test_expect_success PYTHON 'the moved copy does not reuse the lost copy'"'"'s attempt directories' '
	lost_run mv -n 6 --heartbeat-timeout 2 --retries 1 --run-dir rd --json mv.json &&
	json_check mv.json "
import os
moved = [s for s in j[\"shards\"] if s[\"moved\"]]
assert len(moved) == 1, moved
m = moved[0]
assert [a[\"attempt\"] for a in m[\"attempt_results\"]] == [3], m
d = \"rd/shard-%d\" % m[\"shard\"]
dirs = sorted(e for e in os.listdir(d) if os.path.isdir(d + \"/\" + e))
assert dirs == [\"attempt-1\", \"attempt-3\"], dirs
assert open(d + \"/attempt-1/by\").read() == \"2\\n\", \"the lost copy lost its file\"
assert open(d + \"/attempt-3/by\").read() == \"%d\\n\" % m[\"rank\"]
assert m[\"log\"] is None, m[\"log\"] # it printed nothing
"
'

test_expect_success 'rank 0 ended the job: mpirun killed, no rank left' '
	test "$(cat out.status)" -eq 137 &&
	grep "ending the job without the lost ranks (exit status 3)" out &&
	process_gone "$(cat rpid.0)" && process_gone "$(cat rpid.1)" && process_gone "$(cat rpid.2)"
'

# distmpi launch names a status file in a directory of its own; rank 0
# creates it new, so whatever is there already was put there by someone else.
test_expect_success 'rank 0 creates DISTMPI_STATUS_FILE with its exit status' '
	(
		DISTMPI_STATUS_FILE=$PWD/new.status && export DISTMPI_STATUS_FILE &&
		lost_run sf -n 6 --heartbeat-timeout 2
	) &&
	test "$(cat sf.status)" -eq 137 &&
	test "$(cat new.status)" = 3 &&
	test "$(stat -c %a new.status)" = 600
'

test_expect_success 'a link planted as DISTMPI_STATUS_FILE is refused, its target untouched' '
	echo precious >victim &&
	ln -s "$PWD/victim" planted &&
	(
		DISTMPI_STATUS_FILE=$PWD/planted && export DISTMPI_STATUS_FILE &&
		lost_run pl -n 6 --heartbeat-timeout 2
	) &&
	test "$(cat pl.status)" -eq 137 &&
	grep "ending the job without the lost ranks (exit status 3)" pl &&
	test "$(cat victim)" = precious &&
	test -L planted &&
	grep "^distmpi: cannot write the exit status to DISTMPI_STATUS_FILE $PWD/planted: File exists (what is there is left alone)$" pl.err
'

test_expect_success 'a static plan moves the lost rank'"'"'s planned shards too' '
	lost_run st -n 9 --schedule static --heartbeat-timeout 2 --json st.json &&
	grep "^9 shards: 9 passed" st &&
	for s in 1 2 3 4 5 6 7 8 9; do test -s ran.$s || return 1; done
'

test_expect_success PYTHON 'the lost rank'"'"'s own result, sent after it wakes, is not counted' '
	json_check st.json "
assert all(s[\"rank\"] != 2 for s in j[\"shards\"]), [s[\"rank\"] for s in j[\"shards\"]]
"
'

test_expect_success '--heartbeat-timeout 0: nobody is ever lost' '
	rm -f rpid.*
	"$MPIRUN" -np 2 --oversubscribe --bind-to none "$DISTMPI" -n 2 --heartbeat-timeout 0 -- \
		sh -c "echo \$PPID >rpid.{rank}; sleep 2" >zero 2>&1 &
	mp=$! &&
	wait_for_files 30 rpid.1 &&
	kill -STOP "$(cat rpid.1)" && sleep 1 && kill -CONT "$(cat rpid.1)" &&
	wait_pid_limit 60 $mp &&
	! grep "lost:" zero &&
	grep "^2 shards: 2 passed" zero
'

# Rank 0 itself stopped (the machine was suspended, say) for longer than the
# heartbeat timeout: the others spoke meanwhile, rank 0 was not listening,
# and what they said shows only a moment after it goes on. Nobody is lost.
test_expect_success 'rank 0 stopped for longer than the timeout: nobody is lost' '
	rm -f rpid.* release &&
	"$MPIRUN" -np 3 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		"$DISTMPI" --progress lines -n 3 --heartbeat-timeout 2 -- \
		sh -c "echo \$PPID >rpid.{rank}; test {rank} = 0 || until test -e release; do sleep 0.1; done" \
		>stall 2>stall.err &
	mp=$! &&
	wait_for_files 30 rpid.0 rpid.1 rpid.2 &&
	kill -STOP "$(cat rpid.0)" &&
	sleep 5 &&
	kill -CONT "$(cat rpid.0)" &&
	sleep 1 &&
	touch release &&
	wait_pid_limit 60 $mp &&
	! grep "lost:" stall &&
	grep "^3 shards: 3 passed" stall
'

# wait_grep SECONDS PATTERN FILE - wait until FILE has a line matching the
# extended regular expression PATTERN; fails after SECONDS.
wait_grep() {
	_i=0
	until grep -E -e "$2" "$3" >/dev/null 2>&1; do
		_i=$((_i + 1))
		if test $_i -gt $(($1 * 10)); then
			echo "no line /$2/ in $3 after $1 s"
			return 1
		fi
		sleep 0.1
	done
}

# Rank 0 gives a lost rank's shard to a rank that is stopped but not yet
# lost: the message (its task line is longer than Open MPI's eager limits,
# 4 KiB in shared memory, 64 KiB over TCP) completes only once that rank
# takes it, which it never does. 4 ranks, 4 shards; what a shard does
# depends on its rank: rank 0's are short, ranks 1 and 3 run until
# "release" exists, rank 2 until "go" exists. Rank 3 is stopped; 2 s later
# rank 2 ends its shard, and once rank 0 has recorded that, rank 2 is
# stopped too: it holds no shard and rank 0 heard from it last, so rank 3
# is lost first and its shard goes to rank 2 (rank 1 is busy). Rank 2 is
# lost in its turn and the shard runs on rank 0.
test_expect_success 'a send to a lost rank that never completes does not hang rank 0' '
	rm -f rpid.* release go &&
	pad=$(head -c 70000 /dev/zero | tr "\\0" x) &&
	for i in 1 2 3 4; do
		echo "echo \$PPID >rpid.{rank}; sh ./hold.sh {rank} $pad" || return 1
	done >tasks &&
	cat >hold.sh <<-\EOF &&
	wait_for() {
		i=0
		until test -e "$1"; do
			i=$((i + 1)) && test $i -lt 900 || exit 9
			sleep 0.1
		done
	}
	case $1 in
	0) sleep 0.3 ;;
	2) wait_for go ;;
	*) wait_for release ;;
	esac
	EOF
	"$MPIRUN" -np 4 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		"$DISTMPI" --progress lines --heartbeat-timeout 6 --tasks tasks --run-dir sends \
		--json sends.json >sends.out 2>sends.err &
	mp=$! &&
	wait_for_files 30 rpid.0 rpid.1 rpid.2 rpid.3 &&
	wait_grep 30 "\"rank\": *0," sends/journal.jsonl &&
	kill -STOP "$(cat rpid.3)" &&
	sleep 2 &&
	touch go &&
	wait_grep 30 "\"rank\": *2," sends/journal.jsonl &&
	kill -STOP "$(cat rpid.2)" &&
	wait_grep 60 "^distmpi: rank 2 on .* lost: " sends.out &&
	touch release &&
	{ wait_pid_limit 60 $mp; echo $? >sends.status; } &&
	cat sends.err &&
	moved=$(sed -n "s/^distmpi: rank 3 on .* lost: .*; shard \\([0-9]\\) moves to other ranks.*/\\1/p" sends.out) &&
	echo "rank 3 held shard $moved" &&
	grep "^distmpi: rank 2 on .* lost: .*; shard $moved moves to other ranks" sends.out &&
	test "$(cat sends.status)" -eq 137 &&
	grep "^distmpi: gave up 1 message to lost rank 2 (host .*)" sends.err &&
	grep "^4 shards: 4 passed" sends.out &&
	grep "ending the job without the lost ranks (exit status 3)" sends.out &&
	for r in 0 1 2 3; do process_gone "$(cat rpid.$r)" || return 1; done
'

test_done
