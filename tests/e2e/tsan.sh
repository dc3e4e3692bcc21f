#!/bin/sh
# SPDX-License-Identifier: MIT
# ThreadSanitizer on the threaded code: `btfgen archive` with 4 workers
# over the corpus hub (first run, unchanged re-run, a run where half the
# kernels changed), with the fault-injection build counting allocations
# from every worker (the counter the workers share), then with the product
# build. Any ThreadSanitizer report fails the check.
#   tests/e2e/tsan.sh BTFGEN_TSAN BTFGEN_FI_TSAN
# Ends with "tsan: N passed, M failed, K skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${BTFGEN_CORPUS:-$ROOT/../shared/corpus}
NPASS=0 NFAIL=0 NSKIP=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-tsan.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
export TSAN_OPTIONS="exitcode=66:second_deadlock_stack=1:${TSAN_OPTIONS:-}"

OBJS=
for t in execsnoop opensnoop biolatency tcpconnect; do
	[ -x "/usr/sbin/$t" ] && OBJS="$OBJS /usr/sbin/$t"
done
if [ ! -d "$CORPUS/hub" ] || [ -z "$OBJS" ]; then
	skip all "needs the corpus hub ($CORPUS/hub) and libbpf-tools (make deps)"
	echo "tsan: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	exit 0
fi
cp -r "$CORPUS/hub" "$TMP/in"

# run NAME BIN ENV...: archive -j 4 $TMP/in -> $TMP/out.NAME
run() {
	name=$1 bin=$2
	shift 2
	# shellcheck disable=SC2086
	env "$@" timeout 600 "$bin" archive -j 4 --tar "$TMP/t.tar" --report "$TMP/r.json" \
		"$TMP/in" "$TMP/out.$(basename "$bin")" $OBJS >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	if grep -q 'ThreadSanitizer' "$TMP/stderr"; then
		fail "$name" "$(grep -m 1 -A 3 'WARNING: ThreadSanitizer' "$TMP/stderr" | tr '\n' '|' | cut -c 1-300)"
	elif [ $rc -ne 0 ]; then
		fail "$name" "exit $rc: $(head -n 2 "$TMP/stderr" | tr '\n' '|')"
	else
		pass "$name ($(cut -d, -f1-3 "$TMP/stdout"))"
	fi
}
level=0
for bin in "$2" "$1"; do
	b=$(basename "$bin")
	level=$((level + 1))
	run "$b/first-run" "$bin" BTFGEN_COUNT_ALLOCS=1
	run "$b/unchanged-rerun" "$bin" BTFGEN_COUNT_ALLOCS=1
	# half the kernels change (touched and recompressed): reduced again
	n=0
	for f in $(find "$TMP/in" -name '*.btf.tar.xz' | sort); do
		n=$((n + 1))
		[ $((n % 2)) -eq 0 ] || continue
		xz -dc "$f" | xz -c -$level >"$f.new" && mv "$f.new" "$f"
	done
	run "$b/half-changed" "$bin" BTFGEN_COUNT_ALLOCS=1
done
echo "tsan: $NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ]
