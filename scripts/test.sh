#!/bin/sh
# `make test` after the builds: runs every suite through tests/run.py,
# whose last line is `N passed, N failed`.
set -eu
exec python3 tests/run.py "$@"
