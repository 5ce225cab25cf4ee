#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the folders of src/ keep their order

README.md ("Source layout") lists the folders of src/ so that each uses
only the ones above it. Every #include "FOLDER/NAME.h" in src/ is checked
against that order, and the check is shown to fail on a copy of a source
file that includes a folder below its own.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

src=$DISTMPI_SRCDIR/src

# folders - the folders in README's order, one a line
folders() {
	sed -n '/^### Source layout/,/^## /s/^| `src\/\([a-z]*\)` .*/\1/p' "$DISTMPI_SRCDIR/README.md"
}

# check_order TREE - every include of a folder below the file's own, as
# "FILE includes FOLDER/NAME.h, below FOLDER", one a line; nothing when
# the order holds
check_order() {
	folders >order &&
	awk -v tree="$1" '
		FNR == NR { rank[$1] = NR; next }
		/^#include "[a-z]*\/[a-z_]*\.h"/ {
			split(FILENAME, p, "/"); own = p[length(p) - 1]
			inc = $2; gsub(/"/, "", inc); split(inc, q, "/")
			if (!(q[1] in rank)) { print FILENAME " includes " inc ": no such folder in README"; next }
			if (rank[q[1]] > rank[own])
				print FILENAME " includes " inc ", below " own
		}' order "$1"/*/*.[ch]
}

test_expect_success 'README lists every folder of src/, and only those' '
	folders | sort >listed &&
	test -s listed &&
	(cd "$src" && for d in */; do echo "${d%/}"; done) | sort >present &&
	test_cmp present listed
'

test_expect_success 'each folder includes only the ones above it' '
	check_order "$src" >wrong &&
	test_must_be_empty wrong
'

test_expect_success 'the check fails on an include of a folder below' '
	mkdir -p copy &&
	cp -R "$src"/. copy/ &&
	printf "#include \"coord/coord.h\"\n" >>copy/common/buf.c &&
	check_order copy >wrong &&
	grep "copy/common/buf.c includes coord/coord.h, below common" wrong
'

test_done
