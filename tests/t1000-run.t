#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='all shards pass

Every shard runs exactly once (each leaves a ran.SHARD marker, written with
an append so that a second run would show), the default shard count is the
number of ranks, rank 0 prints one line per finished shard when its stdout is
not a terminal, more and fewer shards than ranks work, and shards run on
different ranks. Each attempt has its log and output directory under the run
directory, and a symbolic link planted there is never followed.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# check_ran N - shards 1..N each ran exactly once, and nothing else ran.
check_ran() {
	test "$(count_files ran.*)" -eq "$1" || {
		echo "expected $1 markers, found:" && ls ran.*
		return 1
	}
	for i in $(test_seq 1 "$1"); do
		test "$(wc -l <ran.$i)" -eq 1 || {
			echo "shard $i ran $(wc -l <ran.$i) times"
			return 1
		}
	done
}

mark='echo {rank} >>"$PWD/ran.{shard}"'

test_expect_success 'default: one shard per rank, all pass, exit 0' '
	run_distmpi 4 -- sh -c "$mark" >out 2>err &&
	check_ran 4 &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost; 0 retries; " out
'

test_expect_success 'stdout is not a terminal: one line per finished shard' '
	grep -E "^\[ ?[0-9]+/4\] shard [0-9]+ passed on [^ ]+ rank [0-9]+ slot [0-9]+, [0-9.]+s\$" out >lines &&
	test "$(wc -l <lines)" -eq 4 &&
	sed -n "s/^\[ *\([0-9]*\)\/4\].*/\1/p" lines >counters &&
	test_seq 1 4 >expect &&
	test_cmp expect counters &&
	sed -n "s/.* shard \([0-9]*\) passed.*/\1/p" lines | sort -n >shards &&
	test_cmp expect shards
'

test_expect_success 'the header names the command, the shards and the ranks' '
	head -n 1 out >header &&
	grep "^distmpi: 4 shards of sh -c " header &&
	grep "on 4 ranks, 1 host" header
'

test_expect_success 'the summary has a per-host table with a total row' '
	host=$(hostname) &&
	grep -E "^ +host +cores +ranks +shards +passed +flaky +failed +errors +retries +busy\$" out &&
	grep -E "^ +$host +[0-9]+ +4 +4 +4 +0 +0 +0 +0 +[0-9.]+s\$" out &&
	grep -E "^ +total +[0-9]+ +4 +4 +4 +0 +0 +0 +0 +[0-9.]+s\$" out &&
	! grep "did not pass" out
'

test_expect_success 'nothing on stderr when all pass' '
	test_must_be_empty err
'

test_expect_success '-n 12 on 4 ranks: every shard exactly once' '
	rm -f ran.* &&
	run_distmpi 4 -n 12 -- sh -c "$mark" >out 2>err &&
	check_ran 12 &&
	grep "^12 shards: 12 passed (0 flaky), 0 failed" out &&
	test "$(grep -c "^\[[ 0-9]*/12\] shard " out)" -eq 12
'

test_expect_success 'many more shards than ranks: -n 40 on 3 ranks' '
	rm -f ran.* &&
	run_distmpi 3 --shards 40 -- sh -c "$mark" >out 2>err &&
	check_ran 40 &&
	grep "^40 shards: 40 passed" out
'

test_expect_success 'fewer shards than ranks: -n 2 on 4 ranks' '
	rm -f ran.* &&
	run_distmpi 4 -n 2 -- sh -c "$mark" >out 2>err &&
	check_ran 2 &&
	grep "^2 shards: 2 passed" out
'

test_expect_success 'one shard on one rank' '
	rm -f ran.* &&
	run_distmpi 1 -- sh -c "$mark" >out 2>err &&
	check_ran 1
'

test_expect_success 'shards run concurrently on different ranks' '
	rm -f ran.* &&
	# Each shard waits (up to 20 s) until all 4 have started, so the run
	# only passes quickly if 4 ranks run shards at the same time.
	cat >barrier.sh <<-\EOF &&
	#!/bin/sh
	echo "$DISTMPI_RANK" >"started.$DISTMPI_SHARD"
	i=0
	while test "$(ls started.* | wc -l)" -lt 4; do
		i=$((i + 1))
		test $i -gt 200 && exit 1
		sleep 0.1
	done
	echo "$DISTMPI_RANK" >>"ran.$DISTMPI_SHARD"
	EOF
	chmod +x barrier.sh &&
	run_distmpi 4 -n 4 --retries 0 -- ./barrier.sh >out 2>err &&
	check_ran 4 &&
	cat ran.* | sort -u >ranks &&
	printf "0\n1\n2\n3\n" >expect &&
	test_cmp expect ranks
'

test_expect_success 'shards are numbered and placed as the lines say' '
	for i in 1 2 3 4; do
		rank=$(cat ran.$i) &&
		grep -E "^\[ ?[0-9]/4\] shard $i passed on [^ ]+ rank $rank slot $rank," out ||
		return 1
	done
'

test_expect_success 'the command is run by execvp, not a shell: PATH search works' '
	rm -f ran.* &&
	mkdir bin &&
	printf "#!/bin/sh\necho x >>ran.\$1\n" >bin/mymark &&
	chmod +x bin/mymark &&
	(
		PATH=$PWD/bin:$PATH && export PATH &&
		run_distmpi 2 -- mymark {shard} >out 2>err
	) &&
	check_ran 2
'

test_expect_success 'a command word that starts with - after --' '
	rm -f ran.* &&
	printf "#!/bin/sh\necho x >>ran.\$1\n" >./-dash &&
	chmod +x ./-dash &&
	run_distmpi 2 -- ./-dash {shard} >out 2>err &&
	check_ran 2
'

test_expect_success 'options end at the first non-option word (no --)' '
	rm -f ran.* &&
	run_distmpi 2 -n 3 sh -c "$mark" -n 7 >out 2>err &&
	check_ran 3
'

test_expect_success 'each attempt has a log with the command output' '
	run_distmpi 2 -n 2 --run-dir logs -- sh -c "echo out {shard}; echo err {shard} >&2" >out 2>err &&
	grep -x "out 1" logs/shard-1/attempt-1.log &&
	grep -x "err 1" logs/shard-1/attempt-1.log &&
	grep -x "out 2" logs/shard-2/attempt-1.log &&
	! grep "out 1" out
'

test_expect_success 'the shard gets /dev/null as stdin' '
	run_distmpi 1 --run-dir stdin -- sh -c "cat; echo end" </dev/zero >out 2>err &&
	test "$(cat stdin/shard-1/attempt-1.log)" = end
'

test_expect_success 'shard directories are zero-padded to the width of the total' '
	run_distmpi 2 -n 12 --run-dir pad -- echo hi >out 2>err &&
	test -f pad/shard-01/attempt-1.log &&
	test -f pad/shard-12/attempt-1.log &&
	test ! -e pad/shard-1
'

# a shard that passes at its first attempt without output and leaves its
# directory empty lends it to its rank's next shard (renamed): each shard
# still starts in an empty directory of its own name, and what any shard
# left (a file, output, a failure) stays where it was
lender='d=$DISTMPI_OUTPUT_DIR
	case $d in */shard-0{shard}/attempt-1 | */shard-{shard}/attempt-1) ;; *) echo "wrong dir $d"; exit 1 ;; esac
	test -z "$(ls -A "$d")" || { echo "not empty: $(ls -A "$d")"; exit 1; }
	test -z "$(ls -A "$d/..")" || test "$(ls -A "$d/..")" = attempt-$DISTMPI_ATTEMPT || { echo "shard dir: $(ls -A "$d/..")"; exit 1; }
	echo {shard} >>"$1/ran"
	case {shard} in
	5) echo printed ;;
	8) touch "$d/left" ;;
	11) exit 1 ;;
	esac
	exit 0'

test_expect_success 'a quiet shard lends its empty directory to the next one' '
	mkdir lend &&
	test_expect_code 1 run_distmpi 2 -n 40 --retries 0 --run-dir lend/rd --json lend/r.json -- \
		sh -c "$lender" sh "$PWD/lend" >out 2>err &&
	grep "^40 shards: 39 passed" out &&
	test "$(sort -n lend/ran | uniq | wc -l)" -eq 40 && test "$(wc -l <lend/ran)" -eq 40 &&
	grep -x printed lend/rd/shard-05/attempt-1.log &&
	test -d lend/rd/shard-05/attempt-1 &&
	test -f lend/rd/shard-08/attempt-1/left &&
	test -d lend/rd/shard-11/attempt-1 &&
	ls lend/rd | grep "^shard-" >dirs &&
	# the three above, and at most each rank'"'"'s last quiet one
	test "$(wc -l <dirs)" -le 5 &&
	for d in lend/rd/shard-*; do
		test "$(ls -A "$d")" = attempt-1 || test "$(ls -A "$d")" = "attempt-1
attempt-1.log" || return 1
	done
'

test_expect_success 'with --collect every shard keeps its own directory' '
	# files outside the output directory: passed shards, their directories empty
	mkdir col &&
	run_distmpi 2 -n 6 --run-dir keep --collect "$PWD/col/{shard}.txt" -- \
		sh -c "touch \"\$1/{shard}.txt\"" sh "$PWD/col" >out 2>err &&
	grep "^6 shards: 6 passed" out &&
	for s in 1 2 3 4 5 6; do test -d keep/shard-$s/attempt-1 || return 1; done
'

test_expect_success 'the default run directory is distmpi-runs/RUN_ID in the cwd' '
	rm -rf distmpi-runs &&
	run_distmpi 2 -n 2 -- echo hi >out 2>err &&
	ls distmpi-runs >runs &&
	test "$(wc -l <runs)" -eq 1 &&
	grep -E "^[0-9]{8}-[0-9]{6}-[0-9]+\$" runs &&
	test -f "distmpi-runs/$(cat runs)/shard-1/attempt-1.log" &&
	grep "distmpi-runs/$(cat runs)" out
'

test_expect_success 'a symlink planted at a log path is not followed' '
	echo original >victim &&
	mkdir -p planted/shard-1 &&
	ln -s ../../victim planted/shard-1/attempt-1.log &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir planted -- sh -c "echo written" \
		>out 2>err &&
	test "$(cat victim)" = original &&
	grep "shard 1 passed" out &&
	grep "cannot store the log .*planted/shard-1/attempt-1.log: .*planted/shard-1/attempt-1.log is a symbolic link; distmpi will not follow it" out &&
	grep "some logs could not be stored" err
'

test_expect_success 'a symlink planted at an output directory is not followed' '
	mkdir elsewhere && echo precious >elsewhere/keep &&
	mkdir -p planted2/shard-1 &&
	ln -s "$PWD/elsewhere" planted2/shard-1/attempt-1 &&
	test_expect_code 3 run_distmpi 1 -n 1 --run-dir planted2 -- \
		sh -c "touch \"\$DISTMPI_OUTPUT_DIR/new\"" >out 2>err &&
	test "$(cat elsewhere/keep)" = precious &&
	test ! -e elsewhere/new &&
	grep "shard 1 exec error" out
'

test_done
