"""Eval-harness outputs in (issue 14): the real output files in
tests/fixtures/evals (lm-evaluation-harness, Inspect .eval and .json, a
HELM run) go through `modelfacts import evals`, `modelfacts validate`,
`modelfacts sign` and a real submission, and read back from
GET .../evals with every mapped value equal to the harness's own figure
(read here from the fixture, not from the importer). Eval results signed
as in-toto Statements are accepted, stored as their predicate, and handed
back as the exact envelope bytes posted, whose signature the real openssl
verifies; every malformed Statement is refused and changes nothing.
`modelfacts validate` checks a Statement as the registry does: the same
refusals, codes and pointers."""
import base64
import glob
import hashlib
import json
import os
import subprocess

import mf
from harness import ROOT, sh

CLI = os.path.join(ROOT, "bin", "modelfacts")
FIX = os.path.join(ROOT, "tests", "fixtures", "evals")
LMEVAL = os.path.join(FIX, "lm-eval-results_2025-01-21T00-40-03.356274.json")
INSPECT_EVAL = os.path.join(FIX, "inspect-log_formats.eval")
INSPECT_JSON = os.path.join(FIX, "inspect-log_formats.json")
HELM = os.path.join(FIX, "helm-mmlu-anatomy")
INTOTO = "application/vnd.in-toto+json"
STATEMENT = "https://in-toto.io/Statement/v1"
PREDICATE = "https://modelfacts.dev/attestation/eval-result/v1"

S = {}


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["dev"] = mf.Key(t.dir, "acme", "ed25519")
    S["lab"] = mf.Key(t.dir, "lab", "ed25519")
    reg.create_org("acme", "developer", S["dev"], name="Acme AI")
    reg.create_org("lab", "evaluator", S["lab"], name="Eval Lab")
    d = mf.disclosure("acme", "acme-7b", reg.next_seq("acme"))
    body = json.dumps(d, indent=1).encode()
    r = reg.submit(mf.envelope(body, [S["dev"]]))
    assert r.status == 201, r
    S["disclosure"] = hashlib.sha256(body).hexdigest()
    return S


def run_import(t, files, org_seq, *extra):
    """Imports files into a fresh directory; returns the written paths."""
    s = setup(t)
    out = os.path.join(t.dir, "out-%d" % len(S.setdefault("runs", [])))
    S["runs"].append(out)
    seq = s["reg"].seqs.get(org_seq, 0) + 1
    p = sh(CLI, "import", "evals", *files, "--org", "acme", "--model",
           "acme-7b", "--seq", str(seq), "--out", out, *extra)
    paths = p.stdout.split()
    assert paths, p.stderr
    s["reg"].seqs[org_seq] = seq + len(paths) - 1
    return paths


def sign_submit(t, path, key):
    """modelfacts sign, then POST; returns (envelope bytes, response)."""
    env = sh(CLI, "sign", "--key", key.priv, path, text=False).stdout
    env = env.rstrip(b"\n")
    return env, setup(t)["reg"].submit(env)


def row_of(t, payload_bytes):
    sha = hashlib.sha256(payload_bytes).hexdigest()
    evals = t.server.get("/v1/models/acme/acme-7b/evals").json()["evals"]
    rows = [e for e in evals if e["payload_sha256"] == sha]
    assert len(rows) == 1, (sha, evals)
    return rows[0]


def submit_all(t, paths, key):
    """Validates, signs and submits each payload; returns the rows read
    back, each checked equal to the payload as written."""
    rows = []
    for path in paths:
        sh(CLI, "validate", path)
        env, r = sign_submit(t, path, key)
        assert r.status == 201, r
        data = open(path, "rb").read()
        row = row_of(t, data)
        assert row["result"] == json.loads(data), row
        rows.append(row)
    return rows


def test_lm_eval_results_import_sign_submit_and_read_back(t):
    s = setup(t)
    src = json.load(open(LMEVAL))
    rows = submit_all(t, run_import(t, [LMEVAL], "acme"), s["dev"])
    assert len(rows) == 1
    res, cfg = src["results"]["mmlu_abstract_algebra"], \
        src["configs"]["mmlu_abstract_algebra"]
    r = rows[0]["result"]
    assert rows[0]["assurance"] == "self_reported"
    assert rows[0]["benchmark"] == "mmlu_abstract_algebra"
    assert rows[0]["value"] == res["acc,none"]
    assert r["metric"]["name"] == "acc"
    assert r["metric"]["scale"] == "fraction"
    assert r["metric"]["lower_is_better"] is False  # higher_is_better
    assert r["uncertainty"]["stderr"] == res["acc_stderr,none"]
    assert r["samples"] == \
        src["n-samples"]["mmlu_abstract_algebra"]["effective"]
    assert r["prompting"]["shots"] == src["n-shot"]["mmlu_abstract_algebra"]
    assert r["split"] == cfg["test_split"]
    assert r["task"] == cfg["task"]
    assert cfg["dataset_path"] in r["benchmark"]["url"]
    assert cfg["dataset_name"] in r["config"]
    assert "task version 1" in r["config"]
    assert r["harness"]["name"] == "lm-evaluation-harness"
    assert r["harness"]["version"] == "git " + src["git_hash"]
    assert r["evaluated_on"] == "2025-01-21"  # "date": 1737419939.49


def test_inspect_eval_archive_and_json_log_read_back(t):
    s = setup(t)
    src = json.load(open(INSPECT_JSON))
    for f in (INSPECT_EVAL, INSPECT_JSON):
        rows = submit_all(t, run_import(t, [f], "acme"), s["dev"])
        assert len(rows) == 1, f
        r = rows[0]["result"]
        score = src["results"]["scores"][0]["metrics"]
        assert rows[0]["value"] == score["accuracy"]["value"]
        assert r["metric"]["name"] == "accuracy"
        assert r["uncertainty"]["stderr"] == score["stderr"]["value"]
        assert r["task"] == src["eval"]["task"]
        assert r["benchmark"]["name"] == src["eval"]["dataset"]["name"]
        assert r["benchmark"]["revision"] == \
            "git " + src["eval"]["revision"]["commit"]
        assert r["harness"] == {
            "name": "inspect_ai",
            "version": src["eval"]["packages"]["inspect_ai"],
            "url": "https://github.com/UKGovernmentBEIS/inspect_ai"}
        assert r["samples"] == src["results"]["completed_samples"]
        assert r["evaluated_on"] == src["eval"]["created"][:10]


def test_helm_run_reads_back_its_headline_metrics(t):
    s = setup(t)
    stats = json.load(open(os.path.join(HELM, "stats.json")))
    spec = json.load(open(os.path.join(HELM, "run_spec.json")))
    paths = run_import(t, [HELM], "acme", "--harness-version", "0.5.4")
    rows = submit_all(t, paths, s["dev"])
    want = {st["name"]["name"]: st for st in stats
            if st["name"]["split"] == "test"
            and "perturbation" not in st["name"]
            and st["name"]["name"] in ("exact_match", "quasi_exact_match")}
    got = {r["metric"]: r for r in rows}
    assert set(got) == set(want), got
    for name, st in want.items():
        r = got[name]["result"]
        assert got[name]["value"] == st["mean"]
        assert r["samples"] == st["count"]
        assert abs(r["uncertainty"]["stderr"] -
                   (st["variance"] / st["count"]) ** 0.5) < 1e-12
        assert r["task"] == spec["name"]
        assert r["benchmark"]["id"] == spec["groups"][0]
        assert r["prompting"]["shots"] == \
            spec["adapter_spec"]["max_train_instances"]
        assert r["harness"]["version"] == "0.5.4"


def test_unreadable_input_names_the_file_and_pointer(t):
    bad = os.path.join(t.dir, "results_bad.json")
    with open(bad, "w") as f:
        json.dump({"results": {"x": 3}, "versions": {}}, f)
    p = sh(CLI, "import", "evals", bad, "--org", "acme", "--model", "m",
           check=False)
    assert p.returncode == 1, p
    assert bad in p.stderr and "/results/x" in p.stderr, p.stderr
    p = sh(CLI, "import", "evals", os.path.join(ROOT, "README.md"), "--org",
           "acme", "--model", "m", check=False)
    assert p.returncode == 1 and "README.md" in p.stderr, p.stderr


def openssl_verifies(t, env_bytes, pub_path):
    env = json.loads(env_bytes)
    body = base64.b64decode(env["payload"])
    pae = mf.pae(env["payloadType"], body)
    pae_path = os.path.join(t.dir, "pae.bin")
    sig_path = os.path.join(t.dir, "sig.bin")
    open(pae_path, "wb").write(pae)
    open(sig_path, "wb").write(base64.b64decode(env["signatures"][0]["sig"]))
    p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                        pub_path, "-rawin", "-in", pae_path, "-sigfile",
                        sig_path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode == 0


def test_in_toto_statement_is_accepted_and_handed_back_byte_for_byte(t):
    s = setup(t)
    paths = run_import(t, [INSPECT_EVAL], "lab", "--evaluator", "lab",
                       "--disclosure", "sha256:" + s["disclosure"],
                       "--in-toto")
    assert len(paths) == 1 and paths[0].endswith(".intoto.json")
    st = json.load(open(paths[0]))
    assert st["_type"] == STATEMENT and st["predicateType"] == PREDICATE
    assert st["subject"] == [{"name": "acme/acme-7b",
                              "digest": {"sha256": s["disclosure"]}}]
    env, r = sign_submit(t, paths[0], s["lab"])
    assert json.loads(env)["payloadType"] == INTOTO
    assert r.status == 201, r
    body = base64.b64decode(json.loads(env)["payload"])
    sha = hashlib.sha256(body).hexdigest()
    # the evals read shows the predicate, third party, pinned
    row = row_of(t, body)
    assert row["result"] == st["predicate"]
    assert row["assurance"] == "third_party" and row["version"] == 1
    # stored text: the predicate's own bytes in the signed Statement
    stored = bytes.fromhex(t.sql(
        "SELECT encode(convert_to(payload, 'UTF8'), 'hex') FROM submissions"
        " WHERE payload_sha256 = decode(:'p1', 'hex')", sha)[0][0])
    assert stored in body and json.loads(stored) == st["predicate"]
    # the same log and label handling as a plain eval result
    assert isinstance(r.json()["log_index"], int), r
    assert t.server.get("/v1/log/entries/%d" % r.json()["log_index"]
                        ).status == 200
    label = t.server.get("/v1/models/acme/acme-7b/label.json").json()
    tp = [e for e in label["evals"]["third_party"]
          if e.get("payload_sha256") == sha]
    assert len(tp) == 1 and tp[0]["value"] == st["predicate"]["value"], \
        label["evals"]
    # the envelope handed back is the one posted, and still verifies
    back = t.server.get("/v1/envelopes/" + sha)
    assert back.status == 200, back
    assert back.body == env
    assert openssl_verifies(t, back.body, s["lab"].pub_path)
    # the same envelope again is a replay, not a second result
    assert s["reg"].submit(env).status in (200, 201)
    assert len([e for e in t.server.get(
        "/v1/models/acme/acme-7b/evals").json()["evals"]
        if e["payload_sha256"] == sha]) == 1


def statement(s, seq, **change):
    pred = mf.eval_result("acme", "acme-7b", seq, True,
                          disclosure_sha=s["disclosure"])
    st = {"_type": STATEMENT,
          "subject": [{"name": "acme/acme-7b",
                       "digest": {"sha256": s["disclosure"]}}],
          "predicateType": PREDICATE, "predicate": pred}
    for k, v in change.items():
        if v is None:
            st.pop(k)
        else:
            st[k] = v
    return st


def refused(t, st, status, code, pointer):
    s = setup(t)
    before = s["reg"].counts(t)
    r = s["reg"].submit(mf.envelope(st, [s["lab"]], ptype=INTOTO))
    assert r.status == status, r
    err = r.json()["error"]
    assert err["code"] == code, err
    assert any(d.get("pointer") == pointer
               for d in err.get("details", [])), err
    assert s["reg"].counts(t) == before, "a refusal changed state"


def test_malformed_statements_are_refused_and_change_nothing(t):
    s = setup(t)
    seq = s["reg"].seqs.get("lab", 0) + 1
    refused(t, statement(s, seq, _type="https://in-toto.io/Statement/v0.1"),
            422, "validation_failed", "/_type")
    refused(t, statement(s, seq, subject=[{
        "name": "acme/other", "digest": {"sha256": s["disclosure"]}}]),
        422, "validation_failed", "/subject/0/name")
    refused(t, statement(s, seq, subject=[{
        "name": "acme/acme-7b", "digest": {"sha256": "0" * 64}}]),
        422, "validation_failed", "/subject/0/digest/sha256")
    refused(t, statement(s, seq, predicateType="https://slsa.dev/provenance/v1"),
            415, "unsupported_predicate_type", "/predicateType")
    refused(t, statement(s, seq, predicate=None), 422, "validation_failed",
            "/predicate")
    # the predicate is held to the eval-result rules, pointers under it
    st = statement(s, seq)
    del st["predicate"]["value"]
    refused(t, st, 422, "validation_failed", "/predicate/value")
    # and the registry's own rules: a third party to its own model
    st = statement(s, seq)
    st["predicate"]["assurance"] = "self_reported"
    before = s["reg"].counts(t)
    r = s["reg"].submit(mf.envelope(st, [s["lab"]], ptype=INTOTO))
    assert r.status == 403 and r.json()["error"]["details"][0][
        "pointer"] == "/predicate/assurance", r
    assert s["reg"].counts(t) == before


def validate(t, name, doc):
    """`modelfacts validate --json` on doc (a dict, or envelope bytes)
    written to a file: (exit status, the file's report)."""
    path = os.path.join(t.dir, name)
    with open(path, "wb") as f:
        f.write(doc if isinstance(doc, bytes) else
                json.dumps(doc, indent=1).encode())
    p = subprocess.run([CLI, "validate", "--json", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = json.loads(p.stdout)
    assert len(out["files"]) == 1 and out["valid"] == (p.returncode == 0), \
        out
    return p.returncode, out["files"][0]


def test_validate_checks_a_statement_as_the_registry_does(t):
    s = setup(t)
    seq = s["reg"].seqs.get("lab", 0) + 1
    # a valid Statement, bare and signed: its predicate is the eval result
    rc, rep = validate(t, "ok.intoto.json", statement(s, seq))
    assert rc == 0 and rep["valid"] and rep["in_toto"], rep
    assert rep["type"] == "eval-result", rep
    path = os.path.join(t.dir, "ok.intoto.json")
    env = sh(CLI, "sign", "--key", s["lab"].priv, path, text=False).stdout
    assert json.loads(env)["payloadType"] == INTOTO
    rc, rep = validate(t, "ok.envelope.json", env)
    assert rc == 0 and rep["valid"] and rep["in_toto"], rep
    text = sh(CLI, "validate", path).stdout
    assert text.rstrip().endswith(": valid") and "in-toto Statement" in text, \
        text
    # refusals: exit 1, and the code and pointer the registry answers
    cases = [
        ("subject.json", statement(s, seq, subject=[{
            "name": "acme/other", "digest": {"sha256": s["disclosure"]}}]),
         422, "validation_failed", "/subject/0/name"),
        ("digest.json", statement(s, seq, subject=[{
            "name": "acme/acme-7b", "digest": {"sha256": "0" * 64}}]),
         422, "validation_failed", "/subject/0/digest/sha256"),
        ("ptype.json", statement(
            s, seq, predicateType="https://slsa.dev/provenance/v1"),
         415, "unsupported_predicate_type", "/predicateType"),
        ("type.json", statement(s, seq, _type="https://in-toto.io/"
                                "Statement/v0.1"),
         422, "validation_failed", "/_type"),
    ]
    for name, st, status, code, pointer in cases:
        rc, rep = validate(t, name, st)
        assert rc == 1 and not rep["valid"], (name, rep)
        assert [(e["code"], e["pointer"]) for e in rep["errors"]] == \
            [(code, pointer)], (name, rep)
        refused(t, st, status, code, pointer)
    # the predicate is checked as an eval result, pointers under it
    st = statement(s, seq)
    st["predicate"]["value"] = "high"
    rc, rep = validate(t, "value.json", st)
    assert rc == 1 and rep["in_toto"], rep
    assert "/predicate/value" in [e["pointer"] for e in rep["errors"]], rep
    refused(t, st, 422, "validation_failed", "/predicate/value")
    # a modelfacts payloadType around a Statement is not unwrapped
    rc, rep = validate(t, "mislabelled.json", mf.envelope(
        statement(s, seq), [s["lab"]],
        ptype="application/vnd.modelfacts.eval-result.v1+json"))
    assert rc == 1 and "in_toto" not in rep, rep
