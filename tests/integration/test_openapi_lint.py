"""The OpenAPI document (web/static/openapi.json, served at
/v1/openapi.json) linted by an independent tool: @redocly/cli, pinned,
installed from npm by `scripts/deps.sh npm redocly` (make test-deps) into
build/npm/redocly. Which rules apply, and why, is web/redocly.yaml. The
lint must be clean: no error and no warning. Skips, saying why, when npm
could not install it."""
import json
import os
import subprocess

from harness import ROOT, Skip

BIN = os.path.join(ROOT, "build", "npm", "redocly", "node_modules", ".bin",
                   "redocly")
UNAVAILABLE = os.path.join(ROOT, "build", "npm", "redocly.unavailable")
DOC = os.path.join(ROOT, "web", "static", "openapi.json")
CONFIG = os.path.join(ROOT, "web", "redocly.yaml")


def redocly(*args):
    if not os.path.exists(BIN):
        why = "@redocly/cli is not installed (make test-deps installs it)"
        if os.path.exists(UNAVAILABLE):
            with open(UNAVAILABLE) as f:
                why = f.read().strip()
        raise Skip(why)
    env = dict(os.environ, REDOCLY_TELEMETRY="off",
               REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_COLOR="1")
    return subprocess.run([BIN, *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300)


def test_openapi_lints_clean(t):
    p = redocly("lint", "--config", CONFIG, "--format", "summary", DOC)
    out = p.stdout + p.stderr
    summary = [line for line in out.splitlines()
               if line.startswith(("error", "warning"))]
    for line in summary:
        print("   redocly: " + line)
    assert p.returncode == 0, out
    assert summary == [], out


def test_a_warning_is_seen(t):
    """A copy where one operation loses its 4xx answers draws the
    operation-4xx-response warning, which the test above would fail on."""
    with open(DOC) as f:
        doc = json.load(f)
    responses = doc["paths"]["/v1/orgs/{org}"]["get"]["responses"]
    for code in [c for c in responses if c.startswith("4")]:
        del responses[code]
    bad = os.path.join(t.dir, "openapi-no-4xx.json")
    with open(bad, "w") as f:
        json.dump(doc, f, indent=1)
    p = redocly("lint", "--config", CONFIG, "--format", "summary", bad)
    out = p.stdout + p.stderr
    assert any(line.startswith("warning") and "operation-4xx-response" in line
               for line in out.splitlines()), out


def test_the_lint_can_fail(t):
    """The same lint on a copy with a broken reference fails: the test
    above would see an error."""
    bad = os.path.join(t.dir, "openapi-broken.json")
    with open(DOC) as f:
        text = f.read()
    text = text.replace('"#/components/schemas/Error"',
                        '"#/components/schemas/NoSuchSchema"', 1)
    with open(bad, "w") as f:
        f.write(text)
    p = redocly("lint", "--config", CONFIG, "--format", "summary", bad)
    assert p.returncode != 0, p.stdout + p.stderr
    assert "no-unresolved-refs" in p.stdout + p.stderr
