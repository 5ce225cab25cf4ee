#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='distmpi health: check hosts over SSH, without MPI

`distmpi health [OPTIONS] [HOST...]` connects to every host at once through
libssh, verifies its host key against known_hosts, authenticates with a
public key, reads /proc/meminfo, /proc/loadavg, the free space of the login
directory and the core count, and judges the host like a run does. It prints
a report (or JSON with --json), can write the healthy hosts as an Open MPI
hostfile, and exits 0 when at least --min-healthy hosts (default: all) are
healthy, 1 otherwise, 2 on a usage error.

The hosts are aliases in an ssh client config (--ssh-config) that point at a
private sshd this script starts on 127.0.0.1 (tests/sharness.d/sshd.sh): a
healthy host, a closed port, a port that accepts and never answers, a wrong
and a missing host key, and a user key that is not authorized. Starting the
sshd needs root and openssh-server (prerequisite SSHD).'

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

if ! test_have_prereq DISTMPI; then
	skip_all="distmpi binary not found at '$DISTMPI' (build it first)"
	test_done
fi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed for the sshd fixture and to read the JSON"
	test_done
fi

if sshd_fixture_start; then
	test_set_prereq SSHD
elif test -n "$SSHD_BROKEN"; then
	# Root and openssh-server are here (as in CI), so the SSH tests must
	# run: a fixture that does not start is a failure, not a skip.
	echo "# the private sshd did not start: $SSHD_SKIP_REASON"
	test_expect_success 'the private sshd starts (root, /usr/sbin/sshd present)' '
		echo "$SSHD_SKIP_REASON" && false
	'
else
	echo "# the SSH tests are skipped (missing SSHD): $SSHD_SKIP_REASON"
fi

test -w /dev/full && test_set_prereq DEV_FULL

# health ARGS... - distmpi health with the fixture's ssh config.
health() {
	"$DISTMPI" health --ssh-config "$SSH_CONFIG" "$@"
}

# match_lines PATTERNS FILE - FILE has as many lines as PATTERNS, and each
# line matches in full the Python regular expression on the same line of
# PATTERNS.
match_lines() {
	python3 - "$1" "$2" <<-\EOF
	import re, sys
	pats = open(sys.argv[1]).read().split("\n")
	lines = open(sys.argv[2]).read().split("\n")
	bad = len(pats) != len(lines)
	if bad:
	    print("expected %d lines, got %d" % (len(pats) - 1, len(lines) - 1))
	for i, (p, l) in enumerate(zip(pats, lines), 1):
	    if not re.fullmatch(p, l):
	        print("line %d: %r does not match /%s/" % (i, l, p))
	        bad = True
	if bad:
	    print("--- whole output:")
	    sys.stdout.write(open(sys.argv[2]).read())
	sys.exit(1 if bad else 0)
	EOF
}

# no_colour FILE - no escape character in FILE (stdout is not a terminal).
no_colour() {
	! grep "$(printf '\033')" "$1" >/dev/null || {
		echo "escape sequences in $1 although it is not a terminal:" && cat -v "$1"
		return 1
	}
}

# took_less START END SECONDS - END - START (from date +%s.%N) < SECONDS;
# prints the time either way.
took_less() {
	awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN {
		d = b - a
		printf "took %.2f s (limit %s s)\n", d, l
		exit !(d < l)
	}'
}

# took_more START END SECONDS - END - START >= SECONDS.
took_more() {
	awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN {
		d = b - a
		printf "took %.2f s (at least %s s expected)\n", d, l
		exit !(d >= l)
	}'
}

# The report lines of a host that answered, after its header.
ok_body='  SSH: OK \([0-9]+ms\)
  Disk: [0-9]+% free
  Memory: [0-9]+\.[0-9]% used
  CPU: Load [0-9]+\.[0-9][0-9] \([0-9]+\.[0-9][0-9]/core\), other work [0-9]+\.[0-9][0-9] \([0-9]+\.[0-9][0-9]/core\)'

test_expect_success SSHD 'a healthy host: exit status 0 and its report' '
	health ok >out 2>err &&
	cat >expect.re <<-EOF &&
	\[ok\] OK
	$ok_body

	Health Summary: 1/1 hosts healthy
	EOF
	match_lines expect.re out &&
	no_colour out &&
	test_must_be_empty err
'

test_expect_success SSHD 'a closed port: connection refused, at once' '
	start=$(date +%s.%N) &&
	test_expect_code 1 health refused >out 2>err &&
	end=$(date +%s.%N) &&
	cat >expect.re <<-\EOF &&
	\[refused\] UNHEALTHY
	  SSH: connection refused

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out &&
	no_colour out &&
	took_less $start $end 3
'

test_expect_success SSHD 'connect_timeout in the config file sets the timeout; the flag wins' '
	printf "connect_timeout = 1.0;\n" >ct.conf &&
	test_expect_code 1 health --config ct.conf silent >out 2>err &&
	grep "^  SSH: timeout after 1\.0s$" out &&
	test_expect_code 1 health --config ct.conf --connect-timeout 1.5 silent >out 2>err &&
	grep "^  SSH: timeout after 1\.5s$" out
'

test_expect_success SSHD 'a port that never answers: timeout after --connect-timeout' '
	start=$(date +%s.%N) &&
	test_expect_code 1 health --connect-timeout 2 silent >out 2>err &&
	end=$(date +%s.%N) &&
	cat >expect.re <<-\EOF &&
	\[silent\] UNHEALTHY
	  SSH: timeout after 2\.0s

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out &&
	took_more $start $end 1.8 &&
	took_less $start $end 5
'

test_expect_success SSHD 'silent hosts are waited for together: about one timeout' '
	start=$(date +%s.%N) &&
	test_expect_code 1 health --connect-timeout 2 \
		silent1 silent2 silent3 silent4 >out 2>err &&
	end=$(date +%s.%N) &&
	cat >expect.re <<-\EOF &&
	\[silent1\] UNHEALTHY
	  SSH: timeout after 2\.0s

	\[silent2\] UNHEALTHY
	  SSH: timeout after 2\.0s

	\[silent3\] UNHEALTHY
	  SSH: timeout after 2\.0s

	\[silent4\] UNHEALTHY
	  SSH: timeout after 2\.0s

	Health Summary: 0/4 hosts healthy
	EOF
	match_lines expect.re out &&
	took_less $start $end 6
'

test_expect_success SSHD 'a changed host key: unhealthy, known_hosts left alone' '
	cp "$SSHD_DIR/known_hosts.bad" known_hosts.before &&
	test_expect_code 1 health badkey >out 2>err &&
	cat >expect.re <<-\EOF &&
	\[badkey\] UNHEALTHY
	  SSH: host key CHANGED \(not the one in known_hosts\)

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out &&
	test_cmp known_hosts.before "$SSHD_DIR/known_hosts.bad"
'

test_expect_success SSHD 'an unknown host key: unhealthy, not added to known_hosts' '
	test_expect_code 1 health nokey >out 2>err &&
	cat >expect.re <<-\EOF &&
	\[nokey\] UNHEALTHY
	  SSH: unknown host key \(not in known_hosts\)

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out &&
	test_must_be_empty "$SSHD_DIR/known_hosts.empty"
'

test_expect_success SSHD 'a key the host does not accept: authentication denied' '
	test_expect_code 1 health noauth >out 2>err &&
	cat >expect.re <<-\EOF &&
	\[noauth\] UNHEALTHY
	  SSH: authentication denied

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out
'

test_expect_success SSHD 'a host name that does not resolve' '
	test_expect_code 1 health --connect-timeout 2 unresolvable >out 2>err &&
	cat >expect.re <<-\EOF &&
	\[unresolvable\] UNHEALTHY
	  SSH: cannot resolve host name

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out
'

test_expect_success SSHD 'hosts are reported in the order given, whichever answers first' '
	test_expect_code 1 health noauth refused ok nokey >out 2>err &&
	grep "^\[" out >headers &&
	cat >expect <<-\EOF &&
	[noauth] UNHEALTHY
	[refused] UNHEALTHY
	[ok] OK
	[nokey] UNHEALTHY
	EOF
	test_cmp expect headers &&
	grep -x "Health Summary: 1/4 hosts healthy" out
'

test_expect_success SSHD '--concurrency 1 checks the hosts one by one, same report' '
	test_expect_code 1 health --concurrency 1 ok refused nokey >out 2>err &&
	cat >expect.re <<-EOF &&
	\[ok\] OK
	$ok_body

	\[refused\] UNHEALTHY
	  SSH: connection refused

	\[nokey\] UNHEALTHY
	  SSH: unknown host key \(not in known_hosts\)

	Health Summary: 1/3 hosts healthy
	EOF
	match_lines expect.re out
'

test_expect_success SSHD 'a limit that fails: the values, then the problem (exit 1)' '
	test_expect_code 1 health --min-disk-free 100 ok >out 2>err &&
	cat >expect.re <<-EOF &&
	\[ok\] UNHEALTHY
	$ok_body
	  Problem: disk [0-9]+(\.[0-9]+)?% free \(minimum 100%\)

	Health Summary: 0/1 hosts healthy
	EOF
	match_lines expect.re out
'

test_expect_success SSHD 'two limits that fail: both in the problem, as a run prints them' '
	test_expect_code 1 health --min-disk-free 100 --max-memory-used 0 ok >out 2>err &&
	grep -E -x "  Problem: disk [0-9.]+% free \(minimum 100%\); memory [0-9.]+% used \(maximum 0%\)" out
'

test_expect_success SSHD 'generous limits keep the host healthy' '
	health --min-disk-free 0 --max-memory-used 100 --max-load 1000 ok >out 2>err &&
	grep -x "\[ok\] OK" out
'

test_expect_success SSHD 'the limits are read from --config too' '
	cat >strict.conf <<-\EOF &&
	min_disk_free = 100;
	max_load = 1000000.0;
	EOF
	test_expect_code 1 health --config strict.conf ok >out 2>err &&
	grep -E -x "  Problem: disk [0-9.]+% free \(minimum 100%\)" out
'

# 2 x cores + 2 busy loops are over a limit of 2 per core whatever else runs
# (only on small machines, where that is few processes); they end by
# themselves after 5 minutes at most
test "$(nproc)" -le 8 && test_set_prereq FEW_CORES

test_expect_success SSHD,FEW_CORES 'busy loops on the host now: unhealthy by its load from other work' '
	: >loops.pid &&
	test_when_finished "kill \$(cat loops.pid) 2>/dev/null; :" &&
	i=0 &&
	while test $i -lt $((2 * $(nproc) + 2)); do
		timeout 300 sh -c "while :; do :; done" &
		echo $! >>loops.pid
		i=$((i + 1))
	done &&
	test_expect_code 1 health --max-load 2 ok >out 2>err &&
	grep -E -x "  Problem: load [0-9.]+ per core from other work \(maximum 2\.00\)" out
'

test_expect_success SSHD '--min-healthy 1: one healthy host of two is enough' '
	health --min-healthy 1 ok refused >out 2>err &&
	grep -x "Health Summary: 1/2 hosts healthy" out &&
	test_expect_code 1 health --min-healthy 2 ok refused >out 2>err &&
	grep -x "Health Summary: 1/2 hosts healthy" out &&
	test_expect_code 1 health ok refused >out 2>err
'

test_expect_success SSHD 'the values are the host'"'"'s (JSON report)' '
	cores=$(sshd_ssh ok nproc </dev/null) &&
	home=$(sshd_ssh ok pwd </dev/null) &&
	health --json ok >out.json 2>err &&
	stat -f -c "%b %f %a" "$home" >df &&
	python3 - out.json df $cores <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	blocks, bfree, bavail = map(int, open(sys.argv[2]).read().split())
	cores = int(sys.argv[3])
	h = j["hosts"][0]
	disk = 100.0 * bavail / (blocks - bfree + bavail)
	assert abs(h["disk_free_percent"] - disk) < 1, (h, disk)
	mem = {}
	for line in open("/proc/meminfo"):
	    k, v = line.split(":")
	    mem[k] = int(v.split()[0])
	used = 100.0 * (mem["MemTotal"] - mem["MemAvailable"]) / mem["MemTotal"]
	assert abs(h["memory_used_percent"] - used) < 5, (h, used)
	assert h["cores"] == cores, (h, cores)
	assert abs(h["load_per_core"] - h["load1"] / cores) < 0.01, h
	assert h["other_load"] >= 0, h
	assert abs(h["other_load_per_core"] - h["other_load"] / cores) < 0.01, h
	assert 0 < h["ssh"]["latency_ms"] < 5000, h
	EOF
'

test_expect_success SSHD '--json: one JSON document with every key' '
	test_expect_code 1 health --json ok refused >out.json 2>err &&
	python3 - out.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	assert j["healthy"] == 1 and j["total"] == 2 and j["min_healthy"] == 2, j
	assert [h["host"] for h in j["hosts"]] == ["ok", "refused"], j
	ok, bad = j["hosts"]
	keys = {"host", "healthy", "ssh", "disk_free_percent", "memory_used_percent",
	        "load1", "load_per_core", "other_load", "other_load_per_core", "cores", "problem"}
	for h in j["hosts"]:
	    assert keys <= set(h), (keys - set(h), h)
	    assert {"ok", "latency_ms", "error"} <= set(h["ssh"]), h
	num = (int, float)
	assert ok["healthy"] is True and ok["problem"] is None, ok
	assert ok["ssh"]["ok"] is True and ok["ssh"]["error"] is None, ok
	assert isinstance(ok["ssh"]["latency_ms"], num), ok
	for k in ("disk_free_percent", "memory_used_percent", "load1", "load_per_core",
	          "other_load", "other_load_per_core", "cores"):
	    assert isinstance(ok[k], num) and not isinstance(ok[k], bool), (k, ok)
	assert bad["healthy"] is False, bad
	assert bad["ssh"]["ok"] is False and bad["ssh"]["latency_ms"] is None, bad
	assert "refused" in bad["ssh"]["error"], bad
	for k in ("disk_free_percent", "memory_used_percent", "load1", "load_per_core",
	          "other_load", "other_load_per_core", "cores"):
	    assert bad[k] is None, (k, bad)
	EOF
'

test_expect_success SSHD '--json: a failed limit is the problem' '
	test_expect_code 1 health --json --min-disk-free 100 ok >out.json 2>err &&
	python3 - out.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	h = j["hosts"][0]
	assert h["healthy"] is False and h["ssh"]["ok"] is True, h
	assert h["problem"].startswith("disk ") and h["problem"].endswith("(minimum 100%)"), h
	assert j["healthy"] == 0 and j["total"] == 1 and j["min_healthy"] == 1, j
	EOF
'

test_expect_success SSHD '--write-hostfile: the healthy hosts with their slots' '
	cat >hosts <<-\EOF &&
	# the test cluster
	ok slots=3
	ok2

	refused slots=4
	EOF
	cores=$(sshd_ssh ok nproc </dev/null) &&
	mkdir written &&
	echo "stale content" >written/healthy &&
	test_expect_code 1 health --hostfile hosts --write-hostfile written/healthy >out 2>err &&
	grep -x "Health Summary: 2/3 hosts healthy" out &&
	printf "ok slots=3\nok2 slots=%s\n" "$cores" >expect &&
	test_cmp expect written/healthy &&
	ls -a written >files &&
	printf ".\n..\nhealthy\n" >expect.files &&
	test_cmp expect.files files &&
	health --hostfile hosts --min-healthy 2 --write-hostfile written/healthy >out 2>err &&
	test_cmp expect written/healthy
'

test_expect_success SSHD '--write-hostfile with no healthy host: an empty file' '
	test_expect_code 1 health --write-hostfile none.hosts refused >out 2>err &&
	test -f none.hosts &&
	test_must_be_empty none.hosts
'

test_expect_success SSHD 'hosts from --hostfile and from the arguments together' '
	printf "ok slots=2\n" >one.host &&
	test_expect_code 1 health --hostfile one.host refused >out 2>err &&
	grep -x "\[ok\] OK" out &&
	grep -x "\[refused\] UNHEALTHY" out &&
	grep -x "Health Summary: 1/2 hosts healthy" out
'

# A report that cannot be written (a full disk, a closed pipe) is no
# pre-flight check: exit status 3 and the error, whatever the hosts.
test_expect_success SSHD,DEV_FULL '--json to a full device: a write error, exit 3' '
	test_expect_code 3 health --json ok >/dev/full 2>err &&
	grep "^distmpi: health: cannot write the report to standard output: No space left on device$" err
'

test_expect_success SSHD,DEV_FULL 'the report to a full device: a write error, exit 3' '
	test_expect_code 3 health ok refused >/dev/full 2>err &&
	grep "^distmpi: health: cannot write the report to standard output: No space left on device$" err
'

# expect_health_usage PATTERN ARGS... - distmpi health ARGS is refused: exit
# status 2, one "distmpi: ..." line matching PATTERN, nothing on stdout.
expect_health_usage() {
	_pattern=$1
	shift
	test_expect_code 2 "$DISTMPI" health "$@" >out 2>err &&
	test_one_error err "$_pattern" &&
	test_must_be_empty out
}

test_expect_success 'usage: no hosts at all' '
	expect_health_usage "host" &&
	printf "# nothing here\n\n" >empty.hosts &&
	expect_health_usage "host" --hostfile empty.hosts
'

test_expect_success 'usage: a hostfile that cannot be read' '
	expect_health_usage "no-such-file" --hostfile no-such-file
'

test_expect_success 'usage: a long bad host name in the hostfile is quoted whole' '
	long=$(printf "%0300d" 0 | tr 0 h) &&
	printf "ok\n%s! slots=2\n" "$long" >long.hosts &&
	expect_health_usage "long.hosts:2: bad character" --hostfile long.hosts &&
	printf "distmpi: long.hosts:2: bad character in host name (allowed: letters, digits, \047-\047, \047.\047, \047_\047): \047%s!\047\n" "$long" >expect &&
	test_cmp expect err
'

test_expect_success 'usage: bad option values' '
	expect_health_usage "connect-timeout" --connect-timeout 0 localhost &&
	expect_health_usage "connect-timeout" --connect-timeout soon localhost &&
	expect_health_usage "concurrency" --concurrency 0 localhost &&
	expect_health_usage "min-healthy" --min-healthy many localhost &&
	expect_health_usage "min-disk-free" --min-disk-free 101 localhost
'

test_expect_success 'usage: an unknown option' '
	expect_health_usage "no-such-option" --no-such-option localhost
'

test_done
