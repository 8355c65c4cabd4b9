"""Repeated runs of one measurement on a label (issue 15, finding 3): an
evaluator that runs the same benchmark, metric and settings on a model
again and again gets one row on the label, the newest run that counts,
with `earlier_runs`; every run stays in the log, in git's evals/ and in
GET .../evals. Another metric keeps its own row; a withdrawn newest run
is shown as withdrawn and the run before it stands. Through the real API,
PostgreSQL (the label query folds there, db/sql.c) and git."""
import copy
import os

import mf
from harness import sh
from test_publish import clone, wait_published
from test_trust import WITHDRAWAL, withdrawal

S = {}
RUNS = 12


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    keys = {"acme": mf.Key(t.dir, "acme", "ed25519"),
            "evalhouse": mf.Key(t.dir, "evalhouse", "ed25519")}
    reg.create_org("acme", "developer", keys["acme"])
    reg.create_org("evalhouse", "evaluator", keys["evalhouse"])
    r = reg.submit(mf.envelope(
        mf.disclosure("acme", "anvil", reg.next_seq("acme")),
        [keys["acme"]]))
    assert r.status == 201, r
    shas = []
    for i in range(RUNS):
        doc = mf.eval_result("acme", "anvil", reg.next_seq("evalhouse"),
                             True)
        doc["value"] = round(0.30 + i / 100, 3)  # each run its own outcome
        r = reg.submit(mf.envelope(doc, [keys["evalhouse"]]))
        assert r.status == 201, r
        shas.append(r.json()["payload_sha256"])
    other = mf.eval_result("acme", "anvil", reg.next_seq("evalhouse"), True)
    other["metric"] = dict(other["metric"], name="pass@10")
    r = reg.submit(mf.envelope(other, [keys["evalhouse"]]))
    assert r.status == 201, r
    S.update(reg=reg, keys=keys, shas=shas, other=r.json()["payload_sha256"])
    return S


def third_party(t, query=""):
    r = t.server.get("/v1/models/acme/anvil/label.json" + query)
    assert r.status == 200, r
    return r.json()["evals"]["third_party"]


def test_repeated_runs_are_one_row_with_a_count(t):
    s = setup(t)
    rows = third_party(t)
    by = {r["payload_sha256"]: r for r in rows}
    assert len(rows) == 2, [r["metric"] for r in rows]
    newest = by[s["shas"][-1]]
    assert newest["earlier_runs"] == RUNS - 1, newest
    assert newest["value"] == round(0.30 + (RUNS - 1) / 100, 3)
    assert "earlier_runs" not in by[s["other"]]
    md = t.server.get("/v1/models/acme/anvil/label.md").body.decode()
    assert f"the newest of {RUNS} runs" in md
    # every run is still listed by the evals endpoint
    r = t.server.get("/v1/models/acme/anvil/evals")
    assert r.status == 200, r
    listed = r.body.decode()
    assert all(sha in listed for sha in s["shas"])
    # as of the fifth run, the fifth stands for five
    at = int(t.sql("SELECT log_index FROM submissions WHERE"
                   " encode(payload_sha256, 'hex') = :'p1'", s["shas"][4])[0][0])
    rows = third_party(t, f"?as_of={at}")
    assert [(r["payload_sha256"], r.get("earlier_runs")) for r in rows] == [
        (s["shas"][4], 4)], rows


def test_a_withdrawn_newest_run_leaves_the_one_before(t):
    s = setup(t)
    reg = s["reg"]
    doc = withdrawal("evalhouse", "anvil", reg.next_seq("evalhouse"),
                     s["shas"][-1], reason="Wrong split.")
    doc["subject"]["org"] = "acme"
    r = reg.submit(mf.envelope(doc, [s["keys"]["evalhouse"]],
                               ptype=WITHDRAWAL))
    assert r.status == 201, r
    rows = {r["payload_sha256"]: r for r in third_party(t)}
    assert rows[s["shas"][-1]]["withdrawn"]["reason"] == "Wrong split."
    assert "earlier_runs" not in rows[s["shas"][-1]]
    assert rows[s["shas"][-2]]["earlier_runs"] == RUNS - 2
    assert len(rows) == 3, list(rows)


def test_git_holds_every_run_and_the_folded_label(t):
    s = setup(t)
    wait_published(t)
    repo = clone(t, t.server, "runs-clone")
    files = sh("git", "-C", repo, "ls-tree", "--name-only",
               "HEAD:models/acme/anvil/evals/").stdout.split()
    for sha in s["shas"] + [s["other"]]:
        assert any(f.startswith(sha[:16]) for f in files), (sha, files)
    label = sh("git", "-C", repo, "show",
               "HEAD:models/acme/anvil/label.md").stdout
    assert f"the newest of {RUNS - 1} runs" in label, label[-2000:]
