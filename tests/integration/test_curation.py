"""Transcribed documents (DESIGN.md section 2, issue 12): a curator signs
what it transcribes from public data written by others, for any
organisation the registry knows, and only that; nobody else may claim a
document is transcribed. Every refusal stores nothing."""
import mf

S = {}


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["curator"] = mf.Key(t.dir, "curator", "ed25519")
    S["dev"] = mf.Key(t.dir, "dev", "ed25519")
    S["assessor"] = mf.Key(t.dir, "assessor", "ed25519")
    reg.create_org("importer", "curator", S["curator"],
                   name="Registry importer")
    reg.create_org("ibm", "developer", S["dev"], name="IBM")
    reg.create_org("fmti", "assessor", S["assessor"], name="FMTI")
    return S


def source(prepared_by="IBM"):
    return {"dataset": "Foundation Model Transparency Index",
            "edition": "2025",
            "file": "v2025/reports/IBM_fmtransparencyreport_Dec2025.csv",
            "rows": "1-100", "prepared_by": prepared_by,
            "license": "CC-BY-4.0",
            "attribution": "Bommasani et al., The Foundation Model "
                           "Transparency Index (CC BY 4.0)"}


def refused(t, doc, key, code, pointer):
    s = setup(t)
    before = s["reg"].counts(t)
    r = s["reg"].submit(mf.envelope(doc, [key]))
    assert r.status == 403, r
    err = r.json()["error"]
    assert err["code"] == code, err
    assert err.get("pointer") == pointer or any(
        d.get("pointer") == pointer for d in err.get("details", [])), err
    assert s["reg"].counts(t) == before, "a refusal changed state"


def test_curator_transcribes_a_disclosure_for_a_developer(t):
    s = setup(t)
    doc = mf.disclosure("ibm", "granite-3", s["reg"].next_seq("importer"))
    doc["transcribed_from"] = source()
    r = s["reg"].submit(mf.envelope(doc, [s["curator"]]))
    assert r.status == 201, r
    v = t.server.get("/v1/models/ibm/granite-3/versions/1").json()
    assert v["facts"]["transcribed_from"]["prepared_by"] == "IBM", v
    # signed by the curator's key, not by any key of IBM's
    assert v["signed_by"] == [s["curator"].keyid], v


def test_curator_transcribes_an_assessment_for_its_assessor(t):
    s = setup(t)
    doc = mf.assessment("ibm", "granite-3", s["reg"].next_seq("importer"))
    doc["transcribed_from"] = source("the FMTI team")
    doc["assessor"] = "fmti"
    r = s["reg"].submit(mf.envelope(doc, [s["curator"]]))
    assert r.status == 201, r
    # the judgement is the assessor's, the signature the curator's
    rows = t.sql("SELECT a.assessor, s.org FROM assessments a JOIN"
                 " submissions s ON s.id = a.submission_id"
                 " WHERE a.org = 'ibm' AND a.model = 'granite-3'")
    assert rows == [["fmti", "importer"]], rows


def test_a_transcribed_assessment_names_a_registered_assessor(t):
    s = setup(t)
    doc = mf.assessment("ibm", "granite-3", s["reg"].seqs["importer"] + 1)
    doc["transcribed_from"] = source("the FMTI team")
    refused(t, doc, s["curator"], "role_not_permitted", "/assessor")
    doc["assessor"] = "ibm"  # a developer, not an assessor
    refused(t, doc, s["curator"], "role_not_permitted", "/assessor")
    doc["assessor"] = "nobody"
    refused(t, doc, s["curator"], "role_not_permitted", "/assessor")


def test_an_assessor_signs_its_own_grading(t):
    s = setup(t)
    doc = mf.assessment("ibm", "granite-3", s["reg"].next_seq("fmti"))
    doc["assessor"] = "other-assessor"
    refused(t, doc, s["assessor"], "role_not_permitted", "/assessor")


def test_curator_signs_nothing_untranscribed(t):
    s = setup(t)
    doc = mf.disclosure("ibm", "granite-4", s["reg"].seqs["importer"] + 1)
    refused(t, doc, s["curator"], "role_not_permitted", "/transcribed_from")


def test_curator_does_not_transcribe_eval_results(t):
    s = setup(t)
    doc = mf.eval_result("ibm", "granite-3", s["reg"].seqs["importer"] + 1,
                         True)
    doc["transcribed_from"] = source()
    refused(t, doc, s["curator"], "role_not_permitted", "/type")


def test_only_curators_claim_a_transcription(t):
    s = setup(t)
    doc = mf.disclosure("ibm", "granite-5", s["reg"].next_seq("ibm"))
    doc["transcribed_from"] = source()
    refused(t, doc, s["dev"], "role_not_permitted", "/transcribed_from")
    doc = mf.assessment("ibm", "granite-3", s["reg"].next_seq("fmti"))
    doc["transcribed_from"] = source("the FMTI team")
    refused(t, doc, s["assessor"], "role_not_permitted",
            "/transcribed_from")


def test_curator_role_is_offered_by_the_admin_api(t):
    s = setup(t)
    k = mf.Key(t.dir, "other", "ed25519")
    r = t.server.post("/v1/admin/orgs", body={
        "org": "bad-role", "name": "X", "role": "archivist",
        "public_key": k.public},
        headers={"Authorization": "Bearer " + s["reg"].token})
    assert r.status == 422, r
    assert r.json()["error"]["code"] == "validation_failed", r.json()
    assert "curator" in r.json()["error"]["message"], r.json()


def test_an_organisation_without_a_key_then_its_first_key(t):
    s = setup(t)
    auth = {"Authorization": "Bearer " + s["reg"].token}
    r = t.server.post("/v1/admin/orgs", body={
        "org": "writer", "name": "Writer", "role": "developer"},
        headers=auth)
    assert r.status == 201, r
    assert r.json()["keyid"] is None, r.json()
    # a curator transcribes for it before it has any key
    doc = mf.disclosure("writer", "palmyra-x", s["reg"].next_seq("importer"))
    doc["transcribed_from"] = source("Writer")
    assert s["reg"].submit(mf.envelope(doc, [s["curator"]])).status == 201
    # then the operator registers its first key, once
    k = mf.Key(t.dir, "writer", "ecdsa-p256")
    r = t.server.post("/v1/admin/orgs/writer/keys",
                      body={"public_key": k.public}, headers=auth)
    assert r.status == 201 and r.json()["keyid"] == k.keyid, r
    k2 = mf.Key(t.dir, "writer2", "ed25519")
    before = s["reg"].counts(t)
    r = t.server.post("/v1/admin/orgs/writer/keys",
                      body={"public_key": k2.public}, headers=auth)
    assert r.status == 409, r
    assert s["reg"].counts(t) == before
    r = t.server.post("/v1/admin/orgs/writer/keys",
                      body={"public_key": k2.public, "role": "x"},
                      headers=auth)
    assert r.status == 422, r
    assert r.json()["error"]["details"][0]["pointer"] == "/role", r.json()
    r = t.server.post("/v1/admin/orgs/nobody/keys",
                      body={"public_key": k2.public}, headers=auth)
    assert r.status == 404, r
    r = t.server.post("/v1/admin/orgs/writer/keys",
                      body={"public_key": k2.public})
    assert r.status == 401, r
    # the developer now publishes its own version over the transcription
    head = t.server.get("/v1/models/writer/palmyra-x").json()
    own = mf.disclosure("writer", "palmyra-x", s["reg"].next_seq("writer"),
                        supersedes="sha256:" + head["payload_sha256"])
    r = s["reg"].submit(mf.envelope(own, [k]))
    assert r.status == 201, r
