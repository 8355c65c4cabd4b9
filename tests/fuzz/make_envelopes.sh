#!/bin/sh
# Seeds the submission fuzz target: one DSSE envelope per example payload
# (examples/*.json), with a placeholder signature (the target parses and
# checks, it does not verify), plus a few damaged ones.
set -eu
dest=${1:?usage: make_envelopes.sh DEST}
rm -rf "$dest"
mkdir -p "$dest"
n=0
for f in examples/*.json; do
	type=$(sed -n 's/^ *"type": *"\([a-z-]*\)".*/\1/p' "$f" | head -n 1)
	[ -n "$type" ] || continue
	printf '{"payloadType":"application/vnd.modelfacts.%s.v1+json","payload":"%s","signatures":[{"keyid":"%064d","sig":"AAAA"}]}' \
		"$type" "$(base64 -w0 "$f")" 0 >"$dest/seed-$n"
	n=$((n + 1))
done
printf '{"payloadType":"x","payload":"e30","signatures":[]}' >"$dest/seed-empty"
printf '{"payloadType":"application/vnd.modelfacts.disclosure.v1+json","payload":"e30=","signatures":[{"keyid":"a","sig":"AA=="}]}' >"$dest/seed-object"
