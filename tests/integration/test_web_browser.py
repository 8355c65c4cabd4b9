"""The web site in a real browser (issue 13): Debian's headless Chromium,
driven over the DevTools protocol (browser.py), against a live server
seeded with the FMTI editions and varied disclosures (seed_web.py),
including an XSS corpus.

For every page, from site_pages.pages(t, seeded) when that module exists,
else the fallback list below: it loads with no console error, exception,
CSP violation or failed request; its selectors match; at 360 px nothing
scrolls sideways; axe-core finds no serious or critical violation; the
XSS corpus is inert (no injected element, handler, javascript: URL or
dialog; the title is the server's). Screenshots at 1280 and 390 px go to
build/screenshots/{name}-{width}.png. Then the interactions, each skipped
while its page does not exist yet: the header search narrows results, a
facet filters, compare shows the chosen models, the dashboard's counts
equal counts computed here from every model's label.json.

Adding a page is one line in site_pages.pages. site_pages may also set
SEARCH_INPUT (a CSS selector for the header search field) and
dashboard_counts(tab, index) (the dashboard's figures, keys as in
expected_dashboard_counts) when the defaults below do not fit.
"""
import atexit
import html
import json
import os
import re
import time
import urllib.parse

import browser
import seed_web
from harness import ROOT, Skip

try:
    import site_pages
except ImportError:
    site_pages = None

S = {}
SHOTS = os.path.join(ROOT, "build", "screenshots")
AXE = os.path.join(ROOT, "build", "npm", "axe", "node_modules", "axe-core",
                   "axe.min.js")
AXE_UNAVAILABLE = os.path.join(ROOT, "build", "npm", "axe.unavailable")
WIDTHS = (1280, 390)
NARROW = 360


def fallback_pages(t, seeded):
    """The pages that exist before the site does: the immutable label
    pages of four kinds of disclosure. `/` and `/models` are tried too and
    skipped while they answer 404."""
    v = seeded["versions"]

    def label(m):
        return f"/v1/models/{m}/versions/{v[m]}/label.html"
    return [
        ("home", "/", ["header", "main", "header form input"]),
        ("models", "/models", ["header", "main"]),
        ("label", label(seeded["model"]), ["article.mf-label", "h1"]),
        ("label-assessed", label("meridian/atlas-pro"),
         ["article.mf-label", "h1"]),
        ("label-sparse", label("quillon/q-mini"), ["article.mf-label"]),
        ("label-xss", label(seeded["xss_model"]), ["article.mf-label"]),
    ]


def setup():
    if "error" in S:
        raise Skip(S["error"])
    if "browser" not in S:
        raise Skip("no browser: test_setup did not run")
    return S


def test_setup(t):
    """Seeds the server and starts the one browser of the module."""
    S["seeded"] = seeded = seed_web.seed(t)
    if site_pages is not None:
        S["pages"], S["fallback"] = site_pages.pages(t, seeded), False
    else:
        S["pages"], S["fallback"] = fallback_pages(t, seeded), True
    if browser.chromium_path() is None:
        S["error"] = "chromium is not installed (scripts/deps.sh test)"
        raise Skip(S["error"])
    os.makedirs(SHOTS, exist_ok=True)
    for f in os.listdir(SHOTS):
        if f.endswith(".png"):
            os.remove(os.path.join(SHOTS, f))
    b = S["browser"] = browser.Browser(os.path.join(t.dir, "chromium"))
    atexit.register(b.close)
    S["tab"] = b.new_tab()
    # Which pages exist: the fallback list's future pages are skipped
    # while they answer 404; a page site_pages names must exist.
    S["live"], S["absent"] = [], []
    for name, path, selectors in S["pages"]:
        r = t.server.get(path)
        if r.status == 404 and S["fallback"]:
            S["absent"].append(f"{name} ({path})")
            continue
        S["live"].append((name, path, selectors, r))
    if S["absent"]:
        print("   not built yet (answer 404), skipped: "
              + ", ".join(S["absent"]))


def each_page(check):
    """Runs check(name, path, selectors, response) on every live page and
    fails once, naming every page that failed and why."""
    failures = []
    for name, path, selectors, r in setup()["live"]:
        try:
            msg = check(name, path, selectors, r)
        except browser.BrowserError as e:
            msg = [f"browser: {e}"]
        if msg:
            failures.append(f"{name} {path}:\n      " + "\n".join(
                msg).replace("\n", "\n      "))
    assert not failures, "\n  " + "\n  ".join(failures)


def url(t, path):
    return t.server.url + path


# --- the checks: each returns what is wrong with the page at u ----------

def check_load(tab, u, name, selectors):
    """Problems at each width (console errors, exceptions, CSP, failed
    requests, >= 400) and selectors that match nothing; screenshots."""
    out = []
    for width in WIDTHS:
        tab.open(u, width=width)
        out += [f"at {width} px: {p}" for p in tab.problems()]
        missing = tab.missing(selectors)
        if missing:
            out.append(f"at {width} px no element matches "
                       f"{', '.join(missing)}")
        if name:
            tab.screenshot(os.path.join(SHOTS, f"{name}-{width}.png"))
    return out


def check_narrow(tab, u):
    """Whether the page scrolls sideways on a 360 px phone, and what
    sticks out."""
    tab.open(u, width=NARROW)
    # the layout viewport: a phone lays a page without a viewport meta out
    # 980 px wide (innerWidth would be the zoomed-out visual viewport)
    inner = tab.evaluate("document.documentElement.clientWidth")
    if inner != NARROW:
        return [f"laid out {inner} px wide on a {NARROW} px screen "
                "(no viewport meta?)"]
    o = tab.overflow()
    if not o:
        return []
    lines = [f"scrolls sideways at {NARROW} px: content {o['scroll']} px "
             f"wide in a {o['viewport']} px viewport; overflowing:"]
    lines += [f"  {e['element']} (right edge {e['right']} px): "
              f"{e['text']!r}" for e in o["offenders"]]
    return ["\n".join(lines)]


def check_axe(tab, u, source, name=""):
    """axe-core's serious and critical violations (the lesser ones are
    printed as a note)."""
    tab.open(u, width=1280)
    violations = tab.axe(source)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    lesser = [f"{v['id']} ({v['impact']})" for v in violations
              if v not in bad]
    if lesser and name:
        print(f"   note: axe on {name}: {', '.join(lesser)}")
    return ["axe-core:\n" + browser.format_violations(bad)] if bad else []


# Everything an injection could have left in the DOM. Elements with
# id="xss" come only from the corpus; inline handlers, javascript: URLs
# and script elements without src from nowhere on these pages.
INERT_JS = r"""(() => {
  const out = [];
  const all = document.querySelectorAll('*');
  for (const e of all) {
    const tag = e.tagName.toLowerCase();
    if (e.id === 'xss') out.push('injected element <' + tag + ' id=xss>');
    for (const a of e.attributes) {
      const v = a.value.trim().toLowerCase().replace(/[\s\u0000-\u001f]/g, '');
      if (a.name.startsWith('on'))
        out.push('handler ' + a.name + ' on <' + tag + '>');
      if (v.startsWith('javascript:') || v.startsWith('vbscript:'))
        out.push(a.name + '="' + a.value.slice(0, 60) + '" on <' + tag + '>');
      if (v.startsWith('data:') && ['a', 'iframe', 'object', 'embed',
          'form', 'frame'].includes(tag))
        out.push(a.name + '="' + a.value.slice(0, 60) + '" on <' + tag + '>');
    }
    if (tag === 'script' && !e.src) out.push('inline <script>');
    if (['iframe', 'object', 'embed', 'frame', 'frameset', 'base']
        .includes(tag))
      out.push('<' + tag + '> in the page');
    if (tag === 'meta' && (e.httpEquiv || '').toLowerCase() === 'refresh')
      out.push('<meta http-equiv=refresh>');
  }
  // Bidi controls must be contained: inside an isolating inline element
  // (<bdi>, unicode-bidi: isolate/plaintext) or alone in their block (a
  // paragraph of their own), so they cannot reorder the text around them.
  const bidi = /[\u202a-\u202e\u2066-\u2069]/;
  const walker = document.createTreeWalker(document.body || document,
                                           NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!bidi.test(n.data)) continue;
    let ok = false;
    for (let p = n.parentElement; p && p !== document.body;
         p = p.parentElement) {
      const st = getComputedStyle(p);
      // (blocks are isolated by default: what counts is the paragraph)
      if (!st.display.startsWith('inline')) {
        ok = p.textContent.trim() === n.data.trim();
        break;
      }
      if (/isolate|plaintext/.test(st.unicodeBidi)) { ok = true; break; }
    }
    if (!ok) out.push('bidi control not isolated in <' +
        n.parentElement.tagName.toLowerCase() + '>: ' +
        JSON.stringify(n.data.slice(0, 80)).replace(
            /[\u202a-\u202e\u2066-\u2069]/g,
            c => '\\u' + c.charCodeAt(0).toString(16)));
  }
  return out;
})()"""


def served_title(body):
    m = re.search(rb"<title>(.*?)</title>", body, re.S)
    return html.unescape(m.group(1).decode()) if m else ""

def check_inert(tab, u, title, marker):
    """What the XSS corpus left: injected elements, handlers, script
    URLs, inline scripts, frames, unisolated bidi controls, a changed
    title, dialogs."""
    tab.open(u, width=1280)
    out = list(tab.evaluate(INERT_JS))
    now = tab.evaluate("document.title")
    if marker in now:
        out.append(f"an injected script ran: title {now!r}")
    elif now != title:
        out.append(f"the title changed: {now!r}, served {title!r}")
    out += [f"a dialog opened: {d.get('type')} {d.get('message')!r}"
            for d in tab.dialogs()]
    return out


# Pages made to fail every check, so a check that stopped seeing (an
# event no longer collected, a selector that matches nothing) fails here.
BROKEN = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>broken</title></head><body><main><h1>Broken</h1>
<div style="width:900px">far too wide</div>
<img src="{missing}">
<p style="color:#ddd;background:#fff">low contrast</p>
<a id="xss" href="javascript:void(0)" onclick="void 0">x</a>
<p>\u202ealone in its block</p>
<p>Name: <span>\u202emixed</span> with the text around it</p>
<script>console.error("on purpose");
document.title = "XSS" + "RAN"; alert("on purpose");</script>
<script>throw new Error("uncaught on purpose")</script>
</main></body></html>"""
CSP_BROKEN = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<title>csp</title></head><body><main><h1>CSP</h1>
<script>document.title = "ran"</script></main></body></html>"""


def test_the_checks_catch_a_broken_page(t):
    tab = setup()["tab"]
    pages = {}
    for name, text in (("broken", BROKEN.replace(
            "{missing}", url(t, "/no-such-image.png"))),
            ("csp", CSP_BROKEN)):
        pages[name] = os.path.join(t.dir, name + ".html")
        with open(pages[name], "w", encoding="utf-8") as f:
            f.write(text)
    u = "file://" + pages["broken"]
    got = "\n".join(check_load(tab, u, "", ["main", "nav.missing"]))
    for want in ("console.error: on purpose", "uncaught on purpose",
                 "request failed: " + url(t, "/no-such-image.png"),
                 "dialog (alert)", "nav.missing"):
        assert want in got, (want, got)
    got = "\n".join(check_load(tab, url(t, "/no-such-page"), "", []))
    assert "HTTP 404: " + url(t, "/no-such-page") in got, got
    got = "\n".join(check_narrow(tab, u))
    assert "scrolls sideways" in got and "div" in got, got
    got = "\n".join(check_inert(tab, u, "broken", "XSSRAN"))
    for want in ("injected element <a id=xss>", "handler onclick",
                 'href="javascript:', "inline <script>",
                 "an injected script ran", "a dialog opened",
                 "bidi control not isolated in <span>: \"\\u202emixed"):
        assert want in got, (want, got)
    assert "alone in" not in got, got  # alone in its block: contained
    got = "\n".join(check_load(tab, "file://" + pages["csp"], "", []))
    assert "ContentSecurityPolicyIssue" in got, got
    if os.path.exists(AXE):
        got = "\n".join(check_axe(tab, u, axe_source()))
        assert "image-alt" in got and "color-contrast" in got, got
        # injected over CDP, axe runs under a CSP that blocks every script
        # of the page's own
        assert check_axe(tab, "file://" + pages["csp"], axe_source()) == []
        assert tab.evaluate("document.title") == "csp"


# --- every page --------------------------------------------------------------

def test_each_page_loads_clean_with_its_elements(t):
    """No console error, exception, CSP violation, failed request or
    response >= 400; every selector matches; screenshots at 1280 and
    390 px."""
    tab = setup()["tab"]

    def check(name, path, selectors, r):
        out = []
        if r.status != 200 or not (r.header("Content-Type") or "").startswith(
                "text/html"):
            out.append(f"answers {r.status} {r.header('Content-Type')}")
        return out + check_load(tab, url(t, path), name, selectors)
    each_page(check)


def test_no_page_scrolls_sideways_at_360_px(t):
    tab = setup()["tab"]
    each_page(lambda name, path, selectors, r:
              check_narrow(tab, url(t, path)))


def axe_source():
    if not os.path.exists(AXE):
        why = "axe-core is not installed (make test-deps installs it)"
        if os.path.exists(AXE_UNAVAILABLE):
            with open(AXE_UNAVAILABLE) as f:
                why = f.read().strip()
        raise Skip(why)
    with open(AXE) as f:
        return f.read()


def test_axe_finds_nothing_serious_or_critical(t):
    tab = setup()["tab"]
    source = axe_source()
    each_page(lambda name, path, selectors, r:
              check_axe(tab, url(t, path), source, name))


def test_xss_corpus_is_inert_on_every_page(t):
    tab = setup()["tab"]
    marker = S["seeded"]["marker"]
    each_page(lambda name, path, selectors, r:
              check_inert(tab, url(t, path), served_title(r.body), marker))
    # the corpus reached at least one page, as text
    xss = [p for p in S["live"] if S["seeded"]["xss_model"] in p[1]
           or "xss" in p[0]]
    assert xss, "no page shows the XSS corpus"
    tab.open(url(t, xss[0][1]), width=1280)
    text = tab.evaluate("document.body.innerText")
    assert "<script>document.title" in text, text[:500]


# --- interactions (each needs its page; skipped until it exists) ---------

def page_exists(t, path):
    r = t.server.get(path)
    if r.status == 404:
        raise Skip(f"{path.split('?')[0]} answers 404: not built yet")
    return r


MODEL_LINKS = r"""(() => {
  const root = document.querySelector('main') || document.body;
  const out = new Set();
  for (const a of root.querySelectorAll('a[href]')) {
    const u = new URL(a.href, location.href);
    const m = u.pathname.match(/^\/models\/([^\/]+)\/([^\/]+)\/?$/);
    if (m && u.origin === location.origin)
      out.add(decodeURIComponent(m[1]) + '/' + decodeURIComponent(m[2]));
  }
  return Array.from(out).sort();
})()"""


def model_links(tab):
    """The models a page's main content links to, "org/model"."""
    return set(tab.evaluate(MODEL_LINKS))


def api_models(t, **params):
    params.setdefault("limit", 1000)
    r = t.server.get("/v1/models?" + urllib.parse.urlencode(params))
    assert r.status == 200, r
    doc = r.json()
    return {m["org"] + "/" + m["model"] for m in doc["models"]}, doc["total"]


def search_input(tab):
    for sel in ([getattr(site_pages, "SEARCH_INPUT", None)] +
                ['header input[name="q"]', 'header input[type="search"]',
                 'form[role="search"] input[name="q"]']):
        if sel and tab.exists(sel):
            return sel
    raise AssertionError("no search field in the page's header")


def test_header_search_narrows_results(t):
    tab = setup()["tab"]
    page_exists(t, "/models")
    q = S["seeded"]["search"]["q"]
    tab.open(url(t, "/models"), width=1280)
    before = model_links(tab)
    assert before, "/models links to no model"
    sel = search_input(tab)
    tab.fill(sel, q)
    after_url = tab.submit(sel)
    assert "q=" + q in after_url, after_url
    assert not tab.problems(), tab.problems()
    after = model_links(tab)
    want, total = api_models(t, q=q)
    assert after == want, (after, want)
    assert 0 < len(after) < len(before), (len(before), after)


def test_a_facet_filters(t):
    tab = setup()["tab"]
    page_exists(t, "/models")
    name, value = S["seeded"]["search"]["facet"]
    tab.open(url(t, "/models"), width=1280)
    before = model_links(tab)
    box = f'input[name="{name}"][value="{value}"]'
    link = f'a[href*="{name}={value}"]'
    if tab.exists(box):
        tab.evaluate(f"document.querySelector({json.dumps(box)})"
                     ".checked = true")
        got = tab.submit(box)
    elif tab.exists(link):
        got = tab.click(link)
    else:
        raise AssertionError(f"no facet for {name}={value}: neither {box} "
                             f"nor {link}")
    assert f"{name}={value}" in urllib.parse.unquote(got), got
    assert not tab.problems(), tab.problems()
    after = model_links(tab)
    want, total = api_models(t, **{name: value})
    assert after and after <= want, (after - want, want)
    if total <= len(after):
        assert after == want, (after, want)
    assert after != before and not after >= before, (after, before)


def test_compare_shows_the_chosen_models(t):
    tab = setup()["tab"]
    chosen = S["seeded"]["compare"]
    path = "/compare?" + urllib.parse.urlencode([("model", m)
                                                 for m in chosen])
    page_exists(t, path)
    tab.open(url(t, path), width=1280)
    assert not tab.problems(), tab.problems()
    linked = model_links(tab)
    assert set(chosen) <= linked, (chosen, linked)
    others = set(S["seeded"]["models"]) - set(chosen)
    assert not linked & others, linked & others
    text = tab.evaluate("document.querySelector('main').innerText")
    for m in chosen:
        name = t.server.get(f"/v1/models/{m}/label.json").json()["name"]
        assert name in text, (name, text[:1000])


def default_judge(judges):
    """DESIGN.md §2: the newest assessor's judgement, else the automatic
    check's."""
    assessors = [j for j in judges if not j["automatic"]]
    if assessors:
        return max(assessors, key=lambda j: j["log_index"])
    return next((j for j in judges if j["automatic"]), None)


def expected_dashboard_counts(t, index):
    """Counts computed from every model's label.json, named as the
    dashboard marks them (data-count="<key>"):

      models                    every model (judged on index or not)
      judge:<id>                models whose shown judgement is <id>'s
                                (the default judge), judge:none unjudged
      <status>:<domain>         summed over models and the domain's
      <status>:<domain>/<sub>   (or subdomain's) indicators

    status met, not_met, not_applicable or not_assessed (the judge left
    the indicator unassessed, or no judge judged the model)."""
    ind = t.server.get(f"/v1/indices/{index}")
    assert ind.status == 200, ind
    size = {}
    for i in ind.json()["indicators"]:
        for key in (i["domain"], i["domain"] + "/" + i["subdomain"]):
            size[key] = size.get(key, 0) + 1
    counts = {"models": 0}

    def add(k, n):
        counts[k] = counts.get(k, 0) + n
    r = t.server.get("/v1/models?limit=1000")
    assert r.status == 200, r
    for m in r.json()["models"]:
        label = t.server.get(f"/v1/models/{m['org']}/{m['model']}"
                             "/label.json")
        assert label.status == 200, (m, label)
        js = [j for j in label.json()["judgements"] if j["index"] == index]
        j = default_judge(js[0]["judges"]) if js else None
        counts["models"] += 1
        add("judge:" + (j["judge"] if j else "none"), 1)
        if j is None:
            for key, n in size.items():
                for status in ("met", "not_met", "not_applicable"):
                    add(f"{status}:{key}", 0)
                add(f"not_assessed:{key}", n)
            continue
        for d in j["domains"]:
            for part, key in [(d, d["id"])] + [
                    (s, d["id"] + "/" + s["id"]) for s in d["subdomains"]]:
                met, un = part["score"], part["unassessed"]
                add(f"met:{key}", met)
                add(f"not_applicable:{key}", part["not_applicable"])
                add(f"not_assessed:{key}", un)
                # max leaves out the not-applicable indicators
                add(f"not_met:{key}", part["max"] - met - un)
    return counts


def page_dashboard_counts(tab, index):
    """The dashboard's own figures: site_pages.dashboard_counts when it
    is defined, else every element data-count="<key>" (its text the
    number)."""
    if site_pages is not None and hasattr(site_pages, "dashboard_counts"):
        return site_pages.dashboard_counts(tab, index)
    got = tab.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll("
        "'[data-count]'), e => [e.dataset.count, e.textContent.trim()]))")
    return {k: int(re.sub(r"[^\d]", "", v)) for k, v in got.items()}


def test_dashboard_counts_equal_the_labels(t):
    tab = setup()["tab"]
    index = S["seeded"]["index"]
    path = "/dashboard?index=" + index
    page_exists(t, path)
    tab.open(url(t, path), width=1280)
    assert not tab.problems(), tab.problems()
    shown = page_dashboard_counts(tab, index)
    want = expected_dashboard_counts(t, index)
    assert "models" in shown and any(k.startswith("met:") for k in shown), \
        f"the dashboard marks no counts (data-count): {shown}"
    wrong = {k: (v, want.get(k)) for k, v in shown.items()
             if want.get(k) != v}
    assert not wrong, f"dashboard vs label.json (shown, computed): {wrong}"


def test_browser_closes(t):
    """The browser goes away with the module; nothing is left running."""
    b = S.get("browser")
    if b is None:
        raise Skip("no browser was started")
    pid = b.proc.pid
    b.close()
    assert b.proc is None
    # its process group (renderers, zygote) is gone too
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"chromium's process group {pid} still running")
