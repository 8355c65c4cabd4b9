"""Database faults (issue 15, findings 1 and 5): with PostgreSQL frozen
(SIGSTOP on the postmaster and every backend) the server keeps answering
/healthz and git files at once, and database requests get 503 with
Retry-After within --db-timeout instead of hanging; and a submission whose
commit outcome was unknown (the connection lost right after mf_accept()
committed) is looked up and answered 2xx, never 503 for a stored document.

Freezing the run's shared cluster would stall whatever else uses it, so
this module starts a cluster of its own (build/test/pg_faults) and stops it
in its last test."""
import base64
import json
import os
import signal
import threading
import time

import mf
from harness import ROOT, Cluster

DB_TIMEOUT_MS = 1000
S = {}


def cluster():
    if "cluster" not in S:
        c = Cluster(os.path.join(ROOT, "build", "test", "pg_faults"))
        c.start(fresh=True)
        S["cluster"] = c
        S["db_url"] = c.createdb("t_db_faults")
    return S["cluster"]


def server(t, env=None):
    cluster()
    if S.get("server") is not None:
        S["server"].stop()
    env = dict(env or {}, MODELFACTS_DB_TIMEOUT=str(DB_TIMEOUT_MS))
    S["server"] = t.new_server(env=env, db_url=S["db_url"], name="server")
    return S["server"]


def pg_pids(c):
    """The postmaster and its children (backends and helpers)."""
    with open(os.path.join(c.path, "data", "postmaster.pid")) as f:
        master = int(f.readline())
    pids = [master]
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command may hold spaces: the fields after ") " are fixed
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(d))
    return pids


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def timed(s, method, path, body=None, timeout=30):
    t0 = time.monotonic()
    try:
        r = s.request(method, path, body=body, timeout=timeout)
    except OSError as e:
        r = e
    return r, time.monotonic() - t0


def payload_hex(env):
    if isinstance(env, (bytes, str)):
        env = json.loads(env)
    return mf.sha256_hex(base64.b64decode(env["payload"]))


def setup(t):
    if "reg" in S:
        return S
    s = server(t)
    reg = mf.Registry(s)
    S["reg"] = reg
    S["acme"] = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", S["acme"])
    r = reg.submit(mf.envelope(mf.disclosure("acme", "alpha",
                                             reg.next_seq("acme")),
                               [S["acme"]]))
    assert r.status == 201, r
    S["head"] = "sha256:" + r.json()["payload_sha256"]
    return S


def test_frozen_database_bounded_waits(t):
    setup(t)
    s = S["server"]
    reg = S["reg"]
    c = cluster()
    # a submission to send while frozen (signed before, so no waiting)
    doc = mf.disclosure("acme", "beta", reg.next_seq("acme"))
    env = mf.envelope(doc, [S["acme"]])
    pids = pg_pids(c)
    reads = []
    signal_all(pids, signal.SIGSTOP)
    try:
        # 1. Sixteen reads: more than the eight workers.
        def read():
            reads.append(timed(s, "GET", "/v1/models/acme/alpha"))
        threads = [threading.Thread(target=read) for _ in range(16)]
        for th in threads:
            th.start()
        time.sleep(0.3)
        # 2. Health and git files do not wait on the database.
        health = [timed(s, "GET", "/healthz", timeout=2) for _ in range(10)]
        git = timed(s, "GET", "/labels.git/HEAD", timeout=2)
        # 3. A submission and readiness get 503 within the deadline.
        sub = timed(s, "POST", "/v1/submissions", body=env, timeout=10)
        ready = timed(s, "GET", "/readyz", timeout=10)
        for th in threads:
            th.join(15)
    finally:
        signal_all(reversed(pids), signal.SIGCONT)
    hmax = max(d for _, d in health)
    rmax = max(d for _, d in reads)
    print(f"   frozen PostgreSQL, --db-timeout {DB_TIMEOUT_MS} ms:"
          f" /healthz max {hmax * 1000:.1f} ms over {len(health)},"
          f" git HEAD {git[1] * 1000:.1f} ms,"
          f" submission {getattr(sub[0], 'status', sub[0])} in"
          f" {sub[1] * 1000:.0f} ms,"
          f" /readyz {getattr(ready[0], 'status', ready[0])} in"
          f" {ready[1] * 1000:.0f} ms,"
          f" 16 reads: slowest {rmax * 1000:.0f} ms, statuses"
          f" {sorted(str(getattr(r, 'status', 'no answer')) for r, _ in reads)}")
    for r, d in health:
        assert getattr(r, "status", None) == 200, r
    assert hmax < 0.1, f"/healthz took {hmax * 1000:.0f} ms"
    assert getattr(git[0], "status", None) == 200, git
    assert git[1] < 0.1, f"git HEAD took {git[1] * 1000:.0f} ms"
    limit = DB_TIMEOUT_MS / 1000 + 0.5
    assert getattr(sub[0], "status", None) == 503, sub
    assert sub[0].json()["error"]["code"] == "service_unavailable", sub
    assert sub[0].header("Retry-After") == "1", sub
    assert sub[1] < limit, f"submission took {sub[1]:.2f} s"
    assert getattr(ready[0], "status", None) == 503, ready
    assert ready[1] < limit, f"/readyz took {ready[1]:.2f} s"
    assert len(reads) == 16
    for r, d in reads:
        assert getattr(r, "status", None) == 503, r
        assert r.header("Retry-After") == "1", r
        # queued behind the eight workers: still within the deadline
        assert d < limit, f"a read took {d:.2f} s"
    # 4. Thawed, the server recovers without help, and nothing was stored.
    deadline = time.monotonic() + 15
    while True:
        r = s.get("/v1/models/acme/alpha")
        if r.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status == 200, r
    assert s.get("/readyz").status == 200
    n = c.psql("t_db_faults", "SELECT count(*) FROM submissions"
               " WHERE payload_sha256 = decode(:'p1', 'hex')",
               payload_hex(env))
    assert n == [["0"]], n
    # the sequence number was never used: send it again, now accepted
    r = reg.submit(env)
    assert r.status == 201, r


def test_saturated_pool_answers_503_at_once(t):
    """Past the eight workers and their bounded queue (4 x threads), a
    request is refused at once rather than queued without bound."""
    setup(t)
    s = S["server"]
    c = cluster()
    pids = pg_pids(c)
    reads = []
    lock = threading.Lock()

    def read():
        r = timed(s, "GET", "/v1/orgs/acme", timeout=15)
        with lock:
            reads.append(r)
    signal_all(pids, signal.SIGSTOP)
    try:
        threads = [threading.Thread(target=read) for _ in range(60)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(20)
        health = timed(s, "GET", "/healthz", timeout=2)
    finally:
        signal_all(reversed(pids), signal.SIGCONT)
    fast = [d for r, d in reads if getattr(r, "status", None) == 503
            and d < 0.1]
    print(f"   frozen PostgreSQL, 60 concurrent reads: {len(fast)} refused"
          f" 503 within 100 ms (slowest of those"
          f" {max(fast, default=0) * 1000:.1f} ms), slowest answer"
          f" {max(d for _, d in reads) * 1000:.0f} ms")
    assert len(reads) == 60
    for r, d in reads:
        assert getattr(r, "status", None) == 503, r
        assert r.header("Retry-After") == "1", r
        assert d < DB_TIMEOUT_MS / 1000 + 0.5, f"a read took {d:.2f} s"
    # 8 running and 32 queued at most: the other 20 or more at once
    assert len(fast) >= 20, len(fast)
    assert getattr(health[0], "status", None) == 200, health
    # thawed, it serves again
    deadline = time.monotonic() + 15
    while s.get("/v1/orgs/acme").status != 200:
        assert time.monotonic() < deadline, "no recovery"
        time.sleep(0.1)


def test_commit_outcome_unknown_is_looked_up(t):
    setup(t)
    c = cluster()
    s = server(t, env={"MODELFACTS_TEST_FAULT": "drop-after-accept"})
    reg = S["reg"]
    reg.s = s
    doc = mf.disclosure("acme", "gamma", reg.next_seq("acme"))
    env = mf.envelope(doc, [S["acme"]])
    r = reg.submit(env)
    stored = c.psql("t_db_faults", "SELECT count(*) FROM submissions"
                    " WHERE payload_sha256 = decode(:'p1', 'hex')",
                    payload_hex(env))
    print(f"   connection lost after COMMIT: answered {r.status},"
          f" stored {stored[0][0]} time(s)")
    assert stored == [["1"]], stored
    # committed: a 2xx naming the stored submission, not 503
    assert r.status in (201, 202), r
    assert r.json()["status"] in ("accepted", "accepted_log_pending"), r
    assert r.json()["payload_sha256"] == payload_hex(env), r
    # and the client's retry is a harmless replay
    r2 = reg.submit(env)
    assert r2.status == 200, r2
    assert r2.json()["status"] == "already_accepted", r2


def test_zz_stop_cluster(t):
    if S.get("server") is not None:
        S["server"].stop()
        S["server"] = None
    if "cluster" in S:
        S["cluster"].stop()
