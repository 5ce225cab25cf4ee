#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='bad input is refused before anything runs

Each case runs under mpirun -np 2 with a command that would leave a ran.*
marker file. distmpi must exit 2 with exactly one "distmpi: PROBLEM" line
on stderr (printed by rank 0 only, not once per rank) naming the problem,
print nothing on stdout, run no shard and create no run directory.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

test_expect_success 'setup: task files' '
	printf "touch ran.{shard}\n" >good.tasks &&
	: >empty.tasks &&
	printf "# only\n\n   # comments\n\t\n" >comments.tasks &&
	mkdir dir.tasks &&
	printf "touch ran.{shard}\n# a comment\ntouch ran.{foo}\n" >placeholder.tasks
'

test_expect_success 'a good command line runs (the marker works)' '
	run_distmpi 2 -n 2 -- touch ran.{shard} >out 2>err &&
	test -f ran.1 && test -f ran.2 &&
	rm -rf ran.* distmpi-runs
'

test_expect_success MPI 'unknown long option' '
	expect_usage_error "^distmpi: .*unknown option .--bogus." \
		2 --bogus -- touch ran.{shard}
'

test_expect_success MPI 'unknown short option' '
	expect_usage_error "^distmpi: .*unknown option .-x." \
		2 -x -- touch ran.{shard}
'

test_expect_success MPI '-n 0' '
	expect_usage_error "^distmpi: .*(shards|-n).*0" 2 -n 0 -- touch ran.{shard}
'

test_expect_success MPI '-n -3' '
	expect_usage_error "^distmpi: .*(shards|-n).*-3" 2 -n -3 -- touch ran.{shard}
'

test_expect_success MPI '--shards abc' '
	expect_usage_error "^distmpi: .*shards.*abc" 2 --shards abc -- touch ran.{shard}
'

test_expect_success MPI '--shards 2.5 (not a whole number)' '
	expect_usage_error "^distmpi: .*shards.*2\.5" 2 --shards 2.5 -- touch ran.{shard}
'

test_expect_success MPI '--shards with trailing garbage' '
	expect_usage_error "^distmpi: .*shards.*4x" 2 --shards 4x -- touch ran.{shard}
'

test_expect_success MPI 'a long bad value is quoted whole (it used to lose its end)' '
	long=$(printf "%0400d" 0 | tr 0 7)x &&
	expect_usage_error "^distmpi: --max-load: " 2 --max-load "$long" -- touch ran.{shard} &&
	printf "distmpi: --max-load: \047%s\047 is not a number of seconds\n" "$long" >expect &&
	test_cmp expect errlines
'

test_expect_success MPI '--timeout x' '
	expect_usage_error "^distmpi: .*timeout.*x" 2 --timeout x -- touch ran.{shard}
'

test_expect_success MPI '--timeout -1' '
	expect_usage_error "^distmpi: .*timeout.*-1" 2 --timeout -1 -- touch ran.{shard}
'

test_expect_success MPI '--retries -1' '
	expect_usage_error "^distmpi: .*retries.*-1" 2 --retries -1 -- touch ran.{shard}
'

test_expect_success MPI '--backoff-jitter 2 (out of range)' '
	expect_usage_error "^distmpi: .*backoff-jitter.*2" \
		2 --backoff-jitter 2 -- touch ran.{shard}
'

test_expect_success MPI '--schedule foo' '
	expect_usage_error "^distmpi: .*schedule.*foo" 2 --schedule foo -- touch ran.{shard}
'

test_expect_success MPI '--backoff 10 --backoff-max 5' '
	expect_usage_error "^distmpi: .*backoff.*10.*backoff-max.*5" \
		2 --backoff 10 --backoff-max 5 -- touch ran.{shard}
'

test_expect_success MPI 'option missing its value (long)' '
	expect_usage_error "^distmpi: .*--timeout.*value" 2 --timeout
'

test_expect_success MPI 'option missing its value (short)' '
	expect_usage_error "^distmpi: .*-n.*value" 2 -n
'

test_expect_success MPI 'missing task file' '
	expect_usage_error "^distmpi: .*nonexistent\.tasks" 2 --tasks nonexistent.tasks
'

# root reads any file, so as root this check runs as nobody, in a
# directory of its own that nobody can enter
if test "$(id -u)" != 0; then
	test_set_prereq UNREADABLE_TESTABLE
	as_test_user() { "$@"; }
elif command -v runuser >/dev/null 2>&1 &&
	runuser -u nobody -- test -x "$DISTMPI" 2>/dev/null; then
	test_set_prereq UNREADABLE_TESTABLE
	as_test_user() { runuser -u nobody -- env HOME="$PWD" "$@"; }
fi

test_expect_success MPI,UNREADABLE_TESTABLE 'unreadable task file' '
	d=$(mktemp -d /tmp/distmpi-t0020.XXXXXX) &&
	test_when_finished "rm -rf \"$d\"" &&
	chmod 755 "$d" &&
	echo "touch ran.{shard}" >"$d/unreadable.tasks" &&
	chmod 000 "$d/unreadable.tasks" &&
	(
		cd "$d" &&
		test_expect_code 2 as_test_user \
			"$MPIRUN" -np 2 --oversubscribe "$DISTMPI" --tasks unreadable.tasks
	) >out 2>err &&
	test_one_error err "^distmpi: unreadable\.tasks: Permission denied$" &&
	test_must_be_empty out &&
	! test -e "$d/ran.1"
'

test_expect_success MPI 'empty task file' '
	expect_usage_error "^distmpi: .*empty\.tasks" 2 --tasks empty.tasks
'

test_expect_success MPI 'task file of only comments and blank lines' '
	expect_usage_error "^distmpi: .*comments\.tasks" 2 --tasks comments.tasks
'

test_expect_success MPI 'a directory as task file' '
	expect_usage_error "^distmpi: .*dir\.tasks" 2 --tasks dir.tasks
'

test_expect_success MPI 'empty command ""' '
	expect_usage_error "^distmpi: .*(command|empty)" 2 ""
'

test_expect_success MPI 'empty command after --' '
	expect_usage_error "^distmpi: .*(command|empty)" 2 -- ""
'

test_expect_success MPI 'no command' '
	expect_usage_error "^distmpi: .*command" 2
'

test_expect_success MPI 'no command after options and --' '
	expect_usage_error "^distmpi: .*command" 2 -n 2 --
'

test_expect_success MPI '--tasks and a command' '
	expect_usage_error "^distmpi: .*(tasks|command)" \
		2 --tasks good.tasks -- touch ran.{shard}
'

test_expect_success MPI '--tasks and --shards' '
	expect_usage_error "^distmpi: .*(shards|tasks)" 2 --tasks good.tasks -n 3
'

test_expect_success MPI 'unknown placeholder {foo} in the command' '
	expect_usage_error "^distmpi: .*\{foo\}" 2 -- touch ran.{shard} ran.{foo}
'

test_expect_success MPI 'unknown placeholder inside a word' '
	expect_usage_error "^distmpi: .*\{host_name\}" 2 -- touch ran.{shard}.{host_name}
'

test_expect_success MPI 'unknown placeholder {foo} in a task file names FILE:LINE' '
	expect_usage_error "^distmpi: .*placeholder\.tasks:3:.*\{foo\}" \
		2 --tasks placeholder.tasks
'

test_expect_success MPI 'an error stops a --dry-run too' '
	expect_usage_error "^distmpi: .*\{foo\}" 2 --dry-run -- touch {foo}
'

test_expect_success MPI 'the usage error line is printed once on 4 ranks' '
	expect_usage_error "^distmpi: .*--bogus" 4 --bogus -- touch ran.{shard}
'

test_expect_success 'without mpirun: one line on stderr, nothing else, exit 2' '
	test_expect_code 2 "$DISTMPI" --bogus -- touch ran.{shard} >out 2>err &&
	test_must_be_empty out &&
	test "$(wc -l <err)" -eq 1 &&
	grep "^distmpi: .*--bogus" err &&
	test_expect_code 2 "$DISTMPI" -n 0 -- touch ran.{shard} >out 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	test "$(count_files ran.*)" -eq 0
'

test_done
