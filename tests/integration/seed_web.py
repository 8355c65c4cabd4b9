"""Seeded data for the web site's tests: a live test server gets the FMTI
editions (imported with `modelfacts import fmti --submit`, when the
reference data is there) and a set of varied disclosures of our own,
signed with keys made by openssl (mf.py):

  larchwood/fernbrook-13b  open weights, Apache-2.0, text+code; two
                           versions (history, diff); a self-reported and a
                           third-party eval; the org added a key and
                           revoked it (org page)
  larchwood/fernbrook-7b   open weights, MIT, text+code+audio input
  meridian/atlas-pro       API access, proprietary, text+image in; graded
                           by the assessor "watch"; evals from both sides,
                           one contradicting the other
  quillon/q-mini           the sparse example: hosted product, withheld
  hostile/xss              the XSS corpus (XSS below) in every text field
                           the disclosure has, its org's display name, an
                           assessment's justifications and an eval's notes;
                           very long unbroken words and URLs (for 360 px)

seed(t) runs once per module and returns `seeded`, a dict the page list
(site_pages.pages(t, seeded)) and the tests read:

  fmti        True when the FMTI editions were imported
  index       "fmti-2025" when fmti, else "modelfacts-v1"
  models      every model seeded here, "org/model"
  model       a full disclosure with two versions: "larchwood/fernbrook-13b"
  versions    {"org/model": newest version number}
  compare     two models to compare: [model, "meridian/atlas-pro"]
  org         an organisation with models and a revoked key: "larchwood"
  xss_model   "hostile/xss";  xss_org  "hostile"
  search      {"q": a query that finds only the fernbrook models,
               "facet": ("access", "open_weights")}
  marker      the text every injected script would put in document.title
"""
import os
import time

import mf
from harness import SHARED

MARK = "XSSRAN"
# What an attacker would write into a disclosure: every injection either
# sets document.title to MARK (built at run time, so the text itself never
# holds it), opens a dialog, or leaves an element with id "xss" in the
# DOM, so the tests can look for all three.
XSS = [
    '<script>document.title="XSS"+"RAN-script"</script>',
    '<img src=x id=xss onerror="document.title=\'XSS\'+\'RAN-img\'">',
    '<svg id=xss onload="alert(\'XSS\'+\'RAN-svg\')"></svg>',
    '"><script>alert("XSS"+"RAN-attr")</script>',
    "' onmouseover='alert(1)' x='",
    '<a id=xss href="javascript:document.title=\'XSS\'+\'RAN-link\'">x</a>',
    '[click me](javascript:alert("XSS"+"RAN-md")) '
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '![img](x" onerror="alert(\'XSS\'+\'RAN-mdimg\'))',
    '<iframe id=xss srcdoc="<script>parent.document.title=\'XSS\'+'
    '\'RAN-frame\'</script>"></iframe>',
    '<details id=xss open ontoggle="alert(\'XSS\'+\'RAN-toggle\')">',
    '<style>body{display:none}</style><b id=xss>bold</b>',
    '{{constructor.constructor("alert(1)")()}} ${alert(1)}',
    "\u202egnp.exe\u202c and \u2066isolate\u2069 and \u202bembedded\u202c",
]
assert not any(MARK in x for x in XSS)
XSS_TEXT = " ".join(XSS)
LONG_WORD = "Unbroken" + "x" * 300
LONG_URL = ("https://hostile.example.org/" + "a" * 400 +
            "?q=%3Cscript%3Ealert(1)%3C/script%3E")
# URLs must be http(s) and RFC 3986 (the schema), so no quote or angle
# bracket, but an apostrophe may still try to break out of an attribute
HOSTILE_URLS = [
    "https://hostile.example.org/');alert('XSS'+'RAN-url');('",
    "https://hostile.example.org/'onmouseover='alert(1)'",
    LONG_URL,
]

MODELS = ["larchwood/fernbrook-13b", "larchwood/fernbrook-7b",
          "meridian/atlas-pro", "quillon/q-mini", "hostile/xss"]


def run_fmti(t):
    """Imports the FMTI editions; False when the data is not there."""
    if not os.path.isdir(os.path.join(SHARED, "fmti")):
        return False
    from test_fmti_import import run_import
    run_import(t)
    return True


def _submit(reg, doc, keys):
    r = reg.submit(mf.envelope(doc, keys))
    assert r.status == 201, (doc.get("type"), doc.get("subject"), r)
    return r.json()


def _hostile_disclosure(seq):
    d = mf.disclosure("hostile", "xss", seq)
    ident = d["identity"]
    # an override never closed: left alone it reverses what follows it
    ident["name"] = "XSS \u202eledom " + XSS[0][:60]
    ident["version"] = XSS[1][:60]
    ident["developer"] = XSS[3]
    ident["description"] = XSS_TEXT + "\n\n" + LONG_WORD
    ident["documentation"] = HOSTILE_URLS
    ident["artifacts"][0]["name"] = XSS[2][:100]
    ident["artifacts"][0]["url"] = HOSTILE_URLS[0]
    m = d["model"]
    m["architecture"]["description"] = XSS_TEXT
    m["capabilities"] = XSS[:6]
    m["limitations"] = XSS[6:] + [LONG_WORD]
    m["formats"]["input"] = XSS[4]
    dist = d["distribution"]
    dist["channels"][0]["name"] = XSS[5]
    dist["channels"][0]["url"] = HOSTILE_URLS[1]
    dist["release_decision"] = XSS_TEXT
    dist["terms_of_service"] = LONG_URL
    u = d["uses"]
    u["intended"] = XSS
    u["out_of_scope"] = [LONG_WORD]
    u["prohibited"] = XSS[6:9]
    u["acceptable_use_policy"]["summary"] = XSS[7]
    d["training"]["design_choices"] = XSS_TEXT
    d["training"]["stages"][0]["name"] = XSS[0][:80]
    d["data"]["sources"][0]["name"] = XSS[1][:80]
    d["data"]["sources"][0]["description"] = XSS_TEXT
    d["data"]["characteristics"] = XSS_TEXT
    d["compute"]["provider"] = XSS[9]
    d["compute"]["hardware"]["type"] = XSS[10][:80]
    d["risks"]["residual"] = XSS_TEXT
    d["risks"]["assessments"][0]["result"] = XSS[6]
    d["evaluations"]["results"][0]["benchmark"] = XSS[0][:60]
    d["evaluations"]["strategy"] = XSS_TEXT
    d["downstream"]["monitoring"] = XSS_TEXT + " " + LONG_WORD
    return d


def seed(t):
    """Seeds t.server (see the module's docstring) and returns `seeded`."""
    fmti = run_fmti(t)
    reg = mf.Registry(t.server)
    keys = {}
    for org, role, name in (
            ("larchwood", "developer", "Larchwood Labs"),
            ("meridian", "developer", "Meridian Systems"),
            ("quillon", "developer", "Quillon AI"),
            ("hostile", "developer", "Hostile " + XSS[1][:80] + " Inc."),
            ("evalhouse", "evaluator", "Eval House"),
            ("watch", "assessor", "Transparency Watch")):
        keys[org] = mf.Key(t.dir, "web-" + org, "ed25519")
        reg.create_org(org, role, keys[org], name=name)
    versions = {}

    # larchwood/fernbrook-13b: two versions, the second a new release
    d = mf.disclosure("larchwood", "fernbrook-13b", reg.next_seq("larchwood"))
    d["identity"]["version"] = "1.0"
    d["model"]["context_window"]["amount"] = 4096
    d["compute"]["energy"] = {"amount": 500, "unit": "MWh",
                              "basis": "measured"}
    v1 = _submit(reg, d, [keys["larchwood"]])
    d = mf.disclosure("larchwood", "fernbrook-13b", reg.next_seq("larchwood"),
                      supersedes="sha256:" + v1["payload_sha256"])
    fern = _submit(reg, d, [keys["larchwood"]])
    versions["larchwood/fernbrook-13b"] = 2
    for third in (False, True):
        signer = "evalhouse" if third else "larchwood"
        e = mf.eval_result("larchwood", "fernbrook-13b",
                           reg.next_seq(signer), third,
                           disclosure_sha=fern["payload_sha256"])
        if not third:
            e["value"] = 0.36
        _submit(reg, e, [keys[signer]])
    # a second key, added and later revoked: the org page shows both
    extra = mf.Key(t.dir, "web-larchwood-extra", "ed25519")
    _submit(reg, mf.key_event("larchwood", reg.next_seq("larchwood"), "add",
                              new_key=extra), [keys["larchwood"], extra])
    _submit(reg, mf.key_event("larchwood", reg.next_seq("larchwood"),
                              "revoke", target=extra.keyid),
            [keys["larchwood"]])

    # larchwood/fernbrook-7b: another license and modality
    d = mf.disclosure("larchwood", "fernbrook-7b", reg.next_seq("larchwood"))
    d["identity"]["name"] = "Fernbrook 7B Speech"
    d["model"]["parameters"]["amount"] = 7.1e9
    d["model"]["modalities"] = {"input": ["text", "code", "audio"],
                                "output": ["text", "code"]}
    d["distribution"]["license"] = {
        "spdx": "MIT", "url": "https://opensource.org/licenses/MIT"}
    _submit(reg, d, [keys["larchwood"]])
    versions["larchwood/fernbrook-7b"] = 1

    # meridian/atlas-pro: API, graded by an assessor, evals disagreeing
    d = mf.disclosure("meridian", "atlas-pro", reg.next_seq("meridian"),
                      name="disclosure-api.json")
    atlas = _submit(reg, d, [keys["meridian"]])
    versions["meridian/atlas-pro"] = 1
    e = mf.eval_result("meridian", "atlas-pro", reg.next_seq("meridian"),
                       False)
    _submit(reg, e, [keys["meridian"]])
    e = mf.eval_result("meridian", "atlas-pro", reg.next_seq("evalhouse"),
                       True, disclosure_sha=atlas["payload_sha256"])
    e["benchmark"] = {"id": "gpqa", "name": "GPQA"}
    e["metric"] = {"name": "accuracy", "scale": "percent"}
    e["value"] = 61.0
    e.pop("uncertainty", None)
    _submit(reg, e, [keys["evalhouse"]])
    a = mf.assessment("meridian", "atlas-pro", reg.next_seq("watch"))
    a["subject"]["disclosure"] = "sha256:" + atlas["payload_sha256"]
    _submit(reg, a, [keys["watch"]])

    # quillon/q-mini: the sparse example
    d = mf.disclosure("quillon", "q-mini", reg.next_seq("quillon"),
                      name="disclosure-sparse.json")
    _submit(reg, d, [keys["quillon"]])
    versions["quillon/q-mini"] = 1

    # hostile/xss: the corpus everywhere a disclosure, an eval and an
    # assessment hold text
    hostile = _submit(reg, _hostile_disclosure(reg.next_seq("hostile")),
                      [keys["hostile"]])
    versions["hostile/xss"] = 1
    e = mf.eval_result("hostile", "xss", reg.next_seq("evalhouse"), True,
                       disclosure_sha=hostile["payload_sha256"])
    e["notes"] = XSS_TEXT
    e["config"] = XSS[2][:100]
    e["benchmark"]["name"] = XSS[0][:60]
    _submit(reg, e, [keys["evalhouse"]])
    a = mf.assessment("hostile", "xss", reg.next_seq("watch"))
    a["subject"]["disclosure"] = "sha256:" + hostile["payload_sha256"]
    a["model_name"] = XSS[1][:100]
    a["method"] = XSS_TEXT
    for i, grade in enumerate(a["scores"].values()):
        grade["justification"] = XSS[i % len(XSS)] + " " + LONG_WORD
    _submit(reg, a, [keys["watch"]])

    wait_sequenced(t)
    return {
        "fmti": fmti,
        "index": "fmti-2025" if fmti else "modelfacts-v1",
        "models": list(MODELS),
        "model": "larchwood/fernbrook-13b",
        "versions": versions,
        "compare": ["larchwood/fernbrook-13b", "meridian/atlas-pro"],
        "org": "larchwood",
        "xss_model": "hostile/xss",
        "xss_org": "hostile",
        "search": {"q": "fernbrook", "facet": ("access", "open_weights")},
        "marker": MARK,
    }


def wait_sequenced(t, timeout=30):
    """Waits until every accepted submission has its log entry, so the
    pages (history, log, provenance) see all of them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = t.sql("SELECT count(*) FROM submissions"
                     " WHERE log_index IS NULL")[0][0]
        if left == "0":
            return
        time.sleep(0.1)
    raise AssertionError("submissions not sequenced in time")
