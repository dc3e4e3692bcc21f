#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/serve.sh BTFGEN - end-to-end tests of `btfgen serve`, the BTFHub
# Online API (../shared/docs/ONLINE-API.md), with curl and with a Python
# standard-library client that talks like the Go SDK
# (tests/tools/serve_client.py); then a load test and an abuse test.
#
# Every server listens on 127.0.0.1 port 0 (the port is read from the ready
# line), is killed on exit, and is stopped with SIGTERM at the end of its
# part: it must exit 0, and a sanitizer report in its stderr is a failure.
#
# The references are independent of the server: `btfgen min_core_btf` run on
# the archive file for customize, the archive file itself for download,
# sha256sum for list?full=1, xz and GNU tar for the answers' packaging.
#
# Prints PASS/FAIL/SKIP lines, the figures, then alone on the last line
#   serve: N passed, M failed, K skipped
# Exit 1 if any check failed or none passed (2: usage).
#
# Environment: BTFGEN_CORPUS (default ../shared/corpus), BTFGEN_E2E_QUICK=1
# (3 kernels for byte-equality, load 100 requests, abuse 50/60),
# BTFGEN_E2E_TIMEOUT (per command, default 60), CLANG (tests/progs/build.sh).
# Needs: curl, python3, xz, GNU tar, libbpf-tools; clang-19 and llvm-objcopy-19
# (synthetic programs: bpfeb object, CO-RE failure), strace (optional).
set -u
. "$(dirname "$0")/common.sh"
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
QUICK=${BTFGEN_E2E_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
TO=${BTFGEN_E2E_TIMEOUT:-60}
CLIENT=$ROOT/tests/tools/serve_client.py
ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL
# an ASan build is slower and bigger: longer waits, no RSS bound
SAN=
grep -a -q -e __asan_init -e __ubsan_handle "$BTFGEN" 2>/dev/null && SAN=1
STARTTO=10
[ -n "$SAN" ] && STARTTO=60

TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-serve.XXXXXX") || exit 1
SRV_WRAP='' SRV_LISTEN=''
: >"$TMP/pids"
cleanup() {
	# only the servers (and strace) this script started, by their pids
	while read -r p; do
		kill -KILL "$p" 2>/dev/null
	done <"$TMP/pids"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NPASS=0 NFAIL=0 NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
: >"$TMP/notes"
note() { echo "$*" >>"$TMP/notes"; }
finish() {
	# any sanitizer report in any server's stderr fails the suite
	for e in "$TMP"/srv.*.err; do
		[ -f "$e" ] || continue
		if grep -q -e 'Sanitizer' -e 'runtime error:' "$e"; then
			fail "sanitizer/$(basename "$e" .err)" "$(grep -m 1 -e Sanitizer -e 'runtime error:' "$e" | cut -c 1-250)"
		fi
	done
	cat "$TMP/notes"
	echo "(run time $(($(date +%s) - START)) s)"
	echo "serve: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	[ $NFAIL -eq 0 ] && [ $NPASS -gt 0 ]
	exit
}
line1() { head -n 1 "$1" 2>/dev/null | tr -d '\r' | tr '\t' ' ' | cut -c 1-300; }
nlines() { wc -l <"$1" | tr -d ' '; }
fsize() { wc -c <"$1" | tr -d ' '; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

for t in curl python3 xz tar; do
	if ! command -v "$t" >/dev/null 2>&1; then
		skip all "$t not installed (make deps)"
		finish
	fi
done
if [ ! -x "$BTFGEN" ]; then
	fail prereq "$BTFGEN is not an executable (run make)"
	finish
fi
if [ ! -d "$CORPUS/hub" ]; then
	skip all "no corpus hub at $CORPUS/hub (set BTFGEN_CORPUS)"
	finish
fi
HUB=$(cd "$CORPUS/hub" && pwd)
T1='' T2='' T3=''
for t in execsnoop opensnoop biolatency; do
	[ -x "/usr/sbin/$t" ] || continue
	if [ -z "$T1" ]; then T1=/usr/sbin/$t; elif [ -z "$T2" ]; then T2=/usr/sbin/$t; else T3=/usr/sbin/$t; fi
done
if [ -z "$T3" ]; then
	skip all "libbpf-tools not installed (make deps)"
	finish
fi
PROGS=
if sh "$ROOT/tests/progs/build.sh" "$TMP/progs" >"$TMP/progs.log" 2>&1; then
	PROGS=$TMP/progs
else
	skip progs "tests/progs/build.sh failed (clang-19 missing? make deps): $(line1 "$TMP/progs.log")"
fi
(cd "$HUB" && find . -name '*.btf.tar.xz' | sed 's|^\./||; s|\.btf\.tar\.xz$||' | sort) >"$TMP/hub.list"
NH=$(nlines "$TMP/hub.list")

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
# srv NAME OPTIONS... DIR: start `btfgen serve` on 127.0.0.1:0 (or under
# $SRV_WRAP, e.g. strace); wait for the ready line. Sets SPID (the server),
# WPID (what was started), PORT, URL; returns 1 without a ready line.
srv() {
	sname=$1
	shift
	# (LeakSanitizer cannot run under ptrace: no leak check under strace)
	srv_asan=$ASAN_OPTIONS
	[ -n "$SRV_WRAP" ] && srv_asan="$ASAN_OPTIONS:detect_leaks=0"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=$srv_asan $SRV_WRAP "$BTFGEN" serve --listen "${SRV_LISTEN:-127.0.0.1:0}" "$@" </dev/null \
		>"$TMP/srv.$sname.out" 2>"$TMP/srv.$sname.err" &
	WPID=$!
	SPID=$WPID
	echo "$WPID" >>"$TMP/pids"
	PORT=
	i=0
	while [ $i -lt $((STARTTO * 20)) ]; do
		PORT=$(sed -n 's|^btfgen: serving http://127\.0\.0\.1:\([0-9][0-9]*\)/ : .*|\1|p' "$TMP/srv.$sname.err" 2>/dev/null | head -n 1)
		[ -n "$PORT" ] && break
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -n "$SRV_WRAP" ]; then
		c=$(ps -o pid= --ppid "$WPID" 2>/dev/null | head -n 1 | tr -d ' ')
		[ -n "$c" ] && SPID=$c && echo "$SPID" >>"$TMP/pids"
	fi
	URL=http://127.0.0.1:$PORT
	[ -n "$PORT" ]
}
# srv_stop NAME WPID SPID [GRACE]: SIGTERM; SRV_RC = exit status (124: still
# running after GRACE+5 s, then killed), SRV_MS its time to exit
srv_stop() {
	t0=$(now_ms)
	kill -TERM "$3" 2>/dev/null
	i=0 lim=$(((${4:-10} + 5) * 20))
	[ -n "$SAN" ] && lim=$((lim + 400))
	while kill -0 "$3" 2>/dev/null && [ $i -lt $lim ]; do
		sleep 0.05
		i=$((i + 1))
	done
	SRV_MS=$(($(now_ms) - t0))
	if kill -0 "$3" 2>/dev/null; then
		kill -KILL "$2" "$3" 2>/dev/null
		wait "$2" 2>/dev/null
		SRV_RC=124
		return
	fi
	wait "$2"
	SRV_RC=$?
	if [ "$2" != "$3" ]; then
		# under strace: strace exits with the tracee's status
		:
	fi
}
stop_check() {	# stop_check NAME WPID SPID [GRACE]
	if ! kill -0 "$3" 2>/dev/null; then
		wait "$2"
		fail "server/$1" "died before SIGTERM (exit status $?): $(grep -v '^btfgen: 20' "$TMP/srv.$1.err" | tail -n 4 | tr '\n' '|' | cut -c 1-400)"
		return
	fi
	srv_stop "$2" "$2" "$3" "${4:-10}"
	if [ $SRV_RC -ne 0 ]; then
		fail "sigterm/$1" "exit status $SRV_RC after SIGTERM ($SRV_MS ms): $(grep -v '^btfgen: 20' "$TMP/srv.$1.err" | tail -n 3 | tr '\n' '|' | cut -c 1-300)"
	else
		pass "sigterm/$1 (exit 0 in $SRV_MS ms)"
	fi
}

# cu ARGS...: curl; CODE, $TMP/body, $TMP/hdr (CRs removed)
cu() {
	: >"$TMP/body"
	CODE=$(curl -s -S --max-time "$TO" -o "$TMP/body" -D "$TMP/hdr.raw" -w '%{http_code}' "$@" 2>"$TMP/curl.err")
	tr -d '\r' <"$TMP/hdr.raw" >"$TMP/hdr"
}
# hdr NAME: the value of a response header of the last cu (the final response)
hdr() {
	awk -v n="$1" 'BEGIN { n = tolower(n) } /^HTTP\// { delete h; next }
		{ i = index($0, ":"); if (i) h[tolower(substr($0, 1, i - 1))] = substr($0, i + 2) }
		END { if (n in h) print h[n] }' "$TMP/hdr"
}
# py ARGS...: the Python client; PRC, $TMP/py.out, $TMP/py.err
py() {
	timeout -k 5 "$((TO * 3))" python3 "$CLIENT" "$@" >"$TMP/py.out" 2>"$TMP/py.err"
	PRC=$?
}
# ref OUT OBJS...: `btfgen min_core_btf` on the archive file of kernel $K
ref() {
	ref_out=$1
	shift
	timeout -k 5 "$TO" "$BTFGEN" min_core_btf "$HUB/$K.btf.tar.xz" "$ref_out" "$@" >/dev/null 2>"$TMP/ref.err"
}
kq() {	# kq d/v/a/k [ARCH]: the query string of a kernel
	kd=${1%%/*} kr=${1#*/}
	kv=${kr%%/*} kr=${kr#*/}
	ka=${kr%%/*} kk=${kr#*/}
	printf 'distribution=%s&distribution_version=%s&arch=%s&kernel_version=%s' \
		"$kd" "$kv" "${2:-$ka}" "$(printf %s "$kk" | sed 's/+/%2B/g')"
}
split() {	# split d/v/a/k: KD KV KA KK
	KD=${1%%/*} kr=${1#*/}
	KV=${kr%%/*} kr=${kr#*/}
	KA=${kr%%/*} KK=${kr#*/}
}
# tarcheck FILE KERNEL_VERSION REF: an xz stream (CRC64) of a tar with one
# member KERNEL_VERSION.btf, mode 0644, 0/0, mtime 0, equal to REF; WHY
tarcheck() {
	WHY=
	if ! xz -t "$1" 2>"$TMP/xz.err"; then
		WHY="xz -t: $(line1 "$TMP/xz.err")"
		return
	fi
	if ! xz --robot -lv "$1" 2>/dev/null | grep -q '^stream.*CRC64'; then
		WHY="xz -l: not a CRC64 check: $(xz --robot -l "$1" 2>&1 | grep '^stream' | tr '\t' ' ')"
		return
	fi
	xz -dc "$1" >"$TMP/ans.tar"
	tar --numeric-owner --full-time -tvf "$TMP/ans.tar" >"$TMP/tarv" 2>"$TMP/tar.err"
	sz=$(fsize "$3")
	# shellcheck disable=SC2016
	want=$(printf -- '-rw-r--r-- 0/0 %s 1970-01-01 00:00:00 %s.btf' "$sz" "$2")
	got=$(tr -s ' ' <"$TMP/tarv")
	if [ "$(nlines "$TMP/tarv")" -ne 1 ] || [ "$got" != "$want" ]; then
		WHY="tar -tvf: '$(tr '\n' '|' <"$TMP/tarv" | cut -c 1-200)', want '$want'"
		return
	fi
	if ! tar -xOf "$TMP/ans.tar" "$2.btf" 2>/dev/null | cmp -s - "$3"; then
		WHY="the member differs from btfgen min_core_btf's output ($sz bytes)"
		return
	fi
	if ! od -A n -t c -j 257 -N 6 "$TMP/ans.tar" | grep -q 'u   s   t   a   r  \\0'; then
		WHY="not a ustar header: $(od -A n -t c -j 257 -N 8 "$TMP/ans.tar")"
	fi
}

# ---------------------------------------------------------------------------
# S1: the corpus hub, default limits
# ---------------------------------------------------------------------------
if ! srv main -j 2 "$HUB"; then
	fail start/main "no ready line within ${STARTTO}s: $(line1 "$TMP/srv.main.err")"
	finish
fi
MAIN_PID=$SPID MAIN_URL=$URL U=$URL
READY=$(head -n 1 "$TMP/srv.main.err")
if echo "$READY" | grep -q -E "^btfgen: serving http://127\.0\.0\.1:$PORT/ : $NH kernels indexed from $HUB in [0-9]+ ms, 2 workers\$"; then
	pass "start/ready-line ($READY)"
else
	fail start/ready-line "'$READY'"
fi

# health, ready
cu "$U/monitoring/health"
if [ "$CODE" = 200 ] && [ "$(od -A n -c "$TMP/body" | tr -s ' ')" = " { } \\n" ] &&
	[ "$(hdr Content-Type)" = "application/json; charset=utf-8" ]; then
	pass "health (200, {} and a newline, application/json)"
else
	fail health "$CODE '$(line1 "$TMP/body")' $(hdr Content-Type)"
fi
cu "$U/monitoring/ready"
[ "$CODE" = 200 ] && pass "ready (200 once indexed)" || fail ready "$CODE $(line1 "$TMP/body")"
py raw "$U" GET /monitoring/health --expect 200
[ $PRC -eq 0 ] && pass "health/python" || fail health/python "$(line1 "$TMP/py.out") $(line1 "$TMP/py.err")"
alive() {	# alive NAME PID: the server still runs (else its stderr, and stop)
	kill -0 "$2" 2>/dev/null && return 0
	fail "server/$1" "died: $(grep -v '^btfgen: 20' "$TMP/srv.$1.err" | tail -n 4 | tr '\n' '|' | cut -c 1-400); last request: $(grep '^btfgen: 20' "$TMP/srv.$1.err" | tail -n 1)"
	finish
}
alive main "$MAIN_PID"

# list: exact bytes (compact, sorted, keys in order), full=1 sha256
python3 - "$TMP/hub.list" "$HUB" >"$TMP/list.want" 2>"$TMP/list.err" <<'EOF'
import hashlib, json, os, sys
rows = [l.strip() for l in open(sys.argv[1]) if l.strip()]
rows.sort(key=lambda r: (r + ".btf.tar.xz").encode())
out, full = [], []
for r in rows:
    d, v, a, k = r.split("/", 3)
    out.append({"distribution": d, "distribution_version": v, "kernel_version": k, "arch": a})
    p = os.path.join(sys.argv[2], r + ".btf.tar.xz")
    full.append(dict(out[-1], size=os.path.getsize(p), sha256=hashlib.sha256(open(p, "rb").read()).hexdigest()))
sys.stdout.write(json.dumps(out, separators=(",", ":")))
open(sys.argv[1] + ".full", "w").write(json.dumps(full, separators=(",", ":")))
EOF
cu "$U/api/v1/list"
printf '\n' >"$TMP/nl"
if [ "$CODE" = 200 ] && { cmp -s "$TMP/body" "$TMP/list.want" || cat "$TMP/list.want" "$TMP/nl" | cmp -s - "$TMP/body"; } &&
	[ "$(hdr Content-Type)" = "application/json; charset=utf-8" ]; then
	pass "list/bytes ($(fsize "$TMP/body") bytes, $NH kernels, compact, sorted, key order)"
else
	fail list/bytes "$CODE $(hdr Content-Type): got $(head -c 160 "$TMP/body")..., want $(head -c 160 "$TMP/list.want")"
fi
LETAG=$(hdr ETag)
cu "$U/api/v1/list?full=1"
# sha256sum of every file: the reference for full=1
nbad=0
while read -r r; do
	s=$(sha256sum "$HUB/$r.btf.tar.xz" | cut -d ' ' -f 1)
	split "$r"
	grep -q -F "\"kernel_version\":\"$KK\",\"arch\":\"$KA\",\"size\":$(fsize "$HUB/$r.btf.tar.xz"),\"sha256\":\"$s\"" "$TMP/body" || nbad=$((nbad + 1))
done <"$TMP/hub.list"
if [ "$CODE" = 200 ] && [ $nbad -eq 0 ] && { cmp -s "$TMP/body" "$TMP/hub.list.full" || cat "$TMP/hub.list.full" "$TMP/nl" | cmp -s - "$TMP/body"; }; then
	pass "list/full (size and sha256 = sha256sum of each of $NH files)"
else
	fail list/full "$CODE, $nbad kernels without their sha256sum: $(head -c 200 "$TMP/body")"
fi
cu -I "$U/api/v1/list"
if [ "$CODE" = 200 ] && { [ "$(hdr Content-Length)" = "$(fsize "$TMP/list.want")" ] || [ "$(hdr Content-Length)" = "$(($(fsize "$TMP/list.want") + 1))" ]; }; then
	pass "list/head (200, Content-Length, no body)"
else
	fail list/head "$CODE Content-Length $(hdr Content-Length), body $(fsize "$TMP/body")"
fi
cu -H "If-None-Match: $LETAG" "$U/api/v1/list"
if [ -n "$LETAG" ] && [ "$CODE" = 304 ] && [ ! -s "$TMP/body" ]; then
	pass "list/etag (304 on If-None-Match: $LETAG)"
else
	fail list/etag "ETag '$LETAG': $CODE"
fi
cu -H 'If-None-Match: "nope"' "$U/api/v1/list"
[ "$CODE" = 200 ] && pass "list/etag-other (200)" || fail list/etag-other "$CODE"
py list "$U"
py2=$PRC
py list "$U" --full --out "$TMP/pylist"
if [ $py2 -eq 0 ] && [ $PRC -eq 0 ]; then
	pass "list/python (JSON array, keys, order, compact; full=1)"
else
	fail list/python "$(line1 "$TMP/py.err")"
fi

# download: every kernel byte for byte (curl), a few with python, aliases
nbad=0 n=0
while read -r r; do
	n=$((n + 1))
	CODE=$(curl -s --max-time "$TO" -o "$TMP/dl" -D "$TMP/hdr.raw" -w '%{http_code}' "$U/api/v1/download?$(kq "$r")")
	tr -d '\r' <"$TMP/hdr.raw" >"$TMP/hdr"
	if [ "$CODE" != 200 ] || ! cmp -s "$TMP/dl" "$HUB/$r.btf.tar.xz" ||
		[ "$(hdr Content-Description)" != "File Transfer" ] || [ "$(hdr Content-Transfer-Encoding)" != binary ] ||
		[ "$(hdr Content-Type)" != application/octet-stream ] || [ -n "$(hdr Content-Encoding)" ] ||
		[ "$(hdr Content-Length)" != "$(fsize "$HUB/$r.btf.tar.xz")" ]; then
		nbad=$((nbad + 1))
		[ $nbad -le 3 ] && fail "download/$r" "$CODE, $(fsize "$TMP/dl") bytes, headers $(tr '\n' '|' <"$TMP/hdr" | cut -c 1-250)"
	fi
done <"$TMP/hub.list"
[ $nbad -eq 0 ] && pass "download/bytes ($n kernels byte for byte, legacy headers, no Content-Encoding)"
nbad=0 n=0
for r in $(grep -E -m 1 '/x86_64/' "$TMP/hub.list") $(grep -E -m 1 '/arm64/' "$TMP/hub.list") $(grep -E -m 1 '/aarch64/' "$TMP/hub.list"); do
	split "$r"
	case $KA in x86_64) alt=amd64 ;; arm64) alt=aarch64 ;; aarch64) alt=arm64 ;; esac
	for a in "$KA" "$alt"; do
		n=$((n + 1))
		py download "$U" "$KD" "$KV" "$a" "$KK" "$TMP/pydl"
		if [ $PRC -ne 0 ] || ! cmp -s "$TMP/pydl" "$HUB/$r.btf.tar.xz"; then
			nbad=$((nbad + 1))
			fail "download/python/$r/$a" "exit $PRC: $(line1 "$TMP/py.err")"
		fi
		CODE=$(curl -s --max-time "$TO" -o "$TMP/dl" -w '%{http_code}' "$U/api/v1/download?$(kq "$r" "$a")")
		if [ "$CODE" != 200 ] || ! cmp -s "$TMP/dl" "$HUB/$r.btf.tar.xz"; then
			nbad=$((nbad + 1))
			fail "download/alias/$r/$a" "curl: $CODE"
		fi
	done
done
[ $nbad -eq 0 ] && pass "download/python+aliases ($n downloads: x86_64/amd64, arm64/aarch64 both ways, python and curl)"
K=$(grep -m 1 '^debian/12/x86_64/' "$TMP/hub.list")
DQ=$(kq "$K")
cu -I "$U/api/v1/download?$DQ"
ETAG=$(hdr ETag) LM=$(hdr Last-Modified)
if [ "$CODE" = 200 ] && [ "$(hdr Content-Length)" = "$(fsize "$HUB/$K.btf.tar.xz")" ] && [ -n "$ETAG" ] && [ -n "$LM" ]; then
	pass "download/head (200, Content-Length, ETag, Last-Modified, no body)"
else
	fail download/head "$CODE, CL $(hdr Content-Length), ETag '$ETAG', Last-Modified '$LM', body $(fsize "$TMP/body")"
fi
want_lm=$(TZ=GMT date -d "@$(stat -c %Y "$HUB/$K.btf.tar.xz")" '+%a, %d %b %Y %H:%M:%S GMT')
[ "$LM" = "$want_lm" ] && pass "download/last-modified ($LM = the file's mtime)" || fail download/last-modified "'$LM', want '$want_lm'"
cu -H "If-None-Match: $ETAG" "$U/api/v1/download?$DQ"
c1=$CODE s1=$(fsize "$TMP/body")
cu -H "If-Modified-Since: $LM" "$U/api/v1/download?$DQ"
c2=$CODE
cu -H "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT" "$U/api/v1/download?$DQ"
c3=$CODE
cu -H 'If-None-Match: "x"' -H "If-Modified-Since: $LM" "$U/api/v1/download?$DQ"
c4=$CODE
if [ "$c1" = 304 ] && [ "$s1" = 0 ] && [ "$c2" = 304 ] && [ "$c3" = 200 ] && [ "$c4" = 200 ]; then
	pass "download/conditional (304 on If-None-Match and If-Modified-Since, 200 when older or ETag differs)"
else
	fail download/conditional "INM $c1 ($s1 bytes), IMS=LM $c2, IMS 1990 $c3, INM other + IMS $c4 (want 304 304 200 200)"
fi

alive main "$MAIN_PID"
# ---------------------------------------------------------------------------
# customize: byte-equal to btfgen min_core_btf
# ---------------------------------------------------------------------------
if [ -n "$QUICK" ]; then
	{
		grep -m 1 '^debian/12/x86_64/' "$TMP/hub.list"
		grep -m 1 '/aarch64/' "$TMP/hub.list"
		grep -m 1 '^android/' "$TMP/hub.list"
	} >"$TMP/ck.list"
else
	cp "$TMP/hub.list" "$TMP/ck.list"
fi
EB='' EL=''
if [ -n "$PROGS" ]; then
	EB=$PROGS/prog_fields.bpfeb.o
	EL=$PROGS/prog_types.bpfel.o
fi
i=0 nk=0 nreq=0 nbad=0
: >"$TMP/sums"
mkdir -p "$TMP/refs"
while read -r K; do
	i=$((i + 1))
	split "$K"
	Q=$(kq "$K")
	kb=$TMP/refs/$(echo "$K" | tr '/' '_')
	# A: one libbpf-tools executable, curl, tar.xz; twice (deterministic)
	case $((i % 3)) in 0) o=$T1 ;; 1) o=$T2 ;; *) o=$T3 ;; esac
	if ! ref "$kb.A" "$o"; then
		fail "customize/ref/$K" "btfgen min_core_btf $o: $(line1 "$TMP/ref.err")"
		continue
	fi
	echo "$K|$o $(sha256sum <"$kb.A" | cut -d ' ' -f 1)" >>"$TMP/sums"
	nk=$((nk + 1))
	cu -F "bpf=@$o" "$U/api/v1/customize?$Q"
	nreq=$((nreq + 1))
	cp "$TMP/body" "$TMP/a1"
	tarcheck "$TMP/a1" "$KK" "$kb.A"
	if [ "$CODE" != 200 ] || [ -n "$WHY" ]; then
		nbad=$((nbad + 1))
		fail "customize/curl/$K/$(basename "$o")" "$CODE $(line1 "$TMP/body"): $WHY"
	elif [ "$(hdr Content-Description)" != "File Transfer" ] || [ "$(hdr Content-Transfer-Encoding)" != binary ] ||
		[ "$(hdr Content-Type)" != application/octet-stream ] || [ -z "$(hdr ETag)" ]; then
		nbad=$((nbad + 1))
		fail "customize/headers/$K" "$(tr '\n' '|' <"$TMP/hdr" | cut -c 1-300)"
	else
		cu -F "bpf=@$o" "$U/api/v1/customize?$Q"
		nreq=$((nreq + 1))
		if ! cmp -s "$TMP/body" "$TMP/a1"; then
			nbad=$((nbad + 1))
			fail "customize/deterministic/$K" "the same request twice: different bytes"
		fi
	fi
	# B: united parts with python (two libbpf-tools; or a tool + the bpfeb object)
	if [ $((i % 2)) -eq 0 ] || [ -z "$EB" ]; then
		set -- "$T1" "$T2"
	else
		set -- "$T3" "$EB"
	fi
	if ref "$kb.B" "$@"; then
		py customize "$U" "$KD" "$KV" "$KA" "$KK" "$TMP/b1" "$@"
		nreq=$((nreq + 1))
		if [ $PRC -ne 0 ] || ! cmp -s "$TMP/b1" "$kb.B"; then
			nbad=$((nbad + 1))
			fail "customize/python/$K/united" "$(basename "$1")+$(basename "$2"): exit $PRC $(line1 "$TMP/py.err")"
		fi
	else
		fail "customize/ref/$K" "btfgen min_core_btf $*: $(line1 "$TMP/ref.err")"
	fi
	# C: every third kernel, the bpfeb object alone, format=raw, curl and python
	if [ -n "$EB" ] && [ $((i % 3)) -eq 1 ]; then
		if ref "$kb.C" "$EB"; then
			cu -F "bpf=@$EB" "$U/api/v1/customize?$Q&format=raw"
			py customize "$U" "$KD" "$KV" "$KA" "$KK" "$TMP/c1" "$EB" --raw
			nreq=$((nreq + 2))
			if [ "$CODE" != 200 ] || ! cmp -s "$TMP/body" "$kb.C" || [ $PRC -ne 0 ] || ! cmp -s "$TMP/c1" "$kb.C"; then
				nbad=$((nbad + 1))
				fail "customize/raw/$K/bpfeb" "curl $CODE ($(fsize "$TMP/body") bytes, want $(fsize "$kb.C")), python exit $PRC $(line1 "$TMP/py.err")"
			fi
		fi
	fi
done <"$TMP/ck.list"
if [ $nbad -eq 0 ] && [ $nk -gt 0 ]; then
	pass "customize/bytes ($nk kernels, $nreq requests: libbpf-tools executables, united parts$([ -n "$EB" ] && echo ", a bpfeb object, format=raw"); xz CRC64, one ustar member 0644 0/0 mtime 0, deterministic)"
fi
[ -z "$QUICK" ] && [ $nk -lt 10 ] && fail customize/count "only $nk kernels checked, want >= 10"

# an object without CO-RE relocations contributes nothing, as on the command
# line (a warning there, the empty reduced BTF): not a 422
NR=${PROGS:+$PROGS/prog_noreloc.bpfel.o}
if [ -n "$NR" ] && [ -f "$NR" ]; then
	K=$(head -n 1 "$TMP/ck.list")
	Q=$(kq "$K")
	if ref "$TMP/noreloc.ref" "$NR"; then
		cu -F "bpf=@$NR" "$U/api/v1/customize?$Q&format=raw"
		if [ "$CODE" = 200 ] && cmp -s "$TMP/body" "$TMP/noreloc.ref"; then
			pass "customize/noreloc (an object without CO-RE relocations: $(fsize "$TMP/body") bytes, as min_core_btf)"
		else
			fail customize/noreloc "HTTP $CODE ($(fsize "$TMP/body") bytes, want 200 and $(fsize "$TMP/noreloc.ref")): $(line1 "$TMP/body")"
		fi
	else
		fail customize/noreloc "btfgen min_core_btf: $(line1 "$TMP/ref.err")"
	fi
else
	skip customize/noreloc "no test programs (clang)"
fi

# arch alias on customize, curl's chunked body and Expect: 100-continue
K=$(grep -m 1 '/aarch64/' "$TMP/hub.list")
kb=$TMP/refs/$(echo "$K" | tr '/' '_')
split "$K"
Q=$(kq "$K" arm64)
ref "$kb.X" "$T1"
cu -F "bpf=@$T1" "$U/api/v1/customize?$Q"
tarcheck "$TMP/body" "$KK" "$kb.X"
[ "$CODE" = 200 ] && [ -z "$WHY" ] && pass "customize/alias (arch=arm64 finds the aarch64 folder)" || fail customize/alias "$CODE $(line1 "$TMP/body") $WHY"
cu -H 'Transfer-Encoding: chunked' -F "bpf=@$T1" "$U/api/v1/customize?$Q"
tarcheck "$TMP/body" "$KK" "$kb.X"
[ "$CODE" = 200 ] && [ -z "$WHY" ] && pass "customize/chunked (a chunked request body)" || fail customize/chunked "$CODE $(line1 "$TMP/body") $WHY"
curl -s -v --max-time "$TO" -o "$TMP/body" -H 'Expect: 100-continue' -F "bpf=@$T1" "$U/api/v1/customize?$Q" 2>"$TMP/curlv"
if grep -q '^< HTTP/1.1 100' "$TMP/curlv" && grep -q '^< HTTP/1.1 200' "$TMP/curlv" && { tarcheck "$TMP/body" "$KK" "$kb.X"; [ -z "$WHY" ]; }; then
	pass "customize/expect-100 (100 Continue, then 200)"
else
	fail customize/expect-100 "$(grep '^< HTTP' "$TMP/curlv" | tr '\n' '|') $WHY"
fi
# ETag on the POST: 412; HEAD of a POST route: 405
K=$(grep -m 1 '^debian/12/x86_64/' "$TMP/hub.list")
Q=$(kq "$K")
cu -F "bpf=@$T1" "$U/api/v1/customize?$Q"
CE=$(hdr ETag)
cu -H "If-None-Match: $CE" -F "bpf=@$T1" "$U/api/v1/customize?$Q"
c1=$CODE
cu -H 'If-None-Match: "other"' -F "bpf=@$T1" "$U/api/v1/customize?$Q"
c2=$CODE
cu -H "If-None-Match: $CE" -F "bpf=@$T2" "$U/api/v1/customize?$Q"
c3=$CODE
if [ -n "$CE" ] && [ "$c1" = 412 ] && [ "$c2" = 200 ] && [ "$c3" = 200 ]; then
	pass "customize/etag (412 on If-None-Match: $CE; 200 for another ETag or object)"
else
	fail customize/etag "ETag '$CE': same $c1, other tag $c2, other object $c3 (want 412 200 200)"
fi

# batch: no kernel_version: the d/v/a/k.btf tree of every selected kernel
if [ -n "$PROGS" ]; then
	BO=$PROGS/prog_fields.bpfel.o
	cu -F "bpf=@$BO" "$U/api/v1/customize?distribution=debian&arch=x86_64"
	grep '^debian/[^/]*/x86_64/' "$TMP/hub.list" >"$TMP/batch.want"
	WHY=
	if [ "$CODE" != 200 ] || ! xz -dc "$TMP/body" >"$TMP/batch.tar" 2>/dev/null; then
		WHY="$CODE $(line1 "$TMP/body")"
	else
		mkdir -p "$TMP/bx"
		tar -xf "$TMP/batch.tar" -C "$TMP/bx" 2>"$TMP/tar.err" || WHY="tar -x: $(line1 "$TMP/tar.err")"
		tar -tvf "$TMP/batch.tar" >"$TMP/batch.tv"
		: >"$TMP/bsums"
		while read -r K; do
			ref "$TMP/bref" "$BO"
			if ! cmp -s "$TMP/bref" "$TMP/bx/$K.btf"; then
				WHY="$WHY $K.btf differs or is missing;"
			fi
			sha256sum <"$TMP/bref" | cut -d ' ' -f 1 >>"$TMP/bsums"
		done <"$TMP/batch.want"
		nfile=$(grep -c -v '^d' "$TMP/batch.tv")
		nhl=$(grep -c '^h' "$TMP/batch.tv")
		ndist=$(sort -u "$TMP/bsums" | wc -l)
		[ "$nfile" -ne "$(nlines "$TMP/batch.want")" ] && WHY="$WHY $nfile entries, want $(nlines "$TMP/batch.want");"
		[ "$nhl" -ne $((nfile - ndist)) ] && WHY="$WHY $nhl hard links, want $((nfile - ndist)) ($ndist distinct outputs);"
	fi
	[ -z "$WHY" ] && pass "customize/batch (distribution=debian&arch=x86_64: $(nlines "$TMP/batch.want") kernels, $nhl hard links for identical outputs)" ||
		fail customize/batch "$WHY"
	py customize "$U" "" "" "" - "$TMP/pybatch" "$BO"
	if [ $PRC -eq 0 ] && [ "$(xz -dc "$TMP/pybatch" | tar -tf - | grep -c '\.btf$')" -eq "$NH" ]; then
		pass "customize/batch-all (python, no parameter: all $NH kernels)"
	else
		fail customize/batch-all "exit $PRC $(line1 "$TMP/py.err"): $(xz -dc "$TMP/pybatch" 2>/dev/null | tar -tf - 2>/dev/null | grep -c '\.btf$') .btf entries"
	fi
	cu -F "bpf=@$BO" "$U/api/v1/customize?distribution=nosuchdistro"
	[ "$CODE" = 404 ] && pass "customize/batch-none (404)" || fail customize/batch-none "$CODE $(line1 "$TMP/body")"
else
	skip customize/batch "needs tests/progs (clang-19)"
fi

alive main "$MAIN_PID"
# ---------------------------------------------------------------------------
# error statuses, curl and python
# ---------------------------------------------------------------------------
K=$(grep -m 1 '^debian/12/x86_64/' "$TMP/hub.list")
split "$K"
Q=$(kq "$K")
printf 'this is not an ELF file\n' >"$TMP/notelf"
# st NAME WANT CURL-ARGS...: status and a one-line text body
st() {
	sn=$1 sw=$2
	shift 2
	cu "$@"
	if [ "$CODE" != "$sw" ]; then
		fail "status/$sn" "$CODE, want $sw: $(line1 "$TMP/body")"
		return 1
	fi
	if [ -s "$TMP/body" ]; then
		if [ "$(nlines "$TMP/body")" -gt 1 ] || ! hdr Content-Type | grep -q '^text/plain'; then
			fail "status/$sn" "$CODE but the body is not one line of text/plain: $(hdr Content-Type) $(head -c 200 "$TMP/body" | tr '\n' '|')"
			return 1
		fi
	fi
	pass "status/$sn ($CODE: $(line1 "$TMP/body"))"
}
st missing-param 400 "$U/api/v1/download?distribution=$KD&distribution_version=$KV&arch=$KA"
st empty-param 400 "$U/api/v1/download?distribution=&distribution_version=$KV&arch=$KA&kernel_version=$KK"
st customize-missing 400 -F "bpf=@$T1" "$U/api/v1/customize?distribution=$KD&distribution_version=$KV&kernel_version=$KK"
st no-bpf-part 400 -F "other=@$T1" "$U/api/v1/customize?$Q"
printf -- '--AAA\r\nContent-Disposition: form-data; name="bpf"; filename="x"\r\n\r\nabc\r\n--AAA--\r\n' >"$TMP/mp"
st bad-boundary 400 -H 'Content-Type: multipart/form-data; boundary=BBB' --data-binary "@$TMP/mp" "$U/api/v1/customize?$Q"
st no-boundary 400 -H 'Content-Type: multipart/form-data' --data-binary "@$TMP/mp" "$U/api/v1/customize?$Q"
st unknown-kernel 404 "$U/api/v1/download?distribution=$KD&distribution_version=$KV&arch=$KA&kernel_version=9.9.9"
st unknown-kernel-post 404 -F "bpf=@$T1" "$U/api/v1/customize?distribution=$KD&distribution_version=$KV&arch=$KA&kernel_version=9.9.9"
st unknown-arch 404 "$U/api/v1/download?distribution=$KD&distribution_version=$KV&arch=riscv64&kernel_version=$KK"
st unknown-route 404 "$U/api/v2/list"
st root 404 "$U/"
st not-multipart 415 -H 'Content-Type: application/octet-stream' --data-binary "@$T1" "$U/api/v1/customize?$Q"
st not-bpf 422 -F "bpf=@$TMP/notelf" "$U/api/v1/customize?$Q"
st not-bpf-elf 422 -F "bpf=@/bin/true" "$U/api/v1/customize?$Q"
if st list-post 405 -X POST -H 'Content-Length: 0' "$U/api/v1/list"; then
	al=$(hdr Allow)
	echo "$al" | grep -q GET && ! echo "$al" | grep -q POST && pass "status/405-allow-get (Allow: $al)" || fail status/405-allow-get "Allow: '$al'"
fi
if st customize-get 405 "$U/api/v1/customize?$Q"; then
	al=$(hdr Allow)
	[ "$al" = POST ] && pass "status/405-allow-post (Allow: $al)" || fail status/405-allow-post "Allow: '$al'"
fi
st download-delete 405 -X DELETE "$U/api/v1/download?$Q"
# 411: a POST without Content-Length or chunked
printf 'POST /api/v1/customize?%s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=AAA\r\n\r\n' "$Q" >"$TMP/r411"
py send "$U" "$TMP/r411"
if head -n 1 "$TMP/py.out" | grep -q '^HTTP/1.1 411 '; then
	pass "status/411 (POST without a length)"
else
	fail status/411 "$(line1 "$TMP/py.out") $(cat "$TMP/py.err")"
fi
# the same statuses with the python client
nbad=0
py download "$U" "$KD" "$KV" "$KA" 9.9.9 "$TMP/x" --expect 404 || true
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-404 "$(line1 "$TMP/py.out")"; }
py download "$U" "$KD" "$KV" "$KA" "" "$TMP/x" --expect 400
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-400 "$(line1 "$TMP/py.out")"; }
py customize "$U" "$KD" "$KV" "$KA" "$KK" "$TMP/x" "$TMP/notelf" --expect 422
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-422 "$(line1 "$TMP/py.out")"; }
py raw "$U" POST /api/v1/list --expect 405
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-405 "$(line1 "$TMP/py.out")"; }
py raw "$U" POST "/api/v1/customize?$Q" --header 'Content-Type: text/plain' --body "$TMP/notelf" --expect 415
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-415 "$(line1 "$TMP/py.out")"; }
py raw "$U" GET /nothing/here --expect 404
[ $PRC -eq 0 ] || { nbad=$((nbad + 1)); fail status/python-route-404 "$(line1 "$TMP/py.out")"; }
[ $nbad -eq 0 ] && pass "status/python (400 404 405 415 422 with the SDK-like client)"

# ---------------------------------------------------------------------------
# path tricks in every parameter: 400 or 404, never the secret
# ---------------------------------------------------------------------------
A=$TMP/arch
mkdir -p "$A/debian/12/x86_64" "$A/android/13/arm64"
KC=$(grep -m 1 '^debian/12/x86_64/.*cloud' "$TMP/hub.list" || grep -m 1 '^debian/12/x86_64/' "$TMP/hub.list")
cp "$HUB/$KC.btf.tar.xz" "$A/$KC.btf.tar.xz"
KBIG=$(grep -m 1 '^android/13/' "$TMP/hub.list")
cp "$HUB/$KBIG.btf.tar.xz" "$A/$KBIG.btf.tar.xz"
SECRET=SECRET-$$-MARKER
printf '%s\n' "$SECRET" >"$TMP/secret"
printf '%s\n' "$SECRET" >"$TMP/secret.btf.tar.xz"
ln -s "$KC" "$A/debian/12/x86_64/inside-link" 2>/dev/null
mkfifo "$A/debian/12/x86_64/fifo.btf.tar.xz" 2>/dev/null
head -c 3000 /dev/urandom >"$A/debian/12/x86_64/corrupt.btf.tar.xz"
HAVE_DUP=
if [ -n "$PROGS" ] && command -v llvm-objcopy-19 >/dev/null 2>&1 &&
	llvm-objcopy-19 --dump-section .BTF="$TMP/kern_dup.btf" "$PROGS/kern_dup.o" "$TMP/kd.o" 2>/dev/null; then
	mkdir -p "$A/syn/1/x86_64"
	(cd "$TMP" && tar --owner=0 --group=0 -cJf "$A/syn/1/x86_64/kern_dup.btf.tar.xz" kern_dup.btf)
	HAVE_DUP=1
fi
SRV_WRAP=
STRACE=
if command -v strace >/dev/null 2>&1 && strace -f -qq -e trace=none true 2>/dev/null; then
	STRACE=1
	SRV_WRAP="strace -f -qq -e trace=open,openat,openat2,creat,execve,truncate,rename,unlink,unlinkat,mkdir -o $TMP/strace.out"
fi
if ! srv arch -j 2 "$A"; then
	fail start/arch "no ready line: $(line1 "$TMP/srv.arch.err")"
	finish
fi
SRV_WRAP=
ARCH_W=$WPID ARCH_PID=$SPID U2=$URL
mark=$(wc -l <"$TMP/strace.out" 2>/dev/null || echo 0)
split "$KC"
long=$(head -c 4096 /dev/zero | tr '\0' 'a')
: >"$TMP/trick.bad"
ntr=0
for p in distribution distribution_version arch kernel_version; do
	for v in .. ../.. %2e%2e %2E%2E%2f%2E%2E ../../secret ..%2f..%2fsecret %2e%2e%2f%2e%2e%2f%2e%2e%2fsecret \
		/ %2f /etc/passwd %2fetc%2fpasswd %00 "x%00y" "$KK%00" %2e "%2e%2e%5csecret" '..\secret' \
		"$long" "$KK/../$KK" "./$KK" "inside-link" "fifo" "corrupt/../fifo" "%25%32%65%25%32%65" "~root" "*" "?" \
		"%c0%ae%c0%ae" "$KD/$KV/$KA/$KK" "+" "%20" "link%2f..%2f..%2fsecret"; do
		q="distribution=$KD&distribution_version=$KV&arch=$KA&kernel_version=$(printf %s "$KK" | sed 's/+/%2B/g')"
		q=$(echo "$q" | sed "s|$p=[^&]*|$p=$(printf %s "$v" | sed 's/[|&\\]/\\&/g')|")
		for m in download customize; do
			ntr=$((ntr + 1))
			if [ $m = download ]; then
				CODE=$(curl -s -g --max-time 10 -o "$TMP/tb" -w '%{http_code}' "$U2/api/v1/download?$q")
			else
				CODE=$(curl -s -g --max-time 10 -o "$TMP/tb" -w '%{http_code}' -F "bpf=@$T1" "$U2/api/v1/customize?$q")
			fi
			case $v in
			inside-link) ok="200 400 404" ;;	# a symlink inside the archive may be served
			*) ok="400 404" ;;
			esac
			case " $ok " in
			*" $CODE "*) ;;
			*) echo "$m $p=$(printf %s "$v" | cut -c 1-40): $CODE" >>"$TMP/trick.bad" ;;
			esac
			if grep -q -a "$SECRET" "$TMP/tb"; then
				echo "$m $p=$v: the answer holds the secret" >>"$TMP/trick.bad"
			fi
		done
	done
done
# the python client (its own encoding of the values)
for v in .. ../../secret / /etc/passwd "$long" "x$(printf '\001')y"; do
	ntr=$((ntr + 1))
	py download "$U2" "$v" "$KV" "$KA" "$KK" "$TMP/tb" --expect 404
	case $(cut -c 1-3 "$TMP/py.out") in 400 | 404) ;; *) echo "python download distribution=$v: $(line1 "$TMP/py.out")" >>"$TMP/trick.bad" ;; esac
	py download "$U2" "$KD" "$KV" "$KA" "$v" "$TMP/tb" --expect 404
	case $(cut -c 1-3 "$TMP/py.out") in 400 | 404) ;; *) echo "python download kernel_version=$v: $(line1 "$TMP/py.out")" >>"$TMP/trick.bad" ;; esac
done
if [ ! -s "$TMP/trick.bad" ]; then
	pass "paths/tricks ($ntr requests: .., %2e%2e, /, %2f, NUL, %00, 4 KiB names, ... in each of the 4 parameters of download and customize: 400 or 404, never the secret)"
else
	fail paths/tricks "$(nlines "$TMP/trick.bad") wrong: $(head -n 5 "$TMP/trick.bad" | tr '\n' '|')"
fi
if [ -n "$STRACE" ]; then
	tail -n "+$((mark + 1))" "$TMP/strace.out" | grep -E 'open|creat|exec|unlink|rename|mkdir|truncate' |
		grep -v -E 'ENOENT|resumed' | sed -n 's/^[0-9]* *[a-z0-9]*(\(AT_FDCWD, \)\{0,1\}"\([^"]*\)".*/\2/p' |
		sort -u >"$TMP/opened"
	grep -v -E "^$A/|^/proc/|^/sys/|^/dev/|^/etc/localtime|^/usr/share/zoneinfo" "$TMP/opened" >"$TMP/opened.out"
	if grep -q -e secret -e passwd "$TMP/opened" || [ -s "$TMP/opened.out" ]; then
		fail paths/strace "files opened outside the archive: $(tr '\n' ' ' <"$TMP/opened.out" | cut -c 1-300)"
	else
		pass "paths/strace (strace -f: during the $ntr trick requests, opened only $(nlines "$TMP/opened") paths, all under the archive)"
	fi
else
	skip paths/strace "strace not available"
fi
cu "$U2/api/v1/list"
if grep -q -e fifo -e secret "$TMP/body"; then
	fail paths/list "the index holds a FIFO or a file outside the archive: $(head -c 300 "$TMP/body")"
else
	pass "paths/list (no FIFO, nothing from outside the archive in the index)"
fi
# a corrupt kernel file: customize is an error, not a crash
cu -F "bpf=@$T1" "$U2/api/v1/customize?distribution=debian&distribution_version=12&arch=x86_64&kernel_version=corrupt"
case $CODE in 4?? | 5??) pass "paths/corrupt-kernel ($CODE: $(line1 "$TMP/body"))" ;; *) fail paths/corrupt-kernel "$CODE" ;; esac
# 422 naming the relocation: a CO-RE ambiguity (tests/progs kern_dup + prog_dup_offset)
if [ -n "$HAVE_DUP" ]; then
	"$BTFGEN" min_core_btf "$TMP/kern_dup.btf" "$TMP/x.btf" "$PROGS/prog_dup_offset.bpfel.o" 2>"$TMP/cli.err"
	cu -F "bpf=@$PROGS/prog_dup_offset.bpfel.o" "$U2/api/v1/customize?distribution=syn&distribution_version=1&arch=x86_64&kernel_version=kern_dup"
	if [ "$CODE" = 422 ] && [ "$(nlines "$TMP/body")" -le 1 ] && grep -q "relo #0" "$TMP/body" && grep -q "t___l" "$TMP/body"; then
		pass "status/422-core (a CO-RE ambiguity names the relocation: $(line1 "$TMP/body" | cut -c 1-120))"
	else
		fail status/422-core "$CODE '$(line1 "$TMP/body")'; the command line says '$(line1 "$TMP/cli.err")'"
	fi
	ref_ok=$("$BTFGEN" min_core_btf "$TMP/kern_dup.btf" "$TMP/dupok.btf" "$PROGS/prog_dup_ok.bpfel.o" 2>/dev/null && echo 1)
	cu -F "bpf=@$PROGS/prog_dup_ok.bpfel.o" "$U2/api/v1/customize?distribution=syn&distribution_version=1&arch=x86_64&kernel_version=kern_dup&format=raw"
	[ -n "$ref_ok" ] && [ "$CODE" = 200 ] && cmp -s "$TMP/body" "$TMP/dupok.btf" && pass "customize/duplicates (kern_dup + prog_dup_ok = min_core_btf)" ||
		fail customize/duplicates "$CODE $(line1 "$TMP/body")"
else
	skip status/422-core "needs tests/progs and llvm-objcopy-19"
fi

# SIGHUP: a request in flight finishes; then the new kernel is listed
KN=$(grep -m 1 '^debian/12/arm64/' "$TMP/hub.list")
ref "$TMP/hup.ref" "$T2"
K=$KBIG
ref "$TMP/big.ref" "$T1"
split "$KBIG"
curl -s --max-time "$TO" -o "$TMP/hup.body" -w '%{http_code}' -F "bpf=@$T1" "$U2/api/v1/customize?$(kq "$KBIG")&format=raw" >"$TMP/hup.code" &
CPID=$!
sleep 0.05
mkdir -p "$A/debian/12/arm64"
cp "$HUB/$KN.btf.tar.xz" "$A/$KN.btf.tar.xz"
kill -HUP "$ARCH_PID"
wait $CPID
i=0
while [ $i -lt 100 ]; do
	curl -s --max-time 5 "$U2/api/v1/list" | grep -q "\"kernel_version\":\"${KN##*/}\"" && break
	sleep 0.1
	i=$((i + 1))
done
K=$KN
split "$KN"
cu -F "bpf=@$T2" "$U2/api/v1/customize?$(kq "$KN")&format=raw"
if [ "$(cat "$TMP/hup.code")" = 200 ] && cmp -s "$TMP/hup.body" "$TMP/big.ref" && [ $i -lt 100 ] && [ "$CODE" = 200 ] && cmp -s "$TMP/body" "$TMP/hup.ref"; then
	pass "rescan/sighup (the request in flight answered 200 and right; $KN listed and served after $((i * 100)) ms)"
else
	fail rescan/sighup "in flight: $(cat "$TMP/hup.code"); new kernel listed: $([ $i -lt 100 ] && echo yes || echo no); served: $CODE $(line1 "$TMP/body")"
fi
# a kernel removed after the scan: an error, not a crash; gone after SIGHUP
rm -f "$A/$KN.btf.tar.xz"
cu "$U2/api/v1/download?$(kq "$KN")"
c1=$CODE
cu -F "bpf=@$T3" "$U2/api/v1/customize?$(kq "$KN")"
c2=$CODE
kill -HUP "$ARCH_PID"
sleep 0.3
cu "$U2/api/v1/download?$(kq "$KN")"
case "$c1 $c2 $CODE" in
[245]??\ [245]??\ 404) pass "rescan/removed (download $c1, customize $c2 before the rescan; 404 after)" ;;
*) fail rescan/removed "download $c1, customize $c2 before the rescan, $CODE after (want 404 after, no crash)" ;;
esac
stop_check arch "$ARCH_W" "$ARCH_PID"

# ---------------------------------------------------------------------------
# S3: small limits: 413, 431, 408, canned 503, batch-max, --rescan, --quiet
# ---------------------------------------------------------------------------
A3=$TMP/arch3
mkdir -p "$A3/debian/12/x86_64"
cp "$HUB/$KC.btf.tar.xz" "$A3/$KC.btf.tar.xz"
if srv lim -j 1 --quiet --max-upload 64K --max-head 2K --header-timeout 1 --body-timeout 1 \
	--max-connections 4 --batch-max 1 --rescan 1 "$A3"; then
	LIM_PID=$SPID U3=$URL
	split "$KC"
	Q=$(kq "$KC")
	head -c 100000 /dev/zero >"$TMP/big"
	st upload-413 413 -F "bpf=@$TMP/big" "$U3/api/v1/customize?$Q"
	curl -s -v --max-time 10 -o "$TMP/body" -H 'Expect: 100-continue' -F "bpf=@$TMP/big" "$U3/api/v1/customize?$Q" 2>"$TMP/curlv"
	if grep -q '^< HTTP/1.1 413' "$TMP/curlv" && ! grep -q '^< HTTP/1.1 100' "$TMP/curlv"; then
		pass "status/413-expect (413 without 100 Continue: the body is never read)"
	else
		fail status/413-expect "$(grep '^< HTTP' "$TMP/curlv" | tr '\n' '|')"
	fi
	st upload-413-chunked 413 -H 'Transfer-Encoding: chunked' -F "bpf=@$TMP/big" "$U3/api/v1/customize?$Q"
	st head-431 431 -H "X-Long: $(head -c 3000 /dev/zero | tr '\0' 'x')" "$U3/monitoring/health"
	st target-431 431 "$U3/api/v1/download?distribution=$(head -c 3000 /dev/zero | tr '\0' 'x')"
	# header timeout and body timeout: 408 (--header-timeout 1, --body-timeout 1)
	printf 'GET /monitoring/health HTTP/1.1\r\nHost: x\r\n' >"$TMP/r408a"
	t0=$(now_ms)
	py send "$U3" "$TMP/r408a" --keep-open --timeout 8
	dt=$(($(now_ms) - t0))
	head -n 1 "$TMP/py.out" | grep -q '^HTTP/1.1 408 ' && [ $dt -lt 5000 ] && pass "status/408-head (after $dt ms, --header-timeout 1)" ||
		fail status/408-head "$(line1 "$TMP/py.out") $(cat "$TMP/py.err") after $dt ms"
	printf 'POST /api/v1/customize?%s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=AAA\r\nContent-Length: 500\r\n\r\n--AAA\r\n' "$Q" >"$TMP/r408b"
	t0=$(now_ms)
	py send "$U3" "$TMP/r408b" --keep-open --timeout 8
	dt=$(($(now_ms) - t0))
	head -n 1 "$TMP/py.out" | grep -q '^HTTP/1.1 408 ' && [ $dt -lt 5000 ] && pass "status/408-body (after $dt ms, --body-timeout 1)" ||
		fail status/408-body "$(line1 "$TMP/py.out") $(cat "$TMP/py.err") after $dt ms"
	# batch over --batch-max: 400
	SO=${EL:-$TMP/notelf}
	cu -F "bpf=@$SO" "$U3/api/v1/customize?distribution=debian"
	c1=$CODE
	cp "$HUB/$KN.btf.tar.xz" "$A3/debian/12/x86_64/second.btf.tar.xz"
	# --rescan 1 picks it up without a signal
	i=0
	while [ $i -lt 50 ]; do
		curl -s --max-time 5 "$U3/api/v1/list" | grep -q '"kernel_version":"second"' && break
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 50 ] && pass "rescan/periodic (--rescan 1: a new kernel listed after $((i * 100)) ms)" || fail rescan/periodic "not listed after 5 s"
	cu -F "bpf=@$SO" "$U3/api/v1/customize?distribution=debian"
	[ -z "$EL" ] && c1=200	# (without tests/progs: a 422 for the one kernel)
	[ "$c1" = 200 ] && [ "$CODE" = 400 ] && pass "status/batch-max (1 kernel: 200; 2 kernels over --batch-max 1: 400 $(line1 "$TMP/body"))" ||
		fail status/batch-max "1 kernel: $c1, 2 kernels: $CODE (want 200 400)"
	# over --max-connections: the canned 503 with Retry-After
	python3 - "$PORT" >"$TMP/canned" 2>&1 <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(4):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(b"GE")
    held.append(s)
time.sleep(0.1)
s = socket.create_connection(("127.0.0.1", port), timeout=3)
s.sendall(b"GET /monitoring/health HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
except OSError:
    pass
print(data.decode("latin-1").replace("\r", ""))
EOF
	if grep -q '^HTTP/1.1 503 ' "$TMP/canned" && grep -q '^Retry-After: ' "$TMP/canned"; then
		pass "status/503-connections (over --max-connections 4: canned 503 with Retry-After)"
	else
		fail status/503-connections "$(head -c 200 "$TMP/canned" | tr '\n' '|')"
	fi
	sleep 1.2
	cu "$U3/monitoring/health"
	[ "$CODE" = 200 ] && pass "status/after-503 (served again once the held connections timed out)" || fail status/after-503 "$CODE"
	if grep -q -E '^btfgen: 20[0-9-]+T' "$TMP/srv.lim.err"; then
		fail log/quiet "--quiet, but access log lines: $(grep -m 1 '^btfgen: 20' "$TMP/srv.lim.err")"
	else
		pass "log/quiet (no access log line with --quiet)"
	fi
	stop_check lim "$WPID" "$LIM_PID"
else
	fail start/lim "no ready line: $(line1 "$TMP/srv.lim.err")"
fi

# ---------------------------------------------------------------------------
# S4: -j 1 --queue 0: concurrent cold requests, 503 + Retry-After
# ---------------------------------------------------------------------------
if srv queue -j 1 --queue 0 "$HUB"; then
	QW=$WPID QP=$SPID U4=$URL
	n=0
	: >"$TMP/q.pids"
	for K in $(head -n 6 "$TMP/ck.list") $(head -n 6 "$TMP/hub.list"); do
		n=$((n + 1))
		[ $n -gt 6 ] && break
		(curl -s --max-time "$TO" -o "$TMP/q.$n.body" -D "$TMP/q.$n.hdr" -w '%{http_code}' -F "bpf=@$T1" \
			"$U4/api/v1/customize?$(kq "$K")&format=raw" >"$TMP/q.$n.code"; echo "$K" >"$TMP/q.$n.k") &
		echo $! >>"$TMP/q.pids"
	done
	while read -r p; do wait "$p"; done <"$TMP/q.pids"
	n200=0 n503=0 nbad=0 why=
	for j in 1 2 3 4 5 6; do
		c=$(cat "$TMP/q.$j.code")
		K=$(cat "$TMP/q.$j.k")
		case $c in
		200)
			ref "$TMP/q.ref" "$T1"
			if cmp -s "$TMP/q.$j.body" "$TMP/q.ref"; then n200=$((n200 + 1)); else nbad=$((nbad + 1)); why="$why $K: wrong bytes;"; fi
			;;
		503)
			if tr -d '\r' <"$TMP/q.$j.hdr" | grep -q -i '^Retry-After: [0-9]'; then n503=$((n503 + 1)); else nbad=$((nbad + 1)); why="$why 503 without Retry-After;"; fi
			;;
		*) nbad=$((nbad + 1)) why="$why $K: $c $(line1 "$TMP/q.$j.body");" ;;
		esac
	done
	cu "$U4/monitoring/metrics"
	rej=$(sed -n 's/^btfgen_rejected_total\({[^}]*}\)\{0,1\} \([0-9]*\).*/\2/p' "$TMP/body" | awk '{ s += $1 } END { print s + 0 }')
	if [ $nbad -eq 0 ] && [ $n503 -ge 1 ] && [ $n200 -ge 1 ] && [ "$rej" -ge "$n503" ]; then
		pass "status/503-queue (-j 1 --queue 0, 6 concurrent cold requests: $n200 x 200 (right bytes), $n503 x 503 with Retry-After; btfgen_rejected_total $rej)"
	else
		fail status/503-queue "$n200 x 200, $n503 x 503, $nbad wrong:$why; btfgen_rejected_total $rej"
	fi
	stop_check queue "$QW" "$QP"
else
	fail start/queue "no ready line: $(line1 "$TMP/srv.queue.err")"
fi

# ---------------------------------------------------------------------------
# S5: SIGTERM with a request in flight and an idle connection: exit 0
# ---------------------------------------------------------------------------
if srv term -j 2 --grace 5 "$HUB"; then
	TW=$WPID TP=$SPID U5=$URL
	K=$KBIG
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /monitoring/health HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(30)' "$PORT" >/dev/null 2>&1 &
IDLE=$!
echo $IDLE >>"$TMP/pids"
curl -s --max-time "$TO" -o "$TMP/term.body" -w '%{http_code}' -F "bpf=@$T1" "$U5/api/v1/customize?$(kq "$KBIG")&format=raw" >"$TMP/term.code" &
CPID=$!
sleep 0.1
srv_stop term "$TW" "$TP" 5
wait $CPID
kill "$IDLE" 2>/dev/null
if [ $SRV_RC -eq 0 ] && [ "$(cat "$TMP/term.code")" = 200 ] && cmp -s "$TMP/term.body" "$TMP/big.ref" && [ $SRV_MS -lt 7000 ]; then
	pass "sigterm/in-flight (the request in flight answered 200 and right; exit 0 in $SRV_MS ms with an idle kept-alive connection)"
else
	fail sigterm/in-flight "exit $SRV_RC in $SRV_MS ms; the request in flight: $(cat "$TMP/term.code")"
fi
fi

# ---------------------------------------------------------------------------
# readiness before indexing: 503 (the walk slowed down with strace)
# ---------------------------------------------------------------------------
if [ -n "$STRACE" ] && strace -qq -e inject=getdents64:delay_enter=1 true 2>/dev/null; then
	FP=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	SRV_WRAP="strace -f -qq -e trace=getdents64 -e inject=getdents64:delay_enter=100000 -o /dev/null"
	SRV_LISTEN=127.0.0.1:$FP
	# shellcheck disable=SC2086
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" $SRV_WRAP "$BTFGEN" serve --listen "$SRV_LISTEN" "$HUB" </dev/null >"$TMP/srv.ready.out" 2>"$TMP/srv.ready.err" &
	RW=$!
	echo $RW >>"$TMP/pids"
	SRV_WRAP='' SRV_LISTEN=''
	c=
	i=0
	while [ $i -lt 100 ]; do
		c=$(curl -s --max-time 2 -o "$TMP/body" -D "$TMP/hdr.raw" -w '%{http_code}' "http://127.0.0.1:$FP/monitoring/ready")
		[ "$c" != 000 ] && break
		sleep 0.02
		i=$((i + 1))
	done
	tr -d '\r' <"$TMP/hdr.raw" >"$TMP/hdr"
	c0=$c
	ra=$(hdr Retry-After)
	c1=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FP/api/v1/list")
	i=0
	while [ $i -lt 600 ] && ! grep -q '^btfgen: serving' "$TMP/srv.ready.err"; do sleep 0.05; i=$((i + 1)); done
	c2=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FP/monitoring/ready")
	if [ "$c0" = 503 ] && [ -n "$ra" ] && [ "$c1" = 503 ] && [ "$c2" = 200 ]; then
		pass "ready/indexing (503 + Retry-After from ready and list while the walk runs, 200 after)"
	elif [ "$c0" = 200 ]; then
		skip ready/indexing "the walk finished before the first request"
	else
		fail ready/indexing "ready $c0 (Retry-After '$ra'), list $c1 while indexing; ready $c2 after"
	fi
	c=$(ps -o pid= --ppid "$RW" | head -n 1 | tr -d ' ')
	[ -n "$c" ] && kill -TERM "$c" 2>/dev/null
	wait "$RW" 2>/dev/null
else
	skip ready/indexing "strace with inject not available"
fi

# ---------------------------------------------------------------------------
# back on S1: metrics, access log, load, RSS
# ---------------------------------------------------------------------------
U=$MAIN_URL
cu "$U/monitoring/metrics"
python3 - "$TMP/body" "$(hdr Content-Type)" >"$TMP/met.out" 2>&1 <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
bad = []
if sys.argv[2] != "text/plain; version=0.0.4; charset=utf-8":
    bad.append("Content-Type %r" % sys.argv[2])
routes = {"/api/v1/list", "/api/v1/download", "/api/v1/customize", "/monitoring/health",
          "/monitoring/ready", "/monitoring/metrics", "other"}
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$')
lab_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
names, handlers, types, plain = set(), set(), {}, {}
for l in text.splitlines():
    if not l:
        continue
    if l.startswith("# TYPE "):
        _, _, n, t = l.split(" ", 3)
        types[n] = t
        continue
    if l.startswith("#"):
        continue
    m = line_re.match(l)
    if not m:
        bad.append("bad line %r" % l[:100])
        continue
    names.add(m.group(1))
    try:
        float(m.group(4))
    except ValueError:
        bad.append("bad value %r" % l[:100])
    if not m.group(2):
        plain[m.group(1)] = m.group(4)
    labels = dict(lab_re.findall(m.group(3) or ""))
    if "handler" in labels:
        handlers.add(labels["handler"])
    if "code" in labels and not re.match(r"^[1-5][0-9][0-9]$", labels["code"]):
        bad.append("code label %r" % labels["code"])
for n, t in (("http_request_duration_seconds", "histogram"), ("http_response_size_bytes", "histogram"),
             ("http_requests_inflight", "gauge")):
    if types.get(n) != t:
        bad.append("%s: TYPE %r, want %s" % (n, types.get(n), t))
for n in ("http_request_duration_seconds_bucket", "http_request_duration_seconds_sum",
          "http_request_duration_seconds_count", "http_response_size_bytes_bucket", "http_requests_inflight"):
    if n not in names:
        bad.append("no " + n)
if not re.search(r'^http_request_duration_seconds_bucket\{[^}]*handler="/api/v1/customize"[^}]*method="POST"[^}]*code="200"', text, re.M) and \
   not re.search(r'^http_request_duration_seconds_bucket\{(?=[^}]*handler="/api/v1/customize")(?=[^}]*method="POST")(?=[^}]*code="200")', text, re.M):
    bad.append("no customize POST 200 series")
if not re.search(r'le="\+Inf"', text):
    bad.append("no +Inf bucket")
bt = sorted(n for n in names if n.startswith("btfgen_"))
if not any("hit" in n for n in bt) or not any("miss" in n for n in bt):
    bad.append("no btfgen cache hit/miss counters: %s" % bt)
if "btfgen_rejected_total" not in names:
    bad.append("no btfgen_rejected_total")
if not any("queue" in n for n in bt):
    bad.append("no queue depth metric: %s" % bt)
# kernels were loaded on this server: the time it took is counted, in seconds
load = plain.get("btfgen_kernel_load_seconds_total")
if types.get("btfgen_kernel_load_seconds_total") != "counter" or load is None or \
   not re.match(r"^[0-9]+(\.[0-9]+)?$", load) or not 0 < float(load) < 3600 or \
   int(plain.get("btfgen_kernel_cache_misses_total", "0")) < 1:
    bad.append("btfgen_kernel_load_seconds_total %r (%s) with %r misses" %
               (load, types.get("btfgen_kernel_load_seconds_total"),
                plain.get("btfgen_kernel_cache_misses_total")))
extra = handlers - routes
if extra:
    bad.append("handler labels beyond the routes: %s" % sorted(extra)[:5])
for b in bad:
    print(b)
print("handlers: %s; btfgen metrics: %s" % (" ".join(sorted(handlers)), " ".join(bt)))
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then
	pass "metrics (Prometheus text, histograms and gauge, handler label = routes only; $(tail -n 1 "$TMP/met.out" | cut -c 1-250))"
else
	fail metrics "$(head -n 4 "$TMP/met.out" | tr '\n' '|' | cut -c 1-400)"
fi
# the access log: one line per request, route labels only
LOGRE='^btfgen: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z 127\.0\.0\.1:[0-9]+ [A-Z]+ (/api/v1/list|/api/v1/download|/api/v1/customize|/monitoring/health|/monitoring/ready|/monitoring/metrics|other) [1-5][0-9][0-9] [0-9]+ [0-9]+(\.[0-9]+)?ms$'
grep '^btfgen: 20' "$TMP/srv.main.err" >"$TMP/log"
grep -v -E "$LOGRE" "$TMP/log" >"$TMP/log.bad"
nl=$(nlines "$TMP/log")
if [ ! -s "$TMP/log.bad" ] && [ "$nl" -ge 50 ] && grep -q ' POST /api/v1/customize 200 ' "$TMP/log" &&
	grep -q ' GET other 404 ' "$TMP/log" && grep -q ' HEAD /api/v1/download 200 0 ' "$TMP/log" && ! grep -q -e v2 -e nothing "$TMP/log"; then
	pass "log/lines ($nl lines: time, client, method, route label (never the raw path), status, bytes, ms)"
else
	fail log/lines "$nl lines, $(nlines "$TMP/log.bad") not matching: $(head -n 2 "$TMP/log.bad" | tr '\n' '|')"
fi
if grep -v -E '^btfgen: (20|serving)' "$TMP/srv.main.err" | grep -q .; then
	note "note: other server stderr lines: $(grep -v -E '^btfgen: (20|serving)' "$TMP/srv.main.err" | head -n 3 | tr '\n' '|' | cut -c 1-300)"
fi

# load: 32 connections, 600 customize requests (QUICK: 100) over kernels x objects
LK=$(awk 'NR == 1 || NR == 6 || NR == 9 || NR == 12' "$TMP/hub.list" | tr '\n' ',' | sed 's/,$//')
LO="$T1,$T2,$T3"
[ -n "$EB" ] && LO="$LO,$EB"
printf '{' >"$TMP/load.json"
sep=
for K in $(echo "$LK" | tr ',' ' '); do
	for o in $(echo "$LO" | tr ',' ' '); do
		ref "$TMP/load.ref" "$o" || fail "load/ref" "$K $o: $(line1 "$TMP/ref.err")"
		printf '%s"%s|%s": "%s"' "$sep" "$K" "$o" "$(sha256sum <"$TMP/load.ref" | cut -d ' ' -f 1)" >>"$TMP/load.json"
		sep=,
	done
done
printf '}\n' >>"$TMP/load.json"
NREQ=600
[ -n "$QUICK" ] && NREQ=100
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
RSS0=$(rss "$MAIN_PID")
py load "$U" --conns 32 --requests "$NREQ" --kernels "$LK" --objects "$LO" --expect-map "$TMP/load.json"
RSS1=$(rss "$MAIN_PID")
LOADLINE=$(grep '^load:' "$TMP/py.out")
if [ $PRC -eq 0 ]; then
	pass "load ($LOADLINE)"
else
	fail load "exit $PRC: $LOADLINE $(head -n 3 "$TMP/py.err" | tr '\n' '|')"
fi
note "load: $LOADLINE"
note "load: server VmRSS $RSS0 kB before, $RSS1 kB after (cache limits 256 MiB parsed kernels + 64 MiB answers)"
if [ -n "$RSS1" ]; then
	lim=$(((256 + 64 + 128) * 1024))
	if [ -n "$SAN" ]; then
		skip load/rss "ASan build: RSS $RSS1 kB not bounded"
	elif [ "$RSS1" -le "$lim" ]; then
		pass "load/rss (VmRSS $RSS0 -> $RSS1 kB, under the cache limits 320 MiB + 128 MiB margin)"
	else
		fail load/rss "VmRSS $RSS1 kB after the load, over $lim kB (cache limits + 128 MiB)"
	fi
fi
cu "$U/monitoring/health"
[ "$CODE" = 200 ] || fail load/health "$CODE after the load"
stop_check main "$MAIN_PID" "$MAIN_PID"

# ---------------------------------------------------------------------------
# S6: abuse: stalled connections and malformed requests
# ---------------------------------------------------------------------------
if srv abuse -j 2 --header-timeout 2 --body-timeout 2 "$HUB"; then
	AW=$WPID AP=$SPID
	NST=150 NMAL=300
	[ -n "$QUICK" ] && NST=50 NMAL=60
	HTO=1
	[ -n "$SAN" ] && HTO=1
	py abuse "$URL" --stall $NST --malformed $NMAL --health-timeout $HTO --timeout 6 --open-timeout 10
	grep '^abuse:' "$TMP/py.out" | grep -v FAIL | while read -r l; do note "$l"; done
	if [ $PRC -eq 0 ]; then
		pass "abuse ($NST stalled connections, $NMAL malformed requests: $(grep -c . "$TMP/py.out") lines, all 4xx, 503, or the 501 and 505 HTTP gives two protocol cases, or closed; health answered within ${HTO}s)"
	else
		fail abuse "exit $PRC: $(grep 'FAIL' "$TMP/py.out" | head -n 6 | tr '\n' '|' | cut -c 1-600) $(line1 "$TMP/py.err")"
	fi
	cu "$URL/monitoring/health"
	[ "$CODE" = 200 ] && pass "abuse/alive (health 200 afterwards)" || fail abuse/alive "$CODE"
	stop_check abuse "$AW" "$AP"
else
	fail start/abuse "no ready line: $(line1 "$TMP/srv.abuse.err")"
fi
# the bodies held at once are bounded (8 x --max-upload): 8 uploads that
# announce 60 KB and stall hold it all, a 9th gets 503 with Retry-After, and
# once they are gone uploads are taken again
if srv budget --max-upload 64K --body-timeout 20 "$HUB"; then
	BU_W=$WPID BU_PID=$SPID
	python3 - "$PORT" >"$TMP/budget.out" 2>&1 <<'PYEOF'
import socket, sys, time
port = int(sys.argv[1])
head = ("POST /api/v1/customize?distribution=x HTTP/1.1\r\nHost: t\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 60000\r\n\r\n").encode()
held = []
for _ in range(8):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head + b"x")
    held.append(s)
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(head + b"x")
first = s.recv(4096).decode("latin-1")
s.close()
for h in held:
    h.close()
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(head + b"x" * 60000)
after = s.recv(4096).decode("latin-1")
print(first.split("\r\n")[0], "|", "Retry-After: 1" in first, "|", after.split("\r\n")[0])
PYEOF
	if grep -q '^HTTP/1.1 503 Service Unavailable | True | HTTP/1.1 400' "$TMP/budget.out"; then
		pass "limits/uploads-at-once (the 9th held upload: 503 + Retry-After; after: taken again)"
	else
		fail limits/uploads-at-once "$(head -n 3 "$TMP/budget.out" | tr '\n' '|')"
	fi
	stop_check budget "$BU_W" "$BU_PID"
else
	fail limits/uploads-at-once "the server did not start"
fi

# IPv6 literals, a bad --listen, command-line errors
if [ -n "$(ip -6 addr show dev lo 2>/dev/null | grep '::1')" ] || [ -f /proc/net/if_inet6 ]; then
	"$BTFGEN" serve --listen '[::1]:0' "$HUB" </dev/null >/dev/null 2>"$TMP/v6.err" &
	v6=$!
	echo "$v6" >>"$TMP/pids"
	P6=
	i=0
	while [ $i -lt $((STARTTO * 20)) ] && [ -z "$P6" ]; do
		P6=$(sed -n 's|^btfgen: serving http://\[::1\]:\([0-9][0-9]*\)/ : .*|\1|p' "$TMP/v6.err" | head -n 1)
		[ -n "$P6" ] || { kill -0 "$v6" 2>/dev/null || break; sleep 0.05; }
		i=$((i + 1))
	done
	if [ -n "$P6" ] && [ "$(curl -s -g --max-time "$TO" "http://[::1]:$P6/monitoring/health")" = "{}" ]; then
		pass "listen/ipv6 ([::1]:$P6 answers)"
	else
		fail listen/ipv6 "no answer on [::1] ($(head -n 1 "$TMP/v6.err"))"
	fi
	kill -TERM "$v6" 2>/dev/null
	wait "$v6" 2>/dev/null
else
	skip listen/ipv6 "no IPv6 loopback here"
fi
for bad in 'localhost:8080' '127.0.0.1' '127.0.0.1:70000' '[::1]8080' '1.2.3.4.5:80'; do
	"$BTFGEN" serve --listen "$bad" "$HUB" </dev/null >/dev/null 2>"$TMP/bad.err"
	brc=$?
	if [ $brc -eq 1 ] && [ "$(nlines "$TMP/bad.err")" -eq 1 ] && grep -q -- "--listen" "$TMP/bad.err"; then
		pass "listen/bad '$bad' (exit 1, one line)"
	else
		fail "listen/bad '$bad'" "exit $brc: $(head -n 2 "$TMP/bad.err" | tr '\n' '|')"
	fi
done
"$BTFGEN" serve --listen 127.0.0.1:0 "$TMP/no-such-archive" </dev/null >/dev/null 2>"$TMP/bad.err"
brc=$?
if [ $brc -eq 1 ] && grep -q 'no-such-archive' "$TMP/bad.err"; then
	pass "serve/missing-archive (exit 1 naming it)"
else
	fail serve/missing-archive "exit $brc: $(head -n 2 "$TMP/bad.err" | tr '\n' '|')"
fi
for args in "--jobs 0 $HUB" "--max-head 10 $HUB" "--header-timeout x $HUB" "--bogus $HUB" ""; do
	# shellcheck disable=SC2086
	"$BTFGEN" serve $args </dev/null >/dev/null 2>"$TMP/bad.err"
	brc=$?
	if [ $brc -eq 2 ] && grep -q "Try 'btfgen serve --help'" "$TMP/bad.err"; then
		pass "serve/usage '$args' (exit 2)"
	else
		fail "serve/usage '$args'" "exit $brc: $(head -n 2 "$TMP/bad.err" | tr '\n' '|')"
	fi
done

finish
