"""Publication resumes after a long backlog of cross-model facts (a
finding of issue 15's fault campaign: after the git file system had been
full, the publisher's catch-up of the facts, 500 entries a transaction,
took longer than the database deadline, was rolled back, and was tried
again the same way for ever; readiness stayed 200 and nothing more was
published). Here the backlog is made on purpose: another holder owns the
publisher's lease (migrations/0011_lease.sql) while entries are accepted,
then the server runs with a short database deadline and the lease expires; every entry must be
published and the facts must reach the newest one."""
import threading
import time

import mf

ENTRIES = 600
CLIENTS = 3
DEADLINE_MS = 150


def counts(t):
    n, p, f = t.sql("SELECT (SELECT count(*) FROM submissions"
                    " WHERE log_index IS NOT NULL),"
                    " (SELECT count(*) FROM publications),"
                    " (SELECT through FROM facts_progress)")[0]
    return int(n), int(p), int(f)


def test_publication_resumes_after_a_facts_backlog(t):
    # 1. the publisher's lease taken by another holder (a new token, which
    # fences the server's, and no expiry) once the server has migrated the
    # database: entries are accepted and logged, neither published nor
    # carried into the facts
    try:
        server = t.new_server()
        t.sql("UPDATE leader_lease SET holder = 'elsewhere',"
              " token = token + 1, expires_at = 'infinity'"
              " WHERE role = 'publisher'")
        reg = mf.Registry(server)
        keys = [mf.Key(t.dir, f"b{i}", "ed25519") for i in range(CLIENTS)]
        for i, k in enumerate(keys):
            reg.create_org(f"backlog{i}", "developer", k)
        errors = []

        def client(i):
            head = None
            for seq in range(1, ENTRIES // CLIENTS + 1):
                doc = mf.disclosure(f"backlog{i}", "m", seq, supersedes=head,
                                    name="disclosure-sparse.json")
                r = server.post("/v1/submissions",
                                body=mf.envelope(doc, [keys[i]]))
                if r.status != 201:
                    errors.append(repr(r))
                    return
                head = "sha256:" + r.json()["payload_sha256"]

        threads = [threading.Thread(target=client, args=(i,))
                   for i in range(CLIENTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors[:3]
        n, p, f = counts(t)
        assert n == ENTRIES and p == 0, (n, p, f)
        server.stop()
        # 2. a short database deadline, then the lease is let go: a slice
        # of 500 entries of facts takes longer than it
        server.env["MODELFACTS_DB_TIMEOUT"] = str(DEADLINE_MS)
        server.start()
    finally:
        # the other holder's lease runs out
        t.sql("UPDATE leader_lease SET expires_at = '-infinity'"
              " WHERE role = 'publisher' AND holder = 'elsewhere'")
    deadline = time.time() + 60
    while True:
        n, p, f = counts(t)
        if p == n and f == n - 1:
            break
        assert time.time() < deadline, \
            f"after 60 s: {p} of {n} published, facts through {f}"
        time.sleep(0.2)
    print(f"   {n} entries published and in the facts after the backlog")
