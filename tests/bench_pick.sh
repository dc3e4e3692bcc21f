#!/bin/sh
# make bench (third part): `btfgen select` and `btfgen install` on a
# collection the size of the full BTFHub (4,300 entries), as `archive --tar`
# writes it (identical outputs as hard links), as a tar.xz and as a folder;
# and the runtime library's code size in a static program.
#   tests/bench_pick.sh ./btfgen
# Targets (issue "Ship and pick"): select < 5 ms, install < 10 ms, on a host
# that needs a pick (a root without /sys/kernel/btf/vmlinux).
set -eu
btfgen=$(cd "$(dirname "${1:-./btfgen}")" && pwd)/$(basename "${1:-./btfgen}")
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BTFGEN_CORPUS:-$top/../shared/corpus}
tmp=$(mktemp -d)
trap "rm -rf \"$tmp\"" EXIT
if [ ! -d "$corpus/hub" ]; then
	echo "bench: no corpus at $corpus (set BTFGEN_CORPUS); pick bench skipped"
	exit 0
fi
N=4300

# real reduced BTF files (the corpus hub for two libbpf-tools) as contents
"$btfgen" archive -j 2 "$corpus/hub" "$tmp/red" /usr/sbin/execsnoop /usr/sbin/opensnoop >/dev/null
# the collection: N entries over the BTFHub distributions, in groups of 10
# sharing one output (stored once, the others hard links, as archive --tar
# does); contents are real reduced BTF (made distinct per group by a
# trailing tag, except the entry that will be picked: it must validate)
python3 - "$tmp" "$N" <<'EOF'
import io, os, sys, tarfile
tmp, n = sys.argv[1], int(sys.argv[2])
real = []
for d, _, fs in sorted(os.walk(os.path.join(tmp, "red"))):
    real += [open(os.path.join(d, f), "rb").read() for f in sorted(fs) if f.endswith(".btf")]
distros = [("ubuntu", "20.04"), ("ubuntu", "18.04"), ("centos", "7"), ("centos", "8"),
           ("rhel", "8"), ("ol", "7"), ("amzn", "2"), ("debian", "10"), ("sles", "15.3"),
           ("fedora", "31")]
names = sorted("%s/%s/%s/5.%d.0-%d-generic.btf" % (distros[i % 10] + ("arm64" if i % 3 == 0 else "x86_64", i % 17, i))
               for i in range(n))
pick = names[n // 2]
first = {}
with tarfile.open(os.path.join(tmp, "coll.tar"), "w", format=tarfile.GNU_FORMAT) as t:
    for i, name in enumerate(names):
        g = -1 if name == pick else i // 10
        data = real[0] if g < 0 else real[g % len(real)] + g.to_bytes(4, "little")
        ti = tarfile.TarInfo(name)
        ti.mode = 0o644
        if g in first:
            ti.type = tarfile.LNKTYPE
            ti.linkname = first[g]
            t.addfile(ti)
        else:
            first[g] = name
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        os.makedirs(os.path.join(tmp, "tree", os.path.dirname(name)), exist_ok=True)
        with open(os.path.join(tmp, "tree", name), "wb") as f:
            f.write(data)
with open(os.path.join(tmp, "pick"), "w") as f:
    f.write(pick)
EOF
pickname=$(cat "$tmp/pick")
xz -c -T1 "$tmp/coll.tar" >"$tmp/coll.tar.xz"
id=${pickname%%/*} rest=${pickname#*/}
ver=${rest%%/*} rest=${rest#*/}
arch=${rest%%/*} rel=${rest#*/}
rel=${rel%.btf}
mkdir -p "$tmp/root/etc" "$tmp/root/boot"
printf 'ID=%s\nVERSION_ID="%s"\n' "$id" "$ver" >"$tmp/root/etc/os-release"

# median wall time in ms of 21 runs of the command (fork and exec included,
# timed from python: no `date` processes inside the measurement)
median_ms() {
	python3 - "$@" <<'EOF'
import subprocess, sys, time
t = []
for _ in range(21):
    t0 = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - t0)
print("%.2f" % (sorted(t)[10] * 1e3))
EOF
}
host="--root $tmp/root --kernel-release $rel --arch $arch"
got=$("$btfgen" select --from "$tmp/coll.tar" $host)
[ "$got" = "$pickname" ] || { echo "bench: select picked '$got', want $pickname"; exit 1; }
echo "pick: collection of $N entries ($(tar -tvf "$tmp/coll.tar" | grep -c '^h') hard links): tar $(wc -c <"$tmp/coll.tar") bytes, tar.xz $(wc -c <"$tmp/coll.tar.xz") bytes"
# shellcheck disable=SC2086
printf "btfgen select, tar                   %6s ms (median of 21, process start included)\n" "$(median_ms "$btfgen" select --from "$tmp/coll.tar" $host)"
# shellcheck disable=SC2086
printf "btfgen select, tar.xz                %6s ms\n" "$(median_ms "$btfgen" select --from "$tmp/coll.tar.xz" $host)"
# shellcheck disable=SC2086
printf "btfgen select, folder                %6s ms\n" "$(median_ms "$btfgen" select --from "$tmp/tree" $host)"
# shellcheck disable=SC2086
printf "btfgen install, tar (ELF in /boot)   %6s ms\n" "$(median_ms "$btfgen" install --from "$tmp/coll.tar" $host)"
# shellcheck disable=SC2086
printf "btfgen install, tar.xz               %6s ms\n" "$(median_ms "$btfgen" install --from "$tmp/coll.tar.xz" $host)"

# the runtime library in a static program: code size
if [ -f "$top/build/libbtfgen-runtime.a" ]; then
	cat >"$tmp/rt.c" <<'EOF'
#include <stdio.h>
#include "runtime/runtime.h"
int main(int argc, char **argv)
{
	char *path = NULL;
	int err = btfgen_rt_ensure(argv[0], (size_t)argc, NULL, &path);

	printf("%d\n", err);
	btfgen_rt_cleanup(path);
	return 0;
}
EOF
	cat >"$tmp/empty.c" <<'EOF'
#include <stdio.h>
int main(void) { printf("%d\n", 0); return 0; }
EOF
	cc -Os -static -I"$top" "$tmp/rt.c" "$top/build/libbtfgen-runtime.a" -pthread -Wl,--gc-sections -o "$tmp/rt" 2>/dev/null
	cc -Os -static "$tmp/empty.c" -Wl,--gc-sections -o "$tmp/empty" 2>/dev/null
	strip "$tmp/rt" "$tmp/empty"
	t1=$(size "$tmp/rt" | awk 'NR == 2 { print $1 }')
	t0=$(size "$tmp/empty" | awk 'NR == 2 { print $1 }')
	echo "runtime library: $((t1 - t0)) bytes of code in a static program (libbtfgen-runtime.a, text of a stripped static binary minus an empty one's)"
fi
