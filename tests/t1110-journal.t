#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the journal, --resume and --rerun-failed

Rank 0 appends each result to a journal (JSON Lines) and syncs it before
showing it. After mpirun is killed with SIGKILL in the middle of a run,
--resume runs exactly the shards that had not passed: counted with marker
files, every shard passes exactly once across both runs. --rerun-failed runs
only the failed ones; a journal of another command or shard count is
refused unless --force-resume; a torn last line is tolerated.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# lines of FILE that are results (all but the identity line)
results_in() {
	echo $(($(wc -l <"$1") - 1))
}

test_expect_success PYTHON 'the journal: the run'"'"'s identity, then one line per result' '
	test_expect_code 1 run_distmpi 2 -n 4 --retries 1 --backoff 0 --run-dir j1 -- \
		sh -c "echo hi; test {shard} -ne 3" >out 2>err &&
	grep "^distmpi: journal j1/journal.jsonl " out &&
	test "$(wc -l <j1/journal.jsonl)" -eq 5 &&
	python3 - j1/journal.jsonl <<-\EOF
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])]
	h = lines[0]
	assert h["journal"] == "distmpi" and h["version"] == 1, h
	assert h["total"] == 4 and h["schedule"] == "dynamic" and h["tasks"] is None, h
	assert h["command"] == ["sh", "-c", "echo hi; test {shard} -ne 3"], h
	by = {r["shard"]: r for r in lines[1:]}
	assert sorted(by) == [1, 2, 3, 4], by
	assert by[3]["status"] == "failed" and len(by[3]["attempts"]) == 2, by[3]
	assert by[3]["attempts"][1]["exit_code"] == 1, by[3]
	assert by[1]["status"] == "passed" and by[1]["log"].endswith("/shard-1/attempt-1.log"), by[1]
	assert by[1]["host"], by[1]
	EOF
'

# The first 3 shards are quick; with the file "slow" present the others take
# long, so that none of them is finishing at the moment of the kill (one that
# had finished but not yet reached the journal would run again, rightly).
marked='test {shard} -le 3 || ! test -e slow || sleep 6; echo x >>ran.{shard}'

test_expect_success 'kill -9 of mpirun mid-run, then --resume: every shard passes exactly once' '
	touch slow
	"$MPIRUN" -np 2 --oversubscribe --bind-to none "$DISTMPI" -n 12 --run-dir k1 -- \
		sh -c "$marked" >k1.out 2>&1 &
	pid=$! &&
	i=0 &&
	while test ! -f k1/journal.jsonl || test "$(results_in k1/journal.jsonl)" -lt 3; do
		i=$((i + 1)); test $i -lt 300 || break; sleep 0.1
	done &&
	kill -KILL $pid &&
	{ wait $pid; true; } &&
	done_before=$(results_in k1/journal.jsonl) &&
	test "$done_before" -eq 3 &&
	sleep 1 &&
	test "$(results_in k1/journal.jsonl)" -eq 3 &&
	rm slow &&
	run_distmpi 2 --resume k1/journal.jsonl --run-dir k2 --json k2.json >k2.out 2>&1 &&
	grep "k1/journal.jsonl: 3 shards settled there are not run again; 9 to run" k2.out &&
	for s in 1 2 3 4 5 6 7 8 9 10 11 12; do
		test "$(wc -l <ran.$s)" -eq 1 || { echo "shard $s ran $(wc -l <ran.$s) times"; return 1; }
	done &&
	grep "^12 shards: 12 passed" k2.out
'

test_expect_success PYTHON 'the resumed run reports the whole run, the carried results marked' '
	json_check k2.json "
carried = [s for s in j[\"shards\"] if s[\"carried\"]]
assert len(carried) == $(results_in k1/journal.jsonl), len(carried)
assert all(s[\"host\"] and s[\"rank\"] is None for s in carried), carried
assert j[\"summary\"][\"passed\"] == 12, j[\"summary\"]
" &&
	test "$(results_in k2/journal.jsonl)" -eq 12
'

test_expect_success '--rerun-failed runs only the failed shards, and keeps the rest' '
	rm -f ran.* &&
	test_expect_code 1 run_distmpi 2 -n 5 --retries 0 --run-dir f1 -- \
		sh -c "echo x >>ran.{shard}; test {shard} -ne 2 -a {shard} -ne 4" >out 2>err &&
	test_expect_code 1 run_distmpi 2 --rerun-failed f1/journal.jsonl --retries 0 --run-dir f2 \
		-- sh -c "echo x >>ran.{shard}; test {shard} -ne 2 -a {shard} -ne 4" >out 2>err &&
	test "$(cat ran.1 ran.3 ran.5 | wc -l)" -eq 3 &&
	test "$(wc -l <ran.2)" -eq 2 && test "$(wc -l <ran.4)" -eq 2 &&
	grep "2 to run" out &&
	grep "^5 shards: 3 passed" out
'

test_expect_success 'a journal of another command or shard count is refused' '
	test_expect_code 2 run_distmpi 1 --resume f1/journal.jsonl -- sh -c "echo other" >out 2>err &&
	grep "^distmpi: f1/journal.jsonl is the journal of another run: command word 3 differs" err &&
	grep "(--force-resume uses it anyway)" err &&
	test_expect_code 2 run_distmpi 1 --resume f1/journal.jsonl -n 6 -- \
		sh -c "echo x >>ran.{shard}; test {shard} -ne 2 -a {shard} -ne 4" >out 2>err &&
	grep "the journal.s run had 5 shards, this one 6" err &&
	test_expect_code 2 run_distmpi 1 --resume f1/journal.jsonl --tasks /dev/null >out 2>err
'

test_expect_success '--force-resume takes a journal of another command' '
	run_distmpi 1 --resume f1/journal.jsonl --force-resume --run-dir ff -- true >out 2>err &&
	grep "3 shards settled there are not run again; 2 to run" out
'

test_expect_success 'without a command, --resume runs the journal'"'"'s (tasks too)' '
	rm -f t.* &&
	printf "touch t.1\nexit 3\ntouch t.3\n" >three.tasks &&
	test_expect_code 1 run_distmpi 2 --tasks three.tasks --retries 0 --run-dir tk1 >out 2>err &&
	rm three.tasks t.* &&
	test_expect_code 1 run_distmpi 2 --resume tk1/journal.jsonl --retries 0 --run-dir tk2 >out 2>err &&
	grep "1 to run" out &&
	test ! -e t.1 && test ! -e t.3 &&
	grep "^3 shards: 2 passed" out
'

test_expect_success 'a torn last line is ignored: that shard runs again' '
	rm -f ran.* &&
	run_distmpi 2 -n 3 --run-dir torn -- sh -c "echo x >>ran.{shard}" >out 2>err &&
	head -c -25 torn/journal.jsonl >torn.jsonl &&
	run_distmpi 2 --resume torn.jsonl --run-dir torn2 -- sh -c "echo x >>ran.{shard}" >out 2>err &&
	grep "2 shards settled there are not run again; 1 to run" out &&
	test "$(cat ran.* | wc -l)" -eq 4
'

test_expect_success 'a damaged line in the middle is an error naming it' '
	sed "2s/.*/{not json/" torn/journal.jsonl >bad.jsonl &&
	test_expect_code 2 run_distmpi 1 --resume bad.jsonl -- sh -c "echo x >>ran.{shard}" >out 2>err &&
	grep "^distmpi: bad.jsonl:2: not JSON" err &&
	echo "{\"hello\": 1}" >notj.jsonl &&
	test_expect_code 2 run_distmpi 1 --resume notj.jsonl -- true >out 2>err &&
	grep "notj.jsonl:1: not a distmpi journal" err &&
	test_expect_code 2 run_distmpi 1 --resume missing.jsonl -- true >out 2>err &&
	grep "missing.jsonl" err
'

test_expect_success 'a reused --run-dir keeps the earlier journal' '
	run_distmpi 1 --run-dir torn -- true >out 2>err &&
	grep "^distmpi: journal torn/journal-.*\.jsonl" out &&
	test "$(ls torn/journal*.jsonl | wc -l)" -eq 2
'

test_expect_success '--journal FILE: never an existing file, never through a symlink' '
	echo keep >victim &&
	ln -s victim link.jsonl &&
	test_expect_code 2 run_distmpi 1 --journal link.jsonl -- true >out 2>err &&
	grep "cannot create the journal link.jsonl" err &&
	test "$(cat victim)" = keep &&
	run_distmpi 1 --journal mine.jsonl -- true >out 2>err &&
	test "$(wc -l <mine.jsonl)" -eq 2 &&
	test_expect_code 2 run_distmpi 1 --journal mine.jsonl -- true >out 2>err &&
	grep "mine.jsonl: it exists already" err
'

test_expect_success 'a command word that is not UTF-8 survives the journal' '
	word=$(printf "caf\351") &&
	rm -f ran.* &&
	run_distmpi 1 -n 2 --run-dir u1 -- sh -c "echo x >>ran.{shard}" "$word" >out 2>err &&
	grep "\"hex\":\"636166e9\"" u1/journal.jsonl &&
	run_distmpi 1 --resume u1/journal.jsonl --run-dir u2 -- sh -c "echo x >>ran.{shard}" "$word" >out 2>err &&
	grep "0 to run" out &&
	test "$(cat ran.* | wc -l)" -eq 2
'

test_expect_success 'SIGTERM to rank 0 mid-run, then --resume: exactly once as well' '
	rm -f ran.* rpid.* &&
	touch slow
	"$MPIRUN" -np 2 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 5 \
		"$DISTMPI" -n 10 --run-dir s1 --json s1.json -- \
		sh -c "echo \$PPID >rpid.{rank}; $marked" >s1.out 2>&1 &
	pid=$! &&
	i=0 &&
	while test ! -f s1/journal.jsonl || test "$(results_in s1/journal.jsonl)" -lt 3; do
		i=$((i + 1)); test $i -lt 300 || break; sleep 0.1
	done &&
	kill -TERM "$(cat rpid.0)" &&
	{ wait_pid_limit 60 $pid; true; } &&
	grep "^distmpi: stopped by signal 15; 3 of 10 shards had finished" s1.out &&
	rm slow &&
	run_distmpi 2 --resume s1/journal.jsonl --run-dir s2 >s2.out 2>&1 &&
	for s in 1 2 3 4 5 6 7 8 9 10; do
		test "$(wc -l <ran.$s)" -eq 1 || { echo "shard $s ran $(wc -l <ran.$s) times"; return 1; }
	done
'

# --resume last: the journal written last under distmpi-runs (or in the
# --run-dir), what a resubmitted batch job uses (scripts/distmpi.sbatch).
test_expect_success '--resume last: the newest journal; none is a clear error' '
	mkdir last && (
		cd last &&
		test_expect_code 2 run_distmpi 1 --resume last >out 2>err &&
		grep "^distmpi: --resume last: no journal under distmpi-runs: No such file" err &&
		test_expect_code 2 run_distmpi 1 --rerun-failed last >out 2>err &&
		grep "^distmpi: --rerun-failed last: no journal under distmpi-runs" err &&
		test_expect_code 1 run_distmpi 2 -n 4 --retries 0 -- \
			sh -c "echo x >>ran.{shard}; test {shard} -le 2 || test -e ok" >a.out 2>&1 &&
		touch ok &&
		run_distmpi 2 --resume last --retries 0 >b.out 2>&1 &&
		grep "^distmpi: distmpi-runs/[0-9-]*/journal.jsonl: 2 shards settled there are not run again; 2 to run$" b.out &&
		test "$(cat ran.1 ran.2 | wc -l)" -eq 2 &&
		test "$(cat ran.3 ran.4 | wc -l)" -eq 4 &&
		# the resumed run wrote last: its journal holds the whole run
		run_distmpi 2 --resume last >c.out 2>&1 &&
		grep ": 4 shards settled there are not run again; 0 to run$" c.out &&
		test "$(cat ran.* | wc -l)" -eq 6 &&
		test "$(ls distmpi-runs | wc -l)" -eq 3
	)
'

test_expect_success '--resume last --run-dir DIR: the newest journal in DIR' '
	(
		cd last &&
		rm -f ok ran.* &&
		test_expect_code 1 run_distmpi 2 -n 3 --retries 0 --run-dir rd -- \
			sh -c "echo x >>ran.{shard}; test {shard} -ne 2 || test -e ok" >d.out 2>&1 &&
		touch ok &&
		run_distmpi 2 --rerun-failed last --run-dir rd >e.out 2>&1 &&
		grep "^distmpi: rd/journal.jsonl: 2 shards settled there are not run again; 1 to run$" e.out &&
		test "$(cat ran.2 | wc -l)" -eq 2 &&
		run_distmpi 1 --resume last --run-dir rd >f.out 2>&1 &&
		grep "^distmpi: rd/journal-[0-9-]*\.jsonl: 3 shards settled there are not run again; 0 to run$" f.out &&
		mkdir empty &&
		test_expect_code 2 run_distmpi 1 --resume last --run-dir empty >out 2>err &&
		grep "^distmpi: --resume last: no journal (journal\*\.jsonl) in the run directory empty$" err
	)
'

command -v strace >/dev/null 2>&1 && test_set_prereq STRACE

# rank0-strace PROGRAM ARGS... - run rank 0 under strace (its writes and
# fsyncs into $STRACE_OUT), the other ranks as they are. LeakSanitizer
# cannot work under ptrace: in a sanitized build rank 0 is checked for
# everything else here, and for leaks by the other tests.
cat >rank0-strace <<\EOF
#!/bin/sh
if test "$OMPI_COMM_WORLD_RANK" = 0; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
	exec strace -qq -s 256 -e trace=write,fsync -o "$STRACE_OUT" "$@"
fi
exec "$@"
EOF
chmod +x rank0-strace

# A line of --progress lines for a shard may come only after an fsync of the
# journal that followed that shard's line in the journal.
test_expect_success STRACE,PYTHON 'a result is shown only once an fsync of the journal holds it' '
	"$MPIRUN" -np 2 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		-x STRACE_OUT="$PWD/rank0.strace" ./rank0-strace "$DISTMPI" -n 12 \
		--progress lines --run-dir st -- true >out 2>err &&
	grep "^12 shards: 12 passed" out &&
	python3 - rank0.strace <<-\EOF
	import re, sys
	journal = None  # the journal descriptor
	written = set()  # shards in the journal, not yet synced
	synced = set()
	shown = []
	for line in open(sys.argv[1]):
	    m = re.match(r"write\((\d+), \"\{\\\"shard\\\":(\d+),", line)
	    if m:
	        journal = m.group(1)
	        written.add(int(m.group(2)))
	        continue
	    m = re.match(r"fsync\((\d+)\)", line)
	    if m and m.group(1) == journal:
	        synced |= written
	        written = set()
	        continue
	    m = re.match(r"write\(1, \"(.*)\", \d+\) = ", line)
	    if m:
	        for text in m.group(1).split("\\n"):
	            r = re.match(r"\[ *\d+/12\] shard (\d+) passed", text)
	            if r:
	                assert int(r.group(1)) in synced, ("shown before its fsync", text)
	                shown.append(int(r.group(1)))
	assert sorted(shown) == list(range(1, 13)), shown
	EOF
'

test_done
