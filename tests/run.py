#!/usr/bin/env python3
"""The test runner behind `make test`.

Starts a throwaway PostgreSQL cluster (build/test/pg, never the `make run`
data), runs every unit-test binary (release, then under ASan+UBSan), the
fuzz smoke run when it is built, and every integration module
tests/integration/test_*.py against the real server, then prints one
summary whose last line is `N passed, N failed`.

Usage: tests/run.py [--only SUBSTRING]... [--skip-asan] [--keep]
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402


class Totals:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def add(self, suite, passed, failed, skipped, failures=()):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        self.failures.extend(f"{suite}: {f}" for f in failures)
        print(f"-- {suite}: {passed} passed, {failed} failed"
              + (f", {skipped} skipped" if skipped else ""), flush=True)


def run_cmocka(binary, label, totals, env):
    """Runs one cmocka binary and counts its results from its own output."""
    t0 = time.time()
    p = subprocess.run([binary], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    out = p.stdout
    passed = len(re.findall(r"^\[       OK \] ", out, re.M))
    failed_names = re.findall(r"^\[  FAILED  \] (\S+)$", out, re.M)
    skipped = len(re.findall(r"^\[  SKIPPED \] (\S+)$", out, re.M))
    failed = len(set(failed_names))
    # A crash or sanitizer report is a failure even if no test said so.
    sanitizer = re.search(r"(AddressSanitizer|LeakSanitizer|runtime error:)",
                          out)
    if p.returncode != 0 and failed == 0:
        failed = 1
        failed_names = [f"exit status {p.returncode}"]
    if sanitizer and failed == 0:
        failed = 1
        failed_names = ["sanitizer report"]
    if failed or os.environ.get("MF_TEST_VERBOSE"):
        sys.stdout.write(out)
    else:
        # Keep what tests print on purpose (counts, notes, skips), not
        # cmocka's own bracketed progress lines.
        said = [line for line in out.splitlines()
                if line.strip() and not line.startswith("[")]
        for line in said[:40]:
            print("   " + line)
        if len(said) > 40:
            print(f"   ... {len(said) - 40} more lines")
    totals.add(f"{label} ({time.time() - t0:.1f}s)", passed, failed, skipped,
               sorted(set(failed_names)))


def unit_binaries(variant):
    d = os.path.join(ROOT, "build", variant, "tests")
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.startswith("test_") and "." not in f)


def selected(name, only):
    return not only or any(o in name for o in only)


# Run a second time against the ASan+UBSan server (see main).
ASAN_SERVER_MODULES = ["test_search", "test_compare", "test_export",
                       "test_web_pages", "test_submissions",
                       # issue 14: every new endpoint and submission path
                       "test_hf_card", "test_evals_import", "test_sbom",
                       "test_eu_ai_act", "test_feeds",
                       # issue 15: hostile request lines, paths, framing
                       "test_http_hygiene", "test_signature_policy",
                       "test_hostile",
                       # issue 16: counters and JSON log lines of hostile
                       # paths
                       "test_metrics", "test_log_json",
                       # issue 17: the registry's witness client, served
                       # cosignatures and a lying witness
                       "test_witnessed"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", action="append", default=[],
                    help="run only suites whose name contains this")
    ap.add_argument("--skip-asan", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="leave the test cluster running afterwards")
    args = ap.parse_args()

    totals = Totals()
    env = dict(os.environ)
    env.setdefault("MF_SHARED_DATA", os.path.join(os.path.dirname(ROOT),
                                                  "shared", "data"))
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    if not os.path.isdir(env["MF_SHARED_DATA"]):
        print(f"note: reference data not found at {env['MF_SHARED_DATA']}:"
              " tests that need it are skipped")

    # The source checks: house formatting (clang-format) and the folder
    # layout the README's source tour describes (scripts/check_layout.py).
    for name, cmd in (("check format", ["make", "-s", "--no-print-directory",
                                        "format-check"]),
                      ("check layout", [os.path.join(ROOT, "scripts",
                                                     "check_layout.py")])):
        if selected(name, args.only):
            p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               errors="replace")
            print("   " + "\n   ".join(p.stdout.strip().splitlines()[-30:]))
            ok = p.returncode == 0
            totals.add(name, int(ok), int(not ok), 0, [] if ok else [name])

    # The fuzz smoke run: every libFuzzer target for FUZZ_SECONDS (30)
    # each; one result per target, from run_all.sh's summary lines.
    fuzz = os.path.join(ROOT, "tests", "fuzz", "run.sh")
    if os.path.exists(fuzz) and selected("fuzz", args.only):
        t0 = time.time()
        p = subprocess.run([fuzz], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        lines = re.findall(r"^fuzz (\w+): .*? (\d+) crashes$", p.stdout,
                           re.M)
        for line in p.stdout.splitlines():
            if line.startswith("fuzz "):
                print("   " + line)
        bad = [t for t, n in lines if n != "0"]
        if p.returncode != 0:
            sys.stdout.write(p.stdout[-4000:])
            if not bad:
                bad = ["fuzz run"]
        totals.add(f"fuzz ({time.time() - t0:.0f}s)",
                   len(lines) - len([t for t, n in lines if n != "0"]),
                   len(bad), 0, [f"fuzz {t}" for t in bad])

    modules = sorted(f[:-3] for f in os.listdir(os.path.join(
        ROOT, "tests", "integration")) if f.startswith("test_")
        and f.endswith(".py"))
    modules = [m for m in modules if selected(m, args.only)]
    units = [(b, f"unit {os.path.basename(b)}")
             for b in unit_binaries("release")
             if selected(os.path.basename(b), args.only)]
    if not args.skip_asan:
        units += [(b, f"asan {os.path.basename(b)}")
                  for b in unit_binaries("asan")
                  if selected("asan " + os.path.basename(b), args.only)
                  or selected(os.path.basename(b), args.only)]
    # One cluster for the run: the unit tests of the stages that use
    # PostgreSQL (tests/unit/support/pg.c) find it through MF_TEST_PGHOST.
    cluster = None
    if modules or units:
        cluster = harness.Cluster(os.path.join(ROOT, "build", "test", "pg"))
        cluster.start()
        env["MF_TEST_PGHOST"] = cluster.sock
    try:
        for b, label in units:
            run_cmocka(b, label, totals, env)
        for m in modules:
            p, f, s, names = harness.run_module(m, cluster)
            totals.add(f"integration {m}", p, f, s, names)
        # The modules that drive the request paths most varied in input
        # again, against the server built with ASan+UBSan (make test
        # builds it): a memory error or undefined behaviour aborts the
        # server, and the module fails.
        asan_server = os.path.join(ROOT, "build", "asan", "modelfactsd")
        if not args.skip_asan and os.path.exists(asan_server):
            os.environ["MF_SERVER_BIN"] = asan_server
            os.environ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
            try:
                for m in ASAN_SERVER_MODULES:
                    if m not in modules and not selected(
                            f"{m} (asan server)", args.only):
                        continue
                    p, f, s, names = harness.run_module(m, cluster)
                    totals.add(f"integration {m} (asan server)", p, f, s,
                               [f"{n} (asan server)" for n in names])
            finally:
                del os.environ["MF_SERVER_BIN"]
                del os.environ["ASAN_OPTIONS"]
    finally:
        if cluster and not args.keep:
            cluster.stop()

    print()
    if totals.failures:
        print("failed:")
        for f in totals.failures:
            print("  " + f)
    if totals.skipped:
        print(f"{totals.skipped} skipped (see the notes above)")
    print(f"{totals.passed} passed, {totals.failed} failed")
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
