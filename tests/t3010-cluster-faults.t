#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='faults across real hosts: a daemon killed, a link cut

Each test builds its own cluster of four hosts in network namespaces
(tests/sharness.d/cluster.sh: node1 16 cores, node2 24, node3 4, node4 4),
breaks one host in the middle of a real mpirun, and tears the cluster down
again, checking that nothing of it is left.

- node3'"'"'s Open MPI daemon (orted) is killed: Open MPI aborts the whole
  job, the journal holds every shard rank 0 showed as finished, and
  --resume runs exactly the shards the journal does not settle.
- node3'"'"'s link goes down: rank 0 hears nothing from its ranks for
  --heartbeat-timeout seconds, declares them lost, moves their shards to
  the other hosts, finishes the run, and ends the job itself with exit
  status 3 in its reports.

Needs root; skipped with the reason where namespaces cannot be created, a
failure instead when CI=true.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the JSON reports"
	test_done
fi
cluster_start_or_skip

trash=$PWD
limits="--max-load 1000000 --max-memory-used 100"

# new_cluster - a fresh cluster for this test, torn down (and checked to be
# gone) when the test ends, and hostfiles: hosts2 (2 slots per host).
new_cluster() {
	test_when_finished cluster_down_checked &&
	{ cluster_up 16 24 4 4 || { echo "$CLUSTER_ERROR"; false; }; } &&
	cluster_hostfile 2 >hosts2
}

# start_run NAME ARGS... - distmpi on every rank of hosts2 through mpirun on
# node1, in the background (at most 180 s); its PID in run_pid, its output
# in NAME.out and NAME.err.
start_run() {
	_name=$1
	shift
	on_host 1 timeout -k 10 180 "$CLUSTER_MPIRUN" -hostfile hosts2 "$DISTMPI" \
		--progress lines $limits "$@" </dev/null >"$_name.out" 2>"$_name.err" &
	run_pid=$!
}

# results_in JOURNAL - how many results the journal holds (all lines but the
# first, which is the run's identity).
results_in() {
	if test -f "$1"; then
		echo $(($(wc -l <"$1") - 1))
	else
		echo 0
	fi
}

# wait_results JOURNAL N - wait (up to 120 s) until JOURNAL holds N results.
wait_results() {
	_i=0
	while test "$(results_in "$1")" -lt "$2"; do
		_i=$((_i + 1))
		if test $_i -gt 1200; then
			echo "$1 has $(results_in "$1") results after 120 s, not $2"
			return 1
		fi
		sleep 0.1
	done
}

# job_gone [COMM...] - within 20 s no rank, daemon or shard is left in any
# host of $CLUSTER_HOSTS: no process but the sshds (and those named COMM).
job_gone() {
	_i=0
	while :; do
		_left=
		for _h in $CLUSTER_HOSTS; do
			for _p in $(cluster_pids $_h); do
				_comm=$(cat /proc/$_p/comm 2>/dev/null)
				case " sshd $* " in
				*" $_comm "*) continue ;;
				esac
				test -n "$_comm" && pid_running $_p && _left="$_left $_h:$_p:$_comm"
			done
		done
		test -z "$_left" && return 0
		_i=$((_i + 1))
		if test $_i -gt 200; then
			echo "left after the job:$_left"
			return 1
		fi
		sleep 0.1
	done
}

# The shards: sleep a little (0.3 to 0.6 s), then append where they ran
# (their output directory, so the run, and the host) to marks/SHARD.
mkdir marks
shard='sleep 0.$(({shard} % 4 + 3)); echo "$DISTMPI_OUTPUT_DIR $(hostname)" >>"$1/{shard}"'

test_expect_success 'node3'"'"'s orted killed mid-run: mpirun aborts the whole job' '
	new_cluster &&
	start_run k1 -n 48 --run-dir "$trash/k1" -- sh -c "$shard" sh "$trash/marks" &&
	wait_results k1/journal.jsonl 6 &&
	cluster_kill_orted 3 KILL &&
	{ wait_pid_limit 150 $run_pid; echo $? >k1.status; } &&
	cat k1.out k1.err &&
	echo "mpirun exit status $(cat k1.status)" &&
	test "$(cat k1.status)" -ne 0 && test "$(cat k1.status)" -ne 124 &&
	grep "ORTE has lost communication with a remote daemon" k1.err &&
	job_gone &&
	test "$(results_in k1/journal.jsonl)" -lt 48
'

test_expect_success 'the journal holds every shard rank 0 showed as finished' '
	sed -n "s/^\[ *[0-9]*\/48\] shard \([0-9]*\) passed on .*/\1/p" k1.out | sort -n >shown &&
	test -s shown &&
	python3 - k1/journal.jsonl >journaled <<-\EOF &&
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])]
	for r in sorted(lines[1:], key=lambda r: r["shard"]):
	    assert r["status"] == "passed", r
	    print(r["shard"])
	EOF
	# results are written at once and shown after the next fsync, a batch
	# at a time: an abort can fall between the two, so the journal may
	# hold results the screen never showed, never the other way round
	sort shown >shown.s && sort journaled >journaled.s &&
	comm -23 shown.s journaled.s >shown-not-journaled &&
	{ ! test -s shown-not-journaled || { echo "shown, not in the journal:"; cat shown-not-journaled; false; }; } &&
	# and they really ran, in that run
	while read s; do
		grep "/k1/shard-[0-9]*/attempt-1 node[1-4]$" marks/$s || return 1
	done <journaled
'

test_expect_success '--resume runs exactly the shards the journal does not settle' '
	new_cluster &&
	on_host 1 timeout -k 10 180 "$CLUSTER_MPIRUN" -hostfile hosts2 "$DISTMPI" --progress lines \
		$limits --resume k1/journal.jsonl --run-dir "$trash/k2" --json k2.json \
		-- sh -c "$shard" sh "$trash/marks" </dev/null >k2.out 2>k2.err &&
	done1=$(wc -l <journaled) &&
	grep "k1/journal.jsonl: $done1 shards settled there are not run again; $((48 - done1)) to run" k2.out &&
	grep "^48 shards: 48 passed" k2.out &&
	for s in $(test_seq 1 48); do
		n2=$(grep -c "/k2/shard-" marks/$s; :) &&
		if grep -x $s journaled >/dev/null; then
			test $n2 -eq 0 || { echo "shard $s ran again"; return 1; }
		else
			test $n2 -eq 1 || { echo "shard $s ran $n2 times in the resumed run"; return 1; }
		fi || return 1
	done &&
	json_check k2.json "
assert j[\"summary\"][\"passed\"] == 48, j[\"summary\"]
carried = sorted(s[\"shard\"] for s in j[\"shards\"] if s[\"carried\"])
assert carried == [int(x) for x in open(\"journaled\")], carried
assert all(s[\"host\"] in (\"node1\", \"node2\", \"node3\", \"node4\") for s in j[\"shards\"]), j[\"shards\"]
"
'

# ------------------------------------------------------- a link goes down

# The shards of the link tests take 1 s each, so that node3's ranks are in
# the middle of one when its link goes down.
slow='sleep 1; echo "$DISTMPI_OUTPUT_DIR $(hostname)" >>"$1/{shard}"'

# cut_node3 JOURNAL NAME - once JOURNAL holds 4 results, take node3's link
# down (the bridge side of its veth) and wait for the job ($run_pid): it
# must end within 60 s of the cut (--heartbeat-timeout 4 plus the rest of
# the work, plus a margin for a loaded machine; without lost-rank detection
# Open MPI would wait some 8 minutes for its TCP keepalive). Its exit
# status goes to NAME.status.
cut_node3() {
	wait_results "$1" 4 &&
	cluster_link_down 3 &&
	{ wait_pid_limit 60 $run_pid; echo $? >"$2.status"; } &&
	cat "$2.out" &&
	echo "exit status $(cat "$2.status")"
}

# gone_then_gone - the job is gone from node1, node2 and node4 (but for
# mpirun'"'"'s ssh to node3'"'"'s daemon, stuck on the dead link), and once node3'"'"'s
# link is back, from node3 too (its ranks and daemon could not be told while
# it was cut off) and the ssh client.
gone_then_gone() {
	_save=$CLUSTER_HOSTS
	CLUSTER_HOSTS="node1 node2 node4"
	job_gone ssh
	_st=$?
	CLUSTER_HOSTS=$_save
	test $_st = 0 &&
	cluster_link_up 3 &&
	job_gone
}

test_expect_success 'node3'"'"'s link down mid-run: the others finish, exit status 3' '
	new_cluster &&
	mkdir ld-marks &&
	start_run ld -n 24 --heartbeat-timeout 4 --run-dir "$trash/ld" --json ld.json \
		-- sh -c "$slow" sh "$trash/ld-marks" &&
	cut_node3 ld/journal.jsonl ld &&
	# rank 0 ended the job by killing mpirun
	test "$(cat ld.status)" = 137 &&
	grep "^distmpi: ending the job without the lost ranks (exit status 3)$" ld.out &&
	grep "^24 shards: 24 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost" ld.out &&
	gone_then_gone
'

test_expect_success 'node3'"'"'s ranks are reported lost, in the output and the JSON report' '
	grep -E "^distmpi: rank [0-9]+ on node3 lost: silent for [0-9.]+ s \(--heartbeat-timeout 4\)" ld.out >lost &&
	test "$(wc -l <lost)" -eq 2 &&
	sed -n "/^Lost (silent for --heartbeat-timeout 4 s):$/,/^$/p" ld.out >block &&
	test "$(grep -c "^  rank [0-9]* on node3$" block)" -eq 2 &&
	json_check ld.json "
assert j[\"exit_status\"] == 3, j[\"exit_status\"]
lost = j[\"lost_ranks\"]
assert len(lost) == 2 and all(r[\"host\"] == \"node3\" for r in lost), lost
assert j[\"summary\"][\"passed\"] == 24 and j[\"summary\"][\"lost\"] == 0, j[\"summary\"]
"
'

test_expect_success 'their shards were moved to the other hosts and nothing was lost' '
	sed -n "s/.*; shards\{0,1\} \([0-9, ]*\) moves\{0,1\} to other ranks.*/\1/p" lost |
		tr ", " "\n\n" | grep . | sort -n >moved &&
	test -s moved &&
	json_check ld.json "
moved = [int(x) for x in open(\"moved\")]
assert sorted(s[\"shard\"] for s in j[\"shards\"] if s[\"moved\"]) == moved, (moved, j[\"shards\"])
for s in j[\"shards\"]:
    assert s[\"status\"] == \"passed\", s
    if s[\"moved\"]:
        assert s[\"moved\"] == 1 and s[\"host\"] != \"node3\", s
" &&
	python3 - ld/journal.jsonl <<-\EOF &&
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])][1:]
	assert sorted(r["shard"] for r in lines) == list(range(1, 25)), lines
	assert all(r["status"] == "passed" for r in lines), lines
	EOF
	# every shard ran where the report says; a moved one, in the shared run
	# directory, in attempt-4 (after the 1 + --retries 2 numbers the copy
	# cut off on node3 may use), never in the cut-off copy'"'"'s attempt-1
	json_check ld.json "
import os
for s in j[\"shards\"]:
    ran = [l.rstrip(\"\\n\").rsplit(\" \", 1) for l in open(os.path.join(\"ld-marks\", str(s[\"shard\"])))]
    assert s[\"host\"] in [h for d, h in ran], (s, ran)
    if s[\"moved\"]:
        assert [a[\"attempt\"] for a in s[\"attempt_results\"]] == [4], s
        for d, h in ran:
            assert d.endswith(\"/attempt-1\" if h == \"node3\" else \"/attempt-4\"), (s, ran)
"
'

test_expect_success 'launch: node3'"'"'s link down mid-run, launch exits 3' '
	new_cluster &&
	mkdir la-marks &&
	{
		on_host 1 env DISTMPI_MPIRUN="$CLUSTER_MPIRUN" timeout -k 10 180 "$DISTMPI" launch \
			--hostfile hosts2 --ssh-config "$CLUSTER_SSH_CONFIG" --connect-timeout 3 $limits -- \
			-n 24 --heartbeat-timeout 4 --progress lines $limits --run-dir "$trash/la" \
			--json la.json -- sh -c "$slow" sh "$trash/la-marks" </dev/null >la.out 2>la.err &
	} &&
	run_pid=$! &&
	cut_node3 la/journal.jsonl la &&
	test "$(cat la.status)" = 3 &&
	grep "^Health Summary: 4/4 hosts healthy$" la.out &&
	grep "^distmpi: ending the job without the lost ranks (exit status 3)$" la.out &&
	json_check la.json "
assert j[\"exit_status\"] == 3 and j[\"summary\"][\"passed\"] == 24, j[\"summary\"]
assert {r[\"host\"] for r in j[\"lost_ranks\"]} == {\"node3\"}, j[\"lost_ranks\"]
" &&
	gone_then_gone
'

test_done
