#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--json FILE: the JSON report

The report is valid JSON with every member distmpi(1) documents (and no
member it does not), its counts agree with the shards, and each shard has
one attempt_results entry per attempt. It is written atomically (no
temporary file is left), a symbolic link at its path is refused, not
followed, and an unwritable path is an error (exit status 3) that still
leaves the results on the terminal.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

if ! test_have_prereq PYTHON; then
	skip_all="python3 is needed to read the JSON reports"
	test_done
fi

man1=$DISTMPI_BUILDDIR/man/distmpi.1
test -f "$man1" || man1=$DISTMPI_SRCDIR/man/distmpi.1.in

# 7 shards on 3 ranks: 3 and 6 fail (3 attempts), 4 is flaky, 7 crashes;
# each attempt prints a line, so that each has a log.
cmd='echo {shard}.{attempt}; case {shard} in 3|6) exit 2;; 4) test {attempt} -gt 1;; 7) kill -SEGV $$;; esac'

test_expect_success 'a run with passes, failures, a flaky shard and a crash' '
	mkdir out-dir &&
	test_expect_code 1 run_distmpi 3 -n 7 --backoff 0 --json out-dir/report.json -- \
		sh -c "$cmd" >out 2>err &&
	test -f out-dir/report.json
'

test_expect_success 'the report is valid JSON' '
	python3 -m json.tool out-dir/report.json >/dev/null
'

test_expect_success 'no temporary file is left next to the report' '
	ls -A out-dir >files &&
	echo report.json >expect &&
	test_cmp expect files
'

test_expect_success 'the top-level members, with their types' '
	json_check out-dir/report.json "
import re
want = {\"format\", \"distmpi\", \"run_id\", \"run_dir\", \"command\", \"tasks\",
        \"schedule\", \"total_shards\", \"ranks\", \"started\", \"duration\",
        \"exit_status\", \"summary\", \"hosts\", \"shards\"}
missing = want - set(j)
assert not missing, missing
assert j[\"format\"] == 1, j[\"format\"]
assert isinstance(j[\"distmpi\"], str) and j[\"distmpi\"]
assert isinstance(j[\"run_id\"], str) and re.match(r\"^[0-9]{8}-[0-9]{6}-[0-9]+$\", j[\"run_id\"]), j[\"run_id\"]
assert j[\"run_dir\"].endswith(j[\"run_id\"]), j[\"run_dir\"]
assert j[\"command\"] == [\"sh\", \"-c\", \"echo {shard}.{attempt}; case {shard} in 3|6) exit 2;; 4) test {attempt} -gt 1;; 7) kill -SEGV \$\$;; esac\"], j[\"command\"]
assert j[\"tasks\"] is None
assert j[\"schedule\"] == \"dynamic\"
assert j[\"total_shards\"] == 7 and j[\"ranks\"] == 3
assert re.match(r\"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$\", j[\"started\"]), j[\"started\"]
assert isinstance(j[\"duration\"], (int, float)) and j[\"duration\"] >= 0
assert j[\"exit_status\"] == 1
assert isinstance(j[\"hosts\"], list) and isinstance(j[\"shards\"], list)
"
'

test_expect_success 'the version in the report is the binary'"'"'s' '
	test "$(json_get out-dir/report.json "j[\"distmpi\"]")" = \
		"$("$DISTMPI" --version | sed "s/^distmpi //")"
'

test_expect_success 'the summary counts match the shards' '
	json_check out-dir/report.json "
sm = j[\"summary\"]
for k in (\"shards\", \"passed\", \"flaky\", \"failed\", \"timeout\", \"crashed\",
          \"exec_error\", \"lost\", \"retries\", \"busy\"):
    assert k in sm, k
assert sm[\"shards\"] == 7, sm
assert (sm[\"passed\"], sm[\"flaky\"], sm[\"failed\"], sm[\"crashed\"]) == (4, 1, 2, 1), sm
assert (sm[\"timeout\"], sm[\"exec_error\"], sm[\"lost\"]) == (0, 0, 0), sm
# 3 and 6: 2 retries each; 4: 1; 7: 2
assert sm[\"retries\"] == 7, sm
st = [s[\"status\"] for s in j[\"shards\"]]
for k in (\"failed\", \"crashed\", \"flaky\", \"timeout\", \"exec_error\", \"lost\"):
    assert sm[k] == st.count(k), (k, sm, st)
assert sm[\"passed\"] == st.count(\"passed\") + st.count(\"flaky\"), (sm, st)
assert sm[\"retries\"] == sum(s[\"attempts\"] - 1 for s in j[\"shards\"]), sm
busy = sum(a[\"duration\"] for s in j[\"shards\"] for a in s[\"attempt_results\"])
assert abs(sm[\"busy\"] - busy) < 0.01, (sm[\"busy\"], busy)
"
'

test_expect_success 'the hosts array: one host, its counts add up to the summary' '
	json_check out-dir/report.json "
import socket
assert len(j[\"hosts\"]) == 1, j[\"hosts\"]
h = j[\"hosts\"][0]
assert h[\"host\"] == socket.gethostname(), h
assert h[\"cores\"] >= 1 and h[\"pus\"] >= h[\"cores\"], h
assert h[\"ranks\"] == 3, h
for k in (\"shards\", \"passed\", \"flaky\", \"failed\", \"timeout\", \"crashed\",
          \"exec_error\", \"lost\", \"retries\"):
    assert h[k] == j[\"summary\"][k], (k, h, j[\"summary\"])
assert abs(h[\"busy\"] - j[\"summary\"][\"busy\"]) < 0.01
share = h[\"busy\"] / (h[\"ranks\"] * j[\"duration\"])
assert abs(h[\"busy_share\"] - share) < 1e-3 and 0 <= h[\"busy_share\"] <= 1, (h, share)
assert abs(h[\"mean_shard_seconds\"] - h[\"busy\"] / h[\"shards\"]) < 1e-6, h
"
'

test_expect_success 'per-shard members, sorted by shard' '
	json_check out-dir/report.json "
import re, socket
t = re.compile(r\"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$\")
assert [s[\"shard\"] for s in j[\"shards\"]] == list(range(1, 8))
want = {\"shard\", \"index\", \"status\", \"host\", \"rank\", \"slot\", \"attempts\",
        \"exit_code\", \"signal\", \"start\", \"duration\", \"busy\", \"log\", \"error\",
        \"attempt_results\"}
expect = {1: \"passed\", 2: \"passed\", 3: \"failed\", 4: \"flaky\", 5: \"passed\",
          6: \"failed\", 7: \"crashed\"}
for s in j[\"shards\"]:
    missing = want - set(s)
    assert not missing, (missing, s)
    assert s[\"index\"] == s[\"shard\"] - 1, s
    assert s[\"status\"] == expect[s[\"shard\"]], s
    assert s[\"host\"] == socket.gethostname(), s
    assert 0 <= s[\"rank\"] < 3 and 0 <= s[\"slot\"] < 3, s
    assert t.match(s[\"start\"]), s
    assert s[\"duration\"] >= s[\"busy\"] - 0.001, s
    assert s[\"log\"].endswith(\"shard-%d/attempt-%d.log\" % (s[\"shard\"], s[\"attempts\"])), s
    assert s[\"error\"] is None, s
    ar = s[\"attempt_results\"]
    assert len(ar) == s[\"attempts\"], s
    assert [a[\"attempt\"] for a in ar] == list(range(1, s[\"attempts\"] + 1)), s
    assert ar[0][\"start\"] == s[\"start\"], s
    for a in ar:
        assert set(a) >= {\"attempt\", \"outcome\", \"exit_code\", \"signal\", \"start\", \"duration\"}, a
        assert t.match(a[\"start\"]), a
        assert a[\"duration\"] >= 0, a
    assert abs(sum(a[\"duration\"] for a in ar) - s[\"busy\"]) < 0.01, s
    assert ar[-1][\"exit_code\"] == s[\"exit_code\"] and ar[-1][\"signal\"] == s[\"signal\"], s
sh = shards
assert sh[1][\"attempts\"] == 1 and sh[1][\"exit_code\"] == 0 and sh[1][\"signal\"] is None
assert sh[3][\"attempts\"] == 3 and sh[3][\"exit_code\"] == 2 and sh[3][\"signal\"] is None
assert [a[\"outcome\"] for a in sh[3][\"attempt_results\"]] == [\"failed\"] * 3
assert [a[\"outcome\"] for a in sh[4][\"attempt_results\"]] == [\"failed\", \"passed\"]
assert sh[7][\"signal\"] == 11 and sh[7][\"exit_code\"] is None, sh[7]
assert [a[\"outcome\"] for a in sh[7][\"attempt_results\"]] == [\"crashed\"] * 3
"
'

test_expect_success 'the log paths in the report exist' '
	json_get out-dir/report.json "[s[\"log\"] for s in j[\"shards\"]]" >logs &&
	test "$(wc -l <logs)" -eq 7 &&
	while read -r log; do
		test -f "$log" || { echo "missing $log"; return 1; }
	done <logs
'

test_expect_success 'every member of the report is documented in distmpi(1)' '
	sed -e "s/\\\\-/-/g" "$man1" |
		sed -n "/^\.SH \"*JSON REPORT/,/^\.SH /p" >json-section &&
	test -s json-section &&
	json_get out-dir/report.json "sorted(set(list(j) + list(j[\"summary\"]) + list(j[\"hosts\"][0]) + list(j[\"shards\"][0]) + list(j[\"shards\"][0][\"attempt_results\"][0])))" >keys &&
	missing= &&
	for k in $(cat keys); do
		grep -E "^\.(B|BR|BI|IR|RB|I) (.*[^a-z_])?$k([^a-z_]|\$)" json-section >/dev/null ||
		missing="$missing $k"
	done &&
	if test -n "$missing"; then
		echo "not documented:$missing" && false
	fi
'

test_expect_success 'task mode: command is null, tasks is the path' '
	printf "true\nexit 1\n" >two.tasks &&
	test_expect_code 1 run_distmpi 2 --tasks two.tasks --retries 0 --json tasks.json \
		>out 2>err &&
	json_check tasks.json "
assert j[\"command\"] is None, j[\"command\"]
assert j[\"tasks\"] and j[\"tasks\"].endswith(\"two.tasks\"), j[\"tasks\"]
assert j[\"total_shards\"] == 2
"
'

test_expect_success 'an exec error has its text in error' '
	test_expect_code 3 run_distmpi 1 --json exec.json -- /nonexistent/cmd >out 2>err &&
	json_check exec.json "
s = shards[1]
assert s[\"status\"] == \"exec_error\", s
assert isinstance(s[\"error\"], str) and s[\"error\"], s
assert s[\"attempt_results\"][0][\"outcome\"] == \"exec_error\", s
assert j[\"exit_status\"] == 3
"
'

test_expect_success 'an existing report is replaced' '
	echo old >replace.json &&
	run_distmpi 2 -n 2 --json replace.json -- true >out 2>err &&
	python3 -m json.tool replace.json >/dev/null
'

test_expect_success 'a symlink at the JSON path is refused, not followed: exit 3' '
	echo original >victim &&
	ln -s victim link.json &&
	test_expect_code 3 run_distmpi 2 -n 2 --json link.json -- true >out 2>err &&
	test "$(cat victim)" = original &&
	test -h link.json &&
	grep "^distmpi: cannot write the JSON report: link.json is a symbolic link; distmpi will not follow it" err &&
	grep "^2 shards: 2 passed" out
'

test_expect_success 'a dangling symlink at the JSON path does not create its target' '
	ln -s created-through-link dangling.json &&
	test_expect_code 3 run_distmpi 2 -n 2 --json dangling.json -- true >out 2>err &&
	test ! -e created-through-link &&
	test -h dangling.json &&
	grep "^distmpi: .*dangling.json is a symbolic link" err
'

test_expect_success 'no temporary files are left in the directory' '
	ls -A | grep -E "^\.|\.tmp|tmp\.|\.json\.|~\$" >leftovers || true &&
	test_must_be_empty leftovers
'

test_expect_success 'an unwritable JSON path: error, exit 3, results still printed' '
	test_expect_code 3 run_distmpi 2 -n 2 --json no-such-dir/report.json -- true >out 2>err &&
	grep "^distmpi: .*no-such-dir/report\.json" err &&
	grep "^2 shards: 2 passed" out &&
	test ! -e no-such-dir
'

test_expect_success 'a directory at the JSON path: error, exit 3, results still printed' '
	mkdir dir.json &&
	test_expect_code 3 run_distmpi 2 -n 2 --json dir.json -- true >out 2>err &&
	grep "^distmpi: .*dir\.json" err &&
	grep "^2 shards: 2 passed" out &&
	test -d dir.json
'

test_expect_success 'an unwritable JSON path does not hide a test failure in the output' '
	test_expect_code 3 run_distmpi 2 -n 2 --retries 0 --json no-such-dir/r.json -- \
		sh -c "test {shard} -ne 2" >out 2>err &&
	grep "^2 shards: 1 passed (0 flaky), 1 failed" out
'

test_done
