#!/bin/sh
# bench/read: requests per second and latency for an immutable label.json
# (GET /v1/models/{org}/{model}/versions/1/label.json, served from the
# in-memory cache) under `wrk -t2 -c64`, beside nginx serving the same
# bytes from disk, in the same run. Then the web site's model page of a
# 100-indicator label (GET /models/{org}/{model}/versions/1): its
# server-side time on a cache miss (MODELS distinct models, each page
# rendered once, with its label.json not yet in the cache; p50/p99 from
# the access log) and its weight, and the same page under wrk beside
# nginx serving its bytes from disk.
#
#   bench/read/run.sh     (DURATION=10 seconds per run, 3 runs, MODELS=300)
set -eu
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
MODELS=${MODELS:-300}
OUT=bench/out/read
PORT=18470
NGINX_PORT=18471

scripts/deps.sh bench
make -s all
mkdir -p "$OUT"
scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true
rm -rf "$OUT/pg" "$OUT/state" "$OUT/www"
URL=$(scripts/pg.sh start "$OUT/pg")
bin/modelfactsd --port $PORT --database-url "$URL" --state-dir "$OUT/state" \
	>"$OUT/server.log" 2>&1 &
SERVER=$!
cleanup() {
	kill $SERVER 2>/dev/null || true
	wait $SERVER 2>/dev/null || true
	[ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
	scripts/pg.sh stop "$OUT/pg"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 0.2; done

# One organisation, one disclosure (the open example), signed by the CLI.
rm -f "$OUT/acme.key" "$OUT/acme.pub"
bin/modelfacts keygen --out "$OUT/acme" >/dev/null 2>&1
bin/modelfacts admin create-org --org acme --name Acme --role developer \
	--public-key "$OUT/acme.pub" --registry "http://127.0.0.1:$PORT" \
	--token-file "$OUT/state/admin.token" >/dev/null
sed -e "s/\"issued_at\": \"[^\"]*\"/\"issued_at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"/" \
	-e 's/"org": "larchwood"/"org": "acme"/' -e 's/"seq": [0-9]*/"seq": 1/' \
	-e 's/"supersedes": "[^"]*"/"supersedes": null/' \
	examples/disclosure-open.json >"$OUT/payload.json"
bin/modelfacts sign --key "$OUT/acme.key" "$OUT/payload.json" >"$OUT/envelope.json"
bin/modelfacts submit --registry "http://127.0.0.1:$PORT" "$OUT/envelope.json" >/dev/null
LABEL="/v1/models/acme/fernbrook-13b/versions/1/label.json"
mkdir -p "$OUT/www/v1/models/acme/fernbrook-13b/versions/1"
curl -fs "http://127.0.0.1:$PORT$LABEL" >"$OUT/www$LABEL"

# nginx with the same bytes from disk: 2 workers (the machine's cores),
# sendfile, keep-alive, access log on (modelfactsd logs every request too).
cat >"$OUT/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log $PWD/$OUT/nginx-access.log;
	sendfile on; tcp_nopush on; keepalive_requests 1000000;
	types { application/json json; }
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $PWD/$OUT/www;
		location / { add_header Cache-Control "public, max-age=31536000, immutable"; }
	}
}
CONF
nginx -c "$PWD/$OUT/nginx.conf"
sleep 0.5
cmp "$OUT/www$LABEL" - <<EOF_CMP || true
$(curl -fs "http://127.0.0.1:$NGINX_PORT$LABEL")
EOF_CMP

bytes=$(wc -c <"$OUT/www$LABEL")
echo "label.json: $bytes bytes; wrk -t2 -c64 -d${DURATION}s, best of $RUNS runs each, alternating"
best() { sort -n | tail -n 1; }
: >"$OUT/mf.txt"; : >"$OUT/nginx.txt"
for i in $(seq "$RUNS"); do
	for who in mf nginx; do
		port=$PORT; [ $who = nginx ] && port=$NGINX_PORT
		wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$port$LABEL" >"$OUT/wrk-$who-$i.txt"
		rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$OUT/wrk-$who-$i.txt")
		p99=$(sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' "$OUT/wrk-$who-$i.txt")
		echo "$rps $p99" >>"$OUT/$who.txt"
	done
done
printf '\n%-12s %12s %10s\n' server "requests/s" "p99"
for who in mf nginx; do
	line=$(sort -n "$OUT/$who.txt" | tail -n 1)
	printf '%-12s %12s %10s\n' "$([ $who = mf ] && echo modelfactsd || echo nginx)" \
		"$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f2)"
done
mf=$(sort -n "$OUT/mf.txt" | tail -n 1 | cut -d' ' -f1)
ng=$(sort -n "$OUT/nginx.txt" | tail -n 1 | cut -d' ' -f1)
echo "ratio modelfactsd / nginx: $(awk -v a="$mf" -v b="$ng" 'BEGIN { printf "%.2f", a / b }')"

# ---- the model page of a 100-indicator label (modelfacts-v1 has 100) ----
echo
echo "model pages: seeding $MODELS models (the open example, 100 indicators)"
i=0
while [ $i -lt "$MODELS" ]; do
	sed -e "s/\"issued_at\": \"[^\"]*\"/\"issued_at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"/" \
		-e 's/"org": "larchwood"/"org": "acme"/' -e "s/\"seq\": [0-9]*/\"seq\": $((i + 2))/" \
		-e "s/\"model\": \"fernbrook-13b\"/\"model\": \"page-$i\"/" \
		-e 's/"supersedes": "[^"]*"/"supersedes": null/' \
		examples/disclosure-open.json >"$OUT/payload.json"
	bin/modelfacts sign --key "$OUT/acme.key" "$OUT/payload.json" >"$OUT/envelope.json"
	bin/modelfacts submit --registry "http://127.0.0.1:$PORT" "$OUT/envelope.json" >/dev/null
	i=$((i + 1))
done
# let the publisher commit the backlog first: it shares the two cores
for _ in $(seq 300); do
	curl -fs "http://127.0.0.1:$PORT/v1/models/acme/page-$((MODELS - 1))/history" |
		grep -q '"commit" : "' && break
	sleep 0.2
done
# each page once: every one a cache miss (its label.json is rendered too)
mark=$(wc -l <"$OUT/server.log")
i=0
while [ $i -lt "$MODELS" ]; do
	curl -fs -o /dev/null "http://127.0.0.1:$PORT/models/acme/page-$i/versions/1"
	i=$((i + 1))
done
sleep 0.5
tail -n +"$((mark + 1))" "$OUT/server.log" |
	sed -n 's/.*"GET \/models\/acme\/page-[0-9]*\/versions\/1" 200 \([0-9]*\) \([0-9.]*\)ms.*/\2 \1/p' |
	sort -n >"$OUT/page-times.txt"
n=$(wc -l <"$OUT/page-times.txt")
pct() { awk -v p="$1" -v n="$n" 'NR == int((n - 1) * p / 100) + 1 { print $1 }' "$OUT/page-times.txt"; }
PAGE="/models/acme/page-0/versions/1"
mkdir -p "$OUT/www/models/acme/page-0/versions"
curl -fs "http://127.0.0.1:$PORT$PAGE" >"$OUT/www$PAGE.html"
pbytes=$(wc -c <"$OUT/www$PAGE.html")
echo "model page, cache miss, server side ($n pages): p50 $(pct 50) ms, p99 $(pct 99) ms, max $(tail -n 1 "$OUT/page-times.txt" | cut -d' ' -f1) ms; $pbytes bytes"

cat >"$OUT/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log $PWD/$OUT/nginx-access.log;
	sendfile on; tcp_nopush on; keepalive_requests 1000000;
	types { text/html html; }
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $PWD/$OUT/www;
		location / { try_files \$uri.html =404; }
	}
}
CONF
kill -HUP "$(cat "$OUT/nginx.pid")"
sleep 0.5
: >"$OUT/page-mf.txt"; : >"$OUT/page-nginx.txt"
for i in $(seq "$RUNS"); do
	for who in mf nginx; do
		port=$PORT; [ $who = nginx ] && port=$NGINX_PORT
		wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$port$PAGE" >"$OUT/wrk-page-$who-$i.txt"
		rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$OUT/wrk-page-$who-$i.txt")
		p99=$(sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' "$OUT/wrk-page-$who-$i.txt")
		echo "$rps $p99" >>"$OUT/page-$who.txt"
	done
done
printf '\nmodel page (%s bytes), wrk -t2 -c64 -d%ss, best of %s\n' "$pbytes" "$DURATION" "$RUNS"
printf '%-12s %12s %10s\n' server "requests/s" "p99"
for who in mf nginx; do
	line=$(sort -n "$OUT/page-$who.txt" | tail -n 1)
	printf '%-12s %12s %10s\n' "$([ $who = mf ] && echo modelfactsd || echo nginx)" \
		"$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f2)"
done
mf=$(sort -n "$OUT/page-mf.txt" | tail -n 1 | cut -d' ' -f1)
ng=$(sort -n "$OUT/page-nginx.txt" | tail -n 1 | cut -d' ' -f1)
echo "ratio modelfactsd / nginx (model page): $(awk -v a="$mf" -v b="$ng" 'BEGIN { printf "%.2f", a / b }')"
