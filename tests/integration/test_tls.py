"""HTTPS in modelfactsd (issue 16): a certificate authority and a server
certificate made with the openssl CLI; the real server serves TLS with
them (libmicrohttpd with GnuTLS) and curl, Python's ssl and git reach it
with that CA pinned; a plain-HTTP request on the TLS port gets no HTTP
answer; a half or broken TLS configuration stops the server at start."""
import http.client
import json
import os
import socket
import ssl
import subprocess
import time

import shutil
import signal

import mf
from harness import Response, Server, sh


def make_pki(d):
    """ca.pem, and server.pem/server.key for 127.0.0.1 signed by it;
    other-ca.pem: an authority that signed nothing here."""
    os.makedirs(d, exist_ok=True)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    if os.path.exists(p("server.pem")):
        return p
    for ca in ("ca", "other-ca"):
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
           "-subj", f"/CN=modelfacts test {ca}", "-keyout", p(ca + ".key"),
           "-out", p(ca + ".pem"))
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
       "-keyout", p("server.key"), "-out", p("server.csr"))
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "extendedKeyUsage=serverAuth\n")
    sh("openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"),
       "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "2",
       "-extfile", p("ext.cnf"), "-out", p("server.pem"))
    # the renewed certificate: a new key, signed by the other authority
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
       "-keyout", p("server2.key"), "-out", p("server2.csr"))
    sh("openssl", "x509", "-req", "-in", p("server2.csr"), "-CA",
       p("other-ca.pem"), "-CAkey", p("other-ca.key"), "-CAcreateserial",
       "-days", "2", "-extfile", p("ext.cnf"), "-out", p("server2.pem"))
    return p


class TLSServer(Server):
    """The harness's server, reached over HTTPS with the test CA pinned."""

    cafile = None

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, timeout=30):
        ctx = ssl.create_default_context(cafile=self.cafile)
        c = http.client.HTTPSConnection("127.0.0.1", self.port,
                                        timeout=timeout, context=ctx)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()


S = {}


def server(t):
    if "s" not in S:
        p = make_pki(os.path.join(t.dir, "pki"))
        s = TLSServer(t.db_url, os.path.join(t.dir, "tls"),
                      ["--tls-cert", p("server.pem"),
                       "--tls-key", p("server.key")])
        s.cafile = p("ca.pem")
        t.servers.append(s)
        s.start()
        S["s"], S["p"] = s, p
    return S["s"]


def test_https_with_the_ca_pinned(t):
    s = server(t)
    p = S["p"]
    # curl with the CA pinned: verified, and the public URL says https
    r = sh("curl", "-sS", "--cacert", p("ca.pem"), f"{s.url}/v1/registry")
    assert "origin" in json.loads(r.stdout), r.stdout
    assert s.get("/healthz").status == 200
    # the certificate the server presents is exactly the configured one
    ctx = ssl.create_default_context(cafile=p("ca.pem"))
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            der = tls.getpeercert(binary_form=True)
            assert tls.version() in ("TLSv1.2", "TLSv1.3"), tls.version()
    pem = open(p("server.pem")).read()
    assert ssl.DER_cert_to_PEM_cert(der).split() == pem.split()
    # another authority does not vouch for it: verification fails
    r = sh("curl", "-sS", "--cacert", p("other-ca.pem"),
           f"{s.url}/healthz", check=False)
    assert r.returncode == 60, (r.returncode, r.stderr)


def test_plain_http_on_the_tls_port_gets_no_answer(t):
    s = server(t)
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.sendall(b"GET /v1/registry HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got, t0 = b"", time.time()
        c.settimeout(10)
        try:
            while True:
                b = c.recv(4096)
                if not b:
                    break
                got += b
        except ConnectionResetError:
            pass
        # closed promptly, and nothing served in clear
        assert time.time() - t0 < 10
        assert not got.startswith(b"HTTP/"), got[:100]
        assert b"origin" not in got
    # curl speaking plain HTTP to it fails outright, it is not served
    r = sh("curl", "-sS", "-m", "10", f"http://127.0.0.1:{s.port}/healthz",
           check=False)
    assert r.returncode != 0 and "ok" not in r.stdout, r
    # and the server still serves HTTPS afterwards
    assert s.get("/healthz").status == 200
    # the log says what happened
    assert "plain-HTTP request on the HTTPS port" in s.tail(200)


def test_submission_and_git_clone_over_https(t):
    s = server(t)
    reg = mf.Registry(s)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    doc = mf.disclosure("acme", "anvil", reg.next_seq("acme"))
    r = reg.submit(mf.envelope(doc, [key]))
    assert r.status == 201, r
    deadline = time.time() + 30
    while s.get("/v1/models/acme/anvil/label.json").status != 200:
        assert time.time() < deadline
        time.sleep(0.1)
    dest = os.path.join(t.dir, "clone")
    env = dict(os.environ, GIT_SSL_CAINFO=S["p"]("ca.pem"),
               GIT_TERMINAL_PROMPT="0", HOME="/nonexistent")
    deadline = time.time() + 30
    while True:
        sh("rm", "-rf", dest)
        sh("git", "clone", "-q", f"{s.url}/labels.git", dest, env=env)
        # (an empty clone while the first commit is being published)
        log = sh("git", "-C", dest, "log", "--format=%s", env=env,
                 check=False).stdout
        if "acme/anvil" in log:
            break
        assert time.time() < deadline, log
        time.sleep(0.2)
    # without the CA, git refuses the server
    r = sh("git", "clone", "-q", f"{s.url}/labels.git", dest + "2",
           env=dict(env, GIT_SSL_CAINFO=S["p"]("other-ca.pem")), check=False)
    assert r.returncode != 0


def test_half_or_broken_tls_configuration_refuses_to_start(t):
    p = make_pki(os.path.join(t.dir, "pki"))
    binary = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "bin", "modelfactsd")
    base = [binary, "--database-url", t.db_url, "--state-dir",
            os.path.join(t.dir, "bad"), "--port", "1"]
    r = subprocess.run(base + ["--tls-cert", p("server.pem")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "tls-key" in r.stderr, r
    # the key of another certificate: the server cannot serve TLS
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    base[-1] = port
    r = subprocess.run(base + ["--tls-cert", p("server.pem"), "--tls-key",
                               p("ca.key")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r
    assert "the TLS key does not match the certificate" in r.stderr, r
    r = subprocess.run(base + ["--tls-cert", p("server.pem"), "--tls-key",
                               p("missing.key")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "TLS" in r.stdout + r.stderr, r


def peer_cert(port, cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return ssl.DER_cert_to_PEM_cert(
                tls.getpeercert(binary_form=True)).split()


def hup(s, marker):
    before = open(s.log_path).read().count(marker)
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while open(s.log_path).read().count(marker) == before:
        assert time.time() < deadline, s.tail()
        time.sleep(0.02)


def test_sighup_replaces_the_certificate_without_dropping_connections(t):
    p = make_pki(os.path.join(t.dir, "pki"))
    live = os.path.join(t.dir, "live")
    os.makedirs(live, exist_ok=True)
    for ext in ("pem", "key"):
        shutil.copy(p("server." + ext), os.path.join(live, "cert." + ext))
    conf = os.path.join(t.dir, "tls.conf")
    with open(conf, "w") as f:
        f.write(f"tls-cert = {live}/cert.pem\ntls-key = {live}/cert.key\n")
    s = TLSServer(t.db_url, os.path.join(t.dir, "reload"),
                  ["--config", conf])
    s.cafile = p("ca.pem")
    t.servers.append(s)
    s.start()
    first = open(p("server.pem")).read().split()
    assert peer_cert(s.port, p("ca.pem")) == first
    # a kept-alive HTTPS connection made with the old certificate
    keep = http.client.HTTPSConnection(
        "127.0.0.1", s.port, timeout=30,
        context=ssl.create_default_context(cafile=p("ca.pem")))
    keep.request("GET", "/healthz")
    keep.getresponse().read()
    sock = keep.sock
    # renewal: the files are replaced in place, then SIGHUP
    for ext in ("pem", "key"):
        shutil.copy(p("server2." + ext), os.path.join(live, "cert." + ext))
    hup(s, "TLS certificate")
    assert peer_cert(s.port, p("other-ca.pem")) == \
        open(p("server2.pem")).read().split()
    keep.request("GET", "/healthz")
    r = keep.getresponse()
    r.read()
    assert r.status == 200 and keep.sock is sock
    keep.close()
    # a key that does not match: nothing changes
    shutil.copy(p("server.key"), os.path.join(live, "cert.key"))
    hup(s, "nothing changed")
    assert "does not match" in s.tail(3)
    assert peer_cert(s.port, p("other-ca.pem")) == \
        open(p("server2.pem")).read().split()
    assert s.stop() == 0
