#!/bin/sh
# Git-layer micro-benchmark (see RESULTS.md): builds bench_publish against the
# release libraries, runs it (N entries through git/repo.h and the
# same trees through `git fast-import`, in one run), then checks the
# results with the git CLI: identical trees and tags, fsck, signatures.
#
# usage: bench/publish/gitlayer.sh [ENTRIES]     (default 5000)
set -eu
cd "$(dirname "$0")/../.."
N=${1:-5000}
OUT=bench/out/publish
PKGS="libpq libmicrohttpd openssl jansson libgit2 zlib libpcre2-8 libcmark yaml-0.1 libcurl"

make --no-print-directory build/release/libmf.a build/release/libmfserver.a
mkdir -p "$OUT"
# shellcheck disable=SC2046
cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -I. \
	$(pkg-config --cflags $PKGS) -o "$OUT/bench_publish" \
	bench/publish/bench_publish.c build/release/libmfserver.a \
	build/release/libmf.a $(pkg-config --libs $PKGS) -lpthread

echo "machine: $(nproc) cores, $(uname -sr), $(git --version), libgit2 $(pkg-config --modversion libgit2)"
"$OUT/bench_publish" "$OUT" "$N"

# The figures only count if every repository holds the same thing.
fi_tree=$(git --git-dir="$OUT/fast-import.git" rev-parse 'main^{tree}')
fi_tags=$(git --git-dir="$OUT/fast-import.git" tag -l | wc -l)
for r in libgit2 libgit2-unsigned libgit2-fsync; do
	g="git --git-dir=$OUT/$r.git"
	[ "$($g rev-parse 'main^{tree}')" = "$fi_tree" ] ||
		{ echo "FAIL: $r tree differs from fast-import's"; exit 1; }
	[ "$($g tag -l | wc -l)" = "$fi_tags" ] ||
		{ echo "FAIL: $r tag count differs"; exit 1; }
	[ "$($g rev-list --count main)" = "$N" ] ||
		{ echo "FAIL: $r has the wrong number of commits"; exit 1; }
	[ "$($g count-objects -v | sed -n 's/^count: //p')" = 0 ] ||
		{ echo "FAIL: $r still has loose objects"; exit 1; }
done
git --git-dir="$OUT/libgit2.git" fsck --strict --no-dangling
for c in main "main~$((N / 2))" "main~$((N - 1))"; do
	git --git-dir="$OUT/libgit2.git" \
		-c gpg.ssh.allowedSignersFile="$OUT/allowed_signers" \
		verify-commit "$c" 2>/dev/null ||
		{ echo "FAIL: $c does not verify"; exit 1; }
done
echo "checks: same root tree ($fi_tree) and $fi_tags tags in all four repositories, fsck --strict clean, signatures verify"
