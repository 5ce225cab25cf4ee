#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--html FILE: a self-contained HTML report, rendered by headless Chromium

A real run with a pass, a failure with a retry and distinctive output, a
flaky shard (a marker file makes its first attempt fail), a timeout, an exec
error and a shard that prints markup writes --html, --json and --junit. The
HTML file must need nothing from outside (no URL, script, import), parse as
XML, and, rendered by Debian'"'"'s chromium (--dump-dom and --screenshot),
show the same counts, hosts, one timeline bar per attempt and the failures
as the JSON report of the same run. Chromium is a prerequisite; with CI=true
a missing chromium is a failure, not a skip.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the reports"
	test_done
fi

# CHROMIUM may name the browser; by default Debian's chromium from PATH.
: "${CHROMIUM=$(command -v chromium 2>/dev/null)}"
if test -n "$CHROMIUM" && test -x "$CHROMIUM"; then
	test_set_prereq CHROMIUM
elif test "$CI" = true; then
	test_expect_success 'chromium is installed (CI=true: scripts/install-deps.sh installs it)' '
		echo "chromium not found in PATH; CI must install Debian'"'"'s chromium package" &&
		false
	'
else
	echo "# chromium not found: the rendering tests are skipped (install Debian's" \
		"chromium package, as scripts/install-deps.sh does)"
fi
command -v xmllint >/dev/null 2>&1 && test_set_prereq XMLLINT

# chromium_run ARGS... URL - headless Chromium from Debian, no sandbox (the
# tests may run as root), no GPU, its own profile; its chatter (dbus, GPU)
# goes to chromium.err. Chromium can be slow to start on a loaded machine.
chromium_run() {
	_profile=$(mktemp -d "$PWD/chromium-profile.XXXXXX") &&
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--disable-background-networking --no-first-run --user-data-dir="$_profile" \
		"$@" 2>>chromium.err
}

# dom_check DOM JSON PYTHON - run PYTHON (asserts) with j bound to the JSON
# report, shards to its shards by number, and, from the DOM that Chromium
# dumped: count[ID] (the summary numbers), hosts (each host row'"'"'s cells),
# rows (the timeline rows'"'"' labels), bars (each attempt bar'"'"'s classes and
# title), failures (the failure articles by id, as text) and tails (the
# log tail text of each failure by id).
dom_check() {
	python3 - "$1" "$2" "$3" <<-\EOF
	import json, sys
	from html.parser import HTMLParser
	VOID = {"meta", "link", "br", "img", "hr", "input", "wbr", "source"}
	class Node:
	    def __init__(self, tag, attrs):
	        self.tag, self.attrs, self.kids = tag, dict(attrs), []
	    def text(self):
	        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)
	    def cls(self):
	        return self.attrs.get("class", "").split()
	    def all(self):
	        yield self
	        for k in self.kids:
	            if not isinstance(k, str):
	                yield from k.all()
	class Tree(HTMLParser):
	    def __init__(self):
	        super().__init__(convert_charrefs=True)
	        self.root = Node("#root", [])
	        self.stack = [self.root]
	    def handle_starttag(self, tag, attrs):
	        n = Node(tag, attrs)
	        self.stack[-1].kids.append(n)
	        if tag not in VOID:
	            self.stack.append(n)
	    def handle_endtag(self, tag):
	        for i in range(len(self.stack) - 1, 0, -1):
	            if self.stack[i].tag == tag:
	                del self.stack[i:]
	                break
	    def handle_data(self, data):
	        self.stack[-1].kids.append(data)
	t = Tree()
	with open(sys.argv[1], encoding="utf-8") as f:
	    t.feed(f.read())
	nodes = list(t.root.all())
	with open(sys.argv[2]) as f:
	    j = json.load(f)
	shards = {s["shard"]: s for s in j["shards"]}
	count = {n.attrs["id"][6:]: int(n.kids[0].text()) for n in nodes
	         if n.attrs.get("id", "").startswith("count-")}
	hosts = [[c.text().strip() for c in n.kids if not isinstance(c, str)]
	         for n in nodes if n.tag == "tr" and n.cls() == ["host"]]
	rows = [[c for c in n.kids if not isinstance(c, str)] for n in nodes
	        if n.tag == "div" and n.cls() == ["row"]]
	rows = [(r[0].text(), r[1]) for r in rows]
	bars = [(n.cls(), n.attrs.get("title", "")) for n in nodes
	        if n.tag == "span" and "bar" in n.cls()]
	failures = {n.attrs["id"]: n.text() for n in nodes
	            if n.tag == "article" and "failure" in n.cls()}
	tails = {n.attrs["id"]: "".join(p.text() for p in n.all() if p.tag == "pre")
	         for n in nodes if n.tag == "article" and "failure" in n.cls()}
	exec(sys.argv[3])
	EOF
}

test_expect_success 'a run with mixed outcomes writes the HTML report' '
	{
		echo "true" &&
		echo "echo ZORBLAX-7 widget count 3 is not 4; exit 3" &&
		echo "test -e \"$PWD/flaky.marker\" || { : >\"$PWD/flaky.marker\"; exit 1; }" &&
		echo "sleep 30" &&
		echo "/nonexistent/command" &&
		echo "echo \"</pre><script>document.title=1</script>\"; exit 1" &&
		echo "sleep 0.3"
	} >mixed.tasks &&
	test_expect_code 3 run_distmpi 3 --tasks mixed.tasks --retries 1 --backoff 0 \
		--timeout 1 --kill-grace 0.2 --html report.html --json report.json \
		--junit report.xml >out 2>err &&
	test -s report.html &&
	grep "^7 shards: 3 passed (1 flaky), 2 failed, 1 timed out, 0 crashed, 1 exec error" out
'

test_expect_success 'the report needs nothing from outside' '
	! grep -i -e "http://" -e "https://" -e "src=" -e "href=" -e "@import" -e "url(" \
		-e "<script" -e "<link" -e "<img" -e "<iframe" report.html &&
	grep "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src .none.; style-src .unsafe-inline.\" />" report.html
'

test_expect_success XMLLINT 'the report is well-formed' '
	xmllint --noout --nonet report.html
'

test_expect_success CHROMIUM 'chromium renders the report (--dump-dom)' '
	chromium_run --dump-dom "file://$PWD/report.html" >dom.html &&
	grep "id=\"timeline\"" dom.html &&
	grep "</html>" dom.html
'

test_expect_success CHROMIUM 'it shows the summary numbers of the JSON report' '
	dom_check dom.html report.json "
for k in (\"shards\", \"passed\", \"flaky\", \"failed\", \"timeout\", \"crashed\",
          \"exec_error\", \"lost\", \"interrupted\", \"retries\"):
    assert count[k] == j[\"summary\"][k], (k, count[k], j[\"summary\"][k])
assert (count[\"shards\"], count[\"passed\"], count[\"flaky\"], count[\"failed\"]) == (7, 3, 1, 2), count
assert (count[\"timeout\"], count[\"exec_error\"]) == (1, 1), count
"
'

test_expect_success CHROMIUM 'it shows a row for each host, with its shards' '
	dom_check dom.html report.json "
assert [h[0] for h in hosts] == [h[\"host\"] for h in j[\"hosts\"]], hosts
assert hosts[0][0] == \"$(hostname)\", hosts
for row, h in zip(hosts, j[\"hosts\"]):
    assert (int(row[1]), int(row[2]), int(row[3])) == (h[\"cores\"], h[\"ranks\"], h[\"shards\"]), row
"
'

test_expect_success CHROMIUM 'the timeline: a row per slot, a bar per attempt coloured by outcome' '
	dom_check dom.html report.json "
assert len(rows) == j[\"ranks\"] == 3, rows
for r in range(3):
    assert any(label.endswith(\"(rank %d)\" % r) for label, _ in rows), rows
attempts = [(s[\"shard\"], a) for s in j[\"shards\"] for a in s[\"attempt_results\"]]
assert len(bars) == len(attempts), (len(bars), len(attempts))
for outcome in (\"passed\", \"failed\", \"timeout\", \"exec_error\"):
    want = sum(1 for _, a in attempts if a[\"outcome\"] == outcome)
    got = sum(1 for c, _ in bars if \"o-\" + outcome in c)
    assert got == want, (outcome, got, want)
    assert want > 0, outcome
retries = sum(1 for c, _ in bars if \"retry\" in c)
assert retries == j[\"summary\"][\"retries\"] == 4, retries
# shard 2 failed twice: two bars, attempt 1 and a retry
titles = sorted(t for c, t in bars if t.startswith(\"shard 2, \"))
assert len(titles) == 2 and titles[0].startswith(\"shard 2, attempt 1 of 2: failed (exit 3)\"), titles
"
'

test_expect_success CHROMIUM 'the failures: every shard that did not pass, with what happened' '
	dom_check dom.html report.json "
want = [\"shard-%d\" % s[\"shard\"] for s in j[\"shards\"] if s[\"status\"] not in (\"passed\", \"flaky\")]
assert sorted(failures) == sorted(want) == [\"shard-2\", \"shard-4\", \"shard-5\", \"shard-6\"], failures
assert \"failed (exit 3) after 2 attempts\" in failures[\"shard-2\"], failures[\"shard-2\"]
assert shards[2][\"log\"] in failures[\"shard-2\"], failures[\"shard-2\"]
assert \"timeout\" in failures[\"shard-4\"], failures[\"shard-4\"]
assert shards[5][\"error\"] and shards[5][\"error\"] in failures[\"shard-5\"], failures[\"shard-5\"]
assert \"$(hostname)\" in failures[\"shard-2\"], failures[\"shard-2\"]
" &&
	! grep -i "<script" dom.html
'

# The log tails come from coord.c; when the JUnit report of the run carries
# the failed shard's output, the HTML report must show it too.
grep ZORBLAX-7 report.xml >/dev/null 2>&1 && test_set_prereq LOGTAILS

test_expect_success CHROMIUM,LOGTAILS 'the failed shard'"'"'s output is in its failure, as text' '
	dom_check dom.html report.json "
assert \"ZORBLAX-7 widget count 3 is not 4\" in tails[\"shard-2\"], tails
assert \"</pre><script>document.title=1</script>\" in tails[\"shard-6\"], tails
"
'

test_expect_success CHROMIUM 'a screenshot of the report is drawn with its colours' '
	chromium_run --screenshot="$PWD/shot.png" --window-size=1400,2000 \
		"file://$PWD/report.html" >/dev/null &&
	test -s shot.png &&
	size=$(wc -c <shot.png) &&
	test "$size" -gt 50000 || { echo "a screenshot of $size bytes is an almost blank page"; false; } &&
	png_colours shot.png >shot.colours &&
	test "$(head -n 1 shot.colours)" = 1400x2000 &&
	# the inline CSS applied: the outcome colours of the bars are on screen
	# (passed, failed, timeout, exec error)
	for rgb in 2da44e cf222e e16f24 8c959f; do
		grep "^$rgb\$" shot.colours || { echo "no colour #$rgb in the screenshot"; return 1; }
	done &&
	test "$(wc -l <shot.colours)" -gt 51
'

test_expect_success CHROMIUM 'a run where every shard passes, on one rank' '
	run_distmpi 1 -n 3 --html ok.html --json ok.json -- true >out 2>err &&
	chromium_run --dump-dom "file://$PWD/ok.html" >ok-dom.html &&
	dom_check ok-dom.html ok.json "
assert count[\"shards\"] == count[\"passed\"] == 3 and count[\"failed\"] == 0, count
assert len(rows) == 1 and len(bars) == 3, (rows, bars)
assert all(\"o-passed\" in c for c, _ in bars), bars
assert failures == {}, failures
" &&
	grep "exit status 0: every shard passed" ok-dom.html
'

test_expect_success 'an unwritable HTML path: the results are printed, exit 3' '
	test_expect_code 3 run_distmpi 2 -n 2 --html no-such-dir/r.html -- true >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	grep "^distmpi: cannot write the HTML report: no-such-dir/r.html" err
'

test_expect_success 'a symlink at the HTML path is refused, not followed: exit 3' '
	echo keep >victim &&
	ln -sf victim link.html &&
	test_expect_code 3 run_distmpi 2 -n 2 --html link.html -- true >out 2>err &&
	test "$(cat victim)" = keep &&
	test -h link.html &&
	grep "^distmpi: cannot write the HTML report: link.html is a symbolic link; distmpi will not follow it" err
'

test_done
