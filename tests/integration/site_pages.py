"""The web site's pages, for the tests that load them (test_web_pages.py
here, test_web_browser.py in a real browser).

`pages(t, seeded)` returns one (name, path, [CSS selectors that must
exist]) per page type. `seeded` says what the test seeded, as a dict
(any key may be missing, and then the live registry behind t.server is
asked): "org" (an organisation with a model), "model" ("org/model" with
at least one disclosure version), "models" (two or more "org/model" ids
to compare), "index" (an index id for the dashboard), "xss_model" and "xss_org"
(a model and organisation whose documents carry hostile text: their
pages are added). Selectors are
simple (tag, #id, .class, tag.class, tag#id, [attr]) so that both a DOM
and html.parser can check them.
"""
import json


def _first_models(t, n):
    r = t.server.get("/v1/models?limit=50&sort=-updated")
    rows = json.loads(r.body)["models"] if r.status == 200 else []
    ids = [f"{m['org']}/{m['model']}" for m in rows if m.get("version")]
    return ids[:n]


def pages(t, seeded=None):
    seeded = dict(seeded or {})
    models = seeded.get("models") or _first_models(t, 2)
    model = seeded.get("model") or (models[0] if models else "acme/atlas")
    org = seeded.get("org") or model.split("/")[0]
    index = seeded.get("index") or "modelfacts-v1"
    compare = "&".join("model=" + m for m in (models[:2] if len(models) >= 2
                                              else [model, model]))
    frame = ["header.site", "nav", "form[role]", "input#site-q", "main#main",
             "footer.site"]
    return [
        ("home", "/", frame + ["h1", "#count-models", "#count-log-entries",
                               "form.search.big"]),
        ("models", "/models", frame + ["h1", "#total", "form.facets",
                                       "ol#results", "li.result",
                                       "span.mf-bar"]),
        ("model", f"/models/{model}",
         frame + ["article.mf-label", "h1.mf-title", "select#version",
                  "nav.downloads", "section.provenance", "ol.verify"]),
        ("model-version", f"/models/{model}/versions/1",
         frame + ["article.mf-label", "section.provenance"]),
        ("widget", f"/models/{model}/widget", ["article.mf-label"]),
        ("history", f"/models/{model}/history",
         frame + ["h1", "table#history"]),
        ("diff", f"/models/{model}/diff?from=1&to=1",
         frame + ["h1", "pre.diff", "#score-delta"]),
        ("compare", f"/compare?{compare}",
         frame + ["h1", "form.compare-form", "table#facts", "table#scores"]),
        ("dashboard", f"/dashboard?index={index}",
         frame + ["h1", "select#d-index", "input#d-as-of", "table#heatmap",
                  "table#coverage"]),
        ("org", f"/orgs/{org}", frame + ["h1", "ul#models", "#h-keys", "#h-recent"]),
        ("eu-ai-act", f"/models/{model}/eu-ai-act",
         frame + ["h1", "select#version", "ul#eu-completeness",
                  "dl.eu-items", "dt[data-item]"]),
        ("log", "/log", frame + ["h1", "pre#checkpoint", "ol#entries",
                                 "ol.verify"]),
    ] + _hostile(seeded, frame)


def _hostile(seeded, frame):
    """The pages that show the hostile documents, when there are any."""
    xss, org = seeded.get("xss_model"), seeded.get("xss_org")
    out = []
    if xss:
        out += [
            ("xss-model", f"/models/{xss}", frame + ["article.mf-label"]),
            ("xss-widget", f"/models/{xss}/widget", ["article.mf-label"]),
            ("xss-eu-ai-act", f"/models/{xss}/eu-ai-act",
             frame + ["dl.eu-items"]),
            ("xss-history", f"/models/{xss}/history",
             frame + ["table#history"]),
            ("xss-search", "/models?q=" + xss.split("/")[1],
             frame + ["ol#results"]),
        ]
    if org:
        out.append(("xss-org", f"/orgs/{org}", frame + ["h1"]))
    return out
