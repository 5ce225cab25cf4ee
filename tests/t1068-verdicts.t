#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='a verdict on every test of the collected JUnit reports

With --collect, the JUnit files of every attempt of every shard reach rank 0
(a retried attempt'"'"'s too), and each test gets a verdict: passed, flaky
(failed, then passed: in a retry of distmpi or of the tool itself), failing
(failed every time), host-specific (unit-tested: one host here) or skipped.
The summary, the JSON, JUnit and HTML reports show them; --fail-on-flaky
makes a flaky test fail the run.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

xpath() {
	xmllint --xpath "$2" "$1"
}

# A test tool: writes results/junit-SHARD.xml with a test that passes, and
#   shard 1: "sometimes" fails on attempt 1 and passes on attempt 2;
#   shard 2: "never" fails on every attempt (unless NEVER_FAILS is set),
#            in a suite whose hostname is the host's (as pytest writes it);
#   shard 3: "retried" passes after a failure in the tool's own retry
#            (Playwright's <flakyFailure>), and "later" is skipped.
# It exits 1 when a test failed, as test tools do.
cat >tool.sh <<-\EOF
	#!/bin/sh
	mkdir -p results
	out=results/junit-$DISTMPI_SHARD.xml
	fail='<failure message="expected 1, got 2">at line 3</failure>'
	case $DISTMPI_SHARD in
	1)
		body=
		test "$DISTMPI_ATTEMPT" -eq 1 && body=$fail
		cases="<testcase classname=\"a.spec\" name=\"sometimes\">$body</testcase>"
		suite='hostname="desktop"' ;;
	2)
		body=$fail
		test -n "$NEVER_FAILS" && body=
		cases="<testcase classname=\"b.spec\" name=\"never\">$body</testcase>"
		suite="hostname=\"$DISTMPI_HOST\"" ;;
	3)
		cases='<testcase classname="c.spec" name="retried"><flakyFailure message="timed out"><stackTrace>at c.spec:9</stackTrace></flakyFailure></testcase>
	<testcase classname="c.spec" name="later"><skipped/></testcase>'
		suite='hostname="mobile"' ;;
	esac
	cat >"$out" <<XML
	<?xml version="1.0" encoding="UTF-8"?>
	<testsuites><testsuite name="s$DISTMPI_SHARD" $suite>
	<testcase classname="ok.spec" name="fine in $DISTMPI_SHARD"/>
	$cases
	</testsuite></testsuites>
	XML
	! grep -q "<failure" "$out"
EOF
chmod +x tool.sh

test_expect_success 'a run with a flaky, a failing and a tool-retried test' '
	test_expect_code 1 run_distmpi 2 -n 3 --retries 1 --backoff 0 --progress lines \
		--logs lg --json r.json --junit j.xml --html r.html \
		--collect "results/junit-{shard}.xml" -- ./tool.sh >out 2>err
'

test_expect_success 'every attempt'"'"'s report reached rank 0' '
	ls lg/shard-1/collected/attempt-1_results_junit-1.xml lg/shard-1/collected/results_junit-1.xml &&
	ls lg/shard-2/collected/attempt-1_results_junit-2.xml lg/shard-2/collected/results_junit-2.xml &&
	grep "at line 3" lg/shard-1/collected/attempt-1_results_junit-1.xml &&
	! grep "at line 3" lg/shard-1/collected/results_junit-1.xml
'

test_expect_success 'the summary counts the tests by verdict and names the ones that failed' '
	grep -x "Tests: 7: 3 passed, 2 flaky, 1 failing, 0 host-specific, 1 skipped" out &&
	grep "^  failing  *b.spec: never (.* shard 2 attempt 1: failed; .* shard 2 attempt 2: failed)$" out &&
	grep "^  flaky  *a.spec: sometimes \[desktop\] (.* shard 1 attempt 1: failed; .* shard 1 attempt 2: passed)$" out &&
	grep "^  flaky  *c.spec: retried \[mobile\] (.* shard 3 attempt 1: failed 1 time, then passed)$" out &&
	test "$(grep -c "^  \(failing\|flaky\|host-specific\) " out)" = 3 &&
	! grep "fine in" out
'

test_expect_success PYTHON 'the JSON report has every test with its verdict, hosts and runs' '
	json_check r.json "
v = j[\"test_verdicts\"]
assert v == {\"failing\": 1, \"host-specific\": 0, \"flaky\": 2, \"passed\": 3, \"skipped\": 1}, v
t = {(x[\"classname\"], x[\"name\"]): x for x in j[\"tests\"]}
assert len(t) == 7, t
assert [x[\"verdict\"] for x in j[\"tests\"]][:3] == [\"failing\", \"flaky\", \"flaky\"], j[\"tests\"]
s = t[(\"a.spec\", \"sometimes\")]
assert s[\"verdict\"] == \"flaky\" and s[\"project\"] == \"desktop\", s
assert [(r[\"shard\"], r[\"attempt\"], r[\"outcome\"], r[\"message\"]) for r in s[\"runs\"]] == [(1, 1, \"failed\", \"expected 1, got 2\"), (1, 2, \"passed\", None)], s
assert s[\"hosts\"] == [s[\"runs\"][0][\"host\"]] and s[\"hosts\"][0] == shards[1][\"host\"], s
n = t[(\"b.spec\", \"never\")]
assert n[\"verdict\"] == \"failing\" and n[\"project\"] is None, n
r = t[(\"c.spec\", \"retried\")]
assert r[\"verdict\"] == \"flaky\" and r[\"runs\"][0][\"failed_before\"] == 1, r
assert r[\"runs\"][0][\"message\"] == \"timed out\", r
assert t[(\"c.spec\", \"later\")][\"verdict\"] == \"skipped\"
assert t[(\"ok.spec\", \"fine in 1\")][\"verdict\"] == \"passed\"
assert len(t[(\"ok.spec\", \"fine in 1\")][\"runs\"]) == 2
c = shards[1][\"collected\"]
assert [f[\"attempt\"] for f in c] == [1, 2], c
"
'

test_expect_success XMLLINT 'the JUnit report validates against junit-10.xsd' '
	xmllint --noout --schema "$xsd" j.xml
'

test_expect_success XMLLINT 'it lists the last attempt'"'"'s tests, the earlier failures as reruns' '
	# 3 shard test cases + 2 + 2 + 3 collected, each test once
	test "$(xpath j.xml "count(//testcase)")" = 10 &&
	test "$(xpath j.xml "count(//testcase[@name=\"sometimes\"])")" = 1 &&
	test "$(xpath j.xml "count(//testcase[@name=\"sometimes\"]/failure)")" = 0 &&
	test "$(xpath j.xml "string(//testcase[@name=\"sometimes\"]/flakyFailure/@message)")" = "failed in attempt 1 on $(xpath j.xml "string(//testsuite[@name=\"shard-1\"]/@hostname)"): expected 1, got 2" &&
	xpath j.xml "string(//testcase[@name=\"sometimes\"]/flakyFailure)" | grep "^shard 1 attempt 1 on .*: failed: expected 1, got 2$" &&
	test "$(xpath j.xml "count(//testcase[@name=\"never\"]/failure)")" = 1 &&
	test "$(xpath j.xml "count(//testcase[@name=\"never\"]/rerunFailure[@type=\"distmpi.attempt\"])")" = 1 &&
	test "$(xpath j.xml "count(//testcase[@name=\"retried\"]/flakyFailure)")" = 1 &&
	test "$(xpath j.xml "count(//testcase[@classname=\"ok.spec\"]/*)")" = 0
'

test_expect_success 'the HTML report has the tests by verdict' '
	grep "<h2>Tests by verdict (7)</h2>" r.html &&
	grep "id=\"tests-flaky\"><b>2</b> flaky<" r.html &&
	grep "id=\"tests-failing\"><b>1</b> failing<" r.html &&
	grep "<tr class=\"v-failing\"><td class=\"l\">failing</td><td class=\"l\"><code>b.spec</code>: never</td><td class=\"l\">.* shard 2 attempt 1: failed<br>.* shard 2 attempt 2: failed</td></tr>" r.html &&
	grep "<code>a.spec</code>: sometimes \[desktop\]" r.html &&
	test "$(grep -c "<tr class=\"v-" r.html)" = 3
'

test_expect_success 'without --fail-on-flaky a flaky test does not fail the run' '
	NEVER_FAILS=1 run_distmpi 2 -n 3 --retries 1 --backoff 0 --progress none \
		--logs lg2 --collect "results/junit-{shard}.xml" -- ./tool.sh >out2 2>err2 &&
	grep -x "Tests: 7: 4 passed, 2 flaky, 0 failing, 0 host-specific, 1 skipped" out2
'

test_expect_success 'with --fail-on-flaky it does: exit status 1' '
	NEVER_FAILS=1 test_expect_code 1 run_distmpi 2 -n 3 --retries 1 --backoff 0 \
		--progress none --logs lg3 --fail-on-flaky --json f.json \
		--collect "results/junit-{shard}.xml" -- ./tool.sh >out3 2>err3 &&
	grep "^distmpi: --fail-on-flaky: a shard or a test failed before it passed" out3 &&
	json_check f.json "assert j[\"exit_status\"] == 1, j[\"exit_status\"]"
'

# One test per shard, passed, or passed after a failure in the tool's own
# retry (ONE=flaky); the shard always exits 0.
cat >one.sh <<-\EOF
	#!/bin/sh
	mkdir -p results
	retry=
	test "$ONE" = flaky && retry='<rerunFailure message="first try"/>'
	printf '<testsuite name="one"><testcase classname="one" name="t%s">%s</testcase></testsuite>\n' \
		"$DISTMPI_SHARD" "$retry" >"results/one-$DISTMPI_SHARD.xml"
EOF
chmod +x one.sh

test_expect_success 'a tool-retried test alone is enough for --fail-on-flaky' '
	ONE=flaky test_expect_code 1 run_distmpi 1 -n 2 --progress none --logs lg4 --fail-on-flaky \
		--collect "results/one-{shard}.xml" -- ./one.sh >out4 2>err4 &&
	grep "^2 shards: 2 passed (0 flaky), 0 failed" out4 &&
	grep -x "Tests: 2: 0 passed, 2 flaky, 0 failing, 0 host-specific, 0 skipped" out4
'

test_expect_success 'fail_on_flaky in the configuration file; nothing flaky passes' '
	printf "fail_on_flaky = true;\nmax_load = 1000000.0;\n" >flaky.conf &&
	ONE=flaky test_expect_code 1 run_distmpi 1 -n 2 --config flaky.conf --progress none \
		--logs lg5 --collect "results/one-{shard}.xml" -- ./one.sh >out5 2>err5 &&
	grep "^distmpi: --fail-on-flaky" out5 &&
	run_distmpi 1 -n 2 --config flaky.conf --progress none --logs lg6 \
		--collect "results/one-{shard}.xml" -- ./one.sh >out6 2>err6 &&
	grep -x "Tests: 2: 2 passed, 0 flaky, 0 failing, 0 host-specific, 0 skipped" out6 &&
	! grep "fail-on-flaky" out6
'

test_expect_success 'no collected report, no test section' '
	run_distmpi 1 -n 2 --progress none --logs lg7 -- true >out7 2>err7 &&
	! grep "^Tests:" out7
'

test_done
