#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='--metrics FILE: the run'"'"'s counts as OpenMetrics text

Written at once when the run starts, every few seconds while it runs and at
its end, atomically; read back with the OpenMetrics and Prometheus text
parsers of the Python client (what node_exporter'"'"'s textfile collector
and Prometheus accept).'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# a python3 with the Prometheus client library (Debian: python3-prometheus-client)
for py in python3 /usr/bin/python3; do
	if "$py" -c "import prometheus_client" 2>/dev/null; then
		PROM_PYTHON=$py
		test_set_prereq PROM
		break
	fi
done
if ! test_have_prereq PROM; then
	skip_all="no python3 with prometheus_client (apt-get install python3-prometheus-client)"
	test_done
fi

# samples FILE: "name{labels} value" lines, both parsers having read FILE
samples() {
	"$PROM_PYTHON" - "$1" <<-\EOF
	import sys
	from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
	from prometheus_client.parser import text_string_to_metric_families as prom
	text = open(sys.argv[1]).read()
	assert text.endswith("# EOF\n"), text[-40:]
	fams = list(om(text))
	assert {f.name for f in fams} == {f.name for f in prom(text)}
	for f in fams:
	    assert f.type == "gauge", f
	    for s in f.samples:
	        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
	        print("%s{%s} %g" % (s.name, labels, s.value))
	EOF
}

test_expect_success 'during the run: what is pending, then at the end: the outcome' '
	cat >gate.sh <<-\EOF &&
	#!/bin/sh
	# shard 4 waits for the file go; shard 2 fails
	if [ "$DISTMPI_SHARD" = 4 ]; then
	  while ! [ -e go ]; do sleep 0.05; done
	fi
	[ "$DISTMPI_SHARD" != 2 ]
	EOF
	chmod +x gate.sh &&
	run_distmpi 2 -n 4 --retries 1 --metrics m.prom -- ./gate.sh >out 2>err &
	pid=$! &&
	# the first writing comes at once; wait for one with 3 shards done
	for _ in $(seq 300); do
		samples m.prom >during 2>/dev/null &&
		grep -q "^distmpi_shards{state=pending} 1\$" during && break
		sleep 0.1
	done &&
	grep "^distmpi_run_finished{} 0\$" during &&
	grep "^distmpi_shards{state=passed} 2\$" during &&
	grep "^distmpi_shards{state=failed} 1\$" during &&
	grep "^distmpi_shards{state=lost} 0\$" during &&
	! grep "^distmpi_run_exit_status" during &&
	touch go &&
	{ wait $pid; test $? -eq 1; } &&
	samples m.prom >after &&
	grep "^distmpi_run_finished{} 1\$" after &&
	grep "^distmpi_run_exit_status{} 1\$" after &&
	grep "^distmpi_shards{state=passed} 3\$" after &&
	grep "^distmpi_shards{state=failed} 1\$" after &&
	grep "^distmpi_shards{state=pending} 0\$" after &&
	grep "^distmpi_retries{} 1\$" after &&
	host=$(hostname) &&
	grep "^distmpi_host_shards{host=$host,state=passed} 3\$" after &&
	grep "^distmpi_host_retries{host=$host} 1\$" after &&
	grep "^distmpi_host_ranks{host=$host} 2\$" after &&
	grep "^distmpi_host_healthy{host=$host} 1\$" after &&
	grep "^distmpi_run_info{run_id=[0-9]*-[0-9]*-[0-9]*} 1\$" after &&
	! ls m.prom?* 2>/dev/null
'

test_expect_success 'a file that cannot be written: a warning during the run, exit 3 at the end' '
	test_expect_code 3 run_distmpi 1 --metrics no/such/dir/m.prom -- true >out 2>err &&
	test "$(grep -c "^distmpi: warning: cannot write the metrics during the run" err)" -eq 1 &&
	grep "^distmpi: cannot write the metrics: no/such/dir/m.prom" err
'

test_expect_success 'the configuration key metrics' '
	printf "metrics = \"c.prom\";\\nmax_load = 1000000.0;\\n" >m.conf &&
	run_distmpi 1 --config m.conf -- true >out 2>err &&
	samples c.prom | grep "^distmpi_run_exit_status{} 0\$"
'

test_done
