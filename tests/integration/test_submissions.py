"""Signed submissions (issue 4): envelopes signed by the real openssl and
ssh-keygen CLIs, over real HTTP; the authorisation matrix; every refusal
has its own code and stores nothing; racing supersedes."""
import base64
import json
import threading

import mf
from harness import Skip

S = {}  # module state: registry, keys, seqs


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    d = t.dir
    S["reg"] = reg
    S["acme"] = mf.Key(d, "acme", "ed25519")
    S["beta"] = mf.Key(d, "beta", "ecdsa-p256")
    S["evals"] = mf.Key(d, "evals", "rsa-pss")
    S["fmti"] = mf.Key(d, "fmti", "ed25519")
    S["sshdev"] = mf.Key(d, "sshdev", "ssh-ed25519")
    reg.create_org("acme", "developer", S["acme"])
    reg.create_org("beta", "developer", S["beta"])
    reg.create_org("evalhouse", "evaluator", S["evals"])
    reg.create_org("fmti", "assessor", S["fmti"])
    reg.create_org("sshco", "developer", S["sshdev"])
    S["heads"] = {}
    return S


def publish(t, org, key, model, expect=201):
    """Publishes the next version of org/model; returns the response."""
    s = setup(t)
    reg = s["reg"]
    head = s["heads"].get((org, model))
    doc = mf.disclosure(org, model, reg.next_seq(org), supersedes=head)
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == expect, r
    if r.status == 201:
        s["heads"][(org, model)] = "sha256:" + r.json()["payload_sha256"]
    return r


def refused(t, env, status, code, pointer=None):
    """Submits env, expects the error, and checks nothing was stored."""
    reg = setup(t)["reg"]
    before = reg.counts(t)
    r = reg.submit(env)
    assert r.status == status, (r, status, code)
    err = r.json()["error"]
    assert err["code"] == code, (err, code)
    if pointer is not None:
        assert any(d["pointer"] == pointer for d in err["details"]) or \
            err.get("pointer") == pointer, err
    assert reg.counts(t) == before, "a refused submission changed state"
    return err


def test_openssl_signatures_are_accepted(t):
    s = setup(t)
    for org, key, model in [("acme", s["acme"], "anvil-7b"),
                            ("beta", s["beta"], "beta-lm")]:
        r = publish(t, org, key, model)
        body = r.json()
        assert body["version"] == 1 and body["kind"] == "disclosure"
        assert body["signed_by"] == [key.keyid]
        assert isinstance(body["log_index"], int)
        m = t.server.get(f"/v1/models/{org}/{model}").json()
        assert m["version"] == 1 and m["payload_sha256"] == \
            body["payload_sha256"]


def test_rsa_pss_evaluator_is_accepted(t):
    s = setup(t)
    publish(t, "acme", s["acme"], "pss-target")
    doc = mf.eval_result("acme", "pss-target",
                         s["reg"].next_seq("evalhouse"), third_party=True)
    r = s["reg"].submit(mf.envelope(doc, [s["evals"]]))
    assert r.status == 201, r
    evals = t.server.get("/v1/models/acme/pss-target/evals").json()["evals"]
    assert [e["assurance"] for e in evals] == ["third_party"]


def test_ssh_keygen_signature_is_accepted(t):
    s = setup(t)
    r = publish(t, "sshco", s["sshdev"], "shell-1")
    assert r.json()["signed_by"] == [s["sshdev"].keyid]
    keys = t.server.get("/v1/orgs/sshco/keys").json()
    assert keys[0]["alg"] == "ssh-ed25519"


def test_envelope_is_stored_byte_for_byte(t):
    s = setup(t)
    doc = mf.disclosure("acme", "exact", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]])
    assert s["reg"].submit(env).status == 201
    got = t.server.get("/v1/models/acme/exact/versions/1/envelope")
    assert got.body == env


def test_replay_returns_the_same_record(t):
    s = setup(t)
    doc = mf.disclosure("acme", "replayed", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]])
    first = s["reg"].submit(env)
    assert first.status == 201
    before = s["reg"].counts(t)
    again = s["reg"].submit(env)
    assert again.status == 200, again
    assert again.json()["status"] == "already_accepted"
    for k in ("log_index", "payload_sha256", "version"):
        assert again.json()[k] == first.json()[k]
    assert s["reg"].counts(t) == before


def test_versions_chain_through_supersedes(t):
    s = setup(t)
    for n in (1, 2, 3):
        assert publish(t, "acme", s["acme"], "chain").json()["version"] == n
    vs = t.server.get("/v1/models/acme/chain/versions").json()["versions"]
    assert [v["version"] for v in vs] == [1, 2, 3]


def test_stale_supersedes_is_409_with_current_head(t):
    s = setup(t)
    publish(t, "acme", s["acme"], "stale")
    head = s["heads"][("acme", "stale")]
    doc = mf.disclosure("acme", "stale", s["reg"].next_seq("acme"),
                        supersedes=None)
    err = refused(t, mf.envelope(doc, [s["acme"]]), 409, "stale_supersedes",
                  "/supersedes")
    assert err["current_head"] == head


def test_stale_seq(t):
    s = setup(t)
    doc = mf.disclosure("acme", "seqs", 1)
    refused(t, mf.envelope(doc, [s["acme"]]), 409, "stale_seq", "/seq")


def test_expired_issued_at(t):
    s = setup(t)
    doc = mf.disclosure("acme", "old", s["reg"].next_seq("acme"),
                        issued_at=mf.now(-3 * 86400))
    refused(t, mf.envelope(doc, [s["acme"]]), 400,
            "issued_at_out_of_window", "/issued_at")
    doc = mf.disclosure("acme", "old", s["reg"].next_seq("acme"),
                        issued_at=mf.now(+3 * 86400))
    refused(t, mf.envelope(doc, [s["acme"]]), 400,
            "issued_at_out_of_window", "/issued_at")


def test_wrong_registry(t):
    s = setup(t)
    doc = mf.disclosure("acme", "elsewhere", s["reg"].next_seq("acme"),
                        registry="other.example")
    refused(t, mf.envelope(doc, [s["acme"]]), 400, "wrong_registry",
            "/registry")


def test_tampered_payload(t):
    s = setup(t)
    doc = mf.disclosure("acme", "tamper", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]], raw=True)
    body = base64.b64decode(env["payload"]).replace(b"Anvil", b"Anvix", 1)
    assert body != base64.b64decode(env["payload"]) or True
    doc2 = json.loads(base64.b64decode(env["payload"]))
    doc2["seq"] += 0
    doc2["identity"]["name"] = "Tampered"
    env["payload"] = mf.b64(json.dumps(doc2).encode())
    refused(t, json.dumps(env).encode(), 403, "bad_signature")


def test_tampered_signature(t):
    s = setup(t)
    doc = mf.disclosure("acme", "tampersig", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]], raw=True)
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[5] ^= 1
    env["signatures"][0]["sig"] = mf.b64(bytes(sig))
    refused(t, json.dumps(env).encode(), 403, "bad_signature")


def test_unknown_key(t):
    s = setup(t)
    stranger = mf.Key(t.dir, "stranger", "ed25519")
    doc = mf.disclosure("acme", "stranger", s["reg"].next_seq("acme"))
    refused(t, mf.envelope(doc, [stranger]), 403, "unknown_key")


def test_keyid_is_only_a_hint(t):
    # The right key under a wrong keyid still fails to find a key; a known
    # key id with another key's signature fails to verify.
    s = setup(t)
    doc = mf.disclosure("acme", "hint", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["beta"]], raw=True)
    env["signatures"][0]["keyid"] = s["acme"].keyid
    refused(t, json.dumps(env).encode(), 403, "bad_signature")


def test_oversize(t):
    s = setup(t)
    doc = mf.disclosure("acme", "huge", s["reg"].next_seq("acme"))
    doc["identity"]["description"] = "x" * (1100 * 1024)
    refused(t, mf.envelope(doc, [s["acme"]]), 413, "payload_too_large")


def test_duplicate_json_keys(t):
    s = setup(t)
    doc = mf.disclosure("acme", "dups", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]]).decode()
    dup = env.replace('{"payloadType"', '{"payloadType": "x", "payloadType"',
                      1)
    refused(t, dup.encode(), 400, "duplicate_json_key")
    # ... and inside the signed payload
    body = json.dumps(doc).replace('"seq":', '"seq": 1, "seq":', 1).encode()
    refused(t, mf.envelope(body, [s["acme"]],
                           ptype=mf.PAYLOAD_TYPES["disclosure"]),
            400, "duplicate_json_key")


def test_invalid_base64(t):
    s = setup(t)
    doc = mf.disclosure("acme", "b64", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]], raw=True)
    env["payload"] = env["payload"][:10] + "*" + env["payload"][11:]
    refused(t, json.dumps(env).encode(), 400, "invalid_base64", "/payload")


def test_invalid_utf8(t):
    s = setup(t)
    doc = mf.disclosure("acme", "utf8", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]])
    bad = env.replace(b'"payloadType"', b'"payl\xffoadType"', 1)
    refused(t, bad, 400, "invalid_utf8")
    body = json.dumps(doc).encode().replace(b'"type"', b'"ty\xffpe"', 1)
    assert b"\xff" in body
    refused(t, mf.envelope(body, [s["acme"]],
                           ptype=mf.PAYLOAD_TYPES["disclosure"]),
            400, "invalid_utf8")


def test_authorisation_matrix(t):
    s = setup(t)
    publish(t, "beta", s["beta"], "victim")
    reg = s["reg"]
    cases = [
        # (signer org, key, payload, expected code)
        ("acme", s["acme"], mf.disclosure("beta", "victim", 0,
                                          supersedes=s["heads"][
                                              ("beta", "victim")]),
         "wrong_organisation"),
        ("evalhouse", s["evals"], mf.disclosure("evalhouse", "own", 0),
         "role_not_permitted"),
        ("fmti", s["fmti"], mf.disclosure("fmti", "own", 0),
         "role_not_permitted"),
        ("acme", s["acme"], mf.eval_result("beta", "victim", 0, True),
         "role_not_permitted"),
        ("acme", s["acme"], mf.eval_result("beta", "victim", 0, False),
         "wrong_organisation"),
        ("evalhouse", s["evals"], mf.eval_result("beta", "victim", 0, False),
         "wrong_organisation"),
        ("acme", s["acme"], mf.assessment("beta", "victim", 0),
         "role_not_permitted"),
        ("evalhouse", s["evals"], mf.assessment("beta", "victim", 0),
         "role_not_permitted"),
        ("acme", s["acme"], mf.key_event("beta", 0, "revoke",
                                         target=s["beta"].keyid),
         "wrong_organisation"),
    ]
    for org, key, doc, code in cases:
        doc["seq"] = reg.seqs.get(org, 0) + 1
        refused(t, mf.envelope(doc, [key]), 403, code)


def test_permitted_roles(t):
    s = setup(t)
    reg = s["reg"]
    r = publish(t, "beta", s["beta"], "graded")
    sha = r.json()["payload_sha256"]
    for org, key, doc in [
        ("beta", s["beta"], mf.eval_result("beta", "graded", 0, False, sha)),
        ("evalhouse", s["evals"], mf.eval_result("beta", "graded", 0, True)),
        ("fmti", s["fmti"], mf.assessment("beta", "graded", 0)),
    ]:
        doc["seq"] = reg.next_seq(org)
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, (org, r)
    ev = t.server.get("/v1/models/beta/graded/evals").json()["evals"]
    assert sorted(e["assurance"] for e in ev) == ["self_reported",
                                                  "third_party"]
    assert [e["version"] for e in ev if e["assurance"] == "self_reported"] \
        == [1]


def test_unknown_subject(t):
    s = setup(t)
    doc = mf.eval_result("nobody", "x", s["reg"].next_seq("evalhouse"), True)
    refused(t, mf.envelope(doc, [s["evals"]]), 404, "unknown_subject",
            "/subject/org")
    s["reg"].seqs["evalhouse"] -= 1


def test_key_rotation_and_revocation(t):
    s = setup(t)
    reg = s["reg"]
    old = mf.Key(t.dir, "rot-old", "ed25519")
    new = mf.Key(t.dir, "rot-new", "ecdsa-p256")
    reg.create_org("rotco", "developer", old)
    publish(t, "rotco", old, "m")
    # rotation needs both signatures
    doc = mf.key_event("rotco", reg.seqs["rotco"] + 1, "rotate", new_key=new,
                       target=old.keyid)
    refused(t, mf.envelope(doc, [old]), 403, "bad_signature")
    doc["seq"] = reg.next_seq("rotco")
    assert reg.submit(mf.envelope(doc, [old, new])).status == 201
    keys = {k["keyid"]: k["status"] for k in
            t.server.get("/v1/orgs/rotco/keys").json()}
    assert keys == {old.keyid: "revoked", new.keyid: "active"}, keys
    # the old key is revoked from its log position on ...
    doc = mf.disclosure("rotco", "m", reg.seqs["rotco"] + 1,
                        supersedes=s["heads"][("rotco", "m")])
    refused(t, mf.envelope(doc, [old]), 403, "key_revoked")
    # ... the new one works, and the old version stays valid
    publish(t, "rotco", new, "m")
    v1 = t.server.get("/v1/models/rotco/m/versions/1").json()
    assert v1["signed_by"] == [old.keyid]
    # revoke the new key with itself; then nothing signs for rotco
    doc = mf.key_event("rotco", reg.next_seq("rotco"), "revoke",
                       target=new.keyid)
    assert reg.submit(mf.envelope(doc, [new])).status == 201
    doc = mf.disclosure("rotco", "m", reg.seqs["rotco"] + 1,
                        supersedes=s["heads"][("rotco", "m")])
    refused(t, mf.envelope(doc, [new]), 403, "key_revoked")


def test_add_key_needs_proof_of_possession(t):
    s = setup(t)
    reg = s["reg"]
    extra = mf.Key(t.dir, "beta-extra", "ssh-ed25519")
    doc = mf.key_event("beta", reg.seqs["beta"] + 1, "add", new_key=extra)
    refused(t, mf.envelope(doc, [s["beta"]]), 403, "bad_signature")
    doc["seq"] = reg.next_seq("beta")
    assert reg.submit(mf.envelope(doc, [s["beta"], extra])).status == 201
    publish(t, "beta", extra, "added-key-model")


def test_racing_supersedes_exactly_one_wins(t):
    s = setup(t)
    reg = s["reg"]
    publish(t, "acme", s["acme"], "race")
    head = s["heads"][("acme", "race")]
    envs = []
    for i in range(2):
        doc = mf.disclosure("acme", "race", reg.next_seq("acme"),
                            supersedes=head)
        doc["identity"]["name"] = f"Racer {i}"
        envs.append(mf.envelope(doc, [s["acme"]]))
    results = [None, None]
    barrier = threading.Barrier(2)

    def go(i):
        barrier.wait()
        results[i] = reg.submit(envs[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    statuses = sorted(r.status for r in results)
    assert statuses == [201, 409], results
    loser = [r for r in results if r.status == 409][0].json()["error"]
    assert loser["code"] in ("stale_supersedes", "stale_seq"), loser
    vs = t.server.get("/v1/models/acme/race/versions").json()["versions"]
    assert [v["version"] for v in vs] == [1, 2]


def test_cli_sign_submit_verify(t):
    import os
    from harness import ROOT, sh
    s = setup(t)
    reg = s["reg"]
    cli = os.path.join(ROOT, "bin", "modelfacts")
    keyp = os.path.join(t.dir, "cli")
    for ext in (".key", ".pub"):
        if os.path.exists(keyp + ext):
            os.remove(keyp + ext)
    keyid = sh(cli, "keygen", "--type", "ecdsa-p256", "--out",
               keyp).stdout.strip()
    p = sh(cli, "admin", "create-org", "--org", "clico", "--name", "CLI Co",
           "--role", "developer", "--public-key", keyp + ".pub",
           "--registry", t.server.url, "--token-file",
           os.path.join(t.server.state_dir, "admin.token"))
    assert keyid in p.stdout
    doc = mf.disclosure("clico", "cli-model", 1)
    path = os.path.join(t.dir, "cli-payload.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    env = sh(cli, "sign", "--key", keyp + ".key", path).stdout
    envp = os.path.join(t.dir, "cli-env.json")
    with open(envp, "w") as f:
        f.write(env)
    v = sh(cli, "verify", envp, "--pubkey", keyp + ".pub")
    assert "verified" in v.stdout
    other = sh(cli, "verify", envp, "--pubkey", s["acme"].pub_path,
               check=False)
    assert other.returncode == 1, other.stdout
    p = sh(cli, "submit", "--registry", t.server.url, envp)
    assert "accepted disclosure clico/cli-model version 1" in p.stdout
    p = sh(cli, "submit", "--registry", t.server.url, envp)
    assert "already_accepted" in p.stdout


def test_invalid_payload_is_422_with_pointers(t):
    s = setup(t)
    doc = mf.disclosure("acme", "invalid", s["reg"].next_seq("acme"))
    doc["identity"]["release_date"] = "2026-01-15"   # before training ended
    doc["training"]["end_date"] = "2026-06-30"
    doc["downstream"]["feedback"] = "javascript:alert(1)"
    s["reg"].seqs["acme"] -= 1
    err = refused(t, mf.envelope(doc, [s["acme"]]), 422, "validation_failed")
    pointers = {d["pointer"] for d in err["details"]}
    assert "/identity/release_date" in pointers, err
    assert any(p.startswith("/downstream/feedback") for p in pointers), err


def test_score_is_computed_and_stored(t):
    s = setup(t)
    r = publish(t, "acme", s["acme"], "scored")
    score = r.json()["score"]
    assert score["index"] == "modelfacts-v1" and score["max"] > 50, score
    m = t.server.get("/v1/models/acme/scored").json()
    assert m["scores"]["score"] == score["total"], m["scores"]
    assert m["scores"]["max"] == score["max"]
    results = m["scores"]["results"]
    unmet = [i for i, r in results.items() if r == "not_met"]
    na = [i for i, r in results.items() if r == "not_applicable"]
    assert len(unmet) == score["max"] - score["total"]
    assert len(results) == score["max"] + len(na)
    # the label shows the same score, with names and reasons
    lab = t.server.get("/v1/models/acme/scored/label.json").json()
    assert str(score["total"]) in json.dumps(lab)
