#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the Playwright example, run through distmpi, down to every test

examples/playwright is copied here and run with its own run.sh: 4 shards
of "npx playwright test --shard={shard}/{total}" on 2 ranks, each shard
with its own web server port ({slot}) and its own output directory, its
JUnit file collected and merged into out/junit.xml. Checked with python3:
the merged report lists every test that "playwright test --list" lists,
in each of the three projects, exactly once, with its outcome; the test
that fails on its first attempt is marked <flakyFailure> in every project
and the run still exits 0. Run again with the spec files as work items
(ITEMS=1: --items-command and "npx playwright test {items}"), the same
tests, each once. A copy with a test that fails on the mobile
project only exits 1, and the report shows that test failed (with the
failed retry) there and passed in the other projects.

Needs node (18 or later), npm, Debian'"'"'s chromium and the npm registry
(npm ci installs @playwright/test at the version of the lockfile; no
browser is downloaded). Without the registry the script is skipped; with
CI=true a missing node, npm or chromium is a failure.'

# Alone: two browsers at once load this machine's cores (docs/testing.md).
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

# node, npm, chromium and the npm registry (tests/sharness.d/playwright.sh);
# the broken copy below shares these node_modules
pw_start_or_skip example

# run_example DIR SHARDS ARGS... - DIR/run.sh, SHARDS shards on 2 ranks
# with this build, ARGS for distmpi; its status is the script's. The web
# servers' base port goes to DIR.port.
run_example() {
	_dir=$1
	_shards=$2
	shift 2
	_base=$(pw_free_base 2) || return 1
	echo "$_base" >"$_dir.port"
	DISTMPI="$DISTMPI" MPIRUN="$MPIRUN" SLOTS=2 SHARDS=$_shards BASE_PORT=$_base \
		timeout -k 10 900 sh "$_dir/run.sh" --progress lines "$@"
}

test_expect_success 'run.sh runs the suite through distmpi and exits 0' '
	run_example example 4 >run.out 2>run.err ||
	{ cat run.out run.err; false; } &&
	cat run.out &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed, 0 timed out, 0 crashed, 0 exec errors, 0 lost" run.out &&
	test -s example/out/junit.xml &&
	test -s example/out/report.json &&
	test -s example/out/report.html
'

test_expect_success 'the merged JUnit has every test of every project, the flaky one marked' '
	pw_listed example >tests.tsv &&
	pw_junit_check example/out/junit.xml tests.tsv example/out/report.json
'

test_expect_success XMLLINT 'the merged JUnit validates against junit-10.xsd' '
	xmllint --noout --schema "$xsd" example/out/junit.xml
'

test_expect_success 'the shards ran side by side, each with the web server of its slot' '
	base=$(cat example.port) &&
	json_check example/out/report.json "
assert j[\"exit_status\"] == 0 and j[\"summary\"][\"passed\"] == 4, j[\"summary\"]
assert sorted({s[\"slot\"] for s in j[\"shards\"]}) == [0, 1], [s[\"slot\"] for s in j[\"shards\"]]
for s in j[\"shards\"]:
    log = open(s[\"log\"]).read()
    want = \"on http://127.0.0.1:%d/\" % ($base + s[\"slot\"])
    assert want in log, (s[\"shard\"], s[\"slot\"], want)
    assert \" passed (\" in log, s[\"shard\"]
"
'

test_expect_success 'the spec files as work items (ITEMS=1): every test again, once' '
	rm -rf example/out &&
	(ITEMS=1 && export ITEMS && run_example example 4 >items.out 2>items.err) ||
	{ cat items.out items.err; false; } &&
	grep "^4 shards: 4 passed (0 flaky), 0 failed" items.out &&
	pw_junit_check example/out/junit.xml tests.tsv example/out/report.json &&
	# the batches ran the spec files by name, each file in one batch
	python3 - example/out/runs/journal.jsonl <<-\EOF
	import json, sys
	tasks = json.loads(open(sys.argv[1]).readline())["tasks"]
	words = sorted(w for t in tasks for w in t.split() if w.startswith("tests/"))
	assert words == ["tests/catalog.spec.ts", "tests/contact.spec.ts",
	                 "tests/home.spec.ts", "tests/status.spec.ts",
	                 "tests/todo.spec.ts"], tasks
	EOF
'

# A copy whose suite has one test that fails on phones, on every attempt.
test_expect_success 'a test failing on one project fails the run (exit 1)' '
	pw_copy_example broken &&
	ln -s "$trash/example/node_modules" broken/node_modules &&
	rm broken/tests/home.spec.ts broken/tests/todo.spec.ts broken/tests/contact.spec.ts \
		broken/tests/catalog.spec.ts &&
	cat >broken/tests/broken.spec.ts <<-\EOF &&
	import { test, expect } from "@playwright/test";
	test("the page is wider than a phone", async ({ page }) => {
	  await page.goto("/");
	  expect(page.viewportSize()!.width, "fails on phones, every time").toBeGreaterThan(600);
	});
	EOF
	test_expect_code 1 run_example broken 2 --retries 0 >broken.out 2>broken.err &&
	cat broken.out &&
	grep "^2 shards: 1 passed (0 flaky), 1 failed" broken.out &&
	pw_listed broken >broken.tsv &&
	pw_junit_check broken/out/junit.xml broken.tsv broken/out/report.json \
		"the page is wider than a phone"
'

test_done
