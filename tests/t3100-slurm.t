#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the batch script scripts/distmpi.sbatch under a real Slurm

tests/sharness.d/cluster.sh builds four hosts in network namespaces (node1 16
cores, node2 24, node3 4, node4 4) and tests/sharness.d/slurm.sh starts a
real Slurm on them: munged, slurmctld on node1 and one slurmd on each host,
each node with its host'"'"'s core count. Jobs are submitted with sbatch on
node1 and run the template as a user would: the pre-flight check of the
allocation'"'"'s hosts over ssh, then mpirun distmpi on the allocation, which
Open MPI starts on the other hosts through srun. Checked: a task list runs
on all four hosts and the job'"'"'s exit status is distmpi'"'"'s; a host whose
sshd is down stops the job before mpirun, or is left out with --min-healthy;
a job stopped as
at its time limit (scancel --batch --signal=TERM) writes its journal and
reports, and a resubmission with --resume last finishes the rest, each
shard passing exactly once; the script'"'"'s own --signal=B:TERM@120 at a real
time limit does the same; a requeued job resumes by itself.

Needs root, namespaces and Debian'"'"'s slurmctld, slurmd, slurm-client and
munge; skipped with the reason where they cannot be had, a failure instead
when CI=true.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the JSON reports"
	test_done
fi
cluster_start_or_skip 16 24 4 4
slurm_start_or_skip

trash=$PWD
script=$DISTMPI_SRCDIR/scripts/distmpi.sbatch

# What every job gets from sbatch (which passes this environment on): Open
# MPI over the cluster's network only, as root, ranks that yield (the four
# fake hosts share this machine's cores), and the pre-flight's ssh
# configuration and limits (the machine's real load, shared by all the fake
# hosts, must not make a 4-core host look overloaded; the other tests
# running beside this one can slow a probe's answer past the default 5 s).
OMPI_MCA_btl_tcp_if_include=$CLUSTER_NET.0/24
OMPI_MCA_oob_tcp_if_include=$CLUSTER_NET.0/24
OMPI_MCA_mpi_yield_when_idle=1
OMPI_MCA_hwloc_base_binding_policy=none
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
DISTMPI_HEALTH_OPTIONS="--ssh-config $CLUSTER_SSH_CONFIG --max-load 1000000 --max-memory-used 100 --connect-timeout 30"
export OMPI_MCA_btl_tcp_if_include OMPI_MCA_oob_tcp_if_include OMPI_MCA_mpi_yield_when_idle \
	OMPI_MCA_hwloc_base_binding_policy OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
	DISTMPI_HEALTH_OPTIONS DISTMPI MPIRUN
limits="--max-load 1000000 --max-memory-used 100 --progress lines"

# submit DIR SBATCH-OPTIONS... -- SCRIPT-ARGS... - sbatch the script from DIR
# (its output in DIR/job.out); prints the job id.
submit() {
	_dir=$1
	shift
	_opts=
	while test $# -gt 0 && test "$1" != --; do
		_opts="$_opts $1"
		shift
	done
	shift
	mkdir -p "$_dir" &&
	# shellcheck disable=SC2086
	slurm_submit --chdir="$trash/$_dir" --output="$trash/$_dir/job.out" $_opts \
		"$script" "$@"
}

# results_in JOURNAL - how many results the journal holds
results_in() {
	echo $(($(grep -c . "$1") - 1))
}

# journal_of DIR - the one journal under DIR/distmpi-runs
journal_of() {
	ls "$1"/distmpi-runs/*/journal*.jsonl
}

# wait_results DIR N - until the journal under DIR holds N results (60 s)
wait_results() {
	_i=0
	while ! _j=$(journal_of "$1" 2>/dev/null) || test "$(results_in "$_j")" -lt "$2"; do
		_i=$((_i + 1))
		test $_i -lt 600 || { echo "no $2 results in $1 after 60 s"; return 1; }
		sleep 0.1
	done
}

# once_each DIR N - shards 1..N each left exactly one mark in DIR/ran.N
once_each() {
	for _s in $(test_seq 1 "$2"); do
		test "$(cat "$1/ran.$_s" 2>/dev/null | wc -l)" -eq 1 || {
			echo "shard $_s ran $(cat "$1/ran.$_s" 2>/dev/null | wc -l) times"
			return 1
		}
	done
}

test_expect_success 'the nodes are the cluster'"'"'s hosts, with their core counts' '
	slurm sinfo -h -N -o "%N %c %t" | sort >nodes &&
	printf "node1 16 idle\nnode2 24 idle\nnode3 4 idle\nnode4 4 idle\n" >expect &&
	test_cmp expect nodes
'

# a real task list: each line a shell command, run on whichever host
test_expect_success 'a task list on all four hosts: reports, and the job exits 0' '
	mkdir -p t1/marks &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		echo "echo \$(hostname) \$DISTMPI_HOST >marks/$i; sleep 0.3" || return 1
	done >t1/tasks &&
	id=$(submit t1 -N 4 --ntasks-per-node=2 -- $limits --tasks tasks \
		--json r.json --junit r.xml) &&
	slurm_wait_job $id &&
	cat t1/job.out &&
	slurm_job_ended COMPLETED 0 &&
	# the pre-flight checked every host of the allocation
	for i in 1 2 3 4; do
		grep "^\[node$i\] OK$" t1/job.out || return 1
	done &&
	grep "^12 shards: 12 passed" t1/job.out &&
	grep "distmpi.sbatch: distmpi exited with status 0" t1/job.out &&
	json_check t1/r.json "
assert j[\"exit_status\"] == 0, j[\"exit_status\"]
assert sorted(h[\"host\"] for h in j[\"hosts\"]) == [\"node1\", \"node2\", \"node3\", \"node4\"], j[\"hosts\"]
assert all(h[\"ranks\"] == 2 for h in j[\"hosts\"]), j[\"hosts\"]
assert [s[\"status\"] for s in j[\"shards\"]] == [\"passed\"] * 12
" &&
	# each shard ran where the report says, on a host of its own name
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		read real said <t1/marks/$i && test "$real" = "$said" || return 1
	done &&
	test -s t1/r.xml
'

# srun starts distmpi itself (no mpirun): its tasks find each other
# through PMIx, as the notes of these machines say srun needs
test_expect_success 'srun --mpi=pmix distmpi: a run on two hosts, as with mpirun' '
	mkdir -p ts &&
	for i in 1 2 3 4 5 6; do
		echo "echo \$(hostname) >mark.$i" || return 1
	done >ts/tasks &&
	cat >ts/srun.sh <<-EOF &&
	#!/bin/sh
	exec srun --mpi=pmix "$DISTMPI" $limits --tasks tasks --json r.json
	EOF
	chmod +x ts/srun.sh &&
	id=$(slurm_submit --chdir="$trash/ts" --output="$trash/ts/job.out" -N 2 \
		--ntasks-per-node=2 "$trash/ts/srun.sh") &&
	slurm_wait_job $id &&
	cat ts/job.out &&
	slurm_job_ended COMPLETED 0 &&
	grep "^6 shards: 6 passed" ts/job.out &&
	json_check ts/r.json "
assert j[\"exit_status\"] == 0, j[\"exit_status\"]
hosts = sorted(h[\"host\"] for h in j[\"hosts\"])
assert len(hosts) == 2 and all(h[\"ranks\"] == 2 for h in j[\"hosts\"]), j[\"hosts\"]
assert [s[\"status\"] for s in j[\"shards\"]] == [\"passed\"] * 6
" &&
	test "$(cat ts/mark.* | sort -u | wc -l)" -eq 2
'

test_expect_success 'the job'"'"'s exit status is distmpi'"'"'s' '
	id=$(submit t2 -N 2 --ntasks-per-node=1 -- $limits -n 3 --retries 0 -- \
		sh -c "test {shard} -ne 2") &&
	slurm_wait_job $id &&
	cat t2/job.out &&
	slurm_job_ended FAILED 1 &&
	grep "^3 shards: 2 passed (0 flaky), 1 failed" t2/job.out
'

test_expect_success 'a host the pre-flight finds dead: no run, or a run on the others' '
	cluster_sshd_stop 4 &&
	test_when_finished "cluster_sshd_start 4" &&
	id=$(submit t6 -N 4 --ntasks-per-node=1 -- $limits -n 4 -- true) &&
	slurm_wait_job $id &&
	cat t6/job.out &&
	slurm_job_ended FAILED 1 &&
	grep "^\[node4\] UNREACHABLE\|^\[node4\] UNHEALTHY" t6/job.out &&
	grep "distmpi.sbatch: pre-flight check failed (distmpi health exit status 1): nothing run" t6/job.out &&
	! grep "^distmpi: 4 shards" t6/job.out &&
	# with --min-healthy 3 the run goes on, without node4
	id=$(DISTMPI_HEALTH_OPTIONS="$DISTMPI_HEALTH_OPTIONS --min-healthy 3" \
		submit t7 -N 4 --ntasks-per-node=1 -- $limits -n 6 --json r.json -- true) &&
	slurm_wait_job $id &&
	cat t7/job.out &&
	slurm_job_ended COMPLETED 0 &&
	json_check t7/r.json "
assert sorted(h[\"host\"] for h in j[\"hosts\"]) == [\"node1\", \"node2\", \"node3\"], j[\"hosts\"]
"
'

# The first 4 shards are quick; with the file "slow" in the job's directory
# the others take long, so none is finishing at the moment of the signal.
# A shard whose sleep is killed leaves no mark (Slurm signals every process
# of a requeued job, the sleep too, maybe before its shell).
marked='{ test {shard} -le 4 || ! test -e slow || sleep 60; } && echo x >>ran.{shard}'

test_expect_success 'SIGTERM as at the time limit: journal and reports written, exit 143' '
	mkdir -p t3 && touch t3/slow &&
	id=$(submit t3 -N 4 --ntasks-per-node=1 -- $limits -n 12 --json r.json -- \
		sh -c "$marked") &&
	echo "$id" >t3/id &&
	wait_results t3 4 &&
	slurm scancel --batch --signal=TERM "$id" &&
	slurm_wait_job $id &&
	cat t3/job.out &&
	grep "distmpi.sbatch: got SIGTERM: passing it on" t3/job.out &&
	grep "^distmpi: stopped by signal 15; 4 of 12 shards had finished" t3/job.out &&
	test "$SLURM_JOB_EXIT" = 143 &&
	test "$(results_in "$(journal_of t3)")" -eq 4 &&
	json_check t3/r.json "
assert j[\"exit_status\"] == 143, j[\"exit_status\"]
st = [s[\"status\"] for s in j[\"shards\"]]
assert st.count(\"passed\") == 4, st
"
'

test_expect_success 'resubmitted with --resume last: the rest, each shard once' '
	rm t3/slow &&
	id=$(submit t3 -N 4 --ntasks-per-node=1 -- $limits --resume last --json r2.json) &&
	slurm_wait_job $id &&
	cat t3/job.out &&
	slurm_job_ended COMPLETED 0 &&
	grep "journal.jsonl: 4 shards settled there are not run again; 8 to run" t3/job.out &&
	once_each t3 12 &&
	json_check t3/r2.json "assert j[\"exit_status\"] == 0, j[\"exit_status\"]"
'

# The real thing: the script's own --signal=B:TERM@120 in a job of a 1
# minute limit, so the warning is due at once; slurmctld sends it on its
# next check of the time limits (up to 30 s on), long before the limit.
test_expect_success 'the time limit itself: the script'"'"'s own --signal stops the job cleanly' '
	mkdir -p t5 && touch t5/slow &&
	id=$(submit t5 -N 2 --ntasks-per-node=1 -t 1 -- $limits -n 6 --json r.json -- \
		sh -c "$marked") &&
	slurm_wait_job $id 90 &&
	cat t5/job.out &&
	grep "distmpi.sbatch: got SIGTERM: passing it on" t5/job.out &&
	slurm_job_ended FAILED 143 &&
	j=$(journal_of t5) &&
	json_check t5/r.json "
assert j[\"exit_status\"] == 143, j[\"exit_status\"]
passed = [s[\"shard\"] for s in j[\"shards\"] if s[\"status\"] == \"passed\"]
assert passed == [s for s in range(1, 5) if s in passed], passed
assert len(passed) == $(results_in "$j"), (passed, \"$j\")
"
'

test_expect_success 'a requeued job resumes by itself (SLURM_RESTART_COUNT)' '
	mkdir -p t4 && touch t4/slow &&
	id=$(submit t4 -N 4 --ntasks-per-node=1 -- $limits -n 12 -- sh -c "$marked") &&
	wait_results t4 4 &&
	slurm scontrol requeue "$id" &&
	# once its first try has ended, the requeued job waits for a begin
	# time two minutes on: let it start now
	i=0 &&
	while test "$(slurm_job_field $id JobState)" != PENDING; do
		i=$((i + 1)); test $i -lt 600 || { echo "not requeued"; return 1; }; sleep 0.1
	done &&
	test "$(slurm_job_field $id Restarts)" = 1 &&
	# the first try is over: from now on the shards are quick (removed
	# earlier, a shard could finish while the requeue stops the job, before
	# its result reached the journal, and rightly run again)
	rm t4/slow &&
	slurm scontrol update JobId=$id StartTime=now &&
	slurm_wait_job $id 180 &&
	cat t4/job.out &&
	slurm_job_ended COMPLETED 0 &&
	test "$SLURM_JOB_RESTARTS" = 1 &&
	grep "distmpi.sbatch: requeued (try 2): resuming with --resume last" t4/job.out &&
	grep "shards settled there are not run again" t4/job.out &&
	# both tries in the one output file (--open-mode=append); Slurm signals
	# every process of a requeued job at once, so what the first try printed
	# last may be lost with mpirun, but not its journal
	grep "CANCELLED AT .* DUE TO JOB REQUEUE" t4/job.out &&
	test "$(grep -c "^Health Summary: 4/4 hosts healthy" t4/job.out)" -eq 2 &&
	once_each t4 12
'

test_expect_success 'teardown leaves no daemon of the Slurm behind' '
	dir=$SLURM_DIR &&
	pids=$(cat "$dir"/*.pid) &&
	slurm_down &&
	for p in $pids; do
		! kill -0 $p 2>/dev/null || { echo "pid $p left"; return 1; }
	done &&
	test ! -e "$dir"
'

test_done
