#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks for tests/e2e/archive.sh (`btfgen archive`), independent of btfgen.

    archive_check.py manifest MANIFEST OUT_DIR IN_SUMS OUT_SUMS EXPECT VERSION OBJ_SUMS
        MANIFEST is valid JSON; "btfgen_version" is VERSION; "objects" is a
        non-empty list; "object_files", if there, lists the OBJECT arguments
        in order with the hashes sha256sum printed for them (OBJ_SUMS); "kernels" lists exactly the kernels of EXPECT (lines
        "PATH<TAB>INPUT<TAB>STATUS", PATH without .btf, INPUT relative to
        INPUT_DIR) with that input and status; "input_sha256" is the hash
        sha256sum printed for INPUT (IN_SUMS: `sha256sum` lines, names
        relative to INPUT_DIR); for "ok": "output_sha256" is sha256sum's hash
        of OUT_DIR/PATH.btf (OUT_SUMS, names relative to OUT_DIR) and
        "output_size" its size; for "failed": a non-empty "error" string.
    archive_check.py tree OUT_DIR REF_DIR
        OUT_DIR holds exactly the .btf files of REF_DIR (same relative paths,
        same bytes, symlinks followed) and nothing else but
        btfgen-manifest.json (no temporary files).
    archive_check.py dedup OUT_DIR MODE
        hardlink: identical outputs share one inode, different ones don't;
        symlink: per content one regular file, the others relative symlinks
        resolving to it; copy: regular files, one link each. Prints the number
        of distinct contents.
    archive_check.py tar TAR OUT_DIR
        every entry: mtime 0, uid/gid 0, mode 0644, regular file or hard link;
        names sorted and unique; hard links point to an earlier regular entry
        (never to themselves) with the same bytes; the names are exactly the
        .btf files of OUT_DIR and regular entries hold their bytes; one
        regular entry per distinct content.
    archive_check.py report REPORT_JSON REPORT_TXT RELOCS_MAP
        the JSON and text reports list the same poisoned relocations; for every
        kernel of RELOCS_MAP (lines "PATH<TAB>RELOCS_JSON", the output of
        `btfgen relocs --json --btf KERNEL OBJ...`), the report's poisoned
        relocations of each object are exactly those relocs marks
        "poisoned": true (section, index, kind, access, reason).
    archive_check.py field MANIFEST PATH KEY      print one kernel's KEY
    archive_check.py unique MANIFEST              paths of kernels whose output
                                                  no other kernel shares
Each check prints one line per problem and exits 1 if there is any.
"""
import collections
import hashlib
import json
import os
import stat
import sys
import tarfile

MANIFEST = "btfgen-manifest.json"
problems = []


def bad(msg):
    problems.append(msg)


def finish(extra=None):
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print(f"... {len(problems) - 20} more")
    if not problems and extra is not None:
        print(extra)
    sys.exit(1 if problems else 0)


def read_sums(path):
    sums = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            h, name = line.split("  ", 1)
            if name.startswith("./"):
                name = name[2:]
            sums[name] = h
    return sums


def load_json(path):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        bad(f"{path}: not valid JSON: {e}")
        finish()


def btf_files(top):
    """Relative paths of the .btf entries (files or symlinks) below top."""
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        for n in filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            out.append(rel)
    return sorted(out)


def content(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_manifest(man, out_dir, in_sums, out_sums, expect, version, obj_sums):
    m = load_json(man)
    if not isinstance(m, dict):
        bad("manifest: top level is not an object")
        finish()
    if m.get("btfgen_version") != version:
        bad(f"manifest: btfgen_version {m.get('btfgen_version')!r}, btfgen -V says {version!r}")
    objs = m.get("objects")
    if not isinstance(objs, list) or not objs:
        bad(f"manifest: 'objects' is not a non-empty list: {objs!r:.100}")
    of = m.get("object_files")
    if of is not None:
        with open(obj_sums) as f:
            want_of = [line.rstrip("\n").split("  ", 1)[::-1] for line in f if line.strip()]
        got_of = [[o.get("path"), o.get("sha256")] for o in of] if isinstance(of, list) else of
        if got_of != want_of:
            bad(f"manifest: object_files {str(got_of)[:150]} != sha256sum {str(want_of)[:150]}")
    ins = read_sums(in_sums)
    outs = read_sums(out_sums)
    want = {}
    with open(expect) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                p, i, s = line.split("\t")
                want[p] = (i, s)
    kernels = m.get("kernels")
    if not isinstance(kernels, list):
        bad("manifest: 'kernels' is not a list")
        finish()
    seen = collections.Counter(k.get("path") for k in kernels if isinstance(k, dict))
    for p, n in seen.items():
        if n > 1:
            bad(f"manifest: kernel {p} listed {n} times")
    for p in sorted(set(want) - set(seen)):
        bad(f"manifest: kernel {p} missing")
    for p in sorted(set(seen) - set(want)):
        bad(f"manifest: unexpected kernel {p}")
    for k in kernels:
        if not isinstance(k, dict) or k.get("path") not in want:
            continue
        p = k["path"]
        inp, st = want[p]
        if k.get("input") != inp:
            bad(f"manifest: {p}: input {k.get('input')!r}, want {inp!r}")
        if k.get("status") != st:
            bad(f"manifest: {p}: status {k.get('status')!r}, want {st!r} (error: {k.get('error')!r:.150})")
            continue
        if k.get("input_sha256") != ins.get(inp):
            bad(f"manifest: {p}: input_sha256 {k.get('input_sha256')}, sha256sum says {ins.get(inp)}")
        if st == "ok":
            o = p + ".btf"
            if k.get("output_sha256") != outs.get(o):
                bad(f"manifest: {p}: output_sha256 {k.get('output_sha256')}, sha256sum of the output says {outs.get(o)}")
            try:
                size = os.stat(os.path.join(out_dir, o)).st_size
            except OSError as e:
                bad(f"manifest: {p}: output {o}: {e}")
                continue
            if k.get("output_size") != size:
                bad(f"manifest: {p}: output_size {k.get('output_size')}, file has {size} bytes")
        else:
            e = k.get("error")
            if not isinstance(e, str) or not e:
                bad(f"manifest: {p}: failed without an error string ({e!r})")
    finish(f"{len(kernels)} kernels")


def cmd_tree(out_dir, ref_dir):
    ref = set(btf_files(ref_dir))
    got = btf_files(out_dir)
    for rel in got:
        if rel == MANIFEST:
            continue
        if rel not in ref:
            bad(f"tree: unexpected file {rel}")
            continue
        try:
            if content(os.path.join(out_dir, rel)) != content(os.path.join(ref_dir, rel)):
                bad(f"tree: {rel} differs from the reference")
        except OSError as e:
            bad(f"tree: {rel}: {e}")
    for rel in sorted(ref - set(got)):
        bad(f"tree: missing {rel}")
    finish(f"{len(ref)} files")


def cmd_dedup(out_dir, mode):
    groups = collections.defaultdict(list)
    for rel in btf_files(out_dir):
        if rel == MANIFEST:
            continue
        p = os.path.join(out_dir, rel)
        try:
            h = hashlib.sha256(content(p)).hexdigest()
        except OSError as e:
            bad(f"dedup: {rel}: {e}")
            continue
        groups[h].append(rel)
    inodes = {}
    for h, rels in groups.items():
        lst = [(r, os.lstat(os.path.join(out_dir, r))) for r in rels]
        regular = [(r, s) for r, s in lst if stat.S_ISREG(s.st_mode)]
        links = [(r, s) for r, s in lst if stat.S_ISLNK(s.st_mode)]
        if mode == "hardlink":
            if links:
                bad(f"dedup: {links[0][0]} is a symlink (mode hardlink)")
            ino = {(s.st_dev, s.st_ino) for r, s in regular}
            if len(ino) > 1:
                bad(f"dedup: identical outputs stored {len(ino)} times: {', '.join(rels[:4])}")
            for i in ino:
                if i in inodes:
                    bad(f"dedup: different outputs share an inode: {rels[0]} and {inodes[i]}")
                inodes[i] = rels[0]
        elif mode == "symlink":
            if len(regular) != 1:
                bad(f"dedup: {len(regular)} regular files for one content (want 1): {', '.join(r for r, s in regular[:4])}")
                continue
            target = os.path.realpath(os.path.join(out_dir, regular[0][0]))
            for r, s in links:
                t = os.readlink(os.path.join(out_dir, r))
                if t.startswith("/"):
                    bad(f"dedup: {r} -> {t} is an absolute link")
                if os.path.realpath(os.path.join(out_dir, r)) != target:
                    bad(f"dedup: {r} -> {t} does not resolve to {regular[0][0]}")
        elif mode == "copy":
            if links:
                bad(f"dedup: {links[0][0]} is a symlink (mode copy)")
            for r, s in regular:
                if s.st_nlink != 1:
                    bad(f"dedup: {r} has {s.st_nlink} links (mode copy)")
        else:
            bad(f"dedup: unknown mode {mode}")
    finish(f"{len(groups)}")


def cmd_tar(tar_path, out_dir):
    try:
        t = tarfile.open(tar_path, "r:")
        members = t.getmembers()
    except (OSError, tarfile.TarError) as e:
        bad(f"tar: {tar_path}: {e}")
        finish()
    names = [m.name for m in members]
    if names != sorted(names, key=lambda s: s.encode()):
        bad("tar: names are not sorted")
    if len(set(names)) != len(names):
        bad("tar: duplicate names")
    regular = {}
    for m in members:
        if m.mtime != 0 or m.uid != 0 or m.gid != 0 or m.mode != 0o644:
            bad(f"tar: {m.name}: mtime {m.mtime} uid {m.uid} gid {m.gid} mode {oct(m.mode)} (want 0 0 0 0o644)")
        if m.isfile():
            regular[m.name] = t.extractfile(m).read()
        elif m.islnk():
            if m.linkname == m.name:
                bad(f"tar: {m.name}: hard link to itself")
            elif m.linkname not in regular:
                bad(f"tar: {m.name}: hard link to {m.linkname}, not an earlier regular entry")
        else:
            bad(f"tar: {m.name}: type {m.type!r} (want regular file or hard link)")
    want = [r for r in btf_files(out_dir) if r != MANIFEST]
    if sorted(set(names)) != sorted(want):
        extra = sorted(set(names) - set(want))[:3]
        miss = sorted(set(want) - set(names))[:3]
        bad(f"tar: names differ from the output tree: extra {extra}, missing {miss}")
    for m in members:
        p = os.path.join(out_dir, m.name)
        if not os.path.exists(p):
            continue
        data = regular.get(m.linkname if m.islnk() else m.name)
        if data is not None and data != content(p):
            bad(f"tar: {m.name}: bytes differ from {p}")
    distinct = {hashlib.sha256(d).digest() for d in regular.values()}
    if len(distinct) != len(regular):
        bad(f"tar: {len(regular)} regular entries for {len(distinct)} distinct contents")
    finish(f"{len(members)} entries, {len(regular)} regular")


def relo_key(section, index, kind, access, reason):
    return f"{section} #{index} {kind} {access}: {reason}"


def cmd_report(rjson, rtxt, relocs_map):
    r = load_json(rjson)
    # report (JSON): object -> kernel -> [relocation lines]
    rep = collections.defaultdict(lambda: collections.defaultdict(list))
    nk = r.get("kernels")
    for o in r.get("objects", []):
        name = o.get("object")
        ks = o.get("kernels", [])
        if o.get("kernels_with_poisoned_relocations") != len(ks):
            bad(f"report: {name}: kernels_with_poisoned_relocations {o.get('kernels_with_poisoned_relocations')} but {len(ks)} kernels listed")
        for k in ks:
            rep[name][k["kernel"]].extend(k.get("relocations", []))
    # text report, same content
    txt = collections.defaultdict(lambda: collections.defaultdict(list))
    cur = None
    with open(rtxt) as f:
        lines = f.read().split("\n")
    if not lines or not lines[0].startswith("btfgen coverage report:"):
        bad(f"report: text report starts with {lines[0][:80]!r}")
    elif f" {nk} kernels" not in lines[0]:
        bad(f"report: text says {lines[0]!r}, JSON says {nk} kernels")
    for line in lines[1:]:
        if not line:
            continue
        if line.startswith("  "):
            if cur is None:
                bad(f"report: text: relocation line before any object: {line[:80]}")
                continue
            k, rel = line[2:].split(": ", 1)
            txt[cur][k].append(rel)
        elif ": poisoned relocations on " in line or ": every relocation resolves" in line:
            cur = line.rsplit(": poisoned relocations on ", 1)[0] if ": poisoned" in line \
                else line.rsplit(": every relocation resolves", 1)[0]
            txt[cur]
        else:
            bad(f"report: text: unexpected line {line[:100]!r}")
    for o in set(rep) | set(txt):
        for k in set(rep[o]) | set(txt[o]):
            if sorted(rep[o][k]) != sorted(txt[o][k]):
                bad(f"report: {o} on {k}: JSON and text reports differ")
    # against btfgen relocs --json
    checked = 0
    with open(relocs_map) as f:
        pairs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for kernel, path in pairs:
        rel = load_json(path)
        want = collections.defaultdict(list)
        for x in rel:
            if x.get("poisoned"):
                want[x["object"]].append(relo_key(x["section"], x["index"], x["kind"],
                                                  x["access_c"], x.get("reason")))
        objs = set(want) | {o for o in rep if kernel in rep[o]}
        for o in sorted(objs):
            got = sorted(rep[o].get(kernel, []))
            exp = sorted(want.get(o, []))
            checked += 1
            if got != exp:
                gk = {g.split(":", 1)[0] for g in got}
                ek = {e.split(":", 1)[0] for e in exp}
                if gk != ek:
                    bad(f"report: {o} on {kernel}: report lists {len(got)} poisoned, relocs {len(exp)}; "
                        f"only in report: {sorted(gk - ek)[:2]}, only in relocs: {sorted(ek - gk)[:2]}")
                else:
                    d = sorted(set(got) ^ set(exp))[:2]
                    bad(f"report: {o} on {kernel}: same relocations, different text: {d}")
    finish(f"{len(pairs)} kernels, {checked} (kernel, object) pairs")


def cmd_field(man, path, key):
    m = load_json(man)
    for k in m.get("kernels", []):
        if k.get("path") == path:
            v = k.get(key)
            print("" if v is None else v)
            return
    sys.exit(1)


def cmd_unique(man):
    m = load_json(man)
    c = collections.Counter(k.get("output_sha256") for k in m.get("kernels", []))
    for k in m.get("kernels", []):
        if k.get("status") == "ok" and c[k.get("output_sha256")] == 1:
            print(k["path"])


def main():
    a = sys.argv[1:]
    cmds = {"manifest": (cmd_manifest, 7), "tree": (cmd_tree, 2), "dedup": (cmd_dedup, 2),
            "tar": (cmd_tar, 2), "report": (cmd_report, 3), "field": (cmd_field, 3),
            "unique": (cmd_unique, 1)}
    if not a or a[0] not in cmds or len(a) - 1 != cmds[a[0]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmds[a[0]][0](*a[1:])


if __name__ == "__main__":
    main()
