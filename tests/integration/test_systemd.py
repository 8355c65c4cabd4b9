"""The systemd unit (issue 16): deploy/modelfactsd.service passes
`systemd-analyze verify` and its sandbox rates "OK" in `systemd-analyze
security --offline`, with the hardening options the deployment promises;
its ExecStart and the sample deploy/modelfactsd.conf are accepted by the
real server (run with --migrate-only against the test database, flags
overriding only the database and state paths). No systemd runs in the
test container, so the service is not started under systemd itself."""
import os
import re
import shlex
import shutil
import subprocess

from harness import ROOT, Skip, sh

UNIT = os.path.join(ROOT, "deploy", "modelfactsd.service")
CONF = os.path.join(ROOT, "deploy", "modelfactsd.conf")
BIN = os.path.join(ROOT, "bin", "modelfactsd")


def unit_for_test(t):
    """The unit with ExecStart pointing at this build's server."""
    text = open(UNIT).read()
    assert "/usr/local/bin/modelfactsd" in text
    path = os.path.join(t.dir, "modelfactsd.service")
    with open(path, "w") as f:
        f.write(text.replace("/usr/local/bin/modelfactsd", BIN))
    return path


def settings():
    out = {}
    for line in open(UNIT):
        m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def test_unit_has_the_promised_hardening(t):
    s = settings()
    for k, v in (("User", "modelfacts"), ("NoNewPrivileges", "yes"),
                 ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                 ("ProtectHome", "yes"), ("CapabilityBoundingSet", ""),
                 ("ReadWritePaths", "/var/lib/modelfacts")):
        assert s.get(k) == [v], (k, s.get(k))
    assert "@system-service" in s["SystemCallFilter"]
    assert s["ExecReload"] == ["/bin/kill -HUP $MAINPID"]


def test_systemd_analyze_verify_and_security(t):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        raise Skip("systemd-analyze is not installed")
    unit = unit_for_test(t)
    r = sh(tool, "verify", unit, check=False, cwd=t.dir)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = sh(tool, "security", "--offline=yes", "--no-pager", unit,
           check=False, cwd=t.dir)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)",
                  r.stdout)
    assert m, r.stdout[-500:] + r.stderr
    assert float(m.group(1)) <= 2.0 and m.group(2) == "OK", m.group(0)


def test_execstart_and_sample_config_are_accepted(t):
    line = settings()["ExecStart"][0]
    argv = shlex.split(line)
    assert argv[0] == "/usr/local/bin/modelfactsd"
    assert argv[argv.index("--config") + 1] == "/etc/modelfacts/" \
        "modelfactsd.conf"
    argv[0] = BIN
    argv[argv.index("--config") + 1] = CONF
    argv[argv.index("--state-dir") + 1] = os.path.join(t.dir, "state")
    r = subprocess.run(argv + ["--database-url", t.db_url,
                               "--migrate-only"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    # the file itself is read: a typo in it stops the server
    bad = os.path.join(t.dir, "bad.conf")
    with open(bad, "w") as f:
        f.write(open(CONF).read() + "rate-raed = 5\n")
    argv[argv.index("--config") + 1] = bad
    r = subprocess.run(argv + ["--database-url", t.db_url,
                               "--migrate-only"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "unknown option 'rate-raed'" in r.stderr, r
