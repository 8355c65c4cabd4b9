#!/bin/sh
# bench/query: the query endpoints over a seeded registry (issue 11).
#
# 1. seed: MODELS models x VERSIONS signed disclosure versions, eval results
#    (self-reported and third-party) and modelfacts-v1 assessments, through
#    the real HTTP API (bench/query/seed.c), into a private cluster under
#    bench/out/query with git publication left for later
#    (--no-git-publisher);
# 2. measure: each query REQUESTS times from CLIENTS keep-alive clients
#    (bench/query/qload.c), pages of 50 rows: p50, p99, max per query;
# 3. the slowest query's SQL: EXPLAIN ANALYZE and the same statement run
#    directly in psql (PSQL_RUNS times), for the ratio server p50 / psql.
#
#   bench/query/run.sh                         (MODELS=10000 VERSIONS=5)
#   MODELS=200 VERSIONS=2 REQUESTS=40 bench/query/run.sh    (smoke size)
#   REUSE=1 bench/query/run.sh    (measure again over the last seeded data)
#
# The server, the cluster and the clients stop by themselves; every loop
# is bounded.
set -eu
cd "$(dirname "$0")/../.."
MODELS=${MODELS:-10000}
VERSIONS=${VERSIONS:-5}
SEED_THREADS=${SEED_THREADS:-8}
CLIENTS=${CLIENTS:-4}
REQUESTS=${REQUESTS:-200}
PSQL_RUNS=${PSQL_RUNS:-20}
PORT=${PORT:-18490}
OUT=${OUT:-bench/out/query}
PGBIN=/usr/lib/postgresql/15/bin
R=http://127.0.0.1:$PORT
PKGS="jansson openssl libcurl libpcre2-8"

command -v jq >/dev/null || { echo "bench/query: needs jq (apt-get install jq)" >&2; exit 2; }
make -s all
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$OUT/seed" bench/query/seed.c \
	build/release/libmf.a $(pkg-config --cflags --libs $PKGS) -lpthread -lm
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$OUT/qload" bench/query/qload.c -lpthread -lm

SERVER=
stop_server() {
	[ -n "$SERVER" ] || return 0
	kill -TERM "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}
trap 'stop_server; scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true' EXIT
start_server() {
	bin/modelfactsd --port "$PORT" --database-url "$URL" --state-dir "$OUT/state" \
		--log-level warn --no-git-publisher >>"$OUT/server.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 100); do
		curl -fs -o /dev/null "$R/readyz" && return 0
		sleep 0.1
	done
	echo "bench/query: the server did not start (see $OUT/server.log)" >&2
	exit 1
}

if [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/seeded.json" ]; then
	URL=$(scripts/pg.sh start "$OUT/pg")
	start_server
else
	scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
	rm -rf "$OUT/pg" "$OUT/state" "$OUT/seeded.json" "$OUT/server.log"
	URL=$(scripts/pg.sh start "$OUT/pg")
	start_server
	echo "== seeding $MODELS models x $VERSIONS versions ($SEED_THREADS clients)"
	"$OUT/seed" "$R" "$(cat "$OUT/state/admin.token")" examples "$MODELS" \
		"$VERSIONS" "$SEED_THREADS" >"$OUT/seeded.json" 2>"$OUT/seed.log" || {
		cat "$OUT/seed.log" >&2
		exit 1
	}
	cat "$OUT/seeded.json"
fi
SOCK=$(cd "$OUT/pg/run" && pwd)
psql() { "$PGBIN/psql" -h "$SOCK" -U modelfacts -d modelfacts -XqAt "$@"; }
psql -c "VACUUM ANALYZE"
echo "database: $(psql -c "SELECT pg_size_pretty(pg_database_size(current_database()))"), $(psql -c "SELECT count(*) FROM versions") versions, $(psql -c "SELECT count(*) FROM evals") evals, $(psql -c "SELECT count(*) FROM assessments") assessments"
