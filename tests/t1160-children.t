#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='a shard gets only what it should, and nothing it starts outlives a stop

A shard starts with descriptors 0 (/dev/null), 1 and 2 (one pipe to distmpi)
and no other, whatever Open MPI and the libraries hold open in the rank: the
shards below list their own /proc/PID/fd. A signal that stops the run, and
a second one that ends rank 0 at once, kill the shard and what it started in
process groups of its own (set -m, setsid): the rank is their subreaper.
Checks that a process is gone wait for it (up to 10 s); no check is an
upper bound on speed.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
# dash has no job control without a terminal: set -m needs bash
command -v bash >/dev/null 2>&1 && test_set_prereq BASH
# tests/preload/failcall.so (make check builds it) makes one call fail;
# ASan refuses to run with a library preloaded before its own
failcall=$DISTMPI_BUILDDIR/tests/preload/failcall.so
test -f "$failcall" && ! test_have_prereq SANITIZED && test_set_prereq FAILCALL

# run_failing CALL NP ARGS... - run_distmpi with FAILCALL=CALL preloaded in
# the ranks (see tests/preload/failcall.c)
run_failing() {
	_call=$1
	_np=$2
	shift 2
	"$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		-x LD_PRELOAD="$failcall" -x FAILCALL="$_call" "$DISTMPI" "$@"
}

# check_fds RUNDIR SHARD... - each shard printed (see list_fds) exactly the
# descriptors 0 1 2, 0 on /dev/null, and 1 and 2 on the same pipe
check_fds() {
	_dir=$1
	shift
	for _s in "$@"; do
		_log=$_dir/shard-$_s/attempt-1.log
		test "$(sed -n 1,/^end$/p "$_log" | tr "\n" " ")" = "0 1 2 end " &&
		test "$(sed -n 5p "$_log")" = /dev/null &&
		sed -n 6p "$_log" | grep "^pipe:" >/dev/null &&
		test "$(sed -n 6p "$_log")" = "$(sed -n 7p "$_log")" || {
			echo "shard $_s: not just 0 (/dev/null), 1 and 2 (one pipe):"
			cat "$_log"
			return 1
		}
	done
}

# the shell lists its own descriptors; ls and readlink run in children of
# it, without redirections (dash would keep a copy of the descriptor it
# redirects), and not as the last command (the shell would exec it)
list_fds='ls /proc/$$/fd; echo end; readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2; :'

test_expect_success 'command mode: a shard has descriptors 0, 1 and 2 only' '
	run_distmpi 2 -n 6 --run-dir cmd -- sh -c "$list_fds" >out 2>err &&
	grep "^6 shards: 6 passed" out &&
	check_fds cmd 1 2 3 4 5 6
'

test_expect_success 'task mode: a shard has descriptors 0, 1 and 2 only' '
	for i in 1 2 3 4; do echo "$list_fds" || return 1; done >fds.tasks &&
	run_distmpi 2 --tasks fds.tasks --run-dir tasks >out 2>err &&
	grep "^4 shards: 4 passed" out &&
	check_fds tasks 1 2 3 4
'

test_expect_success FAILCALL 'without close_range the descriptors are closed all the same' '
	run_failing close_range 2 -n 4 --run-dir noclose -- sh -c "$list_fds" >out 2>err &&
	grep "^4 shards: 4 passed" out &&
	check_fds noclose 1 2 3 4
'

# exec_error_with CALL WHY - with CALL failing once, one of two shards is an
# exec error (exit status 3) whose error is WHY, and the other one passes
exec_error_with() {
	test_expect_code 3 run_failing "$1" 1 -n 2 --retries 0 --json fail.json -- \
		sh -c "sleep 0.2" >out 2>err &&
	grep "^2 shards: 1 passed .* 1 exec error" out &&
	json_get fail.json "[s[\"error\"] for s in j[\"shards\"] if s[\"status\"] == \"exec_error\"]" >errors &&
	echo "$2" >expect &&
	test_cmp expect errors
}

test_expect_success FAILCALL 'fcntl(O_NONBLOCK) failing on the output pipe is an exec error' '
	exec_error_with fcntl-setfl "cannot make the output pipe non-blocking: Bad file descriptor"
'

test_expect_success FAILCALL 'epoll_ctl failing on the output pipe is an exec error' '
	exec_error_with epoll_ctl-add "cannot watch the output pipe (epoll_ctl): Cannot allocate memory"
'

test_expect_success FAILCALL 'epoll_ctl failing on the pidfd is an exec error' '
	exec_error_with epoll_ctl-add:2 \
		"cannot watch the shard'"'"'s process (epoll_ctl): Cannot allocate memory"
'

# failcall.so says so on stderr when a group is signalled after its leader
# was reaped: by then another process may have been given that pid
test_expect_success FAILCALL 'a shard'"'"'s group is killed before the shard is reaped, never after' '
	test_expect_code 1 run_failing kill-after-reap 2 -n 6 --retries 1 --backoff 0 \
		--timeout 2 --kill-grace 0.2 -- \
		sh -c "sleep 100 & case {shard} in 1) exit 1;; 2) exec sleep 100;; esac" >out 2>err &&
	grep "^6 shards: 4 passed (0 flaky), 1 failed, 1 timed out" out &&
	! grep "^failcall:" err
'

test_expect_success FAILCALL 'a rank that cannot be the subreaper of its shards does not start' '
	rm -f ran.* &&
	test_expect_code 3 run_failing prctl-subreaper 1 -n 2 -- touch ran.{shard} >out 2>err &&
	grep "^distmpi: cannot set up the shards.* runner: Invalid argument" err &&
	test "$(count_files ran.*)" -eq 0
'

test_expect_success FAILCALL 'a rank that cannot catch the signals does not start' '
	rm -f ran.* &&
	test_expect_code 3 run_failing sigaction 1 -n 2 -- touch ran.{shard} >out 2>err &&
	grep "^distmpi: cannot catch SIGINT, SIGTERM and SIGHUP: Invalid argument" err &&
	test "$(count_files ran.*)" -eq 0
'

# Each shard starts a sleep in a job of its own (set -m) and one in a session
# of its own (setsid), records their pids, and waits; rank 0 is stopped, gets
# two signals, and goes on: the second ends it at once.
escape='set -m; sleep 1000 & echo $! >job.{shard}; setsid sh -c "echo \$\$ >sess.{shard}; exec sleep 1001" & echo $$ >sh.{shard}; echo $PPID >rank.{rank}; wait'

test_expect_success 'a second signal to rank 0 kills what its shard started in other groups' '
	rm -f job.* sess.* sh.* rank.* &&
	test_when_finished "kill_leftover job.1 sess.1 sh.1" &&
	{ "$MPIRUN" -np 1 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 30 \
		"$DISTMPI" -n 1 --run-dir twice -- bash -c "$escape" >out 2>err & } &&
	pid=$! &&
	wait_for_files 30 rank.0 job.1 sess.1 sh.1 &&
	# the job and the session really are groups of their own
	test "$(ps -o pgid= -p "$(cat job.1)")" -eq "$(cat job.1)" &&
	test "$(ps -o sid= -p "$(cat sess.1)")" -eq "$(cat sess.1)" &&
	r0=$(cat rank.0) &&
	kill -STOP $r0 && kill -INT $r0 && kill -TERM $r0 && kill -CONT $r0 &&
	{ wait_pid_limit 30 $pid; true; } &&
	grep "^distmpi: second signal: stopping at once" err &&
	process_gone "$(cat sh.1)" &&
	process_gone "$(cat job.1)" &&
	process_gone "$(cat sess.1)"
'

test_expect_success 'two SIGINTs to rank 0 in a row: nothing the shards started is left' '
	rm -f job.* sess.* sh.* rank.* &&
	test_when_finished "kill_leftover job.1 sess.1 sh.1 job.2 sess.2 sh.2" &&
	{ "$MPIRUN" -np 2 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 30 \
		"$DISTMPI" -n 2 --run-dir sigint -- bash -c "$escape" >out 2>err & } &&
	pid=$! &&
	wait_for_files 30 rank.0 job.1 sess.1 sh.1 job.2 sess.2 sh.2 &&
	r0=$(cat rank.0) &&
	kill -INT $r0 && kill -INT $r0 &&
	{ wait_pid_limit 30 $pid; true; } &&
	for s in 1 2; do
		process_gone "$(cat sh.$s)" &&
		process_gone "$(cat job.$s)" &&
		process_gone "$(cat sess.$s)" || return 1
	done
'

test_expect_success 'one signal stops the run and ends what the shards started, everywhere' '
	rm -f job.* sess.* sh.* rank.* &&
	test_when_finished "kill_leftover job.1 sess.1 sh.1 job.2 sess.2 sh.2" &&
	{ run_distmpi_graceful 2 -n 2 --run-dir once -- bash -c "$escape" >out 2>err & } &&
	pid=$! &&
	wait_for_files 30 rank.0 job.1 sess.1 sh.1 job.2 sess.2 sh.2 &&
	kill -INT "$(cat rank.0)" &&
	{ wait_pid_limit 30 $pid; true; } &&
	grep "^distmpi: stopped by signal 2" err &&
	! grep "second signal" err &&
	for s in 1 2; do
		process_gone "$(cat sh.$s)" &&
		process_gone "$(cat job.$s)" &&
		process_gone "$(cat sess.$s)" || return 1
	done
'

test_done
