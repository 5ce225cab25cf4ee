#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='GitHub Actions: the job summary and the annotations

With GITHUB_STEP_SUMMARY set, rank 0 appends a Markdown summary of the run
to that file (counts, hosts, the shards that did not pass, the tests to
look at); with GITHUB_ACTIONS=true it prints an ::error annotation for each
failed test whose collected JUnit report gives a file and a line, with the
first line of its failure message, at most 50, then a notice of the rest.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# tool.sh: shard 2 fails four tests placed in files (one name with a pipe,
# one file with a comma and a colon and no message, one message with a %,
# non-ASCII and more lines, one message longer than an annotation takes)
# and passes one; the others pass.
# With MANY=N, shard 1 fails N tests placed in a file.
cat >tool.sh <<-\EOF
	#!/bin/sh
	out=$DISTMPI_OUTPUT_DIR
	if [ -n "${MANY:-}" ] && [ "$DISTMPI_SHARD" = 1 ]; then
		{
		echo "<testsuite name=\"many\">"
		for i in $(seq "$MANY"); do
			echo "<testcase name=\"t$i\" classname=\"m\" file=\"m.spec.ts\" line=\"$i\"><failure/></testcase>"
		done
		echo "</testsuite>"
		} >"$out/junit.xml"
		exit 1
	fi
	if [ "$DISTMPI_SHARD" = 2 ]; then
		long=$(printf "%0199d" 0 | tr 0 x)
		cat >"$out/junit.xml" <<-XML
		<testsuite name="s">
		<testcase name="adds | pipes" classname="math.spec.ts" file="tests/math.spec.ts" line="12"><failure message="3 != 4"/></testcase>
		<testcase name="odd" classname="x" file="a,b:c.ts" line="7"><error/></testcase>
		<testcase name="rounds" classname="math.spec.ts" file="tests/math.spec.ts" line="20"><failure message="&#10; expected 50% to be ½ &#13;&#10;  at round (math.spec.ts:20)">stack</failure></testcase>
		<testcase name="long" classname="math.spec.ts" file="tests/math.spec.ts" line="30"><error message="${long}é and more"/></testcase>
		<testcase name="fine" classname="math.spec.ts"/>
		</testsuite>
		XML
		exit 1
	fi
	echo "<testsuite name=\"s\"><testcase name=\"fine\" classname=\"a.spec.ts\"/></testsuite>" >"$out/junit.xml"
EOF
chmod +x tool.sh

test_expect_success 'the summary is appended to GITHUB_STEP_SUMMARY' '
	echo "# an earlier step" >step.md &&
	GITHUB_STEP_SUMMARY=$PWD/step.md &&
	export GITHUB_STEP_SUMMARY &&
	test_expect_code 1 run_distmpi 2 -n 3 --retries 0 --collect "{output_dir}/junit.xml" \
		-- ./tool.sh >out 2>err &&
	unset GITHUB_STEP_SUMMARY &&
	head -n 1 step.md | grep "^# an earlier step\$" &&
	grep "^## distmpi: did not pass (exit status 1)\$" step.md &&
	grep "^3 shards: 2 passed (0 flaky), 1 failed" step.md &&
	grep "^| host | cores | ranks | shards | passed | flaky | failed | retries | busy |\$" step.md &&
	grep "^| $(hostname) | [0-9]* | 2 | 3 | 2 | 0 | 1 | 0 | " step.md &&
	grep "^### Shards that did not pass\$" step.md &&
	grep "^| 2 | failed | $(hostname) | 1 | " step.md &&
	grep "^### Tests to look at\$" step.md &&
	grep "^| math.spec.ts › adds \\\\| pipes | failing | 2/1 on $(hostname): failed |\$" step.md &&
	! grep "fine" step.md &&
	# no annotations without GITHUB_ACTIONS=true
	! grep "^::" out
'

test_expect_success 'GITHUB_ACTIONS=true: an annotation for each failed test with a file and line' '
	GITHUB_ACTIONS=true &&
	export GITHUB_ACTIONS &&
	test_expect_code 1 run_distmpi 2 -n 3 --retries 0 --collect "{output_dir}/junit.xml" \
		-- ./tool.sh >out 2>err &&
	unset GITHUB_ACTIONS &&
	grep "^::" out >ann &&
	long=$(printf "%0199d" 0 | tr 0 x) &&
	cat >expect <<-EOF &&
	::error file=tests/math.spec.ts,line=12,title=adds | pipes::3 != 4 (shard 2 on $(hostname), distmpi)
	::error file=a%2Cb%3Ac.ts,line=7,title=odd::odd failed in shard 2 on $(hostname) (distmpi)
	::error file=tests/math.spec.ts,line=20,title=rounds::expected 50%25 to be ½… (shard 2 on $(hostname), distmpi)
	::error file=tests/math.spec.ts,line=30,title=long::$long… (shard 2 on $(hostname), distmpi)
	EOF
	test_cmp expect ann
'

test_expect_success 'an annotation carries the first line of the failure message, escaped' '
	# the message starts with a line break, has a % and non-ASCII, then more lines
	grep -F "title=rounds::expected 50%25 to be ½… (shard 2 on" ann &&
	! grep -F "math.spec.ts:20)" ann &&
	! grep "%0[AD]" ann &&
	# 199 bytes, then a character of 2 bytes: cut before it, not inside it
	grep "title=long::x\{199\}… (shard 2 on" ann
'

test_expect_success 'at most 50 annotations, then a notice of the rest' '
	GITHUB_ACTIONS=true MANY=60 &&
	export GITHUB_ACTIONS MANY &&
	test_expect_code 1 run_distmpi 1 -n 1 --retries 0 --collect "{output_dir}/junit.xml" \
		-- ./tool.sh >out 2>err &&
	unset GITHUB_ACTIONS MANY &&
	test "$(grep -c "^::error " out)" -eq 50 &&
	grep "^::notice title=distmpi::10 more failed tests with a file and line" out
'

test_expect_success 'a summary file that cannot be written is a warning; the status stays' '
	GITHUB_STEP_SUMMARY=$PWD/no/such/dir/step.md &&
	export GITHUB_STEP_SUMMARY &&
	run_distmpi 1 -n 1 -- true >out 2>err &&
	unset GITHUB_STEP_SUMMARY &&
	grep "^distmpi: warning: cannot add to GITHUB_STEP_SUMMARY: .*no/such/dir/step.md" err
'

test_done
