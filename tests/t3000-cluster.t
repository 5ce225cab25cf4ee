#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='runs across four real hosts: a cluster in network namespaces

tests/sharness.d/cluster.sh builds four hosts on this machine, each with its
own network namespace, address, hostname, mount namespace, sshd and a fake
hwloc topology: node1 16 cores, node2 24, node3 4 and node4 4, like the
team'"'"'s machines. Every run is a real mpirun on node1 that starts the other
hosts'"'"' daemons over ssh. Checked here: the static plan and run split 48
shards 16/24/4/4; a dynamic run accounts for every shard; distmpi health
and distmpi launch with a host whose sshd is down or frozen; a host whose
working directory is a full tmpfs is left out by the disk check; JUnit
files written on each host'"'"'s private disk arrive merged at rank 0; a
test that fails on one host only is judged host-specific; and the fixture
itself leaves nothing behind when a test fails.

Needs root; skipped with the reason where namespaces cannot be created, a
failure instead when CI=true.'

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
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

trash=$PWD
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd

# Two hostfiles: without slots (mpirun gives each host as many slots as its
# fake topology has cores: 48 ranks, as on the team's machines) and with 2
# slots per host (8 ranks, for the tests where the count does not matter).
cluster_hostfile >hosts
cluster_hostfile 2 >hosts2

# shard.sh MARKS SECONDS - note where this shard runs (one line, appended to
# MARKS/SHARD: the real hostname, then what distmpi says), then sleep.
cat >shard.sh <<-\EOF
	#!/bin/sh
	echo "$(hostname) $DISTMPI_HOST $DISTMPI_RANK" >>"$1/$DISTMPI_SHARD"
	sleep "$2"
EOF
chmod +x shard.sh

# The machine's real load, shared by all the fake hosts, must not make a
# 4-core host look overloaded: only the disk is judged in these runs.
limits="--max-load 1000000 --max-memory-used 100"

# run_on_cluster HOSTFILE ARGS... - distmpi through mpirun on node1, with
# every rank of HOSTFILE; at most 120 s.
run_on_cluster() {
	_hf=$1
	shift
	on_host 1 timeout -k 10 120 "$CLUSTER_MPIRUN" -hostfile "$_hf" \
		"$DISTMPI" --progress lines $limits "$@"
}

# marks_agree DIR JSON - every shard of the report ran exactly once, on
# the host and rank the report names (the shard'"'"'s own hostname says so).
marks_agree() {
	python3 - "$1" "$2" <<-\EOF
	import json, os, sys
	d, j = sys.argv[1], json.load(open(sys.argv[2]))
	for s in j["shards"]:
	    lines = open(os.path.join(d, str(s["shard"]))).read().splitlines()
	    assert len(lines) == 1, (s["shard"], lines)
	    real, said, rank = lines[0].split()
	    assert real == said == s["host"], (s["shard"], lines, s["host"])
	    assert int(rank) == s["rank"], (s["shard"], lines, s["rank"])
	assert sorted(os.listdir(d), key=int) == [str(s["shard"]) for s in j["shards"]], os.listdir(d)
	EOF
}

# report_check FILE PYTHON - run PYTHON (asserts) with j bound to the JSON
# document in FILE (json_check wants a run report; this takes any).
report_check() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	exec(sys.argv[2], {"j": j})
	EOF
}

# plan_of OUT - the static plan printed by --dry-run as "RANK SHARD" lines,
# sorted by shard.
plan_of() {
	awk '/^ *rank [0-9]+ \(slot [0-9]+\):/ {
		r = $2
		for (i = 5; i <= NF; i++) if ($i ~ /^[0-9]+$/) print r, $i
	}' "$1" | sort -k2,2n
}

# ------------------------------------------------------------- the cluster

test_expect_success 'each host has its own name, address, topology and disk' '
	for i in 1 2 3 4; do
		test "$(on_host $i hostname)" = node$i &&
		on_host $i ip -4 -o addr show dev eth0 >addr &&
		grep " $(cluster_addr $i)/24 " addr &&
		test "$(on_host $i nproc)" = "$(cluster_cores $i)" &&
		on_host $i sh -c "echo $i >\"\$1/mine\"" sh "$CLUSTER_DIR/private" || return 1
	done &&
	for i in 1 2 3 4; do
		test "$(on_host $i cat "$CLUSTER_DIR/private/mine")" = $i || return 1
	done &&
	test ! -e "$CLUSTER_DIR/private/mine" &&
	# node1 reaches node3 over the bridge, by name, with the host key checked
	test "$(on_host 1 ssh -F "$CLUSTER_SSH_CONFIG" node3 hostname)" = node3 &&
	on_host 1 ssh -F "$CLUSTER_SSH_CONFIG" node3 "echo \$HWLOC_SYNTHETIC" >topo &&
	test "$(cat topo)" = "package:1 core:4 pu:1" &&
	# nothing of the cluster is in this (the root) namespace
	! ip -o addr | grep "$CLUSTER_NET\."
'

command -v ping >/dev/null 2>&1 && test_set_prereq PING

test_expect_success PING 'the hosts reach each other by name; a link taken down is cut' '
	for i in 2 3 4; do
		on_host 1 ping -c 1 -W 5 node$i >ping.out || { cat ping.out; return 1; }
	done &&
	on_host 4 ping -c 1 -W 5 node1 >ping.out &&
	cluster_link_down 4 &&
	test_when_finished "cluster_link_up 4" &&
	test_must_fail on_host 1 ping -c 1 -W 1 node4 >ping.out &&
	cluster_link_up 4 &&
	on_host 1 ping -c 1 -W 5 node4 >ping.out
'

test_expect_success 'mpirun starts ranks on all four hosts' '
	on_host 1 "$CLUSTER_MPIRUN" -hostfile hosts2 hostname >names &&
	sort names | uniq -c | awk "{ print \$2, \$1 }" >count &&
	printf "node1 2\nnode2 2\nnode3 2\nnode4 2\n" >expect &&
	test_cmp expect count
'

# ------------------------------------------------------- static and dynamic

# The team's command, on the team's layout: a hostfile without slots, so 48
# ranks, one per (fake) core. The other runs here use 2 ranks per host: 48
# ranks on this machine'"'"'s 2 cores make its load soar, and the tests that run
# beside this one under make -j check judge the load.
test_expect_success 'dry run, static, 48 shards on 48 ranks: the plan is 16/24/4/4' '
	rm -rf distmpi-runs &&
	run_on_cluster hosts --dry-run --schedule static -n 48 -- ./shard.sh marks 0 \
		>dry.out 2>dry.err &&
	cat dry.out &&
	grep -E "^Hosts: 4, 48 cores, 48 ranks$" dry.out &&
	grep -E "^  node1 +16 +16 +16 " dry.out &&
	grep -E "^  node2 +24 +24 +24 " dry.out &&
	grep -E "^  node3 +4 +4 +4 " dry.out &&
	grep -E "^  node4 +4 +4 +4 " dry.out &&
	for i in 1 2 3 4; do
		grep -E "^  node$i +ok \(Disk: " dry.out || return 1
	done &&
	grep -E "^  node1 +16 shards$" dry.out &&
	grep -E "^  node2 +24 shards$" dry.out &&
	grep -E "^  node3 +4 shards$" dry.out &&
	grep -E "^  node4 +4 shards$" dry.out &&
	plan_of dry.out >plan48 &&
	test "$(cut -d" " -f2 plan48 | tr "\n" " ")" = "$(test_seq 1 48 | tr "\n" " ")" &&
	# one shard per rank, rank r on the host the table lists it on
	test "$(cut -d" " -f1 plan48 | sort -n | uniq | wc -l)" -eq 48 &&
	test ! -e marks && test ! -e distmpi-runs
'

test_expect_success 'with 2 ranks per host the plan is still 16/24/4/4 (by cores)' '
	run_on_cluster hosts2 --dry-run --schedule static -n 48 -- ./shard.sh marks 0 \
		>dry2.out 2>dry2.err &&
	grep -E "^Hosts: 4, 48 cores, 8 ranks$" dry2.out &&
	grep -E "^  node1 +16 shards$" dry2.out &&
	grep -E "^  node2 +24 shards$" dry2.out &&
	grep -E "^  node3 +4 shards$" dry2.out &&
	grep -E "^  node4 +4 shards$" dry2.out &&
	plan_of dry2.out >plan &&
	test "$(cut -d" " -f2 plan | tr "\n" " ")" = "$(test_seq 1 48 | tr "\n" " ")" &&
	cut -d" " -f1 plan | sort -n | uniq -c | awk "{ print \$2, \$1 }" >per-rank &&
	printf "0 8\n1 8\n2 12\n3 12\n4 2\n5 2\n6 2\n7 2\n" >expect &&
	test_cmp expect per-rank
'

test_expect_success 'a static run executes exactly that plan' '
	mkdir static-marks &&
	run_on_cluster hosts2 --schedule static -n 48 --json static.json -- \
		./shard.sh "$trash/static-marks" 0.2 >static.out 2>static.err &&
	grep "^48 shards: 48 passed (0 flaky), 0 failed" static.out &&
	marks_agree static-marks static.json &&
	json_check static.json "
per = {h[\"host\"]: (h[\"cores\"], h[\"ranks\"], h[\"shards\"], h[\"passed\"]) for h in j[\"hosts\"]}
assert per == {\"node1\": (16, 2, 16, 16), \"node2\": (24, 2, 24, 24),
               \"node3\": (4, 2, 4, 4), \"node4\": (4, 2, 4, 4)}, per
plan = {}
for line in open(\"plan\"):
    r, s = map(int, line.split())
    plan[s] = r
ran = {s[\"shard\"]: s[\"rank\"] for s in j[\"shards\"]}
assert ran == plan, [(s, plan[s], ran.get(s)) for s in plan if plan[s] != ran.get(s)]
" &&
	grep -E "^  node2 +24 +2 +24 +24 " static.out
'

test_expect_success 'a dynamic run over all hosts accounts for every shard' '
	mkdir dyn-marks &&
	run_on_cluster hosts2 -n 48 --json dyn.json --run-dir dyn -- \
		sh -c "exec ./shard.sh \"$trash/dyn-marks\" 0.\$(({shard} % 4 + 1))" \
		>dyn.out 2>dyn.err &&
	grep "^48 shards: 48 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost" dyn.out &&
	test "$(grep -c "^\[ *[0-9]*/48\] shard [0-9]* passed on node[1-4] rank" dyn.out)" -eq 48 &&
	marks_agree dyn-marks dyn.json &&
	json_check dyn.json "
assert j[\"summary\"][\"shards\"] == 48 and j[\"summary\"][\"passed\"] == 48, j[\"summary\"]
hosts = {h[\"host\"]: h for h in j[\"hosts\"]}
assert sorted(hosts) == [\"node1\", \"node2\", \"node3\", \"node4\"], hosts
assert sum(h[\"shards\"] for h in j[\"hosts\"]) == 48, j[\"hosts\"]
assert all(h[\"shards\"] > 0 for h in j[\"hosts\"]), j[\"hosts\"]
for h in j[\"hosts\"]:
    assert h[\"shards\"] == sum(1 for s in j[\"shards\"] if s[\"host\"] == h[\"host\"]), h
assert sorted(s[\"shard\"] for s in j[\"shards\"]) == list(range(1, 49))
assert all(s[\"status\"] == \"passed\" and s[\"attempts\"] == 1 for s in j[\"shards\"])
" &&
	test "$(wc -l <dyn/journal.jsonl)" -eq 49
'

# ------------------------------------------------------------ host speeds

# slow.sh SECONDS - sleep SECONDS, three times as long on node3 and node4
cat >slow.sh <<-\EOF
	#!/bin/sh
	case $(hostname) in node3 | node4) f=3 ;; *) f=1 ;; esac
	exec sleep "$(awk -v s="$1" -v f="$f" "BEGIN { print s * f }")"
EOF
chmod +x slow.sh
for s in 0.1 0.15 0.2 0.25 0.3 0.35 0.4 0.7; do
	echo "./slow.sh $s"
done >speed.txt
grep "^node1 " hosts2 >node1.hosts
grep "^node3 " hosts2 >node3.hosts

# speed_of HOST - HOST's speed on the "Host speeds" line of spd.out
speed_of() {
	sed -n "s/^Host speeds, from the timing history: //p" spd.out | tr "," "\n" |
		awk -v h="$1" '$1 == h { print $2 }'
}

test_expect_success 'host speeds: learned from the same shards on two hosts' '
	run_on_cluster node1.hosts --tasks speed.txt --history speed.json >sp1.out 2>&1 &&
	run_on_cluster node3.hosts --tasks speed.txt --history speed.json >sp3.out 2>&1 &&
	run_on_cluster hosts2 --tasks speed.txt --history speed.json --dry-run >spd.out 2>&1 &&
	# node1 three times as fast as node3 (both pulled towards 1 by the
	# prior); node2 and node4 never compared with another host: 1
	echo "$(speed_of node1) $(speed_of node2) $(speed_of node3) $(speed_of node4)" >speeds &&
	awk "{ exit !(\$1 > 1.4 && \$2 == 1 && \$3 < 0.72 && \$4 == 1) }" speeds ||
	{ cat spd.out; return 1; }
	# the queue cut by speed: node1 the longest shards; node2 and node4,
	# unknown at 1 (under 3/4 of node1), the next; node3 (under 3/4 of
	# them) the shortest
	grep "^Queue split by host speed" spd.out &&
	grep "^  node1: the [0-9]* longest shards\{0,1\}\$" spd.out &&
	grep "^  node2, node4: the next [0-9]* shards\{0,1\}\$" spd.out &&
	grep "^  node3: the [0-9]* shortest shards\{0,1\}\$" spd.out &&
	grep "^Predicted makespan: [0-9.]* s (no plan can beat [0-9.]* s" spd.out
'

test_expect_success 'host speeds: a static plan puts the longest shards on the fastest host' '
	run_on_cluster hosts2 --tasks speed.txt --history speed.json --schedule static \
		--dry-run >sps.out 2>&1 &&
	grep "^Plan: static, balanced by predicted time and host speed" sps.out &&
	plan_of sps.out >plan-speed &&
	# the two longest (lines 8 and 7) to node1 (ranks 0 and 1); node3
	# (ranks 4 and 5) at most the two shortest
	grep -E "^[01] 8\$" plan-speed && grep -E "^[01] 7\$" plan-speed &&
	! grep -E "^[45] [3-8]\$" plan-speed &&
	run_on_cluster hosts2 --tasks speed.txt --history speed.json --schedule static \
		--json speed-run.json >spr.out 2>&1 &&
	report_check speed-run.json "
ran = {s[\"shard\"]: s[\"host\"] for s in j[\"shards\"]}
assert ran[8] == ran[7] == \"node1\", ran
assert all(s[\"status\"] == \"passed\" for s in j[\"shards\"]), j[\"shards\"]
"
'

# ------------------------------------------- distmpi health and launch

# health_on_node1 ARGS... - distmpi health from node1 with the cluster'"'"'s
# ssh configuration; the milliseconds it took go to health.ms.
health_on_node1() {
	_t0=$(date +%s%N)
	on_host 1 "$DISTMPI" health --ssh-config "$CLUSTER_SSH_CONFIG" $limits "$@"
	_st=$?
	echo $((($(date +%s%N) - _t0) / 1000000)) >health.ms
	return $_st
}

test_expect_success 'health: all four hosts healthy, nproc gives their cores' '
	health_on_node1 --hostfile hosts --connect-timeout 3 --json >all.json 2>health.err &&
	test_must_be_empty health.err &&
	report_check all.json "
assert j[\"healthy\"] == 4 and j[\"total\"] == 4, j
assert [(h[\"host\"], h[\"healthy\"], h[\"cores\"]) for h in j[\"hosts\"]] == [
    (\"node1\", True, 16), (\"node2\", True, 24), (\"node3\", True, 4), (\"node4\", True, 4)], j
"
'

test_expect_success 'health: node4'"'"'s sshd stopped, node4 is unhealthy and left out' '
	cluster_sshd_stop 4 &&
	test_when_finished "cluster_sshd_start 4" &&
	test_expect_code 1 health_on_node1 --hostfile hosts2 --connect-timeout 3 \
		--write-hostfile healthy >report 2>health.err &&
	cat report health.ms &&
	test_must_be_empty health.err &&
	grep "^\[node4\] UNHEALTHY$" report &&
	grep -A1 "^\[node4\] UNHEALTHY$" report | grep "^  SSH: connection refused$" &&
	for i in 1 2 3; do
		grep "^\[node$i\] OK$" report || return 1
	done &&
	grep "^Health Summary: 3/4 hosts healthy$" report &&
	# within the timeout (3 s), however loaded this machine is: 10 s slack
	test "$(cat health.ms)" -lt 13000 &&
	grep -v "^#" healthy >written &&
	printf "node1 slots=2\nnode2 slots=2\nnode3 slots=2\n" >expect &&
	test_cmp expect written
'

test_expect_success 'health: node4'"'"'s sshd frozen, a timeout after --connect-timeout' '
	kill -STOP "$(cat "$CLUSTER_DIR/node4/sshd.pid")" &&
	test_when_finished "kill -CONT \"$(cat "$CLUSTER_DIR/node4/sshd.pid")\"" &&
	test_expect_code 1 health_on_node1 --hostfile hosts2 --connect-timeout 2 --json \
		--write-hostfile healthy2 >frozen.json 2>health.err &&
	cat health.ms &&
	test_must_be_empty health.err &&
	report_check frozen.json "
h = {x[\"host\"]: x for x in j[\"hosts\"]}
assert h[\"node4\"][\"healthy\"] is False and h[\"node4\"][\"ssh\"][\"error\"] == \"timeout after 2.0s\", h[\"node4\"]
assert all(h[n][\"healthy\"] for n in (\"node1\", \"node2\", \"node3\")), h
assert j[\"healthy\"] == 3, j
" &&
	test "$(cat health.ms)" -ge 2000 && test "$(cat health.ms)" -lt 12000 &&
	test "$(grep -v "^#" healthy2 | cut -d" " -f1 | tr "\n" " ")" = "node1 node2 node3 "
'

test_expect_success 'launch with node4'"'"'s sshd stopped runs on the other three' '
	cluster_sshd_stop 4 &&
	test_when_finished "cluster_sshd_start 4" &&
	mkdir launch-marks &&
	on_host 1 env DISTMPI_MPIRUN="$CLUSTER_MPIRUN" timeout -k 10 120 "$DISTMPI" launch \
		--hostfile hosts2 --ssh-config "$CLUSTER_SSH_CONFIG" --connect-timeout 3 $limits -q -- \
		-n 12 --progress lines $limits --json launch.json -- \
		./shard.sh "$trash/launch-marks" 0.2 >launch.out 2>launch.err &&
	grep "^\[node4\] UNHEALTHY$" launch.out &&
	! grep "^distmpi\|^\[20[0-9][0-9]/" launch.err &&
	grep "^Health Summary: 3/4 hosts healthy$" launch.out &&
	grep "^12 shards: 12 passed" launch.out &&
	marks_agree launch-marks launch.json &&
	json_check launch.json "
assert [(h[\"host\"], h[\"ranks\"]) for h in j[\"hosts\"]] == [(\"node1\", 2), (\"node2\", 2), (\"node3\", 2)], j[\"hosts\"]
assert j[\"ranks\"] == 6 and j[\"summary\"][\"passed\"] == 12, j
" &&
	! grep -l node4 launch-marks/*
'

# -------------------------------------------- a host whose disk is full

test_expect_success 'a host whose working directory is a full tmpfs is left out' '
	work="$trash/diskwork" &&
	mkdir "$work" disk-marks &&
	cp hosts2 "$work/here" &&
	on_host 3 mount -t tmpfs -o size=1m tmpfs "$work" &&
	test_when_finished "on_host 3 umount \"$work\"" &&
	{ on_host 3 dd if=/dev/zero of="$work/fill" bs=64k 2>/dev/null; true; } &&
	on_host 3 df -P "$work" >df3 && cat df3 &&
	test "$(awk "NR == 2 { print \$4 }" df3)" = 0 &&
	# the others see the shared directory, with a file in it
	test "$(on_host 2 ls "$work")" = here &&
	(
		cd "$work" &&
		run_on_cluster "$trash/hosts2" -n 12 --health-interval 0.5 --json "$trash/disk.json" -- \
			"$trash/shard.sh" "$trash/disk-marks" 0.3 >"$trash/disk.out" 2>"$trash/disk.err"
	) &&
	cat disk.out &&
	grep -E "^distmpi: host node3 is unhealthy and gets no shards: disk 0(\.0)?% free \(minimum 10%\)$" disk.out &&
	grep "^12 shards: 12 passed" disk.out &&
	marks_agree disk-marks disk.json &&
	! grep -l node3 disk-marks/* &&
	json_check disk.json "
h = {x[\"host\"]: x for x in j[\"hosts\"]}
assert h[\"node3\"][\"shards\"] == 0 and h[\"node3\"][\"health\"][\"healthy\"] is False, h[\"node3\"]
assert h[\"node3\"][\"health\"][\"last_probe\"][\"disk_free_percent\"] == 0, h[\"node3\"]
assert [e[\"healthy\"] for e in h[\"node3\"][\"health\"][\"events\"]] == [False], h[\"node3\"]
for n in (\"node1\", \"node2\", \"node4\"):
    assert h[n][\"health\"][\"healthy\"] is True and h[n][\"health\"][\"events\"] == [], h[n]
assert j[\"exit_status\"] == 0 and j[\"summary\"][\"passed\"] == 12, j[\"summary\"]
"
'

# ------------------------------------- JUnit files from private disks

# junit.sh DIR - a test tool that writes its JUnit report in DIR, here the
# private disk of the host it runs on ($CLUSTER_DIR/private, a tmpfs only
# that host sees): two test cases, the second failing in shard 3 (which
# exits 1).
cat >junit.sh <<-\EOF
	#!/bin/sh
	fail=
	test "$DISTMPI_SHARD" -eq 3 && fail="<failure message=\"broken on $(hostname)\">trace</failure>"
	cat >"$1/junit-$DISTMPI_SHARD.xml" <<XML
	<?xml version="1.0" encoding="UTF-8"?>
	<testsuites><testsuite name="spec-$DISTMPI_SHARD" tests="2">
	<testcase name="login on $(hostname)" classname="app.Login" time="0.1"/>
	<testcase name="cart on $(hostname)" classname="app.Cart" time="0.2">$fail</testcase>
	</testsuite></testsuites>
	XML
	sleep 0.2
	test "$DISTMPI_SHARD" -ne 3
EOF
chmod +x junit.sh

test_expect_success '--collect: JUnit files from each host'"'"'s private disk' '
	test_expect_code 1 run_on_cluster hosts2 -n 12 --retries 0 --logs clogs \
		--json collect.json --junit merged.xml \
		--collect "$CLUSTER_DIR/private/junit-{shard}.xml" -- ./junit.sh "$CLUSTER_DIR/private" \
		>collect.out 2>collect.err &&
	grep "^12 shards: 11 passed (0 flaky), 1 failed" collect.out &&
	json_check collect.json "
hosts = set()
for s in j[\"shards\"]:
    c = s[\"collected\"]
    assert len(c) == 1 and c[0][\"error\"] is None and c[0][\"path\"], (s[\"shard\"], c)
    hosts.add(s[\"host\"])
assert hosts == {\"node1\", \"node2\", \"node3\", \"node4\"}, hosts
" &&
	# each file stayed on the host that wrote it: only rank 0 has copies
	python3 -c "import json; [print(s[\"host\"], s[\"shard\"]) for s in json.load(open(\"collect.json\"))[\"shards\"]]" >where &&
	for i in 1 2 3 4; do
		on_host $i ls "$CLUSTER_DIR/private" | sed -n "s/^junit-\([0-9]*\)\.xml$/\1/p" | sort -n >on$i &&
		sed -n "s/^node$i //p" where | sort -n >expect$i &&
		test_cmp expect$i on$i || return 1
	done &&
	test -z "$(ls "$CLUSTER_DIR/private")" &&
	for s in $(test_seq 1 12); do
		ls clogs/shard-$(printf %02d $s)/collected/*junit-$s.xml || return 1
	done
'

test_expect_success XMLLINT '--collect: the merged report has every host'"'"'s test cases' '
	xmllint --noout --schema "$xsd" merged.xml &&
	while read host shard; do
		test "$(xmllint --xpath "count(//testsuite[@name=\"shard-$shard\"]/testcase[@name=\"login on $host\"])" merged.xml)" = 1 &&
		test "$(xmllint --xpath "count(//testsuite[@name=\"shard-$shard\"]/testcase[@name=\"cart on $host\"])" merged.xml)" = 1 &&
		test "$(xmllint --xpath "string(//testsuite[@name=\"shard-$shard\"]/@hostname)" merged.xml)" = "$host" ||
		return 1
	done <where &&
	host3=$(sed -n "s/ 3$//p" where) &&
	test "$(xmllint --xpath "string(//testsuite[@name=\"shard-3\"]/testcase[@name=\"cart on $host3\"]/failure/@message)" merged.xml)" = "broken on $host3" &&
	# 12 shard test cases + 12 x 2 collected
	test "$(xmllint --xpath "string(/testsuites/@tests)" merged.xml)" = 36
'

# ------------------------------------- a tool missing on one host

# The command is on the private disk of node1, node2 and node4, not on
# node3's: there it cannot even start (an exec error). --retry-elsewhere
# gives such a shard its next attempt on another host.
# font.sh DIR - a test tool whose test "render" fails on node1 only (a font
# missing there, say) and "measure" passes everywhere; its suite's hostname
# is the machine's, as pytest writes it.
cat >font.sh <<-\EOF
	#!/bin/sh
	fail=
	test "$(hostname)" = node1 && fail='<failure message="no font on node1"/>'
	cat >"$1/font-$DISTMPI_SHARD.xml" <<XML
	<testsuite name="fonts" hostname="$(hostname)"><testcase classname="app.Font" name="render">$fail</testcase><testcase classname="app.Font" name="measure"/></testsuite>
	XML
	test -z "$fail"
EOF
chmod +x font.sh

test_expect_success 'a test that fails on one host only is host-specific' '
	test_expect_code 1 run_on_cluster hosts2 -n 8 --retries 0 --logs flogs \
		--json font.json --junit font.xml \
		--collect "$CLUSTER_DIR/private/font-{shard}.xml" -- ./font.sh "$CLUSTER_DIR/private" \
		>font.out 2>font.err &&
	json_check font.json "
ran = {s[\"host\"] for s in j[\"shards\"]}
assert \"node1\" in ran and len(ran) > 1, ran
t = {x[\"name\"]: x for x in j[\"tests\"]}
assert t[\"render\"][\"verdict\"] == \"host-specific\", t[\"render\"]
assert t[\"render\"][\"project\"] is None, t[\"render\"]
assert set(t[\"render\"][\"hosts\"]) == ran, (t[\"render\"][\"hosts\"], ran)
failed = {r[\"host\"] for r in t[\"render\"][\"runs\"] if r[\"outcome\"] == \"failed\"}
assert failed == {\"node1\"}, failed
assert t[\"measure\"][\"verdict\"] == \"passed\", t[\"measure\"]
assert j[\"test_verdicts\"][\"host-specific\"] == 1, j[\"test_verdicts\"]
" &&
	grep "^Tests: 2: 1 passed, 0 flaky, 0 failing, 1 host-specific, 0 skipped$" font.out &&
	grep "^  host-specific app.Font: render (.* attempt 1: .*)$" font.out
'

test_expect_success XMLLINT 'its JUnit report validates' '
	xmllint --noout --schema "$xsd" font.xml
'

test_expect_success '--retry-elsewhere: a tool missing on node3 runs on the other hosts' '
	for i in 1 2 4; do
		on_host $i cp shard.sh "$CLUSTER_DIR/private/tool" || return 1
	done &&
	mkdir re-marks &&
	run_on_cluster hosts2 -n 16 --retry-elsewhere --json re.json --run-dir re -- \
		"$CLUSTER_DIR/private/tool" re-marks 0.3 >re.out 2>re.err &&
	cat re.out &&
	grep "could not start on node3 (cannot run $CLUSTER_DIR/private/tool: No such file or directory); its next attempt runs on another host (--retry-elsewhere)\$" re.out >moves &&
	n=$(wc -l <moves) &&
	test "$n" -ge 1 &&
	grep "^16 shards: 16 passed ($n flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost" re.out &&
	# each shard ran once, where the report says: never on node3
	marks_agree re-marks re.json &&
	json_check re.json "
moved = 0
for s in j[\"shards\"]:
    assert s[\"host\"] != \"node3\", s
    a = s[\"attempt_results\"]
    if s[\"status\"] == \"flaky\":
        moved += 1
        assert [x[\"attempt\"] for x in a] == [1, 2], s
        assert a[0][\"host\"] == \"node3\" and a[0][\"outcome\"] == \"exec_error\", s
        assert a[1][\"host\"] == s[\"host\"] and a[1][\"rank\"] == s[\"rank\"], s
        assert a[1][\"outcome\"] == \"passed\", s
    else:
        assert s[\"status\"] == \"passed\" and len(a) == 1, s
assert moved == $n, moved
"
'

test_expect_success '--retry-elsewhere with --retries 0: no retry left, exec errors, exit 3' '
	rm -rf re-marks && mkdir re-marks &&
	test_expect_code 3 run_on_cluster hosts2 -n 16 --retries 0 --retry-elsewhere \
		--json re0.json --run-dir re0 -- "$CLUSTER_DIR/private/tool" re-marks 0.3 \
		>re0.out 2>re0.err &&
	grep "could not start on node3 (.*); no retry is left\$" re0.out >left &&
	json_check re0.json "
bad = [s for s in j[\"shards\"] if s[\"status\"] != \"passed\"]
assert bad and all(s[\"status\"] == \"exec_error\" and s[\"host\"] == \"node3\" for s in bad), bad
assert len(bad) == $(wc -l <left), bad
" &&
	for i in 1 2 4; do
		on_host $i rm "$CLUSTER_DIR/private/tool" || return 1
	done
'

# -------------------------------------------- the fixture cleans up

# An inner test script that brings up a cluster of its own, starts a run
# whose shards sleep, notes every PID in its hosts, and then fails (or, with
# ARG term, waits to be killed with SIGTERM).
cat >inner.t <<-EOF
	#!/bin/sh
	test_description="a test that fails with a cluster up"
	. "\${SHARNESS:-/usr/share/sharness/sharness.sh}"
	test_expect_success "a run, then a failure" '
		cluster_up 2 2 &&
		echo "\$CLUSTER_ID" >"$trash/inner.id" &&
		cluster_hostfile 2 >hosts &&
		{
			on_host 1 "\$CLUSTER_MPIRUN" -hostfile hosts "\$DISTMPI" -n 8 $limits \
				--progress none -- sh -c "sleep 300" </dev/null >run.out 2>&1 &
		} &&
		n=0 &&
		until test "\$(for h in 1 2; do cluster_pids \$h; done | while read p; do
			cat /proc/\$p/comm 2>/dev/null; done | grep -c "^sleep\$")" -ge 4; do
			n=\$((n + 1)); test \$n -lt 300 || break; sleep 0.1
		done &&
		for h in 1 2; do
			for p in \$(cluster_pids \$h); do
				echo "\$p \$(cat /proc/\$p/comm 2>/dev/null)"
			done
		done >"$trash/inner.pids" &&
		touch "$trash/inner.ready" &&
		if test "\$INNER_MODE" = term; then
			while :; do sleep 0.1; done
		fi &&
		false
	'
	test_done
EOF

# run_inner MODE - run inner.t (MODE fail: its test fails; term: it is sent
# SIGTERM once the run is going); its exit status in inner.status.
run_inner() {
	rm -f inner.id inner.pids inner.ready
	INNER_MODE=$1 SHARNESS_TEST_SRCDIR="$DISTMPI_SRCDIR/tests" SHARNESS_TEST_DIRECTORY="$trash" \
		sh inner.t -v >inner-$1.out 2>&1 &
	_pid=$!
	if test "$1" = term; then
		_n=0
		while ! test -e inner.ready && pid_running $_pid && test $_n -lt 1200; do
			_n=$((_n + 1))
			sleep 0.1
		done
		kill -TERM $_pid
	fi
	wait_pid_limit 150 $_pid
	echo $? >inner.status
}

# nothing_left - nothing of the inner cluster is left: no namespace, mount,
# directory or process, and none of the PIDs it noted runs the same program.
nothing_left() {
	test -s inner.id &&
	test -s inner.pids &&
	grep " orted$" inner.pids && grep " distmpi$" inner.pids && grep " sshd$" inner.pids &&
	grep " sleep$" inner.pids &&
	cluster_leftovers "$(cat inner.id)" >left &&
	while read pid comm; do
		# a zombie has ended (this machine'"'"'s init may be slow to reap it)
		if test "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" && pid_running $pid; then
			echo "process $pid ($comm) is still running" >>left
		fi
	done <inner.pids &&
	cat left &&
	test_must_be_empty left
}

test_expect_success 'a failing test leaves no namespace, mount or process behind' '
	run_inner fail &&
	sed "s/^/inner: /" inner-fail.out &&
	test "$(cat inner.status)" = 1 &&
	grep "^not ok 1 - a run, then a failure" inner-fail.out >/dev/null &&
	nothing_left
'

test_expect_success 'neither does a test script stopped by SIGTERM' '
	run_inner term &&
	sed "s/^/inner: /" inner-term.out &&
	test "$(cat inner.status)" != 0 &&
	grep "FATAL: Unexpected exit with code 143" inner-term.out &&
	nothing_left
'

test_done
