"""Trust over time, finished (issue 15), through the real API, PostgreSQL
and git: a withdrawn disclosure version is marked on its label and leaves
the model's current facts (which fall back to the newest version that
still counts); a key revoked with `compromised_since` flags what it alone
signed in the window and discounts it from the revocation's log position
on; the organisation re-signs a flagged document under an active key as a
new acceptance, after which it counts again. as_of before each event
shows the registry as it was, and every refusal stores nothing."""
import json
import os
import shutil
import threading
import time

import mf
from harness import sh
from test_publish import wait_published

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
        "keyco": mf.Key(t.dir, "keyco", "ed25519"),
        "keyco-new": mf.Key(t.dir, "keyco-new", "ecdsa-p256"),
        "stranger": mf.Key(t.dir, "stranger", "ed25519"),
    }
    for org, role in (("acme", "developer"), ("beta", "developer"),
                      ("keyco", "developer")):
        reg.create_org(org, role, S["keys"][org])
    return S


def submit(t, signer, doc, ptype=None):
    s = setup(t)
    keys = [s["keys"][k] for k in
            (signer if isinstance(signer, list) else [signer])]
    return s["reg"].submit(mf.envelope(doc, keys, ptype=ptype))


def withdrawal(org, model, seq, target, reason):
    return {"type": "withdrawal", "registry": mf.ORIGIN,
            "subject": {"org": org, "model": model},
            "issued_at": mf.now(), "seq": seq,
            "withdraws": "sha256:" + target, "reason": reason,
            "date": mf.now()[:10]}


def state(t):
    """Everything a refusal must leave alone, facts included."""
    return (mf.Registry.counts(S["reg"], t),
            t.sql("SELECT (SELECT count(*) FROM withdrawals),"
                  " (SELECT count(*) FROM resignings),"
                  " (SELECT count(*) FROM list_facts),"
                  " (SELECT count(*) FROM judgement_facts),"
                  " (SELECT count(*) FROM publications)"))


def refused(t, signer, doc, status, code, ptype=None):
    before = state(t)
    r = submit(t, signer, doc, ptype)
    assert r.status == status, r
    assert r.json()["error"]["code"] == code, r.json()
    wait_published(t)
    assert state(t) == before, "a refused submission changed something"


def last_index(t):
    return int(t.sql("SELECT max(log_index) FROM submissions")[0][0])


def current(t, org, model):
    """The model's current version by the API, the label and the lists."""
    r = t.server.get(f"/v1/models/{org}/{model}")
    api = r.json()["version"] if r.status == 200 else None
    r = t.server.get(f"/v1/models/{org}/{model}/label.json")
    label = r.json()["registry"]["version"] if r.status == 200 else None
    rows = t.sql("SELECT version FROM list_facts WHERE org = :'p1'"
                 " AND model = :'p2' AND to_at IS NULL", org, model)
    facts = int(rows[0][0]) if rows else None
    listed = [m["version"] for m in
              t.server.get("/v1/models?limit=100").json()["models"]
              if (m["org"], m["model"]) == (org, model)]
    return api, label, facts, listed


# ---- 1. a withdrawn disclosure version ----

def test_withdrawn_disclosure_version(t):
    s = setup(t)
    reg = s["reg"]
    r = submit(t, "acme", mf.disclosure("acme", "hammer",
                                        reg.next_seq("acme")))
    assert r.status == 201, r
    v1 = r.json()["payload_sha256"]
    r = submit(t, "acme", mf.disclosure("acme", "hammer",
                                        reg.next_seq("acme"), supersedes="sha256:" + v1,
                                        name="disclosure-sparse.json"))
    assert r.status == 201, r
    v2 = r.json()["payload_sha256"]
    wait_published(t)
    before = last_index(t)
    assert current(t, "acme", "hammer") == (2, 2, 2, [2])
    # beta may not withdraw acme's version; an unknown digest is 404
    refused(t, "beta", withdrawal("acme", "hammer",
                                  reg.seqs.get("beta", 0) + 1, v2, "No."),
            403, "wrong_organisation", WITHDRAWAL)
    refused(t, "acme", withdrawal("acme", "hammer", reg.seqs["acme"] + 1,
                                  "cd" * 32, "No."),
            404, "unknown_subject", WITHDRAWAL)
    assert current(t, "acme", "hammer") == (2, 2, 2, [2])
    reason = "The parameter count was wrong."
    r = submit(t, "acme", withdrawal("acme", "hammer", reg.next_seq("acme"),
                                     v2, reason), WITHDRAWAL)
    assert r.status == 201, r
    wait_published(t)
    at = last_index(t)
    # the current facts fall back to version 1 everywhere
    assert current(t, "acme", "hammer") == (1, 1, 1, [1])
    # version 2's label, read now, says it was withdrawn, by whom and why
    base = "/v1/models/acme/hammer/versions/2"
    lab = t.server.get(base + f"/label.json?as_of={at}").json()
    w = lab.get("withdrawn")
    assert w is not None, lab.keys()
    on = t.sql("SELECT date::text FROM withdrawals")[0][0]
    assert w == {"by": "acme", "on": on, "reason": reason,
                 "log_index": at}, w
    want = f"withdrawn by acme on {on} because {reason}"
    md = t.server.get(base + f"/label.md?as_of={at}").body.decode()
    assert want in md, md
    html = t.server.get(base + f"/label.html?as_of={at}").body.decode()
    assert want in html
    # the site's model page says so too, and shows version 1's label;
    # version 2's page shows its label as of the withdrawal
    r = t.server.get("/models/acme/hammer")
    assert r.status == 200, r
    page = r.body.decode()
    assert want in page, page
    assert "This version was withdrawn" not in page
    r = t.server.get("/models/acme/hammer?version=2")
    assert r.status == 200, r
    assert "This version was withdrawn by acme" in r.body.decode()
    # version 1 is not marked
    assert "withdrawn" not in t.server.get(
        "/v1/models/acme/hammer/label.json").json()
    # as of before the withdrawal: version 2, current and unmarked
    assert t.server.get(f"/v1/models/acme/hammer?as_of={before}").json()[
        "version"] == 2
    lab = t.server.get(f"/v1/models/acme/hammer/label.json?as_of={before}")
    assert lab.json()["registry"]["version"] == 2
    assert "withdrawn" not in lab.json()
    assert "withdrawn" not in t.server.get(
        base + f"/label.json?as_of={before}").json()
    listed = [m["version"] for m in t.server.get(
        f"/v1/models?limit=100&as_of={before}").json()["models"]
        if m["model"] == "hammer"]
    assert listed == [2], listed
    # both versions withdrawn: no current disclosure at all
    r = submit(t, "acme", withdrawal("acme", "hammer", reg.next_seq("acme"),
                                     v1, "Retired."), WITHDRAWAL)
    assert r.status == 201, r
    wait_published(t)
    # nor does coverage count it, unless as of before
    cov = "/v1/indices/modelfacts-v1/coverage?org=acme"
    assert t.server.get(cov).json()["models"] == 0
    assert t.server.get(cov + f"&as_of={before}").json()["models"] == 1
    # no current disclosure: the model record is 404 and no list shows
    # it; its current label is the newest version's, saying it was
    # withdrawn
    assert current(t, "acme", "hammer") == (None, 2, None, [])
    lab = t.server.get("/v1/models/acme/hammer/label.json").json()
    assert lab["withdrawn"]["reason"] == reason, lab.get("withdrawn")
    # the model page still says what happened to each version
    r = t.server.get("/models/acme/hammer")
    assert r.status == 200, r
    page = r.body.decode()
    assert want in page and "Version 1 was withdrawn by acme" in page


def test_withdrawn_version_label_in_git(t):
    setup(t)
    wait_published(t)
    repo = os.path.join(t.dir, "trust-keys-clone")
    shutil.rmtree(repo, ignore_errors=True)
    sh("git", "clone", "-q", f"{t.server.url}/labels.git", repo)
    log = sh("git", "-C", repo, "log", "--format=%H %s").stdout
    commits = [x.split()[0] for x in log.splitlines()
               if "withdrawal: acme/hammer" in x]
    assert len(commits) == 2, log
    # the label committed with the first withdrawal: version 1's; with
    # the second: version 2's, marked withdrawn
    path = "models/acme/hammer/label.json"
    first = json.loads(sh("git", "-C", repo, "show",
                          f"{commits[1]}:{path}").stdout)
    assert first["registry"]["version"] == 1 and "withdrawn" not in first
    second = json.loads(sh("git", "-C", repo, "show",
                           f"{commits[0]}:{path}").stdout)
    assert second["registry"]["version"] == 2, second["registry"]
    assert second["withdrawn"]["by"] == "acme"
    md = sh("git", "-C", repo, "show",
            f"{commits[0]}:models/acme/hammer/label.md").stdout
    assert "This version was withdrawn by acme" in md, md


# ---- 2. compromised keys, 3. re-signing ----

def sign_in_window(t):
    """keyco: one disclosure before the compromise, then (in the window)
    version 2 and a self-reported eval, all by its first key; a second
    key added; then the first revoked as compromised since the window's
    start, signed by the second."""
    s = setup(t)
    reg = s["reg"]
    if "since" in s:
        return s
    doc = mf.key_event("keyco", reg.next_seq("keyco"), "add",
                       new_key=s["keys"]["keyco-new"])
    r = submit(t, ["keyco", "keyco-new"], doc)
    assert r.status == 201, r
    s["lock1_doc"] = mf.disclosure("keyco", "lock", reg.next_seq("keyco"))
    r = submit(t, "keyco", s["lock1_doc"])
    assert r.status == 201, r
    s["lock1"] = r.json()["payload_sha256"]
    time.sleep(1.2)
    s["since"] = mf.now()
    time.sleep(1.2)
    s["lock2_doc"] = mf.disclosure("keyco", "lock", reg.next_seq("keyco"),
                                   supersedes="sha256:" + s["lock1"],
                                   name="disclosure-sparse.json")
    r = submit(t, "keyco", s["lock2_doc"])
    assert r.status == 201, r
    s["lock2"] = r.json()["payload_sha256"]
    s["eval_doc"] = mf.eval_result("keyco", "lock", reg.next_seq("keyco"),
                                   False, disclosure_sha=s["lock2"])
    r = submit(t, "keyco", s["eval_doc"])
    assert r.status == 201, r
    s["eval"] = r.json()["payload_sha256"]
    wait_published(t)
    s["before"] = last_index(t)
    assert current(t, "keyco", "lock") == (2, 2, 2, [2])
    doc = mf.key_event("keyco", reg.next_seq("keyco"), "revoke",
                       target=s["keys"]["keyco"].keyid)
    doc["compromised_since"] = s["since"]
    r = submit(t, "keyco-new", doc)
    assert r.status == 201, r
    wait_published(t)
    s["revoked"] = last_index(t)
    return s


def benchmark_rows(t, query=""):
    r = t.server.get("/v1/benchmarks/gpqa" + query)
    if r.status == 404:
        return []
    assert r.status == 200, r
    return [x["payload_sha256"] for x in r.json()["rows"]]


def test_compromised_key_flags_and_discounts(t):
    s = sign_in_window(t)
    keyid = s["keys"]["keyco"].keyid
    # version 2 (in the window) no longer counts: version 1 (before it)
    # is current
    assert current(t, "keyco", "lock") == (1, 1, 1, [1])
    base = "/v1/models/keyco/lock/versions/2"
    at = s["revoked"]
    lab = t.server.get(base + f"/label.json?as_of={at}").json()
    c = lab.get("compromised")
    assert c is not None, lab.keys()
    revoked_at = t.sql("SELECT to_char(accepted_at AT TIME ZONE 'UTC',"
                       " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM"
                       " submissions WHERE log_index = :'p1'", str(at))
    assert c == {"keyid": keyid, "since": s["since"],
                 "revoked_at": revoked_at[0][0], "log_index": at}, c
    want = f"signed by a key reported compromised since {s['since']}"
    md = t.server.get(base + f"/label.md?as_of={at}").body.decode()
    assert want in md, md
    html = t.server.get(base + f"/label.html?as_of={at}").body.decode()
    assert want in html
    assert want in t.server.get("/models/keyco/lock").body.decode()
    # version 1, signed before compromised_since, is not flagged
    assert "compromised" not in t.server.get(
        "/v1/models/keyco/lock/label.json").json()
    # the eval in the window is flagged on the label, off the leaderboard
    ev = t.server.get(f"/v1/models/keyco/lock/label.json?as_of={at}")
    rows = {r["payload_sha256"]: r for r in
            ev.json()["evals"]["self_reported"]}
    assert rows[s["eval"]]["compromised"]["keyid"] == keyid
    assert s["eval"] not in benchmark_rows(t)
    # as of before the revocation: as it was
    before = s["before"]
    assert s["eval"] in benchmark_rows(t, f"?as_of={before}")
    lab = t.server.get(f"/v1/models/keyco/lock/label.json?as_of={before}")
    assert lab.json()["registry"]["version"] == 2
    assert "compromised" not in lab.json()
    assert t.server.get(f"/v1/models/keyco/lock?as_of={before}").json()[
        "version"] == 2


def test_resigning_refusals_change_nothing(t):
    s = sign_in_window(t)
    # another organisation's key does not make it theirs
    refused(t, "acme", s["lock2_doc"], 403, "wrong_organisation")
    # the compromised key cannot re-sign it (a co-signer it does not
    # know makes the envelope a new one)
    refused(t, ["keyco", "stranger"], s["eval_doc"], 403, "key_revoked")
    # an unflagged document in a new envelope is the earlier acceptance
    before = state(t)
    r = s["reg"].submit(mf.envelope(s["lock1_doc"],
                                    [s["keys"]["keyco-new"]]))
    assert r.status == 200, r
    wait_published(t)
    assert state(t) == before


def test_resigning_is_a_new_acceptance_and_counts_again(t):
    s = sign_in_window(t)
    before = state(t)
    env = mf.envelope(s["lock2_doc"], [s["keys"]["keyco-new"]])
    r = s["reg"].submit(env)
    assert r.status == 201, r
    body = r.json()
    assert body["payload_sha256"] == s["lock2"], body
    assert (body["kind"], body["version"]) == ("resigning", 2), body
    first = t.sql("SELECT log_index FROM submissions WHERE payload_sha256"
                  " = decode(:'p1', 'hex') AND kind = 'disclosure'",
                  s["lock2"])[0][0]
    assert body["resigns"]["log_index"] == int(first), body
    wait_published(t)
    rows = t.sql("SELECT s.kind, s.signer_keyids[1], o.payload_sha256 ="
                 " s.payload_sha256 FROM resignings g JOIN submissions s"
                 " ON s.id = g.submission_id JOIN submissions o"
                 " ON o.id = g.original_id")
    assert rows == [["resigning", s["keys"]["keyco-new"].keyid, "t"]], rows
    after = state(t)
    assert int(after[0][0]) == int(before[0][0]) + 1  # one submission
    resigned = last_index(t)
    # version 2 counts again, unflagged
    assert current(t, "keyco", "lock") == (2, 2, 2, [2])
    assert "compromised" not in t.server.get(
        "/v1/models/keyco/lock/label.json").json()
    # as of the revocation, before the re-signing: still flagged
    assert "compromised" in t.server.get(
        f"/v1/models/keyco/lock/versions/2/label.json?as_of="
        f"{s['revoked']}").json()
    # the same envelope again: 200, nothing new
    again = s["reg"].submit(env)
    assert again.status == 200, again
    wait_published(t)
    assert state(t) == after
    # a logged entry and a commit of its own
    repo = os.path.join(t.dir, "trust-keys-clone2")
    shutil.rmtree(repo, ignore_errors=True)
    sh("git", "clone", "-q", f"{t.server.url}/labels.git", repo)
    path = (f"models/keyco/lock/resignings/{s['lock2'][:16]}-"
            f"{resigned}.dsse.json")
    got = json.loads(sh("git", "-C", repo, "show", f"HEAD:{path}").stdout)
    assert got["signatures"][0]["keyid"] == s["keys"]["keyco-new"].keyid
    # the eval re-signed: back on the leaderboard
    assert s["eval"] not in benchmark_rows(t)
    r = s["reg"].submit(mf.envelope(s["eval_doc"],
                                    [s["keys"]["keyco-new"]]))
    assert r.status == 201, r
    wait_published(t)
    assert s["eval"] in benchmark_rows(t)
    # a third envelope of a re-signed document is the earlier acceptance
    r = s["reg"].submit(mf.envelope(s["eval_doc"],
                                    [s["keys"]["keyco-new"],
                                     s["keys"]["stranger"]]))
    assert r.status == 200, r


def exported(t, org, model, query=""):
    r = t.server.get("/v1/indices/modelfacts-v1/export?format=jsonl" +
                     query)
    assert r.status == 200, r
    rows = [json.loads(x) for x in r.body.decode().splitlines() if x]
    return [x["version"] for x in rows
            if (x["org"], x["model"]) == (org, model)]


def test_index_export_leaves_discounted_versions_out(t):
    s = sign_in_window(t)
    # keyco/lock: version 2 re-signed by now, so both count; as of the
    # revocation only version 1 did, and before it both
    assert exported(t, "keyco", "lock") == [1, 2]
    assert exported(t, "keyco", "lock", f"&as_of={s['revoked']}") == [1]
    assert exported(t, "keyco", "lock", f"&as_of={s['before']}") == [1, 2]
    # acme/hammer: both versions withdrawn
    assert exported(t, "acme", "hammer") == []


def judges(t, org, model, version, query=""):
    r = t.server.get(f"/v1/models/{org}/{model}/versions/{version}"
                     f"/judgements{query}")
    assert r.status == 200, r
    return sorted(j["judge"] for j in r.json()["judgements"])


def open_judges(t, org, model):
    return sorted(r[0] for r in t.sql(
        "SELECT judge FROM judgement_facts WHERE org = :'p1' AND"
        " model = :'p2' AND to_at IS NULL AND judge NOT IN ('*', 'auto')",
        org, model))


def test_a_compromised_assessment_judges_no_more_until_re_signed(t):
    s = setup(t)
    reg = s["reg"]
    s["keys"]["grader"] = mf.Key(t.dir, "grader", "ed25519")
    s["keys"]["grader-new"] = mf.Key(t.dir, "grader-new", "ed25519")
    reg.create_org("grader", "assessor", s["keys"]["grader"])
    doc = mf.key_event("grader", reg.next_seq("grader"), "add",
                       new_key=s["keys"]["grader-new"])
    assert submit(t, ["grader", "grader-new"], doc).status == 201
    r = submit(t, "acme", mf.disclosure("acme", "chisel",
                                        reg.next_seq("acme")))
    assert r.status == 201, r
    since = mf.now()
    time.sleep(1.2)
    graded = mf.assessment("acme", "chisel", reg.next_seq("grader"))
    assert submit(t, "grader", graded).status == 201
    wait_published(t)
    before = last_index(t)
    assert "grader" in judges(t, "acme", "chisel", 1)
    assert open_judges(t, "acme", "chisel") == ["grader"]
    doc = mf.key_event("grader", reg.next_seq("grader"), "revoke",
                       target=s["keys"]["grader"].keyid)
    doc["compromised_since"] = since
    assert submit(t, "grader-new", doc).status == 201
    wait_published(t)
    revoked = last_index(t)
    assert "grader" not in judges(t, "acme", "chisel", 1)
    assert open_judges(t, "acme", "chisel") == []
    assert "grader" in judges(t, "acme", "chisel", 1, f"?as_of={before}")
    # the label says whose assessment no longer judges, and why
    lab = t.server.get("/v1/models/acme/chisel/label.json").json()
    flagged = lab.get("compromised_assessments")
    assert [(x["assessor"], x["compromised"]["keyid"],
             x["compromised"]["since"]) for x in flagged or []] == [
        ("grader", s["keys"]["grader"].keyid, since)], flagged
    html = t.server.get("/v1/models/acme/chisel/label.html").body.decode()
    assert (f"An assessment by grader (modelfacts-v1) is signed by a key"
            f" reported compromised since {since}") in html, html
    md = t.server.get("/v1/models/acme/chisel/label.md").body.decode()
    assert "An assessment by grader" in md, md
    assert "compromised_assessments" not in t.server.get(
        f"/v1/models/acme/chisel/label.json?as_of={before}").json()
    # re-signed by the assessor's new key: it judges again
    assert submit(t, "grader-new", graded).status == 201
    wait_published(t)
    assert "grader" in judges(t, "acme", "chisel", 1)
    assert open_judges(t, "acme", "chisel") == ["grader"]
    assert "grader" not in judges(t, "acme", "chisel", 1,
                                  f"?as_of={revoked}")
    assert "compromised_assessments" not in t.server.get(
        "/v1/models/acme/chisel/label.json").json()


def test_racing_resignings_exactly_one_is_new(t):
    s = setup(t)
    reg = s["reg"]
    old = mf.Key(t.dir, "raceco", "ed25519")
    new = mf.Key(t.dir, "raceco-new", "ed25519")
    other = s["keys"]["stranger"]
    reg.create_org("raceco", "developer", old)
    doc = mf.key_event("raceco", reg.next_seq("raceco"), "add", new_key=new)
    assert reg.submit(mf.envelope(doc, [old, new])).status == 201
    since = mf.now()
    time.sleep(1.2)
    disclosure = mf.disclosure("raceco", "dash", reg.next_seq("raceco"))
    assert reg.submit(mf.envelope(disclosure, [old])).status == 201
    doc = mf.key_event("raceco", reg.next_seq("raceco"), "revoke",
                       target=old.keyid)
    doc["compromised_since"] = since
    assert reg.submit(mf.envelope(doc, [new])).status == 201
    wait_published(t)
    assert current(t, "raceco", "dash") == (None, 1, None, [])
    # two different envelopes re-signing it at once: one new acceptance
    envs = [mf.envelope(disclosure, [new]),
            mf.envelope(disclosure, [new, other])]
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
    assert sorted(r.status for r in results) == [200, 201], results
    assert t.sql("SELECT count(*) FROM resignings g JOIN submissions s"
                 " ON s.id = g.original_id WHERE s.subject_org ="
                 " 'raceco'")[0][0] == "1"
    wait_published(t)
    assert current(t, "raceco", "dash") == (1, 1, 1, [1])


def test_an_assessed_model_whose_versions_are_withdrawn_is_assessment_only(
        t):
    s = setup(t)
    reg = s["reg"]
    s["keys"]["rater"] = mf.Key(t.dir, "rater", "ed25519")
    reg.create_org("rater", "assessor", s["keys"]["rater"])
    r = submit(t, "acme", mf.disclosure("acme", "saw", reg.next_seq("acme")))
    assert r.status == 201, r
    v1 = r.json()["payload_sha256"]
    graded = mf.assessment("acme", "saw", reg.next_seq("rater"))
    graded["model_name"] = "Saw"
    assert submit(t, "rater", graded).status == 201
    wait_published(t)
    assert current(t, "acme", "saw") == (1, 1, 1, [1])
    r = submit(t, "acme", withdrawal("acme", "saw", reg.next_seq("acme"),
                                     v1, "Never released."), WITHDRAWAL)
    assert r.status == 201, r
    wait_published(t)
    # listed as a model only assessed, judged by the rater
    listed = [m for m in t.server.get("/v1/models?limit=100").json()[
        "models"] if m["model"] == "saw"]
    assert [(m["version"], m["assessment_only"]) for m in listed] == [
        (None, True)], listed
    assert t.sql("SELECT count(*) FROM judgement_facts WHERE org = 'acme'"
                 " AND model = 'saw' AND version = 0 AND judge = 'rater'"
                 " AND to_at IS NULL")[0][0] == "1"
    lab = t.server.get("/v1/models/acme/saw/label.json").json()
    assert lab["assessment_only"] is True
    # the rater withdraws its assessment too: nothing is listed
    r = submit(t, "rater", withdrawal("acme", "saw", reg.next_seq("rater"),
                                      mf.sha256_hex(json.dumps(
                                          graded, indent=1).encode()),
                                      "Wrong model."), WITHDRAWAL)
    assert r.status == 201, r
    wait_published(t)
    assert current(t, "acme", "saw")[2:] == (None, [])
