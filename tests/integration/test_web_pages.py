"""The web site over real HTTP (issue 13): every page answers HTML with
the security headers and its key elements; pages say what the API says
(home counts, search totals, facets, compare, dashboard counts); unknown
pages are HTML 404s and bad parameters HTML 400s; a version's page is
immutable with an ETag; hostile text stays text. Parsed with
html.parser; the browser half is test_web_browser.py."""
import html.parser
import os
import shutil
import subprocess
import json
import re
import time

import harness
import mf
import site_pages

S = {}
XSS_NAME = "Atlas <script>alert(1)</script>\u202eevil <img src=x onerror=alert(2)>"


class Doc(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text under each id."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.stack = []
        self.text_by_id = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("input", "meta", "link", "br", "img", "col"):
            self.stack.append(a.get("id"))

    def handle_endtag(self, tag):
        if self.stack and tag not in ("input", "meta", "link", "br"):
            self.stack.pop()

    def handle_data(self, data):
        for i in self.stack:
            if i:
                self.text_by_id[i] = self.text_by_id.get(i, "") + data

    def select(self, sel):
        """Tags matching one simple selector: tag, #id, .class,
        tag.class.class, tag#id, [attr], tag[attr]."""
        m = re.fullmatch(r"([a-z0-9]*)((?:[#.][\w-]+)*)(?:\[([\w-]+)\])?",
                         sel)
        assert m, sel
        tag, rest, attr = m.groups()
        ids = re.findall(r"#([\w-]+)", rest)
        classes = re.findall(r"\.([\w-]+)", rest)
        out = []
        for t, a in self.tags:
            if tag and t != tag:
                continue
            if ids and a.get("id") != ids[0]:
                continue
            if classes and not set(classes) <= set(
                    (a.get("class") or "").split()):
                continue
            if attr and attr not in a:
                continue
            out.append((t, a))
        return out


def get_html(t, path, status=200):
    r = t.server.get(path)
    assert r.status == status, (path, r)
    assert r.header("Content-Type") == "text/html; charset=utf-8", \
        (path, r.headers)
    return r, Doc(r.body.decode())


def check_security(r, embeddable=False):
    csp = r.header("Content-Security-Policy")
    assert csp and "unsafe-inline" not in csp, csp
    for d in ("default-src 'none'", "style-src 'self'", "script-src 'self'",
              "form-action 'self'", "base-uri 'none'"):
        assert d in csp, (d, csp)
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Referrer-Policy") == "no-referrer"
    if embeddable:
        assert "frame-ancestors *" in csp and \
            r.header("X-Frame-Options") is None, r.headers
    else:
        assert "frame-ancestors 'none'" in csp, csp
        assert r.header("X-Frame-Options") == "DENY", r.headers


def api(t, path):
    r = t.server.get(path)
    assert r.status == 200, (path, r)
    return r.json()


def submit(reg, doc, key):
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 201, r
    return r.json()


def test_seed(t):
    reg = mf.Registry(t.server)
    keys = {}
    for org, role in (("acme", "developer"), ("borealis", "developer"),
                      ("cirrus", "developer"), ("evalco", "evaluator"),
                      ("assessco", "assessor")):
        keys[org] = mf.Key(t.dir, org)
        reg.create_org(org, role, keys[org])
    v1 = submit(reg, mf.disclosure("acme", "atlas", reg.next_seq("acme")),
                keys["acme"])
    d = mf.disclosure("acme", "atlas", reg.next_seq("acme"),
                      supersedes="sha256:" + v1["payload_sha256"])
    d["identity"]["name"] = XSS_NAME
    d["identity"]["description"] = "[click](javascript:alert(3)) \u2066x"
    submit(reg, d, keys["acme"])
    submit(reg, mf.disclosure("borealis", "north", reg.next_seq("borealis"),
                              name="disclosure-api.json"), keys["borealis"])
    submit(reg, mf.disclosure("cirrus", "cloud", reg.next_seq("cirrus"),
                              name="disclosure-sparse.json"), keys["cirrus"])
    submit(reg, mf.eval_result("acme", "atlas", reg.next_seq("acme"), False),
           keys["acme"])
    submit(reg, mf.eval_result("acme", "atlas", reg.next_seq("evalco"),
                               True), keys["evalco"])
    submit(reg, mf.assessment("acme", "atlas", reg.next_seq("assessco")),
           keys["assessco"])
    S["seeded"] = {"org": "acme", "model": "acme/atlas",
                   "models": ["acme/atlas", "borealis/north"],
                   "index": "modelfacts-v1"}


def test_every_page_html_with_headers_and_elements(t):
    pages = site_pages.pages(t, S["seeded"])
    assert len(pages) >= 11
    for name, path, selectors in pages:
        r, doc = get_html(t, path)
        check_security(r, embeddable=(name == "widget"))
        for sel in selectors:
            assert doc.select(sel), (name, path, sel)
        # one h1, headings never skip a level
        levels = [int(tg[1]) for tg, _ in doc.tags
                  if re.fullmatch(r"h[1-6]", tg)]
        assert levels.count(1) == 1, (name, levels)
        for a, b in zip(levels, levels[1:]):
            assert b <= a + 1, (name, path, levels)
        # every form control has a label
        labelled = {a.get("for") for tg, a in doc.tags if tg == "label"}
        for tg, a in doc.tags:
            if tg in ("input", "select") and a.get("type") not in (
                    "hidden", "checkbox", "submit"):
                assert a.get("id") in labelled, (name, tg, a)
        # no inline script, style or handler anywhere
        for tg, a in doc.tags:
            assert tg != "style", (name, "style element")
            assert "style" not in a, (name, tg, a)
            assert not any(k.startswith("on") for k in a), (name, tg, a)
            if tg == "script":
                assert a.get("src", "").startswith("/static/"), (name, a)
            if tg == "a" and a.get("href", "").startswith(("http:", "h")):
                pass
            if tg == "a":
                href = a.get("href", "")
                assert not href.lower().startswith(("javascript", "data")), \
                    (name, href)


def test_home_counts_equal_the_api(t):
    reg = api(t, "/v1/registry")["counts"]
    _, doc = get_html(t, "/")
    assert int(doc.text_by_id["count-models"]) == reg["models"]
    assert int(doc.text_by_id["count-organisations"]) == reg["organisations"]
    assert int(doc.text_by_id["count-log-entries"]) == reg["log_entries"]
    checkpoint = t.server.get("/v1/log/checkpoint").body.decode()
    assert doc.text_by_id["checkpoint"].strip() == checkpoint.strip()
    # the recent list: the API's newest first
    recent = api(t, "/v1/models?sort=-updated&limit=10")["models"]
    links = [a["href"] for tg, a in doc.tags if tg == "a" and
             a.get("href", "").startswith("/models/")]
    assert links[0] == f"/models/{recent[0]['org']}/{recent[0]['model']}"



def result_links(doc):
    """The model links inside the results list, in order."""
    out, inside = [], False
    for tg, a in doc.tags:
        if tg == "ol" and a.get("id") == "results":
            inside = True
        elif inside and tg == "a" and re.fullmatch(
                r"/models/[a-z0-9-]+/[a-z0-9-]+", a.get("href", "")):
            out.append(a["href"])
        elif inside and tg == "nav":
            break
    return out


def test_search_narrows_and_facets_filter(t):
    _, all_doc = get_html(t, "/models")
    total = api(t, "/v1/models")["total"]
    assert int(all_doc.text_by_id["total"]) == total == 3
    assert len(result_links(all_doc)) == 3
    _, doc = get_html(t, "/models?q=quillon")
    assert int(doc.text_by_id["total"]) == api(t, "/v1/models?q=quillon")[
        "total"] == 1
    assert result_links(doc) == ["/models/cirrus/cloud"]
    # a facet: the access checkboxes, repeated, as the API's list
    _, doc = get_html(t, "/models?access=api&access=hosted_product")
    want = api(t, "/v1/models?access=api,hosted_product")
    assert int(doc.text_by_id["total"]) == want["total"] == 2
    assert sorted(result_links(doc)) == sorted(
        f"/models/{m['org']}/{m['model']}" for m in want["models"])
    checked = [a["value"] for tg, a in doc.tags
               if tg == "input" and a.get("name") == "access" and
               "checked" in a]
    assert sorted(checked) == ["api", "hosted_product"]
    # blank form fields are no filter; the status select alone neither
    _, doc = get_html(t, "/models?q=&org=&license=&status=not_met&sort=")
    assert int(doc.text_by_id["total"]) == 3
    _, doc = get_html(t, "/models?org=borealis")
    assert result_links(doc) == ["/models/borealis/north"]
    # pagination by the API's cursor
    _, doc = get_html(t, "/models?limit=2")
    nxt = [a["href"] for tg, a in doc.tags if a.get("id") == "next-page"]
    assert len(result_links(doc)) == 2 and nxt, doc.tags[-5:]
    _, doc2 = get_html(t, nxt[0])
    assert len(result_links(doc2)) == 1
    assert not set(result_links(doc2)) & set(result_links(doc))


def test_compare_shows_the_chosen_models(t):
    _, doc = get_html(t, "/compare?model=acme/atlas&model=borealis/north")
    heads = [a["href"] for tg, a in doc.tags if tg == "a" and
             a.get("href") in ("/models/acme/atlas", "/models/borealis/north")]
    assert "/models/acme/atlas" in heads and \
        "/models/borealis/north" in heads
    c = api(t, "/v1/compare?model=acme/atlas&model=borealis/north")
    differs = [x for x in doc.select("tr.differs")]
    assert len(differs) >= sum(1 for f in c["facts"] if f["differs"])
    values = [a.get("value") for tg, a in doc.tags
              if tg == "input" and a.get("name") == "model"]
    assert values[:2] == ["acme/atlas", "borealis/north"]
    # the empty form
    _, doc = get_html(t, "/compare")
    assert doc.select("form.compare-form") and not doc.select("table#facts")


def coverage_cells(doc):
    """{indicator: [met, not_met, not_applicable, not_assessed]} from the
    dashboard's per-indicator table."""
    out, cur = {}, None
    parser_rows = []

    class P(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal cur
            a = dict(attrs)
            if tag == "tr" and "data-indicator" in a:
                cur = a["data-indicator"]
                out[cur] = []
            self.cell = tag == "td" and "n" in (a.get("class") or "").split()

        def handle_data(self, data):
            if getattr(self, "cell", False) and cur and data.strip():
                out[cur].append(int(data))
                self.cell = False
    P().feed(doc)
    del parser_rows
    return out


def test_dashboard_counts_equal_the_api(t):
    for q in ("", "&judge=auto", "&judge=assessco"):
        r, _ = get_html(t, "/dashboard?index=modelfacts-v1" + q)
        cells = coverage_cells(r.body.decode())
        cov = api(t, "/v1/indices/modelfacts-v1/coverage?x=1".replace(
            "?x=1", "?" + q[1:] if q else ""))
        assert len(cells) == len(cov["indicators"]) == 100
        for ind in cov["indicators"]:
            assert cells[ind["id"]] == [ind["met"], ind["not_met"],
                                        ind["not_applicable"],
                                        ind["not_assessed"]], ind
        # the heat map has a row per model, a cell per indicator
        heat = r.body.decode().split('id="heatmap"')[1].split("</table>")[0]
        body = heat.split("<tbody>")[1]
        assert body.count("<tr>") == cov["models"] == 3
        assert body.count("<td class=\"c-") == 300
    # the date picker's day is the end of that day
    r, _ = get_html(t, "/dashboard?index=modelfacts-v1&as_of=2000-01-01")
    r2 = t.server.get("/v1/indices/modelfacts-v1/coverage?as_of="
                      "2000-01-01T23:59:59Z")
    assert r2.status in (200, 404), r2


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;"
           "q=0.9,*/*;q=0.8"}


def test_unknown_pages_are_html_404(t):
    # pages that do not exist: HTML whoever asks
    for path in ("/models/acme/nope", "/models/ACME/x", "/orgs/nobody",
                 "/models/acme/atlas/versions/99", "/static/nope.css"):
        r, doc = get_html(t, path, 404)
        check_security(r)
        assert doc.select("h1") and doc.select("header.site"), path
    # a path nothing serves: HTML for a browser, the API's JSON otherwise
    for path in ("/nope", "/models/acme"):
        r = t.server.get(path, headers=BROWSER)
        assert r.status == 404 and r.header("Content-Type").startswith(
            "text/html"), (path, r)
        check_security(r)
        assert Doc(r.body.decode()).select("header.site"), path
        r = t.server.get(path)
        assert r.status == 404 and r.json()["error"]["code"] == "not_found"
    r = t.server.get("/v1/nope", headers=BROWSER)
    assert r.status == 404 and r.json()["error"]["code"] == "not_found"
    r = t.server.post("/nope", body=b"x")
    assert r.status == 404 and r.header("Content-Type") == "application/json"


def test_bad_parameters_are_html_400(t):
    for path in ("/models?sort=bogus", "/models?limit=abc",
                 "/models?min_score=x", "/models?org=NOT%20A%20SLUG",
                 "/models?indicator=nope&status=met", "/models?bogus=1",
                 "/compare?model=acme/atlas",
                 "/compare?" + "&".join(["model=acme/atlas"] * 9),
                 "/dashboard?index=bad%20id",
                 "/dashboard?index=modelfacts-v1&as_of=yesterday",
                 "/models/acme/atlas?version=x", "/?x=1", "/log?page=2",
                 "/dashboard?index=modelfacts-v1&org=acme",
                 "/models/acme/atlas/versions/1?utm_source=x",
                 "/orgs/acme?x=1", "/compare?model=acme/atlas&bogus=1",
                 "/models/acme/atlas/diff?from=x&to=1"):
        r = t.server.get(path)
        assert r.status in (400, 404), (path, r)
        assert r.header("Content-Type") == "text/html; charset=utf-8", path
        doc = Doc(r.body.decode())
        assert doc.select("p.error"), (path, r.body[:400])
    # the API's message is shown
    r = t.server.get("/models?sort=bogus")
    assert r.status == 400 and b"sort" in r.body


def test_version_page_immutable_with_etag(t):
    # final once its commit is published (the publisher runs behind)
    for _ in range(100):
        if all(h["commit"] for h in api(t, "/v1/models/acme/atlas/history")[
                "history"]):
            break
        time.sleep(0.1)
    r, _ = get_html(t, "/models/acme/atlas/versions/1")
    assert "immutable" in r.header("Cache-Control"), r.headers
    etag = r.header("ETag")
    assert etag
    r2 = t.server.get("/models/acme/atlas/versions/1",
                      headers={"If-None-Match": etag})
    assert r2.status == 304 and r2.body == b""
    # the second answer comes from the server's cache: the same bytes
    r2b, _ = get_html(t, "/models/acme/atlas/versions/1")
    assert r2b.body == r.body and r2b.header("ETag") == etag
    check_security(r2b)
    r3, _ = get_html(t, "/models")
    assert r3.header("Cache-Control") == "no-cache" and r3.header("ETag")
    # assets: long lifetimes under content-hashed URLs
    _, doc = get_html(t, "/")
    css = [a["href"] for tg, a in doc.tags if tg == "link" and
           a.get("rel") == "stylesheet"][0]
    assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", css), css
    r4 = t.server.get(css)
    assert r4.status == 200 and r4.header("Content-Type").startswith(
        "text/css") and "immutable" in r4.header("Cache-Control")
    assert b".mf-label" in r4.body and b".mf-w-50" in r4.body
    r5 = t.server.get("/static/site.js")
    assert r5.status == 200 and "javascript" in r5.header("Content-Type")


def test_hostile_text_stays_text(t):
    for path in ("/", "/models", "/models/acme/atlas",
                 "/models/acme/atlas/versions/2", "/models/acme/atlas/widget",
                 "/models/acme/atlas/diff?from=1&to=2",
                 "/compare?model=acme/atlas&model=borealis/north"):
        r, doc = get_html(t, path)
        body = r.body.decode()
        assert "<script>alert" not in body and "<img" not in body, path
        assert "\u202e" not in body and "\u2066" not in body, path
        assert "onerror=alert(2)" not in "".join(
            " ".join(f"{k}={v}" for k, v in a.items()) for _, a in doc.tags
            if _ != "input"), path
        assert not [a for tg, a in doc.tags if tg in ("img", "svg")], path
    r, doc = get_html(t, "/models/acme/atlas")
    assert "Atlas <script>alert(1)</script>\ufffdevil" in \
        html.unescape(r.body.decode())


def test_model_page_provenance_matches_the_api(t):
    rec = api(t, "/v1/models/acme/atlas")
    hist = api(t, "/v1/models/acme/atlas/history")["history"]
    r, doc = get_html(t, "/models/acme/atlas")
    body = r.body.decode()
    assert rec["payload_sha256"] in body
    for k in rec["signed_by"]:
        assert k in body
    entry = next(h for h in hist if h["log_index"] == rec["log_index"])
    if entry["commit"]:
        assert entry["commit"] in body
    assert f'href="/v1/log/entries/{rec["log_index"]}"' in body
    assert "/v1/log/proof/inclusion?index=" in body
    opts = [a.get("value") for tg, a in doc.tags if tg == "option" and
            a.get("value", "").isdigit()]
    assert sorted(opts) == ["1", "2"]
    # the version selector's choice
    r, _ = get_html(t, "/models/acme/atlas?version=1")
    v1 = api(t, "/v1/models/acme/atlas/versions/1")
    assert v1["payload_sha256"] in r.body.decode()
    # every indicator with each judge: the assessor's column is there
    assert '<a href="/orgs/assessco">assessco</a>' in body
    # downloads point at the API
    for suffix in ("label.json", "label.md"):
        assert f"/v1/models/acme/atlas/versions/2/{suffix}" in body
    # the org page's keys and submissions are the API's
    org = api(t, "/v1/orgs/acme")
    r, doc = get_html(t, "/orgs/acme")
    for k in org["keys"]:
        assert k["keyid"] in r.body.decode()
    assert len(doc.select("ol#submissions")) == 1
    assert r.body.decode().count("<li>") >= len(org["recent"]) == 3


def test_label_page_prints_on_one_page(t):
    """The print stylesheet makes the model page a one-page spec sheet
    (A4): Chromium prints it to PDF and the PDF has one page."""
    exe = shutil.which("chromium")
    if exe is None:
        raise harness.Skip("chromium is not installed")
    for path in ("/models/acme/atlas", "/models/borealis/north/versions/1"):
        pdf = os.path.join(t.dir, "print.pdf")
        if os.path.exists(pdf):
            os.remove(pdf)
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-pdf-header-footer",
                        "--user-data-dir=" + os.path.join(t.dir, "chromium"),
                        "--print-to-pdf=" + pdf, t.server.url + path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=90, check=False)
        data = open(pdf, "rb").read()
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert pages == 1, (path, pages)


def test_current_page_shows_later_judgements(t):
    """The current model page shows the current label, with the
    assessment made after the version was published; the version's own
    page shows the label as it was published."""
    def article(path):
        r, _ = get_html(t, path)
        body = r.body.decode()
        return body[body.index('<article class="mf-label">'):
                    body.index("</article>")]
    cur = api(t, "/v1/models/acme/atlas/label.json")
    assert any(j["judge"] == "assessco" for g in cur["judgements"]
               for j in g["judges"])
    assert "Assessco" in article("/models/acme/atlas")
    assert "Assessco" not in article("/models/acme/atlas/versions/2")
