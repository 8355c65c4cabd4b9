"""Trust over time (issue 15) through the real API, PostgreSQL and git: an
organisation withdraws one of its own documents with a signed withdrawal;
only the signer's organisation may (403), the document must exist for the
subject (404), and only once (409). Every refusal stores nothing; the
accepted withdrawal is a log entry and a commit like any other, and the
withdrawn document stays in both."""
import json
import os
import shutil

import mf
from harness import sh

WITHDRAWAL = "application/vnd.modelfacts.withdrawal.v1+json"
S = {}


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["keys"] = {
        "acme": mf.Key(t.dir, "acme", "ed25519"),
        "beta": mf.Key(t.dir, "beta", "ed25519"),
        "evalhouse": mf.Key(t.dir, "evalhouse", "ecdsa-p256"),
    }
    for org, role in (("acme", "developer"), ("beta", "developer"),
                      ("evalhouse", "evaluator")):
        reg.create_org(org, role, S["keys"][org])
    doc = mf.disclosure("acme", "anvil", reg.next_seq("acme"))
    r = reg.submit(mf.envelope(doc, [S["keys"]["acme"]]))
    assert r.status == 201, r
    S["v1"] = r.json()["payload_sha256"]
    doc = mf.eval_result("acme", "anvil", reg.next_seq("acme"), False,
                         disclosure_sha=S["v1"])
    r = reg.submit(mf.envelope(doc, [S["keys"]["acme"]]))
    assert r.status == 201, r
    S["own_eval"] = r.json()["payload_sha256"]
    doc = mf.eval_result("acme", "anvil", reg.next_seq("evalhouse"), True,
                         disclosure_sha=S["v1"])
    r = reg.submit(mf.envelope(doc, [S["keys"]["evalhouse"]]))
    assert r.status == 201, r
    S["third_eval"] = r.json()["payload_sha256"]
    return S


def withdrawal(org, model, seq, target, reason="The run was misconfigured."):
    return {"type": "withdrawal", "registry": mf.ORIGIN,
            "subject": {"org": org, "model": model},
            "issued_at": mf.now(), "seq": seq,
            "withdraws": "sha256:" + target, "reason": reason,
            "date": mf.now()[:10]}


def submit(t, signer, doc):
    s = setup(t)
    return s["reg"].submit(mf.envelope(doc, [s["keys"][signer]],
                                       ptype=WITHDRAWAL))


def counts(t):
    return (mf.Registry.counts(S["reg"], t),
            t.sql("SELECT count(*) FROM withdrawals")[0])


def refused(t, signer, doc, status, code, pointer):
    before = counts(t)
    r = submit(t, signer, doc)
    assert r.status == status, r
    e = r.json()["error"]
    assert e["code"] == code, e
    assert any(d["pointer"] == pointer for d in e["details"]) or \
        e.get("pointer") == pointer, e
    assert counts(t) == before, "a refused withdrawal changed something"
    return e


def test_another_organisation_may_not_withdraw(t):
    s = setup(t)
    seq = s["reg"].seqs.get("beta", 0) + 1
    # beta, a developer, and evalhouse, whose evaluation it is not
    refused(t, "beta", withdrawal("acme", "anvil", seq, s["own_eval"]),
            403, "wrong_organisation", "/withdraws")
    seq = s["reg"].seqs.get("evalhouse", 0) + 1
    refused(t, "evalhouse", withdrawal("acme", "anvil", seq, s["own_eval"]),
            403, "wrong_organisation", "/withdraws")
    # nor acme the third party's result about acme's own model
    seq = s["reg"].seqs.get("acme", 0) + 1
    refused(t, "acme", withdrawal("acme", "anvil", seq, s["third_eval"]),
            403, "wrong_organisation", "/withdraws")


def test_an_unknown_document_is_404(t):
    s = setup(t)
    seq = s["reg"].seqs.get("acme", 0) + 1
    refused(t, "acme", withdrawal("acme", "anvil", seq, "ab" * 32),
            404, "unknown_subject", "/withdraws")
    # a real document, named under another model
    refused(t, "acme", withdrawal("acme", "forge", seq, s["own_eval"]),
            404, "unknown_subject", "/withdraws")


def test_a_malformed_withdrawal_is_422_with_its_pointer(t):
    s = setup(t)
    seq = s["reg"].seqs.get("acme", 0) + 1
    doc = withdrawal("acme", "anvil", seq, s["own_eval"])
    doc["withdraws"] = "sha256:XYZ"
    refused(t, "acme", doc, 422, "validation_failed", "/withdraws")
    doc = withdrawal("acme", "anvil", seq, s["own_eval"], reason="x" * 2001)
    e = refused(t, "acme", doc, 422, "validation_failed", "/reason")
    assert e["details"], e


def test_the_signer_withdraws_once(t):
    s = setup(t)
    reg = s["reg"]
    doc = withdrawal("acme", "anvil", reg.next_seq("acme"), s["own_eval"],
                     reason="Scored on the validation split by mistake.")
    r = submit(t, "acme", doc)
    assert r.status == 201, r
    S["withdrawal"] = r.json()["payload_sha256"]
    rows = t.sql("SELECT w.org, w.reason, w.date::text,"
                 " encode(x.payload_sha256, 'hex'), s.kind"
                 " FROM withdrawals w JOIN submissions x ON"
                 " x.id = w.target_id JOIN submissions s ON"
                 " s.id = w.submission_id")
    assert rows == [["acme", "Scored on the validation split by mistake.",
                     doc["date"], s["own_eval"], "withdrawal"]], rows
    # the withdrawn eval is still stored
    assert int(t.sql("SELECT count(*) FROM evals e JOIN submissions x ON"
                     " x.id = e.submission_id WHERE x.payload_sha256 ="
                     " decode(:'p1', 'hex')", s["own_eval"])[0][0]) == 1
    # the same envelope again is the earlier acceptance
    again = reg.submit(mf.envelope(doc, [s["keys"]["acme"]],
                                   ptype=WITHDRAWAL))
    assert again.status in (200, 201), again
    # a second withdrawal of the same document: 409
    refused(t, "acme", withdrawal("acme", "anvil", reg.seqs["acme"] + 1,
                                  s["own_eval"], reason="Again."),
            409, "conflict", "/withdraws")


def test_the_withdrawal_is_logged_and_committed(t):
    s = setup(t)
    from test_publish import wait_published
    wait_published(t)
    idx = t.sql("SELECT log_index FROM submissions WHERE kind ="
                " 'withdrawal'")
    assert len(idx) == 1 and idx[0][0] is not None, idx
    repo = os.path.join(t.dir, "trust-clone")
    shutil.rmtree(repo, ignore_errors=True)
    sh("git", "clone", "-q", f"{t.server.url}/labels.git", repo)
    path = f"models/acme/anvil/withdrawals/{S['withdrawal'][:16]}.dsse.json"
    env = json.loads(sh("git", "-C", repo, "show", f"HEAD:{path}").stdout)
    assert env["payloadType"] == WITHDRAWAL
    # the withdrawn eval is still in git
    path = f"models/acme/anvil/evals/{s['own_eval'][:16]}.dsse.json"
    assert sh("git", "-C", repo, "show", f"HEAD:{path}").stdout


def eval_rows(label):
    ev = label["evals"]
    return {r["payload_sha256"]: r
            for r in ev["self_reported"] + ev["third_party"]}


def test_the_label_shows_the_withdrawal_at_the_withdrawn_eval(t):
    s = setup(t)
    from test_publish import wait_published
    wait_published(t)
    base = "/v1/models/acme/anvil"
    r = t.server.get(base + "/label.json")
    assert r.status == 200, r
    rows = eval_rows(r.json())
    w = rows[s["own_eval"]].get("withdrawn")
    assert w is not None, rows[s["own_eval"]]
    assert (w["by"], w["reason"]) == (
        "acme", "Scored on the validation split by mistake."), w
    assert w["on"] == t.sql("SELECT date::text FROM withdrawals")[0][0]
    assert "withdrawn" not in rows[s["third_eval"]]
    md = t.server.get(base + "/label.md")
    assert md.status == 200, md
    text = md.body.decode()
    want = (f"withdrawn by acme on {w['on']} because Scored on the "
            "validation split by mistake.")
    assert want in text, text
    html = t.server.get(base + "/label.html").body.decode()
    assert want in html
    # as of a log position before the withdrawal, it is not withdrawn
    before = int(t.sql("SELECT max(s.log_index) FROM submissions s"
                       " WHERE s.kind = 'eval-result'")[0][0])
    r = t.server.get(base + f"/label.json?as_of={before}")
    assert r.status == 200, r
    assert "withdrawn" not in eval_rows(r.json())[s["own_eval"]]
    # and in git, the label committed with the withdrawal says so
    repo = os.path.join(t.dir, "trust-clone")
    md = sh("git", "-C", repo, "show",
            "HEAD:models/acme/anvil/label.md").stdout
    assert want in md, md


def test_leaderboards_leave_the_withdrawn_result_out(t):
    s = setup(t)
    before = int(t.sql("SELECT max(s.log_index) FROM submissions s"
                       " WHERE s.kind = 'eval-result'")[0][0])
    # as of before the withdrawal, acme's GPQA result ranks
    r = t.server.get(f"/v1/benchmarks/gpqa?as_of={before}")
    assert r.status == 200, r
    assert [x["payload_sha256"] for x in r.json()["rows"]] == \
        [s["own_eval"]], r.json()
    ids = {b["id"] for b in
           t.server.get(f"/v1/benchmarks?as_of={before}").json()
           ["benchmarks"]}
    assert "gpqa" in ids, ids
    # now it is withdrawn: no GPQA result is left; HumanEval's stays
    r = t.server.get("/v1/benchmarks/gpqa")
    assert r.status == 404, r
    ids = {b["id"] for b in t.server.get("/v1/benchmarks").json()
           ["benchmarks"]}
    assert "gpqa" not in ids and "humaneval" in ids, ids
    r = t.server.get("/v1/benchmarks/humaneval")
    assert r.status == 200, r
    assert [x["payload_sha256"] for x in r.json()["rows"]] == \
        [s["third_eval"]]


def judges(t, query=""):
    r = t.server.get("/v1/models/acme/anvil/versions/1/judgements" + query)
    assert r.status == 200, r
    return [j["judge"] for j in r.json()["judgements"]]


def test_a_withdrawn_assessment_judges_no_more(t):
    s = setup(t)
    from test_publish import wait_published
    reg = s["reg"]
    s["keys"]["grader"] = mf.Key(t.dir, "grader", "ed25519")
    reg.create_org("grader", "assessor", s["keys"]["grader"])
    doc = mf.assessment("acme", "anvil", reg.next_seq("grader"))
    r = reg.submit(mf.envelope(doc, [s["keys"]["grader"]]))
    assert r.status == 201, r
    graded = r.json()["payload_sha256"]
    wait_published(t)
    before = int(t.sql("SELECT max(log_index) FROM submissions")[0][0])
    assert "grader" in judges(t), judges(t)
    assert t.sql("SELECT count(*) FROM judgement_facts WHERE judge ="
                 " 'grader' AND to_at IS NULL")[0][0] == "1"
    # acme may not withdraw the assessor's grading of its model
    refused(t, "acme", withdrawal("acme", "anvil", reg.seqs["acme"] + 1,
                                  graded),
            403, "wrong_organisation", "/withdraws")
    r = submit(t, "grader", withdrawal("acme", "anvil",
                                       reg.next_seq("grader"), graded,
                                       reason="Graded the wrong model."))
    assert r.status == 201, r
    wait_published(t)
    assert "grader" not in judges(t), judges(t)
    assert "grader" in judges(t, f"?as_of={before}")
    # the list facts agree: grader's row is closed, none open
    assert t.sql("SELECT count(*) FROM judgement_facts WHERE judge ="
                 " 'grader' AND to_at IS NULL")[0][0] == "0"
    lab = t.server.get("/v1/models/acme/anvil/label.json").json()
    assert "grader" not in json.dumps(lab["judgements"]), lab["judgements"]
