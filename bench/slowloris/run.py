#!/usr/bin/env python3
"""bench/slowloris: how a normal client fares while 1,000 slow connections
from 8 other addresses try to hold the server (issue 15, finding 2).

One run: a private PostgreSQL cluster, modelfactsd with its defaults (or
MF_SERVER_BIN, another build, for a before/after comparison; ARGS adds
flags), one organisation and one disclosure signed as the integration
tests sign them. Then
  1. baseline: REQUESTS label GETs (a new connection each, from 127.0.0.1),
  2. attack: a child process keeps CONNS connections open from 127.0.0.2 ..
     127.0.0.9, each sending a request line and then one header line every
     TRICKLE seconds, reconnecting RECONNECT s after the server closes or
     refuses one, for
     DURATION seconds; meanwhile the same label GETs, paced at RATE a
     second, each with a 5 s timeout (a timeout or a refused connection
     counts as a failure, not as a latency).
Prints p50/p99/max of both, failures, and the attack's held connections.

  bench/slowloris/run.py        (CONNS=1000 DURATION=30 RATE=20 REQUESTS=500)
"""
import http.client
import multiprocessing
import os
import selectors
import socket
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402
import mf  # noqa: E402

CONNS = int(os.environ.get("CONNS", "1000"))
DURATION = float(os.environ.get("DURATION", "30"))
RATE = float(os.environ.get("RATE", "20"))
REQUESTS = int(os.environ.get("REQUESTS", "500"))
TRICKLE = float(os.environ.get("TRICKLE", "5"))
RECONNECT = float(os.environ.get("RECONNECT", "1"))
ADDRS = ["127.0.0.%d" % i for i in range(2, 10)]
OUT = os.path.join(ROOT, "bench", "out", "slowloris")


def attacker(port, stop_at, report):
    """Keeps CONNS trickling connections open until stop_at."""
    sel = selectors.DefaultSelector()
    socks = {}  # sock -> [addr, next send time, lines sent, opened at]
    pending = []  # (time, addr): reconnect after a pause, as slowloris does
    opened = closed = 0
    held_samples = []

    def open_one(addr):
        nonlocal opened
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind((addr, 0))
            s.connect_ex(("127.0.0.1", port))
        except OSError:
            s.close()
            return
        socks[s] = [addr, time.monotonic(), 0, time.monotonic()]
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    def drop(s):
        nonlocal closed
        sel.unregister(s)
        addr = socks.pop(s)[0]
        s.close()
        closed += 1
        return addr

    for i in range(CONNS):
        open_one(ADDRS[i % len(ADDRS)])
    last_sample = 0
    while time.monotonic() < stop_at:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                pending.append((time.monotonic() + RECONNECT, drop(s)))
        now = time.monotonic()
        for s, st in list(socks.items()):
            if now < st[1]:
                continue
            line = (b"GET /healthz HTTP/1.1\r\n" if st[2] == 0 else
                    b"X-Slow-%d: x\r\n" % st[2])
            try:
                s.send(line)
                st[2] += 1
                st[1] = now + TRICKLE
            except BlockingIOError:
                st[1] = now + 0.5
            except OSError:
                pending.append((now + RECONNECT, drop(s)))
        due = [p for p in pending if p[0] <= now]
        pending[:] = [p for p in pending if p[0] > now]
        for _, addr in due:
            open_one(addr)
        if now - last_sample >= 1:
            # held: open for 2 s or more (the server did not refuse it)
            held_samples.append(sum(now - st[3] >= 2
                                    for st in socks.values()))
            last_sample = now
    report.put({"opened": opened, "closed_by_server": closed,
                "held_median": statistics.median(held_samples or [0]),
                "held_max": max(held_samples or [0])})
    for s in list(socks):
        s.close()


def label_get(port, path):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        ok = r.status == 200
    except OSError:
        ok = False
    finally:
        c.close()
    return ok, time.monotonic() - t0


def summary(name, times, fails):
    times = sorted(times)
    if not times:
        return f"{name}: no successful request, {fails} failed"
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    return (f"{name}: {len(times)} ok, {fails} failed; p50 {p(0.50):.2f} ms, "
            f"p99 {p(0.99):.2f} ms, max {times[-1] * 1000:.2f} ms")


def main():
    os.makedirs(OUT, exist_ok=True)
    cluster = harness.Cluster(os.path.join(OUT, "pg"))
    cluster.start()
    srv = None
    try:
        url = cluster.createdb("slowloris")
        args = os.environ.get("ARGS", "").split()
        state = os.path.join(OUT, "state")
        harness.shutil.rmtree(state, ignore_errors=True)
        srv = harness.Server(url, state, args).start()
        reg = mf.Registry(srv)
        key = mf.Key(OUT, "bench", "ed25519")
        reg.create_org("bench", "developer", key)
        doc = mf.disclosure("bench", "slow-7b", reg.next_seq("bench"))
        r = reg.submit(mf.envelope(doc, [key]))
        assert r.status == 201, r
        path = "/v1/models/bench/slow-7b/label.json"
        assert srv.get(path).status == 200

        times, fails = [], 0
        for _ in range(REQUESTS):
            ok, dt = label_get(srv.port, path)
            if ok:
                times.append(dt)
            else:
                fails += 1
        base = summary("baseline", times, fails)
        print(base, flush=True)

        q = multiprocessing.Queue()
        stop_at = time.monotonic() + DURATION + 5
        att = multiprocessing.Process(target=attacker,
                                      args=(srv.port, stop_at, q))
        att.start()
        time.sleep(5)  # the attack is in place
        times, fails = [], 0
        end = time.monotonic() + DURATION
        nxt = time.monotonic()
        while time.monotonic() < end:
            ok, dt = label_get(srv.port, path)
            if ok:
                times.append(dt)
            else:
                fails += 1
            nxt += 1 / RATE
            time.sleep(max(0, nxt - time.monotonic()))
        a = q.get()
        att.join()
        during = summary("during the attack", times, fails)
        print(during)
        print(f"attack: {CONNS} connections from {len(ADDRS)} addresses, "
              f"a header line every {TRICKLE:g} s: {a['opened']} opened, "
              f"{a['closed_by_server']} closed or refused by the server, "
              f"{a['held_median']:.0f} held 2 s or more "
              f"(median of 1 s samples; max {a['held_max']})")
    finally:
        if srv is not None:
            srv.stop()
            print("server: " + "".join(
                l for l in srv.tail(200).splitlines(True)
                if "refused by the per-address" in l).strip())
        cluster.stop()


if __name__ == "__main__":
    main()
