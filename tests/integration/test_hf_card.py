"""Hugging Face model cards over real HTTP: each card in tests/fixtures/hf
is turned into documents by `modelfacts import hf-card`, checked by
`modelfacts validate`, signed by `modelfacts sign` and posted by
`modelfacts submit`; the registry then serves the version back as card.md
and eval_results.yaml, and importing that card again gives the same
disclosure and the same results (nothing mapped is lost)."""
import json
import os
import time

import mf
from harness import ROOT, sh

CLI = os.path.join(ROOT, "bin", "modelfacts")
FIX = os.path.join(ROOT, "tests", "fixtures", "hf")
CARDS = {  # fixture -> (model id, eval results dir or None, results)
    "minimal.md": ("hf-minimal", None, 0),
    "model_index.md": ("hf-model-index", None, 2),
    "several_datasets.md": ("hf-datasets", None, 0),
    "with_eval_results/README.md": (
        "hf-eval-results", "with_eval_results/.eval_results", 2),
    "unknown_fields.md": ("hf-unknown", None, 0),
}
S = {}

try:
    import yaml  # python3-yaml: an independent YAML parser
except ImportError:  # pragma: no cover
    yaml = None


def cli(*args, check=True):
    return sh(CLI, *args, check=check)


def import_card(t, path, model, evals_dir, seq, tag):
    out = os.path.join(t.dir, f"{model}-{tag}.json")
    args = ["import", "hf-card", path, "--org", "acme", "--model", model,
            "--seq", str(seq), "--out", out]
    if evals_dir:
        args += ["--eval-results", evals_dir]
    files = cli(*args).stdout.split()
    return files


def front_matter(text):
    assert text.startswith("---\n"), text[:200]
    end = text.index("\n---\n", 4)
    return text[4:end + 1]


def setup(t):
    if S:
        return S
    reg = mf.Registry(t.server)
    S["reg"] = reg
    S["acme"] = mf.Key(t.dir, "acme", "ed25519")
    S["lab"] = mf.Key(t.dir, "lab", "ed25519")
    reg.create_org("acme", "developer", S["acme"])
    reg.create_org("evalhouse", "evaluator", S["lab"])
    S["files"] = {}
    for card, (model, evals_dir, _) in CARDS.items():
        seq = reg.next_seq("acme")
        files = import_card(t, os.path.join(FIX, card), model,
                            evals_dir and os.path.join(FIX, evals_dir), seq,
                            "in")
        S["files"][card] = files
        reg.seqs["acme"] = seq + len(files) - 1
        for f in files:
            # 1. validate, 2. sign, 3. submit: the CLI as a user runs it
            cli("validate", f)
            env = cli("sign", "--key", S["acme"].priv, f).stdout
            envf = f + ".envelope"
            with open(envf, "w") as fh:
                fh.write(env)
            cli("submit", "--registry", t.server.url, envf)
    # one third-party result, signed by an evaluator, for the marked case
    doc = mf.eval_result("acme", "hf-model-index", reg.next_seq("evalhouse"),
                         True)
    r = reg.submit(mf.envelope(doc, [S["lab"]]))
    assert r.status == 201, r
    return S


def get_card(t, model, results, path="card.md"):
    """The current card, once the log holds every result."""
    deadline = time.time() + 20
    while True:
        r = t.server.get(f"/v1/models/acme/{model}/{path}")
        assert r.status == 200, r
        text = r.body.decode()
        if path != "card.md" or text.count("- task:") >= results or \
                time.time() > deadline:
            return r, text
        time.sleep(0.2)


def test_every_card_imports_validates_signs_and_submits(t):
    s = setup(t)
    for card, (model, _, results) in CARDS.items():
        assert len(s["files"][card]) == 1 + results, (card, s["files"][card])
        r = t.server.get(f"/v1/models/acme/{model}")
        assert r.status == 200, r


def test_round_trip_over_http_keeps_every_field_and_result(t):
    s = setup(t)
    for card, (model, _, results) in CARDS.items():
        extra = 1 if model == "hf-model-index" else 0
        r, text = get_card(t, model, results + extra)
        assert r.header("Content-Type").startswith("text/markdown"), r
        if yaml is not None:
            fm = yaml.safe_load(front_matter(text))
            assert isinstance(fm, dict), fm
            mi = fm.get("model-index", [{"results": []}])[0]["results"]
            assert len(mi) == results + extra, (card, mi)
        path = os.path.join(t.dir, model + "-served.md")
        with open(path, "w") as fh:
            fh.write(text)
        again = import_card(t, path, model, None, 1, "again")
        first = json.load(open(s["files"][card][0]))
        second = json.load(open(again[0]))
        for d in (first, second):
            d.pop("issued_at")
            d.pop("seq")
        if extra:
            # the third party's result comes back as a summary row too
            rows = second["evaluations"]["results"]
            for row in first["evaluations"]["results"]:
                assert row in rows, (row, rows)
            first.pop("evaluations")
            second.pop("evaluations")
        for k in set(first) | set(second):
            assert first.get(k) == second.get(k), (card, k, first.get(k),
                                                   second.get(k))
        # every result comes back (the third-party one too, marked)
        back = [json.load(open(f)) for f in again[1:]]
        assert len(back) == results + extra, (card, back)
        for f in s["files"][card][1:]:
            want = json.load(open(f))
            match = [b for b in back
                     if b["benchmark"]["id"] == want["benchmark"]["id"] and
                     b["value"] == want["value"] and
                     b.get("task") == want.get("task")]
            assert match, (card, want, back)
            got = match[0]
            for k in ("benchmark", "metric", "config", "split",
                      "artifacts_url", "evaluator", "assurance"):
                assert got.get(k) == want.get(k), (card, k, got, want)
        if extra:
            assert "Third-party evaluation by" in text, text


def test_eval_results_yaml(t):
    setup(t)
    model = "hf-eval-results"
    get_card(t, model, 2)
    # the current file: a numbered version's (immutable) files show the
    # results the log held when that version was accepted
    r = t.server.get(f"/v1/models/acme/{model}/eval_results.yaml")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/yaml"), r
    text = r.body.decode()
    if yaml is not None:
        entries = yaml.safe_load(text)
        assert isinstance(entries, list) and len(entries) == 2, entries
        by_id = {e["dataset"]["id"]: e for e in entries}
        assert by_id["Idavidrein/gpqa"]["value"] == 0.412
        assert by_id["Idavidrein/gpqa"]["dataset"]["task_id"] == \
            "gpqa_diamond"
        hle = by_id["cais/hle"]
        assert hle["value"] == 20.9 and hle["date"] == "2025-01-15", hle
        assert hle["source"]["url"].startswith("https://huggingface.co/")
        assert hle["evaluation_framework"] == "hle" and \
            hle["notes"] == "no-tools", hle
    # the file imports back as the same results
    d = os.path.join(t.dir, "served-evals")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "served.yaml"), "w") as fh:
        fh.write(text)
    files = import_card(t, os.path.join(FIX, "minimal.md"), "x", d, 1, "ev")
    assert len(files) == 3, files


def test_versioned_card_is_immutable_and_cached(t):
    setup(t)
    get_card(t, "hf-minimal", 0)
    p = "/v1/models/acme/hf-minimal/versions/1/card.md"
    deadline = time.time() + 20
    while True:
        r = t.server.get(p)
        assert r.status == 200, r
        if "immutable" in (r.header("Cache-Control") or "") or \
                time.time() > deadline:
            break
        time.sleep(0.2)
    assert "immutable" in r.header("Cache-Control"), r.header("Cache-Control")
    etag = r.header("ETag")
    assert etag
    r2 = t.server.get(p, headers={"If-None-Match": etag})
    assert r2.status == 304, r2
    assert t.server.get(
        "/v1/models/acme/hf-minimal/versions/9/card.md").status == 404
    assert t.server.get(
        "/v1/models/acme/nobody/card.md").status == 404


def test_validate_says_what_a_model_card_is(t):
    p = cli("validate", os.path.join(FIX, "minimal.md"), check=False)
    assert p.returncode == 1, p
    assert "this looks like a Hugging Face model card; run " \
        "`modelfacts import hf-card" in p.stdout, p.stdout
    assert "invalid token" not in p.stdout


def test_report_names_what_was_not_mapped(t):
    p = cli("import", "hf-card", os.path.join(FIX, "unknown_fields.md"),
            "--report")
    assert "front matter: thumbnail" in p.stdout, p.stdout
    assert "no extension member" in p.stdout, p.stdout
    assert "modelfacts-v1:" in p.stdout and "still lacks" in p.stdout
    bad = os.path.join(t.dir, "bad.md")
    with open(bad, "w") as fh:
        fh.write("---\nlicense: [mit\n---\n# x\n")
    p = cli("import", "hf-card", bad, check=False)
    assert p.returncode == 1, p
    assert "front matter is not valid YAML" in p.stderr, p.stderr
