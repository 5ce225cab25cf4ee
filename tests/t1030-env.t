#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the environment and the substitutions reach the child

Each shard records its DISTMPI_* variables and the expanded placeholders
{shard} {index} {total} {host} {rank} {slot} {attempt}; the values must agree
with each other and with the run. DISTMPI_OUTPUT_DIR is absolute, exists, is
empty when the attempt starts and is different for every attempt. The command
is run word by word: substituted words are never split or parsed again.
A shard does not inherit what makes its rank a process of distmpi'"'"'s MPI
job (OMPI_COMM_WORLD_*, PMIX_*, the daemon'"'"'s address): an MPI program as
a shard, and an mpirun of its own, start jobs of their own.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

test_expect_success 'setup: a recorder script' '
	cat >record.sh <<-\EOF &&
	#!/bin/sh
	# record.sh SHARD INDEX TOTAL HOST RANK SLOT ATTEMPT
	f=$PWD/rec.$DISTMPI_SHARD.$DISTMPI_ATTEMPT
	{
		echo "nargs=$#"
		echo "arg_shard=$1"
		echo "arg_index=$2"
		echo "arg_total=$3"
		echo "arg_host=$4"
		echo "arg_rank=$5"
		echo "arg_slot=$6"
		echo "arg_attempt=$7"
		env | grep "^DISTMPI_" | sort
		echo "outdir_entries=$(ls -A "$DISTMPI_OUTPUT_DIR" | wc -l)"
		test -d "$DISTMPI_OUTPUT_DIR" && echo "outdir_isdir=yes"
		echo "cwd=$PWD"
	} >"$f"
	# leave something behind: the next attempt must not see it
	echo dirty >"$DISTMPI_OUTPUT_DIR/dirty"
	# shard 2 fails its first attempt, so it has two
	test "$DISTMPI_SHARD" -ne 2 || test "$DISTMPI_ATTEMPT" -gt 1
	EOF
	chmod +x record.sh &&
	cat >check.py <<-\EOF
	import glob, os, socket, sys
	total, ranks = int(sys.argv[1]), int(sys.argv[2])
	recs = {}
	for f in glob.glob("rec.*"):
	    d = {}
	    for line in open(f):
	        k, _, v = line.rstrip("\n").partition("=")
	        d[k] = v
	    recs[f] = d
	assert len(recs) == total + 1, sorted(recs)  # shard 2 twice
	outdirs = set()
	for f, d in sorted(recs.items()):
	    shard, attempt = int(f.split(".")[1]), int(f.split(".")[2])
	    ctx = (f, d)
	    assert d["nargs"] == "7", ctx
	    # the placeholders and the variables agree
	    for arg, var in (("shard", "SHARD"), ("index", "SHARD_INDEX"),
	                     ("total", "TOTAL_SHARDS"), ("host", "HOST"),
	                     ("rank", "RANK"), ("slot", "SLOT"),
	                     ("attempt", "ATTEMPT")):
	        assert d["arg_" + arg] == d["DISTMPI_" + var], (arg, ctx)
	    assert int(d["DISTMPI_SHARD"]) == shard, ctx
	    assert int(d["DISTMPI_SHARD_INDEX"]) == shard - 1, ctx
	    assert int(d["DISTMPI_TOTAL_SHARDS"]) == total, ctx
	    assert int(d["DISTMPI_ATTEMPT"]) == attempt, ctx
	    assert d["DISTMPI_HOST"] == socket.gethostname(), ctx
	    assert 0 <= int(d["DISTMPI_RANK"]) < ranks, ctx
	    # one host: the slots are 0 .. ranks-1, like the ranks
	    assert 0 <= int(d["DISTMPI_SLOT"]) < ranks, ctx
	    o = d["DISTMPI_OUTPUT_DIR"]
	    assert os.path.isabs(o), ctx
	    assert d.get("outdir_isdir") == "yes", ctx
	    assert d["outdir_entries"] == "0", ctx
	    assert o.rstrip("/").endswith("shard-%d/attempt-%d" % (shard, attempt)) or \
	        o.rstrip("/").endswith("shard-%02d/attempt-%d" % (shard, attempt)), ctx
	    assert o not in outdirs, ctx
	    outdirs.add(o)
	    # only the documented variables, nothing inherited
	    names = sorted(k for k in d if k.startswith("DISTMPI_"))
	    assert names == sorted(["DISTMPI_SHARD", "DISTMPI_SHARD_INDEX",
	        "DISTMPI_TOTAL_SHARDS", "DISTMPI_HOST", "DISTMPI_RANK", "DISTMPI_SLOT",
	        "DISTMPI_ATTEMPT", "DISTMPI_OUTPUT_DIR"]), names
	print("checked", len(recs), "records")
	EOF
'

test_expect_success PYTHON '6 shards on 3 ranks: placeholders and variables agree' '
	run_distmpi 3 -n 6 --backoff 0 --run-dir "$PWD/runs" -- \
		./record.sh {shard} {index} {total} {host} {rank} {slot} {attempt} >out 2>err &&
	python3 check.py 6 3
'

test_expect_success 'shard 2 had two attempts with two different output directories' '
	test -f rec.2.1 && test -f rec.2.2 &&
	d1=$(sed -n "s/^DISTMPI_OUTPUT_DIR=//p" rec.2.1) &&
	d2=$(sed -n "s/^DISTMPI_OUTPUT_DIR=//p" rec.2.2) &&
	test "$d1" != "$d2" &&
	test -f "$d1/dirty" && test -f "$d2/dirty"
'

test_expect_success 'DISTMPI_OUTPUT_DIR is absolute even for a relative --run-dir' '
	rm -f rec.* &&
	run_distmpi 2 -n 2 --backoff 0 --run-dir rel-runs -- \
		./record.sh {shard} {index} {total} {host} {rank} {slot} {attempt} >out 2>err &&
	python3 check.py 2 2 &&
	sed -n "s/^DISTMPI_OUTPUT_DIR=//p" rec.1.1 >dir &&
	{
		test "$(cat dir)" = "$PWD/rel-runs/shard-1/attempt-1" ||
		test "$(cat dir)" = "$PWD/rel-runs/shard-1/attempt-1/"
	}
'

test_expect_success '{output_dir} is DISTMPI_OUTPUT_DIR' '
	run_distmpi 2 -n 2 --run-dir od-runs -- \
		sh -c "test \"\$DISTMPI_OUTPUT_DIR\" = \"{output_dir}\" && echo same >\"{output_dir}/mark\"" \
		>out 2>err &&
	test -f od-runs/shard-1/attempt-1/mark &&
	test -f od-runs/shard-2/attempt-1/mark
'

test_expect_success 'an output directory left by an earlier run is emptied first' '
	rm -f rec.* &&
	run_distmpi 2 -n 2 --backoff 0 --run-dir rel-runs -- \
		./record.sh {shard} {index} {total} {host} {rank} {slot} {attempt} >out 2>err &&
	python3 check.py 2 2
'

test_expect_success 'the shard runs in the directory mpirun was started in' '
	grep -x "cwd=$PWD" rec.1.1
'

test_expect_success 'inherited DISTMPI_* variables are replaced' '
	rm -f rec.* &&
	(
		DISTMPI_SHARD=99 DISTMPI_RANK=99 DISTMPI_ATTEMPT=99 DISTMPI_HOST=elsewhere &&
		DISTMPI_OUTPUT_DIR=/nonexistent &&
		export DISTMPI_SHARD DISTMPI_RANK DISTMPI_ATTEMPT DISTMPI_HOST DISTMPI_OUTPUT_DIR &&
		run_distmpi 2 -n 2 --backoff 0 -- \
			./record.sh {shard} {index} {total} {host} {rank} {slot} {attempt} >out 2>err
	) &&
	python3 check.py 2 2 &&
	! grep "=99\$" rec.* &&
	! grep "elsewhere" rec.*
'

test_expect_success 'other variables of the environment reach the child' '
	(
		MY_TEST_VAR="a b  c" && export MY_TEST_VAR &&
		run_distmpi 2 -n 1 -- sh -c "printf %s \"\$MY_TEST_VAR\" >myvar" >out 2>err
	) &&
	test "$(cat myvar)" = "a b  c"
'

# argv NP ARGS... - run printf "%s\n" ARGS on one shard; the log holds one line
# per argument the child got.
argv() {
	rm -rf argv-runs &&
	run_distmpi 1 -n 1 --run-dir argv-runs -- printf "%s\n" "$@" >out 2>err &&
	cat argv-runs/shard-1/attempt-1.log
}

test_expect_success 'a word with a placeholder stays one word' '
	argv "x{host}y" >actual &&
	echo "x$(hostname)y" >expect &&
	test_cmp expect actual
'

test_expect_success 'a word with spaces and placeholders is not split' '
	argv "a {shard}  b {total}" "{rank}" >actual &&
	printf "%s\n" "a 1  b 1" "0" >expect &&
	test_cmp expect actual
'

test_expect_success 'no shell: $, *, ;, quotes and globs reach the child as they are' '
	touch globme.1 globme.2 &&
	argv "\$HOME" "globme.*" "a;b" "\"q\"" "\$(echo no)" "\`echo no\`" ">x" >actual &&
	printf "%s\n" "\$HOME" "globme.*" "a;b" "\"q\"" "\$(echo no)" "\`echo no\`" ">x" >expect &&
	test_cmp expect actual &&
	test ! -e x
'

test_expect_success '{{shard}} gives a literal {shard}; {{ and }} give braces' '
	argv "{{shard}}" "{{{shard}}}" "{{" "}}" "{{x}}" >actual &&
	printf "%s\n" "{shard}" "{1}" "{" "}" "{x}" >expect &&
	test_cmp expect actual
'

test_expect_success 'other braces are left alone' '
	argv "\${HOME}" "{ cmd; }" "{\"a\": 1}" "{}" "{A}" "x{1}" >actual &&
	printf "%s\n" "\${HOME}" "{ cmd; }" "{\"a\": 1}" "{}" "{A}" "x{1}" >expect &&
	test_cmp expect actual
'

test_expect_success 'every placeholder in one word' '
	argv "{shard}/{index}/{total}/{host}/{rank}/{slot}/{attempt}" >actual &&
	echo "1/0/1/$(hostname)/0/0/1" >expect &&
	test_cmp expect actual
'

test_expect_success 'placeholders in the first word (the program) are expanded too' '
	mkdir prog-1 &&
	printf "#!/bin/sh\necho ran-\$1 >ran.\$1\n" >prog-1/run &&
	chmod +x prog-1/run &&
	run_distmpi 1 -n 1 -- ./prog-{shard}/run {shard} >out 2>err &&
	test "$(cat ran.1)" = ran-1
'

command -v mpicc >/dev/null 2>&1 && test_set_prereq MPICC

test_expect_success MPICC 'setup: an MPI program' '
	cat >hello.c <<-\EOF &&
	#include <mpi.h>
	#include <stdio.h>
	int main(int argc, char **argv)
	{
		int rank, size;
		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
		printf("hello %d of %d\n", rank, size);
		MPI_Finalize();
		return 0;
	}
	EOF
	mpicc -o hello hello.c
'

# Before, MPI_Init in a shard took itself for rank 0 of distmpi'"'"'s job and
# failed ("getting local rank failed"), and the run then never ended.
test_expect_success MPICC 'an MPI program as a shard runs as a job of its own' '
	timeout -k 5 120 "$MPIRUN" -np 2 --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		"$DISTMPI" -n 2 --retries 0 --logs lm -- ./hello >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	grep -x "hello 0 of 1" lm/shard-1/attempt-1.log &&
	grep -x "hello 0 of 1" lm/shard-2/attempt-1.log
'

test_expect_success MPICC 'a shard runs an mpirun of its own' '
	timeout -k 5 120 "$MPIRUN" -np 1 --bind-to none --mca mpi_yield_when_idle 1 \
		--mca odls_base_sigkill_timeout 0 \
		"$DISTMPI" -n 1 --retries 0 --logs lr -- \
		"$MPIRUN" -np 2 --oversubscribe ./hello >out 2>err &&
	grep "^1 shard: 1 passed" out &&
	grep -x "hello 0 of 2" lr/shard-1/attempt-1.log &&
	grep -x "hello 1 of 2" lr/shard-1/attempt-1.log
'

test_expect_success 'the job'"'"'s variables stay with the rank, the --mca settings pass' '
	run_distmpi 1 -n 1 -- sh -c "env >env.{shard}" >out 2>err &&
	! grep -E "^(PMIX_RANK|PMIX_NAMESPACE|PMIX_SERVER_URI[0-9]*|OMPI_COMM_WORLD_RANK|OMPI_MCA_orte_hnp_uri|OMPI_MCA_ess_base_jobid)=" env.1 &&
	grep -x "OMPI_MCA_mpi_yield_when_idle=1" env.1 &&
	grep -x "DISTMPI_SHARD=1" env.1
'

test_done
