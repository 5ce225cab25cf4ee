# SPDX-License-Identifier: BSD-3-Clause
# playwright.sh - sharness helpers for the tests that run the Playwright
# example (examples/playwright) through distmpi: t4000-playwright.t on
# this machine, t3020-cluster-playwright.t on the namespace cluster.
#
# Sourced by sharness into every test script, so this file only defines
# functions; nothing happens until a script calls pw_start_or_skip.
#
#   pw_start_or_skip DIR   node 18 or later, npm and chromium are here (with
#                          CI=true their absence fails the script, else it
#                          is skipped), copies the example to DIR and runs
#                          npm ci there (skipped when the npm registry
#                          cannot be reached, failed for any other error)
#   pw_copy_example DIR    the example as committed, writable
#   pw_free_base N         N consecutive free ports on 127.0.0.1
#   pw_listed DIR          the tests "playwright test --list" finds in DIR
#   pw_junit_check ...     the merged JUnit report against that list

pw_start_or_skip() {
	: "${CHROMIUM_PATH:=/usr/bin/chromium}"
	export CHROMIUM_PATH
	_pw_missing=
	command -v node >/dev/null 2>&1 || _pw_missing="$_pw_missing node"
	command -v npm >/dev/null 2>&1 || _pw_missing="$_pw_missing npm"
	test -x "$CHROMIUM_PATH" || _pw_missing="$_pw_missing chromium ($CHROMIUM_PATH)"
	if test -z "$_pw_missing" &&
		! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
		_pw_missing=" node 18 or later (this is $(node --version))"
	fi
	if test -n "$_pw_missing"; then
		# install-deps.sh installs them: with CI=true their absence is a
		# broken setup, not a reason to skip.
		if test "$CI" = true; then
			test_expect_success 'node, npm and chromium are installed (CI=true)' '
				echo "missing:$_pw_missing (scripts/install-deps.sh installs them)" &&
				false
			'
			test_done
		fi
		skip_all="missing:$_pw_missing (install nodejs, npm and chromium: scripts/install-deps.sh)"
		test_done
	fi
	if ! pw_copy_example "$1"; then
		skip_all="cannot copy $DISTMPI_SRCDIR/examples/playwright"
		test_done
	fi
	# A registry that cannot be reached is a reason to skip, any other
	# failure of npm ci is not.
	if ! (cd "$1" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
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
}

# pw_copy_example DIR - the example as committed (no node_modules or reports
# a run by hand may have left in the source tree).
pw_copy_example() {
	mkdir -p "$1" &&
	(cd "$DISTMPI_SRCDIR/examples/playwright" && tar -cf - --exclude=./node_modules --exclude=./out \
		--exclude=./test-results --exclude=./.distmpi --exclude=./distmpi-runs .) |
		(cd "$1" && tar -xf -) &&
	# writable, also when the source tree is not (make distcheck)
	chmod -R u+w "$1"
}

# pw_free_base N - a port P, P+1, ..., P+N-1 all free on 127.0.0.1 now: the
# web servers of the slots, away from another run of this script (another
# build on this machine) and from anything listening here.
pw_free_base() {
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

# pw_listed DIR - the tests "playwright test --list" finds in DIR, as
# "project<TAB>file<TAB>title" lines (what its JUnit report names
# "[project] title" with classname file).
pw_listed() {
	(cd "$1" && npx playwright test --list) >list.out 2>&1 || {
		cat list.out
		return 1
	}
	sed -n 's/^ *\[\([a-z]*\)\] › \([^:]*\):[0-9]*:[0-9]* › \(.*\)$/\1	\2	\3/p' list.out
}

# pw_junit_check JUNIT LISTED JSON [BROKEN] - the merged report has, besides
# one test case per shard, exactly the tests LISTED names, each once, with
# its outcome: every one passed except the flaky test, which has a
# <flakyFailure> for its first attempt, and BROKEN (a title), which
# failed on the mobile project with a <rerunFailure> for its retry. The
# counts agree, and every shard's JUnit file was collected (JSON).
pw_junit_check() {
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
