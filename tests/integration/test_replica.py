"""Read replicas (issue 16): with --database-url-read the server sends
read-only requests (GET, HEAD) to a real streaming replica of the run's
cluster (pg_basebackup -R, harness.py Cluster.replicate) while its
measured lag is within --replica-max-lag, and to the primary otherwise.

What PostgreSQL itself shows, not what the server says: the replica's
pg_stat_statements counts the reads it answered (the replica preloads the
library; the extension is created in this module's database on the
primary and replicated). A submission written to the primary is visible
through the API once replayed; a replica whose replay is paused is
bypassed beyond the bound (a document only the primary holds is served);
a replica stopped with `pg_ctl stop -m immediate` under a steady load of
reads costs not one failed request, and is used again once it is back."""
import os
import signal
import threading
import time

import mf
from harness import ROOT

MAX_LAG_S = 2
S = {}


def setup(t):
    if S:
        return S
    # 1. The replica, and the statistics it keeps of what it answers.
    t.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    rep = t.cluster.replicate(
        os.path.join(ROOT, "build", "test", "pg_replica"),
        conf="shared_preload_libraries = 'pg_stat_statements'\n"
        "pg_stat_statements.track = all")
    S["replica"] = rep
    S["read_url"] = read_url = (f"host={rep.sock} dbname={t.dbname}"
                                " user=modelfacts")
    # 2. A server reading from it, and an organisation with a model.
    s = t.new_server(args=["--database-url-read", read_url,
                           "--replica-max-lag", str(MAX_LAG_S)],
                     env={"MODELFACTS_DB_TIMEOUT": "2000"})
    S["server"] = s
    S["reg"] = reg = mf.Registry(s)
    S["acme"] = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", S["acme"])
    submit(reg, "alpha")
    return S


def submit(reg, model):
    doc = mf.disclosure("acme", model, reg.next_seq("acme"))
    r = reg.submit(mf.envelope(doc, [S["acme"]]))
    assert r.status == 201, r


def replica_sql(t, query):
    return S["replica"].psql(t.dbname, query)


def replica_reads(t):
    """Statements the replica answered in this database for the server,
    the monitor's own lag query left out."""
    return int(replica_sql(
        t, "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s"
        " JOIN pg_database d ON d.oid = s.dbid"
        " WHERE d.datname = current_database()"
        " AND s.query NOT LIKE '%pg_is_in_recovery%'"
        " AND s.query NOT LIKE '%pg_stat_statements%'")[0][0])


def replica_has(t, model):
    return replica_sql(
        t, f"SELECT count(*) FROM models WHERE model = '{model}'"
    )[0][0] == "1"


def readyz(s):
    r = s.get("/readyz")
    assert r.status == 200, r
    return r.json()["replica"]


def wait_for(what, fn, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_reads_are_served_by_the_replica(t):
    S = setup(t)
    s = S["server"]
    rz = wait_for("the replica in use", lambda: (
        lambda z: z if z["state"] == "ok" and z["in_use"] else None)(
            readyz(s)))
    assert rz["max_lag_seconds"] == MAX_LAG_S, rz
    assert 0 <= rz["lag_seconds"] <= MAX_LAG_S, rz
    wait_for("alpha replayed",
             lambda: s.get("/v1/models/acme/alpha").status == 200)
    before, said = replica_reads(t), readyz(s)["statements"]
    for path in ["/v1/models/acme/alpha", "/v1/models/acme/alpha/label.json",
                 "/v1/models?q=alpha", "/v1/orgs/acme"] * 5:
        r = s.get(path)
        assert r.status == 200, (path, r)
    # every one of the 20 reads ran at least one statement on the replica
    got = replica_reads(t) - before
    assert got >= 20, f"the replica answered {got} statements"
    assert readyz(s)["statements"] - said >= 20
    # HEAD reads too
    before = replica_reads(t)
    assert s.request("HEAD", "/v1/models/acme/alpha").status == 200
    assert replica_reads(t) > before


def test_writes_go_to_the_primary_and_appear_once_replayed(t):
    S = setup(t)
    s, reg = S["server"], S["reg"]
    # a submission (POST) is written to the primary: the replica, read
    # only, could not have taken it
    submit(reg, "beta")
    assert t.sql("SELECT count(*) FROM models WHERE model = 'beta'") == [
        ["1"]]
    wait_for("beta replayed on the replica", lambda: replica_has(t, "beta"),
             timeout=5)
    r = wait_for("beta through the API", lambda: (
        lambda x: x if x.status == 200 else None)(
            s.get("/v1/models/acme/beta")))
    assert r.json()["model"] == "beta", r
    names = [m["model"] for m in s.get("/v1/models").json()["models"]]
    assert "beta" in names, names


def test_a_paused_replica_is_bypassed_beyond_the_bound(t):
    S = setup(t)
    s, reg = S["server"], S["reg"]
    replica_sql(t, "SELECT pg_wal_replay_pause()")
    try:
        submit(reg, "gamma")
        # 1. Measured behind by more than the bound within a few seconds.
        rz = wait_for("the replica reported lagging", lambda: (
            lambda z: z if z["state"] == "lagging" else None)(readyz(s)),
            timeout=MAX_LAG_S + 5)
        assert not rz["in_use"] and rz["replay_paused"], rz
        assert rz["lag_seconds"] is None or rz["lag_seconds"] > MAX_LAG_S
        # 2. What only the primary holds is served, by the primary.
        assert not replica_has(t, "gamma")
        before = replica_reads(t)
        for _ in range(10):
            r = s.get("/v1/models/acme/gamma")
            assert r.status == 200, r
            assert s.get("/v1/models/acme/gamma/label.md").status == 200
        assert replica_reads(t) == before
    finally:
        replica_sql(t, "SELECT pg_wal_replay_resume()")
    # 3. Caught up again: back in use.
    wait_for("the replica back in use", lambda: readyz(s)["in_use"])
    assert replica_has(t, "gamma")
    before = replica_reads(t)
    assert s.get("/v1/models/acme/gamma").status == 200
    assert replica_reads(t) > before


def test_a_replica_stopped_mid_load_fails_no_request(t):
    S = setup(t)
    s, rep = S["server"], S["replica"]
    wait_for("the replica in use", lambda: readyz(s)["in_use"])
    stop = threading.Event()
    results = []

    def load():
        paths = ["/v1/models/acme/alpha", "/v1/models/acme/beta/label.json",
                 "/v1/models", "/v1/orgs/acme/keys"]
        i = 0
        while not stop.is_set():
            try:
                r = s.get(paths[i % len(paths)], timeout=10)
                results.append((paths[i % len(paths)], r.status))
            except OSError as e:
                results.append((paths[i % len(paths)], repr(e)))
            i += 1

    threads = [threading.Thread(target=load) for _ in range(3)]
    for th in threads:
        th.start()
    try:
        time.sleep(1.0)
        n_before = len(results)
        rep.stop_immediate()
        time.sleep(2.0)
    finally:
        stop.set()
        for th in threads:
            th.join()
    failed = [x for x in results if x[1] != 200]
    assert not failed, f"{len(failed)} of {len(results)} failed: {failed[:5]}"
    assert n_before > 0 and len(results) - n_before >= 10, (
        n_before, len(results))
    rz = readyz(s)
    assert rz["state"] == "unreachable" and not rz["in_use"], rz
    # a submission meanwhile goes to the primary as ever
    submit(S["reg"], "delta")
    assert s.get("/v1/models/acme/delta").status == 200
    # back after crash recovery: used again
    rep.restart()
    wait_for("the restarted replica in use", lambda: readyz(s)["in_use"],
             timeout=20)
    wait_for("delta replayed", lambda: replica_has(t, "delta"))
    before = replica_reads(t)
    assert s.get("/v1/models/acme/delta").status == 200
    assert replica_reads(t) > before


def replica_pids(rep):
    """The replica's postmaster and its children (backends, startup,
    WAL receiver)."""
    with open(os.path.join(rep.path, "data", "postmaster.pid")) as f:
        master = int(f.readline())
    pids = [master]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(d))
    return pids


def test_a_frozen_replica_costs_reads_time_not_answers(t):
    """A replica that stops answering (SIGSTOP: a hung host) holds a read
    at most half of --db-timeout (2 s here) before the primary answers
    it; the monitor's own 1 s bound marks it unreachable for the rest."""
    S = setup(t)
    s = S["server"]
    wait_for("the replica in use", lambda: readyz(s)["in_use"])
    pids = replica_pids(S["replica"])
    for p in pids:
        os.kill(p, signal.SIGSTOP)
    try:
        slow = 0
        for i in range(8):
            t0 = time.monotonic()
            r = s.get("/v1/models/acme/alpha/label.md")
            took = time.monotonic() - t0
            assert r.status == 200, (i, r)
            assert took < 1.8, (i, took)
            slow += took > 0.5
        assert slow <= 2, slow
        rz = wait_for("the replica reported unreachable", lambda: (
            lambda z: z if z["state"] == "unreachable" else None)(readyz(s)),
            timeout=5)
        assert not rz["in_use"], rz
    finally:
        for p in pids:
            os.kill(p, signal.SIGCONT)
    wait_for("the thawed replica in use", lambda: readyz(s)["in_use"])


def test_a_read_the_replica_cannot_do_is_redone_on_the_primary(t):
    """GET /v1/models brings the list's facts up to the log when they
    are behind it (a write: migrations/0008 mf_facts_catch_up). With no
    git publisher keeping them up, that write reaches the read-only
    replica, which refuses it (25006); the request is read again from the
    primary, answered 200, and the facts follow there."""
    S = setup(t)
    s = S["server"]
    s.stop()
    s.args.append("--no-git-publisher")
    s.start()
    wait_for("the replica in use", lambda: readyz(s)["in_use"])
    submit(S["reg"], "epsilon")
    wait_for("epsilon replayed", lambda: replica_has(t, "epsilon"))
    behind = int(replica_sql(t, "SELECT through FROM facts_progress")[0][0])
    newest = int(replica_sql(
        t, "SELECT max(log_index) FROM submissions")[0][0])
    assert behind < newest, (behind, newest)
    fell_back = readyz(s)["fallbacks"]
    r = s.get("/v1/models?q=epsilon")
    assert r.status == 200, r
    assert [m["model"] for m in r.json()["models"]] == ["epsilon"], r
    assert readyz(s)["fallbacks"] > fell_back
    assert int(t.sql("SELECT through FROM facts_progress")[0][0]) >= newest


def test_zz_stop_replica(t):
    if S.get("server") is not None:
        S["server"].stop()
    if S.get("replica") is not None:
        S["replica"].stop()
