#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# demo.sh - install what distmpi needs, build and install it, and run a demo
# on this machine: 16 shards of a fake test suite in which two shards fail
# and one is flaky.
#
#   bash scripts/demo.sh        (from a clone of the repository, as root on
#                                Debian 12, or as a user who can sudo)
#
# PREFIX (default /usr/local) is where distmpi is installed; DEMO_DIR
# (default /tmp/distmpi-demo) is where the demo runs and leaves its logs and
# report. Exits 0 when the demo ran as expected: distmpi itself exits 1
# there, because some shards fail on purpose.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PREFIX=${PREFIX:-/usr/local}
DEMO_DIR=${DEMO_DIR:-/tmp/distmpi-demo}

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

say "Installing the packages distmpi needs (scripts/install-deps.sh)"
sh scripts/install-deps.sh

say "Building distmpi (autoreconf, configure, make)"
autoreconf -fi
./configure --prefix="$PREFIX" --quiet
make -j"$(nproc)" >/dev/null

say "Installing distmpi into $PREFIX (make install)"
$SUDO make install >/dev/null
distmpi="$PREFIX/bin/distmpi"
examples="$PREFIX/share/doc/distmpi/examples"
"$distmpi" --version

# One rank per core, at least 4 (so shards run side by side even on a small
# machine) and at most 16 (there are 16 shards).
np=$(nproc)
[ "$np" -lt 4 ] && np=4
[ "$np" -gt 16 ] && np=16

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
cd "$DEMO_DIR"
say "Running the demo in $DEMO_DIR:"
echo "    mpirun -np $np --oversubscribe $distmpi -n 16 --backoff 1 --json demo-report.json \\"
echo "        --junit demo-junit.xml --html demo-report.html -- \\"
echo "        sh $examples/demo-shard.sh"
echo "    (16 shards of a fake test suite: shards 7 and 13 always fail, shard 11 fails once)"
echo
status=0
mpirun -np "$np" --oversubscribe "$distmpi" -n 16 --backoff 1 --json demo-report.json \
    --junit demo-junit.xml --html demo-report.html -- \
    sh "$examples/demo-shard.sh" || status=$?

say "What you just saw"
if [ ! -f demo-report.json ]; then
    echo "distmpi wrote no report (exit status $status): the demo did not run as it should." >&2
    exit 1
fi
python3 - "$DEMO_DIR" <<'EOF'
import json, os, sys
top = sys.argv[1]
r = json.load(open(os.path.join(top, "demo-report.json")))
s = r["summary"]
flaky = [x["shard"] for x in r["shards"] if x["status"] == "flaky"]
failed = [x for x in r["shards"] if x["status"] == "failed"]
def names(nums):
    if not nums:
        return "none"
    return ("shard " if len(nums) == 1 else "shards ") + " and ".join(str(n) for n in nums)
print(f"- {r['total_shards']} shards of the fake suite ran on {r['ranks']} MPI ranks of this machine.")
print("  Rank 0 gave each shard to whichever rank was free, and ran shards itself.")
print(f"- {s['passed']} passed. Flaky, that is failed and then passed on a retry: {names(flaky)}.")
print("  A flaky shard counts as a pass.")
print(f"- Failed: {names([x['shard'] for x in failed])}. Every attempt (the first and 2 retries,")
print("  after about 1 s and then 2 s of back-off) exited non-zero.")
print(f"- Each attempt's output is in {os.path.join(top, r['run_dir'])}/")
print("  as shard-NN/attempt-A.log (rank 0 gathered them), and the files it wrote in")
print("  shard-NN/attempt-A/. Try:")
if failed:
    print(f"    cat {os.path.join(top, failed[0]['log'])}")
print(f"- Every shard's result, attempts and timings, as JSON: {os.path.join(top, 'demo-report.json')}")
print(f"  as JUnit XML for CI: {os.path.join(top, 'demo-junit.xml')}")
print(f"  as one HTML page with a timeline of every rank: {os.path.join(top, 'demo-report.html')}")
print(f"- Every result was also synced to {os.path.join(top, r['run_dir'], 'journal.jsonl')}:")
print("  had the run been cut short, --resume with that file would run only what was left.")
EOF
echo "- distmpi exited with status $status, and mpirun passed it on (printing its box about"
echo "  \"a non-zero exit code\" above, as it does whenever the status is not 0)."
echo "  0: every shard passed (flaky ones included); 1: some shard failed its tests;"
echo "  2: usage or configuration error; 3: infrastructure failure (a command that could"
echo "  not be run, a shard that never reported); 128+N: stopped by signal N."
echo "- Read more: man distmpi, man distmpi.conf, $PREFIX/share/doc/distmpi/README.md"

if [ "$status" -eq 1 ]; then
    echo
    echo "The demo worked: distmpi exited 1 because shards 7 and 13 fail on purpose."
    exit 0
fi
echo
echo "Unexpected: distmpi should have exited 1 here, but exited $status." >&2
exit 1
