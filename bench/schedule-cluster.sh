#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# schedule-cluster.sh - bench/schedule.sh on uneven hosts: does distmpi put
# the long tasks on the fast hosts once the history knows them?
#
#   bench/schedule-cluster.sh [RUNS [TASKS [WORK [SEED [HOSTS]]]]]
#                                   (defaults: 3, 60, 16, 1, "4x1 2x2 2x4")
#
# Builds the namespace cluster of the tests (tests/sharness.d/cluster.sh):
# one host per word CORESxFACTOR of HOSTS, node1, node2, ..., each with its
# own network, hostname and sshd and a fake hwloc topology of CORES cores,
# so that mpirun -hostfile (no slots=) starts CORES ranks on it. A task
# `slow-sleep D` sleeps D seconds times its host's FACTOR (keyed on the
# hostname): by default node1 is a 4-core host at full speed, node2 a 2-core
# host at half speed and node3 a 2-core host at a quarter. The task list is
# bench/schedule.sh's (TASKS lognormal durations, WORK seconds in all at
# full speed, the longest tenth last, from SEED), and so are the rows, run
# from node1 with every rank of every host:
#   static, dynamic, history-1, history-2, history-3 (the history of the
#   two runs before: only then has a task run on more than one host),
#   static-history (the history history-3 had), and
#   parallel        GNU parallel from node1 with -S CORES/HOST for each host
#                   over ssh (--controlmaster), CORES/: for node1 itself
#                   (Debian package parallel; the row is left out when it is
#                   not installed)
# RUNS repetitions of all of them, each from no history. The lower bound
# counts each slot at its speed (1 / FACTOR): the largest over k of the k
# longest tasks over the k fastest slots' speeds, the last k being
# total work / total speed. Makespans are spans and the table is that of
# bench/schedule.sh; below it, where the longest tenth of the tasks ran in
# the last repetition.
#
# The fake hosts share this machine's cores; sleeps need none, so the
# figures are about where the tasks go, not about CPU. Needs root (network
# namespaces), ip, nsenter, unshare, ssh, ssh-keygen, /usr/sbin/sshd and
# python3. The defaults take about two and a half minutes.
#
# Exit status: 0 the target was met (the best history row within 5 % of the
# bound and no later than GNU parallel, medians), 1 it was not, 2 the
# measurement could not be made.
set -euo pipefail

bench_name=schedule-cluster
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=bench/schedule-lib.sh
. "$(dirname "$0")/schedule-lib.sh"

runs=${1:-3}
ntasks=${2:-60}
work=${3:-16}
seed=${4:-1}
hosts_spec=${5:-4x1 2x2 2x4}
target=1.05
whole_number RUNS "$runs"
whole_number TASKS "$ntasks"
whole_number WORK "$work"
whole_number SEED "$seed"
[ "$runs" -ge 1 ] || die "RUNS must be at least 1"
[ "$ntasks" -ge 1 ] || die "TASKS must be at least 1"
[ "$work" -ge 1 ] || die "WORK must be at least 1"

cores=() factors=()
for h in $hosts_spec; do
    case $h in
    [1-9]*x[0-9]*) ;;
    *) die "HOSTS: '$h' is not CORESxFACTOR (4x1, 2x2.5)" ;;
    esac
    c=${h%%x*} f=${h#*x}
    whole_number "cores of '$h'" "$c"
    awk -v f="$f" 'BEGIN { exit !(f + 0 > 0 && f ~ /^[0-9]+(\.[0-9]+)?$/) }' ||
        die "HOSTS: the factor of '$h' is not a positive number"
    cores+=("$c") factors+=("$f")
done
[ "${#cores[@]}" -ge 1 ] || die "HOSTS names no host"

# The cluster helpers are POSIX sh written for sharness: no -e, no -u.
cluster_fixture=$bench_here/tests/sharness.d/cluster.sh
[ -f "$cluster_fixture" ] || die "no $cluster_fixture"
# shellcheck source=tests/sharness.d/cluster.sh
. "$cluster_fixture"
MPIRUN=$(command -v "$mpirun")
CLUSTER_DIR=
cd "$tmp"
set +eu
cluster_check
ok=$?
set -eu
[ "$ok" -eq 0 ] || die "no namespace cluster here: $CLUSTER_SKIP_REASON"
set +eu
cluster_up "${cores[@]}"
ok=$?
set -eu
# cluster_up's exit trap ends in sharness's die; ours removes the cluster,
# then the temporary directory.
# shellcheck disable=SC2317 # called by the EXIT trap
schedule_cluster_cleanup() {
    set +eu
    cluster_down
    bench_cleanup
}
trap schedule_cluster_cleanup EXIT
trap 'exit 2' INT TERM HUP PIPE
[ "$ok" -eq 0 ] || die "the cluster did not come up: $CLUSTER_ERROR"

# slow-sleep D: D seconds times this host's factor. It forks nothing but
# the sleep where it can (the hostname read from /proc; a whole factor N as
# N arguments to sleep, which adds them up): a task's own start-up is time
# the bound does not count, and a hostname and an awk for each task cost
# about 8 ms of a 3-second bound. A factor with a fraction still takes awk.
# shellcheck disable=SC2016 # the $1 and $host written are the script's
{
    echo '#!/bin/sh'
    echo '# slow-sleep D: sleep D seconds times the factor of this host'
    echo 'read -r host </proc/sys/kernel/hostname'
    echo 'case $host in'
    for i in "${!cores[@]}"; do
        f=${factors[$i]}
        if [ "$(calc 'f == int(f)' f="$f")" = 1 ]; then
            n=$(calc 'int(f)' f="$f")
            echo "node$((i + 1))) exec sleep$(for _ in $(seq "$n"); do printf ' "$1"'; done) ;;"
        else
            printf 'node%d) exec sleep "$(awk -v d="$1" '\''BEGIN { printf "%%.3f", d * %s }'\'')" ;;\n' \
                "$((i + 1))" "$f"
        fi
    done
    echo 'esac'
    echo 'exec sleep "$1"'
} >"$tmp/slow-sleep"
chmod +x "$tmp/slow-sleep"

sleep_durations "$ntasks" "$seed" 0.6 0.9 6 "$work" >"$tmp/durations"
sed "s|^|$tmp/slow-sleep |" "$tmp/durations" >"$tmp/tasks"
speeds=() sshlogins=
np=0
for i in "${!cores[@]}"; do
    for _ in $(seq "${cores[$i]}"); do
        speeds+=("$(calc '1 / f' f="${factors[$i]}")")
    done
    np=$((np + cores[i]))
    if [ "$i" -eq 0 ]; then
        sshlogins="${cores[$i]}/:"
    else
        sshlogins="$sshlogins,${cores[$i]}/node$((i + 1))"
    fi
done
b=$(speed_bound "$tmp/durations" "${speeds[@]}")
cluster_hostfile "" >"$tmp/hosts"

# Everything runs in node1 (on-node1: on_host 1 as a command), from the
# cluster's mpirun wrapper (ssh to the other hosts, their network only, no
# binding, yielding ranks); parallel reaches the hosts with the cluster's
# ssh configuration.
cat >"$tmp/on-node1" <<EOF
#!/bin/sh
exec nsenter --net=/run/netns/$(cluster_ns 1) --uts=$CLUSTER_DIR/ns/node1.uts \\
    --mount=$CLUSTER_DIR/ns/node1.mnt --wd="\$PWD" \\
    env "HWLOC_SYNTHETIC=package:1 core:${cores[0]} pu:1" OMP_NUM_THREADS=${cores[0]} "\$@"
EOF
printf '#!/bin/sh\nexec ssh -F %s "$@"\n' "$CLUSTER_SSH_CONFIG" >"$tmp/cluster-ssh"
chmod +x "$tmp/on-node1" "$tmp/cluster-ssh"
launcher=$tmp/on-node1
mpirun=$CLUSTER_MPIRUN
mpirun_args="-hostfile $tmp/hosts"
parallel_args="--ssh $tmp/cluster-ssh --controlmaster -S $sshlogins"

rows="static dynamic history-1 history-2 history-3 static-history parallel"
if ! have_parallel; then
    note "GNU parallel is not installed: no parallel row (apt-get install parallel)"
    rows=${rows% parallel}
fi

bench_header
for i in "${!cores[@]}"; do
    note "node$((i + 1)): ${cores[$i]} cores (fake topology), tasks take ${factors[$i]} x their time"
done
note "$(wc -l <"$tmp/tasks") tasks (sleeps, lognormal, seed $seed, the longest tenth last):" \
    "$(awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.2f s in all, the longest %.2f s", s, m }' \
        "$tmp/durations") at full speed"
note "on $np ranks: lower bound with each slot's speed = ${b}s; $runs runs of each row, in turn"

# shellcheck disable=SC2086 # the list of rows, split on purpose
run_rows "$runs" "$tmp/tasks" "$np" $rows

echo
# shellcheck disable=SC2086 # the list of rows, split on purpose
print_rows "$b" $rows
print_prediction "$runs" "$tmp/tasks" "$np"
# where the longest tenth ran: the last row of each kind, by host
# shellcheck disable=SC2086 # the list of rows, split on purpose
python3 - "$tmp" "$runs" "$ntasks" $rows <<'PY'
import json, os, sys
tmp, rep, n, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
k = (n + 9) // 10
print("\nwhere the %d longest tasks ran (run %s):" % (k, rep))
for row in rows:
    path = os.path.join(tmp, "run-%s.%s" % (row, rep), "journal.jsonl")
    if not os.path.exists(path):
        continue
    hosts = {}
    with open(path) as f:
        next(f)
        for line in f:
            r = json.loads(line)
            if r["shard"] > n - k:
                hosts[r["host"]] = hosts.get(r["host"], 0) + 1
    print("  %-16s %s" % (row, " ".join("%s %d" % h for h in sorted(hosts.items()))))
PY
note "load average after: $(loadavg)"

best=- best_row=
for row in history-2 history-3; do
    m=$(row_median "$row")
    [ "$m" = - ] && continue
    if [ "$best" = - ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then
        best=$m best_row=$row
    fi
done
[ "$best" != - ] || die "no makespan for the history rows (no journal?)"
p=-
case " $rows " in *" parallel "*) p=$(row_median parallel) ;; esac
r=$(ratio "$best" "$b")
pct=$(calc 'sprintf("%.0f", 100 * (t - 1))' t="$target")
met=1
awk -v r="$r" -v t="$target" 'BEGIN { exit !(r <= t) }' || met=0
vs="no GNU parallel to compare with"
if [ "$p" != - ]; then
    vs="GNU parallel ${p}s"
    awk -v a="$best" -v b="$p" 'BEGIN { exit !(a <= b) }' || met=0
fi
what="$best_row within $pct % of the bound and no later than GNU parallel"
if [ "$met" = 1 ]; then
    echo "target: $what: met ($r; ${best}s, $vs)"
    exit 0
fi
echo "target: $what: MISSED ($r; ${best}s, $vs)"
exit 1
