"""Publication cost per entry does not grow with the log (issue 15,
finding 3 of the fault campaign: past ~11,000 entries the publisher could
no longer catch up with the backlog a two-second git fault left).

The campaign's load puts the log on a few models, each a long chain of
versions. The publisher renders each entry's label as of that entry, and
the label's version query ran mf_counts on every version of the model
(the planner sorted them all), so a label cost time in proportion to the
model's versions. Here two developers each publish one chain of
ENTRIES / 2 versions while the publisher runs, as in the campaign; the
publisher's own per-batch debug lines give its time per entry where the
log was at N/8 and where it was at N, which must stay within FACTOR of
each other, and the whole log must be published soon after the load.
The tables are analysed every ANALYZE_S seconds during the load, as
autovacuum does over a long run (the campaign's): without statistics the
planner chose another plan, which did not show the growth.
"""
import re
import threading
import time

import mf

ENTRIES = 1600
CLIENTS = 2
FACTOR = 4.0
CATCH_UP_S = 30
ANALYZE_S = 2

LINE = re.compile(r"git publisher: (\d+) entries in ([\d.]+) ms:(.*)")


def batches(log_path):
    """(entries, total ms, {phase: ms}) of each batch, in log order."""
    out = []
    with open(log_path, errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                out.append((int(m.group(1)), float(m.group(2)),
                            {k: float(v) for k, v in
                             re.findall(r"(\w+) ([\d.]+)", m.group(3))}))
    return out


def per_entry(rows, lo, hi, phases=None):
    """Microseconds per entry of the batches that start in [lo, hi)."""
    at = n = 0
    ms = 0.0
    for count, total, ph in rows:
        if lo <= at < hi:
            n += count
            ms += total if phases is None else sum(ph.get(p, 0.0)
                                                   for p in phases)
        at += count
    assert n > 0, f"no batch started between entries {lo} and {hi}"
    return ms * 1000 / n


def test_publication_cost_per_entry_does_not_grow(t):
    server = t.new_server(args=["--log-level", "debug"])
    reg = mf.Registry(server)
    keys = [mf.Key(t.dir, f"g{i}", "ed25519") for i in range(CLIENTS)]
    for i, k in enumerate(keys):
        reg.create_org(f"growth{i}", "developer", k)
    errors = []

    def client(i):
        head = None
        for seq in range(1, ENTRIES // CLIENTS + 1):
            doc = mf.disclosure(f"growth{i}", "chain", seq, supersedes=head,
                                name="disclosure-sparse.json")
            r = server.post("/v1/submissions",
                            body=mf.envelope(doc, [keys[i]]))
            if r.status != 201:
                errors.append(repr(r))
                return
            head = "sha256:" + r.json()["payload_sha256"]

    def analyze(stop):
        while not stop.wait(ANALYZE_S):
            t.sql("ANALYZE versions, submissions")

    t0 = time.time()
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(i,))
               for i in range(CLIENTS)]
    for th in threads:
        th.start()
    stats = threading.Thread(target=analyze, args=(stop,))
    stats.start()
    for th in threads:
        th.join()
    stop.set()
    stats.join()
    assert not errors, errors[:3]
    loaded = time.time() - t0

    # 1. the whole log published soon after the load stops
    deadline = time.time() + CATCH_UP_S
    while True:
        n, p = (int(x) for x in t.sql(
            "SELECT (SELECT count(*) FROM submissions"
            " WHERE log_index IS NOT NULL),"
            " (SELECT count(*) FROM publications)")[0])
        if p == n:
            break
        if time.time() > deadline:
            break
        time.sleep(0.2)
    behind = time.time() - (deadline - CATCH_UP_S)

    # 2. time per entry near N/8 and over the last eighth of the log
    rows = batches(server.log_path)
    done = sum(c for c, _, _ in rows)
    eighth = ENTRIES // 8
    label = ("label", "render")
    early = per_entry(rows, eighth // 2, eighth + eighth // 2)
    late = per_entry(rows, done - eighth, done)
    early_label = per_entry(rows, eighth // 2, eighth + eighth // 2, label)
    late_label = per_entry(rows, done - eighth, done, label)
    print(f"   {n} entries loaded in {loaded:.1f} s, {p} published "
          f"{behind:.1f} s after; us per entry near {eighth}: "
          f"{early:.0f} (label {early_label:.0f}), over the last {eighth}: "
          f"{late:.0f} (label {late_label:.0f})")
    assert p == n, (f"{CATCH_UP_S} s after the load {p} of {n} entries "
                    "published")
    assert late <= FACTOR * early, \
        f"{late:.0f} us per entry at {done} vs {early:.0f} near {eighth}"
    assert late_label <= FACTOR * early_label, \
        (f"label {late_label:.0f} us per entry at {done} vs "
         f"{early_label:.0f} near {eighth}")
