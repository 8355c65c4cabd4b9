"""CycloneDX and SPDX exports over real HTTP (issue 14): every version of
three varied models (the open, api and sparse example disclosures, with
self-reported and third-party evals) as cyclonedx.json validates against
the official CycloneDX 1.6 schema with two independent validators
(python-jsonschema, Draft 7 with the two referenced schemas registered
locally, and ajv from npm with ajv-formats); spdx.json expands as JSON-LD
with PyLD and carries the AI package's required fields; both are
immutable per version (ETag, 304) and follow as_of when current."""
import json
import os
import shutil
import subprocess
import sys
import time

import mf
from harness import ROOT, Skip

S = {}
SHARED = os.environ.get("MF_SHARED_DATA") or os.path.join(
    os.path.dirname(ROOT), "shared", "data")
CDX_DIR = os.path.join(SHARED, "cyclonedx")
AJV_DIR = os.path.join(ROOT, "build", "npm", "ajv", "node_modules")
HERE = os.path.dirname(os.path.abspath(__file__))
SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
LOCAL_CONTEXT = os.path.join(ROOT, "tests", "fixtures", "formats",
                             "spdx-context-subset.jsonld")
T = "https://spdx.org/rdf/3.0.1/terms/"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
MODELS = {"rocket": "disclosure-open.json", "meridian": "disclosure-api.json",
          "quill": "disclosure-sparse.json"}


def base(model):
    return f"/v1/models/acme/{model}"


def wait_logged(t, model, n=1, timeout=20):
    """Until version n of model is in the log (its export immutable)."""
    end = time.time() + timeout
    while time.time() < end:
        r = t.server.get(f"{base(model)}/versions/{n}/cyclonedx.json")
        if r.status == 200 and "immutable" in (r.header("Cache-Control")
                                               or ""):
            return r
        time.sleep(0.2)
    raise AssertionError(f"{model} v{n} never reached the log")


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    acme = mf.Key(t.dir, "acme", "ed25519")
    evals = mf.Key(t.dir, "evals", "ed25519")
    reg.create_org("acme", "developer", acme)
    reg.create_org("evalhouse", "evaluator", evals)
    for model, name in MODELS.items():
        doc = mf.disclosure("acme", model, reg.next_seq("acme"), name=name)
        r = reg.submit(mf.envelope(doc, [acme]))
        assert r.status == 201, r
        S[model] = r.json()["payload_sha256"]
    for model in MODELS:
        wait_logged(t, model)
    # evals after the versions: in the current exports only
    for model, third in (("rocket", False), ("rocket", True),
                         ("meridian", True)):
        key, org = (evals, "evalhouse") if third else (acme, "acme")
        doc = mf.eval_result("acme", model, reg.next_seq(org), third,
                             disclosure_sha=S[model])
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
    return S


def exports(t, kind):
    """{(model, form): parsed document} for 'versions/1' and current."""
    setup(t)
    out = {}
    for model in MODELS:
        for form in ("versions/1/", ""):
            r = t.server.get(f"{base(model)}/{form}{kind}.json")
            assert r.status == 200, r
            out[(model, form or "current")] = (r, r.json())
    return out


def save(t, name, body):
    path = os.path.join(t.dir, name)
    with open(path, "wb") as f:
        f.write(body)
    return path


def test_cyclonedx_is_a_1_6_bom_of_one_model(t):
    for (model, form), (r, bom) in exports(t, "cyclonedx").items():
        assert r.header("Content-Type").startswith(
            "application/vnd.cyclonedx+json"), r
        assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
        assert bom["serialNumber"].startswith("urn:uuid:")
        assert bom["metadata"]["timestamp"].endswith("Z")
        (c,) = bom["components"]
        assert c["type"] == "machine-learning-model"
        doc = mf.example(MODELS[model])
        assert c["name"] == doc["identity"]["name"]
        props = {p["name"]: p["value"] for p in c["properties"]}
        assert props["modelfacts:payload_sha256"] == S[model]
        metrics = c["modelCard"].get("quantitativeAnalysis", {}).get(
            "performanceMetrics", [])
        want = {"rocket": 2, "meridian": 1, "quill": 0}[model]
        # the version's own BOM: as it was logged, before any eval
        assert len(metrics) == (want if form == "current" else 0), \
            (model, form, metrics)
        refs = {x["type"]: x["url"] for x in c.get("externalReferences", [])}
        assert refs["log"].startswith(t.server.url), refs


def test_cyclonedx_energy_and_withheld_facts(t):
    ex = exports(t, "cyclonedx")
    c = ex[("rocket", "current")][1]["components"][0]
    (e,) = c["modelCard"]["considerations"]["environmentalConsiderations"][
        "energyConsumptions"]
    assert e["activity"] == "training"
    assert e["activityEnergyCost"] == {"value": 540000.0, "unit": "kWh"}
    assert e["co2CostEquivalent"] == {"value": 12, "unit": "tCO2eq"} or \
        e["co2CostEquivalent"] == {"value": 12.0, "unit": "tCO2eq"}
    slices = [m["slice"] for m in
              c["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]]
    assert any("third-party" in s for s in slices), slices
    assert any("self-reported" in s for s in slices), slices
    # the sparse disclosure withholds its parameter count: said, not given
    q = ex[("quill", "current")][1]["components"][0]
    props = {p["name"]: p["value"] for p in q["properties"]}
    assert props["modelfacts:parameters"].startswith("withheld"), props
    assert "environmentalConsiderations" not in \
        q["modelCard"].get("considerations", {})


def test_cyclonedx_validates_with_python_jsonschema(t):
    if not os.path.isdir(CDX_DIR):
        raise Skip(f"CycloneDX schemas not found at {CDX_DIR}")
    try:
        import jsonschema
        from referencing import Registry, Resource
    except ImportError as e:
        raise Skip(f"python3-jsonschema (with referencing) missing: {e}")

    def load(name):
        with open(os.path.join(CDX_DIR, name)) as f:
            return json.load(f)
    schema = load("bom-1.6.schema.json")
    registry = Registry()
    for name in ("spdx.schema.json", "jsf-0.82.schema.json"):
        s = load(name)
        registry = registry.with_resource(
            s["$id"], Resource.from_contents(s))
        # bom-1.6 refers to them by relative name too
        registry = registry.with_resource(
            "http://cyclonedx.org/schema/" + name, Resource.from_contents(s))
    v = jsonschema.Draft7Validator(
        schema, registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    for key, (r, bom) in exports(t, "cyclonedx").items():
        errors = [f"{list(e.absolute_path)}: {e.message}"
                  for e in v.iter_errors(bom)]
        assert errors == [], (key, errors)
    # and the check can fail: a tampered BOM does not pass
    bad = exports(t, "cyclonedx")[("rocket", "current")][1]
    bad["components"][0]["modelCard"]["considerations"][
        "environmentalConsiderations"]["energyConsumptions"][0][
        "activityEnergyCost"]["unit"] = "MWh"
    assert list(v.iter_errors(bad)), "tampered BOM passed"


def test_cyclonedx_validates_with_ajv(t):
    if not os.path.isdir(CDX_DIR):
        raise Skip(f"CycloneDX schemas not found at {CDX_DIR}")
    unavailable = os.path.join(ROOT, "build", "npm", "ajv.unavailable")
    if os.path.exists(unavailable):
        raise Skip(open(unavailable).read().strip())
    if not os.path.isdir(os.path.join(AJV_DIR, "ajv")) or \
            shutil.which("node") is None:
        raise Skip("ajv not installed (scripts/deps.sh npm ajv)")
    files = []
    for (model, form), (r, bom) in exports(t, "cyclonedx").items():
        files.append(save(t, f"{model}-{form.replace('/', '')}.cdx.json",
                          r.body))
    bad = dict(exports(t, "cyclonedx")[("rocket", "current")][1])
    bad["components"][0]["type"] = "spaceship"
    files.append(save(t, "tampered.cdx.json", json.dumps(bad).encode()))
    p = subprocess.run(["node", os.path.join(HERE, "ajv_validate.js"),
                        AJV_DIR, CDX_DIR] + files, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    results = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(results) == len(files), p.stdout
    for res in results[:-1]:
        assert res["valid"], res
    assert not results[-1]["valid"], "ajv passed a tampered BOM"


def pyld_python():
    """An interpreter that has PyLD: this one, or Debian's."""
    try:
        import pyld  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    for py in ("/usr/bin/python3",):
        if os.path.exists(py) and subprocess.run(
                [py, "-c", "import pyld"], capture_output=True).returncode \
                == 0:
            return py
    raise Skip("PyLD not installed (python3-pyld: scripts/deps.sh test)")


def nodes_of(expanded, type_iri):
    return [n for n in expanded if type_iri in n.get("@type", [])]


def one(node, prop):
    (v,) = node[T + prop]
    return v.get("@value", v.get("@id"))


def test_spdx_expands_as_json_ld_with_the_required_fields(t):
    py = pyld_python()
    with open(LOCAL_CONTEXT) as f:
        terms = set(json.load(f)["@context"])
    for (model, form), (r, doc) in exports(t, "spdx").items():
        assert r.header("Content-Type").startswith("application/spdx+json")
        assert doc["@context"] == SPDX_CONTEXT
        # every key we write is a term of the context (expansion would
        # silently drop an unknown one)
        def keys(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if not k.startswith("@"):
                        yield k
                    yield from keys(x)
            elif isinstance(v, list):
                for x in v:
                    yield from keys(x)
        unknown = set(keys(doc["@graph"])) - terms
        assert not unknown, unknown
        path = save(t, f"{model}-{form.replace('/', '')}.spdx.json", r.body)
        p = subprocess.run([py, os.path.join(HERE, "jsonld_expand.py"),
                            SPDX_CONTEXT, LOCAL_CONTEXT, path],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        expanded = json.loads(p.stdout)
        graph = expanded[0]["@graph"] if "@graph" in expanded[0] \
            else expanded
        (ci,) = nodes_of(graph, T + "Core/CreationInfo")
        assert one(ci, "Core/specVersion") == "3.0.1"
        ids = {n["@id"] for n in graph}
        for n in graph:
            if n is ci:
                continue
            assert n["@id"].startswith(t.server.url), n["@id"]
            assert one(n, "Core/creationInfo") == ci["@id"], n
        (pkg,) = nodes_of(graph, T + "AI/AIPackage")
        src = mf.example(MODELS[model])
        assert one(pkg, "Core/name") == src["identity"]["name"]
        assert one(pkg, "Core/suppliedBy") in ids
        assert one(pkg, "Software/primaryPurpose") == \
            T + "Software/SoftwarePurpose/model"
        if "release_date" in src["identity"]:
            assert one(pkg, "Core/releaseTime") == \
                src["identity"]["release_date"] + "T00:00:00Z"
        metrics = pkg.get(T + "AI/metric", [])
        want = {"rocket": 2, "meridian": 1, "quill": 0}[model]
        assert len(metrics) == (want if form == "current" else 0)
        energy = pkg.get(T + "AI/energyConsumption")
        if model == "rocket":
            (ec,) = energy
            (tr,) = ec[T + "AI/trainingEnergyConsumption"]
            assert one(tr, "AI/energyQuantity") == "540000"
            assert tr[T + "AI/energyQuantity"][0]["@type"] == XSD_DECIMAL
            assert one(tr, "AI/energyUnit") == \
                T + "AI/EnergyUnitType/kilowattHour"
            rels = {one(n, "Core/relationshipType")
                    for n in nodes_of(graph, T + "Core/Relationship")}
            assert rels == {T + "Core/RelationshipType/trainedOn",
                            T + "Core/RelationshipType/hasDeclaredLicense"}
            assert len(nodes_of(graph, T + "Dataset/DatasetPackage")) == \
                len(src["data"]["sources"])


def test_versions_are_immutable_with_etags(t):
    setup(t)
    for kind in ("cyclonedx", "spdx"):
        url = f"{base('rocket')}/versions/1/{kind}.json"
        a = t.server.get(url)
        b = t.server.get(url)
        assert a.status == 200 and a.body == b.body
        assert "immutable" in a.header("Cache-Control")
        etag = a.header("ETag")
        assert etag, a.headers
        r = t.server.get(url, headers={"If-None-Match": etag})
        assert r.status == 304, r
        cur = t.server.get(f"{base('rocket')}/{kind}.json")
        assert cur.header("Cache-Control") == "no-cache"
        # errors: a precise 404 with a code
        for bad in (f"{base('rocket')}/versions/9/{kind}.json",
                    f"{base('rocket')}/versions/x/{kind}.json",
                    f"/v1/models/acme/nope/{kind}.json"):
            r = t.server.get(bad)
            assert r.status == 404, r
            assert r.json()["error"]["code"], r.json()


def test_as_of_shows_the_export_as_it_read_then(t):
    setup(t)
    h = t.server.get(f"{base('rocket')}/evals").json()["evals"]
    idx = sorted(e["log_index"] for e in h if e["log_index"] is not None)
    assert len(idx) == 2, h
    for kind, count in (("cyclonedx", lambda d: len(
            d["components"][0]["modelCard"].get("quantitativeAnalysis", {})
            .get("performanceMetrics", []))),
            ("spdx", lambda d: len([n for n in d["@graph"]
                                    if n["type"] == "ai_AIPackage"][0]
                                   .get("ai_metric", [])))):
        then = t.server.get(f"{base('rocket')}/{kind}.json?as_of={idx[0]}")
        assert then.status == 200, then
        assert count(then.json()) == 1
        assert then.header("Cache-Control") == "no-cache"
        now = t.server.get(f"{base('rocket')}/{kind}.json")
        assert count(now.json()) == 2
        r = t.server.get(f"{base('rocket')}/{kind}.json?as_of=yesterday")
        assert r.status == 400, r
