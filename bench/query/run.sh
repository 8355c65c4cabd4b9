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
#    A query stops after QUERY_SECONDS (30) and reports the requests it
#    made (a query at 20 ms makes its REQUESTS in a few seconds); each sort
#    is timed over pages 1 to PAGES (2), both directions.
#
#   bench/query/run.sh                         (MODELS=10000 VERSIONS=5)
#   MODELS=200 VERSIONS=2 REQUESTS=40 bench/query/run.sh    (smoke size)
#   REUSE=1 bench/query/run.sh    (measure again over the last seeded data)
#   REUSE=1 PG_JIT=off bench/query/run.sh   (the same, JIT compilation off)
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
QUERY_SECONDS=${QUERY_SECONDS:-30}
PAGES=${PAGES:-2}
PORT=${PORT:-18490}
OUT=${OUT:-bench/out/query}
PGBIN=/usr/lib/postgresql/15/bin
PG_JIT=${PG_JIT:-}   # "off": the bench cluster without JIT compilation (a diagnostic)
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
if [ -n "$PG_JIT" ]; then
	psql -c "ALTER SYSTEM SET jit = $PG_JIT" -c "SELECT pg_reload_conf()" >/dev/null
else
	psql -c "ALTER SYSTEM RESET jit" -c "SELECT pg_reload_conf()" >/dev/null
fi
echo "jit: $(psql -c "SHOW jit")"
psql -c "VACUUM ANALYZE"
echo "database: $(psql -c "SELECT pg_size_pretty(pg_database_size(current_database()))"), $(psql -c "SELECT count(*) FROM versions") versions, $(psql -c "SELECT count(*) FROM evals") evals, $(psql -c "SELECT count(*) FROM assessments") assessments"

# ---------------------------------------------------------------- queries
# Subjects for the per-model queries: models with evals and assessments.
ORG=$(psql -c "SELECT org FROM models ORDER BY org LIMIT 1")
ASSESSOR=$(psql -c "SELECT org FROM orgs WHERE role = 'assessor' ORDER BY org LIMIT 1")
MODELS4=$(psql -c "SELECT string_agg(org || '/' || model, ' ') FROM (SELECT DISTINCT e.org, e.model FROM evals e JOIN assessments a USING (org, model) ORDER BY 1, 2 LIMIT 16) x")
BENCH=$(psql -c "SELECT benchmark || ' ' || metric FROM evals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
Q=$OUT/queries.tsv
L='limit=50'
{
	for q in granite 'orion instruct' medical gran larchwood 'multilingual translation' kestrel 'vision 70b'; do
		printf 'free text q=\t/v1/models?%s&q=%s\n' "$L" "$(printf %s "$q" | sed 's/ /%20/g')"
	done
	printf 'filter org\t/v1/models?%s&org=%s\n' "$L" "$ORG"
	printf 'filter input\t/v1/models?%s&input=image\n' "$L"
	printf 'filter output\t/v1/models?%s&output=audio\n' "$L"
	printf 'filter access\t/v1/models?%s&access=open_weights\n' "$L"
	printf 'filter license\t/v1/models?%s&license=Apache-2.0\n' "$L"
	printf 'filter released_from/to\t/v1/models?%s&released_from=2024-01-01&released_to=2024-12-31\n' "$L"
	printf 'filter min/max_parameters\t/v1/models?%s&min_parameters=7e9&max_parameters=7e10\n' "$L"
	printf 'filter min_score\t/v1/models?%s&min_score=50\n' "$L"
	printf 'filter score, judge=auto\t/v1/models?%s&judge=auto&min_score=50\n' "$L"
	printf 'filter indicator status\t/v1/models?%s&indicator=modelfacts-v1/data-size&status=not_met\n' "$L"
	printf 'filter benchmark value\t/v1/models?%s&benchmark=%s&metric=%s&min_value=0.5\n' "$L" ${BENCH}
	printf 'filter assessed_by\t/v1/models?%s&assessed_by=%s\n' "$L" "$ASSESSOR"
	printf 'three filters\t/v1/models?%s&access=open_weights&min_parameters=7e9&indicator=modelfacts-v1/data-size&status=not_met\n' "$L"
	printf 'three filters\t/v1/models?%s&input=image&released_from=2023-01-01&min_score=40\n' "$L"
	printf 'three filters, sort=-score\t/v1/models?%s&access=open_weights&min_parameters=7e9&indicator=modelfacts-v1/data-size&status=not_met&sort=-score\n' "$L"
	# each sort, both directions, pages 1 to PAGES (by cursor)
	for s in id name release_date parameters score updated; do
		for d in "" -; do
			[ "$s$d" = id- ] && continue
			p="/v1/models?$L&sort=$d$s"
			printf 'sort=%s\t%s\n' "$s" "$p"
			for _ in $(seq 2 "$PAGES"); do
				c=$(curl -fs "$R$p" | jq -r '.cursor // empty')
				[ -n "$c" ] || break
				p="/v1/models?$L&sort=$d$s&cursor=$c"
				printf 'sort=%s\t%s\n' "$s" "$p"
			done
		done
	done
	# compare 4 models: four groups of four
	set -- $MODELS4
	while [ $# -ge 4 ]; do
		printf 'compare 4 models\t/v1/compare?model=%s&model=%s&model=%s&model=%s\n' "$1" "$2" "$3" "$4"
		shift 4
	done
	psql -c "SELECT benchmark || chr(9) || metric FROM evals GROUP BY 1 ORDER BY count(*) DESC" |
		while IFS="$(printf '\t')" read -r b m; do
			printf 'leaderboard page\t/v1/benchmarks/%s?metric=%s&%s\n' "$b" "$m" "$L"
		done
	psql -c "SELECT '/v1/models/' || m.org || '/' || m.model || '/versions/' || m.head_version || '/judgements' FROM models m WHERE EXISTS (SELECT 1 FROM assessments a WHERE a.org = m.org AND a.model = m.model) ORDER BY 1 LIMIT 8" |
		sed 's/^/judgements of one model\t/'
	printf 'coverage summary\t/v1/indices/modelfacts-v1/coverage\n'
} >"$Q"
# (a form that does not answer 200 is counted in the table's last column)
echo
echo "== $CLIENTS clients, $REQUESTS requests per query ($(nproc) cores, $(uname -sr))"
"$OUT/qload" "$R" "$CLIENTS" "$REQUESTS" "$QUERY_SECONDS" <"$Q" 2>"$OUT/results.jsonl" | tee "$OUT/results.txt"

# ------------------------------------------------------- the slowest query
# The statements one request makes, from PostgreSQL's own log: path -> file
# of "duration<TAB>statement<TAB>parameter" lines.
capture() {
	log=$OUT/pg/postgres.log
	from=$(wc -c <"$log")
	psql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.3
	curl -fs -o /dev/null "$R$1"
	sleep 0.3
	psql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
	tail -c +"$((from + 1))" "$log" | python3 -c '
import re, sys
out, cur = [], None
for line in sys.stdin:
    m = re.search(r"LOG:  duration: ([0-9.]+) ms  (?:execute [^:]*|statement): (.*)", line)
    if m:
        cur = [m.group(1), m.group(2).rstrip("\n"), ""]
        out.append(cur)
        continue
    m = re.search(r"DETAIL:  parameters: (\$1 = .*)", line)
    if m and cur is not None:
        # "$1 = '84062', $2 = NULL, ...": the values, as SQL literals
        vals = re.split(r"(?:^|, )\$[0-9]+ = ", m.group(1).rstrip("\n"))
        cur[2] = ", ".join(v for v in vals[1:])
for d, s, p in out:
    if "pg_reload_conf" in s or "log_min_duration" in s:
        continue
    print(d, s, p, sep="\t")
' >"$2"
}
SLOW=$(jq -rs '[.[] | select(.query | test("^(free text|filter|three|sort)"))] | max_by(.p99_ms) | .query' "$OUT/results.jsonl")
SLOW_PATH=$(awk -F'\t' -v n="$SLOW" '$1 == n { print $2; exit }' "$Q")
capture "$SLOW_PATH" "$OUT/slowest.tsv"
echo
echo "== the slowest /v1/models query: $SLOW ($SLOW_PATH)"
awk -F'\t' '$1 >= 1 { printf "  %s ms  %.70s...\n", $1, $2 }' "$OUT/slowest.tsv"
# Its list statement (db/search.c composes it; the server runs it
# unprepared, planned with its values), prepared here, explained and then
# timed alone in psql, beside the same request at one client.
awk -F'\t' '$2 ~ /^WITH / { print; exit }' "$OUT/slowest.tsv" >"$OUT/slowest.stmt"
SQL=$(cut -f2 "$OUT/slowest.stmt")
ARG=$(cut -f3 "$OUT/slowest.stmt")
# (printf, not echo: dash's echo reads "\t" of "\timing" as a tab)
{
	printf 'PREPARE q AS %s;\n' "$SQL"
	printf 'EXPLAIN (ANALYZE, BUFFERS) EXECUTE q(%s);\n' "$ARG"
} | psql >"$OUT/explain.txt"
{
	printf 'PREPARE q AS %s;\n\\o /dev/null\n\\timing on\n' "$SQL"
	for _ in $(seq "$PSQL_RUNS"); do printf 'EXECUTE q(%s);\n' "$ARG"; done
} | "$PGBIN/psql" -h "$SOCK" -U modelfacts -d modelfacts -XAt 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n >"$OUT/psql_times.txt"
PSQL_P50=$(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' "$OUT/psql_times.txt")
printf 'one\t%s\n' "$SLOW_PATH" | "$OUT/qload" "$R" 1 "$PSQL_RUNS" 2>"$OUT/one_client.jsonl" >/dev/null
ONE_P50=$(jq -r .p50_ms "$OUT/one_client.jsonl")
sed 's/^/  /' "$OUT/explain.txt"
echo "  psql, the same EXECUTE $PSQL_RUNS times: median $PSQL_P50 ms"
echo "  the server, 1 client, $PSQL_RUNS requests: p50 $ONE_P50 ms (ratio server/psql $(awk -v a="$ONE_P50" -v b="$PSQL_P50" 'BEGIN { printf "%.2f", a / b }'))"

# The coverage summary is many statements, not one: which, and how long.
capture /v1/indices/modelfacts-v1/coverage "$OUT/coverage.tsv"
echo
echo "== coverage summary: $(wc -l <"$OUT/coverage.tsv") statements (with a few of the sequencer's), $(awk -F'\t' '{ s += $1 } END { printf "%.1f", s }' "$OUT/coverage.tsv") ms in PostgreSQL; the slowest:"
sort -t"$(printf '\t')" -k1,1 -rn "$OUT/coverage.tsv" | head -3 | awk -F'\t' '{ printf "  %s ms  %.90s...\n", $1, $2 }'
