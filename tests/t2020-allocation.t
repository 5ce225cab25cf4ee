#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='distmpi health and launch inside a batch allocation

Without --hostfile and without HOST arguments, `distmpi health` and
`distmpi launch` take the hosts and slots of the Slurm allocation they run in
(SLURM_JOB_NODELIST, with SLURM_TASKS_PER_NODE or else
SLURM_JOB_CPUS_PER_NODE) or of the PBS one (PBS_NODEFILE), say so above the
report, and write the healthy hosts with those slots. A bad value is a clear
error with exit status 2. The node names are aliases of a private sshd
(tests/sharness.d/sshd.sh) in an ssh config of this script.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

# whatever allocation this script itself may run in is not the one tested
unset SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE SLURM_JOB_CPUS_PER_NODE PBS_NODEFILE
unset SLURM_JOB_ID SLURM_JOBID PBS_JOBID PBS_ENVIRONMENT

if ! test_have_prereq DISTMPI || ! test_have_prereq MPI || ! test_have_prereq PYTHON; then
	skip_all="needs the distmpi binary, mpirun and python3"
	test_done
fi

sshd_fixture_or_skip

# the fixture's aliases, and node names of a cluster for the same sshd
cfg=$PWD/ssh-config
{
	cat "$SSH_CONFIG"
	sshd_host_block n07 n08 n09 n10 gpu01 r1n1 r1n2 r2n1 r2n2
	echo "	Port $SSHD_PORT"
	echo "	IdentityFile $SSHD_DIR/id_user"
	echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
} >"$cfg"

health() {
	"$DISTMPI" health --ssh-config "$cfg" --connect-timeout 2 "$@"
}

slurm_header='Hosts: the Slurm allocation (SLURM_JOB_NODELIST, slots from SLURM_TASKS_PER_NODE)'

test_expect_success SSHD 'Slurm: the node list and tasks per node are the hosts and slots' '
	(
		SLURM_JOB_NODELIST="n[07-08],gpu01" SLURM_TASKS_PER_NODE="2(x2),1" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		health --write-hostfile healthy >out 2>err
	) &&
	test_must_be_empty err &&
	test "$(sed -n 1p out)" = "$slurm_header" &&
	test "$(sed -n 2p out)" = "" &&
	test "$(grep "^\[" out)" = "[n07] OK
[n08] OK
[gpu01] OK" &&
	grep "^Health Summary: 3/3 hosts healthy$" out &&
	printf "n07 slots=2\nn08 slots=2\ngpu01 slots=1\n" >expect &&
	test_cmp expect healthy
'

test_expect_success SSHD 'Slurm: several bracket groups in a name' '
	(
		SLURM_JOB_NODELIST="r[1-2]n[1-2]" SLURM_TASKS_PER_NODE="4(x4)" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		health --write-hostfile healthy >out 2>err
	) &&
	printf "r1n1 slots=4\nr1n2 slots=4\nr2n1 slots=4\nr2n2 slots=4\n" >expect &&
	test_cmp expect healthy
'

test_expect_success SSHD 'Slurm: without tasks per node, the CPUs per node' '
	(
		SLURM_JOB_NODELIST="n[09-10]" SLURM_JOB_CPUS_PER_NODE="16,24" &&
		export SLURM_JOB_NODELIST SLURM_JOB_CPUS_PER_NODE &&
		health --write-hostfile healthy >out 2>err
	) &&
	grep -x "Hosts: the Slurm allocation (SLURM_JOB_NODELIST, slots from SLURM_JOB_CPUS_PER_NODE)" out &&
	printf "n09 slots=16\nn10 slots=24\n" >expect &&
	test_cmp expect healthy
'

test_expect_success SSHD 'Slurm: an unreachable node is unhealthy and left out' '
	(
		SLURM_JOB_NODELIST="n07,refused" SLURM_TASKS_PER_NODE="3,1" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		test_expect_code 1 health --write-hostfile healthy >out 2>err
	) &&
	grep "^\[refused\] UNHEALTHY" out &&
	grep "^Health Summary: 1/2 hosts healthy$" out &&
	echo "n07 slots=3" >expect &&
	test_cmp expect healthy
'

test_expect_success SSHD 'Slurm: --json names the allocation' '
	(
		SLURM_JOB_NODELIST="n07,gpu01" SLURM_TASKS_PER_NODE="1(x2)" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		health --json >out.json 2>err
	) &&
	python3 - out.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	assert j["allocation"] == "slurm", j
	assert [h["host"] for h in j["hosts"]] == ["n07", "gpu01"], j
	assert j["healthy"] == 2 and j["total"] == 2, j
	EOF
'

test_expect_success SSHD 'PBS: a host per line and slot, in the order of first appearance' '
	printf "n08\nn08\nn07\nn08\n\nn07\n" >nodefile &&
	(
		PBS_NODEFILE=$PWD/nodefile && export PBS_NODEFILE &&
		health --write-hostfile healthy >out 2>err &&
		health --json >out.json
	) &&
	test_must_be_empty err &&
	test "$(sed -n 1p out)" = "Hosts: the PBS allocation (PBS_NODEFILE)" &&
	test "$(grep "^\[" out)" = "[n08] OK
[n07] OK" &&
	printf "n08 slots=3\nn07 slots=2\n" >expect &&
	test_cmp expect healthy &&
	python3 -c "import json, sys; assert json.load(open(\"out.json\"))[\"allocation\"] == \"pbs\""
'

test_expect_success SSHD 'Slurm and PBS both set: Slurm'"'"'s is taken' '
	(
		PBS_NODEFILE=$PWD/nodefile SLURM_JOB_NODELIST=gpu01 SLURM_TASKS_PER_NODE=5 &&
		export PBS_NODEFILE SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		health --write-hostfile healthy >out 2>err
	) &&
	test "$(sed -n 1p out)" = "$slurm_header" &&
	echo "gpu01 slots=5" >expect &&
	test_cmp expect healthy
'

test_expect_success SSHD '--hostfile and HOST arguments win over the allocation' '
	echo "ok slots=7" >hosts &&
	(
		SLURM_JOB_NODELIST="n[1-2" SLURM_TASKS_PER_NODE=x PBS_NODEFILE=/nonexistent &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE PBS_NODEFILE &&
		health --hostfile hosts --write-hostfile healthy >out 2>err &&
		health ok2 >out2 2>err2 &&
		health --json ok2 >out.json
	) &&
	test_must_be_empty err &&
	! grep "^Hosts:" out &&
	test "$(grep "^\[" out)" = "[ok] OK" &&
	echo "ok slots=7" >expect &&
	test_cmp expect healthy &&
	test "$(grep "^\[" out2)" = "[ok2] OK" &&
	python3 -c "import json, sys; assert json.load(open(\"out.json\"))[\"allocation\"] is None"
'

# bad_allocation MESSAGE VAR=VALUE... - health and launch in that environment
# exit 2 with the one line "distmpi: COMMAND: MESSAGE" and no report.
bad_allocation() {
	_msg=$1
	shift
	for _cmd in health launch; do
		_run=
		test $_cmd = launch && _run="-- -n 1 true"
		rm -f fake.args &&
		# shellcheck disable=SC2086 # _run: words
		test_expect_code 2 env "$@" DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" $_cmd \
			--ssh-config "$cfg" $_run >out 2>err &&
		echo "distmpi: $_cmd: $_msg" >expect &&
		test_cmp expect err &&
		test_must_be_empty out &&
		! test -e fake.args || return 1
	done
}

test_expect_success 'setup: a stand-in for mpirun' '
	cat >fake-mpirun <<-EOF &&
	#!/bin/sh
	printf "%s\n" "\$@" >"$PWD/fake.args"
	prev=
	for a; do test "\$prev" = --hostfile && cp "\$a" "$PWD/fake.hosts"; prev=\$a; done
	exit 0
	EOF
	chmod +x fake-mpirun
'

test_expect_success 'bad node lists: a clear error, exit status 2' '
	bad_allocation "SLURM_JOB_NODELIST: '"'"'['"'"' without '"'"']'"'"' at character 2 ('"'"'[1-2'"'"')" \
		SLURM_JOB_NODELIST="n[1-2" SLURM_TASKS_PER_NODE=1 &&
	bad_allocation "SLURM_JOB_NODELIST: reversed range 9-3 at character 3 ('"'"'9-3]'"'"')" \
		SLURM_JOB_NODELIST="n[9-3]" SLURM_TASKS_PER_NODE=1 &&
	bad_allocation "SLURM_JOB_NODELIST: more than 65536 hosts (the most allowed) at character 3 ('"'"'0-99999999]'"'"')" \
		SLURM_JOB_NODELIST="n[0-99999999]" SLURM_TASKS_PER_NODE=1 &&
	bad_allocation "SLURM_JOB_NODELIST: empty host name at character 4 ('"'"',n2'"'"')" \
		SLURM_JOB_NODELIST="n1,,n2" SLURM_TASKS_PER_NODE=1
'

test_expect_success 'a count that does not match the node list: a clear error, exit status 2' '
	bad_allocation "SLURM_TASKS_PER_NODE: '"'"'2(x3),1'"'"' counts for 4 hosts, but the node list has 5" \
		SLURM_JOB_NODELIST="n[1-5]" SLURM_TASKS_PER_NODE="2(x3),1" &&
	bad_allocation "SLURM_JOB_CPUS_PER_NODE: 0 slots for a host at character 1 ('"'"'0'"'"')" \
		SLURM_JOB_NODELIST=n1 SLURM_JOB_CPUS_PER_NODE=0 &&
	bad_allocation "SLURM_JOB_NODELIST is set, but neither SLURM_TASKS_PER_NODE nor SLURM_JOB_CPUS_PER_NODE: cannot tell the slots of the hosts" \
		SLURM_JOB_NODELIST=n1
'

test_expect_success 'a bad PBS node file: a clear error, exit status 2' '
	bad_allocation "PBS_NODEFILE: $PWD/no-such-file: No such file or directory" \
		PBS_NODEFILE="$PWD/no-such-file" &&
	printf "n1\nn2 n3\n" >bad-nodefile &&
	bad_allocation "PBS_NODEFILE: $PWD/bad-nodefile:2: bad character in host name (allowed: letters, digits, '"'"'-'"'"', '"'"'.'"'"', '"'"'_'"'"'): '"'"'n2?n3'"'"'" \
		PBS_NODEFILE="$PWD/bad-nodefile" &&
	: >empty-nodefile &&
	bad_allocation "PBS_NODEFILE: $PWD/empty-nodefile: names no host" \
		PBS_NODEFILE="$PWD/empty-nodefile"
'

test_expect_success 'no allocation and no hosts: the errors as before' '
	test_expect_code 2 "$DISTMPI" health 2>err &&
	grep "^distmpi: health: no hosts given (--hostfile FILE or HOST..., or run inside a Slurm or PBS allocation)$" err &&
	test_expect_code 2 env SLURM_JOB_NODELIST= PBS_NODEFILE= "$DISTMPI" launch -- -n 2 true 2>err &&
	grep "^distmpi: launch: give the hosts with --hostfile FILE, or run inside a Slurm or PBS allocation$" err
'

test_expect_success SSHD 'launch: the healthy hosts of the allocation with its slots go to mpirun' '
	rm -f fake.* &&
	(
		SLURM_JOB_NODELIST="n[07-08],refused" SLURM_TASKS_PER_NODE="2,3,1" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" launch --ssh-config "$cfg" \
			--connect-timeout 2 --oversubscribe -- -n 2 true >out 2>err
	) &&
	test "$(sed -n 1p out)" = "$slurm_header" &&
	printf "n07 slots=2\nn08 slots=3\n" >expect &&
	test_cmp expect fake.hosts &&
	grep -x -- --oversubscribe fake.args &&
	rm -f fake.* &&
	printf "n07\nn07\nn07\nn07\n" >nodefile &&
	(
		PBS_NODEFILE=$PWD/nodefile && export PBS_NODEFILE &&
		DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" launch --ssh-config "$cfg" \
			--connect-timeout 2 -- -n 2 true >out 2>err
	) &&
	echo "n07 slots=4" >expect &&
	test_cmp expect fake.hosts
'

# srun --mpi=none gives its tasks SLURM_STEP_ID and SLURM_PROCID but no rank
# variable of an MPI library: MPI cannot start there, so distmpi says what to
# do instead (task 0 only) and runs nothing.
test_expect_success 'a task of srun without an MPI plugin: a clear error, exit 2, nothing ran' '
	rm -rf distmpi-runs ran.* &&
	test_expect_code 2 env SLURM_STEP_ID=0 SLURM_PROCID=0 SLURM_STEP_NUM_TASKS=2 \
		"$DISTMPI" -n 2 -- touch ran.{shard} >out 2>err &&
	echo "distmpi: started by srun without an MPI plugin (srun --mpi=none): start it with srun --mpi=pmix, or with mpirun" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	test_expect_code 2 env SLURM_STEP_ID=0 SLURM_PROCID=1 SLURM_STEP_NUM_TASKS=2 \
		"$DISTMPI" -n 2 -- touch ran.{shard} >out 2>err &&
	test_must_be_empty err &&
	! test -e distmpi-runs &&
	! ls ran.* 2>/dev/null
'

# A real run: mpirun gets the allocation's healthy host, named localhost
# (the alias n07 means nothing to mpirun), and none of the allocation's
# variables, so that Open MPI does not look for a Slurm job of its own.
test_expect_success SSHD 'launch in a Slurm allocation runs the shards on its slots' '
	cat >mpirun-wrapper <<-EOF &&
	#!/bin/sh
	for a; do
		shift
		if test "\$prev" = --hostfile; then
			sed -e "s/^n07 /localhost /" "\$a" >"$PWD/real-hosts"
			set -- "\$@" "$PWD/real-hosts"
		else
			set -- "\$@" "\$a"
		fi
		prev=\$a
	done
	exec env -u SLURM_JOB_NODELIST -u SLURM_TASKS_PER_NODE "$MPIRUN" "\$@"
	EOF
	chmod +x mpirun-wrapper &&
	rm -f ran.* &&
	(
		SLURM_JOB_NODELIST="n07,refused" SLURM_TASKS_PER_NODE="3,1" &&
		export SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE &&
		DISTMPI_MPIRUN="$PWD/mpirun-wrapper" "$DISTMPI" launch --ssh-config "$cfg" \
			--connect-timeout 2 --bind-to none -- \
			-n 6 --retries 0 --json report.json -- touch ran.{shard} >out 2>err
	) &&
	echo "localhost slots=3" >expect &&
	test_cmp expect real-hosts &&
	test "$(ls ran.* | wc -l)" -eq 6 &&
	python3 -c "import json; r = json.load(open(\"report.json\")); assert r[\"summary\"][\"passed\"] == 6, r[\"summary\"]"
'

test_done
