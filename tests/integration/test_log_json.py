"""--log-format json (issue 16, observability): one JSON object a line
with time, level, request id, and for the access log method, path, route
template, status, duration and client address. Every line of the log is
read back with json.loads (strict UTF-8), including the ones whose paths
carried %0a (a forged line), %1b (a terminal escape), bytes that are not
UTF-8 (percent-encoded and raw) and a quote or backslash: each is a value
of its own line, never a line or a byte of its own. The request id in the
log is the X-Request-Id the client got."""
import http.client
import json
import re
import socket
import time

import mf

S = {}
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FORGED = '{"time":"2026-01-01T00:00:00.000Z","level":"error","msg":"forged"}'


def setup(t):
    if S:
        return S
    srv = t.new_server(["--log-format", "json"], name="jsonlog")
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    doc = mf.disclosure("acme", "acme-7b", reg.next_seq("acme"))
    assert reg.submit(mf.envelope(doc, [key])).status == 201
    S.update(srv=srv)
    return S


def get(srv, target, headers=None):
    """GET target as given (percent-encoding kept); (status, request id)."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        c.putrequest("GET", target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        r.read()
        return r.status, r.getheader("X-Request-Id")
    finally:
        c.close()


def raw(srv, data):
    """Sends bytes as they are; the answer's status and X-Request-Id."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    out = b""
    try:
        s.sendall(data)
        while b"\r\n\r\n" not in out:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    head = out.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    rid = [h.split(":", 1)[1].strip() for h in head
           if h.lower().startswith("x-request-id:")]
    return int(head[0].split()[1]), rid[0] if rid else None


def lines(srv):
    """Every line of the log, each parsed (strict UTF-8, strict JSON)."""
    with open(srv.log_path, "rb") as f:
        data = f.read()
    assert b"\x1b" not in data, "a raw escape byte reached the log"
    text = data.decode("utf-8")  # raises on a byte that is not UTF-8
    out = []
    for line in text.split("\n"):
        if line == "":
            continue
        obj = json.loads(line)
        assert isinstance(obj, dict), line
        assert TIME.match(obj["time"]), line
        assert obj["level"] in ("debug", "info", "warn", "error"), line
        assert isinstance(obj["msg"], str), line
        out.append(obj)
    return out


def access(srv, rid, timeout=10):
    """The access line of request rid (written when it completes)."""
    end = time.time() + timeout
    while True:
        got = [o for o in lines(srv)
               if o.get("request_id") == rid and o["msg"] == "access"]
        if got or time.time() > end:
            assert len(got) == 1, (rid, got)
            return got[0]
        time.sleep(0.05)


def test_access_line_fields(t):
    srv = setup(t)["srv"]
    st, rid = get(srv, "/v1/models/acme/acme-7b")
    assert st == 200 and rid, (st, rid)
    a = access(srv, rid)
    assert a["level"] == "info", a
    assert a["method"] == "GET" and a["status"] == 200, a
    assert a["path"] == "/v1/models/acme/acme-7b", a
    assert a["route"] == "/v1/models/{org}/{model}", a
    assert a["client"] == "127.0.0.1", a
    assert isinstance(a["duration_ms"], float) and a["duration_ms"] >= 0, a
    assert a["bytes"] > 0 and a["aborted"] is False, a
    # no route: no route field
    st, rid = get(srv, "/v1/nothing/here")
    assert st == 404
    a = access(srv, rid)
    assert a["status"] == 404 and "route" not in a, a


def test_hostile_paths_stay_values_of_one_line(t):
    srv = setup(t)["srv"]
    cases = [
        # a forged line after a newline
        ("/v1/models/acme/x%0a" + FORGED.replace(" ", "%20")
         .replace('"', "%22"), "/v1/models/acme/x\n" + FORGED),
        # a terminal escape
        ("/v1/models/acme/%1b[31mred", "/v1/models/acme/\x1b[31mred"),
        # bytes that are not UTF-8, percent-encoded
        ("/v1/models/acme/%ff%fe%c0%ae", "/v1/models/acme/"
         "\\xff\\xfe\\xc0\\xae"),
        # quote, backslash, carriage return, a C1 control (U+009B CSI)
        ("/v1/models/acme/a%22b%5cc%0dd%c2%9be",
         '/v1/models/acme/a"b\\c\rd\u009be'),
        # valid UTF-8 is kept as it is
        ("/v1/models/acme/caf%c3%a9-%e2%9c%93", "/v1/models/acme/café-✓"),
    ]
    for target, path in cases:
        st, rid = get(srv, target)
        assert st in (400, 404), (target, st)
        a = access(srv, rid)
        assert a["path"] == path, (target, a["path"], path)
        assert a["method"] == "GET" and a["status"] == st, a
    # raw bytes in the request line that are not UTF-8: answered (or
    # refused) and the log still reads
    st, rid = raw(srv, b"GET /v1/models/acme/\xff\xfe HTTP/1.1\r\n"
                       b"Host: x\r\nConnection: close\r\n\r\n")
    assert st in (400, 404), st
    if rid:
        assert access(srv, rid)["path"] == "/v1/models/acme/\\xff\\xfe"
    # the forged object never became a line of its own
    objs = lines(srv)
    assert not [o for o in objs if o["msg"] == "forged"], objs[-5:]
    # the other lines (start-up, ...) are JSON too and say something
    assert [o for o in objs if "serving" in o["msg"]], objs[:10]


def test_log_format_from_the_environment_and_text_default(t):
    srv = t.new_server(env={"MODELFACTS_LOG_FORMAT": "json"},
                       name="jsonenv")
    st, rid = get(srv, "/healthz")
    assert st == 200
    a = access(srv, rid)
    assert a["route"] == "/healthz" and a["status"] == 200, a
    # the default is the text format, as before
    txt = t.new_server(name="textlog")
    st, rid = get(txt, "/healthz")
    end = time.time() + 10
    while time.time() < end:
        with open(txt.log_path) as f:
            log = f.read()
        if "req=" + rid in log:
            break
        time.sleep(0.05)
    line = [ln for ln in log.splitlines() if "req=" + rid in ln]
    assert len(line) == 1, log[-2000:]
    assert not line[0].startswith("{"), line
    assert '"GET /healthz" 200' in line[0], line
