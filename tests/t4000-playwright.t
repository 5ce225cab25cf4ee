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
and the run still exits 0. A copy with a test that fails on the mobile
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

# node, npm and chromium: install-deps.sh installs them, so with CI=true
# their absence is a broken setup, not a reason to skip.
: "${CHROMIUM_PATH:=/usr/bin/chromium}"
export CHROMIUM_PATH
missing=
command -v node >/dev/null 2>&1 || missing="$missing node"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
test -x "$CHROMIUM_PATH" || missing="$missing chromium ($CHROMIUM_PATH)"
if test -z "$missing" &&
	! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
	missing=" node 18 or later (this is $(node --version))"
fi
if test -n "$missing"; then
	if test "$CI" = true; then
		test_expect_success 'node, npm and chromium are installed (CI=true)' '
			echo "missing:$missing (scripts/install-deps.sh installs them)" &&
			false
		'
		test_done
	fi
	skip_all="missing:$missing (install nodejs, npm and chromium: scripts/install-deps.sh)"
	test_done
fi

src=$DISTMPI_SRCDIR/examples/playwright
trash=$PWD
xsd=$DISTMPI_SRCDIR/tests/data/junit-10.xsd
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

# copy_example DIR - the example as committed (no node_modules or reports
# a run by hand may have left in the source tree).
copy_example() {
	mkdir -p "$1" &&
	(cd "$src" && tar -cf - --exclude=./node_modules --exclude=./out \
		--exclude=./test-results --exclude=./.distmpi --exclude=./distmpi-runs .) |
		(cd "$1" && tar -xf -) &&
	# writable, also when the source tree is not (make distcheck)
	chmod -R u+w "$1"
}

copy_example example || {
	skip_all="cannot copy $src"
	test_done
}
# npm ci once; the broken copy shares these node_modules. A registry that
# cannot be reached is a reason to skip, any other failure is not.
if ! (cd example && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
	--prefer-offline) >npm-ci.out 2>&1; then
	if ! npm ping >npm-ping.out 2>&1; then
		skip_all="the npm registry cannot be reached ($(npm config get registry)): npm ci could not install @playwright/test"
		test_done
	fi
	test_expect_success 'npm ci installs the locked @playwright/test' '
		cat npm-ci.out && false
	'
	test_done
fi

# free_base N - a port P, P+1, ..., P+N-1 all free on 127.0.0.1 now: the
# web servers of the slots, away from another run of this script (another
# build on this machine) and from anything listening here.
free_base() {
	python3 - "$1" <<-\EOF
	import random, socket, sys
	n = int(sys.argv[1])
	for _ in range(200):
	    base = random.randrange(20000, 30000 - n)
	    try:
	        socks = []
	        for p in range(base, base + n):
	            s = socket.socket()
	            socks.append(s)
	            s.bind(("127.0.0.1", p))
	        print(base)
	        sys.exit(0)
	    except OSError:
	        pass
	    finally:
	        for s in socks:
	            s.close()
	sys.exit(1)
	EOF
}

# run_example DIR SHARDS ARGS... - DIR/run.sh, SHARDS shards on 2 ranks
# with this build, ARGS for distmpi; its status is the script's. The web
# servers' base port goes to DIR.port.
run_example() {
	_dir=$1
	_shards=$2
	shift 2
	_base=$(free_base 2) || return 1
	echo "$_base" >"$_dir.port"
	DISTMPI="$DISTMPI" MPIRUN="$MPIRUN" SLOTS=2 SHARDS=$_shards BASE_PORT=$_base \
		timeout -k 10 900 sh "$_dir/run.sh" --progress lines "$@"
}

# listed DIR - the tests "playwright test --list" finds in DIR, as
# "project<TAB>file<TAB>title" lines (what its JUnit report names
# "[project] title" with classname file).
listed() {
	(cd "$1" && npx playwright test --list) >list.out 2>&1 || {
		cat list.out
		return 1
	}
	sed -n 's/^ *\[\([a-z]*\)\] › \([^:]*\):[0-9]*:[0-9]* › \(.*\)$/\1	\2	\3/p' list.out
}

# junit_check JUNIT LISTED JSON [BROKEN] - the merged report has, besides
# one test case per shard, exactly the tests LISTED names, each once, with
# its outcome: every one passed except the flaky test, which has a
# <flakyFailure> for its first attempt, and BROKEN (a title), which
# failed on the mobile project with a <rerunFailure> for its retry. The
# counts agree, and every shard's JUnit file was collected (JSON).
junit_check() {
	python3 - "$@" <<-\EOF
	import json, sys
	import xml.etree.ElementTree as ET
	junit, listed, report = sys.argv[1:4]
	broken = sys.argv[4] if len(sys.argv) > 4 else None
	FLAKY = "shows the service status (flaky: the first attempt meets a 503)"
	want = {}
	for line in open(listed):
	    project, file, title = line.rstrip("\n").split("\t")
	    want[(f"[{project}] {title}", file)] = project
	projects = sorted(set(want.values()))
	assert projects == ["desktop", "mobile", "tablet"], projects
	per = [sum(1 for p in want.values() if p == x) for x in projects]
	assert per[0] == per[1] == per[2] and per[0] > 0, per
	print(f"listed: {per[0]} tests x {len(projects)} projects = {len(want)}")
	assert any(n.endswith(FLAKY) for n, _ in want), "the flaky test is not listed"

	root = ET.parse(junit).getroot()
	j = json.load(open(report))
	shards = j["shards"]
	seen = {}
	shard_cases = 0
	for suite in root.findall("testsuite"):
	    for case in suite.findall("testcase"):
	        if case.get("classname") == "distmpi.shard":
	            shard_cases += 1
	            continue
	        key = (case.get("name"), case.get("classname"))
	        assert key in want, f"not a listed test: {key}"
	        assert key not in seen, f"listed twice: {key}"
	        seen[key] = [c.tag for c in case]
	missing = sorted(set(want) - set(seen))
	assert not missing, f"{len(missing)} tests missing from the merged report: {missing[:5]}"
	assert shard_cases == len(shards), (shard_cases, len(shards))

	failed = 0
	also_flaky = []
	for (name, file), tags in sorted(seen.items()):
	    project = want[(name, file)]
	    title = name[len(project) + 3:]
	    outcome = set(tags) & {"failure", "error", "skipped"}
	    if broken and title == broken and project == "mobile":
	        assert tags.count("failure") == 1 and tags.count("rerunFailure") == 1, (name, tags)
	        failed += 1
	    elif title == FLAKY:
	        assert not outcome, (name, tags)
	        assert tags.count("flakyFailure") == 1, (name, tags)
	    else:
	        assert not outcome, (name, tags)
	        if {"flakyFailure", "flakyError"} & set(tags):
	            also_flaky.append(name)
	if also_flaky:
	    print("note: flaky under this load as well (passed on the retry):", also_flaky)
	assert failed == (1 if broken else 0), failed

	# the counts: one test case per shard and one per test
	assert int(root.get("tests")) == len(shards) + len(want), (root.get("tests"), len(want))
	assert int(root.get("failures")) == failed + (1 if broken else 0), root.get("failures")
	assert int(root.get("errors")) == 0, root.get("errors")
	# every shard's own report arrived, from the attempt that counted
	for s in shards:
	    c = s["collected"]
	    assert len(c) == 1 and c[0]["error"] is None, (s["shard"], c)
	print(f"merged: {len(seen)} tests, {failed} failed, flaky: {FLAKY} in every project")
	EOF
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
	listed example >tests.tsv &&
	junit_check example/out/junit.xml tests.tsv example/out/report.json
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

# A copy whose suite has one test that fails on phones, on every attempt.
test_expect_success 'a test failing on one project fails the run (exit 1)' '
	copy_example broken &&
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
	listed broken >broken.tsv &&
	junit_check broken/out/junit.xml broken.tsv broken/out/report.json \
		"the page is wider than a phone"
'

test_done
