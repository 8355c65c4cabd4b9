"""The python3-jsonschema side of bench/validate/run.sh (Debian's package).
usage: python3 bench_python.py SCHEMA DOCS [URL=DIR]...
Prints "impl<TAB>mode<TAB>ops/s" lines."""
import json
import os
import sys
import time

import importlib.metadata

import jsonschema

schema_path, docs_dir, refs = sys.argv[1], sys.argv[2], sys.argv[3:]
VERSION = importlib.metadata.version("jsonschema")
seconds = float(os.environ.get("SECONDS_PER_MODE", "2"))
schema = json.load(open(schema_path))
store = {}
for r in refs:
    url, d = r.split("=", 1)
    for f in os.listdir(d):
        if f.endswith(".json"):
            store[url + f] = json.load(open(os.path.join(d, f)))
cls = jsonschema.validators.validator_for(schema)
resolver = jsonschema.RefResolver.from_schema(schema, store=store)
validator = cls(schema, resolver=resolver,
                format_checker=jsonschema.FormatChecker())
texts = [open(os.path.join(docs_dir, f)).read()
         for f in sorted(os.listdir(docs_dir)) if f.endswith(".json")]
docs = [json.loads(t) for t in texts]
for i, d in enumerate(docs):
    if not validator.is_valid(d):
        print("note: doc %d invalid for python jsonschema" % i, file=sys.stderr)


def round_ops(fn, secs):
    start = time.perf_counter()
    ops = 0
    while True:
        for i in range(4):
            fn(ops + i)
        ops += 4
        elapsed = time.perf_counter() - start
        if elapsed >= secs:
            return ops / elapsed


def measure(fn):
    """The best of 5 rounds (other load only ever slows a round down)."""
    return max(round_ops(fn, seconds / 5) for _ in range(5))


n = len(docs)
print("python-jsonschema %s\tvalidate-only (first error)\t%.1f" % (
    VERSION, measure(lambda i: validator.is_valid(docs[i % n]))))
print("python-jsonschema %s\tvalidate-only (all errors)\t%.1f" % (
    VERSION,
    measure(lambda i: list(validator.iter_errors(docs[i % n])))))
print("python-jsonschema %s\tparse+validate\t%.1f" % (
    VERSION,
    measure(lambda i: validator.is_valid(json.loads(texts[i % n])))))
