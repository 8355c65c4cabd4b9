#!/bin/sh
# bench/ingest: signed submissions per second end to end (HTTP, signature
# verification, JSON parsing, schema validation, scoring, commit, log
# sequencing and the wait for a signed checkpoint) with 1, 4 and 16
# clients, beside raw pgbench running the same INSERTs against the same
# kind of cluster with the same durability settings, in the same run.
#
#   bench/ingest/run.sh            (N=4000 submissions per client count)
#   N=8000 CLIENTS="1 4 16" bench/ingest/run.sh
#   SERVER_FLAGS=--no-git-publisher bench/ingest/run.sh   (git publication
#     left for later: what acceptance alone costs)
#   NODES=2 bench/ingest/run.sh    (two modelfactsd on the one database and
#     git directory, README "Several nodes"; the clients spread over them)
set -eu
cd "$(dirname "$0")/../.."
N=${N:-4000}
CLIENTS=${CLIENTS:-"1 4 16"}
SECONDS_PGBENCH=${SECONDS_PGBENCH:-10}
NODES=${NODES:-1}
OUT=bench/out/ingest
PGBIN=/usr/lib/postgresql/15/bin

make -s all
mkdir -p "$OUT"
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$OUT/loadgen" bench/ingest/loadgen.c \
	build/release/libmf.a $(pkg-config --cflags --libs jansson openssl libcurl libpcre2-8) -lpthread -lm

# A fresh cluster with default durability (fsync and synchronous_commit on).
scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
rm -rf "$OUT/pg" "$OUT/state" "$OUT"/state[0-9]*
URL=$(scripts/pg.sh start "$OUT/pg")
SOCK=$(cd "$OUT/pg/run" && pwd)
psql() { "$PGBIN/psql" -h "$SOCK" -U modelfacts -XqAt "$@"; }
psql -d postgres -c "CREATE DATABASE bench_pg"
PGURL="host=$SOCK dbname=bench_pg user=modelfacts"

bin/modelfactsd --port 18480 --database-url "$URL" --state-dir "$OUT/state" \
	--log-level warn ${SERVER_FLAGS:-} >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; scripts/pg.sh stop "$OUT/pg"' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null http://127.0.0.1:18480/readyz && break; sleep 0.2; done
TOKEN=$(cat "$OUT/state/admin.token")
# More nodes: the first one's keys, its git directory, ports 18481...
URLS=http://127.0.0.1:18480
i=1
while [ "$i" -lt "$NODES" ]; do
	mkdir -p "$OUT/state$i" && chmod 700 "$OUT/state$i"
	cp -p "$OUT/state/admin.token" "$OUT/state/log.key" "$OUT/state/commit.key" "$OUT/state$i/"
	bin/modelfactsd --port $((18480 + i)) --database-url "$URL" --state-dir "$OUT/state$i" \
		--git-dir "$OUT/state/labels.git" --log-level warn ${SERVER_FLAGS:-} \
		>"$OUT/server$i.log" 2>&1 &
	SERVER="$SERVER $!"
	for _ in $(seq 50); do curl -fs -o /dev/null http://127.0.0.1:$((18480 + i))/readyz && break; sleep 0.2; done
	URLS="$URLS http://127.0.0.1:$((18480 + i))"
	i=$((i + 1))
done
export LOADGEN_URLS="$URLS"

# pgbench's schema: the registry's own migrations, organisations pg1..pg64
# and one document row with the same envelope and payload the load uses.
bin/modelfactsd --database-url "$PGURL" --migrate-only >/dev/null 2>&1
"$OUT/loadgen" http://127.0.0.1:18480 "$TOKEN" examples/disclosure-open.json 1 1 probe >/dev/null
psql -d "$URL" -c "COPY (SELECT encode(envelope, 'base64'), payload, (SELECT scores FROM versions LIMIT 1) FROM submissions LIMIT 1) TO STDOUT" >"$OUT/doc.tsv"
psql -d bench_pg -c "CREATE TABLE bench_doc_raw (env text, payload json, scores jsonb)" \
	-c "\\copy bench_doc_raw FROM '$OUT/doc.tsv'" \
	-c "CREATE TABLE bench_doc AS SELECT decode(replace(env, E'\\n', ''), 'base64') AS envelope, payload::text AS payload, scores, repeat('a', 64) AS keyid FROM bench_doc_raw" \
	-c "ALTER TABLE bench_doc ALTER envelope SET STORAGE EXTERNAL, ALTER payload SET STORAGE EXTERNAL, ALTER scores SET STORAGE EXTERNAL" \
	-c "UPDATE bench_doc SET envelope = envelope || ''::bytea, payload = payload || '', scores = scores || '{}'::jsonb" \
	-c "INSERT INTO orgs (org, name, role) SELECT 'pg' || g, 'pg', 'developer' FROM generate_series(0, 63) g"

printf '\n%-8s %14s %10s %10s %14s %8s\n' clients "modelfacts/s" "p50 ms" "p99 ms" "pgbench tps" ratio
for c in $CLIENTS; do
	per=$((N / c))
	res=$("$OUT/loadgen" http://127.0.0.1:18480 "$TOKEN" examples/disclosure-open.json "$c" "$per" "c$c")
	rate=$(echo "$res" | sed 's/.*"per_second": \([0-9]*\).*/\1/')
	p50=$(echo "$res" | sed 's/.*"p50_ms": \([0-9.]*\).*/\1/')
	p99=$(echo "$res" | sed 's/.*"p99_ms": \([0-9.]*\).*/\1/')
	tps=$("$PGBIN/pgbench" -n -h "$SOCK" -U modelfacts -c "$c" -j "$([ "$c" -lt 2 ] && echo 1 || echo 2)" -T "$SECONDS_PGBENCH" \
		-f bench/ingest/pgbench.sql bench_pg 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1)
	printf '%-8s %14s %10s %10s %14s %8s\n' "$c" "$rate" "$p50" "$p99" "$tps" \
		"$(awk -v a="$rate" -v b="$tps" 'BEGIN { printf "%.2f", a / b }')"
	echo "$res" >>"$OUT/results.jsonl"
done
echo
echo "nodes: $NODES ($URLS)"
echo "payload: examples/disclosure-open.json (~$(wc -c <examples/disclosure-open.json) bytes), Ed25519 signatures"
