# SPDX-License-Identifier: BSD-3-Clause
# sshd.sh - sharness helpers: a private sshd on loopback, for the tests of
# `distmpi health`.
#
# Sourced by sharness into every test script, so this file only defines
# functions; nothing starts until a script calls sshd_fixture_start.
#
# sshd_fixture_start makes a directory under ${TMPDIR:-/tmp} (no spaces in
# its path, unlike the trash directory, so every config line stays plain)
# and in it:
#   - a host key and a user key (ssh-keygen -t ed25519 -N ''), the user key
#     in authorized_keys;
#   - an sshd_config (ListenAddress 127.0.0.1, a free port, key-only root
#     login, UsePAM no, StrictModes no, MaxStartups 200:30:400) and an sshd
#     started from it by absolute path, logging to sshd.log;
#   - a python3 server on another port that accepts connections and never
#     sends a byte (an SSH banner never comes: a timeout);
#   - an OpenSSH client config, SSH_CONFIG, whose Host aliases are the cases
#     the tests need:
#       ok, ok2   the sshd, right user key, right host key in known_hosts
#       refused   a free port nothing listens on
#       silent, silent1..silent4   the silent server
#       badkey    the sshd, known_hosts holding another key for it
#       nokey     the sshd, empty known_hosts
#       noauth    the sshd, a user key that is not authorized
#       unresolvable   a host name that does not resolve (.invalid)
# It sets SSHD_DIR, SSH_CONFIG, SSHD_PORT, REFUSED_PORT, SILENT_PORT, and
# returns 0 once `ssh -F $SSH_CONFIG ok true` works. Otherwise it returns 1
# with the reason in SSHD_SKIP_REASON (and SSHD_BROKEN=t when this machine
# should have been able to run it: root and /usr/sbin/sshd present), having
# stopped whatever it started.
#
# sshd_fixture_stop stops both servers by their pidfiles and removes the
# directory; safe to call more than once. sshd_fixture_start installs an
# EXIT trap that calls it (and then sharness's own exit handler), so the
# servers go away however the script ends: sharness 1.0 runs its `cleanup`
# commands only when every test passed.

SSHD_BIN=/usr/sbin/sshd

# sshd_free_port - print a TCP port on 127.0.0.1 that nothing listened on a
# moment ago (the kernel's choice for a socket bound to port 0).
sshd_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# sshd_pid_is PIDFILE WORD - the process named in PIDFILE is alive and its
# command line contains WORD (so a recycled pid is never signalled).
sshd_pid_is() {
	test -s "$1" || return 1
	_sp_pid=$(cat "$1" 2>/dev/null)
	case "$_sp_pid" in
	''|*[!0-9]*) return 1 ;;
	esac
	case "$(tr '\0' ' ' 2>/dev/null <"/proc/$_sp_pid/cmdline")" in
	*"$2"*) return 0 ;;
	esac
	return 1
}

# sshd_kill_pidfile PIDFILE WORD - stop that process (TERM, then KILL after
# 3 s) and wait until it is gone.
sshd_kill_pidfile() {
	sshd_pid_is "$1" "$2" || return 0
	_sk_pid=$(cat "$1" 2>/dev/null)
	kill -TERM "$_sk_pid" 2>/dev/null
	_sk_i=0
	while sshd_pid_is "$1" "$2"; do
		_sk_state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$_sk_pid/stat" 2>/dev/null)
		test "$_sk_state" = Z && break
		_sk_i=$((_sk_i + 1))
		test $_sk_i -eq 30 && kill -KILL "$_sk_pid" 2>/dev/null
		test $_sk_i -gt 50 && break
		sleep 0.1
	done
	return 0
}

sshd_fixture_stop() {
	test -n "$SSHD_DIR" && test -d "$SSHD_DIR" || return 0
	sshd_kill_pidfile "$SSHD_DIR/sshd.pid" "$SSHD_DIR/sshd_config"
	sshd_kill_pidfile "$SSHD_DIR/silent.pid" "$SSHD_DIR/silent.py"
	rm -rf "$SSHD_DIR"
	SSHD_DIR=
	return 0
}

# sshd_ssh ALIAS COMMAND... - run COMMAND on ALIAS with the OpenSSH client
# (never asks anything; gives up after 5 s).
sshd_ssh() {
	ssh -F "$SSH_CONFIG" -o BatchMode=yes -o ConnectTimeout=5 "$@"
}

# sshd_host_block ALIAS... - print the common part of a client Host block
# (HostName, User, GlobalKnownHostsFile); the caller adds the rest.
sshd_host_block() {
	echo "Host $*"
	echo "	HostName 127.0.0.1"
	echo "	User root"
	echo "	GlobalKnownHostsFile /dev/null"
}

sshd_write_client_config() {
	{
		echo "# written by tests/sharness.d/sshd.sh"
		sshd_host_block ok ok2
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
		sshd_host_block refused
		echo "	Port $REFUSED_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
		sshd_host_block silent silent1 silent2 silent3 silent4
		echo "	Port $SILENT_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
		sshd_host_block badkey
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts.bad"
		sshd_host_block nokey
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts.empty"
		sshd_host_block noauth
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $SSHD_DIR/id_other"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
		echo "Host unresolvable"
		echo "	HostName no-such-host.invalid"
		echo "	User root"
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $SSHD_DIR/id_user"
		echo "	UserKnownHostsFile $SSHD_DIR/known_hosts"
		echo "	GlobalKnownHostsFile /dev/null"
	} >"$SSH_CONFIG"
}

sshd_write_server_config() {
	cat >"$SSHD_DIR/sshd_config" <<-EOF
	# written by tests/sharness.d/sshd.sh
	ListenAddress 127.0.0.1
	Port $SSHD_PORT
	HostKey $SSHD_DIR/host_ed25519
	PidFile $SSHD_DIR/sshd.pid
	AuthorizedKeysFile $SSHD_DIR/authorized_keys
	PermitRootLogin prohibit-password
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	MaxStartups 200:30:400
	PrintMotd no
	PrintLastLog no
	LogLevel VERBOSE
	EOF
}

# sshd_start_silent - the server that accepts and never answers; sets
# SILENT_PORT. It ends by itself after 10 minutes if nobody stops it.
sshd_start_silent() {
	cat >"$SSHD_DIR/silent.py" <<-\EOF
	import os, signal, socket, sys
	signal.alarm(600)
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	s.listen(128)
	tmp = sys.argv[1] + ".tmp"
	with open(tmp, "w") as f:
	    f.write("%d\n" % s.getsockname()[1])
	os.rename(tmp, sys.argv[1])
	held = []
	while True:
	    c, _ = s.accept()
	    held.append(c)
	EOF
	# Not one of sharness's descriptors may stay open in the server: the
	# test driver reads the script's output until every writer is gone.
	python3 "$SSHD_DIR/silent.py" "$SSHD_DIR/silent.port" \
		</dev/null >"$SSHD_DIR/silent.log" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	echo $! >"$SSHD_DIR/silent.pid"
	_ss_i=0
	while ! test -s "$SSHD_DIR/silent.port"; do
		_ss_i=$((_ss_i + 1))
		if test $_ss_i -gt 50; then
			SSHD_SKIP_REASON="the silent python3 server did not start: $(cat "$SSHD_DIR/silent.log")"
			return 1
		fi
		sleep 0.1
	done
	SILENT_PORT=$(cat "$SSHD_DIR/silent.port")
}

# sshd_try_start - start the sshd on a fresh free port and wait until the
# client can run a command through it (up to 5 s).
sshd_try_start() {
	SSHD_PORT=$(sshd_free_port) || return 1
	sshd_write_server_config
	{
		printf '[127.0.0.1]:%s ' "$SSHD_PORT"
		cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub"
	} >"$SSHD_DIR/known_hosts"
	{
		printf '[127.0.0.1]:%s ' "$SSHD_PORT"
		cut -d' ' -f1,2 "$SSHD_DIR/other_host_ed25519.pub"
	} >"$SSHD_DIR/known_hosts.bad"
	sshd_write_client_config
	rm -f "$SSHD_DIR/sshd.pid"
	: >"$SSHD_DIR/sshd.log"
	: >"$SSHD_DIR/check.out"
	"$SSHD_BIN" -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" \
		</dev/null >"$SSHD_DIR/sshd.start" 2>&1 || {
		echo "$SSHD_BIN exited with status $?" >>"$SSHD_DIR/sshd.start"
		return 1
	}
	_st_i=0
	while :; do
		sshd_ssh ok true </dev/null >"$SSHD_DIR/check.out" 2>&1 && return 0
		_st_i=$((_st_i + 1))
		test $_st_i -gt 25 && return 1
		sleep 0.2
	done
}

sshd_fixture_start() {
	SSHD_SKIP_REASON=
	SSHD_BROKEN=
	if test "$(id -u)" != 0; then
		SSHD_SKIP_REASON="not root: the private sshd logs in as root (run the suite as root)"
		return 1
	fi
	if ! test -x "$SSHD_BIN"; then
		SSHD_SKIP_REASON="$SSHD_BIN not found (install openssh-server)"
		return 1
	fi
	for _sf_tool in ssh ssh-keygen python3; do
		if ! command -v $_sf_tool >/dev/null 2>&1; then
			SSHD_SKIP_REASON="$_sf_tool not found (install openssh-client and python3)"
			return 1
		fi
	done
	SSHD_BROKEN=t
	# The outcome must not depend on the caller's agent or ssh config.
	unset SSH_AUTH_SOCK SSH_AGENT_PID
	SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/distmpi-sshd.XXXXXX") || {
		SSHD_SKIP_REASON="cannot make a directory under ${TMPDIR:-/tmp}"
		return 1
	}
	case "$SSHD_DIR" in
	*[!A-Za-z0-9_./-]*)
		SSHD_SKIP_REASON="the fixture directory '$SSHD_DIR' has unusual characters (set TMPDIR)"
		rm -rf "$SSHD_DIR"
		return 1
		;;
	esac
	SSH_CONFIG=$SSHD_DIR/ssh_config
	export SSHD_DIR SSH_CONFIG
	# sharness's own EXIT handler (die) runs after ours, with the status.
	trap 'sshd_status=$?; sshd_fixture_stop; (exit $sshd_status); die' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	mkdir -p /run/sshd &&
	ssh-keygen -q -t ed25519 -N '' -C distmpi-test-host -f "$SSHD_DIR/host_ed25519" &&
	ssh-keygen -q -t ed25519 -N '' -C distmpi-test-other-host -f "$SSHD_DIR/other_host_ed25519" &&
	ssh-keygen -q -t ed25519 -N '' -C distmpi-test-user -f "$SSHD_DIR/id_user" &&
	ssh-keygen -q -t ed25519 -N '' -C distmpi-test-not-authorized -f "$SSHD_DIR/id_other" &&
	cp "$SSHD_DIR/id_user.pub" "$SSHD_DIR/authorized_keys" &&
	: >"$SSHD_DIR/known_hosts.empty" || {
		SSHD_SKIP_REASON="cannot make the keys (ssh-keygen) or /run/sshd"
		sshd_fixture_stop
		return 1
	}
	REFUSED_PORT=$(sshd_free_port) &&
	sshd_start_silent || {
		: "${SSHD_SKIP_REASON:=cannot pick a free port with python3}"
		sshd_fixture_stop
		return 1
	}
	# A free port can be taken between the pick and sshd's bind: try again.
	for _sf_try in 1 2 3; do
		sshd_try_start && break
		sshd_kill_pidfile "$SSHD_DIR/sshd.pid" "$SSHD_DIR/sshd_config"
		if test $_sf_try = 3; then
			SSHD_SKIP_REASON="the private sshd did not answer 'ssh ok true' (ssh: $(
				tail -n 3 "$SSHD_DIR/check.out" 2>/dev/null | tr '\n' ' ')) (sshd: $(
				tail -q -n 5 "$SSHD_DIR/sshd.start" "$SSHD_DIR/sshd.log" 2>/dev/null | tr '\n' ' '))"
			sshd_fixture_stop
			return 1
		fi
	done
	# Two ports from separate picks could be one and the same.
	if test "$REFUSED_PORT" = "$SSHD_PORT" || test "$REFUSED_PORT" = "$SILENT_PORT"; then
		REFUSED_PORT=$(sshd_free_port)
		sshd_write_client_config
	fi
	export SSHD_PORT REFUSED_PORT SILENT_PORT
	return 0
}

# sshd_fixture_or_skip: for a script whose every test needs the sshd. Starts
# it (sshd_fixture_start) and sets the prerequisite SSHD. Where it cannot
# exist here (not root, no sshd, no ssh) the whole script is skipped with the
# reason; where it could and did not start (root and openssh-server are here,
# as in CI), one failing test says why and the script ends.
sshd_fixture_or_skip() {
	if sshd_fixture_start; then
		test_set_prereq SSHD
		return 0
	fi
	if test -n "$SSHD_BROKEN"; then
		test_expect_success 'the private sshd starts (root, /usr/sbin/sshd present)' '
			echo "$SSHD_SKIP_REASON" && false
		'
	else
		skip_all="no private sshd here: $SSHD_SKIP_REASON"
	fi
	test_done
}
