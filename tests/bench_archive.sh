#!/bin/sh
# make bench (second part): `btfgen archive -j 2` vs the integrators' loop
# (extract each .btf.tar.xz with tar/xz, run bpftool, delete) under
# `xargs -P 2`, on an archive made from the whole corpus, in one run. Also:
# an unchanged re-run, peak RSS with 1 and 2 workers, and btfgen's own xz
# decoding against `xz -dc` on every corpus file.
#   tests/bench_archive.sh ./btfgen
set -eu
btfgen=$(cd "$(dirname "${1:-./btfgen}")" && pwd)/$(basename "${1:-./btfgen}")
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$corpus/hub" ]; then
	echo "bench: no corpus at $corpus (set BTFGEN_CORPUS); archive bench skipped"
	exit 0
fi

# the archive: the hub tree as is, plus the raw corpus kernels in the same layout
mkdir -p "$tmp/in" "$tmp/in/corpus/1/x86_64"
cp -r "$corpus/hub/." "$tmp/in/"
for f in "$corpus"/kernels/vmlinux-*.btf; do cp "$f" "$tmp/in/corpus/1/x86_64/"; done
nk=$(find "$tmp/in" -name '*.btf.tar.xz' -o -name '*.btf' | wc -l)
tools=$(dpkg -L libbpf-tools | grep '^/usr/sbin/' | while read -r f; do [ -L "$f" ] || echo "$f"; done)
# shellcheck disable=SC2086
python3 "$top/tests/tools/extract_bpf.py" "$tmp/objs" $tools >/dev/null

now() { date +%s.%N; }

# the loop every integrator scripts (BTFHub btfgen.sh, tracee, IG, bcc)
cat >"$tmp/one.sh" <<'ONE'
#!/bin/sh
f=$1 out=$2 objs=$3
rel=${f#*/in/}
d=$(mktemp -d)
case $f in
*.tar.xz) tar -xJf "$f" -C "$d"; k=$(ls "$d"/*.btf) ;;
*) k=$f ;;
esac
mkdir -p "$out/$(dirname "$rel")"
bpftool gen min_core_btf "$k" "$out/${rel%%.tar.xz}" "$objs"/*.o 2>/dev/null || true
rm -rf "$d"
ONE
# ROUNDS alternating runs of each on a fresh output tree; the medians count
ROUNDS=${ROUNDS:-5}
: >"$tmp/loop.t"
: >"$tmp/first.t"
r=0
while [ $r -lt "$ROUNDS" ]; do
	rm -rf "$tmp/ref" "$tmp/out"
	t0=$(now)
	find "$tmp/in" -name '*.btf.tar.xz' -o -name '*.btf' | sort |
		xargs -P 2 -I{} sh "$tmp/one.sh" {} "$tmp/ref" "$tmp/objs"
	t1=$(now)
	"$btfgen" archive -j 2 "$tmp/in" "$tmp/out" "$tmp"/objs/*.o >"$tmp/first.log" 2>/dev/null
	t2=$(now)
	echo "$t0 $t1" | awk '{ print $2 - $1 }' >>"$tmp/loop.t"
	echo "$t1 $t2" | awk '{ print $2 - $1 }' >>"$tmp/first.t"
	r=$((r + 1))
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
loop=$(median "$tmp/loop.t")
first=$(median "$tmp/first.t")
t2=$(now)
"$btfgen" archive -j 2 "$tmp/in" "$tmp/out" "$tmp"/objs/*.o >"$tmp/rerun.log" 2>/dev/null
t3=$(now)
rm -rf "$tmp/o1" "$tmp/o2"
rss1=$(/usr/bin/time -f %M "$btfgen" archive -j 1 "$tmp/in" "$tmp/o1" "$tmp"/objs/*.o 2>&1 >/dev/null | tail -n 1)
rss2=$(/usr/bin/time -f %M "$btfgen" archive -j 2 "$tmp/in" "$tmp/o2" "$tmp"/objs/*.o 2>&1 >/dev/null | tail -n 1)

# decoding: btfgen cat vs xz -dc, every hub file, 3 rounds each, alternately
ta=0 tb=0
for r in 1 2 3; do
	for f in $(find "$corpus/hub" -name '*.btf.tar.xz' | sort); do
		a0=$(now); "$btfgen" cat "$f" >/dev/null; a1=$(now)
		xz -dc "$f" >/dev/null; a2=$(now)
		ta=$(echo "$ta $a0 $a1" | awk '{ print $1 + $3 - $2 }')
		tb=$(echo "$tb $a1 $a2" | awk '{ print $1 + $3 - $2 }')
	done
done

echo "archive: $nk kernels (corpus hub + raw corpus kernels), $(ls "$tmp/objs" | wc -l) objects"
awk -v loop="$loop" -v first="$first" -v c="$t2" -v d="$t3" -v r1="$rss1" -v r2="$rss2" -v ta="$ta" -v tb="$tb" -v n="$ROUNDS" 'BEGIN {
	rerun = d - c
	printf "tar+bpftool loop (xargs -P 2) %7.2f s   (median of %d runs, alternating)\n", loop, n
	printf "btfgen archive -j 2           %7.2f s   %.1fx faster\n", first, loop / first
	printf "btfgen archive, unchanged     %7.3f s   %.0fx faster than its first run\n", rerun, first / rerun
	printf "peak RSS: -j 1 %d KB, -j 2 %d KB (%d KB per extra worker)\n", r1, r2, r2 - r1
	printf "xz decoding: btfgen %.2f s, xz -dc %.2f s (ratio %.2f)\n", ta, tb, ta / tb
}'
tail -n 1 "$tmp/first.log"
