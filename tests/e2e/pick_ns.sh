#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/pick_ns.sh BTFGEN - end-to-end proof that `btfgen install` and the
# runtime library (libbtfgen-runtime.a) bring the right reduced BTF to a
# kernel without BTF (run from anywhere, as root; e.g.
# `sh tests/e2e/pick_ns.sh ./btfgen` from the repository root).
#
# A kernel without BTF is made out of this one in private mount namespaces
# (tests/e2e/pick/ns.sh, under `unshare -m --propagation private`): an empty
# file bound over /sys/kernel/btf/vmlinux, an empty tmpfs on /boot. Nothing
# is mounted outside them; they end with their command.
#
#  1. `btfgen install`, with unmodified programs: every libbpf-tools binary
#     that embeds a BPF object is run briefly (SIGINT after BTFGEN_PICK_TIME
#     seconds) in four namespaces: the real BTF; hidden (they fail: what
#     they print is recorded); hidden + `btfgen install --from coll.tar`
#     (/boot/vmlinux-RELEASE); hidden + the reference recipe (bpftool gen
#     min_core_btf of the extracted objects, wrapped by objcopy into
#     /boot/vmlinux-RELEASE). Each run's outcome (exit status and first error
#     line, normalised; "runs" when it was still running at the SIGINT) must
#     be the same after install as with the real BTF, or, for a tool that
#     needs the kernel's own BTF beyond CO-RE (tp_btf/fentry/fexit/LSM/iter
#     attach targets, or BTF lookups of its own), the same as the
#     reference's. tracefs is mounted inside each namespace when the host
#     has not mounted it (BTFGEN_PICK_TRACEFS=0: not), so that tools get
#     past attach; the real-BTF baseline runs in a namespace set up the same
#     way but for the BTF. The collection: `btfgen archive --tar` of a tree
#     holding this machine's BTF under ID/VERSION_ID/arch/`uname -r` plus the
#     corpus' hub kernels, with every libbpf-tools binary as OBJECT.
#  2. The runtime library: tests/e2e/pick/loader.c, built against `make
#     install DESTDIR=...` (pkg-config btfgen-runtime) and libbpf, with the
#     collection (xz) embedded by `ld -r -b binary`: in the namespace,
#     btfgen_rt_ensure() gives a path holding the collection's entry and the
#     objects load with btf_custom_path; from a file too; outside, it asks
#     for nothing and they load with the kernel's BTF (opts.force: it picks
#     all the same); without BTF and without the runtime they don't load (so
#     the test can fail). A control installs another kernel's BTF under
#     this kernel's key: some tools must then behave differently, or the
#     tool comparison of part 1 could not fail either.
#  3. Hostile install: --root whose boot/ is a symlink (the behaviour is
#     reported), an output path that is a symlink, --format raw over files
#     btfgen did not write (a raw BTF: the behaviour is reported), and
#     collections with members ../../x or /x, hard links to /etc/passwd, to a
#     later or a non-kernel member, a name twice, a truncated tar, a symlink
#     member, a member that is not BTF: refused with one line, nothing
#     written anywhere; /etc/passwd and the host's /boot unchanged.
#
# Prints one line per check: "PASS name", "FAIL name: reason" or
# "SKIP name: reason", then notes, and last, alone on its line,
#   pick_ns: N passed, M failed, K skipped
# Exit status: 1 if any check failed, or if nothing passed and nothing was
# skipped; 0 otherwise (everything skipped: not root, no unshare...); 2 usage.
# About 50 s on 2 CPUs (each of the 5 namespaces runs every tool at once for
# BTFGEN_PICK_TIME seconds; a tool still loading then is run again, longer).
#
# Environment:
#   BTFGEN_CORPUS        kernel BTF corpus (default ../shared/corpus, relative
#                        to the repository root); its hub/ kernels are added to
#                        the collection (skipped when absent)
#   BTFGEN_E2E_QUICK=1   no wrong-kernel control (one namespace run less)
#   BTFGEN_E2E_TIMEOUT   per-command timeout in seconds (default 30)
#   BTFGEN_PICK_TIME     seconds each tool runs before its SIGINT (default 5)
#   BTFGEN_PICK_TRACEFS  1 (default): mount tracefs inside the namespaces
#   BPFTOOL              reference tool (default /usr/sbin/bpftool)
#   CC                   C compiler for the loader (default cc)
#
# Needs: root, unshare and mount (util-linux), timeout, python3, libbpf-tools;
# bpftool and objcopy for the reference; a C compiler, pkg-config and
# libbpf-dev for the runtime library part; xz to embed a tar.xz (else the
# tar). What is missing is skipped, with the reason.
set -u

. "$(dirname "$0")/common.sh"

BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
TO=${BTFGEN_E2E_TIMEOUT:-30}
QUICK=${BTFGEN_E2E_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
PT=${BTFGEN_PICK_TIME:-5}
CC=${CC:-cc}
NSH="$ROOT/tests/e2e/pick/ns.sh"
LOADER_SRC="$ROOT/tests/e2e/pick/loader.c"

ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL

TMP=$(mktemp -d /tmp/btfgen-pick.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
D=$TMP/d	# what the namespaces see: coll.tar, tools, loader, ref.btf
mkdir -p "$D"

NPASS=0
NFAIL=0
NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
note() { echo "$*" >>"$TMP/notes"; }
: >"$TMP/notes"

line1() { head -n 1 "$1" 2>/dev/null | tr '\t' ' ' | cut -c 1-300; }
nlines() { wc -l <"$1" | tr -d ' '; }
fsize() { wc -c <"$1" | tr -d ' '; }
flat() { head -n "${2:-3}" "$1" 2>/dev/null | tr '\n' '|' | cut -c 1-300; }
words() { tr '\n' ' ' <"$1" | sed 's/ *$//'; }

finish() {
	if [ -s "$TMP/notes" ]; then
		echo
		sed 's/^/note: /' "$TMP/notes"
	fi
	echo "pick_ns: time $(($(date +%s) - START))s"
	echo "pick_ns: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	if [ $NFAIL -gt 0 ] || { [ $NPASS -eq 0 ] && [ $NSKIP -eq 0 ]; }; then
		exit 1
	fi
	exit 0
}

# bt ARGS...: btfgen under a timeout; RC, BAD (hang, signal, sanitizer),
# $TMP/bt.out, $TMP/bt.err
bt() {
	timeout -k 5 "$TO" "$BTFGEN" "$@" </dev/null >"$TMP/bt.out" 2>"$TMP/bt.err"
	RC=$?
	BAD=
	if [ $RC -eq 124 ]; then
		BAD="timed out after ${TO}s: btfgen $*"
	elif [ $RC -ge 128 ]; then
		BAD="exit status $RC (signal $((RC - 128))): btfgen $*"
	elif [ $RC -eq 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/bt.err"; then
		BAD="sanitizer report (exit $RC): $(grep -m 1 -e 'Sanitizer' -e 'runtime error:' "$TMP/bt.err" | cut -c 1-200)"
	fi
}

echo "pick_ns: btfgen=$BTFGEN bpftool=$BPFTOOL corpus=$CORPUS tool time=${PT}s${QUICK:+ (quick)}"

# ---------------------------------------------------------------------------
# prerequisites
# ---------------------------------------------------------------------------
if [ ! -x "$BTFGEN" ]; then
	fail prereq/btfgen "$BTFGEN is not an executable (run make)"
	finish
fi
bt --version
if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
	fail prereq/btfgen "btfgen --version: exit $RC $BAD"
	finish
fi
missing=
for t in unshare mount timeout python3 readelf cmp sha256sum; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
why=
if [ "$(id -u)" != 0 ]; then
	why="needs root (mount namespaces, BPF)"
elif [ -n "$missing" ]; then
	why="missing:$missing (tests/deps.sh)"
elif ! timeout 10 unshare -m --propagation private true 2>"$TMP/unshare.err"; then
	why="unshare -m --propagation private fails: $(line1 "$TMP/unshare.err")"
elif [ ! -s /sys/kernel/btf/vmlinux ]; then
	why="this kernel has no /sys/kernel/btf/vmlinux: no real BTF to build the collection from and compare with"
elif ! dpkg -L libbpf-tools >"$TMP/pkg.list" 2>/dev/null; then
	why="package libbpf-tools not installed (tests/deps.sh)"
fi
if [ -n "$why" ]; then
	skip pick_ns "$why"
	finish
fi
HAVE_REF=1
if ! "$BPFTOOL" version >/dev/null 2>&1 || ! command -v objcopy >/dev/null 2>&1; then
	HAVE_REF=
	skip prereq/reference "$BPFTOOL or objcopy not runnable: no comparison with the reference recipe (tests/deps.sh)"
fi

# ---------------------------------------------------------------------------
# the runtime library, as `make install` installs it (first: it may rebuild
# ./btfgen, which the rest of the suite then runs as it is). A failing
# install is a failure, not a reason to use build/ instead.
# ---------------------------------------------------------------------------
RTFLAGS=
RTHOW=
RTWHY=
rt_ok() { nm -g --defined-only "$1" 2>/dev/null | grep -q ' T btfgen_rt_ensure$'; }
if ! command -v make >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
	RTWHY="make or pkg-config missing (tests/deps.sh)"
elif ! timeout -k 5 600 make -s -C "$ROOT" install DESTDIR="$TMP/inst" PREFIX=/usr \
	>"$TMP/make.log" 2>&1 || ! rt_ok "$TMP/inst/usr/lib/libbtfgen-runtime.a" ||
	! RTFLAGS=$(PKG_CONFIG_PATH="$TMP/inst/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$TMP/inst" \
		pkg-config --static --cflags --libs btfgen-runtime 2>"$TMP/pc.err"); then
	fail runtime/make-install "make install DESTDIR=... PREFIX=/usr: no usable libbtfgen-runtime.a with btfgen-runtime.pc: $(grep -m 1 -i -e error -e 'No rule' "$TMP/make.log" | cut -c 1-150) $(line1 "$TMP/pc.err")"
	RTFLAGS=
	RTWHY="make install failed (see runtime/make-install)"
else
	RTHOW="make install DESTDIR + pkg-config --static btfgen-runtime: $RTFLAGS"
	pass "runtime/make-install (include/btfgen/runtime.h, lib/libbtfgen-runtime.a, lib/pkgconfig/btfgen-runtime.pc)"
fi

REL=$(uname -r)
ARCH=$(uname -m)
# shellcheck disable=SC1091
OSR_ID=$(. /etc/os-release 2>/dev/null && echo "${ID:-}")
# shellcheck disable=SC1091
OSR_VER=$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-}")
if [ -z "$OSR_ID" ]; then
	OSR_ID=linux
	note "/etc/os-release has no ID: this kernel is filed under $OSR_ID/"
fi
if [ -z "$OSR_VER" ]; then
	OSR_VER=rolling
	note "/etc/os-release has no VERSION_ID: this kernel is filed under $OSR_ID/$OSR_VER/ (select's release step finds it)"
fi
KEY="$OSR_ID/$OSR_VER/$ARCH/$REL"

# the binaries of libbpf-tools that embed BPF objects, and those objects
grep '^/usr/sbin/' "$TMP/pkg.list" | sort | while read -r f; do
	[ -L "$f" ] || [ ! -f "$f" ] || echo "$f"
done >"$TMP/bins.all"
# shellcheck disable=SC2046
python3 "$ROOT/tests/tools/extract_bpf.py" "$TMP/objs" $(cat "$TMP/bins.all") >"$TMP/extract.out" 2>"$TMP/extract.err"
awk '{ print $2 }' "$TMP/extract.out" | sort -u >"$TMP/bins"
NBINS=$(nlines "$TMP/bins")
if [ "$NBINS" -eq 0 ]; then
	fail extract "no BPF object in $(nlines "$TMP/bins.all") libbpf-tools binaries: $(line1 "$TMP/extract.err")"
	finish
fi
BINS=$(words "$TMP/bins")
OBJS=$(find "$TMP/objs" -name '*.bpf.o' | sort | tr '\n' ' ')
NOBJS=$(echo "$OBJS" | wc -w)
pass "extract ($NOBJS BPF objects from $NBINS of $(nlines "$TMP/bins.all") libbpf-tools binaries)"

# the tools and their arguments: harmless ones where a tool needs some
while read -r b; do
	n=$(basename "$b")
	case $n in
	fsdist | fsslower) a="-t ext4" ;;
	funclatency) a=vfs_read ;;
	ksnoop) a="trace vfs_read" ;;
	javagc) a="-p 1" ;;
	*) a= ;;
	esac
	echo "$n $a"
done <"$TMP/bins" >"$D/tools"

# per tool: the program sections whose attach target is looked up in the
# kernel's own BTF (no reduced BTF can hold it), and whether it has others
mkdir -p "$TMP/sec"
for o in $OBJS; do
	n=$(basename "$o" | sed 's/\.[0-9]*\.bpf\.o$//')
	readelf -SW "$o" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' |
		grep -v -e '^\.' -e '^license$' -e '^maps$' -e '^$' >>"$TMP/sec/$n.all"
done
for f in "$TMP"/sec/*.all; do
	n=$(basename "$f" .all)
	sed 's|/.*||' "$f" | grep -E '^(tp_btf|fentry|fexit|fmod_ret|fentry\.s|fexit\.s|fmod_ret\.s|lsm|lsm\.s|lsm_cgroup|iter|iter\.s|struct_ops|struct_ops\.s|freplace)$' |
		sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }' >"$TMP/sec/$n.kbtf"
	sed 's|/.*||' "$f" | grep -v -E '^(tp_btf|fentry|fexit|fmod_ret|fentry\.s|fexit\.s|fmod_ret\.s|lsm|lsm\.s|lsm_cgroup|iter|iter\.s|struct_ops|struct_ops\.s|freplace)$' |
		sort -u | tr '\n' ' ' | sed 's/ $//' >"$TMP/sec/$n.other"
done

# ---------------------------------------------------------------------------
# the collection: this machine's BTF under its own key, the corpus' kernels
# ---------------------------------------------------------------------------
mkdir -p "$TMP/tree/$OSR_ID/$OSR_VER/$ARCH"
cp /sys/kernel/btf/vmlinux "$TMP/tree/$KEY.btf"
NCORPUS=0
if [ -d "$CORPUS/hub" ]; then
	(cd "$CORPUS/hub" && find . -mindepth 4 -maxdepth 4 -name '*.btf.tar.xz' -type f | sort) >"$TMP/hub.list"
	while read -r f; do
		f=${f#./}
		[ "${f%.btf.tar.xz}" = "$KEY" ] && continue
		mkdir -p "$TMP/tree/$(dirname "$f")"
		cp "$CORPUS/hub/$f" "$TMP/tree/$f" && NCORPUS=$((NCORPUS + 1))
	done <"$TMP/hub.list"
fi
[ "$NCORPUS" -gt 0 ] ||
	skip corpus "no .btf.tar.xz under $CORPUS/hub (set BTFGEN_CORPUS): the collection holds this kernel only"
# shellcheck disable=SC2086
bt archive --tar "$D/coll.tar" "$TMP/tree" "$TMP/arch-out" $BINS
ENTRY=$KEY.btf
if [ -n "$BAD" ] || [ $RC -ne 0 ] || [ ! -s "$D/coll.tar" ]; then
	fail collection "btfgen archive --tar: exit $RC $BAD: $(grep -v warning "$TMP/bt.err" | head -n 1)"
	finish
fi
if ! tar -xOf "$D/coll.tar" "$ENTRY" >"$TMP/entry.btf" 2>"$TMP/tar.err" || [ ! -s "$TMP/entry.btf" ]; then
	fail collection "no member $ENTRY in the tar: $(line1 "$TMP/tar.err")"
	finish
fi
pass "collection ($(line1 "$TMP/bt.out" | sed 's/^archive: //; s/, [0-9.]* s (.*//'); coll.tar $(fsize "$D/coll.tar") bytes; this kernel: $ENTRY, $(fsize "$TMP/entry.btf") bytes)"
# a collection without this kernel (the same BTF under another release), and
# a file that is not a collection
mkdir -p "$TMP/tree-other/$OSR_ID/$OSR_VER/$ARCH"
cp "$TMP/entry.btf" "$TMP/tree-other/$OSR_ID/$OSR_VER/$ARCH/0.0.0-pick-other.btf"
bt archive --tar "$D/coll-other.tar" "$TMP/tree-other" "$TMP/arch-out-other" /usr/sbin/execsnoop
[ $RC -eq 0 ] || note "the collection without this kernel: btfgen archive: exit $RC: $(line1 "$TMP/bt.err")"
cp "$(echo "$OBJS" | awk '{ print $1 }')" "$D/notcoll"
: >"$D/empty"

# the reference: bpftool's reduced file for the same objects
if [ -n "$HAVE_REF" ]; then
	# shellcheck disable=SC2086
	if timeout -k 5 "$TO" "$BPFTOOL" gen min_core_btf /sys/kernel/btf/vmlinux "$D/ref.btf" $OBJS \
		>"$TMP/bpftool.out" 2>&1 && [ -s "$D/ref.btf" ]; then
		if cmp -s "$D/ref.btf" "$TMP/entry.btf"; then
			pass "reference/bytes (bpftool gen min_core_btf of the $NOBJS objects: $(fsize "$D/ref.btf") bytes, identical to the collection's $ENTRY)"
		else
			fail reference/bytes "bpftool's min_core_btf ($(fsize "$D/ref.btf") bytes) differs from the collection's $ENTRY ($(fsize "$TMP/entry.btf") bytes)"
		fi
	else
		fail reference "bpftool gen min_core_btf failed: $(grep -i -m 1 error "$TMP/bpftool.out" | cut -c 1-200)"
		HAVE_REF=
	fi
fi

# ---------------------------------------------------------------------------
# the runtime library's test program (built before the namespaces run it)
# ---------------------------------------------------------------------------
LOADER=
LOADER_OBJS=
for o in execsnoop opensnoop biolatency; do
	[ -f "$TMP/objs/$o.0.bpf.o" ] && LOADER_OBJS="$LOADER_OBJS $TMP/objs/$o.0.bpf.o"
done
[ -n "$LOADER_OBJS" ] || LOADER_OBJS=$(echo "$OBJS" | awk '{ print $1, $2 }')
NLOBJ=$(echo "$LOADER_OBJS" | wc -w)
why=
if ! command -v "$CC" >/dev/null 2>&1; then
	why="no C compiler ($CC)"
elif ! command -v pkg-config >/dev/null 2>&1; then
	why="pkg-config missing (tests/deps.sh)"
elif ! pkg-config --exists libbpf 2>/dev/null; then
	why="libbpf-dev missing: pkg-config libbpf fails (tests/deps.sh)"
elif ! command -v ld >/dev/null 2>&1; then
	why="ld missing (binutils)"
fi
if [ -n "$why" ]; then
	skip runtime "$why: the runtime library is not tested"
elif [ -z "$RTFLAGS" ]; then
	fail runtime/build "$RTWHY"
else
	BPFFLAGS=$(pkg-config --cflags --libs libbpf)
	mkdir -p "$TMP/emb"
	EMB=coll.tar
	if command -v xz >/dev/null 2>&1 && xz -c "$D/coll.tar" >"$TMP/emb/coll.bin" 2>/dev/null; then
		EMB=coll.tar.xz
	else
		cp "$D/coll.tar" "$TMP/emb/coll.bin"
		note "xz missing: the loader embeds the plain tar"
	fi
	# shellcheck disable=SC2086
	if (cd "$TMP/emb" && ld -r -b binary -z noexecstack -o coll.o coll.bin) 2>"$TMP/ld.err" &&
		timeout -k 5 120 "$CC" -std=c11 -O2 -Wall -Wextra -o "$D/loader" "$LOADER_SRC" \
			"$TMP/emb/coll.o" $RTFLAGS $BPFFLAGS >"$TMP/cc.log" 2>&1; then
		LOADER=$D/loader
		exp=$(nm -g --defined-only "$D/loader" 2>/dev/null | grep -c ' btfgen_rt_')
		pass "runtime/build (tests/e2e/pick/loader.c, $RTHOW; libbpf $(pkg-config --modversion libbpf); $EMB embedded, $(fsize "$TMP/emb/coll.bin") bytes; $exp btfgen_rt_* symbols)"
		[ -s "$TMP/cc.log" ] && note "loader.c compiler output: $(flat "$TMP/cc.log" 3)"
	else
		fail runtime/build "ld -r -b binary or $CC failed: $(flat "$TMP/ld.err" 2) $(grep -m 2 -e error "$TMP/cc.log" | tr '\n' '|' | cut -c 1-300)"
	fi
	# only btfgen_rt_* leave the library (Makefile: every other symbol hidden)
	lib=$TMP/inst/usr/lib/libbtfgen-runtime.a
	rt_ok "$lib" || lib=$ROOT/build/libbtfgen-runtime.a
	nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort >"$TMP/rt.syms"
	if [ "$(words "$TMP/rt.syms")" = "btfgen_rt_cleanup btfgen_rt_ensure" ]; then
		pass "runtime/symbols (libbtfgen-runtime.a defines only btfgen_rt_cleanup, btfgen_rt_ensure)"
	else
		fail runtime/symbols "libbtfgen-runtime.a defines global symbols besides btfgen_rt_*: $(grep -v '^btfgen_rt_' "$TMP/rt.syms" | head -n 8 | tr '\n' ' ')"
	fi
fi

# ---------------------------------------------------------------------------
# the namespaces
# ---------------------------------------------------------------------------
NS_TO=$((PT * 3 + 120))
# ns MODE [DIR]: tests/e2e/pick/ns.sh MODE DIR (default $D) in a private
# mount namespace; 0 if its setup went through (else FAIL named ns/MODE)
ns() {
	nd=${2:-$D}
	BTFGEN=$BTFGEN PICK_T=$PT PICK_TRACEFS=${BTFGEN_PICK_TRACEFS:-1} PICK_LOADER_OBJS=$LOADER_OBJS \
		PICK_ONLY=$NS_ONLY timeout -k 10 "$NS_TO" unshare -m --propagation private sh "$NSH" "$1" "$nd" \
		>"$nd/ns-$1.out" 2>&1
	nrc=$?
	if [ $nrc -ne 0 ]; then
		fail "ns/$1${2:+ (control)}" "unshare ... sh tests/e2e/pick/ns.sh $1: exit $nrc: $(grep FATAL "$nd/$1/setup.log" 2>/dev/null | head -n 1) $(flat "$nd/ns-$1.out" 2)"
		return 1
	fi
	return 0
}
NS_OK=
NS_ONLY=
for m in real bare btfgen ${HAVE_REF:+ref}; do
	if ns "$m"; then
		NS_OK="$NS_OK $m"
	fi
done
grep -h 'tracefs mounted' "$D"/*/setup.log 2>/dev/null | head -n 1 | grep -q . &&
	note "tracefs was not mounted on the host: each namespace mounted its own on /sys/kernel/tracing"
grep -h '^retried' "$D"/*/setup.log 2>/dev/null | sed 's/^retried/tools run again/' >>"$TMP/notes"
has() { case " $NS_OK " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------------------
# 1. btfgen install, and the tools
# ---------------------------------------------------------------------------
if has btfgen; then
	O=$D/btfgen
	why=
	irc=$(cat "$O/step.install.rc" 2>/dev/null)
	dest=/boot/vmlinux-$REL
	if [ "$irc" != 0 ]; then
		why="btfgen install --from coll.tar: exit $irc: $(line1 "$O/step.install.err")"
	elif [ "$(line1 "$O/step.install.out")" != "$dest" ]; then
		why="stdout is not '$dest': $(flat "$O/step.install.out")"
	elif [ ! -s "$O/installed" ]; then
		why="no $dest after install"
	else
		hdr=$(readelf -h "$O/installed" 2>&1 | sed -n 's/^ *\(Class\|Data\|Machine\|Type\): *//p' | tr -s ' ' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
		if ! objcopy --dump-section .BTF="$TMP/installed.btf" "$O/installed" "$TMP/installed.oc" 2>"$TMP/oc.err"; then
			why="objcopy can't read its .BTF section: $(line1 "$TMP/oc.err")"
		elif ! cmp -s "$TMP/installed.btf" "$TMP/entry.btf"; then
			why="its .BTF ($(fsize "$TMP/installed.btf") bytes) is not the collection's $ENTRY ($(fsize "$TMP/entry.btf") bytes)"
		elif ! grep -q -- "-rw-r--r-- .* vmlinux-$REL\$" "$O/boot.ls"; then
			why="mode is not 0644: $(grep "vmlinux-$REL" "$O/boot.ls")"
		elif ! readelf -h "$O/installed" 2>/dev/null | grep -q 'Type: *REL ' ||
			! readelf -SW "$O/installed" 2>/dev/null | grep -q ' \.symtab '; then
			why="not an ET_REL ELF with a symbol table (README: cilium/ebpf needs one): $hdr"
		elif [ "$(grep -c -v '^total' "$O/boot.ls")" -ne 1 ]; then
			why="/boot holds more than vmlinux-$REL (a temporary file left?): $(grep -v '^total' "$O/boot.ls" | awk '{ print $NF }' | tr '\n' ' ')"
		fi
	fi
	if [ -n "$why" ]; then
		fail install/hidden "$why"
	else
		pass "install/hidden (BTF hidden: $dest, $(fsize "$O/installed") bytes, ELF: $hdr; .BTF $(fsize "$TMP/installed.btf") bytes = the collection's $ENTRY, a .symtab; mode 0644, nothing else in /boot)"
	fi
	if [ "$(cat "$O/step.install-again.rc" 2>/dev/null)" = 0 ] && grep -q 'install again: same bytes' "$O/setup.log"; then
		pass "install/again (a second install replaces its own file: exit 0, same bytes)"
	else
		fail install/again "exit $(cat "$O/step.install-again.rc" 2>/dev/null): $(line1 "$O/step.install-again.err")"
	fi
	if [ -s "$O/installed" ]; then
		# shellcheck disable=SC2086
		bt verify /sys/kernel/btf/vmlinux "$O/installed" $BINS
		if [ $RC -eq 0 ] && [ -z "$BAD" ]; then
			pass "install/verify (btfgen verify, the kernel's BTF against the installed ELF: $(line1 "$TMP/bt.out" | sed 's/^verify: //'))"
		else
			fail install/verify "exit $RC $BAD: $(grep -v warning "$TMP/bt.err" | head -n 1) $(line1 "$TMP/bt.out")"
		fi
	fi
fi

if has ref; then
	O=$D/ref
	if [ "$(cat "$O/step.install-foreign.rc" 2>/dev/null)" = 1 ] && grep -q 'foreign file kept' "$O/setup.log" &&
		[ "$(nlines "$O/step.install-foreign.err")" -eq 1 ]; then
		pass "install/foreign (over the reference's objcopy file: left alone, exit 1: $(line1 "$O/step.install-foreign.err"))"
	else
		fail install/foreign "over a /boot/vmlinux-$REL btfgen did not write: exit $(cat "$O/step.install-foreign.rc" 2>/dev/null) (want 1, the file kept): $(flat "$O/step.install-foreign.err" 2)"
	fi
fi

# outcome DIR NAME: one normalised line for a tool run
PROBE_WARN="failed to parse vmlinux BTF at '/sys/kernel/btf/vmlinux'"
ERRPAT='fail|error|err:|cannot|can.t|unable|not found|invalid|denied|no such|missing|not supported|refused|no btf'
errline() {
	grep -v -F "$PROBE_WARN" "$1" 2>/dev/null | grep -i -m 1 -E "$ERRPAT" |
		sed -E 's/0x[0-9a-fA-F]+/0xN/g; s/[0-9]{4,}/N/g; s/[[:space:]]+$//' | cut -c 1-160
}
outcome() {
	if [ ! -s "$1/$2.rc" ]; then
		echo "not run"
		return
	fi
	read -r orc oms <"$1/$2.rc"
	oel=$(errline "$1/$2.err")
	if [ "$oms" -ge $((PT * 1000)) ]; then
		case $orc in
		0) echo "runs" ;;
		130) echo "still setting up at the SIGINT" ;;
		137) echo "hangs (SIGKILL 3 s after the SIGINT)" ;;
		*) echo "runs, exit $orc at the SIGINT${oel:+: $oel}" ;;
		esac
	else
		echo "exit $orc${oel:+: $oel}"
	fi
}
# tooldir MODE: where its outcomes are (the rerun when there was one)
outc() {
	if [ -s "$D/$1/rerun/$2.rc" ]; then
		outcome "$D/$1/rerun" "$2"
	else
		outcome "$D/$1/tools" "$2"
	fi
}

# judge NAME: sets VERDICT (helped, nobtf, cant, bad) and WHY
judge() {
	jr=$(outc real "$1")
	jb=$(outc btfgen "$1")
	jn=$(outc bare "$1")
	jf=
	[ -n "$HAVE_REF" ] && has ref && jf=$(outc ref "$1")
	kbtf=$(cat "$TMP/sec/$1.kbtf" 2>/dev/null)
	WHY=
	if [ "$jb" = "$jr" ] && [ "$jn" = "$jr" ]; then
		VERDICT=nobtf
	elif [ "$jb" = "$jr" ]; then
		VERDICT=helped
	elif [ -n "$kbtf" ] || echo "$jb" | grep -q 'BTF'; then
		VERDICT=cant
		if [ -n "$kbtf" ]; then
			WHY="attach targets in the kernel's BTF: $kbtf"
			[ -n "$(cat "$TMP/sec/$1.other")" ] && WHY="$WHY; also $(cat "$TMP/sec/$1.other")"
		else
			WHY="reads the kernel's BTF itself beyond CO-RE"
		fi
		if [ -n "$jf" ] && [ "$jf" != "$jb" ]; then
			VERDICT=bad
			WHY="differs from the real BTF and from the reference"
		fi
	else
		VERDICT=bad
		WHY="differs from the real BTF"
	fi
	# no worse than the reference
	if [ -n "$jf" ] && [ "$jf" != "$jb" ] && [ "$VERDICT" != bad ] && [ "$jb" != "$jr" ]; then
		VERDICT=bad
		WHY="differs from the reference"
	fi
}

if has real && has bare && has btfgen; then
	# a difference is run again (real, btfgen, ref), once, before it counts
	: >"$TMP/again"
	while read -r n _; do
		judge "$n"
		[ "$VERDICT" = bad ] && echo "$n" >>"$TMP/again"
	done <"$D/tools"
	if [ -s "$TMP/again" ]; then
		note "run again, their outcomes differed: $(words "$TMP/again")"
		NS_ONLY=$(words "$TMP/again")
		for m in real btfgen ${HAVE_REF:+ref}; do
			ns "$m" || true
		done
		NS_ONLY=
	fi
	NT=0 NBARE=0 NHELP=0 NCANT=0 NNOBTF=0 NREFSAME=0
	: >"$TMP/cant"
	: >"$TMP/nobtf"
	: >"$TMP/bare.msgs"
	while read -r n _; do
		NT=$((NT + 1))
		judge "$n"
		# what it prints bare
		[ "$jn" != "$jr" ] && NBARE=$((NBARE + 1)) && echo "$jn" | sed 's/^exit [0-9]*: //' >>"$TMP/bare.msgs"
		[ -n "$jf" ] && [ "$jf" = "$jb" ] && NREFSAME=$((NREFSAME + 1))
		refs=
		if [ -n "$jf" ]; then
			if [ "$jf" = "$jb" ]; then refs="; reference: the same"; else refs="; reference: $jf"; fi
		fi
		case $VERDICT in
		helped)
			NHELP=$((NHELP + 1))
			pass "tool/$n (as with the real BTF: $jr; bare: $jn$refs)"
			;;
		nobtf)
			NNOBTF=$((NNOBTF + 1))
			echo "$n" >>"$TMP/nobtf"
			pass "tool/$n (as with the real BTF: $jr; the same bare: needs no BTF$refs)"
			;;
		cant)
			NCANT=$((NCANT + 1))
			echo "$n" >>"$TMP/cant"
			pass "tool/$n (can't be helped by a reduced BTF ($WHY): real BTF: $jr; btfgen install: $jb$refs)"
			;;
		*)
			fail "tool/$n" "$WHY: real BTF: $jr; btfgen install: $jb; bare: $jn${jf:+; reference: $jf}"
			;;
		esac
	done <"$D/tools"
	# which tools have kernel-BTF attach sections, and which of those pick a fallback by themselves
	kl=
	for f in "$TMP"/sec/*.kbtf; do
		[ -s "$f" ] || continue
		n=$(basename "$f" .kbtf)
		if [ -s "$TMP/sec/$n.other" ]; then
			kl="$kl, $n ($(cat "$f"); and $(cat "$TMP/sec/$n.other"))"
		else
			kl="$kl, $n ($(cat "$f") only)"
		fi
	done
	[ -n "$kl" ] && note "objects with programs attached through the kernel's own BTF: ${kl#, }"
	nwarn=$(grep -l -F "$PROBE_WARN" "$D"/bare/tools/*.err 2>/dev/null | wc -l)
	[ "$nwarn" -gt 0 ] &&
		note "$nwarn tools print \"$PROBE_WARN: ...\" whenever the kernel exposes no BTF (libbpf-tools' own fentry probe reads sysfs directly), then carry on: that line is left out of the outcomes"
	if [ "$NBARE" -gt 0 ]; then
		msgs=$(sort "$TMP/bare.msgs" | uniq -c | sort -rn | awk '{ c = $1; $1 = ""; sub(/^ /, ""); printf "%s%dx \"%s\"", (NR > 1 ? ", " : ""), c, $0 }')
		pass "bare ($NBARE of $NT tools fail with the BTF hidden: $msgs)"
	else
		fail bare "no tool behaves differently with the BTF hidden: the hiding did not work"
	fi
	summary="$NT tools (binaries embedding BPF objects): $NBARE fail bare; after btfgen install $((NHELP + NNOBTF)) behave as with the real BTF ($NHELP of them needed it, $NNOBTF need none: $(words "$TMP/nobtf")); $NCANT can't be helped by any reduced BTF: $(words "$TMP/cant")"
	[ -n "$HAVE_REF" ] && has ref && summary="$summary; the reference recipe gives the same outcome as btfgen for $NREFSAME of $NT"
	if [ $((NHELP + NNOBTF + NCANT)) -eq "$NT" ]; then
		pass "tools/summary: $summary"
	else
		fail tools/summary "$summary; $((NT - NHELP - NNOBTF - NCANT)) failed (above)"
	fi
else
	skip tools "a namespace run failed (above): no tool comparison"
fi

# the control: another kernel's BTF filed under this kernel's key (what a
# wrong pick would install) must change some tool's outcome beyond those no
# reduced BTF can help, or "the same outcome" would prove nothing
WRONG=
if [ -n "$QUICK" ]; then
	skip control/wrong-kernel "BTFGEN_E2E_QUICK"
elif [ -f "$TMP/cant" ]; then
	for f in $(cd "$TMP/tree" && find . -mindepth 4 -maxdepth 4 -name '*.btf.tar.xz' | sort); do
		a=$(basename "$(dirname "$f")")
		case "$a:$ARCH" in
		"$ARCH:$ARCH" | amd64:x86_64 | x86_64:amd64 | arm64:aarch64 | aarch64:arm64) ;;
		*) continue ;;
		esac
		WRONG=${f#./}
		case $WRONG in "$OSR_ID"/*) break ;; esac	# same distribution first
	done
fi
if [ -z "$WRONG" ]; then
	[ -f "$TMP/cant" ] && [ -z "$QUICK" ] && skip control/wrong-kernel "no corpus kernel of arch $ARCH to install in place of this one"
else
	W=$TMP/dw
	mkdir -p "$W/tree/$OSR_ID/$OSR_VER/$ARCH"
	cp "$TMP/tree/$WRONG" "$W/tree/$KEY.btf.tar.xz"
	cp "$D/tools" "$D/empty" "$W/"
	# shellcheck disable=SC2086
	bt archive --tar "$W/coll.tar" "$W/tree" "$W/arch-out" $BINS
	if [ $RC -ne 0 ] || [ -n "$BAD" ]; then
		fail control/wrong-kernel "btfgen archive of ${WRONG%.btf.tar.xz} under $KEY: exit $RC $BAD: $(grep -v warning "$TMP/bt.err" | head -n 1)"
	elif ns btfgen "$W"; then
		: >"$TMP/wrong.diff"
		while read -r n _; do
			grep -q -x "$n" "$TMP/cant" && continue
			[ "$(outcome "$W/btfgen/tools" "$n")" != "$(outc real "$n")" ] && echo "$n" >>"$TMP/wrong.diff"
		done <"$D/tools"
		if [ -s "$TMP/wrong.diff" ]; then
			pass "control/wrong-kernel (${WRONG%.btf.tar.xz}'s BTF installed in place of this kernel's: $(nlines "$TMP/wrong.diff") tools that a reduced BTF can help now differ from the real BTF: $(words "$TMP/wrong.diff"): the comparison can fail)"
		else
			fail control/wrong-kernel "${WRONG%.btf.tar.xz}'s BTF installed in place of this kernel's changes no tool's outcome: the tool comparison can't tell a wrong BTF from the right one here"
		fi
	fi
fi

# ---------------------------------------------------------------------------
# 2. select and the runtime library
# ---------------------------------------------------------------------------
if has bare; then
	O=$D/bare
	src=$(cat "$O/step.select.rc" 2>/dev/null)
	by=$(sed -n 's/.*"by": "\([a-z_]*\)".*/\1/p' "$O/step.select-json.out" 2>/dev/null | head -n 1)
	if [ "$src" = 0 ] && [ "$(cat "$O/step.select.out")" = "$ENTRY" ] && [ "$by" = exact ]; then
		pass "select/hidden (BTF hidden: prints $ENTRY, step '$by')"
	else
		fail select/hidden "exit $src, stdout '$(flat "$O/step.select.out")', want $ENTRY by 'exact' (--json by: '$by'): $(line1 "$O/step.select.err")"
	fi
fi
bt select --from "$D/coll.tar"
if [ $RC -eq 0 ] && [ -z "$BAD" ] && [ ! -s "$TMP/bt.out" ]; then
	pass "select/real (the kernel's BTF: prints nothing, exit 0: $(line1 "$TMP/bt.err"))"
else
	fail select/real "exit $RC $BAD, stdout '$(flat "$TMP/bt.out")' (want none)"
fi
bt install --from "$D/coll.tar" --output "$TMP/host-install.elf"
if [ $RC -eq 0 ] && [ -z "$BAD" ] && [ ! -e "$TMP/host-install.elf" ]; then
	pass "install/real (the kernel's BTF: nothing written, exit 0)"
else
	fail install/real "exit $RC $BAD; $TMP/host-install.elf $([ -e "$TMP/host-install.elf" ] && echo written || echo absent): $(line1 "$TMP/bt.err")"
fi

# ensure_line FILE: the loader's "ensure:" line; sets E_RC E_PATH E_SIZE E_MODE E_MAGIC E_MSG
ensure_line() {
	el=$(grep -m 1 '^ensure: ' "$1")
	E_RC=$(echo "$el" | sed -n 's/^ensure: rc=\(-*[0-9]*\) .*/\1/p')
	E_PATH=$(echo "$el" | sed -n 's/.* path=\([^ ]*\) size=.*/\1/p')
	E_SIZE=$(echo "$el" | sed -n 's/.* size=\(-*[0-9]*\) .*/\1/p')
	E_MODE=$(echo "$el" | sed -n 's/.* mode=\([0-7]*\) .*/\1/p')
	E_MAGIC=$(echo "$el" | sed -n 's/.* magic=\(0x[0-9a-f]*\) .*/\1/p')
	E_MSG=$(echo "$el" | sed -n 's/.* msg=//p')
}
# loads FILE: "N of M" objects loaded
loads() {
	echo "$(grep -c '^load .*: ok' "$1") of $(grep -c '^load ' "$1")"
}
if [ -n "$LOADER" ] && has bare; then
	O=$D/bare
	# no BTF, no runtime: the loads fail
	f=$O/step.loader-none
	if [ "$(cat "$f.rc")" = 1 ] && [ "$(grep -c '^load .*: failed' "$f.out")" -eq "$NLOBJ" ]; then
		pass "runtime/no-btf-fails (BTF hidden, no runtime: $NLOBJ of $NLOBJ objects fail to load: $(grep -m 1 -i 'btf' "$f.err" | cut -c 1-100))"
	else
		fail runtime/no-btf-fails "exit $(cat "$f.rc"), loaded $(loads "$f.out") (want none): the check can't fail"
	fi
	for v in embedded file; do
		f=$O/step.loader-$v
		ensure_line "$f.out"
		why=
		if [ "$(cat "$f.rc")" != 0 ]; then
			why="exit $(cat "$f.rc"): $(grep -m 1 -e '^ensure' -e failed "$f.out") $(line1 "$f.err")"
		elif [ "$E_RC" != 0 ] || [ "$E_PATH" = "(null)" ] || [ -z "$E_PATH" ]; then
			why="btfgen_rt_ensure: rc $E_RC path $E_PATH (want 0 and a path): $E_MSG"
		elif [ "$E_MAGIC" != 0xeb9f ]; then
			why="the file does not start with the BTF magic: $E_MAGIC"
		elif [ "$E_MODE" != 0600 ]; then
			why="the temporary file's mode is $E_MODE, not 0600"
		elif ! cmp -s "$O/picked.$v" "$TMP/entry.btf"; then
			why="the picked file ($E_SIZE bytes) is not the collection's $ENTRY"
		elif [ "$(grep -c '^load .*: ok' "$f.out")" -ne "$NLOBJ" ]; then
			why="loaded $(loads "$f.out")"
		fi
		case $v in
		embedded) what="the embedded $EMB" ;;
		*) what="coll.tar read from a file" ;;
		esac
		if [ -n "$why" ]; then
			fail "runtime/$v" "$what: $why"
		else
			progs=$(sed -n 's/^load .*\/\([a-z0-9_]*\)\.[0-9]*\.bpf\.o: ok (\([0-9]*\) programs loaded, \([0-9]*\) not.*/\1 \2+\3/p' "$f.out" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
			pass "runtime/$v (BTF hidden, $what: btfgen_rt_ensure -> ${E_PATH#"$O/rtmp/"} in \$TMPDIR, mode 0600, $E_SIZE bytes, BTF magic, = the collection's $ENTRY; $(loads "$f.out") objects load with btf_custom_path (programs loaded+skipped for kernel-BTF attach: $progs))"
		fi
	done
	if [ -s "$O/rtmp.left" ]; then
		fail runtime/cleanup "files left in \$TMPDIR after btfgen_rt_cleanup: $(words "$O/rtmp.left")"
	else
		pass "runtime/cleanup (no temporary file left in \$TMPDIR after btfgen_rt_cleanup)"
	fi
	for v in other:-2:"a collection without this kernel" notcoll:-22:"a file that is not a collection"; do
		n=${v%%:*}
		r=${v#*:}
		want=${r%%:*}
		what=${r#*:}
		f=$O/step.loader-$n
		ensure_line "$f.out"
		if [ "$E_RC" = "$want" ] && [ "$E_PATH" = "(null)" ] && [ -n "$E_MSG" ] && [ ! -s "$f.err" ]; then
			pass "runtime/$n ($what: rc $E_RC, path NULL, nothing printed; errbuf: $E_MSG)"
		else
			fail "runtime/$n" "$what: rc '$E_RC' (want $want), path $E_PATH, errbuf '$E_MSG', stderr: $(line1 "$f.err")"
		fi
	done
fi
if [ -n "$LOADER" ]; then
	# outside the namespace: the kernel's BTF, the runtime asks for nothing
	mkdir -p "$TMP/rt-host"
	for v in embedded file; do
		if [ $v = file ]; then set -- -c "$D/coll.tar"; else set --; fi
		# shellcheck disable=SC2086
		TMPDIR=$TMP/rt-host timeout -k 5 60 "$LOADER" "$@" $LOADER_OBJS >"$TMP/host.out" 2>"$TMP/host.err"
		lrc=$?
		ensure_line "$TMP/host.out"
		if [ $lrc -eq 0 ] && [ "$E_RC" = 0 ] && [ "$E_PATH" = "(null)" ] &&
			[ "$(grep -c '^load .*: ok' "$TMP/host.out")" -eq "$NLOBJ" ] && [ -z "$(ls -A "$TMP/rt-host")" ]; then
			pass "runtime/real-$v (the kernel's BTF, outside the namespace: btfgen_rt_ensure rc 0, path NULL; $(loads "$TMP/host.out") objects load with the kernel's BTF)"
		else
			fail "runtime/real-$v" "exit $lrc, ensure rc '$E_RC' path '$E_PATH' (want 0 and NULL), loaded $(loads "$TMP/host.out"), \$TMPDIR: $(find "$TMP/rt-host" -mindepth 1 | tr '\n' ' '): $(line1 "$TMP/host.err")"
		fi
	done
fi

if [ -n "$LOADER" ]; then
	# force: pick even though the kernel has its own BTF
	# shellcheck disable=SC2086
	TMPDIR=$TMP/rt-host timeout -k 5 60 "$LOADER" -f -o "$TMP/forced.btf" $LOADER_OBJS >"$TMP/host.out" 2>"$TMP/host.err"
	lrc=$?
	ensure_line "$TMP/host.out"
	if [ $lrc -eq 0 ] && [ "$E_RC" = 0 ] && [ "$E_PATH" != "(null)" ] && cmp -s "$TMP/forced.btf" "$TMP/entry.btf" &&
		[ "$(grep -c '^load .*: ok' "$TMP/host.out")" -eq "$NLOBJ" ] && [ -z "$(find "$TMP/rt-host" -mindepth 1)" ]; then
		pass "runtime/real-force (the kernel's BTF, opts.force: a path all the same, = the collection's $ENTRY; $(loads "$TMP/host.out") objects load with it; removed by btfgen_rt_cleanup)"
	else
		fail runtime/real-force "exit $lrc, ensure rc '$E_RC' path '$E_PATH' (want 0 and a path holding $ENTRY), loaded $(loads "$TMP/host.out"): $(line1 "$TMP/host.err")"
	fi
fi

# ---------------------------------------------------------------------------
# 3. hostile: where install writes
# ---------------------------------------------------------------------------
PASSWD_SUM=$(sha256sum /etc/passwd | cut -d' ' -f1)
BOOT_LS=$(find /boot -maxdepth 1 2>/dev/null | sort | tr '\n' ' ')
# mark DIR: everything below DIR made 10 s old, DIR/.mark 5 s old, so that
# newfiles sees what is written from now on (whatever the timestamp tick)
mark() {
	find "$1" -exec touch -h -d '-10 seconds' {} + 2>/dev/null
	touch -d '-5 seconds' "$1/.mark"
}
# newfiles DIR: what appeared or changed below DIR since mark DIR (not .mark)
newfiles() {
	find "$1" -newer "$1/.mark" ! -name .mark ! -type d -print 2>/dev/null | sed "s|^$1/||" | sort | tr '\n' ' ' | sed 's/ $//'
}
# hroot DIR: a host root at DIR/root with this host's os-release, no BTF
hroot() {
	mkdir -p "$1/root/etc"
	cp /etc/os-release "$1/root/etc/os-release" 2>/dev/null || printf 'ID=%s\nVERSION_ID=%s\n' "$OSR_ID" "$OSR_VER" >"$1/root/etc/os-release"
}

# ROOT/boot is a symlink to another folder: written through it (the root is the user's)
H=$TMP/h1
hroot "$H"
mkdir -p "$H/elsewhere"
ln -s ../elsewhere "$H/root/boot"
mark "$H"
bt install --from "$D/coll.tar" --root "$H/root"
new=$(newfiles "$H")
if [ -n "$BAD" ]; then
	fail hostile/root-boot-symlink "$BAD"
elif [ $RC -eq 0 ] && [ "$new" = "elsewhere/vmlinux-$REL" ] && [ -L "$H/root/boot" ]; then
	pass "hostile/root-boot-symlink (--root R with R/boot -> ../elsewhere: written through it as a folder path: elsewhere/vmlinux-$REL, $(fsize "$H/elsewhere/vmlinux-$REL") bytes; stdout: $(line1 "$TMP/bt.out" | sed "s|$H/||"); nothing else written, the symlink kept)"
elif [ $RC -ne 0 ] && [ -z "$new" ] && [ "$(nlines "$TMP/bt.err")" -eq 1 ]; then
	pass "hostile/root-boot-symlink (--root R with R/boot -> ../elsewhere: refused, nothing written: $(line1 "$TMP/bt.err" | sed "s|$H/||g"))"
else
	fail hostile/root-boot-symlink "exit $RC; written: '$new'; stderr: $(flat "$TMP/bt.err" 2 | sed "s|$H/||g")"
fi

# the output path is a symlink to another file: left alone; --force replaces the link
H=$TMP/h2
hroot "$H"
mkdir -p "$H/root/boot"
echo victim >"$H/victim"
ln -s ../../victim "$H/root/boot/vmlinux-$REL"
mark "$H"
bt install --from "$D/coll.tar" --root "$H/root"
rc1=$RC bad1=$BAD err1=$(line1 "$TMP/bt.err" | sed "s|$H/||g") n1=$(nlines "$TMP/bt.err")
new1=$(newfiles "$H")
bt install --force --from "$D/coll.tar" --root "$H/root"
new2=$(newfiles "$H")
if [ -n "$bad1$BAD" ]; then
	fail hostile/output-symlink "$bad1 $BAD"
elif [ "$rc1" -ne 1 ] || [ -n "$new1" ] || [ "$n1" -ne 1 ]; then
	fail hostile/output-symlink "without --force: exit $rc1 (want 1, one line, nothing written), written: '$new1': $err1"
elif [ "$(cat "$H/victim")" != victim ] || [ $RC -ne 0 ] || [ -L "$H/root/boot/vmlinux-$REL" ] ||
	[ "$new2" != "root/boot/vmlinux-$REL" ]; then
	fail hostile/output-symlink "with --force: exit $RC, victim '$(head -c 20 "$H/victim")', written '$new2', link $([ -L "$H/root/boot/vmlinux-$REL" ] && echo kept || echo replaced): $(line1 "$TMP/bt.err")"
else
	pass "hostile/output-symlink (ROOT/boot/vmlinux-$REL -> a file: left alone, exit 1: $err1; with --force the link is replaced by the ELF, the file it named untouched)"
fi

# --format raw --output over files btfgen did not write. A raw BTF carries no
# mark: README counts "for --format raw anything that is not raw BTF" as
# foreign (left alone, exit 1, unless --force), install --help says "an
# existing file btfgen did not write is left alone unless --force". A
# non-raw file must be left alone; what happens to a raw BTF is reported.
H=$TMP/h5
hroot "$H"
mkdir -p "$H/root/boot"
cp /sys/kernel/btf/vmlinux "$H/root/boot/admin.btf"
cp "$D/notcoll" "$H/root/boot/other.o"
sum_a=$(sha256sum "$H/root/boot/admin.btf" | cut -d' ' -f1)
sum_o=$(sha256sum "$H/root/boot/other.o" | cut -d' ' -f1)
mark "$H"
bt install --format raw --output "$H/root/boot/other.o" --from "$D/coll.tar" --root "$H/root"
rc_o=$RC bad_o=$BAD n_o=$(nlines "$TMP/bt.err") err_o=$(line1 "$TMP/bt.err" | sed "s|$H/||g")
new_o=$(newfiles "$H")
bt install --format raw --output "$H/root/boot/admin.btf" --from "$D/coll.tar" --root "$H/root"
err_a=$(line1 "$TMP/bt.err" | sed "s|$H/||g")
if [ -n "$bad_o$BAD" ]; then
	fail hostile/raw-existing "$bad_o $BAD"
elif [ "$rc_o" -ne 1 ] || [ "$n_o" -ne 1 ] || [ -n "$new_o" ] ||
	[ "$(sha256sum "$H/root/boot/other.o" | cut -d' ' -f1)" != "$sum_o" ]; then
	fail hostile/raw-existing "--format raw --output F, F a BPF ELF object: exit $rc_o (want 1, one line, F kept), written: '$new_o': $err_o"
elif [ "$(sha256sum "$H/root/boot/admin.btf" | cut -d' ' -f1)" = "$sum_a" ] && [ $RC -eq 1 ]; then
	pass "hostile/raw-existing (--format raw --output over files btfgen did not write: a BPF ELF object and a raw BTF (a copy of the kernel's) are both left alone, exit 1: $err_o)"
elif [ $RC -eq 0 ] && cmp -s "$H/root/boot/admin.btf" "$TMP/entry.btf" && [ "$(newfiles "$H")" = root/boot/admin.btf ]; then
	pass "hostile/raw-existing (--format raw --output over files btfgen did not write: a BPF ELF object is left alone, exit 1 ($err_o); a raw BTF ($(fsize /sys/kernel/btf/vmlinux) bytes, a copy of the kernel's) is REPLACED without --force, exit 0: README's rule for raw, not install --help's)"
	note "install --format raw replaces an existing raw BTF it did not write, without --force: README says so (\"for --format raw anything that is not raw BTF\" is foreign), install --help says \"an existing file btfgen did not write is left alone unless --force\""
else
	fail hostile/raw-existing "--format raw --output F, F a raw BTF btfgen did not write: exit $RC, F $(fsize "$H/root/boot/admin.btf") bytes, neither kept nor replaced by the collection's entry: $err_a"
fi

# crafted collections (python3 tarfile): refused with one line (naming the
# collection, for the cases README lists), nothing written
python3 - "$TMP/h3" "$ENTRY" "$TMP/entry.btf" "$D/coll.tar" <<'PYEOF'
import io, os, sys, tarfile
out, entry, btf = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()
os.makedirs(out, exist_ok=True)
def tar(name, members):
    with tarfile.open(os.path.join(out, name), "w", format=tarfile.GNU_FORMAT) as t:
        for m in members:
            ti = tarfile.TarInfo(m[1])
            ti.mode = 0o644
            if m[0] == "file":
                ti.size = len(m[2])
                t.addfile(ti, io.BytesIO(m[2]))
            else:
                ti.type = tarfile.LNKTYPE if m[0] == "link" else tarfile.SYMTYPE
                ti.linkname = m[2]
                t.addfile(ti)
other = os.path.dirname(entry) + "/0.0.0-pick-other.btf"
tar("dotdot.tar", [("file", "../../" + entry, btf)])
tar("dotdot-inner.tar", [("file", other, btf), ("file", os.path.dirname(entry) + "/../../../../x/" + os.path.basename(entry), btf)])
tar("abs.tar", [("file", "/" + entry, btf)])
tar("link-abs.tar", [("file", other, btf), ("link", entry, "/etc/passwd")])
tar("link-rel.tar", [("file", other, btf), ("link", entry, "../../../../../etc/passwd")])
tar("link-missing.tar", [("file", other, btf), ("link", entry, "etc/passwd")])
tar("link-forward.tar", [("link", entry, other), ("file", other, btf)])
tar("link-nonkernel.tar", [("file", "README", btf), ("link", entry, "README")])
tar("twice.tar", [("file", entry, btf), ("file", entry, btf)])
tar("symlink.tar", [("file", other, btf), ("sym", entry, "/etc/passwd")])
tar("not-btf.tar", [("file", entry, open("/etc/passwd", "rb").read())])
coll = open(sys.argv[4], "rb").read()
open(os.path.join(out, "truncated.tar"), "wb").write(coll[:len(coll) // 2 + 100])
PYEOF
# NAME:C:WHAT, C = 1: the line must name the collection (README: "one line
# naming the collection and the member")
for c in dotdot:1:"a member named ../../$ENTRY" \
	dotdot-inner:1:"a member named ${ENTRY%/*}/../../../../x/${ENTRY##*/}" \
	abs:1:"a member named /$ENTRY" \
	link-abs:1:"$ENTRY a hard link to /etc/passwd" \
	link-rel:1:"$ENTRY a hard link to ../../../../../etc/passwd" \
	link-missing:1:"$ENTRY a hard link to etc/passwd (no such member)" \
	link-forward:1:"$ENTRY a hard link to a later member" \
	link-nonkernel:1:"$ENTRY a hard link to a member README" \
	twice:1:"$ENTRY twice" \
	truncated:1:"coll.tar cut in the middle" \
	symlink:0:"$ENTRY a symlink to /etc/passwd" \
	not-btf:0:"$ENTRY holding /etc/passwd's bytes"; do
	n=${c%%:*}
	r=${c#*:}
	named=${r%%:*}
	what=${r#*:}
	H=$TMP/h4/$n
	hroot "$H"
	mkdir -p "$H/root/boot" "$H/cwd/a/b"
	mark "$H"
	if [ ! -s "$TMP/h3/$n.tar" ]; then
		fail "hostile/tar-$n" "python3 did not write the crafted tar"
		continue
	fi
	(cd "$H/cwd/a/b" && timeout -k 5 "$TO" "$BTFGEN" install --from "$TMP/h3/$n.tar" --root "$H/root" \
		</dev/null >"$TMP/bt.out" 2>"$TMP/bt.err")
	RC=$?
	new=$(newfiles "$H")
	ls -A "$H/root/boot" >"$TMP/boot.ls"
	if [ $RC -ge 124 ]; then
		fail "hostile/tar-$n" "$what: exit $RC (timeout or signal)"
	elif [ $RC -ne 1 ] || [ "$(nlines "$TMP/bt.err")" -ne 1 ] || [ -n "$new" ] || [ -s "$TMP/boot.ls" ] ||
		[ -s "$TMP/bt.out" ]; then
		fail "hostile/tar-$n" "$what: exit $RC (want 1), $(nlines "$TMP/bt.err") stderr lines (want 1), written: '$new' $(words "$TMP/boot.ls"): $(flat "$TMP/bt.err" 2)"
	elif [ "$named" = 1 ] && ! grep -q -F "$n.tar" "$TMP/bt.err"; then
		fail "hostile/tar-$n" "$what: refused, nothing written, but the line does not name the collection $n.tar: $(line1 "$TMP/bt.err")"
	else
		pass "hostile/tar-$n ($what: exit 1, nothing written: $(line1 "$TMP/bt.err" | sed "s|$TMP/h3/||"))"
		[ "$named" = 1 ] || grep -q -F "$n.tar" "$TMP/bt.err" ||
			note "hostile/tar-$n: the line names the member but not the collection ($n.tar): $(line1 "$TMP/bt.err")"
	fi
done
if [ "$(sha256sum /etc/passwd | cut -d' ' -f1)" = "$PASSWD_SUM" ] &&
	[ "$(find /boot -maxdepth 1 2>/dev/null | sort | tr '\n' ' ')" = "$BOOT_LS" ]; then
	pass "hostile/host-untouched (/etc/passwd and the host's /boot unchanged)"
else
	fail hostile/host-untouched "/etc/passwd or /boot changed"
fi

finish
