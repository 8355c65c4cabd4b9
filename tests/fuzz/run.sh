#!/bin/sh
# The fuzz smoke run of `make test`: the JSON Schema fuzz target for
# FUZZ_SECONDS (default 60) on a freshly seeded corpus. Fails on any crash,
# leak, sanitizer report or disagreement the target checks for.
set -eu
cd "$(dirname "$0")/../.."
exec make -s --no-print-directory fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-60}" 2>&1
