#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--junit FILE: a JUnit XML report that validates against junit-10.xsd

One testsuite per shard with host, rank, slot and attempts as properties; a
failed shard carries <failure>, an infrastructure problem <error> with its
type, a flaky shard a <flakyFailure> for each failed attempt. The report is
checked with xmllint against the schema Jenkins'"'"' xunit plugin uses.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

# xpath FILE EXPR - the value of an XPath expression
xpath() {
	xmllint --xpath "$2" "$1"
}

test_expect_success XMLLINT 'pass, fail, flaky, timeout, crash and exec error in one report' '
	cat >mixed.tasks <<-\EOF &&
	true
	exit 3
	test "$DISTMPI_ATTEMPT" -ge 2
	sleep 30
	kill -SEGV $$
	/nonexistent/command
	printf "nasty: \001\002 ]]> <&> \377\376 done\n"; exit 1
	EOF
	test_expect_code 3 run_distmpi 2 --tasks mixed.tasks --retries 1 --backoff 0 \
		--timeout 1 --kill-grace 0.2 --junit report.xml >out 2>err &&
	xmllint --noout --schema "$xsd" report.xml
'

test_expect_success XMLLINT 'the counts and the shape' '
	test "$(xpath report.xml "string(/testsuites/@tests)")" = 7 &&
	test "$(xpath report.xml "count(/testsuites/testsuite)")" = 7 &&
	test "$(xpath report.xml "count(//testcase/failure)")" = 4 &&
	test "$(xpath report.xml "count(//testcase/error)")" = 1 &&
	test "$(xpath report.xml "string(//testsuite[@name=\"shard-6\"]//error/@type)")" = exec_error &&
	test "$(xpath report.xml "string(//testsuite[@name=\"shard-4\"]//failure/@type)")" = timeout &&
	test "$(xpath report.xml "string(//testsuite[@name=\"shard-5\"]//failure/@type)")" = crashed &&
	test "$(xpath report.xml "count(//testsuite[@name=\"shard-3\"]//flakyFailure)")" = 1 &&
	test "$(xpath report.xml "count(//testsuite[@name=\"shard-3\"]//failure)")" = 0 &&
	test "$(xpath report.xml "string(//testsuite[@name=\"shard-2\"]/properties/property[@name=\"attempts\"]/@value)")" = 2 &&
	test "$(xpath report.xml "string(//testsuite[@name=\"shard-1\"]/@hostname)")" = "$(hostname)"
'

test_expect_success XMLLINT 'a report with every shard passing validates too' '
	run_distmpi 2 -n 3 --junit ok.xml -- true >out 2>err &&
	xmllint --noout --schema "$xsd" ok.xml &&
	test "$(xpath ok.xml "string(/testsuites/@failures)")" = 0
'

test_expect_success 'an unwritable JUnit path: the results are printed, exit 3' '
	test_expect_code 3 run_distmpi 2 -n 2 --junit no-such-dir/r.xml -- true >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	grep "^distmpi: cannot write the JUnit report: no-such-dir/r.xml" err
'

test_expect_success 'a symlink at the JUnit path is refused, not followed: exit 3' '
	echo keep >victim &&
	ln -sf victim link.xml &&
	test_expect_code 3 run_distmpi 2 -n 2 --junit link.xml -- true >out 2>err &&
	test "$(cat victim)" = keep &&
	test -h link.xml &&
	grep "^distmpi: cannot write the JUnit report: link.xml is a symbolic link; distmpi will not follow it" err
'

test_done
