#!/bin/sh
# Fixed inputs and seed corpora for the fuzz targets (make fuzz runs this).
#   tests/fuzz/prepare.sh BTFGEN OUTDIR
# OUTDIR/data:   local.o (a test program), kernel.btf (a real kernel reduced
#                for the libbpf-tools objects), objs/N.o
# OUTDIR/seeds/<target>/: small real inputs: test programs, libbpf-tools
#                objects, reduced real kernels in both byte orders and wrapped
#                (ELF, xz at several presets and checks, tar formats).
# Needs clang-19 (tests/progs/build.sh), python3, xz, tar, objcopy, and
# libbpf-tools; the kernel (reduced for the libbpf-tools objects: the test
# programs are made for the synthetic kernels of tests/progs) is the corpus's newest x86_64 one or, without the
# corpus, /sys/kernel/btf/vmlinux.
set -eu
btfgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
tools=$top/tests/tools
d=$out/data
s=$out/seeds
rm -rf "$d" "$s"
mkdir -p "$d/objs" "$s"
for t in elf btf btf_ext core xz tar min_core_btf; do mkdir -p "$s/$t"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sh "$top/tests/progs/build.sh" "$tmp/progs"
cp "$tmp/progs/prog_fields.bpfel.o" "$d/local.o"

# libbpf-tools objects: a few as fixed objects and seeds, all for the kernel
lt=$(dpkg -L libbpf-tools 2>/dev/null | grep '^/usr/sbin/' | while read -r f; do [ -L "$f" ] || echo "$f"; done)
# shellcheck disable=SC2086
python3 "$tools/extract_bpf.py" "$tmp/lt" $lt >/dev/null
kernel=$corpus/kernels/vmlinux-x86_64-2026.btf
[ -f "$kernel" ] || kernel=/sys/kernel/btf/vmlinux
"$btfgen" min_core_btf "$kernel" "$d/kernel.btf" "$tmp"/lt/*.o 2>/dev/null

# fixed objects of fuzz_min_core_btf: those that resolve on the real kernel
# (most test programs are made for the synthetic kernels and fail there)
n=0
for o in "$tmp"/lt/execsnoop.0.bpf.o "$tmp"/lt/opensnoop.0.bpf.o "$tmp"/lt/biolatency.0.bpf.o \
	"$tmp"/lt/tcpconnect.0.bpf.o "$tmp"/progs/prog_*.bpfel.o; do
	[ -f "$o" ] || continue
	"$btfgen" min_core_btf "$kernel" "$tmp/probe.btf" "$o" 2>/dev/null || continue
	cp "$o" "$d/objs/$n.o"
	n=$((n + 1))
done

# btf: reduced real kernels (x86_64, arm64, a kernel with duplicate types),
# both byte orders, and the all-kinds fixture
cp "$d/kernel.btf" "$s/btf/x86_64.btf"
i=0
for k in "$corpus"/hub/android/13/arm64/*.btf.tar.xz "$corpus"/hub/kylin/V10/aarch64/*.btf.tar.xz; do
	[ -f "$k" ] || continue
	"$btfgen" min_core_btf "$k" "$s/btf/hub$i.btf" "$tmp"/lt/*.o 2>/dev/null || true
	i=$((i + 1))
	[ $i -lt 2 ] || break
done
for f in "$s"/btf/*.btf; do
	python3 "$tools/btf_swap.py" "$f" "${f%.btf}.be.btf"
done
cp "$top"/tests/fixtures/btf/all_kinds.btf "$top"/tests/fixtures/btf/all_kinds.be.btf "$s/btf/"

# elf and core: objects of both byte orders, ELF32, one tool binary
cp "$tmp"/progs/*.o "$s/elf/"
python3 "$tools/mk_elf32.py" "$tmp/progs/prog_fields.bpfel.o" "$s/elf/elf32le.o"
python3 "$tools/mk_elf32.py" "$tmp/progs/prog_fields.bpfeb.o" "$s/elf/elf32be.o"
[ ! -x /usr/sbin/bashreadline ] || cp /usr/sbin/bashreadline "$s/elf/"
cp "$tmp"/progs/prog_*.o "$s/core/"
for o in execsnoop opensnoop biolatency tcpconnect runqlat filelife; do
	[ ! -f "$tmp/lt/$o.0.bpf.o" ] || cp "$tmp/lt/$o.0.bpf.o" "$s/core/$o.o"
	[ ! -f "$tmp/lt/$o.0.bpf.o" ] || cp "$tmp/lt/$o.0.bpf.o" "$s/elf/$o.o"
done

# btf_ext: .BTF.ext sections of the test programs (local.o's own first)
python3 - "$s/btf_ext" "$d/local.o" "$tmp"/progs/prog_*.o <<'PY'
import os, struct, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    b = open(path, 'rb').read()
    e = '<' if b[5] == 1 else '>'
    shoff, = struct.unpack_from(e + 'Q', b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', b, 0x3a)
    sh = [struct.unpack_from(e + 'IIQQQQIIQQ', b, shoff + i * shentsize) for i in range(shnum)]
    stroff = sh[shstrndx][4]
    for h in sh:
        name = b[stroff + h[0]:b.index(b'\0', stroff + h[0])]
        if name == b'.BTF.ext':
            base = os.path.basename(path).replace('.o', '')
            open(os.path.join(out, base + '.ext'), 'wb').write(b[h[4]:h[4] + h[5]])
PY

# xz: presets, check types, block sizes; the fixtures
k=$d/kernel.btf
xz -0 -c "$k" >"$s/xz/p0.xz"
xz -6e -c --check=crc32 "$k" >"$s/xz/p6e-crc32.xz"
xz -1 -c --check=sha256 "$k" >"$s/xz/sha256.xz"
xz -1 -c --check=none "$k" >"$s/xz/none.xz"
xz -3 -c --block-size=4096 "$k" >"$s/xz/blocks.xz"
head -c 3000 "$k" | xz -9 -c >"$s/xz/small.xz"
printf '' | xz -c >"$s/xz/empty.xz"
cp "$top"/tests/fixtures/xz/multi-stream.xz "$top"/tests/fixtures/xz/bcj-x86.xz "$s/xz/"

# tar: formats and long names
mkdir -p "$tmp/t"
head -c 2000 "$k" >"$tmp/t/k.btf"
long=$(printf 'n%.0s' $(seq 1 150))
cp "$tmp/t/k.btf" "$tmp/t/$long.btf"
for fmt in ustar gnu pax v7; do
	(cd "$tmp/t" && tar --format=$fmt -cf "$s/tar/$fmt.tar" k.btf 2>/dev/null) || true
done
(cd "$tmp/t" && tar --format=gnu -cf "$s/tar/gnu-long.tar" "$long.btf")
(cd "$tmp/t" && tar --format=pax -cf "$s/tar/pax-long.tar" "$long.btf")
cp "$top"/tests/fixtures/tar/writer-golden.tar "$s/tar/"

# min_core_btf: the kernel as raw BTF (both orders), in an ELF, xz, tar, tar.xz
cp "$k" "$s/min_core_btf/k.btf"
python3 "$tools/btf_swap.py" "$k" "$s/min_core_btf/k.be.btf"
objcopy -I binary -O elf64-x86-64 --rename-section .data=.BTF "$k" "$s/min_core_btf/k.elf" 2>/dev/null ||
	true
xz -1 -c "$k" >"$s/min_core_btf/k.btf.xz"
(cd "$d" && tar --format=gnu -cf "$tmp/k.tar" kernel.btf)
cp "$tmp/k.tar" "$s/min_core_btf/k.tar"
xz -1 -c "$tmp/k.tar" >"$s/min_core_btf/k.btf.tar.xz"
cp "$s"/btf/hub*.btf "$s/min_core_btf/" 2>/dev/null || true

# json: hand-written documents: a manifest with nested arrays, \u escapes and
# surrogate pairs, raw UTF-8, numbers of every shape, literals, deep nesting
j=$s/json
mkdir -p "$j"
cat >"$j/manifest.json" <<'EOF'
{
  "btfgen_version": "0.1.0",
  "version": 1,
  "kernels": [
    {"path": "ubuntu/20.04/x86_64/5.4.0-42-generic.btf", "size": 4718592, "objs": ["a.o", "b.o"]},
    {"path": "caf\u00e9/\ud83d\ude00\u20AC", "size": 0, "tags": [[], {}, [null, true, false]]}
  ],
  "empty": {}
}
EOF
printf '{"k":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\uD83D\\uDE00\\udbff\\udfff","raw":"\303\251\342\202\254\360\237\230\200\177"}' \
	>"$j/escapes.json"
printf '[0, -0, 1, -1, 0.5, -1.25e-3, 1E+5, 2e-0, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 123456789012345678901234567890]\n' \
	>"$j/numbers.json"
printf '%s' '[[[[[[[[[[[[[[[[{"a": [[[[{"b": {"c": [1, {"d": []}]}}]]]]}]]]]]]]]]]]]]]]]' >"$j/deep.json"
printf ' \t\r\n"top-level string" \n' >"$j/string.json"
printf '{"a": 1, "b": [1, 2,], "c": "\\u12"}' >"$j/bad.json"

# manifest: OUT_DIR/btfgen-manifest.json as hub/manifest.c writes it (ok,
# skipped and failed kernels, poisoned relocations, escapes, extreme
# numbers), a minimal one, and near misses of the schema
m=$s/manifest
mkdir -p "$m"
h=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
g=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
cat >"$m/written.json" <<EOF
{
  "format": "btfgen-manifest",
  "format_version": 2,
  "btfgen_version": "0.1.0",
  "options": {"first_match_only": false, "verify": true, "dedup": "hardlink"},
  "objects_sha256": "$h",
  "object_files": [
    {"path": "/usr/sbin/execsnoop", "sha256": "$g"},
    {"path": "opensnoop.bpf.o", "sha256": "$h"}
  ],
  "objects": [
    {"name": "/usr/sbin/execsnoop[bpf#0@0x38578]", "relocations": 5},
    {"name": "opensnoop.bpf.o", "relocations": 12}
  ],
  "kernels": [
    {"path": "debian/12/arm64/6.1.0-56-arm64", "input": "debian/12/arm64/6.1.0-56-arm64.btf.tar.xz", "id": "debian", "version_id": "12", "arch": "arm64", "release": "6.1.0-56-arm64", "input_size": 1234567, "input_mtime_ns": 1700000000123456789, "input_sha256": "$h", "status": "ok", "output": "debian/12/arm64/6.1.0-56-arm64.btf", "output_sha256": "$g", "output_size": 4242, "poisoned": ["0\\texecsnoop: relo #3 (insn 34, field_byte_offset, [12] STRUCT 'task_struct', access '0:1'): no candidate", "1\\t\\"quoted\\" \\\\ back"]},
    {"path": "odd/\\"q\\"\\\\b\\tc\\nd/\\u20ac\\ud83d\\ude00", "input": "odd/x.btf", "id": null, "version_id": null, "arch": null, "release": "x", "input_size": 18446744073709551615, "input_mtime_ns": -9223372036854775808, "input_sha256": "$h", "status": "ok", "output": "odd/x.btf", "output_sha256": "$g", "output_size": 0, "same_input_as": "debian/12/arm64/6.1.0-56-arm64", "poisoned": []},
    {"path": "ubuntu/20.04/x86_64/5.4.0-1", "input": "ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz", "id": "ubuntu", "version_id": "20.04", "arch": "x86_64", "release": "5.4.0-1", "input_size": 1001, "input_mtime_ns": 1700000000123456790, "input_sha256": "$h", "status": "failed", "error": "ubuntu/20.04/x86_64/5.4.0-1.btf.tar.xz: xz: corrupt input"},
    {"path": "ubuntu/20.04/x86_64/5.4.0-2", "input": "ubuntu/20.04/x86_64/vmlinux-5.4.0-2", "id": "ubuntu", "version_id": "20.04", "arch": "x86_64", "release": "5.4.0-2", "input_size": 7, "input_mtime_ns": 0, "input_sha256": "$g", "status": "ok", "output": "ubuntu/20.04/x86_64/5.4.0-2.btf", "output_sha256": "$g", "output_size": 4242, "dedup_of": "debian/12/arm64/6.1.0-56-arm64", "poisoned": ["63\\t"]}
  ]
}
EOF
# a failed kernel whose input could not be read: no input hash
sed 's/"input_sha256": "[0-9a-f]*", "status": "failed"/"input_sha256": "", "status": "failed"/' \
	"$m/written.json" >"$m/failed-unhashed.json"
printf '{"format": "btfgen-manifest"}' >"$m/minimal.json"
printf '{"format": "btfgen-manifest", "kernels": [{"path": "a", "status": "ok", "input_size": 1, "input_mtime_ns": 1, "input_sha256": "%s", "output_sha256": "%s", "output_size": 1}, {"path": "a", "status": "failed"}, {"path": "a", "status": "ok", "input_size": 1, "input_mtime_ns": 1, "input_sha256": "%s", "output_sha256": "%s", "output_size": 1}]}' \
	"$h" "$h" "$g" "$g" >"$m/twice.json"
printf '{"format": "btfgen-manifest", "kernels": [{"path": "\\u002e\\u002e/x", "status": "failed"}, {"path": "a/\\u12zz", "status": "ok", "poisoned": ["64\\tx", "0\\t\\u1"]}]}' \
	>"$m/near-miss.json"
printf '{"format": "btfgen-manifest", "options": {"dedup": ' >"$m/ends-after-dedup.json"

# pick: collections (tar, tar.xz, with hard links and ./ prefixes) and
# os-release files, for fuzz_pick
p=$s/pick
mkdir -p "$p" "$tmp/pick/ubuntu/20.04/x86_64" "$tmp/pick/centos/8/arm64"
printf '\237\353\001\000\030\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000\000' \
	>"$tmp/pick/ubuntu/20.04/x86_64/5.4.0-73-generic.btf"
cp "$tmp/pick/ubuntu/20.04/x86_64/5.4.0-73-generic.btf" "$tmp/pick/centos/8/arm64/4.18.0-348.el8.aarch64.btf"
ln "$tmp/pick/ubuntu/20.04/x86_64/5.4.0-73-generic.btf" "$tmp/pick/ubuntu/20.04/x86_64/5.4.0-74-generic.btf"
(cd "$tmp/pick" && tar --format=gnu -cf "$p/coll.tar" ubuntu centos)
(cd "$tmp/pick" && tar --format=pax -cf - ./ubuntu ./centos) >"$p/coll-dot-pax.tar"
xz -c "$p/coll.tar" >"$p/coll.tar.xz"
for f in "$corpus"/os-release/ubuntu16.etc_os-release "$corpus"/os-release/rocky9.usr_lib_os-release \
	"$corpus"/os-release/centos7.etc_os-release; do
	[ -f "$f" ] && cp "$f" "$p/$(basename "$f")"
done
printf 'ID="rocky"\r\nID_LIKE="rhel centos fedora"\r\nVERSION_ID=\x278.6\x27\n# c\nNAME=a\\ b\n' >"$p/osr-quoting"

# http: request heads as curl 7.88, Python's urllib/http.client and the Go
# SDK (net/http) send them, with their bodies (fuzz_http also runs the
# chunked decoder on the whole input: chunked bodies alone too)
h=$s/http
mkdir -p "$h"
printf 'GET /api/v1/download?distribution=ubuntu&kernel_version=5.4.0-42-generic HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n' \
	>"$h/curl-get"
printf 'POST /api/v1/customize?arch=x86_64&distribution=ubuntu&distribution_version=20.04&kernel_version=5.4.0-42-generic HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nContent-Length: 209\r\nContent-Type: multipart/form-data; boundary=------------------------2d5d3d48527fe4b8\r\nExpect: 100-continue\r\n\r\n--------------------------2d5d3d48527fe4b8\r\nContent-Disposition: form-data; name="bpf"; filename="small.o"\r\nContent-Type: application/octet-stream\r\n\r\nsmall\r\n--x\000\r\n--------------------------2d5d3d48527fe4b8--\r\n' \
	>"$h/curl-customize"
printf 'POST /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nb\r\nhello world\r\n0\r\n\r\n' \
	>"$h/curl-chunked"
printf 'GET /api/v1/list HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n' \
	>"$h/py-urllib"
printf 'POST /up HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n' \
	>"$h/py-chunked"
printf 'GET /api/v1/download?arch=x86_64&distribution=ubuntu&distribution_version=20.04&kernel_version=5.4.0-42-generic HTTP/1.1\r\nHost: btfhub.example\r\nUser-Agent: btfhub-online-go/0.1.0\r\nIf-None-Match: "abc", W/"d"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nAccept-Encoding: gzip\r\n\r\n' \
	>"$h/go-download"
printf '\r\nGET /a%%2e%%2e/%%2F?k=a+b%%20c&k=2&x&&=v HTTP/1.0\nConnection: keep-alive, close\nExpect: 100-continue\n\n' \
	>"$h/odd"
printf 'A;ext=1;q="x y"\r\n0123456789\r\n000\r\nTrailer: v\r\nX-Y:\r\n\r\nGET / HTTP/1.1\r\n\r\n' >"$h/chunked-trailer"
printf '1\n\000\r\n10 ; a\nABCDEFGHIJKLMNOP\r\n0\nT:1\n\n' >"$h/chunked-lf"

# multipart: a Content-Type line, LF, the body: curl -F bpf=@x.o (one and
# several parts), the Go SDK (part "bpf", filename="from_memory"), quoted
# names with escapes, a preamble, padding and an epilogue
mp=$s/multipart
mkdir -p "$mp"
printf 'multipart/form-data; boundary=------------------------2d5d3d48527fe4b8\n--------------------------2d5d3d48527fe4b8\r\nContent-Disposition: form-data; name="bpf"; filename="small.o"\r\nContent-Type: application/octet-stream\r\n\r\nsmall\r\n--x\000\r\n--------------------------2d5d3d48527fe4b8--\r\n' \
	>"$mp/curl"
printf 'multipart/form-data; boundary=------------------------96502d70e5c1e674\n--------------------------96502d70e5c1e674\r\nContent-Disposition: form-data; name="bpf"; filename="a.o"\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n--------------------------96502d70e5c1e674\r\nContent-Disposition: form-data; name="bpf"; filename="b.o"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--------------------------96502d70e5c1e674\r\nContent-Disposition: form-data; name="arch"\r\n\r\nx86_64\r\n--------------------------96502d70e5c1e674--\r\n' \
	>"$mp/curl-several"
printf 'multipart/form-data; boundary=9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30\n--9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30\r\nContent-Disposition: form-data; name="bpf"; filename="from_memory"\r\nContent-Type: application/octet-stream\r\n\r\n\177ELF\002\001\001\000\r\n--\r\n\000bin\r\n--9e8148ce49adc69a06c3a955d7b9aad55c7076e78dbe24ecd68387c75c30--\r\n' \
	>"$mp/go-sdk"
printf 'Multipart/Form-Data; charset=utf-8; BOUNDARY="a b:c?"\npreamble\r\n--a b:c? \t\r\ncontent-disposition: FORM-DATA ; name="a\\"b\\\\c" ;filename="C:\\\\x\\\\\\"y\\".o"\r\n\r\n1\r\n--a b:c?\r\nContent-Disposition: form-data; name=bpf; filename=""; filename*=UTF-8'"''"'%%e2%%82%%ac.o\r\n\r\n\r\n--a b:c?X\r\n--a b:c?--\r\nepilogue\r\n' \
	>"$mp/quoted"
