#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--speculate: a second copy of the last shard, counted once

When nothing is left to hand out, an idle slot runs a second copy of the
shard predicted to finish last (without a history: the one that has run
longest, once it has run a second). The first copy to pass counts: the
shard is in the journal, the JSON and JUnit reports and the summary exactly
once, and the other copy is ended the way a timeout ends an attempt (its
process group gets SIGTERM) and recorded as superseded, with its own
attempt directory and log. A copy that fails waits for the other: a pass of
the other makes the shard flaky, a failure of both fails it. A copy whose
rank is lost leaves the other running alone. --resume after such a run
runs nothing again.

Each slow shard below is slow only for the copy that starts first (it
makes a directory the second cannot make), or waits for a file or a line
of the output that the other copy or rank 0 makes: no assertion is about
time.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the reports and the journal"
	test_done
fi

# wait_for WHAT: a shell loop (for a task line) that waits up to 60 s for
# the test WHAT to hold.
wait_for() {
	echo "i=0; while ! $1 && test \$i -lt 600; do sleep 0.1; i=\$((i + 1)); done"
}

# The first copy sleeps (its sh and its sleep write their pids, its sh
# notes SIGTERM); the second passes at once.
slow_first='if mkdir first.d 2>/dev/null; then echo "first copy"; echo $$ >first.pid; trap "echo TERM >first.ended; exit 143" TERM; sleep 300 & echo $! >first.sleep; wait; else echo "second copy"; fi'

# The first copy passes once the second has started, which sleeps.
slow_second='if mkdir first.d 2>/dev/null; then echo "first copy"; '"$(wait_for 'test -e second.started')"'; echo "first copy passes"; else echo "second copy"; echo $$ >second.pid; trap "echo TERM >second.ended; exit 143" TERM; sleep 300 & echo $! >second.sleep; touch second.started; wait; fi'

# tasks FILE POS LINE - a task file of three shards: LINE at POS (first or
# last), quick ones elsewhere. The first round gives shard 1 to rank 1,
# shard 2 to rank 2 and shard 3 to rank 0: LINE first runs on a worker and
# its copy on rank 0, LINE last the other way round.
tasks() {
	if test "$2" = first; then
		printf '%s\necho quick 2\necho quick 3\n' "$3" >"$1"
	else
		printf 'echo quick 1\necho quick 2\n%s\n' "$3" >"$1"
	fi
}

# spec_run NAME POS LINE ARGS... - a fresh directory NAME, the task file,
# 3 ranks with --speculate; stdout, stderr and the exit status in NAME/.
spec_run() {
	_name=$1 _pos=$2 _line=$3
	shift 3
	rm -rf "$_name" && mkdir "$_name" &&
	tasks "$_name/tasks" "$_pos" "$_line" &&
	(
		cd "$_name" &&
		run_distmpi 3 --tasks tasks --speculate --progress lines --run-dir run \
			--json r.json --junit r.xml --html r.html "$@" >out 2>err
		echo $? >status
	)
}

# the slow shard's number in a run of spec_run
slow_shard() {
	test "$1" = first && echo 1 || echo 3
}

# check_once DIR SHARD STATUS - the shard is in the journal, the JSON and
# JUnit reports and the lines of the run exactly once, with STATUS.
check_once() {
	python3 - "$1" "$2" "$3" <<-\EOF
	import json, sys, xml.etree.ElementTree as ET
	d, n, status = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	lines = [json.loads(l) for l in open(d + "/run/journal.jsonl")][1:]
	mine = [l for l in lines if l["shard"] == n]
	assert len(mine) == 1, ("journal", mine)
	assert mine[0]["status"] == status, mine
	assert sorted(l["shard"] for l in lines) == [1, 2, 3], lines
	j = json.load(open(d + "/r.json"))
	assert [s["shard"] for s in j["shards"]] == [1, 2, 3], j["shards"]
	assert j["shards"][n - 1]["status"] == status, j["shards"][n - 1]
	suites = [s for s in ET.parse(d + "/r.xml").getroot() if s.get("name") == "shard-%d" % n]
	assert len(suites) == 1, suites
	props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
	assert props["status"] == status, props
	out = open(d + "/out").read().splitlines()
	done = [l for l in out if l.startswith("[") and ("] shard %d " % n) in l]
	assert len(done) == 1 and (" shard %d %s" % (n, status)) in done[0], done
	EOF
}

for pos in last first; do
	n=$(slow_shard $pos)

	test_expect_success "the second copy passes first ($pos line): one pass, exit 0" '
		test_when_finished "kill_leftover c$pos/first.pid c$pos/first.sleep" &&
		spec_run c$pos $pos "$slow_first" &&
		test "$(cat c$pos/status)" = 0 &&
		check_once c$pos '$n' passed &&
		grep "^distmpi: shard '$n': a second copy starts on .* rank [0-9]*, beside the one on .* rank [0-9]* (--speculate)\$" c$pos/out &&
		grep "^distmpi: shard '$n': the copy on .* passed first; the copy on .* is ended (superseded)\$" c$pos/out &&
		grep "^3 shards: 3 passed (0 flaky), .*; 0 retries; 1 copy superseded; " c$pos/out
	'

	test_expect_success "... the first copy was ended (SIGTERM), its processes are gone" '
		test "$(cat c$pos/first.ended)" = TERM &&
		process_gone "$(cat c$pos/first.pid)" &&
		process_gone "$(cat c$pos/first.sleep)"
	'

	test_expect_success "... the JSON report: the counted attempt, and the superseded one with its log" '
		json_check c$pos/r.json "
import os
s = shards['$n']
assert s[\"attempts\"] == 1 and len(s[\"attempt_results\"]) == 1, s
a = s[\"attempt_results\"][0]
assert a[\"outcome\"] == \"passed\" and a[\"attempt\"] == 4, a  # 1 + 2 retries after the first
assert open(s[\"log\"]).read() == \"second copy\\n\", s[\"log\"]
assert len(s[\"superseded\"]) == 1, s
x = s[\"superseded\"][0]
assert x[\"outcome\"] == \"superseded\" and x[\"attempt\"] == 1, x
assert x[\"rank\"] != s[\"rank\"] and x[\"host\"] == s[\"host\"], (x, s)
assert x[\"exit_code\"] is None and x[\"duration\"] >= 1, x
assert x[\"log\"].endswith(\"/run/shard-%d/attempt-1.log\" % s[\"shard\"]), x
assert open(x[\"log\"]).read() == \"first copy\\n\", x[\"log\"]
assert os.path.isdir(\"c'$pos'/run/shard-%d/attempt-1\" % s[\"shard\"])
assert os.path.isdir(\"c'$pos'/run/shard-%d/attempt-4\" % s[\"shard\"])
sm = j[\"summary\"]
assert (sm[\"passed\"], sm[\"flaky\"], sm[\"failed\"], sm[\"retries\"]) == (3, 0, 0, 0), sm
assert j[\"exit_status\"] == 0
for o in j[\"shards\"]:
    if o[\"shard\"] != '$n':
        assert o[\"superseded\"] == [], o
"
	'

	test_expect_success "... JUnit: no failure, the superseded copy as a property; HTML: its bar" '
		python3 - c$pos/r.xml <<-\EOF &&
		import sys, xml.etree.ElementTree as ET
		root = ET.parse(sys.argv[1]).getroot()
		assert root.get("failures") == "0" and root.get("errors") == "0", root.attrib
		assert not [e for e in root.iter() if e.tag in ("failure", "error", "flakyFailure", "rerunFailure")]
		sup = [p.get("value") for p in root.iter("property") if p.get("name") == "superseded"]
		assert len(sup) == 1 and sup[0].startswith("attempt 1: superseded"), sup
		EOF
		test "$(grep -o "bar o-superseded" c$pos/r.html | wc -l)" -eq 1
	'

	test_expect_success "... the result of the ended copy was dropped without a word" '
		! grep -i "ignoring\|warning" c$pos/err &&
		! grep "^distmpi: .*ignoring" c$pos/out
	'
done

test_expect_success '--resume after it: every shard settled, nothing runs, the shard once' '
	(
		cd cfirst &&
		run_distmpi 3 --resume run/journal.jsonl --run-dir run2 --progress lines \
			--json resumed.json >out2 2>err2
	) &&
	grep "3 shards settled there are not run again; 0 to run" cfirst/out2 &&
	test ! -e cfirst/run2/shard-1 &&
	json_check cfirst/resumed.json "
s = shards[1]
assert s[\"status\"] == \"passed\" and s[\"carried\"], s
assert len(s[\"superseded\"]) == 1 and s[\"superseded\"][0][\"attempt\"] == 1, s
assert [a[\"attempt\"] for a in s[\"attempt_results\"]] == [4], s
assert j[\"summary\"][\"passed\"] == 3
"
'

for pos in first last; do
	n=$(slow_shard $pos)

	test_expect_success "the second copy loses ($pos line): the first counts, the second is ended" '
		test_when_finished "kill_leftover l$pos/second.pid l$pos/second.sleep" &&
		spec_run l$pos $pos "$slow_second" &&
		test "$(cat l$pos/status)" = 0 &&
		check_once l$pos '$n' passed &&
		test "$(cat l$pos/second.ended)" = TERM &&
		process_gone "$(cat l$pos/second.pid)" &&
		process_gone "$(cat l$pos/second.sleep)" &&
		json_check l$pos/r.json "
s = shards['$n']
assert [a[\"attempt\"] for a in s[\"attempt_results\"]] == [1], s
assert open(s[\"log\"]).read() == \"first copy\\nfirst copy passes\\n\", s[\"log\"]
x = s[\"superseded\"]
assert len(x) == 1 and x[0][\"attempt\"] == 4 and x[0][\"rank\"] != s[\"rank\"], x
assert open(x[0][\"log\"]).read() == \"second copy\\n\", x
" &&
		! grep -i "ignoring\|warning" l$pos/err
	'
done

# The first copy fails (no retries) once the second has started; the
# second waits until rank 0 has said that it waits for it, then passes or
# fails.
fails_then() {
	echo 'if mkdir first.d 2>/dev/null; then '"$(wait_for 'test -e second.started')"'; echo "first copy fails"; exit 1; else touch second.started; '"$(wait_for 'grep -q "may still pass" out')"'; echo "second copy"; exit '"$1"'; fi'
}

test_expect_success 'a copy that fails waits for the other: its pass makes the shard flaky' '
	spec_run flaky first "$(fails_then 0)" --retries 0 &&
	test "$(cat flaky/status)" = 0 &&
	check_once flaky 1 flaky &&
	grep "^distmpi: shard 1: the copy on .* rank 1 did not pass (failed); the copy on .* rank 0 may still pass\$" flaky/out &&
	json_check flaky/r.json "
s = shards[1]
assert [(a[\"attempt\"], a[\"outcome\"]) for a in s[\"attempt_results\"]] == [(1, \"failed\"), (2, \"passed\")], s
assert s[\"superseded\"] == [] and s[\"rank\"] == 0, s
assert j[\"summary\"][\"flaky\"] == 1 and j[\"exit_status\"] == 0
"
'

test_expect_success 'both copies fail: the shard fails once, with the attempts of both, exit 1' '
	spec_run both first "$(fails_then 3)" --retries 0 &&
	test "$(cat both/status)" = 1 &&
	check_once both 1 failed &&
	json_check both/r.json "
s = shards[1]
assert [(a[\"attempt\"], a[\"outcome\"], a[\"exit_code\"]) for a in s[\"attempt_results\"]] == [(1, \"failed\", 1), (2, \"failed\", 3)], s
assert s[\"exit_code\"] == 3 and s[\"superseded\"] == [], s
assert j[\"summary\"][\"failed\"] == 1 and j[\"exit_status\"] == 1
"
'

# lost_copy NAME POS LINE - spec_run in the background with
# --heartbeat-timeout 2; once the copy to lose has written its rank's pid
# (lose.rpid), that rank is stopped.
lost_copy() {
	_name=$1
	rm -rf "$_name" && mkdir "$_name" && tasks "$_name/tasks" "$2" "$3" &&
	(
		cd "$_name" || exit 1
		"$MPIRUN" -np 3 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
			"$DISTMPI" --tasks tasks --speculate --progress lines --run-dir run \
			--heartbeat-timeout 2 --json r.json >out 2>err &
		_mp=$!
		wait_for_files 60 lose.rpid || { kill -KILL $_mp; wait $_mp; exit 1; }
		kill -STOP "$(cat lose.rpid)"
		wait_pid_limit 90 $_mp
		echo $? >status
	)
}

# The copy to lose notes its rank (its parent's pid) once both copies run,
# and sleeps; the other passes once rank 0 has said that the copy is lost.
first_loses='if mkdir first.d 2>/dev/null; then '"$(wait_for 'test -e second.started')"'; echo $$ >lose.pid; sleep 300 & echo $! >lose.sleep; echo $PPID >lose.rpid; wait; else touch second.started; '"$(wait_for 'grep -q "is lost; the copy on" out')"'; echo "second copy passes"; fi'
second_loses='if mkdir first.d 2>/dev/null; then '"$(wait_for 'grep -q "is lost; the copy on" out')"'; echo "first copy passes"; else echo $$ >lose.pid; sleep 300 & echo $! >lose.sleep; echo $PPID >lose.rpid; wait; fi'

test_expect_success 'the rank of the second copy is lost: the first goes on and counts, not moved' '
	test_when_finished "kill_leftover lost2/lose.pid lost2/lose.sleep" &&
	lost_copy lost2 last "$second_loses" &&
	grep "^distmpi: shard 3: its copy on rank 1 is lost; the copy on .* rank 0 goes on\$" lost2/out &&
	grep "^distmpi: rank 1 on .* lost: .*; it held no shard\$" lost2/out &&
	json_check lost2/r.json "
s = shards[3]
assert s[\"status\"] == \"passed\" and s[\"rank\"] == 0 and s[\"moved\"] == 0, s
assert [a[\"attempt\"] for a in s[\"attempt_results\"]] == [1] and s[\"superseded\"] == [], s
assert j[\"summary\"][\"passed\"] == 3 and j[\"exit_status\"] == 3, j[\"summary\"]
"
'

test_expect_success 'the rank of the first copy is lost: the second goes on and counts, not moved' '
	test_when_finished "kill_leftover lost1/lose.pid lost1/lose.sleep" &&
	lost_copy lost1 first "$first_loses" &&
	grep "^distmpi: shard 1: its copy on rank 1 is lost; the copy on .* rank 0 goes on\$" lost1/out &&
	json_check lost1/r.json "
s = shards[1]
assert s[\"status\"] == \"passed\" and s[\"rank\"] == 0 and s[\"moved\"] == 0, s
assert [a[\"attempt\"] for a in s[\"attempt_results\"]] == [4] and s[\"superseded\"] == [], s
assert j[\"summary\"][\"passed\"] == 3 and j[\"exit_status\"] == 3, j[\"summary\"]
"
'

test_expect_success 'without --speculate no shard runs twice' '
	rm -rf plain && mkdir plain && tasks plain/tasks first "sleep 2; echo waited" &&
	(cd plain && run_distmpi 3 --tasks tasks --run-dir run --json r.json --progress lines \
		--no-history >out 2>err) &&
	! grep "second copy" plain/out &&
	json_check plain/r.json "
assert all(s[\"superseded\"] == [] for s in j[\"shards\"]), j[\"shards\"]
" &&
	test "$(ls plain/run/shard-1 | grep -c "^attempt-[0-9]*\$")" -eq 1
'

test_done
