"""Badges, Atom feeds, CORS and the model page's links (issue 14, "For
READMEs and tools"), over real HTTP: the badge parsed as XML and its text
checked against the judgements resource, every feed parsed by two
independent XML parsers (xml.etree and xml.dom.minidom) with RFC 4287's
required elements, hostile names coming back intact (escaped, never
markup), CORS on read-only GETs and their preflight and never on the
operator's endpoints or a POST."""
import xml.dom.minidom
import xml.etree.ElementTree as ET

import mf

SVG = "{http://www.w3.org/2000/svg}"
ATOM = "{http://www.w3.org/2005/Atom}"
# an organisation and a model whose names are markup, quotes, an
# ampersand and a CDATA terminator: they must come back as text
HOSTILE_ORG = 'Acme <b>&amp;</b> "Sons" \'n\' ]]> Co'
HOSTILE_MODEL = '<script>alert(1)</script> & "Beta" ]]>'
S = {}


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    acme = mf.Key(t.dir, "acme", "ed25519")
    fmti = mf.Key(t.dir, "fmti", "ed25519")
    other = mf.Key(t.dir, "other", "ed25519")
    reg.create_org("acme", "developer", acme, name=HOSTILE_ORG)
    reg.create_org("fmti", "assessor", fmti)
    reg.create_org("other", "developer", other)
    heads = {}
    for org, key, model in (("acme", acme, "alpha"), ("acme", acme, "beta"),
                            ("acme", acme, "alpha"),
                            ("other", other, "gamma")):
        doc = mf.disclosure(org, model, reg.next_seq(org),
                            supersedes=heads.get((org, model)))
        if model == "beta":
            doc["identity"]["name"] = HOSTILE_MODEL
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        heads[(org, model)] = "sha256:" + r.json()["payload_sha256"]
    doc = mf.assessment("acme", "beta", reg.next_seq("fmti"))
    doc["subject"].pop("disclosure", None)
    assert reg.submit(mf.envelope(doc, [fmti])).status == 201
    S["keys"] = {"acme": acme, "other": other}
    S["heads"] = heads
    return S


# ---- badges ---------------------------------------------------------


def badge(r):
    """The badge's parsed SVG: (root, [texts], value part's colour)."""
    assert r.header("Content-Type").startswith("image/svg+xml"), r
    root = ET.fromstring(r.body)
    assert root.tag == SVG + "svg", root.tag
    rects = root.findall(SVG + "rect")
    assert len(rects) == 2, r.body
    # the two parts side by side make the whole width
    w0, w1 = int(rects[0].get("width")), int(rects[1].get("width"))
    assert int(rects[1].get("x")) == w0
    assert int(root.get("width")) == w0 + w1 and w0 > 0 and w1 > 0
    texts = [x.text for x in root.iter(SVG + "text")]
    assert len(texts) == 2, r.body
    title = root.find(SVG + "title").text
    assert title == f"{texts[0]}: {texts[1]}", (title, texts)
    assert root.get("aria-label") == title
    return root, texts, rects[1].get("fill")


def band_colour(score, mx):
    """The bands the README states, computed here on their own."""
    if mx <= 0:
        return "#6e6e6e"
    p = score / mx
    return ("#1a7f37" if p >= 0.75 else "#5b7a00" if p >= 0.5
            else "#b35900" if p >= 0.25 else "#c62828")


def judgement(t, org, model, version, judge=None, index="modelfacts-v1"):
    r = t.server.get(f"/v1/models/{org}/{model}/versions/{version}"
                     "/judgements")
    assert r.status == 200, r
    js = [j for j in r.json()["judgements"] if j["index"] == index]
    if judge is not None:
        return next(j for j in js if j["judge"] == judge)
    # DESIGN.md section 2's default: the latest assessor, else auto
    return next((j for j in js if j["judge"] != "auto"),
                next(j for j in js if j["judge"] == "auto"))


def test_badge_default_judge_is_the_assessor(t):
    setup(t)
    r = t.server.get("/badge/acme/beta.svg")
    assert r.status == 200, r
    _, texts, fill = badge(r)
    j = judgement(t, "acme", "beta", 1)
    assert j["judge"] == "fmti"
    s, m = j["score"]["score"], j["score"]["max"]
    assert texts == ["modelfacts-v1", f"{s}/{m} · fmti"], texts
    assert fill == band_colour(s, m), (fill, s, m)
    assert "max-age=" in r.header("Cache-Control"), r


def test_badge_auto_judge_and_a_model_without_assessor(t):
    setup(t)
    for path, ver, judge in (("/badge/acme/beta.svg?judge=auto", 1, "auto"),
                             ("/badge/acme/alpha.svg", 2, None)):
        r = t.server.get(path)
        assert r.status == 200, r
        _, texts, fill = badge(r)
        model = path.split("/")[3].split(".")[0]
        j = judgement(t, "acme", model, ver, judge)
        assert j["judge"] == "auto"
        s, m = j["score"]["score"], j["score"]["max"]
        assert texts[1] == f"{s}/{m} · auto", texts
        assert fill == band_colour(s, m)
    # a judge who never judged it: grey, says so
    r = t.server.get("/badge/acme/alpha.svg?judge=fmti")
    assert r.status == 200, r
    _, texts, fill = badge(r)
    assert texts[1] == "not assessed · fmti" and fill == "#6e6e6e", texts


def test_badge_etag_and_304(t):
    setup(t)
    r = t.server.get("/badge/acme/beta.svg")
    etag = r.header("ETag")
    assert etag and etag.startswith('"'), r
    r2 = t.server.get("/badge/acme/beta.svg",
                      headers={"If-None-Match": etag})
    assert r2.status == 304 and r2.body == b"", r2
    # another judge is another badge, another ETag
    r3 = t.server.get("/badge/acme/beta.svg?judge=auto")
    assert r3.header("ETag") != etag


def error_of(r, status, code, pointer=None):
    assert r.status == status, r
    e = r.json()["error"]
    assert e["code"] == code, e
    if pointer is not None:
        assert any(d["pointer"] == pointer for d in e["details"]), e
    return e


def test_badge_unknown_model_and_bad_parameters(t):
    setup(t)
    before = mf.Registry.counts(S["reg"], t)
    for path in ("/badge/acme/nope.svg", "/badge/nobody/beta.svg",
                 "/badge/Bad_Org/x.svg"):
        r = t.server.get(path)
        assert r.status == 404, r
        _, texts, fill = badge(r)
        assert texts == ["modelfacts-v1", "not found"], texts
    # the path without .svg is no badge at all
    assert t.server.get("/badge/acme/beta").status == 404
    error_of(t.server.get("/badge/acme/beta.svg?index=nope"), 400,
             "invalid_parameter", "/query/index")
    error_of(t.server.get("/badge/acme/beta.svg?colour=red"), 400,
             "invalid_parameter")
    error_of(t.server.get("/badge/acme/beta.svg?judge=%3Cx%3E"), 400,
             "invalid_parameter")
    assert mf.Registry.counts(S["reg"], t) == before


# ---- feeds ----------------------------------------------------------


def feed(r):
    """A feed parsed twice, independently; checks RFC 4287's required
    elements and returns the etree root."""
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/atom+xml"), r
    dom = xml.dom.minidom.parseString(r.body)
    assert dom.documentElement.namespaceURI == "http://www.w3.org/2005/Atom"
    assert dom.documentElement.localName == "feed"
    root = ET.fromstring(r.body)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(ATOM + name)) == 1, name
    selfs = [x for x in root.findall(ATOM + "link")
             if x.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("href").startswith("http")
    entries = root.findall(ATOM + "entry")
    assert len(entries) == len(dom.getElementsByTagNameNS(
        "http://www.w3.org/2005/Atom", "entry"))
    for e in entries:
        for name in ("id", "title", "updated"):
            assert len(e.findall(ATOM + name)) == 1, name
        assert e.find(ATOM + "author/" + ATOM + "name").text
        alt = [x for x in e.findall(ATOM + "link")
               if x.get("rel") == "alternate"]
        # RFC 4287 4.1.1: no two alternates of one type
        types = [x.get("type") for x in alt]
        assert "text/html" in types and len(set(types)) == len(types)
        assert e.find(ATOM + "id").text.startswith("tag:" + mf.ORIGIN + ",")
    if entries:
        assert root.find(ATOM + "updated").text == \
            entries[0].find(ATOM + "updated").text
    return root


def entry_paths(root):
    """org/model/version of each entry, from its page link."""
    out = []
    for e in root.findall(ATOM + "entry"):
        href = next(x.get("href") for x in e.findall(ATOM + "link")
                    if x.get("type") == "text/html")
        _, _, rest = href.partition("/models/")
        org, model, _, n = rest.split("/")
        out.append(f"{org}/{model}/{n}")
    return out


def sequenced_versions(t, org=None, model=None):
    """What a feed should list, read from the database directly."""
    rows = t.sql("SELECT v.org, v.model, v.version"
                 " FROM versions v JOIN submissions s ON s.id ="
                 " v.submission_id WHERE s.log_index IS NOT NULL"
                 " ORDER BY s.log_index DESC")
    return [f"{o}/{m}/{n}" for o, m, n in rows
            if org in (None, o) and model in (None, m)]


def test_registry_feed_lists_every_version_newest_first(t):
    setup(t)
    root = feed(t.server.get("/v1/feeds/versions.atom"))
    assert entry_paths(root) == sequenced_versions(t)
    updated = [e.find(ATOM + "updated").text
               for e in root.findall(ATOM + "entry")]
    assert updated == sorted(updated, reverse=True)
    # each entry links the version's immutable label.json, which serves
    e = root.find(ATOM + "entry")
    js = next(x.get("href") for x in e.findall(ATOM + "link")
              if x.get("type") == "application/json")
    path = js[js.index("/v1/"):]
    assert path.endswith("/label.json") and "/versions/" in path
    assert t.server.get(path).status == 200


def test_org_and_model_feeds_and_hostile_names(t):
    setup(t)
    root = feed(t.server.get("/v1/orgs/acme/feed.atom"))
    assert entry_paths(root) == sequenced_versions(t, "acme")
    authors = {e.find(ATOM + "author/" + ATOM + "name").text
               for e in root.findall(ATOM + "entry")}
    assert authors == {HOSTILE_ORG}, authors
    root = feed(t.server.get("/v1/models/acme/beta/feed.atom"))
    assert entry_paths(root) == ["acme/beta/1"]
    title = root.find(ATOM + "entry/" + ATOM + "title").text
    assert title.startswith(HOSTILE_MODEL + " (acme/beta)"), title
    # the hostile text is escaped in the bytes, never markup
    raw = t.server.get("/v1/models/acme/beta/feed.atom").body.decode()
    assert "<script>" not in raw and "<b>" not in raw
    root = feed(t.server.get("/v1/models/acme/alpha/feed.atom"))
    assert entry_paths(root) == ["acme/alpha/2", "acme/alpha/1"]


def test_feed_404_400_and_etag(t):
    setup(t)
    error_of(t.server.get("/v1/orgs/nobody/feed.atom"), 404, "not_found")
    error_of(t.server.get("/v1/models/acme/nope/feed.atom"), 404,
             "not_found")
    error_of(t.server.get("/v1/models/other/alpha/feed.atom"), 404,
             "not_found")
    error_of(t.server.get("/v1/feeds/versions.atom?limit=5"), 400,
             "invalid_parameter")
    r = t.server.get("/v1/feeds/versions.atom")
    etag = r.header("ETag")
    assert etag and "max-age=" in r.header("Cache-Control")
    assert t.server.get("/v1/feeds/versions.atom",
                        headers={"If-None-Match": etag}).status == 304


def test_feed_is_bounded_and_follows_new_versions(t):
    setup(t)
    reg, key, heads = S["reg"], S["keys"]["other"], S["heads"]
    etag = t.server.get("/v1/feeds/versions.atom").header("ETag")
    for _ in range(50):
        doc = mf.disclosure("other", "gamma", reg.next_seq("other"),
                            supersedes=heads[("other", "gamma")])
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        heads[("other", "gamma")] = "sha256:" + r.json()["payload_sha256"]
    r = t.server.get("/v1/feeds/versions.atom")
    assert r.header("ETag") != etag
    root = feed(r)
    paths = entry_paths(root)
    assert len(paths) == 50
    assert paths == sequenced_versions(t)[:50]
    assert paths[0] == "other/gamma/51"
    root = feed(t.server.get("/v1/models/other/gamma/feed.atom"))
    assert len(entry_paths(root)) == 50


# ---- CORS -----------------------------------------------------------


def acao(r):
    return r.header("Access-Control-Allow-Origin")


def test_cors_on_read_only_gets(t):
    setup(t)
    origin = {"Origin": "https://tool.example"}
    for path in ("/v1/models", "/v1/models/acme/beta/label.json",
                 "/v1/models/acme/beta/versions/1/label.json",
                 "/v1/feeds/versions.atom", "/badge/acme/beta.svg",
                 "/v1/models/acme/nope", "/v1/openapi.json"):
        r = t.server.get(path, headers=origin)
        assert acao(r) == "*", (path, r)
        assert "ETag" in (r.header("Access-Control-Expose-Headers") or "")
        r = t.server.request("HEAD", path, headers=origin)
        assert acao(r) == "*", (path, r)


def test_cors_preflight(t):
    setup(t)
    pre = {"Origin": "https://tool.example",
           "Access-Control-Request-Method": "GET",
           "Access-Control-Request-Headers": "if-none-match"}
    r = t.server.request("OPTIONS", "/v1/models/acme/beta/label.json",
                         headers=pre)
    assert r.status == 204, r
    assert acao(r) == "*"
    assert "GET" in r.header("Access-Control-Allow-Methods")
    assert "POST" not in r.header("Access-Control-Allow-Methods")
    assert "if-none-match" in r.header(
        "Access-Control-Allow-Headers").lower()
    r = t.server.request("OPTIONS", "/badge/acme/beta.svg", headers=pre)
    assert r.status == 204 and acao(r) == "*", r


def test_no_cors_for_admin_posts_or_pages(t):
    setup(t)
    origin = {"Origin": "https://tool.example"}
    pre = dict(origin, **{"Access-Control-Request-Method": "POST"})
    for method, path in (("OPTIONS", "/v1/admin/orgs"),
                         ("OPTIONS", "/v1/submissions"),
                         ("GET", "/v1/admin/orgs"),
                         ("POST", "/v1/admin/orgs"),
                         ("POST", "/v1/submissions"),
                         ("GET", "/"), ("GET", "/models/acme/beta")):
        r = t.server.request(method, path, headers=pre if method ==
                             "OPTIONS" else origin,
                             body="{}" if method == "POST" else None)
        assert acao(r) is None, (method, path, r)
        assert r.status != 204, (method, path, r)


# ---- the pages ------------------------------------------------------


def test_model_page_links_every_export_the_feed_and_the_badge(t):
    setup(t)
    r = t.server.get("/models/acme/beta")
    assert r.status == 200, r
    page = r.body.decode()
    base = "/v1/models/acme/beta/versions/1/"
    for f in ("label.json", "label.md", "envelope", "card.md",
              "eval_results.yaml", "cyclonedx.json", "spdx.json",
              "eu-ai-act"):
        assert f'href="{base}{f}"' in page, f
    assert 'href="/v1/models/acme/beta/feed.atom"' in page
    assert ('<link rel="alternate" type="application/atom+xml" title="New '
            'versions (Atom)" href="/v1/models/acme/beta/feed.atom">') in page
    assert 'href="/badge/acme/beta.svg"' in page
    # the snippet to copy: the public URL's badge in Markdown and HTML
    url = t.server.url
    assert f"[![modelfacts-v1 score]({url}/badge/acme/beta.svg)]" \
           f"({url}/models/acme/beta)" in page
    assert f'&lt;img src="{url}/badge/acme/beta.svg"' in page
    # the badge the page shows is served
    assert t.server.get("/badge/acme/beta.svg").status == 200
    home = t.server.get("/").body.decode()
    assert 'type="application/atom+xml"' in home
    assert 'href="/v1/feeds/versions.atom"' in home
