#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the timing history: the longest shards first

Every run keeps how long each shard took, per host, in --history FILE, and
the next runs hand the shards out longest first. A history that cannot be
read or written is a warning, never a failed run; two runs at once lose
nothing of each other; a run cut short keeps what passed; --no-history
reads and writes nothing. (tests/data/tests.conf turns the history off for
the other tests: --history turns it on again here.)'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the history and the reports"
	test_done
fi

host=$(hostname)

# start_order JSON - the shards of a one-rank run, in the order they started
start_order() {
	python3 - "$1" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	firsts = [(s["attempt_results"][0]["start"], s["shard"]) for s in j["shards"]]
	print(" ".join(str(n) for _, n in sorted(firsts)))
	EOF
}

# history_check FILE PYTHON - run PYTHON statements (asserts) with j bound to
# the history file (JSON Lines: a header, then a line per shard) as one
# object: {"distmpi_history", "runs", "shards": {KEY: {"last_run", "hosts"}}}
history_check() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	with open(sys.argv[1]) as f:
	    lines = [json.loads(l) for l in f]
	j = dict(lines[0])
	j["shards"] = {l["key"]: {"last_run": l["last_run"], "hosts": l["hosts"]} for l in lines[1:]}
	exec(sys.argv[2], {"j": j})
	EOF
}

# the longest last in the file, as a suite's slowest often are
cat >suite.txt <<\EOF
sleep 0.05
sleep 0.1
sleep 0.2
sleep 0.6
EOF

test_expect_success 'a first run keeps each shard by its line, per host' '
	run_distmpi 1 --tasks suite.txt --history h.json --json r1.json >out 2>err &&
	test "$(start_order r1.json)" = "1 2 3 4" &&
	history_check h.json "
assert j[\"distmpi_history\"] == 1 and j[\"runs\"] == 1, j
assert sorted(j[\"shards\"]) == [\"sleep 0.05\", \"sleep 0.1\", \"sleep 0.2\", \"sleep 0.6\"], j
for k, v in j[\"shards\"].items():
    (h, e), = v[\"hosts\"].items()
    assert h == \"$host\" and e[\"runs\"] == 1, v
    assert e[\"seconds\"] >= float(k.split()[1]), (k, e)
"
'

test_expect_success 'the next run starts the longest first' '
	run_distmpi 1 --tasks suite.txt --history h.json --json r2.json >out 2>err &&
	test "$(start_order r2.json)" = "4 3 2 1" &&
	history_check h.json "
assert j[\"runs\"] == 2, j
for v in j[\"shards\"].values():
    assert v[\"hosts\"][\"$host\"][\"runs\"] == 2, v
"
'

# the ETA's format in the summary line of lines mode and on the bars' Time line
eta='ETA ([0-9]+s|[0-9]+m [0-9][0-9]s|[0-9]+h [0-9][0-9]m)'

test_expect_success 'the JSON report: no prediction in a first run' '
	cat >eta.txt <<-\EOF &&
	sleep 0.3
	sleep 1.2
	sleep 0.5
	EOF
	run_distmpi 1 --tasks eta.txt --history eta.json --json e1.json >out 2>err &&
	json_check e1.json "
for s in j[\"shards\"]:
    assert \"predicted\" in s and s[\"predicted\"] is None, s
"
'

test_expect_success 'the next run: the first run'"'"'s durations as predictions, and an ETA' '
	run_distmpi_x 1 DISTMPI_TEST_SUMMARY_EVERY=0.1 --tasks eta.txt --history eta.json \
		--progress lines --json e2.json >out 2>err &&
	python3 - e1.json e2.json <<-\EOF &&
	import json, sys
	first, second = (json.load(open(f))["shards"] for f in sys.argv[1:])
	for a, b in zip(first, second):
	    took = a["attempt_results"][-1]["duration"]
	    assert abs(b["predicted"] - took) <= 1e-5 * took, (a, b)
	EOF
	grep -E "^distmpi: [0-3]/3 shards done \([0-9.]+%\), [0-3] passed, 0 failed, [0-9.]+s, $eta\$" out &&
	! grep "ETA" err
'

test_expect_success 'the bars show the ETA on their Time line' '
	run_distmpi 1 --tasks eta.txt --history eta.json --progress bars >out 2>err &&
	grep -E "^Time: [0-9.]+s, $eta\$" out &&
	grep "^Time: [0-9.]*s\$" out
'

test_expect_success '--dry-run shows the predictions and the queue' '
	run_distmpi 1 --tasks suite.txt --history h.json --dry-run >out 2>err &&
	grep "^Timing history: h.json predicts 4 of 4 shards, [0-9.]* s of work in all, the longest [0-9.]* s" out &&
	grep "^Queue, longest first: 4 ([0-9.]* s) 3 ([0-9.]* s) 2 ([0-9.]* s) 1 ([0-9.]* s)\$" out &&
	test_must_be_empty err
'

test_expect_success 'a line added to the file: the others keep theirs, it counts as the median' '
	{ echo "sleep 0.01"; cat suite.txt; } >grown.txt &&
	run_distmpi 1 --tasks grown.txt --history h.json --dry-run >out 2>err &&
	grep "^Timing history: h.json predicts 4 of 5 shards" out &&
	grep "^Queue, longest first: 5 (.* s) 4 (.* s) 1 (?) 3 (.* s) 2 (.* s)\$" out
'

# The bound counts a shard without a prediction as the median of the known
# ones (0.4 s here); before, it took the middle of the queue, where such a
# shard itself stands, and counted it as nothing (0.8 s instead of 1.0 s).
test_expect_success 'the dry run'"'"'s bound counts a new line as the median' '
	printf "sleep 0.4 # %s\n" 1 2 3 4 >even.txt &&
	run_distmpi 2 --tasks even.txt --history even.json >out 2>err &&
	{ cat even.txt && echo "sleep 0.4 # new"; } >even5.txt &&
	run_distmpi 2 --tasks even5.txt --history even.json --dry-run >out 2>err &&
	grep "^Timing history: even.json predicts 4 of 5 shards" out &&
	bound=$(sed -n "s/^Predicted makespan: .* (no plan can beat \([0-9.]*\) s: .*/\1/p" out) &&
	echo "bound $bound" &&
	awk -v b="$bound" "BEGIN { exit !(b >= 0.99) }"
'

test_expect_success 'a corrupt history: a warning, the run passes, the file is written anew' '
	echo "{\"distmpi_history\": 1, \"runs\": \"many\"" >bad.json &&
	run_distmpi 1 --tasks suite.txt --history bad.json --json r3.json >out 2>err &&
	grep "^distmpi: warning: bad.json: .*; this run goes without a timing history (the file is written anew at its end)\$" err &&
	test "$(start_order r3.json)" = "1 2 3 4" &&
	grep "^4 shards: 4 passed" out &&
	history_check bad.json "assert j[\"runs\"] == 1 and len(j[\"shards\"]) == 4, j"
'

test_expect_success 'a history that cannot be written: a warning, the exit status stays 0' '
	echo not a directory >file &&
	run_distmpi 1 --tasks suite.txt --history file/h.json >out 2>err &&
	grep "^distmpi: warning: .*file/h.json.*; the next run has no timing history from this one\$" err &&
	grep "^4 shards: 4 passed" out
'

test_expect_success 'by default .distmpi/history.json in the working directory' '
	mkdir default && (
		cd default && unset DISTMPI_CONFIG &&
		run_distmpi 1 --max-load 1000000 --tasks ../suite.txt >out 2>err
	) &&
	history_check default/.distmpi/history.json "assert len(j[\"shards\"]) == 4, j"
'

test_expect_success '--no-history reads and writes nothing' '
	mkdir none && (
		cd none && unset DISTMPI_CONFIG &&
		run_distmpi 1 --max-load 1000000 --tasks ../suite.txt --no-history --dry-run >out 2>err &&
		grep "^Timing history: none (--no-history); the queue is in shard order\\.\$" out &&
		run_distmpi 1 --max-load 1000000 --tasks ../suite.txt --no-history >out 2>err
	) &&
	test ! -e none/.distmpi
'

test_expect_success '--history and --no-history together: a usage error' '
	test_expect_code 2 run_distmpi 1 --tasks suite.txt --history h.json --no-history >out 2>err &&
	grep "^distmpi: give either --history FILE or --no-history, not both\$" err
'

test_expect_success 'two runs at once on one history: both are kept' '
	printf "sleep 0.5\\nsleep 0.3\\n" >a.txt &&
	printf "sleep 0.4\\nsleep 0.2\\n" >b.txt &&
	run_distmpi 1 --tasks a.txt --history both.json >a.out 2>&1 &
	pa=$! &&
	run_distmpi 1 --tasks b.txt --history both.json >b.out 2>&1 &&
	wait $pa &&
	history_check both.json "
assert sorted(j[\"shards\"]) == [\"sleep 0.2\", \"sleep 0.3\", \"sleep 0.4\", \"sleep 0.5\"], j
assert j[\"runs\"] == 2, j
"
'

# wait_until_locked FILE - wait (up to 30 s) until another process holds an
# flock of FILE
wait_until_locked() {
	python3 - "$1" <<-\EOF
	import fcntl, sys, time
	with open(sys.argv[1], "a") as f:
	    for _ in range(300):
	        try:
	            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
	        except BlockingIOError:
	            sys.exit(0)
	        fcntl.flock(f, fcntl.LOCK_UN)
	        time.sleep(0.1)
	sys.exit(1)
	EOF
}

test_expect_success 'a lock held by a stuck process: the run gives up after --history-wait, exit 0' '
	printf "sleep 0.1\\n" >stuck.txt &&
	run_distmpi 1 --tasks stuck.txt --history stuck.json >/dev/null 2>&1 &&
	cp stuck.json stuck.before &&
	# one process holds the lock as a save that never ends would (the
	# shell locks, then becomes the sleep, which keeps the descriptor)
	sh -c "exec 9>>stuck.json.lock && flock 9 && exec sleep 120" &
	holder=$! &&
	wait_until_locked stuck.json.lock &&
	timeout 60 "$MPIRUN" -np 1 --oversubscribe --bind-to none "$DISTMPI" --tasks stuck.txt \
		--history stuck.json --history-wait 1 >out 2>err
	rc=$?
	kill $holder
	test $rc = 0 &&
	grep "^distmpi: warning: cannot save the timing history stuck.json: another process has held the lock stuck.json.lock for 1 s; the next run has no timing history from this one\$" err &&
	grep "^1 shards\{0,1\}: 1 passed" out &&
	test_cmp stuck.before stuck.json
'

test_expect_success '--history-wait: a bad value is a usage error' '
	test_expect_code 2 run_distmpi 1 --tasks suite.txt --history-wait -1 >out 2>err &&
	grep "history-wait" err
'

test_expect_success 'a run cut short keeps what passed' '
	printf "sleep 0.1\\necho \$PPID >rpid; exec sleep 60\\n" >cut.txt &&
	"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 5 \
		"$DISTMPI" --tasks cut.txt --history cut.json >cut.out 2>&1 &
	pid=$! &&
	wait_for_files 30 rpid &&
	kill -TERM "$(cat rpid)" &&
	{ wait_pid_limit 60 $pid; true; } &&
	grep "^distmpi: stopped by signal 15; 1 of 2 shards had finished" cut.out &&
	history_check cut.json "assert list(j[\"shards\"]) == [\"sleep 0.1\"], j"
'

test_done
