#!/bin/sh
# make bench: btfgen vs Debian's bpftool on the same inputs, alternately, in
# one run. Prints both medians, the ratio and both peak RSS figures.
#   tests/bench.sh ./btfgen [RUNS]
# Inputs: /sys/kernel/btf/vmlinux (else the corpus 2026 kernel) and every BPF
# object embedded in Debian's libbpf-tools binaries (extracted once, because
# bpftool cannot read executables; btfgen gets the very same files).
set -eu
btfgen=${1:-./btfgen}
runs=${2:-21}
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

input=/sys/kernel/btf/vmlinux
[ -r "$input" ] || input=$corpus/kernels/vmlinux-x86_64-2026.btf
tools=$(dpkg -L libbpf-tools | grep '^/usr/sbin/' | while read -r f; do [ -L "$f" ] || echo "$f"; done)
# shellcheck disable=SC2086
python3 "$top/tests/tools/extract_bpf.py" "$tmp/objs" $tools >/dev/null
nobj=$(ls "$tmp/objs" | wc -l)

now_ns() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: >"$tmp/t_btfgen"
: >"$tmp/t_nover"
: >"$tmp/t_bpftool"
i=0
while [ $i -lt "$runs" ]; do
	t0=$(now_ns)
	"$btfgen" min_core_btf "$input" "$tmp/a.btf" "$tmp"/objs/*.o 2>/dev/null
	t1=$(now_ns)
	bpftool gen min_core_btf "$input" "$tmp/b.btf" "$tmp"/objs/*.o 2>/dev/null
	t2=$(now_ns)
	"$btfgen" min_core_btf --no-verify "$input" "$tmp/c.btf" "$tmp"/objs/*.o 2>/dev/null
	t3=$(now_ns)
	echo $((t1 - t0)) >>"$tmp/t_btfgen"
	echo $((t2 - t1)) >>"$tmp/t_bpftool"
	echo $((t3 - t2)) >>"$tmp/t_nover"
	i=$((i + 1))
done
a=$(median <"$tmp/t_btfgen")
b=$(median <"$tmp/t_bpftool")
c=$(median <"$tmp/t_nover")
rss_a=$(/usr/bin/time -f %M "$btfgen" min_core_btf "$input" "$tmp/a.btf" "$tmp"/objs/*.o 2>&1 >/dev/null | tail -n 1)
rss_b=$(/usr/bin/time -f %M bpftool gen min_core_btf "$input" "$tmp/b.btf" "$tmp"/objs/*.o 2>&1 >/dev/null | tail -n 1)
same=$(cmp -s "$tmp/a.btf" "$tmp/b.btf" && echo "byte-identical" || echo "DIFFERENT")

echo "input: $input ($(wc -c <"$input" | tr -d ' ') bytes), $nobj libbpf-tools objects, $runs runs each"
awk -v a="$a" -v b="$b" -v c="$c" -v ra="$rss_a" -v rb="$rss_b" -v same="$same" 'BEGIN {
	printf "btfgen   median %8.2f ms   peak RSS %7d KB   (--no-verify: %.2f ms)\n", a / 1e6, ra, c / 1e6
	printf "bpftool  median %8.2f ms   peak RSS %7d KB\n", b / 1e6, rb
	printf "speed-up %.1fx (bpftool/btfgen wall time; %.1fx with --no-verify), RSS ratio %.2f; outputs %s\n", b / a, b / c, ra / rb, same
}'
