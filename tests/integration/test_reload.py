"""Graceful reload (issue 16): modelfactsd reads a --config file; SIGHUP
re-reads it and applies the log level, the rate limits and the trusted
proxies while a kept-alive connection and a request whose body is half
sent stay open and are answered. An invalid file changes nothing; an
option that needs a restart is reported as such."""
import http.client
import os
import signal
import socket
import time

S = {}


def write_conf(t, **opts):
    path = os.path.join(t.dir, "modelfactsd.conf")
    with open(path + ".tmp", "w") as f:
        f.write("# modelfactsd test configuration\n")
        for k, v in opts.items():
            f.write(f"{k.replace('_', '-')} = {v}\n")
    os.replace(path + ".tmp", path)
    return path


def hup_and_wait(srv, marker):
    """SIGHUP, then until the log has one more line containing marker."""
    before = open(srv.log_path, errors="replace").read().count(marker)
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while time.time() < deadline:
        if open(srv.log_path, errors="replace").read().count(marker) > before:
            return
        assert srv.proc.poll() is None, "SIGHUP stopped the server"
        time.sleep(0.02)
    raise AssertionError(f"no '{marker}' after SIGHUP\n" + srv.tail())


def get(srv, path, xff=None):
    h = {"X-Forwarded-For": xff} if xff else {}
    return srv.get(path, headers=h).status


def test_sighup_applies_limits_without_dropping_connections(t):
    conf = write_conf(t, rate_read=0, log_level="info", trusted_proxy="")
    srv = t.new_server(["--config", conf])
    S["srv"] = srv
    # a kept-alive connection, and a POST whose body is half sent
    keep = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    keep.request("GET", "/v1/registry")
    r = keep.getresponse()
    r.read()
    assert r.status == 200
    sock = keep.sock
    half = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    body = b'{"org": "x"}'
    half.sendall(b"POST /v1/admin/orgs HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
    # no limit yet: 30 reads from one client all pass
    assert all(get(srv, "/v1/version", "198.51.100.1") == 200
               for _ in range(30))
    write_conf(t, rate_read=60, log_level="debug",
               trusted_proxy="127.0.0.0/8")
    hup_and_wait(srv, "SIGHUP: reloaded")
    log = srv.tail(5)
    assert "log-level debug" in log and "rate-read 60" in log, log
    # both connections survived and are answered
    half.sendall(body[5:])
    answer = half.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    half.close()
    keep.request("GET", "/v1/registry")
    r = keep.getresponse()
    r.read()
    assert r.status == 200 and keep.sock is sock
    # the new limit holds, per client named by X-Forwarded-For (the
    # trusted proxy took effect): a burst of 6, then 429
    got = [get(srv, "/v1/version", "198.51.100.1") for _ in range(10)]
    assert got[:6] == [200] * 6 and 429 in got[6:], got
    assert get(srv, "/v1/version", "198.51.100.2") == 200
    keep.close()


def test_invalid_or_restart_only_changes(t):
    srv = S["srv"]
    write_conf(t, rate_read="lots", log_level="info",
               trusted_proxy="127.0.0.0/8")
    hup_and_wait(srv, "nothing changed")
    # still limited as before: 198.51.100.1 has no tokens left
    assert get(srv, "/v1/version", "198.51.100.1") == 429
    write_conf(t, rate_read=60, log_level="info",
               trusted_proxy="not-a-network")
    hup_and_wait(srv, "nothing changed")
    assert get(srv, "/v1/version", "198.51.100.1") == 429
    # limits off again, and an option that needs a restart
    write_conf(t, rate_read=0, log_level="info", trusted_proxy="",
               threads=3)
    hup_and_wait(srv, "next start")
    assert all(get(srv, "/v1/version", "198.51.100.1") == 200
               for _ in range(20))
    assert srv.get("/healthz").status == 200
    assert srv.stop() == 0
