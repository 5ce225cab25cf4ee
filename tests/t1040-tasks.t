#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='task-list mode: --tasks FILE

Each non-blank, non-comment line of FILE is one command, run by /bin/sh -c,
and the Nth such line is shard N. Substituted values are shell-quoted. In
this mode a shell exit status of 127 (command not found) or 126 (not
executable) is an exec error (exit status 3), not a test failure.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

test_expect_success 'line N is shard N; comments and blank lines are skipped' '
	cat >numbers.tasks <<-\EOF &&
	# a task file: line N is shard N

	printf one >t.{shard}
	   # an indented comment
	printf two >t.{shard}

		 
	printf three >t.{shard}
	printf four >t.{shard}
	EOF
	run_distmpi 3 --tasks numbers.tasks >out 2>err &&
	test "$(count_files t.*)" -eq 4 &&
	test "$(cat t.1)" = one &&
	test "$(cat t.2)" = two &&
	test "$(cat t.3)" = three &&
	test "$(cat t.4)" = four &&
	grep "^4 shards: 4 passed" out
'

test_expect_success 'the shard count is the number of tasks, whatever the ranks' '
	rm -f t.* &&
	run_distmpi 2 --tasks numbers.tasks >out 2>err &&
	test "$(count_files t.*)" -eq 4
'

test_expect_success 'a last line without a newline is a task' '
	printf "touch last.{shard}\ntouch last.{shard}" >nonl.tasks &&
	run_distmpi 2 --tasks nonl.tasks >out 2>err &&
	test -f last.1 && test -f last.2
'

test_expect_success 'each line runs through /bin/sh: pipes, && and redirections' '
	cat >shell.tasks <<-\EOF &&
	echo abc | tr a-z A-Z >p.{shard} && echo ok >>p.{shard}
	false || echo recovered >p.{shard}; echo "$0" >sh.{shard}
	x=5; echo "$((x * 2))" 2>&1 >p.{shard} </dev/null
	for i in 1 2; do echo $i; done >p.{shard}
	EOF
	run_distmpi 2 --tasks shell.tasks >out 2>err &&
	printf "ABC\nok\n" >expect && test_cmp expect p.1 &&
	echo recovered >expect && test_cmp expect p.2 &&
	echo 10 >expect && test_cmp expect p.3 &&
	printf "1\n2\n" >expect && test_cmp expect p.4 &&
	test "$(cat sh.2)" = /bin/sh
'

test_expect_success 'substituted values are shell-quoted: one word each' '
	cat >quote.tasks <<-\EOF &&
	printf "%s\n" {host} >h.{shard}
	printf "%s\n" {shard} {index} {total} {rank} {slot} {attempt} >v.{shard}
	EOF
	run_distmpi 2 --tasks quote.tasks >out 2>err &&
	hostname >expect &&
	test_cmp expect h.1 &&
	test "$(wc -l <v.2)" -eq 6 &&
	test "$(sed -n 1p v.2)" = 2 &&
	test "$(sed -n 2p v.2)" = 1 &&
	test "$(sed -n 3p v.2)" = 2 &&
	test "$(sed -n 6p v.2)" = 1
'

test_expect_success 'literal braces and shell variables in braces' '
	cat >brace.tasks <<-\EOF &&
	echo {{shard}} >b.{shard}
	x=5; echo ${{x}}-${HOME:+set} >b.{shard}
	f() { echo fn; }; f >b.{shard}
	EOF
	run_distmpi 2 --tasks brace.tasks >out 2>err &&
	test "$(cat b.1)" = "{shard}" &&
	test "$(cat b.2)" = "5-set" &&
	test "$(cat b.3)" = fn
'

test_expect_success 'the DISTMPI_* variables reach the task' '
	echo "echo \$DISTMPI_SHARD/\$DISTMPI_TOTAL_SHARDS/\$DISTMPI_ATTEMPT >e.{shard}" >env.tasks &&
	echo "echo \$DISTMPI_SHARD/\$DISTMPI_TOTAL_SHARDS/\$DISTMPI_ATTEMPT >e.{shard}" >>env.tasks &&
	run_distmpi 2 --tasks env.tasks >out 2>err &&
	test "$(cat e.1)" = 1/2/1 &&
	test "$(cat e.2)" = 2/2/1
'

test_expect_success 'a failing task: exit 1, the others pass' '
	printf "true\nexit 4\ntrue\n" >fail.tasks &&
	test_expect_code 1 run_distmpi 2 --tasks fail.tasks --backoff 0 >out 2>err &&
	grep "shard 2 failed (exit 4) after 3 attempts" out &&
	grep "^3 shards: 2 passed (0 flaky), 1 failed" out
'

test_expect_success PYTHON 'a command that does not exist: exec error, not retried, exit 3' '
	printf "true\n/nonexistent/command-xyz --flag\ntrue\n" >missing.tasks &&
	test_expect_code 3 run_distmpi 2 --tasks missing.tasks --backoff 0 --json m.json \
		>out 2>err &&
	json_check m.json "
s = shards[2]
assert s[\"status\"] == \"exec_error\", s
assert s[\"attempts\"] == 1, s
assert s[\"error\"], s
assert j[\"summary\"][\"exec_error\"] == 1 and j[\"summary\"][\"passed\"] == 2, j[\"summary\"]
assert j[\"exit_status\"] == 3
" &&
	grep "shard 2 exec error" out &&
	grep "^3 shards: 2 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 1 exec errors\{0,1\}, 0 lost" out
'

# On one host there is no other host to retry on: the shard ends as it
# would without --retry-elsewhere, and rank 0 says why.
test_expect_success PYTHON '--retry-elsewhere with one host: no other host, exec error, exit 3' '
	test_expect_code 3 run_distmpi 2 --tasks missing.tasks --backoff 0 --retry-elsewhere \
		--json me.json >out 2>err &&
	grep "^distmpi: shard 2 could not start on [^ ]* (/bin/sh could not find the command (exit 127)); no other host to retry it on\$" out &&
	json_check me.json "
s = shards[2]
assert s[\"status\"] == \"exec_error\" and s[\"attempts\"] == 1, s
a = s[\"attempt_results\"][0]
assert a[\"attempt\"] == 1 and a[\"host\"] == s[\"host\"] and a[\"rank\"] == s[\"rank\"], s
assert j[\"exit_status\"] == 3
"
'

test_expect_success 'a command name not found on PATH: exit 3' '
	echo "no-such-command-distmpi-test" >nopath.tasks &&
	test_expect_code 3 run_distmpi 1 --tasks nopath.tasks --backoff 0 >out 2>err &&
	grep "shard 1 exec error" out
'

test_expect_success 'a file that is not executable: exec error, exit 3' '
	printf "#!/bin/sh\ntrue\n" >noexec.sh &&
	chmod -x noexec.sh &&
	echo "./noexec.sh" >noexec.tasks &&
	test_expect_code 3 run_distmpi 1 --tasks noexec.tasks --backoff 0 >out 2>err &&
	grep "shard 1 exec error" out
'

test_expect_success 'an exec error outranks a failure: exit 3' '
	printf "exit 1\n/nonexistent/cmd\n" >mixed.tasks &&
	test_expect_code 3 run_distmpi 2 --tasks mixed.tasks --backoff 0 >out 2>err &&
	grep "^2 shards: 0 passed (0 flaky), 1 failed, 0 timed out, 0 crashed, 1 exec error" out
'

test_expect_success 'a flaky task passes: exit 0' '
	echo "test {attempt} -ge 2" >flaky.tasks &&
	run_distmpi 1 --tasks flaky.tasks --backoff 0 >out 2>err &&
	grep "(1 flaky)" out
'

test_expect_success 'an absolute task file path works' '
	rm -f t.* &&
	run_distmpi 2 --tasks "$PWD/numbers.tasks" >out 2>err &&
	test "$(count_files t.*)" -eq 4
'

test_done
