#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='valgrind on rank 0: no leak of distmpi'"'"'s own

One run that uses every part of rank 0 (retries, a flaky and a failed shard,
logs, --stream, --collect with merging, JSON, JUnit and HTML reports, the
journal), and one with --speculate (a copy of the shard rank 0 runs, on
the worker, passes first), with rank 0 under valgrind: no invalid access,
and no memory definitely lost outside Open MPI'"'"'s own MPI_Init,
MPI_Finalize and progress threads (tests/valgrind.supp).'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! command -v valgrind >/dev/null 2>&1; then
	if test "$CI" = true; then
		test_expect_success 'valgrind is installed (CI installs it)' 'false'
		test_done
	fi
	skip_all="valgrind is not installed"
	test_done
fi
if test -n "$DISTMPI_SANITIZED"; then
	skip_all="a sanitized build (ASan) cannot run under valgrind"
	test_done
fi

supp=$DISTMPI_SRCDIR/tests/valgrind.supp

cat >shard.sh <<-\EOF
	#!/bin/sh
	echo "out $DISTMPI_SHARD"
	printf "<testsuite><testcase name=\"t%s\"/></testsuite>" "$DISTMPI_SHARD" >"r-$DISTMPI_SHARD.xml"
	case $DISTMPI_SHARD in
	3) exit 1 ;;
	4) test "$DISTMPI_ATTEMPT" -gt 1 ;;
	esac
EOF
chmod +x shard.sh

test_expect_success 'rank 0 under valgrind: no error, no leak of its own' '
	test_expect_code 1 env OMPI_MCA_mca_base_component_disable_dlclose=1 \
		"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--error-exitcode=99 --num-callers=40 --suppressions="$supp" --log-file=vg.%p.log \
		"$DISTMPI" -n 6 --retries 1 --backoff 0 --stream --json r.json --junit j.xml --html h.html \
		--collect "r-{shard}.xml" -- ./shard.sh : \
		-np 1 --oversubscribe --bind-to none "$DISTMPI" -n 6 -- ./shard.sh >out 2>err &&
	grep "^6 shards: 5 passed (1 flaky), 1 failed" out &&
	grep "^\[.* shard 2\] out 2" out &&
	test -s r.json && test -s j.xml && test -s h.html &&
	grep -l "ERROR SUMMARY" vg.*.log >summaries &&
	test "$(wc -l <summaries)" -eq 1 &&
	cat $(cat summaries) &&
	grep "ERROR SUMMARY: 0 errors" $(cat summaries) &&
	grep "definitely lost: 0 bytes in 0 blocks" $(cat summaries)
'

# --retry-command: shard 1 retries its failed test alone, shard 2 has no
# report and shard 3 a name that starts with "-", so both run whole again
cat >partial.sh <<-\EOF
	#!/bin/sh
	r=$DISTMPI_OUTPUT_DIR/junit.xml
	if test $# -gt 0 || test "$DISTMPI_ATTEMPT" -gt 1; then
		echo "<testsuite><testcase name=\"ok\"/></testsuite>" >"$r"
		exit 0
	fi
	case $DISTMPI_SHARD in
	1) echo "<testsuite><testcase name=\"a b\"><failure/></testcase></testsuite>" >"$r" ;;
	3) echo "<testsuite><testcase name=\"-x\"><failure/></testcase></testsuite>" >"$r" ;;
	esac
	exit 1
EOF
chmod +x partial.sh

test_expect_success 'partial retries (--retry-command): no error, no leak of its own' '
	rm -f vg.*.log &&
	env OMPI_MCA_mca_base_component_disable_dlclose=1 \
		"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--error-exitcode=99 --num-callers=40 --suppressions="$supp" --log-file=vg.%p.log \
		"$DISTMPI" -n 3 --backoff 0 --logs pl --collect "{output_dir}/junit.xml" \
		--retry-command "./partial.sh {failed}" -- ./partial.sh >out 2>err &&
	grep "^3 shards: 3 passed (3 flaky)" out &&
	grep "retrying only the 1 failed test of attempt 1" pl/shard-1/attempt-2.log &&
	grep "retrying the whole shard" pl/shard-2/attempt-2.log &&
	grep "retrying the whole shard" pl/shard-3/attempt-2.log &&
	grep -l "ERROR SUMMARY" vg.*.log >summaries &&
	test "$(wc -l <summaries)" -eq 1 &&
	cat $(cat summaries) &&
	grep "ERROR SUMMARY: 0 errors" $(cat summaries) &&
	grep "definitely lost: 0 bytes in 0 blocks" $(cat summaries)
'

test_expect_success PYTHON 'with a timing history, its ETA and predictions: no error, no leak of its own' '
	printf "sleep 0.2\\nsleep 0.4\\nsleep 0.3\\n" >eta.txt &&
	run_distmpi 1 --tasks eta.txt --history h.json >first.out 2>&1 &&
	rm -f vg.*.log &&
	env OMPI_MCA_mca_base_component_disable_dlclose=1 DISTMPI_TEST_SUMMARY_EVERY=0.05 \
		"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--error-exitcode=99 --num-callers=40 --suppressions="$supp" --log-file=vg.%p.log \
		"$DISTMPI" --tasks eta.txt --history h.json --progress lines --json e.json : \
		-np 1 --oversubscribe --bind-to none "$DISTMPI" --tasks eta.txt >out 2>err &&
	grep "^3 shards: 3 passed" out &&
	grep "^distmpi: [0-3]/3 shards done" out &&
	json_check e.json "assert all(s[\"predicted\"] > 0 for s in j[\"shards\"]), j" &&
	grep -l "ERROR SUMMARY" vg.*.log >summaries &&
	test "$(wc -l <summaries)" -eq 1 &&
	cat $(cat summaries) &&
	grep "ERROR SUMMARY: 0 errors" $(cat summaries) &&
	grep "definitely lost: 0 bytes in 0 blocks" $(cat summaries)
'

# --speculate: rank 0 runs the first copy of shard 2 (slow the first time),
# the worker a second copy that passes; rank 0's own copy is ended, its
# result dropped, the worker's collected file kept.
cat >spec.sh <<-\EOF
	#!/bin/sh
	echo "out $DISTMPI_SHARD"
	printf "<testsuite><testcase name=\"t%s\"/></testsuite>" "$DISTMPI_SHARD" >"s-$DISTMPI_SHARD.xml"
	if test "$DISTMPI_SHARD" = 2 && mkdir first.d 2>/dev/null; then
		sleep 60 & echo $! >first.sleep
		wait
	fi
EOF
chmod +x spec.sh

test_expect_success '--speculate with rank 0 under valgrind: no error, no leak of its own' '
	test_when_finished "kill_leftover first.sleep" &&
	env OMPI_MCA_mca_base_component_disable_dlclose=1 \
		"$MPIRUN" -np 1 --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
		valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
		--error-exitcode=99 --num-callers=40 --suppressions="$supp" --log-file=vgs.%p.log \
		"$DISTMPI" -n 2 --speculate --progress lines --json s.json --junit s.xml \
		--html s.html --collect "s-{shard}.xml" -- ./spec.sh : \
		-np 1 --oversubscribe --bind-to none "$DISTMPI" -n 2 -- ./spec.sh >sout 2>serr &&
	grep "^distmpi: shard 2: the copy on .* rank 1 passed first; the copy on .* rank 0 is ended (superseded)" sout &&
	grep "^2 shards: 2 passed (0 flaky), .*; 1 copy superseded; " sout &&
	process_gone "$(cat first.sleep)" &&
	grep -l "ERROR SUMMARY" vgs.*.log >summaries &&
	test "$(wc -l <summaries)" -eq 1 &&
	cat $(cat summaries) &&
	grep "ERROR SUMMARY: 0 errors" $(cat summaries) &&
	grep "definitely lost: 0 bytes in 0 blocks" $(cat summaries)
'

test_done
