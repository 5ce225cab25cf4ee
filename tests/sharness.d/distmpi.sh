# SPDX-License-Identifier: BSD-3-Clause
# distmpi.sh - sharness helpers for the distmpi integration tests.
#
# Sourced by sharness from $SHARNESS_TEST_SRCDIR/sharness.d/ before the test
# changes into its trash directory. `make check` exports DISTMPI, MPIRUN,
# SHARNESS, DISTMPI_SRCDIR and DISTMPI_BUILDDIR; when a script is run by hand
# they default to the layout of an out-of-tree build run from BUILDDIR/tests.

: "${DISTMPI_SRCDIR:=$(cd "$SHARNESS_TEST_SRCDIR/.." && pwd)}"
: "${DISTMPI_BUILDDIR:=$(cd "$SHARNESS_TEST_DIRECTORY/.." && pwd)}"
: "${DISTMPI:=$DISTMPI_BUILDDIR/src/distmpi}"
if test -z "${MPIRUN+set}"; then
	MPIRUN=$(command -v mpirun 2>/dev/null)
fi
export DISTMPI_SRCDIR DISTMPI_BUILDDIR DISTMPI MPIRUN

# Nothing from the caller's environment may steer the runs under test.
unset DISTMPI_CONFIG DISTMPI_SHARD DISTMPI_SHARD_INDEX DISTMPI_TOTAL_SHARDS \
	DISTMPI_HOST DISTMPI_RANK DISTMPI_SLOT DISTMPI_ATTEMPT DISTMPI_OUTPUT_DIR \
	HWLOC_SYNTHETIC HWLOC_XMLFILE
# ... except the test configuration: no load limit (tests/data/tests.conf)
DISTMPI_CONFIG=$DISTMPI_SRCDIR/tests/data/tests.conf
export DISTMPI_CONFIG

# mpirun refuses to start as root without these (CI runs as root).
if test "$(id -u)" = 0; then
	OMPI_ALLOW_RUN_AS_ROOT=1
	OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi

test -x "$DISTMPI" && test_set_prereq DISTMPI
test -n "$MPIRUN" && test -x "$MPIRUN" && test_set_prereq MPI
command -v python3 >/dev/null 2>&1 && test_set_prereq PYTHON
# SANITIZED: distmpi was built with --enable-sanitizers (make check sets
# DISTMPI_SANITIZED). A test that cannot work under ASan (one measuring
# distmpi's own memory, say) declares !SANITIZED and is skipped there, with
# that reason in its log.
test -n "${DISTMPI_SANITIZED:-}" && test_set_prereq SANITIZED

# skip_all_unless_mpi: end the script (all tests skipped, with the reason) when
# the binary or mpirun is missing. Call right after sourcing sharness.
skip_all_unless_mpi() {
	if ! test_have_prereq DISTMPI; then
		skip_all="distmpi binary not found at '$DISTMPI' (build it first)"
		test_done
	fi
	if ! test_have_prereq MPI; then
		skip_all="mpirun not found (MPIRUN='$MPIRUN'); install openmpi-bin"
		test_done
	fi
}

# run_distmpi NP ARGS... - run distmpi on NP ranks of this one machine.
# --bind-to none and mpi_yield_when_idle: more ranks than cores, and the
# ranks must not pin each other to one core. odls_base_sigkill_timeout 0:
# when rank 0 exits non-zero (after every rank has left MPI_Finalize) mpirun
# otherwise waits a whole second before it kills the finished job, which
# would make each failing run in this suite a second slower. mpirun prints a
# banner on stderr when the status is not 0, so callers keep stdout and
# stderr apart.
run_distmpi() {
	_np=$1
	shift
	"$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		"$DISTMPI" "$@"
}

# run_distmpi_graceful NP ARGS... - as run_distmpi, but with Open MPI's own
# default grace between the SIGTERM and the SIGKILL it sends to ranks when it
# ends a job. Use it when a rank must get time to act on a signal (the run is
# interrupted); run_distmpi's grace of 0 only suits jobs whose ranks have
# all finalized.
run_distmpi_graceful() {
	_np=$1
	shift
	"$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 "$DISTMPI" "$@"
}

# run_distmpi_x NP VAR=VALUE ARGS... - as run_distmpi, with VAR=VALUE set
# for every rank through mpirun -x.
run_distmpi_x() {
	_np=$1
	_var=$2
	shift 2
	"$MPIRUN" -np "$_np" --oversubscribe --bind-to none \
		--mca mpi_yield_when_idle 1 --mca odls_base_sigkill_timeout 0 \
		-x "$_var" "$DISTMPI" "$@"
}

# distmpi_errors FILE - the lines distmpi itself wrote to stderr (mpirun's
# banner lines are left out).
distmpi_errors() {
	grep '^distmpi: ' "$1"
}

# test_one_error STDERR PATTERN - distmpi printed exactly one error line and it
# matches the extended regular expression PATTERN.
test_one_error() {
	distmpi_errors "$1" >errlines || {
		echo "no 'distmpi:' line on stderr:" && cat "$1"
		return 1
	}
	if test "$(wc -l <errlines)" -ne 1; then
		echo "expected one error line, got:" && cat errlines
		return 1
	fi
	grep -E -e "$2" errlines >/dev/null || {
		echo "error line does not match /$2/:" && cat errlines
		return 1
	}
}

# json_get FILE EXPR - print the Python expression EXPR evaluated with j bound
# to the parsed JSON report FILE (lists are printed one item per line).
json_get() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	with open(sys.argv[1]) as f:
	    j = json.load(f)
	v = eval(sys.argv[2], {"j": j})
	if isinstance(v, (list, tuple)):
	    for x in v:
	        print(x)
	elif v is None:
	    print("null")
	else:
	    print(v)
	EOF
}

# json_check FILE PYTHON - run PYTHON statements (asserts) with j bound to the
# parsed report and shards to a dict of its shards by number; fails with the
# assertion's message.
json_check() {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	with open(sys.argv[1]) as f:
	    j = json.load(f)
	shards = {s["shard"]: s for s in j["shards"]}
	exec(sys.argv[2], {"j": j, "shards": shards})
	EOF
}

# count_files GLOB... - how many of the given paths exist.
count_files() {
	_n=0
	for _f in "$@"; do
		test -e "$_f" && _n=$((_n + 1))
	done
	echo "$_n"
}

# expect_usage_error PATTERN NP ARGS... - distmpi on NP ranks refuses ARGS
# before anything runs: exit status 2, exactly one "distmpi: ..." line on
# stderr matching the extended regular expression PATTERN (not one per rank),
# nothing on stdout, no shard ran (the commands given by the tests create
# ran.* markers) and no run directory was made.
expect_usage_error() {
	_pattern=$1
	shift
	rm -rf ran.* distmpi-runs &&
	test_expect_code 2 run_distmpi "$@" >out 2>err &&
	test_one_error err "$_pattern" &&
	test_must_be_empty out &&
	test "$(count_files ran.*)" -eq 0 &&
	test ! -e distmpi-runs
}

# process_gone PID - wait up to 10 s for PID to be gone. A zombie counts as
# gone: it is dead, and here its new parent (pid 1) may be slow to reap it.
process_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		_state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
		test "$_state" = Z && return 0
		_i=$((_i + 1))
		if test $_i -gt 100; then
			echo "process $1 is still alive:"
			ps -o pid,ppid,pgid,stat,args -p "$1"
			return 1
		fi
		sleep 0.1
	done
}

# kill_leftover PIDFILE... - test_when_finished helper: make sure a process a
# test started through distmpi (a sh or a sleep) does not outlive the test,
# even when distmpi failed to end it. A pid that now names another program
# is left alone.
kill_leftover() {
	for _f in "$@"; do
		test -s "$_f" || continue
		_pid=$(cat "$_f")
		case "$(tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null)" in
		sleep*|sh\ *) kill -9 "$_pid" 2>/dev/null ;;
		esac
	done
	return 0
}

# wait_for_files SECONDS FILE... - wait until every FILE exists and is not
# empty; fails after SECONDS.
wait_for_files() {
	_limit=$(($1 * 10))
	shift
	_i=0
	while :; do
		_ok=t
		for _f in "$@"; do
			test -s "$_f" || _ok=
		done
		test -n "$_ok" && return 0
		_i=$((_i + 1))
		if test $_i -gt $_limit; then
			echo "timed out waiting for: $*"
			return 1
		fi
		sleep 0.1
	done
}

# wait_pid_limit SECONDS PID - wait for the background job PID and return its
# status; if it is still running after SECONDS, kill it and fail (status 124).
# pid_running PID - PID exists and has not exited (an exited child stays a
# zombie until its parent waits for it).
pid_running() {
	kill -0 "$1" 2>/dev/null &&
		test "$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z
}

wait_pid_limit() {
	_i=0
	while pid_running "$2"; do
		_i=$((_i + 1))
		if test $_i -gt $(($1 * 10)); then
			echo "process $2 still running after $1 s; killing it"
			ps -eo pid,ppid,pgid,stat,wchan:24,args | grep -E "mpirun|distmpi|orted|sleep" | grep -v grep
			kill -KILL "$2" 2>/dev/null
			wait "$2"
			return 124
		fi
		sleep 0.1
	done
	wait "$2"
}

# png_colours PNG - decode the screenshot PNG (8-bit RGB or RGBA, not
# interlaced, every filter) and print "WIDTHxHEIGHT", then each colour it
# holds as six hex digits, one a line (no imaging library needed)
png_colours() {
	python3 - "$1" <<-\EOF
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	pos, idat = 8, b""
	while pos < len(data):
	    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
	    body = data[pos + 8:pos + 8 + n]
	    pos += 12 + n
	    if typ == b"IHDR":
	        w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
	    elif typ == b"IDAT":
	        idat += body
	assert depth == 8 and ctype in (2, 6) and lace == 0, (depth, ctype, lace)
	bpp = 3 if ctype == 2 else 4
	raw, stride = zlib.decompress(idat), w * bpp
	prev, seen, i = bytearray(stride), set(), 0
	for y in range(h):
	    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
	    i += 1 + stride
	    for x in range(stride):
	        a = line[x - bpp] if x >= bpp else 0
	        b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
	        if f == 1: line[x] = (line[x] + a) & 255
	        elif f == 2: line[x] = (line[x] + b) & 255
	        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
	        elif f == 4:
	            p = a + b - c
	            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
	            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
	    seen.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp))
	    prev = line
	print("%dx%d" % (w, h))
	for rgb in sorted(seen):
	    print(rgb.hex())
	EOF
}
