"""The FMTI data set imported into a running registry by
`modelfacts import fmti --submit`: organisations, indices, disclosures and
assessments signed and submitted over HTTP; the labels then show the
published totals, computed by the registry's scoring."""
import base64
import json
import os
import re
import shutil

from harness import ROOT, SHARED, Skip, sh

CLI = os.path.join(ROOT, "bin", "modelfacts")


def run_import(t, data=None):
    if not os.path.isdir(os.path.join(SHARED, "fmti")):
        raise Skip(f"FMTI data not found at {SHARED}/fmti")
    return sh(CLI, "import", "fmti", data or os.path.join(SHARED, "fmti"),
              "--submit", "--url", t.server.url, "--token-file",
              os.path.join(t.server.state_dir, "admin.token"), "--keys",
              os.path.join(t.dir, "keys"))


def submitted(p):
    m = re.search(r"submitted (\d+) disclosures and (\d+) assessments",
                  p.stdout)
    assert m, p.stdout
    return int(m.group(1)), int(m.group(2))


def test_import_submits_everything(t):
    p = run_import(t)
    m = re.search(r"registered (\d+) organisations and (\d+) indices; "
                  r"submitted (\d+) disclosures and (\d+) assessments",
                  p.stdout)
    assert m, p.stdout
    orgs, indices, disclosures, assessments = map(int, m.groups())
    assert indices == 3 and assessments == 37 and disclosures > 0, p.stdout
    listed = t.server.get("/v1/orgs").json()["orgs"]
    assert len(listed) == orgs and {"fmti", "meta", "ibm"} <= {
        o["org"] for o in listed}
    ids = [i["id"] for i in t.server.get("/v1/indices").json()["indices"]]
    assert ids == ["modelfacts-v1", "fmti-2025", "fmti-v1.0", "fmti-v1.1"]
    # Transcribed, not impersonated (DESIGN.md section 2): the curator
    # signed every document; no developer and not the assessor holds a
    # key; every grading is attributed to the FMTI assessors.
    roles = {o["org"]: o["role"] for o in listed}
    assert roles["fmti-import"] == "curator" and roles["fmti"] == "assessor"
    assert t.sql("SELECT DISTINCT org FROM submissions") == [["fmti-import"]]
    assert t.sql("SELECT DISTINCT org FROM keys") == [["fmti-import"]]
    assert t.sql("SELECT DISTINCT assessor, count(*) FROM assessments"
                 " GROUP BY assessor") == [["fmti", "37"]]
    assert t.sql("SELECT count(*) FROM submissions"
                 " WHERE payload::json -> 'transcribed_from' IS NULL") == \
        [["0"]]


def fmti_total(t, org, model, index):
    md = t.server.get(f"/v1/models/{org}/{model}/label.md").body.decode()
    m = re.search(re.escape(index) + r"[^\n]*?: (\d+)/100", md)
    assert m, md[-2000:]
    return int(m.group(1))


def test_labels_show_the_published_totals(t):
    assert fmti_total(t, "ibm", "granite-3-0", "fmti-2025") == 95
    assert fmti_total(t, "bigcode", "starcoder", "fmti-v1.1") == 85


def test_every_assessment_has_a_page_a_label_and_its_total(t):
    """All 37 FMTI assessments (10 + 14 + 13): the model answers 200, its
    label answers 200 in every form, and the FMTI judgement of the version
    it concerns reproduces the published total exactly."""
    rows = t.sql("SELECT a.org, a.model, coalesce(a.version, 0),"
                 " a.index_id, a.total FROM assessments a"
                 " ORDER BY a.index_id, a.org")
    assert len(rows) == 37, rows
    published = {("fmti-v1.0", "meta"): 54, ("fmti-v1.0", "hugging-face"): 53,
                 ("fmti-v1.0", "openai"): 48, ("fmti-v1.1", "bigcode"): 85,
                 ("fmti-2025", "ibm"): 95}
    seen = 0
    for org, model, version, index, total in rows:
        assert t.server.get(f"/v1/models/{org}/{model}").status == 200
        for form in ("label.md", "label.json", "label.html"):
            r = t.server.get(f"/v1/models/{org}/{model}/{form}")
            assert r.status == 200, (org, model, form, r)
        version = int(version)
        if version == 0:  # about the model: its current version, if any
            version = t.server.get(f"/v1/models/{org}/{model}").json()[
                "latest_version"]
        r = t.server.get(f"/v1/models/{org}/{model}/versions/{version}"
                         "/judgements")
        assert r.status == 200, (org, model, version, r)
        js = r.json()
        fmti = [j for j in js["judgements"]
                if j["judge"] == "fmti" and j["index"] == index]
        assert len(fmti) == 1, (org, model, index, js["judgements"])
        assert fmti[0]["score"]["score"] == int(total), (org, model, index)
        if (index, org) in published:
            assert int(total) == published[(index, org)], (org, total)
            seen += 1
    assert seen == len(published)


def test_2025_labels_show_every_scored_key_fact_as_disclosed(t):
    """For every 2025 developer: each key fact of its label whose FMTI
    2025 indicator (through the crosswalk) the experts scored 1 reads as
    disclosed, in the report's words (the answer text is on the label)."""
    import csv
    with open(os.path.join(ROOT, "schema", "crosswalk", "fmti-2025.csv"),
              encoding="utf-8") as f:
        pointers = [r["pointer"] for r in csv.DictReader(f)]
    with open(os.path.join(SHARED, "fmti", "v2025", "Dec2025_scores.csv"),
              encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, scores = rows[0], rows[1:101]
    models = {(r[0], r[1]) for r in t.sql(
        "SELECT a.org, a.model FROM assessments a"
        " WHERE a.index_id = 'fmti-2025'")}
    assert len(models) == 13, models
    checked = 0
    for org, model in sorted(models):
        label = t.server.get(f"/v1/models/{org}/{model}/label.json").json()
        facts = {v.get("pointer"): v for v in label["key_facts"].values()
                 if isinstance(v, dict)}
        names = {o["org"]: o["name"] for o in
                 t.server.get("/v1/orgs").json()["orgs"]}
        col = [i for i, h in enumerate(header)
               if h.strip() and mf_slug(h) == org]
        assert len(col) == 1, (org, header, names.get(org))
        for k, row in enumerate(scores):
            if row[col[0]].strip() != "1" or pointers[k] not in facts:
                continue
            fact = facts[pointers[k]]
            assert fact["status"] == "disclosed", (org, pointers[k], fact)
            assert fact.get("explanation") or fact.get("display") or \
                fact.get("value"), (org, pointers[k], fact)
            checked += 1
    assert checked >= 13, checked


def mf_slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")


def test_real_model_names(t):
    """Models carry the names the data gives; Llama 2, graded in 2023 and
    2024, is one model with the 2024 report as its disclosure."""
    m = t.server.get("/v1/models/meta/llama-2").json()
    assert m["version"] == 1, m
    h = t.server.get("/v1/models/meta/llama-2/history").json()["history"]
    assert [e["kind"] for e in h] == ["assessment", "disclosure",
                                      "assessment"], h
    env = t.server.get("/v1/models/ibm/granite-3-0/versions/1/envelope")
    payload = json.loads(base64.b64decode(env.json()["payload"]))
    assert payload["identity"]["name"] == "Granite 3.0"
    src = payload["transcribed_from"]
    assert src["prepared_by"] == "IBM" and src["license"] == "CC-BY-4.0"
    assert payload["data"]["size"]["value"]["amount"] == 12e12


def test_a_second_run_submits_nothing(t):
    before = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    p = run_import(t)
    assert "registered 0 organisations and 0 indices" in p.stdout, p.stdout
    assert submitted(p) == (0, 0), p.stdout
    assert "nothing submitted" in p.stdout, p.stdout
    after = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    assert after == before
    assert t.server.get("/v1/models/ibm/granite-3-0").json()["version"] == 1


def test_a_changed_report_submits_one_version(t):
    """One answer of IBM's 2025 report edited: exactly one new version."""
    src = os.path.join(SHARED, "fmti")
    data = os.path.join(t.dir, "fmti")
    shutil.copytree(src, data)
    for root, dirs, files in os.walk(data):  # the shared copy is read-only
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o755 if n in dirs else 0o644)
    rel = os.path.join("v2025", "reports",
                      "IBM_fmtransparencyreport_Dec2025.csv")
    path = os.path.join(data, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert "Power Usage Effectivess" in text
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("Power Usage Effectivess",
                             "Power Usage Effectiveness", 1))
    p = run_import(t, data)
    assert submitted(p) == (1, 0), p.stdout
    v = t.server.get("/v1/models/ibm/granite-3-0").json()
    assert v["version"] == 2
