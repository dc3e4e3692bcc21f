#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/archive.sh BTFGEN - end-to-end tests of `btfgen archive` (a whole
# BTFHub-style tree), of `btfgen cat` and of .btf.tar.xz / .xz kernel inputs
# to min_core_btf, relocs --btf and verify (run from anywhere; e.g.
# `sh tests/e2e/archive.sh ./btfgen` from the repository root).
#
# Prints one line per check: "PASS name", "FAIL name: reason" or
# "SKIP name: reason", then notes, and last, alone on its line,
#   archive: N passed, M failed, K skipped
# Exit status: 1 if any check failed or none passed, 0 otherwise (2: usage).
#
# The references are independent of `btfgen archive`: `tar -xOJf` / `xz` for
# decompression, `btfgen min_core_btf` run per extracted kernel and bpftool
# for the outputs, sha256sum for the manifest's hashes, GNU tar and Python's
# tarfile for --tar, `btfgen relocs --json` for --report
# (tests/tools/archive_check.py does the structural checks).
#
# Archives used: the corpus hub/ (BTFHub layout, incl. an aarch64-named kylin
# directory and non-deduplicated kernels) read in place; copies of it plus
# the corpus' raw kernels for the incremental runs; synthetic trees with .btf,
# .btf.xz, markers, junk and odd names; synthetic ELF kernels (tests/progs).
#
# Environment:
#   BTFGEN_CORPUS      kernel BTF corpus (default ../shared/corpus, relative to
#                      the repository root)
#   BTFGEN_E2E_QUICK=1 no bpftool parity, report cross-check on 3 kernels
#   BTFGEN_E2E_TIMEOUT per-command timeout in seconds (default 30)
#   BPFTOOL            reference tool (default /usr/sbin/bpftool, Debian v7.1)
#   CLANG              passed through to tests/progs/build.sh (default clang-19)
#
# Needs (see `make deps`): libbpf-tools, python3, xz, GNU tar, timeout;
# bpftool and clang-19 for some checks (skipped without them).
set -u

. "$(dirname "$0")/common.sh"

BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
QUICK=${BTFGEN_E2E_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
TO=${BTFGEN_E2E_TIMEOUT:-30}
CHECK="$ROOT/tests/tools/archive_check.py"
MANIFEST=btfgen-manifest.json

ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL

TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-archive.XXXXXX") || exit 1
case $TMP in
*[[:space:]]*)	# object lists are word-split below
	rmdir "$TMP"
	TMP=$(mktemp -d /tmp/btfgen-archive.XXXXXX) || exit 1
	;;
esac
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CTX=
NPASS=0
NFAIL=0
NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
note() { echo "$*" >>"$TMP/notes"; }
: >"$TMP/notes"

line1() { head -n 1 "$1" 2>/dev/null | tr '\t' ' ' | cut -c 1-300; }
nlines() { wc -l <"$1" | tr -d ' '; }
fsize() { wc -c <"$1" | tr -d ' '; }
flat() { head -n "${2:-3}" "$1" 2>/dev/null | tr '\n' '|' | cut -c 1-300; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bt ARGS...: run btfgen under a timeout. Sets RC, BAD (non-empty: hang,
# signal or sanitizer report), $TMP/stdout and $TMP/stderr.
# BT_MS: its wall time in milliseconds.
bt() {
	bt_t0=$(now_ms)
	timeout -k 5 "$TO" "$BTFGEN" "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
	RC=$?
	BT_MS=$(($(now_ms) - bt_t0))
	BAD=
	if [ $RC -eq 124 ]; then
		BAD="timed out after ${TO}s (hang?): btfgen $*"
	elif [ $RC -ge 128 ]; then
		BAD="exit status $RC (signal $((RC - 128))): btfgen $*"
	elif [ $RC -eq 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr"; then
		BAD="sanitizer report (exit $RC): $(grep -m 1 -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr" | cut -c 1-200)"
	fi
}

# ar ARGS...: bt archive ARGS...; then WHY is empty if stdout is exactly one
# summary line, SUM holds it. Keeps the output in $TMP/ar.out / $TMP/ar.err.
SUMRE='^archive: [0-9]+ kernels: [0-9]+ processed, [0-9]+ skipped \(unchanged\), [0-9]+ failed, [0-9]+ distinct outputs, [0-9]+ bytes in -> [0-9]+ bytes out, [0-9.]+ s \([0-9]+ other files ignored\)$'
ar() {
	bt archive "$@"
	cp "$TMP/stdout" "$TMP/ar.out"
	cp "$TMP/stderr" "$TMP/ar.err"
	SUM=$(head -n 1 "$TMP/ar.out")
	WHY=
	if [ -n "$BAD" ]; then
		WHY=$BAD
	elif [ "$(nlines "$TMP/ar.out")" -ne 1 ] || ! grep -q -E "$SUMRE" "$TMP/ar.out"; then
		WHY="stdout is not one summary line (exit $RC): $(flat "$TMP/ar.out") stderr: $(flat "$TMP/ar.err" 2)"
	fi
}
# sumnum WORD: a number of the summary line (kernels, processed, skipped,
# failed, distinct, ignored)
sumnum() {
	case $1 in
	kernels) echo "$SUM" | sed -n 's/^archive: \([0-9]*\) kernels:.*/\1/p' ;;
	ignored) echo "$SUM" | sed -n 's/.*(\([0-9]*\) other files ignored)$/\1/p' ;;
	*) echo "$SUM" | sed -n "s/.* \([0-9]*\) $1[ ,].*/\1/p" ;;
	esac
}
# counts K P S F: WHY set if the summary says otherwise
counts() {
	c="$(sumnum kernels) $(sumnum processed) $(sumnum skipped) $(sumnum failed)"
	[ "$c" = "$1 $2 $3 $4" ] ||
		WHY="want kernels/processed/skipped/failed $1 $2 $3 $4, summary: $SUM"
}
# arcase NAME EXIT K P S F: report ar's outcome (exit status and counts)
# as NAME; returns 0 if it passed.
arcase() {
	aname=$1 aexit=$2
	shift 2
	[ -n "$WHY" ] || [ "$RC" -eq "$aexit" ] || WHY="exit $RC, want $aexit: $(flat "$TMP/ar.err" 2)"
	[ -n "$WHY" ] || counts "$@"
	if [ -n "$WHY" ]; then
		fail "$aname" "$WHY${CTX:+ ($CTX)}"
		CTX=
		return 1
	fi
	CTX=
	pass "$aname ($(echo "$SUM" | cut -d: -f2 | cut -d, -f1-4 | sed 's/^ //'))"
	return 0
}
# pycheck NAME ARGS...: tests/tools/archive_check.py ARGS, PASS/FAIL as NAME
pycheck() {
	pname=$1
	shift
	if python3 "$CHECK" "$@" >"$TMP/py.out" 2>&1; then
		pass "$pname ($(tail -n 1 "$TMP/py.out"))"
		CTX=
		return 0
	fi
	fail "$pname" "$(flat "$TMP/py.out" 3)${CTX:+ ($CTX)}"
	CTX=
	return 1
}
# sums DIR OUT: sha256sum of every file below DIR (names relative to DIR)
sums() {
	(cd "$1" && find . -type f -print | sort | while IFS= read -r f; do sha256sum "$f"; done) >"$2"
	(cd "$1" && find . -type l -print | sort | while IFS= read -r f; do sha256sum "$f"; done) >>"$2"
}
# manifest_check NAME IN_DIR OUT_DIR EXPECT OBJECT...: the manifest against
# sha256sum
manifest_check() {
	mname=$1 min=$2 mout=$3 mexp=$4
	shift 4
	sums "$min" "$TMP/in.sums"
	sums "$mout" "$TMP/out.sums"
	sha256sum "$@" >"$TMP/obj.sums"
	pycheck "$mname" manifest "$mout/$MANIFEST" "$mout" "$TMP/in.sums" "$TMP/out.sums" "$mexp" "$VERSION" "$TMP/obj.sums"
}
# expect_of IN_DIR STATUS: EXPECT lines for every kernel file below IN_DIR
# (depth 4, .btf.tar.xz / .btf.xz / .btf, not empty), all with STATUS
expect_of() {
	(cd "$1" && find . -mindepth 4 -maxdepth 4 -type f -size +0 \
		\( -name '?*.btf.tar.xz' -o -name '?*.btf.xz' -o -name '?*.btf' \) -print) | sort |
		while IFS= read -r f; do
			f=${f#./}
			r=${f%.tar.xz}
			r=${r%.xz}
			printf '%s\t%s\t%s\n' "${r%.btf}" "$f" "$2"
		done
}
# stderr_only_warnings FILE: every line is "btfgen: warning: ..." (no
# progress output, no carriage returns, no escape sequences)
stderr_only_warnings() {
	! grep -q -v '^btfgen: warning: ' "$1" && ! grep -q "$(printf '[\r\033]')" "$1"
}

echo "archive: btfgen=$BTFGEN bpftool=$BPFTOOL corpus=$CORPUS${QUICK:+ (quick)}"

# ---------------------------------------------------------------------------
# prerequisites
# ---------------------------------------------------------------------------
VERSION=
if [ ! -x "$BTFGEN" ]; then
	fail prereq/btfgen "$BTFGEN is not an executable (run make)"
else
	bt --version
	VERSION=$(sed -n 's/^btfgen \([^ ]*\).*/\1/p' "$TMP/stdout" | head -n 1)
	if [ $RC -eq 0 ] && [ -z "$BAD" ] && [ -n "$VERSION" ]; then
		pass "prereq/btfgen (btfgen $VERSION)"
	else
		fail prereq/btfgen "btfgen --version: exit $RC $BAD: $(line1 "$TMP/stdout")"
		VERSION=
	fi
fi
missing=
for t in python3 xz tar sha256sum timeout; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	fail prereq/tools "missing:$missing (run make deps)"
fi
if [ -z "$VERSION" ] || [ -n "$missing" ]; then
	echo "archive: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	exit 1
fi
HAVE_BPFTOOL=
if [ -z "$QUICK" ] && "$BPFTOOL" version >/dev/null 2>&1; then
	HAVE_BPFTOOL=1
elif [ -z "$QUICK" ]; then
	skip prereq/bpftool "$BPFTOOL not runnable: no bpftool parity checks (make deps)"
fi

# corpus hub: $TMP/hub.list = release paths "<ID>/<VERSION_ID>/<arch>/<release>"
HUB=
: >"$TMP/hub.list"
if [ -d "$CORPUS/hub" ]; then
	HUB=$(cd "$CORPUS/hub" && pwd)
	(cd "$HUB" && find . -name '*.btf.tar.xz' -print) | sed 's|^\./||; s|\.btf\.tar\.xz$||' | sort >"$TMP/hub.list"
fi
NHUB=$(nlines "$TMP/hub.list")
if [ "$NHUB" -eq 0 ]; then
	skip corpus "no .btf.tar.xz under $CORPUS/hub (set BTFGEN_CORPUS): archive checks on real kernels skipped"
	HUB=
fi

# the kernels, extracted with tar (the reference for cat and for min_core_btf)
if [ -n "$HUB" ]; then
	nbad=0
	while read -r r; do
		mkdir -p "$TMP/ext/$(dirname "$r")"
		n=$(tar -tJf "$HUB/$r.btf.tar.xz" 2>/dev/null | wc -l)
		if [ "$n" -ne 1 ] || ! tar -xOJf "$HUB/$r.btf.tar.xz" >"$TMP/ext/$r.btf" 2>"$TMP/tar.err"; then
			fail "corpus/extract/$r" "tar -xOJf failed or not one member ($n): $(line1 "$TMP/tar.err")"
			nbad=$((nbad + 1))
		fi
	done <"$TMP/hub.list"
	[ $nbad -eq 0 ] && pass "corpus/extract ($NHUB hub archives, tar -xOJf)"
	[ $nbad -eq 0 ] || HUB=
fi

# libbpf-tools: the binaries and their embedded BPF objects (independent extractor)
: >"$TMP/bins"
: >"$TMP/objs.list"
if dpkg -L libbpf-tools >"$TMP/pkg.list" 2>/dev/null; then
	grep '^/usr/sbin/' "$TMP/pkg.list" | sort | while read -r f; do
		[ -L "$f" ] || [ ! -f "$f" ] || echo "$f"
	done >"$TMP/bins"
else
	fail prereq/libbpf-tools "package libbpf-tools not installed (run make deps)"
fi
NBINS=$(nlines "$TMP/bins")
if [ "$NBINS" -gt 0 ]; then
	# shellcheck disable=SC2046
	if python3 "$ROOT/tests/tools/extract_bpf.py" "$TMP/objs" $(cat "$TMP/bins") >/dev/null 2>"$TMP/extract.err"; then
		ls "$TMP"/objs/*.bpf.o 2>/dev/null | sort >"$TMP/objs.list"
		pass "extract/libbpf-tools ($(nlines "$TMP/objs.list") objects from $NBINS binaries)"
	else
		fail extract/libbpf-tools "tests/tools/extract_bpf.py failed: $(line1 "$TMP/extract.err")"
	fi
fi
NOBJS=$(nlines "$TMP/objs.list")
OBJS=$(cat "$TMP/objs.list")	# no spaces in these paths (mktemp + tool names)
BINS=$(cat "$TMP/bins")
# two objects with CO-RE relocations: no warnings on stderr, fast runs
SMALL=
for o in execsnoop opensnoop; do
	[ -f "$TMP/objs/$o.0.bpf.o" ] && SMALL="$SMALL $TMP/objs/$o.0.bpf.o"
done
[ -n "$SMALL" ] || SMALL=$(head -n 2 "$TMP/objs.list")
[ "$NOBJS" -gt 0 ] || HUB=

# synthetic kernels and programs (clang)
PROGS=
if sh "$ROOT/tests/progs/build.sh" "$TMP/progs" >"$TMP/progs.log" 2>&1; then
	PROGS=$TMP/progs
else
	skip progs "tests/progs/build.sh failed (clang-19 missing? make deps): $(line1 "$TMP/progs.log")"
fi

# the per-kernel references: btfgen min_core_btf on the extracted kernel
# ($TMP/ref: default, $TMP/reffmo: --first-match-only), and which kernels have
# relocations with several matching candidates (duplicate types: bpftool's
# first-candidate output differs there by design)
: >"$TMP/multi.list"
if [ -n "$HUB" ]; then
	nbad=0
	while read -r r; do
		mkdir -p "$TMP/ref/$(dirname "$r")" "$TMP/reffmo/$(dirname "$r")"
		# shellcheck disable=SC2086
		bt -v min_core_btf "$TMP/ext/$r.btf" "$TMP/ref/$r.btf" $OBJS
		if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
			fail "reference/$r" "btfgen min_core_btf on the extracted kernel: exit $RC $BAD: $(grep -v -e warning -e 'CO-RE relocations$' -e ' types, ' "$TMP/stderr" | head -n 1)"
			nbad=$((nbad + 1))
		fi
		grep -q 'both match' "$TMP/stderr" && echo "$r" >>"$TMP/multi.list"
		# shellcheck disable=SC2086
		bt --first-match-only min_core_btf "$TMP/ext/$r.btf" "$TMP/reffmo/$r.btf" $OBJS
		if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
			fail "reference/$r/first-match-only" "exit $RC $BAD: $(line1 "$TMP/stderr")"
			nbad=$((nbad + 1))
		fi
	done <"$TMP/hub.list"
	[ $nbad -eq 0 ] && pass "reference (btfgen min_core_btf per extracted kernel, $NHUB kernels; several candidates on: $(tr '\n' ' ' <"$TMP/multi.list"))"
	[ $nbad -eq 0 ] || HUB=
fi

# the smallest hub kernel and a Debian one, for the single-kernel checks
K1='' K2=''
if [ -n "$HUB" ]; then
	K1=$(while read -r r; do echo "$(fsize "$TMP/ext/$r.btf") $r"; done <"$TMP/hub.list" | sort -n | head -n 1 | cut -d' ' -f2)
	K2=$(grep '^debian/.*/x86_64/' "$TMP/hub.list" | head -n 1)
	[ -n "$K2" ] || K2=$(tail -n 1 "$TMP/hub.list")
fi

# ---------------------------------------------------------------------------
# btfgen cat
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	nbad=0
	while read -r r; do
		bt cat "$HUB/$r.btf.tar.xz"
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "cat/hub/$r" "exit $RC $BAD: $(line1 "$TMP/stderr")"
			nbad=$((nbad + 1))
		elif ! cmp -s "$TMP/stdout" "$TMP/ext/$r.btf"; then
			fail "cat/hub/$r" "stdout ($(fsize "$TMP/stdout") bytes) differs from tar -xOJf ($(fsize "$TMP/ext/$r.btf") bytes)"
			nbad=$((nbad + 1))
		elif [ -s "$TMP/stderr" ]; then
			fail "cat/hub/$r" "stderr not empty: $(line1 "$TMP/stderr")"
			nbad=$((nbad + 1))
		fi
	done <"$TMP/hub.list"
	[ $nbad -eq 0 ] && pass "cat/hub ($NHUB .btf.tar.xz = tar -xOJf)"

	# other packagings of one kernel: xz checks and block layouts, tar formats
	mkdir -p "$TMP/fmt/src" "$TMP/fmt/dot"
	k=$TMP/ext/$K1.btf
	kb=$(basename "$K1").btf
	long=$(printf 'l%.0s' $(seq 1 150)).btf
	cp "$k" "$TMP/fmt/src/$kb"
	cp "$k" "$TMP/fmt/src/$long"
	cp "$k" "$TMP/fmt/dot/$kb"
	xz -c "$k" >"$TMP/fmt/crc64.xz"
	xz -c -0 -C crc32 "$k" >"$TMP/fmt/crc32.xz"
	xz -c -1e -C none "$k" >"$TMP/fmt/none-1e.xz"
	xz -c -0 -C sha256 -T2 --block-size=512KiB "$k" >"$TMP/fmt/sha256-blocks.xz"
	for f in gnu ustar pax; do
		tar --format=$f -cf - -C "$TMP/fmt/src" "$kb" | xz -c -0 >"$TMP/fmt/$f.tar.xz"
	done
	tar --format=gnu -cf - -C "$TMP/fmt/src" "$long" | xz -c -0 >"$TMP/fmt/gnu-longname.tar.xz"
	tar --format=pax -cf - -C "$TMP/fmt/src" "$long" | xz -c -0 >"$TMP/fmt/pax-longname.tar.xz"
	tar -cf - -C "$TMP/fmt/dot" . | xz -c -0 >"$TMP/fmt/dot-dir-entry.tar.xz"
	nbad=0
	for f in crc64.xz crc32.xz none-1e.xz sha256-blocks.xz gnu.tar.xz ustar.tar.xz pax.tar.xz \
		gnu-longname.tar.xz pax-longname.tar.xz dot-dir-entry.tar.xz; do
		bt cat "$TMP/fmt/$f"
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "cat/$f" "exit $RC $BAD: $(line1 "$TMP/stderr")"
			nbad=$((nbad + 1))
		elif ! cmp -s "$TMP/stdout" "$k"; then
			fail "cat/$f" "stdout ($(fsize "$TMP/stdout") bytes) is not the kernel ($(fsize "$k") bytes)"
			nbad=$((nbad + 1))
		fi
	done
	[ $nbad -eq 0 ] && pass "cat/packagings (xz crc64/crc32/none/sha256 multi-block, tar gnu/ustar/pax, long names, ./ entry)"

	# errors: two members, truncated, not a kernel at all
	mkdir -p "$TMP/two"
	cp "$k" "$TMP/two/$kb"
	cp "$k" "$TMP/two/second.btf"
	tar -cf - -C "$TMP/two" "$kb" second.btf | xz -c -0 >"$TMP/fmt/two.btf.tar.xz"
	head -c $(($(fsize "$HUB/$K1.btf.tar.xz") / 2)) "$HUB/$K1.btf.tar.xz" >"$TMP/fmt/trunc.btf.tar.xz"
	head -c 4096 /dev/urandom >"$TMP/fmt/garbage.btf.tar.xz"
	for c in two trunc garbage; do
		bt cat "$TMP/fmt/$c.btf.tar.xz"
		n=cat/error/$c
		if [ -n "$BAD" ]; then
			fail "$n" "$BAD"
		elif [ $RC -ne 1 ]; then
			fail "$n" "btfgen cat $c.btf.tar.xz: exit $RC, want 1 (stdout $(fsize "$TMP/stdout") bytes)"
		elif [ "$(nlines "$TMP/stderr")" -ne 1 ] || ! grep -q "^btfgen: .*$c.btf.tar.xz" "$TMP/stderr"; then
			fail "$n" "want one 'btfgen: ' line naming the file: $(flat "$TMP/stderr")"
		elif [ $c = two ] && ! { grep -q -F "$kb" "$TMP/stderr" && grep -q -F second.btf "$TMP/stderr"; }; then
			fail "$n" "the message does not name both members: $(line1 "$TMP/stderr")"
		elif [ -s "$TMP/stdout" ]; then
			fail "$n" "wrote $(fsize "$TMP/stdout") bytes to stdout before failing"
		else
			pass "$n ($(line1 "$TMP/stderr" | cut -c 1-110))"
		fi
	done
	bt cat
	if [ $RC -eq 2 ] && [ -z "$BAD" ]; then pass cat/usage; else fail cat/usage "btfgen cat (no FILE): exit $RC, want 2"; fi
else
	skip cat "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# .btf.tar.xz and .xz as KERNEL of min_core_btf, relocs --btf, verify
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	for r in $K1 $K2; do
		b=$(basename "$r")
		xz -c -0 "$TMP/ext/$r.btf" >"$TMP/fmt/$b.btf.xz"
		xz -c "$TMP/ref/$r.btf" >"$TMP/fmt/$b.min.btf.xz"
		bad=
		for in in "$HUB/$r.btf.tar.xz" "$TMP/fmt/$b.btf.xz"; do
			# shellcheck disable=SC2086
			bt min_core_btf "$in" "$TMP/fmt/out.btf" $OBJS
			if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
				bad="$bad; min_core_btf $(basename "$in"): exit $RC $BAD $(grep -v warning "$TMP/stderr" | head -n 1)"
			elif ! cmp -s "$TMP/fmt/out.btf" "$TMP/ref/$r.btf"; then
				bad="$bad; min_core_btf $(basename "$in"): output differs from the extracted kernel's"
			fi
		done
		[ -z "$bad" ] && pass "input/min_core_btf/$r (.btf.tar.xz, .xz = extracted)"
		[ -z "$bad" ] || fail "input/min_core_btf/$r" "${bad#; }"

		bad=
		# shellcheck disable=SC2086
		bt relocs --json --btf "$TMP/ext/$r.btf" $OBJS
		cp "$TMP/stdout" "$TMP/fmt/relocs.ref"
		[ $RC -eq 0 ] && [ -s "$TMP/fmt/relocs.ref" ] || bad="; relocs on the extracted kernel: exit $RC $BAD"
		for in in "$HUB/$r.btf.tar.xz" "$TMP/fmt/$b.btf.xz"; do
			# shellcheck disable=SC2086
			bt relocs --json --btf "$in" $OBJS
			if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
				bad="$bad; relocs --btf $(basename "$in"): exit $RC $BAD $(grep -v warning "$TMP/stderr" | head -n 1)"
			elif ! cmp -s "$TMP/stdout" "$TMP/fmt/relocs.ref"; then
				bad="$bad; relocs --json --btf $(basename "$in"): output differs from the extracted kernel's"
			fi
		done
		[ -z "$bad" ] && pass "input/relocs/$r (.btf.tar.xz, .xz = extracted)"
		[ -z "$bad" ] || fail "input/relocs/$r" "${bad#; }"

		bad=
		for pair in "$HUB/$r.btf.tar.xz $TMP/ref/$r.btf" "$TMP/fmt/$b.btf.xz $TMP/fmt/$b.min.btf.xz" \
			"$TMP/ext/$r.btf $TMP/fmt/$b.min.btf.xz"; do
			# shellcheck disable=SC2086
			bt verify $pair $OBJS
			if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
				bad="$bad; verify $(for p in $pair; do basename "$p"; done | tr '\n' ' '): exit $RC $BAD $(grep -v warning "$TMP/stderr" | head -n 1)"
			elif ! grep -q 'OK' "$TMP/stdout"; then
				bad="$bad; verify: no OK line: $(line1 "$TMP/stdout")"
			fi
		done
		# the reduced file of another kernel must not pass
		other=$K1
		[ "$r" = "$K1" ] && other=$K2
		# shellcheck disable=SC2086
		bt verify "$HUB/$r.btf.tar.xz" "$TMP/ref/$other.btf" $OBJS
		[ $RC -eq 1 ] || bad="$bad; verify against another kernel's reduced BTF: exit $RC, want 1"
		[ -z "$bad" ] && pass "input/verify/$r (KERNEL .btf.tar.xz/.xz, REDUCED .xz)"
		[ -z "$bad" ] || fail "input/verify/$r" "${bad#; }"
	done

	# a .tar.xz with two files: an error naming the members, for every command
	e=$TMP/fmt/two.btf.tar.xz
	for cmd in min_core_btf relocs verify; do
		rm -f "$TMP/fmt/two.out"
		case $cmd in
		min_core_btf) bt min_core_btf "$e" "$TMP/fmt/two.out" $SMALL ;;
		relocs) bt relocs --btf "$e" $SMALL ;;
		verify) bt verify "$e" "$TMP/ref/$K1.btf" $SMALL ;;
		esac
		n=input/two-members/$cmd
		if [ -n "$BAD" ]; then
			fail "$n" "$BAD"
		elif [ $RC -ne 1 ]; then
			fail "$n" "exit $RC, want 1"
		elif [ "$(nlines "$TMP/stderr")" -ne 1 ] || ! grep -q -F "$kb" "$TMP/stderr" || ! grep -q -F second.btf "$TMP/stderr"; then
			fail "$n" "want one line naming both members ($kb, second.btf): $(flat "$TMP/stderr")"
		elif [ -e "$TMP/fmt/two.out" ]; then
			fail "$n" "an output file was written"
		else
			pass "$n"
		fi
	done
else
	skip input "needs the corpus hub and the libbpf-tools objects"
fi

# ---------------------------------------------------------------------------
# archive over the hub: outputs, parity, manifest, dedup, stderr, --tar, --report
# ---------------------------------------------------------------------------
MAIN=$TMP/o/main
if [ -n "$HUB" ]; then
	mkdir -p "$TMP/o"
	# shellcheck disable=SC2086
	ar --tar "$TMP/main.tar" --report "$TMP/main.report.txt" "$HUB" "$MAIN" $OBJS
	MAIN_DISTINCT=
	if arcase archive/hub 0 "$NHUB" "$NHUB" 0 0; then
		MAIN_DISTINCT=$(sumnum distinct)
		if [ "$(sumnum ignored)" != 0 ]; then
			fail archive/hub/ignored "the hub holds only kernels, summary: $SUM"
		else
			pass archive/hub/ignored
		fi
		if stderr_only_warnings "$TMP/ar.err"; then
			pass "archive/hub/quiet-stderr (stdout: the summary; stderr not a TTY: $(nlines "$TMP/ar.err") warning lines, no progress)"
		else
			fail archive/hub/quiet-stderr "stderr holds more than warnings: $(grep -v '^btfgen: warning: ' "$TMP/ar.err" | head -n 2 | tr '\n\r' '|^' | cut -c 1-200)"
		fi
		pycheck archive/hub/same-as-min_core_btf tree "$MAIN" "$TMP/ref"
		expect_of "$HUB" ok >"$TMP/expect.main"
		manifest_check archive/hub/manifest "$HUB" "$MAIN" "$TMP/expect.main" $OBJS
		if pycheck archive/hub/dedup-hardlink dedup "$MAIN" hardlink; then
			d=$(tail -n 1 "$TMP/py.out")
			if [ "$d" = "$(sumnum distinct)" ]; then
				pass "archive/hub/distinct-count ($d)"
			else
				fail archive/hub/distinct-count "$d distinct contents on disk, summary says: $SUM"
			fi
		fi
		cp "$MAIN/$MANIFEST" "$TMP/main.manifest"
	fi

	# bpftool: identical except on kernels with several matching candidates
	if [ -n "$HAVE_BPFTOOL" ] && [ -d "$MAIN" ]; then
		nsame=0 nby=0 nbf=0 bad=
		mkdir -p "$TMP/bp"
		while read -r r; do
			# shellcheck disable=SC2086
			timeout -k 5 "$TO" "$BPFTOOL" gen min_core_btf "$TMP/ext/$r.btf" "$TMP/bp/out.btf" $OBJS >/dev/null 2>"$TMP/bp/err"
			brc=$?
			if [ $brc -ne 0 ]; then
				nbf=$((nbf + 1))
				note "bpftool fails on $r (exit $brc): $(grep -i error "$TMP/bp/err" | head -n 1 | cut -c 1-120)"
				continue
			fi
			if grep -q -x -F "$r" "$TMP/multi.list"; then
				nby=$((nby + 1))
			elif cmp -s "$TMP/bp/out.btf" "$MAIN/$r.btf"; then
				nsame=$((nsame + 1))
			else
				bad="$bad; $r"
			fi
			cp "$TMP/bp/out.btf" "$TMP/bp/$(echo "$r" | tr / _).btf"
		done <"$TMP/hub.list"
		if [ -n "$bad" ]; then
			fail archive/hub/bpftool "output differs from bpftool gen min_core_btf on:${bad#;}"
		else
			pass "archive/hub/bpftool ($nsame identical; $nby with duplicate types, differ by design; bpftool failed on $nbf)"
		fi
	fi

	# --first-match-only: bpftool's marking, identical to min_core_btf --first-match-only and to bpftool
	# shellcheck disable=SC2086
	ar --first-match-only "$HUB" "$TMP/o/fmo" $OBJS
	if arcase archive/hub/first-match-only 0 "$NHUB" "$NHUB" 0 0; then
		pycheck archive/hub/first-match-only/same-as-min_core_btf tree "$TMP/o/fmo" "$TMP/reffmo"
		if [ -n "$HAVE_BPFTOOL" ]; then
			bad='' nsame=0
			while read -r r; do
				f=$TMP/bp/$(echo "$r" | tr / _).btf
				[ -f "$f" ] || continue
				if cmp -s "$f" "$TMP/o/fmo/$r.btf"; then nsame=$((nsame + 1)); else bad="$bad; $r"; fi
			done <"$TMP/hub.list"
			[ -z "$bad" ] && pass "archive/hub/first-match-only/bpftool ($nsame kernels identical, duplicate types included)"
			[ -z "$bad" ] || fail archive/hub/first-match-only/bpftool "differs from bpftool on:${bad#;}"
		fi
	fi

	# -j 1: same tree, same manifest, same tar; JSON report
	# shellcheck disable=SC2086
	ar -j 1 --tar "$TMP/j1.tar" --report "$TMP/main.report.json" "$HUB" "$TMP/o/j1" $OBJS
	if arcase archive/hub/j1 0 "$NHUB" "$NHUB" 0 0; then
		pycheck archive/hub/j1/same-as-min_core_btf tree "$TMP/o/j1" "$TMP/ref"
		if cmp -s "$TMP/o/j1/$MANIFEST" "$TMP/main.manifest"; then
			pass archive/hub/j1/same-manifest
		else
			fail archive/hub/j1/same-manifest "-j 1 and the default -j wrote different manifests"
		fi
	fi

	# the executables themselves as OBJECTs
	# shellcheck disable=SC2086
	ar "$HUB" "$TMP/o/exe" $BINS
	if arcase archive/hub/executables 0 "$NHUB" "$NHUB" 0 0; then
		pycheck archive/hub/executables/same-as-extracted-objects tree "$TMP/o/exe" "$TMP/ref"
	fi

	# --tar: GNU tar's view, Python's view, extraction, determinism
	if [ -f "$TMP/main.tar" ]; then
		if tar -tvf "$TMP/main.tar" >"$TMP/tar.tv" 2>"$TMP/tar.err"; then
			bad=$(grep -v -E '^[-h]rw-r--r-- 0/0 .* 1970-01-01 00:00 ' "$TMP/tar.tv" | head -n 1)
			if [ -n "$bad" ]; then
				fail archive/tar/tar-tv "tar -tvf: entry not mode 0644, 0/0, mtime 0: $bad"
			elif [ "$(nlines "$TMP/tar.tv")" -ne "$NHUB" ]; then
				fail archive/tar/tar-tv "tar -tvf lists $(nlines "$TMP/tar.tv") entries for $NHUB kernels"
			elif [ "$(grep -c '^h' "$TMP/tar.tv")" -ne $((NHUB - ${MAIN_DISTINCT:-0})) ]; then
				fail archive/tar/tar-tv "$(grep -c '^h' "$TMP/tar.tv") hard-link entries, want $NHUB kernels - $MAIN_DISTINCT distinct outputs"
			else
				pass "archive/tar/tar-tv ($(grep -c '^h' "$TMP/tar.tv") hard links)"
			fi
		else
			fail archive/tar/tar-tv "tar -tvf failed: $(line1 "$TMP/tar.err")"
		fi
		pycheck archive/tar/entries tar "$TMP/main.tar" "$MAIN"
		mkdir -p "$TMP/untar"
		if tar -xf "$TMP/main.tar" -C "$TMP/untar" 2>"$TMP/tar.err"; then
			pycheck archive/tar/extracted-equals-tree tree "$TMP/untar" "$TMP/ref"
		else
			fail archive/tar/extracted-equals-tree "tar -xf failed: $(line1 "$TMP/tar.err")"
		fi
		if [ -f "$TMP/j1.tar" ] && cmp -s "$TMP/main.tar" "$TMP/j1.tar"; then
			pass "archive/tar/deterministic (two runs, -j 2 and -j 1: same bytes)"
		else
			fail archive/tar/deterministic "two runs wrote different tar files"
		fi
	else
		fail archive/tar "--tar wrote no file"
	fi

	# --report: text and JSON agree; poisoned relocations = relocs --json --btf
	if [ -f "$TMP/main.report.json" ] && [ -f "$TMP/main.report.txt" ]; then
		: >"$TMP/relocs.map"
		i=0
		if [ -n "$QUICK" ]; then
			{ echo "$K1"; echo "$K2"; head -n 1 "$TMP/multi.list"; } | sort -u
		else
			cat "$TMP/hub.list"
		fi >"$TMP/report.kernels"
		while read -r r; do
			[ -n "$r" ] || continue
			i=$((i + 1))
			# shellcheck disable=SC2086
			bt relocs --json --btf "$HUB/$r.btf.tar.xz" $OBJS
			if [ $RC -ne 0 ]; then
				fail "archive/report/relocs/$r" "btfgen relocs --json --btf: exit $RC $BAD $(grep -v warning "$TMP/stderr" | head -n 1)"
				continue
			fi
			cp "$TMP/stdout" "$TMP/relocs.$i.json"
			printf '%s\t%s\n' "$r" "$TMP/relocs.$i.json" >>"$TMP/relocs.map"
		done <"$TMP/report.kernels"
		pycheck archive/report/matches-relocs report "$TMP/main.report.json" "$TMP/main.report.txt" "$TMP/relocs.map"
	else
		fail archive/report "--report wrote no file ($(ls "$TMP"/main.report.* 2>/dev/null | tr '\n' ' '))"
	fi
else
	skip archive/hub "needs the corpus hub and the libbpf-tools objects"
fi

# ---------------------------------------------------------------------------
# filters
# ---------------------------------------------------------------------------
# filter NAME AWK_COND ARGS...: the kernels selected must be exactly those of
# the hub whose path fields ($1 ID, $2 VERSION_ID, $3 arch, $4 release)
# satisfy AWK_COND
filter() {
	fname=$1 fcond=$2
	shift 2
	fo=$TMP/o/filter
	rm -rf "$fo"
	awk -F/ "$fcond" "$TMP/hub.list" >"$TMP/filter.want"
	nw=$(nlines "$TMP/filter.want")
	ar "$@" "$HUB" "$fo" $SMALL
	arcase "$fname" 0 "$nw" "$nw" 0 0 || return
	python3 -c 'import json,sys; [print(k["path"]) for k in json.load(open(sys.argv[1]))["kernels"]]' \
		"$fo/$MANIFEST" 2>&1 | sort >"$TMP/filter.got"
	(cd "$fo" && find . -name '*.btf' -print) | sed 's|^\./||; s|\.btf$||' | sort >"$TMP/filter.files"
	if [ "$nw" -eq 0 ]; then
		fail "$fname/selection" "the filter should select some hub kernels (test bug?)"
	elif ! cmp -s "$TMP/filter.want" "$TMP/filter.got"; then
		fail "$fname/selection" "manifest lists: $(tr '\n' ' ' <"$TMP/filter.got" | cut -c 1-200); want: $(tr '\n' ' ' <"$TMP/filter.want" | cut -c 1-200)"
	elif ! cmp -s "$TMP/filter.want" "$TMP/filter.files"; then
		fail "$fname/selection" "output files: $(tr '\n' ' ' <"$TMP/filter.files" | cut -c 1-200)"
	else
		pass "$fname/selection ($nw kernels)"
	fi
}
if [ -n "$HUB" ]; then
	filter filter/distro '$1 == "debian"' --distro debian
	filter filter/version '$2 == "12"' --distro-version 12
	filter filter/arch-arm64 '$3 == "arm64" || $3 == "aarch64"' --arch arm64
	filter filter/arch-aarch64 '$3 == "arm64" || $3 == "aarch64"' --arch aarch64
	filter filter/arch-x86_64 '$3 == "x86_64" || $3 == "amd64"' --arch x86_64
	filter filter/arch-amd64 '$3 == "x86_64" || $3 == "amd64"' --arch=amd64
	filter filter/release-glob '$4 ~ /^6\.1\.0-/' --release '6.1.0-*'
	filter filter/release-glob-middle '$4 ~ /ky10/' --release '*ky10*'
	filter filter/combined '$1 == "kylin" && ($3 == "arm64" || $3 == "aarch64")' --distro kylin --arch arm64
	filter filter/combined-version '$1 == "android" && $2 == "13"' --distro android --distro-version 13 --arch aarch64
	# a filtered run into a full output tree: does the manifest still describe it?
	rm -rf "$TMP/o/filter"
	ar "$HUB" "$TMP/o/filter" $SMALL
	ar --distro debian "$HUB" "$TMP/o/filter" $SMALL
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["kernels"]))' "$TMP/o/filter/$MANIFEST" 2>/dev/null)
	if [ -n "$n" ] && [ "$n" -lt "$NHUB" ]; then
		note "a filtered run (--distro debian) into an existing full output tree rewrites the manifest with its $n kernels only; the other $((NHUB - n)) outputs stay on disk, unlisted, and are reprocessed by the next full run"
	fi
else
	skip filter "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# synthetic tree: .btf / .btf.xz / .btf.tar.xz, amd64 directory, markers,
# junk, odd names; dedup modes
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	x86=$K2
	arm=$(grep '/arm64/\|/aarch64/' "$TMP/hub.list" | grep -v -x -F -f "$TMP/multi.list" | head -n 2)
	arm1=$(echo "$arm" | head -n 1)
	arm2=$(echo "$arm" | tail -n 1)
	S=$TMP/syn
	SR=$TMP/synref
	long=5.4.0-$(printf '9%.0s' $(seq 1 120))-generic
	odd='5.4.0-1 "odd" name'
	mkdir -p "$S/ubuntu/20.04/x86_64" "$S/ubuntu/22.04/amd64" "$S/centos/8/arm64" \
		"$SR/ubuntu/20.04/x86_64" "$SR/ubuntu/22.04/amd64" "$SR/centos/8/arm64"
	cp "$HUB/$x86.btf.tar.xz" "$S/ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz"
	# made with btfgen cat and xz
	{
		"$BTFGEN" cat "$HUB/$x86.btf.tar.xz" >"$S/ubuntu/20.04/x86_64/5.4.0-2-generic.btf"
		"$BTFGEN" cat "$HUB/$x86.btf.tar.xz" | xz -c -0 >"$S/ubuntu/22.04/amd64/5.15.0-1-generic.btf.xz"
		"$BTFGEN" cat "$HUB/$x86.btf.tar.xz" | xz -c -0 -C crc32 >"$S/ubuntu/20.04/x86_64/$long.btf.xz"
		"$BTFGEN" cat "$HUB/$x86.btf.tar.xz" >"$S/ubuntu/20.04/x86_64/$odd.btf"
		"$BTFGEN" cat "$HUB/$arm1.btf.tar.xz" | xz -c -0 -C sha256 >"$S/centos/8/arm64/4.18.0-1.el8.aarch64.btf.xz"
		"$BTFGEN" cat "$HUB/$arm2.btf.tar.xz" >"$S/centos/8/arm64/4.18.0-2.el8.aarch64.btf"
	} 2>"$TMP/syn.err"
	if ! cmp -s "$S/ubuntu/20.04/x86_64/5.4.0-2-generic.btf" "$TMP/ext/$x86.btf" ||
		! cmp -s "$S/centos/8/arm64/4.18.0-2.el8.aarch64.btf" "$TMP/ext/$arm2.btf" ||
		! xz -dc "$S/centos/8/arm64/4.18.0-1.el8.aarch64.btf.xz" | cmp -s - "$TMP/ext/$arm1.btf"; then
		fail synthetic/setup "btfgen cat | xz did not reproduce the kernels: $(line1 "$TMP/syn.err")"
	fi
	for f in ubuntu/20.04/x86_64/5.4.0-1-generic ubuntu/20.04/x86_64/5.4.0-2-generic \
		ubuntu/22.04/amd64/5.15.0-1-generic "ubuntu/20.04/x86_64/$long" "ubuntu/20.04/x86_64/$odd"; do
		cp "$TMP/ref/$x86.btf" "$SR/$f.btf"
	done
	cp "$TMP/ref/$arm1.btf" "$SR/centos/8/arm64/4.18.0-1.el8.aarch64.btf"
	cp "$TMP/ref/$arm2.btf" "$SR/centos/8/arm64/4.18.0-2.el8.aarch64.btf"
	# 9 other files: markers, empty placeholders, junk at every depth
	echo readme >"$S/README.md"
	echo notes >"$S/ubuntu/notes.txt"
	echo index >"$S/ubuntu/20.04/index.txt"
	: >"$S/ubuntu/20.04/x86_64/5.4.0-9-generic.failed"
	: >"$S/ubuntu/20.04/x86_64/5.4.0-8-generic.hasbtf"
	: >"$S/ubuntu/20.04/x86_64/5.4.0-7-generic.btf.tar.xz"
	: >"$S/centos/8/arm64/4.18.0-3.el8.aarch64.btf"
	echo sums >"$S/ubuntu/20.04/x86_64/SHA256SUMS"
	gzip -c "$S/ubuntu/20.04/x86_64/5.4.0-2-generic.btf" >"$S/centos/8/arm64/4.18.0-4.el8.aarch64.btf.tar.gz"
	NSYN=7 NIGN=9

	# shellcheck disable=SC2086
	ar --tar "$TMP/syn.tar" "$S" "$TMP/o/syn" $OBJS
	if arcase synthetic/run 0 $NSYN $NSYN 0 0; then
		if [ "$(sumnum ignored)" = $NIGN ]; then
			pass "synthetic/other-files-ignored ($NIGN: .failed, .hasbtf, empty, junk)"
		else
			fail synthetic/other-files-ignored "want ($NIGN other files ignored), summary: $SUM"
		fi
		pycheck synthetic/same-as-min_core_btf tree "$TMP/o/syn" "$SR"
		expect_of "$S" ok >"$TMP/expect.syn"
		manifest_check synthetic/manifest "$S" "$TMP/o/syn" "$TMP/expect.syn" $OBJS
		pycheck synthetic/dedup-hardlink dedup "$TMP/o/syn" hardlink
		pycheck synthetic/tar tar "$TMP/syn.tar" "$TMP/o/syn"
		if tar -tvf "$TMP/syn.tar" 2>/dev/null | grep -q -F "$long.btf"; then
			pass "synthetic/tar-long-name (${#long}-character release listed by tar -tvf)"
		else
			fail synthetic/tar-long-name "tar -tvf does not list .../$long.btf"
		fi
		# odd names survive the manifest: nothing to redo
		# shellcheck disable=SC2086
		ar --tar "$TMP/syn2.tar" "$S" "$TMP/o/syn" $OBJS
		arcase synthetic/rerun-skips-all 0 $NSYN 0 $NSYN 0
		if cmp -s "$TMP/syn.tar" "$TMP/syn2.tar"; then
			pass "synthetic/tar-rerun-identical"
		else
			fail synthetic/tar-rerun-identical "--tar of an unchanged re-run differs from the first run's"
		fi
	fi
	for mode in symlink copy; do
		# shellcheck disable=SC2086
		ar --dedup=$mode --tar "$TMP/syn-$mode.tar" "$S" "$TMP/o/syn-$mode" $OBJS
		if arcase "synthetic/dedup-$mode/run" 0 $NSYN $NSYN 0 0; then
			pycheck "synthetic/dedup-$mode/same-as-min_core_btf" tree "$TMP/o/syn-$mode" "$SR"
			pycheck "synthetic/dedup-$mode" dedup "$TMP/o/syn-$mode" $mode
			if cmp -s "$TMP/syn.tar" "$TMP/syn-$mode.tar"; then
				pass "synthetic/dedup-$mode/tar (same bytes as with hardlinks)"
			else
				fail "synthetic/dedup-$mode/tar" "--tar differs from the hardlink run's (duplicates must be hard-link entries whatever --dedup)"
			fi
		fi
	done
	# re-run with another --dedup mode on the existing tree
	# shellcheck disable=SC2086
	ar --dedup=symlink "$S" "$TMP/o/syn" $OBJS
	if [ -z "$WHY" ] && [ $RC -eq 0 ]; then
		CTX="hardlink run, then a re-run with --dedup=symlink: $SUM"
		pycheck synthetic/dedup-mode-change dedup "$TMP/o/syn" symlink
	else
		fail synthetic/dedup-mode-change "exit $RC $WHY"
	fi
	# arch aliases on directories named amd64 / x86_64 / arm64
	for a in x86_64 amd64 aarch64; do
		rm -rf "$TMP/o/syn-arch"
		ar --arch "$a" "$S" "$TMP/o/syn-arch" $SMALL
		case $a in
		aarch64) want=2 ;;
		*) want=5 ;;
		esac
		arcase "synthetic/arch-$a" 0 $want $want 0 0
	done
else
	skip synthetic "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# incremental runs: an archive of all corpus kernels (hub + raw kernels)
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	A=$TMP/all
	AO=$TMP/o/inc
	AR=$TMP/allref
	mkdir -p "$A" "$AR"
	cp -r "$HUB/." "$A/"
	cp -r "$TMP/ref/." "$AR/"
	for f in "$CORPUS"/kernels/vmlinux-*.btf; do
		[ -f "$f" ] || continue
		mkdir -p "$A/corpus/1/x86_64" "$AR/corpus/1/x86_64"
		b=$(basename "$f")
		cp "$f" "$A/corpus/1/x86_64/$b"
		# shellcheck disable=SC2086
		bt min_core_btf "$f" "$AR/corpus/1/x86_64/$b" $OBJS
		[ $RC -eq 0 ] || fail "incremental/reference/$b" "btfgen min_core_btf: exit $RC $(grep -v warning "$TMP/stderr" | head -n 1)"
	done
	NA=$(expect_of "$A" ok | wc -l)

	# first run and unchanged re-run: at least 20x faster (3 attempts)
	speed=
	for attempt in 1 2 3; do
		rm -rf "$AO"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		first=$BT_MS
		[ $attempt -eq 1 ] && { arcase incremental/first-run 0 "$NA" "$NA" 0 0 || break; }
		cp "$AO/$MANIFEST" "$TMP/inc.manifest1"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		rerun=$BT_MS
		[ $attempt -eq 1 ] && { arcase incremental/rerun-skips-all 0 "$NA" 0 "$NA" 0 || break; }
		[ $rerun -gt 0 ] || rerun=1
		speed="$speed ${first}/${rerun}ms"
		if [ $first -ge $((20 * rerun)) ]; then
			pass "incremental/rerun-20x-faster (first run ${first} ms, unchanged re-run ${rerun} ms: $((first / rerun))x; attempt $attempt)"
			speed=ok
			break
		fi
	done
	[ -n "$speed" ] && [ "$speed" != ok ] &&
		fail incremental/rerun-20x-faster "first/re-run wall times:$speed (want >= 20x)"
	if [ -f "$AO/$MANIFEST" ]; then
		if cmp -s "$AO/$MANIFEST" "$TMP/inc.manifest1"; then
			pass incremental/rerun-same-manifest
		else
			fail incremental/rerun-same-manifest "an unchanged re-run rewrote the manifest differently"
		fi
		pycheck incremental/rerun-same-as-min_core_btf tree "$AO" "$AR"
	fi

	# a kernel with an output of its own, packaged as .btf.tar.xz
	U=$(python3 "$CHECK" unique "$AO/$MANIFEST" 2>/dev/null | while read -r p; do
		[ -f "$A/$p.btf.tar.xz" ] && echo "$p"; done | head -n 1)
	U2=$(python3 "$CHECK" unique "$AO/$MANIFEST" 2>/dev/null | grep -v -x -F "$U" | tail -n 1)
	if [ -z "$U" ] || [ -z "$U2" ]; then
		fail incremental/unique "no kernel with an output of its own in $AO"
	else
		UF=$A/$U.btf.tar.xz
		# replaced by garbage of the same size and mtime (informative only:
		# whether btfgen trusts size + mtime)
		cp -p "$UF" "$TMP/saved.tar.xz"
		head -c "$(fsize "$UF")" /dev/urandom >"$UF"
		touch -r "$TMP/saved.tar.xz" "$UF"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		if [ "$(sumnum skipped)" = "$NA" ]; then
			note "an input replaced by other bytes of the same size with its mtime restored is skipped (not even read: size + mtime are trusted, the content change goes unnoticed)"
		fi
		cp -p "$TMP/saved.tar.xz" "$UF"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS

		# mtime changed, same bytes: still unchanged
		touch "$UF"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		arcase incremental/touched-same-content 0 "$NA" 0 "$NA" 0

		# content changed (recompressed): only this kernel
		xz -dc "$TMP/saved.tar.xz" | xz -c -1 -C crc32 >"$UF"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		if arcase incremental/content-change-reprocesses-it 0 "$NA" 1 $((NA - 1)) 0; then
			h=$(python3 "$CHECK" field "$AO/$MANIFEST" "$U" input_sha256)
			if [ "$h" = "$(sha256sum "$UF" | cut -d' ' -f1)" ]; then
				pass incremental/content-change/new-input-hash
			else
				fail incremental/content-change/new-input-hash "manifest says $h for the recompressed $U"
			fi
		fi

		# an output deleted: only this kernel
		rm -f "$AO/$U2.btf"
		# shellcheck disable=SC2086
		ar "$A" "$AO" $OBJS
		arcase incremental/deleted-output-reprocessed 0 "$NA" 1 $((NA - 1)) 0
		pycheck incremental/after-changes-same-as-min_core_btf tree "$AO" "$AR"
		expect_of "$A" ok >"$TMP/expect.all"
		manifest_check incremental/after-changes-manifest "$A" "$AO" "$TMP/expect.all" $OBJS
	fi

	# a new kernel: only it; a removed one: gone from the manifest
	NEWK=$(head -n 1 "$TMP/hub.list")
	mkdir -p "$A/new/1/arm64" "$AR/new/1/arm64"
	cp "$HUB/$NEWK.btf.tar.xz" "$A/new/1/arm64/added.btf.tar.xz"
	cp "$TMP/ref/$NEWK.btf" "$AR/new/1/arm64/added.btf"
	# shellcheck disable=SC2086
	ar "$A" "$AO" $OBJS
	arcase incremental/new-kernel-only 0 $((NA + 1)) 1 "$NA" 0
	rm -rf "$A/new" "$AR/new"
	# shellcheck disable=SC2086
	ar "$A" "$AO" $OBJS
	if arcase incremental/removed-kernel 0 "$NA" 0 "$NA" 0; then
		if grep -q '"new/1/arm64/added"' "$AO/$MANIFEST"; then
			fail incremental/removed-kernel/manifest "the manifest still lists the removed kernel"
		else
			pass incremental/removed-kernel/manifest
		fi
		[ -e "$AO/new/1/arm64/added.btf" ] &&
			note "the output of a kernel removed from INPUT_DIR stays in OUTPUT_DIR (not listed in the manifest)"
		rm -rf "$AO/new"
	fi

	# the object set changes: everything again
	less=$(echo "$OBJS" | sed '$d')
	# shellcheck disable=SC2086
	ar "$A" "$AO" $less
	arcase incremental/object-removed-reprocesses-all 0 "$NA" "$NA" 0 0
	# shellcheck disable=SC2086
	ar "$A" "$AO" $OBJS
	arcase incremental/object-added-reprocesses-all 0 "$NA" "$NA" 0 0
	pycheck incremental/final-same-as-min_core_btf tree "$AO" "$AR"

	# the report of a re-run (read back from the manifest) = a fresh run's
	# shellcheck disable=SC2086
	ar --report "$TMP/inc.report.json" --tar "$TMP/inc.tar" "$A" "$AO" $OBJS
	arcase incremental/rerun-with-report 0 "$NA" 0 "$NA" 0
	# shellcheck disable=SC2086
	ar --report "$TMP/fresh.report.json" --tar "$TMP/fresh.tar" "$A" "$TMP/o/fresh" $OBJS
	if [ -f "$TMP/inc.report.json" ] && cmp -s "$TMP/inc.report.json" "$TMP/fresh.report.json"; then
		pass incremental/report-from-manifest
	else
		fail incremental/report-from-manifest "the report of an all-skipped re-run differs from a fresh run's"
	fi
	if [ -f "$TMP/inc.tar" ] && cmp -s "$TMP/inc.tar" "$TMP/fresh.tar"; then
		pass incremental/tar-after-increments
	else
		fail incremental/tar-after-increments "--tar after incremental runs differs from a fresh run's"
	fi

	# dedup after an incremental run: an input that now reduces to the same
	# output as kernels already written must share their file
	D=$TMP/dd
	mkdir -p "$D/x/1/x86_64"
	cp "$TMP/ext/$K2.btf" "$D/x/1/x86_64/b.btf"
	cp "$TMP/ext/$K2.btf" "$D/x/1/x86_64/c.btf"
	cp "$TMP/ext/$K1.btf" "$D/x/1/x86_64/a.btf"
	ar "$D" "$TMP/o/dd" $SMALL
	cp "$TMP/ext/$K2.btf" "$D/x/1/x86_64/a.btf"
	ar "$D" "$TMP/o/dd" $SMALL
	if arcase incremental/dedup-after-change/run 0 3 1 2 0; then
		CTX="a.btf changed and now reduces to the output of b.btf and c.btf; summary: $SUM"
		pycheck incremental/dedup-after-change dedup "$TMP/o/dd" hardlink
	fi

	# an object file rewritten in place (same path, other bytes): everything again
	mkdir -p "$TMP/dobj"
	# shellcheck disable=SC2086
	set -- $SMALL
	cp "$1" "$TMP/dobj/one.bpf.o"
	cp "${2:-$1}" "$TMP/dobj/two.bpf.o"
	rm -rf "$TMP/o/dobj"
	ar "$D" "$TMP/o/dobj" "$TMP/dobj/one.bpf.o" "$TMP/dobj/two.bpf.o"
	ar "$D" "$TMP/o/dobj" "$TMP/dobj/one.bpf.o" "$TMP/dobj/two.bpf.o"
	arcase incremental/same-objects-skips 0 3 0 3 0
	cp "$1" "$TMP/dobj/two.bpf.o"
	ar "$D" "$TMP/o/dobj" "$TMP/dobj/one.bpf.o" "$TMP/dobj/two.bpf.o"
	arcase incremental/object-content-changed-reprocesses-all 0 3 3 0 0
	set --
else
	skip incremental "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# failures: corrupt inputs are reported, recorded, and the run goes on
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	F=$TMP/bad
	FD=$F/distro/1/x86_64
	mkdir -p "$FD" "$TMP/badref/distro/1/x86_64"
	cp "$HUB/$K2.btf.tar.xz" "$FD/good.btf.tar.xz"
	"$BTFGEN" min_core_btf "$TMP/ext/$K2.btf" "$TMP/badref/distro/1/x86_64/good.btf" $SMALL 2>/dev/null
	cp "$TMP/fmt/trunc.btf.tar.xz" "$FD/truncated.btf.tar.xz"
	cp "$TMP/fmt/two.btf.tar.xz" "$FD/two-files.btf.tar.xz"
	head -c 8192 /dev/urandom >"$FD/garbage1.btf.tar.xz"
	head -c 8192 /dev/urandom >"$FD/garbage2.btf.xz"
	head -c 100000 "$TMP/ext/$K1.btf" >"$FD/truncated-raw.btf"
	NBAD=5
	ar "$F" "$TMP/o/bad" $SMALL
	if arcase failures/run-continues 1 6 1 0 "$NBAD"; then
		pycheck failures/good-kernel-written tree "$TMP/o/bad" "$TMP/badref"
		{
			expect_of "$F" failed | grep -v '^distro/1/x86_64/good	'
			printf 'distro/1/x86_64/good\tdistro/1/x86_64/good.btf.tar.xz\tok\n'
		} | sort >"$TMP/expect.bad"
		manifest_check failures/manifest "$F" "$TMP/o/bad" "$TMP/expect.bad" $SMALL
		bad=
		[ "$(nlines "$TMP/ar.err")" -eq $NBAD ] || bad="; $(nlines "$TMP/ar.err") stderr lines for $NBAD failures: $(flat "$TMP/ar.err" 8)"
		for f in truncated.btf.tar.xz two-files.btf.tar.xz garbage1.btf.tar.xz garbage2.btf.xz truncated-raw.btf; do
			c=$(grep -c -F "$f" "$TMP/ar.err")
			[ "$c" -eq 1 ] || bad="$bad; $c stderr lines name $f"
		done
		grep -F two-files.btf.tar.xz "$TMP/ar.err" | grep -q -F second.btf ||
			bad="$bad; the two-files line does not name the members"
		grep -q -v '^btfgen: ' "$TMP/ar.err" && bad="$bad; a stderr line without 'btfgen: '"
		[ -z "$bad" ] && pass "failures/one-line-each ($(grep -F truncated.btf.tar.xz "$TMP/ar.err" | cut -c 1-100))"
		[ -z "$bad" ] || fail failures/one-line-each "${bad#; }"
	fi
	# repaired: processed, the still-broken ones retried, the good one skipped
	cp "$HUB/$K1.btf.tar.xz" "$FD/truncated.btf.tar.xz"
	ar "$F" "$TMP/o/bad" $SMALL
	arcase failures/repaired-input-reprocessed 1 6 1 1 $((NBAD - 1))
else
	skip failures "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# synthetic ELF kernels (tests/progs): .btf (ELF), .btf.xz, .btf.tar.xz;
# a kernel on which the objects fail; --first-match-only
# ---------------------------------------------------------------------------
if [ -n "$PROGS" ]; then
	P=$TMP/progtree
	PD=$P/syn/1/x86_64
	mkdir -p "$PD" "$TMP/ptar" "$TMP/pref/syn/1/x86_64"
	cp "$PROGS/kern_basic.o" "$PD/basic.btf"
	xz -c "$PROGS/kern_tag.o" >"$PD/tag.btf.xz"
	cp "$PROGS/kern_enum64.o" "$TMP/ptar/enum64.btf"
	tar -cJf "$PD/enum64.btf.tar.xz" -C "$TMP/ptar" enum64.btf
	cp "$PROGS/kern_dup.o" "$PD/dup.btf"
	POBJS=
	for p in fields types enums match dup_ok dup_offset tag_fields enum64 fwd; do
		POBJS="$POBJS $PROGS/prog_$p.bpfel.o"
	done
	POBJS="$POBJS $PROGS/prog_fields.bpfeb.o"
	for k in basic tag enum64; do
		# shellcheck disable=SC2086
		"$BTFGEN" min_core_btf "$PROGS/kern_$k.o" "$TMP/pref/syn/1/x86_64/$k.btf" $POBJS 2>/dev/null ||
			fail "progs/reference/$k" "btfgen min_core_btf kern_$k.o failed"
	done
	# shellcheck disable=SC2086
	bt min_core_btf "$PROGS/kern_dup.o" "$TMP/pdup.btf" $POBJS
	derr=$(grep -v '^btfgen: warning: ' "$TMP/stderr" | head -n 1 | sed 's/^btfgen: //')
	[ $RC -eq 1 ] && [ -n "$derr" ] || fail progs/reference/dup "btfgen min_core_btf kern_dup.o was expected to fail (ambiguity): exit $RC"
	# shellcheck disable=SC2086
	ar --report "$TMP/prog.report.json" "$P" "$TMP/o/prog" $POBJS
	if arcase progs/run 1 4 3 0 1; then
		pycheck progs/same-as-min_core_btf tree "$TMP/o/prog" "$TMP/pref"
		e=$(python3 "$CHECK" field "$TMP/o/prog/$MANIFEST" syn/1/x86_64/dup error)
		s=$(python3 "$CHECK" field "$TMP/o/prog/$MANIFEST" syn/1/x86_64/dup status)
		if [ "$s" = failed ] && [ -n "$derr" ] && case $e in *"$derr"*) true ;; *) false ;; esac; then
			pass "progs/failure-recorded (manifest error holds min_core_btf's message)"
		else
			fail progs/failure-recorded "manifest: status '$s', error '$e'; min_core_btf says '$derr'"
		fi
		l=$(grep -v '^btfgen: warning: ' "$TMP/ar.err")
		if [ "$(echo "$l" | wc -l)" -eq 1 ] && echo "$l" | grep -q -e 'dup\.btf' -e 'syn/1/x86_64/dup'; then
			pass "progs/failure-line-names-kernel"
		else
			fail progs/failure-line-names-kernel "the failure line does not say which kernel failed: $(echo "$l" | head -n 2 | tr '\n' '|' | cut -c 1-250)"
		fi
		# report = relocs --json on the kernels that succeeded
		ar --report "$TMP/prog.report.txt" "$P" "$TMP/o/prog" $POBJS
		: >"$TMP/prelocs.map"
		for k in basic tag enum64; do
			# shellcheck disable=SC2086
			bt relocs --json --btf "$PROGS/kern_$k.o" $POBJS
			[ $RC -eq 0 ] || fail "progs/relocs/$k" "btfgen relocs --json --btf kern_$k.o: exit $RC $BAD $(line1 "$TMP/stderr")"
			cp "$TMP/stdout" "$TMP/prelocs.$k.json"
			printf 'syn/1/x86_64/%s\t%s\n' "$k" "$TMP/prelocs.$k.json" >>"$TMP/prelocs.map"
		done
		pycheck progs/report-matches-relocs report "$TMP/prog.report.json" "$TMP/prog.report.txt" "$TMP/prelocs.map"
	fi

	# duplicate types: --first-match-only must behave as min_core_btf --first-match-only
	Q=$TMP/duptree
	mkdir -p "$Q/dup/1/x86_64" "$TMP/qref/dup/1/x86_64" "$TMP/qfmo/dup/1/x86_64"
	cp "$PROGS/kern_dup.o" "$Q/dup/1/x86_64/kern_dup.btf"
	bt min_core_btf "$PROGS/kern_dup.o" "$TMP/qref/dup/1/x86_64/kern_dup.btf" "$PROGS/prog_dup_ok.bpfel.o"
	bt --first-match-only min_core_btf "$PROGS/kern_dup.o" "$TMP/qfmo/dup/1/x86_64/kern_dup.btf" "$PROGS/prog_dup_ok.bpfel.o"
	frc=$RC
	ar "$Q" "$TMP/o/qdef" "$PROGS/prog_dup_ok.bpfel.o"
	arcase progs/dup-types/default 0 1 1 0 0 &&
		pycheck progs/dup-types/default/same-as-min_core_btf tree "$TMP/o/qdef" "$TMP/qref"
	ar --first-match-only "$Q" "$TMP/o/qfmo" "$PROGS/prog_dup_ok.bpfel.o"
	if [ $frc -ne 0 ]; then
		skip progs/dup-types/first-match-only "btfgen --first-match-only min_core_btf fails ($frc)"
	else
		CTX="btfgen --first-match-only min_core_btf kern_dup.o prog_dup_ok.bpfel.o: exit 0, a warning; archive's manifest error: '$(python3 "$CHECK" field "$TMP/o/qfmo/$MANIFEST" dup/1/x86_64/kern_dup error 2>/dev/null)'"
		arcase progs/dup-types/first-match-only "$frc" 1 1 0 0 &&
			pycheck progs/dup-types/first-match-only/same-as-min_core_btf tree "$TMP/o/qfmo" "$TMP/qfmo"
	fi
	# --first-match-only --verify: a verification failure, reported like any other
	ar --first-match-only --verify "$Q" "$TMP/o/qver" "$PROGS/prog_dup_ok.bpfel.o"
	if arcase progs/dup-types/verify-failure 1 1 0 0 1; then
		e=$(python3 "$CHECK" field "$TMP/o/qver/$MANIFEST" dup/1/x86_64/kern_dup error)
		if [ "$(nlines "$TMP/ar.err")" -ne 1 ] || ! grep -q -e kern_dup "$TMP/ar.err"; then
			fail progs/dup-types/verify-failure/one-line "want one stderr line naming the kernel: $(flat "$TMP/ar.err" 3)"
		elif ! echo "$e" | grep -q -i -e differ -e verif; then
			fail progs/dup-types/verify-failure/one-line "manifest error '$e' does not say what failed"
		else
			pass "progs/dup-types/verify-failure/one-line ($(line1 "$TMP/ar.err" | cut -c 1-100))"
		fi
	fi
else
	skip progs "needs tests/progs/build.sh (clang-19)"
fi

# ---------------------------------------------------------------------------
# layout oddities: the same release as .btf.tar.xz and extracted .btf
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	L=$TMP/samerel
	mkdir -p "$L/d/1/x86_64"
	b=$(basename "$K2")
	cp "$HUB/$K2.btf.tar.xz" "$L/d/1/x86_64/"
	cp "$TMP/ext/$K2.btf" "$L/d/1/x86_64/"
	ar --tar "$TMP/samerel.tar" "$L" "$TMP/o/samerel" $SMALL
	n=layout/release-in-two-formats
	if [ -n "$WHY" ] || [ $RC -gt 1 ]; then
		fail "$n" "exit $RC $WHY"
	else
		bad=
		left=$(cd "$TMP/o/samerel" && find . -type f ! -name "$MANIFEST" ! -name '*.btf' -print | head -n 3 | tr '\n' ' ')
		[ -z "$left" ] || bad="$bad; files left in OUTPUT_DIR: $left"
		c=$(grep -c "\"path\": \"d/1/x86_64/$b\"" "$TMP/o/samerel/$MANIFEST" 2>/dev/null)
		[ "$c" -le 1 ] || bad="$bad; the manifest lists d/1/x86_64/$b $c times"
		if tar -tvf "$TMP/samerel.tar" 2>/dev/null | grep -q "^h.* \(.*\) link to \1$"; then
			bad="$bad; the tar holds a hard link to itself"
		fi
		ar "$L" "$TMP/o/samerel" $SMALL
		[ "$(sumnum processed)" = 0 ] || bad="$bad; an unchanged re-run reprocesses: $SUM"
		if [ -n "$bad" ]; then
			fail "$n" "$b.btf.tar.xz and $b.btf side by side (an in-place extraction):${bad#;}"
		else
			pass "$n (exit $RC: $(line1 "$TMP/ar.err" | cut -c 1-100))"
		fi
	fi
fi

# ---------------------------------------------------------------------------
# usage and setup errors
# ---------------------------------------------------------------------------
O1=$(echo "$SMALL" | awk '{ print $1 }')
mkdir -p "$TMP/u/in/a/1/x86_64"
expect_usage() {
	uname=$1
	shift
	bt archive "$@"
	if [ -n "$BAD" ]; then
		fail "$uname" "$BAD"
	elif [ $RC -ne 2 ] || ! [ -s "$TMP/stderr" ]; then
		fail "$uname" "btfgen archive $*: exit $RC (want 2 and a message)"
	elif [ -e "$TMP/u/out" ]; then
		fail "$uname" "created the output directory"
	else
		pass "$uname"
	fi
}
expect_usage usage/two-args "$TMP/u/in" "$TMP/u/out"
expect_usage usage/dedup-unknown --dedup=bogus "$TMP/u/in" "$TMP/u/out" "${O1:-/nonexistent}"
expect_usage usage/jobs-zero -j 0 "$TMP/u/in" "$TMP/u/out" "${O1:-/nonexistent}"
expect_usage usage/jobs-not-a-number -j x "$TMP/u/in" "$TMP/u/out" "${O1:-/nonexistent}"
for c in input-missing object-missing; do
	if [ $c = input-missing ]; then
		bt archive "$TMP/u/nonexistent" "$TMP/u/out" "${O1:-/nonexistent}"
		m=$TMP/u/nonexistent
	else
		bt archive "$TMP/u/in" "$TMP/u/out" "$TMP/u/nonexistent.o"
		m=$TMP/u/nonexistent.o
	fi
	n=errors/$c
	if [ -n "$BAD" ]; then
		fail "$n" "$BAD"
	elif [ $RC -ne 1 ]; then
		fail "$n" "exit $RC, want 1"
	elif [ "$(nlines "$TMP/stderr")" -ne 1 ] || ! grep -q -F "$m" "$TMP/stderr"; then
		fail "$n" "want one line naming $m: $(flat "$TMP/stderr")"
	elif [ -e "$TMP/u/out/$MANIFEST" ]; then
		fail "$n" "wrote a manifest"
	else
		pass "$n"
	fi
	rm -rf "$TMP/u/out"
done

# any tree, command-line conventions, regression tests of review findings
. "$ROOT/tests/e2e/archive_trees.sh"

# ---------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------
if [ -s "$TMP/notes" ]; then
	echo
	sed 's/^/note: /' "$TMP/notes"
fi
echo "archive: time $(($(date +%s) - START))s"
echo "archive: $NPASS passed, $NFAIL failed, $NSKIP skipped"
if [ $NFAIL -gt 0 ] || [ $NPASS -eq 0 ]; then
	exit 1
fi
exit 0
