"""Witnessed checkpoints, the registry's side (issue 17): the registry and
three witnesses (`modelfacts witness`, each its own process, key and state
directory); the registry sends each new checkpoint to them (C2SP
tlog-witness v1.0.0 add-checkpoint, --witnesses FILE: a tlog-policy file)
and serves the cosignatures they return with the checkpoint.

- Under a submission load, every checkpoint the registry served is covered
  within a few seconds by one with >= 2 cosignatures (GET
  /v1/log/entries/{index}/witnessed?k=2); p50 and p99 of
  checkpoint-seen-to-second-cosignature are printed. The cosignature lines
  served are checked by a verifier written here from tlog-cosignature
  v1.0.1 (cosignature/v1, Ed25519), sharing no code with the registry.
- A witness SIGKILLed and restarted keeps its state (it answers 409 with
  the size it had cosigned to a request from size 0) and is caught up.
- A forked log: the registry's database copied (pg_dump into a second
  database), one entry rewritten there (leaf and tree nodes), a second
  registry started on the copy with the same log key and witnesses: every
  witness refuses its checkpoint and lists it in GET /evidence; the fork
  serves no cosignature.
- Frozen witnesses (SIGSTOP) delay no 201 and no shutdown and show as
  lag; a lying witness (forged line, or none by its key) gets nothing
  stored or served; a --witnesses file the registry cannot use stops it."""
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import time

import mf
from harness import PGBIN, ROOT, Skip, as_pg_owner, free_port, sh

S = {}
CLI = os.path.join(ROOT, "bin", "modelfacts")
N_WITNESSES = 3
LOAD_THREADS = 4
LOAD_PER_THREAD = 30


# --- cosignature/v1 (c2sp.org/tlog-cosignature v1.0.1), from the spec ---

def parse_vkey(vkey):
    """(name, key id bytes, 32-byte Ed25519 public key) of a type-0x04
    vkey: <name>+<hex key id>+<base64(0x04 || key)>."""
    name, kid, b64 = vkey.split("+", 2)  # names hold no '+'; base64 may
    raw = base64.b64decode(b64)
    assert raw[0] == 0x04 and len(raw) == 33, vkey
    want = hashlib.sha256(name.encode() + b"\n\x04" + raw[1:]).digest()[:4]
    assert want.hex() == kid, vkey
    return name, want, raw[1:]


def cosignatures(note, vkeys):
    """{witness name: timestamp} for each signature line of the note that
    is a valid cosignature/v1 by one of vkeys; a line with a known name
    and key id that does not verify fails the test."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import \
        Ed25519PublicKey
    text, _, sigs = note.partition("\n\n")
    body = (text + "\n").encode()
    keys = {parse_vkey(v)[0]: parse_vkey(v) for v in vkeys}
    out = {}
    for line in sigs.strip("\n").split("\n"):
        assert line.startswith("\u2014 "), line
        name, sig = line[2:].rsplit(" ", 1)
        if name not in keys:
            continue
        raw = base64.b64decode(sig)
        _, kid, pub = keys[name]
        if raw[:4] != kid:
            continue
        assert len(raw) == 4 + 8 + 64, line
        (ts,) = struct.unpack(">Q", raw[4:12])
        msg = b"cosignature/v1\n" + f"time {ts}\n".encode() + body
        Ed25519PublicKey.from_public_bytes(pub).verify(raw[12:], msg)
        assert name not in out, f"{name} cosigned twice"
        out[name] = ts
    return out


# --- the witnesses ---

class Witness:
    """One `modelfacts witness` process on a loopback port."""

    def __init__(self, t, i):
        self.name = f"witness.test/w{i}"
        self.dir = os.path.join(t.dir, f"w{i}")
        os.makedirs(self.dir, exist_ok=True)
        self.state = os.path.join(self.dir, "state")
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.dir, "witness.log")
        self.skey, self.vkey = witness_keygen(self.dir, self.name)
        t.servers.append(self)  # stopped, and its log shown, by harness

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_vkey):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [CLI, "witness", "--key", self.skey, "--state", self.state,
             "--log", log_vkey, "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        end = time.time() + 10
        while time.time() < end:
            assert self.proc.poll() is None, self.tail()
            try:
                if self.get("/evidence")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not start\n" + self.tail())

    def tail(self, n=15):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-n:])

    def request(self, method, path, body=None):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, body=body)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def evidence(self):
        status, body = self.get("/evidence")
        assert status == 200, (status, body)
        return json.loads(body)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        if self.proc is not None:
            self.log.close()
        self.proc = None


def witness_keygen(d, name):
    """A witness key pair made by `modelfacts witness keygen`: (path of
    the private key file, vkey)."""
    prefix = os.path.join(d, "witness")
    sh(CLI, "witness", "keygen", name, "--out", prefix)
    with open(prefix + ".vkey") as f:
        vkey = f.read().strip()
    return prefix + ".key", vkey


# --- the registry ---

def setup(t):
    if S:
        return S
    p = subprocess.run([CLI, "witness", "--help"], capture_output=True)
    if p.returncode != 0:
        raise Skip("this build has no `modelfacts witness`")
    try:
        import cryptography  # noqa: F401 - the independent verifier's
    except ImportError:
        raise Skip("python3-cryptography is not installed")
    # 1. The registry's log key first (the witnesses are told it) ...
    srv = t.new_server(args=["--no-git-publisher"], name="registry")
    S["log_vkey"] = srv.get("/v1/registry").json()["log_public_key"]
    srv.stop()
    # 2. ... then three witnesses, and a policy naming them ...
    S["witnesses"] = [Witness(t, i + 1) for i in range(N_WITNESSES)]
    for w in S["witnesses"]:
        w.start(S["log_vkey"])
    S["policy"] = os.path.join(t.dir, "policy.txt")
    with open(S["policy"], "w") as f:
        f.write(f"# the registry's witnesses\nlog {S['log_vkey']}\n")
        for i, w in enumerate(S["witnesses"]):
            f.write(f"witness w{i + 1} {w.vkey} {w.url}\n")
        f.write("group two-of-three 2 w1 w2 w3\nquorum two-of-three\n")
    # 3. ... and the registry asks them.
    srv.args += ["--witnesses", S["policy"]]
    srv.start()
    S["srv"] = srv
    S["reg"] = mf.Registry(srv)
    S["vkeys"] = [w.vkey for w in S["witnesses"]]
    return S


def size_of(note):
    return int(note.split("\n")[1])


def submit_load(reg, orgs, per_org):
    """per_org disclosures for each (org, key), one thread per org."""
    errors = []

    def run(org, key):
        for i in range(per_org):
            doc = mf.disclosure(org, f"m{i}", reg.next_seq(org))
            r = reg.submit(mf.envelope(doc, [key]))
            if r.status != 201:
                errors.append(r)

    threads = [threading.Thread(target=run, args=ok) for ok in orgs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]


def witnessed(srv, index, k):
    r = srv.get(f"/v1/log/entries/{index}/witnessed?k={k}")
    assert r.status in (200, 404), r
    return r.json() if r.status == 200 else None


def wait_witnessed(srv, index, k, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        w = witnessed(srv, index, k)
        if w is not None:
            return w
        time.sleep(0.05)
    raise AssertionError(f"entry {index} not witnessed by {k} in "
                         f"{timeout} s\n" + srv.tail(20))


def tlogcheck(t, srv):
    """tests/tlogcheck (Go's golang.org/x/mod/sumdb/note and tlog) reads
    the registry's /tlog with the cosigned checkpoint; skipped without go
    or Debian's golang-golang-x-mod-dev."""
    src = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"
    if shutil.which("go") is None or not os.path.isdir(src):
        print("   (tlogcheck skipped: no go or golang-golang-x-mod-dev)")
        return
    exe = os.path.join(t.dir, "tlogcheck")
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
               GOFLAGS="", GOCACHE=os.path.join(t.dir, "gocache"))
    sh("go", "build", "-o", exe,
       os.path.join(ROOT, "tests", "tlogcheck", "main.go"), env=env)
    p = sh(exe, "-url", srv.url + "/tlog", "-key", S["log_vkey"], "-origin",
           mf.ORIGIN, check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def test_bad_witnesses_file_is_refused(t):
    """A policy the registry cannot use stops the start, saying where."""
    import random

    def vkey(name, kind=b"\x04"):
        pub = bytes(random.randrange(256) for _ in range(32))
        kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
        return "%s+%s+%s" % (name, kid.hex(),
                             base64.b64encode(kind + pub).decode())

    good, other = vkey("w.test"), vkey("w.test")
    log_key = vkey("w.test", b"\x01")
    cases = [
        (f"witness w1 {log_key} http://127.0.0.1:1\n",
         "policy line 1"),
        (f"# ok\nwitness w1 {good} ftp://127.0.0.1:1\n",
         "witness w1: its URL"),
        (f"witness w1 {good} http://a\nwitness w1 {other} http://b\n",
         "policy line 2"),
        (f"witness w1 {good} http://a\nwitness w2 {other} http://b\n",
         "two witnesses with the key name w.test"),
        (f"witness w1 {good} http://a\r\n", "control character"),
    ]
    # a database of their own: the registry's keys are made by the first
    # server that starts on a database, and that is the registry's
    db = fork_url(t, t.cluster.createdb(t.dbname + "_bad") and
                  t.dbname + "_bad")
    for i, (text, why) in enumerate(cases):
        path = os.path.join(t.dir, f"bad{i}.policy")
        with open(path, "w") as f:
            f.write(text)
        s = t.new_server(args=["--no-git-publisher", "--witnesses", path],
                         name=f"bad{i}", start=False,
                         db_url=db).start(wait=False)
        assert s.proc.wait(20) == 1, s.tail()
        assert why in s.tail(), (why, s.tail())
        s.stop()
    # the environment and the --config file name it too
    absent = os.path.join(t.dir, "absent")
    s = t.new_server(name="absent", start=False, db_url=db,
                     env={"MODELFACTS_WITNESSES": absent}).start(wait=False)
    assert s.proc.wait(20) == 1 and absent in s.tail(), s.tail()
    s.stop()
    conf = os.path.join(t.dir, "bad.conf")
    with open(conf, "w") as f:
        f.write(f"# a config file\nwitnesses = {absent}.conf\n")
    s = t.new_server(args=["--config", conf], name="conf", start=False,
                     db_url=db).start(wait=False)
    assert s.proc.wait(20) == 1 and absent + ".conf" in s.tail(), s.tail()
    s.stop()


def test_checkpoints_cosigned_under_load(t):
    setup(t)
    srv, reg = S["srv"], S["reg"]
    orgs = []
    for i in range(LOAD_THREADS):
        key = mf.Key(t.dir, f"org{i}", "ed25519")
        reg.create_org(f"org{i}", "developer", key)
        orgs.append((f"org{i}", key))
    # 1. A reader notes each checkpoint size the first time it is served,
    # and when the entries it covers are first witnessed by two.
    seen, done, stop = {}, {}, threading.Event()

    def watch():
        while not stop.is_set() or len(done) < len(seen):
            now = time.time()
            r = srv.get("/v1/log/checkpoint")
            if r.status == 200 and size_of(r.body.decode()) > 0:
                seen.setdefault(size_of(r.body.decode()), now)
            pending = sorted(s for s in seen if s not in done and s > 0)
            while pending:
                w = witnessed(srv, pending[0] - 1, 2)
                if w is None:
                    break
                now = time.time()
                for s in [s for s in pending if s <= w["tree_size"]]:
                    done[s] = now
                pending = [s for s in pending if s not in done]
            if stop.is_set() and time.time() > stop.deadline:
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    t0 = time.time()
    submit_load(reg, orgs, LOAD_PER_THREAD)
    load_s = time.time() - t0
    stop.deadline = time.time() + 20
    stop.set()
    watcher.join()
    # 2. Every checkpoint served was witnessed by two, in seconds.
    sizes = [s for s in seen if s > 0]
    missing = sorted(s for s in sizes if s not in done)
    assert not missing, (missing, srv.tail(20))
    lat = [done[s] - seen[s] for s in sizes]
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    print(f"   {LOAD_THREADS * LOAD_PER_THREAD} submissions in "
          f"{load_s:.1f} s; {len(sizes)} checkpoints served; "
          f"checkpoint to 2nd cosignature p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms")
    assert p99 < 10, lat
    # 3. Once quiet, the newest checkpoint carries all three, each a valid
    # cosignature/v1 by its witness's key, on every path that serves it.
    size = size_of(srv.get("/v1/log/checkpoint").body.decode())
    w = wait_witnessed(srv, size - 1, 3)
    assert w["tree_size"] == size, w
    note = srv.get("/v1/log/checkpoint").body.decode()
    got = cosignatures(note, S["vkeys"])
    assert sorted(got) == sorted(x.name for x in S["witnesses"]), note
    assert all(abs(ts - time.time()) < 600 for ts in got.values()), got
    assert w["checkpoint"] == note
    assert sorted(c["witness"] for c in w["cosignatures"]) == sorted(got)
    tl = srv.get("/tlog/checkpoint")
    assert tl.body.decode() == note
    etag = tl.header("ETag")
    assert etag and tl.header("Cache-Control") == "public, max-age=5", tl
    assert srv.get("/tlog/checkpoint",
                   headers={"If-None-Match": etag}).status == 304
    at = srv.get(f"/v1/log/checkpoints/{size}")
    assert at.body.decode() == note
    # cosignatures may still arrive for it: not cached as immutable
    assert at.header("Cache-Control") == "no-cache", at.headers
    # the log's own signature is still the first line, and verifies
    origin, n, _, _, sigs = mf.parse_checkpoint(note)
    assert origin == mf.ORIGIN and n == size and sigs[0][0] == mf.ORIGIN
    # the log's own signature is checked by Go's note package too, which
    # must ignore the witnesses' lines (an independent tlog client)
    tlogcheck(t, srv)
    # 4. /metrics: per witness, what was collected and no lag.
    m = srv.get("/metrics").body.decode()
    for x in S["witnesses"]:
        lbl = f'{{witness="{x.name}"}}'
        got_n = [line for line in m.splitlines() if line.startswith(
            "modelfacts_witness_cosignatures_total" + lbl)]
        assert got_n and float(got_n[0].split()[-1]) >= 1, m
        assert f"modelfacts_witness_lag_entries{lbl} 0\n" in m, m
    # the alert rules' witness metrics (docs/prometheus-alerts.yml) are
    # among those served
    with open(os.path.join(ROOT, "docs", "prometheus-alerts.yml")) as f:
        named = set(re.findall(r"\bmodelfacts_witness_[a-z0-9_]+", f.read()))
    assert named, "no witness alert"
    served = set(re.findall(r"^(modelfacts_witness_[a-z0-9_]+)[{ ]", m, re.M))
    assert named <= served, (named - served)
    # 5. Bad input: a precise 4xx.
    r = srv.get("/v1/log/entries/0/witnessed?k=0")
    assert r.status == 400, r
    assert r.json()["error"]["code"] == "invalid_parameter", r
    r = srv.get(f"/v1/log/entries/{size + 100}/witnessed")
    assert r.status == 404, r


def test_witness_killed_keeps_state(t):
    setup(t)
    srv, reg = S["srv"], S["reg"]
    w2 = S["witnesses"][1]
    size = size_of(srv.get("/v1/log/checkpoint").body.decode())
    wait_witnessed(srv, size - 1, 3)
    # 1. SIGKILLed: the other two keep the log witnessed.
    w2.stop(signal.SIGKILL)
    key = mf.Key(t.dir, "late", "ed25519")
    reg.create_org("late", "developer", key)
    submit_load(reg, [("late", key)], 4)
    size2 = size_of(srv.get("/v1/log/checkpoint").body.decode())
    assert size2 > size
    w = wait_witnessed(srv, size2 - 1, 2)
    assert w2.name not in [c["witness"] for c in w["cosignatures"]], w
    # 2. Restarted on its state directory: it still holds the size it
    # cosigned (a witness that forgot would cosign from size 0 again) ...
    w2.start(S["log_vkey"])
    note = srv.get(f"/v1/log/checkpoints/{size}").body.decode()
    plain = note.split("\n\n")[0] + "\n\n" + "\n".join(
        line for line in note.split("\n\n")[1].split("\n")
        if line.startswith("\u2014 " + mf.ORIGIN + " ")) + "\n"
    status, body = w2.request("POST", "/add-checkpoint",
                              b"old 0\n\n" + plain.encode())
    assert status == 409, (status, body)
    assert int(body.decode()) >= size, body
    # 3. ... and the registry catches it up on the newest checkpoint.
    w = wait_witnessed(srv, size2 - 1, 3, timeout=40)
    assert w2.name in [c["witness"] for c in w["cosignatures"]], w


def rewrite_entry(t, db, index):
    """Rewrites entry `index` in database db: its leaf (another payload
    hash) and every stored tree node above it, as an operator forking
    the log would; drops the checkpoints (and so their cosignatures), which
    the registry started on it signs again, and frees its leases."""
    q = ("UPDATE submissions SET leaf = regexp_replace(leaf,"
         " 'payload-sha256 [0-9a-f]{64}', 'payload-sha256 ' ||"
         " repeat('0', 64)) WHERE log_index = :'p1'::bigint;"
         "UPDATE log_nodes n SET hash = sha256('\\x00'::bytea ||"
         " convert_to(s.leaf, 'UTF8')) FROM submissions s"
         " WHERE n.level = 0 AND n.idx = :'p1'::bigint"
         " AND s.log_index = n.idx;")
    for level in range(1, 40):
        q += ("UPDATE log_nodes n SET hash = sha256('\\x01'::bytea ||"
              " a.hash || b.hash) FROM log_nodes a, log_nodes b"
              f" WHERE n.level = {level} AND n.idx = {index >> level}"
              f" AND a.level = {level - 1} AND a.idx = {2 * (index >> level)}"
              f" AND b.level = {level - 1}"
              f" AND b.idx = {2 * (index >> level) + 1};")
    # and the copy's leases are free at once (they were copied held)
    q += ("DELETE FROM checkpoints;"
          "UPDATE leader_lease SET expires_at = '-infinity';")
    t.cluster.psql(db, q, index)


def test_forked_log_refused_by_every_witness(t):
    setup(t)
    srv = S["srv"]
    size = size_of(srv.get("/v1/log/checkpoint").body.decode())
    real = wait_witnessed(srv, size - 1, 3)
    assert real["tree_size"] == size
    # no split view yet (the kill test's stale "old 0" request may have
    # left a smaller_after_larger lead: a stale retry looks like one)
    for w in S["witnesses"]:
        assert [e for e in w.evidence()
                if e["kind"] != "smaller_after_larger"] == [], w.evidence()
    # 1. The operator copies the database and rewrites an entry there.
    fork_db = t.dbname + "_fork"
    t.cluster.createdb(fork_db)
    dump = as_pg_owner(os.path.join(PGBIN, "pg_dump"), "-h", t.cluster.sock,
                       "-U", "modelfacts", "-d", t.dbname).stdout
    t.cluster.psql(fork_db, dump)
    rewrite_entry(t, fork_db, size // 2)
    # 2. A second registry serves the copy, with the same log key and the
    # same witnesses.
    fdir = os.path.join(t.dir, "fork")
    os.makedirs(fdir, exist_ok=True)
    for f in ("log.key", "commit.key"):
        shutil.copy2(os.path.join(srv.state_dir, f), os.path.join(fdir, f))
    fork = t.new_server(args=["--no-git-publisher", "--witnesses",
                              S["policy"]], name="fork",
                        db_url=fork_url(t, fork_db))
    end = time.time() + 20
    while (r := fork.get("/v1/log/checkpoint")).status != 200:
        assert time.time() < end, fork.tail()
        time.sleep(0.1)
    fnote = r.body.decode()
    assert size_of(fnote) == size
    froot = fnote.split("\n")[2]
    assert froot != real["checkpoint"].split("\n")[2], "not forked"
    # 3. Every witness that cosigned the real checkpoint refuses the
    # forked one and lists it as evidence.
    end = time.time() + 20
    while time.time() < end:
        ev = [[e for e in w.evidence() if froot in json.dumps(e)]
              for w in S["witnesses"]]
        if all(ev):
            break
        time.sleep(0.1)
    for w, e in zip(S["witnesses"], ev):
        assert e, f"{w.name} recorded no evidence\n" + w.tail()
        assert froot in json.dumps(e), (w.name, e)
    # 4. The fork serves no cosignature; the real log is still witnessed.
    assert cosignatures(fork.get("/v1/log/checkpoint").body.decode(),
                        S["vkeys"]) == {}
    assert fork.get(f"/v1/log/entries/{size - 1}/witnessed").status == 404
    m = fork.get("/metrics").body.decode()
    for w in S["witnesses"]:
        line = [x for x in m.splitlines() if x.startswith(
            f'modelfacts_witness_failures_total{{witness="{w.name}"}}')]
        assert line and float(line[0].split()[-1]) >= 1, m
    fork.stop()
    assert len(cosignatures(srv.get("/v1/log/checkpoint").body.decode(),
                            S["vkeys"])) == 3


def fork_url(t, db):
    return f"host={t.cluster.sock} dbname={db} user=modelfacts"


def metric(m, name, witness):
    for line in m.splitlines():
        if line.startswith(f'{name}{{witness="{witness}"}} '):
            return float(line.split()[-1])
    raise AssertionError(f"no {name} for {witness}:\n{m}")


def test_frozen_witnesses_block_nothing(t):
    """Witnesses that stop answering (SIGSTOP: connections accepted, never
    answered) delay neither a 201 nor the sequencer, show as lag, and do
    not hold up the registry's shutdown; once they answer again they are
    caught up."""
    setup(t)
    srv, reg = S["srv"], S["reg"]
    key = mf.Key(t.dir, "frozen", "ed25519")
    reg.create_org("frozen", "developer", key)
    for w in S["witnesses"]:
        w.proc.send_signal(signal.SIGSTOP)
    try:
        # 1. Submissions are answered as fast as ever.
        worst = 0
        for i in range(8):
            doc = mf.disclosure("frozen", f"m{i}", reg.next_seq("frozen"))
            t0 = time.time()
            r = reg.submit(mf.envelope(doc, [key]))
            worst = max(worst, time.time() - t0)
            assert r.status == 201, r
        assert worst < 2, worst
        # 2. /metrics shows each witness behind.
        time.sleep(1.0)
        m = srv.get("/metrics").body.decode()
        for w in S["witnesses"]:
            assert metric(m, "modelfacts_witness_lag_entries", w.name) > 0
            assert metric(m, "modelfacts_witness_lag_seconds", w.name) > 0.5
        # 3. A shutdown does not wait out the witnesses' timeouts.
        t0 = time.time()
        srv.stop()
        assert time.time() - t0 < 5, time.time() - t0
        srv.start()
    finally:
        for w in S["witnesses"]:
            w.proc.send_signal(signal.SIGCONT)
    # 4. Answering again, they cosign the newest checkpoint.
    size = size_of(srv.get("/v1/log/checkpoint").body.decode())
    w = wait_witnessed(srv, size - 1, 3, timeout=40)
    assert w["tree_size"] == size, w


def test_lying_witness_is_not_believed(t):
    """A witness (here a few lines of Python on loopback) that answers 200
    with a line under its name and key id whose signature does not
    verify, or with no line of its key at all: nothing is stored or
    served, and the failures are counted."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    setup(t)  # (skips like the others)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import \
        Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    name = "liar.test/w"
    sk = Ed25519PrivateKey.generate()
    pub = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    vkey = "%s+%s+%s" % (name, kid.hex(),
                         base64.b64encode(b"\x04" + pub).decode())
    asked = []

    class Liar(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            asked.append(body)
            text = body.decode().split("\n\n")[1] + "\n"
            ts = int(time.time())
            # signed over another message than cosignature/v1 says
            sig = sk.sign(f"time {ts}\n".encode() + text.encode())
            line = "\u2014 %s %s\n" % (name, base64.b64encode(
                kid + struct.pack(">Q", ts) + sig).decode())
            if len(asked) % 2 == 0:  # every other answer: no line of ours
                line = "\u2014 someone.else %s\n" % base64.b64encode(
                    b"\0" * 76).decode()
            out = line.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Liar)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        policy = os.path.join(t.dir, "liar.policy")
        with open(policy, "w") as f:
            f.write(f"witness liar {vkey} "
                    f"http://127.0.0.1:{httpd.server_port}/\n")
        db = t.dbname + "_liar"
        t.cluster.createdb(db)
        srv = t.new_server(args=["--no-git-publisher", "--witnesses", policy],
                           name="liar", db_url=fork_url(t, db))
        reg = mf.Registry(srv)
        key = mf.Key(t.dir, "liar", "ed25519")
        reg.create_org("liar", "developer", key)
        for i in range(3):
            doc = mf.disclosure("liar", f"m{i}", reg.next_seq("liar"))
            assert reg.submit(mf.envelope(doc, [key])).status == 201
        end = time.time() + 20
        while len(asked) < 3 and time.time() < end:
            time.sleep(0.1)
        assert len(asked) >= 3, (asked, srv.tail())
        # it was asked properly: old size, blank line, the checkpoint
        assert asked[0].startswith(b"old 0\n\n" + mf.ORIGIN.encode())
        note = srv.get("/v1/log/checkpoint").body.decode()
        assert name not in note, note
        assert t.cluster.psql(db, "SELECT count(*) FROM cosignatures") == \
            [["0"]]
        m = srv.get("/metrics").body.decode()
        assert metric(m, "modelfacts_witness_failures_total", name) >= 3
        assert metric(m, "modelfacts_witness_cosignatures_total", name) == 0
        # (a run of failures is logged on its first and every tenth)
        assert "cosignature that does not verify" in srv.tail(200)
        srv.stop()
    finally:
        httpd.shutdown()


def fake_witness(t, tag, answer):
    """A witness of a few lines of Python on loopback, its own key, and a
    registry on a database of its own that asks it alone; answer(body,
    sign, asked) gives (status, body bytes), sign(text, ts) a
    cosignature/v1 line. Returns (registry server, db, vkey, asked,
    httpd); the caller stops the server and shuts httpd down."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from cryptography.hazmat.primitives.asymmetric.ed25519 import \
        Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    name = f"{tag}.test/w"
    sk = Ed25519PrivateKey.generate()
    pub = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
    kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    vkey = "%s+%s+%s" % (name, kid.hex(),
                         base64.b64encode(b"\x04" + pub).decode())
    asked = []

    def sign(text, ts):
        sig = sk.sign(b"cosignature/v1\ntime %d\n" % ts + text.encode())
        return ("\u2014 %s %s\n" % (name, base64.b64encode(
            kid + struct.pack(">Q", ts) + sig).decode())).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            asked.append(body)
            status, out = answer(body, sign, asked)
            self.send_response(status)
            if status == 409:
                self.send_header("Content-Type", "text/x.tlog.size")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    policy = os.path.join(t.dir, f"{tag}.policy")
    with open(policy, "w") as f:
        f.write(f"witness {tag} {vkey} "
                f"http://127.0.0.1:{httpd.server_port}/\n")
    db = t.dbname + "_" + tag
    t.cluster.createdb(db)
    srv = t.new_server(args=["--no-git-publisher", "--witnesses", policy],
                       name=tag, db_url=fork_url(t, db))
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, tag, "ed25519")
    reg.create_org(tag, "developer", key)
    doc = mf.disclosure(tag, "m0", reg.next_seq(tag))
    assert reg.submit(mf.envelope(doc, [key])).status == 201
    return srv, db, vkey, asked, httpd


def checkpoint_text(body):
    """The checkpoint's text in an add-checkpoint request body."""
    return body.decode().split("\n\n")[1] + "\n"


def test_one_wrong_409_does_not_silence_a_witness(t):
    """Review of issue 17: a witness whose first answer is a 409 with a
    size beyond the registry's log (a wrong answer, or a witness whose
    state was later reset) is asked again in a later round, and its
    cosignatures are then stored; before, the size stayed in
    witness_state and the witness was never asked again."""
    setup(t)  # (skips like the others)

    def answer(body, sign, asked):
        if len(asked) == 1:
            return 409, b"1000000\n"
        # a fresh witness: cosigns
        return 200, sign(checkpoint_text(body), int(time.time()))

    srv, db, vkey, asked, httpd = fake_witness(t, "reset", answer)
    try:
        end = time.time() + 15
        while time.time() < end:
            if t.cluster.psql(db, "SELECT count(*) FROM cosignatures") != \
                    [["0"]]:
                break
            time.sleep(0.2)
        assert len(asked) >= 2, ("never asked again after the 409",
                                 asked, srv.tail(20))
        note = srv.get("/v1/log/checkpoint").body.decode()
        assert len(cosignatures(note, [vkey])) == 1, (note, srv.tail(20))
        srv.stop()
    finally:
        httpd.shutdown()


def test_cosignature_without_a_timestamp_is_refused(t):
    """Review of issue 17: tlog-witness v1.0.0 says a witness's
    cosignature MUST NOT omit the timestamp (time 0). A line that verifies
    but carries time 0 is a failure: nothing stored or served."""
    setup(t)  # (skips like the others)

    def answer(body, sign, asked):
        return 200, sign(checkpoint_text(body), 0)

    srv, db, vkey, asked, httpd = fake_witness(t, "notime", answer)
    try:
        end = time.time() + 15
        stored = [["0"]]
        while len(asked) < 3 and time.time() < end and stored == [["0"]]:
            time.sleep(0.1)
            stored = t.cluster.psql(db, "SELECT count(*) FROM cosignatures")
        assert stored == [["0"]], ("a time-0 cosignature was stored",
                                   srv.tail(5))
        assert len(asked) >= 3, (asked, srv.tail(20))
        note = srv.get("/v1/log/checkpoint").body.decode()
        assert "notime.test/w" not in note, note
        assert "timestamp" in srv.tail(200), srv.tail(20)
        srv.stop()
    finally:
        httpd.shutdown()
