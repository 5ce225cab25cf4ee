#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='work stealing: no shard waits behind a long one while a rank is free

Away from the tail of a dynamic run, each worker holds a shard queued
behind the one it runs, so that it starts the next without a round trip to
rank 0. When the queue runs dry while a worker still runs a long shard,
the shard queued behind it would wait for it while other ranks stand
idle: rank 0 asks for it back (PAUSE_SHARE) and a free rank runs it. A
static plan keeps its shards where it put them. With a timing history,
nothing is queued behind a shard predicted to take a second or more.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the reports"
	test_done
fi

# On 3 ranks, each takes one of lines 1-3 in the first round; then, with
# more than 3 left, the rank of the long line 2 gets a shard queued behind
# it, and the short ones drain the queue long before line 2 ends.
{
	echo "sleep 0.1"
	echo "sleep 6"
	for i in 3 4 5 6 7 8 9; do echo "sleep 0.1"; done
} >tasks.txt

# shard_check JSON PYTHON - PYTHON (asserts) with s bound to the report's
# shards by number
shard_check() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	s = {x["shard"]: x for x in j["shards"]}
	exec(sys.argv[2], {"s": s, "j": j})
	EOF
}

test_expect_success 'the shard queued behind a long one runs on a free rank' '
	run_distmpi 3 --tasks tasks.txt --json steal.json --run-dir steal >out 2>err &&
	grep "^9 shards: 9 passed (0 flaky), 0 failed" out &&
	shard_check steal.json "
# the shard queued behind line 2 was given back and ran on a free rank:
# every other shard ended before line 2 did (the one queued there would
# have started only after it), none ran after it on its rank, each once,
# with attempt number 1
import datetime
def when(a):
    t = datetime.datetime.strptime(a[\"start\"], \"%Y-%m-%dT%H:%M:%S.%fZ\")
    return t.timestamp() + a[\"duration\"]
ends = {n: when(s[n][\"attempt_results\"][0]) for n in s}
late = [n for n in s if n != 2 and ends[n] >= ends[2]]
assert not late, (late, s[2])
for n in s:
    assert s[n][\"status\"] == \"passed\" and s[n][\"attempts\"] == 1, s[n]
    assert [a[\"attempt\"] for a in s[n][\"attempt_results\"]] == [1], s[n]
assert sorted(s) == list(range(1, 10))
" &&
	# one result per shard in the journal
	test "$(grep -c "\"shard\":" steal/journal.jsonl)" -eq 9 &&
	! grep -i "ignoring\|warning" err
'

test_expect_success 'a static plan keeps its shards where it put them' '
	run_distmpi 3 --tasks tasks.txt --schedule static --dry-run >plan.out &&
	run_distmpi 3 --tasks tasks.txt --schedule static --json static.json >out 2>err &&
	grep "^9 shards: 9 passed" out &&
	for r in 0 1 2; do
		sed -n "s/^ *rank $r (slot [0-9]*)://p" plan.out | tr -s " " "\n" | sed "/^\$/d" |
			sort -n >want.$r &&
		shard_check static.json "
print(\"\\n\".join(str(n) for n in sorted(n for n in s if s[n][\"rank\"] == $r)))
" >got.$r &&
		test_cmp want.$r got.$r || return 1
	done
'

# With a timing history, the queue is longest first: the shard queued on a
# rank would be the next longest, and wait behind that rank's long shard
# while the other ranks ran shorter ones. Nothing is queued behind a shard
# predicted to take a second or more.
{
	echo "sleep 6"
	echo "sleep 2"
	echo "sleep 2.1"
	echo "sleep 1.5"
	for i in 5 6 7 8 9 10 11 12 13 14; do echo "sleep 0.2"; done
} >long.txt

test_expect_success 'with a history, nothing waits behind a shard predicted long' '
	run_distmpi 3 --tasks long.txt --history long.json >out 2>err &&
	run_distmpi 3 --tasks long.txt --history long.json --json long.json.out >out 2>err &&
	grep "^14 shards: 14 passed" out &&
	shard_check long.json.out "
# every shard started no later than those predicted at most half as long
# (give or take two ranks freed at once: 0.3 s); the 1.5 s one queued
# behind the 6 s one would have started only when the queue ran dry
import datetime
def start(n):
    a = s[n][\"attempt_results\"][0]
    return datetime.datetime.strptime(a[\"start\"], \"%Y-%m-%dT%H:%M:%S.%fZ\").timestamp()
late = [(a, b, round(start(a) - start(b), 2)) for a in s for b in s
        if s[a][\"predicted\"] >= 2 * s[b][\"predicted\"] and start(a) > start(b) + 0.3]
assert not late, late
"
'

test_done
