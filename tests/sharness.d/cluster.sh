# SPDX-License-Identifier: BSD-3-Clause
# cluster.sh - sharness helpers: a real multi-host cluster on this one
# machine, each host a set of Linux namespaces, for the tests that run
# mpirun across several hosts (t3000-cluster.t, t3010-cluster-faults.t).
#
# Sourced by sharness into every test script, so this file only defines
# functions; nothing happens until a script calls cluster_check or
# cluster_up. Everything needs root.
#
# cluster_up CORES... builds one host per argument, named node1, node2, ...:
#   - a network namespace dmc-ID-nodeI, with loopback and an eth0 at
#     $CLUSTER_NET.(10+I)/24 (default 10.250.0.x), the other end of a veth
#     pair whose host side vI is a port of the bridge br0 in a namespace of
#     its own, dmc-ID-br. Nothing is configured in the root namespace: only
#     these addresses and loopback carry traffic;
#   - a UTS namespace (hostname nodeI) and a mount namespace of its own,
#     kept by bind mounts of their /proc/PID/ns files under $CLUSTER_DIR/ns.
#     In the mount namespace /etc/hosts names the cluster's hosts, and
#     $CLUSTER_DIR/private is a 4 MiB tmpfs only that host sees: the host's
#     private disk. Everything else (the build, the trash directory) is the
#     shared filesystem, as NFS homes would be;
#   - an sshd (/usr/sbin/sshd by absolute path) listening on the host's
#     address, port 22, with its own host key, key-only root login, and
#     `SetEnv HWLOC_SYNTHETIC="package:1 core:CORES pu:1" OMP_NUM_THREADS=CORES`
#     so that hwloc (distmpi, orted) sees CORES cores and nproc(1) (what
#     `distmpi health` counts) prints CORES.
# It writes $CLUSTER_SSH_CONFIG, an OpenSSH client configuration with a Host
# block per host (its address, the user key, the hosts' real keys in
# known_hosts, strict checking, batch mode), usable by ssh, by mpirun and by
# `distmpi health --ssh-config`, and $CLUSTER_MPIRUN, an mpirun wrapper that
# reaches the hosts through that configuration (see below). It returns 0
# once every host answers `ssh nodeI hostname` from node1 with its own name,
# else 1 with the reason in CLUSTER_ERROR, having torn down what it built.
#
# cluster_down stops everything by PID: each sshd by its pidfile, then every
# process still in one of the cluster's network namespaces (ip netns pids:
# mpirun, orted, ranks, shards, whatever a test left), then it unmounts the
# namespace files and deletes the namespaces and $CLUSTER_DIR. It is safe to
# call more than once. cluster_up installs an EXIT trap that calls it (then
# sharness's own exit handler), so a script that fails or is interrupted
# half-way leaves nothing behind; a test that builds its own cluster also
# calls it from test_when_finished.
#
# Helpers, where H is a host name (node2) or number (2):
#   on_host H CMD...     run CMD in host H (its namespaces, this working
#                        directory, HWLOC_SYNTHETIC and OMP_NUM_THREADS as
#                        sshd gives them to that host's sessions)
#   cluster_name H       node2;    cluster_addr H   10.250.0.12
#   cluster_ns H         the network namespace's name
#   cluster_hosts        the host names, one per line
#   cluster_hostfile [SLOTS]  an Open MPI hostfile of every host, with
#                        slots=SLOTS on each line, or without (then mpirun
#                        gives each host its fake core count)
#   cluster_mpirun ARGS...    $CLUSTER_MPIRUN ARGS on node1
#   cluster_pids H       the PIDs in host H's network namespace
#   cluster_link_down H / cluster_link_up H   the bridge side of its veth
#   cluster_sshd_stop H / cluster_sshd_start H
#   cluster_kill_orted H SIGNAL   signal the host's Open MPI daemon
#   cluster_leftovers ID  what is left of cluster ID (namespaces, processes,
#                        mounts), for checks that teardown is complete
#   cluster_down_checked  cluster_down, failing if anything is left
#   cluster_check / cluster_start_or_skip [CORES...]   whether this machine
#                        can have namespaces: skip (or, as root with CI=true,
#                        fail) the script when not
#   cluster_attach ID / cluster_clean [ID...]   by hand: use, or remove, a
#                        cluster left up (CLUSTER_KEEP=1 keeps a script's
#                        cluster for a look after a failure)
#
# $CLUSTER_MPIRUN runs mpirun with, in its environment, the ssh client
# configuration as Open MPI's rsh agent, the cluster's /24 as the only
# network of Open MPI's TCP transports, mpi_yield_when_idle 1 and binding
# off: all the fake hosts' ranks share this machine's few real cores, and
# Open MPI does not know they are oversubscribed. It must run inside a host
# (cluster_mpirun, or on_host node1 with DISTMPI_MPIRUN=$CLUSTER_MPIRUN).

CLUSTER_SSHD=/usr/sbin/sshd
CLUSTER_FIXTURE=${SHARNESS_TEST_SRCDIR:-.}/sharness.d/cluster.sh
: "${CLUSTER_NET:=10.250.0}"

# cluster_index H - print the number of host H (node3 or 3).
cluster_index() {
	case "$1" in
	node[0-9]*) echo "${1#node}" ;;
	[0-9]*) echo "$1" ;;
	*) echo "cluster: no such host '$1'" >&2; return 1 ;;
	esac
}

cluster_name() {
	_ci=$(cluster_index "$1") || return 1
	echo "node$_ci"
}

cluster_addr() {
	_ci=$(cluster_index "$1") || return 1
	echo "$CLUSTER_NET.$((10 + _ci))"
}

cluster_ns() {
	_ci=$(cluster_index "$1") || return 1
	echo "dmc-$CLUSTER_ID-node$_ci"
}

cluster_hosts() {
	for _ch in $CLUSTER_HOSTS; do
		echo "$_ch"
	done
}

# cluster_cores H - the fake core count of host H
cluster_cores() {
	_ci=$(cluster_index "$1") || return 1
	set -- $CLUSTER_CORES
	eval "echo \${$_ci}"
}

cluster_hostfile() {
	for _ch in $CLUSTER_HOSTS; do
		if test -n "$1"; then
			echo "$_ch slots=$1"
		else
			echo "$_ch"
		fi
	done
}

on_host() {
	_oh_i=$(cluster_index "$1") || return 1
	shift
	_oh_cores=$(cluster_cores "$_oh_i")
	nsenter --net="/run/netns/dmc-$CLUSTER_ID-node$_oh_i" \
		--uts="$CLUSTER_DIR/ns/node$_oh_i.uts" \
		--mount="$CLUSTER_DIR/ns/node$_oh_i.mnt" --wd="$PWD" \
		env HWLOC_SYNTHETIC="package:1 core:$_oh_cores pu:1" \
		OMP_NUM_THREADS="$_oh_cores" "$@"
}

cluster_mpirun() {
	on_host 1 "$CLUSTER_MPIRUN" "$@"
}

cluster_pids() {
	ip netns pids "$(cluster_ns "$1")" 2>/dev/null
}

cluster_link_down() {
	ip -n "dmc-$CLUSTER_ID-br" link set "v$(cluster_index "$1")" down
}

cluster_link_up() {
	ip -n "dmc-$CLUSTER_ID-br" link set "v$(cluster_index "$1")" up
}

# cluster_pid_is PIDFILE WORD - the process named in PIDFILE is alive and its
# command line contains WORD (a recycled pid is never signalled).
cluster_pid_is() {
	test -s "$1" || return 1
	_cp_pid=$(cat "$1" 2>/dev/null)
	case "$_cp_pid" in
	''|*[!0-9]*) return 1 ;;
	esac
	case "$(tr '\0' ' ' 2>/dev/null <"/proc/$_cp_pid/cmdline")" in
	*"$2"*) return 0 ;;
	esac
	return 1
}

cluster_sshd_stop() {
	_cs_h=$(cluster_name "$1") || return 1
	_cs_pf=$CLUSTER_DIR/$_cs_h/sshd.pid
	cluster_pid_is "$_cs_pf" "$CLUSTER_DIR/$_cs_h/sshd_config" || return 0
	_cs_pid=$(cat "$_cs_pf")
	kill -TERM "$_cs_pid" 2>/dev/null
	_cs_n=0
	while kill -0 "$_cs_pid" 2>/dev/null; do
		# a zombie is gone (its new parent may be slow to reap it)
		_cs_st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$_cs_pid/stat" 2>/dev/null)
		test "$_cs_st" = Z && break
		_cs_n=$((_cs_n + 1))
		test $_cs_n -eq 30 && kill -KILL "$_cs_pid" 2>/dev/null
		test $_cs_n -gt 50 && return 1
		sleep 0.1
	done
	rm -f "$_cs_pf"
}

# cluster_sshd_start H - start host H's sshd and wait until node1 can run a
# command through it (up to 10 s).
cluster_sshd_start() {
	_cs_h=$(cluster_name "$1") || return 1
	rm -f "$CLUSTER_DIR/$_cs_h/sshd.pid"
	on_host "$_cs_h" "$CLUSTER_SSHD" -f "$CLUSTER_DIR/$_cs_h/sshd_config" \
		-E "$CLUSTER_DIR/$_cs_h/sshd.log" </dev/null \
		>>"$CLUSTER_DIR/$_cs_h/sshd.start" 2>&1 || {
		CLUSTER_ERROR="$_cs_h: $CLUSTER_SSHD exited with status $?: $(cat "$CLUSTER_DIR/$_cs_h/sshd.start")"
		return 1
	}
	_cs_n=0
	while :; do
		_cs_name=$(on_host 1 ssh -F "$CLUSTER_SSH_CONFIG" "$_cs_h" hostname \
			</dev/null 2>"$CLUSTER_DIR/$_cs_h/check.err") &&
			test "$_cs_name" = "$_cs_h" && return 0
		_cs_n=$((_cs_n + 1))
		if test $_cs_n -gt 50; then
			CLUSTER_ERROR="$_cs_h: 'ssh $_cs_h hostname' from node1 gave '$_cs_name' ($(
				tail -n 3 "$CLUSTER_DIR/$_cs_h/check.err" | tr '\n' ' ')) (sshd: $(
				tail -n 5 "$CLUSTER_DIR/$_cs_h/sshd.log" | tr '\n' ' '))"
			return 1
		fi
		sleep 0.2
	done
}

# cluster_kill_orted H SIGNAL - send SIGNAL to the orted of host H (there is
# one per host and job; fails when there is none).
cluster_kill_orted() {
	_ko=
	for _kp in $(cluster_pids "$1"); do
		test "$(cat "/proc/$_kp/comm" 2>/dev/null)" = orted && _ko="$_ko $_kp"
	done
	if test -z "$_ko"; then
		echo "no orted on $(cluster_name "$1")"
		return 1
	fi
	kill -"$2" $_ko
}

# cluster_check - can this machine build a cluster? Returns 0 if so. Else
# returns 1 with the reason in CLUSTER_SKIP_REASON, and CLUSTER_MUST_WORK=t
# when a failure here is a broken setup rather than a machine that cannot
# have namespaces: as root with CI=true everything must work (CI installs
# every tool with scripts/install-deps.sh and runs as root).
cluster_check() {
	CLUSTER_SKIP_REASON=
	CLUSTER_MUST_WORK=
	if test "$(id -u)" != 0; then
		CLUSTER_SKIP_REASON="not root: network namespaces, mounts and sshd logins as root need root (run the suite as root)"
		return 1
	fi
	test "${CI:-}" = true && CLUSTER_MUST_WORK=t
	for _cc_tool in ip nsenter unshare mount umount ssh ssh-keygen; do
		if ! command -v $_cc_tool >/dev/null 2>&1; then
			CLUSTER_SKIP_REASON="$_cc_tool not found (install iproute2, util-linux, mount and openssh-client: scripts/install-deps.sh)"
			return 1
		fi
	done
	if ! test -x "$CLUSTER_SSHD"; then
		CLUSTER_SKIP_REASON="$CLUSTER_SSHD not found (install openssh-server)"
		return 1
	fi
	# Can namespaces be made at all here (a container may forbid it)?
	_cc_ns="dmc-probe-$$"
	if ! ip netns add "$_cc_ns" >cluster-probe.err 2>&1; then
		CLUSTER_SKIP_REASON="cannot create a network namespace: ip netns add: $(tr '\n' ' ' <cluster-probe.err)"
		return 1
	fi
	if ! nsenter --net="/run/netns/$_cc_ns" unshare --uts --mount --propagation private \
		sh -c 'hostname dmc-probe && mount -t tmpfs -o size=64k tmpfs /mnt' \
		>cluster-probe.err 2>&1; then
		CLUSTER_SKIP_REASON="cannot create UTS and mount namespaces (unshare denied): $(tr '\n' ' ' <cluster-probe.err)"
		ip netns del "$_cc_ns" 2>/dev/null
		return 1
	fi
	ip netns del "$_cc_ns"
	rm -f cluster-probe.err
	# From here on this machine can have namespaces: a cluster that does
	# not come up is a failure, not a reason to skip.
	CLUSTER_MUST_WORK=t
	return 0
}

cluster_write_files() {
	_cw_known=$CLUSTER_DIR/known_hosts
	: >"$_cw_known"
	{
		echo "127.0.0.1 localhost"
		echo "::1 localhost"
	} >"$CLUSTER_DIR/hosts"
	{
		echo "# written by tests/sharness.d/cluster.sh"
		echo "Host node*"
		echo "	User root"
		echo "	Port 22"
		echo "	IdentityFile $CLUSTER_DIR/id_user"
		echo "	IdentitiesOnly yes"
		echo "	UserKnownHostsFile $_cw_known"
		echo "	GlobalKnownHostsFile /dev/null"
		echo "	StrictHostKeyChecking yes"
		echo "	BatchMode yes"
		echo "	ConnectTimeout 5"
		echo "	LogLevel ERROR"
	} >"$CLUSTER_SSH_CONFIG"
	_cw_i=0
	for _cw_cores in $CLUSTER_CORES; do
		_cw_i=$((_cw_i + 1))
		_cw_h=node$_cw_i
		_cw_a=$(cluster_addr $_cw_i)
		_cw_d=$CLUSTER_DIR/$_cw_h
		echo "$_cw_a $_cw_h" >>"$CLUSTER_DIR/hosts"
		printf 'Host %s\n\tHostName %s\n' "$_cw_h" "$_cw_a" >>"$CLUSTER_SSH_CONFIG"
		printf '%s,%s %s\n' "$_cw_h" "$_cw_a" "$(cut -d' ' -f1,2 "$_cw_d/host_ed25519.pub")" \
			>>"$_cw_known"
		cat >"$_cw_d/sshd_config" <<-EOF
		# written by tests/sharness.d/cluster.sh for $_cw_h
		ListenAddress $_cw_a:22
		HostKey $_cw_d/host_ed25519
		PidFile $_cw_d/sshd.pid
		AuthorizedKeysFile $CLUSTER_DIR/authorized_keys
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		UseDNS no
		StrictModes no
		MaxStartups 200:30:400
		MaxSessions 200
		PrintMotd no
		PrintLastLog no
		LogLevel VERBOSE
		Include $_cw_d/env.conf
		EOF
		# what this host's sessions get (orted and its ranks among them)
		printf 'SetEnv "HWLOC_SYNTHETIC=package:1 core:%s pu:1" OMP_NUM_THREADS=%s\n' \
			"$_cw_cores" "$_cw_cores" >"$_cw_d/env.conf"
	done
	mkdir -p "$CLUSTER_DIR/bin"
	cat >"$CLUSTER_MPIRUN" <<-EOF
	#!/bin/sh
	# written by tests/sharness.d/cluster.sh: mpirun across the cluster
	OMPI_MCA_plm_rsh_agent="ssh -F $CLUSTER_SSH_CONFIG"
	OMPI_MCA_btl_tcp_if_include=$CLUSTER_NET.0/24
	OMPI_MCA_oob_tcp_if_include=$CLUSTER_NET.0/24
	OMPI_MCA_mpi_yield_when_idle=1
	OMPI_MCA_hwloc_base_binding_policy=none
	export OMPI_MCA_plm_rsh_agent OMPI_MCA_btl_tcp_if_include OMPI_MCA_oob_tcp_if_include \\
		OMPI_MCA_mpi_yield_when_idle OMPI_MCA_hwloc_base_binding_policy
	# a sanitized build (scripts/sanitize.sh): its settings to every host
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS DISTMPI_SANITIZED; do
		eval "test -n \"\\\${\$v+set}\"" && set -- -x "\$v" "\$@"
	done
	exec "$MPIRUN" "\$@"
	EOF
	chmod +x "$CLUSTER_MPIRUN"
}

# cluster_make_host I - the namespaces of host I, its link to the bridge,
# its /etc/hosts and private tmpfs.
cluster_make_host() {
	_mh_h=node$1
	_mh_ns=dmc-$CLUSTER_ID-$_mh_h
	_mh_br=dmc-$CLUSTER_ID-br
	ip netns add "$_mh_ns" &&
	ip -n "$_mh_br" link add "v$1" type veth peer name eth0 netns "$_mh_ns" &&
	ip -n "$_mh_br" link set "v$1" master br0 up &&
	ip -n "$_mh_ns" link set lo up &&
	ip -n "$_mh_ns" addr add "$(cluster_addr "$1")/24" dev eth0 &&
	ip -n "$_mh_ns" link set eth0 up &&
	: >"$CLUSTER_DIR/ns/$_mh_h.uts" &&
	: >"$CLUSTER_DIR/ns/$_mh_h.mnt" &&
	nsenter --net="/run/netns/$_mh_ns" unshare --uts="$CLUSTER_DIR/ns/$_mh_h.uts" \
		--mount="$CLUSTER_DIR/ns/$_mh_h.mnt" --propagation private \
		sh -c 'hostname "$1" &&
			mount --bind "$2/hosts" /etc/hosts &&
			mount -t tmpfs -o size=4m,mode=0755 tmpfs "$2/private"' \
		sh "$_mh_h" "$CLUSTER_DIR"
}

# cluster_build - the steps of cluster_up; on failure _cu_step names the
# one that failed, CLUSTER_ERROR or $CLUSTER_DIR/make.err says why.
cluster_build() {
	_cu_step="the keys (ssh-keygen)"
	mkdir -p /run/sshd "$CLUSTER_DIR/ns" "$CLUSTER_DIR/private" || return 1
	ssh-keygen -q -t ed25519 -N '' -C distmpi-cluster-user -f "$CLUSTER_DIR/id_user" \
		2>"$CLUSTER_DIR/make.err" || return 1
	cp "$CLUSTER_DIR/id_user.pub" "$CLUSTER_DIR/authorized_keys" || return 1
	for _cu_h in $CLUSTER_HOSTS; do
		mkdir "$CLUSTER_DIR/$_cu_h" &&
		ssh-keygen -q -t ed25519 -N '' -C "distmpi-cluster-$_cu_h" \
			-f "$CLUSTER_DIR/$_cu_h/host_ed25519" 2>"$CLUSTER_DIR/make.err" || return 1
	done
	_cu_step="the configuration files"
	cluster_write_files 2>"$CLUSTER_DIR/make.err" || return 1
	_cu_step="a private mount for the namespace files"
	{
		mount --bind "$CLUSTER_DIR/ns" "$CLUSTER_DIR/ns" &&
		mount --make-private "$CLUSTER_DIR/ns"
	} 2>"$CLUSTER_DIR/make.err" || return 1
	_cu_step="the bridge"
	{
		ip netns add "dmc-$CLUSTER_ID-br" &&
		ip -n "dmc-$CLUSTER_ID-br" link set lo up &&
		ip -n "dmc-$CLUSTER_ID-br" link add br0 type bridge &&
		ip -n "dmc-$CLUSTER_ID-br" link set br0 up
	} 2>"$CLUSTER_DIR/make.err" || return 1
	_cu_i=0
	for _cu_c in $CLUSTER_CORES; do
		_cu_i=$((_cu_i + 1))
		_cu_step="host node$_cu_i"
		cluster_make_host $_cu_i 2>"$CLUSTER_DIR/make.err" || return 1
	done
	for _cu_h in $CLUSTER_HOSTS; do
		_cu_step="the sshd of $_cu_h"
		cluster_sshd_start "$_cu_h" || return 1
	done
}

cluster_up() {
	CLUSTER_ERROR=
	if test -n "$CLUSTER_DIR"; then
		CLUSTER_ERROR="a cluster is up already ($CLUSTER_DIR)"
		return 1
	fi
	if test $# -lt 1; then
		CLUSTER_ERROR="cluster_up: give each host's core count"
		return 1
	fi
	if test -z "$MPIRUN"; then
		CLUSTER_ERROR="mpirun not found"
		return 1
	fi
	# The outcome must not depend on the caller's agent.
	unset SSH_AUTH_SOCK SSH_AGENT_PID
	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/distmpi-cluster.XXXXXX") || {
		CLUSTER_ERROR="cannot make a directory under ${TMPDIR:-/tmp}"
		CLUSTER_DIR=
		return 1
	}
	case "$CLUSTER_DIR" in
	*[!A-Za-z0-9_./-]*)
		CLUSTER_ERROR="the cluster directory '$CLUSTER_DIR' has unusual characters (set TMPDIR)"
		rm -rf "$CLUSTER_DIR"
		CLUSTER_DIR=
		return 1
		;;
	esac
	CLUSTER_ID=${CLUSTER_DIR##*.}
	CLUSTER_CORES="$*"
	CLUSTER_HOSTS=
	_cu_i=0
	for _cu_c; do
		_cu_i=$((_cu_i + 1))
		CLUSTER_HOSTS="$CLUSTER_HOSTS node$_cu_i"
	done
	CLUSTER_HOSTS=${CLUSTER_HOSTS# }
	CLUSTER_SSH_CONFIG=$CLUSTER_DIR/ssh_config
	CLUSTER_MPIRUN=$CLUSTER_DIR/bin/mpirun
	echo "$CLUSTER_ID" >"$CLUSTER_DIR/id"
	# sharness's own EXIT handler (die) runs after ours, with the status.
	trap 'cluster_status=$?; cluster_down; (exit $cluster_status); die' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 141' PIPE

	cluster_build || {
		: "${CLUSTER_ERROR:=cannot make $_cu_step: $(tr '\n' ' ' <"$CLUSTER_DIR/make.err" 2>/dev/null)}"
		cluster_down
		return 1
	}
	return 0
}

# cluster_kill_ns NS - SIGKILL every process in network namespace NS until
# none is left (up to 10 s).
cluster_kill_ns() {
	_kn_i=0
	while :; do
		_kn_pids=$(ip netns pids "$1" 2>/dev/null)
		test -z "$_kn_pids" && return 0
		kill -KILL $_kn_pids 2>/dev/null
		_kn_i=$((_kn_i + 1))
		if test $_kn_i -gt 100; then
			echo "cluster: processes left in $1: $_kn_pids" >&2
			return 1
		fi
		sleep 0.1
	done
}

cluster_down() {
	test -n "$CLUSTER_DIR" && test -d "$CLUSTER_DIR" || {
		CLUSTER_DIR=
		return 0
	}
	if test -n "${CLUSTER_KEEP:-}"; then
		echo "cluster: CLUSTER_KEEP is set: cluster $CLUSTER_ID left up in $CLUSTER_DIR;" \
			"look at it after '. $CLUSTER_FIXTURE && cluster_attach $CLUSTER_ID'," \
			"remove it with 'cluster_clean $CLUSTER_ID'" >&2
		CLUSTER_DIR=
		return 0
	fi
	_cd_ok=0
	# The sshds first, so that no new session starts, then everything else.
	for _cd_h in $CLUSTER_HOSTS; do
		cluster_sshd_stop "$_cd_h"
	done
	for _cd_h in $CLUSTER_HOSTS; do
		cluster_kill_ns "dmc-$CLUSTER_ID-$_cd_h" || _cd_ok=1
	done
	cluster_kill_ns "dmc-$CLUSTER_ID-br" || _cd_ok=1
	for _cd_f in "$CLUSTER_DIR"/ns/*.uts "$CLUSTER_DIR"/ns/*.mnt; do
		test -e "$_cd_f" || continue
		umount "$_cd_f" 2>/dev/null || umount -l "$_cd_f" 2>/dev/null
	done
	umount "$CLUSTER_DIR/ns" 2>/dev/null || umount -l "$CLUSTER_DIR/ns" 2>/dev/null
	for _cd_h in $CLUSTER_HOSTS br; do
		test -e "/run/netns/dmc-$CLUSTER_ID-$_cd_h" || continue
		ip netns del "dmc-$CLUSTER_ID-$_cd_h" || _cd_ok=1
	done
	if grep -F " $CLUSTER_DIR/" /proc/self/mountinfo >/dev/null; then
		echo "cluster: mounts left under $CLUSTER_DIR" >&2
		_cd_ok=1
	else
		rm -rf "$CLUSTER_DIR"
	fi
	CLUSTER_DIR=
	return $_cd_ok
}

# cluster_leftovers ID - print what is left of the cluster ID: namespaces,
# processes in them or started from its directory, mounts. Prints nothing
# when teardown was complete.
cluster_leftovers() {
	ip netns list 2>/dev/null | grep "^dmc-$1-" | sed 's/^/namespace: /'
	for _cl_ns in $(ip netns list 2>/dev/null | sed -n "s/^\(dmc-$1-[^ ]*\).*/\1/p"); do
		for _cl_p in $(ip netns pids "$_cl_ns"); do
			echo "process in $_cl_ns: $_cl_p $(tr '\0' ' ' <"/proc/$_cl_p/cmdline" 2>/dev/null)"
		done
	done
	pgrep -a -f "distmpi-cluster\.$1" | sed 's/^/process: /'
	grep -F "distmpi-cluster.$1" /proc/self/mountinfo | sed 's/^/mount: /'
	test -e "${TMPDIR:-/tmp}/distmpi-cluster.$1" && echo "directory: ${TMPDIR:-/tmp}/distmpi-cluster.$1"
	return 0
}

# cluster_down_checked - cluster_down, then fail if anything of the cluster
# is left (for test_when_finished).
cluster_down_checked() {
	_dc_id=$CLUSTER_ID
	test -n "$CLUSTER_DIR" || return 0
	cluster_down || return 1
	test -n "${CLUSTER_KEEP:-}" && return 0
	cluster_leftovers "$_dc_id" >cluster-left
	if test -s cluster-left; then
		echo "cluster $_dc_id: left behind:"
		cat cluster-left
		return 1
	fi
}

# cluster_attach ID - by hand: set the variables of the helpers (on_host,
# cluster_pids, ...) for cluster ID, one left up by CLUSTER_KEEP (ID is the
# suffix of its ${TMPDIR:-/tmp}/distmpi-cluster.ID directory and of its
# dmc-ID-* namespaces).
cluster_attach() {
	CLUSTER_ID=$1
	CLUSTER_DIR=${TMPDIR:-/tmp}/distmpi-cluster.$1
	CLUSTER_SSH_CONFIG=$CLUSTER_DIR/ssh_config
	CLUSTER_MPIRUN=$CLUSTER_DIR/bin/mpirun
	CLUSTER_HOSTS=$(ip netns list 2>/dev/null | sed -n "s/^dmc-$1-\(node[0-9]*\).*/\1/p" |
		sort -V | tr '\n' ' ')
	CLUSTER_HOSTS=${CLUSTER_HOSTS% }
	CLUSTER_CORES=
	for _ca_h in $CLUSTER_HOSTS; do
		_ca_c=$(sed -n 's/.*OMP_NUM_THREADS=\([0-9]*\).*/\1/p' "$CLUSTER_DIR/$_ca_h/env.conf" 2>/dev/null)
		CLUSTER_CORES="$CLUSTER_CORES ${_ca_c:-1}"
	done
	CLUSTER_CORES=${CLUSTER_CORES# }
	echo "cluster $1: hosts $CLUSTER_HOSTS, cores $CLUSTER_CORES"
}

# cluster_clean [ID...] - by hand: tear down the clusters ID (see
# cluster_attach) left by CLUSTER_KEEP or a test script killed with
# SIGKILL; without ID, every cluster left on this machine, so not while
# tests run.
cluster_clean() {
	if test $# -eq 0; then
		set -- $( {
			ip netns list 2>/dev/null | sed -n 's/^dmc-\([A-Za-z0-9]*\)-.*/\1/p'
			for _cc_d in "${TMPDIR:-/tmp}"/distmpi-cluster.*; do
				test -d "$_cc_d" && echo "${_cc_d##*.}"
			done
		} | sort -u)
	fi
	# a probe of cluster_check left by a killed script
	for _cc_ns in $(ip netns list 2>/dev/null | sed -n 's/^\(dmc-probe-[0-9]*\).*/\1/p'); do
		cluster_kill_ns "$_cc_ns" && ip netns del "$_cc_ns"
	done
	for _cc_id; do
		test "$_cc_id" = probe && continue
		cluster_attach "$_cc_id"
		CLUSTER_KEEP=
		mkdir -p "$CLUSTER_DIR"
		cluster_down
		cluster_leftovers "$_cc_id"
	done
}

# cluster_start_or_skip [CORES...] - at the top of a test script: end it
# with every test skipped and the reason when this machine cannot have
# namespaces (cluster_check), with a failed test when it should have been
# able to (root and CI=true, or the namespaces worked but the cluster did
# not come up). With CORES, bring up a cluster for the whole script (torn
# down when the script exits). Sets the prerequisite CLUSTER.
cluster_start_or_skip() {
	if ! cluster_check; then
		if test -n "$CLUSTER_MUST_WORK"; then
			test_expect_success 'network namespaces can be made here (as root with CI=true)' '
				echo "$CLUSTER_SKIP_REASON" && false
			'
			test_done
		fi
		skip_all="no cluster of network namespaces here: $CLUSTER_SKIP_REASON"
		test_done
	fi
	if test $# -gt 0 && ! cluster_up "$@"; then
		test_expect_success "the cluster comes up ($*)" '
			echo "$CLUSTER_ERROR" && false
		'
		test_done
	fi
	test_set_prereq CLUSTER
}
