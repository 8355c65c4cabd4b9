"""Key rotation (issue 16): `modelfacts admin rotate-commit-key` and
`admin rotate-log-key --begin/--finish` mid-run. Old and new commits verify
with stock `git verify-commit` against /v1/registry/allowed_signers (the
old key with valid-before, the new with valid-after), and each only under
its own key; checkpoints before, during and after the overlap verify with
the right keys, by `modelfacts verify-log` and by an independent Ed25519
check (python3-cryptography, else openssl pkeyutl)."""
import base64
import hashlib
import os
import re
import subprocess

import mf
from harness import ROOT, Server, sh

S = {}
CLI = os.path.join(ROOT, "bin", "modelfacts")


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    S.update(reg=reg, key=key, head=None, cps={}, commits={},
             state=t.server.state_dir)
    return S


def submit(t, n):
    s = S
    for _ in range(n):
        doc = mf.disclosure("acme", "m", s["reg"].next_seq("acme"),
                            supersedes=s["head"],
                            name="disclosure-sparse.json")
        r = t.server.post("/v1/submissions",
                          body=mf.envelope(doc, [s["key"]]))
        assert r.status == 201, r
        s["head"] = "sha256:" + r.json()["payload_sha256"]
    wait_published(t)
    return t.server.get("/v1/log/checkpoint").body.decode()


def wait_published(t):
    import time
    deadline = time.time() + 30
    while True:
        n, p = t.sql("SELECT (SELECT count(*) FROM submissions"
                     " WHERE log_index IS NOT NULL),"
                     " (SELECT count(*) FROM publications)")[0]
        if n == p:
            return
        assert time.time() < deadline
        time.sleep(0.1)


def follow(t, name):
    return sh(CLI, "verify-log", "follow", "--registry", t.server.url,
              "--state", os.path.join(t.dir, name + ".json"), check=False)


def admin(t, *args):
    return sh(CLI, "admin", *args, "--database-url", t.db_url,
              "--state-dir", S["state"], check=False)


def verify_cli(t, note, vkey):
    path = os.path.join(t.dir, "cp.txt")
    with open(path, "w") as f:
        f.write(note)
    return sh(CLI, "verify-log", "checkpoint", "--key", vkey, path,
              check=False).returncode


def verify_independent(note, vkey):
    """True when a signature line of note is vkey's and verifies: C2SP
    signed-note, written here from the spec."""
    name, hexhash, material = vkey.split("+", 2)
    raw = base64.b64decode(material)
    assert raw[0] == 1 and len(raw) == 33
    pub = raw[1:]
    want = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert want.hex() == hexhash
    text, sigs = note.split("\n\n", 1)
    text = (text + "\n").encode()
    for line in sigs.splitlines():
        m = re.match("^\u2014 (\\S+) (\\S+)$", line)
        assert m, line
        blob = base64.b64decode(m.group(2))
        if m.group(1) != name or blob[:4] != want:
            continue
        return ed25519_ok(pub, blob[4:], text)
    return False


def ed25519_ok(pub, sig, msg):
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import \
            Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
        try:
            Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
            return True
        except InvalidSignature:
            return False
    except ImportError:
        d = "/tmp/mf-ed25519-%d" % os.getpid()
        os.makedirs(d, exist_ok=True)
        der = bytes.fromhex("302a300506032b6570032100") + pub
        for n, b in (("k.der", der), ("s.bin", sig), ("m.bin", msg)):
            open(os.path.join(d, n), "wb").write(b)
        return subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
             "-inkey", os.path.join(d, "k.der"), "-rawin", "-in",
             os.path.join(d, "m.bin"), "-sigfile",
             os.path.join(d, "s.bin")], capture_output=True).returncode == 0


def commits(t):
    repo = os.path.join(S["state"], "labels.git")
    return repo, sh("git", "--git-dir", repo, "rev-list", "--reverse",
                    "refs/heads/main").stdout.split()


def verify_commit(t, repo, c, signers_text):
    path = os.path.join(t.dir, "signers")
    with open(path, "w") as f:
        f.write(signers_text)
    return sh("git", "--git-dir", repo, "-c",
              f"gpg.ssh.allowedSignersFile={path}", "verify-commit", c,
              check=False).returncode == 0


def test_rotations_refused_while_a_server_runs(t):
    setup(t)
    S["cps"]["before"] = submit(t, 3)
    S["k1"] = t.server.get("/v1/registry").json()["log_public_key"]
    S["c1"] = t.server.get("/v1/registry").json()["commit_signing_key"]
    S["commits"]["before"] = commits(t)[1]
    # two clients pin the first log key
    for name in ("steady", "absent"):
        r = follow(t, name)
        assert r.returncode == 0 and "first use" in r.stderr, r
    for args in (("rotate-commit-key",), ("rotate-log-key", "--begin")):
        r = admin(t, *args)
        assert r.returncode == 2 and "stop it first" in r.stderr, r
    # finishing a rotation that never began is refused too
    t.server.stop()
    r = admin(t, "rotate-log-key", "--finish")
    assert r.returncode == 2 and "--begin one" in r.stderr, r


def test_rotate_both_mid_run(t):
    s = setup(t)
    # 1. Rotate the commit key and begin the log key's overlap.
    r = admin(t, "rotate-commit-key")
    assert r.returncode == 0, r.stderr
    r = admin(t, "rotate-log-key", "--begin")
    assert r.returncode == 0, r.stderr
    r = admin(t, "rotate-log-key", "--begin")
    assert r.returncode == 2 and "under way" in r.stderr, r
    reg = t.server.get("/v1/registry").json()
    assert reg["log_public_key"] == s["k1"]
    keys = reg["log_public_keys"]
    assert [k["status"] for k in keys] == ["current", "next"], keys
    s["k2"] = keys[1]["public_key"]
    assert reg["commit_signing_key"] != s["c1"]
    s["c2"] = reg["commit_signing_key"]
    s["cps"]["during"] = submit(t, 3)
    # a client that follows during the overlap moves its pin
    r = follow(t, "steady")
    assert r.returncode == 0 and f"moves to {s['k2']}" in r.stdout, r
    # 2. Finish the overlap.
    t.server.stop()
    r = admin(t, "rotate-log-key", "--finish")
    assert r.returncode == 0, r.stderr
    reg = t.server.get("/v1/registry").json()
    assert reg["log_public_key"] == s["k2"]
    assert [(k["public_key"], k["status"]) for k in
            reg["log_public_keys"]] == [(s["k2"], "current"),
                                        (s["k1"], "retired")]
    s["cps"]["after"] = submit(t, 3)
    # it keeps following; one that slept through the overlap cannot
    r = follow(t, "steady")
    assert r.returncode == 0 and "without rewriting" in r.stdout, r
    r = follow(t, "absent")
    assert r.returncode == 1, r


def test_checkpoints_verify_with_the_right_keys(t):
    s = setup(t)
    k1, k2 = s["k1"], s["k2"]
    want = {"before": (True, False), "during": (True, True),
            "after": (False, True)}
    for phase, (by1, by2) in want.items():
        note = s["cps"][phase]
        assert note.count("\n\u2014 ") == by1 + by2, (phase, note)
        for k, expect in ((k1, by1), (k2, by2)):
            assert (verify_cli(t, note, k) == 0) == expect, (phase, k)
            assert verify_independent(note, k) == expect, (phase, k)
    # the chain of trust: before -> during under the old key, during ->
    # after under the new one
    def size(note):
        return int(note.split("\n")[1])
    for old, new, key in (("before", "during", k1), ("during", "after", k2)):
        a, b = size(s["cps"][old]), size(s["cps"][new])
        paths = []
        for name, body in ((old, s["cps"][old]), (new, s["cps"][new])):
            p = os.path.join(t.dir, name + ".cp")
            open(p, "w").write(body)
            paths.append(p)
        proof = os.path.join(t.dir, "proof.json")
        open(proof, "wb").write(t.server.get(
            f"/v1/log/proof/consistency?from={a}&to={b}").body)
        r = sh(CLI, "verify-log", "consistency", "--key", key, "--old",
               paths[0], "--new", paths[1], "--proof", proof, check=False)
        assert r.returncode == 0, (old, new, r.stdout, r.stderr)


def test_old_and_new_commits_verify_with_stock_git(t):
    s = setup(t)
    repo, all_commits = commits(t)
    before = s["commits"]["before"]
    assert all_commits[:len(before)] == before and len(all_commits) > \
        len(before)
    signers = t.server.get("/v1/registry/allowed_signers").body.decode()
    lines = signers.splitlines()
    assert len(lines) == 2, signers
    assert "valid-before=" in lines[0] and "valid-after=" in lines[1]
    part = lambda k: " ".join(k.split()[:2])  # noqa: E731
    assert lines[0].endswith(part(s["c1"]))
    assert lines[1].endswith(part(s["c2"]))
    # every commit verifies with what the registry serves
    for c in all_commits:
        assert verify_commit(t, repo, c, signers), c
    path = os.path.join(t.dir, "signers")
    with open(path, "w") as f:
        f.write(signers)
    shown = sh("git", "--git-dir", repo, "-c",
               f"gpg.ssh.allowedSignersFile={path}", "log",
               "--show-signature", "refs/heads/main").stdout
    assert shown.count('Good "git" signature') == len(all_commits), shown
    # and each only under its own key
    old_only = f'{lines[0].split()[0]} namespaces="git" {part(s["c1"])}\n'
    new_only = f'{lines[0].split()[0]} namespaces="git" {part(s["c2"])}\n'
    for c in all_commits:
        old = c in before
        assert verify_commit(t, repo, c, old_only) == old, c
        assert verify_commit(t, repo, c, new_only) == (not old), c
    # the new key outside its window does not verify an old commit: a
    # window that ends before the first commit
    early = (f'{lines[0].split()[0]} namespaces="git",'
             f'valid-before="20000101000000Z" {part(s["c1"])}\n')
    assert not verify_commit(t, repo, before[0], early)
    sh("git", "--git-dir", repo, "fsck", "--strict")


def test_unannounced_cosigner_is_refused_at_start(t):
    setup(t)
    t.server.stop()
    path = os.path.join(S["state"], "log.key")
    orig = open(path).read()
    # a second line that the database does not record as the next key:
    # another registry's log key
    srv = t.new_server(name="other-state",
                       db_url=t.cluster.createdb("t_key_rotation_other"))
    srv.stop()
    extra = open(os.path.join(srv.state_dir, "log.key")).read().strip()
    try:
        with open(path, "w") as f:
            f.write(orig.strip() + "\n" + extra + "\n")
        bad = Server(t.db_url, S["state"])
        bad.start(wait=False)
        rc = bad.proc.wait(15)
        bad.log.close()
        assert rc != 0
        assert "does not record as the next log key" in bad.tail(), \
            bad.tail()
    finally:
        with open(path, "w") as f:
            f.write(orig)
    # with its own key file back it starts and serves
    assert t.server.get("/v1/registry").status == 200


def test_second_rotation_then_backup_and_restore(t):
    """A second rotation of each key (windows chain: three allowed
    signers), then a backup taken during the log key's overlap restores
    into a registry that keeps co-signing and verifying."""
    s = setup(t)
    t.server.stop()
    r = admin(t, "rotate-commit-key")
    assert r.returncode == 0, r.stderr
    r = admin(t, "rotate-log-key", "--begin")
    assert r.returncode == 0, r.stderr
    reg = t.server.get("/v1/registry").json()
    k3 = [k["public_key"] for k in reg["log_public_keys"]
          if k["status"] == "next"][0]
    # the current key first, then the others oldest first
    assert [(k["public_key"], k["status"]) for k in
            reg["log_public_keys"]] == [(s["k2"], "current"),
                                        (s["k1"], "retired"), (k3, "next")]
    submit(t, 2)
    signers = t.server.get("/v1/registry/allowed_signers").body.decode()
    lines = signers.splitlines()
    assert len(lines) == 3, signers
    assert "valid-after=" in lines[1] and "valid-before=" in lines[1]
    repo, all_commits = commits(t)
    for c in all_commits:
        assert verify_commit(t, repo, c, signers), c
    # backed up during the overlap, restored beside it
    passf = os.path.join(t.dir, "pass")
    with open(passf, "w") as f:
        f.write("rotation backup passphrase\n")
    dest = os.path.join(t.dir, "backup")
    r = sh(CLI, "admin", "backup", dest, "--passphrase-file", passf,
           "--database-url", t.db_url, "--state-dir", S["state"],
           check=False)
    assert r.returncode == 0, r.stderr
    url = t.cluster.createdb("t_key_rotation_restored")
    state = os.path.join(t.dir, "restored-state")
    r = sh(CLI, "admin", "restore", dest, "--passphrase-file", passf,
           "--database-url", url, "--state-dir", state, check=False)
    assert r.returncode == 0, r.stderr
    t.server.stop()
    srv = t.new_server(name="restored-state", db_url=url)
    assert srv.get("/v1/registry").json()["log_public_keys"] == \
        reg["log_public_keys"]
    doc = mf.disclosure("acme", "m", s["reg"].next_seq("acme"),
                        supersedes=s["head"], name="disclosure-sparse.json")
    r = srv.post("/v1/submissions", body=mf.envelope(doc, [s["key"]]))
    assert r.status == 201, r
    note = r.json()["checkpoint"]
    assert verify_independent(note, s["k2"]) and verify_independent(note,
                                                                     k3)
    assert not verify_independent(note, s["k1"])
    srv.stop()
