#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hostile inputs of tests/e2e/hostile.sh into OUTDIR.

    tests/tools/hostile.py OBJ OUTDIR

OBJ is tests/e2e/hostile/prog.bpf.c built for bpfel (one byte_off
relocation on struct hk.a, decl-tag strings used as bad access strings).
Everything is built here, independently of btfgen: small kernel BTFs with
one defect each, mutations of OBJ's ELF headers and .BTF.ext, xz files made
of stored LZMA2 chunks whose headers claim huge sizes, tars with unsafe
member names. Writes OUTDIR/<case>.<ext>; prints nothing.
"""
import io
import os
import struct
import sys
import tarfile
import zlib

INT, PTR, ARRAY, STRUCT, TYPEDEF, CONST = 1, 2, 3, 4, 8, 10


class Btf:
    """A tiny little-endian BTF writer: records are appended as given."""

    def __init__(self):
        self.strs = bytearray(b"\0")
        self.types = bytearray()

    def s(self, name):
        if not name:
            return 0
        off = len(self.strs)
        self.strs += name.encode() + b"\0"
        return off

    def rec(self, name, kind, vlen, size_or_type, extra=b""):
        info = (kind << 24) | vlen
        self.types += struct.pack("<III", self.s(name), info, size_or_type) + extra

    def int_(self, name="int"):
        self.rec(name, INT, 0, 4, struct.pack("<I", (1 << 24) | 32))  # signed, 32 bits

    def struct_hk(self, a_type, b_type=1, vlen=None):
        members = struct.pack("<III", self.s("a"), a_type, 0)
        members += struct.pack("<III", self.s("b"), b_type, 32)
        self.rec("hk", STRUCT, 2 if vlen is None else vlen, 8, members)

    def blob(self, type_len=None, str_off=None, str_len=None, strs=None):
        strs = self.strs if strs is None else strs
        tl = len(self.types) if type_len is None else type_len
        so = len(self.types) if str_off is None else str_off
        sl = len(strs) if str_len is None else str_len
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, tl, so, sl)
        return hdr + bytes(self.types) + bytes(strs)


def kernels(out):
    def w(name, data):
        open(os.path.join(out, name), "wb").write(data)

    b = Btf()                       # [1] int, [2] struct hk
    b.int_()
    b.struct_hk(1)
    w("good.btf", b.blob())

    b = Btf()                       # hk.a: [3] typedef -> [4] const -> [3]
    b.int_()
    b.struct_hk(3)
    b.rec("t", TYPEDEF, 0, 4)
    b.rec("", CONST, 0, 3)
    w("btf-cycle.btf", b.blob())

    b = Btf()                       # hk.a: 40 CONSTs deep, then int
    b.int_()
    b.struct_hk(3 + 39)
    for i in range(40):
        b.rec("", CONST, 0, 1 if i == 0 else 2 + i)
    w("btf-deep-mods.btf", b.blob())

    b = Btf()                       # a struct claiming 65535 members, holding 2
    b.int_()
    b.struct_hk(1, vlen=0xFFFF)
    w("btf-vlen-65535.btf", b.blob())

    b = Btf()
    b.int_()
    b.struct_hk(1)
    w("btf-type-len-4g.btf", b.blob(type_len=0xFFFFFFF0))
    w("btf-str-off-2g.btf", b.blob(str_off=0x7FFFFFF0))
    w("btf-str-len-4g.btf", b.blob(str_len=0xFFFFFFF0))
    w("btf-strings-no-nul.btf", b.blob(strs=bytes(b.strs) + b"tail"))

    b = Btf()                       # a member of type [999] in a 2-type BTF
    b.int_()
    b.struct_hk(999)
    w("btf-type-id-out-of-range.btf", b.blob())

    b = Btf()                       # a name offset past the strings
    b.int_()
    b.types += struct.pack("<III", 0x7FFFFF, STRUCT << 24, 8)
    w("btf-name-off-out-of-range.btf", b.blob())


def elf_sections(d):
    """(shoff, shentsize, [(name, hdr_off, offset, size)]) of an ELF64 LSB file."""
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    secs = []
    for i, h in enumerate(hdrs):
        name = d[stroff + h[0]:d.index(b"\0", stroff + h[0])].decode()
        secs.append((name, shoff + i * shentsize, h[4], h[5]))
    return shoff, shentsize, secs


def objects(obj, out):
    d = bytearray(open(obj, "rb").read())
    shoff, shentsize, secs = elf_sections(d)
    sec = {s[0]: s for s in secs}

    def w(name, data):
        open(os.path.join(out, name), "wb").write(bytes(data))

    m = bytearray(d)                # section header table past the end
    struct.pack_into("<Q", m, 0x28, len(d) + 100)
    w("elf-shoff-past-end.o", m)

    m = bytearray(d)                # 65535 section headers from shoff: past the end
    struct.pack_into("<H", m, 0x3C, 0xFFFF)
    w("elf-shnum-past-end.o", m)

    m = bytearray(d)                # .BTF's contents run past the end of the file
    struct.pack_into("<QQ", m, sec[".BTF"][1] + 0x18, len(d) - 16, 4096)
    w("elf-section-past-end.o", m)

    m = bytearray(d)                # .BTF.ext placed over .BTF
    struct.pack_into("<Q", m, sec[".BTF.ext"][1] + 0x18, sec[".BTF"][2])
    w("elf-sections-overlap.o", m)

    m = bytearray(d)                # section names from a section that isn't there
    struct.pack_into("<H", m, 0x3E, 0xFFF0)
    w("elf-shstrndx-out-of-range.o", m)

    # .BTF.ext: header, then the CO-RE records (u32 record size, per section
    # u32 name, u32 count, records of insn_off, type_id, access_str_off, kind)
    ext = sec[".BTF.ext"][2]
    hdr_len, = struct.unpack_from("<I", d, ext + 4)
    relo_off, relo_len = struct.unpack_from("<II", d, ext + 24)
    rs = ext + hdr_len + relo_off           # the record size word
    first = rs + 4 + 8                      # the first record
    for name, val in (("btf-ext-record-size-0", 0), ("btf-ext-record-size-huge", 0xFFFFFFF0)):
        m = bytearray(d)
        struct.pack_into("<I", m, rs, val)
        w(name + ".o", m)
    m = bytearray(d)                        # 2^32-1 records in the section
    struct.pack_into("<I", m, rs + 8, 0xFFFFFFFF)
    w("btf-ext-count-4g.o", m)

    # access strings: point the relocation at a decl-tag string of .BTF
    btf = sec[".BTF"][2]
    _, _, _, bhl, _, _, so, sl = struct.unpack_from("<HBBIIIII", d, btf)
    strs = bytes(d[btf + bhl + so:btf + bhl + so + sl])
    for case, s in (("access-too-long", "0:0:0:0:0:0:0:0:" * 8 + "0"),
                    ("access-malformed", "0::x"), ("access-negative", "0:-1"),
                    ("access-huge-index", "0:99999999999")):
        m = bytearray(d)
        struct.pack_into("<I", m, first + 8, strs.index(s.encode() + b"\0"))
        w(case + ".o", m)


def crc32(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def vli(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def xz_stored(data, block_usize=None, index_usize=None):
    """An xz stream (CRC32 check) of stored LZMA2 chunks; sizes may lie."""
    flags = b"\x00\x01"
    out = bytearray(b"\xfd7zXZ\x00" + flags + struct.pack("<I", crc32(flags)))
    lz = bytearray()
    for i in range(0, len(data), 65536):
        c = data[i:i + 65536]
        lz += bytes([0x01 if i == 0 else 0x02]) + struct.pack(">H", len(c) - 1) + c
    lz += b"\x00"
    bflags = 0x00 if block_usize is None else 0x80         # one filter, maybe usize
    bh = bytearray([0, bflags])
    if block_usize is not None:
        bh += vli(block_usize)
    bh += b"\x21\x01\x16"                                   # LZMA2, 1 prop byte, dict 8 MiB
    while (len(bh) + 4) % 4:
        bh += b"\x00"
    bh[0] = (len(bh) + 4) // 4 - 1
    bh += struct.pack("<I", crc32(bytes(bh)))
    block = bytes(bh) + bytes(lz)
    unpadded = len(block) + 4
    block += b"\x00" * (-len(block) % 4) + struct.pack("<I", crc32(data))
    out += block
    idx = bytearray(b"\x00" + vli(1) + vli(unpadded) +
                    vli(len(data) if index_usize is None else index_usize))
    idx += b"\x00" * (-len(idx) % 4)
    idx += struct.pack("<I", crc32(bytes(idx)))
    out += idx
    back = len(idx) // 4 - 1
    foot = struct.pack("<I", back) + flags
    out += struct.pack("<I", crc32(foot)) + foot + b"YZ"
    return bytes(out)


def archives(out):
    good = open(os.path.join(out, "good.btf"), "rb").read()

    def w(name, data):
        open(os.path.join(out, name), "wb").write(data)

    w("xz-stored-ok.btf.xz", xz_stored(good))
    w("xz-block-claims-2^62.btf.xz", xz_stored(good, block_usize=1 << 62))
    w("xz-index-claims-2^62.btf.xz", xz_stored(good, index_usize=1 << 62))

    for case, name in (("tar-dotdot", "../../evil.btf"), ("tar-absolute", "/etc/evil.btf"),
                       ("tar-ok", "kernel.btf")):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
            info = tarfile.TarInfo(name)
            info.size = len(good)
            info.mtime = 0
            t.addfile(info, io.BytesIO(good))
        w(case + ".tar", buf.getvalue())
        w(case + ".btf.tar.xz", xz_stored(buf.getvalue()))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: hostile.py OBJ OUTDIR\n")
        return 2
    os.makedirs(argv[2], exist_ok=True)
    kernels(argv[2])
    objects(argv[1], argv[2])
    archives(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
