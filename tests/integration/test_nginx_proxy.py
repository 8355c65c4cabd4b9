"""The documented reverse-proxy set-up, run (issue 16): docs/nginx.conf,
with only its ports and paths substituted, in front of a real modelfactsd
started with --trusted-proxy. The client's address reaches the server
through X-Forwarded-For (its access log names it), a forged header sent
straight to the server is not believed, and a submission and a git clone
work through nginx.

To tell the proxy from its clients on one machine, nginx connects from
127.0.0.2 (proxy_bind, added by the test), clients from 127.0.0.3, and
only 127.0.0.2 is a trusted proxy."""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time

import mf
from harness import ROOT, Skip, free_port, sh

S = {}


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def start(t):
    if S:
        return S
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise Skip("nginx is not installed")
    srv = t.new_server(["--trusted-proxy", "127.0.0.2", "--rate-read", "0"],
                       start=False)
    port = free_port()
    srv.args += ["--public-url", f"http://127.0.0.1:{port}"]
    srv.start()
    d = os.path.join(t.dir, "nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    site = open(os.path.join(ROOT, "docs", "nginx.conf")).read()
    for old, new in (("server 127.0.0.1:8080;",
                      f"server 127.0.0.1:{srv.port};"),
                     ("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("proxy_pass http://modelfactsd;",
                      "proxy_pass http://modelfactsd;\n"
                      "\t\tproxy_bind 127.0.0.2;")):
        assert old in site, f"docs/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    with open(os.path.join(d, "site.conf"), "w") as f:
        f.write(site)
    temps = "".join(f"\t{k}_temp_path {d}/tmp/{k};\n"
                    for k in ("client_body", "proxy", "fastcgi", "uwsgi",
                              "scgi"))
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(f"{'user root;' if os.geteuid() == 0 else ''}\n"
                f"worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\n"
                f"error_log {d}/error.log;\n"
                "events { worker_connections 256; }\n"
                f"http {{\n\taccess_log {d}/access.log;\n{temps}"
                f"\tinclude {d}/site.conf;\n}}\n")
    sh(nginx, "-t", "-p", d, "-c", os.path.join(d, "nginx.conf"))
    proc = subprocess.Popen([nginx, "-p", d, "-c",
                             os.path.join(d, "nginx.conf")],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t.servers.append(_Proc(proc))
    wait_port(port)
    S.update(srv=srv, port=port, dir=d)
    return S


class _Proc:
    """nginx, stopped with the module's servers."""

    def __init__(self, proc):
        self.proc = proc
        self.log_path = ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def tail(self, n=15):
        return ""


def via_nginx(method, path, body=None, headers=None, source="127.0.0.3"):
    c = http.client.HTTPConnection("127.0.0.1", S["port"], timeout=30,
                                   source_address=(source, 0))
    try:
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def logged_client(srv, request_id):
    """The client address the access log line of request_id names."""
    deadline = time.time() + 5
    while time.time() < deadline:
        m = re.search(r"req=" + re.escape(request_id) + r" (\S+) ",
                      open(srv.log_path, errors="replace").read())
        if m:
            return m.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {request_id}")


def test_x_forwarded_for_is_honoured_only_from_the_proxy(t):
    s = start(t)
    srv = s["srv"]
    # through nginx, with a forged header: the client is who nginx saw
    st, h, _ = via_nginx("GET", "/v1/registry",
                         headers={"X-Forwarded-For": "198.51.100.9"})
    assert st == 200
    assert logged_client(srv, h["X-Request-Id"]) == "127.0.0.3"
    # straight to modelfactsd from an untrusted peer: the header is ignored
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30,
                                   source_address=("127.0.0.4", 0))
    c.request("GET", "/v1/registry",
              headers={"X-Forwarded-For": "198.51.100.9"})
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 200
    assert logged_client(srv, r.getheader("X-Request-Id")) == "127.0.0.4"


def test_submission_and_git_clone_through_nginx(t):
    s = start(t)
    reg = mf.Registry(s["srv"])
    key = mf.Key(t.dir, "acme", "ed25519")
    st, _, body = via_nginx("POST", "/v1/admin/orgs", body={
        "org": "acme", "name": "Acme", "role": "developer",
        "public_key": key.public},
        headers={"Authorization": "Bearer " + reg.token})
    assert st == 201, body
    doc = mf.disclosure("acme", "anvil", 1)
    st, h, body = via_nginx("POST", "/v1/submissions",
                            body=mf.envelope(doc, [key]))
    assert st == 201, body
    assert logged_client(s["srv"], h["X-Request-Id"]) == "127.0.0.3"
    dest = os.path.join(t.dir, "clone")
    deadline = time.time() + 30
    while True:
        shutil.rmtree(dest, ignore_errors=True)
        sh("git", "clone", "-q", f"http://127.0.0.1:{s['port']}/labels.git",
           dest)
        # (an empty clone while the first commit is being published)
        log = sh("git", "-C", dest, "log", "--format=%s",
                 check=False).stdout
        if "acme/anvil" in log:
            break
        assert time.time() < deadline, log
        time.sleep(0.2)
    sh("git", "-C", dest, "fsck", "--strict")
    # nginx's own access log saw both
    acc = open(os.path.join(s["dir"], "access.log")).read()
    assert "POST /v1/submissions" in acc and "/labels.git/" in acc
