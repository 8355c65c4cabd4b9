"""Several API nodes on one PostgreSQL (issue 16): three modelfactsd
processes that may lead, and a fourth without the signing keys that must
never try to, on their own ports, one database, one git directory (only
the holder of the publisher lease writes it; every node serves it), with
clients submitting through all four at once. During the run the node
that sequences the log is SIGKILLed twice (and started again) and
SIGSTOPped once for longer than its lease, then SIGCONTed; it must find
that it lost the lease and write nothing more.

Afterwards: one gap-free log; every checkpoint any node served during the
run consistent with the final one, by the registry's consistency proofs
and by an RFC 9162 computation in Python over the leaves in PostgreSQL;
one linear git history with one commit per log entry (git rev-list, git
fsck), the same refs served by every node; every 2xx present exactly once.
It prints the figures (submissions, faults, take-over times, lost 0,
duplicated 0).

MULTINODE_SUBMISSIONS sets the load (600 in `make test`; `make
test-multinode` runs 2,000)."""
import os
import random
import re
import shutil
import signal
import threading
import time

import mf
from harness import sh

LEASE_MS = 2000
NODES = 4       # the last one has no signing keys
CLIENTS = 6
STARTED = re.compile(r"^(\S+) info (sequencer lease acquired|log sequencer: "
                     r"this process sequences the log)")


class Run:
    def __init__(self, t, total):
        self.t = t
        self.total = total
        self.lock = threading.Lock()
        self.acked = {}          # payload sha256 -> log index (None: 202)
        self.statuses = {}       # payload sha256 -> [2xx statuses]
        self.checkpoints = {}    # tree size -> root, every one served
        self.errors = []
        self.sent = 0
        self.stop = threading.Event()
        self.rnd = random.Random(16)
        self.git_dir = os.path.join(t.dir, "labels.git")
        self.nodes = []
        self.takeovers = []      # (fault, seconds until the log grew)
        self.faults = {"sigkill": 0, "sigstop": 0}

    # ---- nodes ------------------------------------------------------
    def start_nodes(self):
        args = ["--git-dir", self.git_dir, "--threads", "6"]
        env = {"MODELFACTS_LEASE_MS": str(LEASE_MS)}
        first = self.t.new_server(args=args, env=env, name="node0")
        self.nodes.append(first)
        for i in range(1, NODES):
            d = os.path.join(self.t.dir, f"node{i}")
            os.makedirs(d, exist_ok=True)
            for f in (("admin.token", "log.key", "commit.key")
                      if i < NODES - 1 else ()):
                shutil.copy(os.path.join(first.state_dir, f), d)
                os.chmod(os.path.join(d, f), 0o600)
            self.nodes.append(self.t.new_server(args=args, env=env,
                                                name=f"node{i}"))

    def alive(self):
        return [n for n in self.nodes
                if n.proc is not None and n.proc.poll() is None]

    def leader(self):
        """The node that became the sequencer last (from the logs, which
        every version of the server writes)."""
        best, when = None, ""
        for n in self.alive():
            with open(n.log_path, errors="replace") as f:
                for line in f:
                    m = STARTED.match(line)
                    if m and m.group(1) >= when:
                        best, when = n, m.group(1)
        return best

    # ---- load -------------------------------------------------------
    def record(self, r):
        body = r.json()
        sha, idx = body["payload_sha256"], body.get("log_index")
        with self.lock:
            old = self.acked.get(sha)
            if idx is None:
                idx = old
            elif old is not None and old != idx:
                self.errors.append(f"{sha} acknowledged at {old} and {idx}")
            self.acked[sha] = idx
            self.statuses.setdefault(sha, []).append(r.status)
        if body.get("checkpoint"):
            self.note_checkpoint(body["checkpoint"])
        return sha

    def note_checkpoint(self, note):
        _, size, root, _, _ = mf.parse_checkpoint(note)
        with self.lock:
            old = self.checkpoints.get(size)
            if old is not None and old != root:
                self.errors.append(f"two checkpoints of size {size}")
            self.checkpoints[size] = root

    def client(self, i, key, count):
        head = None
        try:
            for seq in range(1, count + 1):
                if self.stop.is_set():
                    return
                doc = mf.disclosure(f"multi{i}", "stream", seq,
                                    supersedes=head,
                                    name="disclosure-sparse.json")
                env = mf.envelope(doc, [key])
                with self.lock:
                    self.sent += 1
                attempt = 0
                while not self.stop.is_set():
                    node = self.nodes[(i + seq + attempt) % NODES]
                    attempt += 1
                    if node.proc is None:
                        time.sleep(0.05)
                        continue
                    try:
                        r = node.post("/v1/submissions", body=env,
                                      timeout=30)
                    except OSError:
                        time.sleep(0.05)
                        continue
                    if r.status == 503:
                        time.sleep(0.05)
                        continue
                    if r.status in (200, 201, 202):
                        head = "sha256:" + self.record(r)
                        break
                    self.errors.append(f"client {i} seq {seq}: {r!r}")
                    return
        except Exception as e:  # noqa: BLE001 - reported at the end
            self.errors.append(f"client {i}: {e!r}")

    def watch_checkpoints(self):
        while not self.stop.is_set():
            for n in self.alive():
                try:
                    r = n.get("/v1/log/checkpoint", timeout=1)
                except OSError:
                    continue
                if r.status == 200:
                    self.note_checkpoint(r.body.decode())
            time.sleep(0.1)

    def size_seen(self):
        with self.lock:
            return max(self.checkpoints, default=0)

    def done(self):
        with self.lock:
            return len(self.acked)

    # ---- faults -----------------------------------------------------
    def wait_progress(self, fraction):
        while self.done() < fraction * self.total and not self.stop.is_set():
            time.sleep(0.05)

    def log_size(self):
        return int(self.t.sql("SELECT count(*) FROM submissions"
                              " WHERE log_index IS NOT NULL")[0][0])

    def wait_growth(self, since, what, timeout=30):
        """Seconds from `since` until the log in PostgreSQL grew past what
        it was just after the fault (a commit the victim had sent before
        it is counted in the base, not as a take-over)."""
        time.sleep(0.05)
        base = self.log_size()
        deadline = time.time() + timeout
        while self.log_size() <= base:
            if time.time() > deadline:
                raise AssertionError(f"no take-over within {timeout}s "
                                     f"after {what}")
            time.sleep(0.02)
        return time.time() - since

    def faults_thread(self):
        try:
            for frac, kind in ((0.2, "sigkill"), (0.45, "sigkill"),
                               (0.7, "sigstop")):
                self.wait_progress(frac)
                victim = self.leader()
                assert victim is not None, "no sequencer found"
                self.faults[kind] += 1
                if kind == "sigkill":
                    victim.proc.send_signal(signal.SIGKILL)
                    t0 = time.time()
                    victim.proc.wait()
                    self.takeovers.append(
                        (kind, self.wait_growth(t0, kind)))
                    victim.proc = None
                    victim.log.close()
                    victim.start(port=victim.port)
                else:
                    pause = max(3 * LEASE_MS / 1000, 4.0)
                    victim.proc.send_signal(signal.SIGSTOP)
                    t0 = time.time()
                    try:
                        self.takeovers.append(
                            (kind, self.wait_growth(t0, kind)))
                        time.sleep(max(0, t0 + pause - time.time()))
                    finally:
                        victim.proc.send_signal(signal.SIGCONT)
                    self.woken = victim
        except Exception as e:  # noqa: BLE001 - reported at the end
            self.errors.append(f"faults: {e!r}")

    # ---- checks -----------------------------------------------------
    def wait_published(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            n, s, p = (int(x) for x in self.t.sql(
                "SELECT (SELECT count(*) FROM submissions),"
                " (SELECT count(*) FROM submissions"
                "  WHERE log_index IS NOT NULL),"
                " (SELECT count(*) FROM publications)")[0])
            if n == s == p:
                return n
            time.sleep(0.2)
        raise AssertionError(f"not all sequenced and published: {n} "
                             f"submissions, {s} sequenced, {p} published")


def merkle_roots(leaves, sizes):
    """RFC 9162 roots of leaves[:size] for each size, sharing the
    complete subtrees between sizes (memoised on start and length)."""
    memo = {}

    def mth(start, n):
        if n == 1:
            return leaves[start]
        key = (start, n)
        if key in memo:
            return memo[key]
        k = 1
        while k * 2 < n:
            k *= 2
        h = mf.node_hash(mth(start, k), mth(start + k, n - k))
        if n & (n - 1) == 0:
            memo[key] = h  # only complete subtrees recur
        return h

    return {s: (mf.mth([]) if s == 0 else mth(0, s)) for s in sizes}


def test_three_nodes_one_log_under_kills_and_a_pause(t):
    total = int(os.environ.get("MULTINODE_SUBMISSIONS", "600"))
    run = Run(t, total)
    run.woken = None
    run.start_nodes()
    reg = mf.Registry(run.nodes[0])
    keys = []
    for i in range(CLIENTS):
        k = mf.Key(t.dir, f"multi{i}", "ed25519")
        reg.create_org(f"multi{i}", "developer", k)
        keys.append(k)
    t_start = time.time()
    per = [total // CLIENTS + (1 if i < total % CLIENTS else 0)
           for i in range(CLIENTS)]
    clients = [threading.Thread(target=run.client, args=(i, keys[i], per[i]))
               for i in range(CLIENTS)]
    watcher = threading.Thread(target=run.watch_checkpoints)
    faults = threading.Thread(target=run.faults_thread)
    for th in clients + [watcher, faults]:
        th.start()
    try:
        for th in clients:
            th.join(600)
        faults.join(120)
    finally:
        run.stop.set()
        for th in clients + [watcher, faults]:
            th.join(60)
    load_s = time.time() - t_start
    assert not run.errors, run.errors[:10]
    assert run.faults == {"sigkill": 2, "sigstop": 1}, run.faults

    # 1. The node without keys never tried to lead; the paused node woke
    # up, found its lease gone, and stepped down.
    keyless = open(run.nodes[-1].log_path).read()
    for never in ("lease", "sequences the log", "publishes to"):
        assert never not in keyless, (never, run.nodes[-1].tail(20))
    assert "will not sequence the log" in keyless
    assert run.woken is not None
    deadline = time.time() + 10
    while "sequencer lease (token" not in open(run.woken.log_path).read():
        assert time.time() < deadline, \
            "the paused sequencer did not step down\n" + run.woken.tail(20)
        time.sleep(0.1)

    # 2. Everything sequenced and published; one gap-free log.
    n = run.wait_published()
    rows = t.sql("SELECT encode(payload_sha256, 'hex'), log_index,"
                 " encode(convert_to(leaf, 'UTF8'), 'hex')"
                 " FROM submissions ORDER BY log_index")
    db = {}
    leaves = []
    for sha, idx, leaf in rows:
        assert sha not in db, f"{sha} twice in PostgreSQL"
        db[sha] = int(idx)
        leaves.append(mf.leaf_hash(bytes.fromhex(leaf)))
    assert sorted(db.values()) == list(range(n)), "log indices have gaps"

    # 3. Every 2xx exactly once, where it was acknowledged.
    lost = [s for s in run.acked if s not in db]
    moved = [s for s, i in run.acked.items()
             if s in db and i is not None and db[s] != i]
    assert len(run.acked) == total, (len(run.acked), total)
    assert not lost and not moved, (lost[:5], moved[:5])

    # 4. Every node serves the same final checkpoint; every checkpoint
    # served during the run is consistent with it, by the registry's
    # proofs and by Python's own RFC 9162 roots over the stored leaves.
    finals = {run.nodes[i].get("/v1/log/checkpoint").body.decode()
              for i in range(NODES)}
    assert len(finals) == 1, finals
    note = finals.pop()
    run.note_checkpoint(note)
    _, size, root, _, _ = mf.parse_checkpoint(note)
    assert size == n, (size, n)
    seen = sorted(run.checkpoints.items())
    roots = merkle_roots(leaves, [s for s, _ in seen])
    for i, (a, ra) in enumerate(seen):
        assert roots[a] == ra, f"checkpoint {a} is not the log's prefix"
        if a == 0:
            continue
        node = run.nodes[i % NODES]
        r = node.get(f"/v1/log/proof/consistency?from={a}&to={size}")
        assert r.status == 200, r
        assert mf.verify_consistency(a, size, mf.proof_hashes(r.json()),
                                     ra, root), f"{a} -> {size}"

    # 5. One linear git history, one commit per entry, in log order.
    g = ["git", "--git-dir", run.git_dir]
    assert int(sh(*g, "rev-list", "--count", "main").stdout) == n
    assert int(sh(*g, "rev-list", "--count", "--merges", "main").stdout) == 0
    out = sh(*g, "log", "--reverse", "--format=%(trailers:key=Log-Index,"
             "valueonly,separator=) %(trailers:key=Payload-SHA256,"
             "valueonly,separator=)").stdout
    pairs = [line.split() for line in out.splitlines() if line]
    assert [int(i) for i, _ in pairs] == list(range(n))
    assert {p: int(i) for i, p in pairs} == db, "git and PostgreSQL differ"
    sh(*g, "fsck", "--strict", "--no-dangling")

    # 6. Every node serves the same refs, and a clone through a node that
    # never published has the whole history.
    for path in ("/labels.git/info/refs", "/labels.git/HEAD"):
        bodies = {run.nodes[i].get(path).body for i in range(NODES)}
        assert len(bodies) == 1, path
    head = sh(*g, "rev-parse", "main").stdout.strip()
    assert head.encode() in run.nodes[1].get("/labels.git/info/refs").body
    clone = os.path.join(t.dir, "clone")
    sh("git", "clone", "-q", "--bare", run.nodes[2].url + "/labels.git",
       clone)
    assert sh("git", "--git-dir", clone, "rev-parse",
              "main").stdout.strip() == head

    tk = {k: sorted(s for kk, s in run.takeovers if kk == k)
          for k in ("sigkill", "sigstop")}
    allt = sorted(s for _, s in run.takeovers)
    replays = sum(1 for v in run.statuses.values() if 200 in v)
    print(f"   multinode figures: {NODES} nodes ({NODES - 1} with the keys), "
          f"{CLIENTS} clients, "
          f"{total} submissions acknowledged ({replays} of them as a "
          f"replay after a retry), {n} log entries, {len(seen)} "
          f"checkpoints checked, {n} git commits")
    print(f"   faults: SIGKILL of the sequencer {run.faults['sigkill']}, "
          f"SIGSTOP {run.faults['sigstop']} (lease {LEASE_MS} ms); "
          f"take-over (fault to the log growing again) p50 "
          f"{allt[len(allt) // 2]:.2f} s max {allt[-1]:.2f} s; "
          f"kills {', '.join(f'{s:.2f}' for s in tk['sigkill'])} s, "
          f"pause {', '.join(f'{s:.2f}' for s in tk['sigstop'])} s")
    print(f"   lost 0, duplicated 0; load {load_s:.1f} s "
          f"({total / load_s:.0f} submissions/s)")
