#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the configuration file

distmpi reads --config FILE, else $DISTMPI_CONFIG (empty counts as unset),
else ./distmpi.conf, else the system-wide file. Flags win over the file. The
values are really used (checked through what the run does), and every problem
in the file is one "FILE:LINE: problem" line on stderr with exit status 2,
before anything runs.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

# this file is about the configuration search: no DISTMPI_CONFIG unless a
# test sets one, and so no tests/data/tests.conf; the machine's load is
# still not under test (a flag wins over every file)
unset DISTMPI_CONFIG
run_distmpi() {
	_np=$1
	shift
	"$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		"$DISTMPI" --max-load 1000000 "$@"
}

skip_all_unless_mpi

# A shard that always fails and leaves one marker per attempt.
failing='touch ran.{shard}.{attempt}; exit 1'

test_expect_success 'retries = 0 in --config FILE: a failing shard runs once' '
	printf "retries = 0;\nbackoff = 0;\n" >r0.conf &&
	test_expect_code 1 run_distmpi 2 --config r0.conf -n 1 -- sh -c "$failing" >out 2>err &&
	test -f ran.1.1 &&
	test "$(count_files ran.*)" -eq 1 &&
	grep "shard 1 failed (exit 1)" out
'

test_expect_success 'retries = 1 in the file: two attempts' '
	rm -f ran.* &&
	printf "retries = 1;\nbackoff = 0.0;\n" >r1.conf &&
	test_expect_code 1 run_distmpi 2 --config r1.conf -n 1 -- sh -c "$failing" >out 2>err &&
	test -f ran.1.1 && test -f ran.1.2 &&
	test "$(count_files ran.*)" -eq 2
'

test_expect_success 'shards, json, run_dir and schedule from the file are used' '
	rm -f ran.* &&
	cat >many.conf <<-\EOF &&
	# every kind of comment
	shards = 3;           // a whole number
	schedule = "static";  /* a string */
	json = "many.json";
	run_dir = "many-runs";
	backoff = 0;
	EOF
	run_distmpi 2 --config many.conf -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 3 &&
	test -f many.json &&
	test "$(json_get many.json "j[\"total_shards\"]")" = 3 &&
	test "$(json_get many.json "j[\"schedule\"]")" = static &&
	test -f many-runs/journal.jsonl
'

test_expect_success PYTHON 'timeout and kill_grace from the file are used' '
	# the shard ignores SIGTERM, so it ends at timeout + kill_grace: at
	# least 0.9 s, and far from the 0.3 + 5 s of the default grace
	printf "timeout = 0.3;\nkill_grace = 0.6;\nretries = 0;\n" >t.conf &&
	test_expect_code 1 run_distmpi 2 --config t.conf -n 1 --json t.json -- \
		sh -c "trap \"\" TERM; while :; do sleep 0.05; done" >out 2>err &&
	json_check t.json "
s = shards[1]
assert s[\"status\"] == \"timeout\", s
assert s[\"signal\"] == 9, s
assert 0.89 <= s[\"busy\"] < 4.0, s
"
'

test_expect_success 'dry_run = true in the file runs nothing' '
	rm -f ran.* &&
	printf "dry_run = true;\n" >dry.conf &&
	run_distmpi 2 --config dry.conf -n 2 -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 0 &&
	test -s out
'

test_expect_success 'tasks from the file is used' '
	rm -f ran.* &&
	printf "touch ran.{shard}\ntouch ran.{shard}\n" >two.tasks &&
	printf "tasks = \"two.tasks\";\n" >tasks.conf &&
	run_distmpi 2 --config tasks.conf >out 2>err &&
	test -f ran.1 && test -f ran.2 &&
	test "$(count_files ran.*)" -eq 2
'

test_expect_success 'flags win over the file' '
	rm -f ran.* &&
	printf "retries = 0;\nshards = 3;\nbackoff = 0;\n" >r0s3.conf &&
	test_expect_code 1 run_distmpi 2 --config r0s3.conf --retries 1 -n 2 -- \
		sh -c "$failing" >out 2>err &&
	test "$(count_files ran.*)" -eq 4 &&
	test -f ran.1.2 && test -f ran.2.2 && test ! -e ran.3.1
'

test_expect_success 'a flag does not hide a bad value in the file' '
	printf "retries = \"two\";\n" >badflag.conf &&
	expect_usage_error "badflag\.conf:1:" 2 --config badflag.conf --retries 1 -- touch ran.{shard}
'

test_expect_success 'DISTMPI_CONFIG names the file' '
	rm -f ran.* &&
	(
		DISTMPI_CONFIG=$PWD/r0.conf && export DISTMPI_CONFIG &&
		test_expect_code 1 run_distmpi 2 -n 1 -- sh -c "$failing" >out 2>err
	) &&
	test "$(count_files ran.*)" -eq 1
'

test_expect_success '--config wins over DISTMPI_CONFIG' '
	rm -f ran.* &&
	(
		DISTMPI_CONFIG=$PWD/r0.conf && export DISTMPI_CONFIG &&
		test_expect_code 1 run_distmpi 2 --config r1.conf -n 1 -- sh -c "$failing" >out 2>err
	) &&
	test "$(count_files ran.*)" -eq 2
'

test_expect_success 'DISTMPI_CONFIG naming a missing file is an error' '
	(
		DISTMPI_CONFIG=$PWD/missing.conf && export DISTMPI_CONFIG &&
		expect_usage_error "missing\.conf" 2 -n 1 -- touch ran.{shard}
	)
'

test_expect_success './distmpi.conf in the current directory is read' '
	mkdir cwd && cp r0.conf cwd/distmpi.conf &&
	(
		cd cwd &&
		test_expect_code 1 run_distmpi 2 -n 1 -- sh -c "$failing" >out 2>err &&
		test "$(count_files ran.*)" -eq 1
	)
'

test_expect_success 'DISTMPI_CONFIG wins over ./distmpi.conf' '
	(
		cd cwd && rm -f ran.* &&
		DISTMPI_CONFIG=$PWD/../r1.conf && export DISTMPI_CONFIG &&
		test_expect_code 1 run_distmpi 2 -n 1 -- sh -c "$failing" >out 2>err &&
		test "$(count_files ran.*)" -eq 2
	)
'

test_expect_success 'an empty DISTMPI_CONFIG counts as unset' '
	(
		cd cwd && rm -f ran.* &&
		DISTMPI_CONFIG= && export DISTMPI_CONFIG &&
		test_expect_code 1 run_distmpi 2 -n 1 -- sh -c "$failing" >out 2>err &&
		test "$(count_files ran.*)" -eq 1
	)
'

test_expect_success 'syntax error: FILE:LINE, exit 2' '
	printf "retries = 1;\n\nbackoff = ;\n" >syntax.conf &&
	expect_usage_error "^distmpi: .*syntax\.conf:3: .*syntax error" \
		2 --config syntax.conf -- touch ran.{shard}
'

test_expect_success 'unknown key: FILE:LINE: unknown setting' '
	printf "retries = 1;\nx = 1;\n" >unknown.conf &&
	expect_usage_error "^distmpi: .*unknown\.conf:2: unknown setting .x.\$" \
		2 --config unknown.conf -- touch ran.{shard}
'

test_expect_success 'a key spelled with - is unknown' '
	printf "backoff-max = 60;\n" >dash.conf &&
	expect_usage_error "^distmpi: .*dash\.conf:1: unknown setting .backoff-max." \
		2 --config dash.conf -- touch ran.{shard}
'

test_expect_success 'a group is an unknown setting' '
	printf "\n\ngroup = { retries = 1; };\n" >group.conf &&
	expect_usage_error "^distmpi: .*group\.conf:3: unknown setting .group." \
		2 --config group.conf -- touch ran.{shard}
'

test_expect_success 'wrong type: retries = "two"' '
	printf "# comment\nretries = \"two\";\n" >type.conf &&
	expect_usage_error "^distmpi: .*type\.conf:2: .*retries" \
		2 --config type.conf -- touch ran.{shard}
'

test_expect_success 'wrong type: a fraction where a whole number is expected' '
	printf "retries = 3.0;\n" >float.conf &&
	expect_usage_error "^distmpi: .*float\.conf:1: .*retries" \
		2 --config float.conf -- touch ran.{shard}
'

test_expect_success 'wrong type: a number for a boolean, a string for seconds' '
	printf "dry_run = 1;\n" >bool.conf &&
	expect_usage_error "^distmpi: .*bool\.conf:1: .*dry_run" \
		2 --config bool.conf -- touch ran.{shard} &&
	printf "\ntimeout = \"10\";\n" >str.conf &&
	expect_usage_error "^distmpi: .*str\.conf:2: .*timeout" \
		2 --config str.conf -- touch ran.{shard}
'

test_expect_success 'out of range in the file' '
	printf "retries = 2000;\n" >range.conf &&
	expect_usage_error "^distmpi: .*range\.conf:1: .*2000" \
		2 --config range.conf -- touch ran.{shard}
'

test_expect_success 'a bad schedule in the file' '
	printf "schedule = \"foo\";\n" >sched.conf &&
	expect_usage_error "^distmpi: .*sched\.conf:1: .*foo" \
		2 --config sched.conf -- touch ran.{shard}
'

test_expect_success 'an empty string in the file' '
	printf "json = \"\";\n" >emptystr.conf &&
	expect_usage_error "^distmpi: .*emptystr\.conf:1: .*json" \
		2 --config emptystr.conf -- touch ran.{shard}
'

test_expect_success 'a key given twice' '
	printf "retries = 1;\nretries = 2;\n" >twice.conf &&
	expect_usage_error "^distmpi: .*twice\.conf:2: " \
		2 --config twice.conf -- touch ran.{shard}
'

test_expect_success 'backoff larger than backoff_max after combining' '
	printf "backoff_max = 5;\n" >bmax.conf &&
	expect_usage_error "^distmpi: .*backoff" \
		2 --config bmax.conf --backoff 10 -- touch ran.{shard}
'

test_expect_success 'missing --config file: exit 2, names the file' '
	expect_usage_error "^distmpi: .*nonexistent\.conf" \
		2 --config nonexistent.conf -- touch ran.{shard}
'

test_expect_success 'a directory as --config file: exit 2, one line naming it' '
	mkdir conf.d &&
	expect_usage_error "^distmpi: .*conf\.d" 2 --config conf.d -- touch ran.{shard}
'

test_expect_success 'etc/distmpi.conf as shipped is valid and changes nothing' '
	rm -f ran.* &&
	run_distmpi 2 --config "$DISTMPI_SRCDIR/etc/distmpi.conf" --json ex.json \
		-- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 2 &&
	test "$(json_get ex.json "j[\"schedule\"]")" = dynamic
'

test_expect_success 'etc/distmpi.conf with every key uncommented is valid' '
	sed -n "s/^# *\([a-z_]* *=.*;\)/\1/p" "$DISTMPI_SRCDIR/etc/distmpi.conf" >all.conf &&
	test "$(wc -l <all.conf)" -ge 12 &&
	grep "^dry_run = false;" all.conf &&
	sed -i "s/^dry_run = false;/dry_run = true;/" all.conf &&
	# the work items go with a command, not with the task file, and one
	# of the two only: each is read by the unit tests of the keys
	grep "^items = " all.conf && grep "^items_command = " all.conf &&
	sed -i "/^items/d" all.conf &&
	taskfile=$(sed -n "s/^tasks = \"\(.*\)\";/\1/p" all.conf) &&
	echo true >"$taskfile" &&
	run_distmpi 2 --config all.conf >out 2>err &&
	grep -i "dry run" out &&
	test ! -e "$(sed -n "s/^json = \"\(.*\)\";/\1/p" all.conf)"
'

test_done
