"""The tamper-evident log (issue 5): checkpoints verified by openssl and by
Go's sumdb/note, 16 concurrent clients, 1,000+ entries with proofs between
sampled sizes checked by an independent RFC 9162 implementation, tampering
detected, and `verify-log follow` catching a forked log."""
import base64
import hashlib
import json
import os
import random
import shutil
import threading

import mf
from harness import ROOT, SHARED, Skip, sh

S = {}
CLI = os.path.join(ROOT, "bin", "modelfacts")


def setup(t):
    if not S:
        S["reg"] = mf.Registry(t.server)
        S["key"] = t.server.get("/v1/registry").json()["log_public_key"]
        S["orgs"] = []
        S["responses"] = []
    return S


def make_org(t, i):
    s = setup(t)
    key = mf.Key(t.dir, f"org{i}", "ed25519")
    s["reg"].create_org(f"org{i}", "developer", key)
    return key


def publish_chain(t, org, key, n, out):
    """n versions of org/chain, in order; appends each 201 to out."""
    reg = S["reg"]
    head = None
    for _ in range(n):
        doc = mf.disclosure(org, "chain", reg.next_seq(org), supersedes=head,
                            name="disclosure-sparse.json")
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        body = r.json()
        head = "sha256:" + body["payload_sha256"]
        out.append(body)


def check_receipt(body):
    """The 201's own proof leads to the root of the checkpoint it carries."""
    origin, size, root, _, _ = mf.parse_checkpoint(body["checkpoint"])
    assert origin == mf.ORIGIN
    assert body["log_index"] < size
    lh = mf.leaf_hash(body["leaf"].encode())
    assert base64.b64decode(body["leaf_hash"]) == lh
    assert "payload-sha256 " + body["payload_sha256"] in body["leaf"]
    p = body["inclusion_proof"]
    assert p["index"] == body["log_index"] and p["tree_size"] == size
    assert mf.verify_inclusion(body["log_index"], size, lh,
                               mf.proof_hashes(p), root), body["log_index"]


def test_sixteen_concurrent_clients(t):
    s = setup(t)
    keys = [make_org(t, i) for i in range(16)]
    results = [[] for _ in range(16)]
    errors = []

    def client(i):
        try:
            publish_chain(t, f"org{i}", keys[i], 25, results[i])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors[:3]
    bodies = [b for r in results for b in r]
    assert len(bodies) == 400
    for b in bodies:
        check_receipt(b)
    s["responses"].extend(bodies)
    rows = t.sql("SELECT count(*), count(DISTINCT log_index), min(log_index),"
                 " max(log_index), count(*) FILTER (WHERE log_index IS NULL)"
                 " FROM submissions")[0]
    n = int(rows[0])
    assert rows == [str(n), str(n), "0", str(n - 1), "0"], rows
    # every accepted submission appears exactly once, at its own index
    got = {b["log_index"]: b["payload_sha256"] for b in bodies}
    assert len(got) == 400
    for idx, sha in random.Random(1).sample(sorted(got.items()), 40):
        e = t.server.get(f"/v1/log/entries/{idx}").json()
        assert "payload-sha256 " + sha in e["leaf"]


def test_a_server_that_does_not_sequence_hears_by_notification(t):
    """A second process with --no-publisher (same database, same keys)
    answers 201 once the first one's sequencer has the entry: with no
    handover in its process it learns that from the database (NOTIFY and
    a query) and proves inclusion from the stored nodes."""
    s = setup(t)
    key = make_org(t, 90)
    other = os.path.join(t.dir, "follower")
    os.makedirs(other, exist_ok=True)
    for f in ("admin.token", "log.key", "commit.key"):
        shutil.copy(os.path.join(t.server.state_dir, f), other)
        os.chmod(os.path.join(other, f), 0o600)
    follower = t.new_server(args=["--no-publisher"], name="follower")
    try:
        reg = mf.Registry(follower)
        head, bodies = None, []
        for _ in range(5):
            doc = mf.disclosure("org90", "relay", s["reg"].next_seq("org90"),
                                supersedes=head, name="disclosure-sparse.json")
            r = reg.submit(mf.envelope(doc, [key]))
            assert r.status == 201, r
            body = r.json()
            check_receipt(body)
            head = "sha256:" + body["payload_sha256"]
            bodies.append(body)
        assert "log sequencer" not in open(follower.log_path).read()
        assert len({b["log_index"] for b in bodies}) == 5
    finally:
        follower.stop()


def test_checkpoint_verifies_with_openssl(t):
    s = setup(t)
    note = t.server.get("/v1/log/checkpoint").body.decode()
    _, _, _, text, sigs = mf.parse_checkpoint(note)
    name, keyhash, b64key = s["key"].split("+", 2)
    raw = base64.b64decode(b64key)
    assert raw[0] == 1 and len(raw) == 33
    # the key hash of the signed-note spec, recomputed here
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() \
        == keyhash
    (sname, sig), = sigs
    assert sname == name and sig[:4].hex() == keyhash
    pem = os.path.join(t.dir, "logkey.pem")
    with open(pem, "w") as f:
        f.write("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(
            bytes.fromhex("302a300506032b6570032100") + raw[1:]).decode()
            + "\n-----END PUBLIC KEY-----\n")
    for path, data in (("note.txt", text), ("note.sig", sig[4:])):
        with open(os.path.join(t.dir, path), "wb") as f:
            f.write(data)
    p = sh("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin",
           "-in", os.path.join(t.dir, "note.txt"), "-sigfile",
           os.path.join(t.dir, "note.sig"), check=False)
    assert p.returncode == 0 and "Verified Successfully" in p.stdout, p
    with open(os.path.join(t.dir, "note.txt"), "ab") as f:
        f.write(b"x")
    p = sh("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin",
           "-in", os.path.join(t.dir, "note.txt"), "-sigfile",
           os.path.join(t.dir, "note.sig"), check=False)
    assert p.returncode != 0


def test_checkpoint_verifies_with_go_sumdb_note(t):
    s = setup(t)
    if shutil.which("go") is None or not os.path.isdir(
            "/usr/share/gocode/src/golang.org/x/mod/sumdb/note"):
        raise Skip("go or golang-golang-x-mod-dev is not installed")
    exe = os.path.join(t.dir, "noteverify")
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
               GOFLAGS="", GOCACHE=os.path.join(t.dir, "gocache"))
    sh("go", "build", "-o", exe, os.path.join(ROOT, "tests", "tools",
                                              "noteverify", "main.go"),
       env=env)
    path = os.path.join(t.dir, "checkpoint")
    with open(path, "wb") as f:
        f.write(t.server.get("/v1/log/checkpoint").body)
    p = sh(exe, s["key"], path, check=False)
    assert p.returncode == 0, p
    with open(path, "r+b") as f:  # one changed byte in the root
        data = bytearray(f.read())
        data[data.index(b"\n", data.index(b"\n") + 1) + 3] ^= 1
        f.seek(0)
        f.write(data)
    assert sh(exe, s["key"], path, check=False).returncode == 1


def all_leaves(t, n):
    return [mf.leaf_hash(t.server.get(f"/v1/log/entries/{i}").json()[
        "leaf"].encode()) for i in range(n)]


def test_a_thousand_entries_and_proofs_between_sampled_sizes(t):
    s = setup(t)
    have = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    need = max(0, 1000 - have)
    keys = [make_org(t, 100 + i) for i in range(8)]
    per = (need + 7) // 8
    out = [[] for _ in range(8)]
    threads = [threading.Thread(target=publish_chain,
                                args=(t, f"org{100 + i}", keys[i], per,
                                      out[i])) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    size = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    assert size >= 1000
    leaves = all_leaves(t, size)
    s["leaves"] = leaves
    rnd = random.Random(7)
    sizes = sorted(set([1, 2, 3, 4, 7, 8, 9, 255, 256, 257, 511, 512, 513,
                        999, 1000, size] + rnd.sample(range(1, size + 1),
                                                      24)))
    roots = {n: mf.mth(leaves[:n]) for n in sizes}
    # every stored checkpoint's root is the true root at its size
    for (cps,) in t.sql("SELECT tree_size FROM checkpoints WHERE tree_size"
                        " > 0 ORDER BY random() LIMIT 30"):
        note = t.server.get(f"/v1/log/checkpoints/{cps}").body.decode()
        _, n, root, _, _ = mf.parse_checkpoint(note)
        assert n == int(cps) and root == mf.mth(leaves[:n]), cps
    pairs = 0
    for a in sizes:
        for b in sizes:
            if a > b:
                continue
            r = t.server.get(f"/v1/log/proof/consistency?from={a}&to={b}")
            assert r.status == 200, r
            assert mf.verify_consistency(a, b, mf.proof_hashes(r.json()),
                                         roots[a], roots[b]), (a, b)
            pairs += 1
    print(f"   # {pairs} consistency proofs verified over {len(sizes)} sizes")
    for n in sizes:
        for i in rnd.sample(range(n), min(n, 5)):
            p = t.server.get(f"/v1/log/proof/inclusion?index={i}&size={n}")
            assert mf.verify_inclusion(i, n, leaves[i],
                                       mf.proof_hashes(p.json()),
                                       roots[n]), (i, n)


def test_bad_proof_parameters_are_400(t):
    size = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    for q in (f"inclusion?index={size}&size={size}", "inclusion?size=3",
              "inclusion?index=-1", "inclusion?index=x",
              f"inclusion?index=0&size={size + 1}",
              "consistency?from=0&to=3", "consistency?from=5&to=3",
              f"consistency?from=1&to={size + 1}"):
        r = t.server.get("/v1/log/proof/" + q)
        assert r.status == 400, (q, r)
        assert r.json()["error"]["code"] == "invalid_parameter"
    assert t.server.get(f"/v1/log/entries/{size + 5}").status == 404
    assert t.server.get("/v1/log/entries/abc").status == 404


def test_tampering_with_stored_hashes_is_detected(t):
    s = setup(t)
    leaves = s.get("leaves") or all_leaves(t, 1000)
    n = len(leaves)
    root = mf.mth(leaves)
    def inclusion_ok():
        p = t.server.get(f"/v1/log/proof/inclusion?index=300&size={n}")
        return mf.verify_inclusion(300, n, leaves[300],
                                   mf.proof_hashes(p.json()), root)

    def consistency_ok():
        c = t.server.get(f"/v1/log/proof/consistency?from=305&to={n}")
        return mf.verify_consistency(305, n, mf.proof_hashes(c.json()),
                                     mf.mth(leaves[:305]), root)

    assert inclusion_ok() and consistency_ok()
    # (3, 36) is an interior node on entry 300's audit path (leaves
    # 288-295); (0, 304) is the leaf at the edge of the tree of size 305.
    for level, idx, check in ((3, 36, inclusion_ok), (0, 304, consistency_ok),
                              (0, 301, inclusion_ok)):
        row = t.sql("SELECT encode(hash, 'hex') FROM log_nodes"
                    f" WHERE level = {level} AND idx = {idx}")[0][0]
        t.sql("UPDATE log_nodes SET hash = decode(md5('x') || md5('y'),"
              f" 'hex') WHERE level = {level} AND idx = {idx}")
        try:
            assert not check(), (level, idx)
        finally:
            t.sql(f"UPDATE log_nodes SET hash = decode('{row}', 'hex')"
                  f" WHERE level = {level} AND idx = {idx}")
        assert check()
    # a rewritten leaf text no longer hashes to what the tree holds
    t.sql("UPDATE submissions SET leaf = replace(leaf, 'kind disclosure',"
          " 'kind assessment') WHERE log_index = 42")
    try:
        e = t.server.get("/v1/log/entries/42").json()
        p = t.server.get(f"/v1/log/proof/inclusion?index=42&size={n}")
        assert not mf.verify_inclusion(42, n, mf.leaf_hash(e["leaf"].encode()),
                                       mf.proof_hashes(p.json()), root)
        r = sh(CLI, "verify-log", "entry", "--registry", t.server.url,
               "--key", s["key"], "42", check=False)
        assert r.returncode == 1 and "NOT VERIFIED" in r.stdout, r
    finally:
        t.sql("UPDATE submissions SET leaf = replace(leaf, 'kind assessment',"
              " 'kind disclosure') WHERE log_index = 42")
    r = sh(CLI, "verify-log", "entry", "--registry", t.server.url, "--key",
           s["key"], "42", check=False)
    assert r.returncode == 0, r


def test_cli_verifies_receipts_and_proofs(t):
    s = setup(t)
    body = s["responses"][0]
    path = os.path.join(t.dir, "receipt.json")
    with open(path, "w") as f:
        json.dump(body, f)
    r = sh(CLI, "verify-log", "receipt", "--key", s["key"], path)
    assert "verified" in r.stdout
    body = dict(body, leaf=body["leaf"].replace("seq ", "seq 9"))
    with open(path, "w") as f:
        json.dump(body, f)
    r = sh(CLI, "verify-log", "receipt", "--key", s["key"], path, check=False)
    assert r.returncode == 1, r


def test_follow_detects_a_forked_log(t):
    s = setup(t)
    state = os.path.join(t.dir, "follow.json")
    if os.path.exists(state):
        os.remove(state)
    r = sh(CLI, "verify-log", "follow", "--registry", t.server.url,
           "--state", state)
    assert "verified" in r.stdout
    r = sh(CLI, "verify-log", "follow", "--registry", t.server.url,
           "--state", state)
    assert r.returncode == 0
    # A second registry with the same log key but another history: to a
    # client that remembers one of them, the other is a fork.
    fork_dir = os.path.join(t.dir, "fork-state")
    os.makedirs(fork_dir, exist_ok=True)
    for k in ("log.key", "commit.key"):
        shutil.copy(os.path.join(t.server.state_dir, k), fork_dir)
    fork = t.new_server(name="fork-state",
                        db_url=t.cluster.createdb("t_log_fork"))
    freg = mf.Registry(fork)
    key = mf.Key(t.dir, "forker", "ed25519")
    freg.create_org("forker", "developer", key)
    for i in range(5):
        doc = mf.disclosure("forker", f"m{i}", freg.next_seq("forker"),
                            name="disclosure-sparse.json")
        assert freg.submit(mf.envelope(doc, [key])).status == 201
    fstate = os.path.join(t.dir, "follow-fork.json")
    if os.path.exists(fstate):
        os.remove(fstate)
    sh(CLI, "verify-log", "follow", "--registry", fork.url, "--state",
       fstate)
    # the main log is longer but does not extend the fork's 5 entries
    r = sh(CLI, "verify-log", "follow", "--registry", t.server.url,
           "--state", fstate, check=False)
    assert r.returncode == 1, r
    assert "REWRITTEN" in r.stdout, r.stdout
    # and the longer log seen by a client that knows the main log: shrank
    r = sh(CLI, "verify-log", "follow", "--registry", fork.url, "--state",
           state, check=False)
    assert r.returncode == 1 and "SHRANK" in r.stdout, r.stdout
    fork.stop()
