#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/run.sh BTFGEN - end-to-end suite of btfgen (run from anywhere;
# `make e2e` runs `sh tests/e2e/run.sh ./btfgen` from the repository root).
#
# Prints one line per check: "PASS name", "FAIL name: reason" or
# "SKIP name: reason", then summary tables, and last, alone on its line,
#   e2e: N passed, M failed, K skipped
# Exit status: 1 if any check failed or none passed, 0 otherwise (2: usage).
#
# Environment:
#   BTFGEN_CORPUS      kernel BTF corpus (default ../shared/corpus, relative to
#                      the repository root)
#   BTFGEN_E2E_QUICK=1 reduced bpftool-parity set (vmlinux + one corpus kernel,
#                      all objects together + 5 objects alone), e.g. for the
#                      sanitizer build
#   BTFGEN_E2E_TIMEOUT per-command timeout in seconds (default 20)
#   BPFTOOL            reference tool (default /usr/sbin/bpftool, Debian v7.1)
#   CLANG              passed through to tests/progs/build.sh (default clang-19)
#
# Needs (see `make deps`): bpftool, libbpf-tools, clang-19, python3, xz, timeout.
set -u

. "$(dirname "$0")/common.sh"

BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
QUICK=${BTFGEN_E2E_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
TO=${BTFGEN_E2E_TIMEOUT:-20}
EXTRACT="$ROOT/tests/tools/extract_bpf.py"
EXPECTED="$ROOT/tests/expected"
VMLINUX=/sys/kernel/btf/vmlinux

# sanitizer builds: make their reports distinguishable from exit status 1
# (a user's own settings come later in the string and win)
ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL

TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-e2e.XXXXXX") || exit 1
case $TMP in
*[[:space:]]*)	# object lists are word-split below
	rmdir "$TMP"
	TMP=$(mktemp -d /tmp/btfgen-e2e.XXXXXX) || exit 1
	;;
esac
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NPASS=0
NFAIL=0
NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
note() { echo "$*" >>"$TMP/notes"; }
: >"$TMP/notes"
: >"$TMP/parity.tsv"

# first line of a file, flattened, for failure messages
line1() { head -n 1 "$1" 2>/dev/null | tr '\t' ' ' | cut -c 1-300; }
# errline FILE: the first stderr line of btfgen -v that is not an info line
errline() {
	grep -v -E -e ': [0-9]+ types, [0-9]+ string bytes$' -e ': [0-9]+ CO-RE relocations$' \
		-e 'both match' -e ': wrote [0-9]+ bytes' "$1" | head -n 1 | cut -c 1-200
}
nlines() { wc -l <"$1" | tr -d ' '; }
fsize() { wc -c <"$1" | tr -d ' '; }

# bt ARGS...: run btfgen under a timeout. Sets RC, BAD (non-empty: hang,
# signal or sanitizer report), $TMP/stdout and $TMP/stderr.
bt() {
	timeout -k 5 "$TO" "$BTFGEN" "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
	RC=$?
	BAD=
	if [ $RC -eq 124 ]; then
		BAD="timed out after ${TO}s (hang?): btfgen $*"
	elif [ $RC -ge 128 ]; then
		BAD="exit status $RC (signal $((RC - 128))): btfgen $*"
	elif [ $RC -eq 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr"; then
		BAD="sanitizer report (exit $RC): $(grep -m 1 -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr" | cut -c 1-200)"
	fi
}

# bp ARGS...: run the reference bpftool. Sets BRC, $TMP/bstderr.
bp() {
	timeout -k 5 "$TO" "$BPFTOOL" "$@" </dev/null >/dev/null 2>"$TMP/bstderr"
	BRC=$?
}

# valid_btf FILE: bpftool can dump it
valid_btf() {
	timeout -k 5 "$TO" "$BPFTOOL" btf dump file "$1" >/dev/null 2>&1
}

dump_raw() { # FILE OUT
	timeout -k 5 "$TO" "$BPFTOOL" btf dump file "$1" format raw >"$2" 2>&1
}

# flip FILE OFFSET OUT: copy FILE to OUT with the byte at OFFSET inverted
flip() {
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
src, off, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = bytearray(open(src, "rb").read())
b[off] ^= 0xFF
open(dst, "wb").write(bytes(b))
EOF
}

echo "e2e: btfgen=$BTFGEN bpftool=$BPFTOOL corpus=$CORPUS${QUICK:+ (quick)}"

# ---------------------------------------------------------------------------
# prerequisites
# ---------------------------------------------------------------------------
HAVE_BTFGEN=1
if [ ! -x "$BTFGEN" ]; then
	fail prereq/btfgen "$BTFGEN is not an executable (run make)"
	HAVE_BTFGEN=
else
	bt --version
	if [ $RC -eq 0 ] && [ -z "$BAD" ]; then
		pass "prereq/btfgen ($(line1 "$TMP/stdout"))"
	else
		fail prereq/btfgen "btfgen --version: exit $RC $BAD"
		HAVE_BTFGEN=
	fi
fi
HAVE_BPFTOOL=1
if ! "$BPFTOOL" version >/dev/null 2>&1; then
	fail prereq/bpftool "$BPFTOOL not runnable (run make deps: apt-get install bpftool)"
	HAVE_BPFTOOL=
fi
HAVE_PY=1
if ! python3 -c 'import struct' 2>/dev/null; then
	fail prereq/python3 "python3 not found (run make deps)"
	HAVE_PY=
fi
if [ -z "$HAVE_BTFGEN" ]; then
	echo "e2e: $NPASS passed, $((NFAIL)) failed, $NSKIP skipped"
	exit 1
fi

# ---------------------------------------------------------------------------
# kernels: /sys/kernel/btf/vmlinux + the corpus (hub extracted, kernels/)
# file $TMP/kernels: "label path" per line
# ---------------------------------------------------------------------------
: >"$TMP/kernels"
if [ -r "$VMLINUX" ]; then
	cp "$VMLINUX" "$TMP/vmlinux.btf"
	echo "vmlinux $VMLINUX" >>"$TMP/kernels"
else
	skip kernels/vmlinux "$VMLINUX not readable (no running-kernel BTF on this machine)"
fi
if [ -d "$CORPUS" ]; then
	for f in "$CORPUS"/kernels/vmlinux-*.btf; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .btf)
		echo "${b#vmlinux-} $f" >>"$TMP/kernels"
	done
	if [ -z "$QUICK" ]; then
		mkdir -p "$TMP/hub"
		find "$CORPUS/hub" -name '*.btf.tar.xz' 2>/dev/null | sort >"$TMP/hub.list"
		i=0
		while read -r f; do
			i=$((i + 1))
			d="$TMP/hub/$i"
			mkdir -p "$d"
			name=$(basename "$f" .tar.xz)
			# btfgen's own xz+tar reader (tests/e2e/archive.sh compares it with tar -xOJf)
			if timeout -k 5 "$TO" "$BTFGEN" cat "$f" >"$d/$name" 2>"$TMP/tar.err" && [ -s "$d/$name" ]; then
				echo "$(basename "$name" .btf) $d/$name" >>"$TMP/kernels"
			else
				fail "corpus/extract/$name" "btfgen cat $f failed: $(line1 "$TMP/tar.err")"
			fi
		done <"$TMP/hub.list"
		nhub=$(wc -l <"$TMP/hub.list" | tr -d ' ')
		if [ "$nhub" -gt 0 ]; then
			pass "corpus/extract ($nhub hub archives)"
		else
			fail corpus/extract "no .btf.tar.xz under $CORPUS/hub"
		fi
	fi
else
	skip corpus "corpus not found at $CORPUS (set BTFGEN_CORPUS)"
fi
# the base kernel for single-kernel checks
BASEK=$(head -n 1 "$TMP/kernels" | cut -d' ' -f2-)
BASEL=$(head -n 1 "$TMP/kernels" | cut -d' ' -f1)
[ "$BASEL" = vmlinux ] && BASEK=$TMP/vmlinux.btf

# ---------------------------------------------------------------------------
# libbpf-tools: extract the embedded BPF objects with the independent extractor
# $TMP/bins: the binaries; $TMP/objs.list: the extracted objects, same order
# ---------------------------------------------------------------------------
: >"$TMP/bins"
: >"$TMP/objs.list"
if dpkg -L libbpf-tools >"$TMP/pkg.list" 2>/dev/null; then
	grep '^/usr/sbin/' "$TMP/pkg.list" | sort | while read -r f; do
		[ -L "$f" ] || [ ! -f "$f" ] || echo "$f"
	done >"$TMP/bins"
else
	fail prereq/libbpf-tools "package libbpf-tools not installed (run make deps)"
fi
NBINS=$(wc -l <"$TMP/bins" | tr -d ' ')
if [ "$NBINS" -gt 0 ] && [ -n "$HAVE_PY" ]; then
	mkdir -p "$TMP/objs"
	# shellcheck disable=SC2046
	if python3 "$EXTRACT" "$TMP/objs" $(cat "$TMP/bins") >"$TMP/extract.log" 2>"$TMP/extract.err"; then
		while read -r f; do
			t=$(basename "$f")
			n=0
			while [ -f "$TMP/objs/$t.$n.bpf.o" ]; do
				echo "$TMP/objs/$t.$n.bpf.o" >>"$TMP/objs.list"
				n=$((n + 1))
			done
			[ $n -gt 0 ] || note "extract: $f embeds no BPF object"
		done <"$TMP/bins"
		pass "extract/libbpf-tools ($(wc -l <"$TMP/objs.list" | tr -d ' ') objects from $NBINS binaries)"
	else
		fail extract/libbpf-tools "tests/tools/extract_bpf.py failed: $(line1 "$TMP/extract.err")"
	fi
elif [ "$NBINS" -eq 0 ] && [ -s "$TMP/pkg.list" ]; then
	fail extract/libbpf-tools "no regular file under /usr/sbin in package libbpf-tools"
fi
NOBJS=$(wc -l <"$TMP/objs.list" | tr -d ' ')
OBJS=$(cat "$TMP/objs.list")	# no spaces in these paths (mktemp + tool names)
objname() { basename "$1" .bpf.o; }

# number of CO-RE relocation records per object, read independently
# ($TMP/relocount: "count path"; count "none" = no .BTF.ext)
: >"$TMP/relocount"
relocount() { awk -v p="$1" '$2 == p { print $1; exit }' "$TMP/relocount"; }
# relocount_check NAME KERNEL OBJ...: btfgen -v reports the same counts
relocount_check() {
	rname=$1 rk=$2
	shift 2
	rbad=
	nok=0
	for o in "$@"; do
		want=$(relocount "$o")
		bt -v min_core_btf "$rk" "$TMP/rc.btf" "$o"
		if [ -n "$BAD" ]; then
			rbad="$rbad; $(basename "$o"): $BAD"
			continue
		fi
		case $want in
		'') rbad="$rbad; $(basename "$o"): core_relo_count.py could not read it" ;;
		none) grep 'warning' "$TMP/stderr" | grep -F -e "$o" | grep -q 'no \.BTF' ||
			rbad="$rbad; $(basename "$o"): no .BTF.ext but no warning saying so" ;;
		0) grep 'warning' "$TMP/stderr" | grep -F -e "$o" | grep -q 'no CO-RE relocations' ||
			rbad="$rbad; $(basename "$o"): 0 CO-RE relocations but no warning saying so" ;;
		*) grep -q -F -e "$o: $want CO-RE relocations" "$TMP/stderr" ||
			rbad="$rbad; $(basename "$o"): want '$want CO-RE relocations', got '$(errline "$TMP/stderr")$(grep -m 1 'CO-RE relocations' "$TMP/stderr")'" ;;
		esac
		[ -n "$rbad" ] || nok=$((nok + 1))
	done
	if [ -n "$rbad" ]; then
		fail "$rname" "${rbad#; }"
	else
		pass "$rname ($nok objects)"
	fi
}
if [ "$NOBJS" -gt 0 ]; then
	# shellcheck disable=SC2086
	python3 "$ROOT/tests/tools/core_relo_count.py" $OBJS >>"$TMP/relocount" 2>"$TMP/relocount.err" ||
		fail relocount/read "tests/tools/core_relo_count.py failed: $(line1 "$TMP/relocount.err")"
	if [ -n "$BASEK" ]; then
		# shellcheck disable=SC2086
		relocount_check relocount/libbpf-tools "$BASEK" $OBJS
	fi
fi

# ---------------------------------------------------------------------------
# byte parity with bpftool on real kernels and real programs
# ---------------------------------------------------------------------------
# parity NAME LABEL KERNEL OBJ...
# bpftool ok  => btfgen --first-match-only identical, btfgen (default)
#                identical unless -v reports "both match" (SEMANTICS 3.5)
# bpftool err => recorded; btfgen may succeed (more permissive) or fail (exit 1)
parity() {
	pname=$1 plabel=$2 pk=$3
	shift 3
	if [ $# -eq 1 ]; then pmode=one; else pmode=all; fi
	rm -f "$TMP/p.ref" "$TMP/p.def" "$TMP/p.fmo"
	bp gen min_core_btf "$pk" "$TMP/p.ref" "$@"
	bt -v min_core_btf "$pk" "$TMP/p.def" "$@"
	drc=$RC dbad=$BAD
	cp "$TMP/stderr" "$TMP/p.deferr"
	nboth=$(grep -c 'both match' "$TMP/p.deferr")
	bt --first-match-only min_core_btf "$pk" "$TMP/p.fmo" "$@"
	frc=$RC fbad=$BAD
	cp "$TMP/stderr" "$TMP/p.fmoerr"
	if [ -n "$dbad" ] || [ -n "$fbad" ]; then
		fail "$pname" "${dbad:-$fbad}"
		printf '%s\t%s\tfail\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		return
	fi
	if [ $BRC -eq 0 ] && [ -f "$TMP/p.ref" ]; then
		why=
		if [ $frc -ne 0 ]; then
			why="btfgen --first-match-only exit $frc ($(line1 "$TMP/p.fmoerr")), bpftool succeeded"
		elif ! cmp -s "$TMP/p.ref" "$TMP/p.fmo"; then
			why="btfgen --first-match-only output ($(fsize "$TMP/p.fmo") bytes) differs from bpftool's ($(fsize "$TMP/p.ref") bytes)"
		elif [ $drc -ne 0 ]; then
			why="btfgen exit $drc ($(errline "$TMP/p.deferr")), bpftool succeeded"
		fi
		if [ -z "$why" ]; then
			# objects without CO-RE relocations: bpftool's 25-byte file
			# (checked by cmp) and a warning naming each of them
			nw=$(grep 'warning' "$TMP/p.deferr" | grep -c 'no CO-RE relocations')
			nz=0
			for o in "$@"; do
				if [ "$(relocount "$o")" = 0 ]; then
					nz=$((nz + 1))
					grep 'warning' "$TMP/p.deferr" | grep -q -F -- "$o" ||
						why="object without CO-RE relocations: no warning naming $o on stderr"
				fi
			done
			[ -n "$why" ] || [ "$nw" -eq "$nz" ] ||
				why="$nw 'no CO-RE relocations' warnings for $nz objects without CO-RE relocations"
		fi
		if [ -n "$why" ]; then
			fail "$pname" "$why"
			printf '%s\t%s\tfail\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		elif cmp -s "$TMP/p.ref" "$TMP/p.def"; then
			if [ "$nboth" -gt 0 ]; then
				pass "$pname (identical; $nboth relocations with several candidates)"
			else
				pass "$pname"
			fi
			printf '%s\t%s\tsame\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		elif [ "$nboth" -gt 0 ]; then
			if valid_btf "$TMP/p.def"; then
				pass "$pname (differs: $nboth relocations with several candidates)"
				printf '%s\t%s\tdiffers\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
			else
				fail "$pname" "default output (several candidates) is not a valid BTF for bpftool btf dump"
				printf '%s\t%s\tfail\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
			fi
		else
			fail "$pname" "default output ($(fsize "$TMP/p.def") bytes) differs from bpftool's ($(fsize "$TMP/p.ref") bytes) and btfgen -v reported no relocation with several candidates"
			printf '%s\t%s\tfail\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		fi
		return
	fi
	# bpftool failed
	bmsg=$(grep -e '^Error' -e '^libbpf' "$TMP/bstderr" | grep -v 'error recording relocations' | head -n 1 | cut -c 1-160)
	if [ $BRC -eq 0 ]; then
		bmsg="exit 0 but no output file"
	fi
	if [ $drc -eq 0 ] && [ $frc -eq 0 ] && [ -f "$TMP/p.def" ] && [ -f "$TMP/p.fmo" ]; then
		pass "$pname (bpftool fails: exit $BRC; btfgen succeeds)"
		printf '%s\t%s\tbfail-ok\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		note "bpftool-fails $plabel $pname: bpftool exit $BRC \"$bmsg\" -> btfgen exit 0 (default, ${nboth} multi-candidate relos) / exit 0 (--first-match-only)"
	elif [ $drc -eq 1 ] && [ $frc -eq 1 ] && [ ! -e "$TMP/p.def" ] && [ ! -e "$TMP/p.fmo" ]; then
		pass "$pname (bpftool fails: exit $BRC; btfgen fails too: exit 1)"
		printf '%s\t%s\tbfail-both\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
		note "bpftool-fails $plabel $pname: bpftool exit $BRC \"$bmsg\" -> btfgen exit 1 \"$(errline "$TMP/p.deferr")\""
	else
		fail "$pname" "bpftool exit $BRC; btfgen default exit $drc, --first-match-only exit $frc (want both 0, or both 1 with no output)"
		printf '%s\t%s\tfail\n' "$plabel" "$pmode" >>"$TMP/parity.tsv"
	fi
}

# objects run alone: all of them (quick: 5 representative ones)
if [ -n "$QUICK" ]; then
	ONE_OBJS=
	for t in execsnoop biolatency tcpconnect runqslower cachestat; do
		[ -f "$TMP/objs/$t.0.bpf.o" ] && ONE_OBJS="$ONE_OBJS $TMP/objs/$t.0.bpf.o"
	done
else
	ONE_OBJS=$OBJS
fi

if [ -z "$HAVE_BPFTOOL" ]; then
	skip parity "bpftool missing (see prereq/bpftool)"
elif [ "$NOBJS" -eq 0 ]; then
	skip parity "no libbpf-tools objects extracted (see above)"
else
	if [ -n "$QUICK" ]; then
		# vmlinux + one corpus kernel
		awk 'NR == 1 || $1 == "x86_64-2026"' "$TMP/kernels" >"$TMP/pkernels"
		[ "$(wc -l <"$TMP/pkernels")" -ge 2 ] || head -n 2 "$TMP/kernels" >"$TMP/pkernels"
	else
		cp "$TMP/kernels" "$TMP/pkernels"
	fi
	while read -r label k; do
		# shellcheck disable=SC2086
		parity "parity/$label/all-$NOBJS-objects" "$label" "$k" $OBJS
		for o in $ONE_OBJS; do
			parity "parity/$label/$(objname "$o")" "$label" "$k" "$o"
		done
	done <"$TMP/pkernels"
fi

# ---------------------------------------------------------------------------
# executables as OBJECT: same bytes as their extracted objects
# ---------------------------------------------------------------------------
# exe_same NAME KERNEL "EXES" "OBJS"
exe_same() {
	rm -f "$TMP/x.exe" "$TMP/x.obj"
	# shellcheck disable=SC2086
	bt min_core_btf "$2" "$TMP/x.exe" $3
	xrc=$RC xbad=$BAD
	cp "$TMP/stderr" "$TMP/x.err"
	# shellcheck disable=SC2086
	bt min_core_btf "$2" "$TMP/x.obj" $4
	if [ -n "$xbad$BAD" ]; then
		fail "$1" "$xbad$BAD"
	elif [ $xrc -ne 0 ]; then
		fail "$1" "btfgen with the executable(s): exit $xrc: $(line1 "$TMP/x.err")"
	elif [ $RC -ne 0 ]; then
		fail "$1" "btfgen with the extracted object(s): exit $RC: $(line1 "$TMP/stderr")"
	elif ! cmp -s "$TMP/x.exe" "$TMP/x.obj"; then
		fail "$1" "output for the executable(s) ($(fsize "$TMP/x.exe") bytes) differs from the extracted object(s) ($(fsize "$TMP/x.obj") bytes)"
	else
		pass "$1"
	fi
}
objs_of() { # BIN: its extracted objects
	t=$(basename "$1")
	n=0
	while [ -f "$TMP/objs/$t.$n.bpf.o" ]; do
		printf '%s ' "$TMP/objs/$t.$n.bpf.o"
		n=$((n + 1))
	done
}

if [ -z "$BASEK" ]; then
	skip exe "no kernel BTF available"
elif [ "$NOBJS" -eq 0 ]; then
	skip exe "no libbpf-tools objects extracted"
else
	if [ -x /usr/sbin/execsnoop ] && [ -f "$TMP/objs/execsnoop.0.bpf.o" ]; then
		exe_same exe/execsnoop "$BASEK" /usr/sbin/execsnoop "$(objs_of /usr/sbin/execsnoop)"
	else
		fail exe/execsnoop "/usr/sbin/execsnoop or its extracted object missing"
	fi
	if [ -z "$QUICK" ]; then
		while read -r b; do
			[ "$b" = /usr/sbin/execsnoop ] && continue
			o=$(objs_of "$b")
			[ -n "$o" ] || continue
			exe_same "exe/$(basename "$b")" "$BASEK" "$b" "$o"
		done <"$TMP/bins"
	fi
	exe_same "exe/all-$NBINS-binaries" "$BASEK" "$(cat "$TMP/bins")" "$OBJS"
fi

# ---------------------------------------------------------------------------
# synthetic kernels and programs vs the bpftool oracles (tests/expected)
# ---------------------------------------------------------------------------
PROGS=$TMP/progs
HAVE_PROGS=
if sh "$ROOT/tests/progs/build.sh" "$PROGS" >"$TMP/build.log" 2>&1; then
	HAVE_PROGS=1
	pass progs/build
else
	fail progs/build "tests/progs/build.sh failed (needs clang-19: run make deps or set CLANG): $(line1 "$TMP/build.log")"
fi

if [ -n "$HAVE_PROGS" ]; then
	python3 "$ROOT/tests/tools/core_relo_count.py" "$PROGS"/prog_*.o >>"$TMP/relocount" 2>"$TMP/relocount.err" ||
		fail relocount/progs-read "tests/tools/core_relo_count.py failed: $(line1 "$TMP/relocount.err")"
	pobjs=
	for f in "$PROGS"/prog_*.o; do
		case $f in
		*/prog_anon.* | */prog_fwd.* | */prog_dup_*) ;;
		*) pobjs="$pobjs $f" ;;
		esac
	done
	# shellcheck disable=SC2086
	relocount_check relocount/progs "$PROGS/kern_basic.o" $pobjs
fi

# oracle CHECK KERN OUT_EXPECTED OPTS -- OBJS: btfgen output equals the oracle
oracle_cmp() {
	oname=$1 okern=$2 oexp=$3 oopt=$4
	shift 4
	rm -f "$TMP/s.out"
	# shellcheck disable=SC2086
	bt $oopt min_core_btf "$PROGS/$okern.o" "$TMP/s.out" "$@"
	if [ -n "$BAD" ]; then
		fail "$oname" "$BAD"
	elif [ $RC -ne 0 ]; then
		fail "$oname" "exit $RC: $(line1 "$TMP/stderr")"
	elif ! cmp -s "$oexp" "$TMP/s.out"; then
		dump_raw "$TMP/s.out" "$TMP/s.raw"
		fail "$oname" "output ($(fsize "$TMP/s.out") bytes) differs from $(basename "$oexp") ($(fsize "$oexp") bytes); diff of raw dumps: $(diff "${oexp%.btf}.raw" "$TMP/s.raw" | grep '^[<>]' | head -n 3 | tr '\n\t' '  ')"
	else
		pass "$oname"
	fi
}

# dup_ok_all FILE: the all-candidates result for kern_dup prog_dup_ok:
# two STRUCT 's', both with member x, the second also with z
dup_ok_all() {
	awk '
	/^\[[0-9]+\] / { cur = ($2 == "STRUCT" && $3 == "\047s\047") ? ++ns : 0; next }
	cur && $1 == "\047x\047" { x[cur] = 1 }
	cur && $1 == "\047z\047" { z[cur] = 1 }
	END { exit !(ns == 2 && x[1] && x[2] && z[2]) }' "$1"
}

if [ -n "$HAVE_PROGS" ]; then
	while read -r kern prog; do
		[ -n "$kern" ] || continue
		exp="$EXPECTED/${kern}__$prog.btf"
		# the oracle still matches what this machine's clang + bpftool give
		if [ -n "$HAVE_BPFTOOL" ]; then
			rm -f "$TMP/s.ref"
			bp gen min_core_btf "$PROGS/$kern.o" "$TMP/s.ref" "$PROGS/$prog.bpfel.o"
			if [ $BRC -eq 0 ] && cmp -s "$exp" "$TMP/s.ref"; then
				pass "oracle/$kern/$prog"
			else
				fail "oracle/$kern/$prog" "bpftool (exit $BRC) no longer reproduces $(basename "$exp"): objects built differently? (clang-19 expected; run tests/expected/regen.sh)"
			fi
		fi
		for e in bpfel bpfeb; do
			if [ "$kern $prog" = "kern_dup prog_dup_ok" ]; then
				oracle_cmp "progs/$kern/$prog.$e/first-match-only" "$kern" "$exp" --first-match-only "$PROGS/$prog.$e.o"
				n="progs/$kern/$prog.$e/all-candidates"
				rm -f "$TMP/s.out"
				bt -v min_core_btf "$PROGS/$kern.o" "$TMP/s.out" "$PROGS/$prog.$e.o"
				if [ -n "$BAD" ]; then
					fail "$n" "$BAD"
				elif [ $RC -ne 0 ]; then
					fail "$n" "exit $RC: $(line1 "$TMP/stderr")"
				elif ! dump_raw "$TMP/s.out" "$TMP/s.raw"; then
					fail "$n" "bpftool btf dump failed: $(line1 "$TMP/s.raw")"
				elif ! dup_ok_all "$TMP/s.raw"; then
					fail "$n" "want two STRUCT 's' with x, the second also with z; got: $(grep -A 3 "STRUCT 's'" "$TMP/s.raw" | tr '\n\t' '  ')"
				elif ! grep -q 'both match' "$TMP/stderr"; then
					fail "$n" "btfgen -v did not report a relocation with several matching candidates"
				else
					pass "$n"
				fi
			else
				oracle_cmp "progs/$kern/$prog.$e" "$kern" "$exp" "" "$PROGS/$prog.$e.o"
				oracle_cmp "progs/$kern/$prog.$e/first-match-only" "$kern" "$exp" --first-match-only "$PROGS/$prog.$e.o"
			fi
		done
	done <"$EXPECTED/pairs.txt"

	while read -r kern progs; do
		[ -n "$kern" ] || continue
		name=$(echo "$progs" | tr ' ' '+')
		exp="$EXPECTED/${kern}__$name.btf"
		for e in bpfel bpfeb; do
			objs=
			for p in $progs; do objs="$objs $PROGS/$p.$e.o"; done
			# shellcheck disable=SC2086
			oracle_cmp "multi/$kern/$name.$e" "$kern" "$exp" "" $objs
			# shellcheck disable=SC2086
			oracle_cmp "multi/$kern/$name.$e/first-match-only" "$kern" "$exp" --first-match-only $objs
		done
	done <"$EXPECTED/multi.txt"

	# bpftool_fails.txt: "kern prog exit=N "message": why"
	while read -r kern prog want rest; do
		[ -n "$kern" ] || continue
		case "$prog $rest" in
		*ambiguity* | *anonymous*) class=error ;;
		*"kind: fwd"*) class=fwd ;;
		*"kind: type_tag"*) class=type_tag ;;
		prog_nobtf* | prog_noext*) class=warn ;;
		*) class=unknown ;;
		esac
		for e in bpfel bpfeb; do
			for opt in "" --first-match-only; do
				obj="$PROGS/$prog.$e.o"
				n="fails/$kern/$prog.$e${opt:+/first-match-only}"
				d="$TMP/fails"
				rm -rf "$d"
				mkdir -p "$d"
				# shellcheck disable=SC2086
				bt $opt min_core_btf "$PROGS/$kern.o" "$d/out.btf" "$obj"
				if [ -n "$BAD" ]; then
					fail "$n" "$BAD"
					continue
				fi
				case $class in
				error)
					if [ $RC -ne 1 ]; then
						fail "$n" "exit $RC, want 1 (bpftool: $want $rest)"
					elif [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
						fail "$n" "want one line on stderr, got $(nlines "$TMP/stderr"): $(head -n 3 "$TMP/stderr" | tr '\n' '|')"
					elif ! grep -q 'relo #' "$TMP/stderr"; then
						fail "$n" "stderr does not mention 'relo #': $(line1 "$TMP/stderr")"
					elif ! grep -q '^btfgen: ' "$TMP/stderr" || ! grep -q -F -- "$obj" "$TMP/stderr"; then
						fail "$n" "stderr line does not start with 'btfgen: ' and name $obj: $(line1 "$TMP/stderr")"
					elif [ -n "$(ls -A "$d")" ]; then
						fail "$n" "output directory not empty after failure: $(ls -A "$d" | tr '\n' ' ')"
					else
						pass "$n"
					fi
					;;
				fwd | type_tag)
					if [ "$class" = fwd ]; then pat="FWD '"; else pat="TYPE_TAG '"; fi
					if [ $RC -ne 0 ]; then
						fail "$n" "exit $RC, want 0 (btfgen accepts FWD/TYPE_TAG): $(line1 "$TMP/stderr")"
					elif ! dump_raw "$d/out.btf" "$TMP/s.raw"; then
						fail "$n" "bpftool btf dump failed: $(line1 "$TMP/s.raw")"
					elif ! grep -q "$pat" "$TMP/s.raw"; then
						fail "$n" "output has no $pat...' type: $(tr '\n\t' '  ' <"$TMP/s.raw" | cut -c 1-300)"
					else
						pass "$n ($(grep -m 1 "$pat" "$TMP/s.raw" | sed 's/^\[[0-9]*\] //'))"
					fi
					;;
				warn)
					if [ $RC -ne 0 ]; then
						fail "$n" "exit $RC, want 0 with a warning: $(line1 "$TMP/stderr")"
					elif ! grep 'warning' "$TMP/stderr" | grep -q -F -- "$obj"; then
						fail "$n" "no warning naming $obj on stderr: $(line1 "$TMP/stderr")"
					elif [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
						fail "$n" "want one warning line, got $(nlines "$TMP/stderr")"
					elif ! cmp -s "$d/out.btf" "$EXPECTED/kern_basic__prog_noreloc.btf"; then
						fail "$n" "output is not the empty 25-byte BTF (got $(fsize "$d/out.btf") bytes)"
					else
						pass "$n"
					fi
					;;
				*)
					fail "$n" "bpftool_fails.txt line not classified by this script: $kern $prog $want $rest"
					;;
				esac
			done
		done
	done <"$EXPECTED/bpftool_fails.txt"

	# extractor + btfgen: BPF objects of both byte orders and both ELF classes
	# (ELF32 made by tests/tools/mk_elf32.py) embedded in a host ELF
	n=embedded/host-elf-4-objects
	if [ -n "$HAVE_PY" ] && python3 "$ROOT/tests/tools/mk_elf32.py" "$PROGS/prog_fields.bpfel.o" "$TMP/f32le.o" &&
		python3 "$ROOT/tests/tools/mk_elf32.py" "$PROGS/prog_fields.bpfeb.o" "$TMP/f32be.o"; then
		{
			cat /bin/true
			printf 'padding\177EL\177ELF\0\0'
			cat "$PROGS/prog_fields.bpfel.o"
			printf '\177ELF\002\001'
			cat "$TMP/f32le.o"
			cat "$PROGS/prog_fields.bpfeb.o"
			printf 'x'
			cat "$TMP/f32be.o"
			printf 'trailer'
		} >"$TMP/host4"
		rm -rf "$TMP/hostx"
		mkdir -p "$TMP/hostx"
		python3 "$EXTRACT" "$TMP/hostx" "$TMP/host4" >"$TMP/hostx.log" 2>&1
		i=0
		ewhy=
		for f in "$PROGS/prog_fields.bpfel.o" "$TMP/f32le.o" "$PROGS/prog_fields.bpfeb.o" "$TMP/f32be.o"; do
			cmp -s "$TMP/hostx/host4.$i.bpf.o" "$f" || ewhy="$ewhy object $i is not $(basename "$f");"
			i=$((i + 1))
		done
		[ -e "$TMP/hostx/host4.4.bpf.o" ] && ewhy="$ewhy more than 4 objects found;"
		if [ -n "$ewhy" ]; then
			fail extract/self-test "extract_bpf.py on 4 embedded objects (ELF64/32 x LE/BE):$ewhy"
		else
			pass "extract/self-test (ELF64 LE, ELF32 LE, ELF64 BE, ELF32 BE)"
		fi
		oracle_cmp "$n" kern_basic "$EXPECTED/kern_basic__prog_fields.btf" "" "$TMP/host4"
		# btfgen -v names the embedded objects by offset: the same as the extractor's
		bt -v min_core_btf "$PROGS/kern_basic.o" "$TMP/s.out" "$TMP/host4"
		got=$(grep -o 'bpf#[0-9]*@0x[0-9a-f]*' "$TMP/stderr" | sed 's/.*@//' | tr '\n' ' ' | sed 's/ $//')
		want=$(sed -n 's/.* offset=\(0x[0-9a-f]*\) .*/\1/p' "$TMP/hostx.log" | tr '\n' ' ' | sed 's/ $//')
		if [ -n "$BAD" ] || [ $RC -ne 0 ] || [ "$got" != "$want" ]; then
			fail embedded/offsets "btfgen -v found objects at '$got', extract_bpf.py at '$want' (exit $RC $BAD)"
		else
			pass "embedded/offsets ($got)"
		fi
	else
		fail extract/self-test "tests/tools/mk_elf32.py failed"
	fi
fi

# ---------------------------------------------------------------------------
# libbpf as the oracle: resolving every relocation (bpftool -d) against the
# reduced BTF must give the same decisions as against the full kernel BTF
# (SEMANTICS.md 7.3 (2)): same matching type, same offset or "no match".
# Type ids and raw access indices are renumbered by design and not compared.
# ---------------------------------------------------------------------------
relo_decisions() { # BTF OBJECTS... -> stdout, normalised decisions
	btf=$1
	shift
	timeout -k 5 60 "$BPFTOOL" -d gen min_core_btf "$btf" "$TMP/rd.discard" "$@" 2>&1 |
		grep -E "relo #[0-9]+: (matching|no matching)" |
		sed -E 's/\[[0-9]+\] //; s/candidate #[0-9]+/candidate/; s/\([0-9:]+ @/(@/' | sort -u
}
if [ "$NOBJS" -gt 0 ]; then
	while read -r kl kp; do
		[ -n "$QUICK" ] && [ "$kp" != "$(head -n 1 "$TMP/kernels" | cut -d' ' -f2-)" ] &&
			[ "${kl#4.19}" = "$kl" ] && continue
		n=resolve-same/$kl
		# shellcheck disable=SC2086
		bt min_core_btf "$kp" "$TMP/rs.btf" $OBJS
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "$n" "btfgen exit $RC $BAD: $(errline "$TMP/stderr")"
			continue
		fi
		# shellcheck disable=SC2086
		relo_decisions "$kp" $OBJS >"$TMP/rs.full"
		# shellcheck disable=SC2086
		relo_decisions "$TMP/rs.btf" $OBJS >"$TMP/rs.red"
		if [ ! -s "$TMP/rs.full" ]; then
			fail "$n" "bpftool -d printed no relocation decisions"
		elif ! cmp -s "$TMP/rs.full" "$TMP/rs.red"; then
			fail "$n" "libbpf decides differently on the reduced BTF: $(diff "$TMP/rs.full" "$TMP/rs.red" | grep '^[<>]' | head -n 1 | cut -c 1-200)"
		else
			pass "$n ($(wc -l <"$TMP/rs.full" | tr -d ' ') decisions)"
		fi
	done <"$TMP/kernels"
fi
if [ -n "$HAVE_PROGS" ]; then
	# SEMANTICS.md 3.5: duplicate structs; bpftool's own file poisons a relocation
	bt min_core_btf "$PROGS/kern_dup.o" "$TMP/rs.btf" "$PROGS/prog_dup_ok.bpfel.o"
	relo_decisions "$PROGS/kern_dup.o" "$PROGS/prog_dup_ok.bpfel.o" >"$TMP/rs.full"
	relo_decisions "$TMP/rs.btf" "$PROGS/prog_dup_ok.bpfel.o" >"$TMP/rs.red"
	relo_decisions "$EXPECTED/kern_dup__prog_dup_ok.btf" "$PROGS/prog_dup_ok.bpfel.o" >"$TMP/rs.bpftool"
	if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
		fail resolve-same/kern_dup "btfgen exit $RC $BAD"
	elif ! cmp -s "$TMP/rs.full" "$TMP/rs.red"; then
		fail resolve-same/kern_dup "libbpf decides differently on btfgen's reduced BTF"
	elif cmp -s "$TMP/rs.full" "$TMP/rs.bpftool"; then
		fail resolve-same/kern_dup "bpftool's reduced BTF was expected to resolve differently (SEMANTICS 3.5)"
	else
		pass "resolve-same/kern_dup (bpftool's own output resolves differently, ours does not)"
	fi
fi

# ---------------------------------------------------------------------------
# INPUT formats: raw BTF in the other byte order, and ELF files of both classes
# and byte orders with a .BTF section (objcopy wrappers, as for a vmlinux ELF).
# Each must give bpftool's bytes, and the same bytes as the raw native input.
# ---------------------------------------------------------------------------
if [ -n "$BASEK" ] && [ "$NOBJS" -gt 0 ] && [ -n "$HAVE_PY" ] && command -v objcopy >/dev/null 2>&1; then
	python3 "$ROOT/tests/tools/btf_swap.py" "$BASEK" "$TMP/in.swapped.btf"
	# shellcheck disable=SC2086
	bt min_core_btf "$BASEK" "$TMP/in.native.out" $OBJS
	for fmt in raw-swapped elf64-x86-64 elf32-i386 elf64-big elf32-big; do
		n=input/$fmt
		in=$TMP/in.$fmt
		case $fmt in
		raw-swapped) in=$TMP/in.swapped.btf ;;
		*big) objcopy -I binary -O "$fmt" --rename-section .data=.BTF "$TMP/in.swapped.btf" "$in" ;;
		*) objcopy -I binary -O "$fmt" --rename-section .data=.BTF "$BASEK" "$in" ;;
		esac
		# shellcheck disable=SC2086
		bp gen min_core_btf "$in" "$TMP/in.ref" $OBJS
		# shellcheck disable=SC2086
		bt min_core_btf "$in" "$TMP/in.out" $OBJS
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "$n" "exit $RC $BAD: $(errline "$TMP/stderr")"
		elif [ $BRC -ne 0 ]; then
			fail "$n" "bpftool failed on the same input (exit $BRC): $(line1 "$TMP/bstderr")"
		elif ! cmp -s "$TMP/in.out" "$TMP/in.ref"; then
			fail "$n" "output differs from bpftool's"
		elif ! cmp -s "$TMP/in.out" "$TMP/in.native.out"; then
			fail "$n" "output differs from the raw native input's"
		else
			pass "$n"
		fi
	done
else
	skip input/formats "needs a kernel, the libbpf-tools objects, python3 and objcopy"
fi

# ---------------------------------------------------------------------------
# CLI spelling, determinism, idempotence, validity
# ---------------------------------------------------------------------------
if [ -n "$BASEK" ] && [ "$NOBJS" -gt 0 ]; then
	# shellcheck disable=SC2086
	bt min_core_btf "$BASEK" "$TMP/d1.btf" $OBJS
	r1=$RC b1=$BAD
	# shellcheck disable=SC2086
	bt min_core_btf "$BASEK" "$TMP/d2.btf" $OBJS
	if [ -n "$b1$BAD" ]; then
		fail "determinism/$BASEL" "$b1$BAD"
	elif [ $r1 -ne 0 ] || [ $RC -ne 0 ]; then
		fail "determinism/$BASEL" "exit $r1 / $RC: $(line1 "$TMP/stderr")"
	elif ! cmp -s "$TMP/d1.btf" "$TMP/d2.btf"; then
		fail "determinism/$BASEL" "two runs with the same arguments gave different bytes"
	else
		pass "determinism/$BASEL"
	fi
	# shellcheck disable=SC2086
	bt gen min_core_btf "$BASEK" "$TMP/d3.btf" $OBJS
	if [ -n "$BAD" ]; then
		fail cli/gen-spelling "$BAD"
	elif [ $RC -ne 0 ] || ! cmp -s "$TMP/d1.btf" "$TMP/d3.btf"; then
		fail cli/gen-spelling "btfgen gen min_core_btf: exit $RC, output differs from btfgen min_core_btf"
	else
		pass cli/gen-spelling
	fi
	# shellcheck disable=SC2086
	bt -v --first-match-only gen min_core_btf "$BASEK" "$TMP/d4.btf" $OBJS
	if [ -n "$BAD" ]; then
		fail cli/options-before-gen "$BAD"
	elif [ $RC -ne 0 ] || ! [ -s "$TMP/d4.btf" ]; then
		fail cli/options-before-gen "btfgen -v --first-match-only gen min_core_btf: exit $RC"
	else
		pass cli/options-before-gen
	fi
fi

# idempotence + validity: every kernel (quick: the base kernel), all objects
if [ "$NOBJS" -gt 0 ]; then
	if [ -n "$QUICK" ]; then head -n 1 "$TMP/kernels"; else cat "$TMP/kernels"; fi >"$TMP/ikernels"
	while read -r label k; do
		for opt in "" --first-match-only; do
			n="idempotence/$label${opt:+/first-match-only}"
			# shellcheck disable=SC2086
			bt $opt min_core_btf "$k" "$TMP/i1.btf" $OBJS
			r1=$RC b1=$BAD
			cp "$TMP/stderr" "$TMP/i1.err"
			if [ -n "$b1" ] || [ $r1 -ne 0 ]; then
				fail "$n" "first run: exit $r1 $b1 $(line1 "$TMP/i1.err")"
				continue
			fi
			if [ -z "$opt" ]; then
				if [ -n "$HAVE_BPFTOOL" ] && ! valid_btf "$TMP/i1.btf"; then
					fail "valid/$label" "bpftool btf dump file fails on btfgen's output"
				elif [ -n "$HAVE_BPFTOOL" ]; then
					pass "valid/$label"
				fi
			fi
			# shellcheck disable=SC2086
			bt $opt min_core_btf "$TMP/i1.btf" "$TMP/i2.btf" $OBJS
			if [ -n "$BAD" ]; then
				fail "$n" "$BAD"
			elif [ $RC -ne 0 ]; then
				fail "$n" "minimizing the output again: exit $RC: $(line1 "$TMP/stderr")"
			elif ! cmp -s "$TMP/i1.btf" "$TMP/i2.btf"; then
				if [ -n "$opt" ] && grep -q 'both match' "$TMP/stderr"; then
					# bpftool's first-candidate marking is not idempotent on
					# kernels with duplicate types (SEMANTICS 3.5)
					pass "$n (not idempotent, by design: several candidates)"
				else
					fail "$n" "minimizing the output again changed it ($(fsize "$TMP/i1.btf") -> $(fsize "$TMP/i2.btf") bytes)"
				fi
			else
				pass "$n"
			fi
		done
	done <"$TMP/ikernels"
fi

# ---------------------------------------------------------------------------
# error behaviour: exit codes, one message line, no partial output
# ---------------------------------------------------------------------------
# expect_fail NAME MENTION INPUT OBJ...: OUTPUT is ERRDIR/out.btf; checks exit 1,
# one stderr line "btfgen: ..." containing MENTION, OUTPUT not created /
# unchanged, nothing else left in ERRDIR.
expect_fail() {
	ename=$1 emention=$2 ein=$3
	shift 3
	d="$TMP/errout"
	ewhy=
	for round in absent present; do
		rm -rf "$d"
		mkdir -p "$d"
		if [ $round = present ]; then
			printf 'previous output\n' >"$d/out.btf"
			cp "$d/out.btf" "$TMP/prev.btf"
		fi
		bt min_core_btf "$ein" "$d/out.btf" "$@"
		if [ -n "$BAD" ]; then
			ewhy=$BAD
		elif [ $RC -ne 1 ]; then
			ewhy="exit $RC, want 1 (OUTPUT $round)"
		elif [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
			ewhy="want exactly one line on stderr, got $(nlines "$TMP/stderr"): $(head -n 3 "$TMP/stderr" | tr '\n' '|' | cut -c 1-300)"
		elif ! head -n 1 "$TMP/stderr" | grep -q '^btfgen: '; then
			ewhy="stderr line does not start with 'btfgen: ': $(line1 "$TMP/stderr")"
		elif ! grep -q -F -- "$emention" "$TMP/stderr"; then
			ewhy="stderr does not name $emention: $(line1 "$TMP/stderr")"
		elif [ $round = absent ] && [ -n "$(ls -A "$d")" ]; then
			ewhy="left in the output directory: $(ls -A "$d" | tr '\n' ' ')"
		elif [ $round = present ] && [ "$(ls -A "$d")" != out.btf ]; then
			ewhy="output directory holds: $(ls -A "$d" | tr '\n' ' ') (want only the old out.btf)"
		elif [ $round = present ] && ! cmp -s "$d/out.btf" "$TMP/prev.btf"; then
			ewhy="the existing OUTPUT was modified"
		fi
		[ -n "$ewhy" ] && break
	done
	if [ -n "$ewhy" ]; then
		fail "$ename" "$ewhy"
	else
		pass "$ename ($(line1 "$TMP/stderr" | cut -c 1-120))"
	fi
}

# expect_usage NAME ARGS...: exit 2
expect_usage() {
	uname=$1
	shift
	bt "$@"
	if [ -n "$BAD" ]; then
		fail "$uname" "$BAD"
	elif [ $RC -ne 2 ]; then
		fail "$uname" "btfgen $*: exit $RC, want 2"
	elif ! [ -s "$TMP/stderr" ]; then
		fail "$uname" "btfgen $*: exit 2 but nothing on stderr"
	else
		pass "$uname"
	fi
}

EOBJ=$(head -n 1 "$TMP/objs.list")
[ -f "$TMP/objs/execsnoop.0.bpf.o" ] && EOBJ=$TMP/objs/execsnoop.0.bpf.o

expect_usage usage/no-args
expect_usage usage/gen-only gen
expect_usage usage/command-only min_core_btf
mkdir -p "$TMP/u"
expect_usage usage/two-args min_core_btf "${BASEK:-/nonexistent}" "$TMP/u/out.btf"
expect_usage usage/unknown-option --bogus min_core_btf "${BASEK:-/nonexistent}" "$TMP/u/out2.btf" "${EOBJ:-/nonexistent}"
expect_usage usage/unknown-command frobnicate
if [ -n "$(ls -A "$TMP/u")" ]; then
	fail usage/no-output "usage errors created: $(ls -A "$TMP/u" | tr '\n' ' ')"
else
	pass usage/no-output
fi
bt --help
if [ $RC -eq 0 ] && [ -z "$BAD" ] && grep -q min_core_btf "$TMP/stdout"; then
	pass usage/help
else
	fail usage/help "btfgen --help: exit $RC, want 0 and the usage on stdout"
fi

if [ -z "$BASEK" ] || [ -z "$EOBJ" ]; then
	skip errors "needs a kernel BTF and a libbpf-tools object"
else
	cp "$BASEK" "$TMP/base.btf"
	expect_fail errors/input-missing "$TMP/nonexistent.btf" "$TMP/nonexistent.btf" "$EOBJ"
	printf 'this is not BTF\n' >"$TMP/text.btf"
	expect_fail errors/input-not-btf-nor-elf "$TMP/text.btf" "$TMP/text.btf" "$EOBJ"
	: >"$TMP/empty.btf"
	expect_fail errors/input-empty "$TMP/empty.btf" "$TMP/empty.btf" "$EOBJ"
	expect_fail errors/input-elf-without-BTF /bin/true /bin/true "$EOBJ"
	expect_fail errors/input-directory "$TMP" "$TMP" "$EOBJ"
	size=$(fsize "$TMP/base.btf")
	for n in 10 24 1000 100000 $((size - 1)); do
		head -c "$n" "$TMP/base.btf" >"$TMP/trunc-$n.btf"
		expect_fail "errors/input-truncated-$n" "$TMP/trunc-$n.btf" "$TMP/trunc-$n.btf" "$EOBJ"
	done
	# BTF header: magic, version, flags, hdr_len, type_off, type_len, str_off, str_len
	for off in 0 1 2 3 4 8 11 12 15 16 19 20 23; do
		flip "$TMP/base.btf" "$off" "$TMP/corrupt-$off.btf"
		expect_fail "errors/input-corrupt-byte-$off" "$TMP/corrupt-$off.btf" "$TMP/corrupt-$off.btf" "$EOBJ"
	done
	osize=$(fsize "$EOBJ")
	for n in 0 10 52 64 1000 $((osize / 2)) $((osize - 1)); do
		head -c "$n" "$EOBJ" >"$TMP/trunc-$n.o"
		expect_fail "errors/object-truncated-$n" "$TMP/trunc-$n.o" "$TMP/base.btf" "$TMP/trunc-$n.o"
	done
	# ELF header: EI_CLASS, EI_DATA, e_shoff (bytes 1, 6), e_shentsize, e_shnum, e_shstrndx
	for off in 4 5 41 46 58 60 62; do
		flip "$EOBJ" "$off" "$TMP/corrupt-$off.o"
		expect_fail "errors/object-corrupt-byte-$off" "$TMP/corrupt-$off.o" "$TMP/base.btf" "$TMP/corrupt-$off.o"
	done
	expect_fail errors/object-missing "$TMP/nonexistent.o" "$TMP/base.btf" "$TMP/nonexistent.o"
	expect_fail errors/object-not-elf "$TMP/text.btf" "$TMP/base.btf" "$TMP/text.btf"
	expect_fail errors/object-host-elf-without-bpf /bin/true "$TMP/base.btf" /bin/true
	# a bad object after a good one: still nothing written
	expect_fail errors/object-bad-after-good "$TMP/trunc-1000.o" "$TMP/base.btf" "$EOBJ" "$TMP/trunc-1000.o"

	n=errors/output-dir-missing
	bt min_core_btf "$TMP/base.btf" "$TMP/nodir/sub/out.btf" "$EOBJ"
	if [ -n "$BAD" ]; then
		fail "$n" "$BAD"
	elif [ $RC -ne 1 ]; then
		fail "$n" "exit $RC, want 1"
	elif [ "$(nlines "$TMP/stderr")" -ne 1 ] || ! grep -q "^btfgen: .*$TMP/nodir/sub/out.btf" "$TMP/stderr"; then
		fail "$n" "want one 'btfgen: ' line naming the output: $(head -n 3 "$TMP/stderr" | tr '\n' '|')"
	elif [ -e "$TMP/nodir" ]; then
		fail "$n" "created $TMP/nodir"
	else
		pass "$n"
	fi
	n=errors/output-is-directory
	rm -rf "$TMP/odir"
	mkdir -p "$TMP/odir/sub"
	bt min_core_btf "$TMP/base.btf" "$TMP/odir/sub" "$EOBJ"
	if [ -n "$BAD" ]; then
		fail "$n" "$BAD"
	elif [ $RC -ne 1 ]; then
		fail "$n" "exit $RC, want 1"
	elif [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
		fail "$n" "want one line on stderr, got: $(head -n 3 "$TMP/stderr" | tr '\n' '|')"
	elif [ "$(ls -A "$TMP/odir")" != sub ] || [ -n "$(ls -A "$TMP/odir/sub")" ]; then
		fail "$n" "left files: $(ls -A "$TMP/odir" "$TMP/odir/sub" | tr '\n' ' ')"
	else
		pass "$n"
	fi
	# success replaces an existing OUTPUT and leaves no temporary file
	n=output/replace-existing
	rm -rf "$TMP/orep"
	mkdir -p "$TMP/orep"
	printf 'old\n' >"$TMP/orep/out.btf"
	bt min_core_btf "$TMP/base.btf" "$TMP/orep/out.btf" "$EOBJ"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif [ "$(ls -A "$TMP/orep")" != out.btf ]; then
		fail "$n" "output directory holds: $(ls -A "$TMP/orep" | tr '\n' ' ')"
	elif [ -n "$HAVE_BPFTOOL" ] && ! valid_btf "$TMP/orep/out.btf"; then
		fail "$n" "the new OUTPUT is not a valid BTF"
	elif [ -s "$TMP/stdout" ] || [ -s "$TMP/stderr" ]; then
		fail "$n" "success printed something (stdout $(fsize "$TMP/stdout") bytes, stderr: $(line1 "$TMP/stderr"))"
	else
		pass "$n"
	fi
fi

# ---------------------------------------------------------------------------
# make install
# ---------------------------------------------------------------------------
n=install
if make -C "$ROOT" install DESTDIR="$TMP/inst" PREFIX=/usr >"$TMP/install.log" 2>&1; then
	if [ -x "$TMP/inst/usr/bin/btfgen" ] && "$TMP/inst/usr/bin/btfgen" --version >/dev/null 2>&1; then
		pass "$n (DESTDIR=\$TMP/inst PREFIX=/usr -> usr/bin/btfgen)"
	else
		fail "$n" "make install did not install a runnable $TMP/inst/usr/bin/btfgen: $(find "$TMP/inst" -type f | tr '\n' ' ')"
	fi
else
	fail "$n" "make install DESTDIR=... PREFIX=/usr failed: $(tail -n 1 "$TMP/install.log")"
fi

# ---------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------
echo
if [ -s "$TMP/parity.tsv" ]; then
	echo "Parity with $BPFTOOL (same = byte-identical; differs = by design, several candidates;"
	echo "bpftool-fails = bpftool rejects the run: btfgen ok / btfgen fails too):"
	awk -F '\t' '
	{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } c[$1, $2, $3]++ }
	END {
		printf "  %-42s %-36s %s\n", "kernel", "objects alone: same/differs/bf-ok/bf-both/FAIL", "all together"
		for (i = 1; i <= n; i++) {
			k = order[i]
			one = sprintf("%d/%d/%d/%d/%d", c[k,"one","same"], c[k,"one","differs"],
				c[k,"one","bfail-ok"], c[k,"one","bfail-both"], c[k,"one","fail"])
			all = "-"
			if (c[k,"all","same"]) all = "same"
			if (c[k,"all","differs"]) all = "differs (by design)"
			if (c[k,"all","bfail-ok"]) all = "bpftool fails, btfgen ok"
			if (c[k,"all","bfail-both"]) all = "both fail"
			if (c[k,"all","fail"]) all = "FAIL"
			printf "  %-42s %-36s %s\n", k, one, all
		}
	}' "$TMP/parity.tsv"
fi
if grep -q '^bpftool-fails' "$TMP/notes"; then
	echo "Runs bpftool rejects:"
	grep '^bpftool-fails' "$TMP/notes" | sed 's/^bpftool-fails /  /'
fi
grep -v '^bpftool-fails' "$TMP/notes" | sed 's/^/note: /'
echo "e2e: time $(($(date +%s) - START))s"
echo "e2e: $NPASS passed, $NFAIL failed, $NSKIP skipped"
if [ $NFAIL -gt 0 ] || [ $NPASS -eq 0 ]; then
	exit 1
fi
exit 0
