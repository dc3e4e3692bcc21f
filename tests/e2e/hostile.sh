#!/bin/sh
# Hostile inputs: each crafted file (tests/tools/hostile.py) must give exit 1,
# exactly one line on stderr ("btfgen: " + the file + the place + why), and
# no output file; an existing OUTPUT stays as it was. Controls (the same
# generators without the defect) must succeed, so a case can't pass by
# accident.
#   tests/e2e/hostile.sh BTFGEN
# Needs clang-19 (the object), python3. Ends with "hostile: N passed, M failed, K skipped".
set -u
case $1 in
/*) BTFGEN=$1 ;;
*) BTFGEN=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TO=${BTFGEN_E2E_TIMEOUT:-20}
CLANG=${CLANG:-clang-19}
NPASS=0 NFAIL=0 NSKIP=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-hostile.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
finish() {
	echo "hostile: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	[ "$NFAIL" -eq 0 ]
	exit
}

OBJ=$TMP/prog.o
IN=$TMP/in
if ! "$CLANG" -g -O2 -target bpf -c "$ROOT/tests/e2e/hostile/prog.bpf.c" -o "$OBJ" 2>"$TMP/cc.log"; then
	skip all "$CLANG can't build tests/e2e/hostile/prog.bpf.c (run make deps): $(head -n 1 "$TMP/cc.log")"
	finish
fi
if ! python3 "$ROOT/tests/tools/hostile.py" "$OBJ" "$IN" 2>"$TMP/py.log"; then
	fail generate "tests/tools/hostile.py: $(tail -n 1 "$TMP/py.log")"
	finish
fi

# run ARGS...: RC, $TMP/stderr; a signal or timeout is a failure of its own
run() {
	timeout "$TO" "$BTFGEN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
	RC=$?
}

# hostile NAME MENTION [OPTION...] -- INPUT OBJECT: min_core_btf into an
# output directory, with and without an existing OUTPUT
hostile() {
	name=$1 mention=$2
	shift 2
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	why=
	for round in absent present; do
		d=$TMP/out
		rm -rf "$d"
		mkdir -p "$d"
		[ $round = absent ] || printf 'previous\n' >"$d/out.btf"
		# shellcheck disable=SC2086
		run $opts min_core_btf "$1" "$d/out.btf" "$2"
		if [ $RC -gt 128 ] || [ $RC -eq 124 ]; then
			why="killed or timed out (exit $RC): $(head -n 3 "$TMP/stderr" | tr '\n' '|')"
		elif [ $RC -ne 1 ]; then
			why="exit $RC, want 1: $(head -n 2 "$TMP/stderr" | tr '\n' '|')"
		elif [ "$(wc -l <"$TMP/stderr")" -ne 1 ]; then
			why="want one line on stderr, got $(wc -l <"$TMP/stderr"): $(head -n 3 "$TMP/stderr" | tr '\n' '|' | cut -c 1-300)"
		elif ! grep -q "^btfgen: " "$TMP/stderr"; then
			why="not a 'btfgen: ' line: $(head -n 1 "$TMP/stderr")"
		elif ! grep -q -F -- "$mention" "$TMP/stderr"; then
			why="does not say '$mention': $(head -n 1 "$TMP/stderr")"
		elif [ $round = absent ] && [ -n "$(ls -A "$d")" ]; then
			why="left behind: $(ls -A "$d" | tr '\n' ' ')"
		elif [ $round = present ] && { [ "$(ls -A "$d")" != out.btf ] || [ "$(cat "$d/out.btf")" != previous ]; }; then
			why="the existing OUTPUT was changed, or files left: $(ls -A "$d" | tr '\n' ' ')"
		fi
		[ -z "$why" ] || break
	done
	if [ -n "$why" ]; then
		fail "$name" "$why"
	else
		pass "$name ($(cut -c 1-150 "$TMP/stderr"))"
	fi
}

# control NAME INPUT OBJECT: must succeed, and give the same output as good.btf
run min_core_btf "$IN/good.btf" "$TMP/good.out" "$OBJ"
if [ $RC -ne 0 ]; then
	fail control/good "exit $RC: $(head -n 1 "$TMP/stderr")"
	finish
fi
pass control/good
control() {
	run min_core_btf "$2" "$TMP/ctl.out" "$3"
	if [ $RC -ne 0 ]; then
		fail "control/$1" "exit $RC: $(head -n 1 "$TMP/stderr")"
	elif ! cmp -s "$TMP/ctl.out" "$TMP/good.out"; then
		fail "control/$1" "output differs from good.btf's"
	else
		pass "control/$1"
	fi
	rm -f "$TMP/ctl.out"
}
control xz-stored "$IN/xz-stored-ok.btf.xz" "$OBJ"
control tar "$IN/tar-ok.tar" "$OBJ"
control tar.xz "$IN/tar-ok.btf.tar.xz" "$OBJ"

# kernel BTF
hostile btf/cyclic-typedef-const "cyclic or deeper than 32" -- "$IN/btf-cycle.btf" "$OBJ"
hostile btf/modifier-chain-40-deep "cyclic or deeper than 32" -- "$IN/btf-deep-mods.btf" "$OBJ"
hostile btf/vlen-65535 "vlen 65535 overruns" -- "$IN/btf-vlen-65535.btf" "$OBJ"
hostile btf/type-len-near-2^32 "exceed data size" -- "$IN/btf-type-len-4g.btf" "$OBJ"
hostile btf/str-off-near-2^31 "exceed data size" -- "$IN/btf-str-off-2g.btf" "$OBJ"
hostile btf/str-len-near-2^32 "exceed data size" -- "$IN/btf-str-len-4g.btf" "$OBJ"
hostile btf/strings-without-nul "does not end with NUL" -- "$IN/btf-strings-no-nul.btf" "$OBJ"
hostile btf/type-id-out-of-range "type [2]: type id 999 out of range" -- "$IN/btf-type-id-out-of-range.btf" "$OBJ"
hostile btf/name-off-out-of-range "type [2]: name offset 8388607 out of range" -- "$IN/btf-name-off-out-of-range.btf" "$OBJ"
hostile limits/max-types "--max-types" --max-types 1 -- "$IN/good.btf" "$OBJ"
hostile limits/max-input-size "--max-input-size" --max-input-size 16 -- "$IN/good.btf" "$OBJ"

# BPF object: ELF container
hostile elf/shoff-past-end "section header table at e_shoff" -- "$IN/good.btf" "$IN/elf-shoff-past-end.o"
hostile elf/shnum-past-end "e_shnum 65535" -- "$IN/good.btf" "$IN/elf-shnum-past-end.o"
hostile elf/section-past-end "outside file" -- "$IN/good.btf" "$IN/elf-section-past-end.o"
hostile elf/sections-overlap "contents overlap" -- "$IN/good.btf" "$IN/elf-sections-overlap.o"
hostile elf/shstrndx-out-of-range "e_shstrndx 65520 out of range" -- "$IN/good.btf" "$IN/elf-shstrndx-out-of-range.o"

# BPF object: .BTF.ext records and access strings
hostile btf.ext/record-size-0 "bad record size 0" -- "$IN/good.btf" "$IN/btf-ext-record-size-0.o"
hostile btf.ext/record-size-huge "rec_size 4294967280" -- "$IN/good.btf" "$IN/btf-ext-record-size-huge.o"
hostile btf.ext/count-near-2^32 "num_info 4294967295" -- "$IN/good.btf" "$IN/btf-ext-count-4g.o"
hostile access/65-entries "more than 64 entries" -- "$IN/good.btf" "$IN/access-too-long.o"
hostile access/malformed "malformed at character 2" -- "$IN/good.btf" "$IN/access-malformed.o"
hostile access/negative "malformed at character 2" -- "$IN/good.btf" "$IN/access-negative.o"
hostile access/over-int "over 2147483647" -- "$IN/good.btf" "$IN/access-huge-index.o"

# xz and tar
hostile xz/block-claims-2^62-bytes "header says 4611686018427387904" -- "$IN/xz-block-claims-2^62.btf.xz" "$OBJ"
hostile xz/index-claims-2^62-bytes "uncompressed size 4611686018427387904" -- "$IN/xz-index-claims-2^62.btf.xz" "$OBJ"
hostile xz/bomb-over-the-cap "--max-btf-size" --max-btf-size 16M -- "$ROOT/tests/fixtures/xz/zeros-20M.xz" "$OBJ"
hostile tar/dotdot-member "unsafe name" -- "$IN/tar-dotdot.tar" "$OBJ"
hostile tar/dotdot-member.btf.tar.xz "unsafe name" -- "$IN/tar-dotdot.btf.tar.xz" "$OBJ"
hostile tar/absolute-member "unsafe name" -- "$IN/tar-absolute.tar" "$OBJ"
hostile tar/absolute-member.btf.tar.xz "unsafe name" -- "$IN/tar-absolute.btf.tar.xz" "$OBJ"

# OUTPUT that can't be written
mkdir -p "$TMP/isdir/keep"
run min_core_btf "$IN/good.btf" "$TMP/isdir" "$OBJ"
if [ $RC -eq 1 ] && [ "$(wc -l <"$TMP/stderr")" -eq 1 ] && grep -q "isdir.*directory" "$TMP/stderr" &&
	[ "$(ls -A "$TMP/isdir")" = keep ]; then
	pass "output/is-a-directory ($(cat "$TMP/stderr"))"
else
	fail output/is-a-directory "exit $RC, $(head -n 2 "$TMP/stderr" | tr '\n' '|'), dir holds: $(ls -A "$TMP/isdir" | tr '\n' ' ')"
fi
# /proc takes no new files, not even from root
run min_core_btf "$IN/good.btf" /proc/btfgen-hostile.btf "$OBJ"
if [ $RC -eq 1 ] && [ "$(wc -l <"$TMP/stderr")" -eq 1 ] && grep -q "/proc/btfgen-hostile.btf" "$TMP/stderr" &&
	[ ! -e /proc/btfgen-hostile.btf ]; then
	pass "output/not-writable ($(cat "$TMP/stderr"))"
else
	fail output/not-writable "exit $RC, $(head -n 2 "$TMP/stderr" | tr '\n' '|')"
fi
finish
