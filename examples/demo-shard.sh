#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# demo-shard.sh - a fake test-suite shard for trying distmpi out.
#
#   mpirun -np 4 --oversubscribe distmpi -n 16 --backoff 1 -- sh demo-shard.sh
#
# It reads the shard number and attempt from the environment distmpi sets
# (DISTMPI_SHARD, DISTMPI_TOTAL_SHARDS, DISTMPI_ATTEMPT, DISTMPI_HOST,
# DISTMPI_SLOT, DISTMPI_OUTPUT_DIR), "runs" three tests for 0.2 to 1.5 s,
# prints their results and writes them to $DISTMPI_OUTPUT_DIR/results.tap.
# Most shards pass, but:
#   shard 7   always fails: a test's assertion fails (exit 1)
#   shard 13  always fails: a test crashes its runner (exit 2)
#   shard 11  is flaky: it fails on attempt 1 and passes on attempt 2
# so a run of 16 shards ends with 14 passed (1 of them flaky) and 2 failed.
set -u

shard=${DISTMPI_SHARD:-1}
total=${DISTMPI_TOTAL_SHARDS:-16}
attempt=${DISTMPI_ATTEMPT:-1}
host=${DISTMPI_HOST:-$(hostname)}
slot=${DISTMPI_SLOT:-0}
outdir=${DISTMPI_OUTPUT_DIR:-.}

# A different, repeatable "run time" for each shard: 0.2 s to 1.5 s.
ms=$((200 + (shard * 37 % 14) * 100))
half=$((ms / 2))

echo "shard $shard/$total, attempt $attempt, on $host slot $slot"

# A name for test number $1 of the suite.
test_name() {
    case $(($1 % 8)) in
    0) echo "login: accepts a valid password" ;;
    1) echo "login: rejects a wrong password" ;;
    2) echo "search: finds a product by name" ;;
    3) echo "search: filters by price" ;;
    4) echo "cart: adds and removes an item" ;;
    5) echo "checkout: pays with a saved card" ;;
    6) echo "profile: saves a new avatar" ;;
    *) echo "orders: lists past orders" ;;
    esac
}

# The three tests of this shard, numbered across the whole suite.
first=$(((shard - 1) * 3 + 1))
failed_test=
status=0
case $shard in
7)
    failed_test=$((first + 1))
    status=1
    ;;
13)
    failed_test=$((first + 2))
    status=2
    ;;
11)
    if [ "$attempt" -eq 1 ]; then
        failed_test=$first
        status=1
    fi
    ;;
esac

results="$outdir/results.tap"
echo "1..3" >"$results"
n=0
for t in $first $((first + 1)) $((first + 2)); do
    n=$((n + 1))
    # spend half the shard's time in its first test, a quarter in each other
    if [ "$n" -eq 1 ]; then
        d=$half
    else
        d=$((half / 2))
    fi
    sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
    if [ "$t" = "$failed_test" ]; then
        echo "  not ok $t $(test_name "$t")"
        case $shard in
        11) echo "    timed out after 500 ms waiting for the page (the test server was slow)" >&2 ;;
        13) echo "    the browser process exited unexpectedly" >&2 ;;
        *) echo "    expected the saved value to be shown, but the page was empty" >&2 ;;
        esac
        echo "not ok $n $(test_name "$t")" >>"$results"
        # a crashed runner stops at once, skipping the rest of its tests
        [ "$status" -eq 2 ] && break
    else
        echo "  ok $t $(test_name "$t")"
        echo "ok $n $(test_name "$t")" >>"$results"
    fi
done

if [ "$status" -eq 0 ]; then
    echo "shard $shard: 3 passed"
else
    echo "shard $shard: 1 failed (exit $status)"
fi
exit "$status"
