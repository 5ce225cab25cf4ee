#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run.sh - run the example Playwright suite through distmpi on this
# machine's cores, and leave its reports in out/.
#
#   bash examples/playwright/run.sh [DISTMPI_OPTION]...
#
# On Debian 12, as root (or a user who can sudo), it installs what is
# missing (nodejs, npm, chromium, fonts-dejavu-core: apt-get; @playwright/test
# at the version of package-lock.json: npm ci, no browser download), builds
# distmpi if this tree is not built yet, and runs
#
#   mpirun -np SLOTS distmpi -n SHARDS ... -- npx playwright test --shard={shard}/{total}
#
# with a web server port and an output directory of its own per shard.
# distmpi collects each shard's JUnit file and merges them: out/junit.xml
# lists every test of every project; out/report.json and out/report.html
# are distmpi's JSON and HTML reports, out/runs/ each shard's log and files.
# Options given to run.sh go to distmpi (--progress lines, --retries 0, ...).
#
# Environment:
#   SLOTS      ranks to start (default: the number of cores, nproc); each
#              runs one shard at a time: Playwright, a browser and a web
#              server, about 0.7 GB of memory
#   SHARDS     how many pieces to cut the suite into (default 2 x SLOTS)
#   BASE_PORT  the web server of the shard in slot S listens on
#              BASE_PORT + S (default 4100)
#   HOSTFILE   an Open MPI hostfile: run on its hosts instead (each needs
#              this directory at the same path, node, npm's packages and
#              Chromium); SLOTS is then not used
#   ITEMS      1: the spec files as work items (--items-command 'ls
#              tests/*.spec.ts' and "npx playwright test {items}"), packed
#              into SHARDS batches by their predicted time
#   DISTMPI, MPIRUN   the programs (default: this tree's src/distmpi, and
#              mpirun from PATH)
#
# Exits with distmpi's status: 0 when every test passed (a flaky test, which
# failed and then passed on Playwright's retry, counts as a pass), 1 when a
# test failed, 2 or 3 when the run itself went wrong (see distmpi(1)).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

say() {
    printf '\n==> %s\n' "$*"
}

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
    # mpirun refuses to run as root without these two.
    OMPI_ALLOW_RUN_AS_ROOT=1
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    SUDO=
fi

# ---------------------------------------------------------------- packages
# Only what is missing, so that a machine with its own Node.js (say from
# NodeSource, whose nodejs package holds npm and conflicts with Debian's
# npm) is left as it is.
installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}
missing=
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -z "${CHROMIUM_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then
    missing="$missing chromium"
fi
if command -v dpkg-query >/dev/null 2>&1 && ! installed fonts-dejavu-core; then
    missing="$missing fonts-dejavu-core"
fi
if [ -n "$missing" ]; then
    say "Installing$missing (apt-get)"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "run.sh: apt-get not found; install$missing yourself" >&2
        exit 2
    fi
    # shellcheck disable=SC2086 # a word list on purpose
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends $missing
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    echo "run.sh: @playwright/test needs Node.js 18 or later; this is $(node --version)" >&2
    exit 2
fi

cd "$here"
# npm ci (again) only when node_modules does not hold the locked version.
want=$(node -p 'require("./package-lock.json").packages["node_modules/@playwright/test"].version')
have=$(node -p 'try { require("./node_modules/@playwright/test/package.json").version } catch { "" }')
if [ "$want" != "$have" ]; then
    say "Installing @playwright/test $want (npm ci)"
    # No browser download: the config uses Debian's Chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# ------------------------------------------------------------------ distmpi
if [ -z "${DISTMPI:-}" ]; then
    DISTMPI=$top/src/distmpi
    if ! [ -x "$DISTMPI" ]; then
        say "Building distmpi in $top (scripts/install-deps.sh, autoreconf, configure, make)"
        (
            cd "$top"
            sh scripts/install-deps.sh
            autoreconf -fi
            ./configure --quiet
            make -j"$(nproc)" >/dev/null
        )
    fi
fi
MPIRUN=${MPIRUN:-mpirun}

# --------------------------------------------------------------------- run
SLOTS=${SLOTS:-$(nproc)}
SHARDS=${SHARDS:-$((2 * SLOTS))}
BASE_PORT=${BASE_PORT:-4100}
# --bind-to none: a shard is Playwright, a browser and a web server, which
# should share the cores rather than all be pinned to their rank's one.
run_mpirun() {
    if [ -n "${HOSTFILE:-}" ]; then
        "$MPIRUN" --oversubscribe --bind-to none -hostfile "$HOSTFILE" "$@"
    else
        "$MPIRUN" --oversubscribe --bind-to none -np "$SLOTS" "$@"
    fi
}

# Reports from an earlier run must never pass for this one's.
rm -rf out
mkdir out

# ITEMS=1: the spec files are work items (--items-command), packed by
# distmpi into SHARDS batches by their predicted time (the timing history),
# each batch run as "npx playwright test FILE..."; else Playwright cuts the
# suite itself (--shard=I/N).
if [ "${ITEMS:-0}" = 1 ]; then
    set -- --items-command 'ls tests/*.spec.ts' "$@"
    select='{items}'
    say "Running the spec files as work items, in $SHARDS batches, through distmpi, in $here"
else
    select='--shard={shard}/{total}'
    say "Running $SHARDS shards of the suite through distmpi, in $here"
fi
# --retries 1: Playwright already retries a failed test (retries: 1 in the
# config); distmpi's retry is for a shard that broke as a whole.
# In the command, {slot} gives each shard on a host its own web server port,
# {output_dir} its own directory for the JUnit file and Playwright's output
# (which Playwright empties when it starts), and --collect fetches the
# JUnit file from whichever host ran the shard.
status=0
# Options given to run.sh come last, so they win.
run_mpirun "$DISTMPI" \
    -n "$SHARDS" --retries 1 --backoff 2 --timeout 600 \
    --run-dir out/runs --collect '{output_dir}/junit.xml' \
    --junit out/junit.xml --json out/report.json --html out/report.html "$@" -- \
    env APP_BASE_PORT="$BASE_PORT" APP_SLOT='{slot}' \
    PLAYWRIGHT_JUNIT_OUTPUT_NAME='{output_dir}/junit.xml' \
    npx playwright test "$select" --output='{output_dir}/test-results' ||
    status=$?

say "Reports"
echo "  every test, merged: $here/out/junit.xml"
echo "  distmpi's reports:  $here/out/report.json and $here/out/report.html"
echo "  each shard's log:   $here/out/runs/shard-N/attempt-A.log"
echo "distmpi exited with status $status."
exit "$status"
