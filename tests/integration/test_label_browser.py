"""Labels in a real browser: a disclosure whose text fields carry HTML and
script injections is published, and its label.html page is loaded in
headless Chromium (Debian's package). Nothing injected may run or become
markup; the text must still be there, as text. The same holds for the
judgements: an assessor whose name and justifications attack the page,
over HTTP and in the hostile golden label of the unit tests."""
import html.parser
import os
import shutil
import subprocess

import mf
from harness import ROOT, Skip

INJECT = ('<img src=x onerror="document.title=\'pwned-img\'">'
          '<script>document.title="pwned-script"</script>'
          '<a href="javascript:document.title=\'pwned-link\'" id=evil>x</a>'
          '[click](javascript:alert(1)) <iframe src="data:text/html,hi">')


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise Skip("chromium is not installed")


def dump_dom(t, url):
    profile = os.path.join(t.dir, "profile")
    shutil.rmtree(profile, ignore_errors=True)
    p = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}",
         "--virtual-time-budget=3000", "--dump-dom", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


class Elements(html.parser.HTMLParser):
    """Every element and attribute of the page as the browser built it."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.title, self._in_title = [], [], "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_inert(dom):
    page = Elements()
    page.feed(dom)
    assert "pwned" not in page.title, f"an injected script ran: {page.title}"
    for tag in ("script", "img", "iframe", "b"):
        assert tag not in page.tags, f"injected <{tag}> became markup"
    for tag, k, v in page.attrs:
        assert not k.startswith("on"), (tag, k, v)
        assert not v.lower().strip().startswith(("javascript:", "data:")), \
            (tag, k, v)
        assert not (k == "id" and v == "evil"), (tag, k, v)
        assert not (tag == "details" and k == "open"), (tag, k, v)
    return page


def test_hostile_judgements_stay_text_in_chromium(t):
    """The unit tests' hostile label: assessor name, source attribution
    and every justification carry the injections; its folds are
    <details> that work without scripts."""
    path = os.path.join(ROOT, "tests", "fixtures", "labels", "golden",
                        "hostile.label.html")
    dom = dump_dom(t, "file://" + path)
    page = check_inert(dom)
    assert "details" not in page.tags or "summary" in page.tags
    assert dom.count("&lt;script&gt;document.title") >= 3, dom[:2000]
    assert "Transparency, according to whom" in dom


def test_assessor_text_stays_text_in_chromium(t):
    """An assessor with a hostile display name grades a model with hostile
    justifications; its label page shows them, if at all, as text."""
    reg = mf.Registry(t.server)
    dev = mf.Key(t.dir, "jdev", "ed25519")
    judge = mf.Key(t.dir, "jjudge", "ed25519")
    reg.create_org("jdev", "developer", dev)
    reg.create_org("jjudge", "assessor", judge, name=INJECT[:200])
    r = reg.submit(mf.envelope(mf.disclosure("jdev", "graded", 1), [dev]))
    assert r.status == 201, r
    doc = mf.assessment("jdev", "graded", reg.next_seq("jjudge"))
    for grade in doc["scores"].values():
        grade["justification"] = INJECT
    r = reg.submit(mf.envelope(doc, [judge]))
    assert r.status == 201, r
    dom = dump_dom(t, t.server.url + "/v1/models/jdev/graded/label.html")
    check_inert(dom)
    if "jjudge" in dom:  # the label shows the assessor's judgement
        assert "&lt;script&gt;document.title" in dom


def test_injected_text_stays_text_in_chromium(t):
    reg = mf.Registry(t.server)
    key = mf.Key(t.dir, "inj", "ed25519")
    reg.create_org("inj", "developer", key)
    doc = mf.disclosure("inj", "model", 1)
    doc["identity"]["name"] = "Model <b>bold</b> & co"
    doc["identity"]["description"] = INJECT
    doc["uses"]["intended"] = [INJECT] if isinstance(
        doc["uses"].get("intended"), list) else doc["uses"].get("intended")
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 201, r
    dom = dump_dom(t, t.server.url +
                   "/v1/models/inj/model/versions/1/label.html")
    page = Elements()
    page.feed(dom)
    assert "pwned" not in page.title, f"an injected script ran: {page.title}"
    for tag in ("script", "img", "iframe", "b"):
        assert tag not in page.tags, f"injected <{tag}> became markup"
    for tag, k, v in page.attrs:
        assert not k.startswith("on"), (tag, k, v)
        assert not v.lower().strip().startswith(("javascript:", "data:")), \
            (tag, k, v)
        assert not (k == "id" and v == "evil"), (tag, k, v)
    # the text is shown, as text
    assert "&lt;script&gt;" in dom and "Model &lt;b&gt;bold&lt;/b&gt; &amp; co" in dom
