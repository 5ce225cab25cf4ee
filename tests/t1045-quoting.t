#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='no substituted value is ever read as shell syntax

Runs start in directories whose names are shell code. In a task line (run
by /bin/sh -c) {output_dir} and {host} stand unquoted, and distmpi makes
each one quoted word; a task line with one inside quotes or a substitution
is refused before anything runs (exit status 2, FILE:LINE). In command mode
values are whole argv words and a shell reads them only from the
environment. In a --collect pattern a value matches only itself.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# The hostile directories, each with its own tasks; no test may leave a
# file called PWNED anywhere in the trash directory. no_pwned removes what
# it finds, so each test answers for its own runs.
dir1='My Proj $(touch PWNED)'
dir2="it's \"q\" \`touch PWNED\` \$(touch PWNED) ;touch PWNED; #"
mkdir "$dir1" "$dir2"

no_pwned() {
	_pwned=$(find . -name PWNED) &&
	find . -name PWNED -exec rm -f {} + &&
	test -z "$_pwned"
}
rm_pwned() {
	find . -name PWNED -exec rm -f {} +
}

for d in "$dir1" "$dir2"; do
	test_expect_success "a quoted {output_dir} is refused, from the directory $d" '
		(
			cd "$d" &&
			printf "%s\n" "touch ran" "cd '\''{output_dir}'\'' && pwd" >tasks.txt &&
			test_expect_code 2 run_distmpi 2 --tasks tasks.txt >../out 2>../err
		) &&
		grep "^distmpi: tasks.txt:2: {output_dir} is inside '\''...'\'' quotes (column 5); " err &&
		grep "use \"\$DISTMPI_OUTPUT_DIR\" instead" err &&
		test ! -e "$d/ran" &&
		test ! -e "$d/distmpi-runs" &&
		no_pwned
	'

	test_expect_success "a {host} or {output_dir} in \"...\" or \$(...) is refused too ($d)" '
		rm_pwned &&
		(
			cd "$d" &&
			printf "%s\n" "touch ran" "echo x" "cd \"{output_dir}\"" >dq.txt &&
			test_expect_code 2 run_distmpi 1 --tasks dq.txt >../out 2>../err &&
			grep "^distmpi: dq.txt:3: {output_dir} is inside \"...\" quotes" ../err &&
			printf "%s\n" "echo \$(ls {host})" >cs.txt &&
			test_expect_code 2 run_distmpi 1 --tasks cs.txt >../out 2>../err &&
			grep "^distmpi: cs.txt:1: {host} is inside \$(...)" ../err
		) &&
		test ! -e "$d/ran" &&
		no_pwned
	'

	test_expect_success "an unquoted {output_dir} is one word in a task line ($d)" '
		rm_pwned &&
		(
			cd "$d" &&
			cat >ok.txt <<-\EOF &&
			cd {output_dir} && pwd >{output_dir}/../pwd.txt && printf "%s\n" {output_dir} {host} >{output_dir}/../words.txt
			printf "%s\n" "$DISTMPI_OUTPUT_DIR" >"$DISTMPI_OUTPUT_DIR/../env.txt"
			EOF
			run_distmpi 2 --tasks ok.txt --run-dir runs >../out 2>../err
		) &&
		top=$(pwd) &&
		printf "%s\n" "$top/$d/runs/shard-1/attempt-1" >expect &&
		test_cmp expect "$d/runs/shard-1/pwd.txt" &&
		printf "%s\n" "$top/$d/runs/shard-1/attempt-1" "$(hostname)" >expect &&
		test_cmp expect "$d/runs/shard-1/words.txt" &&
		printf "%s\n" "$top/$d/runs/shard-2/attempt-1" >expect &&
		test_cmp expect "$d/runs/shard-2/env.txt" &&
		no_pwned
	'

	test_expect_success "command mode: {output_dir} is one argv word, sh -c reads the environment ($d)" '
		rm_pwned &&
		(
			cd "$d" &&
			run_distmpi 1 -n 1 --run-dir cmd1 -- printf "%s\n" {output_dir} >../out 2>../err &&
			run_distmpi 1 -n 1 --run-dir cmd2 -- sh -c "echo \"\$DISTMPI_OUTPUT_DIR\"" \
				>../out 2>../err
		) &&
		top=$(pwd) &&
		printf "%s\n" "$top/$d/cmd1/shard-1/attempt-1" >expect &&
		test_cmp expect "$d/cmd1/shard-1/attempt-1.log" &&
		printf "%s\n" "$top/$d/cmd2/shard-1/attempt-1" >expect &&
		test_cmp expect "$d/cmd2/shard-1/attempt-1.log" &&
		no_pwned
	'
done

test_expect_success 'a directory with a line break is never put in a task line' '
	nl=$(printf "nl\ntouch PWNED\nx") &&
	mkdir "$nl" &&
	(
		cd "$nl" &&
		echo "cd {output_dir} && touch ran" >t.txt &&
		test_expect_code 3 run_distmpi 1 --tasks t.txt --run-dir runs --retries 0 \
			>../out 2>../err &&
		grep "a task line cannot take a {host} or {output_dir} with a line break" \
			runs/shard-1/attempt-1.log &&
		run_distmpi 1 -n 1 --run-dir cmd -- printf "%s\n" {output_dir} >../out 2>../err
	) &&
	printf "%s\n" "$(pwd)/$nl/cmd/shard-1/attempt-1" >expect &&
	test_cmp expect "$nl/cmd/shard-1/attempt-1.log" &&
	test ! -e "$nl/runs/shard-1/attempt-1/ran" &&
	no_pwned
'

test_expect_success 'numeric placeholders may stand in quotes' '
	printf "%s\n" "echo \"shard {shard} of {total}\" >n.{shard}" "echo '\''{rank}'\'' >n.{shard}" \
		>num.txt &&
	run_distmpi 1 --tasks num.txt >out 2>err &&
	test "$(cat n.1)" = "shard 1 of 2" &&
	test "$(cat n.2)" = 0
'

test_expect_success PYTHON 'a journal'"'"'s task lines are checked as a task file'"'"'s' '
	printf "%s\n" "touch j.1" "exit 3" >j.txt &&
	test_expect_code 1 run_distmpi 1 --tasks j.txt --retries 0 --run-dir jr >out 2>err &&
	python3 -c "
import json, sys
lines = open(\"jr/journal.jsonl\").read().splitlines()
head = json.loads(lines[0])
head[\"tasks\"][1] = \"cd \x27{output_dir}\x27 && touch j.2\"
open(\"jr/journal.jsonl\", \"w\").write(\"\\n\".join([json.dumps(head)] + lines[1:]) + \"\\n\")
" &&
	test_expect_code 2 run_distmpi 1 --resume jr/journal.jsonl >out 2>err &&
	grep "^distmpi: jr/journal.jsonl: task 2: {output_dir} is inside '"'"'...'"'"' quotes" err &&
	test ! -e j.2
'

# A JUnit report in the attempt's own directory, collected by {output_dir}.
cat >report.sh <<-\EOF
	#!/bin/sh
	printf '<testsuite name="s"><testcase name="own"/></testsuite>' >"$DISTMPI_OUTPUT_DIR/r.xml"
EOF
chmod +x report.sh

test_expect_success '--collect: a [ in the directory matches only itself' '
	mkdir "c[12]" &&
	(
		cd "c[12]" &&
		run_distmpi 1 -n 1 --run-dir runs --logs lg --collect "{output_dir}/r.xml" \
			-- ../report.sh >../out 2>../err
	) &&
	grep "shard 1 passed" out &&
	test "$(ls "c[12]/lg/shard-1/collected" | wc -l)" -eq 1
'

test_expect_success '--collect: a * in the directory does not collect a neighbour'"'"'s files' '
	mkdir "d*" dEVIL &&
	mkdir -p dEVIL/runs/shard-1/attempt-1 &&
	printf "<testsuite name=\"s\"><testcase name=\"planted\"><failure/></testcase></testsuite>" \
		>dEVIL/runs/shard-1/attempt-1/r.xml &&
	(
		cd "d*" &&
		run_distmpi 1 -n 1 --run-dir runs --logs lg --collect "{output_dir}/r.xml" \
			-- ../report.sh >../out 2>../err
	) &&
	grep "shard 1 passed" out &&
	test "$(ls "d*/lg/shard-1/collected" | wc -l)" -eq 1 &&
	! grep -r planted "d*/lg/shard-1/collected"
'

test_expect_success '--collect: the pattern'"'"'s own wildcards still glob' '
	mkdir "e[1]" &&
	(
		cd "e[1]" &&
		run_distmpi 1 -n 1 --run-dir runs --logs lg --collect "{output_dir}/*.xml" \
			-- ../report.sh >../out 2>../err
	) &&
	grep "shard 1 passed" out &&
	test "$(ls "e[1]/lg/shard-1/collected" | wc -l)" -eq 1
'

test_done
