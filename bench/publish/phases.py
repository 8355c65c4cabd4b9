#!/usr/bin/env python3
"""Where the publisher's time went: sums the per-batch debug lines
("git publisher: N entries in T ms: pending .. [trees .. merge ..]") of a
server log, from line FIRST on (1-based; default 1), and prints batches,
entries, ms per batch and microseconds per entry for each phase. The
"name ms" pairs are mf_stopwatch_format's (common/stopwatch.h): the
publisher's phases, then the git layer's in brackets.

usage: phases.py SERVER_LOG [FIRST_LINE]
"""
import re
import sys

LINE = re.compile(r"git publisher: (\d+) entries in ([\d.]+) ms:(.*)")


def main():
    path = sys.argv[1]
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    batches = entries = 0
    total_ms = 0.0
    phases = {}
    with open(path, errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = LINE.search(line) if no >= first else None
            if not m:
                continue
            batches += 1
            entries += int(m.group(1))
            total_ms += float(m.group(2))
            for name, ms in re.findall(r"(\w+) ([\d.]+)", m.group(3)):
                phases[name] = phases.get(name, 0.0) + float(ms)
    if entries == 0:
        print("no publisher timing lines (run the server with "
              "--log-level debug)")
        return
    print(f"{batches} batches, {entries} entries, "
          f"{entries / batches:.1f} entries and {total_ms / batches:.1f} ms "
          f"per batch, {total_ms * 1000 / entries:.0f} us per entry")
    print("us per entry: " + "  ".join(
        f"{k} {v * 1000 / entries:.0f}" for k, v in phases.items()))


if __name__ == "__main__":
    main()
