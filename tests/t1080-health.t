#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='health checks in a run

Rank 0 judges each host by its leader'"'"'s probe (disk free in the working
directory, memory used, load per core) before the first shard and every
--health-interval seconds. A host that is unhealthy at the start gets no
shards, and when no host is healthy nothing runs (exit status 3). A host
that turns unhealthy during the run gets no new shards until it recovers;
both changes are printed with the value and the limit, and show in the
summary and the JSON report. --skip-health-checks turns all of it off; the
limits and the switch are also configuration file keys.

The exclusion tests make the host unhealthy for real: they run distmpi from
a small tmpfs (mounting one needs root, prerequisite TMPFS) which a shard
fills and empties again.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

# this file is about the configuration search and the default limits
unset DISTMPI_CONFIG

skip_all_unless_mpi

if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the JSON reports"
	test_done
fi

# Every run of this script ends within a minute, so a shard that waits for a
# host that never recovers fails the test instead of hanging it: mpirun runs
# under timeout(1) (status 124 when it fires), which ends the whole job.
if command -v timeout >/dev/null 2>&1; then
	cat >mpirun-limited <<-EOF
	#!/bin/sh
	exec timeout -k 10 60 '$MPIRUN' "\$@"
	EOF
	chmod +x mpirun-limited
	MPIRUN=$PWD/mpirun-limited
fi

host=$(uname -n)
trash=$PWD

# Is this machine healthy under the default limits? A dry run says so (its
# Health block), or says that the host is unhealthy and that nothing runs
# (exit status 3). The tests of the defaults expect whichever it is.
run_distmpi 2 --dry-run -n 2 -- true >dry-default 2>dry-default.err
dry_status=$?
if test $dry_status = 0 && grep "^  $host  *ok (Disk: " dry-default >/dev/null; then
	test_set_prereq HEALTHY_HERE
elif test $dry_status = 3 && grep "^distmpi: host $host is unhealthy" dry-default >/dev/null; then
	echo "# this machine is unhealthy under the default limits:"
	sed "s/^/# /" dry-default
else
	echo "# unexpected dry run (exit status $dry_status):"
	sed "s/^/# /" dry-default dry-default.err
fi

# Can we mount a tmpfs (root only)? The tests that exclude and recover a host
# during a run need one as the working directory.
probe_dir=$(mktemp -d "$trash/tmpfs-probe.XXXXXX")
if mount -t tmpfs -o size=1m tmpfs "$probe_dir" 2>mount-probe.err; then
	umount "$probe_dir" && test_set_prereq TMPFS
else
	echo "# cannot mount a tmpfs here (mount needs root: $(cat mount-probe.err));" \
		"the tests of exclusion and recovery during a run are skipped (missing TMPFS)"
fi
rmdir "$probe_dir"

# no_run_happened - no shard ran (touch ran.SHARD markers) and no run
# directory was made.
no_run_happened() {
	test "$(count_files ran.*)" -eq 0 &&
	test ! -e distmpi-runs
}

# unhealthy_at_start FILE REASON - FILE (stdout) says that this host is
# unhealthy with a reason matching the extended regular expression REASON,
# and that nothing runs.
unhealthy_at_start() {
	grep -E "^distmpi: host $host is unhealthy and gets no shards: $2" "$1" >/dev/null || {
		echo "no unhealthy line matching /$2/ in:" && cat "$1"
		return 1
	}
	grep "^distmpi: no healthy host: nothing runs" "$1" >/dev/null || {
		echo "no 'no healthy host' line in:" && cat "$1"
		return 1
	}
}

# ------------------------------------------------------------ the defaults

# one test whichever way the run judged this machine: by the run's own
# outcome, not the dry run's (with the load near the limit of 2 per core
# the two can differ: seen 1.99 in the dry run, then over 2)
test_expect_success 'default limits: a healthy host runs the shards, an unhealthy one none' '
	rm -rf ran.* distmpi-runs &&
	{ run_distmpi 2 -n 3 --json default.json -- touch ran.{shard} >out 2>err; st=$?; } &&
	if test $st = 0; then
		test_set_prereq HEALTHY_RUN &&
		test "$(count_files ran.*)" -eq 3 &&
		! grep -E "unhealthy|excluded|healthy again|Hosts that were unhealthy" out
	else
		test $st = 3 &&
		unhealthy_at_start out "" &&
		no_run_happened
	fi
'

test_expect_success HEALTHY_HERE 'default limits: the dry run shows the values' '
	grep -E "^  $host +ok \(Disk: [0-9]+% free, Memory: [0-9.]+% used, CPU: Load [0-9.]+ \([0-9.]+/core\), other work [0-9.]+ \([0-9.]+/core\)\)$" \
		dry-default
'

test_expect_success HEALTHY_RUN 'default limits: the JSON report has the limits and a healthy host' '
	json_check default.json "
h = j[\"health\"]
assert h == {\"checked\": True, \"min_disk_free_percent\": 10, \"max_memory_used_percent\": 95,
             \"max_load_per_core\": 2, \"interval\": 30}, h
assert len(j[\"hosts\"]) == 1, j[\"hosts\"]
hh = j[\"hosts\"][0][\"health\"]
assert hh[\"healthy\"] is True, hh
assert hh[\"excluded_seconds\"] == 0, hh
assert hh[\"events\"] == [], hh
p = hh[\"last_probe\"]
assert p[\"ok\"] is True, p
assert 10 <= p[\"disk_free_percent\"] <= 100, p
assert 0 <= p[\"memory_used_percent\"] <= 95, p
assert 0 <= p[\"other_load_per_core\"] <= 2 and p[\"load1\"] >= 0, p
assert p[\"other_load\"] >= 0, p
"
'

# ------------------------------------------------ unhealthy at the start

test_expect_success '--min-disk-free 100: nothing runs, exit status 3' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_distmpi 2 -n 3 --min-disk-free 100 --json none.json -- \
		touch ran.{shard} >out 2>err &&
	unhealthy_at_start out "disk [0-9]+(\.[0-9]+)?% free \(minimum 100%\)" &&
	no_run_happened &&
	! distmpi_errors err
'

test_expect_success '--min-disk-free 100 with --dry-run: exit status 3, no plan' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_distmpi 2 -n 3 --min-disk-free 100 --dry-run -- \
		touch ran.{shard} >out 2>err &&
	unhealthy_at_start out "disk [0-9]+(\.[0-9]+)?% free \(minimum 100%\)" &&
	! grep -E "^(Dry run|Plan|Health)" out &&
	no_run_happened
'

test_expect_success '--max-memory-used 0: unhealthy by its memory, exit status 3' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_distmpi 2 -n 3 --max-memory-used 0 -- touch ran.{shard} >out 2>err &&
	unhealthy_at_start out "(.*; )?memory [0-9]+(\.[0-9]+)?% used \(maximum 0%\)" &&
	no_run_happened
'

test_expect_success 'two failing checks are both named, disk first' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_distmpi 2 -n 3 --min-disk-free 100 --max-memory-used 0 -- \
		touch ran.{shard} >out 2>err &&
	unhealthy_at_start out \
		"disk [0-9]+(\.[0-9]+)?% free \(minimum 100%\); memory [0-9]+(\.[0-9]+)?% used \(maximum 0%\)" &&
	test "$(grep -c "is unhealthy" out)" -eq 1 &&
	no_run_happened
'

# ------------------------------------------------------ --skip-health-checks

test_expect_success '--skip-health-checks: everything runs despite impossible limits' '
	rm -rf ran.* distmpi-runs &&
	run_distmpi 2 -n 3 --skip-health-checks --min-disk-free 100 --max-memory-used 0 \
		--json skip.json -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 3 &&
	! grep -E "unhealthy|excluded|healthy again" out
'

test_expect_success '--skip-health-checks: the JSON report says not checked' '
	json_check skip.json "
assert j[\"health\"] == {\"checked\": False}, j[\"health\"]
assert [h[\"health\"] for h in j[\"hosts\"]] == [None], j[\"hosts\"]
assert j[\"exit_status\"] == 0
"
'

test_expect_success '--skip-health-checks with --dry-run: Health: not checked' '
	rm -rf ran.* distmpi-runs &&
	run_distmpi 2 -n 3 --skip-health-checks --min-disk-free 100 --dry-run -- \
		touch ran.{shard} >out 2>err &&
	grep "^Health: not checked" out &&
	! grep "unhealthy" out &&
	no_run_happened
'

# ---------------------------------------------------- the configuration file

test_expect_success 'min_disk_free = 100.0 in the file: nothing runs, exit status 3' '
	rm -rf ran.* distmpi-runs &&
	printf "min_disk_free = 100.0;\n" >disk.conf &&
	test_expect_code 3 run_distmpi 2 --config disk.conf -n 2 -- touch ran.{shard} >out 2>err &&
	unhealthy_at_start out "disk [0-9]+(\.[0-9]+)?% free \(minimum 100%\)" &&
	no_run_happened
'

test_expect_success 'max_memory_used = 0 in the file: unhealthy by its memory' '
	rm -rf ran.* distmpi-runs &&
	printf "max_memory_used = 0.0;\n" >mem.conf &&
	test_expect_code 3 run_distmpi 2 --config mem.conf -n 2 -- touch ran.{shard} >out 2>err &&
	unhealthy_at_start out "(.*; )?memory [0-9]+(\.[0-9]+)?% used \(maximum 0%\)" &&
	no_run_happened
'

test_expect_success 'a flag wins over the file: --min-disk-free 0 runs' '
	rm -rf ran.* distmpi-runs &&
	run_distmpi 2 --config disk.conf --min-disk-free 0 --max-memory-used 100 \
		--max-load 1000000 -n 2 --json flag.json -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 2 &&
	test "$(json_get flag.json "j[\"health\"][\"min_disk_free_percent\"]")" = 0.0
'

test_expect_success 'skip_health_checks = true in the file: everything runs' '
	rm -rf ran.* distmpi-runs &&
	printf "skip_health_checks = true;\nmin_disk_free = 100.0;\n" >skip.conf &&
	run_distmpi 2 --config skip.conf -n 2 --json skipconf.json -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 2 &&
	test "$(json_get skipconf.json "j[\"health\"][\"checked\"]")" = False
'

test_expect_success 'the other limits and the interval from the file reach the report' '
	rm -rf ran.* distmpi-runs &&
	cat >limits.conf <<-\EOF &&
	min_disk_free = 0.5;
	max_memory_used = 99.5;
	max_load = 1000000.0;
	health_interval = 7.5;
	EOF
	run_distmpi 2 --config limits.conf -n 2 --json limits.json -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 2 &&
	json_check limits.json "
h = j[\"health\"]
assert h == {\"checked\": True, \"min_disk_free_percent\": 0.5, \"max_memory_used_percent\": 99.5,
             \"max_load_per_core\": 1000000, \"interval\": 7.5}, h
"
'

test_expect_success 'an out-of-range limit in the file is refused' '
	rm -rf ran.* distmpi-runs &&
	printf "# limits\nmin_disk_free = 101.0;\n" >bad.conf &&
	test_expect_code 2 run_distmpi 2 --config bad.conf -n 2 -- touch ran.{shard} >out 2>err &&
	test_one_error err "bad\.conf:2: .*min_disk_free" &&
	no_run_happened
'

# ------------------------------------------------------------ bad values

test_expect_success '--min-disk-free 101 is refused' '
	expect_usage_error "min-disk-free.*101" 2 --min-disk-free 101 -- touch ran.{shard}
'

test_expect_success '--min-disk-free -1 is refused' '
	expect_usage_error "min-disk-free" 2 --min-disk-free -1 -- touch ran.{shard}
'

test_expect_success '--max-memory-used 100.5 is refused' '
	expect_usage_error "max-memory-used.*100\.5" 2 --max-memory-used 100.5 -- touch ran.{shard}
'

test_expect_success '--max-load -1 is refused' '
	expect_usage_error "max-load.*-1" 2 --max-load -1 -- touch ran.{shard}
'

test_expect_success '--health-interval 0 is refused' '
	expect_usage_error "health-interval.*0" 2 --health-interval 0 -- touch ran.{shard}
'

test_expect_success '--min-disk-free ten is refused' '
	expect_usage_error "min-disk-free.*ten" 2 --min-disk-free ten -- touch ran.{shard}
'

# ------------------------------------------ exclusion and recovery in a run

# mount_fs DIR - a new, empty 1 MiB tmpfs at DIR (an absolute path).
mount_fs() {
	mkdir "$1" &&
	mount -t tmpfs -o size=1m tmpfs "$1"
}

# umount_fs DIR - test_when_finished helper: unmount DIR and remove it.
umount_fs() {
	{ umount "$1" || umount -l "$1"; } && rmdir "$1"
}

# shard.sh SCENARIO SHARD FS OUT - the shards of the exclusion tests (the
# script lives outside the tmpfs FS; OUT is distmpi's stdout).
#   recover: shard 1 fills FS to 4 % free, waits until distmpi has printed
#     the exclusion, stays a while, then empties FS again; shard 2 ends only
#     after the exclusion, so every later shard must wait for the recovery.
#   hold: shard 1 fills FS and ends once the exclusion is printed, leaving
#     FS full, so the host ends the run unhealthy; shard 2 is short.
# A wait ends after 20 s at most, so a test fails instead of hanging.
cat >shard.sh <<-\EOF
	#!/bin/sh
	scenario=$1 shard=$2 fs=$3 out=$4
	wait_excluded() {
		i=0
		until grep " excluded: " "$out" >/dev/null; do
			i=$((i + 1))
			test $i -gt 200 && { echo "no exclusion after 20 s" >&2; exit 9; }
			sleep 0.1
		done
	}
	case $scenario.$shard in
	recover.1|hold.1)
		# 980 KiB of the 1024: 11 of 256 pages stay free, 4.3 %
		dd if=/dev/zero of="$fs/fill" bs=1k count=980 2>/dev/null || exit 8
		wait_excluded
		sleep 0.6
		test $scenario = hold || rm "$fs/fill"
		;;
	recover.2)
		wait_excluded
		;;
	esac
	sleep 0.2
EOF

# Only the disk is judged here: memory and load limits that cannot fail.
only_disk='--max-memory-used 100 --max-load 1000000'

# run_in_fs SCENARIO FS NAME ARGS... - run distmpi on 2 ranks from the
# tmpfs FS (so the host's leader probes it) with the shards of SCENARIO;
# the run directory, NAME.json, NAME.out and NAME.err are outside FS.
run_in_fs() {
	_scenario=$1 _fs=$2 _name=$3
	shift 3
	(
		cd "$_fs" &&
		run_distmpi 2 --health-interval 0.2 --backoff 0 $only_disk \
			--run-dir "$trash/runs-$_name" --json "$trash/$_name.json" "$@" -- \
			sh "$trash/shard.sh" "$_scenario" "{shard}" "$_fs" "$trash/$_name.out" \
			>"$trash/$_name.out" 2>"$trash/$_name.err"
	)
}

test_expect_success TMPFS 'a host whose disk fills is excluded, recovers, and all shards pass' '
	fs="$trash/fs-recover" &&
	mount_fs "$fs" &&
	test_when_finished "umount_fs \"$fs\"" &&
	run_in_fs recover "$fs" recover -n 4 &&
	test ! -e "$fs/fill" &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed" recover.out
'

test_expect_success TMPFS 'the exclusion and the recovery are printed, in that order' '
	grep -n -E "^distmpi: host $host excluded: disk [0-9]+(\.[0-9]+)?% free \(minimum 10%\); it gets no new shards$" \
		recover.out >excluded &&
	grep -n -E "^distmpi: host $host healthy again \(Disk: [0-9]+% free, Memory: [0-9.]+% used, CPU: Load [0-9.]+ \([0-9.]+/core\), other work [0-9.]+ \([0-9.]+/core\)\)$" \
		recover.out >recovered &&
	test "$(wc -l <excluded)" -eq 1 &&
	test "$(wc -l <recovered)" -eq 1 &&
	test "$(cut -d: -f1 excluded)" -lt "$(cut -d: -f1 recovered)" &&
	# the only host is out: distmpi says it waits
	grep "^distmpi: no healthy host left: waiting for one to recover$" recover.out
'

test_expect_success TMPFS 'the summary lists the host that was unhealthy' '
	sed -n "/^Hosts that were unhealthy:$/,/^$/p" recover.out >block &&
	test "$(wc -l <block)" -eq 3 &&
	grep -E "^  $host: excluded 1 time, [^;]* in all; last: disk [0-9.]+% free \(minimum 10%\)$" block
'

test_expect_success TMPFS 'the JSON report has both events and the time excluded' '
	json_check recover.json "
h = j[\"health\"]
assert h[\"checked\"] is True and h[\"interval\"] == 0.2, h
assert h[\"min_disk_free_percent\"] == 10, h
hh = j[\"hosts\"][0][\"health\"]
ev = hh[\"events\"]
assert [e[\"healthy\"] for e in ev] == [False, True], ev
assert ev[0][\"reason\"].startswith(\"disk \") and ev[0][\"reason\"].endswith(\"% free (minimum 10%)\"), ev
assert ev[1][\"reason\"].startswith(\"Disk: \") and chr(10) not in ev[1][\"reason\"], ev
assert ev[0][\"time\"] < ev[1][\"time\"], ev
assert hh[\"healthy\"] is True, hh
assert hh[\"excluded_seconds\"] > 0.5, hh
assert hh[\"last_probe\"][\"ok\"] is True and hh[\"last_probe\"][\"disk_free_percent\"] >= 10, hh
assert j[\"exit_status\"] == 0 and j[\"summary\"][\"passed\"] == 4, j[\"summary\"]
assert all(s[\"status\"] == \"passed\" for s in j[\"shards\"]), j[\"shards\"]
"
'

test_expect_success TMPFS 'no shard started while the host was excluded' '
	json_check recover.json "
from datetime import datetime, timezone
def t(s):
    return datetime.strptime(s, \"%Y-%m-%dT%H:%M:%S.%fZ\").replace(tzinfo=timezone.utc)
ev = j[\"hosts\"][0][\"health\"][\"events\"]
out, back = t(ev[0][\"time\"]), t(ev[1][\"time\"])
starts = {(s[\"shard\"], a[\"attempt\"]): t(a[\"start\"])
          for s in j[\"shards\"] for a in s[\"attempt_results\"]}
during = [k for k, v in starts.items() if out < v < back]
assert not during, (during, ev, starts)
# shards 1 and 2 started before the exclusion, 3 and 4 only after the recovery
assert starts[(1, 1)] <= out and starts[(2, 1)] <= out, (starts, ev)
assert starts[(3, 1)] >= back and starts[(4, 1)] >= back, (starts, ev)
"
'

test_expect_success TMPFS 'a host still unhealthy at the end says so' '
	fs="$trash/fs-hold" &&
	mount_fs "$fs" &&
	test_when_finished "umount_fs \"$fs\"" &&
	run_in_fs hold "$fs" hold -n 2 &&
	test -e "$fs/fill" &&
	grep "^2 shards: 2 passed (0 flaky), 0 failed" hold.out &&
	grep -E "^distmpi: host $host excluded: disk [0-9.]+% free \(minimum 10%\); it gets no new shards$" \
		hold.out &&
	! grep "healthy again" hold.out &&
	grep -E "^  $host: excluded 1 time, [^;]* in all, still unhealthy at the end; last: disk [0-9.]+% free \(minimum 10%\)$" \
		hold.out
'

test_expect_success TMPFS 'a host still unhealthy at the end: the JSON report' '
	json_check hold.json "
hh = j[\"hosts\"][0][\"health\"]
assert hh[\"healthy\"] is False, hh
assert [e[\"healthy\"] for e in hh[\"events\"]] == [False], hh
assert hh[\"excluded_seconds\"] > 0.5, hh
assert hh[\"last_probe\"][\"ok\"] is True and hh[\"last_probe\"][\"disk_free_percent\"] < 10, hh
assert j[\"exit_status\"] == 0, j[\"exit_status\"]
"
'

test_done
