"""`modelfacts validate --schema` as a user calls it: the official JSON
Schema Test Suite (MF_SHARED_DATA/json-schema-test-suite, read in place)
through the real CLI, one process per case. Each case's schema and
instance are written to files, the CLI runs on them, and its exit status
(0 valid, 1 invalid) must be the suite's answer, for every required case
of draft 2020-12 and draft-07. Also: the flags (--draft, --assert-format),
"\\u0000" in general mode, and the help text.

Runnable alone too: `python3 tests/integration/test_validate_schema_cli.py
[draft2020-12|draft7]` prints the failures."""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, SHARED, Skip  # noqa: E402

# MF_CLI_BIN: another build of the CLI, e.g. build/asan/modelfacts (run
# with ASAN_OPTIONS=exitcode=99 so a report cannot pass for "invalid")
CLI = os.environ.get("MF_CLI_BIN") or os.path.join(ROOT, "bin", "modelfacts")
SUITE = os.path.join(SHARED, "json-schema-test-suite")
DRAFTS = (("draft2020-12", "2020-12"), ("draft7", "7"))
# A small pool: the machine may be shared, and each case is one short
# process (start-up, compile, validate).
WORKERS = 4


def suite_or_skip():
    if not os.path.isdir(os.path.join(SUITE, "tests")):
        raise Skip(f"JSON Schema Test Suite not found at {SUITE} "
                   "(set MF_SHARED_DATA)")


def write_json(path, value):
    # ensure_ascii: "\u0000" and every non-ASCII character as an escape
    with open(path, "w") as f:
        json.dump(value, f, ensure_ascii=True)


def cases(suite_dir, work):
    """Yields (label, schema path, instance path, expected validity) for
    every case of the required files, writing the files under work."""
    files = sorted(f for f in os.listdir(suite_dir) if f.endswith(".json"))
    for name in files:
        with open(os.path.join(suite_dir, name)) as f:
            groups = json.load(f)
        for gi, group in enumerate(groups):
            gdir = os.path.join(work, name[:-5], str(gi))
            os.makedirs(gdir)
            schema = os.path.join(gdir, "schema.json")
            write_json(schema, group["schema"])
            for ti, test in enumerate(group["tests"]):
                inst = os.path.join(gdir, f"{ti}.json")
                write_json(inst, test["data"])
                yield (f"{name} | {group['description']} | "
                       f"{test['description']}", schema, inst,
                       test["valid"])


def run_case(draft_flag, case):
    label, schema, inst, want = case
    p = subprocess.run(
        [CLI, "validate", "--schema", schema, "--draft", draft_flag,
         "--ref", "http://localhost:1234/=" + os.path.join(SUITE, "remotes"),
         inst],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        errors="replace")
    ok = p.returncode == (0 if want else 1)
    why = "" if ok else (f"{label}: expected {'valid' if want else 'invalid'}"
                         f", exit {p.returncode}: "
                         f"{(p.stderr or p.stdout).strip()[:300]}")
    return ok, why


def run_draft(draft, draft_flag, base=None):
    """Runs every required case of one draft, with its files in a fresh
    directory under base; returns (passed, failures)."""
    work = tempfile.mkdtemp(prefix=f"jsts-{draft}-", dir=base)
    try:
        todo = list(cases(os.path.join(SUITE, "tests", draft), work))
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(lambda c: run_case(draft_flag, c), todo))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failures = [why for ok, why in results if not ok]
    return len(results) - len(failures), failures


def check_draft(t, draft, draft_flag):
    suite_or_skip()
    t0 = time.time()
    passed, failures = run_draft(draft, draft_flag, t.dir)
    print(f"   {draft} required, one CLI process per case: {passed} passed, "
          f"{len(failures)} failed ({time.time() - t0:.1f}s)")
    for why in failures[:20]:
        print("     FAIL " + why)
    # the suite has well over a thousand required cases per draft
    assert passed + len(failures) > 500, passed
    assert not failures, f"{len(failures)} cases failed"


def test_suite_draft2020_12(t):
    check_draft(t, "draft2020-12", "2020-12")


def test_suite_draft7(t):
    check_draft(t, "draft7", "7")


def cli(*args, input=None):
    return subprocess.run([CLI, "validate", *args], input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def files(t, name, schema, *instances):
    d = os.path.join(t.dir, name)
    os.makedirs(d, exist_ok=True)
    paths = [os.path.join(d, "schema.json")]
    with open(paths[0], "w") as f:
        f.write(schema)
    for i, text in enumerate(instances):
        paths.append(os.path.join(d, f"{i}.json"))
        with open(paths[-1], "w") as f:
            f.write(text)
    return paths


def test_draft_flag(t):
    # items as an array: draft-07 checks positions, 2020-12 refuses an
    # array there (it is prefixItems now), so the flag visibly matters
    s, ok, bad = files(t, "draft", '{"items": [{"type": "string"}]}',
                       '["a", 1]', '[1]')
    r = cli("--schema", s, "--draft", "7", ok, bad)
    assert r.returncode == 1, r
    assert f"{ok}: valid" in r.stdout and f"{bad}: invalid" in r.stdout, r
    r = cli("--schema", s, "--draft", "2020-12", ok)
    assert r.returncode == 2 and "items" in r.stderr, r
    r = cli("--schema", s, ok)  # default 2020-12
    assert r.returncode == 2, r
    # $schema wins over --draft
    s2, inst = files(t, "draft2", '{"$schema": '
                     '"http://json-schema.org/draft-07/schema#", '
                     '"items": [{"type": "string"}]}', '["a", 1]')
    assert cli("--schema", s2, "--draft", "2020-12", inst).returncode == 0
    r = cli("--schema", s, "--draft", "6", ok)
    assert r.returncode == 2 and "--draft wants 2020-12 or 7" in r.stderr, r
    r = cli("--schema", s, ok, "--draft")
    assert r.returncode != 0


def test_format_policy(t):
    s, good, bad = files(t, "format", '{"format": "date"}',
                         '"2026-02-28"', '"2026-02-30"')
    # 2020-12: an annotation unless --assert-format
    assert cli("--schema", s, good, bad).returncode == 0
    r = cli("--schema", s, "--assert-format", good, bad)
    assert r.returncode == 1 and f"{bad}: invalid" in r.stdout, r
    assert f"{good}: valid" in r.stdout, r
    # draft-07: asserted, as before
    assert cli("--schema", s, "--draft", "7", bad).returncode == 1
    assert cli("--schema", s, "--draft", "7", good).returncode == 0
    # a format we do not know is an annotation even when asserting
    s2, inst = files(t, "format2", '{"format": "hostname"}', '"-bad-"')
    assert cli("--schema", s2, "--assert-format", inst).returncode == 0


def test_nul_in_strings(t):
    s, same, other = files(t, "nul", '{"const": "a\\u0000b"}',
                           '"a\\u0000b"', '"a\\u0000c"')
    r = cli("--json", "--schema", s, same, other)
    assert r.returncode == 1, r
    out = json.loads(r.stdout)
    assert [x["valid"] for x in out["results"]] == [True, False], out
    # a raw NUL byte is still not JSON, nor is a duplicate key
    d = os.path.join(t.dir, "nul")
    with open(os.path.join(d, "raw.json"), "wb") as f:
        f.write(b'"a\\u0000"\x00')
    r = cli("--schema", s, os.path.join(d, "raw.json"))
    assert r.returncode == 2 and "NUL byte" in r.stderr, r
    with open(os.path.join(d, "dup.json"), "w") as f:
        f.write('{"a\\u0000": 1, "a": 1, "a": 2}')
    assert cli("--schema", s, os.path.join(d, "dup.json")).returncode == 2
    # the registry's own documents still refuse it
    doc = os.path.join(d, "disclosure.json")
    with open(os.path.join(ROOT, "examples", "disclosure-open.json")) as f:
        text = f.read()
    with open(doc, "w") as f:
        f.write(text.replace('"name": "', '"name": "\\u0000', 1))
    r = subprocess.run([CLI, "validate", doc], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode != 0 and "u0000" in r.stdout, r


def test_meta_schemas_built_in(t):
    # a schema checked against its meta-schema, offline
    s, ok, bad = files(t, "meta",
                       '{"$ref": "https://json-schema.org/draft/2020-12/'
                       'schema"}', '{"properties": {"a": {"minimum": 1}}}',
                       '{"properties": {"a": {"minimum": "1"}}}')
    r = cli("--schema", s, ok, bad)
    assert r.returncode == 1 and f"{ok}: valid" in r.stdout, r
    assert "/properties/a/minimum" in r.stdout, r
    s7, bad7 = files(t, "meta7", '{"$ref": '
                     '"http://json-schema.org/draft-07/schema#"}',
                     '{"required": "a"}')
    r = cli("--schema", s7, bad7)
    assert r.returncode == 1 and "/required" in r.stdout, r
    # our own document schemas are valid 2020-12 schemas
    for name in ("common", "disclosure", "eval-result", "assessment",
                 "key-event", "index"):
        path = os.path.join(ROOT, "schema", f"{name}.v1.json")
        r = cli("--schema", s, path)
        assert r.returncode == 0, (name, r.stdout)


# Keywords and a value of the wrong kind for each, to make schemas that
# the meta-schemas must refuse (and some that they must still accept).
MUTATIONS = {
    "type": [1, [], ["string", "string"], "text", ["integer"]],
    "minLength": [-1, 1.5, "1", 2.0], "maxItems": [-3, None],
    "required": ["a", [1], ["a", "a"], []], "enum": [{}, []],
    "multipleOf": [0, -2, "2", 0.5], "minimum": ["0", 0.5],
    "properties": [[], {"a": 1}, {"a": {"type": 2}}],
    "items": [1, [], [{"type": 3}], {"minItems": -1}],
    "allOf": [[], {}, [1], [{"maxLength": "x"}]],
    "pattern": [1, "^a"], "uniqueItems": ["yes", False],
    "$id": [1, "http://example.com/x#frag", "http://example.com/x#"],
    "$anchor": ["1abc", "ok_name"], "$defs": [[], {"a": {"not": 1}}],
    "definitions": [{"a": {"enum": 1}}], "dependencies": [{"a": 1}],
    "dependentRequired": [{"a": "b"}, {"a": ["b"]}],
    "contains": [{"minimum": "1"}], "minContains": [-1, 0],
    "title": [1], "deprecated": ["no"], "$comment": [{}],
    "additionalProperties": [{"required": "x"}, "false"],
    "unevaluatedProperties": [{"type": ["array", 4]}],
    "contentSchema": [{"minItems": -1}], "$vocabulary": [{"x": 1}],
}


def subschemas(value, out):
    """Every object in a JSON value (schemas and non-schemas alike)."""
    if isinstance(value, dict):
        out.append(value)
        for v in value.values():
            subschemas(v, out)
    elif isinstance(value, list):
        for v in value:
            subschemas(v, out)


def candidates(draft):
    """The suite's schemas, their nested objects, and mutated copies."""
    found = []
    d = os.path.join(SUITE, "tests", draft)
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name)) as f:
                for group in json.load(f):
                    subschemas(group["schema"], found)
    seen, out = set(), []
    for schema in found:
        variants = [schema]
        for kw, values in MUTATIONS.items():
            if kw in schema or len(out) % 7 == 0:
                variants += [dict(schema, **{kw: v}) for v in values]
        for v in variants:
            key = json.dumps(v, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(v)
    return out


def test_meta_schemas_agree_with_python_jsonschema(t):
    """Our own meta-schemas (schema/meta/) against the published ones, as
    python-jsonschema bundles them: on the suite's schemas and thousands
    of mutated copies, both say the same about which are valid schemas."""
    suite_or_skip()
    try:
        import jsonschema
    except ImportError:
        raise Skip("python3-jsonschema is not installed")
    for draft, meta_uri, cls in (
            ("draft2020-12", "https://json-schema.org/draft/2020-12/schema",
             jsonschema.Draft202012Validator),
            ("draft7", "http://json-schema.org/draft-07/schema#",
             jsonschema.Draft7Validator)):
        reference = cls(cls.META_SCHEMA)
        todo = candidates(draft)
        d = os.path.join(t.dir, "meta-" + draft)
        os.makedirs(d, exist_ok=True)
        schema = os.path.join(d, "meta.json")
        write_json(schema, {"$ref": meta_uri})
        paths = []
        for i, c in enumerate(todo):
            paths.append(os.path.join(d, f"{i}.json"))
            write_json(paths[-1], c)
        ours = {}
        for i in range(0, len(paths), 400):
            r = cli("--json", "--schema", schema, *paths[i:i + 400])
            assert r.returncode in (0, 1), r.stderr
            for res in json.loads(r.stdout)["results"]:
                ours[res["file"]] = res["valid"]
        differ = []
        for path, c in zip(paths, todo):
            theirs = reference.is_valid(c)
            if ours[path] != theirs:
                differ.append(f"{json.dumps(c)[:200]}: ours "
                              f"{ours[path]}, python-jsonschema {theirs}")
        n_bad = sum(1 for p in paths if not ours[p])
        print(f"   {draft} meta-schema: {len(todo)} schemas, {n_bad} "
              f"refused, {len(differ)} disagreements")
        for x in differ[:10]:
            print("     DIFFER " + x)
        assert len(todo) > 1000 and n_bad > 200, (len(todo), n_bad)
        assert not differ


def test_help(t):
    r = cli("--schema", "x.json", "--help")
    assert r.returncode == 0, r
    for flag in ("--schema", "--draft", "--assert-format", "--ref", "--json",
                 "--help"):
        assert flag in r.stdout, flag
    lines = r.stdout.splitlines()
    i = lines.index("examples:")
    examples = [x for x in lines[i + 1:] if x.startswith("  modelfacts ")]
    assert len(examples) >= 2, lines[i:]


if __name__ == "__main__":
    only = sys.argv[1:] or [d for d, _ in DRAFTS]
    for d, flag in DRAFTS:
        if d in only:
            passed, failures = run_draft(d, flag)
            for why in failures:
                print("FAIL " + why)
            print(f"{d}: {passed} passed, {len(failures)} failed")
