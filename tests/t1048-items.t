#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='work items: --items FILE and --items-command CMD

Each line is a work item. distmpi packs the items into batches (the shards:
--shards of them, by default four per rank), by their predicted time when
the timing history knows them, and runs the command of each batch with the
word {items} replaced by its items, each one word.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

skip_all_unless_mpi

# tool.sh ARGS...: each argument on a line of its own in args.SHARD
cat >tool.sh <<-\EOF
	#!/bin/sh
	for a in "$@"; do printf "%s\n" "$a"; done >"args.$DISTMPI_SHARD"
	EOF
chmod +x tool.sh

test_expect_success 'every item runs once, as one word, however it is written' '
	cat >items.txt <<-\EOF &&
	a.spec.ts
	  b c.spec.ts
	# a comment

	it'"'"'s.ts
	$(touch pwned)
	{shard}x
	`touch pwned2`
	x;y
	*
	EOF
	run_distmpi 2 --items items.txt -n 3 -- ./tool.sh --from {shard} {items} >out 2>err &&
	grep "^3 shards: 3 passed" out &&
	test "$(count_files args.*)" -eq 3 &&
	cat args.1 args.2 args.3 | grep -v -e "^--from\$" -e "^[123]\$" | sort >got &&
	grep -v -e "^#" -e "^\$" items.txt | sed "s/^ *//" | sort >want &&
	test_cmp want got &&
	for f in args.1 args.2 args.3; do test "$(grep -c "^--from\$" $f)" -eq 1 || return 1; done &&
	! test -e pwned && ! test -e pwned2
'

test_expect_success 'without a history the items are dealt round-robin, in their order' '
	rm -f args.* &&
	printf "i%s\n" 1 2 3 4 5 >five.txt &&
	run_distmpi 2 --items five.txt -n 2 --no-history -- ./tool.sh {items} >out 2>err &&
	printf "i1\ni3\ni5\n" >want1 && test_cmp want1 args.1 &&
	printf "i2\ni4\n" >want2 && test_cmp want2 args.2
'

test_expect_success 'by default four batches per rank, never more than the items' '
	rm -f args.* &&
	printf "i%s\n" $(seq 1 20) >twenty.txt &&
	run_distmpi 2 --items twenty.txt --no-history -- ./tool.sh {items} >out 2>err &&
	grep "^8 shards: 8 passed" out &&
	rm -f args.* &&
	run_distmpi 2 --items five.txt --no-history -- ./tool.sh {items} >out 2>err &&
	grep "^5 shards: 5 passed" out
'

test_expect_success '--items-command: the items are what it prints' '
	rm -f args.* &&
	run_distmpi 2 --items-command "printf \"%s\\n\" one \"two three\"" --no-history \
		-- ./tool.sh {items} >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	cat args.1 args.2 >got && printf "one\ntwo three\n" >want && test_cmp want got
'

# sum.sh ITEMS...: sleep the sum of the items, each a number of seconds
cat >sum.sh <<-\EOF
	#!/bin/sh
	exec sleep "$(printf "%s\n" "$@" | awk "{ s += \$1 } END { print s }")"
	EOF
chmod +x sum.sh

test_expect_success 'with the history the long items go to different batches' '
	printf "%s\n" 0.6 0.1 0.6 0.1 0.1 0.1 0.1 0.1 >timed.txt &&
	# round-robin puts both 0.6 in batch 1; alone in a batch each, the
	# first run times every item by itself
	run_distmpi 2 --items timed.txt -n 8 --history h.json --run-dir r1 \
		-- ./sum.sh {items} >out 2>err &&
	grep "^8 shards: 8 passed" out &&
	run_distmpi 2 --items timed.txt -n 2 --history h.json --run-dir r2 \
		-- ./sum.sh {items} >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	python3 - r2/journal.jsonl <<-\EOF
	import json, sys
	tasks = json.loads(open(sys.argv[1]).readline())["tasks"]
	assert len(tasks) == 2, tasks
	assert all(t.split().count("0.6") == 1 for t in tasks), tasks
	EOF
'

test_expect_success 'the dry run shows the batches by predicted time' '
	run_distmpi 2 --items timed.txt -n 2 --history h.json --dry-run \
		-- ./sum.sh {items} >dry 2>err &&
	grep "^Timing history: h.json predicts 2 of 2 shards" dry &&
	grep "^Queue, longest first: " dry
'

test_expect_success 'a batch the journal records is what --resume runs again' '
	rm -f args.* &&
	cat >flaky.sh <<-\EOF &&
	#!/bin/sh
	for a in "$@"; do test "$a" != bad || test -e fixed || exit 1; done
	for a in "$@"; do printf "%s\n" "$a"; done >"args.$DISTMPI_SHARD"
	EOF
	chmod +x flaky.sh &&
	printf "%s\n" good1 bad good2 good3 >res.txt &&
	test_expect_code 1 run_distmpi 2 --items res.txt -n 2 --retries 0 --no-history \
		--run-dir rr -- ./flaky.sh {items} >out 2>err &&
	touch fixed && rm -f args.* &&
	run_distmpi 2 --resume rr/journal.jsonl --no-history >out 2>err &&
	grep "^2 shards: 2 passed" out &&
	printf "bad\ngood3\n" >want && test_cmp want args.2 && ! test -e args.1
'

test_expect_success 'what is refused, with a clear message' '
	test_expect_code 2 run_distmpi 1 --items items.txt -- ./tool.sh >out 2>err &&
	grep "the command must have a word {items}" err &&
	test_expect_code 2 run_distmpi 1 --items items.txt -- ./tool.sh --x={items} >out 2>err &&
	grep "command word 2: {items} must be a word of its own" err &&
	printf "ok\n-rf\n" >dash.txt &&
	test_expect_code 2 run_distmpi 1 --items dash.txt -- ./tool.sh {items} >out 2>err &&
	grep "dash.txt:2: the item .-rf. starts with .-.: the test tool would take it for an option" err &&
	printf "# nothing\n" >empty.txt &&
	test_expect_code 2 run_distmpi 1 --items empty.txt -- ./tool.sh {items} >out 2>err &&
	grep "empty.txt: no items" err &&
	test_expect_code 2 run_distmpi 1 --items nosuch.txt -- ./tool.sh {items} >out 2>err &&
	grep "nosuch.txt" err &&
	test_expect_code 2 run_distmpi 1 --items-command "exit 3" -- ./tool.sh {items} >out 2>err &&
	grep "items-command: it exited with status 3" err &&
	test_expect_code 2 run_distmpi 1 --items items.txt --items-command "echo x" \
		-- ./tool.sh {items} >out 2>err &&
	grep "give either --items FILE or --items-command CMD, not both" err &&
	test_expect_code 2 run_distmpi 1 --items items.txt --resume rr/journal.jsonl \
		-- ./tool.sh {items} >out 2>err &&
	grep "give the journal alone, it keeps the batches" err
'

test_done
