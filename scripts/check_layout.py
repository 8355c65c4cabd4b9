#!/usr/bin/env python3
"""Checks the source layout that the README's source tour describes.

1. Each I/O library is included by one folder only: libpq by db/,
   libmicrohttpd by http/, libgit2 by git/ (anywhere in the repository,
   tests and benchmarks included); db/exec.h, the part of the database
   layer that reads PGresults, by db/ alone.
2. Folders depend one way: a file in folder A may include "B/..." only
   when B comes before A in LAYERS (the order data flows through them).
   That rules out cycles between folders; a violation names the edge.
3. No folder holds more than MAX_SHARE of the C code (the folders of
   LAYERS; tests, benchmarks and generated code are not counted).

Prints one line per problem and exits 1 when there is any.
Usage: scripts/check_layout.py [ROOT]
"""
import os
import re
import sys

# Bottom to top. Pure modules first (no I/O library), then the stages in
# the order a submission flows through them, then the programs.
LAYERS = [
    "common",
    "envelope", "scoring", "validators", "merkle", "labels", "formats",
    "importers",
    "db", "git", "app", "http", "ingest", "sequencer", "publish",
    "cosigning", "api", "site", "witness", "server", "cli",
]
# Folders that may include anything below them but are not part of the
# order themselves (nothing includes them).
LEAVES = {"tests", "bench", "scripts"}
OWNERS = {
    "libpq-fe.h": "db",
    "microhttpd.h": "http",
    "git2.h": "git",
    "db/exec.h": "db",
}
MAX_SHARE = 0.22

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def sources(root):
    for dirpath, dirnames, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        top = rel.split(os.sep)[0]
        if rel != "." and (top.startswith(".") or
                           top in ("build", "var", "bin")):
            dirnames[:] = []
            continue
        for f in files:
            if f.endswith((".c", ".h")):
                yield os.path.join(rel, f), top


def owner_of(header):
    if header in OWNERS:
        return OWNERS[header]
    if header.startswith("git2/"):
        return "git"
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    problems = []
    lines = {}
    order = {name: i for i, name in enumerate(LAYERS)}
    for rel, top in sorted(sources(root)):
        with open(os.path.join(root, rel), encoding="utf-8",
                  errors="replace") as fh:
            text = fh.read()
        if top in order:
            lines[top] = lines.get(top, 0) + text.count("\n")
        elif top not in LEAVES and top != ".":
            problems.append(f"{rel}: folder '{top}' is not in LAYERS of "
                            "scripts/check_layout.py: add it where it "
                            "belongs in the data flow")
        for kind, header in INCLUDE.findall(text):
            owner = owner_of(header)
            if owner and top != owner:
                problems.append(f"{rel}: includes {header}, which only "
                                f"{owner}/ may include")
            if kind != '"' or "/" not in header:
                continue
            dep = header.split("/")[0]
            if dep == top or dep not in order or top not in order:
                continue
            if order[dep] > order[top]:
                problems.append(f"{rel}: {top}/ includes {header}, but "
                                f"{dep}/ comes after {top}/ in the data "
                                "flow (dependencies point one way)")
    total = sum(lines.values())
    for top, n in sorted(lines.items()):
        if total and n / total > MAX_SHARE:
            problems.append(f"{top}/: {n} of {total} lines of C "
                            f"({100 * n / total:.0f}%), more than "
                            f"{100 * MAX_SHARE:.0f}%: split it by concern")
    for p in problems:
        print("layout: " + p)
    if not problems:
        biggest = max(lines.items(), key=lambda kv: kv[1])
        print(f"layout: ok ({len(lines)} folders, {total} lines of C; "
              f"largest {biggest[0]}/ at {100 * biggest[1] / total:.0f}%)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
