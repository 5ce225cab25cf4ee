#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--timeout ends the whole process group of an attempt

A shard that runs past --timeout is classified "timeout" (exit status 1); its
process group, grandchildren included, gets SIGTERM and, after --kill-grace,
SIGKILL. A process left behind in the group by a shard that exits normally
is killed too. Checks that a process is gone wait for it (up to 10 s); no
check is an upper bound on speed.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

test_expect_success PYTHON 'a shard past --timeout is a timeout; exit 1' '
	test_when_finished "kill_leftover pid.1 shpid.1" &&
	test_expect_code 1 run_distmpi 2 -n 1 --timeout 1 --kill-grace 0.5 --retries 0 \
		--json to.json -- \
		sh -c "echo \$\$ >shpid.{shard}; sleep 100 & echo \$! >pid.{shard}; sleep 100" \
		>out 2>err &&
	json_check to.json "
s = shards[1]
assert s[\"status\"] == \"timeout\", s
assert s[\"attempts\"] == 1, s
assert s[\"exit_code\"] is None, s
assert s[\"attempt_results\"][0][\"outcome\"] == \"timeout\", s
assert s[\"attempt_results\"][0][\"duration\"] >= 0.99, s
assert j[\"summary\"][\"timeout\"] == 1, j[\"summary\"]
assert j[\"exit_status\"] == 1
" &&
	grep "^1 shards\{0,1\}: 0 passed (0 flaky), 0 failed, 1 timed out, " out &&
	grep -E "^\[1/1\] shard 1 timed out" out
'

test_expect_success 'the timed-out shell and its grandchild are gone' '
	test -s pid.1 && test -s shpid.1 &&
	process_gone "$(cat shpid.1)" &&
	process_gone "$(cat pid.1)"
'

test_expect_success PYTHON 'a group that ignores SIGTERM is killed with SIGKILL after the grace' '
	test_when_finished "kill_leftover ign.1" &&
	test_expect_code 1 run_distmpi 2 -n 1 --timeout 0.5 --kill-grace 0.5 --retries 0 \
		--json ign.json -- \
		sh -c "trap \"\" TERM; echo \$\$ >ign.{shard}; while :; do sleep 0.1; done" \
		>out 2>err &&
	process_gone "$(cat ign.1)" &&
	json_check ign.json "
s = shards[1]
assert s[\"status\"] == \"timeout\", s
assert s[\"signal\"] == 9, s
# it was given the grace before the SIGKILL
assert s[\"attempt_results\"][0][\"duration\"] >= 0.99, s
"
'

test_expect_success PYTHON 'a process left in the group by a passing shard is killed' '
	test_when_finished "kill_leftover bg.1" &&
	run_distmpi 2 -n 1 --json bg.json -- \
		sh -c "sleep 100 & echo \$! >bg.{shard}; exit 0" >out 2>err &&
	test -s bg.1 &&
	process_gone "$(cat bg.1)" &&
	test "$(json_get bg.json "j[\"shards\"][0][\"status\"]")" = passed
'

test_expect_success 'a process left in the group by a failing shard is killed' '
	test_when_finished "kill_leftover bgf.1" &&
	test_expect_code 1 run_distmpi 2 -n 1 --retries 0 -- \
		sh -c "sleep 100 & echo \$! >bgf.{shard}; exit 3" >out 2>err &&
	process_gone "$(cat bgf.1)" &&
	grep "shard 1 failed (exit 3)" out
'

test_expect_success PYTHON 'a timed-out attempt is retried; the last one decides' '
	test_expect_code 1 run_distmpi 2 -n 1 --timeout 0.5 --kill-grace 0.1 --retries 1 \
		--backoff 0 --json tr.json -- sleep 100 >out 2>err &&
	json_check tr.json "
s = shards[1]
assert s[\"status\"] == \"timeout\", s
assert s[\"attempts\"] == 2, s
assert [a[\"outcome\"] for a in s[\"attempt_results\"]] == [\"timeout\", \"timeout\"], s
"
'

test_expect_success PYTHON 'a timeout on attempt 1 and a pass on attempt 2 is flaky' '
	run_distmpi 2 -n 1 --timeout 0.5 --kill-grace 0.1 --backoff 0 --json tf.json -- \
		sh -c "test {attempt} -gt 1 || sleep 100" >out 2>err &&
	json_check tf.json "
s = shards[1]
assert s[\"status\"] == \"flaky\", s
assert [a[\"outcome\"] for a in s[\"attempt_results\"]] == [\"timeout\", \"passed\"], s
"
'

test_expect_success 'a shard that ends before its timeout passes' '
	run_distmpi 2 -n 2 --timeout 30 -- sleep 0.1 >out 2>err &&
	grep "^2 shards: 2 passed" out
'

test_expect_success 'fractional timeouts are accepted' '
	test_expect_code 1 run_distmpi 2 -n 1 --timeout 0.25 --kill-grace 0 --retries 0 -- \
		sleep 100 >out 2>err &&
	grep "1 timed out" out
'

test_expect_success 'orphans of an attempt are killed and reaped by the rank (no zombies)' '
	# attempt 1 leaves an orphan in its group and fails; attempt 2, run by
	# the same rank, lists the rank'"'"'s other children, zombies included
	test_when_finished "kill_leftover orphan.1" &&
	run_distmpi 2 -n 1 --backoff 0.2 -- sh -c "
		if test {attempt} -eq 1; then
			(sleep 100 & echo \$! >orphan.{shard}); exit 1
		fi
		sleep 0.3
		ps -o pid=,stat=,args= --ppid \$PPID | grep -v \"^ *\$\$ \" >children.{shard}
		true" >out 2>err &&
	test -s orphan.1 &&
	process_gone "$(cat orphan.1)" &&
	test_must_be_empty children.1
'

test_done
