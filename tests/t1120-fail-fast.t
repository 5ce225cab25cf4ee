#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--max-failures N, --fail-fast, and a second signal

Once N shards have not passed no shard is started any more: those running
finish, the queued ones come back from the ranks, and every shard never
started is "not run" (skipped in the reports); the exit status is that of
the failures. A second signal to rank 0 ends it at once, and the journal
still has every result it had shown.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

test_expect_success PYTHON '--fail-fast: nothing starts after the first failure' '
	rm -f ran.* &&
	test_expect_code 1 run_distmpi 2 -n 20 --retries 0 --fail-fast --json ff.json --junit ff.xml -- \
		sh -c "echo >ran.{shard}; sleep 0.2; test {shard} -ne 2" >out 2>err &&
	grep "^distmpi: 1 shard did not pass (--fail-fast): no more shards are started" out &&
	ran=$(ls ran.* | wc -l) &&
	echo "$ran shards started" &&
	test "$ran" -lt 10 &&
	grep "^20 shards: .* 1 failed.*, $((20 - ran)) not run;" out &&
	json_check ff.json "
sk = [s for s in j[\"shards\"] if s[\"status\"] == \"skipped\"]
assert len(sk) == 20 - $ran, len(sk)
assert all(s[\"attempts\"] == 0 and \"--fail-fast\" in s[\"error\"] for s in sk), sk
assert j[\"summary\"][\"skipped\"] == len(sk), j[\"summary\"]
assert j[\"exit_status\"] == 1, j
"
'

test_expect_success XMLLINT 'not-run shards are <skipped> in a valid JUnit report' '
	xmllint --noout --schema "$xsd" ff.xml &&
	test "$(xmllint --xpath "count(//testcase/skipped)" ff.xml)" -eq $((20 - $(ls ran.* | wc -l))) &&
	test "$(xmllint --xpath "count(//testcase/error)" ff.xml)" -eq 0
'

test_expect_success '--max-failures 3: the run stops after the third failure' '
	rm -f ran.* &&
	test_expect_code 1 run_distmpi 2 -n 30 --retries 0 --max-failures 3 -- \
		sh -c "echo >ran.{shard}; sleep 0.1; test \$(({shard} % 2)) -eq 0" >out 2>err &&
	grep "^distmpi: 3 shards did not pass (--max-failures)" out &&
	test "$(ls ran.* | wc -l)" -lt 12
'

test_expect_success 'running shards finish, with their retries, after the limit' '
	rm -f ran.* &&
	test_expect_code 1 run_distmpi 2 -n 4 --fail-fast --backoff 0 --retries 1 -- \
		sh -c "case {shard} in 1) exit 1;; 2) sleep 1; test \$DISTMPI_ATTEMPT -gt 1;; esac" \
		>out 2>err &&
	grep "shard 2 flaky" out
'

test_expect_success 'no failure: --fail-fast changes nothing' '
	run_distmpi 2 -n 6 --fail-fast -- true >out 2>err &&
	grep "^6 shards: 6 passed" out &&
	! grep "not run" out
'

test_expect_success '--max-failures refuses a bad value' '
	test_expect_code 2 run_distmpi 1 --max-failures -1 -- true >out 2>err &&
	grep "max-failures" err
'

test_expect_success 'a --resume after --fail-fast runs the shards that were not run' '
	rm -f ran.* &&
	test_expect_code 1 run_distmpi 2 -n 8 --retries 0 --fail-fast --run-dir r1 -- \
		sh -c "echo >>ran.{shard}; sleep 0.2; test {shard} -ne 1 || test -e fixed" >out 2>err &&
	touch fixed &&
	run_distmpi 2 --resume r1/journal.jsonl --run-dir r2 --retries 0 >out 2>err &&
	grep "^8 shards: 8 passed" out &&
	for s in 2 3 4 5 6 7 8; do test "$(wc -l <ran.$s)" -eq 1 || return 1; done
'

# shards 1 and 2 take long enough (0.3 s) that rank 0 hands out one shard at a
# time: 3 and 4 then run side by side (tiny shards are queued two per rank)
test_expect_success 'a second signal to rank 0 ends it at once, the journal intact' '
	rm -f rpid.* spid.*
	"$MPIRUN" -np 2 --oversubscribe --bind-to none --mca odls_base_sigkill_timeout 30 \
		"$DISTMPI" -n 4 --run-dir twice -- \
		sh -c "echo \$PPID >rpid.{rank}; sleep 0.3; test {shard} -le 2 || { echo \$\$ >spid.{shard}; exec sleep 60; }" \
		>out 2>err &
	pid=$! &&
	wait_for_files 30 rpid.0 spid.3 spid.4 &&
	test "$(($(wc -l <twice/journal.jsonl) - 1))" -eq 2 &&
	# both signals wait while rank 0 is stopped, then come one after the other
	r0=$(cat rpid.0) &&
	kill -STOP $r0 && kill -INT $r0 && kill -TERM $r0 && kill -CONT $r0 &&
	{ wait_pid_limit 20 $pid; true; } &&
	grep "^distmpi: second signal: stopping at once" err &&
	! grep "^[0-9]* shards:" out &&
	test "$(($(wc -l <twice/journal.jsonl) - 1))" -eq 2 &&
	process_gone "$(cat spid.3)" && process_gone "$(cat spid.4)"
'

test_done
