"""Backups (issue 16): `modelfacts admin backup` of a running registry,
`admin restore` into a FRESH PostgreSQL cluster, a server started on the
restored state; then the log (every checkpoint consistent with the final
one, by `modelfacts verify-log consistency`), the git history (git fsck,
every commit verified by stock `git verify-commit` with the registry's
allowed signers) and new submissions continuing the same log. Tampered
backups, a wrong passphrase and non-empty targets are refused with exit 1
or 2 and change nothing."""
import json
import os
import shutil
import threading
import time

import mf
from harness import ROOT, Cluster, sh

S = {}
CLI = os.path.join(ROOT, "bin", "modelfacts")
PASS = "correct horse battery staple"


def wait_published(sql, timeout=30):
    deadline = time.time() + timeout
    while True:
        n, p = sql("SELECT (SELECT count(*) FROM submissions"
                   " WHERE log_index IS NOT NULL),"
                   " (SELECT count(*) FROM publications)")[0]
        if n == p:
            return int(n)
        assert time.time() < deadline, f"published {p} of {n}"
        time.sleep(0.1)


def submit_some(reg, key, org, n, heads):
    out = []
    for i in range(n):
        model = f"m{i % 3}"
        doc = mf.disclosure(org, model, reg.next_seq(org),
                            supersedes=heads.get(model),
                            name="disclosure-sparse.json")
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        heads[model] = "sha256:" + r.json()["payload_sha256"]
        out.append(r.json())
    return out


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    S.update(reg=reg, key=key, heads={})
    submit_some(reg, key, "acme", 7, S["heads"])
    S["n"] = wait_published(t.sql)
    S["pass"] = os.path.join(t.dir, "pass")
    with open(S["pass"], "w") as f:
        f.write(PASS + "\n")
    S["vkey"] = t.server.get("/v1/registry").json()["log_public_key"]
    return S


def backup(t, dest):
    shutil.rmtree(dest, ignore_errors=True)
    return sh(CLI, "admin", "backup", dest, "--passphrase-file", S["pass"],
              "--database-url", t.db_url, "--state-dir", t.server.state_dir,
              check=False)


def restore(dest, url, state, passfile=None):
    return sh(CLI, "admin", "restore", dest, "--passphrase-file",
              passfile or S["pass"], "--database-url", url, "--state-dir",
              state, check=False)


def test_backup_writes_a_manifest_of_one_snapshot(t):
    s = setup(t)
    dest = os.path.join(t.dir, "backup")
    r = backup(t, dest)
    assert r.returncode == 0, r.stderr
    m = json.load(open(os.path.join(dest, "manifest.json")))
    assert m["format"] == "modelfacts-backup/1"
    assert m["origin"] == mf.ORIGIN
    size, root = t.sql("SELECT tree_size, encode(root_hash, 'base64')"
                       " FROM checkpoints ORDER BY tree_size DESC"
                       " LIMIT 1")[0]
    assert m["log"]["size"] == int(size) == s["n"]
    assert m["log"]["root"] == root
    assert m["log"]["verifier_key"] == s["vkey"]
    assert m["git"]["log_index"] == s["n"] - 1
    names = {f["name"] for f in m["files"]}
    assert names == {"database.dump", "labels.bundle", "log.key.sealed",
                     "commit.key.sealed", "admin.token.sealed"}, names
    for f in m["files"]:
        p = os.path.join(dest, f["name"])
        assert os.path.getsize(p) == f["size"]
        assert sh("sha256sum", p).stdout.split()[0] == f["sha256"]
    # the keys are not in the backup in the clear
    for k in ("log.key", "commit.key", "admin.token"):
        secret = open(os.path.join(t.server.state_dir, k), "rb").read()
        sealed = open(os.path.join(dest, k + ".sealed"), "rb").read()
        assert secret.strip() not in sealed
        assert sealed.startswith(b"MFSEAL1\n")
    # a stock pg_restore reads the dump
    assert "TABLE DATA public submissions" in sh(
        "pg_restore", "--list", os.path.join(dest, "database.dump")).stdout
    S["backup"] = dest


def fresh_target(t, name):
    """A database in the second, fresh cluster and a state directory."""
    url = S["cluster2"].createdb(name)
    state = os.path.join(t.dir, name + "-state")
    shutil.rmtree(state, ignore_errors=True)
    return url, state


def test_tampered_backups_are_refused_and_change_nothing(t):
    setup(t)
    c2 = Cluster(os.path.join(t.dir, "pg2"))
    c2.start()
    S["cluster2"] = c2

    def tables(db):
        return int(c2.psql(db, "SELECT count(*) FROM pg_tables"
                               " WHERE schemaname = 'public'")[0][0])

    def tampered(name, edit):
        d = os.path.join(t.dir, "tampered-" + name.replace(".", "-"))
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(S["backup"], d)
        p = os.path.join(d, name)
        data = bytearray(open(p, "rb").read())
        edit(data)
        with open(p, "wb") as f:
            f.write(bytes(data))
        return d

    def flip(data):
        data[len(data) // 2] ^= 0x01

    url, state = fresh_target(t, "tamper")
    for name in ("database.dump", "labels.bundle", "commit.key.sealed"):
        r = restore(tampered(name, flip), url, state)
        assert r.returncode == 1, (name, r)
        assert f"{name} does not match the manifest" in r.stderr, r.stderr
        assert "nothing was changed" in r.stderr
    # the manifest itself edited: its sealed digest no longer matches
    def fewer(data):
        m = json.loads(bytes(data))
        m["log"]["size"] -= 1
        data[:] = json.dumps(m).encode()
    r = restore(tampered("manifest.json", fewer), url, state)
    assert r.returncode == 1 and "manifest.json was changed" in r.stderr, r
    # a wrong passphrase
    wrong = os.path.join(t.dir, "wrong-pass")
    with open(wrong, "w") as f:
        f.write("not the passphrase\n")
    r = restore(S["backup"], url, state, passfile=wrong)
    assert r.returncode == 1 and "passphrase" in r.stderr, r
    # nothing was changed by any of them
    assert tables("tamper") == 0
    assert not os.path.exists(state)
    # a database that is not empty is refused before anything is written
    c2.psql("tamper", "CREATE TABLE t (x int)")
    r = restore(S["backup"], url, state)
    assert r.returncode == 2 and "not empty" in r.stderr, r
    assert not os.path.exists(os.path.join(state, "log.key"))


def test_restore_into_a_fresh_cluster_verifies_and_continues(t):
    s = setup(t)
    url, state = fresh_target(t, "restored")
    r = restore(S["backup"], url, state)
    assert r.returncode == 0, r.stderr
    for k in ("log.key", "commit.key", "admin.token"):
        p = os.path.join(state, k)
        assert os.stat(p).st_mode & 0o777 == 0o600, k
        assert open(p, "rb").read() == open(
            os.path.join(t.server.state_dir, k), "rb").read()
    # restoring twice is refused: the keys are there now
    again = restore(S["backup"], url, state)
    assert again.returncode == 2 and "exists" in again.stderr, again
    # the original keeps going; the restored registry is the backup's
    t.server.stop()
    srv = t.new_server(name="restored-state", db_url=url)
    assert srv.state_dir == state
    reg = srv.get("/v1/registry").json()
    assert reg["log_public_key"] == s["vkey"]
    final = srv.get("/v1/log/checkpoint").body.decode()
    n = int(final.split("\n")[1])
    assert n == s["n"]
    # every checkpoint of the restored log is consistent with the final
    # one, by the CLI's verify-log
    sizes = [int(x[0]) for x in S["cluster2"].psql(
        "restored", "SELECT tree_size FROM checkpoints ORDER BY 1")]
    assert sizes and sizes[-1] == n
    new_path = os.path.join(t.dir, "final.cp")
    open(new_path, "w").write(final)
    assert len(sizes) >= 2, sizes
    for size in sizes[:-1]:
        old = srv.get(f"/v1/log/checkpoints/{size}")
        assert old.status == 200, old
        old_path = os.path.join(t.dir, f"cp-{size}")
        open(old_path, "wb").write(old.body)
        p = srv.get(f"/v1/log/proof/consistency?from={size}&to={n}")
        proof_path = os.path.join(t.dir, f"proof-{size}.json")
        open(proof_path, "wb").write(p.body)
        sh(CLI, "verify-log", "consistency", "--key", s["vkey"], "--old",
           old_path, "--new", new_path, "--proof", proof_path)
    # the history: fsck, and every commit verified by stock git
    git_dir = os.path.join(state, "labels.git")
    sh("git", "--git-dir", git_dir, "fsck", "--full", "--strict")
    signers = os.path.join(t.dir, "allowed_signers")
    open(signers, "wb").write(srv.get("/v1/registry/allowed_signers").body)

    def verify_all(expect):
        commits = sh("git", "--git-dir", git_dir, "rev-list",
                     "refs/heads/main").stdout.split()
        assert len(commits) == expect, (len(commits), expect)
        for c in commits:
            sh("git", "--git-dir", git_dir, "-c",
               f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", c)
    verify_all(n)
    # new submissions continue the same log, and the history
    reg2 = mf.Registry(srv)
    reg2.seqs = dict(s["reg"].seqs)
    more = submit_some(reg2, s["key"], "acme", 3, dict(s["heads"]))
    assert [b["log_index"] for b in more] == [n, n + 1, n + 2]
    old_path = os.path.join(t.dir, "manifest.cp")
    m = json.load(open(os.path.join(S["backup"], "manifest.json")))
    open(old_path, "w").write(m["log"]["checkpoint"])
    final = srv.get("/v1/log/checkpoint").body
    open(new_path, "wb").write(final)
    n2 = int(final.split(b"\n")[1])
    assert n2 == n + 3
    p = srv.get(f"/v1/log/proof/consistency?from={n}&to={n2}")
    open(proof_path, "wb").write(p.body)
    sh(CLI, "verify-log", "consistency", "--key", s["vkey"], "--old",
       old_path, "--new", new_path, "--proof", proof_path)
    wait_published(lambda q: S["cluster2"].psql("restored", q))
    sh("git", "--git-dir", git_dir, "fsck", "--full", "--strict")
    verify_all(n + 3)
    srv.stop()
    S["srv_state"] = state


def test_backup_sealed_to_a_recipient_key(t):
    """--recipient: the secrets sealed to an X25519 public key (openssl
    genpkey); restore needs its private key (--identity)."""
    setup(t)
    keys = {}
    for name in ("ops", "other"):
        priv = os.path.join(t.dir, name + ".pem")
        sh("openssl", "genpkey", "-algorithm", "X25519", "-out", priv)
        pub = os.path.join(t.dir, name + ".pub")
        sh("openssl", "pkey", "-in", priv, "-pubout", "-out", pub)
        keys[name] = (priv, pub)
    dest = os.path.join(t.dir, "backup-recipient")
    shutil.rmtree(dest, ignore_errors=True)
    r = sh(CLI, "admin", "backup", dest, "--recipient", keys["ops"][1],
           "--database-url", t.db_url, "--state-dir", t.server.state_dir,
           check=False)
    assert r.returncode == 0, r.stderr
    sealed = open(os.path.join(dest, "log.key.sealed"), "rb").read()
    assert sealed[:9] == b"MFSEAL1\n\x02", sealed[:9]
    url, state = fresh_target(t, "recipient")

    def restore_with(*how):
        return sh(CLI, "admin", "restore", dest, *how, "--database-url",
                  url, "--state-dir", state, check=False)
    r = restore_with("--passphrase-file", S["pass"])
    assert r.returncode == 1 and "sealed to a recipient key" in r.stderr, r
    r = restore_with("--identity", keys["other"][0])
    assert r.returncode == 1 and "does not open" in r.stderr, r
    assert not os.path.exists(state)
    r = restore_with("--identity", keys["ops"][0])
    assert r.returncode == 0, r.stderr
    for k in ("log.key", "commit.key", "admin.token"):
        assert open(os.path.join(state, k), "rb").read() == open(
            os.path.join(t.server.state_dir, k), "rb").read()


def test_backup_under_load_is_one_snapshot(t):
    """Submissions keep coming while the backup runs: the manifest's
    checkpoint is the dump's own (restore checks it), the bundle is at or
    behind it, and a server on the restore publishes the rest."""
    s = setup(t)
    try:
        srv = t.server
        reg = mf.Registry(srv)
        reg.seqs = dict(s["reg"].seqs)
        stop = threading.Event()
        done = []

        def load():
            while not stop.is_set() and len(done) < 60:
                done.extend(submit_some(reg, s["key"], "acme", 1,
                                        s["heads"]))
        th = threading.Thread(target=load)
        th.start()
        while len(done) < 3:
            time.sleep(0.02)
        dest = os.path.join(t.dir, "backup-load")
        r = backup(t, dest)
        stop.set()
        th.join()
        s["reg"].seqs = reg.seqs
        assert r.returncode == 0, r.stderr
        m = json.load(open(os.path.join(dest, "manifest.json")))
        assert m["git"]["log_index"] < m["log"]["size"], m
        url, state = fresh_target(t, "underload")
        r = restore(dest, url, state)
        assert r.returncode == 0, r.stderr
        srv2 = t.new_server(name="underload-state", db_url=url)
        size = m["log"]["size"]
        cp = srv2.get(f"/v1/log/checkpoints/{size}")
        assert cp.status == 200 and cp.body.decode() == m["log"]["checkpoint"]
        # the dump may hold submissions committed but not yet sequenced
        # (not yet acknowledged either): the restored sequencer gives them
        # the next indices. Its publications already name commits past
        # the bundle's head: wait for the repository itself to reach the
        # log's final size.
        git_dir = os.path.join(state, "labels.git")
        total = int(S["cluster2"].psql("underload", "SELECT count(*)"
                                       " FROM submissions")[0][0])
        assert total >= size
        deadline = time.time() + 30
        while True:
            log = sh("git", "--git-dir", git_dir, "log", "--format=%(trailers"
                     ":key=Log-Index,valueonly,separator=)",
                     "refs/heads/main").stdout.split()
            if len(log) >= total or time.time() > deadline:
                break
            time.sleep(0.1)
        size = total
        assert [int(i) for i in reversed(log)] == list(range(size))
        # commits are a function of the log: the ones the dump recorded
        # past the bundle are the very ones the restored publisher wrote
        ids = sh("git", "--git-dir", git_dir, "rev-list", "--reverse",
                 "refs/heads/main").stdout.split()
        db = dict(S["cluster2"].psql("underload", "SELECT log_index,"
                                     " commit_id FROM publications"))
        assert {str(i): c for i, c in enumerate(ids)} == db
        sh("git", "--git-dir", git_dir, "fsck", "--full", "--strict")
        print(f"   backup under load: {len(done)} submissions during it,"
              f" log size {size} in the dump, git at index"
              f" {m['git']['log_index']} in the bundle")
        srv2.stop()
    finally:
        S["cluster2"].stop()
