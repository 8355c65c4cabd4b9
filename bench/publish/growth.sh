#!/bin/sh
# bench/publish/growth.sh: does publication cost per entry grow with the
# log? (issue 15, finding 3 of the fault campaign.) The fault campaign's
# load puts its whole log on a few models (one chain of versions per
# developer, every eval on one model); this loads N such entries with
# publishing off (bench/publish/pubload.c, PUBLOAD_ORGS organisations with
# PUBLOAD_MODELS models each), then starts a normal server, times the
# publisher's catch-up from entry 0 to N and prints its per-batch debug
# lines summed by slices of the log (phases_by_slice.py), so each slice's
# microseconds per entry can be compared with the first's.
#
#   bench/publish/growth.sh                      # N=12000, 4 orgs x 1 model
#   N=6000 PUBLOAD_ORGS=8 bench/publish/growth.sh
#   PUBLISHER=/path/to/old/modelfactsd bench/publish/growth.sh
# OUT=dir keeps the files elsewhere (default bench/out/publish-growth).
set -eu
cd "$(dirname "$0")/../.."
N=${N:-12000}
CLIENTS=${CLIENTS:-4}
SLICES=${SLICES:-12}
PORT=${PORT:-18491}
OUT=${OUT:-bench/out/publish-growth}
PUBLISHER=${PUBLISHER:-bin/modelfactsd}
BACKLOG=${BACKLOG:-300}
PUBLOAD_ORGS=${PUBLOAD_ORGS:-4}
PUBLOAD_MODELS=${PUBLOAD_MODELS:-1}
export PUBLOAD_ORGS PUBLOAD_MODELS
PKGS="jansson openssl libcurl libpcre2-8"

make -s all
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -I. \
	-o "$OUT/pubload" bench/publish/pubload.c build/release/libmf.a \
	$(pkg-config --cflags --libs $PKGS) -lpthread -lm

scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
rm -rf "$OUT/pg" "$OUT/state" "$OUT"/*.log
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
		--state-dir "$OUT/state" --log-level debug "$@" \
		>>"$OUT/server.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 100); do
		curl -fs -o /dev/null "$R/readyz" && return 0
		sleep 0.1
	done
	echo "server did not start" >&2
	exit 1
}

echo "== 1. $N entries on $PUBLOAD_ORGS x $PUBLOAD_MODELS models, publishing paused"
start_server bin/modelfactsd --no-git-publisher
TOKEN=$(cat "$OUT/state/admin.token")
"$OUT/pubload" load "$R" "$TOKEN" g "$N" "$CLIENTS" | tee "$OUT/load.json"
stop_server

echo "== 2. the publisher catches up ($PUBLISHER)"
FIRST=$(($(wc -l <"$OUT/server.log") + 1))
start_server "$PUBLISHER"
"$OUT/pubload" wait "$URL" "$N" 1800 | tee "$OUT/catchup.json"
python3 bench/publish/phases.py "$OUT/server.log" "$FIRST"
python3 bench/publish/phases_by_slice.py "$OUT/server.log" "$FIRST" "$SLICES"
du -sh "$OUT/state/labels.git"
stop_server

echo "== 3. a backlog of $BACKLOG entries left while nothing publishes"
start_server bin/modelfactsd --no-git-publisher
"$OUT/pubload" load "$R" "$TOKEN" b "$BACKLOG" "$CLIENTS" >"$OUT/backlog.json"
stop_server
FIRST=$(($(wc -l <"$OUT/server.log") + 1))
t0=$(date +%s.%N)
start_server "$PUBLISHER"
"$OUT/pubload" wait "$URL" $((N + BACKLOG)) 600 >/dev/null
t1=$(date +%s.%N)
awk -v n="$BACKLOG" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "backlog of %d entries at %d published %.2f s after the start\n", n, '"$N"', b - a }'
python3 bench/publish/phases.py "$OUT/server.log" "$FIRST"
