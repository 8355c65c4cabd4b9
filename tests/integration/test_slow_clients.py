"""Slow clients, connection limits and rate limits (issue 15, finding 2):
a client that trickles its header or body is cut off at a deadline, a few
addresses cannot take every connection slot, and token buckets per address
and per signing key answer 429 rate_limited with Retry-After, with the
client address read from X-Forwarded-For only behind a trusted proxy.

Everything is over real loopback sockets: a client socket bound to
127.0.0.N reaches the server on 127.0.0.1, so one machine plays several
addresses. Bounded: a few hundred connections, well under a minute."""
import http.client
import json
import socket
import time

import mf


def connect(port, addr="127.0.0.1", timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((addr, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_within(s, seconds):
    """Seconds until the server closed s (EOF or reset), else None.
    Whatever the server sends first (an error answer) is read past."""
    start = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if s.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def get_from(port, addr, path, headers=None, timeout=3):
    """A GET from a client socket bound to addr: (status, headers, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(addr, 0))
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def test_trickled_header_is_cut_off(t):
    """One header line a second never completes the header: the
    connection is closed at the header deadline, not at the idle
    timeout (30 s here), which the trickle keeps resetting."""
    srv = t.new_server(["--header-timeout", "2"], name="hdr")
    s = connect(srv.port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    closed = None
    i = 0
    s.settimeout(1)
    while time.monotonic() - start < 8:
        try:
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
        except OSError:
            closed = time.monotonic() - start
            break
        i += 1
        try:
            if s.recv(4096) == b"":
                closed = time.monotonic() - start
                break
        except socket.timeout:
            pass
        except OSError:
            closed = time.monotonic() - start
            break
    s.close()
    assert closed is not None, "a trickled header kept its connection 8 s"
    assert closed < 5, closed
    # the server still serves
    assert srv.get("/healthz").status == 200


def test_stalled_body_is_cut_off(t):
    srv = t.new_server(["--header-timeout", "2", "--body-timeout", "2"],
                       name="body")
    s = connect(srv.port)
    s.sendall(b"POST /v1/submissions HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{")
    start = time.monotonic()
    closed = None
    s.settimeout(0.9)
    while time.monotonic() - start < 8:
        try:
            s.sendall(b" ")
            if s.recv(4096) == b"":
                closed = time.monotonic() - start
                break
        except socket.timeout:
            pass
        except OSError:
            closed = time.monotonic() - start
            break
    s.close()
    assert closed is not None, "a stalled body kept its connection 8 s"
    assert closed < 5, closed


def test_few_addresses_cannot_take_every_slot(t):
    """400 trickling connections from 8 other addresses against 256 slots:
    a normal client is still served, promptly."""
    srv = t.new_server(["--max-connections", "256"], name="slots")
    attackers = []
    try:
        for n in range(400):
            addr = "127.0.0.%d" % (2 + n % 8)
            try:
                s = connect(srv.port, addr, timeout=2)
                s.sendall(b"GET /healthz HTTP/1.1\r\n")
                attackers.append(s)
            except OSError:
                pass
        time.sleep(0.5)
        held = 0
        for s in attackers:  # still open (not refused) after the burst
            try:
                s.sendall(b"X: 1\r\n")
                held += 1
            except OSError:
                pass
        times = []
        for _ in range(40):
            t0 = time.monotonic()
            try:
                st, _, _ = get_from(srv.port, "127.0.0.1", "/v1/version",
                                    timeout=3)
            except OSError as e:
                raise AssertionError(f"normal client not served: {e!r} "
                                     f"({held} attack connections held)")
            times.append(time.monotonic() - t0)
            assert st == 200, st
            for s in attackers[:50]:  # keep the trickle going
                try:
                    s.sendall(b"Y: 1\r\n")
                except OSError:
                    pass
        times.sort()
        print(f"    {held} of {len(attackers)} attack connections held; "
              f"normal GET max {times[-1] * 1000:.1f} ms")
        assert times[-1] < 1.0, times[-1]
    finally:
        for s in attackers:
            s.close()


def test_trusted_proxy_is_not_held_to_the_per_address_limit(t):
    """Behind a reverse proxy every client shares its address: a trusted
    proxy is held only by the total, anyone else by --per-ip-limit."""
    srv = t.new_server(["--per-ip-limit", "2", "--trusted-proxy",
                        "127.0.0.7"], name="proxylimit")
    held = []
    try:
        for addr in ["127.0.0.7"] * 5 + ["127.0.0.8"] * 2:
            s = connect(srv.port, addr)
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            held.append(s)
        time.sleep(0.3)
        # the proxy's sixth connection is answered
        st, _, _ = get_from(srv.port, "127.0.0.7", "/healthz")
        assert st == 200, st
        # a third from an ordinary address is refused
        s = connect(srv.port, "127.0.0.8")
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            got = s.recv(100)
        except OSError:
            got = b""
        assert got == b"", got  # closed unanswered
        s.close()
    finally:
        for s in held:
            s.close()


def test_reads_rate_limited_per_address(t):
    """--rate-read 60: 60 a minute, bursts of 6, per address. The 429 says
    when to come back, and another address is untouched."""
    srv = t.new_server(["--rate-read", "60"], name="rl")
    codes = [get_from(srv.port, "127.0.0.5", "/v1/version")
             for _ in range(15)]
    statuses = [c[0] for c in codes]
    assert statuses.count(200) >= 5 and statuses.count(200) <= 8, statuses
    assert statuses.count(429) >= 7, statuses
    st, hdr, body = next(c for c in codes if c[0] == 429)
    err = json.loads(body)["error"]
    assert err["code"] == "rate_limited", err
    assert int(hdr["Retry-After"]) >= 1, hdr
    assert get_from(srv.port, "127.0.0.6", "/v1/version")[0] == 200
    # the bucket refills: one more after Retry-After
    time.sleep(int(hdr["Retry-After"]))
    assert get_from(srv.port, "127.0.0.5", "/v1/version")[0] == 200
    # /healthz is never limited (probes must not fail under load)
    assert all(get_from(srv.port, "127.0.0.5", "/healthz")[0] == 200
               for _ in range(10))


def test_other_requests_rate_limited_per_address(t):
    """--rate-submit 10: a burst of 1 POST per address; the next is
    answered 429 before its body is read, and reads are not counted."""
    srv = t.new_server(["--rate-submit", "10"], name="rlpost")
    body = b'{"payloadType": "x", "payload": "", "signatures": []}'
    got = []
    for _ in range(3):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5,
                                       source_address=("127.0.0.9", 0))
        c.request("POST", "/v1/submissions", body=body,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        got.append((r.status, r.getheader("Retry-After"), r.read()))
        c.close()
    assert got[0][0] != 429, got[0]
    assert [g[0] for g in got[1:]] == [429, 429], got
    assert json.loads(got[1][2])["error"]["code"] == "rate_limited"
    assert int(got[1][1]) >= 1
    assert get_from(srv.port, "127.0.0.9", "/v1/version")[0] == 200


def test_trusted_proxy_names_the_client(t):
    """Behind --trusted-proxy the right-most untrusted X-Forwarded-For
    address is the client; from anyone else the header is ignored."""
    srv = t.new_server(["--rate-read", "30", "--trusted-proxy",
                        "127.0.0.7/32,10.9.0.0/16"], name="proxy")
    # burst 3 for 10.0.0.1, seen through the proxy and a trusted hop
    hdr = {"X-Forwarded-For": "6.6.6.6, 10.0.0.1, 10.9.1.1"}
    st = [get_from(srv.port, "127.0.0.7", "/v1/version", hdr)[0]
          for _ in range(6)]
    assert st.count(429) >= 2, st
    # another client behind the same proxy is its own bucket
    assert get_from(srv.port, "127.0.0.7", "/v1/version",
                    {"X-Forwarded-For": "10.0.0.2"})[0] == 200
    # a forged left-most entry does not make a new client
    st = [get_from(srv.port, "127.0.0.7", "/v1/version",
                   {"X-Forwarded-For": "1.2.3.%d, 10.0.0.1" % i})[0]
          for i in range(3)]
    assert st == [429] * 3, st
    # a line the client sent ahead of the proxy's is the same list: the
    # proxy's line (on the right) names the client
    for i in range(3):
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=3,
                                       source_address=("127.0.0.7", 0))
        c.putrequest("GET", "/v1/version")
        c.putheader("X-Forwarded-For", "9.9.9.%d" % i)
        c.putheader("X-Forwarded-For", "10.0.0.1")
        c.endheaders()
        r = c.getresponse()
        r.read()
        c.close()
        assert r.status == 429, (i, r.status)
    # an untrusted peer cannot pick its address with the header
    st = [get_from(srv.port, "127.0.0.8", "/v1/version",
                   {"X-Forwarded-For": "10.1.1.%d" % i})[0]
          for i in range(6)]
    assert st.count(429) >= 2, st


def test_submissions_rate_limited_per_key(t):
    """--rate-submit-key 20: bursts of 2 accepted submissions per signing
    key; the third answers 429 before anything is stored."""
    # a database of its own: this server creates the keys and the token
    srv = t.new_server(["--rate-submit-key", "20"], name="key",
                       db_url=t.cluster.createdb("t_slow_clients_key"))
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, "rlorg", "ed25519")
    reg.create_org("rlorg", "developer", key)
    for i in range(2):
        doc = mf.disclosure("rlorg", "m%d" % i, reg.next_seq("rlorg"))
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
    before = reg.counts(t)
    doc = mf.disclosure("rlorg", "m2", 3)
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 429, r
    assert r.json()["error"]["code"] == "rate_limited", r
    assert int(r.header("Retry-After")) >= 1
    assert reg.counts(t) == before
    time.sleep(int(r.header("Retry-After")))
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 201, r


def test_rate_options_validated(t):
    srv = t.new_server(["--trusted-proxy", "10.0.0.0/33"], start=False,
                       name="badcidr")
    srv.start(wait=False)
    rc = srv.proc.wait(10)
    assert rc != 0
    log = srv.tail(10000)
    assert "trusted-proxy: '10.0.0.0/33' is not" in log, log
    if srv.log:
        srv.log.close()
    srv.proc = None
