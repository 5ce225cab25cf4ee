#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--retry-command: a retry runs only the tests that failed

After an attempt that failed, its JUnit report (the --collect pattern that
ends in .xml, as the attempt left it) names the failed tests; the next
attempt runs the --retry-command line with {failed} put in as one word per
test, quoted for /bin/sh. A report that is missing, not JUnit, names no
failed test, or names one that cannot be passed on safely gives a retry of
the full command. The logs, the JSON report and the journal say which.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# A test tool. Without arguments it runs its whole suite: it records "FULL"
# in its output directory's ran file and writes junit.xml there, as each
# shard wants:
#   1: three tests, two failing (one with a space and quotes in its name,
#      one a pytest test with a file attribute and a $ in its name)
#   2: no report at all (it crashed before writing one), then passes
#   3: a report that names no failed test, yet exits 1, then passes
#   4: a failed test whose name starts with "-", then passes
# With arguments it runs only those tests: it records each one on a line
# of the ran file and writes a report in which they pass.
cat >tool.sh <<-\EOF
	#!/bin/sh
	out=$DISTMPI_OUTPUT_DIR
	if test $# -gt 0; then
		printf "%s\n" "$@" >"$out/ran"
		{
			echo "<testsuite name=\"retry\">"
			for t in "$@"; do
				t=$(printf "%s" "$t" | sed -e "s/&/\&amp;/g" -e "s/'/\&apos;/g" -e "s/\"/\&quot;/g")
				echo "<testcase name=\"$t\" classname=\"c\"/>"
			done
			echo "</testsuite>"
		} >"$out/junit.xml"
		exit 0
	fi
	echo FULL >"$out/ran"
	test "$DISTMPI_ATTEMPT" -eq 1 || { echo "<testsuite><testcase name=\"all\"/></testsuite>" >"$out/junit.xml"; exit 0; }
	case $DISTMPI_SHARD in
	1) cat >"$out/junit.xml" <<-\XML
		<?xml version="1.0" encoding="UTF-8"?>
		<testsuites><testsuite name="s1" tests="3">
		<testcase name="passes" classname="a.spec.ts"/>
		<testcase name="it&apos;s a &quot;quoted&quot; name" classname="a.spec.ts"><failure message="x"/></testcase>
		<testcase name="test_$y[a b]" classname="tests.test_b.TestX" file="tests/test_b.py" line="7"><error message="y"/></testcase>
		</testsuite></testsuites>
		XML
	;;
	2) ;;
	3) echo "<testsuite><testcase name=\"fine\"/></testsuite>" >"$out/junit.xml" ;;
	4) echo "<testsuite><testcase name=\"--exec=boom\"><failure/></testcase></testsuite>" >"$out/junit.xml" ;;
	esac
	exit 1
EOF
chmod +x tool.sh

test_expect_success 'a run whose retries run the failed tests only' '
	run_distmpi 2 -n 4 --backoff 0.01 --logs lg --run-dir r1 --json r.json --journal j.jsonl \
		--junit r.xml \
		--collect "{output_dir}/junit.xml" --retry-command "./tool.sh {failed}" \
		-- ./tool.sh >out 2>err
'

test_expect_success 'the retry got exactly the failed tests, each one word' '
	echo FULL >expect &&
	test_cmp expect r1/shard-1/attempt-1/ran &&
	cat >expect <<-\EOF &&
	it'"'"'s a "quoted" name
	tests/test_b.py::TestX::test_$y[a b]
	EOF
	test_cmp expect r1/shard-1/attempt-2/ran &&
	grep "distmpi: retrying only the 2 failed tests of attempt 1 (--retry-command)" \
		lg/shard-1/attempt-2.log
'

test_expect_success PYTHON 'the merged JUnit still lists the test that passed before the partial retry' '
	python3 - r.xml <<-\EOF &&
	import sys
	import xml.etree.ElementTree as ET
	suites = {s.get("name"): s for s in ET.parse(sys.argv[1]).getroot().iter("testsuite")}
	s1 = [s for n, s in suites.items() if n == "shard-1"]
	assert len(s1) == 1, list(suites)
	cases = {(c.get("classname"), c.get("name")): c for c in s1[0].iter("testcase")}
	carried = cases.get(("a.spec.ts", "passes"))
	assert carried is not None, sorted(cases)
	out = carried.find("system-out").text
	assert "passed in attempt 1" in out and "--retry-command" in out, out
	# the two retried, from the last attempt, each once
	names = sorted(n for (c, n) in cases if c == "c")
	assert names == ["it\x27s a \"quoted\" name", "tests/test_b.py::TestX::test_$y[a b]"], names
	assert int(s1[0].get("tests")) == len(cases), (s1[0].get("tests"), len(cases))
	EOF
	if command -v xmllint >/dev/null; then
		xmllint --noout --schema "$DISTMPI_SRCDIR/tests/data/junit-10.xsd" r.xml
	fi
'

test_expect_success 'no report, or none with a failed test: the full command again' '
	echo FULL >expect &&
	for s in 2 3 4; do
		test_cmp expect r1/shard-$s/attempt-2/ran || return 1
	done &&
	grep "distmpi: retrying the whole shard, not only its failed tests: no JUnit report matches --collect" \
		lg/shard-2/attempt-2.log &&
	grep "distmpi: retrying the whole shard, not only its failed tests: its JUnit report names no failed test" \
		lg/shard-3/attempt-2.log &&
	grep "distmpi: retrying the whole shard, not only its failed tests: the failed test \"--exec=boom\" starts with .-." \
		lg/shard-4/attempt-2.log
'

test_expect_success PYTHON 'the JSON report and the journal say which retry was partial' '
	json_check r.json "
for n in range(1, 5):
    s = shards[n]
    assert s[\"status\"] == \"flaky\", s
    want = [0, 2] if n == 1 else [0, 0]
    assert [a[\"retried\"] for a in s[\"attempt_results\"]] == want, s
" &&
	python3 - <<-\EOF
	import json
	lines = [json.loads(l) for l in open("j.jsonl")]
	res = {l["shard"]: l for l in lines if "attempts" in l and isinstance(l["attempts"], list)}
	assert [a.get("retried") for a in res[1]["attempts"]] == [None, 2], res[1]
	assert all("retried" not in a for n in (2, 3, 4) for a in res[n]["attempts"]), res
	EOF
'

test_expect_success 'a timeout is retried whole: tests it never reached are not in its report' '
	cat >slow.sh <<-\EOF &&
	#!/bin/sh
	echo "<testsuite><testcase name=\"t\"><failure/></testcase></testsuite>" >"$DISTMPI_OUTPUT_DIR/junit.xml"
	test "$DISTMPI_ATTEMPT" -gt 1 || sleep 30
	EOF
	chmod +x slow.sh &&
	run_distmpi 1 -n 1 --timeout 1 --kill-grace 0.1 --backoff 0.01 --logs lt \
		--collect "{output_dir}/junit.xml" --retry-command "false {failed}" -- ./slow.sh >out 2>err &&
	grep "retrying the whole shard, not only its failed tests: attempt 1 ended as timeout, not as failed" \
		lt/shard-1/attempt-2.log
'

test_expect_success 'a report older than the attempt is not its: the full command again' '
	echo "<testsuite><testcase name=\"old\"><failure/></testcase></testsuite>" >stale-1.xml &&
	touch -d "1 minute ago" stale-1.xml &&
	cat >crash.sh <<-\EOF &&
	#!/bin/sh
	echo "$# args" >"$DISTMPI_OUTPUT_DIR/ran"
	test "$DISTMPI_ATTEMPT" -gt 1
	EOF
	chmod +x crash.sh &&
	run_distmpi 1 -n 1 --backoff 0.01 --logs ls --run-dir rs --collect "stale-{shard}.xml" \
		--retry-command "./crash.sh {failed}" -- ./crash.sh >out 2>err &&
	grep "retrying the whole shard, not only its failed tests: stale-1.xml was not written by that attempt" \
		ls/shard-1/attempt-2.log &&
	echo "0 args" >expect &&
	test_cmp expect rs/shard-1/attempt-2/ran
'

test_expect_success PYTHON 'a retry command that is not found is an exec error, not a test failure' '
	test_expect_code 3 run_distmpi 1 -n 1 --backoff 0.01 --run-dir rn --json n.json \
		--collect "{output_dir}/junit.xml" --retry-command "./no-such-tool {failed}" \
		-- ./tool.sh >out 2>err &&
	json_check n.json "
s = shards[1]
assert s[\"status\"] == \"exec_error\", s
assert [a[\"outcome\"] for a in s[\"attempt_results\"]] == [\"failed\", \"exec_error\"], s
assert \"/bin/sh could not find the command\" in s[\"error\"], s
"
'

test_expect_success 'the retry command in task mode and from the config file' '
	printf "./tool.sh\n" >t.tasks &&
	printf "retry_command = \"./tool.sh {failed}\"\ncollect = \"{output_dir}/junit.xml\"\nmax_load = 1000000.0\n" >c.conf &&
	run_distmpi 1 --config c.conf --tasks t.tasks --backoff 0.01 --logs lc >out 2>err &&
	grep "retrying only the 2 failed tests of attempt 1" lc/shard-1/attempt-2.log
'

test_expect_success 'a {failed} that is not a word of its own is refused' '
	test_expect_code 2 run_distmpi 1 -n 1 --retry-command "t --only={failed}" -- true \
		>out 2>err &&
	grep "retry-command: {failed} must be a word of its own (column 10)" err &&
	test_expect_code 2 run_distmpi 1 -n 1 --retry-command "t \"{failed}\"" -- true \
		>out 2>err &&
	grep "retry-command: {failed} must be a word of its own" err &&
	test_expect_code 2 run_distmpi 1 -n 1 --retry-command "t {failing}" -- true \
		>out 2>err &&
	grep "retry-command: unknown placeholder {failing}" err
'

test_expect_success 'a retry command needs a JUnit report to name the failed tests' '
	test_expect_code 2 run_distmpi 1 -n 1 --retry-command "t {failed}" -- true >out 2>err &&
	grep "distmpi: --retry-command needs --collect with a pattern ending in .xml" err &&
	test_expect_code 2 run_distmpi 1 -n 1 --collect "out/*.log" --retry-command "t {failed}" \
		-- true >out 2>err &&
	grep "distmpi: --retry-command needs --collect with a pattern ending in .xml" err
'

test_done
