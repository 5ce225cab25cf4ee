#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--schedule static and --dry-run over fake topologies

hwloc is told a fake topology through HWLOC_SYNTHETIC or HWLOC_XMLFILE
(tests/data/topo-16.xml: 16 cores), passed to every rank with mpirun -x.
--dry-run prints the hosts, cores and plan and runs nothing; the static plan
lists every shard exactly once, spread evenly over the host'"'"'s ranks; a real
static run puts each shard on the rank the plan named.

All ranks of these tests are on one host, so shares proportional to the
cores of several hosts are not shown here but in t3000-cluster.t, on four
hosts in network namespaces (16/24/4/4 shards of 48). The unit tests of the
plan cover the proportional arithmetic.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

topo16=$SHARNESS_TEST_SRCDIR/data/topo-16.xml
host=$(hostname)

# plan_of OUT - the static plan printed by --dry-run as "RANK SHARD" lines,
# sorted by shard.
plan_of() {
	awk '/^ *rank [0-9]+ \(slot [0-9]+\):/ {
		r = $2
		for (i = 5; i <= NF; i++) if ($i ~ /^[0-9]+$/) print r, $i
	}' "$1" | sort -k2,2n
}

test_expect_success 'HWLOC_SYNTHETIC: --dry-run reports 16 cores and runs nothing' '
	run_distmpi_x 4 HWLOC_SYNTHETIC="package:1 core:16 pu:1" \
		-n 12 --schedule static --dry-run -- touch ran.{shard} >out 2>err &&
	test_must_be_empty err &&
	test "$(count_files ran.*)" -eq 0 &&
	test ! -e distmpi-runs &&
	grep -E "^ +$host +16 +16 +4 " out
'

test_expect_success 'the dry-run plan lists all 12 shards once, 3 per rank' '
	plan_of out >plan &&
	cut -d" " -f2 plan >shards &&
	test_seq 1 12 >expect &&
	test_cmp expect shards &&
	cut -d" " -f1 plan | sort | uniq -c | awk "{ print \$1, \$2 }" >per-rank &&
	printf "3 0\n3 1\n3 2\n3 3\n" >expect &&
	test_cmp expect per-rank &&
	grep -E "^ +$host +12 shards" out
'

test_expect_success 'HWLOC_XMLFILE: the saved 16-core topology is used' '
	test -f "$topo16" &&
	run_distmpi_x 4 HWLOC_XMLFILE="$topo16" \
		-n 13 --schedule static --dry-run -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 0 &&
	grep -E "^ +$host +16 +16 +4 " out &&
	plan_of out >plan &&
	cut -d" " -f2 plan >shards &&
	test_seq 1 13 >expect &&
	test_cmp expect shards &&
	cut -d" " -f1 plan | sort | uniq -c | awk "{ print \$1 }" | sort -n | uniq -c |
		awk "{ print \$1, \$2 }" >counts &&
	printf "3 3\n1 4\n" >expect &&
	test_cmp expect counts
'

test_expect_success 'a synthetic topology with 2 PUs per core: cores and PUs' '
	run_distmpi_x 2 HWLOC_SYNTHETIC="package:2 core:4 pu:2" \
		-n 2 --dry-run -- true >out 2>err &&
	grep -E "^ +$host +8 +16 +2 " out
'

test_expect_success 'fewer shards than ranks: some ranks get none, each shard once' '
	run_distmpi_x 4 HWLOC_SYNTHETIC="package:1 core:16 pu:1" \
		-n 3 --schedule static --dry-run -- true >out 2>err &&
	plan_of out >plan &&
	cut -d" " -f2 plan >shards &&
	test_seq 1 3 >expect &&
	test_cmp expect shards &&
	test "$(cut -d" " -f1 plan | sort -u | wc -l)" -eq 3
'

test_expect_success 'dry run of the dynamic schedule: hosts, no per-rank plan, exit 0' '
	run_distmpi 3 -n 5 --dry-run -- touch ran.{shard} >out 2>err &&
	test "$(count_files ran.*)" -eq 0 &&
	grep -i "dynamic" out &&
	grep -E "^ +$host +[0-9]+ +[0-9]+ +3 " out &&
	! grep -E "^ *rank [0-9]+ \(slot" out
'

test_expect_success 'a dry run writes no JSON report and no run directory' '
	run_distmpi 2 -n 2 --dry-run --json dry.json --run-dir dry-runs -- true >out 2>err &&
	test ! -e dry.json &&
	test ! -e dry-runs
'

test_expect_success PYTHON 'a real static run: each rank runs the shards the plan gave it' '
	run_distmpi_x 4 HWLOC_SYNTHETIC="package:1 core:16 pu:1" \
		-n 12 --schedule static --dry-run -- true >dry 2>err &&
	plan_of dry >plan &&
	run_distmpi_x 4 HWLOC_SYNTHETIC="package:1 core:16 pu:1" \
		-n 12 --schedule static --json static.json -- \
		sh -c "echo {rank} >>ran.{shard}" >out 2>err &&
	test "$(count_files ran.*)" -eq 12 &&
	python3 -c "
import json
j = json.load(open(\"static.json\"))
assert j[\"schedule\"] == \"static\", j[\"schedule\"]
for s in j[\"shards\"]:
    print(s[\"rank\"], s[\"shard\"])
" | sort -k2,2n >ran &&
	test_cmp plan ran &&
	for i in $(test_seq 1 12); do
		test "$(wc -l <ran.$i)" -eq 1 &&
		test "$(cat ran.$i)" = "$(awk -v s=$i "\$2 == s { print \$1 }" plan)" ||
		return 1
	done
'

test_expect_success PYTHON 'a static run with retries keeps each shard on its rank' '
	run_distmpi 3 -n 6 --schedule static --dry-run -- true >dry 2>err &&
	plan_of dry >plan &&
	test_expect_code 1 run_distmpi 3 -n 6 --schedule static --backoff 0 --json sr.json -- \
		sh -c "test {shard} -ne 4" >out 2>err &&
	python3 -c "
import json
for s in json.load(open(\"sr.json\"))[\"shards\"]:
    print(s[\"rank\"], s[\"shard\"])
" | sort -k2,2n >ran &&
	test_cmp plan ran
'

test_done
