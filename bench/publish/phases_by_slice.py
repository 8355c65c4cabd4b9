#!/usr/bin/env python3
"""The publisher's per-batch debug lines (see phases.py) grouped by where
in the log each batch was: the entries from line FIRST on are cut into
SLICES equal slices of the log, and each slice's microseconds per entry
are printed, in total and per phase, so that a cost growing with the log
shows (bench/publish/growth.sh).

usage: phases_by_slice.py SERVER_LOG [FIRST_LINE] [SLICES]
"""
import re
import sys

LINE = re.compile(r"git publisher: (\d+) entries in ([\d.]+) ms:(.*)")


def batches(path, first):
    with open(path, errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = LINE.search(line) if no >= first else None
            if m:
                yield (int(m.group(1)), float(m.group(2)),
                       re.findall(r"(\w+) ([\d.]+)", m.group(3)))


def main():
    path = sys.argv[1]
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    nslices = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rows = list(batches(path, first))
    total = sum(n for n, _, _ in rows)
    if total == 0:
        print("no publisher timing lines (--log-level debug)")
        return
    width = max(1, -(-total // nslices))
    slices = {}
    at = 0
    for n, ms, phases in rows:
        s = slices.setdefault(at // width, {"n": 0, "ms": 0.0, "ph": {}})
        s["n"] += n
        s["ms"] += ms
        for name, v in phases:
            s["ph"][name] = s["ph"].get(name, 0.0) + float(v)
        at += n
    names = list(slices[0]["ph"].keys())
    print("entries         us/entry  " + " ".join(f"{k:>7}" for k in names))
    for i in sorted(slices):
        s = slices[i]
        lo = i * width
        print(f"{lo:>6}-{lo + s['n'] - 1:<7} {s['ms'] * 1000 / s['n']:>9.0f}  "
              + " ".join(f"{s['ph'].get(k, 0) * 1000 / s['n']:>7.0f}"
                         for k in names))


if __name__ == "__main__":
    main()
