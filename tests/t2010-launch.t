#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='distmpi launch: the health check, then mpirun on the healthy hosts only

`distmpi launch --hostfile FILE [health options] [mpirun options] -- [distmpi
options] COMMAND` checks the hosts of FILE like `distmpi health`, writes the
healthy ones to a temporary hostfile and starts mpirun on it. The hosts are
aliases of a private sshd (tests/sharness.d/sshd.sh). DISTMPI_MPIRUN points at
a wrapper that records what launch passed to mpirun, then runs the real
mpirun with the alias "ok" turned into localhost, so the run is real.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

# the hosts are given here; none come from a batch allocation this may run in
unset SLURM_JOB_NODELIST SLURM_TASKS_PER_NODE SLURM_JOB_CPUS_PER_NODE PBS_NODEFILE

if ! test_have_prereq DISTMPI || ! test_have_prereq MPI || ! test_have_prereq PYTHON; then
	skip_all="needs the distmpi binary, mpirun and python3"
	test_done
fi

sshd_fixture_or_skip

test_expect_success 'setup: a hostfile and an mpirun wrapper' '
	printf "ok slots=2\nrefused slots=4\n" >hosts &&
	cat >mpirun-wrapper <<-EOF &&
	#!/bin/sh
	# record the arguments and the hostfile, then run the real mpirun
	printf "%s\n" "\$@" >"$PWD/mpirun-args"
	prev=
	for a; do
		test "\$prev" = --hostfile && sed -e "s/^ok /localhost /" "\$a" >"$PWD/mpirun-hosts"
		prev=\$a
	done
	for a; do
		shift
		if test "\$prev2" = --hostfile; then set -- "\$@" "$PWD/mpirun-hosts"; else set -- "\$@" "\$a"; fi
		prev2=\$a
	done
	exec "$MPIRUN" "\$@"
	EOF
	chmod +x mpirun-wrapper
'

run_launch() {
	DISTMPI_MPIRUN="$PWD/mpirun-wrapper" "$DISTMPI" launch --ssh-config "$SSH_CONFIG" \
		--connect-timeout 2 "$@"
}

test_expect_success SSHD 'launch runs the shards on the healthy host only' '
	rm -f ran.* &&
	run_launch --hostfile hosts --oversubscribe --bind-to none -- \
		-n 4 --retries 0 --json report.json -- touch ran.{shard} >out 2>err &&
	grep "^\[ok\] OK" out &&
	grep "^\[refused\] UNHEALTHY" out &&
	grep "^Health Summary: 1/2 hosts healthy" out &&
	test "$(ls ran.* | wc -l)" -eq 4 &&
	python3 -c "import json; r = json.load(open(\"report.json\")); assert r[\"summary\"][\"passed\"] == 4, r[\"summary\"]"
'

test_expect_success SSHD 'mpirun got the healthy hosts and the words before --' '
	cat mpirun-hosts &&
	test "$(grep -v "^#" mpirun-hosts)" = "localhost slots=2" &&
	grep -x -- --oversubscribe mpirun-args &&
	grep -x -- --bind-to mpirun-args &&
	! grep -x -- --ssh-config mpirun-args &&
	! grep -x -- --connect-timeout mpirun-args &&
	grep -x -- "$DISTMPI" mpirun-args || grep -x -- "$(readlink -f "$DISTMPI")" mpirun-args
'

test_expect_success SSHD 'the temporary hostfile is removed afterwards' '
	hf=$(sed -n "/^--hostfile$/{n;p;}" mpirun-args) &&
	test -n "$hf" &&
	! test -e "$hf"
'

test_expect_success SSHD 'launch passes the run exit status on' '
	test_expect_code 1 run_launch --hostfile hosts --oversubscribe -q -- \
		-n 2 --retries 0 -- sh -c "test {shard} -ne 2" >out 2>err
'

test_expect_success SSHD 'too few healthy hosts: nothing launched, exit 3' '
	rm -f mpirun-args ran.* &&
	test_expect_code 3 run_launch --hostfile hosts --min-healthy 2 --oversubscribe -- \
		-n 2 -- touch ran.{shard} >out 2>err &&
	grep "^distmpi: 1 of 2 hosts healthy (need 2): nothing launched" err &&
	! test -e mpirun-args &&
	! ls ran.* 2>/dev/null
'

# A stand-in for mpirun that records what launch gave it and where its files
# are, then does what FAKE_DO says: "status" writes 5 to the status file as
# rank 0 does after losing ranks and exits 137 as mpirun then does; "link"
# puts a link there instead; "hup" waits for SIGHUP and exits 7 on it;
# otherwise it exits FAKE_EXIT (0).
test_expect_success 'setup: a stand-in for mpirun' '
	cat >fake-mpirun <<-EOF &&
	#!/bin/sh
	out="$PWD/fake"
	prev=
	for a; do test "\$prev" = --hostfile && hf=\$a; prev=\$a; done
	printf "%s\n" "\$@" >"\$out.args"
	{
		echo "hostfile=\$hf"
		echo "status=\$DISTMPI_STATUS_FILE"
		echo "dir=\$(dirname "\$hf")"
		echo "statusdir=\$(dirname "\$DISTMPI_STATUS_FILE")"
		stat -c "mode=%a" "\$(dirname "\$hf")"
		test -e "\$DISTMPI_STATUS_FILE" && echo status-exists
		test -L "\$DISTMPI_STATUS_FILE" && echo status-exists
	} >"\$out.env"
	case \${FAKE_DO-} in
	status) echo 5 >"\$DISTMPI_STATUS_FILE"; exit 137 ;;
	link) echo 0 >"$PWD/victim"; ln -s "$PWD/victim" "\$DISTMPI_STATUS_FILE"; exit 137 ;;
	hup)
		trap "echo HUP >\"\$out.hup\"; exit 7" HUP
		echo \$\$ >"\$out.ready"
		i=0
		while test \$i -lt 600; do sleep 0.1 & wait \$!; i=\$((i + 1)); done
		exit 99 ;;
	esac
	exit \${FAKE_EXIT:-0}
	EOF
	chmod +x fake-mpirun
'

fake_launch() {
	DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" launch --ssh-config "$SSH_CONFIG" \
		--connect-timeout 2 "$@"
}

test_expect_success SSHD 'the hostfile and the status file are in a private directory' '
	mkdir -p tmp &&
	rm -f fake.* &&
	TMPDIR="$PWD/tmp" fake_launch --hostfile hosts -- -n 2 true >out 2>err &&
	cat fake.env &&
	dir=$(sed -n "s/^dir=//p" fake.env) &&
	test "$(sed -n "s/^statusdir=//p" fake.env)" = "$dir" &&
	test "$(sed -n "s/^mode=//p" fake.env)" = 700 &&
	test "$(dirname "$dir")" = "$PWD/tmp" &&
	! grep status-exists fake.env &&
	test_must_be_empty err
'

test_expect_success SSHD 'the private directory is removed afterwards' '
	test -z "$(ls -A tmp)"
'

test_expect_success SSHD 'rank 0'"'"'s status in the file is the exit status; all removed' '
	rm -f fake.* &&
	(
		FAKE_DO=status TMPDIR="$PWD/tmp" && export FAKE_DO TMPDIR &&
		test_expect_code 5 fake_launch --hostfile hosts -- -n 2 true >out 2>err
	) &&
	test_must_be_empty err &&
	test -z "$(ls -A tmp)"
'

test_expect_success SSHD 'a link in place of the status file is not followed' '
	rm -f fake.* victim &&
	(
		FAKE_DO=link TMPDIR="$PWD/tmp" && export FAKE_DO TMPDIR &&
		test_expect_code 137 fake_launch --hostfile hosts -- -n 2 true >out 2>err
	) &&
	grep "^distmpi: launch: cannot read rank 0.s status in .*/status: Too many levels of symbolic links$" err &&
	test "$(cat victim)" = 0 &&
	test -z "$(ls -A tmp)"
'

test_expect_success SSHD 'a TMPDIR that does not exist: a clear error, exit 3, nothing started' '
	rm -f fake.* &&
	(
		TMPDIR="$PWD/no-such-dir" && export TMPDIR &&
		test_expect_code 3 fake_launch --hostfile hosts -- -n 2 true >out 2>err
	) &&
	grep "^distmpi: launch: cannot create a private directory in $PWD/no-such-dir: No such file or directory$" err &&
	! test -e fake.args
'

test_expect_success SSHD 'SIGHUP is passed on to mpirun' '
	rm -f fake.* &&
	{
		FAKE_DO=hup DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" launch \
			--ssh-config "$SSH_CONFIG" --connect-timeout 2 --hostfile hosts -- \
			-n 2 true >out 2>err &
	} &&
	launch_pid=$! &&
	wait_for_files 30 fake.ready &&
	kill -HUP $launch_pid &&
	{ wait_pid_limit 60 $launch_pid; status=$?; } &&
	test "$status" = 7 &&
	test "$(cat fake.hup)" = HUP
'

# The window between fork and launch recording mpirun's pid: a fork()
# that sends its caller SIGTERM as soon as it returns, in launch only (armed
# by DISTMPI_STATUS_FILE, which launch sets just before it forks; neither
# side keeps the shim). The signal must reach mpirun, not be lost.
command -v cc >/dev/null && test_set_prereq CC
# ASan refuses to start a program when another library is preloaded before
# its own runtime, as the shim of fork is here
if test_have_prereq SANITIZED; then
	echo "# under ASan a preloaded shim cannot run: the SIGTERM-after-fork test is skipped"
fi
test_expect_success SSHD,CC,!SANITIZED 'a SIGTERM right after the fork is passed on, not lost' '
	cat >fork-shim.c <<-\EOF &&
	#define _GNU_SOURCE
	#include <dlfcn.h>
	#include <signal.h>
	#include <stdlib.h>
	#include <unistd.h>
	pid_t fork(void)
	{
	    pid_t (*real)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
	    int armed = getenv("DISTMPI_STATUS_FILE") != NULL;
	    pid_t pid = real();
	    if (armed && pid >= 0) {
	        unsetenv("LD_PRELOAD");
	        if (pid > 0)
	            raise(SIGTERM);
	    }
	    return pid;
	}
	EOF
	cc -shared -fPIC -o fork-shim.so fork-shim.c -ldl &&
	rm -f fake.* &&
	(
		unset DISTMPI_STATUS_FILE &&
		# relative: ld.so splits LD_PRELOAD at spaces, and $PWD has one
		FAKE_EXIT=4 LD_PRELOAD=./fork-shim.so && export FAKE_EXIT LD_PRELOAD &&
		test_expect_code 143 fake_launch --hostfile hosts -- -n 2 true >out 2>err
	)
'

# hup_in PID FIELD - SIGHUP is in the mask FIELD (SigIgn, SigCgt) of /proc/PID/status
hup_in() {
	_mask=$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status") &&
	_last=${_mask#"${_mask%?}"} &&
	test $((0x$_last & 1)) = 1
}

test_expect_success SSHD 'SIGHUP ignored by the caller (nohup): it stays ignored, for mpirun too' '
	rm -f fake.* &&
	{
		FAKE_DO=hup DISTMPI_MPIRUN="$PWD/fake-mpirun" python3 -c "
import os, signal, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])
" "$DISTMPI" launch --ssh-config "$SSH_CONFIG" --connect-timeout 2 --hostfile hosts -- \
			-n 2 true >out 2>err &
	} &&
	launch_pid=$! &&
	wait_for_files 30 fake.ready &&
	hup_in $launch_pid SigIgn &&
	! hup_in $launch_pid SigCgt &&
	hup_in "$(cat fake.ready)" SigIgn &&
	kill -HUP $launch_pid &&
	kill -TERM $launch_pid &&
	{ wait_pid_limit 60 $launch_pid; status=$?; } &&
	test "$status" = 143 &&
	! test -e fake.hup
'

# A caller may leave SIGCHLD ignored (it is inherited through exec): the
# children are then reaped by the kernel and there is nothing to wait for.
test_expect_success SSHD 'SIGCHLD ignored by the caller: mpirun'"'"'s status still passed on' '
	rm -f fake.* &&
	test_expect_code 4 env FAKE_EXIT=4 DISTMPI_MPIRUN="$PWD/fake-mpirun" python3 -c "
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])
" "$DISTMPI" launch --ssh-config "$SSH_CONFIG" --connect-timeout 2 --hostfile hosts -- \
		-n 2 true >out 2>err &&
	test_must_be_empty err
'

test_expect_success SSHD 'mpirun'"'"'s own options go to mpirun' '
	rm -f fake.* &&
	fake_launch --hostfile hosts --mca btl self,tcp -x FOO --oversubscribe --map-by core \
		--bind-to none -np 2 --timeout 50 -mca plm_rsh_args "-F cfg" --mca x --max-lod -- \
		-n 2 true >out 2>err &&
	test_must_be_empty err &&
	for w in --mca btl self,tcp -x FOO --oversubscribe --map-by core --bind-to none -np 2 \
		--timeout 50 -mca plm_rsh_args "-F cfg" x --max-lod; do
		grep -x -e "$w" fake.args || return 1
	done
'

test_expect_success SSHD 'the report to a full device: nothing launched, exit 3' '
	rm -f fake.* &&
	test_expect_code 3 fake_launch --hostfile hosts -- -n 2 true >/dev/full 2>err &&
	grep "^distmpi: launch: cannot write the report to standard output: No space left on device$" err &&
	! test -e fake.args
'

# expect_launch_usage MESSAGE ARGS... - launch ARGS is refused before any
# check: exit status 2, the one line MESSAGE on stderr, mpirun not started.
expect_launch_usage() {
	_msg=$1
	shift
	rm -f fake.* &&
	test_expect_code 2 env DISTMPI_MPIRUN="$PWD/fake-mpirun" "$DISTMPI" launch "$@" >out 2>err &&
	echo "$_msg" >expect &&
	test_cmp expect err &&
	test_must_be_empty out &&
	! test -e fake.args
}

test_expect_success 'an option of distmpi'"'"'s mistyped before -- : did you mean' '
	expect_launch_usage "distmpi launch: unknown option --max-lod; did you mean --max-load?" \
		--hostfile hosts --max-lod 2 -- -n 2 true &&
	expect_launch_usage "distmpi launch: unknown option --min-helthy; did you mean --min-healthy?" \
		--hostfile hosts --min-helthy=2 -- -n 2 true &&
	expect_launch_usage "distmpi launch: unknown option -max-load; did you mean --max-load?" \
		--hostfile hosts -max-load 2 -- -n 2 true &&
	expect_launch_usage "distmpi launch: unknown option --retires; did you mean --retries (after '"'"'--'"'"')?" \
		--hostfile hosts --retires 2 -- -n 2 true
'

test_expect_success 'an option of the run before -- : write it after' '
	expect_launch_usage "distmpi launch: --retries is an option of the run: write it after '"'"'--'"'"' (see distmpi launch --help)" \
		--hostfile hosts --retries 2 -- -n 2 true &&
	expect_launch_usage "distmpi launch: --run-dir is an option of the run: write it after '"'"'--'"'"' (see distmpi launch --help)" \
		--hostfile hosts --run-dir=rd -- -n 2 true
'

test_expect_success 'launch without --hostfile or without -- is a usage error' '
	test_expect_code 2 "$DISTMPI" launch -- -n 2 true 2>err1 &&
	grep "^distmpi: launch: give the hosts with --hostfile FILE" err1 &&
	test_expect_code 2 "$DISTMPI" launch --hostfile hosts -n 2 2>err2 &&
	grep "^distmpi: launch: write the distmpi options and the command after" err2
'

test_done
