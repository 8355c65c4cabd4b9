"""Versioned spec sheets in git (issue 6): several versions of several
models, evals, an assessment and a key rotation are published as signed
commits; the repository is cloned over HTTP with the stock git client and
checked with git log / show / tag / verify-commit and openssl; then the
server is killed with SIGKILL over and over during a stream of
submissions, and the log, PostgreSQL and git must agree exactly."""
import base64
import json
import os
import random
import shutil
import subprocess
import threading
import time

import mf
from harness import sh

S = {}


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["keys"] = {
        "acme": mf.Key(t.dir, "acme", "ed25519"),
        "beta": mf.Key(t.dir, "beta", "ecdsa-p256"),
        "evalhouse": mf.Key(t.dir, "evalhouse", "rsa-pss"),
        "fmti": mf.Key(t.dir, "fmti", "ssh-ed25519"),
    }
    for org, role in (("acme", "developer"), ("beta", "developer"),
                      ("evalhouse", "evaluator"), ("fmti", "assessor")):
        reg.create_org(org, role, S["keys"][org])
    S["heads"] = {}
    return S


def publish(t, org, model, key=None, name="disclosure-sparse.json"):
    s = setup(t)
    reg = s["reg"]
    doc = mf.disclosure(org, model, reg.next_seq(org),
                        supersedes=s["heads"].get((org, model)), name=name)
    doc["identity"]["version"] = f"{org}-{model}-{reg.seqs[org]}"
    r = reg.submit(mf.envelope(doc, [key or s["keys"][org]]))
    assert r.status == 201, r
    s["heads"][(org, model)] = "sha256:" + r.json()["payload_sha256"]
    return r.json()


def wait_published(t, server=None, timeout=30):
    """Until every sequenced entry has its commit recorded."""
    deadline = time.time() + timeout
    while True:
        n, p = t.sql("SELECT (SELECT count(*) FROM submissions"
                     " WHERE log_index IS NOT NULL),"
                     " (SELECT count(*) FROM publications)")[0]
        if n == p:
            return int(n)
        assert time.time() < deadline, f"published {p} of {n}"
        time.sleep(0.1)


def clone(t, server, name):
    dest = os.path.join(t.dir, name)
    shutil.rmtree(dest, ignore_errors=True)
    sh("git", "clone", "-q", f"{server.url}/labels.git", dest)
    return dest


def git(repo, *args, check=True):
    return sh("git", "-C", repo, *args, check=check).stdout


def test_history_is_published_as_signed_commits(t):
    s = setup(t)
    reg = s["reg"]
    versions = {}
    for org, model, n in (("acme", "anvil", 3), ("acme", "forge", 2),
                          ("beta", "bolt", 2)):
        for _ in range(n):
            r = publish(t, org, model,
                        name="disclosure-open.json" if org == "acme" else
                        "disclosure-sparse.json")
            versions[(org, model, r["version"])] = r
    sha = versions[("acme", "anvil", 3)]["payload_sha256"]
    doc = mf.eval_result("acme", "anvil", reg.next_seq("evalhouse"), True,
                         disclosure_sha=sha)
    assert reg.submit(mf.envelope(doc, [s["keys"]["evalhouse"]])).status \
        == 201
    doc = mf.assessment("beta", "bolt", reg.next_seq("fmti"))
    assert reg.submit(mf.envelope(doc, [s["keys"]["fmti"]])).status == 201
    new = mf.Key(t.dir, "beta-2026", "ed25519")
    doc = mf.key_event("beta", reg.next_seq("beta"), "rotate", new_key=new,
                       target=s["keys"]["beta"].keyid)
    assert reg.submit(mf.envelope(doc, [s["keys"]["beta"], new])).status \
        == 201
    s["keys"]["beta"] = new
    publish(t, "beta", "bolt")
    n = wait_published(t)

    repo = clone(t, t.server, "clone")
    # one commit per log entry, in log order, and the database agrees
    log = git(repo, "log", "--reverse", "--format=%H %(trailers:key="
              "Log-Index,valueonly,separator=)").split("\n")
    log = [line.split() for line in log if line]
    assert [int(i) for _, i in log] == list(range(n)), log
    db = dict(t.sql("SELECT log_index, commit_id FROM publications"))
    assert {str(i): c for c, i in log} == db
    # trailers name the payload and the signer
    for idx, payload, signers in t.sql(
            "SELECT log_index, encode(payload_sha256, 'hex'),"
            " array_to_string(signer_keyids, ' ') FROM submissions"):
        body = git(repo, "show", "-s", "--format=%B", db[idx])
        assert f"Payload-SHA256: {payload}" in body
        for k in signers.split():
            assert f"Signed-By: {k}" in body
    # one tag per disclosure version
    tags = set(git(repo, "tag", "-l").split())
    want = {f"{o}/{m}/v{v}" for (o, m, v) in versions} | {"beta/bolt/v3"}
    assert tags == want, tags ^ want
    # every commit carries the registry's SSH signature
    signers = os.path.join(t.dir, "allowed_signers")
    with open(signers, "wb") as f:
        f.write(t.server.get("/v1/registry/allowed_signers").body)
    for c, _ in log:
        r = sh("git", "-C", repo, "-c", "gpg.format=ssh", "-c",
               f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", c,
               check=False)
        assert r.returncode == 0, (c, r.stderr)
    # a tampered copy does not verify
    r = sh("git", "-C", repo, "-c", "gpg.ssh.allowedSignersFile=/dev/null",
           "verify-commit", log[0][0], check=False)
    assert r.returncode != 0
    S["repo"] = repo
    S["versions"] = versions


def openssl_verify(repo, rev, path, keyfile):
    env = json.loads(git(repo, "show", f"{rev}:{path}"))
    body = base64.b64decode(env["payload"])
    msg = mf.pae(env["payloadType"], body)
    sig = base64.b64decode(env["signatures"][0]["sig"])
    d = os.path.join(repo, "..", "verify")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "msg"), "wb") as f:
        f.write(msg)
    with open(os.path.join(d, "sig"), "wb") as f:
        f.write(sig)
    pub = os.path.join(d, "key.pem")
    with open(pub, "w") as f:
        f.write(git(repo, "show", f"{rev}:{keyfile}"))
    kind = sh("openssl", "pkey", "-pubin", "-in", pub, "-noout", "-text"
              ).stdout
    if "ED25519" in kind:
        args = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub,
                "-rawin", "-in", os.path.join(d, "msg"), "-sigfile",
                os.path.join(d, "sig")]
    else:
        args = ["openssl", "dgst", "-sha256", "-verify", pub, "-signature",
                os.path.join(d, "sig"), os.path.join(d, "msg")]
    return subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).returncode == 0, env


def test_disclosures_in_the_clone_verify_with_openssl(t):
    repo = S["repo"]
    for (org, model, v), r in S["versions"].items():
        tag = f"{org}/{model}/v{v}"
        path = f"models/{org}/{model}/disclosure.dsse.json"
        keyid = r["signed_by"][0]
        ok, env = openssl_verify(repo, tag, path,
                                 f"orgs/{org}/keys/{keyid}.pem")
        assert ok, (tag, keyid)
        assert mf.sha256_hex(base64.b64decode(env["payload"])) == \
            r["payload_sha256"]
        # byte for byte the envelope the registry accepted
        got = t.server.get(f"/v1/models/{org}/{model}/versions/{v}/envelope")
        assert got.body == git(repo, "show", f"{tag}:{path}").encode()
        # the label at the tag is the version's immutable label
        md = t.server.get(f"/v1/models/{org}/{model}/versions/{v}/label.md")
        assert md.status == 200
        assert md.body.decode() == git(repo, "show",
                                       f"{tag}:models/{org}/{model}/label.md")
    # the other signatures of the chain also hold: flip one byte -> fails
    tag = "acme/anvil/v1"
    path = "models/acme/anvil/disclosure.dsse.json"
    env = json.loads(git(repo, "show", f"{tag}:{path}"))
    keyid = env["signatures"][0]["keyid"]
    raw = bytearray(base64.b64decode(env["payload"]))
    raw[10] ^= 1
    d = os.path.join(t.dir, "flip")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "msg"), "wb") as f:
        f.write(mf.pae(env["payloadType"], bytes(raw)))
    with open(os.path.join(d, "sig"), "wb") as f:
        f.write(base64.b64decode(env["signatures"][0]["sig"]))
    with open(os.path.join(d, "key.pem"), "w") as f:
        f.write(git(repo, "show", f"HEAD:orgs/acme/keys/{keyid}.pem"))
    r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                        os.path.join(d, "key.pem"), "-rawin", "-in",
                        os.path.join(d, "msg"), "-sigfile",
                        os.path.join(d, "sig")], stdout=subprocess.PIPE)
    assert r.returncode != 0


def test_history_diff_and_point_in_time(t):
    h = t.server.get("/v1/models/acme/anvil/history").json()
    kinds = [(e["kind"], e["version"]) for e in h["history"]]
    assert kinds[:3] == [("disclosure", 1), ("disclosure", 2),
                         ("disclosure", 3)], kinds
    assert ("eval-result", 3) in kinds
    assert all(e["commit"] for e in h["history"])
    d = t.server.get("/v1/models/acme/anvil/diff?from=1&to=3").json()
    assert {"pointer": "/identity/version", "op": "changed",
            "from": "acme-anvil-1", "to": "acme-anvil-3"} in d["fields"]
    assert not any(f["pointer"] in ("/seq", "/issued_at", "/supersedes")
                   for f in d["fields"])
    assert d["label_diff"].startswith("--- v1/label.md\n+++ v3/label.md\n")
    assert "-" in d["label_diff"] and "+" in d["label_diff"]
    assert t.server.get("/v1/models/acme/anvil/diff?from=1&to=9"
                        ).status == 404
    assert t.server.get("/v1/models/acme/anvil/diff?from=x&to=2"
                        ).status == 400
    # as_of: the version current at an instant
    times = [e["accepted_at"] for e in h["history"]
             if e["kind"] == "disclosure"]
    m = t.server.get("/v1/models/acme/anvil?as_of=" +
                     times[1].replace("+00:00", "Z")).json()
    assert m["version"] == 2, m
    assert t.server.get("/v1/models/acme/anvil?as_of=2001-01-01T00:00:00Z"
                        ).status == 404
    # or a log index, as on every read: the second version's own entry
    entries = [e["log_index"] for e in h["history"]
               if e["kind"] == "disclosure"]
    m = t.server.get(f"/v1/models/acme/anvil?as_of={entries[1]}").json()
    assert m["version"] == 2, m
    m = t.server.get(f"/v1/models/acme/anvil?as_of={entries[1] - 1}").json()
    assert m["version"] == 1, m
    assert t.server.get("/v1/models/acme/anvil?as_of=yesterday").status \
        == 400


def test_labels_have_etags_and_immutable_caching(t):
    r = t.server.get("/v1/models/acme/anvil/versions/2/label.json")
    assert r.status == 200 and "immutable" in r.header("Cache-Control")
    etag = r.header("ETag")
    again = t.server.get("/v1/models/acme/anvil/versions/2/label.json",
                         headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    html = t.server.get("/v1/models/acme/anvil/versions/2/label.html")
    assert html.status == 200 and b"<html" in html.body.lower()
    cur = t.server.get("/v1/models/acme/anvil/label.md")
    assert cur.status == 200 and "immutable" not in cur.header(
        "Cache-Control")


def test_clones_work_while_packs_are_written_and_merged(t):
    """Dumb-HTTP clones while a stream of submissions is published: every
    flush writes a pack and merges packs, and every clone is complete."""
    s = setup(t)
    reg = s["reg"]
    key = mf.Key(t.dir, "racer", "ed25519")
    reg.create_org("racer", "developer", key)
    done = threading.Event()
    errors = []

    def client():
        head = None
        seq = 0
        try:
            while not done.is_set():
                seq += 1
                doc = mf.disclosure("racer", f"m{seq % 3}", seq,
                                    supersedes=None if seq <= 3 else
                                    head[seq % 3],
                                    name="disclosure-sparse.json")
                r = reg.submit(mf.envelope(doc, [key]))
                if r.status != 201:
                    errors.append(repr(r))
                    return
                head = head or {}
                head[seq % 3] = "sha256:" + r.json()["payload_sha256"]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    th = threading.Thread(target=client)
    th.start()
    clones = 0
    try:
        deadline = time.time() + 8
        while time.time() < deadline:
            repo = clone(t, t.server, "race")
            clones += 1
            # complete: one commit per log entry up to the cloned head
            last = git(repo, "log", "-1", "--format=%(trailers:key="
                       "Log-Index,valueonly,separator=)").strip()
            assert int(git(repo, "rev-list", "--count", "HEAD")) == \
                int(last) + 1
            sh("git", "-C", repo, "fsck", "--strict", "--no-dangling")
    finally:
        done.set()
        th.join(60)
    assert not errors, errors
    wait_published(t)
    repo = clone(t, t.server, "race")
    sh("git", "-C", repo, "fsck", "--strict", "--no-dangling")
    packs = os.listdir(os.path.join(t.server.state_dir, "labels.git",
                                    "objects", "pack"))
    print(f"   # {clones} clones, {sum(p.endswith('.pack') for p in packs)}"
          " packs on disk")


def test_publication_survives_sigkill(t):
    """SIGKILL at random moments during a stream of submissions, 20+
    times: every 2xx is in PostgreSQL, the log and git exactly once."""
    s = setup(t)
    reg = s["reg"]
    key = mf.Key(t.dir, "crash", "ed25519")
    reg.create_org("crashco", "developer", key)
    server = t.server
    acked = []           # payload digests that got a 2xx
    done = threading.Event()
    errors = []

    def client():
        head = None
        seq = 0
        try:
            while not done.is_set():
                seq += 1
                doc = mf.disclosure("crashco", "stream", seq,
                                    supersedes=head,
                                    name="disclosure-sparse.json")
                env = mf.envelope(doc, [key])
                while True:  # the same envelope until it is acknowledged
                    try:
                        r = server.post("/v1/submissions", body=env,
                                        timeout=10)
                    except OSError:
                        time.sleep(0.05)
                        continue
                    if r.status in (200, 201):
                        break
                    if r.status == 503:
                        time.sleep(0.05)
                        continue
                    errors.append(repr(r))
                    return
                head = "sha256:" + r.json()["payload_sha256"]
                acked.append(r.json()["payload_sha256"])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    th = threading.Thread(target=client)
    th.start()
    rnd = random.Random(11)
    kills = 0
    try:
        while kills < 22:
            time.sleep(rnd.uniform(0.05, 0.4))
            server.kill()
            kills += 1
            server.start(port=server.port)
    finally:
        time.sleep(1.0)
        done.set()
        th.join(60)
    assert not errors, errors
    assert len(acked) >= 20, len(acked)
    n = wait_published(t, timeout=60)
    # PostgreSQL and the log: every acknowledged payload, once, sequenced
    rows = dict(t.sql("SELECT encode(payload_sha256, 'hex'), log_index"
                      " FROM submissions"))
    for a in acked:
        assert rows.get(a) not in (None, ""), a
    idx = sorted(int(i) for i in rows.values())
    assert idx == list(range(n)), "the log has gaps or duplicates"
    # git: one commit per log entry, in order, each payload exactly once
    repo = clone(t, server, "after-crashes")
    log = git(repo, "log", "--reverse", "--format=%(trailers:key=Log-Index,"
              "valueonly,separator=) %(trailers:key=Payload-SHA256,"
              "valueonly,separator=)").split("\n")
    pairs = [line.split() for line in log if line]
    assert [int(i) for i, _ in pairs] == list(range(n))
    shas = [p for _, p in pairs]
    assert len(shas) == len(set(shas)) == n
    assert set(shas) == set(rows)
    for a in acked:
        assert a in shas
    assert sh("git", "-C", repo, "fsck", "--strict").returncode == 0
    print(f"   # {kills} kills, {len(acked)} acknowledged, {n} entries")
