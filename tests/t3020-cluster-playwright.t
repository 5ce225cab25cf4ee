#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the Playwright example across two hosts of the namespace cluster

examples/playwright is copied here (the shared filesystem) and run with
its own run.sh through mpirun on node1 with a hostfile of node1 and node2,
one slot each: every shard starts its web server and Chromium on the host
that runs it, both hosts on the same port (each host has its own network),
and distmpi collects each shard'"'"'s JUnit file from the host that wrote it.
Checked with python3: the merged report lists every test of every project
exactly once, all passed, the flaky test marked <flakyFailure> in every
project; both hosts ran shards, and each shard'"'"'s web server said it
served on its host.

Needs root and namespaces (tests/sharness.d/cluster.sh), node 18 or later,
npm, Debian'"'"'s chromium and the npm registry
(tests/sharness.d/playwright.sh).'

# Alone: browsers on two hosts at once load this machine's cores
# (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the reports"
	test_done
fi
trash=$PWD
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

# npm ci here, before the cluster: its hosts reach nothing outside
pw_start_or_skip example
cluster_start_or_skip 2 2
cluster_hostfile 1 >hosts

# The machine's real load, shared by the fake hosts, must not make a host
# look overloaded.
limits="--max-load 1000000 --max-memory-used 100"

test_expect_success 'run.sh on two hosts: every shard passes' '
	on_host 1 env DISTMPI="$DISTMPI" MPIRUN="$CLUSTER_MPIRUN" HOSTFILE="$trash/hosts" \
		SHARDS=4 BASE_PORT=4100 timeout -k 10 900 sh example/run.sh --progress lines $limits \
		>run.out 2>run.err ||
	{ cat run.out run.err; false; } &&
	cat run.out &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost" run.out
'

test_expect_success 'the merged JUnit has every test of every project, the flaky one marked' '
	pw_listed example >tests.tsv &&
	pw_junit_check example/out/junit.xml tests.tsv example/out/report.json
'

test_expect_success XMLLINT 'the merged JUnit validates against junit-10.xsd' '
	xmllint --noout --schema "$xsd" example/out/junit.xml
'

test_expect_success 'each host ran shards with a web server of its own, on the same port' '
	json_check example/out/report.json "
assert j[\"exit_status\"] == 0, j[\"exit_status\"]
hosts = {s[\"host\"] for s in j[\"shards\"]}
assert hosts == {\"node1\", \"node2\"}, hosts
for s in j[\"shards\"]:
    assert s[\"slot\"] == 0, s
    log = open(s[\"log\"]).read()
    want = \"on http://127.0.0.1:4100/ (host %s)\" % s[\"host\"]
    assert want in log, (s[\"shard\"], s[\"host\"], want)
"
'

test_expect_success 'the spec files as work items (ITEMS=1) on two hosts: every test again' '
	rm -rf example/out &&
	on_host 1 env DISTMPI="$DISTMPI" MPIRUN="$CLUSTER_MPIRUN" HOSTFILE="$trash/hosts" \
		ITEMS=1 SHARDS=4 BASE_PORT=4100 timeout -k 10 900 sh example/run.sh --progress lines \
		$limits >items.out 2>items.err ||
	{ cat items.out items.err; false; } &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed" items.out &&
	pw_junit_check example/out/junit.xml tests.tsv example/out/report.json &&
	json_check example/out/report.json "
assert {s[\"host\"] for s in j[\"shards\"]} == {\"node1\", \"node2\"}, j[\"shards\"]
"
'

test_done
