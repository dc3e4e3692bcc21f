#!/bin/sh
# make demo: reduce a real kernel BTF for the example CO-RE programs in
# tests/examples/, and, when Debian's libbpf-tools is installed, for all of
# its tools at once; print input size, output size and time.
#   tests/demo.sh ./btfgen
set -eu
btfgen=${1:-./btfgen}
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# a real kernel BTF: the running kernel's, else one from the corpus
input=/sys/kernel/btf/vmlinux
if [ ! -r "$input" ]; then
	input=$corpus/kernels/vmlinux-x86_64-2026.btf
	if [ ! -r "$input" ]; then
		echo "demo: no /sys/kernel/btf/vmlinux and no corpus at $corpus (set BTFGEN_CORPUS)" >&2
		exit 1
	fi
fi

# a compiler for the examples: clang >= 15, installed when missing (root, apt)
cc=
for c in ${CLANG:-} clang-19 clang-18 clang-17 clang-16 clang-15 clang; do
	command -v "$c" >/dev/null 2>&1 || continue
	v=$("$c" -dumpversion | cut -d. -f1)
	[ "$v" -ge 15 ] 2>/dev/null && { cc=$c; break; }
done
if [ -z "$cc" ]; then
	echo "demo: installing clang-19 to compile the example BPF programs"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-19 llvm-19 >/dev/null
	cc=clang-19
fi
for f in "$top"/tests/examples/*.bpf.c; do
	"$cc" -g -O2 -target bpf -c "$f" -o "$tmp/$(basename "$f" .bpf.c).bpf.o"
done

now_ms() { date +%s%N | cut -c1-13; }
size() { wc -c <"$1" | tr -d ' '; }

run() { # label output objects...
	label=$1 out=$2
	shift 2
	t0=$(now_ms)
	"$btfgen" min_core_btf "$input" "$out" "$@" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
	t1=$(now_ms)
	printf '%-34s %9s -> %6s bytes  %4s ms   %s\n' "$label" "$(size "$input")" "$(size "$out")" \
		$((t1 - t0)) "$out"
}

echo "input: $input"
run "examples (3 objects)" "$tmp/examples.btf" "$tmp"/*.bpf.o
if [ -x /usr/sbin/execsnoop ] && command -v dpkg >/dev/null 2>&1; then
	tools=$(dpkg -L libbpf-tools 2>/dev/null | grep '^/usr/sbin/' | while read -r f; do
		[ -L "$f" ] || echo "$f"; done)
	# shellcheck disable=SC2086
	run "libbpf-tools ($(echo $tools | wc -w) binaries)" "$tmp/libbpf-tools.btf" $tools
fi
echo
echo "reduced BTF for the examples (bpftool-style raw dump, first lines):"
if command -v bpftool >/dev/null 2>&1; then
	bpftool btf dump file "$tmp/examples.btf" format raw | head -n 20
else
	od -A d -t x1 "$tmp/examples.btf" | head -n 5
fi
