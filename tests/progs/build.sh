#!/bin/sh
# Build the synthetic kernels and CO-RE test programs.
#   tests/progs/build.sh OUTDIR
# kern_X.c       -> OUTDIR/kern_X.o        (-target bpf; its .BTF is the source BTF)
# prog_X.bpf.c   -> OUTDIR/prog_X.bpfel.o and OUTDIR/prog_X.bpfeb.o
# prog_nobtf.bpf.c is built without -g (no .BTF / .BTF.ext) on purpose.
#
# Compiler: ${CLANG:-clang-19}. clang >= 15 is required (TYPE_MATCHES builtin,
# ENUM64, signed-enum kflag); the files in tests/expected/ were produced with
# Debian 12's clang-19 (1:19.1.7-3~deb12u1), and other clang versions may
# number or encode the kernel types differently. Prints nothing on success.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
src=$(cd "$(dirname "$0")" && pwd)
cc=${CLANG:-clang-19}

major=$("$cc" -dumpversion 2>/dev/null | cut -d. -f1) || major=0
case $major in
''|*[!0-9]*) major=0 ;;
esac
if [ "$major" -lt 15 ]; then
	echo "$0: $cc: clang >= 15 required (set CLANG=clang-19)" >&2
	exit 1
fi

mkdir -p "$out"

for f in "$src"/kern_*.c; do
	b=$(basename "$f" .c)
	"$cc" -g -O2 -target bpf -c "$f" -o "$out/$b.o"
done

for f in "$src"/prog_*.bpf.c; do
	b=$(basename "$f" .bpf.c)
	g=-g
	[ "$b" = prog_nobtf ] && g=
	for t in bpfel bpfeb; do
		"$cc" $g -O2 -target "$t" -c "$f" -o "$out/$b.$t.o"
	done
done
