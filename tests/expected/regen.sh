#!/bin/bash
# Regenerate the oracle files in this directory with the REFERENCE tool
# (Debian 12 bpftool v7.1.0 / libbpf 1.1 by default), never with our btfgen.
#   tests/expected/regen.sh [BPFTOOL]
# - pairs.txt  "kern prog": writes <kern>__<prog>.raw (btf dump format raw)
#                           and <kern>__<prog>.btf (the raw BTF file itself)
# - multi.txt  "kern p1 p2 ...": same, named <kern>__<p1>+<p2>+....{raw,btf}
# - bpftool_fails.txt "kern prog exit=N ...": checks bpftool exits with N and
#   creates no output file.
# Objects: the bpfel builds (bpftool v7.1 cannot read bpfeb objects).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bpftool=${1:-/usr/sbin/bpftool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/../progs/build.sh" "$tmp/b"

gen() { # kern progs...
	local k=$1; shift
	local name objs=() p
	name=$(IFS=+; echo "$*")
	for p in "$@"; do objs+=("$tmp/b/$p.bpfel.o"); done
	"$bpftool" gen min_core_btf "$tmp/b/$k.o" "$tmp/out.btf" "${objs[@]}"
	cp "$tmp/out.btf" "$here/${k}__$name.btf"
	"$bpftool" btf dump file "$tmp/out.btf" format raw > "$here/${k}__$name.raw"
	rm -f "$tmp/out.btf"
}

while read -r k p; do gen "$k" "$p"; done < "$here/pairs.txt"
while read -r k ps; do gen "$k" $ps; done < "$here/multi.txt"

rc=0
while read -r k p want rest; do
	set +e
	"$bpftool" gen min_core_btf "$tmp/b/$k.o" "$tmp/fail.btf" "$tmp/b/$p.bpfel.o" 2>/dev/null
	got=$?
	set -e
	if [ "exit=$got" != "$want" ] || [ -e "$tmp/fail.btf" ]; then
		echo "$k $p: expected $want and no output, got exit=$got" >&2
		rc=1
	fi
	rm -f "$tmp/fail.btf"
done < "$here/bpftool_fails.txt"
exit $rc
