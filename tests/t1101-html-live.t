#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the HTML report as a live dashboard: --html-interval

While the run goes on, the --html report is rewritten every --html-interval
seconds (atomically) as a page that reloads itself and says the run is
live, with the shards still pending; the page written at the end does not
reload. Rendered mid-run and at the end by Debian'"'"'s headless chromium
(--dump-dom and --screenshot). With CI=true a missing chromium is a
failure.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi
if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the pages"
	test_done
fi
: "${CHROMIUM=$(command -v chromium 2>/dev/null)}"
if test -n "$CHROMIUM" && test -x "$CHROMIUM"; then
	test_set_prereq CHROMIUM
elif test "$CI" = true; then
	test_expect_success 'chromium is installed (CI=true: scripts/install-deps.sh installs it)' '
		false
	'
fi

# chromium_run ARGS... URL - headless Chromium, as in t1100-html.t
chromium_run() {
	_profile=$(mktemp -d "$PWD/chromium-profile.XXXXXX") &&
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--disable-background-networking --no-first-run --user-data-dir="$_profile" \
		"$@" 2>>chromium.err
}

test_expect_success 'mid-run: a page that reloads itself, live, one shard pending' '
	cat >gate.sh <<-\EOF &&
	#!/bin/sh
	# shard 4 waits for the file go
	[ "$DISTMPI_SHARD" != 4 ] || while ! [ -e go ]; do sleep 0.05; done
	EOF
	chmod +x gate.sh &&
	run_distmpi 2 -n 4 --html live.html --html-interval 0.5 -- ./gate.sh >out 2>err &
	pid=$! &&
	for _ in $(seq 600); do
		grep -q "running: 3 of 4 shards done" live.html 2>/dev/null && break
		sleep 0.1
	done &&
	cp live.html mid.html &&
	grep "<meta http-equiv=\"refresh\" content=\"1\" />" mid.html &&
	grep "<title>distmpi [0-9-]*: live, 3 of 4 shards done</title>" mid.html &&
	grep "id=\"count-pending\"><b>1</b> pending" mid.html &&
	grep "id=\"count-lost\"><b>0</b>" mid.html &&
	! grep "id=\"exit-status\"" mid.html &&
	echo "$pid" >run.pid
'

test_expect_success CHROMIUM 'mid-run, in the browser: the live state' '
	chromium_run --dump-dom "file://$PWD/mid.html" >mid-dom.html &&
	grep "running: 3 of 4 shards done; this page reloads itself every 1 s until the run ends" mid-dom.html &&
	chromium_run --screenshot="$PWD/mid.png" --window-size=1000,700 "file://$PWD/mid.html" >/dev/null &&
	png_colours mid.png >mid.colours &&
	# the live banner'"'"'s blue
	grep "^0969da\$" mid.colours
'

test_expect_success 'at the end: the final page, which no longer reloads' '
	touch go &&
	wait "$(cat run.pid)" &&
	grep "^4 shards: 4 passed" out &&
	! grep "http-equiv=\"refresh\"" live.html &&
	grep "id=\"exit-status\">exit status 0: every shard passed" live.html &&
	! grep "id=\"live\"" live.html &&
	! grep "count-pending" live.html &&
	! ls live.html?* 2>/dev/null
'

test_expect_success CHROMIUM 'at the end, in the browser: the outcome, not the live banner' '
	chromium_run --dump-dom "file://$PWD/live.html" >end-dom.html &&
	grep "exit status 0: every shard passed" end-dom.html &&
	chromium_run --screenshot="$PWD/end.png" --window-size=1000,700 "file://$PWD/live.html" >/dev/null &&
	png_colours end.png >end.colours &&
	! grep "^0969da\$" end.colours
'

test_expect_success '--html-interval 0: the page is written at the end only' '
	run_distmpi 1 -n 1 --html once.html --html-interval 0 -- sh -c "sleep 1.5; test ! -e once.html" \
		>out 2>err &&
	grep "id=\"exit-status\">exit status 0" once.html
'

test_done
