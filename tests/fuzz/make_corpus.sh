#!/bin/sh
# Builds the fuzzer's seed corpus in DEST from the schemas and instances
# in SRC: one seed per (schema, instance) pair and per flags value, in the
# target's input format (flags byte, schema, NUL, instance).
set -eu
src=${1:?usage: make_corpus.sh SRC DEST}
dest=${2:?usage: make_corpus.sh SRC DEST}
mkdir -p "$dest"
n=0
for s in "$src"/schema-*.json; do
	for i in "$src"/instance-*.json; do
		for flags in 0 1 2 3; do
			out="$dest/seed-$n"
			printf "\\$(printf '%03o' "$flags")" > "$out"
			cat "$s" >> "$out"
			printf '\000' >> "$out"
			cat "$i" >> "$out"
			n=$((n + 1))
		done
	done
	# the schema validating itself
	{ printf '\001'; cat "$s"; } > "$dest/seed-$n"
	n=$((n + 1))
done
echo "make_corpus.sh: $n seeds in $dest"
