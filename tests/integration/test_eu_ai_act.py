"""The EU AI Act view over real HTTP (issue 14): GET .../eu-ai-act and
.../versions/{n}/eu-ai-act (the disclosure by the items of the GPAI Model
Documentation Form, statuses and completeness that add up, values as the
label shows them), immutable caching with ETags, as_of, precise 4xx; the
HTML page (statuses and counts equal the JSON, hostile text stays text,
version selector), the model page's link, and the dashboard's per-item
counts equal to the per-model answers added up here."""
import html.parser
import re

import mf

S = {}
HOSTILE = "</td><script>alert(1)</script>\u202e<img src=x onerror=alert(2)>"


def submit(reg, doc, key):
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 201, r
    return r.json()


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    key = mf.Key(t.dir, "acme")
    reg.create_org("acme", "developer", key)
    # open: the full example, then a version withholding its data
    v1 = submit(reg, mf.disclosure("acme", "open", reg.next_seq("acme")),
                key)
    d = mf.disclosure("acme", "open", reg.next_seq("acme"),
                      supersedes="sha256:" + v1["payload_sha256"])
    d["data"] = {"status": "withheld", "explanation": "Trade secret."}
    v2 = submit(reg, d, key)
    # sparse: the sparse example
    submit(reg, mf.disclosure("acme", "sparse", reg.next_seq("acme"),
                              name="disclosure-sparse.json"), key)
    # evil: hostile text in what the page shows
    d = mf.disclosure("acme", "evil", reg.next_seq("acme"))
    d["identity"]["name"] = "Evil " + HOSTILE
    d["identity"]["developer"] = HOSTILE
    d["uses"]["intended"] = [HOSTILE, "\" onmouseover=\"alert(3)"]
    d["compute"]["energy"] = {"status": "withheld", "explanation": HOSTILE}
    submit(reg, d, key)
    S.update(reg=reg, key=key, v1=v1, v2=v2)
    return S


def get_json(t, path, status=200):
    r = t.server.get(path)
    assert r.status == status, (path, r)
    assert r.header("Content-Type").startswith("application/json"), r
    return r, r.json()


def items(view):
    return [it for s in view["sections"] for it in s["items"]]


def test_json_shape_and_counts_add_up(t):
    setup(t)
    for model in ("open", "sparse", "evil"):
        _, v = get_json(t, f"/v1/models/acme/{model}/versions/1/eu-ai-act")
        assert v["format"] == "modelfacts-eu-ai-act/1"
        assert v["subject"] == {"org": "acme", "model": model}
        assert v["version"] == 1 and isinstance(v["log_index"], int)
        assert [a["id"] for a in v["form"]["audiences"]] == [
            "ai_office", "national_authorities", "downstream_providers"]
        its = items(v)
        assert len(its) == 42 and len({i["id"] for i in its}) == 42
        sr = v["systemic_risk"] == "yes"
        for it in its:
            assert it["status"] in ("disclosed", "withheld", "missing",
                                    "not_applicable"), it
            assert it["audiences"] and set(it["audiences"]) <= {
                "ai_office", "national_authorities",
                "downstream_providers"}, it
            assert len(it["facts"]) == len(it["pointers"]), it
            for f, p in zip(it["facts"], it["pointers"]):
                # the fact's pointer is the field's, or the enclosing
                # wrapper that decided it
                assert p.startswith(f["pointer"]), (it["id"], f, p)
            if any(f["status"] == "disclosed" and f.get("value") not in
                   (None, "", [], {}) for f in it["facts"]):
                assert it["status"] == "disclosed", it
            elif any(f["status"] == "withheld" for f in it["facts"]):
                assert it["status"] == "withheld", it
            else:
                assert it["status"] in ("missing", "not_applicable"), it
            assert it["applies"] == (sr or not any(
                a.startswith("XI 2.") for a in it["annex"])), it
        # completeness is what the items say, overall and per audience
        for aud in (None, "ai_office", "national_authorities",
                    "downstream_providers"):
            c = v["completeness"] if aud is None else \
                v["completeness"]["by_audience"][aud]
            mine = [i for i in its if i["applies"] and
                    (aud is None or aud in i["audiences"])]
            for st in ("disclosed", "withheld", "missing", "not_applicable"):
                assert c[st] == sum(i["status"] == st for i in mine), \
                    (model, aud, st)
            assert c["total"] == c["disclosed"] + c["withheld"] + \
                c["missing"]
            assert c["percent"] == c["disclosed"] * 100 // c["total"]
    # the full example discloses far more than the sparse one
    full = get_json(t, "/v1/models/acme/open/versions/1/eu-ai-act")[1]
    sparse = get_json(t, "/v1/models/acme/sparse/versions/1/eu-ai-act")[1]
    assert full["completeness"]["disclosed"] > \
        2 * sparse["completeness"]["disclosed"]


def test_values_read_as_on_the_label(t):
    setup(t)
    _, v = get_json(t, "/v1/models/acme/open/versions/1/eu-ai-act")
    label = t.server.get("/v1/models/acme/open/versions/1/label.json").json()
    by_pointer = {f["pointer"]: f for f in label["key_facts"].values()}
    seen = 0
    for it in items(v):
        for f in it["facts"]:
            lf = by_pointer.get(f["pointer"])
            if lf is not None and f["status"] == "disclosed":
                assert f.get("display") == lf.get("display"), (f, lf)
                assert f["value"] == lf["value"]
                seen += "display" in f
    assert seen >= 4  # parameters, data size, FLOP, energy at least


def test_withheld_with_explanation_and_as_of(t):
    s = setup(t)
    _, cur = get_json(t, "/v1/models/acme/open/eu-ai-act")
    assert cur["version"] == 2
    it = {i["id"]: i for i in items(cur)}
    assert it["data-size"]["status"] == "withheld"
    assert it["data-size"]["facts"][0]["explanation"] == "Trade secret."
    assert it["data-size"]["facts"][0]["pointer"] == "/data"
    # as_of a log index or an instant: the version current then
    r, old = get_json(t, "/v1/models/acme/open/eu-ai-act?as_of=" +
                      str(s["v1"]["log_index"]))
    assert old["version"] == 1, old["version"]
    assert {i["id"]: i for i in items(old)}["data-size"]["status"] == \
        "disclosed"
    assert "immutable" not in r.header("Cache-Control")
    _, none = get_json(t, "/v1/models/acme/open/eu-ai-act?as_of=" +
                       "2001-01-01T00:00:00Z", status=404)
    assert none["error"]["code"] == "not_found"
    _, bad = get_json(t, "/v1/models/acme/open/eu-ai-act?as_of=yesterday",
                      status=400)
    assert bad["error"]["code"] == "invalid_parameter", bad
    # (the shared as_of reader, api/util.c, names the parameter in its
    # message but gives no details pointer)
    assert "'as_of'" in bad["error"]["message"], bad


def test_immutable_caching_with_etag(t):
    setup(t)
    path = "/v1/models/acme/open/versions/1/eu-ai-act"
    r = t.server.get(path)
    assert r.status == 200 and "immutable" in r.header("Cache-Control"), r
    etag = r.header("ETag")
    assert etag
    again = t.server.get(path)
    assert again.body == r.body and again.header("ETag") == etag
    nm = t.server.get(path, headers={"If-None-Match": etag})
    assert nm.status == 304 and nm.body == b"", nm
    cur = t.server.get("/v1/models/acme/open/eu-ai-act")
    assert cur.status == 200 and "immutable" not in cur.header(
        "Cache-Control"), cur
    # the bytes are deterministic and HTML-safe
    assert b"<" not in r.body and b">" not in r.body


def test_unknown_models_and_versions_are_404(t):
    setup(t)
    for path in ("/v1/models/acme/nope/eu-ai-act",
                 "/v1/models/acme/open/versions/9/eu-ai-act",
                 "/v1/models/acme/open/versions/0/eu-ai-act",
                 "/v1/models/acme/open/versions/x1/eu-ai-act",
                 "/v1/models/nobody/open/versions/1/eu-ai-act"):
        _, e = get_json(t, path, status=404)
        assert e["error"]["code"] == "not_found", (path, e)


class Page(html.parser.HTMLParser):
    """Start tags with attributes, and every text node."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def get_page(t, path, status=200):
    r = t.server.get(path)
    assert r.status == status, (path, r)
    assert r.header("Content-Type") == "text/html; charset=utf-8", r
    return r.body.decode(), Page(r.body.decode())


def test_page_shows_every_item_as_the_api(t):
    setup(t)
    for path, api in (("/models/acme/open/eu-ai-act",
                       "/v1/models/acme/open/eu-ai-act"),
                      ("/models/acme/open/eu-ai-act?version=1",
                       "/v1/models/acme/open/versions/1/eu-ai-act")):
        v = t.server.get(api).json()
        text, page = get_page(t, path)
        rows = {a["data-item"]: a["data-status"] for tg, a in page.tags
                if tg == "dt" and "data-item" in a}
        assert rows == {i["id"]: i["status"] for i in items(v)}, path
        for aud, c in [("all", v["completeness"])] + list(
                v["completeness"]["by_audience"].items()):
            for st in ("disclosed", "withheld", "missing", "not_applicable"):
                m = re.search(r'data-count="%s:%s">(\d+)<' % (st, aud),
                              text)
                assert m and int(m.group(1)) == c[st], (path, aud, st)
        # the version selector, showing the version
        sel = [a for tg, a in page.tags if tg == "option" and
               "selected" in a]
        assert [a["value"] for a in sel] == [str(v["version"])], sel
        assert ("select", {"id": "version", "name": "version"}) in \
            page.tags


def test_page_keeps_hostile_text_as_text(t):
    setup(t)
    text, page = get_page(t, "/models/acme/evil/eu-ai-act")
    assert "<script>alert" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert not any(k.startswith("on") for _, a in page.tags for k in a)
    assert not any(tg in ("script", "img") and "src" in a and
                   not a["src"].startswith("/static/")
                   for tg, a in page.tags)
    # the hostile strings arrive whole, as text (bidi override replaced)
    joined = "".join(page.text)
    assert "</td><script>alert(1)</script>\ufffd<img src=x " \
        "onerror=alert(2)>" in joined
    assert '" onmouseover="alert(3)' in joined
    r = t.server.get("/models/acme/evil/eu-ai-act")
    assert "default-src 'none'" in r.header("Content-Security-Policy")


def test_page_refusals(t):
    setup(t)
    get_page(t, "/models/acme/nope/eu-ai-act", status=404)
    get_page(t, "/models/acme/open/eu-ai-act?version=9", status=404)
    get_page(t, "/models/acme/open/eu-ai-act?version=x", status=400)
    get_page(t, "/models/acme/open/eu-ai-act?colour=red", status=400)


def test_model_page_links_to_the_form(t):
    setup(t)
    _, page = get_page(t, "/models/acme/open")
    assert ("a", {"href": "/models/acme/open/eu-ai-act"}) in page.tags


def test_dashboard_counts_equal_the_models_views(t):
    setup(t)
    text, page = get_page(t, "/dashboard")
    assert ("table", {"class": "counts", "id": "eu-coverage"}) in page.tags
    cov = t.server.get("/v1/indices/modelfacts-v1/coverage?matrix=1").json()
    want = {}
    for m in cov["matrix"]:
        v = t.server.get(f"/v1/models/{m['org']}/{m['model']}/versions/"
                         f"{m['version']}/eu-ai-act").json()
        # the dashboard links each model's form, with its completeness
        link = re.search(
            r'<a href="/models/%s/%s/eu-ai-act\?version=%d">[^<]*</a>'
            r'.*?<span class="num">(\d+)/(\d+)</span>' %
            (m["org"], m["model"], m["version"]), text)
        assert link, m
        assert (int(link.group(1)), int(link.group(2))) == (
            v["completeness"]["disclosed"], v["completeness"]["total"])
        for it in items(v):
            k = it["status"] if it["applies"] else "not_counted"
            want[(k, it["id"])] = want.get((k, it["id"]), 0) + 1
    assert len(cov["matrix"]) == 3
    m = re.search(r'data-eu-count="models">(\d+)<', text)
    assert m and int(m.group(1)) == 3
    got = {(k, i): int(n) for k, i, n in re.findall(
        r'data-eu-count="([a-z_]+):([a-z0-9-]+)">(\d+)<', text)}
    assert len(got) == 42 * 5
    for key, n in got.items():
        assert n == want.get(key, 0), (key, n, want.get(key, 0))
    # a filter narrows the models counted
    text, _ = get_page(t, "/dashboard?q=sparse")
    m = re.search(r'data-eu-count="models">(\d+)<', text)
    assert m and int(m.group(1)) == 1
