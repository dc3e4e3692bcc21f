#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rewrite an ELF64 relocatable file as an ELF32 one (same byte order).

    tests/tools/mk_elf32.py IN64 OUT32

Only the ELF header and the section header table are converted (section
contents stay at their offsets; symbol tables and relocations are NOT
converted), so the result is good for testing ELF container parsers such as
tests/tools/extract_bpf.py, not as a loadable object. The section header
table must be the last thing in IN64; OUT32 ends right after its new one.
"""
import struct
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mk_elf32.py IN64 OUT32\n")
        return 2
    buf = open(argv[1], "rb").read()
    if buf[:4] != b"\x7fELF" or buf[4] != 2:
        sys.stderr.write("%s: not an ELF64 file\n" % argv[1])
        return 1
    e = "<" if buf[5] == 1 else ">"
    (e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags, e_ehsize,
     e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(
        e + "HHIQQQIHHHHHH", buf, 16)
    if e_phnum:
        sys.stderr.write("%s: has program headers\n" % argv[1])
        return 1
    out = bytearray(buf[:e_shoff])
    ident = bytearray(buf[:16])
    ident[4] = 1
    out[0:52] = bytes(ident) + struct.pack(
        e + "HHIIIIIHHHHHH", e_type, e_machine, e_version, 0, 0, e_shoff, e_flags,
        52, 0, 0, 40, e_shnum, e_shstrndx)
    for i in range(e_shnum):
        (name, typ, flags, addr, off, size, link, info, align,
         entsize) = struct.unpack_from(e + "IIQQQQIIQQ", buf, e_shoff + i * e_shentsize)
        if off + size > e_shoff and typ != 8:
            sys.stderr.write("%s: section %d after the section headers\n" % (argv[1], i))
            return 1
        out += struct.pack(e + "IIIIIIIIII", name, typ, flags, addr, off, size, link,
                           info, align, entsize)
    open(argv[2], "wb").write(bytes(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
