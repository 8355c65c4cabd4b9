#!/usr/bin/env python3
"""The standing fault campaign (issue 15): a real modelfactsd on its own
PostgreSQL cluster, several clients submitting signed disclosures and eval
results all the while, and faults thrown at it one after another: SIGKILL
of the server, PostgreSQL stopped (fast and immediate) and started again,
PostgreSQL frozen (SIGSTOP/SIGCONT on the postmaster and its backends), the
git repository made unwritable, the git file system filled up, and
submissions whose issued_at sits at the edges of the accepted window.

Every 2xx answer is recorded (payload sha256, log index) and so is every
checkpoint the server hands out. After each fault the server is brought
back the way an operator would (start it again; start PostgreSQL again),
publication is waited for, and the campaign checks that every 2xx is in
PostgreSQL, in the log and in git exactly once, that the log is gap-free
and consistent (RFC 9162 proofs from the API) with every checkpoint ever
served, and that nothing was acknowledged that should not have been. It
prints the figures and exits 1 on any violation.

`make test-faults FAULT_KILLS=50` runs the full campaign;
tests/integration/test_faults_short.py runs a short one in `make test`.
This file only drives and observes the server: it changes no server code.
"""
import argparse
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

import mf  # noqa: E402
from harness import PGBIN, ROOT, Cluster, Server, sh  # noqa: E402

WINDOW = 120        # --issued-at-window for the campaign's server (s)
DB_TIMEOUT_MS = 5000  # the default
# Object copies per reachable object allowed at a check: in the packs
# objects/info/packs lists (each object about once; after restarts the
# finding of issue 15 listed merged-away packs again), and in all packs on
# disk (merged-away ones stay for their 30 s grace, several full copies
# while the repository is young: 5.1x at 244 entries in the short form;
# the finding was 17 at 2155 entries).
GIT_LISTED_MAX = 1.5
GIT_COPIES_MAX = 12
KINDS = ("sigkill", "pg_stop_fast", "pg_stop_immediate", "pg_freeze",
         "git_unwritable", "disk_full", "clock_edges")


class Violation(AssertionError):
    pass


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
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(d))
    return pids


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


class Campaign:
    def __init__(self, workdir, kills, rounds, clients, seed, log=print,
                 git_mb=512):
        self.dir = workdir
        self.git_mb = git_mb          # the git tmpfs: room for the run
        self.kills = kills
        self.rounds = rounds          # how many of each other fault kind
        self.nclients = clients
        self.rnd = random.Random(seed)
        self.say = log
        self.acked = {}               # payload sha256 -> log index
        self.acked_lock = threading.Lock()
        self.checkpoints = {}         # tree size -> root (every one seen)
        self.false_2xx = []           # 2xx for what had to be refused
        self.errors = []              # unexpected answers from the server
        self.faults = {k: 0 for k in KINDS}
        self.skipped = {}             # fault kind -> why it was not run
        self.recovery = []            # (kind, seconds)
        self.edge = {"inside_acked": 0, "outside_refused": 0}
        self.stop = threading.Event()
        self.pause = threading.Event()
        self.idle = []                # per client: Event set while paused
        self.mounted = None
        self.moved_seen = set()
        self.status = {}              # payload sha256 -> 2xx status
        self.findings = []            # recovery that needed the load off
        self.git_peak = None          # the git size at the worst check

    # ---- set-up -------------------------------------------------------
    def start(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.cluster = Cluster(os.path.join(self.dir, "pg"))
        self.cluster.start(fresh=True)
        self.db_url = self.cluster.createdb("faults")
        gitroot = os.path.join(self.dir, "gitfs")
        os.makedirs(gitroot)
        p = sh("mount", "-t", "tmpfs", "-o", f"size={self.git_mb}m", "tmpfs", gitroot,
               check=False)
        if p.returncode == 0:
            self.mounted = gitroot
        else:
            why = "mount of a tmpfs not permitted: " + p.stderr.strip()
            self.skipped["disk_full"] = why
        self.git_dir = os.path.join(gitroot, "labels.git")
        self.server = Server(self.db_url, os.path.join(self.dir, "state"),
                             args=["--git-dir", self.git_dir],
                             env={"MODELFACTS_DB_TIMEOUT": str(DB_TIMEOUT_MS),
                                  "MODELFACTS_ISSUED_AT_WINDOW": str(WINDOW)})
        self.server.start()
        self.reg = mf.Registry(self.server)
        self.keys = []
        for i in range(self.nclients):
            role = "evaluator" if i % 3 == 2 else "developer"
            k = mf.Key(self.dir, f"c{i}", "ed25519")
            self.reg.create_org(f"fault{i}", role, k)
            self.keys.append((f"fault{i}", role, k))
        # the model the evaluators evaluate, and the clock-edge signer
        self.edge_key = mf.Key(self.dir, "edge", "ed25519")
        self.reg.create_org("faultedge", "developer", self.edge_key)
        self.reg.seqs["edge"] = 1
        r = self.reg.submit(mf.envelope(mf.disclosure(
            "faultedge", "target", 1, name="disclosure-sparse.json"),
            [self.edge_key]))
        assert r.status == 201, r
        self.record(r)

    def close(self):
        self.stop.set()
        try:
            self.server.stop()
        except Exception:  # noqa: BLE001 - cleanup goes on
            if self.server.proc:
                self.server.proc.kill()
        if self.mounted:
            sh("umount", "-l", self.mounted, check=False)
        self.cluster.stop()

    # ---- load ---------------------------------------------------------
    def post(self, env):
        """One POST; None when the connection failed."""
        try:
            return self.server.post("/v1/submissions", body=env, timeout=15)
        except OSError:
            return None

    def record(self, r):
        body = r.json()
        # a 202 (log pending) or a 200 replay may carry no log index yet
        sha, idx = body["payload_sha256"], body.get("log_index")
        with self.acked_lock:
            if idx is None:
                idx = self.acked.get(sha)
            elif self.acked.get(sha) not in (None, idx):
                self.errors.append(f"{sha} acknowledged at log index "
                                   f"{self.acked[sha]} and at {idx}")
            self.acked[sha] = idx
            self.status[sha] = r.status
        cp = body.get("checkpoint")
        if cp:
            self.note_checkpoint(cp)
        return sha

    def note_checkpoint(self, note):
        _, size, root, _, _ = mf.parse_checkpoint(note)
        with self.acked_lock:
            old = self.checkpoints.get(size)
            if old is not None and old != root:
                self.errors.append(f"two checkpoints of size {size} with "
                                   "different roots")
            self.checkpoints[size] = root

    def client(self, i):
        org, role, key = self.keys[i]
        idle = self.idle[i]
        seq = 0
        head = None
        n = 0
        try:
            while not self.stop.is_set():
                if self.pause.is_set():
                    idle.set()
                    while self.pause.is_set() and not self.stop.is_set():
                        time.sleep(0.02)
                    idle.clear()
                    continue
                time.sleep(self.rnd.uniform(0.0, 0.1))  # steady, not flat out
                seq += 1
                n += 1
                if role == "evaluator":
                    doc = mf.eval_result("faultedge", "target", seq, True)
                    doc["subject"]["org"] = "faultedge"
                else:
                    doc = mf.disclosure(org, "stream", seq, supersedes=head,
                                        name="disclosure-sparse.json")
                env = mf.envelope(doc, [key])
                while not self.stop.is_set():
                    r = self.post(env)
                    if r is None or r.status == 503:
                        time.sleep(0.05)
                        continue
                    if r.status in (200, 201):
                        sha = self.record(r)
                        if role != "evaluator":
                            head = "sha256:" + sha
                        break
                    self.errors.append(f"client {org} seq {seq}: {r!r}")
                    return
        except Exception as e:  # noqa: BLE001 - reported at the end
            self.errors.append(f"client {org}: {e!r}")
        finally:
            idle.set()

    def clock_edges(self):
        """Submissions with issued_at just inside and just outside the
        window, both sides: the inside ones must be 2xx (and are then held
        to the same checks as the rest), the outside ones 4xx issued_at."""
        org, role, key = self.keys[0]
        cases = [(-(WINDOW - 15), True), (WINDOW - 15, True),
                 (-(WINDOW + 30), False), (WINDOW + 30, False)]
        for off, inside in cases:
            seq = self.reg.next_seq("edge")
            doc = mf.disclosure("faultedge", f"edge{seq}", seq,
                                issued_at=mf.now(off),
                                name="disclosure-sparse.json")
            env = mf.envelope(doc, [self.edge_key])
            while True:
                r = self.post(env)
                if r is not None and r.status != 503:
                    break
                time.sleep(0.05)
            if inside:
                if r.status not in (200, 201):
                    self.errors.append(f"issued_at now{off:+d}s: {r!r}")
                else:
                    self.record(r)
                    self.edge["inside_acked"] += 1
            elif r.status in (200, 201):
                self.false_2xx.append(f"issued_at now{off:+d}s: {r!r}")
                self.record(r)
            else:
                e = r.json().get("error", {})
                ptrs = [d.get("pointer") for d in e.get("details", [])]
                if r.status not in (400, 422) or ptrs != ["/issued_at"]:
                    self.errors.append(f"issued_at now{off:+d}s: {r!r}")
                self.edge["outside_refused"] += 1
                self.reg.seqs["edge"] -= 1  # refused: the seq is free
        del org, role

    # ---- faults -------------------------------------------------------
    def fault(self, kind):
        s = self.server
        c = self.cluster
        if kind == "sigkill":
            time.sleep(self.rnd.uniform(0.05, 0.5))
            s.kill()
            t0 = time.time()
            s.start(port=s.port)
        elif kind in ("pg_stop_fast", "pg_stop_immediate"):
            time.sleep(self.rnd.uniform(0.1, 0.5))
            mode = kind.rsplit("_", 1)[1]
            sh(os.path.join(PGBIN, "pg_ctl"), "-D",
               os.path.join(c.path, "data"), "stop", "-m", mode, "-w",
               check=False)
            time.sleep(self.rnd.uniform(1.0, 2.5))
            t0 = time.time()
            c.restart()
        elif kind == "pg_freeze":
            time.sleep(self.rnd.uniform(0.1, 0.5))
            pids = pg_pids(c)
            signal_all(pids, signal.SIGSTOP)
            time.sleep(self.rnd.uniform(1.5, 3.0))
            t0 = time.time()
            signal_all(reversed(pids), signal.SIGCONT)
        elif kind == "git_unwritable":
            time.sleep(self.rnd.uniform(0.1, 0.5))
            if self.mounted:  # root ignores modes: a read-only mount
                sh("mount", "-o", "remount,ro", self.mounted)
            else:
                sh("chmod", "-R", "a-w", self.git_dir)
            time.sleep(self.rnd.uniform(1.5, 3.0))
            t0 = time.time()
            if self.mounted:
                sh("mount", "-o", "remount,rw", self.mounted)
            else:
                sh("chmod", "-R", "u+w", self.git_dir)
        elif kind == "disk_full":
            time.sleep(self.rnd.uniform(0.1, 0.5))
            filler = os.path.join(self.mounted, "filler")
            sh("sh", "-c", f"dd if=/dev/zero of={filler} bs=64k"
               " 2>/dev/null; true")
            time.sleep(self.rnd.uniform(1.5, 3.0))
            t0 = time.time()
            os.remove(filler)
        elif kind == "clock_edges":
            t0 = time.time()
            self.clock_edges()
        self.faults[kind] += 1
        return t0

    def recover(self, kind, t0, timeout=90):
        """Waits, as an operator would, for the service to be whole again:
        a server that died is started again, /readyz answers 200 and every
        sequenced entry is published. Returns seconds since the fault
        ended."""
        deadline = time.time() + timeout
        target = None
        while True:
            if self.server.proc is None or self.server.proc.poll() is not None:
                self.errors.append(f"after {kind}: modelfactsd exited "
                                   f"{self.server.proc and self.server.proc.returncode}"
                                   "; started again\n" + self.server.tail(10))
                self.server.proc = None
                self.server.start(port=self.server.port)
            try:
                ready = self.server.get("/readyz", timeout=5).status == 200
            except OSError:
                ready = False
            if ready and target is None:
                target = self.counts()
            if target is not None:
                c = self.counts()
                if c and c[1] >= target[0]:
                    return time.time() - t0
            if time.time() > deadline:
                raise Violation(f"no recovery within {timeout}s after "
                                f"{kind}\n" + self.server.tail(20)
                                + self.publisher_stack())
            time.sleep(0.1)

    def publisher_stack(self):
        """Where the server's publisher thread is (gdb), for a stall."""
        if not shutil.which("gdb") or self.server.proc is None:
            return ""
        p = sh("gdb", "-p", str(self.server.proc.pid), "-batch", "-ex",
               "thread apply all bt 16", check=False)
        out, keep = [], False
        for line in p.stdout.splitlines():
            if line.startswith("Thread "):
                keep = "mf-publisher" in line
            if keep:
                out.append(line)
        return "\npublisher thread:\n" + "\n".join(out)

    def counts(self):
        """(sequenced, published) now, None if PostgreSQL is away: ready
        and caught up means every entry sequenced when the service came
        back is published."""
        try:
            n, p = self.cluster.psql(
                "faults", "SELECT (SELECT count(*) FROM submissions"
                " WHERE log_index IS NOT NULL),"
                " (SELECT count(*) FROM publications)")[0]
        except AssertionError:
            return None
        return int(n), int(p)

    # ---- checks -------------------------------------------------------
    def quiesce(self):
        self.pause.set()
        for e in self.idle:
            e.wait(60)

    def check(self, full):
        """Every 2xx once in PostgreSQL, the log and git; the log gap-free
        and consistent with every checkpoint seen (all of them when full,
        the newest few otherwise)."""
        rows = self.cluster.psql(
            "faults", "SELECT encode(payload_sha256, 'hex'), log_index"
            " FROM submissions WHERE log_index IS NOT NULL"
            " ORDER BY log_index")
        db = {}
        for sha, idx in rows:
            if sha in db:
                raise Violation(f"{sha} twice in PostgreSQL")
            db[sha] = int(idx)
        n = len(db)
        if sorted(db.values()) != list(range(n)):
            raise Violation("log indices in PostgreSQL have gaps")
        with self.acked_lock:
            acked = dict(self.acked)
        lost = [a for a in acked if a not in db]
        moved = [a for a in acked if a in db and acked[a] is not None
                 and db[a] != acked[a]]
        for a in moved:
            if a not in self.moved_seen:
                self.moved_seen.add(a)
                self.errors.append(f"{a}: acknowledged with log_index "
                                   f"{acked[a]} ({self.status[a]}), "
                                   f"stored at {db[a]}")
        # the log: the current checkpoint, and consistency with the past
        note = self.server.get("/v1/log/checkpoint").body.decode()
        self.note_checkpoint(note)
        _, size, root, _, _ = mf.parse_checkpoint(note)
        if size != n:
            raise Violation(f"checkpoint size {size}, {n} sequenced")
        with self.acked_lock:
            seen = sorted(self.checkpoints.items())
        if not full:
            seen = seen[-6:] + self.rnd.sample(seen, min(4, len(seen)))
        for a, ra in seen:
            if a == 0 or a > size:
                continue
            r = self.server.get(f"/v1/log/proof/consistency?from={a}"
                                f"&to={size}")
            if r.status != 200 or not mf.verify_consistency(
                    a, size, mf.proof_hashes(r.json()), ra, root):
                raise Violation(f"checkpoint {a} not consistent with {size}")
        if full:
            leaves = []
            for i in range(size):
                e = self.server.get(f"/v1/log/entries/{i}").json()
                leaves.append(mf.leaf_hash(e["leaf"].encode()))
                sha = e["leaf"].split("payload-sha256 ")[1].split()[0]
                if db.get(sha) != i:
                    raise Violation(f"log entry {i} is {sha}, not in "
                                    "PostgreSQL at that index")
            if mf.mth(leaves) != root:
                raise Violation("the entries do not hash to the root")
        # git: one commit per entry, in order, read with the git CLI
        out = sh("git", "--git-dir", self.git_dir, "log", "--reverse",
                 "--format=%(trailers:key=Log-Index,valueonly,separator=)"
                 " %(trailers:key=Payload-SHA256,valueonly,separator=)"
                 ).stdout
        pairs = [line.split() for line in out.splitlines() if line]
        if [int(i) for i, _ in pairs] != list(range(n)):
            raise Violation("git commits are not one per log index")
        gitmap = {p: int(i) for i, p in pairs}
        if len(gitmap) != n or gitmap != db:
            raise Violation("git and PostgreSQL disagree")
        if full:
            g = fsck(self.git_dir)
            g["entries"] = n
            if (self.git_peak is None
                    or g["copies"] / max(g["reachable"], 1)
                    > self.git_peak["copies"]
                    / max(self.git_peak["reachable"], 1)):
                self.git_peak = g
        return {"entries": n, "lost": lost, "moved": moved}

    # ---- the run ------------------------------------------------------
    def run(self):
        self.start()
        plan = ["sigkill"] * self.kills
        others = [k for k in KINDS if k != "sigkill"
                  and k not in self.skipped]
        extra = [k for _ in range(self.rounds) for k in others]
        # the other kinds spread evenly among the kills
        for j, k in enumerate(extra):
            plan.insert(round((j + 1) * len(plan) / (len(extra) + 1)) + j, k)
        self.idle = [threading.Event() for _ in range(self.nclients)]
        threads = [threading.Thread(target=self.client, args=(i,))
                   for i in range(self.nclients)]
        for th in threads:
            th.start()
        t_start = time.time()
        lost = set()
        moved = set()
        entries = 0
        try:
            for i, kind in enumerate(plan):
                t0 = self.fault(kind)
                try:
                    rec = self.recover(kind, t0, timeout=60)
                except Violation as e:
                    # not whole again under load: a finding; then see
                    # whether it recovers with the load paused
                    self.findings.append(f"{kind} #{self.faults[kind]}: "
                                         f"{str(e).splitlines()[0]} under "
                                         "load")
                    rec = float("nan")
                self.recovery.append((kind, rec))
                self.quiesce()
                try:
                    self.recover(kind, time.time())
                    res = self.check(full=kind != "sigkill"
                                     or i == len(plan) - 1)
                finally:
                    self.pause.clear()
                lost |= set(res["lost"])
                moved |= set(res["moved"])
                entries = res["entries"]
                self.say(f"   [{i + 1}/{len(plan)}] {kind}: recovered in "
                         f"{rec:.2f}s, {len(self.acked)} acknowledged, "
                         f"{entries} entries", flush=True)
        finally:
            self.stop.set()
            for th in threads:
                th.join(60)
        # the end: everything once more, every checkpoint ever seen
        self.recover("end", time.time())
        res = self.check(full=True)
        lost |= set(res["lost"])
        moved |= set(res["moved"])
        self.figures = {
            "seconds": round(time.time() - t_start, 1),
            "faults": dict(self.faults),
            "skipped": dict(self.skipped),
            "acknowledged": len(self.acked),
            "entries": res["entries"],
            "lost": len(lost),
            "duplicated_or_moved": len(moved),
            "false_2xx": len(self.false_2xx),
            "edge": dict(self.edge),
            "checkpoints_checked": len(self.checkpoints),
            "recovery_s": summary(self.recovery),
            "errors": self.errors[:20],
            "findings": self.findings,
            "git_peak": self.git_peak,
        }
        return self.figures


def fsck(git_dir):
    """`git fsck --strict` of the repository as it is now. The server
    deletes a merged-away pack (index first, then pack) once its grace is
    over, at any merge slice, as `git repack -d` would; fsck of the live
    directory would list such a pack and then miss its index. So fsck runs
    on a snapshot of hard links beside it (every file there is replaced by
    rename, never rewritten), from which a pack caught between its two
    deletions is left out: its objects are in the pack it was merged into,
    there since before its grace began. Returns what the packs hold:
    packs, bytes, copies (objects over all packs), listed (over the packs
    objects/info/packs names), reachable objects."""
    snap = git_dir.rstrip("/") + ".fsck"
    shutil.rmtree(snap, ignore_errors=True)
    try:
        sh("cp", "-al", git_dir, snap, check=False)  # vanishing files: ok
        d = os.path.join(snap, "objects", "pack")
        names = set(os.listdir(d)) if os.path.isdir(d) else set()
        for n in names:
            stem, ext = os.path.splitext(n)
            if ext in (".pack", ".idx") and not {stem + ".pack",
                                                 stem + ".idx"} <= names:
                os.remove(os.path.join(d, n))
        p = sh("git", "--git-dir", snap, "fsck", "--strict",
               "--no-dangling", check=False)
        if p.returncode != 0:
            raise Violation(f"git fsck --strict exited {p.returncode}: "
                            f"{p.stderr}")
        g = {"packs": 0, "bytes": 0, "copies": 0, "listed": 0}
        with open(os.path.join(snap, "objects", "info", "packs")) as f:
            listed = {w[:-5] + ".idx" for w in f.read().split()
                      if w.endswith(".pack")}
        for n in os.listdir(d):
            g["bytes"] += os.path.getsize(os.path.join(d, n))
            if n.endswith(".idx"):  # v2: the fan-out's last entry
                with open(os.path.join(d, n), "rb") as f:
                    f.seek(8 + 255 * 4)
                    k = int.from_bytes(f.read(4), "big")
                g["copies"] += k
                g["listed"] += k if n in listed else 0
                g["packs"] += 1
        g["reachable"] = len(sh("git", "--git-dir", snap, "rev-list",
                                "--objects", "--all").stdout.splitlines())
        return g
    finally:
        shutil.rmtree(snap, ignore_errors=True)


def summary(rec):
    out = {}
    for kind in KINDS:
        v = sorted(s for k, s in rec if k == kind and s == s)
        if v:
            out[kind] = {"median": round(v[len(v) // 2], 2),
                         "max": round(v[-1], 2)}
    return out


def verdict(fig):
    bad = []
    if fig["lost"]:
        bad.append(f"{fig['lost']} acknowledged submissions lost")
    if fig["duplicated_or_moved"]:
        bad.append(f"{fig['duplicated_or_moved']} moved in the log")
    if fig["false_2xx"]:
        bad.append(f"{fig['false_2xx']} false 2xx")
    g = fig.get("git_peak")
    if g and (g["copies"] > GIT_COPIES_MAX * g["reachable"]
              or g["listed"] > GIT_LISTED_MAX * g["reachable"]):
        bad.append(f"git packs hold {g['copies']} objects ({g['listed']} "
                   f"in the listed packs) for {g['reachable']} reachable "
                   f"(at {g['entries']} entries)")
    if fig["findings"]:
        bad.append("no recovery under load: " + "; ".join(
            fig["findings"][:5]))
    if fig["errors"]:
        bad.append("unexpected answers: " + "; ".join(fig["errors"][:5]))
    return bad


def print_figures(fig, out=print):
    out("fault campaign figures:")
    out("  faults: " + ", ".join(f"{k} {v}" for k, v in
                                 fig["faults"].items()))
    for k, why in fig["skipped"].items():
        out(f"  skipped {k}: {why}")
    out(f"  acknowledged {fig['acknowledged']}, log entries "
        f"{fig['entries']}, lost {fig['lost']}, duplicated "
        f"{fig['duplicated_or_moved']}, false 2xx {fig['false_2xx']}")
    out(f"  issued_at edges: {fig['edge']['inside_acked']} inside the "
        f"window acknowledged, {fig['edge']['outside_refused']} outside"
        " refused")
    out(f"  checkpoints kept and proved consistent: "
        f"{fig['checkpoints_checked']}")
    out("  recovery (s, fault end to ready and published): " + ", ".join(
        f"{k} median {v['median']} max {v['max']}"
        for k, v in fig["recovery_s"].items()))
    g = fig.get("git_peak")
    if g:
        out(f"  git at the worst check: {g['copies']} objects in "
            f"{g['packs']} packs ({g['bytes'] / 1e6:.1f} MB; "
            f"{g['listed']} in the listed ones) for {g['reachable']} "
            f"reachable objects, at {g['entries']} entries")
    out(f"  run time {fig['seconds']} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--kills", type=int,
                    default=int(os.environ.get("FAULT_KILLS", "50")))
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("FAULT_ROUNDS", "5")),
                    help="how many times each other fault kind is thrown")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--git-mb", type=int,
                    default=int(os.environ.get("FAULT_GIT_MB", "1024")),
                    help="size of the git tmpfs (the disk that fills up)")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    c = Campaign(os.path.join(ROOT, "build", "faults"), args.kills,
                 args.rounds, args.clients, args.seed, git_mb=args.git_mb)
    try:
        fig = c.run()
    except Violation as e:
        print(f"VIOLATION: {e}")
        print("errors so far:", c.errors[:10])
        return 1
    finally:
        c.close()
    print_figures(fig)
    print(json.dumps(fig))
    bad = verdict(fig)
    for b in bad:
        print("FAILED: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
