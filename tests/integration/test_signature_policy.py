"""The signature policy (issue 15, findings 3, 6 and 8), over real HTTP
with keys made by the real openssl CLI: a key signs an envelope at most
once; a known key's signature that fails refuses the envelope; a
signature by a key the registry does not know is ignored and published as
posted; a payload accepted before is answered `already_accepted` only
after the same authorisation a new submission gets. Every refusal stores
nothing (no row, no log entry)."""
import base64
import json

import mf

S = {}  # module state: registry, keys


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    d = t.dir
    S["reg"] = reg
    S["acme"] = mf.Key(d, "acme", "ed25519")
    S["acme2"] = mf.Key(d, "acme2", "ecdsa-p256")
    S["beta"] = mf.Key(d, "beta", "ecdsa-p256")
    S["evals"] = mf.Key(d, "evals", "rsa-pss")
    S["evals2"] = mf.Key(d, "evals2", "ed25519")
    S["stranger"] = mf.Key(d, "stranger", "ed25519")
    reg.create_org("acme", "developer", S["acme"])
    reg.create_org("beta", "developer", S["beta"])
    reg.create_org("evalhouse", "evaluator", S["evals"])
    reg.create_org("otherlab", "evaluator", S["evals2"])
    # acme's second key, added by a key event both keys sign
    doc = mf.key_event("acme", reg.next_seq("acme"), "add",
                       new_key=S["acme2"])
    r = reg.submit(mf.envelope(doc, [S["acme"], S["acme2"]]))
    assert r.status == 201, r
    return S


def refused(t, env, status, code, pointer=None):
    """Submits env, expects the error, and checks nothing was stored."""
    reg = setup(t)["reg"]
    before = reg.counts(t)
    r = reg.submit(env)
    assert r.status == status, (r, r.body, status, code)
    err = r.json()["error"]
    assert err["code"] == code, (err, code)
    if pointer is not None:
        assert err.get("pointer") == pointer or \
            any(d.get("pointer") == pointer
                for d in err.get("details") or []), err
    assert reg.counts(t) == before, "a refused submission changed state"
    return err


def resign(env_bytes, keys, ptype=None):
    """The payload of env_bytes in a new envelope signed by keys."""
    env = json.loads(env_bytes)
    body = base64.b64decode(env["payload"])
    return mf.envelope(body, keys, ptype=ptype or env["payloadType"])


def publish(t, model, keys=None):
    s = setup(t)
    doc = mf.disclosure("acme", model, s["reg"].next_seq("acme"))
    env = mf.envelope(doc, keys or [s["acme"]])
    r = s["reg"].submit(env)
    assert r.status == 201, (r, r.body)
    return env, r


# -- finding 3: a key signs at most once -----------------------------------

def test_the_same_signature_twice_is_refused(t):
    s = setup(t)
    doc = mf.disclosure("acme", "twice", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"]], raw=True)
    env["signatures"] = env["signatures"] * 8
    refused(t, json.dumps(env).encode(), 400, "duplicate_signature",
            "/signatures/1")


def test_one_key_signing_twice_is_refused(t):
    # two different (valid) ECDSA signatures by the same key, after a
    # signature by another key of the same organisation
    s = setup(t)
    doc = mf.disclosure("acme", "twice-ecdsa", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"], s["acme2"], s["acme2"]], raw=True)
    assert env["signatures"][1]["sig"] != env["signatures"][2]["sig"]
    refused(t, json.dumps(env).encode(), 400, "duplicate_signature",
            "/signatures/2")


def test_two_keys_of_one_organisation_are_two_signers(t):
    s = setup(t)
    env, r = publish(t, "two-keys", [s["acme"], s["acme2"]])
    assert r.json()["signed_by"] == [s["acme"].keyid, s["acme2"].keyid]


# -- finding 8: bad extra signatures ---------------------------------------

def test_a_known_keys_failing_signature_is_refused(t):
    s = setup(t)
    doc = mf.disclosure("acme", "bad-extra", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"], s["acme2"]], raw=True)
    sig = bytearray(base64.b64decode(env["signatures"][1]["sig"]))
    sig[-3] ^= 1
    env["signatures"][1]["sig"] = mf.b64(bytes(sig))
    refused(t, json.dumps(env).encode(), 403, "bad_signature",
            "/signatures/1")


def test_a_known_key_of_another_organisation_failing_is_refused(t):
    # beta's key id over a signature beta did not make
    s = setup(t)
    doc = mf.disclosure("acme", "bad-foreign", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme"], s["stranger"]], raw=True)
    env["signatures"][1]["keyid"] = s["beta"].keyid
    refused(t, json.dumps(env).encode(), 403, "bad_signature",
            "/signatures/1")


def test_a_failing_known_signature_first_is_refused(t):
    s = setup(t)
    doc = mf.disclosure("acme", "bad-first", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["acme2"], s["acme"]], raw=True)
    env["signatures"][0]["sig"] = mf.b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    refused(t, json.dumps(env).encode(), 403, "bad_signature",
            "/signatures/0")


def test_an_unknown_cosigner_is_ignored_and_published_as_posted(t):
    s = setup(t)
    doc = mf.disclosure("acme", "cosigned", s["reg"].next_seq("acme"))
    env = mf.envelope(doc, [s["stranger"], s["acme"]], raw=True)
    # a co-signer registered elsewhere, and one whose signature we could
    # not check anyway: neither counts, neither refuses
    env["signatures"].append({"keyid": "elsewhere:1", "sig": "AAAA"})
    body = json.dumps(env).encode()
    r = s["reg"].submit(body)
    assert r.status == 201, (r, r.body)
    assert r.json()["signed_by"] == [s["acme"].keyid]
    got = t.server.get("/v1/models/acme/cosigned/versions/1/envelope")
    assert got.body == body
    leaf = t.server.get(f"/v1/log/entries/{r.json()['log_index']}"
                        "?format=leaf").body.decode()
    assert leaf.count("\nkeyid ") == 1, leaf


def test_signers_from_two_organisations_are_refused(t):
    s = setup(t)
    doc = mf.disclosure("acme", "two-orgs", s["reg"].next_seq("acme"))
    refused(t, mf.envelope(doc, [s["acme"], s["beta"]]), 403, "forbidden",
            "/signatures")


def test_only_unknown_signers_is_refused(t):
    s = setup(t)
    doc = mf.disclosure("acme", "strangers", s["reg"].next_seq("acme"))
    refused(t, mf.envelope(doc, [s["stranger"]]), 403, "unknown_key")


# -- finding 6: replay under another signer or payloadType -----------------

def test_replay_resigned_by_another_organisation_is_refused(t):
    s = setup(t)
    env, _ = publish(t, "replay-org")
    refused(t, resign(env, [s["beta"]]), 403, "wrong_organisation")


def test_replay_of_an_evaluation_by_another_evaluator_is_refused(t):
    s = setup(t)
    publish(t, "replay-eval")
    doc = mf.eval_result("acme", "replay-eval",
                         s["reg"].next_seq("evalhouse"), third_party=True)
    env = mf.envelope(doc, [s["evals"]])
    assert s["reg"].submit(env).status == 201
    # another registered evaluator may publish third-party results, but
    # not claim this one, which evalhouse published
    refused(t, resign(env, [s["evals2"]]), 403, "wrong_organisation")


def test_replay_under_another_payload_type_is_refused(t):
    s = setup(t)
    env, _ = publish(t, "replay-type")
    refused(t, resign(env, [s["acme"]], mf.PAYLOAD_TYPES["eval-result"]),
            422, "validation_failed", "/type")
    refused(t, resign(env, [s["acme"]], mf.PAYLOAD_TYPES["key-event"]),
            422, "validation_failed", "/type")


def test_replay_with_a_bad_extra_signature_is_refused(t):
    s = setup(t)
    env, _ = publish(t, "replay-bad")
    again = json.loads(resign(env, [s["acme"], s["acme2"]]))
    again["signatures"][1]["sig"] = again["signatures"][0]["sig"]
    refused(t, json.dumps(again).encode(), 403, "bad_signature",
            "/signatures/1")


def test_replay_resigned_by_the_same_organisation_is_accepted(t):
    s = setup(t)
    env, first = publish(t, "replay-ok")
    before = s["reg"].counts(t)
    for keys in ([s["acme2"]], [s["acme"], s["acme2"]]):
        r = s["reg"].submit(resign(env, keys))
        assert r.status == 200, (r, r.body)
        assert r.json()["status"] == "already_accepted"
        assert r.json()["log_index"] == first.json()["log_index"]
    assert s["reg"].counts(t) == before


def test_replay_of_an_in_toto_statement(t):
    # an eval result signed as an in-toto Statement: another evaluator's
    # copy is refused at the envelope (not under /predicate); the
    # Statement under the plain eval-result payloadType is no eval result
    s = setup(t)
    _, r = publish(t, "replay-intoto")
    sha = r.json()["payload_sha256"]
    pred = mf.eval_result("acme", "replay-intoto",
                          s["reg"].next_seq("evalhouse"), third_party=True,
                          disclosure_sha=sha)
    st = {"_type": "https://in-toto.io/Statement/v1",
          "subject": [{"name": "acme/replay-intoto",
                       "digest": {"sha256": sha}}],
          "predicateType":
              "https://modelfacts.dev/attestation/eval-result/v1",
          "predicate": pred}
    env = mf.envelope(st, [s["evals"]], ptype="application/vnd.in-toto+json")
    first = s["reg"].submit(env)
    assert first.status == 201, (first, first.body)
    refused(t, resign(env, [s["evals2"]]), 403, "wrong_organisation",
            "/signatures")
    refused(t, resign(env, [s["evals"]], mf.PAYLOAD_TYPES["eval-result"]),
            422, "validation_failed", "/type")
    again = s["reg"].submit(resign(env, [s["stranger"], s["evals"]]))
    assert again.status == 200, (again, again.body)
    assert again.json()["log_index"] == first.json()["log_index"]
