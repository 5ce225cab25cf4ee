#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
test_description='the man pages and the example config document every option

Every option that "distmpi --help" lists, long and short, is documented in the
OPTIONS section of the generated distmpi(1); every setting key (the long
option with - replaced by _, except config, help and version) is documented
in distmpi.conf(5) and shown in etc/distmpi.conf. The checks are also run on
copies with one option removed, to show that they can fail.'

: "${SHARNESS_TEST_DIRECTORY:=${DISTMPI_BUILDDIR:+$DISTMPI_BUILDDIR/tests}}"
. "${SHARNESS:-/usr/share/sharness/sharness.sh}"

if ! test_have_prereq DISTMPI; then
	skip_all="distmpi binary not found at '$DISTMPI' (build it first)"
	test_done
fi

# The generated pages live in the build directory; fall back to the sources
# (the @...@ placeholders do not matter to the option checks).
man1=$DISTMPI_BUILDDIR/man/distmpi.1
test -f "$man1" || man1=$DISTMPI_SRCDIR/man/distmpi.1.in
man5=$DISTMPI_BUILDDIR/man/distmpi.conf.5
test -f "$man5" || man5=$DISTMPI_SRCDIR/man/distmpi.conf.5.in
exampleconf=$DISTMPI_SRCDIR/etc/distmpi.conf
command -v groff >/dev/null 2>&1 && test_set_prereq GROFF
case "$man1" in *.in) ;; *) test_set_prereq GENERATED ;; esac

# help_options HELP - the options in the left column of --help, one a line
# (-n, --shards, --schedule, ...).
help_options() {
	sed -n -e 's/^ \{1,\}\(-[A-Za-z]\), \(--[a-z][a-z-]*\).*/\1\
\2/p' -e 's/^ \{1,\}\(--[a-z][a-z-]*\).*/\1/p' "$1"
}

# section_tags PAGE NAME - the tag lines (the line after each .TP) of section
# NAME of a man page, with troff's \- turned into -.
section_tags() {
	sed -e 's/\\-/-/g' "$1" | awk -v name="$2" '
		/^\.SH / { insec = ($0 == ".SH " name || $0 == ".SH \"" name "\""); next }
		insec && tp { print; tp = 0; next }
		insec && /^\.TP/ { tp = 1 }'
}

# word_in TOKEN FILE - TOKEN occurs in FILE, not as part of a longer word.
word_in() {
	grep -E -e "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|\$)" "$2" >/dev/null
}

# check_man1 HELP MAN1 - every option of HELP is a tag in MAN1's OPTIONS.
check_man1() {
	section_tags "$2" OPTIONS >tags1 &&
	test -s tags1 &&
	help_options "$1" >opts &&
	missing= &&
	for o in $(cat opts); do
		word_in "$o" tags1 || missing="$missing $o"
	done &&
	if test -n "$missing"; then
		echo "not documented in OPTIONS of $2:$missing" >&2
		return 1
	fi
}

# keys_of HELP - the config keys: long options minus config/help/version
# and those only the command line takes (resume and its kin), - as _.
keys_of() {
	help_options "$1" | grep '^--' | sed 's/^--//' |
	grep -v -x -e config -e help -e version -e resume -e rerun-failed -e force-resume |
	tr - _
}

# check_man5 HELP MAN5 - every key is a tag in MAN5's SETTINGS.
check_man5() {
	section_tags "$2" SETTINGS >tags5 &&
	test -s tags5 &&
	missing= &&
	for k in $(keys_of "$1"); do
		word_in "$k" tags5 || missing="$missing $k"
	done &&
	if test -n "$missing"; then
		echo "not documented in SETTINGS of $2:$missing" >&2
		return 1
	fi
}

# check_example HELP CONF - every key has a "key = value;" line (commented out
# or not) in CONF.
check_example() {
	missing= &&
	for k in $(keys_of "$1"); do
		grep -E -e "^#? *$k *= *[^ ;]+.*;" "$2" >/dev/null || missing="$missing $k"
	done &&
	if test -n "$missing"; then
		echo "not shown in $2:$missing" >&2
		return 1
	fi
}

test_expect_success 'the generated man pages and the example config exist' '
	test -s "$man1" &&
	test -s "$man5" &&
	test -s "$exampleconf"
'

test_expect_success '--help lists options, long and short' '
	"$DISTMPI" --help >help &&
	help_options help >opts &&
	test "$(wc -l <opts)" -ge 15 &&
	grep -x -e --shards opts &&
	grep -x -e -n opts &&
	grep -x -e --backoff-max opts &&
	grep -x -e -V opts
'

test_expect_success 'every --help option is documented in distmpi(1)' '
	check_man1 help "$man1"
'

test_expect_success 'every option tag in distmpi(1) OPTIONS is a real option' '
	section_tags "$man1" OPTIONS |
	grep -o -E -e "(^|[^A-Za-z0-9_-])--?[A-Za-z][a-z-]*" |
	sed "s/^[^-]*//" | sort -u >documented &&
	grep -x -e --timeout documented &&
	help_options help | sort -u >listed &&
	comm -23 documented listed >extra &&
	test_must_be_empty extra
'

test_expect_success 'every setting key is documented in distmpi.conf(5)' '
	keys_of help >keys &&
	grep -x backoff_max keys &&
	grep -x dry_run keys &&
	! grep -x -e config -e help -e version keys &&
	check_man5 help "$man5"
'

test_expect_success 'every setting key is shown in etc/distmpi.conf' '
	check_example help "$exampleconf"
'

test_expect_success 'the check catches a long option missing from distmpi(1)' '
	sed -e "/^\.BI \"\\\\-\\\\-kill\\\\-grace \" SECONDS\$/d" "$man1" >broken.1 &&
	! cmp -s "$man1" broken.1 &&
	test_must_fail check_man1 help broken.1 2>why &&
	grep -x -e "not documented in OPTIONS of broken.1: --kill-grace" why
'

test_expect_success 'the check catches a short option missing from distmpi(1)' '
	sed -e "s/^\.B \\\\-V, \\\\-\\\\-version\$/.B \\\\-\\\\-version/" "$man1" >broken2.1 &&
	! cmp -s "$man1" broken2.1 &&
	test_must_fail check_man1 help broken2.1 2>why &&
	grep -x -e "not documented in OPTIONS of broken2.1: -V" why
'

test_expect_success 'the checks catch a key missing from distmpi.conf(5) and the example' '
	sed -e "/^\.BR backoff_jitter /d" "$man5" >broken.5 &&
	! cmp -s "$man5" broken.5 &&
	test_must_fail check_man5 help broken.5 2>why &&
	grep -x "not documented in SETTINGS of broken.5: backoff_jitter" why &&
	grep -v -e "^# *run_dir *=" "$exampleconf" >broken.conf &&
	test_must_fail check_example help broken.conf 2>why &&
	grep -x "not shown in broken.conf: run_dir" why
'

test_expect_success GROFF 'the man pages format without warnings' '
	groff -man -ww -z "$man1" 2>warn1 &&
	test_must_be_empty warn1 &&
	groff -man -ww -z "$man5" 2>warn5 &&
	test_must_be_empty warn5
'

test_expect_success GENERATED 'the generated pages have their placeholders filled' '
	! grep -e "@VERSION@" -e "@DATE@" -e "@SYSCONFDIR@" "$man1" "$man5" &&
	version=$("$DISTMPI" --version | sed "s/^distmpi //") &&
	grep "^\.TH DISTMPI 1 .*distmpi $version" "$man1"
'

test_expect_success 'every option of "distmpi health --help" is in distmpi(1)' '
	"$DISTMPI" health --help >health-help &&
	help_options health-help >health-opts &&
	test -s health-opts &&
	sed -e "s/\\\\-/-/g" "$man1" >man1-plain &&
	missing= &&
	for o in $(cat health-opts); do
		word_in "$o" man1-plain || missing="$missing $o"
	done &&
	if test -n "$missing"; then
		echo "distmpi health options not in $man1:$missing" >&2
		false
	fi
'

test_done
