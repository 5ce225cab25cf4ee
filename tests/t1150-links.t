#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='no file or directory created through a link

Where distmpi names a path itself (RUN_DIR/shard-N/attempt-A, the logs
shard-N/attempt-A.log, shard-N/collected/NAME, RUN_DIR/journal.jsonl), a
symbolic link planted there is refused with an error naming it, and what it
points to is left as it was; so is a link at a report path. The user'"'"'s own
links in the directory they name are followed, but not a link another user
made in a sticky world-writable directory.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
test "$(id -u)" = 0 && test_set_prereq ROOT

refused="is a symbolic link; distmpi will not follow it"

# outside_made: a fresh directory "outside" for a link to point to, with
# known contents, and a file "victim"; outside_untouched: they are as made.
outside_made() {
	rm -rf outside victim outside.list &&
	mkdir outside outside/attempt-1 outside/collected &&
	echo precious >outside/keep &&
	echo precious >outside/attempt-1/keep &&
	echo precious >victim &&
	(cd outside && find . | sort) >outside.list
}

outside_untouched() {
	test "$(cat victim)" = precious &&
	test "$(cat outside/keep)" = precious &&
	test "$(cat outside/attempt-1/keep)" = precious &&
	(cd outside && find . | sort) >now.list &&
	test_cmp outside.list now.list
}

test_expect_success 'a link at shard-N: no attempt directory or log made in its target' '
	outside_made &&
	mkdir r1 &&
	ln -s "$PWD/outside" r1/shard-1 &&
	test_expect_code 3 run_distmpi 2 -n 2 --run-dir r1 -- \
		sh -c "echo written >\"\$DISTMPI_OUTPUT_DIR/new\"" >out 2>err &&
	outside_untouched &&
	grep "shard 1: exec error (cannot create the output directory $PWD/r1/shard-1/attempt-1: $PWD/r1/shard-1 $refused)" out &&
	grep "cannot store the log $PWD/r1/shard-1/attempt-1.log: $PWD/r1/shard-1 $refused" out &&
	grep "shard 2 passed" out &&
	test -f r1/shard-2/attempt-1/new
'

test_expect_success 'a link at attempt-A: its target is neither emptied nor written' '
	outside_made &&
	mkdir -p r2/shard-1 &&
	ln -s "$PWD/outside/attempt-1" r2/shard-1/attempt-1 &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir r2 -- \
		sh -c "echo written >\"\$DISTMPI_OUTPUT_DIR/new\"" >out 2>err &&
	outside_untouched &&
	grep "cannot create the output directory $PWD/r2/shard-1/attempt-1: $PWD/r2/shard-1/attempt-1 $refused" out
'

test_expect_success 'a link inside an attempt directory is removed, its target kept' '
	outside_made &&
	mkdir -p r3/shard-1/attempt-1/sub &&
	ln -s "$PWD/outside" r3/shard-1/attempt-1/sub/link &&
	ln -s "$PWD/victim" r3/shard-1/attempt-1/file-link &&
	run_distmpi 1 -n 1 --run-dir r3 -- sh -c "ls -A \"\$DISTMPI_OUTPUT_DIR\"" >out 2>err &&
	outside_untouched &&
	! grep -e sub -e file-link r3/shard-1/attempt-1.log &&
	test -z "$(ls -A r3/shard-1/attempt-1)"
'

test_expect_success 'a link at a log file: refused by name, its target untouched, exit 3' '
	outside_made &&
	mkdir -p lg1/shard-1 &&
	ln -s "$PWD/victim" lg1/shard-1/attempt-1.log &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir r4 --logs lg1 -- echo written >out 2>err &&
	outside_untouched &&
	grep "cannot store the log $PWD/lg1/shard-1/attempt-1.log: $PWD/lg1/shard-1/attempt-1.log $refused" out &&
	grep "shard 1 passed" out &&
	grep "^distmpi: some logs could not be stored" err
'

test_expect_success 'a link at shard-N of --logs: no log in its target' '
	outside_made &&
	mkdir lg2 &&
	ln -s "$PWD/outside" lg2/shard-1 &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir r5 --logs lg2 -- echo written >out 2>err &&
	outside_untouched &&
	grep "cannot store the log $PWD/lg2/shard-1/attempt-1.log: $PWD/lg2/shard-1 $refused" out
'

test_expect_success 'a hard link at a log file keeps its contents: the log is a new file' '
	outside_made &&
	mkdir -p lg3/shard-1 &&
	ln victim lg3/shard-1/attempt-1.log &&
	run_distmpi 1 -n 1 --run-dir r6 --logs lg3 -- echo written >out 2>err &&
	outside_untouched &&
	grep -x written lg3/shard-1/attempt-1.log
'

test_expect_success 'a link at shard-N/collected: the collected file is not stored there' '
	outside_made &&
	mkdir -p lg4/shard-1 &&
	ln -s "$PWD/outside/collected" lg4/shard-1/collected &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir r7 --logs lg4 --collect "out-{shard}.txt" -- \
		sh -c "echo data >out-{shard}.txt" >out 2>err &&
	outside_untouched &&
	grep "cannot store $PWD/lg4/shard-1/collected/out-1.txt: $PWD/lg4/shard-1/collected $refused" out
'

test_expect_success 'links at the JSON, JUnit and HTML paths: each refused, targets kept, exit 3' '
	outside_made &&
	ln -s "$PWD/victim" r.json &&
	ln -s "$PWD/victim" r.xml &&
	ln -s "$PWD/outside/new.html" r.html &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir r8 --json r.json --junit r.xml \
		--html r.html -- true >out 2>err &&
	outside_untouched &&
	grep "^distmpi: cannot write the JSON report: r.json $refused" err &&
	grep "^distmpi: cannot write the JUnit report: r.xml $refused" err &&
	grep "^distmpi: cannot write the HTML report: r.html $refused" err &&
	test -h r.json && test -h r.xml && test -h r.html &&
	grep -E "^1 shards?: 1 passed" out
'

test_expect_success 'a link at RUN_DIR/journal.jsonl: refused, nothing runs (exit 2)' '
	outside_made &&
	mkdir r9 &&
	ln -s "$PWD/victim" r9/journal.jsonl &&
	test_expect_code 2 run_distmpi 1 -n 1 --run-dir r9 -- echo ran >out 2>err &&
	outside_untouched &&
	grep "^distmpi: cannot create the journal r9/journal.jsonl: r9/journal.jsonl $refused" err &&
	test ! -e r9/shard-1 &&
	test "$(ls r9)" = journal.jsonl
'

test_expect_success 'a dangling link at --journal FILE: its target is not created' '
	outside_made &&
	ln -s "$PWD/outside/journal.jsonl" j.jsonl &&
	test_expect_code 2 run_distmpi 1 -n 1 --run-dir r10 --journal j.jsonl -- true >out 2>err &&
	outside_untouched &&
	grep "^distmpi: cannot create the journal j.jsonl: j.jsonl $refused" err
'

# attempt 1 stores its log; attempt 2 swaps shard-N for a link to a
# directory holding an attempt-2.log of its own before it fails
test_expect_success 'a link swapped in for shard-N during the run: its target is not read or written' '
	outside_made &&
	echo SECRET-TAIL >outside/attempt-2.log &&
	(cd outside && find . | sort) >outside.list &&
	cat >swap.sh <<-EOF &&
	if test "\$DISTMPI_ATTEMPT" = 1; then echo first; exit 1; fi
	mv lg6/shard-1 lg6/moved && ln -s "$PWD/outside" lg6/shard-1
	exit 1
	EOF
	run_distmpi 1 -n 1 --run-dir r11 --logs lg6 --retries 1 --backoff 0.1 --junit t.xml \
		--json t.json -- sh swap.sh >out 2>err
	test $? -ne 0 &&
	outside_untouched &&
	test "$(cat outside/attempt-2.log)" = SECRET-TAIL &&
	! grep SECRET-TAIL t.xml t.json &&
	grep -x first lg6/moved/attempt-1.log
'

test_expect_success 'the user'"'"'s own link as the run directory is followed' '
	mkdir real &&
	ln -s real mine &&
	run_distmpi 1 -n 1 --run-dir mine -- echo ran >out 2>err &&
	test -d real/shard-1/attempt-1 &&
	grep -x ran real/shard-1/attempt-1.log &&
	test -f real/journal.jsonl
'

test_expect_success ROOT 'a link another user made in a sticky shared directory is refused' '
	mkdir shared real2 &&
	chmod 1777 shared &&
	ln -s "$PWD/real2" shared/run &&
	chown -h nobody shared/run &&
	test_expect_code 2 run_distmpi 1 -n 1 --run-dir shared/run -- true >out 2>err &&
	grep "^distmpi: cannot create the journal shared/run/journal.jsonl: shared/run is a symbolic link another user made in a shared directory; distmpi will not follow it" err &&
	test -z "$(ls -A real2)"
'

test_expect_success ROOT 'the same link of the directory owner is followed' '
	chown -h root shared/run &&
	run_distmpi 1 -n 1 --run-dir shared/run -- true >out 2>err &&
	test -f real2/journal.jsonl
'

test_done
