#!/bin/sh
# Seeds the corpus of one fuzz target in DEST from what the repository
# already holds (fixtures, examples, the data files we ship), so nothing
# is stored twice: TARGET is http, csv, hf_card, evals or labels; sig, note and
# policy make their own seeds (their keys live in the target).
set -eu
t=${1:?usage: make_seeds.sh TARGET DEST}
dest=${2:?usage: make_seeds.sh TARGET DEST}
rm -rf "$dest"
mkdir -p "$dest"
n=0
# seed FILE...: one seed per file
seed() {
	for f in "$@"; do
		[ -f "$f" ] || continue
		cp "$f" "$dest/seed-$n"
		n=$((n + 1))
	done
}
case $t in
http)
	# a method byte (0 GET, 2 POST, 5 OPTIONS), then a request target
	for p in /healthz /v1/models /v1/models/acme/acme-7b \
		'/v1/models/acme/acme-7b/versions/2/label.md?format=json' \
		'/v1/models?q=gran+ite&limit=20&offset=%32' \
		/v1/badge/acme/acme-7b.svg /labels.git/info/refs \
		'/v1/search?q=a%26b=c&&=x&format' /v1/submissions \
		'/v1/models/acme/acme-7b/label.json?as_of=2026-01-01T00:00:00Z'; do
		for m in 0 2 5; do
			printf "\\$(printf '%03o' "$m")%s" "$p" >"$dest/seed-$n"
			n=$((n + 1))
		done
	done
	# paths that are not UTF-8, one cut inside a character (a 404, not
	# the 500 common/error.c gave before it scrubbed messages)
	printf '\000/v1/\377\376/x' >"$dest/seed-bad-utf8"
	printf '\000/labels.git\303' >"$dest/seed-cut-utf8"
	;;
csv)
	seed schema/*/*.csv
	printf 'a,b,c\r\n"x ""y""","multi\nline",3\r\n' >"$dest/seed-$n"
	printf '\357\273\277h1;h2\n1;2\n' >"$dest/seed-q"
	;;
hf_card)
	# the card, then (after a NUL) an .eval_results file
	for f in tests/fixtures/hf/*.md tests/fixtures/hf/*/README.md; do
		[ -f "$f" ] || continue
		cat "$f" >"$dest/seed-$n"
		r=$(dirname "$f")/.eval_results
		if [ -f "$r" ]; then
			printf '\000' >>"$dest/seed-$n"
			cat "$r" >>"$dest/seed-$n"
		fi
		n=$((n + 1))
	done
	;;
evals)
	# a format byte (0 auto, 1 lm-eval, 2 inspect, 3 helm), the file,
	# and for HELM a NUL and stats.json
	for f in tests/fixtures/evals/*.json tests/fixtures/evals/*.eval; do
		{ printf '\000'; cat "$f"; } >"$dest/seed-$n"
		n=$((n + 1))
	done
	h=tests/fixtures/evals/helm-mmlu-anatomy
	if [ -d "$h" ]; then
		{ printf '\003'; cat "$h/run_spec.json"; printf '\000'; \
			cat "$h/stats.json"; } >"$dest/seed-$n"
		n=$((n + 1))
	fi
	;;
labels)
	seed examples/disclosure-*.json
	;;
*)
	echo "make_seeds.sh: no seeds for $t" >&2
	exit 2
	;;
esac
echo "make_seeds.sh: $(ls "$dest" | wc -l) seeds for $t in $dest"
