#!/bin/sh
# bench/export: a 50,000-row CSV export streamed by curl, its MB/s and
# the server's RSS before, during (peak, sampled every 20 ms from /proc)
# and after. Rows are seeded with SQL (seed.sql): one organisation, 50,000
# models with one disclosure version each and modelfacts-v1 results.
# Measured: GET /v1/indices/modelfacts-v1/export (the matrix: 200
# indicator columns a row) and GET /v1/models?format=csv.
#
#   bench/export/run.sh        (ROWS=50000, RUNS=3)
set -eu
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-50000}
RUNS=${RUNS:-3}
OUT=bench/out/export
PORT=18480

make -s all
mkdir -p "$OUT"
scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
rm -rf "$OUT/pg" "$OUT/state"
URL=$(scripts/pg.sh start "$OUT/pg")
# no sequencer or publisher: the seeded rows are not in the log
bin/modelfactsd --port $PORT --database-url "$URL" --state-dir "$OUT/state" \
	--no-publisher --log-level warn >"$OUT/server.log" 2>&1 &
SERVER=$!
cleanup() {
	kill $SERVER 2>/dev/null || true
	wait $SERVER 2>/dev/null || true
	scripts/pg.sh stop "$OUT/pg"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 0.2; done

IDS=$(python3 -c 'import json; print("{" + ",".join(i["id"] for i in json.load(open("schema/indices/modelfacts-v1.json"))["indicators"]) + "}")')
SOCK=$(cd "$OUT/pg/run" && pwd)
/usr/lib/postgresql/15/bin/psql -h "$SOCK" -U modelfacts -d modelfacts -XqAt \
	-v ON_ERROR_STOP=1 -v n="$ROWS" -v ids="$IDS" -v facts=1 \
	-v payload="$(cat examples/disclosure-open.json)" -f bench/export/seed.sql

rss() { awk '/^VmRSS/ {print $2}' /proc/$SERVER/status; }

measure() { # name path
	curl -fs -o /dev/null "http://127.0.0.1:$PORT$2" # warm up
	for run in $(seq "$RUNS"); do
		before=$(rss)
		peak=$before
		curl -fs -o "$OUT/body" -w '%{size_download} %{time_total}\n' \
			"http://127.0.0.1:$PORT$2" >"$OUT/curl" &
		CURL=$!
		while kill -0 $CURL 2>/dev/null; do
			r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
			sleep 0.02
		done
		wait $CURL
		after=$(rss)
		rows=$(($(wc -l <"$OUT/body") - 1))
		read -r bytes secs <"$OUT/curl"
		awk -v n="$1" -v run="$run" -v rows="$rows" -v b="$bytes" -v s="$secs" \
			-v r0="$before" -v rp="$peak" -v r1="$after" 'BEGIN {
			printf "%-8s run %d: %d rows, %.1f MB in %.2f s = %.1f MB/s; RSS %.1f -> peak %.1f -> %.1f MiB (+%.1f MiB)\n",
				n, run, rows, b / 1e6, s, b / 1e6 / s, r0 / 1024, rp / 1024, r1 / 1024, (rp - r0) / 1024 }'
	done
}

measure matrix "/v1/indices/modelfacts-v1/export"
measure models "/v1/models?format=csv"

# The peer: PostgreSQL alone writing the matrix's rows (the same statement,
# its JSON objects unspread) with COPY ... TO STDOUT to /dev/null.
python3 - >"$OUT/matrix.sql" <<'PY'
import re
s = open("db/sql.c").read()
i = s.index("[MF_SQL_INDEX_EXPORT] =")
body = s[i:s.index('",\n', i) + 1]
q = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)).replace('\\"', '"')
print("SET jit = off;")
print("COPY (" + q.replace("$1", "'modelfacts-v1'").replace("$2", "NULL")
      + ") TO STDOUT;")
PY
for run in $(seq "$RUNS"); do
	t0=$(date +%s.%N)
	/usr/lib/postgresql/15/bin/psql -h "$SOCK" -U modelfacts -d modelfacts -XqAt \
		-f "$OUT/matrix.sql" >"$OUT/copy.out"
	t1=$(date +%s.%N)
	awk -v b="$(wc -c <"$OUT/copy.out")" -v t0="$t0" -v t1="$t1" -v run="$run" 'BEGIN {
		printf "COPY     run %d: %.1f MB (jsonb text) in %.2f s\n", run, b / 1e6, t1 - t0 }'
done
