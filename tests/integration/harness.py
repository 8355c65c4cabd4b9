"""Integration-test harness: a real PostgreSQL cluster, the real modelfactsd
over loopback HTTP, and the real CLIs (openssl, ssh-keygen, git, psql).

A test module tests/integration/test_x.py defines functions
`test_something(t)`; `t` is a Context shared by the module's tests, with
its own fresh database. Tests fail by raising (assert), skip by raising
Skip("why"). Everything here is plain Python 3 standard library.
"""
import http.client
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PGBIN = "/usr/lib/postgresql/15/bin"
SHARED = os.environ.get("MF_SHARED_DATA",
                        os.path.join(os.path.dirname(ROOT), "shared", "data"))


class Skip(Exception):
    pass


def sh(*cmd, check=True, input=None, cwd=None, env=None, text=True):
    """Runs a command; returns CompletedProcess with stdout/stderr."""
    p = subprocess.run(list(cmd), input=input, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=text)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}: "
                             f"{p.stderr if text else p.stderr.decode()}")
    return p


def as_pg_owner(*cmd, **kw):
    """Runs a PostgreSQL program as the owner of the harness's clusters
    (scripts/pg.sh: the system user "modelfacts" when we are root)."""
    if os.geteuid() == 0:
        cmd = ("runuser", "-u", "modelfacts", "--") + tuple(cmd)
    return sh(*cmd, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    """The test run's private PostgreSQL cluster (scripts/pg.sh)."""

    def __init__(self, path):
        self.path = path
        self.url = None

    def start(self, fresh=True):
        if fresh and os.path.exists(self.path):
            sh(os.path.join(ROOT, "scripts", "pg.sh"), "stop", self.path,
               check=False)
            shutil.rmtree(self.path)
        extra = "fsync = off\nfull_page_writes = off\n"
        env = dict(os.environ, PG_EXTRA_CONF=extra)
        self.url = sh(os.path.join(ROOT, "scripts", "pg.sh"), "start",
                      self.path, env=env).stdout.strip()
        self.sock = os.path.join(os.path.abspath(self.path), "run")

    def stop(self):
        sh(os.path.join(ROOT, "scripts", "pg.sh"), "stop", self.path,
           check=False)

    def restart(self):
        self.start(fresh=False)

    def psql(self, db, sql, *params):
        """Runs SQL (with psql variables :'p1'...) and returns rows."""
        args = [os.path.join(PGBIN, "psql"), "-h", self.sock, "-U",
                "modelfacts", "-d", db, "-XqAt", "-F", "\t",
                "-v", "ON_ERROR_STOP=1"]
        for i, p in enumerate(params, 1):
            args += ["-v", f"p{i}={p}"]
        out = sh(*args, input=sql).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def replicate(self, path, conf=""):
        """A hot-standby streaming replica of this cluster, made in path
        with `pg_basebackup -R` over the Unix socket and started on its own
        socket directory path/run; returned as a Cluster (psql, stop,
        restart). Nothing is needed on the primary: initdb's defaults are
        wal_level=replica, max_wal_senders=10 and a `local replication`
        line in pg_hba.conf (trust, as scripts/pg.sh asks). conf: more
        postgresql.conf lines for the replica."""
        r = Cluster(path)
        if os.path.exists(path):
            r.stop()
            shutil.rmtree(path)
        data = os.path.join(os.path.abspath(path), "data")
        r.sock = os.path.join(os.path.abspath(path), "run")
        os.makedirs(r.sock)
        if os.geteuid() == 0:
            sh("chown", "-R", "modelfacts", path)
        as_pg_owner(os.path.join(PGBIN, "pg_basebackup"), "-h", self.sock,
                    "-U", "modelfacts", "-D", data, "-R", "-X", "stream",
                    "-c", "fast")
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write(f"# a replica (harness.py Cluster.replicate)\n"
                    f"unix_socket_directories = '{r.sock}'\n"
                    f"shared_buffers = 32MB\nhot_standby = on\n{conf}\n")
        as_pg_owner(os.path.join(PGBIN, "pg_ctl"), "-D", data, "-l",
                    os.path.join(path, "postgres.log"), "-w", "-t", "60",
                    "start")
        r.url = f"host={r.sock} dbname=modelfacts user=modelfacts"
        return r

    def stop_immediate(self):
        """Stops the cluster at once, as a crash would (pg_ctl -m
        immediate: no shutdown checkpoint, clients cut off)."""
        as_pg_owner(os.path.join(PGBIN, "pg_ctl"), "-D",
                    os.path.join(self.path, "data"), "-m", "immediate",
                    "-w", "stop", check=False)

    def createdb(self, name):
        self.psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return f"host={self.sock} dbname={name} user=modelfacts"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Server:
    """One modelfactsd process on a free loopback port."""

    def __init__(self, db_url, state_dir, args=(), env=None):
        self.db_url = db_url
        self.state_dir = state_dir
        self.args = list(args)
        self.env = env or {}
        self.port = None
        self.proc = None
        self.log_path = os.path.join(state_dir, "server.log")

    def start(self, port=None, wait=True):
        os.makedirs(self.state_dir, exist_ok=True)
        self.port = port or self.port or free_port()
        env = dict(os.environ, **self.env)
        self.log = open(self.log_path, "a")
        # MF_SERVER_BIN: another build of the server, e.g. the ASan one
        # (make asan-server; tests/run.py --asan-server)
        binary = os.environ.get("MF_SERVER_BIN") or os.path.join(
            ROOT, "bin", "modelfactsd")
        self.proc = subprocess.Popen(
            [binary, "--port",
             str(self.port), "--database-url", self.db_url, "--state-dir",
             self.state_dir] + self.args,
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"modelfactsd exited {self.proc.returncode}:\n"
                    + self.tail())
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("modelfactsd did not become healthy\n"
                             + self.tail())

    def tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("modelfactsd did not stop in time")
        rc = self.proc.returncode
        self.proc = None
        self.log.close()
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port,
                                       timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            try:
                c.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered early (e.g. 413): read what it said
            try:
                r = c.getresponse()
                return Response(r.status, r.getheaders(), r.read())
            except (http.client.HTTPException, AttributeError) as e:
                # no answer at all (the server went away): an I/O error,
                # like every other way a connection can fail
                raise ConnectionError(f"no response: {e!r}") from e
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)


class Context:
    """What a module's tests share: the cluster, a fresh database, a
    scratch directory and (started on demand) a server."""

    def __init__(self, module, cluster):
        self.module = module
        self.cluster = cluster
        self.dbname = "t_" + module.replace("test_", "")
        self.db_url = cluster.createdb(self.dbname)
        self.dir = os.path.join(ROOT, "build", "test", module)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.servers = []
        self._server = None

    def new_server(self, args=(), env=None, start=True, name="server",
                   db_url=None):
        s = Server(db_url or self.db_url, os.path.join(self.dir, name),
                   args, env)
        self.servers.append(s)
        return s.start() if start else s

    @property
    def server(self):
        if self._server is None or self._server.proc is None:
            self._server = self.new_server()
        return self._server

    def sql(self, query, *params):
        return self.cluster.psql(self.dbname, query, *params)

    def close(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - cleanup must go on
                if s.proc:
                    s.proc.kill()


def run_module(name, cluster):
    """Runs every test_* function of tests/integration/<name>.py in file
    order. Returns (passed, failed, skipped, failure descriptions)."""
    passed = failed = skipped = 0
    failures = []
    # a module run again (against another server build) starts afresh:
    # its module-level state (what setup already seeded) is reloaded
    mod = importlib.import_module(name)
    if getattr(mod, "_mf_ran", False):
        mod = importlib.reload(mod)
    mod._mf_ran = True
    tests = [(n, f) for n, f in vars(mod).items()
             if n.startswith("test_") and callable(f)]
    tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
    ctx = Context(name, cluster)
    try:
        for tname, fn in tests:
            t0 = time.time()
            try:
                fn(ctx)
                passed += 1
                status = "ok"
            except Skip as e:
                skipped += 1
                status = f"skipped: {e}"
            except Exception:  # noqa: BLE001 - report every failure
                failed += 1
                status = "FAILED"
                failures.append(f"{name}.{tname}")
                print(f"   FAILED {name}.{tname}")
                print("   " + traceback.format_exc().replace("\n", "\n   "))
                for s in ctx.servers:
                    if s.proc is not None or os.path.exists(s.log_path):
                        print("   --- server log tail:\n" + s.tail(15))
            print(f"   {tname}: {status} ({time.time() - t0:.1f}s)",
                  flush=True)
    finally:
        ctx.close()
    return passed, failed, skipped, failures
