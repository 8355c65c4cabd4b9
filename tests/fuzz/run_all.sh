#!/bin/sh
# Runs each fuzz target given for SECONDS on a freshly seeded corpus
# (build/fuzz/corpus-TARGET) and prints one line per target with its
# executions and crashes. Fails when any target finds a crash, a leak, a
# sanitizer report or a broken invariant; the input that did it is kept
# as build/fuzz/TARGET-crash-* (or leak-, timeout-, oom-) and the log as
# build/fuzz/TARGET.log.
set -u
secs=${1:?usage: run_all.sh SECONDS TARGET...}
shift
failed=0
for t in "$@"; do
	bin=build/fuzz/fuzz_$t
	corpus=build/fuzz/corpus-$t
	case $t in
	jsonschema) tests/fuzz/make_corpus.sh tests/fuzz/corpus "$corpus" \
		>/dev/null ;;
	submission) tests/fuzz/make_envelopes.sh "$corpus" ;;
	sig | note | policy)
		rm -rf "$corpus" && mkdir -p "$corpus" &&
			MF_FUZZ_SEEDS=$corpus "$bin" >/dev/null 2>&1 ;;
	*) tests/fuzz/make_seeds.sh "$t" "$corpus" >/dev/null ;;
	esac
	rm -f build/fuzz/"$t"-crash-* build/fuzz/"$t"-leak-* \
		build/fuzz/"$t"-timeout-* build/fuzz/"$t"-oom-*
	t0=$(date +%s)
	"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/"$t"- "$corpus" \
		>build/fuzz/"$t".log 2>&1
	rc=$?
	took=$(($(date +%s) - t0))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		build/fuzz/"$t".log | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' build/fuzz/"$t".log | tail -n 1)
	crashes=$(ls build/fuzz/"$t"-crash-* build/fuzz/"$t"-leak-* \
		build/fuzz/"$t"-timeout-* build/fuzz/"$t"-oom-* 2>/dev/null |
		wc -l)
	echo "fuzz $t: ${runs:-0} executions in ${took}s, ${cov:-cov: ?}," \
		"$crashes crashes"
	if [ "$rc" -ne 0 ]; then
		tail -n 40 build/fuzz/"$t".log
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ] || { echo "fuzz: $failed targets failed"; exit 1; }
