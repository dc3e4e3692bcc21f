#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count the CO-RE relocation records of BPF ELF objects.

    tests/tools/core_relo_count.py OBJ...

Independent of btfgen (used by the end-to-end tests): reads the ELF section
headers (ELF32/ELF64, either byte order), finds .BTF.ext and sums num_info
over the core_relo sub-section. Prints "<count> <OBJ>" per object; the count
is "none" when the object has no .BTF.ext section. Exit 1 on a parse error.
"""
import struct
import sys


def sections(buf):
    if buf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    cls, data = buf[4], buf[5]
    e = "<" if data == 1 else ">"
    if cls == 2:
        shoff, = struct.unpack_from(e + "Q", buf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x3A)
        shfmt = e + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(e + "I", buf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", buf, 0x2E)
        shfmt = e + "IIIIIIIIII"
    shdrs = [struct.unpack_from(shfmt, buf, shoff + i * shentsize) for i in range(shnum)]
    stroff = shdrs[shstrndx][4]
    out = {}
    for sh in shdrs:
        name_off = stroff + sh[0]
        name = buf[name_off:buf.index(b"\0", name_off)].decode("latin-1")
        out[name] = buf[sh[4]:sh[4] + sh[5]]
    return out


def core_relos(ext):
    if ext[:2] == b"\x9f\xeb":
        e = "<"
    elif ext[:2] == b"\xeb\x9f":
        e = ">"
    else:
        raise ValueError(".BTF.ext: bad magic")
    hdr_len, = struct.unpack_from(e + "I", ext, 4)
    if hdr_len < 32:
        return 0
    off, length = struct.unpack_from(e + "II", ext, 24)
    if length == 0:
        return 0
    sub = ext[hdr_len + off:hdr_len + off + length]
    rec_size, = struct.unpack_from(e + "I", sub, 0)
    pos, count = 4, 0
    while pos < len(sub):
        _, num = struct.unpack_from(e + "II", sub, pos)
        pos += 8 + num * rec_size
        count += num
    return count


def main(argv):
    rc = 0
    for path in argv[1:]:
        try:
            with open(path, "rb") as f:
                secs = sections(f.read())
            ext = secs.get(".BTF.ext")
            print("%s %s" % ("none" if ext is None else core_relos(ext), path))
        except (ValueError, struct.error, IndexError) as err:
            sys.stderr.write("%s: %s\n" % (path, err))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
