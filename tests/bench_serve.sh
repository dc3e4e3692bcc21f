#!/bin/sh
# make bench (serve): `btfgen serve` against the original BTFHub Online's
# per-request work done locally (extract the kernel's .btf.tar.xz to a
# temporary folder with tar, `bpftool gen min_core_btf`, `tar -cJf` the
# result), one request at a time, in one run:
#   a kernel in btfgen's cache, same object (result cache hit)   >= 50x faster
#   a kernel in btfgen's cache, another object (result miss)     >= 50x faster
#   a cold kernel (a server with --cache-size 0)                 >= 2x faster
#   32 concurrent clients (600 customize requests)               >= 200 req/s, no error
# Timings of btfgen are taken by tests/tools/serve_client.py on one kept-alive
# connection (the client's own time included). The cold runs also report the
# floor under a cold request (the server's own kernel load time, from its
# btfgen_kernel_load_seconds_total metric) and time the original's xz -dc of
# the same files, so the ratio reachable at all is printed next to the target.
# Exit 1 if a target is missed.
#   tests/bench_serve.sh ./btfgen [RUNS]
set -eu
btfgen=$(cd "$(dirname "${1:-./btfgen}")" && pwd)/$(basename "${1:-./btfgen}")
runs=${2:-15}
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
client=$top/tests/tools/serve_client.py
tmp=$(mktemp -d)
: >"$tmp/pids"
cleanup() {
	while read -r p; do kill -KILL "$p" 2>/dev/null || true; done <"$tmp/pids"
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ ! -d "$corpus/hub" ]; then
	echo "bench: no corpus at $corpus (set BTFGEN_CORPUS); serve bench skipped"
	exit 0
fi
hub=$(cd "$corpus/hub" && pwd)
tools=$(dpkg -L libbpf-tools | grep '^/usr/sbin/' | while read -r f; do [ -L "$f" ] || echo "$f"; done)
# shellcheck disable=SC2086
python3 "$top/tests/tools/extract_bpf.py" "$tmp/objs" $tools >/dev/null
obj=$tmp/objs/execsnoop.0.bpf.o
# the other objects, for result-cache misses on a cached kernel
d=debian v=12 a=x86_64 k=6.1.0-56-amd64
kf=$hub/$d/$v/$a/$k.btf.tar.xz
# (only those with CO-RE relocations that resolve on the kernel)
"$btfgen" cat "$kf" >"$tmp/k.btf"
for o in $(ls "$tmp"/objs/*.o | grep -v execsnoop.0); do
	"$btfgen" min_core_btf "$tmp/k.btf" "$tmp/chk.btf" "$o" 2>"$tmp/chk.err" && [ ! -s "$tmp/chk.err" ] && echo "$o"
done | head -n 30 >"$tmp/others"
# two more kernels for the cold runs
cold1=$hub/debian/12/x86_64/6.12.117+deb12-amd64.btf.tar.xz
cold2=$hub/debian/12/x86_64/6.1.0-56-cloud-amd64.btf.tar.xz

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the original's per-request work: extract, bpftool, tar -cJf; prints ns
orig() {	# orig KERNEL_FILE OBJECT
	t0=$(now_ns)
	w=$(mktemp -d "$tmp/req.XXXXXX")
	tar -xJf "$1" -C "$w"
	kb=$(ls "$w"/*.btf)
	bpftool gen min_core_btf "$kb" "$w/out.btf" "$2" 2>/dev/null
	tar -cJf "$w/out.tar.xz" -C "$w" out.btf
	rm -rf "$w"
	t1=$(now_ns)
	echo $((t1 - t0))
}

# srv NAME OPTIONS...: a server on the hub; sets URL, SPID
srv() {
	n=$1
	shift
	"$btfgen" serve --listen 127.0.0.1:0 --quiet "$@" "$hub" </dev/null >/dev/null 2>"$tmp/$n.err" &
	SPID=$!
	echo "$SPID" >>"$tmp/pids"
	i=0
	port=
	while [ $i -lt 200 ] && [ -z "$port" ]; do
		port=$(sed -n 's|^btfgen: serving http://127\.0\.0\.1:\([0-9]*\)/ .*|\1|p' "$tmp/$n.err" 2>/dev/null | head -n 1)
		[ -n "$port" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -n "$port" ] || { echo "bench: the server did not start: $(head -n 1 "$tmp/$n.err")" >&2; exit 1; }
	URL=http://127.0.0.1:$port
}
stop() { kill -TERM "$1"; wait "$1" || true; }
ms() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }

# 1. the original, RUNS times on the cached kernel's file, alternating with cold btfgen
: >"$tmp/t_orig"
: >"$tmp/t_orig_cold"
: >"$tmp/t_cold"
: >"$tmp/t_xz"
srv cold --cache-size 0 --result-cache-size 0 -j 2
cold_url=$URL cold_pid=$SPID
r=0
while [ $r -lt "$runs" ]; do
	orig "$kf" "$obj" >>"$tmp/t_orig"
	case $((r % 2)) in 0) cf=$cold1 ;; *) cf=$cold2 ;; esac
	orig "$cf" "$obj" >>"$tmp/t_orig_cold"
	ck=$(basename "$cf" .btf.tar.xz)
	python3 "$client" timeit "$cold_url" debian 12 x86_64 "$ck" "$obj" --n 1 | ms >>"$tmp/t_cold"
	# the original's own share of decompression: xz -dc of the same file
	t0=$(now_ns)
	xz -dc "$cf" >/dev/null
	t1=$(now_ns)
	echo $((t1 - t0)) >>"$tmp/t_xz"
	r=$((r + 1))
done
# the floor under a cold request: the server's own time loading kernels
# (read, decompress, check, parse), per kernel loaded
curl -sf "$cold_url/monitoring/metrics" >"$tmp/cold.metrics"
load_ms=$(awk '$1 == "btfgen_kernel_load_seconds_total" { s = $2 }
	$1 == "btfgen_kernel_cache_misses_total" { n = $2 }
	END { printf "%.2f\n", n ? s * 1000 / n : 0 }' "$tmp/cold.metrics")
stop "$cold_pid"
orig_ms=$(awk '{ print $1 / 1e6 }' "$tmp/t_orig" | median)
origc_ms=$(awk '{ print $1 / 1e6 }' "$tmp/t_orig_cold" | median)
cold_ms=$(median <"$tmp/t_cold")
xz_ms=$(awk '{ print $1 / 1e6 }' "$tmp/t_xz" | median)

# 2. a warm server: kernel cached; same object (result hit), other objects (result miss)
srv warm -j 2
warm_url=$URL warm_pid=$SPID
python3 "$client" timeit "$warm_url" $d $v $a $k "$obj" --n 1 >/dev/null
hit_ms=$(python3 "$client" timeit "$warm_url" $d $v $a $k "$obj" --n 101 | ms)
# shellcheck disable=SC2046
miss_ms=$(python3 "$client" timeit "$warm_url" $d $v $a $k $(cat "$tmp/others") --each --n "$(wc -l <"$tmp/others")" | ms)
rss=$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$warm_pid/status")

# 3. 32 concurrent clients, 600 requests over 4 kernels x 3 objects
lk=debian/12/x86_64/6.1.0-56-amd64,debian/12/x86_64/6.12.117+deb12-amd64,debian/12/arm64/6.1.0-56-arm64,android/12/arm64/a12-5.10-2021-09-arm64
lo="$obj,$tmp/objs/opensnoop.0.bpf.o,$tmp/objs/biolatency.0.bpf.o"
printf '{' >"$tmp/map.json"
sep=
for kk in $(echo "$lk" | tr ',' ' '); do
	for o in $(echo "$lo" | tr ',' ' '); do
		"$btfgen" min_core_btf "$hub/$kk.btf.tar.xz" "$tmp/ref.btf" "$o" 2>/dev/null
		printf '%s"%s|%s": "%s"' "$sep" "$kk" "$o" "$(sha256sum <"$tmp/ref.btf" | cut -d ' ' -f 1)" >>"$tmp/map.json"
		sep=,
	done
done
printf '}\n' >>"$tmp/map.json"
stop "$warm_pid"
srv load -j 2
load_pid=$SPID
lrc=0
python3 "$client" load "$URL" --conns 32 --requests 600 --kernels "$lk" --objects "$lo" \
	--expect-map "$tmp/map.json" >"$tmp/load.out" 2>&1 || lrc=$?
stop "$load_pid"
rps=$(sed -n 's/^load: [0-9]* requests, \([0-9]*\) errors, \([0-9]*\) req\/s.*/\2/p' "$tmp/load.out")
lerr=$(sed -n 's/^load: [0-9]* requests, \([0-9]*\) errors.*/\1/p' "$tmp/load.out")

echo "serve: kernel $d/$v/$a/$k ($(wc -c <"$kf" | tr -d ' ') bytes .btf.tar.xz), object execsnoop, $runs runs; the original = tar -xJf + bpftool gen min_core_btf + tar -cJf"
src=0
awk -v o="$orig_ms" -v oc="$origc_ms" -v c="$cold_ms" -v ld="$load_ms" -v xz="$xz_ms" -v h="$hit_ms" -v m="$miss_ms" -v rps="${rps:-0}" -v lerr="${lerr:-?}" \
	-v nm="$(wc -l <"$tmp/others" | tr -d ' ')" -v rss="$rss" -v lrc="$lrc" 'BEGIN {
	bad = 0
	printf "original per request          median %9.2f ms (cold kernels: %.2f ms)\n", o, oc
	r = o / h; t = r >= 50 ? "ok" : "BELOW 50x"; bad += r < 50
	printf "btfgen, kernel + result cached median %8.3f ms   %7.1fx faster  (target 50x: %s)\n", h, r, t
	r = o / m; t = r >= 50 ? "ok" : "BELOW 50x"; bad += r < 50
	printf "btfgen, kernel cached, new obj median %8.3f ms   %7.1fx faster  (target 50x: %s; %d objects)\n", m, r, t, nm
	r = oc / c; t = r >= 2 ? "ok" : "BELOW 2x"; bad += r < 2
	printf "btfgen, cold kernel (cache 0)  median %8.2f ms   %7.1fx faster  (target 2x: %s)\n", c, r, t
	if (ld > 0) {
		printf "  of which loading the kernel (read, decompress, check, parse; server metrics) %.2f ms on average:\n", ld
		printf "  a cold request can be at most %.2fx faster than the original, whose xz -dc alone takes %.2f ms (%.2fx btfgen'"'"'s load)\n", oc / ld, xz, xz / ld
	}
	t = (rps >= 200 && lerr == 0 && lrc == 0) ? "ok" : "BELOW TARGET"; bad += !(rps >= 200 && lerr == 0 && lrc == 0)
	printf "32 concurrent clients          %d customize requests/s, %s errors (target 200/s, none: %s)\n", rps, lerr, t
	printf "server RSS after the warm runs: %s\n", rss
	exit bad ? 1 : 0
}' || src=$?
sed 's/^/  /' "$tmp/load.out"
exit $src
