"""Foundation: the HTTP skeleton, configuration, migrations, database
outages and the two-command set-up, against the real server and cluster."""
import json
import os
import signal
import socket
import subprocess
import time

from harness import ROOT, free_port, sh


def error_of(r):
    body = r.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def test_health_ready_version(t):
    s = t.server
    r = s.get("/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}, r
    r = s.get("/readyz")
    assert r.status == 200, r
    assert r.json()["status"] == "ready"
    assert r.header("Content-Type") == "application/json"
    r = s.get("/v1/version")
    assert r.status == 200 and r.json()["name"] == "modelfacts", r


def test_request_ids_are_unique(t):
    ids = {t.server.get("/healthz").header("X-Request-Id") for _ in range(20)}
    assert len(ids) == 20 and None not in ids, ids
    # ... and the access log names them.
    time.sleep(0.2)
    log = open(t.server.log_path).read()
    assert all(i in log for i in ids)


def test_unknown_route_is_404_json(t):
    r = t.server.get("/no/such/thing")
    assert r.status == 404, r
    assert error_of(r)["code"] == "not_found"


def test_wrong_method_is_405_with_allow(t):
    r = t.server.request("DELETE", "/readyz")
    assert r.status == 405, r
    assert r.header("Allow") == "GET, HEAD", r.headers
    assert error_of(r)["code"] == "method_not_allowed"


def test_head_answers_like_get_without_body(t):
    r = t.server.request("HEAD", "/healthz")
    assert r.status == 200 and r.body == b"", r


def test_oversized_body_is_413(t):
    r = t.server.post("/healthz", body=b"x" * (1024 * 1024 + 1))
    assert r.status == 413, r
    assert error_of(r)["code"] == "payload_too_large"


def test_documented_413_is_answered(t):
    """openapi.json gives 413 (components.responses.PayloadTooLarge) as
    the one 4xx of the operations that take no input: each answers it to
    a GET with an oversize body, before routing."""
    with open(os.path.join(ROOT, "web", "static", "openapi.json")) as f:
        doc = json.load(f)
    ref = {"$ref": "#/components/responses/PayloadTooLarge"}
    paths = [p for p, item in doc["paths"].items()
             if item.get("get", {}).get("responses", {}).get("413") == ref]
    assert "/healthz" in paths and len(paths) >= 8, paths
    for path in paths:
        r = t.server.request("GET", path, body=b"x" * (1024 * 1024 + 1))
        assert r.status == 413, (path, r)
        assert error_of(r)["code"] == "payload_too_large", path


def test_oversized_chunked_body_is_413(t):
    # No Content-Length: the limit applies while the body streams in.
    with socket.create_connection(("127.0.0.1", t.server.port)) as c:
        c.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"y" * 65536
        try:
            for _ in range(20):
                c.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            c.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close early after answering
        data = b""
        c.settimeout(10)
        while b"\r\n\r\n" not in data:
            part = c.recv(65536)
            if not part:
                break
            data += part
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


def test_body_limit_is_configurable(t):
    s = t.new_server(args=["--max-body", "2048"], name="small-body")
    assert s.post("/healthz", body=b"x" * 2049).status == 413
    assert s.post("/healthz", body=b"x" * 2048).status == 405
    s.stop()


def test_invalid_config_is_refused(t):
    bin_ = os.path.join(ROOT, "bin", "modelfactsd")
    for args, needle in [
        (["--port", "0"], "port must be an integer from 1 to 65535"),
        (["--threads", "many"], "threads must be an integer"),
        (["--bogus"], "unknown option"),
        (["--log-level", "loud"], "log-level"),
        (["--origin", "has space"], "origin"),
        (["--listen", "localhost"], "not a numeric"),
    ]:
        # a state directory of its own: never the checkout's var/, which
        # `make run` may have filled with another registry's keys
        p = sh(bin_, "--database-url", t.db_url, "--state-dir",
               os.path.join(t.dir, "refused"), *args, check=False)
        assert p.returncode in (1, 2), (args, p.returncode)
        assert needle in p.stderr, (args, p.stderr)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "MODELFACTS_DATABASE_URL")}
    p = sh(bin_, check=False, env=env)
    assert p.returncode == 2 and "DATABASE_URL" in p.stderr, p.stderr
    env["MODELFACTS_THREADS"] = "0"
    env["DATABASE_URL"] = t.db_url
    p = sh(bin_, check=False, env=env)
    assert p.returncode == 2 and "MODELFACTS_THREADS" in p.stderr, p.stderr


def test_help_lists_every_option(t):
    p = sh(os.path.join(ROOT, "bin", "modelfactsd"), "--help")
    for opt in ("--port", "--database-url", "--max-body", "--threads",
                "--per-ip-limit", "--conn-timeout", "MODELFACTS_PORT"):
        assert opt in p.stdout, opt


def migrate(t, db_url):
    return sh(os.path.join(ROOT, "bin", "modelfactsd"), "--database-url",
              db_url, "--migrate-only", check=False)


def test_migrations_twice_is_a_no_op(t):
    url = t.cluster.createdb("t_migrate_twice")
    p = migrate(t, url)
    assert p.returncode == 0, p.stderr
    assert "applied migration 0001" in p.stderr
    before = t.cluster.psql("t_migrate_twice",
                            "SELECT version, checksum, applied_at "
                            "FROM schema_migrations ORDER BY 1")
    p = migrate(t, url)
    assert p.returncode == 0, p.stderr
    assert "applied migration" not in p.stderr and "0 applied now" in p.stderr
    after = t.cluster.psql("t_migrate_twice",
                           "SELECT version, checksum, applied_at "
                           "FROM schema_migrations ORDER BY 1")
    assert before == after and len(before) >= 1


def test_edited_migration_is_refused(t):
    url = t.cluster.createdb("t_migrate_edited")
    assert migrate(t, url).returncode == 0
    # What an edit of an applied file looks like from the database's side:
    # the recorded checksum no longer matches the binary's copy.
    t.cluster.psql("t_migrate_edited", "UPDATE schema_migrations SET "
                   "checksum = repeat('0', 64) WHERE version = 1")
    p = migrate(t, url)
    assert p.returncode == 1, p.stderr
    assert "0001_core.sql was changed after it was applied" in p.stderr


def test_newer_database_is_refused(t):
    url = t.cluster.createdb("t_migrate_newer")
    assert migrate(t, url).returncode == 0
    t.cluster.psql("t_migrate_newer", "INSERT INTO schema_migrations "
                   "VALUES (9999, '9999_future.sql', 'x', now())")
    p = migrate(t, url)
    assert p.returncode == 1 and "newer than the binary" in p.stderr, p.stderr


def test_concurrent_starts_apply_once(t):
    url = t.cluster.createdb("t_migrate_race")
    bin_ = os.path.join(ROOT, "bin", "modelfactsd")
    procs = [subprocess.Popen([bin_, "--database-url", url,
                               "--migrate-only"], stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outs = [p.communicate()[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sum("applied migration 0001" in o for o in outs) == 1, outs
    n = t.cluster.psql("t_migrate_race",
                       "SELECT count(*) FROM schema_migrations")
    assert n[0][0] == str(len(os.listdir(os.path.join(ROOT, "migrations"))))


def test_per_ip_connection_limit(t):
    s = t.new_server(args=["--per-ip-limit", "2"], name="ip-limit")
    time.sleep(0.5)  # let the health check's connection close
    held = [socket.create_connection(("127.0.0.1", s.port))
            for _ in range(2)]
    for c in held:  # half a request each: busy, not idle
        c.sendall(b"GET /healthz HTTP/1.1\r\n")
    time.sleep(0.2)
    extra = socket.create_connection(("127.0.0.1", s.port))
    extra.settimeout(5)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        got = extra.recv(100)
    except ConnectionResetError:
        got = b""
    assert got == b"", got
    for c in held + [extra]:
        c.close()
    s.stop()


def test_idle_connection_timeout(t):
    s = t.new_server(args=["--conn-timeout", "1"], name="timeout")
    c = socket.create_connection(("127.0.0.1", s.port))
    c.settimeout(5)
    t0 = time.time()
    assert c.recv(10) == b""
    assert time.time() - t0 < 4
    c.close()
    s.stop()


def test_graceful_shutdown_finishes_in_flight_request(t):
    s = t.new_server(name="graceful")
    c = socket.create_connection(("127.0.0.1", s.port))
    c.sendall(b"POST /nowhere HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 10\r\n\r\n12345")
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert s.proc.poll() is None, "exited with a request in flight"
    c.sendall(b"67890")
    c.settimeout(10)
    data = c.recv(4096)
    assert data.startswith(b"HTTP/1.1 404"), data
    c.close()
    assert s.stop() == 0
    # ... and new connections are refused meanwhile
    try:
        socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    assert refused


def test_database_outage_and_recovery(t):
    s = t.server
    assert s.get("/readyz").status == 200
    t.cluster.stop()
    try:
        r = s.get("/readyz")
        assert r.status == 503, r
        assert r.json()["status"] == "unavailable"
        assert s.get("/healthz").status == 200
        assert s.get("/readyz").status == 503
    finally:
        t.cluster.restart()
    deadline = time.time() + 10
    while s.get("/readyz").status != 200:
        assert time.time() < deadline, "did not recover"
        time.sleep(0.1)
    assert s.proc.poll() is None, "server restarted or died"


def pids_of(pattern):
    p = sh("pgrep", "-f", pattern, check=False)
    return [int(x) for x in p.stdout.split()]


def test_make_run_serves_and_ctrl_c_cleans_up(t):
    var = os.path.join(t.dir, "run-var")
    port = free_port()
    env = dict(os.environ, PORT=str(port), MF_VAR=var)
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([os.path.join(ROOT, "scripts", "run.sh")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        ok = False
        while time.time() < deadline and proc.poll() is None:
            try:
                r = sh("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                       f"http://127.0.0.1:{port}/readyz", check=False)
                if r.stdout == "200":
                    ok = True
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert ok, "make run did not become ready"
        assert pids_of(os.path.join(var, "pg", "data")), "no private cluster"
        # Ctrl-C reaches the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert "stopped" in out, out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(0.5)
    assert not pids_of(f"modelfactsd --port {port}"), "server left behind"
    assert not pids_of(os.path.join(var, "pg", "data")), "cluster left behind"


def test_readme_lists_every_option(t):
    import re
    helptext = sh(os.path.join(ROOT, "bin", "modelfactsd"), "--help").stdout
    flags = set(re.findall(r"^  (--[a-z-]+)", helptext, re.M)) - {"--help"}
    readme = open(os.path.join(ROOT, "README.md")).read()
    documented = set(re.findall(r"^\| `(--[a-z-]+)` \|", readme, re.M))
    assert flags == documented, (flags - documented, documented - flags)
