"""The witness (issue 17): `modelfacts witness` run as its own process and
fed by a tiny transparency log that is NOT modelfacts, built here from the
specs: RFC 6962 hashing and consistency proofs, checkpoints (C2SP
tlog-checkpoint) signed as C2SP signed notes with an Ed25519 key made by
the `cryptography` package. Each cosignature the witness answers is
checked by an independent verifier written here from C2SP
tlog-cosignature v1.0.1 (cosignature/v1); Go's golang.org/x/mod/sumdb/note
cannot be that verifier, since it knows key type 0x01 only (pinned by
tests/unit/test_cosignature.c). Status codes are C2SP tlog-witness's:
409 text/x.tlog.size with the size it holds, 422 for a bad proof or root,
403 for a checkpoint not signed by the log's key, 404 for an unknown log,
400 for malformed bodies. Also: SIGKILL and restart keep the state, and a
forked log is refused with the evidence recorded and listed."""
import base64
import hashlib
import http.client
import json
import os
import signal
import struct
import subprocess
import threading
import time

import mf
from harness import ROOT, Skip, free_port, sh

# MF_CLI_BIN: another build of the CLI, e.g. the ASan one
# (make VARIANT=asan build/asan/modelfacts)
CLI = os.environ.get("MF_CLI_BIN") or os.path.join(ROOT, "bin", "modelfacts")
DASH = "\u2014"

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey, Ed25519PublicKey)
    from cryptography.hazmat.primitives.serialization import (
        Encoding, PublicFormat)
except ImportError:  # pragma: no cover - the machine has it
    Ed25519PrivateKey = None


# --- a tiny RFC 6962 log ------------------------------------------------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n):
    """The largest power of two smaller than n (RFC 6962 2.1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """Merkle Tree Hash of a list of leaf hashes (RFC 6962 2.1)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def subproof(m, leaves, complete):
    """SUBPROOF(m, D[n], b) of RFC 6962 2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split_point(n)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    """PROOF(m, D[n]) for 0 < m <= n."""
    return subproof(m, leaves, True)


class Log:
    """A log: an origin, a signed-note Ed25519 key, its entries."""

    def __init__(self, origin, key=None):
        self.origin = origin
        self.key = key or Ed25519PrivateKey.generate()
        pub = self.key.public_key().public_bytes(Encoding.Raw,
                                                 PublicFormat.Raw)
        self.key_id = hashlib.sha256(origin.encode() + b"\n\x01"
                                     + pub).digest()[:4]
        self.vkey = "%s+%s+%s" % (origin, self.key_id.hex(),
                                  base64.b64encode(b"\x01" + pub).decode())
        self.leaves = []

    def append(self, *entries):
        for e in entries:
            self.leaves.append(leaf_hash(e.encode()))

    def root(self, size=None):
        return mth(self.leaves[:len(self.leaves) if size is None else size])

    def checkpoint(self, size=None, root=None):
        """A signed checkpoint note of the tree of `size` leaves."""
        size = len(self.leaves) if size is None else size
        root = self.root(size) if root is None else root
        body = "%s\n%d\n%s\n" % (self.origin, size,
                                 base64.b64encode(root).decode())
        sig = self.key.sign(body.encode())
        line = "%s %s %s\n" % (DASH, self.origin,
                               base64.b64encode(self.key_id + sig).decode())
        return body + "\n" + line

    def proof(self, old, size=None):
        size = len(self.leaves) if size is None else size
        if old == 0 or old == size:
            return []
        return consistency(old, self.leaves[:size])


def request_body(old, proof, note):
    return ("old %d\n" % old
            + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
            + "\n" + note)


# --- an independent cosignature/v1 verifier (from the spec) -------------

def parse_vkey(vkey):
    name, key_id, material = vkey.split("+", 2)
    raw = base64.b64decode(material)
    assert raw[0] == 0x04 and len(raw) == 33, vkey
    pub = raw[1:]
    want = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
    assert want.hex() == key_id, "key id does not match name and key"
    return name, want, Ed25519PublicKey.from_public_bytes(pub)


def verify_cosignature(vkey, body, line, now=None):
    """Checks one cosignature line on the checkpoint body; returns its
    timestamp. Raises when it does not verify."""
    name, key_id, pub = parse_vkey(vkey)
    assert line.startswith(DASH + " ") and line.endswith("\n"), line
    got_name, b64 = line[2:-1].split(" ")
    assert got_name == name, (got_name, name)
    raw = base64.b64decode(b64, validate=True)
    assert len(raw) == 4 + 8 + 64, len(raw)
    assert raw[:4] == key_id
    (ts,) = struct.unpack(">Q", raw[4:12])
    assert 0 < ts < 2 ** 63
    if now is not None:
        assert abs(ts - now) < 300, (ts, now)
    msg = b"cosignature/v1\ntime %d\n" % ts + body.encode()
    pub.verify(raw[12:], msg)  # raises InvalidSignature
    return ts


def note_body(note):
    return note.split("\n\n", 1)[0] + "\n"


# --- the witness process --------------------------------------------------

class Witness:
    """One `modelfacts witness` on a free loopback port (duck-typed like
    harness.Server, so the module's context stops it)."""

    def __init__(self, d, name, logs):
        self.dir = d
        self.state = os.path.join(d, "state")
        self.log_path = os.path.join(d, "witness.log")
        self.logs = logs
        self.port = None
        self.proc = None
        os.makedirs(d, exist_ok=True)
        prefix = os.path.join(d, "w")
        for ext in (".key", ".vkey"):
            if os.path.exists(prefix + ext):
                os.remove(prefix + ext)
        self.vkey = sh(CLI, "witness", "keygen", name, "--out",
                       prefix).stdout.strip()
        self.key_file = prefix + ".key"

    def start(self):
        self.port = self.port or free_port()
        args = [CLI, "witness", "--key", self.key_file, "--state",
                self.state, "--listen", "127.0.0.1:%d" % self.port]
        for vkey in self.logs:
            args += ["--log", vkey]
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("witness exited %d:\n%s"
                                     % (self.proc.returncode, self.tail()))
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("witness did not start\n" + self.tail())

    def tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        rc = self.proc.returncode
        self.proc = None
        self.log.close()
        return rc

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            if isinstance(body, str):
                body = body.encode()
            try:
                c.request(method, path, body=body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = c.getresponse()
            return r.status, r.getheader("Content-Type"), r.read()
        finally:
            c.close()

    def add(self, old, proof, note):
        return self.request("POST", "/add-checkpoint",
                            request_body(old, proof, note))


S = {}


def setup(t):
    if Ed25519PrivateKey is None:
        raise Skip("python3-cryptography is not installed")
    if S:
        return S
    S["log"] = Log("log.example/one")
    S["log2"] = Log("log.example/two")
    S["w"] = Witness(os.path.join(t.dir, "w1"), "witness.test/w1",
                     [S["log"].vkey, S["log2"].vkey])
    t.servers.append(S["w"])
    S["w"].start()
    return S


def cosign(w, log, old):
    """Submits log's current checkpoint from old; asserts 200 and checks
    the cosignature independently. Returns the line."""
    note = log.checkpoint()
    status, ctype, body = w.add(old, log.proof(old), note)
    assert status == 200, (status, body)
    line = body.decode()
    assert line.count("\n") == 1, line
    verify_cosignature(w.vkey, note_body(note), line, now=time.time())
    return line


def test_accepts_and_cosigns(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    log.append(*("entry %d" % i for i in range(5)))
    cosign(w, log, 0)
    # growing, with an RFC 6962 consistency proof from 5 to 9
    log.append(*("entry %d" % i for i in range(5, 9)))
    line = cosign(w, log, 5)
    # a cosignature over another body does not verify (the check can fail)
    try:
        verify_cosignature(w.vkey, note_body(log.checkpoint(size=5)), line)
        raise AssertionError("a cosignature verified on another body")
    except InvalidSignature:
        pass
    # the same checkpoint again is cosigned again (idempotent)
    cosign(w, log, 9)
    # the monitoring call: the log's signature and the witness's line
    origin_hash = hashlib.sha256(log.origin.encode()).hexdigest()
    status, ctype, body = w.request("GET", "/%s/checkpoint" % origin_hash)
    assert status == 200, (status, body)
    text = body.decode()
    body_text, sigs = text.split("\n\n", 1)
    assert body_text + "\n" == note_body(log.checkpoint()), text
    lines = [x + "\n" for x in sigs.splitlines()]
    assert lines[0] == log.checkpoint().split("\n\n", 1)[1], lines
    verify_cosignature(w.vkey, body_text + "\n", lines[-1])
    assert w.request("GET", "/%s/checkpoint" % ("0" * 64))[0] == 404
    # a log it knows but never cosigned
    h2 = hashlib.sha256(s["log2"].origin.encode()).hexdigest()
    assert w.request("GET", "/%s/checkpoint" % h2)[0] == 404


def test_wrong_old_size_is_409_with_the_size(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    log.append("entry 9", "entry 10", "entry 11")
    for old in (0, 5, 10):
        status, ctype, body = w.add(old, log.proof(old), log.checkpoint())
        assert status == 409, (old, status, body)
        assert ctype == "text/x.tlog.size", ctype
        assert body == b"9\n", body
    cosign(w, log, 9)


def test_bad_proofs_and_roots_are_422(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    log.append("entry 12", "entry 13")
    note = log.checkpoint()
    good = log.proof(12)
    assert good, "a proof from 12 to 14 is not empty"
    bad = [bytes([good[0][0] ^ 1]) + good[0][1:]] + good[1:]
    status, _, body = w.add(12, bad, note)
    assert status == 422, (status, body)
    status, _, body = w.add(12, good[:-1], note)
    assert status == 422, (status, body)
    # same size as held, with a non-empty proof
    status, _, body = w.add(12, good, log.checkpoint(size=12))
    assert status == 422, (status, body)
    # a checkpoint of size 0 must have the empty tree's root
    log2 = s["log2"]
    status, _, body = w.add(0, [], log2.checkpoint(size=0, root=b"\x07" * 32))
    assert status == 422, (status, body)
    # old 0 needs no proof and may have none
    status, _, body = w.add(0, [b"\x01" * 32], log2.checkpoint(size=0))
    assert status == 422, (status, body)
    # refused: still at 12; the good proof is taken
    cosign(w, log, 12)


def test_wrong_key_403_unknown_log_404(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    # the right origin, another key: no signature by a trusted key
    impostor = Log(log.origin)
    impostor.leaves = list(log.leaves)
    status, _, body = w.add(14, [], impostor.checkpoint())
    assert status == 403, (status, body)
    # the trusted key's name and id, a signature that does not verify
    note = log.checkpoint()
    head, line = note.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(line))
    raw[-1] ^= 1
    status, _, body = w.add(14, [], head + " "
                            + base64.b64encode(bytes(raw)).decode() + "\n")
    assert status == 403, (status, body)
    # an origin it does not witness
    stranger = Log("log.example/unknown")
    stranger.append("x")
    status, _, body = w.add(0, [], stranger.checkpoint())
    assert status == 404, (status, body)


def test_older_checkpoint_is_refused(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    older = log.checkpoint(size=9)
    # from what it holds: old size above the checkpoint's (spec: 400)
    status, _, body = w.add(14, [], older)
    assert status == 400, (status, body)
    # from an old size it does not hold: 409 with the size it holds
    status, ctype, body = w.add(5, log.proof(5, 9), older)
    assert status == 409 and body == b"14\n", (status, body)
    # kept as a lead: the pair, both signed by the log, smaller second
    ev = [e for e in json.loads(w.request("GET", "/evidence")[2])
          if e.get("origin") == log.origin and
          e["kind"] == "smaller_after_larger"]
    assert len(ev) == 1 and ev[0]["presented"] == older, ev
    assert note_body(ev[0]["cosigned"]).split("\n")[1] == "14", ev
    # (review of issue 17) the same checkpoint replayed by anyone with
    # other junk signature lines of unknown keys (up to 64 KiB of them)
    # is the same lead, kept with the log's lines only: not a new file
    # per variant
    before = len(os.listdir(os.path.join(w.state, "evidence")))
    for i in range(3):
        junk = "".join("%s junk%d.example %s\n" % (
            DASH, j, base64.b64encode(os.urandom(76)).decode())
            for j in range(i + 1))
        status, _, body = w.add(5, [], older + junk)
        assert status == 409, (status, body)
    assert len(os.listdir(os.path.join(w.state, "evidence"))) == before, \
        os.listdir(os.path.join(w.state, "evidence"))
    origin_hash = hashlib.sha256(log.origin.encode()).hexdigest()
    status, _, body = w.request("GET", "/%s/checkpoint" % origin_hash)
    assert body.decode().split("\n")[1] == "14", body


def test_malformed_bodies_are_400_and_never_crash(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    note = log.checkpoint()
    bodies = [  # (body, the status the spec gives)
        ("", 400), ("old\n\n" + note, 400), ("old 014\n\n" + note, 400),
        ("old -1\n\n" + note, 400),
        ("old 99999999999999999999999\n\n" + note, 400),
        ("old 14\n" + note, 400),  # no empty line before the note
        ("old 14\nnot base64!\n\n" + note, 400),
        ("old 14\nAAAA\n\n" + note, 400),  # not 32 bytes
        ("old 14\n\n", 400),
        ("old 14\n\n" + note.replace("\n\n", "\n"), 400),  # no sigs
        ("old 14\n\n" + note[:-1], 400),
        ("old 14\n\n" + note.replace(DASH, "-"), 400),
        ("old 14\n\n\x00" + note, 404),  # not its origin
        ("old 14\n\n" + "log.example/one\nx\ny\n\n"
         + note.split("\n\n")[1], 403),  # the signature is not over it
        ("old 14\n\n" + note.replace("\n\n", "\n\n\xff"), 400),
    ]
    for b, want in bodies:
        status, _, resp = w.request("POST", "/add-checkpoint", b)
        assert status == want, (b[:60], status, want, resp)
    # 64 proof lines (the spec allows 63)
    status, _, _ = w.request("POST", "/add-checkpoint",
                             "old 14\n" + ("A" * 43 + "=\n") * 64 + "\n"
                             + note)
    assert status == 400, status
    # bounded body
    status, _, _ = w.request("POST", "/add-checkpoint",
                             "old 14\n\n" + "x" * (200 * 1024))
    assert status == 413, status
    assert w.request("GET", "/add-checkpoint")[0] == 405
    assert w.proc.poll() is None, "the witness died"
    cosign(w, log, 14)


def test_oversized_checkpoint_is_400_not_500(t):
    """Review of issue 17: a validly signed checkpoint whose text is
    over the 32 KiB the witness cosigns (extension lines) is the
    client's error, not 'the witness cannot store its state' (500)."""
    s = setup(t)
    w, log = s["w"], s["log"]
    size = len(log.leaves)
    body = "%s\n%d\n%s\n%s" % (log.origin, size,
                                base64.b64encode(log.root()).decode(),
                                ("x" * 1000 + "\n") * 40)
    sig = log.key.sign(body.encode())
    note = body + "\n" + "%s %s %s\n" % (
        DASH, log.origin, base64.b64encode(log.key_id + sig).decode())
    status, _, resp = w.add(size, [], note)
    assert status == 400, (status, resp)
    assert b"too large" in resp, resp
    assert w.proc.poll() is None, "the witness died"
    cosign(w, log, size)


def test_evidence_help_names_every_kind(t):
    """Review of issue 17: `witness evidence`'s usage named two of the
    three kinds of evidence it lists (not smaller_after_larger)."""
    r = sh(CLI, "witness", "evidence", check=False)
    assert r.returncode == 2, r
    text = " ".join((r.stdout + r.stderr).split())
    for kind in ("same_size_different_root", "inconsistent",
                 "smaller_after_larger"):
        assert kind in text, (kind, text)


def test_new_state_directory_is_durable(t):
    """Review of issue 17: a state directory the witness creates is made
    durable in its parent (fsync of the parent after mkdir), or a power
    loss could drop the whole directory, and with it every state file
    (written and fsync'd inside it), and the witness would start over as
    if it had never cosigned. Observed with strace -y (skipped without
    it)."""
    import shutil
    if shutil.which("strace") is None:
        raise Skip("strace is not installed")
    s = setup(t)
    parent = os.path.join(t.dir, "durable")
    state = os.path.join(parent, "state")
    shutil.rmtree(parent, ignore_errors=True)
    os.makedirs(parent)
    trace = os.path.join(t.dir, "durable.strace")
    port = free_port()
    proc = subprocess.Popen(
        ["strace", "-f", "-y", "-o", trace, "-e",
         "trace=mkdir,mkdirat,fsync,fdatasync", CLI, "witness", "--key",
         s["w"].key_file, "--state", state, "--listen",
         "127.0.0.1:%d" % port, "--log", s["log"].vkey],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the witness did not start under strace")
    finally:
        # the witness itself (strace's child) stops; strace follows
        kids = open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)
                    ).read().split()
        for k in kids:
            os.kill(int(k), signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    lines = open(trace).read().splitlines()
    made = [i for i, x in enumerate(lines)
            if "mkdir" in x and '"%s"' % state in x and "= 0" in x]
    assert made, "\n".join(lines)
    synced = [i for i, x in enumerate(lines)
              if "fsync(" in x and "<%s>" % os.path.realpath(parent) in x]
    assert synced and synced[-1] > made[0], (
        "the parent of a new state directory was not fsync'd",
        "\n".join(lines))


def test_concurrent_requests_cosign_one_of_a_race(t):
    """Racing requests from the same old size: the lock lets one win,
    the others see 409 (never two cosignatures from one old size)."""
    s = setup(t)
    w, log = s["w"], s["log"]
    base = len(log.leaves)
    notes = []
    for i in range(6):
        log.append("race %d" % i)
        notes.append((log.checkpoint(), log.proof(base)))
    results = [None] * len(notes)

    def go(i):
        results[i] = w.add(base, notes[i][1], notes[i][0])[0]

    threads = [threading.Thread(target=go, args=(i,))
               for i in range(len(notes))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count(200) == 1, results
    assert results.count(409) == len(notes) - 1, results
    # catch up to the log's head from whatever won
    won = base + 1 + results.index(200)
    if won != len(log.leaves):
        cosign(w, log, won)


def test_sigkill_keeps_state_and_refuses_a_conflict(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    log.append("before the crash")
    cosign(w, log, len(log.leaves) - 1)
    size = len(log.leaves)
    origin_hash = hashlib.sha256(log.origin.encode()).hexdigest()
    before = w.request("GET", "/%s/checkpoint" % origin_hash)[2]
    w.stop(signal.SIGKILL)
    w.start()
    after = w.request("GET", "/%s/checkpoint" % origin_hash)[2]
    assert before == after, (before, after)
    # the size it holds survived: 409 says so
    status, _, body = w.add(0, [], log.checkpoint())
    assert status == 409 and body == ("%d\n" % size).encode(), body
    # a conflicting checkpoint of that size is refused after the restart
    fork = Log(log.origin, key=log.key)
    fork.leaves = log.leaves[:-1] + [leaf_hash(b"another history")]
    status, _, body = w.add(size, [], fork.checkpoint())
    assert status == 422, (status, body)
    # and the real log goes on
    log.append("after the crash")
    cosign(w, log, size)


def test_split_view_is_refused_and_recorded(t):
    s = setup(t)
    w, log = s["w"], s["log"]
    size = len(log.leaves)
    # the operator forks: same key, same size, another last entry
    fork = Log(log.origin, key=log.key)
    fork.leaves = log.leaves[:-1] + [leaf_hash(b"the regulator's view")]
    forked = fork.checkpoint()
    status, _, body = w.add(size, [], forked)
    assert status == 422, (status, body)
    # and grows the fork, claiming consistency with what was cosigned
    fork.append("more of the fork")
    status, _, body = w.add(size, fork.proof(size), fork.checkpoint())
    assert status == 422, (status, body)
    status, ctype, body = w.request("GET", "/evidence")
    assert status == 200 and ctype.startswith("application/json"), ctype
    evidence = json.loads(body)
    kinds = {}
    for e in evidence:
        if e.get("origin") == log.origin:
            kinds.setdefault(e["kind"], []).append(e)
    same = [e for e in kinds.get("same_size_different_root", [])
            if e["presented"] == forked]
    assert len(same) == 1, evidence
    e = same[0]
    # the evidence holds both signed checkpoints: each verifies under
    # the log's key, with the same size and different roots
    pub = log.key.public_key()
    for note in (e["cosigned"], e["presented"]):
        body_text = note_body(note)
        first = note.split("\n\n", 1)[1].splitlines()[0]
        sig = base64.b64decode(first.split(" ")[2])
        pub.verify(sig[4:], body_text.encode())
    a, b = note_body(e["cosigned"]), note_body(e["presented"])
    assert a.split("\n")[1] == b.split("\n")[1] == str(size)
    assert a.split("\n")[2] != b.split("\n")[2]
    inconsistent = [x for x in kinds.get("inconsistent", [])
                    if x["presented"] == fork.checkpoint()]
    assert len(inconsistent) == 1, evidence
    assert inconsistent[0]["proof"] == [
        base64.b64encode(h).decode() for h in fork.proof(size)]
    assert inconsistent[0]["old_size"] == size
    # the same split view shown again is kept once
    w.add(size, [], forked)
    again = json.loads(w.request("GET", "/evidence")[2])
    assert len(again) == len(evidence), (len(again), len(evidence))
    # the CLI lists the same, and exits 1 (there is evidence)
    p = sh(CLI, "witness", "evidence", "--state", w.state, check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)
    listed = json.loads(p.stdout)
    assert [x["file"] for x in listed] == [x["file"] for x in again]
    # the real log is still cosigned
    log.append("the public's view goes on")
    cosign(w, log, size)


def test_corrupt_state_stops_the_witness(t):
    """A state file that does not read back is never taken for "never
    cosigned": the witness refuses to start."""
    s = setup(t)
    w, log = s["w"], s["log"]
    w.stop()
    origin_hash = hashlib.sha256(log.origin.encode()).hexdigest()
    path = os.path.join(w.state, "log-%s.state" % origin_hash)
    saved = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(saved.replace(b"\n%d\n" % len(log.leaves), b"\n1\n", 1))
    p = subprocess.run([CLI, "witness", "--key", w.key_file, "--state",
                        w.state, "--listen", "127.0.0.1:%d" % free_port(),
                        "--log", log.vkey], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 2 and "corrupt" in p.stderr, (p.returncode,
                                                         p.stderr)
    with open(path, "wb") as f:
        f.write(saved)
    w.start()
    cosign(w, log, len(log.leaves))


def test_witnesses_the_registrys_own_log(t):
    """The same witness on modelfacts' log: its checkpoints (from
    /v1/log/checkpoint, key from /v1/registry) and consistency proofs
    (/v1/log/proof/consistency) are what add-checkpoint takes."""
    setup(t)
    reg = mf.Registry(t.server)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    vkey = t.server.get("/v1/registry").json()["log_public_key"]
    w = Witness(os.path.join(t.dir, "w-registry"), "witness.test/reg",
                [vkey])
    t.servers.append(w)
    w.start()
    old = 0
    head = None
    for round_ in range(2):
        for _ in range(2):
            doc = mf.disclosure("acme", "acme-7b", reg.next_seq("acme"),
                                supersedes=head)
            r = reg.submit(mf.envelope(doc, [key]))
            assert r.status == 201, r
            head = "sha256:" + r.json()["payload_sha256"]
        note = t.server.get("/v1/log/checkpoint").body.decode()
        size = int(note.split("\n")[1])
        proof = []
        if old:
            r = t.server.get("/v1/log/proof/consistency?from=%d&to=%d"
                             % (old, size))
            assert r.status == 200, r
            proof = mf.proof_hashes(r.json())
        status, _, body = w.add(old, proof, note)
        assert status == 200, (round_, status, body)
        verify_cosignature(w.vkey, note_body(note), body.decode(),
                           now=time.time())
        old = size
