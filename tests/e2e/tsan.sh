#!/bin/sh
# SPDX-License-Identifier: MIT
# ThreadSanitizer on the threaded code: `btfgen archive` with 4 workers
# over the corpus hub (first run, unchanged re-run, a run where half the
# kernels changed), with the fault-injection build counting allocations
# from every worker (the counter the workers share), then with the product
# build; and `btfgen serve` under concurrent requests (serve_tsan). Any
# ThreadSanitizer report fails the check.
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

# `btfgen serve` (product build): connection threads, the worker gate, both
# caches kept small so that entries are evicted while others use them,
# a rescan (SIGHUP) in the middle, then SIGTERM
serve_tsan() {
	bin=$1
	# setarch -R: TSan's shadow memory wants no address randomization on some kernels
	setarch -R "$bin" serve --listen 127.0.0.1:0 -j 2 --quiet --cache-size 12M \
		--result-cache-size 8K "$TMP/in" 2>"$TMP/serve.err" &
	spid=$!
	port=
	i=0
	while [ $i -lt 300 ] && [ -z "$port" ]; do
		port=$(sed -n 's|^btfgen: serving http://127\.0\.0\.1:\([0-9]*\)/ .*|\1|p' "$TMP/serve.err")
		[ -n "$port" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		kill -KILL $spid 2>/dev/null
		fail serve "the server did not start: $(head -n 3 "$TMP/serve.err" | tr '\n' '|')"
		return
	fi
	u=http://127.0.0.1:$port
	: >"$TMP/jobs"
	for k in debian/12/x86_64/6.1.0-56-amd64 debian/12/x86_64/6.1.0-56-cloud-amd64 \
		debian/12/arm64/6.1.0-56-arm64; do
		for o in $OBJS; do
			d=${k%%/*} r=${k#*/} v=${r%%/*} r=${r#*/} a=${r%%/*} kv=${r#*/}
			echo "$o distribution=$d&distribution_version=$v&arch=$a&kernel_version=$kv" >>"$TMP/jobs"
		done
	done
	cat "$TMP/jobs" "$TMP/jobs" "$TMP/jobs" | timeout 600 xargs -P 8 -L 1 sh -c \
		'curl -s -o /dev/null -w "%{http_code}\n" -F "bpf=@$0" "'"$u"'/api/v1/customize?$1"; curl -s -o /dev/null -w "%{http_code}\n" "'"$u"'/api/v1/list?full=1"' \
		>"$TMP/codes" 2>&1 &
	xpid=$!
	sleep 2
	kill -HUP $spid
	wait $xpid
	curl -s -o /dev/null "$u/monitoring/metrics"
	kill -TERM $spid
	wait $spid
	rc=$?
	n=$(wc -l <"$TMP/codes")
	bad=$(grep -cv '^200$' "$TMP/codes")
	if grep -q 'ThreadSanitizer' "$TMP/serve.err"; then
		fail serve "$(grep -m 1 -A 6 'WARNING: ThreadSanitizer' "$TMP/serve.err" | tr '\n' '|' | cut -c 1-600)"
	elif [ $rc -ne 0 ] || [ "$bad" -ne 0 ] || [ "$n" -eq 0 ]; then
		fail serve "exit $rc, $bad of $n answers not 200: $(sort "$TMP/codes" | uniq -c | tr '\n' ' ')"
	else
		pass "serve ($n requests from 8 clients: customize over 3 kernels x $(echo $OBJS | wc -w) objects with caches evicting, list?full=1, a rescan, SIGTERM)"
	fi
}
if command -v curl >/dev/null; then
	serve_tsan "$1"
else
	skip serve "curl not installed"
fi
echo "tsan: $NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" -eq 0 ]
