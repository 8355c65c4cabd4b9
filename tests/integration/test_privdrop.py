"""Dropping privileges (issue 15): modelfactsd started as root with
--user binds its port (a privileged one too), then runs as that user
(its uid, gid and groups read from /proc/PID/status) and still serves,
accepts and publishes to a state directory that user owns. Root without
--user is refused on a non-loopback address. Runs only as root."""
import os
import pwd
import socket
import subprocess
import time

import mf
from harness import ROOT, Server, Skip, sh

USER = "modelfacts"  # the system user scripts/pg.sh creates for the cluster
BIN = os.path.join(ROOT, "bin", "modelfactsd")


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root")
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        raise Skip(f"no user {USER}")


def traversable(path, pw):
    """Lets the user reach path (as scripts/pg.sh does for the cluster)."""
    p = os.path.abspath(path)
    while p != "/":
        p = os.path.dirname(p)
        r = sh("runuser", "-u", USER, "--", "test", "-x", p, check=False)
        if r.returncode != 0:
            sh("setfacl", "-m", f"u:{USER}:x", p)


def status_ids(pid):
    ids = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                ids[k] = [int(x) for x in v.split()]
    return ids


def privileged_port():
    for port in range(1000, 1024):
        with socket.socket() as s:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise Skip("no free port below 1024")


def test_runs_as_the_user_and_still_publishes(t):
    pw = need_root()
    state = os.path.join(t.dir, "state")
    os.makedirs(state, exist_ok=True)
    os.chown(state, pw.pw_uid, pw.pw_gid)
    traversable(state, pw)
    srv = Server(t.db_url, state, ["--user", USER])
    srv.log_path = os.path.join(t.dir, "server.log")  # not in the state dir
    t.servers.append(srv)
    srv.start(port=privileged_port())
    ids = status_ids(srv.proc.pid)
    assert ids["Uid"] == [pw.pw_uid] * 4, ids
    assert ids["Gid"] == [pw.pw_gid] * 4, ids
    assert 0 not in ids["Groups"], ids
    # every thread, not only the main one
    for tid in os.listdir(f"/proc/{srv.proc.pid}/task"):
        tids = status_ids(f"{srv.proc.pid}/task/{tid}")
        assert tids["Uid"] == [pw.pw_uid] * 4, (tid, tids)
    # it serves, accepts and publishes as that user
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    r = reg.submit(mf.envelope(mf.disclosure("acme", "anvil", 1), [key]))
    assert r.status == 201, r
    deadline = time.time() + 30
    while True:
        n, p = t.sql("SELECT (SELECT count(*) FROM submissions WHERE"
                     " log_index IS NOT NULL), (SELECT count(*) FROM"
                     " publications)")[0]
        if int(n) > 0 and n == p:
            break
        assert time.time() < deadline, (n, p, srv.tail())
        time.sleep(0.1)
    git = os.path.join(state, "labels.git")
    log = sh("git", "--git-dir", git, "log", "--format=%s").stdout
    assert "acme/anvil" in log, log
    for name in ("admin.token", "log.key", "commit.key", "labels.git"):
        st = os.stat(os.path.join(state, name))
        assert st.st_uid == pw.pw_uid, (name, st.st_uid)
    assert "running as modelfacts" in srv.tail(100)
    assert srv.stop() == 0


def run(args, timeout=30):
    return subprocess.run([BIN, "--database-url", t_url] + args,
                          capture_output=True, text=True, timeout=timeout)


t_url = None


def test_root_needs_a_user_off_loopback_and_a_real_one(t):
    need_root()
    global t_url
    t_url = t.db_url
    state = ["--state-dir", os.path.join(t.dir, "refused")]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    r = run(["--listen", "0.0.0.0", "--port", port] + state)
    assert r.returncode == 1, r
    assert "refusing to serve 0.0.0.0 as root" in r.stdout + r.stderr, r
    assert not os.path.exists(os.path.join(t.dir, "refused"))
    r = run(["--port", port, "--user", "no-such-user-here"] + state)
    assert r.returncode == 1 and "does not exist" in r.stdout + r.stderr, r
    r = run(["--port", port, "--user", "root"] + state)
    assert r.returncode == 1 and "must not be root" in r.stdout + r.stderr, r
    r = run(["--port", port, "--group", "nogroup"] + state)
    assert r.returncode == 2 and "group needs user" in r.stderr, r


def test_tls_key_readable_only_by_root(t):
    """The key is read before the drop: a 0600 root file serves HTTPS as
    the user; SIGHUP then cannot read it again and changes nothing."""
    import signal
    import ssl

    from test_tls import TLSServer, make_pki

    pw = need_root()
    p = make_pki(os.path.join(t.dir, "pki"))
    for f in ("server.key", "server.pem"):
        os.chown(p(f), 0, 0)
    os.chmod(p("server.key"), 0o600)
    conf = os.path.join(t.dir, "tls.conf")
    with open(conf, "w") as f:
        f.write(f"tls-cert = {p('server.pem')}\ntls-key = {p('server.key')}\n")
    os.chmod(conf, 0o644)
    state = os.path.join(t.dir, "tls-state")
    os.makedirs(state, exist_ok=True)
    os.chown(state, pw.pw_uid, pw.pw_gid)
    traversable(conf, pw)
    srv = TLSServer(t.db_url, state, ["--user", USER, "--config", conf])
    srv.cafile = p("ca.pem")
    srv.log_path = os.path.join(t.dir, "tls-server.log")
    t.servers.append(srv)
    srv.start()
    assert status_ids(srv.proc.pid)["Uid"] == [pw.pw_uid] * 4
    r = sh("runuser", "-u", USER, "--", "cat", p("server.key"), check=False)
    assert r.returncode != 0  # the user cannot read the key itself
    assert srv.get("/healthz").status == 200
    ctx = ssl.create_default_context(cafile=p("ca.pem"))
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as c:
        with ctx.wrap_socket(c, server_hostname="127.0.0.1") as s:
            assert s.version() is not None
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while "nothing changed" not in srv.tail(5):
        assert time.time() < deadline, srv.tail()
        time.sleep(0.05)
    assert "Permission denied" in srv.tail(5) or \
        "cannot" in srv.tail(5), srv.tail(5)
    assert srv.get("/healthz").status == 200
    assert srv.stop() == 0
