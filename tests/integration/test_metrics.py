"""GET /metrics (issue 16, observability) and the rate-limit defaults
(issue 15's loose ends): the exposition is checked by two independent
parsers (Prometheus's own `promtool check metrics` and the Python client's
parser), and its counts against the requests this test made; the access
rules (--metrics-token, --metrics=0); publication lag with the git
publisher held back; the sample Grafana dashboard's expressions name only
metrics a live scrape serves; rate limits on by default for other
addresses, loopback exempt unless it is a trusted proxy, --rate-nodes
dividing each limit."""
import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time

import mf
from harness import ROOT, Skip

S = {}


# Run by whichever interpreter has Debian's python3-prometheus-client
# (the tests may run under another python3): samples as JSON lines.
PARSER = """
import json, sys
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        print(json.dumps([fam.type, s.name, s.labels, s.value]))
"""


def client_python():
    if "py" not in S:
        for py in ("python3", "/usr/bin/python3"):
            if shutil.which(py) and subprocess.run(
                    [py, "-c", "import prometheus_client"],
                    capture_output=True).returncode == 0:
                S["py"] = py
                break
        else:
            raise Skip("python3-prometheus-client is not installed "
                       "(scripts/deps.sh test installs it)")
    return S["py"]


def parse(text):
    """{(name, frozenset(labels.items())): value} by the Python client's
    parser (python3-prometheus-client), which raises on bad syntax."""
    p = subprocess.run([client_python(), "-c", PARSER], input=text,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, ("the client's parser refused it", p.stderr)
    out = {}
    for line in p.stdout.splitlines():
        _, name, labels, value = json.loads(line)
        key = (name, frozenset(labels.items()))
        assert key not in out, ("a sample twice", key)
        out[key] = value
    return out


def promtool(text):
    if shutil.which("promtool") is None:
        raise Skip("promtool is not installed (Debian's prometheus "
                   "package; scripts/deps.sh test installs it)")
    p = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True, timeout=30)
    # exit 1 with lint problems, 3 with a parse error; lint is advice
    assert p.returncode in (0, 1), (p.returncode, p.stdout, p.stderr)
    assert "error while linting" not in p.stderr, p.stderr
    return p.stdout + p.stderr


def scrape(srv, headers=None):
    r = srv.request("GET", "/metrics", headers=headers)
    assert r.status == 200, r
    assert r.header("Content-Type").startswith(
        "text/plain; version=0.0.4"), r.header("Content-Type")
    return r.body.decode()


def val(m, name, **labels):
    return m.get((name, frozenset(labels.items())), 0.0)


def eventually(srv, check, timeout=10):
    """A request is counted when libmicrohttpd reports it complete, a
    moment after the client has read its answer: scrape until check
    holds, then return that scrape (check's last failure otherwise)."""
    end = time.time() + timeout
    while True:
        m = parse(scrape(srv))
        try:
            check(m)
            return m
        except AssertionError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def setup(t):
    if S:
        return S
    # one git mirror, so the mirror families are served too
    mirror = os.path.join(t.dir, "mirror.git")
    subprocess.run(["git", "init", "-q", "--bare", mirror], check=True)
    srv = t.new_server(["--git-mirror", mirror], name="metrics",
                       db_url=t.cluster.createdb("t_metrics"))
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, "acme", "ed25519")
    reg.create_org("acme", "developer", key)
    S.update(srv=srv, reg=reg, key=key)
    return S


def test_exposition_parses_and_counts_what_was_asked(t):
    s = setup(t)
    srv, reg, key = s["srv"], s["reg"], s["key"]
    before = parse(scrape(srv))
    route = "/v1/models/{org}/{model}"
    # 1. reads: 5 404s and a 200 of one route template, 3 probes, 2
    # paths no route has
    for i in range(5):
        assert srv.get("/v1/models/acme/nope-%d" % i).status == 404
    doc = mf.disclosure("acme", "m0", reg.next_seq("acme"))
    assert reg.submit(mf.envelope(doc, [key])).status == 201
    doc = mf.disclosure("acme", "m1", reg.next_seq("acme"))
    assert reg.submit(mf.envelope(doc, [key])).status == 201
    assert srv.get("/v1/models/acme/m0").status == 200
    for _ in range(3):
        assert srv.get("/healthz").status == 200
    assert srv.request("POST", "/v1/no/such/thing").status == 404
    assert srv.request("POST", "/v1/no/such/other").status == 404
    # 2. rejected submissions: two invalid_json, one unknown_key
    for _ in range(2):
        r = srv.request("POST", "/v1/submissions", body="{not json",
                        headers={"Content-Type": "application/json"})
        assert r.status == 400 and r.json()["error"]["code"] == \
            "invalid_json", r
    other = mf.Key(t.dir, "stranger", "ed25519")
    doc = mf.disclosure("acme", "m2", 99)
    r = reg.submit(mf.envelope(doc, [other]))
    assert r.status == 403 and r.json()["error"]["code"] == \
        "unknown_key", r

    def d(m, name, **labels):
        return val(m, name, **labels) - val(before, name, **labels)

    def check(m):
        req = "modelfacts_http_requests_total"
        assert d(m, req, route=route, method="GET", code="404",
                 **{"class": "4xx"}) == 5
        assert d(m, req, route=route, method="GET", code="200",
                 **{"class": "2xx"}) == 1
        assert d(m, req, route="/healthz", method="GET", code="200",
                 **{"class": "2xx"}) == 3
        assert d(m, req, route="unmatched", method="any", code="404",
                 **{"class": "4xx"}) == 2
        assert d(m, req, route="/v1/submissions", method="POST",
                 code="201", **{"class": "2xx"}) == 2
        hist = "modelfacts_http_request_duration_seconds"
        assert d(m, hist + "_count", route=route, method="GET") == 6
        assert d(m, hist + "_bucket", route=route, method="GET",
                 le="+Inf") == 6
        assert d(m, "modelfacts_submissions_accepted_total") == 2
        rej = "modelfacts_submissions_rejected_total"
        assert d(m, rej, reason="invalid_json") == 2
        assert d(m, rej, reason="unknown_key") == 1
    m = eventually(srv, check)
    text = scrape(srv)
    promtool(text)
    # 3. bounded cardinality: routes are templates, never raw paths
    routes = {dict(k[1]).get("route") for k in m if dict(k[1]).get("route")}
    assert not any("nope" in r or "/no/such" in r for r in routes), routes
    # 4. histogram buckets are cumulative and end at the count
    les = sorted((float(dict(k[1])["le"]), v) for k, v in m.items()
                 if k[0].endswith("_bucket") and dict(k[1])["route"] == route)
    assert [v for _, v in les] == sorted(v for _, v in les), les
    assert les[-1][1] == val(m, "modelfacts_http_request_duration_seconds"
                             "_count", route=route, method="GET")
    # 5. what the database and the sequencer say
    size = int(t.cluster.psql("t_metrics", "SELECT count(*) FROM "
                              "submissions WHERE log_index IS NOT NULL")[0][0])
    assert val(m, "modelfacts_log_size") == size >= 2, (m, size)
    assert val(m, "modelfacts_sequencing_lag_entries") == 0
    assert val(m, "modelfacts_database_up") == 1
    assert val(m, "modelfacts_leader") == 1
    version = srv.get("/v1/version").json()
    assert val(m, "modelfacts_build_info", version=version["version"],
               api=version["api"]) == 1
    busy = val(m, "modelfacts_pool_workers", state="busy")
    idle = val(m, "modelfacts_pool_workers", state="idle")
    assert busy >= 1 and busy + idle == 8, (busy, idle)  # --threads 8
    S["scrape"] = m


def test_grafana_dashboard_names_only_served_metrics(t):
    """Every expression of docs/grafana-dashboard.json names only metrics
    a live /metrics serves (its samples' names: a histogram's _bucket,
    _sum, _count)."""
    s = setup(t)
    # the first test made the events some samples wait for (a rejected
    # submission, a 404, ...)
    if "scrape" not in S:
        test_exposition_parses_and_counts_what_was_asked(t)
    srv = s["srv"]
    served = {k[0] for k in parse(scrape(srv))}
    with open(os.path.join(ROOT, "docs", "grafana-dashboard.json")) as f:
        dash = json.load(f)
    exprs = [tg["expr"] for p in dash["panels"] for tg in p["targets"]]
    assert len(exprs) >= 15, exprs
    used = set()
    for e in exprs:
        names = set(re.findall(r"\bmodelfacts_[a-z0-9_]+", e))
        assert names, e
        missing = names - served
        assert not missing, (e, missing, sorted(served))
        used |= names
    # and the dashboard covers each part of the brief
    for want in ("modelfacts_http_requests_total",
                 "modelfacts_http_request_duration_seconds_bucket",
                 "modelfacts_submissions_rejected_total",
                 "modelfacts_sequencing_lag_seconds",
                 "modelfacts_publication_lag_entries",
                 "modelfacts_log_size", "modelfacts_pool_workers",
                 "modelfacts_leader", "modelfacts_rate_limited_total",
                 "modelfacts_build_info"):
        assert want in used, want


# promtool's rule unit tests: series in, which alerts fire when. The
# sequencer gauge falls to 0 at minute 5 and the rule waits 2 minutes;
# the publication lag climbs past 300 s and the rule waits 10 minutes.
ALERT_TESTS = """
rule_files: [%(rules)s]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'modelfacts_leader{instance="a"}'
        values: '1 1 1 1 1 0 0 0 0 0 0 0'
      - series: 'modelfacts_leader{instance="b"}'
        values: '0 0 0 0 0 0 0 0 0 0 0 0'
      - series: 'modelfacts_publication_lag_seconds{instance="a"}'
        values: '0+60x30'
    alert_rule_test:
      - eval_time: 6m
        alertname: ModelfactsNoSequencer
        exp_alerts: []
      - eval_time: 8m
        alertname: ModelfactsNoSequencer
        exp_alerts:
          - exp_labels: {severity: page}
            exp_annotations:
              summary: "no node sequences the log: submissions are stored but get no log entry"
              description: "Only nodes with log.key and commit.key in their state directory lead."
      - eval_time: 12m
        alertname: ModelfactsPublicationLag
        exp_alerts: []
      - eval_time: 17m
        alertname: ModelfactsPublicationLag
        exp_alerts:
          - exp_labels: {severity: ticket}
            exp_annotations:
              summary: "git publication is 1020 s behind the log (disk full or read-only? a stuck publisher?)"
"""


def test_alert_rules_check_fire_and_name_served_metrics(t):
    """docs/prometheus-alerts.yml (docs/operations.md): promtool accepts
    it, two of its alerts fire exactly when their conditions have held
    long enough (promtool test rules), and every modelfacts_ metric it
    names is one a live scrape serves."""
    if shutil.which("promtool") is None:
        raise Skip("promtool is not installed (Debian's prometheus "
                   "package; scripts/deps.sh test installs it)")
    rules = os.path.join(ROOT, "docs", "prometheus-alerts.yml")
    p = subprocess.run(["promtool", "check", "rules", rules],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, (p.stdout, p.stderr)
    unit = os.path.join(t.dir, "alerts.test.yml")
    with open(unit, "w") as f:
        f.write(ALERT_TESTS % {"rules": json.dumps(rules)})
    p = subprocess.run(["promtool", "test", "rules", unit],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, (p.stdout, p.stderr)
    s = setup(t)
    if "scrape" not in S:
        test_exposition_parses_and_counts_what_was_asked(t)
    served = {k[0] for k in parse(scrape(s["srv"]))}
    with open(rules) as f:
        text = f.read()
    names = set(re.findall(r"\bmodelfacts_[a-z0-9_]+", text))
    assert len(names) >= 8, names
    # the witness families come with --witnesses: test_witnessed checks
    # those names against its own scrape
    names = {n for n in names if not n.startswith("modelfacts_witness_")}
    assert not names - served, (names - served, sorted(served))

def test_publication_lag_while_git_waits(t):
    """--no-git-publisher: entries are sequenced but not committed to
    git; /metrics counts them and their age."""
    srv = t.new_server(["--no-git-publisher"], name="lag",
                       db_url=t.cluster.createdb("t_metrics_lag"))
    reg = mf.Registry(srv)
    key = mf.Key(t.dir, "lagorg", "ed25519")
    reg.create_org("lagorg", "developer", key)
    doc = mf.disclosure("lagorg", "m", reg.next_seq("lagorg"))
    assert reg.submit(mf.envelope(doc, [key])).status == 201
    time.sleep(1.1)
    m = parse(scrape(srv))
    size = val(m, "modelfacts_log_size")
    # the organisation's first key and the disclosure
    assert size >= 1, m
    assert val(m, "modelfacts_published_entries") == 0
    assert val(m, "modelfacts_publication_lag_entries") == size
    assert val(m, "modelfacts_publication_lag_seconds") >= 1.0, m
    assert val(m, "modelfacts_sequencing_lag_entries") == 0


def test_sequencing_lag_while_no_one_sequences(t):
    """--no-publisher: a committed submission waits for a sequencer that
    is not there; /metrics counts it and its age while it waits."""
    db = t.cluster.createdb("t_metrics_seq")
    # the organisation first, with a sequencer (its key goes in the log)
    first = t.new_server(name="seqlag", db_url=db)
    key = mf.Key(t.dir, "seqorg", "ed25519")
    mf.Registry(first).create_org("seqorg", "developer", key)
    first.stop()
    S["seq_env"] = mf.envelope(mf.disclosure("seqorg", "m", 1), [key])
    srv = t.new_server(["--no-publisher"], name="seqlag", db_url=db)
    before = parse(scrape(srv))
    done = {}

    def submit():
        try:
            done["r"] = srv.post("/v1/submissions", body=S["seq_env"],
                                 timeout=40)
        except Exception as e:  # noqa: BLE001 - killed below on purpose
            done["r"] = e

    th = threading.Thread(target=submit, daemon=True)
    th.start()
    m = eventually(srv, lambda m: (
        val(m, "modelfacts_sequencing_lag_entries") == 1 and
        val(m, "modelfacts_sequencing_lag_seconds") >= 1.0), timeout=15)
    assert val(m, "modelfacts_leader") == 0, m
    assert val(m, "modelfacts_log_size") == \
        val(before, "modelfacts_log_size"), m
    assert val(before, "modelfacts_sequencing_lag_entries") == 0, before
    srv.kill()  # the submission would wait 30 s for the log
    th.join(5)


def test_metrics_access(t):
    """--metrics-token FILE: only "Bearer <token>" reads; --metrics=0:
    404; a token file that cannot be read stops the start."""
    tok = os.path.join(t.dir, "metrics.token")
    with open(tok, "w") as f:
        f.write("s3cret-metrics\n")
    srv = t.new_server(["--metrics-token", tok], name="mtok")
    r = srv.get("/metrics")
    assert r.status == 401 and r.json()["error"]["code"] == \
        "unauthorized", r
    assert r.header("WWW-Authenticate") == "Bearer", r
    r = srv.request("GET", "/metrics",
                    headers={"Authorization": "Bearer s3cret-metric"})
    assert r.status == 401, r
    parse(scrape(srv, {"Authorization": "Bearer s3cret-metrics"}))
    off = t.new_server(["--metrics=0"], name="moff")
    r = off.get("/metrics")
    assert r.status == 404 and r.json()["error"]["code"] == "not_found", r
    bad = t.new_server(["--metrics-token", tok + ".missing"], start=False,
                       name="mbad")
    bad.start(wait=False)
    assert bad.proc.wait(10) != 0
    assert "metrics-token: cannot read" in bad.tail(100), bad.tail(100)
    bad.log.close()
    bad.proc = None


def get_from(port, addr, path, n):
    """n GETs of path over one kept-alive connection from addr: their
    statuses."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                   source_address=(addr, 0))
    out = []
    try:
        for _ in range(n):
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            out.append(r.status)
    finally:
        c.close()
    return out


def test_rate_limits_on_by_default_loopback_exempt(t):
    """With no rate option at all: 6,000 reads a minute per address in
    bursts of 600. 1,500 quick reads from 127.0.0.5 meet 429s (refill
    alone would need 9 s for them); as many from 127.0.0.1 (loopback,
    exempt by default) meet none; the 429s show in /metrics."""
    srv = t.new_server(name="rldefault")
    res = {}

    def run(addr):
        res[addr] = []
        for _ in range(3):
            res[addr] += get_from(srv.port, addr, "/v1/version", 500)

    th = [threading.Thread(target=run, args=(a,))
          for a in ("127.0.0.5", "127.0.0.1")]
    t0 = time.time()
    for x in th:
        x.start()
    for x in th:
        x.join()
    took = time.time() - t0
    limited = res["127.0.0.5"].count(429)
    if took > 8:
        raise Skip("1,500 requests took %.1f s: too slow a machine to "
                   "outrun the refill" % took)
    assert limited > 0, (took, limited)
    assert res["127.0.0.5"].count(200) + limited == 1500
    assert res["127.0.0.1"].count(429) == 0, res["127.0.0.1"].count(429)
    m = eventually(srv, lambda m: val(m, "modelfacts_rate_limited_total",
                                      limit="address") == limited)
    assert val(m, "modelfacts_http_requests_total", route="/v1/version",
               method="GET", code="429", **{"class": "4xx"}) == limited


def test_loopback_proxy_is_not_exempt_and_nodes_share(t):
    """--trusted-proxy 127.0.0.1: loopback is a proxy then, held like
    any client; --rate-nodes 2 halves --rate-read 120 to 60 a minute
    (bursts of 6)."""
    srv = t.new_server(["--rate-read", "120", "--rate-nodes", "2",
                        "--trusted-proxy", "127.0.0.1"], name="rlnodes")
    st = get_from(srv.port, "127.0.0.1", "/v1/version", 8)
    assert st[:6] == [200] * 6 and st[6:] == [429, 429], st
    # another address (not a proxy, not exempt): the same share
    st = get_from(srv.port, "127.0.0.6", "/v1/version", 8)
    assert st[:6] == [200] * 6 and st[6:] == [429, 429], st
    # without --rate-nodes the same limit allows bursts of 12
    one = t.new_server(["--rate-read", "120"], name="rlone")
    st = get_from(one.port, "127.0.0.6", "/v1/version", 13)
    assert st[:12] == [200] * 12 and st[12] == 429, st


def test_rate_options_validated(t):
    for args, want in ((["--rate-exempt", "127.0.0.1/40"],
                        "rate-exempt: '127.0.0.1/40' is not"),
                       (["--rate-nodes", "0"], "rate-nodes must be"),
                       (["--log-format", "xml"],
                        "log-format must be text or json")):
        srv = t.new_server(args, start=False, name="badopt")
        srv.start(wait=False)
        assert srv.proc.wait(10) != 0, args
        assert want in srv.tail(100), (args, srv.tail(100))
        srv.log.close()
        srv.proc = None
