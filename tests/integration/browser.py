"""A small Chrome DevTools Protocol client, standard library only.

Starts Debian's headless Chromium with --remote-debugging-pipe: the browser
reads CDP messages on its fd 3 and writes them on its fd 4, each JSON
message ended by a NUL byte, so no websocket is needed. One Browser per
test module; each Tab is a page target reached through a flat session
(Target.attachToTarget flatten=true), reused from page to page.

A Tab records, from the moment it is opened or last reset, what a page
must not do: console errors (Runtime.consoleAPICalled at level error),
uncaught exceptions (Runtime.exceptionThrown), browser log errors
(Log.entryAdded: CSP violations, blocked or failed loads), CSP issues
(Audits.issueAdded), failed requests (Network.loadingFailed) and responses
>= 400, and JavaScript dialogs (Page.javascriptDialogOpening, dismissed at
once so nothing hangs). Every wait has a timeout; the browser is always
killed on close, and its profile is a fresh directory per run.

    with Browser(profile_dir) as b:
        tab = b.new_tab()
        tab.open(url, width=360)
        assert not tab.problems(), tab.problems()
        tab.exists("header nav"), tab.evaluate("document.title")
        tab.overflow(), tab.screenshot(path), tab.axe(axe_source)
"""
import base64
import ctypes
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


class BrowserError(Exception):
    """The browser failed, answered an error, or did not answer in time."""


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


# Flags: headless, no sandbox (we run as root), a private profile, and
# nothing that reaches beyond loopback on its own.
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
    "--mute-audio", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--disable-quic", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter,"
    "InterestFeedContentSuggestions,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater",
    "--password-store=basic", "--use-mock-keychain",
    "--remote-debugging-pipe",
]


class Browser:
    """One Chromium process driven over the DevTools pipe."""

    def __init__(self, profile_dir, timeout=30):
        self.timeout = timeout
        self.profile = profile_dir
        self.proc = None
        self._id = 0
        self._buf = b""
        self._pending = {}   # id -> response, read while waiting for another
        self._out = []       # encoded messages not yet written
        self._sending = False
        self.events = []     # (sessionId, method, params), in arrival order
        self._start()

    # --- process ---------------------------------------------------------

    def _start(self):
        path = chromium_path()
        if path is None:
            raise BrowserError("chromium is not installed")
        shutil.rmtree(self.profile, ignore_errors=True)
        os.makedirs(self.profile)
        # to_browser: we write, the browser reads it as fd 3;
        # from_browser: the browser writes it as fd 4, we read.
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        # Move the child's ends above any fd the child may need, so the
        # dup2 below cannot clobber one with the other.
        hi_r = fcntl.fcntl(to_r, fcntl.F_DUPFD_CLOEXEC, 10)
        hi_w = fcntl.fcntl(from_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_r)
        os.close(from_w)

        def child_fds():
            os.dup2(hi_r, 3)  # dup2 makes them inheritable
            os.dup2(hi_w, 4)
            # and if the tests die without closing it, the browser dies too
            try:
                ctypes.CDLL(None, use_errno=True).prctl(
                    PR_SET_PDEATHSIG, signal.SIGKILL)
            except (OSError, AttributeError):
                pass

        self.log_path = os.path.join(self.profile, "..",
                                     os.path.basename(self.profile) + ".log")
        self._log = open(self.log_path, "wb")
        try:
            # close_fds=False: Python's own descriptors are close-on-exec
            # (PEP 446) anyway; closing all would close 3 and 4 too.
            self.proc = subprocess.Popen(
                [path] + FLAGS + [f"--user-data-dir={self.profile}",
                                  "about:blank"],
                stdin=subprocess.DEVNULL, stdout=self._log,
                stderr=subprocess.STDOUT, close_fds=False,
                preexec_fn=child_fds, start_new_session=True)
        finally:
            os.close(hi_r)
            os.close(hi_w)
        self._w, self._r = to_w, from_r
        os.set_blocking(self._w, False)
        try:
            self.version = self.call("Browser.getVersion")
        except Exception:
            self.close()
            raise

    def close(self):
        """Kills the browser (always) and forgets its profile."""
        if self.proc is not None:
            try:
                if self.proc.poll() is None:
                    try:
                        self._send({"id": self._next(),
                                    "method": "Browser.close"})
                        self.proc.wait(3)
                    except Exception:  # noqa: BLE001 - kill below
                        pass
            finally:
                if self.proc.poll() is None:
                    try:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except OSError:
                        self.proc.kill()
                    self.proc.wait(10)
                self.proc = None
                for fd in (self._w, self._r):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                self._log.close()
                shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def log_tail(self, n=2000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-n:]
        except OSError:
            return ""

    # --- the pipe ----------------------------------------------------------

    def _next(self):
        self._id += 1
        return self._id

    def _send(self, msg):
        # Messages are queued and written whole, one after another: a
        # message sent while another is being written (a dialog answered
        # from _react) waits its turn instead of splicing into it.
        self._out.append(json.dumps(msg).encode() + b"\0")
        if self._sending:
            return
        self._sending = True
        try:
            while self._out:
                self._write(self._out.pop(0))
        finally:
            self._sending = False

    def _write(self, data):
        deadline = time.time() + self.timeout
        while data:
            if self.proc.poll() is not None:
                raise BrowserError("chromium exited "
                                   f"{self.proc.returncode}: "
                                   + self.log_tail())
            # Read while writing: a large message (axe-core) must not
            # deadlock against a browser that is writing events to us.
            r, w, _ = select.select([self._r], [self._w], [], 0.5)
            if r:
                self._read_some()
            if w:
                try:
                    n = os.write(self._w, data)
                    data = data[n:]
                except BlockingIOError:
                    pass
            if time.time() > deadline:
                raise BrowserError("timed out writing to chromium")

    def _read_some(self):
        chunk = os.read(self._r, 1 << 20)
        if not chunk:
            raise BrowserError("chromium closed the pipe: " +
                               self.log_tail())
        self._buf += chunk
        while b"\0" in self._buf:
            raw, self._buf = self._buf.split(b"\0", 1)
            msg = json.loads(raw)
            if "id" in msg:
                self._pending[msg["id"]] = msg
            else:
                self.events.append((msg.get("sessionId"), msg["method"],
                                    msg.get("params", {})))
                self._react(msg)

    def _react(self, msg):
        # A dialog blocks the page until answered: dismiss it now (it is
        # recorded as an event for the tab to report).
        if msg["method"] == "Page.javascriptDialogOpening":
            self._send({"id": self._next(), "sessionId": msg.get("sessionId"),
                        "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": False}})

    def pump(self, until, timeout=None, what="an event"):
        """Reads messages until until() is true; BrowserError on timeout."""
        deadline = time.time() + (timeout or self.timeout)
        while not until():
            left = deadline - time.time()
            if left <= 0:
                raise BrowserError(f"timed out waiting for {what}")
            if self.proc.poll() is not None:
                raise BrowserError(f"chromium exited {self.proc.returncode}"
                                   ": " + self.log_tail())
            r, _, _ = select.select([self._r], [], [], min(left, 0.5))
            if r:
                self._read_some()

    def call(self, method, params=None, session=None, timeout=None):
        """Sends one command and returns its result (BrowserError if the
        browser answers an error)."""
        i = self._next()
        msg = {"id": i, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._send(msg)
        self.pump(lambda: i in self._pending, timeout, f"{method} to answer")
        res = self._pending.pop(i)
        if "error" in res:
            raise BrowserError(f"{method}: {res['error']}")
        return res.get("result", {})

    # --- tabs ----------------------------------------------------------------

    def new_tab(self):
        target = self.call("Target.createTarget",
                           {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        return Tab(self, target, session)


class Tab:
    """One page target. open() navigates and waits for the load event."""

    def __init__(self, browser, target, session):
        self.b = browser
        self.target = target
        self.session = session
        self.width = None
        for domain in ("Page", "Runtime", "Log", "Network", "Audits"):
            self.call(domain + ".enable")
        self.call("Page.setLifecycleEventsEnabled", {"enabled": True})
        self.mark = len(self.b.events)

    def call(self, method, params=None, timeout=None):
        return self.b.call(method, params, self.session, timeout)

    def close(self):
        try:
            self.b.call("Target.closeTarget", {"targetId": self.target})
        except BrowserError:
            pass

    # --- events ------------------------------------------------------------

    def events(self, method=None):
        """This tab's events since the last reset()."""
        return [(m, p) for s, m, p in self.b.events[self.mark:]
                if s == self.session and (method is None or m == method)]

    def reset(self):
        self.mark = len(self.b.events)

    def _wait_event(self, method, since, match=lambda p: True, timeout=None):
        def seen():
            return any(s == self.session and m == method and match(p)
                       for s, m, p in self.b.events[since:])
        self.b.pump(seen, timeout, method)

    # --- navigation -----------------------------------------------------------

    def viewport(self, width, height=800):
        """Emulates a screen width CSS pixels wide; below 800 px as a phone
        (mobile: the page's viewport meta decides the layout width)."""
        self.width = width
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": width < 800})

    def open(self, url, width=None, timeout=None):
        """Navigates to url and waits for its load event. Resets the
        recorded events first, so problems() are this page's."""
        if width is not None and width != self.width:
            self.viewport(width)
        self.reset()
        since = len(self.b.events)
        r = self.call("Page.navigate", {"url": url}, timeout)
        if r.get("errorText"):
            raise BrowserError(f"navigating to {url}: {r['errorText']}")
        self._wait_event("Page.loadEventFired", since, timeout=timeout)
        return self

    def act_and_wait(self, js, timeout=None):
        """Runs js (which submits a form or clicks a link) and waits for
        the navigation it starts to load. Returns the new URL."""
        since = len(self.b.events)
        self.evaluate(js)
        self._wait_event("Page.loadEventFired", since, timeout=timeout)
        return self.evaluate("location.href")

    def fill(self, selector, value):
        """Sets a form field's value as typing would (input and change
        events fire)."""
        ok = self.evaluate(
            "(() => { const e = document.querySelector(%s);"
            " if (!e) return false; e.focus(); e.value = %s;"
            " e.dispatchEvent(new Event('input', {bubbles: true}));"
            " e.dispatchEvent(new Event('change', {bubbles: true}));"
            " return true; })()" % (json.dumps(selector), json.dumps(value)))
        if not ok:
            raise BrowserError(f"no element {selector} to fill")

    def submit(self, selector, timeout=None):
        """Submits the form that holds selector (as pressing Enter in it
        would: requestSubmit, so the form's own checks run) and waits."""
        return self.act_and_wait(
            "(() => { const e = document.querySelector(%s);"
            " const f = e && (e.form || e.closest('form'));"
            " if (!f) throw new Error('no form for ' + %s);"
            " f.requestSubmit(); })()"
            % (json.dumps(selector), json.dumps(selector)), timeout)

    def click(self, selector, timeout=None):
        """Clicks an element that navigates, and waits for the new page."""
        return self.act_and_wait(
            "(() => { const e = document.querySelector(%s);"
            " if (!e) throw new Error('no element ' + %s); e.click(); })()"
            % (json.dumps(selector), json.dumps(selector)), timeout)

    # --- the page -------------------------------------------------------------

    def evaluate(self, expression, timeout=None, await_promise=False):
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.call("Runtime.evaluate", {
            "expression": expression, "returnByValue": True,
            "awaitPromise": await_promise, "userGesture": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = (d.get("exception") or {}).get("description") or \
                d.get("text")
            raise BrowserError(f"evaluating {expression[:80]!r}: {text}")
        return r["result"].get("value")

    def exists(self, selector):
        return bool(self.evaluate(
            "document.querySelector(%s) !== null" % json.dumps(selector)))

    def count(self, selector):
        return self.evaluate(
            "document.querySelectorAll(%s).length" % json.dumps(selector))

    def texts(self, selector):
        return self.evaluate(
            "Array.from(document.querySelectorAll(%s), e => e.textContent"
            ".trim())" % json.dumps(selector))

    def missing(self, selectors):
        """Those of selectors that match nothing."""
        return [s for s in selectors if not self.exists(s)]

    def overflow(self):
        """None when the page fits its viewport's width; otherwise what
        scrolls: the widths and the widest elements past the right edge."""
        return self.evaluate("""(() => {
  const d = document.documentElement;
  const vw = d.clientWidth, sw = Math.max(d.scrollWidth,
      document.body ? document.body.scrollWidth : 0);
  if (sw <= vw) return null;
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.right > vw + 0.5 && r.width > 0) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += '#' + e.id;
      if (typeof e.className === 'string' && e.className.trim())
        s += '.' + e.className.trim().split(/\\s+/).join('.');
      const p = e.parentElement;
      const pr = p ? p.getBoundingClientRect() : null;
      // report where the overflow starts, not every descendant of it
      if (!pr || pr.right <= vw + 0.5)
        out.push({element: s, right: Math.round(r.right),
                  text: (e.textContent || '').trim().slice(0, 60)});
    }
  }
  return {viewport: vw, scroll: sw, inner: window.innerWidth,
          offenders: out.slice(0, 8)};
})()""")

    def screenshot(self, path):
        """A PNG of the whole page (not only the viewport) at path."""
        m = self.call("Page.getLayoutMetrics")
        size = m.get("cssContentSize") or m["contentSize"]
        width = max(1, int(size["width"]))
        height = max(1, min(int(size["height"]), 16000))
        r = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height,
                     "scale": 1}}, timeout=60)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        return path

    def axe(self, source, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                "best-practice")):
        """Runs axe-core (its source text, injected by Runtime.evaluate,
        which the page's CSP does not govern) and returns its violations."""
        if not self.evaluate("typeof window.axe === 'object'"):
            self.evaluate(source + "\n;true", timeout=60)
        return self.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: %s},"
            " resultTypes: ['violations']}).then(r => r.violations.map(v =>"
            " ({id: v.id, impact: v.impact, help: v.help, helpUrl:"
            " v.helpUrl, nodes: v.nodes.map(n => ({target: n.target,"
            " html: n.html.slice(0, 200), summary: n.failureSummary}))})))"
            % json.dumps(list(tags)), timeout=90, await_promise=True)

    # --- what went wrong ----------------------------------------------------------

    def problems(self):
        """Every console error, exception, browser-log error, CSP issue,
        failed request and response >= 400 since the page was opened."""
        out = []
        for m, p in self.events():
            if m == "Runtime.consoleAPICalled" and p.get("type") in (
                    "error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", "")))
                                for a in p.get("args", []))
                out.append(f"console.{p['type']}: {args}")
            elif m == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append("exception: " + ((d.get("exception") or {}).get(
                    "description") or d.get("text", "")))
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                e = p["entry"]
                out.append(f"log ({e.get('source')}): {e.get('text')}"
                           + (f" [{e['url']}]" if e.get("url") else ""))
            elif m == "Audits.issueAdded":
                issue = p["issue"]
                if issue["code"] in ("ContentSecurityPolicyIssue",
                                     "MixedContentIssue"):
                    out.append(f"{issue['code']}: "
                               + json.dumps(issue.get("details"))[:300])
            elif m == "Network.loadingFailed":
                if p.get("canceled") and not p.get("blockedReason"):
                    continue  # navigating away cancels; not a failure
                url = self._url_of(p["requestId"])
                out.append(f"request failed: {url} {p.get('errorText')}"
                           + (f" ({p['blockedReason']})"
                              if p.get("blockedReason") else ""))
            elif m == "Network.responseReceived":
                r = p["response"]
                if r["status"] >= 400:
                    out.append(f"HTTP {r['status']}: {r['url']}")
            elif m == "Page.javascriptDialogOpening":
                out.append(f"dialog ({p.get('type')}): {p.get('message')}")
        return out

    def dialogs(self):
        return [p for _, p in self.events("Page.javascriptDialogOpening")]

    def _url_of(self, request_id):
        for m, p in self.events("Network.requestWillBeSent"):
            if p["requestId"] == request_id:
                return p["request"]["url"]
        return f"(request {request_id})"


def format_violations(violations):
    """axe-core's violations as readable lines."""
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} "
                     f"({v['helpUrl']})")
        for n in v["nodes"][:5]:
            lines.append(f"      at {', '.join(map(str, n['target']))}: "
                         f"{n['html']}")
            if n.get("summary"):
                lines.append("        " + n["summary"].replace(
                    "\n", "\n        "))
        if len(v["nodes"]) > 5:
            lines.append(f"      ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)
