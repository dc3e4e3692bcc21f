#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Edit a raw BTF file: remove one member from a struct.

    tests/tools/btf_edit.py remove-member IN OUT STRUCT MEMBER

Independent of btfgen (used by tests/e2e/relocs_verify.sh to make a reduced
BTF that no longer answers some relocations). IN is a raw BTF file (magic
0xeb9f, either byte order, header of any hdr_len >= 24); OUT gets the same
bytes, in the same byte order, with the 12-byte btf_member record named
MEMBER deleted from every STRUCT (kind 4) named STRUCT: the struct's vlen is
decremented, the header's type_len shrinks by 12 per removal and str_off
follows when the strings come after the types. Type ids do not change (the
member records are inside their struct's record). Other members keep their
offsets, so the struct keeps its size and layout.

Prints "removed STRUCT.MEMBER from N struct(s): [id] ..." on success.
Exit status: 0 ok, 1 no such struct/member or malformed input, 2 usage.
"""
import struct
import sys

# bytes after the 12-byte struct btf_type: (fixed, per vlen entry), by kind
KIND_SIZES = {
    1: (4, 0),    # INT
    2: (0, 0),    # PTR
    3: (12, 0),   # ARRAY
    4: (0, 12),   # STRUCT
    5: (0, 12),   # UNION
    6: (0, 8),    # ENUM
    7: (0, 0),    # FWD
    8: (0, 0),    # TYPEDEF
    9: (0, 0),    # VOLATILE
    10: (0, 0),   # CONST
    11: (0, 0),   # RESTRICT
    12: (0, 0),   # FUNC
    13: (0, 8),   # FUNC_PROTO
    14: (4, 0),   # VAR
    15: (0, 12),  # DATASEC
    16: (0, 0),   # FLOAT
    17: (4, 0),   # DECL_TAG
    18: (0, 0),   # TYPE_TAG
    19: (0, 12),  # ENUM64
}
KIND_STRUCT = 4


class BtfError(Exception):
    pass


def remove_member(data, struct_name, member_name):
    if data[:2] == b"\x9f\xeb":
        e = "<"
    elif data[:2] == b"\xeb\x9f":
        e = ">"
    else:
        raise BtfError("not a raw BTF file (bad magic)")
    if len(data) < 24:
        raise BtfError("file too short for a BTF header")
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(e + "IIIII", data, 4)
    if hdr_len < 24 or hdr_len + max(type_off + type_len, str_off + str_len) > len(data):
        raise BtfError("header out of range")
    types_start = hdr_len + type_off
    strs = data[hdr_len + str_off:hdr_len + str_off + str_len]

    def name(off):
        if off >= len(strs):
            raise BtfError("name offset %d out of range" % off)
        return strs[off:strs.index(b"\0", off)].decode("latin-1")

    out = bytearray(data)
    cuts = []          # (absolute offset of a member record to delete, header offset)
    hits = []
    off, tid = 0, 0
    while off < type_len:
        tid += 1
        if off + 12 > type_len:
            raise BtfError("type [%d] truncated" % tid)
        name_off, info = struct.unpack_from(e + "II", data, types_start + off)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        if kind not in KIND_SIZES:
            raise BtfError("type [%d]: unknown kind %d" % (tid, kind))
        fixed, per = KIND_SIZES[kind]
        size = 12 + fixed + vlen * per
        if off + size > type_len:
            raise BtfError("type [%d] runs past the type section" % tid)
        if kind == KIND_STRUCT and name(name_off) == struct_name:
            for i in range(vlen):
                moff = types_start + off + 12 + i * 12
                m_name, = struct.unpack_from(e + "I", data, moff)
                if name(m_name) == member_name:
                    cuts.append((moff, types_start + off))
                    hits.append(tid)
                    break
        off += size
    if not hits:
        raise BtfError("no struct %s with a member %s" % (struct_name, member_name))
    # delete from the end so earlier offsets stay valid
    for moff, hoff in sorted(cuts, reverse=True):
        info, = struct.unpack_from(e + "I", out, hoff + 4)
        struct.pack_into(e + "I", out, hoff + 4, info - 1)     # vlen is the low 16 bits
        del out[moff:moff + 12]
    removed = 12 * len(cuts)
    new_str_off = str_off - removed if str_off >= type_off + type_len else str_off
    # the types keep their offset: only what follows them moves
    struct.pack_into(e + "IIII", out, 8, type_off, type_len - removed, new_str_off, str_len)
    return bytes(out), hits


def main(argv):
    if len(argv) != 6 or argv[1] != "remove-member":
        sys.stderr.write("usage: %s remove-member IN OUT STRUCT MEMBER\n" % argv[0])
        return 2
    _, _, src, dst, sname, mname = argv
    try:
        with open(src, "rb") as f:
            data = f.read()
        out, hits = remove_member(data, sname, mname)
        with open(dst, "wb") as f:
            f.write(out)
    except (BtfError, OSError, struct.error, ValueError) as err:
        sys.stderr.write("btf_edit.py: %s: %s\n" % (src, err))
        return 1
    print("removed %s.%s from %d struct(s): %s" %
          (sname, mname, len(hits), " ".join("[%d]" % i for i in hits)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
