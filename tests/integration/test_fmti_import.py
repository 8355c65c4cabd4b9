"""The FMTI data set imported into a running registry by
`modelfacts import fmti --submit`: organisations, indices, disclosures and
assessments signed and submitted over HTTP; the labels then show the
published totals, computed by the registry's scoring."""
import os
import re

from harness import ROOT, SHARED, Skip, sh

CLI = os.path.join(ROOT, "bin", "modelfacts")


def run_import(t):
    if not os.path.isdir(os.path.join(SHARED, "fmti")):
        raise Skip(f"FMTI data not found at {SHARED}/fmti")
    return sh(CLI, "import", "fmti", os.path.join(SHARED, "fmti"), "--submit",
              "--url", t.server.url, "--token-file",
              os.path.join(t.server.state_dir, "admin.token"), "--keys",
              os.path.join(t.dir, "keys"))


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


def fmti_total(t, org, model, index):
    md = t.server.get(f"/v1/models/{org}/{model}/label.md").body.decode()
    m = re.search(re.escape(index) + r"[^\n]*?: (\d+)/100", md)
    assert m, md[-2000:]
    return int(m.group(1))


def test_labels_show_the_published_totals(t):
    assert fmti_total(t, "ibm", "flagship-2025-12", "fmti-2025") == 95
    assert fmti_total(t, "bigcode", "flagship-2024-05", "fmti-v1.1") == 85


def test_a_second_run_adds_versions(t):
    before = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    p = run_import(t)
    assert "registered 0 organisations and 0 indices" in p.stdout, p.stdout
    after = int(t.sql("SELECT count(*) FROM submissions")[0][0])
    assert after > before
    v = t.server.get("/v1/models/ibm/flagship-2025-12").json()
    assert v["version"] == 2
