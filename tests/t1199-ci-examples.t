#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the CI examples: examples/ci/*.yml run as their CI would

The commands of the GitHub Actions workflow (its run: steps, in order, with
the job'"'"'s env) and of the GitLab CI job (its script:, with its variables)
run here as the runner would run them, with a hostfile of this machine and
stand-ins for npm and npx (a "Playwright" that writes a JUnit file of two
tests per shard where PLAYWRIGHT_JUNIT_OUTPUT_NAME says); mpirun is the
real one, with the options this machine needs. Then what the CI would keep
must be there: the artifacts and the JUnit report GitLab reads (every test
of every shard, valid against junit-10.xsd), and the job summary GitHub
shows.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON || ! python3 -c "import yaml" 2>/dev/null; then
	skip_all="python3 with yaml is needed to read the workflows (apt-get install python3-yaml)"
	test_done
fi

examples=$DISTMPI_SRCDIR/examples/ci
mkdir -p bin
ln -s "$DISTMPI" bin/distmpi
# mpirun as the example calls it, with what this machine needs; called by
# its full path, mpirun would put its own directory first in the ranks'
# PATH (--noprefix: the stand-ins below stay first)
cat >bin/mpirun <<EOF
#!/bin/sh
exec "$MPIRUN" --noprefix --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 \
	--mca odls_base_sigkill_timeout 0 "\$@"
EOF
cat >bin/npm <<-\EOF
	#!/bin/sh
	test "$1" = ci && touch npm-ci-ran
EOF
cat >bin/npx <<-\EOF
	#!/bin/sh
	# npx playwright test --shard=I/N --reporter=junit
	test "$1 $2" = "playwright test" || exit 2
	for a in "$@"; do case $a in --shard=*) s=${a#--shard=} ;; esac; done
	i=${s%/*}
	cat >"$PLAYWRIGHT_JUNIT_OUTPUT_NAME" <<-XML
	<testsuites><testsuite name="s$i.spec.ts">
	<testcase name="first of $i" classname="s$i.spec.ts"/>
	<testcase name="second of $i" classname="s$i.spec.ts"/>
	</testsuite></testsuites>
	XML
EOF
chmod +x bin/*
echo "localhost slots=2" >hosts
PATH=$PWD/bin:$PATH

# steps.py WHICH FILE: the commands of the example as one shell script, its
# environment as "export NAME=VALUE" lines first, HOSTFILE and SHARDS made
# local; and the files the CI keeps into kept.txt
cat >steps.py <<-\EOF
	import shlex, sys, yaml
	which, path = sys.argv[1:3]
	doc = yaml.safe_load(open(path))
	local = {"HOSTFILE": "hosts", "SHARDS": "4"}
	if which == "github":
	    (job,) = doc["jobs"].values()
	    env, cmds, kept = dict(job.get("env", {})), [], []
	    for step in job["steps"]:
	        if "run" in step:
	            cmds.append(step["run"])
	        elif step.get("uses", "").startswith("actions/upload-artifact"):
	            kept += step["with"]["path"].split()
	else:
	    (job,) = [v for k, v in doc.items() if isinstance(v, dict) and "script" in v]
	    env, cmds = dict(job.get("variables", {})), list(job["script"])
	    kept = list(job["artifacts"]["paths"]) + [job["artifacts"]["reports"]["junit"]]
	env.update(local)
	with open(which + ".sh", "w") as f:
	    f.write("set -e\n")
	    for k, v in env.items():
	        f.write("export %s=%s\n" % (k, shlex.quote(str(v))))
	    for c in cmds:
	        f.write(c.rstrip("\n") + "\n")
	open(which + ".kept", "w").write("\n".join(kept) + "\n")
EOF

# every_test JUNIT: the merged report holds the 8 tests of the 4 shards
every_test() {
	python3 - "$1" <<-\EOF
	import sys
	import xml.etree.ElementTree as ET
	cases = [c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")
	         if c.get("classname") != "distmpi.shard"]
	names = sorted(c.get("name") for c in cases)
	want = sorted("%s of %d" % (w, i) for i in range(1, 5) for w in ("first", "second"))
	assert names == want, names
	EOF
}

test_expect_success 'GitHub Actions: the run steps, the job summary and the artifacts' '
	mkdir gh && (cd gh && cp ../hosts . && python3 ../steps.py github "$examples/github-actions.yml") &&
	(cd gh && GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/summary.md bash github.sh >out 2>err) ||
	{ cat gh/out gh/err; false; } &&
	test -e gh/npm-ci-ran &&
	while read -r f; do test -s "gh/$f" || { echo "no artifact $f"; return 1; }; done <gh/github.kept &&
	test "$(wc -l <gh/github.kept)" -eq 3 &&
	grep "^## distmpi: passed (exit status 0)\$" gh/summary.md &&
	grep "^4 shards: 4 passed" gh/summary.md &&
	every_test gh/junit.xml &&
	if command -v xmllint >/dev/null; then
		xmllint --noout --schema "$DISTMPI_SRCDIR/tests/data/junit-10.xsd" gh/junit.xml
	fi
'

test_expect_success 'GitLab CI: the script, the artifacts and the JUnit report it reads' '
	mkdir gl && (cd gl && cp ../hosts . && python3 ../steps.py gitlab "$examples/gitlab-ci.yml") &&
	(cd gl && bash gitlab.sh >out 2>err) || { cat gl/out gl/err; false; } &&
	while read -r f; do test -s "gl/$f" || { echo "no artifact $f"; return 1; }; done <gl/gitlab.kept &&
	test "$(tail -n 1 gl/gitlab.kept)" = junit.xml &&
	every_test gl/junit.xml
'

test_done
