#!/bin/sh
# bench/ab: the same workloads on two builds of modelfactsd, alternately,
# in one run, so that a change that should not move performance (a
# refactoring) can be shown not to. Machine noise hits both builds alike;
# the medians of PAIRS runs each are compared.
#
#  ingest-C   signed submissions per second end to end (bench/ingest's
#             loadgen) with C clients, on a fresh cluster and state per run;
#  publish    the git publisher catching up on PUB_N entries loaded once
#             (with --no-git-publisher, by the old build) and restored from a snapshot of
#             the cluster and state directory before every run: commits/s
#             from its own records (bench/publish's pubload).
# Runs alternate A B, B A, A B, ... so neither build always goes first.
#
#   OLD=/path/to/baseline/modelfactsd bench/ab/run.sh
#   OLD=... NEW=bin/modelfactsd PAIRS=5 N=8000 PUB_N=5000 CLIENTS="4 16" \
#     bench/ab/run.sh
#   WORKLOADS=ingest CLIENTS=16 PAIRS=8 bench/ab/run.sh   (one workload)
# Prints one table: median per build, new/old, and every run's figure.
set -eu
cd "$(dirname "$0")/../.."
OLD=${OLD:?set OLD to the baseline build of modelfactsd}
NEW=${NEW:-bin/modelfactsd}
PAIRS=${PAIRS:-3}
N=${N:-4000}
PUB_N=${PUB_N:-5000}
CLIENTS=${CLIENTS:-"4 16"}
WORKLOADS=${WORKLOADS:-"ingest publish"}
SERVER_FLAGS=${SERVER_FLAGS:-}   # e.g. --no-git-publisher: the ingest path alone
PORT=${PORT:-18470}
OUT=${OUT:-bench/out/ab}
PKGS="jansson openssl libcurl libpcre2-8"
R=http://127.0.0.1:$PORT

make -s all
mkdir -p "$OUT"
: >"$OUT/results.tsv"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$OUT/loadgen" \
	bench/ingest/loadgen.c build/release/libmf.a \
	$(pkg-config --cflags --libs $PKGS) -lpthread -lm
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$OUT/pubload" \
	bench/publish/pubload.c build/release/libmf.a \
	$(pkg-config --cflags --libs $PKGS) -lpthread -lm

SERVER=
stop_server() {
	[ -n "$SERVER" ] || return 0
	kill -TERM "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}
stop_pg() { scripts/pg.sh stop "$OUT/pg" >/dev/null 2>&1 || true; }
trap 'stop_server; stop_pg' EXIT
start_server() { # binary, flags...
	bin=$1
	shift
	"$bin" --port "$PORT" --database-url "$URL" --state-dir "$OUT/state" \
		--log-level warn "$@" >>"$OUT/server.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 100); do
		curl -fs -o /dev/null "$R/readyz" && return 0
		sleep 0.1
	done
	echo "bench/ab: $bin did not start (see $OUT/server.log)" >&2
	exit 1
}
fresh() { # a new cluster and state directory
	stop_pg
	rm -rf "$OUT/pg" "$OUT/state"
	URL=$(scripts/pg.sh start "$OUT/pg")
}
field() { echo "$2" | sed "s/.*\"$1\": \([0-9.]*\).*/\1/"; }

ingest_run() { # label, binary, pair
	fresh
	start_server "$2" $SERVER_FLAGS
	token=$(cat "$OUT/state/admin.token")
	for c in $CLIENTS; do
		res=$("$OUT/loadgen" "$R" "$token" examples/disclosure-open.json \
			"$c" "$((N / c))" "p$3c$c")
		printf 'ingest-%s\t%s\t%s\n' "$c" "$1" "$(field per_second "$res")" \
			>>"$OUT/results.tsv"
	done
	stop_server
}

publish_run() { # label, binary
	stop_pg
	rm -rf "$OUT/pg" "$OUT/state"
	cp -a "$OUT/pg.snap" "$OUT/pg"
	cp -a "$OUT/state.snap" "$OUT/state"
	URL=$(scripts/pg.sh start "$OUT/pg")
	start_server "$2"
	res=$("$OUT/pubload" wait "$URL" "$PUB_N")
	printf 'publish\t%s\t%s\n' "$1" "$(field commits_per_second "$res")" \
		>>"$OUT/results.tsv"
	stop_server
}

both() { # workload function, pair number
	if [ $(($2 % 2)) -eq 1 ]; then
		"$1" old "$OLD" "$2"
		"$1" new "$NEW" "$2"
	else
		"$1" new "$NEW" "$2"
		"$1" old "$OLD" "$2"
	fi
}

echo "old: $OLD"
echo "new: $NEW"
echo "machine: $(nproc) cores, $(uname -sr); $PAIRS pairs"
# Loaded by the old build, so both can open the snapshot: a newer build
# applies its newer migrations at start, before the publisher runs.
publish_snapshot() {
	echo "== publish: $PUB_N entries in with publishing paused"
	fresh
	start_server "$OLD" --no-git-publisher
	"$OUT/pubload" load "$R" "$(cat "$OUT/state/admin.token")" l "$PUB_N" 8 \
		>"$OUT/load.json"
	stop_server
	stop_pg
	rm -rf "$OUT/pg.snap" "$OUT/state.snap"
	cp -a "$OUT/pg" "$OUT/pg.snap"
	cp -a "$OUT/state" "$OUT/state.snap"
}

for w in $WORKLOADS; do
	case $w in
	ingest) ;;
	publish) publish_snapshot ;;
	*) echo "bench/ab: unknown workload $w" >&2; exit 2 ;;
	esac
	for p in $(seq "$PAIRS"); do
		echo "== $w, pair $p"
		both "${w}_run" "$p"
	done
done

python3 - "$OUT/results.tsv" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    w, label, v = line.split("\t")
    runs.setdefault(w, {}).setdefault(label, []).append(float(v))
print(f"\n{'workload':<11} {'old median':>11} {'new median':>11} {'new/old':>8}"
      "  runs (old | new)")
for w, r in runs.items():
    o, n = statistics.median(r["old"]), statistics.median(r["new"])
    print(f"{w:<11} {o:>11.1f} {n:>11.1f} {n / o:>8.3f}  "
          f"{' '.join(f'{x:.0f}' for x in r['old'])} | "
          f"{' '.join(f'{x:.0f}' for x in r['new'])}")
EOF
