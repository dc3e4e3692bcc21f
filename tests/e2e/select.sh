#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/select.sh BTFGEN - end-to-end tests of `btfgen select` and
# `btfgen install` on collections made by `btfgen archive` from the corpus
# hub: a folder, a tar (identical outputs as hard links) and a tar.xz.
#
# The references are independent of select/install: the corpus paths give
# each kernel's ID/VERSION_ID/arch/release; GNU tar and xz unpack the
# collections; readelf and objcopy read the ELF that install writes; bpftool
# reads it as libbpf does; python3's json checks --json.
#
# Prints PASS/FAIL/SKIP lines, then "select: N passed, M failed, K skipped".
# Exit 1 if any check failed or none passed. Environment: BTFGEN_CORPUS,
# BTFGEN_E2E_TIMEOUT (default 30), BPFTOOL.
set -u
if [ $# -ne 1 ]; then
	echo "usage: $0 BTFGEN" >&2
	exit 2
fi
case $1 in
/*) BTFGEN=$1 ;;
*) BTFGEN=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$ROOT" || exit 2
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
TO=${BTFGEN_E2E_TIMEOUT:-30}
BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL
unset BTFGEN_HOST_ROOT BTFGEN_OS_RELEASE

TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-select.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
NPASS=0 NFAIL=0 NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
finish() {
	echo "select: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	[ $NFAIL -eq 0 ] && [ $NPASS -gt 0 ]
	exit
}
line1() { head -n 1 "$1" 2>/dev/null | cut -c 1-300; }
nlines() { wc -l <"$1" | tr -d ' '; }
flat() { head -n "${2:-3}" "$1" 2>/dev/null | tr '\n' '|' | cut -c 1-300; }

# bt ARGS...: btfgen under a timeout; RC, BAD, $TMP/stdout, $TMP/stderr
bt() {
	timeout -k 5 "$TO" "$BTFGEN" "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
	RC=$?
	BAD=
	if [ $RC -eq 124 ] || [ $RC -ge 128 ]; then
		BAD="exit $RC (hang or signal): btfgen $*"
	elif [ $RC -eq 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr"; then
		BAD="sanitizer report: $(grep -m 1 -e Sanitizer -e 'runtime error:' "$TMP/stderr")"
	fi
}

if [ ! -d "$CORPUS/hub" ]; then
	skip all "no corpus hub at $CORPUS/hub (set BTFGEN_CORPUS)"
	finish
fi
OBJS=
for t in execsnoop opensnoop; do
	[ -x "/usr/sbin/$t" ] && OBJS="$OBJS /usr/sbin/$t"
done
if [ -z "$OBJS" ]; then
	skip all "libbpf-tools not installed (make deps)"
	finish
fi

# the collections: a folder, a tar, a tar.xz
HUB=$(cd "$CORPUS/hub" && pwd)
(cd "$HUB" && find . -name '*.btf.tar.xz' | sed 's|^\./||; s|\.btf\.tar\.xz$||' | sort) >"$TMP/hub.list"
# shellcheck disable=SC2086
bt archive -j 2 --tar "$TMP/coll.tar" "$HUB" "$TMP/tree" $OBJS
if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
	fail setup "btfgen archive: exit $RC $BAD: $(line1 "$TMP/stderr")"
	finish
fi
xz -c -T1 "$TMP/coll.tar" >"$TMP/coll.tar.xz"
mkdir -p "$TMP/untar"
tar -xf "$TMP/coll.tar" -C "$TMP/untar"
NH=$(nlines "$TMP/hub.list")
pass "setup ($NH kernels: folder, tar with $(tar -tvf "$TMP/coll.tar" | grep -c '^h') hard links, tar.xz)"

# a host without BTF: a root with no sys/kernel/btf/vmlinux
HR=$TMP/host
mkdir -p "$HR/etc" "$HR/boot"
osr() { printf 'NAME="Test"\nID=%s\nVERSION_ID="%s"\n%s' "$1" "$2" "${3:+ID_LIKE=\"$3\"
}" >"$HR/etc/os-release"; }

# every kernel, from every collection, with both arch spellings: exact
nbad=0 n=0
while read -r r; do
	id=${r%%/*} rest=${r#*/}
	ver=${rest%%/*} rest=${rest#*/}
	arch=${rest%%/*} rel=${rest#*/}
	osr "$id" "$ver"
	case $arch in
	arm64) alt=aarch64 ;;
	aarch64) alt=arm64 ;;
	x86_64) alt=amd64 ;;
	*) alt=$arch ;;
	esac
	for c in "$TMP/tree" "$TMP/coll.tar" "$TMP/coll.tar.xz"; do
		for a in "$arch" "$alt"; do
			n=$((n + 1))
			bt select --from "$c" --root "$HR" --kernel-release "$rel" --arch "$a"
			if [ $RC -ne 0 ] || [ -n "$BAD" ] || [ "$(cat "$TMP/stdout")" != "$r.btf" ]; then
				nbad=$((nbad + 1))
				[ $nbad -le 3 ] && fail "select/exact/$r" "from $(basename "$c") --arch $a: exit $RC $BAD, printed '$(line1 "$TMP/stdout")': $(line1 "$TMP/stderr")"
			fi
		done
	done
done <"$TMP/hub.list"
[ $nbad -eq 0 ] && pass "select/exact ($n selections: $NH kernels x folder/tar/tar.xz x both arch spellings)"

# install: the ELF at ROOT/boot/vmlinux-RELEASE holds exactly the entry's BTF
K=$(grep '^debian/12/x86_64/' "$TMP/hub.list" | head -n 1)
KREL=${K##*/}
osr debian 12
(umask 077 && timeout "$TO" "$BTFGEN" install --from "$TMP/coll.tar.xz" --root "$HR" \
	--kernel-release "$KREL" --arch x86_64 >"$TMP/stdout" 2>"$TMP/stderr")
RC=$?
V=$HR/boot/vmlinux-$KREL
if [ $RC -ne 0 ] || [ ! -f "$V" ]; then
	fail install/elf "exit $RC: $(line1 "$TMP/stderr")"
else
	rm -f "$TMP/sec.btf"
	objcopy --dump-section .BTF="$TMP/sec.btf" "$V" "$TMP/oc.o" 2>"$TMP/oc.err"
	mode=$(stat -c %a "$V")
	if ! cmp -s "$TMP/sec.btf" "$TMP/untar/$K.btf"; then
		fail install/elf "the .BTF section (objcopy --dump-section) differs from $K.btf: $(line1 "$TMP/oc.err")"
	elif [ "$mode" != 644 ]; then
		fail install/elf "mode $mode under umask 077, want 644"
	elif ! readelf -h "$V" | grep -q 'ELF64' || ! readelf -h "$V" | grep -q 'X86-64' ||
		! readelf -h "$V" | grep -q 'little endian'; then
		fail install/elf "not an x86-64 little-endian ELF64: $(readelf -h "$V" | grep -E 'Class|Machine|Data' | tr '\n' ' ')"
	elif [ "$(cat "$TMP/stdout")" != "$V" ]; then
		fail install/elf "stdout '$(line1 "$TMP/stdout")', want the path written"
	else
		pass "install/elf ($(stat -c %s "$V") bytes, .BTF = $K.btf, mode 644 under umask 077)"
	fi
	if "$BPFTOOL" version >/dev/null 2>&1; then
		"$BPFTOOL" btf dump file "$V" format raw >"$TMP/d1" 2>&1
		"$BPFTOOL" btf dump file "$TMP/untar/$K.btf" format raw >"$TMP/d2" 2>&1
		if [ -s "$TMP/d1" ] && cmp -s "$TMP/d1" "$TMP/d2"; then
			pass "install/elf/bpftool (libbpf reads the ELF like the raw file: $(nlines "$TMP/d1") lines)"
		else
			fail install/elf/bpftool "bpftool btf dump differs: $(line1 "$TMP/d1")"
		fi
	else
		skip install/elf/bpftool "no bpftool"
	fi
fi
# again: the file is btfgen's, it is replaced (a new file renamed over it)
ino=$(stat -c %i "$V" 2>/dev/null)
bt install --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
rm -f "$TMP/sec.btf"
objcopy --dump-section .BTF="$TMP/sec.btf" "$V" "$TMP/oc.o" 2>/dev/null
if [ $RC -eq 0 ] && [ "$(stat -c %i "$V")" != "$ino" ] && cmp -s "$TMP/sec.btf" "$TMP/untar/$K.btf"; then
	pass "install/replaces-its-own"
else
	fail install/replaces-its-own "exit $RC (inode $ino -> $(stat -c %i "$V")): $(line1 "$TMP/stderr")"
fi
# a file btfgen did not write is left alone, unless --force
printf 'not ours\n' >"$V"
bt install --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
if [ $RC -ne 1 ] || [ "$(cat "$V")" != "not ours" ] || ! grep -q 'left alone' "$TMP/stderr"; then
	fail install/foreign-file "exit $RC, file now $(head -c 20 "$V" | tr -c 'a-z ' .): $(line1 "$TMP/stderr")"
else
	pass "install/foreign-file-left-alone ($(line1 "$TMP/stderr" | cut -c 1-90))"
fi
bt install --force --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
rm -f "$TMP/sec.btf"
objcopy --dump-section .BTF="$TMP/sec.btf" "$V" "$TMP/oc.o" 2>/dev/null
[ $RC -eq 0 ] && cmp -s "$TMP/sec.btf" "$TMP/untar/$K.btf" && pass install/force ||
	fail install/force "exit $RC: $(line1 "$TMP/stderr")"
# raw
bt install --format raw --output "$TMP/raw.btf" --from "$TMP/tree" --root "$HR" \
	--kernel-release "$KREL" --arch amd64
[ $RC -eq 0 ] && cmp -s "$TMP/raw.btf" "$TMP/untar/$K.btf" && pass "install/raw" ||
	fail install/raw "exit $RC: $(line1 "$TMP/stderr")"
# other arches get their own ELF machine and class
A=$(grep '/arm64/' "$TMP/hub.list" | grep '^debian' | head -n 1)
osr debian 12
bt install --from "$TMP/coll.tar" --root "$HR" --kernel-release "${A##*/}" --arch aarch64
if [ $RC -eq 0 ] && readelf -h "$HR/boot/vmlinux-${A##*/}" | grep -q AArch64; then
	pass "install/elf-aarch64 (e_machine AArch64)"
else
	fail install/elf-aarch64 "exit $RC: $(line1 "$TMP/stderr")"
fi

# the kernel has its own BTF: nothing printed, nothing written, exit 0
mkdir -p "$HR/sys/kernel/btf"
cp "$TMP/untar/$K.btf" "$HR/sys/kernel/btf/vmlinux"
rm -f "$HR/boot/vmlinux-$KREL"
bt select --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
r1=$RC o1=$(cat "$TMP/stdout") e1=$(line1 "$TMP/stderr")
bt install --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
if [ $r1 -ne 0 ] || [ -n "$o1" ] || [ $RC -ne 0 ] || [ -e "$HR/boot/vmlinux-$KREL" ] ||
	! echo "$e1" | grep -q 'has its own BTF'; then
	fail has-btf/nothing-needed "select exit $r1 printed '$o1', install exit $RC; note: $e1"
else
	pass "has-btf/nothing-needed ($(echo "$e1" | cut -c 1-90))"
fi
bt select --force --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
[ $RC -eq 0 ] && [ "$(cat "$TMP/stdout")" = "$K.btf" ] && pass has-btf/force ||
	fail has-btf/force "exit $RC: $(line1 "$TMP/stdout")"
# an empty vmlinux (a bind-mounted empty file) is no BTF
: >"$HR/sys/kernel/btf/vmlinux"
bt select --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64
[ $RC -eq 0 ] && [ "$(cat "$TMP/stdout")" = "$K.btf" ] && pass has-btf/empty-is-none ||
	fail has-btf/empty-is-none "exit $RC: $(line1 "$TMP/stdout") $(line1 "$TMP/stderr")"
rm -rf "$HR/sys"

# the environment: BTFGEN_HOST_ROOT and BTFGEN_OS_RELEASE
printf 'ID=debian\nVERSION_ID=12\n' >"$TMP/osr.env"
: >"$HR/etc/os-release"
BTFGEN_HOST_ROOT=$HR BTFGEN_OS_RELEASE=$TMP/osr.env timeout "$TO" "$BTFGEN" select \
	--from "$TMP/coll.tar" --kernel-release "$KREL" --arch x86_64 >"$TMP/stdout" 2>"$TMP/stderr"
[ $? -eq 0 ] && [ "$(cat "$TMP/stdout")" = "$K.btf" ] && pass "host/environment (BTFGEN_HOST_ROOT, BTFGEN_OS_RELEASE)" ||
	fail host/environment "$(line1 "$TMP/stdout") $(line1 "$TMP/stderr")"

# no pick: exit 1, one line with the host facts and the closest entries
osr debian 12
bt select --from "$TMP/coll.tar" --root "$HR" --kernel-release 6.1.0-99-amd64 --arch x86_64
if [ $RC -ne 1 ] || [ -s "$TMP/stdout" ] || [ "$(nlines "$TMP/stderr")" -ne 1 ] ||
	! grep -q 'release=6.1.0-99-amd64' "$TMP/stderr" || ! grep -q 'closest: debian/12/x86_64/' "$TMP/stderr"; then
	fail select/no-pick "exit $RC: $(flat "$TMP/stderr")"
else
	pass "select/no-pick ($(line1 "$TMP/stderr" | cut -c 1-120))"
fi
bt select --allow-nearest --from "$TMP/coll.tar" --root "$HR" --kernel-release 6.1.0-99-amd64 --arch x86_64
if [ $RC -eq 0 ] && grep -q '^debian/12/x86_64/6.1.0-' "$TMP/stdout" && grep -q 'warning:.*layouts may differ' "$TMP/stderr"; then
	pass "select/allow-nearest ($(cat "$TMP/stdout"), with a warning)"
else
	fail select/allow-nearest "exit $RC: $(line1 "$TMP/stdout") $(line1 "$TMP/stderr")"
fi
# ID_LIKE and the release anywhere
osr rocky 9.2 "rhel centos fedora"
bt select --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch x86_64 --explain
if [ $RC -eq 0 ] && [ "$(cat "$TMP/stdout")" = "$K.btf" ] && grep -q 'note: .*release alone' "$TMP/stderr" &&
	grep -q 'step .*, id_like: rhel/9.2/' "$TMP/stderr"; then
	pass "select/release-anywhere-with-explain ($(grep -c '^btfgen: step' "$TMP/stderr") steps named)"
else
	fail select/release-anywhere-with-explain "exit $RC: $(flat "$TMP/stderr" 4)"
fi
# --json
bt select --json --from "$TMP/coll.tar.xz" --root "$HR" --kernel-release "$KREL" --arch x86_64
if python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["pick"] == sys.argv[2], d["pick"]
assert d["by"] == "release" and d["needed"] is True and d["host"]["id"] == "rocky"
assert [s["step"] for s in d["steps"]][:2] == ["exact", "major"]' "$TMP/stdout" "$K.btf" 2>"$TMP/py.err"; then
	pass "select/json"
else
	fail select/json "$(tail -n 1 "$TMP/py.err")"
fi
# a wrong arch never picks
osr debian 12
bt select --from "$TMP/coll.tar" --root "$HR" --kernel-release "$KREL" --arch aarch64
[ $RC -eq 1 ] && pass "select/wrong-arch-no-pick" || fail select/wrong-arch-no-pick "exit $RC: $(line1 "$TMP/stdout")"

# usage
for args in "select" "select --from $TMP/coll.tar extra" "install --from $TMP/coll.tar --format bogus"; do
	# shellcheck disable=SC2086
	bt $args
	[ $RC -eq 2 ] && pass "usage/$(echo "$args" | cut -d' ' -f1-2 | tr ' /' '__')" ||
		fail "usage/$args" "exit $RC (want 2): $(line1 "$TMP/stderr")"
done

# hostile collections: refused with one line, nothing written
H=$TMP/hostile
mkdir -p "$H/src/d/1/x86_64" "$H/root/boot" "$H/root/etc"
cp "$TMP/untar/$K.btf" "$H/src/d/1/x86_64/k.btf"
printf 'ID=d\nVERSION_ID=1\n' >"$H/root/etc/os-release"
python3 - "$H" "$H/src/d/1/x86_64/k.btf" <<'EOF'
import io, os, sys, tarfile
h, k = sys.argv[1], sys.argv[2]
data = open(k, "rb").read()
def mk(name, members):
    with tarfile.open(os.path.join(h, name), "w", format=tarfile.GNU_FORMAT) as t:
        for m in members:
            ti = tarfile.TarInfo(m[0])
            if m[1] == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                ti.type = tarfile.LNKTYPE
                ti.linkname = m[2]
                t.addfile(ti)
mk("dotdot.tar", [("../../d/1/x86_64/k.btf", "file")])
mk("absolute.tar", [("/d/1/x86_64/k.btf", "file")])
mk("link-out.tar", [("d/1/x86_64/a.btf", "file"), ("d/1/x86_64/k.btf", "link", "/etc/passwd")])
mk("link-missing.tar", [("d/1/x86_64/k.btf", "link", "d/1/x86_64/nothere.btf")])
mk("twice.tar", [("d/1/x86_64/k.btf", "file"), ("d/1/x86_64/k.btf", "file")])
EOF
head -c $(($(wc -c <"$TMP/coll.tar.xz") / 2)) "$TMP/coll.tar.xz" >"$H/truncated.tar.xz"
for c in dotdot absolute link-out link-missing twice truncated; do
	f=$H/$c.tar
	[ $c = truncated ] && f=$H/truncated.tar.xz
	bt install --from "$f" --root "$H/root" --kernel-release k --arch x86_64
	if [ -n "$BAD" ] || [ $RC -ne 1 ]; then
		fail "hostile/$c" "exit $RC $BAD (want 1)"
	elif [ "$(nlines "$TMP/stderr")" -ne 1 ] || ! grep -q -F "$(basename "$f")" "$TMP/stderr"; then
		fail "hostile/$c" "want one line naming the collection: $(flat "$TMP/stderr")"
	elif [ -n "$(ls -A "$H/root/boot")" ]; then
		fail "hostile/$c" "wrote $(ls -A "$H/root/boot")"
	else
		pass "hostile/$c ($(line1 "$TMP/stderr" | sed "s|$H/||" | cut -c 1-110))"
	fi
done
finish
