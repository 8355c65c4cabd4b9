#!/bin/sh
# bench/publish: the real git publisher end to end (see RESULTS.md).
#
#  1. A private PostgreSQL cluster (default durability) and a server that
#     sequences the log but does not publish (--no-git-publisher); N signed
#     entries go in through the HTTP API (bench/publish/pubload.c).
#  2. A normal server starts and catches up: the publisher's commits/s,
#     from its own records in table publications.
#  3. `git fast-import` writes the same trees (fast-export of the
#     published repository, which has no signatures) in the same run; the
#     root trees and tag counts must match.
#  4. For each rate in RATES, LAG_S seconds of submissions at that rate
#     against the running server, while a poller reads info/refs every
#     20 ms ($POLL_MS): accept (HTTP 201) -> commit visible in info/refs.
# After phases 2 and 4, phases.py sums the publisher's per-batch timings
# (the server runs with --log-level debug unless LOG_LEVEL says otherwise).
#
#   bench/publish/run.sh
#   N=5000 RATES="100 200 300" LAG_S=30 PERF=1 bench/publish/run.sh
# PERF=1 records the catch-up with perf (bench/out/publish-e2e/perf.data).
# PUBLISHER=/path/to/modelfactsd runs phases 2 and 4 with another build
# (e.g. an older version, for a baseline); phase 1 always uses bin/.
# OUT=dir keeps the run's files elsewhere (default bench/out/publish-e2e).
set -eu
cd "$(dirname "$0")/../.."
N=${N:-5000}
CLIENTS=${CLIENTS:-8}
RATES=${RATES:-"100 200 250 300"}
LAG_S=${LAG_S:-30}
PORT=${PORT:-18490}
OUT=${OUT:-bench/out/publish-e2e}
PUBLISHER=${PUBLISHER:-bin/modelfactsd}
PGBIN=/usr/lib/postgresql/15/bin
PKGS="jansson openssl libcurl libpcre2-8"

make -s all
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -I. \
	-o "$OUT/pubload" bench/publish/pubload.c build/release/libmf.a \
	$(pkg-config --cflags --libs $PKGS) -lpthread -lm

scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
rm -rf "$OUT/pg" "$OUT/state" "$OUT/fast-import.git" "$OUT"/*.log
URL=$(scripts/pg.sh start "$OUT/pg")
R=http://127.0.0.1:$PORT
SERVER=
stop_server() {
	[ -n "$SERVER" ] || return 0
	kill -TERM "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}
trap 'stop_server; scripts/pg.sh stop "$OUT/pg"' EXIT
start_server() { # binary, extra flags...
	bin=$1
	shift
	"$bin" --port "$PORT" --database-url "$URL" \
		--state-dir "$OUT/state" --log-level "${LOG_LEVEL:-debug}" "$@" \
		>>"$OUT/server.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 100); do
		curl -fs -o /dev/null "$R/readyz" && return 0
		sleep 0.1
	done
	echo "server did not start" >&2
	exit 1
}

# CPU seconds (user + system) of the server's publisher thread so far
pub_cpu() {
	for t in /proc/"$SERVER"/task/*; do
		if [ "$(cat "$t/comm")" = mf-publisher ]; then
			awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "$t/stat"
		fi
	done
}
cpu_line() { # label, cpu before, entries
	awk -v l="$1" -v a="$2" -v b="$(pub_cpu)" -v n="$3" 'BEGIN {
		printf "%s: publisher thread %.2f s of CPU, %.0f us per entry\n", l, b - a, (b - a) * 1e6 / n }'
}

echo "machine: $(nproc) cores, $(uname -sr), $(git --version), libgit2 $(pkg-config --modversion libgit2)"
echo "== 1. $N entries in with publishing paused ($CLIENTS clients)"
start_server bin/modelfactsd --no-git-publisher
TOKEN=$(cat "$OUT/state/admin.token")
"$OUT/pubload" load "$R" "$TOKEN" l "$N" "$CLIENTS" | tee "$OUT/load.json"
stop_server

echo "== 2. the publisher catches up ($PUBLISHER)"
start_server "$PUBLISHER"
PID=$SERVER
if [ "${PERF:-0}" = 1 ]; then
	perf record -q -F 1999 -g -p "$PID" -o "$OUT/perf.data" 2>/dev/null &
	PERFPID=$!
fi
FIRST=$(($(wc -l <"$OUT/server.log") + 1))
"$OUT/pubload" wait "$URL" "$N" | tee "$OUT/catchup.json"
cpu_line "catch-up" 0 "$N"
python3 bench/publish/phases.py "$OUT/server.log" "$FIRST"
if [ "${PERF:-0}" = 1 ]; then
	kill -INT "$PERFPID"
	wait "$PERFPID" || true
fi
CPU=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$PID/stat")
echo "server CPU so far (startup, catch-up): ${CPU} s"

echo "== 3. git fast-import, the same trees"
REPO=$OUT/state/labels.git
# git 2.39's fast-export leaves commit signatures out
git --git-dir="$REPO" fast-export --all >"$OUT/stream.fi"
git init -q --bare -b main "$OUT/fast-import.git"
t0=$(date +%s.%N)
git --git-dir="$OUT/fast-import.git" fast-import --quiet <"$OUT/stream.fi"
t1=$(date +%s.%N)
fi_rate=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
echo "git fast-import: $N commits in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s: $fi_rate commits/s ($(wc -c <"$OUT/stream.fi") bytes of stream)"
[ "$(git --git-dir="$REPO" rev-parse 'main^{tree}')" = \
	"$(git --git-dir="$OUT/fast-import.git" rev-parse 'main^{tree}')" ] ||
	{ echo "FAIL: fast-import's tree differs"; exit 1; }
[ "$(git --git-dir="$REPO" tag -l | wc -l)" = \
	"$(git --git-dir="$OUT/fast-import.git" tag -l | wc -l)" ] ||
	{ echo "FAIL: tag counts differ"; exit 1; }
pub_rate=$(sed 's/.*"commits_per_second": \([0-9.]*\).*/\1/' "$OUT/catchup.json")
echo "publisher / fast-import: $(awk -v a="$pub_rate" -v b="$fi_rate" 'BEGIN { printf "%.2f", a / b }')"
git --git-dir="$REPO" fsck --strict --no-dangling >/dev/null 2>&1 ||
	{ echo "FAIL: fsck"; exit 1; }
git --git-dir="$REPO" -c gpg.ssh.allowedSignersFile=/dev/null \
	cat-file commit main | grep -q '^gpgsig ' ||
	{ echo "FAIL: unsigned commits"; exit 1; }

echo "== 4. publication lag at fixed ingest rates (${LAG_S} s each)"
for rate in $RATES; do
	FIRST=$(($(wc -l <"$OUT/server.log") + 1))
	C0=$(pub_cpu)
	"$OUT/pubload" rate "$R" "$TOKEN" "r$rate" "$((rate * LAG_S))" \
		"$CLIENTS" "$rate" "$URL" | tee -a "$OUT/lag.jsonl"
	cpu_line "$rate/s" "$C0" "$((rate * LAG_S))"
	python3 bench/publish/phases.py "$OUT/server.log" "$FIRST"
done
stop_server
echo "repository: $(du -sh "$REPO" | cut -f1), $(ls "$REPO/objects/pack" | grep -c '\.pack$') packs, $(git --git-dir="$REPO" rev-list --count main) commits"
