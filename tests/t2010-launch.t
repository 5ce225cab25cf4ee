#!/bin/sh
test_description='distmpi launch: the health check, then mpirun on the healthy hosts only

`distmpi launch --hostfile FILE [health options] [mpirun options] -- [distmpi
options] COMMAND` checks the hosts of FILE like `distmpi health`, writes the
healthy ones to a temporary hostfile and starts mpirun on it. The hosts are
aliases of a private sshd (tests/sharness.d/sshd.sh). DISTMPI_MPIRUN points at
a wrapper that records what launch passed to mpirun, then runs the real
mpirun with the alias "ok" turned into localhost, so the run is real.'

# Alone: no other script that times hosts' answers or loads the machine
# runs meanwhile, in this build or another on this machine (docs/testing.md).
if test -z "$DISTMPI_ALONE" && command -v flock >/dev/null; then
	DISTMPI_ALONE=1 flock -w 1800 -o "${TMPDIR:-/tmp}/distmpi-alone-tests.lock" /bin/sh "$0" "$@"
	exit
fi
: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

if ! test_have_prereq DISTMPI || ! test_have_prereq MPI || ! test_have_prereq PYTHON; then
	skip_all="needs the distmpi binary, mpirun and python3"
	test_done
fi

if sshd_fixture_start; then
	test_set_prereq SSHD
elif test -n "$SSHD_BROKEN"; then
	test_expect_success 'the private sshd starts (root, /usr/sbin/sshd present)' '
		echo "$SSHD_SKIP_REASON" && false
	'
	test_done
else
	skip_all="no private sshd here: $SSHD_SKIP_REASON"
	test_done
fi

test_expect_success 'setup: a hostfile and an mpirun wrapper' '
	printf "ok slots=2\nrefused slots=4\n" >hosts &&
	cat >mpirun-wrapper <<-EOF &&
	#!/bin/sh
	# record the arguments and the hostfile, then run the real mpirun
	printf "%s\n" "\$@" >"$PWD/mpirun-args"
	prev=
	for a; do
		test "\$prev" = --hostfile && sed -e "s/^ok /localhost /" "\$a" >"$PWD/mpirun-hosts"
		prev=\$a
	done
	for a; do
		shift
		if test "\$prev2" = --hostfile; then set -- "\$@" "$PWD/mpirun-hosts"; else set -- "\$@" "\$a"; fi
		prev2=\$a
	done
	exec "$MPIRUN" "\$@"
	EOF
	chmod +x mpirun-wrapper
'

run_launch() {
	DISTMPI_MPIRUN="$PWD/mpirun-wrapper" "$DISTMPI" launch --ssh-config "$SSH_CONFIG" \
		--connect-timeout 2 "$@"
}

test_expect_success SSHD 'launch runs the shards on the healthy host only' '
	rm -f ran.* &&
	run_launch --hostfile hosts --oversubscribe --bind-to none -- \
		-n 4 --retries 0 --json report.json -- touch ran.{shard} >out 2>err &&
	grep "^\[ok\] OK" out &&
	grep "^\[refused\] UNHEALTHY" out &&
	grep "^Health Summary: 1/2 hosts healthy" out &&
	test "$(ls ran.* | wc -l)" -eq 4 &&
	python3 -c "import json; r = json.load(open(\"report.json\")); assert r[\"summary\"][\"passed\"] == 4, r[\"summary\"]"
'

test_expect_success SSHD 'mpirun got the healthy hosts and the words before --' '
	cat mpirun-hosts &&
	test "$(grep -v "^#" mpirun-hosts)" = "localhost slots=2" &&
	grep -x -- --oversubscribe mpirun-args &&
	grep -x -- --bind-to mpirun-args &&
	! grep -x -- --ssh-config mpirun-args &&
	! grep -x -- --connect-timeout mpirun-args &&
	grep -x -- "$DISTMPI" mpirun-args || grep -x -- "$(readlink -f "$DISTMPI")" mpirun-args
'

test_expect_success SSHD 'the temporary hostfile is removed afterwards' '
	hf=$(sed -n "/^--hostfile$/{n;p;}" mpirun-args) &&
	test -n "$hf" &&
	! test -e "$hf"
'

test_expect_success SSHD 'launch passes the run exit status on' '
	test_expect_code 1 run_launch --hostfile hosts --oversubscribe -q -- \
		-n 2 --retries 0 -- sh -c "test {shard} -ne 2" >out 2>err
'

test_expect_success SSHD 'too few healthy hosts: nothing launched, exit 3' '
	rm -f mpirun-args ran.* &&
	test_expect_code 3 run_launch --hostfile hosts --min-healthy 2 --oversubscribe -- \
		-n 2 -- touch ran.{shard} >out 2>err &&
	grep "^distmpi: 1 of 2 hosts healthy (need 2): nothing launched" err &&
	! test -e mpirun-args &&
	! ls ran.* 2>/dev/null
'

test_expect_success 'launch without --hostfile or without -- is a usage error' '
	test_expect_code 2 "$DISTMPI" launch -- -n 2 true 2>err1 &&
	grep "^distmpi: launch: give the hosts with --hostfile FILE" err1 &&
	test_expect_code 2 "$DISTMPI" launch --hostfile hosts -n 2 2>err2 &&
	grep "^distmpi: launch: write the distmpi options and the command after" err2
'

test_done
