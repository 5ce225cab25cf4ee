#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='hundreds of ranks: open files and the start-up wait

Every rank raises its soft limit on open files to the hard limit. Rank 0
keeps at most a bounded number of logs open at once, however many ranks
write (DISTMPI_MAX_OPEN_LOGS makes the bound small here), and every log is
still complete. While rank 0 prepares the run, the other ranks wait for it
without spinning a core (DISTMPI_TEST_DELAY_START stands for a slow
preparation: a large task file or journal).'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

hard=$(ulimit -H -n)
test "$hard" = unlimited && hard=$(cat /proc/sys/fs/nr_open)
test "$hard" -gt 256 2>/dev/null && test_set_prereq RAISABLE

test_expect_success RAISABLE 'every rank raises its soft limit on open files to the hard limit; its shards get 256 back' '
	(
		ulimit -S -n 256 &&
		run_distmpi 2 -n 2 --logs lim -- \
			sh -c "grep \"^Max open files\" /proc/\$PPID/limits; ulimit -S -n" >out 2>err
	) &&
	for s in 1 2; do
		test "$(sed -n 2p lim/shard-$s/attempt-1.log)" = 256 &&
		set -- $(head -1 lim/shard-$s/attempt-1.log) &&
		test "$4" = "$hard" || return 1
	done &&
	! grep "limit on open files" err
'

# A shard writes its rank's /proc stat and the uptime when it starts: the
# rank's CPU time (user + system) and its age then.
cat >stat.sh <<\EOF
cat /proc/$PPID/stat >"$1/stat.$DISTMPI_RANK" && cat /proc/uptime >"$1/up.$DISTMPI_RANK"
EOF

# rank_cpu DIR RANK - "CPU AGE" of RANK when its shard started, in seconds.
rank_cpu() {
	awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { up = $1; next }
		{ printf "%.2f %.2f\n", ($14 + $15) / hz, up - $22 / hz }' \
		"$1/up.$2" "$1/stat.$2"
}

# Two ranks, not oversubscribed, so that Open MPI does not make a rank
# blocked in a collective yield (mpi_yield_when_idle): a rank spinning in a
# blocking MPI_Bcast then takes a core, or its share of one on a busy
# machine (40-80 % of the wait here); a polled one about 0.6 %.
test_expect_success 'a rank waiting for a slow rank 0 at start-up spins no core' '
	mkdir cpu &&
	DISTMPI_TEST_DELAY_START=10 "$MPIRUN" -np 2 --oversubscribe --bind-to none \
		--mca odls_base_sigkill_timeout 0 "$DISTMPI" -n 2 --logs cpulogs -- \
		sh "$PWD/stat.sh" "$PWD/cpu" >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	rank_cpu cpu 1 >cpu.1 &&
	cat cpu.1 &&
	# it waited the 10 s, and used less than a tenth of its age, give or
	# take a second for MPI_Init (a sanitized build, a busy machine)
	awk "{ exit !(\$2 >= 10 && \$1 < 1 + \$2 / 10) }" cpu.1
'

test_expect_success 'a bad DISTMPI_TEST_DELAY_START is said and ignored' '
	DISTMPI_TEST_DELAY_START=soon run_distmpi 2 -n 2 -- true >out 2>err &&
	grep "^distmpi: ignoring DISTMPI_TEST_DELAY_START=soon: not 0 to 600 seconds" err
'

# log_fds PID - how many of PID's descriptors are open logs.
log_fds() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c "/attempt-[0-9]*\.log\$"
}

test_expect_success 'more ranks write logs at once than rank 0 keeps open: every log is whole' '
	printf "%s\n" 1 2 3 4 5 6 7 8 9 10 11 12 >shards &&
	DISTMPI_MAX_OPEN_LOGS=3 "$MPIRUN" -np 8 --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		"$DISTMPI" -n 12 --logs many -- \
		sh -c "for i in 1 2 3 4 5 6; do echo {shard} line \$i; printf \"\\\\0\\\\377 \"; sleep 0.3; done; echo {shard} done >&2" \
		>out 2>err &
	mp=$! &&
	echo 0 >most &&
	while pid_running $mp; do
		for p in $(pgrep -P $mp); do
			cat "/proc/$p/environ" 2>/dev/null | tr "\0" "\n" |
				grep -qx OMPI_COMM_WORLD_RANK=0 || continue
			n=$(log_fds $p)
			test "$n" -gt "$(cat most)" && echo "$n" >most
		done
		sleep 0.1
	done &&
	wait $mp &&
	grep "^12 shards: 12 passed" out &&
	echo "at most $(cat most) logs open" &&
	test "$(cat most)" -ge 1 && test "$(cat most)" -le 3 &&
	for s in $(cat shards); do
		for i in 1 2 3 4 5 6; do
			echo "$s line $i" && printf "\0\377 "
		done >expect &&
		echo "$s done" >>expect &&
		cmp expect many/shard-$(printf %02d $s)/attempt-1.log || return 1
	done
'

test_expect_success 'a bad DISTMPI_MAX_OPEN_LOGS is said and ignored' '
	DISTMPI_MAX_OPEN_LOGS=0 run_distmpi 2 -n 2 --logs bad -- echo hi >out 2>err &&
	grep "^distmpi: ignoring DISTMPI_MAX_OPEN_LOGS=0: not a positive number" err &&
	grep -x hi bad/shard-1/attempt-1.log
'

test_done
