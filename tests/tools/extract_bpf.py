#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Extract BPF ELF objects (e_machine 247) embedded in other files.

    tests/tools/extract_bpf.py DIR FILE...

An independent reimplementation for the end-to-end tests (it shares no code
with btfgen): scan every FILE for b"\\x7fELF", parse the candidate's ELF header
(ELF32/ELF64, little- or big-endian), keep it when e_machine is EM_BPF (247),
and compute its length as the end of the furthest of: the ELF header, the
section header table, the contents of every non-NOBITS section (and the
program header table, if any). Each object is written to
DIR/<basename of FILE>.<n>.bpf.o, n counting from 0 per FILE in file order.
A FILE that is itself a BPF ELF gives DIR/<name>.0.bpf.o (the whole object).
Prints one line per object: "<out> <FILE> offset=<hex> size=<n>".
Exit status: 0 if at least one object was found overall, 1 if none, 2 usage.
"""
import os
import struct
import sys

EM_BPF = 247
SHT_NOBITS = 8


def parse_elf(buf, off):
    """Return the length of the ELF image starting at buf[off], or None."""
    if buf[off:off + 4] != b"\x7fELF" or len(buf) - off < 16:
        return None
    ei_class, ei_data, ei_version = buf[off + 4], buf[off + 5], buf[off + 6]
    if ei_class not in (1, 2) or ei_data not in (1, 2) or ei_version != 1:
        return None
    e = "<" if ei_data == 1 else ">"
    avail = len(buf) - off
    if ei_class == 1:
        ehsize_min = 52
        if avail < ehsize_min:
            return None
        (e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags,
         e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
         e_shstrndx) = struct.unpack_from(e + "HHIIIIIHHHHHH", buf, off + 16)
        shfmt, shsize_min = e + "IIIIIIIIII", 40
    else:
        ehsize_min = 64
        if avail < ehsize_min:
            return None
        (e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags,
         e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
         e_shstrndx) = struct.unpack_from(e + "HHIQQQIHHHHHH", buf, off + 16)
        shfmt, shsize_min = e + "IIQQQQIIQQ", 64
    if e_machine != EM_BPF or e_version != 1:
        return None
    if e_ehsize < ehsize_min or e_shoff == 0 or e_shnum == 0:
        return None
    if e_shentsize < shsize_min:
        return None
    end = max(e_ehsize, e_shoff + e_shnum * e_shentsize)
    if end > avail:
        return None
    if e_phnum:
        end = max(end, e_phoff + e_phnum * e_phentsize)
    for i in range(e_shnum):
        sh = struct.unpack_from(shfmt, buf, off + e_shoff + i * e_shentsize)
        sh_type, sh_offset, sh_size = sh[1], sh[4], sh[5]
        if sh_type == SHT_NOBITS or sh_type == 0:
            continue
        end = max(end, sh_offset + sh_size)
    if end > avail:
        return None
    return end


def extract(path):
    with open(path, "rb") as f:
        buf = f.read()
    found = []
    pos = 0
    while True:
        i = buf.find(b"\x7fELF", pos)
        if i < 0:
            break
        n = parse_elf(buf, i)
        if n:
            found.append((i, buf[i:i + n]))
            pos = i + n
        else:
            pos = i + 1
    return found


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: extract_bpf.py DIR FILE...\n")
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for path in argv[2:]:
        base = os.path.basename(path)
        for n, (off, data) in enumerate(extract(path)):
            out = os.path.join(outdir, "%s.%d.bpf.o" % (base, n))
            with open(out, "wb") as f:
                f.write(data)
            print("%s %s offset=0x%x size=%d" % (out, path, off, len(data)))
            total += 1
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
