#!/usr/bin/env python3
"""btf_swap.py IN OUT: write raw BTF IN with every field in the other byte order.

Independent of btfgen's parser (used by the end-to-end tests to make
big-endian kernel BTF from little-endian BTF and back). Knows the record
layout of every BTF kind (SEMANTICS.md 1.3): all trailing data is u32 words.
"""
import struct
import sys

# kind -> (fixed trailing bytes, bytes per vlen entry)
KINDS = {1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 7: (0, 0),
         8: (0, 0), 9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0), 13: (0, 8), 14: (4, 0),
         15: (0, 12), 16: (0, 0), 17: (4, 0), 18: (0, 0), 19: (0, 12)}


def main():
    data = bytearray(open(sys.argv[1], "rb").read())
    magic = struct.unpack_from("<H", data, 0)[0]
    src = "<" if magic == 0xEB9F else ">"
    dst = ">" if src == "<" else "<"
    hdr_len, type_off, type_len = struct.unpack_from(src + "III", data, 4)
    out = bytearray(data)
    struct.pack_into(dst + "H", out, 0, 0xEB9F)
    for off in range(4, hdr_len, 4):
        struct.pack_into(dst + "I", out, off, struct.unpack_from(src + "I", data, off)[0])
    pos = hdr_len + type_off
    end = pos + type_len
    while pos < end:
        info = struct.unpack_from(src + "I", data, pos + 4)[0]
        kind = (info >> 24) & 0x1F
        vlen = info & 0xFFFF
        fixed, elem = KINDS[kind]
        size = 12 + fixed + vlen * elem
        for w in range(pos, pos + size, 4):
            struct.pack_into(dst + "I", out, w, struct.unpack_from(src + "I", data, w)[0])
        pos += size
    open(sys.argv[2], "wb").write(bytes(out))


if __name__ == "__main__":
    main()
