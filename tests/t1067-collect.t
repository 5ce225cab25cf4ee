#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--collect PATTERN: the test tool'"'"'s own files, fetched and merged

After each shard the rank that ran it reads the files matching PATTERN (with
the command'"'"'s placeholders) on its own host and ships them to rank 0, which
keeps a copy next to the logs. With --junit, the test cases of collected
JUnit files are merged into the report under their shard; a missing or
malformed report is an error entry and the shard does not count as passed.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

xpath() {
	xmllint --xpath "$2" "$1"
}

# A test tool: writes priv-RANK/junit-SHARD.xml (a directory of the rank that
# ran it, as a host's private disk would be) with two test cases, the second
# failing in shard 2; shard 5 writes nothing, shard 6 a broken file.
cat >tool.sh <<-\EOF
	#!/bin/sh
	d=priv-$DISTMPI_RANK
	mkdir -p "$d"
	case $DISTMPI_SHARD in
	5) exit 0 ;;
	6) printf "<testsuite><testcase name=\"cut" >"$d/junit-6.xml"; exit 0 ;;
	esac
	fail=
	test "$DISTMPI_SHARD" -eq 2 && fail="<failure message=\"expected 1\">trace &lt;2&gt;</failure>"
	cat >"$d/junit-$DISTMPI_SHARD.xml" <<XML
	<?xml version="1.0" encoding="UTF-8"?>
	<testsuites><testsuite name="suite-$DISTMPI_SHARD" tests="2">
	<testcase name="first in $DISTMPI_SHARD" classname="app.Login" time="0.25"/>
	<testcase name="second in $DISTMPI_SHARD" classname="app.Cart" time="1.5">$fail</testcase>
	</testsuite></testsuites>
	XML
	test "$DISTMPI_SHARD" -ne 2
EOF
chmod +x tool.sh

test_expect_success 'a run collecting each shard'"'"'s report from its rank' '
	test_expect_code 1 run_distmpi 3 -n 6 --retries 0 --logs lg --json r.json --junit j.xml \
		--collect "priv-{rank}/junit-{shard}.xml" -- ./tool.sh >out 2>err
'

test_expect_success 'every file arrived on rank 0, next to the logs' '
	for s in 1 2 3 4 6; do
		ls lg/shard-$s/collected/priv-?_junit-$s.xml || return 1
	done &&
	test ! -e lg/shard-5/collected
'

test_expect_success 'a shard without its report is failed, not passed' '
	grep "shard 5 failed (--collect: priv-[012]/junit-5.xml: no file matches)" out &&
	grep "shard 6 failed (--collect: priv-[012]/junit-6.xml: not a usable JUnit report: not well-formed" out &&
	grep "shard 1 passed" out && grep "shard 2 failed (exit 1)" out
'

test_expect_success XMLLINT 'the merged report validates against junit-10.xsd' '
	xmllint --noout --schema "$xsd" j.xml
'

test_expect_success XMLLINT 'it lists every collected test under its shard' '
	for s in 1 2 3 4; do
		test "$(xpath j.xml "count(//testsuite[@name=\"shard-$s\"]/testcase[@name=\"first in $s\"])")" = 1 &&
		test "$(xpath j.xml "count(//testsuite[@name=\"shard-$s\"]/testcase[@name=\"second in $s\"])")" = 1 ||
		return 1
	done &&
	test "$(xpath j.xml "string(//testcase[@name=\"second in 2\"]/failure/@message)")" = "expected 1" &&
	test "$(xpath j.xml "string(//testcase[@name=\"first in 3\"]/@classname)")" = app.Login
'

test_expect_success XMLLINT 'missing and broken reports are error entries' '
	test "$(xpath j.xml "count(//testsuite[@name=\"shard-5\"]/testcase[@classname=\"distmpi.collect\"]/error[@type=\"collect_error\"])")" = 1 &&
	test "$(xpath j.xml "count(//testsuite[@name=\"shard-6\"]/testcase[@classname=\"distmpi.collect\"]/error[@type=\"collect_error\"])")" = 1 &&
	xpath j.xml "string(//testsuite[@name=\"shard-5\"]/testcase[@classname=\"distmpi.collect\"]/error/@message)" | grep "no file matches"
'

test_expect_success XMLLINT 'the counts include the merged tests' '
	# 6 shard test cases + 4 x 2 collected + 2 error entries
	test "$(xpath j.xml "string(/testsuites/@tests)")" = 16 &&
	test "$(xpath j.xml "count(//testcase)")" = 16
'

test_expect_success PYTHON 'the JSON report lists each shard'"'"'s collected files' '
	json_check r.json "
c = shards[1][\"collected\"]
assert len(c) == 1 and c[0][\"error\"] is None, c
assert c[0][\"name\"].endswith(\"/junit-1.xml\"), c
assert c[0][\"path\"].endswith(\"/collected/\" + c[0][\"name\"].replace(\"/\", \"_\")), c
m = shards[5][\"collected\"]
assert m[0][\"path\"] is None and m[0][\"error\"] == \"no file matches\", m
assert shards[5][\"status\"] == \"failed\", shards[5]
assert shards[6][\"collected\"][0][\"path\"] is not None, shards[6]
"
'

test_expect_success 'files that are not JUnit are fetched, and a missing one fails nothing' '
	run_distmpi 2 -n 3 --logs any --json any.json --collect "out-{shard}.*" -- \
		sh -c "test {shard} -eq 3 || echo data-{shard} >out-{shard}.txt" >out 2>err &&
	grep -x data-1 any/shard-1/collected/out-1.txt &&
	grep -x data-2 any/shard-2/collected/out-2.txt &&
	grep "shard 3 passed" out
'

cat >two.sh <<-\EOF
	#!/bin/sh
	mkdir -p "m$DISTMPI_SHARD"
	for k in a b; do
		printf "<testsuite name=\"s\"><testcase name=\"t-%s\"/></testsuite>" $k >"m$DISTMPI_SHARD/$k.xml"
	done
EOF
chmod +x two.sh

test_expect_success XMLLINT 'several files per shard, a glob pattern' '
	run_distmpi 2 -n 2 --logs multi --junit multi.xml --collect "m{shard}/*.xml" -- ./two.sh \
		>out 2>err &&
	ls multi/shard-1/collected/m1_a.xml multi/shard-1/collected/m1_b.xml &&
	test "$(xpath multi.xml "count(//testsuite[@name=\"shard-2\"]/testcase[@name=\"t-b\"])")" = 1
'

test_expect_success XMLLINT '{output_dir}: the report in the attempt'"'"'s own directory' '
	test_expect_code 1 run_distmpi 2 -n 2 --retries 1 --backoff 0 --logs od --junit od.xml \
		--collect "{output_dir}/report.xml" -- sh -c "printf \"<testsuite name=\\\"s\\\"><testcase name=\\\"a{attempt}\\\"/></testsuite>\" >\"\$DISTMPI_OUTPUT_DIR/report.xml\"; test {shard} -ne 2" \
		>out 2>err &&
	test "$(xpath od.xml "count(//testsuite[@name=\"shard-1\"]/testcase[@name=\"a1\"])")" = 1 &&
	test "$(xpath od.xml "count(//testsuite[@name=\"shard-2\"]/testcase[@name=\"a2\"])")" = 1 &&
	test "$(xpath od.xml "count(//testsuite[@name=\"shard-2\"]/testcase[@name=\"a1\"])")" = 0
'

test_expect_success 'an unknown placeholder in the pattern is refused before anything runs' '
	test_expect_code 2 run_distmpi 1 --collect "r/{shrad}.xml" -- touch ran-anyway >out 2>err &&
	grep "^distmpi: --collect: unknown placeholder {shrad}" err &&
	test ! -e ran-anyway
'

test_done
