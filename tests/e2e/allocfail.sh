#!/bin/sh
# Allocation failure: with a fault-injection build (BTFGEN_FAIL_ALLOC=N makes
# the Nth allocation fail) under ASan+UBSan+LeakSanitizer, run real commands
# once for every allocation they make, failing that one. Every failing run
# must exit 1 with one "btfgen: " line (archive: "btfgen: " lines, one per
# failed kernel), no sanitizer report (no leak, no bad access) and no output
# file; a run whose failed allocation was optional must write the same bytes
# as an uninjected run.
#   tests/e2e/allocfail.sh BTFGEN_FI
# Ends with "allocfail: N passed, M failed, K skipped".
set -u
case $1 in
/*) FI=$1 ;;
*) FI=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${BTFGEN_CORPUS:-$ROOT/../shared/corpus}
MAXN=${BTFGEN_ALLOCFAIL_MAX:-20000}
NPASS=0 NFAIL=0 NSKIP=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-allocfail.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"

# loop NAME OUTFILE ARGS...: OUTFILE is what a successful run writes ("-":
# stdout; "+FILE": FILE, which a failed run may write too: archive goes on
# past a failed kernel and packs the others). Counts the allocations of an uninjected run, then fails each one
# in turn: a run may fail (cleanly) or, where an allocation is optional,
# succeed with the same output.
loop() {
	name=$1 outf=$2 partial=
	shift 2
	case $outf in +*) outf=${outf#+} partial=1 ;; esac
	[ "$outf" = - ] || rm -f "$outf"
	[ -z "${CLEAN:-}" ] || rm -rf "$CLEAN"
	BTFGEN_COUNT_ALLOCS=1 "$FI" "$@" >"$TMP/ref" 2>"$TMP/err"
	rc=$?
	total=$(sed -n 's/^allocations: //p' "$TMP/err")
	if [ $rc -ne 0 ] || [ -z "$total" ]; then
		fail "$name" "the uninjected run fails: $(head -n 2 "$TMP/err" | tr '\n' '|')"
		return
	fi
	[ "$outf" = - ] || cp "$outf" "$TMP/ref"
	[ "$total" -le "$MAXN" ] || total=$MAXN
	n=1 nfail=0 nok=0
	why=
	while [ $n -le "$total" ]; do
		[ "$outf" = - ] || rm -rf "$outf"
		[ -z "${CLEAN:-}" ] || rm -rf "$CLEAN"
		BTFGEN_FAIL_ALLOC=$n "$FI" "$@" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if [ $rc -eq 0 ]; then
			[ "$outf" = - ] || cp "$outf" "$TMP/out"
			cmp -s "$TMP/out" "$TMP/ref" || why="N=$n: succeeded with different output"
			nok=$((nok + 1))
		elif [ $rc -ne 1 ]; then
			why="N=$n: exit $rc: $(grep -m 2 -E 'ERROR|SUMMARY|runtime error|btfgen' "$TMP/err" | tr '\n' '|' | cut -c 1-300)"
		elif grep -q -v '^btfgen: ' "$TMP/err"; then
			why="N=$n: not a btfgen message: $(grep -m 2 -v '^btfgen: ' "$TMP/err" | tr '\n' '|' | cut -c 1-300)"
		elif ! [ -s "$TMP/err" ]; then
			why="N=$n: exit 1 without a message"
		elif [ -z "$partial" ] && [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
			why="N=$n: $(wc -l <"$TMP/err") lines, want one: $(head -n 3 "$TMP/err" | tr '\n' '|' | cut -c 1-300)"
		elif [ "$outf" != - ] && [ -z "$partial" ] && [ -e "$outf" ]; then
			why="N=$n: output file written by a failed run"
		else
			nfail=$((nfail + 1))
		fi
		[ -z "$why" ] || break
		n=$((n + 1))
	done
	if [ -n "$why" ]; then
		fail "$name" "$why"
	else
		pass "$name ($total allocations, each failed in turn: $nfail clean failures, $nok optional)"
	fi
}

K=$CORPUS/kernels/vmlinux-x86_64-2026.btf
[ -f "$K" ] || K=/sys/kernel/btf/vmlinux
if [ ! -r "$K" ] || [ ! -x /usr/sbin/execsnoop ]; then
	skip all "needs a kernel BTF (corpus or /sys/kernel/btf/vmlinux) and libbpf-tools"
	echo "allocfail: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	exit 0
fi
OBJS="/usr/sbin/execsnoop /usr/sbin/opensnoop /usr/sbin/biolatency"
mkdir -p "$TMP/o"
# shellcheck disable=SC2086
loop min_core_btf "$TMP/o/min.btf" min_core_btf "$K" "$TMP/o/min.btf" $OBJS
# shellcheck disable=SC2086
"$FI" min_core_btf "$K" "$TMP/small.btf" $OBJS 2>/dev/null
# shellcheck disable=SC2086
loop relocs - relocs --btf "$TMP/small.btf" --json $OBJS
# shellcheck disable=SC2086
loop verify - verify "$K" "$TMP/small.btf" $OBJS
# a kernel in .btf.tar.xz form (xz + tar + BTF), reduced to keep it quick
mkdir -p "$TMP/t"
cp "$TMP/small.btf" "$TMP/t/k.btf"
(cd "$TMP/t" && tar -cf - k.btf | xz -c >"$TMP/k.btf.tar.xz")
# shellcheck disable=SC2086
loop min_core_btf.tar.xz "$TMP/o/x.btf" min_core_btf "$TMP/k.btf.tar.xz" "$TMP/o/x.btf" $OBJS
# archive, one worker: walk, manifest, dedup, tar, report
mkdir -p "$TMP/a/debian/12/x86_64" "$TMP/a/ubuntu/22.04/x86_64"
cp "$TMP/k.btf.tar.xz" "$TMP/a/debian/12/x86_64/6.1.0-1-amd64.btf.tar.xz"
cp "$TMP/k.btf.tar.xz" "$TMP/a/ubuntu/22.04/x86_64/5.15.0-1-generic.btf.tar.xz"
cp "$TMP/small.btf" "$TMP/a/ubuntu/22.04/x86_64/5.15.0-2-generic.btf"
# shellcheck disable=SC2086
CLEAN=$TMP/o/tree loop archive "+$TMP/o/pkg.tar" archive -j 1 --tar "$TMP/o/pkg.tar" --report "$TMP/o/r.json" \
	"$TMP/a" "$TMP/o/tree" $OBJS
# select and install from that tree as a tar.xz collection (a host without BTF)
mkdir -p "$TMP/h/etc" "$TMP/h/boot"
printf 'ID=ubuntu\nVERSION_ID="22.04"\n' >"$TMP/h/etc/os-release"
(cd "$TMP/o/tree" && tar -cf - ubuntu debian | xz -c >"$TMP/coll.tar.xz")
HOST="--root $TMP/h --kernel-release 5.15.0-2-generic --arch x86_64"
# shellcheck disable=SC2086
loop select - select --from "$TMP/coll.tar.xz" $HOST
# shellcheck disable=SC2086
loop install "$TMP/h/boot/vmlinux-5.15.0-2-generic" install --from "$TMP/coll.tar.xz" $HOST
echo "allocfail: $NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ]
