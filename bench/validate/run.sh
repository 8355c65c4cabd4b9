#!/bin/sh
# Compares, on this machine and in one run, our validator (C), ajv 8
# (node) and python3-jsonschema (Debian) on the same schema and documents:
# ops/s for validate-only on parsed documents and for parse+validate.
#
#   bench/validate/run.sh                 both default sets (below)
#   SCHEMA=s.json DOCS=dir [REFS="URL=DIR ..."] bench/validate/run.sh
#   SECONDS_PER_MODE=3                    time per measurement (best of 5
#                                         rounds, against load from others)
#   REPEAT=3                              whole runs per implementation,
#                                         alternating; the best figure counts
#
# Default sets: the CycloneDX 1.6 schema (draft-07) with its two example
# BOMs from the shared reference data, and the synthetic ~100-field 2020-12
# disclosure schema with ~13 KB documents in bench/validate/synthetic/.
# Installs what it needs: ajv@8 + ajv-formats into bench/validate/
# node_modules (npm), python3-jsonschema with apt-get when root.
set -eu
cd "$(dirname "$0")/../.."
here=bench/validate
out=bench/out/validate
mkdir -p "$out"
export SECONDS_PER_MODE="${SECONDS_PER_MODE:-3}"
repeat="${REPEAT:-3}"

# --- the C bench program, on the release libmf.a ---
make --no-print-directory build/release/libmf.a >/dev/null
cc -std=c11 -D_DEFAULT_SOURCE -O2 -I. -o "$out/bench_validate" \
	"$here/bench_validate.c" build/release/libmf.a \
	$(pkg-config --cflags --libs jansson libpcre2-8) -lpthread -lm

# --- ajv 8 ---
have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then
	if [ ! -d "$here/node_modules/ajv" ] ||
	   [ ! -d "$here/node_modules/ajv-formats" ]; then
		(cd "$here" && npm install --no-save --no-audit --no-fund \
			--no-package-lock ajv@8 ajv-formats >/dev/null)
	fi
	have_node=1
else
	echo "run.sh: node/npm not found: ajv skipped" >&2
fi

# --- python3-jsonschema (Debian's, hence /usr/bin/python3) ---
py=/usr/bin/python3
have_py=0
if ! $py -c 'import jsonschema' 2>/dev/null && [ "$(id -u)" = 0 ]; then
	apt-get install -y -q python3-jsonschema >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && \
		  apt-get install -y -q python3-jsonschema >/dev/null; }
fi
if $py -c 'import jsonschema' 2>/dev/null; then
	have_py=1
else
	echo "run.sh: python3-jsonschema not available: skipped" >&2
fi

run_set() { # name schema docs refs...
	name=$1 schema=$2 docs=$3
	shift 3
	echo "== $name: $schema, $(ls "$docs"/*.json | wc -l) documents" \
		"(avg $(cat "$docs"/*.json | wc -c | \
		awk -v n="$(ls "$docs"/*.json | wc -l)" '{printf "%d", $1/n}')" \
		"bytes) =="
	: > "$out/$name.c.all"
	: > "$out/$name.ajv.all"
	: > "$out/$name.py.all"
	# Alternate the implementations, so that load from elsewhere hits
	# them alike; keep each one's best figure per mode.
	r=0
	while [ $r -lt "$repeat" ]; do
		"$out/bench_validate" "$schema" "$docs" "$@" >> "$out/$name.c.all"
		[ $have_node = 1 ] && NODE_PATH="$here/node_modules" \
			node "$here/bench_ajv.js" "$schema" "$docs" "$@" \
			>> "$out/$name.ajv.all"
		[ $have_py = 1 ] && $py "$here/bench_python.py" "$schema" \
			"$docs" "$@" >> "$out/$name.py.all"
		r=$((r + 1))
	done
	for impl in c ajv py; do
		awk -F'\t' '{ k = $1 "\t" $2; if (!(k in best) || $3 > best[k]) best[k] = $3;
			if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
			END { for (i = 0; i < n; i++) print order[i] "\t" best[order[i]] }' \
			"$out/$name.$impl.all" > "$out/$name.$impl.tsv"
	done
	cat "$out/$name.c.tsv" "$out/$name.ajv.tsv" "$out/$name.py.tsv" |
		awk -F'\t' '{printf "%-28s %-28s %12.0f ops/s\n", $1, $2, $3}'
	awk -F'\t' '
		FILENAME ~ /\.c\.tsv$/ && $1 == "c" { c[$2] = $3 }
		FILENAME ~ /\.ajv\.tsv$/ { a[$2] = $3 }
		FILENAME ~ /\.py\.tsv$/ { p[$2] = $3 }
		END {
			m = "validate-only (first error)"
			if (a[m] > 0) printf "ratio C/ajv   %-28s %6.2fx\n", m, c[m] / a[m]
			m = "validate-only (all errors)"
			if (a[m] > 0) printf "ratio C/ajv   %-28s %6.2fx\n", m, c[m] / a[m]
			m = "parse+validate"
			if (a[m] > 0) printf "ratio C/ajv   %-28s %6.2fx\n", m, c[m] / a[m]
			if (p[m] > 0) printf "ratio C/python %-27s %6.1fx\n", m, c[m] / p[m]
		}' "$out/$name.c.tsv" "$out/$name.ajv.tsv" "$out/$name.py.tsv"
	echo
}

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "seconds per measurement: $SECONDS_PER_MODE (best of 5 rounds), runs per implementation: $repeat"
echo
if [ -n "${SCHEMA:-}" ]; then
	# shellcheck disable=SC2086
	run_set custom "$SCHEMA" "${DOCS:?DOCS=dir is needed with SCHEMA}" ${REFS:-}
	exit 0
fi
data="${MF_SHARED_DATA:-../shared/data}/cyclonedx"
if [ -d "$data" ]; then
	run_set cyclonedx "$data/bom-1.6.schema.json" "$data/examples" \
		"http://cyclonedx.org/schema/=$data/"
else
	echo "run.sh: $data not found (set MF_SHARED_DATA): CycloneDX skipped" >&2
fi
run_set synthetic "$here/synthetic/schema.json" "$here/synthetic/docs"
