"""The log as C2SP tlog-tiles (issue 16): /tlog/checkpoint, hash tiles and
entry bundles served from what PostgreSQL stores, checked byte for byte
against the JSON log API and by an independent client (tests/tlogcheck:
Go's golang.org/x/mod/sumdb/tlog and note) on a seeded log; the same
files exported by `modelfacts admin export-tiles` to a directory served
by python3 -m http.server and verified the same way, incrementally;
tampered copies refused.

The seeded log: a real organisation and real submissions, then
MF_TILES_N (default 20,000) key-event rows inserted in bulk as committed,
unsequenced submissions, which the registry's own sequencer sequences,
hashes and checkpoints (so the tree is the registry's, not the test's).
`make test-tiles-large` runs this module with MF_TILES_N=100000."""
import base64
import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import time

import mf
from harness import ROOT, Skip, free_port, sh

S = {}
CLI = os.path.join(ROOT, "bin", "modelfacts")
N = int(os.environ.get("MF_TILES_N", "20000"))
GOSRC = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"


def setup(t):
    if not S:
        srv = t.new_server(args=["--no-git-publisher"])
        S["srv"] = srv
        S["reg"] = mf.Registry(srv)
        S["key"] = srv.get("/v1/registry").json()["log_public_key"]
        S["okey"] = mf.Key(t.dir, "tiles", "ed25519")
        S["reg"].create_org("tiles", "developer", S["okey"])
    return S


def tlogcheck(t):
    """Builds tests/tlogcheck offline against Debian's x/mod."""
    if shutil.which("go") is None or not os.path.isdir(GOSRC):
        raise Skip("go or golang-golang-x-mod-dev is not installed")
    exe = os.path.join(t.dir, "tlogcheck")
    if not os.path.exists(exe):
        env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
                   GOFLAGS="", GOCACHE=os.path.join(t.dir, "gocache"))
        sh("go", "build", "-o", exe,
           os.path.join(ROOT, "tests", "tlogcheck", "main.go"), env=env)
    return exe


def run_check(t, url, *extra):
    p = sh(tlogcheck(t), "-url", url, "-key", S["key"], "-origin",
           mf.ORIGIN, *extra, check=False)
    return p


def size_of(note):
    return int(note.split(b"\n")[1])


def wait_size(srv, want, timeout=240):
    end = time.time() + timeout
    while time.time() < end:
        r = srv.get("/tlog/checkpoint")
        if r.status == 200 and size_of(r.body) >= want:
            return r.body
        time.sleep(0.2)
    raise AssertionError(f"the log did not reach {want} entries")


def seed(t, n):
    """n committed key-event submissions, left for the sequencer."""
    first = int(t.sql("SELECT coalesce(max(seq), 0) + 1 FROM submissions"
                      " WHERE org = 'tiles'")[0][0])
    t.sql("INSERT INTO submissions (kind, org, keyid, seq, subject_org,"
          " payload_type, payload_sha256, envelope_sha256, envelope,"
          " payload, issued_at, signer_keyids)"
          " SELECT 'key-event', 'tiles', :'p1', g, 'tiles',"
          " 'application/vnd.modelfacts.key-event.v1+json',"
          " sha256(convert_to('seed-payload-' || g, 'UTF8')),"
          " sha256(convert_to('seed-envelope-' || g, 'UTF8')),"
          " convert_to('{}', 'UTF8'), '{}', now(), ARRAY[:'p1']"
          " FROM generate_series(:p2::bigint, :p3::bigint) g",
          S["okey"].keyid, first, first + n - 1)
    total = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    return total


def tile_path(level, n, w=256):
    s = "%d" % n
    s = "0" * (-len(s) % 3) + s
    groups = [s[i:i + 3] for i in range(0, len(s), 3)]
    p = "/".join("x" + g for g in groups[:-1]) + ("/" if len(groups) > 1
                                                  else "") + groups[-1]
    if w < 256:
        p += ".p/%d" % w
    return "tile/%s/%s" % (level, p)


def bundle_entries(data):
    out = []
    while data:
        n = int.from_bytes(data[:2], "big")
        out.append(data[2:2 + n])
        data = data[2 + n:]
    return out


def test_tiles_equal_the_json_log(t):
    s = setup(t)
    reg, key = s["reg"], s["okey"]
    head = None
    for _ in range(3):
        doc = mf.disclosure("tiles", "m", reg.next_seq("tiles"),
                            supersedes=head, name="disclosure-sparse.json")
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        head = "sha256:" + r.json()["payload_sha256"]
    srv = s["srv"]
    note = srv.get("/v1/log/checkpoint").body
    size = size_of(note)
    assert 0 < size < 256
    r = srv.get("/tlog/checkpoint")
    assert r.status == 200 and r.body == note
    assert r.header("Content-Type").startswith("text/plain")
    assert r.header("Cache-Control") == "public, max-age=5"
    leaves = [srv.get(f"/v1/log/entries/{i}?format=leaf").body
              for i in range(size)]
    tile = srv.get("/tlog/" + tile_path(0, 0, size))
    assert tile.status == 200, tile
    assert tile.header("Content-Type") == "application/octet-stream"
    assert tile.header("Cache-Control") == "public, max-age=60"
    assert tile.body == b"".join(mf.leaf_hash(x) for x in leaves)
    b = srv.get("/tlog/tile/entries/" + tile_path(0, 0, size)[7:])
    assert b.status == 200, b
    assert bundle_entries(b.body) == leaves
    # bundles go gzipped to clients that accept it (C2SP: SHOULD)
    path = "/tlog/tile/entries/" + tile_path(0, 0, size)[7:]
    for ae, gz in [("gzip", True), ("deflate, gzip;q=0.5", True),
                   ("*", True), ("gzip;q=0", False), ("GZIP; q=0.000", False),
                   ("identity", False), ("br, deflate", False)]:
        r = srv.get(path, headers={"Accept-Encoding": ae})
        assert r.status == 200 and "Accept-Encoding" in r.header("Vary"), r
        assert (r.header("Content-Encoding") == "gzip") == gz, (ae, r)
        assert (gzip.decompress(r.body) if gz else r.body) == b.body, ae
    r = srv.get("/tlog/" + tile_path(0, 0, size),
                headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") is None and r.body == tile.body
    # the partial tile of an earlier checkpoint's width stays available
    assert srv.get("/tlog/" + tile_path(0, 0, 1)).body == tile.body[:32]
    s["small"] = note


def test_bad_tile_paths_are_refused(t):
    s = setup(t)
    srv = s["srv"]
    size = size_of(srv.get("/tlog/checkpoint").body)
    for p in ["tile/0/0", "tile/00/000", "tile/0/x000/001", "tile/0/000.p/0",
              "tile/0/000.p/256", "tile/0/000.p/01", "tile/64/000",
              "tile/entries/1", "tile/0/001/", "tile/x/000",
              "tile/0/x1/000", "tile/entries/000.p/"]:
        r = srv.get("/tlog/" + p)
        assert r.status == 400, (p, r)
        assert r.json()["error"]["code"] == "invalid_parameter", (p, r)
    for p in ["tile/0/000", "tile/entries/000", tile_path(0, 0, size + 1),
              tile_path(0, 1, 1), tile_path(1, 0, 1), tile_path(7, 0, 1),
              "tile/63/000", "tile/entries/x001/000.p/5"]:
        r = srv.get("/tlog/" + p)
        assert r.status == 404, (p, r)
        assert r.json()["error"]["code"] == "not_found", (p, r)
    assert srv.get("/tlog/").status == 404
    assert srv.get("/tlog/tile/").status in (400, 404)


def test_seeded_log_verified_by_go_sumdb_tlog(t):
    s = setup(t)
    srv = s["srv"]
    exe = tlogcheck(t)
    t0 = time.time()
    total = seed(t, N)
    note = wait_size(srv, total)
    took = time.time() - t0
    size = size_of(note)
    print(f"seeded {N} entries; the sequencer reached {size} in "
          f"{took:.1f}s")
    assert size == total
    old = os.path.join(t.dir, "small.checkpoint")
    with open(old, "wb") as f:
        f.write(s["small"])
    url = f"http://127.0.0.1:{srv.port}/tlog"
    p = run_check(t, url, "-all", "-samples", "30", "-old", old)
    assert p.returncode == 0, p.stderr + p.stdout
    assert f"size {size} " in p.stdout, p.stdout
    print(p.stdout.strip())
    # a full tile costs one indexed range read: time a sample of them
    full = size // 256
    t1 = time.time()
    for i in random.sample(range(full), min(50, full)):
        r = srv.get("/tlog/" + tile_path(0, i))
        assert r.status == 200 and len(r.body) == 8192
        assert r.header("Cache-Control") == \
            "public, max-age=31536000, immutable"
    print(f"50 random full level-0 tiles: "
          f"{(time.time() - t1) * 1000 / 50:.2f} ms each")
    if size >= 65536:
        r = srv.get("/tlog/" + tile_path(1, 0))
        assert r.status == 200 and len(r.body) == 8192
    s["big"] = note
    # the registry's own proofs agree: verify-log follow, from the small
    # checkpoint to the seeded one, through /v1/log/proof/consistency
    state = os.path.join(t.dir, "follow.json")
    with open(state, "w") as f:
        json.dump({"registry": f"http://127.0.0.1:{srv.port}",
                   "key": s["key"], "checkpoint": s["small"].decode()}, f)
    p = sh(CLI, "verify-log", "follow", "--registry",
           f"http://127.0.0.1:{srv.port}", "--state", state, check=False)
    assert p.returncode == 0 and f"to {size} entries" in p.stdout, p
    # the JSON API and the tiles agree on a random leaf
    i = random.randrange(size)
    leaf = srv.get(f"/v1/log/entries/{i}?format=leaf").body
    tile = srv.get("/tlog/" + tile_path(0, i // 256, min(
        256, size - i // 256 * 256))).body
    assert tile[(i % 256) * 32:(i % 256 + 1) * 32] == mf.leaf_hash(leaf)
    # a key that did not sign is refused by the independent client
    p = sh(exe, "-url", url, "-key", other_key(), check=False)
    assert p.returncode == 1 and "signature" in p.stderr, p


def other_key():
    """A well-formed verifier key of the same name that never signed."""
    pk = b"\x01" + os.urandom(32)
    h = hashlib.sha256(mf.ORIGIN.encode() + b"\n" + pk).digest()[:4]
    return "%s+%s+%s" % (mf.ORIGIN, h.hex(), base64.b64encode(pk).decode())


class StaticServer:
    """python3 -m http.server serving a directory on loopback."""

    def __init__(self, d):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["python3", "-m", "http.server", "--bind", "127.0.0.1", "-d", d,
             str(self.port)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        end = time.time() + 10
        while time.time() < end:
            try:
                import urllib.request
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/",
                                       timeout=1).read()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        raise AssertionError("http.server did not start")

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def export(t, d):
    return sh(CLI, "admin", "export-tiles", "--registry",
              f"http://127.0.0.1:{S['srv'].port}", "--key", S["key"], d,
              check=False)


def full_tiles(d):
    out = {}
    for root, _, files in os.walk(os.path.join(d, "tile")):
        for f in files:
            p = os.path.join(root, f)
            if ".p" not in os.path.relpath(p, d):
                st = os.stat(p)
                out[os.path.relpath(p, d)] = (st.st_ino, st.st_mtime_ns)
    return out


def test_export_tiles_to_a_static_server(t):
    s = setup(t)
    if "big" not in s:
        raise Skip("needs the seeded log")
    srv = s["srv"]
    d = os.path.join(t.dir, "static")
    t0 = time.time()
    p = export(t, d)
    assert p.returncode == 0, p.stdout + p.stderr
    print(f"export-tiles, first run: {time.time() - t0:.2f}s:",
          p.stdout.strip())
    size = size_of(s["big"])
    assert f"size {size}" in p.stdout, p.stdout
    # the files are the live resources, byte for byte
    assert open(os.path.join(d, "checkpoint"), "rb").read() == s["big"]
    for rel in [tile_path(0, 0), tile_path(0, size // 256, size % 256),
                "tile/entries/" + tile_path(0, 1)[7:]]:
        if rel.endswith(".p/0"):
            continue
        live = srv.get("/tlog/" + rel)
        assert live.status == 200, (rel, live)
        assert open(os.path.join(d, rel), "rb").read() == live.body, rel
    st = StaticServer(d)
    try:
        old = os.path.join(t.dir, "small.checkpoint")
        p = run_check(t, st.url(), "-all", "-old", old)
        assert p.returncode == 0, p.stderr + p.stdout
        print("static:", p.stdout.strip())
        # incremental: grow the log, export again; full tiles untouched
        before = full_tiles(d)
        prev = os.path.join(t.dir, "big.checkpoint")
        with open(prev, "wb") as f:
            f.write(s["big"])
        total = seed(t, 300)
        wait_size(srv, total)
        t0 = time.time()
        p = export(t, d)
        assert p.returncode == 0, p.stdout + p.stderr
        print(f"export-tiles, after 300 more: {time.time() - t0:.2f}s:",
              p.stdout.strip())
        kept = sum(1 for rel in before if not rel.startswith(
            os.path.join("tile", "entries")))
        assert f" {kept} kept" in p.stdout, (kept, p.stdout)
        after = full_tiles(d)
        for rel, ident in before.items():
            assert after[rel] == ident, rel
        assert len(after) > len(before) or size_of(
            open(os.path.join(d, "checkpoint"), "rb").read()) == total
        p = run_check(t, st.url(), "-all", "-old", old, "-old", prev)
        assert p.returncode == 0, p.stderr + p.stdout
        assert f"size {total} " in p.stdout, p.stdout
        # a tampered copy is refused: one bit of a full leaf tile
        bad = os.path.join(t.dir, "tampered")
        shutil.copytree(d, bad)
        with open(os.path.join(bad, tile_path(0, 1)), "r+b") as f:
            f.seek(100)
            c = f.read(1)
            f.seek(100)
            f.write(bytes([c[0] ^ 1]))
        st2 = StaticServer(bad)
        try:
            # (every level-0 tile is read under -all, and Go's
            # TileHashReader authenticates each against the tile above)
            p = run_check(t, st2.url(), "-samples", "5", "-all")
            assert p.returncode == 1, p
            # and one entry of a bundle, caught by -all
            shutil.copy(os.path.join(d, tile_path(0, 1)),
                        os.path.join(bad, tile_path(0, 1)))
            assert run_check(t, st2.url(), "-all").returncode == 0
            eb = os.path.join(bad, "tile/entries/" + tile_path(0, 2)[7:])
            data = bytearray(open(eb, "rb").read())
            data[10] ^= 1
            open(eb, "wb").write(bytes(data))
            p = run_check(t, st2.url(), "-all")
            assert p.returncode == 1 and "hash" in p.stderr, p
        finally:
            st2.stop()
    finally:
        st.stop()


def test_export_refuses_a_wrong_key(t):
    s = setup(t)
    d = os.path.join(t.dir, "wrongkey")
    p = sh(CLI, "admin", "export-tiles", "--registry",
           f"http://127.0.0.1:{s['srv'].port}", "--key", other_key(), d,
           check=False)
    assert p.returncode == 1 and "NOT VERIFIED" in p.stdout, p
    assert not os.path.exists(os.path.join(d, "checkpoint"))


def proof_cli(*args, url=None):
    env = dict(os.environ, MODELFACTS_URL=url or "http://127.0.0.1:9")
    return sh(CLI, "verify-log", "proof", *args, check=False, env=env)


def test_offline_tlog_proof_round_trip_and_tampering(t):
    s = setup(t)
    srv = s["srv"]
    url = f"http://127.0.0.1:{srv.port}"
    size = size_of(srv.get("/tlog/checkpoint").body)
    for index in sorted({1, size // 2, size - 1}):
        f = os.path.join(t.dir, f"e{index}.tlog-proof")
        p = proof_cli("--write", f, "--key", s["key"], str(index), url=url)
        assert p.returncode == 0, p
        text = open(f, "rb").read()
        lines = text.split(b"\n")
        assert lines[0] == b"c2sp.org/tlog-proof@v1"
        assert lines[1].startswith(b"extra ")
        assert lines[2] == b"index %d" % index
        leaf = srv.get(f"/v1/log/entries/{index}?format=leaf").body
        assert base64.b64decode(lines[1][6:]) == leaf
        # the proof's hashes are the registry's, the checkpoint verbatim
        at = size_of(text.split(b"\n\n", 1)[1])
        hashes = srv.get(f"/v1/log/proof/inclusion?index={index}"
                         f"&size={at}&format=text").body.split()
        assert lines[3:3 + len(hashes)] == hashes
        # verified offline (no registry reachable)
        p = proof_cli("--key", s["key"], f)
        assert p.returncode == 0, p
        assert f"verified: entry {index} is in the log" in p.stdout, p
        leaf_f = os.path.join(t.dir, "leaf.txt")
        open(leaf_f, "wb").write(leaf)
        assert proof_cli("--key", s["key"], "--leaf", leaf_f,
                         f).returncode == 0
    # tampering: each part of the file, one at a time
    good = open(f, "rb").read()
    head, cp = good.split(b"\n\n", 1)
    lines = head.split(b"\n")
    other_leaf = srv.get("/v1/log/entries/0?format=leaf").body
    cases = {
        "index": b"\n".join(lines[:2] + [b"index %d" % (index - 1)] +
                            lines[3:]) + b"\n\n" + cp,
        "entry": b"\n".join([lines[0], b"extra " + base64.b64encode(
            other_leaf)] + lines[2:]) + b"\n\n" + cp,
        "hash": b"\n".join(lines[:3] + [base64.b64encode(
            bytes([base64.b64decode(lines[3])[0] ^ 1]) +
            base64.b64decode(lines[3])[1:])] + lines[4:]) + b"\n\n" + cp,
        "dropped hash": b"\n".join(lines[:-1]) + b"\n\n" + cp,
        "checkpoint": head + b"\n\n" + cp.replace(b"\n%d\n" % size_of(cp),
                                                 b"\n%d\n" % (size_of(cp)
                                                              + 1), 1),
        "header": good.replace(b"@v1", b"@v2", 1),
    }
    for name, data in cases.items():
        bad = os.path.join(t.dir, "bad.tlog-proof")
        open(bad, "wb").write(data)
        p = proof_cli("--key", s["key"], bad)
        assert p.returncode == 1 and "NOT VERIFIED" in p.stdout, (name, p)
    # another log's key; --leaf naming another entry
    assert proof_cli("--key", other_key(), f).returncode == 1
    open(leaf_f, "wb").write(other_leaf)
    p = proof_cli("--key", s["key"], "--leaf", leaf_f, f)
    assert p.returncode == 1 and "another entry" in p.stdout, p
    # an index beyond the log is refused by the registry, nothing written
    f2 = os.path.join(t.dir, "none.tlog-proof")
    p = proof_cli("--write", f2, "--key", s["key"], str(size + 10), url=url)
    assert p.returncode != 0 and not os.path.exists(f2), p
