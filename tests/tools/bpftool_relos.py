#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parse `bpftool -d gen min_core_btf KERNEL OUT OBJ...` debug output into the
CO-RE relocation decisions libbpf made, as JSON.

    tests/tools/bpftool_relos.py [--partial] STDERR_FILE [OBJ...]
    tests/tools/bpftool_relos.py --records OBJ...

STDERR_FILE is bpftool's stderr ("-" for stdin). Independent of btfgen (used
by tests/e2e/relocs_verify.sh as the libbpf oracle). The lines it reads
(libbpf v1.1, relo_core.c bpf_core_calc_relo_insn / bpf_core_format_spec):

  libbpf: prog 'SEC': relo #N: <byte_off> [ID] struct foo.a.b[1] (0:1:0:1 @ offset 12)
  libbpf: prog 'SEC': relo #N: matching candidate #I <byte_off> [ID] struct foo.a... (RAW @ offset 4.3)
  libbpf: prog 'SEC': relo #N: non-matching candidate #I <type_exists> [ID] struct foo
  libbpf: prog 'SEC': relo #N: matching candidate #I <enumval_value> [ID] enum e::NAME = -5
  libbpf: prog 'SEC': relo #N: no matching targets found

"relo #N" is the record's position among its ELF section's CO-RE records
and restarts for every section (and every object): bpftool's output does not
say where one object ends. With OBJ arguments (the objects, in bpftool's
order), each object's .BTF.ext is read here and its records, in file order,
are matched one by one against the parsed relocations: that gives each
relocation its object and checks the key (section, index, kind, local type
id; for field kinds the local access string too). A disagreement, or a
stream that ends early or has extra relocations, is an error (exit 1);
with --partial a stream that ends early is fine (bpftool stops at the first
relocation it fails on: that one is the last, with its error lines).
--records prints the objects' CO-RE records alone (object, section, index,
insn, kind, local_type_id, access), read from .BTF.ext.

Output: one JSON array, one object per relocation, in bpftool's order:
  object (null without OBJ), section, index, insn (with OBJ), kind,
  local_type_id, local_type ("struct foo"), access (the .BTF.ext access string; without OBJ, the
  printed local raw spec for field kinds, else null), candidates (list of
  {cand, matching, type_id, type, path, access, bit_offset, enumerator,
  enum_value}), matches (number of "matching candidate" lines),
  target_type_id / target_type / target_path ("struct foo.a[1]") /
  target_access / target_bit_offset / target_enum_value (from the first
  matching candidate; null if none),
  no_match ("no matching targets found" was printed), errors (other lines
  libbpf printed for this relocation, e.g. ambiguity errors).
Exit status: 0 ok, 1 parse or key error (message on stderr), 2 usage.
"""
import json
import re
import struct
import sys

KINDS = ["byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
         "local_type_id", "target_type_id", "type_exists", "type_size",
         "enumval_exists", "enumval_value", "type_matches"]
FIELD_KINDS = set(KINDS[0:6])
ENUM_KINDS = {"enumval_exists", "enumval_value"}

LINE_RE = re.compile(r"^libbpf: prog '(?P<sec>.*)': relo #(?P<idx>\d+): (?P<rest>.*)$")
CAND_RE = re.compile(r"^(?P<m>matching|non-matching) candidate #(?P<i>\d+) (?P<spec><.*)$")
# <kind> [id] kindstr name[accessors][ (raw @ offset B[.b]) | ::ENUMERATOR = V]
SPEC_RE = re.compile(
    r"^<(?P<kind>[a-z0-9_]+)> \[(?P<id>\d+)\] (?P<tkind>\S+) (?P<name>[^:.\[(]+?)"
    r"(?:::(?P<enumr>\S+) = (?P<eval>-?\d+)"
    r"|(?P<acc>(?:\.\w+|\[\d+\])*) \((?P<raw>[0-9:]+) @ offset (?P<off>\d+)(?:\.(?P<bit>\d+))?\))?$")


class ParseError(Exception):
    pass


def parse_spec(text, where):
    m = SPEC_RE.match(text)
    if not m:
        raise ParseError("%s: unrecognised spec '%s'" % (where, text))
    kind = m.group("kind")
    if kind not in KINDS:
        raise ParseError("%s: unknown relocation kind '%s'" % (where, kind))
    spec = {
        "kind": kind,
        "type_id": int(m.group("id")),
        "type": "%s %s" % (m.group("tkind"), m.group("name")),
        "path": "%s %s%s" % (m.group("tkind"), m.group("name"), m.group("acc") or ""),
        "access": m.group("raw"),
        "bit_offset": None,
        "enumerator": m.group("enumr"),
        "enum_value": int(m.group("eval")) if m.group("eval") is not None else None,
    }
    if m.group("off") is not None:
        spec["bit_offset"] = int(m.group("off")) * 8 + int(m.group("bit") or 0)
    return spec


def parse_stream(lines):
    """Relocations in output order; each a dict (see the module doc)."""
    relos = []
    cur = None
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        m = LINE_RE.match(line)
        if not m:
            continue
        sec, idx, rest = m.group("sec"), int(m.group("idx")), m.group("rest")
        where = "line %d" % n
        if rest.startswith("<") and (SPEC_RE.match(rest) or cur is None or
                                     (cur["section"], cur["index"]) != (sec, idx)):
            spec = parse_spec(rest, where)
            cur = {
                "object": None, "section": sec, "index": idx, "kind": spec["kind"],
                "local_type_id": spec["type_id"], "local_type": spec["type"],
                "access": spec["access"] if spec["kind"] in FIELD_KINDS else None,
                "local_bit_offset": spec["bit_offset"],
                "candidates": [], "matches": 0,
                "target_type_id": None, "target_type": None, "target_path": None,
                "target_access": None, "target_bit_offset": None,
                "target_enum_value": None, "no_match": False, "errors": [],
            }
            relos.append(cur)
            continue
        if cur is None or cur["section"] != sec or cur["index"] != idx:
            # a line about a relocation whose local spec was never printed
            # (e.g. "parsing ... failed"): a relocation of its own, in error
            cur = {
                "object": None, "section": sec, "index": idx, "kind": None,
                "local_type_id": None, "local_type": None, "access": None,
                "local_bit_offset": None, "candidates": [], "matches": 0,
                "target_type_id": None, "target_type": None, "target_path": None,
                "target_access": None, "target_bit_offset": None,
                "target_enum_value": None, "no_match": False, "errors": [rest],
            }
            relos.append(cur)
            continue
        c = CAND_RE.match(rest)
        if c:
            spec = parse_spec(c.group("spec"), where)
            if spec["kind"] != cur["kind"]:
                raise ParseError("%s: candidate kind %s of relo #%d is not %s" %
                                 (where, spec["kind"], idx, cur["kind"]))
            matching = c.group("m") == "matching"
            cand = dict(spec)
            del cand["kind"]
            cand["cand"] = int(c.group("i"))
            cand["matching"] = matching
            cur["candidates"].append(cand)
            if matching:
                cur["matches"] += 1
                if cur["matches"] == 1:
                    cur["target_type_id"] = spec["type_id"]
                    cur["target_type"] = spec["type"]
                    cur["target_path"] = spec["path"]
                    if cur["kind"] in FIELD_KINDS:
                        cur["target_access"] = spec["access"]
                        cur["target_bit_offset"] = spec["bit_offset"]
                    if cur["kind"] in ENUM_KINDS:
                        cur["target_enum_value"] = spec["enum_value"]
            continue
        if rest == "no matching targets found":
            cur["no_match"] = True
            continue
        cur["errors"].append(rest)
    return relos


# ---- objects: .BTF.ext CO-RE records, read independently -----------------

def elf_sections(buf, path):
    if buf[:4] != b"\x7fELF" or len(buf) < 64:
        raise ParseError("%s: not an ELF file" % path)
    cls, data = buf[4], buf[5]
    e = "<" if data == 1 else ">"
    if cls == 2:
        shoff, = struct.unpack_from(e + "Q", buf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x3A)
        fmt = e + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(e + "I", buf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x2E)
        fmt = e + "IIIIIIIIII"
    shdrs = [struct.unpack_from(fmt, buf, shoff + i * shentsize) for i in range(shnum)]
    stroff = shdrs[shstrndx][4]
    out = {}
    for sh in shdrs:
        noff = stroff + sh[0]
        name = buf[noff:buf.index(b"\0", noff)].decode("latin-1")
        out[name] = buf[sh[4]:sh[4] + sh[5]]
    return out


def btf_strings(btf, path):
    if btf[:2] == b"\x9f\xeb":
        e = "<"
    elif btf[:2] == b"\xeb\x9f":
        e = ">"
    else:
        raise ParseError("%s: .BTF: bad magic" % path)
    hdr_len, _, _, str_off, str_len = struct.unpack_from(e + "IIIII", btf, 4)
    return btf[hdr_len + str_off:hdr_len + str_off + str_len]


def cstr(strs, off):
    end = strs.index(b"\0", off)
    return strs[off:end].decode("latin-1")


def obj_records(path):
    """[(section, index, kind name, type_id, access, insn)] in .BTF.ext order."""
    with open(path, "rb") as f:
        secs = elf_sections(f.read(), path)
    ext, btf = secs.get(".BTF.ext"), secs.get(".BTF")
    if ext is None or btf is None:
        return []
    strs = btf_strings(btf, path)
    if ext[:2] == b"\x9f\xeb":
        e = "<"
    elif ext[:2] == b"\xeb\x9f":
        e = ">"
    else:
        raise ParseError("%s: .BTF.ext: bad magic" % path)
    hdr_len, = struct.unpack_from(e + "I", ext, 4)
    if hdr_len < 32:
        return []
    off, length = struct.unpack_from(e + "II", ext, 24)
    sub = ext[hdr_len + off:hdr_len + off + length]
    if not sub:
        return []
    rec_size, = struct.unpack_from(e + "I", sub, 0)
    pos, out = 4, []
    while pos < len(sub):
        name_off, num = struct.unpack_from(e + "II", sub, pos)
        pos += 8
        sec = cstr(strs, name_off)
        for i in range(num):
            insn_off, type_id, acc_off, kind = struct.unpack_from(e + "IIII", sub,
                                                                  pos + i * rec_size)
            kname = KINDS[kind] if kind < len(KINDS) else "kind%d" % kind
            out.append((sec, i, kname, type_id, cstr(strs, acc_off), insn_off // 8))
        pos += num * rec_size
    return out


def attribute(relos, objs, partial=False):
    """Give each relocation its object; check the keys against the records."""
    expect = []
    for path in objs:
        expect.extend((path,) + r for r in obj_records(path))
    if len(relos) > len(expect) or (len(relos) < len(expect) and not partial):
        raise ParseError("bpftool printed %d relocations, the objects have %d CO-RE records"
                         % (len(relos), len(expect)))
    for r, (path, sec, idx, kind, tid, acc, insn) in zip(relos, expect):
        got = (r["section"], r["index"], r["kind"], r["local_type_id"])
        want = (sec, idx, kind, tid)
        if r["kind"] is None and r["errors"]:
            got = want[:2] + got[2:]
            want = want[:2] + got[2:]
        if got != want:
            raise ParseError("%s: record %s relo #%d: bpftool printed %r, the object has %r"
                             % (path, sec, idx, got, want))
        if kind in FIELD_KINDS and r["access"] is not None and r["access"] != acc:
            raise ParseError("%s: %s relo #%d: local access %s printed, %s in .BTF.ext"
                             % (path, sec, idx, r["access"], acc))
        r["object"] = path
        r["access"] = acc
        r["insn"] = insn
        if r["kind"] is None:
            r["kind"], r["local_type_id"] = kind, tid


def records(objs):
    """The objects' CO-RE records alone, same keys as the parsed relocations."""
    out = []
    for path in objs:
        for sec, idx, kind, tid, acc, insn in obj_records(path):
            out.append({"object": path, "section": sec, "index": idx, "insn": insn,
                        "kind": kind, "local_type_id": tid, "access": acc})
    return out


def main(argv):
    args = argv[1:]
    partial = False
    if args and args[0] == "--records":
        try:
            out = records(args[1:])
        except (ParseError, OSError, ValueError, struct.error, IndexError) as err:
            sys.stderr.write("bpftool_relos.py: %s\n" % err)
            return 1
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0
    if args and args[0] == "--partial":
        partial = True
        args = args[1:]
    if not args:
        sys.stderr.write("usage: %s [--partial] STDERR_FILE|- [OBJ...]\n"
                         "       %s --records OBJ...\n" % (argv[0], argv[0]))
        return 2
    try:
        if args[0] == "-":
            relos = parse_stream(sys.stdin)
        else:
            with open(args[0], encoding="utf-8", errors="replace") as f:
                relos = parse_stream(f)
        if len(args) > 1:
            attribute(relos, args[1:], partial)
    except (ParseError, OSError, ValueError, struct.error, IndexError) as err:
        sys.stderr.write("bpftool_relos.py: %s\n" % err)
        return 1
    json.dump(relos, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
