"""Request hygiene (issue 15, findings 4, 7 and 9), against the real
server over loopback: a forged log line cannot be written through a
request path; a percent-decoded NUL or control byte in a path is refused
rather than cutting the path short; every HTML answer carries the
security headers as HTTP headers (the widget may be framed, nothing else
may); every answer says nosniff; the Bearer scheme is case-insensitive;
a body with both Content-Length and Transfer-Encoding is refused."""
import socket
import time

import mf

S = {}

CONTROL = ["%00", "%01", "%09", "%0a", "%0d", "%1b", "%7f", "%0A", "%1B"]


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["acme"] = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", S["acme"])
    doc = mf.disclosure("acme", "acme-7b", reg.next_seq("acme"))
    r = reg.submit(mf.envelope(doc, [S["acme"]]))
    assert r.status == 201, r
    return S


def raw(t, data, timeout=10):
    """Sends bytes as they are on a fresh connection; returns what the
    server answered until it closed or went quiet."""
    s = socket.create_connection(("127.0.0.1", t.server.port),
                                 timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and out.count(b"HTTP/1.1 ") >= 2:
                break
    finally:
        s.close()
    return out


def statuses(answer):
    return [int(line.split()[1]) for line in answer.split(b"\r\n")
            if line.startswith(b"HTTP/1.")]


def check_invalid_path(r, what):
    assert r.status == 400, (what, r)
    err = r.json()["error"]
    assert err["code"] == "invalid_path", (what, err)
    assert any(d["pointer"] == "/path" for d in err["details"]), (what, err)


# --- finding 4: log injection ------------------------------------------

def test_request_path_cannot_forge_a_log_line(t):
    setup(t)
    forged = "2026-01-01T00:00:00.000Z info req=forged admin logged in"
    path = "/no/such%0a" + forged.replace(" ", "%20") + "%1b[31mred"
    t.server.get(path)
    t.server.get("/healthz")  # a later line, so the first one is flushed
    time.sleep(0.3)
    with open(t.server.log_path, "rb") as f:
        log = f.read()
    assert b"\x1b" not in log, "a raw escape byte reached the log"
    for line in log.split(b"\n"):
        assert not line.startswith(forged.encode()), line
    # the line is there, its bytes escaped where they can be read
    assert b"\\n" + forged.encode() in log, log[-2000:]
    assert b"\\x1b[31mred" in log, log[-2000:]


# --- finding 7: control bytes in a path -----------------------------------

def test_nul_does_not_truncate_a_model_path(t):
    setup(t)
    good = t.server.get("/v1/models/acme/acme-7b/label.md")
    assert good.status == 200, good
    r = t.server.get("/v1/models/acme/acme-7b%00/label.md")
    check_invalid_path(r, "model%00")
    assert r.header("Content-Type").startswith("application/json")


def test_nul_does_not_truncate_a_git_file(t):
    setup(t)
    assert t.server.get("/labels.git/HEAD").status == 200
    check_invalid_path(t.server.get("/labels.git/HEAD%00.txt"), "HEAD%00")


def test_every_control_byte_in_every_path_parameter_is_refused(t):
    setup(t)
    templates = [
        "/v1/models/{x}/acme-7b", "/v1/models/acme/{x}",
        "/v1/models/acme/acme-7b/versions/{x}",
        "/v1/models/acme/acme-7b/versions/1/{x}",
        "/v1/orgs/{x}", "/v1/indices/{x}", "/v1/benchmarks/{x}",
        "/v1/log/entries/{x}", "/badge/acme/{x}.svg", "/labels.git/{x}",
        "/models/acme/{x}", "/orgs/{x}", "/static/{x}",
    ]
    for tpl in templates:
        for c in CONTROL:
            for x in (c, "acme" + c, c + "1", "1" + c + "x"):
                path = tpl.replace("{x}", x)
                check_invalid_path(t.server.get(path), path)
                # a browser gets the same refusal
                r = t.server.get(path, headers={"Accept": "text/html"})
                assert r.status == 400, (path, r)
    # POST too, and nothing is stored
    before = S["reg"].counts(t)
    r = t.server.post("/v1/submissions%00", body={"x": 1})
    check_invalid_path(r, "POST")
    assert S["reg"].counts(t) == before


def test_raw_control_bytes_in_the_request_line_are_refused(t):
    setup(t)
    for b in (b"\x01", b"\x1b", b"\x7f"):
        ans = raw(t, b"GET /v1/orgs/ac" + b + b"me HTTP/1.1\r\n"
                  b"Host: x\r\nConnection: close\r\n\r\n")
        st = statuses(ans)
        assert st and st[0] == 400, (b, ans[:300])


def test_encoded_text_that_is_not_a_control_byte_still_works(t):
    setup(t)
    # %61 is "a": decoding stays as it was for everything else
    r = t.server.get("/v1/models/%61cme/acme-7b/label.md")
    assert r.status == 200, r
    r = t.server.get("/v1/orgs/acme%20x")
    assert r.status in (400, 404), r
    # the query is not the path: a %00 there is the parameter's business
    r = t.server.get("/v1/models?q=acme%2d7b")
    assert r.status == 200, r


# --- finding 9: headers, Bearer, smuggling --------------------------------

HTML_SECURITY = ("Content-Security-Policy", "X-Frame-Options",
                 "Referrer-Policy", "X-Content-Type-Options")


def check_html_headers(r, what, embeddable=False):
    csp = r.header("Content-Security-Policy")
    assert csp, (what, r.headers)
    assert "default-src 'none'" in csp, (what, csp)
    if embeddable:
        assert "frame-ancestors *" in csp, (what, csp)
        assert r.header("X-Frame-Options") is None, (what, r.headers)
    else:
        assert "frame-ancestors 'none'" in csp, (what, csp)
        assert r.header("X-Frame-Options") == "DENY", (what, r.headers)
    assert r.header("Referrer-Policy") == "no-referrer", (what, r.headers)
    assert r.header("X-Content-Type-Options") == "nosniff", (what, r.headers)


def test_every_html_answer_has_the_security_headers(t):
    setup(t)
    html = {"Accept": "text/html"}
    for path in ("/v1/models/acme/acme-7b/label.html",
                 "/v1/models/acme/acme-7b/versions/1/label.html",
                 "/", "/models", "/models/acme/acme-7b", "/orgs/acme",
                 "/no/such/page", "/models/acme/nosuch", "/models?sort=x"):
        r = t.server.get(path, headers=html)
        assert r.header("Content-Type").startswith("text/html"), (path, r)
        check_html_headers(r, path)
    # twice, the second answered from the cache
    for _ in range(2):
        r = t.server.get("/v1/models/acme/acme-7b/versions/1/label.html")
        check_html_headers(r, "cached label.html")
    r = t.server.get("/models/acme/acme-7b/widget", headers=html)
    assert r.status == 200, r
    check_html_headers(r, "widget", embeddable=True)


def test_every_answer_says_nosniff(t):
    setup(t)
    for method, path in (("GET", "/healthz"), ("GET", "/v1/orgs"),
                         ("GET", "/v1/models/acme/acme-7b/label.md"),
                         ("GET", "/v1/nosuch"), ("DELETE", "/v1/orgs"),
                         ("GET", "/labels.git/HEAD"),
                         ("GET", "/v1/models?format=csv"),
                         ("OPTIONS", "/v1/orgs"),
                         ("GET", "/static/site.css")):
        r = t.server.request(method, path)
        assert r.header("X-Content-Type-Options") == "nosniff", (path, r)


def test_bearer_scheme_is_case_insensitive(t):
    reg = setup(t)["reg"]
    for i, scheme in enumerate(("bearer", "BEARER", "bEaReR")):
        key = mf.Key(t.dir, f"case{i}", "ed25519")
        r = t.server.post("/v1/admin/orgs", body={
            "org": f"case{i}", "name": "Case", "role": "developer",
            "public_key": key.public},
            headers={"Authorization": scheme + " " + reg.token})
        assert r.status == 201, (scheme, r)
    # another scheme, or a wrong token, is still refused
    for auth in ("Basic " + reg.token, "bearer x" + reg.token,
                 "bearer", "Bearer"):
        r = t.server.post("/v1/admin/orgs", body={
            "org": "nope", "name": "N", "role": "developer",
            "public_key": key.public}, headers={"Authorization": auth})
        assert r.status == 401, (auth, r)


def test_content_length_with_chunked_is_refused(t):
    reg = setup(t)["reg"]
    before = reg.counts(t)
    body = b'{"org":"smuggled","name":"S","role":"developer"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    smuggled = (b"GET /v1/orgs/smuggled HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n\r\n")
    for first, second in (
            (b"Content-Length: %d" % len(chunked),
             b"Transfer-Encoding: chunked"),
            (b"Transfer-Encoding: chunked",
             b"Content-Length: %d" % len(chunked)),
            (b"Content-Length: 4", b"Transfer-Encoding: chunked")):
        req = (b"POST /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n"
               b"Authorization: Bearer " + reg.token.encode() + b"\r\n"
               b"Content-Type: application/json\r\n" + first + b"\r\n" +
               second + b"\r\n\r\n" + chunked + smuggled)
        ans = raw(t, req)
        st = statuses(ans)
        # one answer, 400, and the connection closed: the bytes after
        # the body are never read as a second request
        assert st == [400], (first, second, ans[:400])
        assert b'"bad_request"' in ans, ans[:400]
    assert reg.counts(t) == before
    assert t.server.get("/v1/orgs/smuggled").status == 404
    # chunked alone still works
    ans = raw(t, b"POST /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n"
              b"Authorization: Bearer " + reg.token.encode() + b"\r\n"
              b"Content-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
              chunked)
    st = statuses(ans)
    assert st and st[0] != 400, ans[:400]


def test_two_content_lengths_are_refused(t):
    reg = setup(t)["reg"]
    before = reg.counts(t)
    body = b'{"org":"twice","name":"T","role":"developer"}'
    for a, b in ((len(body), 4), (4, len(body)), (len(body), len(body))):
        ans = raw(t, b"POST /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n"
                  b"Authorization: Bearer " + reg.token.encode() + b"\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n"
                  % (a, b) + body + b"GET /v1/orgs/twice HTTP/1.1\r\n"
                  b"Host: x\r\nConnection: close\r\n\r\n")
        assert statuses(ans) == [400], (a, b, ans[:400])
    assert reg.counts(t) == before


def test_nul_in_a_query_value_is_refused_not_cut_short(t):
    setup(t)
    for q, name in (("as_of=1%00junk", "as_of"), ("q=acme%00x", "q"),
                    ("limit=5%00", "limit"), ("li%00mit=5", "li")):
        r = t.server.get("/v1/models?" + q)
        assert r.status == 400, (q, r)
        err = r.json()["error"]
        assert err["code"] == "invalid_parameter", (q, err)
        assert any(d["pointer"] == "/query/" + name
                   for d in err["details"]), (q, err)
    r = t.server.get("/v1/models?limit=5")
    assert r.status == 200, r


def test_ambiguous_framing_is_refused(t):
    """What two parsers could read differently: a header name with a
    space before its colon ("Transfer-Encoding : chunked" is a header
    one server ignores and another obeys), a line folded onto the one
    before, an HTTP/1.1 request without Host (RFC 9112 3.2)."""
    reg = setup(t)["reg"]
    before = reg.counts(t)
    body = b'{"org":"spaced","name":"S","role":"developer"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    auth = b"Authorization: Bearer " + reg.token.encode() + b"\r\n"
    for framing in (b"Transfer-Encoding : chunked\r\n",
                    b"Content-Length : %d\r\n" % len(chunked),
                    b"Content-Length: %d\r\nTransfer-Encoding\t: chunked\r\n"
                    % len(chunked),
                    b"Content-Length: %d\r\nX-Folded: a\r\n"
                    b" Transfer-Encoding: chunked\r\n" % len(chunked)):
        ans = raw(t, b"POST /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n" + auth +
                  b"Content-Type: application/json\r\n" + framing +
                  b"\r\n" + chunked + b"GET /v1/orgs/spaced HTTP/1.1\r\n"
                  b"Host: x\r\nConnection: close\r\n\r\n")
        st = statuses(ans)
        assert st and st[0] == 400, (framing, ans[:400])
        assert len(st) == 1, (framing, ans[:600])
    assert reg.counts(t) == before
    # (libmicrohttpd 0.9.75 writes its 400's status and headers twice;
    # what matters is that it is a 400 and nothing is served)
    ans = raw(t, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
    st = statuses(ans)
    assert st and set(st) == {400}, ans[:400]
    assert b'"status"' not in ans, ans[:400]
    ans = raw(t, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert statuses(ans) == [200], ans[:400]
