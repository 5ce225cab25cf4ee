#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--notify-command: run once at the end, told the outcome

The command runs with /bin/sh -c after the reports are written, with
DISTMPI_EXIT_STATUS, DISTMPI_SUMMARY, DISTMPI_RUN_ID and the reports'"'"'
paths in its environment: after a passing run, a failing one, one stopped
by a signal and one that could not start. Its failure or hang is a
warning and never changes the exit status.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# record.sh: what the notification was told, one variable a line
cat >record.sh <<-\EOF
	#!/bin/sh
	env | grep "^DISTMPI_" | sort >notified
	env >notified.env
	echo "$$" >notify.pid
EOF
chmod +x record.sh

# gone PID: PID is no longer a process (given a few seconds to be reaped
# when its parent was init)
gone() {
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $1 is still there" >&2
	return 1
}

test_expect_success 'after a passing run: status, summary, run id and report paths' '
	run_distmpi 2 -n 3 --json r.json --junit r.xml --run-dir pass \
		--notify-command ./record.sh -- true >out 2>err &&
	grep "^DISTMPI_EXIT_STATUS=0\$" notified &&
	grep "^DISTMPI_SUMMARY=3 shards: 3 passed (0 flaky), 0 failed, .*; [0-9.]*s\$" notified &&
	grep "^DISTMPI_JSON=r.json\$" notified &&
	grep "^DISTMPI_JUNIT=r.xml\$" notified &&
	! grep "^DISTMPI_HTML=" notified &&
	id=$(sed -n "s/^DISTMPI_RUN_ID=//p" notified) &&
	test -n "$id" && grep "\"run_id\":\"$id\"" pass/journal.jsonl &&
	# the reports are there when it runs
	test -s r.json && test -s r.xml &&
	tail -n 1 out | grep "^3 shards: 3 passed"
'

test_expect_success 'its environment has no variable of distmpi'"'"'s own MPI job' '
	run_distmpi 2 -n 2 --notify-command ./record.sh -- true >out 2>err &&
	grep "^DISTMPI_EXIT_STATUS=0\$" notified &&
	! grep -E "^(PMIX_RANK|PMIX_SERVER_URI[0-9]*|OMPI_COMM_WORLD_RANK|OMPI_MCA_orte_hnp_uri)=" notified.env &&
	grep -x "OMPI_MCA_mpi_yield_when_idle=1" notified.env
'

test_expect_success 'after a failing run: its status' '
	test_expect_code 1 run_distmpi 2 -n 2 --retries 0 --notify-command ./record.sh \
		-- sh -c "exit 1" >out 2>err &&
	grep "^DISTMPI_EXIT_STATUS=1\$" notified &&
	grep "^DISTMPI_SUMMARY=2 shards: 0 passed (0 flaky), 2 failed" notified
'

test_expect_success 'a notification that fails is a warning; the status stays' '
	run_distmpi 1 --notify-command "exit 4" -- true >out 2>err &&
	grep "^distmpi: warning: --notify-command: it exited with status 4\$" err &&
	run_distmpi 1 --notify-command "no-such-command-here" -- true >out 2>err &&
	grep "^distmpi: warning: --notify-command: it exited with status 127 (command not found?)\$" err
'

test_expect_success 'one that hangs is stopped after --notify-timeout, with what it started' '
	rm -f notify.pid &&
	run_distmpi 1 --notify-timeout 1 \
		--notify-command "echo \$\$ >notify.pid; sleep 300 & echo \$! >child.pid; wait" \
		-- true >out 2>err &&
	grep "^distmpi: warning: --notify-command: it did not end within 1 s (--notify-timeout) and was stopped\$" err &&
	gone "$(cat notify.pid)" && gone "$(cat child.pid)"
'

test_expect_success 'after a run stopped by a signal' '
	rm -f notified &&
	printf "echo \$PPID >rpid; exec sleep 60\\n" >long.txt &&
	"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 5 \
		"$DISTMPI" --tasks long.txt --notify-command ./record.sh >sig.out 2>&1 &
	pid=$! &&
	wait_for_files 30 rpid &&
	kill -TERM "$(cat rpid)" &&
	{ wait_pid_limit 60 $pid; true; } &&
	grep "^DISTMPI_EXIT_STATUS=143\$" notified
'

test_expect_success 'after a run that could not start, and not after a dry run' '
	rm -f notified &&
	test_expect_code 3 run_distmpi 1 --min-disk-free 100 --notify-command ./record.sh \
		-- true >out 2>err &&
	grep "^DISTMPI_EXIT_STATUS=3\$" notified &&
	grep "^DISTMPI_SUMMARY=nothing ran (exit status 3)\$" notified &&
	rm -f notified &&
	run_distmpi 1 --dry-run --notify-command ./record.sh -- true >out 2>err &&
	! test -e notified &&
	test_expect_code 2 run_distmpi 1 --no-such-option --notify-command ./record.sh -- true \
		>out 2>err &&
	! test -e notified
'

test_expect_success 'the configuration key notify_command' '
	printf "notify_command = \"./record.sh\";\\nnotify_timeout = 5;\\nmax_load = 1000000.0;\\n" >n.conf &&
	rm -f notified &&
	run_distmpi 1 --config n.conf -- true >out 2>err &&
	grep "^DISTMPI_EXIT_STATUS=0\$" notified
'

test_done
