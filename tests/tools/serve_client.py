#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A BTFHub Online API client for the tests of `btfgen serve`, standard library only.

It talks like the Go SDK (DataDog/btfhub-online-go): sorted query keys,
User-Agent btfhub-online-go/0.1.0, a hand-built multipart body with parts
named "bpf" and filename "from_memory"; a customize answer is checked like the
SDK reads it (xz-decompress, the first regular tar member) and more strictly
(xz stream header: CRC64 check, LZMA2 filter; one relative ustar member
<kernel_version>.btf, mode 0644, uid/gid 0, mtime 0).

  serve_client.py list URL [--full] [--out FILE] [--expect N]
  serve_client.py download URL D V A K OUT [--expect N]
  serve_client.py customize URL D V A K OUT FILE... [--raw] [--expect N]
        (K = "-": a batch customize; OUT gets the xz answer as is)
  serve_client.py raw URL METHOD TARGET [--header 'K: V']... [--body FILE] [--expect N]
  serve_client.py load URL --conns 32 --requests 600 --kernels D/V/A/K,... \
        --objects F,... --expect-map MAP.json
        (MAP.json: {"D/V/A/K|F": "sha256 of the reduced BTF", ...})
  serve_client.py timeit URL D V A K FILE... [--n N] [--each]
  serve_client.py send URL FILE [--keep-open] [--timeout S]
  serve_client.py abuse URL --stall 150 --malformed 300 [--timeout S]

Exit status 0 when every check held, 1 otherwise (2: usage). With --expect N
a request passes when the status is N (the body's first line is printed).
"""
import argparse
import hashlib
import http.client
import io
import json
import lzma
import os
import random
import socket
import sys
import tarfile
import threading
import time
import urllib.parse
import uuid

UA = "btfhub-online-go/0.1.0"


def die(msg):
    print("serve_client: " + msg, file=sys.stderr)
    sys.exit(1)


def split_url(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        raise SystemExit("serve_client: want an http://HOST:PORT URL, got %r" % url)
    return u.hostname, u.port or 80, u.path.rstrip("/")


def query(d, v, a, k=None, extra=None):
    q = {"distribution": d, "distribution_version": v, "arch": a}
    if k is None:  # a batch: the other three are optional filters
        q = dict((x, y) for x, y in q.items() if y)
    if k is not None:
        q["kernel_version"] = k
    if extra:
        q.update(extra)
    # the SDK: url.Values.Encode() sorts by key
    return urllib.parse.urlencode(sorted(q.items()))


def multipart(files):
    """The SDK's body: one part per object, name "bpf", filename "from_memory"."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for data in files:
        out.write(b"--" + boundary.encode() + b"\r\n")
        out.write(b'Content-Disposition: form-data; name="bpf"; filename="from_memory"\r\n')
        out.write(b"Content-Type: application/octet-stream\r\n\r\n")
        out.write(data)
        out.write(b"\r\n")
    out.write(b"--" + boundary.encode() + b"--\r\n")
    return "multipart/form-data; boundary=" + boundary, out.getvalue()


def request(conn, method, target, body=None, headers=None):
    h = {"User-Agent": UA, "Accept-Encoding": "gzip"}
    if headers:
        h.update(headers)
    conn.request(method, target, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    return resp, data


def first_line(data):
    return data.split(b"\n", 1)[0][:200].decode("utf-8", "replace")


def check_xz_header(data):
    """Stream header: magic, flags (check type); first block header: LZMA2 filter only."""
    if data[:6] != b"\xfd7zXZ\x00":
        return "not an xz stream (magic %r)" % data[:6]
    check = data[7] & 0x0F
    if data[6] != 0 or check not in (1, 4):
        return "xz stream flags %02x %02x: want CRC32 or CRC64 check" % (data[6], data[7])
    bh = data[12:]
    if not bh or bh[0] == 0:
        return "xz stream without a block"
    flags = bh[1]
    nfilt = (flags & 3) + 1
    p = 2
    if flags & 0x40:  # compressed size
        while bh[p] & 0x80:
            p += 1
        p += 1
    if flags & 0x80:  # uncompressed size
        while bh[p] & 0x80:
            p += 1
        p += 1
    if nfilt != 1 or bh[p] != 0x21:
        return "xz block filters: %d, first id 0x%02x (want LZMA2 only)" % (nfilt, bh[p])
    return None


def read_customize(data, kernel, strict=True):
    """The SDK's reading (decompress, first regular member) plus strict checks.
    Returns (btf bytes, None) or (None, why)."""
    why = check_xz_header(data)
    if why:
        return None, why
    try:
        tar = lzma.decompress(data, format=lzma.FORMAT_XZ)
    except lzma.LZMAError as e:
        return None, "xz: %s" % e
    try:
        tf = tarfile.open(fileobj=io.BytesIO(tar), mode="r:")
        members = tf.getmembers()
    except tarfile.TarError as e:
        return None, "tar: %s" % e
    regs = [m for m in members if m.isreg()]
    if not regs:
        return None, "no regular member in the tar"
    m = regs[0]
    btf = tf.extractfile(m).read()
    if strict:
        if len(members) != 1:
            return None, "%d tar members, want 1: %s" % (len(members), [x.name for x in members])
        if m.name != kernel + ".btf":
            return None, "member %r, want %r" % (m.name, kernel + ".btf")
        if m.mode != 0o644 or m.uid or m.gid or m.mtime:
            return None, "member mode %o uid %d gid %d mtime %d, want 644 0 0 0" % (
                m.mode, m.uid, m.gid, m.mtime)
        if tar[257:263] != b"ustar\x00":
            return None, "not a ustar header: %r" % tar[257:265]
    return btf, None


def want_status(args, resp, data):
    """--expect: True if handled (exits)."""
    if args.expect is None:
        return False
    ok = resp.status == args.expect
    print("%d %s" % (resp.status, first_line(data)))
    sys.exit(0 if ok else 1)


def cmd_list(args):
    host, port, base = split_url(args.url)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    resp, data = request(conn, "GET", base + "/api/v1/list" + ("?full=1" if args.full else ""))
    want_status(args, resp, data)
    if resp.status != 200:
        die("list: status %d: %s" % (resp.status, first_line(data)))
    ct = resp.getheader("Content-Type", "")
    if ct != "application/json; charset=utf-8":
        die("list: Content-Type %r" % ct)
    try:
        arr = json.loads(data)
    except ValueError as e:
        die("list: not JSON: %s" % e)
    if not isinstance(arr, list):
        die("list: not a JSON array")
    keys = ["distribution", "distribution_version", "kernel_version", "arch"]
    if args.full:
        keys += ["size", "sha256"]
    for e in arr:
        if not isinstance(e, dict) or list(e.keys()) != keys:
            die("list: entry %r: want the keys %s in that order" % (e, keys))
    paths = ["%s/%s/%s/%s.btf.tar.xz" % (e["distribution"], e["distribution_version"], e["arch"],
                                         e["kernel_version"]) for e in arr]
    if [p.encode() for p in paths] != sorted(p.encode() for p in paths):
        die("list: not sorted bytewise by path")
    compact = json.dumps(arr, separators=(",", ":"), ensure_ascii=False).encode()
    if compact != data.rstrip(b"\n"):
        die("list: not compact JSON")
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
    else:
        for e in arr:
            extra = " %d %s" % (e["size"], e["sha256"]) if args.full else ""
            print("%s/%s/%s/%s%s" % (e["distribution"], e["distribution_version"], e["arch"],
                                     e["kernel_version"], extra))


def cmd_download(args):
    host, port, base = split_url(args.url)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    resp, data = request(conn, "GET", base + "/api/v1/download?" + query(args.d, args.v, args.a, args.k))
    want_status(args, resp, data)
    if resp.status != 200:
        die("download: status %d: %s" % (resp.status, first_line(data)))
    for h, v in (("Content-Type", "application/octet-stream"),
                 ("Content-Description", "File Transfer"),
                 ("Content-Transfer-Encoding", "binary")):
        if resp.getheader(h) != v:
            die("download: %s %r, want %r" % (h, resp.getheader(h), v))
    if resp.getheader("Content-Encoding"):
        die("download: Content-Encoding %r" % resp.getheader("Content-Encoding"))
    if int(resp.getheader("Content-Length", "-1")) != len(data):
        die("download: Content-Length %s, body %d" % (resp.getheader("Content-Length"), len(data)))
    with open(args.out, "wb") as f:
        f.write(data)


def cmd_customize(args):
    host, port, base = split_url(args.url)
    files = []
    for p in args.files:
        with open(p, "rb") as f:
            files.append(f.read())
    ctype, body = multipart(files)
    extra = {"format": "raw"} if args.raw else None
    k = None if args.k == "-" else args.k
    conn = http.client.HTTPConnection(host, port, timeout=120)
    resp, data = request(conn, "POST", base + "/api/v1/customize?" + query(args.d, args.v, args.a, k, extra),
                         body=body, headers={"Content-Type": ctype})
    want_status(args, resp, data)
    if resp.status != 200:
        die("customize: status %d: %s" % (resp.status, first_line(data)))
    for h, v in (("Content-Type", "application/octet-stream"),
                 ("Content-Description", "File Transfer"),
                 ("Content-Transfer-Encoding", "binary")):
        if resp.getheader(h) != v:
            die("customize: %s %r, want %r" % (h, resp.getheader(h), v))
    if k is not None and not resp.getheader("ETag"):
        die("customize: no ETag")
    if args.raw or k is None:
        out = data
        if k is None:
            why = check_xz_header(data)
            if why:
                die("customize (batch): " + why)
    else:
        out, why = read_customize(data, k)
        if why:
            die("customize: " + why)
    with open(args.out, "wb") as f:
        f.write(out)


def cmd_raw(args):
    host, port, base = split_url(args.url)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    h = {}
    for hv in args.header or []:
        k, _, v = hv.partition(":")
        h[k.strip()] = v.strip()
    body = None
    if args.body:
        with open(args.body, "rb") as f:
            body = f.read()
    resp, data = request(conn, args.method, base + args.target, body=body, headers=h)
    if args.headers_out:
        with open(args.headers_out, "w") as f:
            f.write("HTTP/1.1 %d %s\n" % (resp.status, resp.reason))
            for k, v in resp.getheaders():
                f.write("%s: %s\n" % (k, v))
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
    want_status(args, resp, data)
    print("%d %s" % (resp.status, first_line(data)))


# --------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------
def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    i = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def cmd_load(args):
    host, port, base = split_url(args.url)
    kernels = [k for k in args.kernels.split(",") if k]
    objects = [o for o in args.objects.split(",") if o]
    with open(args.expect_map) as f:
        expect = json.load(f)
    combos = []
    bodies = {}
    for o in objects:
        with open(o, "rb") as f:
            bodies[o] = multipart([f.read()])
    for k in kernels:
        for o in objects:
            key = k + "|" + o
            if key not in expect:
                die("load: no expected sha256 for %s" % key)
            combos.append((k, o))
    rng = random.Random(args.seed)
    plan = [combos[i % len(combos)] for i in range(args.requests)]
    rng.shuffle(plan)
    lock = threading.Lock()
    nxt = [0]
    lat = []
    errors = []
    reconnects = [0]

    def worker():
        conn = None
        while True:
            with lock:
                if nxt[0] >= len(plan):
                    break
                k, o = plan[nxt[0]]
                nxt[0] += 1
            d, v, a, kv = k.split("/", 3)
            ctype, body = bodies[o]
            target = base + "/api/v1/customize?" + query(d, v, a, kv)
            t0 = time.monotonic()
            why = None
            for attempt in range(2):
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
                try:
                    resp, data = request(conn, "POST", target, body=body,
                                         headers={"Content-Type": ctype})
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                    # a kept-alive connection the server closed: once, a new one
                    conn.close()
                    conn = None
                    with lock:
                        reconnects[0] += 1
                    why = "%s: %s" % (type(e).__name__, e)
                    continue
                except Exception as e:  # timeout, protocol error
                    conn.close()
                    conn = None
                    why = "%s: %s" % (type(e).__name__, e)
                    break
                why = None
                if resp.status != 200:
                    why = "status %d: %s" % (resp.status, first_line(data))
                else:
                    btf, w = read_customize(data, kv)
                    if w:
                        why = w
                    elif hashlib.sha256(btf).hexdigest() != expect[k + "|" + o]:
                        why = "reduced BTF differs from min_core_btf's"
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            dt = (time.monotonic() - t0) * 1000.0
            with lock:
                lat.append(dt)
                if why:
                    errors.append("%s %s: %s" % (k, os.path.basename(o), why))
        if conn:
            conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    lat.sort()
    for e in errors[:5]:
        print("load: error: " + e, file=sys.stderr)
    print("load: %d requests, %d errors, %.0f req/s, p50 %.1f ms, p99 %.1f ms "
          "(%d connections, %d kernels x %d objects, %d reconnects, %.2f s)" % (
              len(lat), len(errors), len(lat) / wall if wall > 0 else 0, pct(lat, 50), pct(lat, 99),
              args.conns, len(kernels), len(objects), reconnects[0], wall))
    sys.exit(1 if errors or len(lat) != args.requests else 0)


# --------------------------------------------------------------------------
# abuse
# --------------------------------------------------------------------------
def read_status(sock, deadline, is_head=False):
    """Read until a final status line (1xx skipped) or EOF/reset/timeout.
    Returns (statuses list, outcome) outcome in 'closed', 'timeout', 'open'."""
    buf = b""
    statuses = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return statuses, "timeout", buf
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return statuses, "timeout", buf
        except (ConnectionResetError, BrokenPipeError, OSError):
            return statuses, "closed", buf
        if not chunk:
            return statuses, "closed", buf
        buf += chunk
        # parse every complete status line in the stream, skipping bodies roughly:
        # we look for "HTTP/1.x NNN " at line starts
        while True:
            i = buf.find(b"\r\n\r\n")
            if i < 0:
                break
            head = buf[:i]
            line = head.split(b"\r\n", 1)[0]
            parts = line.split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
                statuses.append(-1)  # not a status line: garbage
                return statuses, "garbage", buf
            st = int(parts[1])
            clen = 0
            for h in head.split(b"\r\n")[1:]:
                k, _, v = h.partition(b":")
                if k.strip().lower() == b"content-length":
                    try:
                        clen = int(v.strip())
                    except ValueError:
                        clen = 0
            if is_head:
                clen = 0
            if st >= 200 and len(buf) < i + 4 + clen:
                break  # wait for the body
            if st >= 200:
                statuses.append(st)
            buf = buf[i + 4 + (clen if st >= 200 else 0):]


def health(host, port, base, timeout=1.0):
    t0 = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        resp, data = request(conn, "GET", base + "/monitoring/health")
        conn.close()
        return resp.status == 200 and data == b"{}\n", time.monotonic() - t0
    except Exception:
        return False, time.monotonic() - t0


def malformed_cases(rng, host):
    """(name, bytes, half_close) tuples: each must get a 4xx (status_ok()) or a close."""
    H = ("Host: %s\r\n" % host).encode()
    cz = b"/api/v1/customize?distribution=debian&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64"
    bnd = b"XyZ"
    mp_ok_head = b"POST " + cz + b" HTTP/1.1\r\n" + H + b"Content-Type: multipart/form-data; boundary=" + bnd + b"\r\n"
    part = (b"--XyZ\r\nContent-Disposition: form-data; name=\"bpf\"; filename=\"from_memory\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\nnot an ELF\r\n--XyZ--\r\n")

    def post(headers, body, target=cz):
        return b"POST " + target + b" HTTP/1.1\r\n" + H + headers + b"\r\n" + body

    cases = [
        ("huge-header", b"GET /monitoring/health HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 40000 + b"\r\n\r\n"),
        ("many-headers", b"GET /monitoring/health HTTP/1.1\r\n" + H + b"X-A: b\r\n" * 5000 + b"\r\n"),
        ("huge-target", b"GET /monitoring/health?" + b"a" * 40000 + b" HTTP/1.1\r\n" + H + b"\r\n"),
        ("huge-method", b"G" * 30000 + b" / HTTP/1.1\r\n" + H + b"\r\n"),
        ("cl-negative", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: -1\r\n", part)),
        ("cl-huge", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 99999999999999999999999999\r\n", part)),
        ("cl-2^64", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 18446744073709551616\r\n", part)),
        ("cl-over-max", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 9000000000\r\n", part)),
        ("cl-hex", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 0x10\r\n", part)),
        ("cl-plus", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: +%d\r\n" % len(part), part)),
        ("cl-junk", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 12abc\r\n", part)),
        ("cl-empty", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length:\r\n", part)),
        ("cl-dup-diff", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\nContent-Length: 5\r\n" % len(part), part)),
        ("cl-list", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d, 5\r\n" % len(part), part)),
        ("cl-short-body", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 5000\r\n", part)),
        ("cl-space-colon", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length : %d\r\n" % len(part), part)),
        ("te-bad-size", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n")),
        ("te-neg-size", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"-1\r\nabc\r\n0\r\n\r\n")),
        ("te-huge-size", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n")),
        ("te-size-2^64", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"10000000000000000\r\nabc\r\n0\r\n\r\n")),
        ("te-no-crlf", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"3\r\nabcdef\r\n0\r\n\r\n")),
        ("te-data-long", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"3\r\nabcd\r\n0\r\n\r\n")),
        ("te-no-last", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"%x\r\n" % len(part) + part + b"\r\n")),
        ("te-bad-ext", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"3;\x00=\x01\r\nabc\r\n0\r\n\r\n")),
        ("te-bad-trailer", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n", b"0\r\nX" + b"y" * 40000 + b"\r\n\r\n")),
        ("te-gzip", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: gzip\r\n", part)),
        ("te-gzip-chunked", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n")),
        ("te-chunked-twice", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n")),
        ("te-xchunked", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: xchunked\r\n", b"0\r\n\r\n")),
        ("te-http10", (b"POST " + cz + b" HTTP/1.0\r\n" + H + b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")),
        ("smuggle-cl-te", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                               b"0\r\n\r\nGET /monitoring/health HTTP/1.1\r\n" + H + b"\r\n")),
        ("smuggle-te-cl", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n",
                               b"0\r\n\r\nGET /monitoring/health HTTP/1.1\r\n" + H + b"\r\n")),
        ("smuggle-te-space", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 5\r\nTransfer-Encoding : chunked\r\n",
                                  b"0\r\n\r\nGET /monitoring/health HTTP/1.1\r\n" + H + b"\r\n")),
        ("smuggle-te-tab", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 5\r\nTransfer-Encoding:\tchunked\x0b\r\n",
                                b"0\r\n\r\nGET /monitoring/health HTTP/1.1\r\n" + H + b"\r\n")),
        ("smuggle-get-body", b"GET /api/v1/download?distribution=x HTTP/1.1\r\n" + H + b"Content-Length: 44\r\n\r\n"
                             b"GET /monitoring/health HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("mp-no-boundary", post(b"Content-Type: multipart/form-data\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-empty-boundary", post(b"Content-Type: multipart/form-data; boundary=\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-long-boundary", post(b"Content-Type: multipart/form-data; boundary=" + b"b" * 200 + b"\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-wrong-boundary", post(b"Content-Type: multipart/form-data; boundary=AbC\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-no-close", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n" % (len(part) - 9), part[:-9])),
        ("mp-no-disposition", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 40\r\n",
                                   b"--XyZ\r\n\r\nabcdefghijklmnop\r\n--XyZ--\r\n".ljust(40, b"x"))),
        ("mp-other-name", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n" % len(part.replace(b'"bpf"', b'"foo"')),
                               part.replace(b'"bpf"', b'"foo"'))),
        ("mp-not-elf", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-quoted-nul", post(b"Content-Type: multipart/form-data; boundary=\"X\x00Z\"\r\nContent-Length: %d\r\n" % len(part), part)),
        ("mp-headers-only", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 60\r\n",
                                 (b"--XyZ\r\nContent-Disposition: form-data; name=\"bpf\"\r\n" + b"X" * 60)[:60])),
        ("mp-huge-part-head", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 70010\r\n",
                                   (b"--XyZ\r\nContent-Disposition: form-data; name=\"bpf\"\r\nX-A: " + b"a" * 70100)[:70010])),
        ("ct-text", post(b"Content-Type: text/plain\r\nContent-Length: 5\r\n", b"hello")),
        ("ct-none", post(b"Content-Length: 5\r\n", b"hello")),
        ("post-no-length", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\n", part)),
        ("nul-in-target", b"GET /monitoring/health\x00x HTTP/1.1\r\n" + H + b"\r\n"),
        ("nul-in-method", b"GE\x00T /api/v1/list HTTP/1.1\r\n" + H + b"\r\n"),
        ("nul-in-header-name", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"X-\x00A: b\r\n\r\n"),
        ("nul-in-header-value", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"X-A: b\x00c\r\n\r\n"),
        ("nul-in-query", b"GET /api/v1/download?distribution=debian\x00&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64 HTTP/1.1\r\n" + H + b"\r\n"),
        ("pct00-in-query", b"GET /api/v1/download?distribution=debian%00&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64 HTTP/1.1\r\n" + H + b"\r\n"),
        ("bad-pct", b"GET /api/v1/download?distribution=%zz&distribution_version=12&arch=x86_64&kernel_version=%G1 HTTP/1.1\r\n" + H + b"\r\n"),
        ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("version-2", b"GET /api/v1/list?x HTTP/2.0\r\n" + H + b"\r\n" + b"X" * 0),
        ("version-09", b"GET /api/v1/download\r\n\r\n"),
        ("version-1x", b"GET /api/v1/download HTTP/1.1x\r\n" + H + b"\r\n"),
        ("version-lower", b"GET /api/v1/download http/1.1\r\n" + H + b"\r\n"),
        ("version-9", b"GET /api/v1/download HTTP/9.9\r\n" + H + b"\r\n"),
        ("version-none", b"GET /api/v1/download \r\n" + H + b"\r\n"),
        ("no-spaces", b"GET/api/v1/downloadHTTP/1.1\r\n" + H + b"\r\n"),
        ("many-spaces", b"GET  /api/v1/download  HTTP/1.1\r\n" + H + b"\r\n"),
        ("lower-method", b"get /api/v1/download HTTP/1.1\r\n" + H + b"\r\n"),
        ("unknown-method", b"BREW /api/v1/customize HTTP/1.1\r\n" + H + b"\r\n"),
        ("connect", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\n" + H + b"\r\n"),
        ("asterisk", b"GET * HTTP/1.1\r\n" + H + b"\r\n"),
        ("absolute-form", b"GET http://evil.example/api/v1/download?distribution=../../etc&distribution_version=x&arch=x&kernel_version=passwd HTTP/1.1\r\n" + H + b"\r\n"),
        ("absolute-form-dots", b"GET http://127.0.0.1/../../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n"),
        ("relative-target", b"GET api/v1/list HTTP/1.1\r\n" + H + b"\r\n"),
        ("dotdot-target", b"GET /../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n"),
        ("pct-dotdot-target", b"GET /api/v1/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + H + b"\r\n"),
        ("header-no-colon", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"NoColonHere\r\n\r\n"),
        ("header-empty-name", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b": value\r\n\r\n"),
        ("header-obs-fold", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"X-A: b\r\n c\r\n\r\n"),
        ("leading-fold", b"GET /api/v1/download?x=1 HTTP/1.1\r\n  X-A: b\r\n" + H + b"\r\n"),
        ("bare-cr", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"X-A: b\rc\r\n\r\n"),
        ("expect-bad", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nExpect: 200-ok\r\nContent-Length: %d\r\n" % len(part), part)),
        ("expect-no-body", post(b"Content-Type: multipart/form-data; boundary=XyZ\r\nExpect: 100-continue\r\nContent-Length: 99\r\n", b"")),
        ("only-crlf", b"\r\n\r\n\r\n\r\n"),
        ("empty-line-flood", b"\r\n" * 20000),
        ("tls-hello", bytes.fromhex("160301012c010001280303") + bytes(rng.getrandbits(8) for _ in range(280))),
        ("utf8-target", "GET /api/v1/download?distribution=d\u00e9bian&distribution_version=\u2603&arch=x&kernel_version=\U0001F600 HTTP/1.1\r\n".encode() + H + b"\r\n"),
        ("header-8bit", b"GET /api/v1/download?x=1 HTTP/1.1\r\n" + H + b"X-\xff\xfe: \xc0\xaf\r\n\r\n"),
        ("put-customize", b"PUT " + cz + b" HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc"),
        ("delete-list", b"DELETE /api/v1/list HTTP/1.1\r\n" + H + b"\r\n"),
        ("post-download", post(b"Content-Length: 0\r\n", b"", target=b"/api/v1/download")),
        ("head-customize", b"HEAD " + cz + b" HTTP/1.1\r\n" + H + b"\r\n"),
    ]
    out = []
    for name, data in cases:
        out.append((name, data, True))
    # a few stay open (no half-close): the header or body timeout must end them
    out.append(("partial-head-open", b"GET /monitoring/health HTTP/1.1\r\n" + H, False))
    out.append(("partial-body-open", mp_ok_head + b"Content-Length: 500\r\n\r\n" + part[:20], False))
    return out


def random_case(rng, i):
    kind = i % 4
    if kind == 0:
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000)))
    elif kind == 1:  # a request line of random printable junk
        data = bytes(rng.randint(33, 126) for _ in range(rng.randint(1, 200))) + b" / HTTP/1.1\r\n\r\n"
    elif kind == 2:  # random header bytes
        data = (b"GET /api/v1/download?distribution=x HTTP/1.1\r\nHost: x\r\n" +
                bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 500))) + b"\r\n\r\n")
    else:  # a multipart body mangled at random
        body = bytearray(b"--XyZ\r\nContent-Disposition: form-data; name=\"bpf\"; filename=\"from_memory\"\r\n"
                         b"Content-Type: application/octet-stream\r\n\r\n\x7fELF\x02\x01\x01junk\r\n--XyZ--\r\n")
        for _ in range(rng.randint(1, 8)):
            body[rng.randrange(len(body))] = rng.getrandbits(8)
        data = (b"POST /api/v1/customize?distribution=debian&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64 HTTP/1.1\r\n"
                b"Host: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n" % len(body) + bytes(body))
    return ("random-%d" % kind, data, True)


# The malformed requests may get a 4xx, or a 503 (at capacity), and these
# two protocol cases the 5xx HTTP gives them: a body chunked after a coding
# the server does not have (501, RFC 9112 6.1) and an HTTP version it does
# not speak (505). Any other 5xx fails.
FIVE_XX_OK = {"te-gzip-chunked": 501, "version-2": 505, "version-9": 505}


def status_ok(name, st):
    return 400 <= st <= 499 or st == 503 or FIVE_XX_OK.get(name) == st


def one_malformed(host, port, name, data, half_close, timeout):
    """Returns (ok, statuses, outcome, elapsed)."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        return False, [], "connect: %s" % e, 0.0
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server closed early (answered a head it refused): fine
        statuses, outcome, rest = read_status(s, t0 + timeout, data.startswith(b"HEAD "))
    finally:
        s.close()
    el = time.monotonic() - t0
    ok = all(status_ok(name, st) for st in statuses) and (outcome == "closed" or (outcome == "timeout" and statuses))
    return ok, statuses, outcome, el


def cmd_abuse(args):
    host, port, base = split_url(args.url)
    rng = random.Random(args.seed)
    failures = []
    t_start = time.monotonic()

    # 1. stalled connections
    stalls = []
    partials = [
        b"GET /api/v1/list HTTP/1.1\r\nHost: x\r\n",
        b"GE",
        b"POST /api/v1/customize?distribution=debian&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64 HTTP/1.1\r\n"
        b"Host: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\n",
        b"POST /api/v1/customize?distribution=debian&distribution_version=12&arch=x86_64&kernel_version=6.1.0-56-amd64 HTTP/1.1\r\n"
        b"Host: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
        b"",  # connect only
    ]
    for i in range(args.stall):
        try:
            s = socket.create_connection((host, port), timeout=5)
            p = partials[i % len(partials)]
            if p:
                s.sendall(p)
            stalls.append(s)
        except OSError as e:
            failures.append("stall connection %d: %s" % (i, e))
            break
    time.sleep(0.2)
    worst = 0.0
    nh = 5
    for i in range(nh):
        ok, dt = health(host, port, base, timeout=args.health_timeout)
        worst = max(worst, dt)
        if not ok or dt > args.health_timeout:
            failures.append("health with %d stalled connections: %s after %.0f ms" % (
                len(stalls), "answered" if ok else "no answer", dt * 1000))
    # the stalled ones are still open (server timeouts are longer than this)
    still = 0
    for s in stalls:
        s.setblocking(False)
        try:
            d = s.recv(1)
            if d == b"":
                pass
            else:
                still += 1  # answered something (e.g. 408 already): still counts as served
        except BlockingIOError:
            still += 1
        except OSError:
            pass
        s.close()
    print("abuse: %d stalled connections (%d still open), health answered %d/%d times, slowest %.1f ms" % (
        len(stalls), still, nh - sum(1 for f in failures if f.startswith("health")), nh, worst * 1000))

    # 2. malformed requests
    base_cases = malformed_cases(rng, "%s:%d" % (host, port))
    if args.malformed < len(base_cases):
        # fewer than the kinds: a spread of them (the two left open first)
        opened = [c for c in base_cases if not c[2]]
        rest = [c for c in base_cases if c[2]]
        step = len(rest) / float(max(1, args.malformed - len(opened)))
        base_cases = opened + [rest[int(j * step)] for j in range(args.malformed - len(opened))]
    plan = []
    i = 0
    while len(plan) < args.malformed:
        if i < len(base_cases):
            plan.append(base_cases[i])
        else:
            plan.append(random_case(rng, i))
        i += 1
    lock = threading.Lock()
    nxt = [0]
    res = {"ok": 0, "4xx": 0, "5xx": 0, "closed": 0, "bad": 0}
    slowest = [0.0, ""]
    bad = []

    def worker():
        while True:
            with lock:
                if nxt[0] >= len(plan):
                    return
                name, data, hc = plan[nxt[0]]
                nxt[0] += 1
            to = args.timeout if hc else args.open_timeout
            ok, sts, outcome, el = one_malformed(host, port, name, data, hc, to)
            if args.verbose:
                print("abuse: %-22s %s %s %.2f s" % (name, sts, outcome, el))
            with lock:
                if el > slowest[0]:
                    slowest[0], slowest[1] = el, name
                if ok:
                    res["ok"] += 1
                    if not sts:
                        res["closed"] += 1
                    elif sts[0] >= 500:
                        res["5xx"] += 1
                    else:
                        res["4xx"] += 1
                else:
                    res["bad"] += 1
                    bad.append("%s: statuses %s, %s after %.1f s" % (name, sts, outcome, el))

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for b in sorted(bad):
        failures.append("malformed " + b)
    ok, dt = health(host, port, base, timeout=5)
    if not ok:
        failures.append("health after the malformed requests: no answer (%.0f ms)" % (dt * 1000))
    print("abuse: %d malformed requests (%d kinds + random): %d answered 4xx, %d 5xx, %d closed without an answer, "
          "%d wrong; slowest %.2f s (%s); health afterwards %s in %.1f ms; %.1f s in all" % (
              len(plan), len(base_cases), res["4xx"], res["5xx"], res["closed"], res["bad"], slowest[0], slowest[1],
              "200" if ok else "FAILED", dt * 1000, time.monotonic() - t_start))
    for f in failures:
        print("abuse: FAIL " + f)
    sys.exit(1 if failures else 0)


def cmd_send(args):
    """Send a file's bytes on a new connection (then half-close unless --keep-open),
    print what comes back until the server closes or the timeout."""
    host, port, base = split_url(args.url)
    with open(args.file, "rb") as f:
        data = f.read()
    s = socket.create_connection((host, port), timeout=args.timeout)
    t0 = time.monotonic()
    try:
        s.sendall(data)
        if not args.keep_open:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out = b""
    end = "closed"
    while True:
        left = t0 + args.timeout - time.monotonic()
        if left <= 0:
            end = "timeout"
            break
        s.settimeout(left)
        try:
            c = s.recv(65536)
        except socket.timeout:
            end = "timeout"
            break
        except OSError:
            end = "reset"
            break
        if not c:
            break
        out += c
    s.close()
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    print("\n[%s after %.2f s]" % (end, time.monotonic() - t0), file=sys.stderr)


def cmd_timeit(args):
    """One request at a time on one kept-alive connection: customize K with each
    object set in turn (--each: one object per request, cycling; else all
    objects united in every request); prints "timeit: N requests, median X ms,
    min Y ms, max Z ms" and exits 1 on any non-200."""
    host, port, base = split_url(args.url)
    blobs = []
    for p in args.files:
        with open(p, "rb") as f:
            blobs.append(f.read())
    bodies = [multipart([b]) for b in blobs] if args.each else [multipart(blobs)]
    target = base + "/api/v1/customize?" + query(args.d, args.v, args.a, args.k)
    conn = http.client.HTTPConnection(host, port, timeout=120)
    times = []
    for i in range(args.n):
        ctype, body = bodies[i % len(bodies)]
        t0 = time.perf_counter()
        resp, data = request(conn, "POST", target, body=body, headers={"Content-Type": ctype})
        dt = (time.perf_counter() - t0) * 1000.0
        if resp.status != 200:
            die("timeit: status %d: %s" % (resp.status, first_line(data)))
        _, why = read_customize(data, args.k, strict=False)
        if why:
            die("timeit: " + why)
        times.append(dt)
    times.sort()
    print("timeit: %d requests, median %.3f ms, min %.3f ms, max %.3f ms" % (
        len(times), pct(times, 50), times[0], times[-1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list")
    p.add_argument("url")
    p.add_argument("--full", action="store_true")
    p.add_argument("--out")
    p.add_argument("--expect", type=int)
    p = sub.add_parser("download")
    for a in ("url", "d", "v", "a", "k", "out"):
        p.add_argument(a)
    p.add_argument("--expect", type=int)
    p = sub.add_parser("customize")
    for a in ("url", "d", "v", "a", "k", "out"):
        p.add_argument(a)
    p.add_argument("files", nargs="+")
    p.add_argument("--raw", action="store_true")
    p.add_argument("--expect", type=int)
    p = sub.add_parser("raw")
    for a in ("url", "method", "target"):
        p.add_argument(a)
    p.add_argument("--header", action="append")
    p.add_argument("--body")
    p.add_argument("--out")
    p.add_argument("--headers-out")
    p.add_argument("--expect", type=int)
    p = sub.add_parser("send")
    p.add_argument("url")
    p.add_argument("file")
    p.add_argument("--keep-open", action="store_true")
    p.add_argument("--timeout", type=float, default=5)
    p = sub.add_parser("timeit")
    for a in ("url", "d", "v", "a", "k"):
        p.add_argument(a)
    p.add_argument("files", nargs="+")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--each", action="store_true")
    p = sub.add_parser("load")
    p.add_argument("url")
    p.add_argument("--conns", type=int, default=32)
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--kernels", required=True)
    p.add_argument("--objects", required=True)
    p.add_argument("--expect-map", required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("abuse")
    p.add_argument("url")
    p.add_argument("--stall", type=int, default=150)
    p.add_argument("--malformed", type=int, default=300)
    p.add_argument("--timeout", type=float, default=5, help="per malformed request (half-closed)")
    p.add_argument("--open-timeout", type=float, default=15, help="per request left open (server timeouts)")
    p.add_argument("--health-timeout", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    {"list": cmd_list, "download": cmd_download, "customize": cmd_customize, "raw": cmd_raw, "send": cmd_send, "timeit": cmd_timeit,
     "load": cmd_load, "abuse": cmd_abuse}[args.cmd](args)


if __name__ == "__main__":
    main()
