#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='every exit status, passed through mpirun

0 every shard passed; 1 a shard failed, timed out or crashed; 2 usage error;
3 infrastructure failure (a command that could not be executed, which is not
retried), which outranks 1; 128+N when rank 0 is stopped by signal N (and 1
when mpirun itself is interrupted, as mpirun exits with its own status). The
status of mpirun is rank 0'"'"'s, and the JSON report records the same one.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# status_is N NP ARGS... - distmpi on NP ranks exits N, and the JSON report
# (r.json, written when PYTHON is there) says the same.
status_is() {
	_want=$1
	shift
	_np=$1
	shift
	rm -f r.json &&
	test_expect_code "$_want" run_distmpi "$_np" --json r.json "$@" >out 2>err &&
	if test_have_prereq PYTHON; then
		test "$(json_get r.json "j[\"exit_status\"]")" = "$_want"
	fi
}

test_expect_success 'exit 0: every shard passed' '
	status_is 0 2 -n 3 -- true &&
	test_must_be_empty err
'

test_expect_success 'exit 0: flaky shards count as passed' '
	status_is 0 2 -n 2 --backoff 0 -- sh -c "test {attempt} -gt 1"
'

test_expect_success 'exit 1: a shard failed' '
	status_is 1 2 -n 3 --backoff 0 -- sh -c "test {shard} -ne 2" &&
	grep "shard 2 failed (exit 1) after 3 attempts" out
'

test_expect_success 'a failure exit status above 128 is still a failure, not a crash' '
	status_is 1 1 -n 1 --retries 0 -- sh -c "exit 139" &&
	grep "shard 1 failed (exit 139)" out
'

test_expect_success 'exit 1: a shard timed out' '
	status_is 1 2 -n 1 --timeout 0.3 --kill-grace 0.1 --retries 0 -- sleep 30 &&
	grep "1 timed out" out
'

test_expect_success PYTHON 'exit 1: a shard crashed (SIGSEGV), classified crashed' '
	status_is 1 2 -n 2 --backoff 0 -- sh -c "test {shard} -eq 1 || kill -SEGV \$\$" &&
	json_check r.json "
s = shards[2]
assert s[\"status\"] == \"crashed\", s
assert s[\"signal\"] == 11 and s[\"exit_code\"] is None, s
assert s[\"attempts\"] == 3, s
assert j[\"summary\"][\"crashed\"] == 1
" &&
	grep "1 crashed" out
'

test_expect_success PYTHON 'a shard killed by SIGKILL is crashed too' '
	status_is 1 1 -n 1 --retries 0 -- sh -c "kill -KILL \$\$" &&
	json_check r.json "
s = shards[1]
assert s[\"status\"] == \"crashed\" and s[\"signal\"] == 9, s
"
'

test_expect_success 'exit 2: usage error' '
	test_expect_code 2 run_distmpi 2 --shards 0 -- true >out 2>err &&
	test_expect_code 2 run_distmpi 2 --no-such-option -- true >out 2>err
'

test_expect_success PYTHON 'exit 3: command not found is an exec error, not retried' '
	status_is 3 2 -n 2 --backoff 0 -- /nonexistent/cmd &&
	json_check r.json "
for n in (1, 2):
    s = shards[n]
    assert s[\"status\"] == \"exec_error\", s
    assert s[\"attempts\"] == 1, s
    assert s[\"error\"], s
assert j[\"summary\"][\"exec_error\"] == 2 and j[\"summary\"][\"retries\"] == 0
" &&
	grep -E "^\[[ 0-9]+/2\] shard 1 exec error" out &&
	grep "2 exec errors, 0 lost; 0 retries" out
'

test_expect_success 'exit 3: a command name not found on PATH' '
	status_is 3 2 -n 1 -- no-such-command-distmpi-test
'

test_expect_success 'exit 3: a file that is not executable' '
	printf "#!/bin/sh\nexit 0\n" >not-exec.sh &&
	chmod 644 not-exec.sh &&
	status_is 3 2 -n 1 -- ./not-exec.sh &&
	grep "shard 1 exec error" out
'

test_expect_success 'exit 3: a directory as the command' '
	mkdir a-directory &&
	status_is 3 1 -n 1 -- ./a-directory
'

test_expect_success 'exit 3 outranks 1: one shard fails, one cannot be executed' '
	mkdir prog-1 &&
	printf "#!/bin/sh\nexit 1\n" >prog-1/run &&
	chmod +x prog-1/run &&
	status_is 3 2 -n 2 --backoff 0 -- ./prog-{shard}/run &&
	grep "shard 1 failed (exit 1)" out &&
	grep "shard 2 exec error" out
'

test_expect_success 'in command mode an exit status of 127 is a failure, not an exec error' '
	status_is 1 1 -n 1 --retries 0 -- sh -c "exit 127" &&
	grep "shard 1 failed (exit 127)" out
'

test_expect_success 'exit 3 outranks 1 in task mode' '
	printf "exit 1\n/nonexistent/cmd\ntrue\n" >mixed.tasks &&
	status_is 3 2 --tasks mixed.tasks --backoff 0
'

test_expect_success 'without mpirun the exit statuses are the same' '
	test_expect_code 0 "$DISTMPI" -- true >out 2>err &&
	test_expect_code 1 "$DISTMPI" --retries 0 -- false >out 2>err &&
	test_expect_code 2 "$DISTMPI" -n 0 -- true >out 2>err &&
	test_expect_code 3 "$DISTMPI" -- /nonexistent/cmd >out 2>err
'

test_expect_success 'mpirun reports a non-zero status in its banner on stderr' '
	test_expect_code 1 run_distmpi 2 --retries 0 -- false >out 2>err &&
	grep -i "exit code" err &&
	! grep -i "exit code" out
'

# A background job of a non-interactive shell starts with SIGINT ignored;
# GNU env can set it back to the default, so that mpirun can be interrupted.
env --default-signal=INT true 2>/dev/null && test_set_prereq ENV_DEFAULT_SIGNAL

# interrupted_run NP SIG WHO - start a run of long shards, send signal SIG to
# WHO (rank0 or mpirun) once every shard is running, and leave mpirun's
# status in the file status. Shards write their pids to spid.*; rank pids
# (the shards' parents) to rpid.*.
interrupted_run() {
	rm -f spid.* rpid.* int.json status &&
	env --default-signal=INT "$MPIRUN" -np "$1" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 $MPIRUN_EXTRA "$DISTMPI" -n "$1" --json int.json -- \
		sh -c "echo \$PPID >rpid.{rank}; echo \$\$ >spid.{shard}; exec sleep 60" \
		>out 2>err &
	_mp=$!
	wait_for_files 20 rpid.0 $(for i in $(test_seq 1 "$1"); do echo spid.$i; done) || {
		kill -KILL $_mp; wait $_mp; return 1
	}
	case $3 in
	rank0) kill "-$2" "$(cat rpid.0)" ;;
	mpirun)
		kill "-$2" $_mp
		# Open MPI 4.1.4 now and then drops a signal that reaches mpirun
		# soon after the launch (its ranks were never told; seen under
		# load): send it once more if mpirun is still there 10 s later
		_i=0
		while pid_running $_mp && test $_i -lt 100; do
			sleep 0.1
			_i=$((_i + 1))
		done
		! pid_running $_mp || kill "-$2" $_mp
		;;
	esac
	wait_pid_limit 30 $_mp
	echo $? >status
}

test_expect_success PYTHON 'SIGTERM to rank 0: exit 143, shards interrupted, summary printed' '
	test_when_finished "kill_leftover spid.1 spid.2" &&
	interrupted_run 2 TERM rank0 &&
	test "$(cat status)" -eq 143 &&
	grep "2 interrupted" out &&
	json_check int.json "
assert [s[\"status\"] for s in j[\"shards\"]] == [\"interrupted\"] * 2, j[\"shards\"]
assert j[\"summary\"][\"interrupted\"] == 2, j[\"summary\"]
"
'

test_expect_success PYTHON 'SIGTERM to rank 0: the interrupted shards have their host' '
	host=$(hostname) &&
	json_check int.json "
for s in j[\"shards\"]:
    assert s[\"host\"] == \"$host\" and s[\"rank\"] in (0, 1), s
assert [h[\"interrupted\"] for h in j[\"hosts\"]] == [2], j[\"hosts\"]
" &&
	grep "^  host .* busy interrupted$" out &&
	grep "^  total  .* 2$" out &&
	grep "^  shard 1: interrupted on $host rank [01] before it finished$" out
'

test_expect_success 'SIGTERM to rank 0: the shards are gone' '
	process_gone "$(cat spid.1)" &&
	process_gone "$(cat spid.2)"
'

test_expect_success PYTHON 'SIGTERM to rank 0: the JSON report records exit status 143' '
	test "$(json_get int.json "j[\"exit_status\"]")" = 143
'

test_expect_success ENV_DEFAULT_SIGNAL 'SIGINT to mpirun: mpirun exits 1' '
	test_when_finished "kill_leftover spid.1 spid.2" &&
	interrupted_run 2 INT mpirun &&
	test "$(cat status)" -eq 1
'

test_expect_success ENV_DEFAULT_SIGNAL 'SIGINT to mpirun: the shards are gone' '
	process_gone "$(cat spid.1)" &&
	process_gone "$(cat spid.2)"
'

# On SIGINT Open MPI 4.1.4 sends each rank SIGCONT, then SIGTERM and SIGKILL
# odls_base_sigkill_timeout seconds apart; with its default the SIGKILL comes
# within milliseconds and rank 0 cannot finish its summary. distmpi(1)
# SIGNALS tells users to give the ranks time, as this run does.
test_expect_success PYTHON,ENV_DEFAULT_SIGNAL 'SIGINT to mpirun with a kill grace: summary and report complete' '
	test_when_finished "kill_leftover spid.1 spid.2" &&
	MPIRUN_EXTRA="--mca odls_base_sigkill_timeout 5" interrupted_run 2 INT mpirun &&
	test "$(cat status)" -eq 1 &&
	grep "^2 shards: .*2 interrupted" out &&
	json_check int.json "
assert [s[\"status\"] for s in j[\"shards\"]] == [\"interrupted\"] * 2, j[\"shards\"]
assert j[\"exit_status\"] == 143, j[\"exit_status\"]
" &&
	! ls -A | grep "^int\.json\..*tmp"
'

test_done
