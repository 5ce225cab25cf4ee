#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the load check judges the host, not the run

A host is held back for load only when other work uses its CPUs now: the
probe reads the running count of /proc/loadavg five times and takes off the
run'"'"'s own runnable tasks (its ranks, their parent, their shards), so load
that has gone, and the run'"'"'s own ranks and shards, never count. A host
whose only problem at the start is load is waited for, up to --load-wait
seconds.

The recorded cases point the probe at a directory of /proc files
(DISTMPI_PROC_DIR, tests/data/proc/load-*), so their values are exact. The
real ones load this machine with busy loops and many ranks; as other work
may load it too, they set limits from what the machine shows before they
start, and wait with bounds rather than time anything.'

# Alone: the busy loops and the 128 ranks load the machine, and other
# scripts that time answers must not run beside them (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

# the default limits are what this file is about
unset DISTMPI_CONFIG

skip_all_unless_mpi

host=$(uname -n)
procs=$DISTMPI_SRCDIR/tests/data/proc
cores=$(nproc)

# run_limited SECONDS NP ARGS... - as run_distmpi, but ended after SECONDS
# (status 124), so that a wait that never ends fails the test instead of
# hanging it.
run_limited() {
	_limit=$1 _np=$2
	shift 2
	timeout -k 10 "$_limit" "$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 "$DISTMPI" "$@"
}

# run_recorded DIR ARGS... - distmpi on 2 ranks under the default limits,
# its probe reading the recorded files in DIR instead of /proc.
run_recorded() {
	_dir=$1
	shift
	timeout -k 10 60 "$MPIRUN" -np 2 --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		-x DISTMPI_PROC_DIR="$_dir" "$DISTMPI" "$@"
}

# ------------------------------------------------------------ recorded

test_expect_success 'a load average of 13.91 that has gone: the run starts' '
	rm -rf ran.* distmpi-runs &&
	run_recorded "$procs/load-gone" -n 2 --json gone.json -- \
		touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 2 &&
	! grep -E "is busy|unhealthy" out &&
	json_check gone.json "
p = j[\"hosts\"][0][\"health\"][\"last_probe\"]
assert p[\"load1\"] == 13.91 and p[\"other_load\"] == 1, p
"
'

test_expect_success 'the dry run shows both loads, the one judged second' '
	run_recorded "$procs/load-gone" -n 2 --dry-run -- true >out 2>err &&
	grep -E "^  $host +ok \(Disk: [0-9]+% free, Memory: 23\.0% used, CPU: Load 13\.91 \([0-9.]+/core\), other work 1\.00 \([0-9.]+/core\)\)$" out
'

test_expect_success 'other work on the CPUs now holds the host back, whatever the load average' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_recorded "$procs/load-busy" -n 2 --load-wait 0 -- \
		touch ran.{shard} >out 2>err &&
	grep -E "^distmpi: host $host is unhealthy and gets no shards: load [0-9.]+ per core from other work \(maximum 2\.00\)$" out &&
	grep "^distmpi: no healthy host: nothing runs" out &&
	! grep "is busy" out &&
	test "$(count_files ran.*)" -eq 0
'

test_expect_success 'a host busy only by its load is waited for, up to --load-wait, then dropped' '
	rm -rf ran.* distmpi-runs &&
	test_expect_code 3 run_recorded "$procs/load-busy" -n 2 --load-wait 1.5 -- \
		touch ran.{shard} >out 2>err &&
	grep -n -E "^distmpi: host $host is busy: load [0-9.]+ per core from other work \(maximum 2\.00\); waiting up to 1\.5 s$" out >busy &&
	grep -n "^distmpi: host $host is unhealthy and gets no shards: load" out >dropped &&
	test "$(cut -d: -f1 busy)" -lt "$(cut -d: -f1 dropped)" &&
	test "$(count_files ran.*)" -eq 0
'

test_expect_success 'a host that also fails another check is not waited for' '
	test_expect_code 3 run_recorded "$procs/load-busy" -n 2 --load-wait 60 --min-disk-free 100 \
		-- true >out 2>err &&
	! grep "is busy" out &&
	grep -E "^distmpi: host $host is unhealthy and gets no shards: disk .*; load [0-9.]+ per core from other work" out
'

test_expect_success 'a loadavg without the running count: the probe fails, naming the file' '
	test_expect_code 3 run_recorded "$procs/load-broken" -n 2 -- true >out 2>err &&
	grep -F "distmpi: host $host is unhealthy and gets no shards: probe failed: $procs/load-broken/loadavg: expected running/total tasks" out
'

test_expect_success 'a long path in the probe error is whole or ends in "...", never cut without a sign' '
	long=$PWD/$(printf "%0200d" 0 | tr 0 p)/$(printf "%0200d" 0 | tr 0 q) &&
	mkdir -p "$long" &&
	cp "$procs"/load-broken/* "$long"/ &&
	test_expect_code 3 run_recorded "$long" -n 2 -- true >out 2>err &&
	grep -F "distmpi: host $host is unhealthy and gets no shards: probe failed: $(printf %.100s "$long")" out >line &&
	{ grep -F "probe failed: $long/loadavg: expected running/total tasks" line ||
	  grep -E "\.\.\.$" line; }
'

# rank0_of MARK - the pid of rank 0 among the distmpi processes whose
# command line has MARK
rank0_of() {
	for _p in $(pgrep -f "$1"); do
		test "$(cat /proc/$_p/comm 2>/dev/null)" = distmpi &&
		tr "\0" "\n" </proc/$_p/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=0" &&
		echo $_p
	done
	return 0
}

test_expect_success 'a signal during the wait stops the run before it starts: 128 + N' '
	rm -rf ran.* distmpi-runs &&
	{ run_recorded "$procs/load-busy" -n 2 --load-wait 59.5 -- touch ran.{shard} \
		>sig.out 2>sig.err & } &&
	run_pid=$! &&
	i=0 &&
	while ! grep "is busy" sig.out >/dev/null && test $i -lt 300; do
		sleep 0.1
		i=$((i + 1))
	done &&
	rank0=$(rank0_of "load-wait 59.5") &&
	test -n "$rank0" &&
	kill -INT $rank0 &&
	test_expect_code 130 wait $run_pid &&
	grep "^distmpi: stopped by signal 2 while waiting for busy hosts$" sig.err &&
	test "$(count_files ran.*)" -eq 0 &&
	test ! -e distmpi-runs
'

test_expect_success '--load-wait -1 is refused' '
	expect_usage_error "load-wait.*-1" 2 --load-wait -1 -- true
'

test_expect_success 'load_wait in the configuration file' '
	printf "load_wait = 1.0;\n" >wait.conf &&
	test_expect_code 3 run_recorded "$procs/load-busy" --config wait.conf -n 2 -- true >out 2>err &&
	grep -E "is busy: .*; waiting up to 1 s$" out
'

# ------------------------------------------------------------ real load

# The other work on this machine now, per core, as a dry run judges it
# (the Health line). The limit of the real cases is well above it (8 per
# core, or 3 more than it is now): the other work of a shared machine comes
# in bursts, which must not pass the limit. Their busy loops and CPU-bound
# shards are more runnable tasks than that limit allows by themselves:
# counted as other work they are over it, whatever else runs. Only on small
# machines, where that is not too many processes.
run_distmpi 2 --dry-run --max-load 1000000 -n 2 -- true >baseline 2>&1
base=$(sed -n "s|^  $host .*, other work [0-9.]* (\([0-9.]*\)/core))$|\1|p" baseline)
if test -n "$base" && test "$cores" -le 8; then
	limit=$(awk -v b="$base" 'BEGIN { l = b + 3; if (l < 8) l = 8; printf "%.2f", l }')
	loops=$(awk -v l="$limit" -v c="$cores" 'BEGIN { printf "%d", l * c + 2 }')
	echo "# other work now: $base per core; the limit below: $limit; $loops busy loops or shards"
	test_set_prereq LOADABLE
elif test -n "$base"; then
	echo "# $cores cores: too many busy loops would be needed; the real cases are skipped"
else
	echo "# no baseline from the dry run:" && sed "s/^/# /" baseline
fi

# start_loops N - N busy loops outside the run, each ending by itself after
# 5 minutes at most; their pids in loops.pid.
start_loops() {
	: >loops.pid &&
	_i=0 &&
	while test $_i -lt "$1"; do
		timeout 300 sh -c "while :; do :; done" &
		echo $! >>loops.pid
		_i=$((_i + 1))
	done
}

stop_loops() {
	test -s loops.pid && kill $(cat loops.pid) 2>/dev/null
	rm -f loops.pid
	return 0
}

test_expect_success LOADABLE 'busy loops outside the run hold the host back; when they stop, a run starts' '
	test_when_finished stop_loops &&
	start_loops $loops &&
	rm -rf ran.* distmpi-runs &&
	# the default limit: the loops alone are over it
	test_expect_code 3 run_limited 120 2 -n 2 --load-wait 0 -- touch ran.{shard} \
		>held.out 2>held.err &&
	grep -E "^distmpi: host $host is unhealthy and gets no shards: load [0-9.]+ per core from other work \(maximum 2\.00\)$" held.out &&
	test "$(count_files ran.*)" -eq 0 &&
	# a run that is started now waits for the host and starts once they stop
	{ run_limited 200 2 -n 2 --max-load $limit --load-wait 150 --progress lines \
		-- touch ran.{shard} >after.out 2>after.err & } &&
	run_pid=$! &&
	i=0 &&
	while ! grep "is busy" after.out >/dev/null && test $i -lt 600; do
		sleep 0.1
		i=$((i + 1))
	done &&
	stop_loops &&
	wait $run_pid &&
	grep -E "^distmpi: host $host is busy: load [0-9.]+ per core from other work \(maximum $limit\); waiting up to 150 s$" after.out &&
	grep -E "^distmpi: host $host is no longer busy after [0-9.]+ s: load [0-9.]+ per core from other work$" after.out &&
	test "$(count_files ran.*)" -eq 2
'

# a shard that keeps a CPU busy for 3 seconds, then passes
cat >spin.sh <<-\EOF
	#!/bin/sh
	timeout 3 sh -c "while :; do :; done"
	exit 0
EOF

# more ranks than the limit allows runnable tasks, each with a CPU-bound
# shard, probed every second
test_expect_success LOADABLE 'CPU-bound shards on every slot never exclude the host by their load' '
	rm -rf distmpi-runs &&
	run_limited 200 $loops -n $((2 * loops)) --max-load $limit --health-interval 1 \
		--json spin.json -- sh "$PWD/spin.sh" >spin.out 2>spin.err &&
	grep "^$((2 * loops)) shards: $((2 * loops)) passed" spin.out &&
	! grep -E "excluded|unhealthy|is busy" spin.out &&
	json_check spin.json "
hh = j[\"hosts\"][0][\"health\"]
assert hh[\"events\"] == [] and hh[\"healthy\"] is True, hh
"
'

if test_have_prereq SANITIZED; then
	echo "# 128 ranks under the sanitizers are too slow on a small machine: the test of them is skipped"
fi
# as the issue ran it, with the default load limit: the ranks' own start-up
# is 64 runnable tasks per core for a moment. The other tests that make
# check runs beside this one are other work, rightly counted: a longer
# --load-wait lets a burst of theirs pass instead of failing the test.
test_expect_success !SANITIZED '128 ranks on this machine start and pass under the default limits' '
	rm -rf distmpi-runs &&
	timeout -k 10 500 "$MPIRUN" --oversubscribe -np 128 "$DISTMPI" -n 2000 --progress none \
		--load-wait 300 -- /bin/true >many.out 2>many.err &&
	grep "^2000 shards: 2000 passed" many.out &&
	! grep -E "unhealthy|excluded" many.out
'

test_done
