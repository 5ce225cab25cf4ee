#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# install-deps.sh - install the Debian 12 packages needed to build, test and
# run distmpi. Safe to run again: apt-get skips what is already installed.
#
#   sudo sh scripts/install-deps.sh      (or as root: sh scripts/install-deps.sh)
set -eu

# build: compiler, autotools, pkg-config and the libraries' headers
# run:   Open MPI's mpirun, hwloc, libconfig, libssh, jansson, libxml2
# test:  Check (unit tests), sharness (shell tests), python3 (reads the JSON
#        reports), libxml2-utils (xmllint checks the JUnit reports),
#        openssh-server and openssh-client (the private sshd of the
#        `distmpi health` tests), procps (pgrep/ps), man-db and groff-base (the
#        man page test), git (the test scripts run from a clone), chromium and
#        fonts-dejavu-core (headless Chromium renders the HTML report, with the
#        font its style names, in t1100-html.t), valgrind (rank 0 under
#        valgrind, t1140-valgrind.t), iproute2, util-linux, mount and
#        iputils-ping (the cluster of hosts in network namespaces of
#        t3000-cluster.t and t3010-cluster-faults.t: ip netns, unshare,
#        nsenter, mount, ping), slurmctld, slurmd, slurm-client and munge (a
#        private Slurm started by hand on that cluster, which runs the batch
#        script scripts/distmpi.sbatch in t3100-slurm.t; the policy-rc.d
#        below keeps their packages from starting the system's daemons),
#        python3-prometheus-client (t1195-metrics.t reads --metrics files
#        with the OpenMetrics and Prometheus parsers), python3-yaml
#        (t1199-ci-examples.t reads the CI examples' YAML), nodejs and npm (the
#        Playwright example, examples/playwright, run by t4000-playwright.t
#        and t3020-cluster-playwright.t with the chromium above; npm ci
#        fetches @playwright/test from the npm registry)
# fuzz:  clang with libFuzzer and the sanitizers' runtimes (libclang-rt-14-dev)
#        and llvm's llvm-symbolizer, which names the lines of a crash
#        (scripts/fuzz.sh)
PACKAGES="
    build-essential
    autoconf
    automake
    pkg-config
    openmpi-bin
    libopenmpi-dev
    libhwloc-dev
    hwloc-nox
    libconfig-dev
    libssh-dev
    libjansson-dev
    libxml2-dev
    libxml2-utils
    check
    sharness
    python3
    openssh-server
    openssh-client
    procps
    man-db
    groff-base
    git
    chromium
    fonts-dejavu-core
    valgrind
    iproute2
    util-linux
    mount
    iputils-ping
    slurmctld
    slurmd
    slurm-client
    munge
    python3-prometheus-client
    python3-yaml
    nodejs
    ca-certificates
    clang
    libclang-rt-14-dev
    llvm
"

# Debian's npm only where there is no npm: NodeSource's nodejs package
# carries its own npm and conflicts with Debian's, which apt-get would then
# refuse to install.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

# Nothing to do (and no root needed) when every package is installed already.
missing=
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PACKAGES; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing="$missing $p"
    done
    if [ -z "$missing" ]; then
        echo "install-deps: every package is installed already"
        exit 0
    fi
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
    echo "install-deps: not root, using sudo" >&2
else
    echo "install-deps: run this as root (or install sudo): it needs apt-get install" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: apt-get not found; this script is for Debian 12 (bookworm)." >&2
    # shellcheck disable=SC2086 # a word list, printed on one line
    echo "install-deps: install the equivalents of:" $PACKAGES >&2
    exit 1
fi

echo "install-deps: installing build, test and run dependencies with apt-get"
# apt-get's progress goes to a log; its errors still reach stderr, and on
# failure the tail of the log is shown.
log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
# Package scripts must not start services (openssh-server would start an
# sshd on port 22; the tests start their own): without an init system, as in
# CI, starting one can fail the whole install. A policy-rc.d that says "no"
# stops them, and is removed again if this script put it there.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ] &&
    $SUDO sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"; then
    made_policy=1
fi
trap 'rm -f "$log"; if [ -n "$made_policy" ]; then $SUDO rm -f "$policy"; fi' EXIT
run() {
    if ! "$@" >"$log" 2>&1; then
        echo "install-deps: failed: $*" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}
run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # PACKAGES is a word list on purpose
run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    $PACKAGES
echo "install-deps: done"
