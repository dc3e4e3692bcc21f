#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/pick/ns.sh MODE DIR - one condition of tests/e2e/pick_ns.sh, run
# by it inside a private mount namespace:
#
#   unshare -m --propagation private sh tests/e2e/pick/ns.sh MODE DIR
#
# Every mount made here is private to the namespace and goes away with it.
# MODE:
#   real     the kernel's own BTF (nothing hidden): the baseline
#   bare     BTF hidden (an empty file bound over /sys/kernel/btf/vmlinux,
#            an empty tmpfs on /boot), nothing installed; also the runtime
#            library's loader (DIR/loader) and `btfgen select` there
#   btfgen   BTF hidden, then `btfgen install --from DIR/coll.tar` (twice:
#            the second replaces its own file)
#   ref      BTF hidden, then bpftool's reduced file (DIR/ref.btf) wrapped by
#            objcopy into /boot/vmlinux-$(uname -r): the reference recipe;
#            after the tools, `btfgen install` over that foreign file
#
# It judges nothing: it writes what happened below DIR/MODE/ (one
# NAME.rc "STATUS MILLISECONDS", NAME.out, NAME.err per tool; step.* files
# for the other steps) and DIR/MODE/setup.log; pick_ns.sh compares.
#
# Environment (set by pick_ns.sh): BTFGEN, PICK_T (seconds each tool runs),
# PICK_TRACEFS (1: mount tracefs when it is not mounted, so that tools get
# past attach), PICK_LOADER_OBJS (objects for the loader), PICK_ONLY (run
# only these tools, into DIR/MODE/rerun, and skip bare's other steps);
# DIR/tools holds one "NAME ARGS..." line per tool.
# Exit status: 0, or 3 when the setup failed (setup.log says which step).
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 real|bare|btfgen|ref DIR" >&2
	exit 2
fi
MODE=$1
D=$2
O=$D/$MODE
mkdir -p "$O" || exit 3
REL=$(uname -r)
T=${PICK_T:-5}
LOG=$O/setup.log
: >"$LOG"
log() { echo "$*" >>"$LOG"; }
die() {
	log "FATAL: $*"
	exit 3
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# step NAME TIMEOUT CMD...: run a bounded command, keep its status and output
step() {
	sn=$1 st=$2
	shift 2
	timeout -k 2 "$st" "$@" </dev/null >"$O/step.$sn.out" 2>"$O/step.$sn.err"
	echo $? >"$O/step.$sn.rc"
}

# run_tools SUBDIR SECONDS [NAME...]: every tool of DIR/tools (or the NAMEs)
# at once, each stopped by SIGINT after SECONDS (SIGKILL 3 s later)
run_tools() {
	rd=$O/$1 rt=$2
	shift 2
	mkdir -p "$rd"
	while read -r name args; do
		if [ $# -gt 0 ]; then
			case " $* " in *" $name "*) ;; *) continue ;; esac
		fi
		(
			t0=$(now_ms)
			# shellcheck disable=SC2086
			timeout -k 3 --preserve-status -s INT "$rt" "/usr/sbin/$name" $args \
				</dev/null >"$rd/$name.out" 2>"$rd/$name.err"
			rc=$?
			echo "$rc $(($(now_ms) - t0))" >"$rd/$name.rc"
		) &
	done <"$D/tools"
	wait
}

# settle SUBDIR [NAME...]: run_tools; a tool killed by the SIGINT itself
# (status 130 at the deadline) was still setting up (loading: a few CPUs,
# dozens of verifier runs at once): run those again, fewer at once, longer
settle() {
	sd=$1
	shift
	run_tools "$sd" "$T" "$@"
	again=
	for f in "$O/$sd"/*.rc; do
		read -r rc ms <"$f"
		[ "$rc" = 130 ] && [ "$ms" -ge $((T * 1000)) ] && again="$again $(basename "$f" .rc)"
	done
	if [ -n "$again" ]; then
		log "retried (still setting up after ${T}s):$again"
		# shellcheck disable=SC2086
		run_tools "$sd" $((T * 2)) $again
	fi
}

# ---- mounts ----
if [ "${PICK_TRACEFS:-1}" = 1 ] && [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>>"$LOG" && log "tracefs mounted on /sys/kernel/tracing"
fi
if [ "$MODE" != real ]; then
	[ -e "$D/empty" ] || die "$D/empty missing"
	mount --bind "$D/empty" /sys/kernel/btf/vmlinux 2>>"$LOG" ||
		die "mount --bind $D/empty /sys/kernel/btf/vmlinux failed"
	mount -t tmpfs -o size=64m,mode=0755 pick-boot /boot 2>>"$LOG" ||
		die "mount -t tmpfs on /boot failed"
	[ -s /sys/kernel/btf/vmlinux ] && die "/sys/kernel/btf/vmlinux still has content"
	[ -z "$(ls -A /boot)" ] || die "/boot not empty after the tmpfs mount"
	log "hidden: /sys/kernel/btf/vmlinux is $(wc -c </sys/kernel/btf/vmlinux) bytes; /boot is an empty tmpfs"
fi

# ---- the condition ----
case $MODE in
real) ;;
bare)
	# btfgen select, and the runtime library, with the BTF hidden
	if [ -z "${PICK_ONLY:-}" ]; then
		step select 30 "$BTFGEN" select --from "$D/coll.tar"
		step select-json 30 "$BTFGEN" select --json --from "$D/coll.tar"
	fi
	if [ -z "${PICK_ONLY:-}" ] && [ -x "$D/loader" ]; then
		mkdir -p "$O/rtmp"
		L="env TMPDIR=$O/rtmp $D/loader"	# no spaces in DIR (mktemp)
		# shellcheck disable=SC2086
		{
			# no runtime, no BTF: the load must fail (the test can fail)
			step loader-none 60 $L -n $PICK_LOADER_OBJS
			# the embedded collection
			step loader-embedded 60 $L -o "$O/picked.embedded" $PICK_LOADER_OBJS
			# the collection read from a file
			step loader-file 60 $L -c "$D/coll.tar" -o "$O/picked.file" $PICK_LOADER_OBJS
			# a collection without this kernel, and a file that is not a collection
			step loader-other 60 $L -c "$D/coll-other.tar" -E
			step loader-notcoll 60 $L -c "$D/notcoll" -E
		}
		ls -A "$O/rtmp" >"$O/rtmp.left"
	fi
	;;
btfgen)
	step install 30 "$BTFGEN" install --from "$D/coll.tar"
	cp "/boot/vmlinux-$REL" "$O/installed" 2>/dev/null
	ls -lA /boot >"$O/boot.ls"
	# a second install over our own file: replaced (ours), same bytes
	step install-again 30 "$BTFGEN" install --from "$D/coll.tar"
	cmp -s "/boot/vmlinux-$REL" "$O/installed" && log "install again: same bytes"
	;;
ref)
	[ -s "$D/ref.btf" ] || die "$D/ref.btf missing"
	step objcopy 30 objcopy --input binary --output elf64-little --rename-section .data=.BTF \
		"$D/ref.btf" "/boot/vmlinux-$REL"
	[ "$(cat "$O/step.objcopy.rc")" = 0 ] || die "objcopy failed: $(head -n 1 "$O/step.objcopy.err")"
	;;
*)
	die "unknown MODE $MODE"
	;;
esac

# PICK_ONLY="NAME...": only those tools, again, into DIR/MODE/rerun
if [ -n "${PICK_ONLY:-}" ]; then
	rm -rf "$O/rerun"
	# shellcheck disable=SC2086
	settle rerun $PICK_ONLY
else
	settle tools
fi
# the reference's file is not btfgen's: install leaves it alone (after the tools ran)
if [ "$MODE" = ref ] && [ -z "${PICK_ONLY:-}" ]; then
	cp "/boot/vmlinux-$REL" "$O/foreign"
	step install-foreign 30 "$BTFGEN" install --from "$D/coll.tar"
	cmp -s "/boot/vmlinux-$REL" "$O/foreign" && log "install over the foreign file: foreign file kept"
fi

exit 0
