#!/bin/sh
# The fuzz smoke run of `make test`: every fuzz target for FUZZ_SECONDS
# (default 30, as issue 15 asks) each, on freshly seeded corpora. Fails
# on any crash, leak, sanitizer report or broken invariant a target
# checks for.
set -eu
cd "$(dirname "$0")/../.."
exec make -s --no-print-directory fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-30}" 2>&1
