"""The README's recipes, run verbatim: every ```sh block after a
`<!-- recipe: NAME -->` marker runs in a scratch directory against the
real server, with R and TOKEN_FILE pointing at it."""
import os
import re
import subprocess

from harness import ROOT


def recipes():
    text = open(os.path.join(ROOT, "README.md")).read()
    return dict(re.findall(r"<!-- recipe: (\S+) -->\n```sh\n(.*?)```",
                           text, re.S))


def run(t, name, check=True, **env):
    script = recipes()[name]
    d = os.path.join(t.dir, name + env.get("I", ""))
    os.makedirs(d, exist_ok=True)
    e = dict(os.environ, R=t.server.url,
             TOKEN_FILE=os.path.join(t.server.state_dir, "admin.token"),
             **env)
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script],
                       cwd=d, env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if check:
        assert p.returncode == 0, f"recipe {name} failed:\n{p.stdout}"
    return p.stdout


def test_readme_has_the_recipes(t):
    assert set(recipes()) >= {"openssl", "ssh", "verify"}


def test_openssl_recipe_publishes(t):
    out = run(t, "openssl")
    assert '"status":"accepted"' in out, out
    assert t.server.get("/v1/models/acme/acme-7b").status == 200


def test_ssh_recipe_publishes(t):
    out = run(t, "ssh")
    assert '"status":"accepted"' in out, out
    assert t.server.get("/v1/models/ssh-lab/tiny-1").status == 200


def test_verify_recipe_proves_inclusion(t):
    for i in (0, 1):
        out = run(t, "verify", I=str(i))
        assert f"entry {i} is in the log of size 2" in out, out
        assert "Signature Verified Successfully" in out


def test_verify_recipe_fails_on_a_tampered_leaf(t):
    t.sql("UPDATE submissions SET leaf = replace(leaf, 'seq 1', 'seq 2')"
          " WHERE log_index = 1")
    try:
        out = run(t, "verify", check=False, I="1")
        assert "is in the log" not in out, out
    finally:
        t.sql("UPDATE submissions SET leaf = replace(leaf, 'seq 2', 'seq 1')"
              " WHERE log_index = 1")
    assert "is in the log" in run(t, "verify", I="1")


def test_search_recipe_lists_what_the_api_lists(t):
    out = run(t, "search").split("\n")
    doc = t.server.get("/v1/models?access=open_weights&min_parameters=7e9"
                       "&indicator=modelfacts-v1/data-size&status=not_met"
                       "&sort=-score").json()
    assert int(out[0]) == doc["total"], out
    assert len([x for x in out[1:] if "/" in x]) == len(doc["models"]), out
