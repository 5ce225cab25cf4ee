#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the batch script scripts/distmpi.pbs, through its environment

Debian has no PBS server, so the script runs as PBS would run it: with bash,
in a fake job environment (PBS_NODEFILE, PBS_O_WORKDIR, PBS_JOBID). The hosts
of the node file are aliases of a private sshd (tests/sharness.d/sshd.sh)
for the pre-flight check; MPIRUN points at a wrapper that records what the
script passed to mpirun, then runs the real mpirun with the alias "ok"
turned into localhost, so the run is real. Checked: the job'"'"'s hosts and
slots reach mpirun, an unhealthy host stops the job before mpirun unless
--min-healthy lets the rest run, the exit status is distmpi'"'"'s, SIGTERM (the
walltime) leaves the journal and reports written and exits 143, and a job
run again resumes by itself.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

if ! test_have_prereq DISTMPI || ! test_have_prereq MPI || ! test_have_prereq PYTHON; then
	skip_all="needs the distmpi binary, mpirun and python3"
	test_done
fi
if ! command -v bash >/dev/null 2>&1; then
	skip_all="the script needs bash"
	test_done
fi

sshd_fixture_or_skip

script=$DISTMPI_SRCDIR/scripts/distmpi.pbs
trash=$PWD
limits="--max-load 1000000 --max-memory-used 100 --progress lines"

test_expect_success 'setup: a job directory and an mpirun wrapper' '
	mkdir job &&
	cat >mpirun-wrapper <<-EOF &&
	#!/bin/sh
	# record the arguments and the hostfile, then run the real mpirun on
	# localhost
	printf "%s\n" "\$@" >"$trash/mpirun-args"
	prev=
	for a; do
		shift
		if test "\$prev" = --hostfile; then
			sed -e "s/^ok /localhost /" "\$a" >"$trash/mpirun-hosts"
			set -- "\$@" "$trash/mpirun-hosts"
		else
			set -- "\$@" "\$a"
		fi
		prev=\$a
	done
	exec "$MPIRUN" --bind-to none "\$@"
	EOF
	chmod +x mpirun-wrapper &&
	printf "ok\nok\n" >nodes
'

# pbs_job NODEFILE JOBID ARGS... - run the script as PBS would, in the
# background of a subshell that waits for it (so that a test can signal
# it): its pid in job.pid, its output in job.out, its status returned. The
# job's directory is job, or $JOBDIR.
pbs_job() {
	_nodes=$1 _jobid=$2
	shift 2
	(
		cd / &&
		PBS_NODEFILE="$trash/$_nodes" PBS_O_WORKDIR="$trash/${JOBDIR:-job}" PBS_JOBID=$_jobid \
			MPIRUN="$trash/mpirun-wrapper" \
			DISTMPI_HEALTH_OPTIONS="${HEALTH_OPTIONS:---ssh-config $SSH_CONFIG --connect-timeout 2 --max-load 1000000 --max-memory-used 100}" \
			bash "$script" "$@" >"$trash/job.out" 2>&1 &
		echo $! >"$trash/job.pid"
		wait $!
	)
}

test_expect_success SSHD 'a run on the job'"'"'s hosts and slots, from PBS_O_WORKDIR' '
	pbs_job nodes 1.server $limits -n 4 --json r1.json -- sh -c "echo x >>ran1.{shard}" &&
	cat job.out &&
	grep "^\[ok\] OK" job.out &&
	grep "^4 shards: 4 passed" job.out &&
	grep "distmpi.pbs: distmpi exited with status 0" job.out &&
	# the node file'"'"'s two lines are two slots of one host
	echo "localhost slots=2" >expect &&
	test_cmp expect mpirun-hosts &&
	grep -x -- --hostfile mpirun-args &&
	test "$(cat job/ran1.* | wc -l)" -eq 4 &&
	json_check job/r1.json "assert j[\"exit_status\"] == 0 and len(j[\"hosts\"]) == 1, j" &&
	# the mark of the job'"'"'s first start, for a rerun
	test -e job/distmpi-runs/.pbs-job-1.server
'

test_expect_success SSHD 'the exit status is distmpi'"'"'s' '
	test_expect_code 1 pbs_job nodes 2.server $limits -n 3 --retries 0 -- \
		sh -c "test {shard} -ne 2" &&
	grep "^3 shards: 2 passed (0 flaky), 1 failed" job.out &&
	grep "distmpi.pbs: distmpi exited with status 1" job.out
'

test_expect_success SSHD 'an unhealthy host stops the job before mpirun; --min-healthy 1 runs' '
	printf "ok\nrefused\nok\nrefused\n" >nodes-bad &&
	rm -f mpirun-args &&
	test_expect_code 1 pbs_job nodes-bad 3.server $limits -n 2 -- true &&
	grep "^\[refused\] UNHEALTHY" job.out &&
	grep "pre-flight check failed (distmpi health exit status 1): nothing run" job.out &&
	test ! -e mpirun-args &&
	HEALTH_OPTIONS="--ssh-config $SSH_CONFIG --connect-timeout 2 --min-healthy 1 --max-load 1000000 --max-memory-used 100" \
		pbs_job nodes-bad 4.server $limits -n 2 -- true &&
	echo "localhost slots=2" >expect &&
	test_cmp expect mpirun-hosts
'

test_expect_success 'DISTMPI_PREFLIGHT=0: no check, the node file'"'"'s hosts as they are' '
	DISTMPI_PREFLIGHT=0 pbs_job nodes 5.server $limits -n 2 -- true &&
	grep "no pre-flight check (DISTMPI_PREFLIGHT=0)" job.out &&
	! grep "Health Summary" job.out &&
	echo "localhost slots=2" >expect &&
	test_cmp expect mpirun-hosts
'

test_expect_success 'arguments from DISTMPI_ARGS (qsub -v), quotes kept' '
	DISTMPI_ARGS="$limits -n 2 -- sh -c \"echo \\\"two words\\\" >args.{shard}\"" \
		pbs_job nodes 6.server &&
	test "$(cat job/args.1)" = "two words" &&
	test "$(cat job/args.2)" = "two words"
'

test_expect_success 'no node file: a clear error' '
	(
		unset PBS_NODEFILE
		cd job && test_expect_code 2 bash "$script" -n 1 -- true >../out 2>&1
	) &&
	grep "PBS_NODEFILE is not set or not readable: not in a PBS job?" out &&
	printf "\n" >empty-nodes &&
	test_expect_code 2 pbs_job empty-nodes 7.server -n 1 -- true &&
	grep "PBS_NODEFILE .*empty-nodes names no host" job.out
'

# The first 2 shards are quick; with the file "slow" in the job's directory
# the others take long, so none is finishing at the moment of the signal.
marked='test {shard} -le 2 || ! test -e slow || sleep 60; echo x >>ran.{shard}'

results_in() {
	echo $(($(grep -c . "$1") - 1))
}

test_expect_success SSHD 'SIGTERM (the walltime): journal and reports written, exit 143' '
	touch job/slow &&
	rm -rf job/distmpi-runs &&
	{ pbs_job nodes 8.server $limits -n 6 --json r8.json -- sh -c "$marked" & } &&
	sub=$! &&
	i=0 &&
	while ! j=$(ls job/distmpi-runs/*/journal.jsonl 2>/dev/null) ||
		test "$(results_in "$j")" -lt 2; do
		i=$((i + 1)); test $i -lt 600 || { cat job.out; return 1; }; sleep 0.1
	done &&
	kill -TERM "$(cat job.pid)" &&
	i=0 &&
	while kill -0 "$(cat job.pid)" 2>/dev/null; do
		i=$((i + 1)); test $i -lt 600 || { cat job.out; return 1; }; sleep 0.1
	done &&
	test_expect_code 143 wait $sub &&
	cat job.out &&
	grep "distmpi.pbs: got SIGTERM: passing it on to mpirun" job.out &&
	grep "^distmpi: stopped by signal 15; 2 of 6 shards had finished" job.out &&
	grep "distmpi.pbs: distmpi exited with status 143" job.out &&
	test "$(results_in "$j")" -eq 2 &&
	json_check job/r8.json "assert j[\"exit_status\"] == 143, j[\"exit_status\"]"
'

test_expect_success SSHD 'SIGTERM during the pre-flight: nothing runs, exit 143' '
	# a host that never answers keeps the check busy for --connect-timeout
	printf "ok\nsilent\n" >nodes-slow &&
	rm -f mpirun-args job.pid &&
	mkdir job9 &&
	{ JOBDIR=job9 pbs_job nodes-slow 9.server $limits -n 2 -- true & } &&
	sub=$! &&
	i=0 &&
	until test -s job.pid; do
		i=$((i + 1)); test $i -lt 100 || break; sleep 0.1
	done &&
	# the check of "silent" takes 2 s: the signal comes during it
	sleep 1 &&
	kill -TERM "$(cat job.pid)" &&
	{ wait $sub; echo $? >status; } &&
	cat job.out &&
	test "$(cat status)" = 143 &&
	grep "distmpi.pbs: got SIGTERM before the run: nothing run" job.out &&
	test ! -e mpirun-args &&
	test -e job9/distmpi-runs/.pbs-job-9.server
'

test_expect_success SSHD 'run again without a journal from its first start: it starts afresh' '
	JOBDIR=job9 pbs_job nodes 9.server $limits -n 2 -- sh -c "echo x >>ran.{shard}" &&
	cat job.out &&
	grep "distmpi.pbs: run again (job 9.server started here before), but no journal yet: starting afresh" job.out &&
	! grep "resuming with" job.out &&
	test "$(cat job9/ran.* | wc -l)" -eq 2
'

test_expect_success SSHD 'the same job run again resumes by itself, each shard once' '
	rm job/slow &&
	pbs_job nodes 8.server $limits -n 6 -- sh -c "$marked" &&
	cat job.out &&
	grep "distmpi.pbs: run again (job 8.server started here before): resuming with --resume last" job.out &&
	grep "journal.jsonl: 2 shards settled there are not run again; 4 to run" job.out &&
	for s in 1 2 3 4 5 6; do
		test "$(wc -l <job/ran.$s)" -eq 1 || { echo "shard $s ran $(wc -l <job/ran.$s) times"; return 1; }
	done
'

test_done
