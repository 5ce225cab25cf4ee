#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# scale.sh - does rank 0 keep up with, and stay small under, many shards on
# many ranks with every report on?
#
#   bench/scale.sh [SHARDS [RANKS [BASE]]]   (defaults: 100000, 128, 10000)
#   bench/scale.sh 10000                     (the base run only: minutes less)
#
# Runs BASE and then SHARDS /bin/true shards (SHARDS only when it is larger
# than BASE) with
#   mpirun --oversubscribe -np RANKS rank0-time distmpi -n N --max-load 1000000
#          --progress none --run-dir DIR --json F --junit F --html F -- /bin/true
# where rank0-time runs rank 0 (OMPI_COMM_WORLD_RANK 0, the coordinator)
# under /usr/bin/time -v and every other rank as it is, so that the peak RSS
# is rank 0's alone. For each run it prints the wall time, the rate, rank
# 0's peak RSS and CPU time, and the RSS per shard; then the growth in RSS
# per shard from BASE to SHARDS. It checks that every shard, 1 to N, is in
# each report (the JSON, the JUnit XML, the HTML timeline and the journal)
# as passed, and says so.
#
# Each run is ended after $SCALE_TIMEOUT seconds (default 900): on a small
# machine the large run takes minutes, and it may not finish.
#
# distmpi is $DISTMPI, else src/distmpi of the build tree this script is run
# from (or of the source tree it is in), else distmpi on PATH. mpirun is
# $MPIRUN or mpirun on PATH. It needs /usr/bin/time (GNU time) and python3.
#
# Exit status: 0 every report complete and, for a run of 100000 shards or
# more, rank 0's peak RSS under the 100 MB target; 1 a report incomplete, a
# run that timed out or the target missed; 2 the measurement could not be made.
set -euo pipefail

bench_name=scale
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

shards=${1:-100000}
ranks=${2:-128}
base=${3:-10000}
limit=${SCALE_TIMEOUT:-900}
target_mb=100 # rank 0's peak RSS at 100000 shards, in MB of 1,000,000 bytes
whole_number SHARDS "$shards"
whole_number RANKS "$ranks"
whole_number BASE "$base"
whole_number SCALE_TIMEOUT "$limit"
[ "$base" -ge 1 ] || die "BASE must be at least 1"
[ "$ranks" -ge 2 ] || die "RANKS must be at least 2"
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    die "no GNU time at /usr/bin/time (apt-get install time)"
fi
command -v python3 >/dev/null 2>&1 || die "no python3 to count the shards in the reports"

sizes=$base
[ "$shards" -gt "$base" ] && sizes="$base $shards"

# Rank 0 under /usr/bin/time -v, the other ranks as they are. Open MPI sets
# OMPI_COMM_WORLD_RANK in each rank's environment.
cat >"$tmp/rank0-time" <<EOF2
#!/bin/sh
if [ "\$OMPI_COMM_WORLD_RANK" = 0 ]; then
    exec /usr/bin/time -v -o "$tmp/rank0.time" "\$@"
fi
exec "\$@"
EOF2
chmod +x "$tmp/rank0-time"

# Counts the shards 1..N of each report that passed; prints one line a report
# and exits 1 when one of them lacks a shard.
cat >"$tmp/count.py" <<'EOF2'
import json, re, sys
import xml.etree.ElementTree as ET

n, jsonf, junitf, htmlf, journalf = int(sys.argv[1]), *sys.argv[2:6]
want = set(range(1, n + 1))
found = {}
found["json"] = {s["shard"] for s in json.load(open(jsonf))["shards"] if s["status"] == "passed"}
junit = set()
for _, el in ET.iterparse(junitf):
    if el.tag == "testsuite":
        props = {p.get("name"): p.get("value") for p in el.iter("property")}
        if props.get("status") == "passed" and el.get("name", "").startswith("shard-"):
            junit.add(int(el.get("name")[6:]))
        el.clear()
found["junit"] = junit
html = open(htmlf, encoding="utf-8").read()
found["html"] = {int(m) for m in re.findall(r'title="shard (\d+), attempt \d+ of \d+: passed', html)}
journal = set()
with open(journalf) as f:
    for line in f:
        rec = json.loads(line)
        if "shard" in rec and rec.get("status") == "passed":
            journal.add(rec["shard"])
found["journal"] = journal
bad = 0
for name, got in found.items():
    missing = want - got
    extra = got - want
    print(f"  {name:8s} {len(got & want)} of {n} shards passed"
          + (f"; MISSING {len(missing)} (first {sorted(missing)[:5]})" if missing else "")
          + (f"; {len(extra)} unknown shards" if extra else ""))
    bad |= bool(missing or extra)
sys.exit(1 if bad else 0)
EOF2

bench_header
note "sizes: $sizes shards of /bin/true on $ranks ranks (oversubscribed), all reports on;" \
    "each run ended after $limit s"

status=0
declare -A rss secs
for n in $sizes; do
    rm -f "$tmp/rank0.time"
    note "$n shards: running (started $(date -u +%H:%M:%S) UTC) ..."
    timed "$tmp/run-$n.out" timeout -k 30 "$limit" "$mpirun" --oversubscribe -np "$ranks" \
        "$tmp/rank0-time" "$distmpi" -n "$n" --max-load 1000000 --progress none \
        --run-dir "$tmp/run-$n" --json "$tmp/r.json" --junit "$tmp/r.xml" \
        --html "$tmp/r.html" -- /bin/true
    if [ "$r_rc" -eq 124 ] || [ "$r_rc" -eq 137 ]; then
        note "$n shards: TIMED OUT after $limit s; the last lines of its output:"
        tail -n 5 "$tmp/run-$n.out"
        done_n=$(grep -c '"status"' "$tmp/run-$n/journal.jsonl" 2>/dev/null || true)
        note "$n shards: the journal recorded ${done_n:-0} results by then"
        status=1
        break
    fi
    [ "$r_rc" -eq 0 ] || {
        tail -n 20 "$tmp/run-$n.out" >&2
        die "$n shards: distmpi exited $r_rc"
    }
    [ -s "$tmp/rank0.time" ] ||
        die "$n shards: no /usr/bin/time output for rank 0 (is OMPI_COMM_WORLD_RANK set?)"
    kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/rank0.time")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
        END { printf "%.1f", u + s }' "$tmp/rank0.time")
    rss[$n]=$kb secs[$n]=$r_secs
    note "$n shards: $r_secs s, $(calc 'sprintf("%.0f", n / s)' n="$n" s="$r_secs") shards/s;" \
        "rank 0 peak RSS $(calc 'sprintf("%.1f", k * 1024 / 1e6)' k="$kb") MB" \
        "($(calc 'sprintf("%.0f", k * 1024 / n)' k="$kb" n="$n") bytes per shard)," \
        "rank 0 CPU $cpu s (user + system)"
    note "$n shards: reports: JSON $(du -k "$tmp/r.json" | cut -f1) KiB," \
        "JUnit $(du -k "$tmp/r.xml" | cut -f1) KiB, HTML $(du -k "$tmp/r.html" | cut -f1) KiB," \
        "journal $(du -k "$tmp/run-$n/journal.jsonl" | cut -f1) KiB; every shard in each:"
    if ! python3 "$tmp/count.py" "$n" "$tmp/r.json" "$tmp/r.xml" "$tmp/r.html" \
        "$tmp/run-$n/journal.jsonl"; then
        note "$n shards: a report is INCOMPLETE"
        status=1
    fi
    rm -rf "$tmp/run-$n" "$tmp/r.json" "$tmp/r.xml" "$tmp/r.html"
done

echo
if [ -n "${rss[$shards]:-}" ] && [ "$shards" -gt "$base" ]; then
    growth=$(calc 'sprintf("%.0f", (b - a) * 1024 / (m - n))' a="${rss[$base]}" \
        b="${rss[$shards]}" n="$base" m="$shards")
    echo "rank 0 peak RSS from $base to $shards shards: $(calc 'sprintf("%.1f", k * 1024 / 1e6)' \
        k="${rss[$base]}") MB to $(calc 'sprintf("%.1f", k * 1024 / 1e6)' k="${rss[$shards]}") MB," \
        "x$(calc 'sprintf("%.2f", b / a)' a="${rss[$base]}" b="${rss[$shards]}"); $growth bytes" \
        "per extra shard"
    echo "rate from $base to $shards shards: $(calc 'sprintf("%.0f", n / s)' n="$base" \
        s="${secs[$base]}") to $(calc 'sprintf("%.0f", n / s)' n="$shards" s="${secs[$shards]}")" \
        "shards/s"
fi
note "load average after: $(loadavg)"
if [ "$shards" -ge 100000 ]; then
    if [ -z "${rss[$shards]:-}" ]; then
        echo "target: rank 0 under $target_mb MB at $shards shards: NOT MEASURED (the run did not finish)"
        status=1
    elif awk -v k="${rss[$shards]}" -v t="$target_mb" 'BEGIN { exit !(k * 1024 < t * 1e6) }'; then
        echo "target: rank 0 under $target_mb MB at $shards shards: met"
    else
        echo "target: rank 0 under $target_mb MB at $shards shards: MISSED"
        status=1
    fi
fi
exit "$status"
