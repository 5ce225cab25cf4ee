#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='some shards fail: retries, backoff and flaky shards

The issue'"'"'s "done when" case: 12 shards on 4 ranks where every fifth
shard fails; shards 5 and 10 fail after 3 attempts each, the other 10 pass
after one, exit status 1. A shard that fails once and then passes is flaky
(exit 0). --retries 0 gives one attempt. The backoff delay is a lower bound
on the gap between attempts (checked from the JSON report, never as an upper
bound on speed).'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

test_expect_success PYTHON 'done when: shards 5 and 10 fail after 3 attempts, exit 1' '
	test_expect_code 1 run_distmpi 4 -n 12 --backoff 0.1 --json r.json -- \
		sh -c "test \$(({shard} % 5)) -ne 0 || { echo shard {shard} fails; exit 1; }" >out 2>err &&
	json_check r.json "
assert j[\"exit_status\"] == 1, j[\"exit_status\"]
assert j[\"total_shards\"] == 12 and len(shards) == 12, len(shards)
for n, s in shards.items():
    if n in (5, 10):
        assert s[\"status\"] == \"failed\", s
        assert s[\"attempts\"] == 3, s
        assert s[\"exit_code\"] == 1, s
        assert [a[\"outcome\"] for a in s[\"attempt_results\"]] == [\"failed\"] * 3, s
    else:
        assert s[\"status\"] == \"passed\", s
        assert s[\"attempts\"] == 1, s
        assert s[\"exit_code\"] == 0, s
sm = j[\"summary\"]
assert (sm[\"passed\"], sm[\"flaky\"], sm[\"failed\"], sm[\"retries\"]) == (10, 0, 2, 4), sm
"
'

test_expect_success 'done when: the terminal summary says the same' '
	grep -E "^\[ ?[0-9]+/12\] shard 5 failed \(exit 1\) after 3 attempts on " out &&
	grep -E "^\[ ?[0-9]+/12\] shard 10 failed \(exit 1\) after 3 attempts on " out &&
	test "$(grep -c -E "^\[ ?[0-9]+/12\] shard [0-9]+ passed on " out)" -eq 10 &&
	grep "^12 shards: 10 passed (0 flaky), 2 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost; 4 retries; " out &&
	sed -n "/^Shards that did not pass:/,/^\$/p" out >notpass &&
	grep -E "^ +shard 5: failed \(exit 1\) after 3 attempts .*log .*shard-05/attempt-3\.log\$" notpass &&
	grep -E "^ +shard 10: failed \(exit 1\) after 3 attempts .*log .*shard-10/attempt-3\.log\$" notpass &&
	test "$(grep -c "^ *shard " notpass)" -eq 2
'

test_expect_success 'done when: the per-host row counts shards, failures and retries' '
	grep -E "^ +total +[0-9]+ +4 +12 +10 +0 +2 +0 +4 +[0-9.]+s\$" out
'

test_expect_success 'each retry has its own log and directory; a quiet attempt no log' '
	run_dir=$(json_get r.json "j[\"run_dir\"]") &&
	grep -x "shard 5 fails" "$run_dir/shard-05/attempt-1.log" &&
	grep -x "shard 5 fails" "$run_dir/shard-05/attempt-2.log" &&
	grep -x "shard 5 fails" "$run_dir/shard-05/attempt-3.log" &&
	test ! -e "$run_dir/shard-05/attempt-4.log" &&
	test -d "$run_dir/shard-05/attempt-1" &&
	test -d "$run_dir/shard-05/attempt-3" &&
	test ! -e "$run_dir/shard-04/attempt-1.log" &&
	test ! -e "$run_dir/shard-04/attempt-2"
'

test_expect_success 'a retried shard is retried on the same rank' '
	json_check r.json "
for s in j[\"shards\"]:
    assert len(s[\"attempt_results\"]) == s[\"attempts\"], s
" &&
	# every attempt of shard 2 fails and writes its rank
	test_expect_code 1 run_distmpi 3 -n 3 --backoff 0 -- \
		sh -c "echo {rank} >>ranks.{shard}; test {shard} -ne 2" >out 2>err &&
	test "$(wc -l <ranks.2)" -eq 3 &&
	test "$(sort -u ranks.2 | wc -l)" -eq 1
'

test_expect_success PYTHON 'flaky: fails on attempt 1, passes on attempt 2: exit 0' '
	run_distmpi 2 -n 4 --backoff 0.1 --json flaky.json -- \
		sh -c "test {shard} -ne 3 || test {attempt} -ge 2" >out 2>err &&
	json_check flaky.json "
s = shards[3]
assert s[\"status\"] == \"flaky\", s
assert s[\"attempts\"] == 2, s
assert [a[\"outcome\"] for a in s[\"attempt_results\"]] == [\"failed\", \"passed\"], s
assert j[\"summary\"][\"flaky\"] == 1 and j[\"summary\"][\"passed\"] == 4, j[\"summary\"]
assert j[\"exit_status\"] == 0
" &&
	grep -E "^\[ ?[0-9]/4\] shard 3 flaky.* 2( |\$|,)" out &&
	grep "^4 shards: 4 passed (1 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost; 1 retry; " out
'

test_expect_success '--retries 0: one attempt, no retry' '
	rm -f att.* &&
	test_expect_code 1 run_distmpi 2 -n 2 --retries 0 --backoff 0 -- \
		sh -c "touch att.{shard}.{attempt}; test {shard} -ne 2" >out 2>err &&
	test -f att.2.1 && test ! -e att.2.2 &&
	grep "^2 shards: 1 passed (0 flaky), 1 failed, .*; 0 retries; " out
'

test_expect_success '--retries 4: five attempts' '
	rm -f att.* &&
	test_expect_code 1 run_distmpi 2 -n 1 --retries 4 --backoff 0 -- \
		sh -c "touch att.{shard}.{attempt}; false" >out 2>err &&
	test "$(count_files att.1.*)" -eq 5 && test -f att.1.5
'

test_expect_success 'the default is 2 retries (3 attempts)' '
	rm -f att.* &&
	test_expect_code 1 run_distmpi 2 -n 1 --backoff 0 -- \
		sh -c "touch att.{shard}.{attempt}; false" >out 2>err &&
	test "$(count_files att.1.*)" -eq 3 && test -f att.1.3
'

test_expect_success 'a shard that passes is not retried' '
	rm -f att.* &&
	run_distmpi 2 -n 2 --backoff 0 -- touch att.{shard}.{attempt} >out 2>err &&
	test "$(count_files att.*)" -eq 2
'

# gaps FILE SHARD - the time from the end of each attempt to the start of the
# next one, in seconds, one a line.
gaps() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	from datetime import datetime
	def t(s):
	    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
	j = json.load(open(sys.argv[1]))
	s = [x for x in j["shards"] if x["shard"] == int(sys.argv[2])][0]
	a = s["attempt_results"]
	for prev, nxt in zip(a, a[1:]):
	    print("%.3f" % (t(nxt["start"]) - (t(prev["start"]) + prev["duration"])))
	EOF
}

test_expect_success PYTHON 'backoff: the waits are at least 0.5 s, then 1 s' '
	test_expect_code 1 run_distmpi 2 -n 1 --backoff 0.5 --backoff-jitter 0 \
		--json backoff.json -- false >out 2>err &&
	gaps backoff.json 1 >gaps &&
	test "$(wc -l <gaps)" -eq 2 &&
	first=$(sed -n 1p gaps) && second=$(sed -n 2p gaps) &&
	echo "gaps: $first $second" &&
	# times in the report have millisecond resolution: allow 2 ms
	python3 -c "import sys; sys.exit(not ($first >= 0.498 and $second >= 0.998))"
'

test_expect_success PYTHON 'backoff is capped by --backoff-max' '
	# uncapped, the five waits would be 0.1 + 0.2 + 0.4 + 0.8 + 1.6 = 3.1 s;
	# capped at 0.1 s they are 0.5 s. Only the gross difference is checked.
	test_expect_code 1 run_distmpi 2 -n 1 --retries 5 --backoff 0.1 --backoff-max 0.1 \
		--backoff-jitter 0 --json cap.json -- false >out 2>err &&
	gaps cap.json 1 >gaps &&
	test "$(wc -l <gaps)" -eq 5 &&
	for g in $(cat gaps); do
		python3 -c "import sys; sys.exit(not ($g >= 0.098))" || return 1
	done &&
	total=$(awk "{ t += \$1 } END { print t }" gaps) &&
	echo "total wait $total s" &&
	python3 -c "import sys; sys.exit(not ($total < 3.0))"
'

test_expect_success '--backoff 0: retries start at once (just check it works)' '
	rm -f att.* &&
	test_expect_code 1 run_distmpi 2 -n 1 --backoff 0 --backoff-max 0 -- \
		sh -c "touch att.{shard}.{attempt}; false" >out 2>err &&
	test "$(count_files att.1.*)" -eq 3
'

test_done
