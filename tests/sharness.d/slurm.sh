# SPDX-License-Identifier: BSD-3-Clause
# slurm.sh - sharness helpers: a real Slurm (Debian's slurmctld, slurmd and
# munge, started by hand) on the cluster of network-namespace hosts of
# cluster.sh, for the tests of the batch script scripts/distmpi.sbatch
# (t3100-slurm.t).
#
# Sourced by sharness into every test script, so this file only defines
# functions; nothing happens until a script calls slurm_check or slurm_up.
# Everything needs root and a cluster (cluster_up) first.
#
# slurm_up builds, in a directory of its own under ${TMPDIR:-/tmp}:
#   - a munge key and a munged (foreground, by absolute path) whose socket
#     is in that directory, not in /run: nothing of the machine's is used;
#   - a slurm.conf (SLURM_CONF, exported for the clients) with one node per
#     cluster host, nodeI at its address with CPUs= its fake core count
#     (SlurmdParameters=config_overrides lets a node claim more CPUs than
#     the machine has), one partition "batch" of them all, and the settings
#     that make jobs start at once (batch_sched_delay=0) and an impossible
#     request fail at once (EnforcePartLimits=ALL);
#   - a task prolog that gives each task the fake topology of its host
#     (HWLOC_SYNTHETIC, OMP_NUM_THREADS), as the hosts' sshd does for ssh
#     sessions: the job's environment comes from sbatch on node1;
#   - slurmctld inside node1 and one slurmd inside each host, each started
#     in the foreground in the background of this shell, their PIDs kept.
# It returns 0 once sinfo shows every node idle, else 1 with the reason in
# SLURM_ERROR, having stopped what it started.
#
# slurm_down stops every daemon by its PID (SIGTERM, SIGKILL after 10 s) and
# removes the directory; it must run before cluster_down, whose teardown
# kills what is left in the hosts with SIGKILL. slurm_up replaces the EXIT
# trap of cluster_up with one that calls both, in that order.
#
# Helpers (each a client run on node1, where slurmctld listens):
#   slurm CMD ARGS...        run a Slurm client (sbatch, squeue, scontrol...)
#   slurm_submit ARGS...     sbatch --parsable ARGS; prints the job id
#   slurm_wait_job ID [SECONDS]   poll scontrol show job every 0.1 s until
#                            the job has ended (default 120 s); then sets
#                            SLURM_JOB_STATE, SLURM_JOB_EXIT (the script's
#                            status) and SLURM_JOB_RESTARTS; a client that
#                            fails for a moment (slurmctld busy) is asked
#                            again; returns 1 on a timeout, with what Slurm
#                            knows of the job
#   slurm_job_ended STATE EXIT   that job ended in STATE with the script's
#                            status EXIT; else prints what Slurm knows of it
#   slurm_job_field ID NAME  one field of scontrol show job ID (JobState...)
#   slurm_check / slurm_start_or_skip   whether Slurm is installed here:
#                            skip the script (or, as root with CI=true, fail)
#                            when not; slurm_start_or_skip also runs slurm_up

SLURM_SBIN=/usr/sbin

slurm() {
	on_host 1 env SLURM_CONF="$SLURM_CONF" "$@"
}

slurm_check() {
	SLURM_SKIP_REASON=
	for _sc_p in "$SLURM_SBIN/slurmctld" "$SLURM_SBIN/slurmd" "$SLURM_SBIN/munged" \
		"$SLURM_SBIN/mungekey"; do
		if ! test -x "$_sc_p"; then
			SLURM_SKIP_REASON="$_sc_p not found (install slurmctld, slurmd, slurm-client and munge: scripts/install-deps.sh)"
			return 1
		fi
	done
	for _sc_t in sbatch squeue scontrol scancel sinfo; do
		if ! command -v $_sc_t >/dev/null 2>&1; then
			SLURM_SKIP_REASON="$_sc_t not found (install slurm-client: scripts/install-deps.sh)"
			return 1
		fi
	done
	return 0
}

# slurm_pid_stop PIDFILE-OF-OURS NAME - stop the daemon whose PID we kept in
# SLURM_DIR/NAME.pid (SIGTERM; SIGKILL after 10 s), if it is still that
# program (a recycled PID is never signalled).
slurm_pid_stop() {
	_sp_f=$SLURM_DIR/$1.pid
	test -s "$_sp_f" || return 0
	_sp_pid=$(cat "$_sp_f")
	case "$(cat "/proc/$_sp_pid/comm" 2>/dev/null)" in
	"$2"*) ;;
	*) rm -f "$_sp_f"; return 0 ;;
	esac
	kill -TERM "$_sp_pid" 2>/dev/null
	_sp_n=0
	while kill -0 "$_sp_pid" 2>/dev/null; do
		_sp_st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$_sp_pid/stat" 2>/dev/null)
		test "$_sp_st" = Z && break
		_sp_n=$((_sp_n + 1))
		test $_sp_n -eq 100 && kill -KILL "$_sp_pid" 2>/dev/null
		test $_sp_n -gt 150 && return 1
		sleep 0.1
	done
	rm -f "$_sp_f"
}

slurm_down() {
	test -n "$SLURM_DIR" && test -d "$SLURM_DIR" || {
		SLURM_DIR=
		return 0
	}
	if test -n "${CLUSTER_KEEP:-}"; then
		echo "slurm: CLUSTER_KEEP is set: Slurm left up in $SLURM_DIR" >&2
		SLURM_DIR=
		return 0
	fi
	_sd_ok=0
	for _sd_h in $CLUSTER_HOSTS; do
		slurm_pid_stop "slurmd-$_sd_h" slurmd || _sd_ok=1
	done
	slurm_pid_stop slurmctld slurmctld || _sd_ok=1
	slurm_pid_stop munged munged || _sd_ok=1
	rm -rf "$SLURM_DIR"
	SLURM_DIR=
	return $_sd_ok
}

slurm_write_files() {
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/tmp" &&
	mkdir -m 0700 "$SLURM_DIR/munge-key" &&
	mkdir -m 0755 "$SLURM_DIR/munge-run" || return 1
	for _sw_h in $CLUSTER_HOSTS; do
		mkdir -p "$SLURM_DIR/spool/$_sw_h" "$SLURM_DIR/tmp/$_sw_h" || return 1
	done
	# the task prolog: "export NAME=VALUE" lines set the task's environment
	{
		echo "#!/bin/sh"
		echo "# written by tests/sharness.d/slurm.sh: each host's fake topology"
		echo 'case "$(hostname)" in'
		for _sw_h in $CLUSTER_HOSTS; do
			_sw_c=$(cluster_cores "$_sw_h")
			echo "$_sw_h) echo \"export HWLOC_SYNTHETIC=package:1 core:$_sw_c pu:1\"; echo \"export OMP_NUM_THREADS=$_sw_c\" ;;"
		done
		echo "esac"
	} >"$SLURM_DIR/task-prolog" && chmod 755 "$SLURM_DIR/task-prolog" || return 1
	cat >"$SLURM_CONF" <<-EOF
	# written by tests/sharness.d/slurm.sh
	ClusterName=distmpi
	SlurmctldHost=node1($(cluster_addr 1))
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	AuthInfo=socket=$SLURM_DIR/munge-run/munge.socket
	StateSaveLocation=$SLURM_DIR/state
	SlurmdSpoolDir=$SLURM_DIR/spool/%n
	TmpFS=$SLURM_DIR/tmp/%n
	SlurmctldPidFile=$SLURM_DIR/slurmctld.pidfile
	SlurmdPidFile=$SLURM_DIR/slurmd-%n.pidfile
	SlurmctldLogFile=$SLURM_DIR/slurmctld.log
	SlurmdLogFile=$SLURM_DIR/slurmd-%n.log
	SlurmctldPort=6817
	SlurmdPort=6818
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	TaskProlog=$SLURM_DIR/task-prolog
	SelectType=select/cons_tres
	SelectTypeParameters=CR_Core
	SlurmdParameters=config_overrides
	MpiDefault=pmix
	SchedulerParameters=batch_sched_delay=0
	EnforcePartLimits=ALL
	ReturnToService=2
	MailProg=/bin/true
	AccountingStorageType=accounting_storage/none
	JobCompType=jobcomp/none
	JobRequeue=1
	KillWait=10
	MinJobAge=300
	EOF
	for _sw_h in $CLUSTER_HOSTS; do
		echo "NodeName=$_sw_h NodeAddr=$(cluster_addr "$_sw_h") CPUs=$(cluster_cores "$_sw_h") State=UNKNOWN"
	done >>"$SLURM_CONF"
	echo "PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP" >>"$SLURM_CONF"
}

# slurm_idle - every node idle in sinfo (up to 30 s)
slurm_idle() {
	_si_n=0
	_si_want=$(echo $CLUSTER_HOSTS | wc -w)
	while :; do
		_si_idle=$(slurm sinfo -h -N -o "%N %t" 2>"$SLURM_DIR/sinfo.err" | grep -c " idle$")
		test "$_si_idle" -eq "$_si_want" && return 0
		_si_n=$((_si_n + 1))
		if test $_si_n -gt 300; then
			SLURM_ERROR="the nodes are not idle after 30 s: $(slurm sinfo -h -N -o "%N %t" 2>&1 | tr '\n' ' ')$(
				tr '\n' ' ' <"$SLURM_DIR/sinfo.err") (slurmctld: $(tail -n 5 "$SLURM_DIR/slurmctld.log" | tr '\n' ' '))"
			return 1
		fi
		sleep 0.1
	done
}

# slurm_daemon H NAME ARGS... - start $SLURM_SBIN/NAME (slurmd-X: slurmd) in
# host H in the background, its own PID (that of the process that execs it,
# through nsenter and env) in SLURM_DIR/NAME.pid, its output in NAME.out.
slurm_daemon() {
	_sd_host=$1 _sd_name=$2
	shift 2
	on_host "$_sd_host" env SLURM_CONF="$SLURM_CONF" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh \
		"$SLURM_DIR/$_sd_name.pid" "$SLURM_SBIN/${_sd_name%%-*}" "$@" \
		</dev/null >>"$SLURM_DIR/$_sd_name.out" 2>&1 &
}

slurm_build() {
	slurm_write_files 2>"$SLURM_DIR/make.err" || {
		SLURM_ERROR="cannot write the files: $(tr '\n' ' ' <"$SLURM_DIR/make.err")"
		return 1
	}
	"$SLURM_SBIN/mungekey" --create --keyfile="$SLURM_DIR/munge-key/munge.key" \
		2>"$SLURM_DIR/make.err" || {
		SLURM_ERROR="mungekey: $(tr '\n' ' ' <"$SLURM_DIR/make.err")"
		return 1
	}
	"$SLURM_SBIN/munged" --foreground --socket="$SLURM_DIR/munge-run/munge.socket" \
		--key-file="$SLURM_DIR/munge-key/munge.key" \
		--pid-file="$SLURM_DIR/munge-run/munged.pidfile" \
		--seed-file="$SLURM_DIR/munge-key/munge.seed" \
		--log-file="$SLURM_DIR/munged.log" </dev/null >>"$SLURM_DIR/munged.log" 2>&1 &
	echo $! >"$SLURM_DIR/munged.pid"
	_sb_n=0
	while ! test -S "$SLURM_DIR/munge-run/munge.socket"; do
		_sb_n=$((_sb_n + 1))
		if test $_sb_n -gt 100 || ! kill -0 "$(cat "$SLURM_DIR/munged.pid")" 2>/dev/null; then
			SLURM_ERROR="munged did not start: $(tail -n 5 "$SLURM_DIR/munged.log" | tr '\n' ' ')"
			return 1
		fi
		sleep 0.1
	done
	slurm_daemon 1 slurmctld -D -i -f "$SLURM_CONF"
	for _sb_h in $CLUSTER_HOSTS; do
		slurm_daemon "$_sb_h" "slurmd-$_sb_h" -D -N "$_sb_h" -f "$SLURM_CONF"
	done
	slurm_idle
}

slurm_up() {
	SLURM_ERROR=
	SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/distmpi-slurm.XXXXXX") || {
		SLURM_ERROR="cannot make a directory under ${TMPDIR:-/tmp}"
		SLURM_DIR=
		return 1
	}
	chmod 0755 "$SLURM_DIR"
	SLURM_CONF=$SLURM_DIR/slurm.conf
	export SLURM_CONF
	# Slurm's daemons go before the cluster's hosts (whose teardown kills
	# everything in them); then sharness's own handler, with the status.
	trap 'cluster_status=$?; slurm_down; cluster_down; (exit $cluster_status); die' EXIT
	slurm_build || {
		slurm_down
		return 1
	}
	return 0
}

# slurm_field TEXT NAME - the value of NAME=... in TEXT (scontrol -o's line)
slurm_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# slurm_job_field ID NAME - the value of NAME=... in scontrol show job ID
slurm_job_field() {
	slurm_field "$(slurm scontrol -o show job "$1" 2>/dev/null)" "$2"
}

slurm_submit() {
	slurm sbatch --parsable "$@" | cut -d';' -f1
}

# slurm_job_story ID - what Slurm knows of job ID, for a test that fails
slurm_job_story() {
	echo "scontrol show job $1:"
	slurm scontrol show job "$1" 2>&1
	echo "slurmctld.log, the last lines:"
	tail -n 20 "$SLURM_DIR/slurmctld.log"
}

slurm_wait_job() {
	_sw_limit=$((${2:-120} * 10))
	_sw_n=0
	_sw_fails=0
	# scontrol keeps an ended job for MinJobAge (300 s): its JobState is the
	# one answer that tells "ended" from "the client could not ask" (squeue
	# prints nothing for both)
	while :; do
		if _sw_job=$(slurm scontrol -o show job "$1" 2>"$SLURM_DIR/scontrol.err"); then
			_sw_st=$(slurm_field "$_sw_job" JobState)
			case "$_sw_st" in
			COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) break ;;
			esac
		else
			_sw_st="unknown ($(tr '\n' ' ' <"$SLURM_DIR/scontrol.err"))"
			_sw_fails=$((_sw_fails + 1))
		fi
		_sw_n=$((_sw_n + 1))
		if test $_sw_n -gt $_sw_limit; then
			echo "job $1 still $_sw_st after ${2:-120} s ($_sw_fails failed scontrol calls)"
			slurm_job_story "$1"
			return 1
		fi
		sleep 0.1
	done
	SLURM_JOB_STATE=$_sw_st
	_sw_exit=$(slurm_field "$_sw_job" ExitCode)
	SLURM_JOB_EXIT=${_sw_exit%%:*}
	SLURM_JOB_RESTARTS=$(slurm_field "$_sw_job" Restarts)
	_sw_said=
	test "$_sw_fails" -eq 0 || _sw_said=", $_sw_fails failed scontrol calls"
	echo "job $1: $SLURM_JOB_STATE, ExitCode $_sw_exit, Restarts $SLURM_JOB_RESTARTS" \
		"(waited $((_sw_n / 10)).$((_sw_n % 10)) s$_sw_said)"
	SLURM_JOB_ID=$1
	return 0
}

# slurm_job_ended STATE EXIT - the job slurm_wait_job waited for ended in
# STATE with the script's status EXIT; else what Slurm knows of it
slurm_job_ended() {
	test "$SLURM_JOB_STATE" = "$1" && test "$SLURM_JOB_EXIT" = "$2" && return 0
	echo "job $SLURM_JOB_ID ended $SLURM_JOB_STATE with status $SLURM_JOB_EXIT, not $1 with $2"
	slurm_job_story "$SLURM_JOB_ID"
	return 1
}

# slurm_start_or_skip - after cluster_start_or_skip: end the script with
# every test skipped and the reason when Slurm is not installed (a failure
# as root with CI=true, where scripts/install-deps.sh installs it), with a
# failed test when it is but does not come up. Sets the prerequisite SLURM.
slurm_start_or_skip() {
	if ! slurm_check; then
		if test "$(id -u)" = 0 && test "${CI:-}" = true; then
			test_expect_success 'Slurm is installed (as root with CI=true)' '
				echo "$SLURM_SKIP_REASON" && false
			'
			test_done
		fi
		skip_all="no Slurm here: $SLURM_SKIP_REASON"
		test_done
	fi
	if ! slurm_up; then
		test_expect_success 'Slurm comes up on the cluster' '
			echo "$SLURM_ERROR" && false
		'
		test_done
	fi
	test_set_prereq SLURM
}
