#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/e2e/relocs_verify.sh BTFGEN - end-to-end tests of `btfgen relocs`,
# `btfgen verify` and the verification `btfgen min_core_btf` does on its own
# output (run from anywhere; e.g. `sh tests/e2e/relocs_verify.sh ./btfgen`
# from the repository root).
#
# Prints one line per check: "PASS name", "FAIL name: reason" or
# "SKIP name: reason", then a table of the relocations compared with libbpf
# per kernel, and last, alone on its line,
#   relocs-verify: N passed, M failed, K skipped
# Exit status: 1 if any check failed or none passed, 0 otherwise (2: usage).
#
# libbpf is the oracle: `bpftool -d gen min_core_btf` prints every decision
# libbpf's CO-RE resolver makes (tests/tools/bpftool_relos.py parses it and
# ties each relocation to its object by reading the objects' .BTF.ext);
# btfgen's `relocs --json --btf` must give the same first matching target,
# target access, number of matching candidates, byte offset / value and
# poisoning for every relocation, keyed by (object, section, relo #N).
# `verify` must report exactly the relocations libbpf decides differently on
# the reduced BTF (same oracle, run on the reduced file).
#
# Environment:
#   BTFGEN_CORPUS      kernel BTF corpus (default ../shared/corpus, relative to
#                      the repository root)
#   BTFGEN_E2E_QUICK=1 reduced set: /sys/kernel/btf/vmlinux and one corpus
#                      kernel (no BTFHub archives), e.g. for sanitizer builds
#   BTFGEN_E2E_TIMEOUT per-command timeout in seconds (default 30)
#   BPFTOOL            reference tool (default /usr/sbin/bpftool, Debian v7.1)
#   CLANG              passed through to tests/progs/build.sh (default clang-19)
#
# Needs (see `make deps`): bpftool, libbpf-tools, clang-19, python3, xz, timeout.
set -u

. "$(dirname "$0")/common.sh"

BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
CORPUS=${BTFGEN_CORPUS:-../shared/corpus}
QUICK=${BTFGEN_E2E_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
TO=${BTFGEN_E2E_TIMEOUT:-30}
TOOLS="$ROOT/tests/tools"
EXPECTED="$ROOT/tests/expected"
VMLINUX=/sys/kernel/btf/vmlinux

ASAN_OPTIONS="exitcode=99:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="exitcode=99:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS
LC_ALL=C
export LC_ALL

TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-rv.XXXXXX") || exit 1
case $TMP in
*[[:space:]]*)	# object lists are word-split below
	rmdir "$TMP"
	TMP=$(mktemp -d /tmp/btfgen-rv.XXXXXX) || exit 1
	;;
esac
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NPASS=0
NFAIL=0
NSKIP=0
pass() { NPASS=$((NPASS + 1)); echo "PASS $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL $1: $2"; }
skip() { NSKIP=$((NSKIP + 1)); echo "SKIP $1: $2"; }
finish() {
	if [ -s "$TMP/agree.tsv" ]; then
		echo
		echo "relocations compared with libbpf (bpftool -d), per kernel:"
		printf '  %-48s %6s %7s %6s %9s %7s\n' kernel relocs targets multi poisoned offsets
		while IFS='	' read -r l n t m p o; do
			printf '  %-48s %6s %7s %6s %9s %7s\n' "$l" "$n" "$t" "$m" "$p" "$o"
		done <"$TMP/agree.tsv"
		echo
	fi
	echo "time: $(($(date +%s) - START)) s"
	echo "relocs-verify: $NPASS passed, $NFAIL failed, $NSKIP skipped"
	if [ $NFAIL -gt 0 ] || [ $NPASS -eq 0 ]; then
		exit 1
	fi
	exit 0
}

line1() { head -n 1 "$1" 2>/dev/null | tr '\t' ' ' | cut -c 1-300; }
# nowarn FILE: FILE without btfgen's warnings about objects that contribute
# nothing (9 libbpf-tools objects have no CO-RE relocation), in place
nowarn() {
	grep -v -e '^btfgen: warning: .*: contributes nothing$' "$1" >"$1.nw"
	mv "$1.nw" "$1"
}
nlines() { wc -l <"$1" | tr -d ' '; }
flat() { head -n "${2:-3}" "$1" 2>/dev/null | tr '\n\t' '| ' | cut -c 1-400; }

# bt ARGS...: run btfgen under a timeout. Sets RC, BAD (non-empty: hang,
# signal or sanitizer report), $TMP/stdout and $TMP/stderr.
bt() {
	timeout -k 5 "$TO" "$BTFGEN" "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
	RC=$?
	BAD=
	if [ $RC -eq 124 ]; then
		BAD="timed out after ${TO}s (hang?): btfgen $*"
	elif [ $RC -ge 128 ]; then
		BAD="exit status $RC (signal $((RC - 128))): btfgen $*"
	elif [ $RC -eq 99 ] || grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr"; then
		BAD="sanitizer report (exit $RC): $(grep -m 1 -e 'Sanitizer' -e 'runtime error:' "$TMP/stderr" | cut -c 1-200)"
	fi
}

# bpd OUTFILE KERNEL OBJ...: bpftool -d gen min_core_btf, stderr to OUTFILE.
# Sets BRC. The reduced file goes to $TMP/bpd.btf.
bpd() {
	bpd_out=$1 bpd_k=$2
	shift 2
	rm -f "$TMP/bpd.btf"
	timeout -k 5 "$TO" "$BPFTOOL" -d gen min_core_btf "$bpd_k" "$TMP/bpd.btf" "$@" \
		</dev/null >/dev/null 2>"$bpd_out"
	BRC=$?
}

# the libbpf oracle: bpftool stderr -> JSON (object, section, index ...)
parse_bp() { # STDERR OUT.json [--partial] OBJ...
	pb_in=$1 pb_out=$2
	shift 2
	python3 "$TOOLS/bpftool_relos.py" "$@" 2>"$TMP/parse.err" >"$pb_out" <"$pb_in"
}
# RV CMD ARGS...: the comparison helpers below
RV() { RV_TOOLS=$TOOLS python3 "$TMP/rv.py" "$@"; }

cat >"$TMP/rv.py" <<'EOF'
# Comparison helpers of relocs_verify.sh (see the commands at the end).
import json
import os
import re
import sys

sys.path.insert(0, os.environ["RV_TOOLS"])
import bpftool_relos  # noqa: E402  (tests/tools: the libbpf oracle's parser)

FIELD = {"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64"}
POISON = {"byte_off", "byte_sz", "signed", "lshift_u64", "rshift_u64", "enumval_value"}
EXISTS = {"field_exists", "type_exists", "enumval_exists", "type_matches"}
BASE_KEYS = ["object", "section", "index", "insn", "kind", "local_type_id", "local_type",
             "access"]
BTF_KEYS = ["target_type_id", "target_access", "matches", "value", "poisoned", "error"]
KINDS = ["byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
         "local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
         "enumval_value", "type_matches"]


def load(path):
    with open(path) as f:
        return json.load(f)


def key(r):
    return (r["object"], r["section"], r["index"])


def keystr(k):
    return "%s %s relo #%d" % k


def problems(bad):
    return "%d problem(s): %s" % (len(bad), " | ".join(bad[:3]))


def report(bad):
    print(problems(bad))
    return 1


def byte_off_how(value, bit_off):
    """libbpf's FIELD_BYTE_OFFSET for a field at @bit_off is bit_off / 8, or
    for a bitfield the offset of the aligned 1/2/4/8-byte load holding it."""
    if value * 8 == bit_off:
        return "exact"
    for sz in (1, 2, 4, 8):
        if value % sz == 0 and value * 8 <= bit_off < (value + sz) * 8:
            return "bitfield"
    return None


def parse_bpftool(stderr_path, objs, partial):
    """bpftool -d stderr -> relocations with their objects (bpftool_relos.py)."""
    with open(stderr_path, encoding="utf-8", errors="replace") as f:
        relos = bpftool_relos.parse_stream(f)
    bpftool_relos.attribute(relos, objs, partial)
    return relos


def cmd_agree(args):
    """agree BTFGEN.json BPFTOOL.json [FROM=TO...]: btfgen relocs --json --btf
    vs the parsed bpftool -d output, relocation by relocation. FROM=TO renames
    btfgen's objects first. Prints one line; exit 1 on any disagreement."""
    rename = dict(a.split("=", 1) for a in args[2:])
    ok, line = agree(load(args[0]), load(args[1]), rename)
    print(line)
    return 0 if ok else 1


def cmd_agree_pair(args):
    """agree-pair BPFTOOL_STDERR PARTIAL(0|1) OBJ BTFGEN.json [BTFGEN2.json OBJ2]:
    parse bpftool's output for OBJ, then agree BTFGEN.json (and BTFGEN2.json,
    btfgen's output for the same program as OBJ2, e.g. the bpfeb build).
    One line per btfgen file: "ok<TAB>stats" or "fail<TAB>why"."""
    try:
        bp = parse_bpftool(args[0], [args[2]], args[1] == "1")
    except bpftool_relos.ParseError as err:
        for _ in args[3::2]:
            print("fail\tbpftool_relos.py: %s" % err)
        return 1
    rc = 0
    ok, line = agree(load(args[3]), bp, {})
    print("%s\t%s" % ("ok" if ok else "fail", line))
    rc |= not ok
    if len(args) > 5:
        ok, line = agree(load(args[4]), bp, {args[5]: args[2]})
        print("%s\t%s" % ("ok" if ok else "fail", line))
        rc |= not ok
    return rc


def agree(bt, bp, rename):
    for r in bt:
        r["object"] = rename.get(r["object"], r["object"])
    bad = []
    btk = {}
    for r in bt:
        miss = [k for k in BASE_KEYS + BTF_KEYS if k not in r]
        if miss:
            bad.append("%s: btfgen JSON lacks %s" % (keystr(key(r)), ",".join(miss)))
        if key(r) in btk:
            bad.append("%s: twice in btfgen's JSON" % keystr(key(r)))
        btk[key(r)] = r
    if bad:
        return False, problems(bad)
    bpk = {key(r): r for r in bp}
    partial = any(r["errors"] for r in bp)
    only_bp = [k for k in bpk if k not in btk]
    only_bt = [k for k in btk if k not in bpk]
    if only_bp:
        bad.append("%d relocations printed by bpftool missing from btfgen's JSON, e.g. %s"
                   % (len(only_bp), keystr(only_bp[0])))
    if only_bt and not partial:
        bad.append("%d relocations in btfgen's JSON not printed by bpftool, e.g. %s"
                   % (len(only_bt), keystr(only_bt[0])))
    st = dict(n=0, target=0, multi=0, poisoned=0, exact=0, bitfield=0, errors=0, enum=0)
    for k, p in bpk.items():
        b = btk.get(k)
        if b is None:
            continue
        st["n"] += 1
        w = keystr(k)
        kind = p["kind"]

        def chk(what, got, want):
            if got != want:
                bad.append("%s (%s): %s: btfgen %r, libbpf %r" % (w, kind, what, got, want))
        if p["errors"]:
            # libbpf failed on this relocation: so must btfgen
            st["errors"] += 1
            if b["error"] is None:
                bad.append("%s: libbpf failed (%s), btfgen has no error" % (w, p["errors"][0]))
            continue
        chk("kind", b["kind"], kind)
        chk("local_type_id", b["local_type_id"], p["local_type_id"])
        chk("access", b["access"], p["access"])
        chk("insn", b["insn"], p["insn"])
        chk("error", b["error"], None)
        if kind == "local_type_id":
            chk("target_type_id", b["target_type_id"], None)
            chk("matches", b["matches"], 0)
            chk("value", b["value"], p["local_type_id"])
            chk("poisoned", b["poisoned"], False)
            continue
        chk("target_type_id", b["target_type_id"], p["target_type_id"])
        chk("matches", b["matches"], p["matches"])
        matched = p["matches"] > 0
        st["target"] += matched
        st["multi"] += p["matches"] > 1
        if kind in FIELD:
            chk("target_access", b["target_access"], p["target_access"])
        # libbpf (relo_core.c): no match poisons field kinds but FIELD_EXISTS,
        # and ENUMVAL_VALUE; the other kinds get 0
        poison = not matched and kind in POISON
        chk("poisoned", b["poisoned"], poison)
        if poison:
            st["poisoned"] += 1
            chk("value", b["value"], None)
            continue
        if b["value"] is None:
            bad.append("%s (%s): value null, not poisoned" % (w, kind))
            continue
        if kind == "byte_off":
            how = byte_off_how(b["value"], p["target_bit_offset"])
            if how is None:
                bad.append("%s: byte_off: btfgen %d, libbpf's field is at bit %d (offset %d.%d)"
                           % (w, b["value"], p["target_bit_offset"],
                              p["target_bit_offset"] // 8, p["target_bit_offset"] % 8))
            else:
                st[how] += 1
        elif kind in EXISTS:
            chk("value", b["value"], 1 if matched else 0)
        elif kind == "enumval_value":
            st["enum"] += 1
            chk("value", b["value"], p["target_enum_value"] % (1 << 64))
        elif kind == "target_type_id":
            chk("value", b["value"], p["target_type_id"] if matched else 0)
        elif kind == "type_size" and not matched:
            chk("value", b["value"], 0)
    if bad:
        return False, problems(bad)
    return True, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d" % (
        st["n"], st["target"], st["multi"], st["poisoned"], st["exact"], st["bitfield"],
        st["enum"], st["errors"])


def decision(r):
    if r["errors"]:
        return ("error",)
    if r["matches"] == 0:
        return ("none",)
    return ("match", r["target_path"], r["target_bit_offset"], r["target_enum_value"])


def cmd_oracle(args):
    """oracle FULL.json REDUCED_BPFTOOL_STDERR OBJLIST VERIFY_STDERR: the
    relocations btfgen verify reports (its difference lines, one per
    relocation, nothing else) are exactly those libbpf decides differently
    on the reduced BTF (bpftool -d on it) than on the full one (FULL.json)."""
    full = load(args[0])
    objs = open(args[2]).read().split()
    try:
        red = parse_bpftool(args[1], objs, False)
    except bpftool_relos.ParseError as err:
        print("bpftool -d on the reduced BTF: %s" % err)
        return 1
    ka = {key(r): r for r in full}
    kb = {key(r): r for r in red}
    if set(ka) != set(kb):
        print("libbpf: %d relocations on the full BTF, %d on the reduced one" % (len(ka), len(kb)))
        return 1
    libbpf = sorted("%s|%s|%d" % k for k in ka if decision(ka[k]) != decision(kb[k]))
    got = []
    with open(args[3]) as f:
        for line in f:
            m = VLINE.match(line)
            if not m:
                print("verify printed a line that is not a difference line: %s" % line.strip()[:200])
                return 1
            got.append("%s|%s|%d" % (m.group(1), m.group(2), int(m.group(3))))
    got.sort()
    if got != libbpf:
        only_l = [k for k in libbpf if k not in got]
        only_v = [k for k in got if k not in libbpf]
        print("verify reports %d differences, libbpf sees %d: libbpf only: %s; verify only: %s"
              % (len(got), len(libbpf), " ".join(only_l[:2]) or "-", " ".join(only_v[:2]) or "-"))
        return 1
    print(len(got))
    return 0


VLINE = re.compile(r"^btfgen: verify: (.*): section '(.*)' relo #(\d+) "
                   r"\(insn \d+, [a-z0-9_]+, .*\): .*; .*$")


def cmd_keys(args):
    """keys JSON btf|nobtf: valid JSON array, every key present (with --btf the
    result keys too; without, no result keys). Prints the count."""
    try:
        d = load(args[0])
    except ValueError as err:
        print("not valid JSON: %s" % err)
        return 1
    if not isinstance(d, list):
        print("not a JSON array")
        return 1
    bad = []
    for r in d:
        if not isinstance(r, dict):
            bad.append("element is not an object")
            continue
        miss = [k for k in BASE_KEYS if k not in r]
        if args[1] == "btf":
            miss += [k for k in BTF_KEYS if k not in r]
            if "poisoned" in r and not isinstance(r["poisoned"], bool):
                bad.append("poisoned is not a bool")
            if r.get("value") is None and r.get("poisoned") is False and r.get("error") is None:
                bad.append("%s #%s: value null, not poisoned" % (r.get("section"), r.get("index")))
        else:
            extra = [k for k in BTF_KEYS[:-1] if k in r]
            if extra:
                bad.append("%s #%s: result keys without --btf: %s"
                           % (r.get("section"), r.get("index"), ",".join(extra)))
        if miss:
            bad.append("%s #%s: missing %s" % (r.get("section"), r.get("index"), ",".join(miss)))
        if r.get("kind") not in KINDS:
            bad.append("kind %r" % r.get("kind"))
    if bad:
        return report(bad)
    print(len(d))
    return 0


def cmd_records(args):
    """records BTFGEN.json RECORDS.json: btfgen's relocations are exactly the
    objects' .BTF.ext records (bpftool_relos.py --records), same order."""
    a, b = load(args[0]), load(args[1])
    if len(a) != len(b):
        return report(["btfgen lists %d relocations, the objects have %d records"
                       % (len(a), len(b))])
    for x, y in zip(a, b):
        for k in ("object", "section", "index", "insn", "kind", "local_type_id", "access"):
            if x.get(k) != y[k]:
                return report(["%s: %s: btfgen %r, .BTF.ext %r" % (keystr(key(y)), k, x.get(k),
                                                                   y[k])])
    print(len(a))
    return 0


def cmd_same(args):
    """same A.json B.json: the same relocations with the same keys and values,
    object names aside; prints "nameA<TAB>nameB" per object."""
    a, b = load(args[0]), load(args[1])
    if len(a) != len(b):
        print("%d vs %d relocations" % (len(a), len(b)))
        return 1
    names = {}
    for x, y in zip(a, b):
        if names.setdefault(x["object"], y["object"]) != y["object"]:
            print("object order differs at %s / %s" % (x["object"], y["object"]))
            return 1
        x2, y2 = dict(x), dict(y)
        del x2["object"], y2["object"]
        if x2 != y2:
            diff = sorted(k for k in set(x2) | set(y2) if x2.get(k) != y2.get(k))
            print("%s %s relo #%s differs in %s" % (x["object"], x["section"], x["index"], diff))
            return 1
    for k, v in names.items():
        print("%s\t%s" % (k, v))
    return 0


def cmd_summary(args):
    """summary TEXT JSON: the text output of relocs --btf has one line per
    relocation and per-object (and total) summary lines counting what the
    JSON of the same run says."""
    text, d = open(args[0]).read().splitlines(), load(args[1])
    per, order = {}, []
    for r in d:
        if r["object"] not in per:
            per[r["object"]] = dict(n=0, res=0, poi=0, nf=0, fail=0)
            order.append(r["object"])
        c = per[r["object"]]
        c["n"] += 1
        if r["error"] is not None:
            c["fail"] += 1
        elif r["poisoned"]:
            c["poi"] += 1
        elif r["target_type_id"] is not None or r["kind"] == "local_type_id":
            c["res"] += 1
        else:
            c["nf"] += 1

    def line(name, c):
        s = "%s: %d relocation%s, %d resolved, %d poisoned" % (
            name, c["n"], "" if c["n"] == 1 else "s", c["res"], c["poi"])
        if c["nf"]:
            s += ", %d not found (value 0)" % c["nf"]
        if c["fail"]:
            s += ", %d failed" % c["fail"]
        return s
    tot = dict(n=0, res=0, poi=0, nf=0, fail=0)
    for c in per.values():
        for k in tot:
            tot[k] += c[k]
    want = [line(o, per[o]) for o in order]
    got = [l for l in text if not l.startswith("  ") and not l.endswith(":")]
    if len(order) > 1:
        want.append(line("total", tot))
    extra = [g for g in got if g not in want]
    missing = [w for w in want if w not in got]
    if extra or missing:
        return report(["summary line %r not expected" % g for g in extra] +
                      ["no summary line %r" % w for w in missing])
    nrel = sum(1 for l in text if l.startswith("  "))
    if nrel != len(d):
        return report(["%d relocation lines, %d relocations in the JSON" % (nrel, len(d))])
    print("%d objects, %d relocations, %d resolved, %d poisoned, %d not found"
          % (len(order), tot["n"], tot["res"], tot["poi"], tot["nf"]))
    return 0


def cmd_expect_lines(args):
    """expect-lines OUT RECORDS.json IDS SPEC: build the exact relocs text lines
    of SPEC ("idx|result" per line, result after "  => "; an empty result:
    no "=>" part) from the .BTF.ext records (insn, kind) and btfgen's own C
    spelling of the local access taken from SPEC's third field; @NAME@ is
    replaced by the id IDS maps NAME to. Checks each is a line of OUT."""
    out = open(args[0]).read().splitlines()
    recs = load(args[1])
    ids = dict(l.split("=", 1) for l in open(args[2]).read().split())
    bad, n = [], 0
    for spec in open(args[3]).read().splitlines():
        if not spec.strip():
            continue
        idx, acc, res = spec.split("|", 2)
        r = recs[int(idx)]
        for k, v in ids.items():
            res = res.replace("@%s@" % k, v)
        want = "  %s #%d  insn %-4d %-14s %s" % (r["section"], r["index"], r["insn"], r["kind"],
                                                acc)
        if res:
            want += "  => " + res
        n += 1
        if want not in out:
            near = [l for l in out if l.startswith("  %s #%d " % (r["section"], r["index"]))]
            bad.append("want %r, got %r" % (want, near[0] if near else None))
    if bad:
        return report(bad)
    print(n)
    return 0


CMDS = {"agree": cmd_agree, "agree-pair": cmd_agree_pair, "oracle": cmd_oracle,
        "keys": cmd_keys, "records": cmd_records,
        "same": cmd_same, "summary": cmd_summary, "expect-lines": cmd_expect_lines}

if __name__ == "__main__":
    try:
        sys.exit(CMDS[sys.argv[1]](sys.argv[2:]))
    except (OSError, ValueError, KeyError, IndexError, TypeError,
            bpftool_relos.ParseError) as err:
        # e.g. btfgen printed no valid JSON: one line for the FAIL message
        print("%s: %s: %s" % (sys.argv[1], type(err).__name__, err))
        sys.exit(1)
EOF

echo "relocs-verify: btfgen=$BTFGEN bpftool=$BPFTOOL corpus=$CORPUS${QUICK:+ (quick)}"

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
pass "prereq/btfgen ($(line1 "$TMP/stdout"))"
if ! python3 -c 'import json' 2>/dev/null; then
	fail prereq/python3 "python3 not found (run make deps)"
	finish
fi
HAVE_BPFTOOL=1
if ! "$BPFTOOL" version >/dev/null 2>&1; then
	fail prereq/bpftool "$BPFTOOL not runnable (run make deps: apt-get install bpftool)"
	HAVE_BPFTOOL=
fi

# ---------------------------------------------------------------------------
# kernels: /sys/kernel/btf/vmlinux + the corpus (hub extracted, kernels/);
# $TMP/kernels: "label path" per line
# ---------------------------------------------------------------------------
: >"$TMP/kernels"
if [ -r "$VMLINUX" ]; then
	echo "vmlinux $VMLINUX" >>"$TMP/kernels"
else
	skip kernels/vmlinux "$VMLINUX not readable (no running-kernel BTF on this machine)"
fi
if [ -d "$CORPUS" ]; then
	for f in "$CORPUS"/kernels/vmlinux-*.btf; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .btf)
		if [ -z "$QUICK" ] || [ "$b" = vmlinux-x86_64-2026 ]; then
			echo "${b#vmlinux-} $f" >>"$TMP/kernels"
		fi
	done
	if [ -z "$QUICK" ]; then
		mkdir -p "$TMP/hub"
		find "$CORPUS/hub" -name '*.btf.tar.xz' 2>/dev/null | sort >"$TMP/hub.list"
		i=0
		while read -r f; do
			i=$((i + 1))
			d="$TMP/hub/$i"
			mkdir -p "$d"
			name=$(basename "$f" .tar.xz)
			if timeout -k 5 "$TO" tar -xJf "$f" -C "$d" 2>"$TMP/tar.err" && [ -f "$d/$name" ]; then
				echo "$(basename "$name" .btf) $d/$name" >>"$TMP/kernels"
			else
				fail "corpus/extract/$name" "tar -xJf $f failed or has no member $name: $(line1 "$TMP/tar.err")"
			fi
		done <"$TMP/hub.list"
		[ -s "$TMP/hub.list" ] || fail corpus/extract "no .btf.tar.xz under $CORPUS/hub"
	else
		skip corpus/hub "quick run: BTFHub archives not extracted"
	fi
else
	skip corpus "corpus not found at $CORPUS (set BTFGEN_CORPUS)"
fi
BASEL=$(head -n 1 "$TMP/kernels" | cut -d' ' -f1)
BASEK=$(head -n 1 "$TMP/kernels" | cut -d' ' -f2-)

# ---------------------------------------------------------------------------
# libbpf-tools objects (tests/tools/extract_bpf.py); $TMP/objs.list
# ---------------------------------------------------------------------------
: >"$TMP/bins"
: >"$TMP/objs.list"
if dpkg -L libbpf-tools >"$TMP/pkg.list" 2>/dev/null; then
	grep '^/usr/sbin/' "$TMP/pkg.list" | sort | while read -r f; do
		[ -L "$f" ] || [ ! -f "$f" ] || echo "$f"
	done >"$TMP/bins"
else
	fail prereq/libbpf-tools "package libbpf-tools not installed (run make deps)"
fi
NBINS=$(nlines "$TMP/bins")
if [ "$NBINS" -gt 0 ]; then
	mkdir -p "$TMP/objs"
	# shellcheck disable=SC2046
	if python3 "$TOOLS/extract_bpf.py" "$TMP/objs" $(cat "$TMP/bins") >"$TMP/extract.log" 2>"$TMP/extract.err"; then
		cut -d' ' -f1 "$TMP/extract.log" >"$TMP/objs.list"
		pass "extract/libbpf-tools ($(nlines "$TMP/objs.list") objects from $NBINS binaries)"
	else
		fail extract/libbpf-tools "tests/tools/extract_bpf.py failed: $(line1 "$TMP/extract.err")"
	fi
fi
NOBJS=$(nlines "$TMP/objs.list")
OBJS=$(cat "$TMP/objs.list")	# no spaces in these paths (mktemp + tool names)
# the first half of the objects, for "reduced for a subset" checks
HALF=$(head -n $((NOBJS / 2)) "$TMP/objs.list")
if [ "$NOBJS" -gt 0 ]; then
	# shellcheck disable=SC2086
	python3 "$TOOLS/bpftool_relos.py" --records $OBJS >"$TMP/objs.records" 2>"$TMP/rec.err" ||
		fail records/libbpf-tools "bpftool_relos.py --records: $(line1 "$TMP/rec.err")"
	NRELOS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/objs.records" 2>/dev/null)
	# objects with at least one CO-RE relocation (verify counts those)
	NCORE=$(python3 -c 'import json,sys; print(len({r["object"] for r in json.load(open(sys.argv[1]))}))' "$TMP/objs.records" 2>/dev/null)
fi

# ---------------------------------------------------------------------------
# synthetic kernels and programs (tests/progs, clang-19)
# ---------------------------------------------------------------------------
PROGS=$TMP/progs
HAVE_PROGS=
if sh "$ROOT/tests/progs/build.sh" "$PROGS" >"$TMP/build.log" 2>&1; then
	HAVE_PROGS=1
	pass progs/build
else
	fail progs/build "tests/progs/build.sh failed (needs clang-19: run make deps or set CLANG): $(line1 "$TMP/build.log")"
fi

# ids KERN.o FILE: "NAME=id" for the kernel types the expected lines name,
# read with bpftool btf dump (not btfgen)
ids_of() {
	timeout -k 5 "$TO" "$BPFTOOL" btf dump file "$1" format raw 2>/dev/null | awk '
	/^\[[0-9]+\] / {
		id = substr($1, 2, length($1) - 2); k = $2; n = $3; gsub("\047", "", n)
		if (k == "STRUCT" || k == "UNION" || k == "TYPEDEF" || k == "ENUM" || k == "ENUM64") {
			key = k "_" n
			if (!(key in seen)) { seen[key] = id; print key "=" id }
			else if (!((key "2") in seen)) { seen[key "2"] = id; print key "2=" id }
		}
	}' >"$2"
}

# ---------------------------------------------------------------------------
# relocs: exact text lines, derived by hand from tests/progs/kern_basic.c and
# the programs (struct foo layout on a 64-bit target: x@0, bf1:3@bit 32,
# bf2:5@35, sbf:4@40, anon{anon_a@8, anon_b@16}, anon union{ua,ub}@24,
# in@28 (inner: a, b, name[16]; 24 bytes), pin@56, arr[4]@64, mat[2][3]@160,
# cv@184, td@188, col@192, sg@196, cb@200, fp@208, next@216, d@224,
# flex[]@232; task: pid@0, refs@4, parent@8, v@16 (parts.hi@20)).
# insn numbers come from the objects' .BTF.ext (bpftool_relos.py --records),
# type ids from bpftool btf dump of the kernel.
# ---------------------------------------------------------------------------
# relocs_lines NAME KERN PROG SPECFILE SUMMARY IDS: the exact lines of
# SPECFILE ("idx|local access as C|result", see expect-lines) and the summary
# line are in the output of relocs [--btf KERN] for PROG (bpfel and bpfeb)
relocs_lines() {
	rn=$1 rk=$2 rp=$3 rspec=$4 rsum=$5 rids=$6
	for e in bpfel bpfeb; do
		obj=$PROGS/$rp.$e.o
		n=relocs/text/$rn.$e
		python3 "$TOOLS/bpftool_relos.py" --records "$obj" >"$TMP/rl.rec" 2>"$TMP/rl.err" || {
			fail "$n" "bpftool_relos.py --records: $(line1 "$TMP/rl.err")"
			continue
		}
		if [ -n "$rk" ]; then
			bt relocs --btf "$PROGS/$rk.o" "$obj"
		else
			bt relocs "$obj"
		fi
		cp "$TMP/stdout" "$TMP/rl.out"
		total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/rl.rec")
		if [ -n "$BAD" ]; then
			fail "$n" "$BAD"
		elif [ $RC -ne 0 ]; then
			fail "$n" "exit $RC: $(line1 "$TMP/stderr")"
		elif [ -s "$TMP/stderr" ]; then
			fail "$n" "unexpected stderr: $(line1 "$TMP/stderr")"
		elif [ "$(line1 "$TMP/rl.out")" != "$obj:" ]; then
			fail "$n" "first line '$(line1 "$TMP/rl.out")', want '$obj:'"
		elif [ "$(tail -n 1 "$TMP/rl.out")" != "$obj: $rsum" ]; then
			fail "$n" "summary line '$(tail -n 1 "$TMP/rl.out")', want '$obj: $rsum'"
		elif [ "$(nlines "$TMP/rl.out")" -ne $((total + 2)) ]; then
			fail "$n" "$(nlines "$TMP/rl.out") lines, want $((total + 2)) ($total relocations + header + summary)"
		elif ! RV expect-lines "$TMP/rl.out" "$TMP/rl.rec" "$rids" "$rspec" >"$TMP/rl.res"; then
			fail "$n" "$(line1 "$TMP/rl.res")"
		else
			pass "$n ($(line1 "$TMP/rl.res") exact lines of $total + summary)"
		fi
	done
}

if [ -n "$HAVE_PROGS" ] && [ -n "$HAVE_BPFTOOL" ]; then
	for k in kern_basic kern_dup kern_tag kern_enum64; do
		ids_of "$PROGS/$k.o" "$TMP/ids.$k"
	done
	: >"$TMP/ids.none"

	# prog_fields vs kern_basic: 34 relocations (kinds 0-5)
	cat >"$TMP/spec.fields" <<'EOF'
0|struct foo___l->x|[@STRUCT_foo@] struct foo (0:0): offset 0
1|struct foo___l->bf2|[@STRUCT_foo@] struct foo (0:2): offset 4
2|struct foo___l->bf2|[@STRUCT_foo@] struct foo (0:2): size 4
3|struct foo___l->bf2|[@STRUCT_foo@] struct foo (0:2): lshift 56
4|struct foo___l->bf2|[@STRUCT_foo@] struct foo (0:2): rshift 59
5|struct foo___l->sbf|[@STRUCT_foo@] struct foo (0:3): signed 1
6|struct foo___l->pin|[@STRUCT_foo@] struct foo (0:7): offset 56
7|struct task___l->parent|[@STRUCT_task@] struct task (0:2): offset 8
8|struct foo___l->in.a|[@STRUCT_foo@] struct foo (0:6:0): offset 28
9|struct foo___l->mat[1]|[@STRUCT_foo@] struct foo (0:9:1): offset 172
10|struct foo___l->sbf|[@STRUCT_foo@] struct foo (0:3): lshift 52
11|struct foo___l->sbf|[@STRUCT_foo@] struct foo (0:3): rshift 60
12|struct foo___l->anon_b|[@STRUCT_foo@] struct foo (0:4:1): offset 16
13|struct foo___l->ua|[@STRUCT_foo@] struct foo (0:5:0): offset 24
14|struct foo___l->in.b|[@STRUCT_foo@] struct foo (0:6:1): offset 32
15|struct foo___l->arr[2].name[3]|[@STRUCT_foo@] struct foo (0:8:2:2:3): offset 123
16|struct foo___l->cv|[@STRUCT_foo@] struct foo (0:10): size 4
17|struct foo___l->td|[@STRUCT_foo@] struct foo (0:11): signed 0
18|struct foo___l->sg|[@STRUCT_foo@] struct foo (0:13): signed 1
19|struct foo___l->fp|[@STRUCT_foo@] struct foo (0:15): offset 208
20|struct foo___l->d|[@STRUCT_foo@] struct foo (0:17): offset 224
21|struct foo___l->flex[1]|[@STRUCT_foo@] struct foo (0:18:1): offset 236
22|struct foo___l->x|[@STRUCT_foo@] struct foo (0:0): exists 1
23|struct foo___l->missing|exists 0: field missing missing in struct foo
24|struct inner___l->a|[@STRUCT_inner@] struct inner (0:0): offset 0
25|struct foo___bad->x|exists 0: field x of struct foo has an incompatible type
26|typedef foo2_t___l->next|[@TYPEDEF_foo2_t@] typedef foo2_t (0:16): offset 216
27|struct task___l->v.parts.hi|[@STRUCT_task@] struct task (0:3:1:1): offset 20
28|struct task___l->pid|[@STRUCT_task@] struct task (0:0): offset 0
29|struct nosuch___l->q|exists 0: no struct nosuch___l in target
30|struct inner___l[2].b|[@STRUCT_inner@] struct inner (2:1): offset 52
31|union val___l->full|[@UNION_val@] union val (0:0): offset 0
32|struct task___l->refs.counter|[@STRUCT_task@] struct task (0:1:0): offset 4
33|typedef atomic_t___l->counter|[@TYPEDEF_atomic_t@] typedef atomic_t (0:0): offset 0
EOF
	relocs_lines prog_fields/kern_basic kern_basic prog_fields "$TMP/spec.fields" \
		"34 relocations, 31 resolved, 0 poisoned, 3 not found (value 0)" "$TMP/ids.kern_basic"

	# the same program against kern_tag, which has none of its types: every
	# field relocation is poisoned, FIELD_EXISTS (#22 #23 #25 #29) gives 0
	cat >"$TMP/spec.tag" <<'EOF'
0|struct foo___l->x|poisoned: no struct foo___l in target
3|struct foo___l->bf2|poisoned: no struct foo___l in target
22|struct foo___l->x|exists 0: no struct foo___l in target
26|typedef foo2_t___l->next|poisoned: no typedef foo2_t___l in target
29|struct nosuch___l->q|exists 0: no struct nosuch___l in target
31|union val___l->full|poisoned: no union val___l in target
EOF
	relocs_lines prog_fields/kern_tag kern_tag prog_fields "$TMP/spec.tag" \
		"34 relocations, 0 resolved, 30 poisoned, 4 not found (value 0)" "$TMP/ids.none"

	# no --btf: local information only (no "=>" part), summary without results
	cat >"$TMP/spec.nobtf" <<'EOF'
0|struct foo___l->x|
15|struct foo___l->arr[2].name[3]|
23|struct foo___l->missing|
30|struct inner___l[2].b|
33|typedef atomic_t___l->counter|
EOF
	relocs_lines prog_fields/no-btf "" prog_fields "$TMP/spec.nobtf" "34 relocations" "$TMP/ids.none"
	if grep -q '=>' "$TMP/rl.out"; then
		fail relocs/text/prog_fields/no-btf/no-results "a line has a result without --btf: $(grep -m 1 '=>' "$TMP/rl.out")"
	else
		pass relocs/text/prog_fields/no-btf/no-results
	fi

	# type-based (kinds 6-9): local id of struct foo___t read from the object
	ids_of "$PROGS/prog_types.bpfel.o" "$TMP/ids.prog_types"
	cat "$TMP/ids.kern_basic" "$TMP/ids.prog_types" >"$TMP/ids.types"
	cat >"$TMP/spec.types" <<'EOF'
0|struct foo___t|local type id @STRUCT_foo___t@
1|struct task___t|[@STRUCT_task@] struct task: type id @STRUCT_task@
2|union val___t|[@UNION_val@] union val: exists 1
3|typedef foo2_t___t|[@TYPEDEF_foo2_t@] typedef foo2_t: size 232
4|typedef inner_p___t|[@TYPEDEF_inner_p@] typedef inner_p: exists 1
6|typedef u32___t|[@TYPEDEF_u32@] typedef u32: size 4
7|enum sgn___t|[@ENUM_sgn@] enum sgn: size 4
8|typedef f32_t___t|exists 0: typedef f32_t is not compatible with the local type
9|struct missing___t|exists 0: no struct missing___t in target
10|struct missing___t|size 0: no struct missing___t in target
EOF
	relocs_lines prog_types/kern_basic kern_basic prog_types "$TMP/spec.types" \
		"11 relocations, 8 resolved, 0 poisoned, 3 not found (value 0)" "$TMP/ids.types"

	# enumerators (kinds 10-11): S_NEG = -5 is 2^64 - 5 as the u64 libbpf patches in
	cat >"$TMP/spec.enums" <<'EOF'
0|enum color___e::GREEN___e|[@ENUM_color@] enum color: value 1
1|enum color___e::BLUE___e|[@ENUM_color@] enum color: exists 1
2|enum color___e::PURPLE___e|exists 0: enumerator PURPLE___e missing in enum color
3|enum sgn___e::S_NEG___e|[@ENUM_sgn@] enum sgn: value 18446744073709551611
4|typedef color_t___e::RED___e2|[@TYPEDEF_color_t@] typedef color_t: value 0
5|enum nosuch___e::NOSUCH___e|exists 0: no enum nosuch___e in target
EOF
	relocs_lines prog_enums/kern_basic kern_basic prog_enums "$TMP/spec.enums" \
		"6 relocations, 4 resolved, 0 poisoned, 2 not found (value 0)" "$TMP/ids.kern_basic"

	# TYPE_MATCHES (kind 12): union val has u64 full, the local one int
	cat >"$TMP/spec.match" <<'EOF'
0|struct foo___m|[@STRUCT_foo@] struct foo: matches 1
1|union val___m|matches 0: union val does not match the local type
2|enum color___m|[@ENUM_color@] enum color: matches 1
3|typedef ok_cb_t___m|[@TYPEDEF_ok_cb_t@] typedef ok_cb_t: matches 1
EOF
	relocs_lines prog_match/kern_basic kern_basic prog_match "$TMP/spec.match" \
		"4 relocations, 3 resolved, 0 poisoned, 1 not found (value 0)" "$TMP/ids.kern_basic"

	# duplicate struct s ({x,y} then {x,y,z}): x matches both, z only the second
	cat >"$TMP/spec.dup" <<'EOF'
0|struct s___l->x|[@STRUCT_s@] struct s (0:0) (+1 more matching): offset 0
1|struct s___l->z|[@STRUCT_s2@] struct s (0:2): offset 8
2|struct same___l->b|[@STRUCT_same@] struct same (0:1) (+1 more matching): offset 4
3|struct same___l|[@STRUCT_same@] struct same (+1 more matching): exists 1
4|struct same___l|[@STRUCT_same@] struct same (+1 more matching): size 8
EOF
	relocs_lines prog_dup_ok/kern_dup kern_dup prog_dup_ok "$TMP/spec.dup" \
		"5 relocations, 5 resolved, 0 poisoned" "$TMP/ids.kern_dup"

	# ENUM64 (u64 max, signed -2^32) and a 4-byte local enum against an ENUM64
	cat >"$TMP/spec.e64" <<'EOF'
0|enum e64___l::E64_MAX___l|[@ENUM64_e64@] enum e64: value 18446744073709551615
3|enum s64e___l::S64_NEG___l|[@ENUM64_s64e@] enum s64e: value 18446744069414584320
4|enum e64___small::E64_ONE___small|[@ENUM64_e64@] enum e64: value 1
8|enum e64___small|matches 0: enum e64 does not match the local type
EOF
	relocs_lines prog_enum64/kern_enum64 kern_enum64 prog_enum64 "$TMP/spec.e64" \
		"10 relocations, 8 resolved, 0 poisoned, 2 not found (value 0)" "$TMP/ids.kern_enum64"

	# several objects: one block each, then a total line
	n=relocs/text/total
	bt relocs --btf "$PROGS/kern_basic.o" "$PROGS/prog_fields.bpfel.o" "$PROGS/prog_enums.bpfeb.o"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif [ "$(tail -n 1 "$TMP/stdout")" != "total: 40 relocations, 35 resolved, 0 poisoned, 5 not found (value 0)" ]; then
		fail "$n" "last line '$(tail -n 1 "$TMP/stdout")', want 'total: 40 relocations, 35 resolved, 0 poisoned, 5 not found (value 0)'"
	elif [ "$(grep -c -v '^  ' "$TMP/stdout")" -ne 5 ]; then
		fail "$n" "want 2 headers + 2 summaries + total, got: $(grep -v '^  ' "$TMP/stdout" | tr '\n' '|')"
	else
		pass "$n"
	fi

	# an object without CO-RE relocations: a warning, 0 relocations
	n=relocs/text/noreloc
	bt relocs --btf "$PROGS/kern_basic.o" "$PROGS/prog_noreloc.bpfel.o"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif grep -q '^  ' "$TMP/stdout"; then
		fail "$n" "relocation lines for an object without CO-RE relocations: $(flat "$TMP/stdout")"
	elif ! grep -q 'prog_noreloc.bpfel.o' "$TMP/stderr"; then
		fail "$n" "no warning naming the object: stderr '$(flat "$TMP/stderr")', stdout '$(flat "$TMP/stdout")'"
	else
		pass "$n (no relocation lines, a warning naming it)"
	fi
else
	skip relocs/text "needs the synthetic programs (clang-19) and bpftool (type ids)"
fi

# ---------------------------------------------------------------------------
# relocs --json: valid JSON, keys, records; executables
# ---------------------------------------------------------------------------
if [ -n "$HAVE_PROGS" ]; then
	for e in bpfel bpfeb; do
		objs="$PROGS/prog_fields.$e.o $PROGS/prog_types.$e.o $PROGS/prog_enums.$e.o $PROGS/prog_match.$e.o"
		# shellcheck disable=SC2086
		python3 "$TOOLS/bpftool_relos.py" --records $objs >"$TMP/j.rec"
		for mode in btf nobtf; do
			n=relocs/json/progs.$e/$mode
			if [ $mode = btf ]; then
				# shellcheck disable=SC2086
				bt relocs --json --btf "$PROGS/kern_basic.o" $objs
			else
				# shellcheck disable=SC2086
				bt relocs --json $objs
			fi
			cp "$TMP/stdout" "$TMP/j.$e.$mode.json"
			if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
				fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
			elif ! RV keys "$TMP/stdout" $mode >"$TMP/j.res"; then
				fail "$n" "$(line1 "$TMP/j.res")"
			elif ! RV records "$TMP/stdout" "$TMP/j.rec" >"$TMP/j.res"; then
				fail "$n" "$(line1 "$TMP/j.res")"
			else
				pass "$n ($(line1 "$TMP/j.res") relocations, keys and .BTF.ext records)"
			fi
		done
	done
	# both byte orders give the same answers (the records are identical)
	for mode in btf nobtf; do
		n=relocs/json/bpfeb-same-as-bpfel/$mode
		if RV same "$TMP/j.bpfeb.$mode.json" "$TMP/j.bpfel.$mode.json" >"$TMP/j.res"; then
			pass "$n"
		else
			fail "$n" "$(line1 "$TMP/j.res")"
		fi
	done
	# hand-derived JSON values: prog_fields #1 (bf2), #23 (missing), #29 (nosuch)
	n=relocs/json/values
	[ -s "$TMP/ids.kern_basic" ] || ids_of "$PROGS/kern_basic.o" "$TMP/ids.kern_basic"
	if python3 - "$TMP/j.bpfel.btf.json" "$TMP/ids.kern_basic" >"$TMP/j.res" 2>&1 <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as err:
    print("btfgen relocs --json: not valid JSON: %s" % err)
    sys.exit(1)
ids = dict(l.split("=", 1) for l in open(sys.argv[2]).read().split())
foo = int(ids["STRUCT_foo"])
f = [r for r in d if r["section"] == "kprobe/fields"]
want = {
    1: dict(kind="byte_off", access="0:1", access_c="struct foo___l->bf2", target_type_id=foo,
            target_access="0:2", matches=1, value=4, poisoned=False, error=None),
    23: dict(kind="field_exists", target_type_id=None, matches=0, value=0, poisoned=False,
             error=None),
    29: dict(kind="field_exists", local_type="struct nosuch___l", target_type_id=None,
             target_access=None, matches=0, value=0, poisoned=False),
}
bad = []
for i, w in want.items():
    for k, v in w.items():
        if f[i].get(k) != v:
            bad.append("#%d %s: %r, want %r" % (i, k, f[i].get(k), v))
print("; ".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
EOF
	then
		pass "$n"
	else
		fail "$n" "$(line1 "$TMP/j.res")"
	fi
fi

if [ -z "$BASEK" ]; then
	skip relocs/json/executable "no kernel BTF: neither $VMLINUX nor the corpus"
elif [ -x /usr/sbin/execsnoop ] && [ "$NOBJS" -gt 0 ] && [ -f "$TMP/objs/execsnoop.0.bpf.o" ]; then
	off=$(awk '$2 == "/usr/sbin/execsnoop" { sub("offset=", "", $3); print $3; exit }' "$TMP/extract.log")
	for mode in nobtf btf; do
		n=relocs/json/executable/execsnoop/$mode
		if [ $mode = btf ]; then
			bt relocs --json --btf "$BASEK" "$TMP/objs/execsnoop.0.bpf.o"
			cp "$TMP/stdout" "$TMP/x.obj.json"
			bt relocs --json --btf "$BASEK" /usr/sbin/execsnoop
		else
			bt relocs --json "$TMP/objs/execsnoop.0.bpf.o"
			cp "$TMP/stdout" "$TMP/x.obj.json"
			bt relocs --json /usr/sbin/execsnoop
		fi
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
		elif ! RV keys "$TMP/stdout" $mode >"$TMP/x.res"; then
			fail "$n" "$(line1 "$TMP/x.res")"
		elif ! RV same "$TMP/stdout" "$TMP/x.obj.json" >"$TMP/x.res"; then
			fail "$n" "differs from the extracted object's: $(line1 "$TMP/x.res")"
		elif [ "$(cut -f1 "$TMP/x.res")" != "/usr/sbin/execsnoop[bpf#0@$off]" ]; then
			fail "$n" "object named '$(cut -f1 "$TMP/x.res" | tr '\n' ' ')', want '/usr/sbin/execsnoop[bpf#0@$off]' (extract_bpf.py's offset)"
		else
			pass "$n ($(cut -f1 "$TMP/x.res"), same relocations as the extracted object)"
		fi
	done
	# every binary at once, against the base kernel: same as the extracted objects
	n=relocs/json/executables/all-$NBINS-binaries
	# shellcheck disable=SC2046
	bt relocs --json --btf "$BASEK" $(cat "$TMP/bins")
	cp "$TMP/stdout" "$TMP/x.bins.json"
	# shellcheck disable=SC2086
	bt relocs --json --btf "$BASEK" $OBJS
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif ! RV same "$TMP/x.bins.json" "$TMP/stdout" >"$TMP/x.res"; then
		fail "$n" "$(line1 "$TMP/x.res")"
	else
		pass "$n ($(nlines "$TMP/x.res") embedded objects)"
	fi
	# text summary lines agree with the JSON of the same run
	n=relocs/text/summaries/$BASEL
	cp "$TMP/stdout" "$TMP/s.json"
	# shellcheck disable=SC2086
	bt relocs --btf "$BASEK" $OBJS
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif ! RV summary "$TMP/stdout" "$TMP/s.json" >"$TMP/s.res"; then
		fail "$n" "$(line1 "$TMP/s.res")"
	else
		pass "$n ($(line1 "$TMP/s.res"))"
	fi
else
	skip relocs/json/executable "needs /usr/sbin/execsnoop and its extracted object (libbpf-tools)"
fi

# ---------------------------------------------------------------------------
# relocs: usage (exit 2) and errors (exit 1, one line naming the file)
# ---------------------------------------------------------------------------
# exit_case NAME WANT_RC MENTION ARGS...
exit_case() {
	en=$1 ew=$2 em=$3
	shift 3
	bt "$@"
	if [ -n "$BAD" ]; then
		fail "$en" "$BAD"
	elif [ $RC -ne "$ew" ]; then
		fail "$en" "exit $RC, want $ew (btfgen $*): $(line1 "$TMP/stderr")"
	elif [ "$(nlines "$TMP/stderr")" -lt 1 ]; then
		fail "$en" "nothing on stderr"
	elif [ "$ew" = 1 ] && [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
		fail "$en" "want one line on stderr, got $(nlines "$TMP/stderr"): $(flat "$TMP/stderr")"
	elif ! grep -q -F -e "$em" "$TMP/stderr"; then
		fail "$en" "stderr does not mention '$em': $(line1 "$TMP/stderr")"
	else
		pass "$en"
	fi
}
printf 'not an ELF file\n' >"$TMP/junk.o"
P=$PROGS/prog_fields.bpfel.o
exit_case relocs/usage/no-object 2 relocs relocs
exit_case relocs/usage/json-no-object 2 relocs relocs --json
exit_case relocs/usage/btf-without-file 2 btf relocs --btf
exit_case relocs/usage/unknown-option 2 --bogus relocs --bogus "$P"
exit_case relocs/error/missing-object 1 "$TMP/nosuch.o" relocs "$TMP/nosuch.o"
exit_case relocs/error/not-elf 1 "$TMP/junk.o" relocs "$TMP/junk.o"
exit_case relocs/error/missing-btf 1 "$TMP/nosuch.btf" relocs --btf "$TMP/nosuch.btf" "$P"
exit_case relocs/error/btf-not-btf 1 "$TMP/junk.o" relocs --btf "$TMP/junk.o" "$P"

# ---------------------------------------------------------------------------
# agreement with libbpf: real kernels x every libbpf-tools object, all at once
# (bpftool -d prints the objects' relocations in argument order)
# ---------------------------------------------------------------------------
: >"$TMP/agree.tsv"
# agree NAME LABEL BTFGEN_JSON BPFTOOL_JSON [FROM=TO...]
agree() {
	an=$1 al=$2
	shift 2
	if RV agree "$@" >"$TMP/ag.res"; then
		IFS='	' read -r a_n a_t a_m a_p a_o a_b a_en a_er <"$TMP/ag.res"
		[ "$a_er" = 0 ] && a_er=
		pass "$an ($a_n relocations agree: $a_t with a target, $a_m with several matching candidates, $a_p poisoned, $a_o byte offsets equal + $a_b bitfield loads, $a_en enumerator values${a_er:+, $a_er libbpf errors are btfgen errors})"
		[ -z "$al" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$al" "$a_n" "$a_t" "$a_m" "$a_p" "$((a_o + a_b))" >>"$TMP/agree.tsv"
	else
		fail "$an" "$(line1 "$TMP/ag.res")"
	fi
}

# verify_vs_oracle NAME KERNEL REDUCED WANT ONLY_OBJS_FILE [BPFTOOL_STDERR]: btfgen verify
# KERNEL REDUCED (all objects); WANT: 0 (exit 0), 1 (exit 1) or any. Its
# difference lines must be exactly the relocations libbpf decides differently
# on REDUCED than on KERNEL ($KFULL: bpftool -d on KERNEL, parsed; empty:
# not compared); exit 1 iff there are any; the summary line counts them;
# with ONLY_OBJS_FILE, every difference is in one of those objects.
# BPFTOOL_STDERR: bpftool -d's output on REDUCED if known (else it is run).
# Leaves $TMP/v.err (the difference lines) and sets VRC.
verify_vs_oracle() {
	vn=$1 vk=$2 vr=$3 vwant=$4 vonly=$5
	# shellcheck disable=SC2086
	bt verify "$vk" "$vr" $OBJS
	VRC=$RC
	cp "$TMP/stderr" "$TMP/v.err"
	nowarn "$TMP/v.err"
	cp "$TMP/stdout" "$TMP/v.out"
	if [ -n "$BAD" ]; then
		fail "$vn" "$BAD"
		return
	fi
	nd=$(grep -c '^btfgen: verify: ' "$TMP/v.err")
	case $vwant:$VRC in
	0:0 | 1:1 | any:0 | any:1) ;;
	*)
		fail "$vn" "exit $VRC, want $vwant ($nd difference lines): $(flat "$TMP/v.out") $(flat "$TMP/v.err" 1)"
		return
		;;
	esac
	if { [ $VRC -eq 0 ] && [ -s "$TMP/v.err" ]; } || { [ $VRC -eq 1 ] && [ "$nd" -eq 0 ]; }; then
		fail "$vn" "exit $VRC with stderr: $(flat "$TMP/v.err")"
		return
	fi
	if [ $VRC -eq 1 ]; then
		wsum="verify: $vr answers $nd of $NRELOS relocations differently from $vk"
	else
		wsum="verify: OK: $vr answers all $NRELOS relocations of $NCORE objects like $vk"
	fi
	if [ "$(cat "$TMP/v.out")" != "$wsum" ]; then
		fail "$vn" "stdout '$(flat "$TMP/v.out")', want '$wsum'"
		return
	fi
	if [ -n "$vonly" ]; then
		sed -n "s/^btfgen: verify: \(.*\): section '.*' relo #[0-9]* (.*/\1/p" "$TMP/v.err" |
			sort -u | while read -r o; do
			grep -q -x -F -e "$o" "$vonly" || { echo "$o"; break; }
		done >"$TMP/v.notonly"
		if [ -s "$TMP/v.notonly" ]; then
			fail "$vn" "a difference names $(line1 "$TMP/v.notonly"), whose relocations the reduced BTF was made for"
			return
		fi
	fi
	if [ -z "$KFULL" ]; then
		pass "$vn (exit $VRC, $nd differences; libbpf not compared: bpftool failed on the kernel)"
		return
	fi
	# libbpf on the reduced file (its bpftool -d output may be known already)
	verr=${6:-}
	if [ -z "$verr" ]; then
		verr=$TMP/r.err
		# shellcheck disable=SC2086
		bpd "$verr" "$vr" $OBJS
		if [ $BRC -ne 0 ]; then
			fail "$vn" "bpftool -d on the reduced file: exit $BRC: $(grep -m 1 -e '^Error' -e 'libbpf: prog' "$verr" | cut -c 1-160)"
			return
		fi
	fi
	if RV oracle "$KFULL" "$verr" "$TMP/objs.list" "$TMP/v.err" >"$TMP/v.res"; then
		pass "$vn (exit $VRC, $nd differences, exactly libbpf's)"
	else
		fail "$vn" "$(line1 "$TMP/v.res")"
	fi
}

# per-kernel checks; kernel K with all objects:
#   agree/K             relocs --json --btf K == libbpf on K
#   verify/own/K        verify K (btfgen's output) -> exit 0, libbpf agrees
#   verify/bpftool/K    verify K (bpftool's output): exit 0 where it equals
#                       btfgen's, else exactly libbpf's differences
#   verify/subset/K     reduced for half of the objects: the differences
#                       libbpf sees, all in the other half
#   verify/member-removed/K  task_struct.tgid removed from btfgen's output
#   min_core_btf/first-match-only/K  warning or (--verify) error iff verify
#                       finds differences in the bpftool-style output
# $1 label, $2 path
kernel_checks() {
	kl=$1 kp=$2
	# -- libbpf's decisions on the full kernel
	# shellcheck disable=SC2086
	bpd "$TMP/k.bp.err" "$kp" $OBJS
	kbrc=$BRC
	[ $kbrc -eq 0 ] && cp "$TMP/bpd.btf" "$TMP/k.bpftool.btf"
	KFULL=
	# shellcheck disable=SC2086
	if [ $kbrc -ne 0 ]; then
		skip "agree/$kl" "bpftool -d exit $kbrc on this kernel: $(grep -m 1 -e '^Error' -e 'libbpf: prog' "$TMP/k.bp.err" | cut -c 1-160)"
	elif ! parse_bp "$TMP/k.bp.err" "$TMP/k.bp.json" - $OBJS; then
		fail "agree/$kl" "tests/tools/bpftool_relos.py: $(line1 "$TMP/parse.err")"
	else
		KFULL=$TMP/k.bp.json
		# shellcheck disable=SC2086
		bt relocs --json --btf "$kp" $OBJS
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "agree/$kl" "btfgen relocs exit $RC $BAD: $(line1 "$TMP/stderr")"
		else
			cp "$TMP/stdout" "$TMP/k.bt.json"
			agree "agree/$kl" "$kl" "$TMP/k.bt.json" "$KFULL"
		fi
	fi

	# -- verify on btfgen's own output
	n=verify/own/$kl
	# shellcheck disable=SC2086
	bt min_core_btf "$kp" "$TMP/k.own.btf" $OBJS
	nowarn "$TMP/stderr"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "min_core_btf exit $RC $BAD: $(line1 "$TMP/stderr")"
		return
	elif [ -s "$TMP/stderr" ]; then
		fail "$n" "min_core_btf (verifying its output by default) printed: $(flat "$TMP/stderr")"
		return
	fi
	# shellcheck disable=SC2086
	bt verify "$kp" "$TMP/k.own.btf" $OBJS
	nowarn "$TMP/stderr"
	want="verify: OK: $TMP/k.own.btf answers all $NRELOS relocations of $NCORE objects like $kp"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(flat "$TMP/stderr")"
	elif [ -s "$TMP/stderr" ]; then
		fail "$n" "stderr not empty: $(flat "$TMP/stderr")"
	elif [ "$(cat "$TMP/stdout")" != "$want" ]; then
		fail "$n" "stdout '$(flat "$TMP/stdout")', want '$want'"
	elif [ -n "$KFULL" ]; then
		# libbpf on the reduced file decides like on the full kernel
		# shellcheck disable=SC2086
		bpd "$TMP/o.err" "$TMP/k.own.btf" $OBJS
		if [ $BRC -ne 0 ]; then
			fail "$n" "bpftool -d on the reduced file: exit $BRC: $(grep -m 1 -e '^Error' -e 'libbpf: prog' "$TMP/o.err" | cut -c 1-160)"
		elif ! RV oracle "$KFULL" "$TMP/o.err" "$TMP/objs.list" "$TMP/stderr" >"$TMP/o.res"; then
			fail "$n" "verify says OK, libbpf: $(line1 "$TMP/o.res")"
		else
			pass "$n ($NRELOS relocations; libbpf agrees)"
		fi
	else
		pass "$n ($NRELOS relocations)"
	fi

	# -- bpftool's output
	if [ $kbrc -eq 0 ]; then
		if cmp -s "$TMP/k.bpftool.btf" "$TMP/k.own.btf"; then
			# the same bytes: libbpf decides as on btfgen's output
			verify_vs_oracle "verify/bpftool/$kl" "$kp" "$TMP/k.bpftool.btf" 0 "" "$TMP/o.err"
		else
			verify_vs_oracle "verify/bpftool/$kl/differs-from-btfgen" "$kp" "$TMP/k.bpftool.btf" any ""
		fi
	fi

	# -- reduced for a subset of the objects
	# shellcheck disable=SC2086
	bt min_core_btf "$kp" "$TMP/k.half.btf" $HALF
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "verify/subset/$kl" "min_core_btf (first $((NOBJS / 2)) objects) exit $RC $BAD: $(line1 "$TMP/stderr")"
	else
		tail -n +$((NOBJS / 2 + 1)) "$TMP/objs.list" >"$TMP/other.list"
		verify_vs_oracle "verify/subset/$kl" "$kp" "$TMP/k.half.btf" 1 "$TMP/other.list"
	fi

	# -- a member removed
	n=verify/member-removed/$kl
	if python3 "$TOOLS/btf_edit.py" remove-member "$TMP/k.own.btf" "$TMP/k.edit.btf" task_struct tgid >"$TMP/e.out" 2>&1; then
		verify_vs_oracle "$n" "$kp" "$TMP/k.edit.btf" 1 ""
		if [ -s "$TMP/v.err" ] && grep -v -q 'task_struct' "$TMP/v.err"; then
			fail "$n/names" "a difference line does not name task_struct: $(grep -v -m 1 'task_struct' "$TMP/v.err" | cut -c 1-200)"
		fi
	else
		fail "$n" "btf_edit.py: $(line1 "$TMP/e.out")"
	fi

	# -- --first-match-only (bpftool's marking): a warning, or with --verify
	# an error and no file, exactly when verify finds differences
	n=min_core_btf/first-match-only/$kl
	rm -f "$TMP/k.fmo.btf"
	# shellcheck disable=SC2086
	bt --first-match-only min_core_btf "$kp" "$TMP/k.fmo.btf" $OBJS
	frc=$RC fbad=$BAD
	cp "$TMP/stderr" "$TMP/f.err"
	nowarn "$TMP/f.err"
	if [ -n "$fbad" ] || [ $frc -ne 0 ]; then
		fail "$n" "exit $frc $fbad: $(line1 "$TMP/f.err")"
		return
	fi
	if [ $kbrc -eq 0 ] && ! cmp -s "$TMP/k.fmo.btf" "$TMP/k.bpftool.btf"; then
		fail "$n" "output differs from bpftool's"
		return
	fi
	# shellcheck disable=SC2086
	bt verify "$kp" "$TMP/k.fmo.btf" $OBJS
	vrc=$RC
	nd=$(grep -c '^btfgen: verify: ' "$TMP/stderr")
	mkdir -p "$TMP/fv"
	rm -f "$TMP/fv/"*
	# shellcheck disable=SC2086
	bt --first-match-only --verify min_core_btf "$kp" "$TMP/fv/out.btf" $OBJS
	nw=$(grep -c 'warning' "$TMP/f.err")
	if [ -n "$BAD" ]; then
		fail "$n" "--verify: $BAD"
	elif [ $vrc -eq 0 ]; then
		if [ "$nw" -ne 0 ]; then
			fail "$n" "verify finds no difference, min_core_btf warns: $(grep -m 1 warning "$TMP/f.err" | cut -c 1-200)"
		elif [ $RC -ne 0 ] || [ ! -s "$TMP/fv/out.btf" ]; then
			fail "$n" "--first-match-only --verify: exit $RC, want 0 (verify finds no difference): $(line1 "$TMP/stderr")"
		else
			pass "$n (no difference: no warning; --verify exit 0)"
		fi
	elif ! grep 'warning' "$TMP/f.err" | grep -q -F "answers $nd relocation"; then
		fail "$n" "verify finds $nd differences, min_core_btf's stderr has no warning saying so: $(flat "$TMP/f.err")"
	elif [ $RC -ne 1 ]; then
		fail "$n" "--first-match-only --verify: exit $RC, want 1 ($nd differences)"
	elif [ -n "$(ls -A "$TMP/fv")" ]; then
		fail "$n" "--first-match-only --verify failed but left: $(ls -A "$TMP/fv" | tr '\n' ' ')"
	else
		pass "$n ($nd differences: warning; --verify exit 1, no file)"
	fi
}

if [ "$NOBJS" -eq 0 ]; then
	skip kernels "no libbpf-tools objects extracted (see above)"
elif [ -z "$HAVE_BPFTOOL" ]; then
	skip kernels "bpftool missing (see prereq/bpftool)"
elif [ ! -s "$TMP/kernels" ]; then
	skip kernels "no kernel BTF: neither $VMLINUX nor the corpus"
else
	while read -r label k; do
		kernel_checks "$label" "$k"
	done <"$TMP/kernels"
fi

# ---------------------------------------------------------------------------
# agreement with libbpf on the synthetic kernels x programs (bpfel; the bpfeb
# object must give the same answers: bpftool 7.1 cannot read it)
# ---------------------------------------------------------------------------
if [ -n "$HAVE_PROGS" ] && [ -n "$HAVE_BPFTOOL" ]; then
	for kf in "$PROGS"/kern_*.o; do
		kern=$(basename "$kf" .o)
		for pf in "$PROGS"/prog_*.bpfel.o; do
			prog=$(basename "$pf" .bpfel.o)
			n=agree/progs/$kern/$prog
			bpd "$TMP/p.err" "$kf" "$pf"
			part=
			if [ $BRC -ne 0 ]; then
				# bpftool stops at the first relocation libbpf fails on
				# (compare up to it); or fails before any relocation
				if ! grep -q "^libbpf: prog '.*': relo #" "$TMP/p.err"; then
					skip "$n" "bpftool exit $BRC before any relocation: $(grep -m 1 -e '^Error' -e '^libbpf' "$TMP/p.err" | cut -c 1-120)"
					continue
				fi
				part=1
			fi
			for e in bpfel bpfeb; do
				bt relocs --json --btf "$kf" "$PROGS/$prog.$e.o"
				cp "$TMP/stdout" "$TMP/p.bt.$e.json"
				if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
					fail "$n.$e" "btfgen relocs exit $RC $BAD: $(line1 "$TMP/stderr")"
					continue 2
				fi
			done
			RV agree-pair "$TMP/p.err" "${part:-0}" "$pf" "$TMP/p.bt.bpfel.json" \
				"$TMP/p.bt.bpfeb.json" "$PROGS/$prog.bpfeb.o" >"$TMP/p.res"
			for e in bpfel bpfeb; do
				IFS='	' read -r st a_n a_t a_m a_p a_o a_b a_en a_er
				[ "$a_er" = 0 ] && a_er=
				if [ "$st" = ok ]; then
					pass "$n.$e${part:+ (bpftool exit $BRC: compared up to its failing relocation)} ($a_n relocations agree: $a_t with a target, $a_m with several matching candidates, $a_p poisoned, $a_o byte offsets equal + $a_b bitfield loads, $a_en enumerator values${a_er:+, $a_er libbpf errors are btfgen errors})"
				else
					fail "$n.$e" "${a_n:-no result from the comparison}"
				fi
			done <"$TMP/p.res"
		done
	done
else
	skip agree/progs "needs the synthetic programs (clang-19) and bpftool"
fi

# ---------------------------------------------------------------------------
# verify on the synthetic kernels (expected results derived by hand)
# ---------------------------------------------------------------------------
if [ -n "$HAVE_PROGS" ]; then
	# bpftool's first-candidate-only output for kern_dup (SEMANTICS.md 3.5):
	# s{x} and s{z} are split over the two struct s, so relo #0 prunes the
	# candidates to the first s and relo #1 (s.z) no longer matches
	for e in bpfel bpfeb; do
		n=verify/kern_dup/bpftool-output.$e
		obj=$PROGS/prog_dup_ok.$e.o
		red=$EXPECTED/kern_dup__prog_dup_ok.btf
		bt verify "$PROGS/kern_dup.o" "$red" "$obj"
		want="verify: $red answers 1 of 5 relocations differently from $PROGS/kern_dup.o"
		if [ -n "$BAD" ]; then
			fail "$n" "$BAD"
		elif [ $RC -ne 1 ]; then
			fail "$n" "exit $RC, want 1: $(flat "$TMP/stdout")"
		elif [ "$(cat "$TMP/stdout")" != "$want" ]; then
			fail "$n" "stdout '$(flat "$TMP/stdout")', want '$want'"
		elif [ "$(nlines "$TMP/stderr")" -ne 1 ]; then
			fail "$n" "want one difference line, got $(nlines "$TMP/stderr"): $(flat "$TMP/stderr")"
		elif ! grep -q -F "btfgen: verify: $obj: section 'kprobe/dup_ok' relo #1 (insn " "$TMP/stderr"; then
			fail "$n" "the difference line does not name relo #1 of kprobe/dup_ok: $(line1 "$TMP/stderr")"
		elif ! grep -q -F "struct s___l->z): $PROGS/kern_dup.o: 8 via struct s->z @ bit 64; $red: poisoned (no match)" "$TMP/stderr"; then
			fail "$n" "want s->z at offset 8 (bit 64) vs poisoned: $(line1 "$TMP/stderr")"
		else
			pass "$n (relo #1 s->z: 8 vs poisoned)"
		fi
	done

	# btfgen's own output for kern_dup (every matching candidate) verifies
	n=verify/kern_dup/own-output
	bt min_core_btf "$PROGS/kern_dup.o" "$TMP/dup.btf" "$PROGS/prog_dup_ok.bpfel.o"
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "min_core_btf exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif [ -s "$TMP/stderr" ]; then
		fail "$n" "min_core_btf (verifying by default) printed: $(flat "$TMP/stderr")"
	else
		bt verify "$PROGS/kern_dup.o" "$TMP/dup.btf" "$PROGS/prog_dup_ok.bpfel.o" "$PROGS/prog_dup_ok.bpfeb.o"
		want="verify: OK: $TMP/dup.btf answers all 10 relocations of 2 objects like $PROGS/kern_dup.o"
		if [ -n "$BAD" ] || [ $RC -ne 0 ] || [ "$(cat "$TMP/stdout")" != "$want" ]; then
			fail "$n" "exit $RC $BAD: '$(flat "$TMP/stdout")' $(flat "$TMP/stderr"), want '$want'"
		else
			pass "$n"
		fi
	fi

	# member in removed from struct foo of bpftool's output for prog_fields:
	# exactly relos #8 (in.a, offset 28 = bit 224) and #14 (in.b, 32 = bit 256)
	n=verify/member-removed/kern_basic-foo.in
	if python3 "$TOOLS/btf_edit.py" remove-member "$EXPECTED/kern_basic__prog_fields.btf" "$TMP/foo_in.btf" foo in >"$TMP/e.out" 2>&1; then
		bt verify "$PROGS/kern_basic.o" "$TMP/foo_in.btf" "$PROGS/prog_fields.bpfel.o"
		obj=$PROGS/prog_fields.bpfel.o
		cat >"$TMP/want.lines" <<EOF
btfgen: verify: $obj: section 'kprobe/fields' relo #8 (insn @8@, byte_off, struct foo___l->in.a): $PROGS/kern_basic.o: 28 via struct foo->in.a @ bit 224; $TMP/foo_in.btf: poisoned (no match)
btfgen: verify: $obj: section 'kprobe/fields' relo #14 (insn @14@, byte_off, struct foo___l->in.b): $PROGS/kern_basic.o: 32 via struct foo->in.b @ bit 256; $TMP/foo_in.btf: poisoned (no match)
EOF
		python3 "$TOOLS/bpftool_relos.py" --records "$obj" >"$TMP/m.rec"
		i8=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[8]["insn"])' "$TMP/m.rec")
		i14=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[14]["insn"])' "$TMP/m.rec")
		sed -e "s/@8@/$i8/" -e "s/@14@/$i14/" "$TMP/want.lines" >"$TMP/want2.lines"
		if [ -n "$BAD" ]; then
			fail "$n" "$BAD"
		elif [ $RC -ne 1 ]; then
			fail "$n" "exit $RC, want 1"
		elif ! cmp -s "$TMP/stderr" "$TMP/want2.lines"; then
			fail "$n" "got: $(flat "$TMP/stderr") want: $(flat "$TMP/want2.lines")"
		elif [ "$(cat "$TMP/stdout")" != "verify: $TMP/foo_in.btf answers 2 of 34 relocations differently from $PROGS/kern_basic.o" ]; then
			fail "$n" "summary '$(flat "$TMP/stdout")'"
		else
			pass "$n (relos #8 and #14)"
		fi
	else
		fail "$n" "btf_edit.py: $(line1 "$TMP/e.out")"
	fi

	# the kernel against itself, and a reduced BTF for other programs
	n=verify/identical
	bt verify "$PROGS/kern_basic.o" "$PROGS/kern_basic.o" "$PROGS/prog_fields.bpfel.o" "$PROGS/prog_types.bpfeb.o"
	if [ -n "$BAD" ] || [ $RC -ne 0 ] || [ -s "$TMP/stderr" ]; then
		fail "$n" "exit $RC $BAD: $(flat "$TMP/stderr")"
	else
		pass "$n ($(line1 "$TMP/stdout"))"
	fi
	# reduced for prog_types (type relos keep structs empty): every field
	# relocation of prog_fields that matched now fails (31 of 34; the three
	# FIELD_EXISTS that were 0 stay 0)
	n=verify/subset/kern_basic-prog_types
	bt verify "$PROGS/kern_basic.o" "$EXPECTED/kern_basic__prog_types.btf" "$PROGS/prog_fields.bpfel.o"
	if [ -n "$BAD" ] || [ $RC -ne 1 ]; then
		fail "$n" "exit $RC $BAD, want 1"
	elif [ "$(nlines "$TMP/stderr")" -ne 31 ]; then
		fail "$n" "$(nlines "$TMP/stderr") difference lines, want 31: $(flat "$TMP/stderr")"
	elif grep -q -e 'relo #23 ' -e 'relo #25 ' -e 'relo #29 ' "$TMP/stderr"; then
		fail "$n" "relo #23, #25 or #29 (exists 0 on both) reported: $(grep -m 1 -e 'relo #23 ' -e 'relo #25 ' -e 'relo #29 ' "$TMP/stderr")"
	else
		pass "$n (31 differences)"
	fi

	# usage and errors
	exit_case verify/usage/no-args 2 verify verify
	exit_case verify/usage/kernel-only 2 verify verify "$PROGS/kern_basic.o"
	exit_case verify/usage/no-object 2 verify verify "$PROGS/kern_basic.o" "$PROGS/kern_basic.o"
	exit_case verify/error/missing-kernel 1 "$TMP/nosuch.btf" verify "$TMP/nosuch.btf" "$PROGS/kern_basic.o" "$P"
	exit_case verify/error/missing-reduced 1 "$TMP/nosuch.btf" verify "$PROGS/kern_basic.o" "$TMP/nosuch.btf" "$P"
	exit_case verify/error/reduced-not-btf 1 "$TMP/junk.o" verify "$PROGS/kern_basic.o" "$TMP/junk.o" "$P"
	exit_case verify/error/missing-object 1 "$TMP/nosuch.o" verify "$PROGS/kern_basic.o" "$PROGS/kern_basic.o" "$TMP/nosuch.o"
else
	skip verify/progs "needs the synthetic programs (clang-19)"
fi

# ---------------------------------------------------------------------------
# min_core_btf verifies its output (kern_dup / prog_dup_ok)
# ---------------------------------------------------------------------------
if [ -n "$HAVE_PROGS" ]; then
	D=$TMP/mv
	K=$PROGS/kern_dup.o
	O=$PROGS/prog_dup_ok.bpfel.o
	# mv_run NAME ARGS... (OUTPUT is $D/out.btf, in a fresh directory)
	mv_run() {
		rm -rf "$D"
		mkdir -p "$D"
		bt "$@" min_core_btf "$K" "$D/out.btf" "$O"
	}
	n=min_core_btf/verify/first-match-only+verify
	mv_run --first-match-only --verify
	if [ -n "$BAD" ]; then
		fail "$n" "$BAD"
	elif [ $RC -ne 1 ]; then
		fail "$n" "exit $RC, want 1"
	elif [ -n "$(ls -A "$D")" ]; then
		fail "$n" "output directory not empty: $(ls -A "$D" | tr '\n' ' ')"
	elif ! grep -q "relo #1 " "$TMP/stderr"; then
		fail "$n" "stderr does not name relo #1: $(flat "$TMP/stderr")"
	elif ! grep -q -F "$D/out.btf" "$TMP/stderr"; then
		fail "$n" "stderr does not name the output: $(flat "$TMP/stderr")"
	else
		pass "$n (exit 1, no file)"
	fi
	n=min_core_btf/verify/first-match-only
	mv_run --first-match-only
	if [ -n "$BAD" ]; then
		fail "$n" "$BAD"
	elif [ $RC -ne 0 ]; then
		fail "$n" "exit $RC, want 0 (a warning): $(line1 "$TMP/stderr")"
	elif ! cmp -s "$D/out.btf" "$EXPECTED/kern_dup__prog_dup_ok.btf"; then
		fail "$n" "output is not bpftool's (tests/expected/kern_dup__prog_dup_ok.btf)"
	elif ! grep 'warning' "$TMP/stderr" | grep -q -F 'answers 1 relocation differently'; then
		fail "$n" "no warning about 1 differing relocation: $(flat "$TMP/stderr")"
	elif ! grep -q "relo #1 " "$TMP/stderr"; then
		fail "$n" "stderr does not name relo #1: $(flat "$TMP/stderr")"
	else
		pass "$n (bpftool's bytes, warning)"
	fi
	n=min_core_btf/verify/first-match-only+no-verify
	mv_run --first-match-only --no-verify
	if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
		fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
	elif [ -s "$TMP/stderr" ]; then
		fail "$n" "stderr not empty (no verification asked): $(flat "$TMP/stderr")"
	elif ! cmp -s "$D/out.btf" "$EXPECTED/kern_dup__prog_dup_ok.btf"; then
		fail "$n" "output is not bpftool's"
	else
		pass "$n"
	fi
	for opt in "" --verify --no-verify; do
		n=min_core_btf/verify/default${opt:+/$opt}
		mv_run $opt
		if [ -n "$BAD" ] || [ $RC -ne 0 ]; then
			fail "$n" "exit $RC $BAD: $(line1 "$TMP/stderr")"
		elif [ -s "$TMP/stderr" ]; then
			fail "$n" "stderr not empty: $(flat "$TMP/stderr")"
		elif ! [ -s "$D/out.btf" ] || cmp -s "$D/out.btf" "$EXPECTED/kern_dup__prog_dup_ok.btf"; then
			fail "$n" "want the all-candidates output (not bpftool's)"
		else
			pass "$n"
		fi
	done
else
	skip min_core_btf/verify "needs the synthetic programs (clang-19)"
fi

finish
