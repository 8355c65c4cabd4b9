#!/bin/sh
# Checks that the Debian packages a make target needs are installed, and
# installs the missing ones with apt-get when running as root. Otherwise it
# prints the exact apt-get line and fails. Usage: deps.sh build|test|bench...
#
# `deps.sh axe` (after `test`) installs axe-core, the accessibility checker
# the browser tests inject into each page, from the npm registry into
# build/npm, pinned, once: a later run finds it and does nothing. When the
# registry cannot be reached it says so, writes the reason to
# build/npm/axe-core.unavailable (the tests skip with it) and exits 0.
set -eu

AXE_VERSION=4.14.1
if [ "${1-}" = axe ]; then
	dir=build/npm
	have="$dir/node_modules/axe-core/package.json"
	if [ -f "$have" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$have"; then
		exit 0
	fi
	mkdir -p "$dir"
	rm -f "$dir/axe-core.unavailable"
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (scripts/deps.sh test installs it)" \
			>"$dir/axe-core.unavailable"
	elif ! timeout 300 npm install --prefix "$dir" --no-save --no-audit \
		--no-fund --no-package-lock --fetch-retries=1 \
		--fetch-timeout=30000 "axe-core@$AXE_VERSION" \
		>"$dir/npm.log" 2>&1; then
		echo "npm could not install axe-core@$AXE_VERSION (is the npm" \
			"registry reachable? see $dir/npm.log): accessibility checks" \
			"are skipped" >"$dir/axe-core.unavailable"
	fi
	if [ -f "$dir/axe-core.unavailable" ]; then
		echo "deps.sh: $(cat "$dir/axe-core.unavailable")" >&2
	else
		echo "installed axe-core@$AXE_VERSION in $dir"
	fi
	exit 0
fi

# `deps.sh redocly` does the same for @redocly/cli, the independent
# OpenAPI linter the tests run on web/static/openapi.json, in its own
# prefix (build/npm/redocly) so the two installs never prune each other;
# unavailable: build/npm/redocly.unavailable.
REDOCLY_VERSION=2.77.0
if [ "${1-}" = redocly ]; then
	dir=build/npm/redocly
	have="$dir/node_modules/@redocly/cli/package.json"
	if [ -f "$have" ] &&
		grep -q "\"version\": \"$REDOCLY_VERSION\"" "$have"; then
		exit 0
	fi
	mkdir -p "$dir"
	rm -f build/npm/redocly.unavailable
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (scripts/deps.sh test installs it)" \
			>build/npm/redocly.unavailable
	elif ! timeout 600 npm install --prefix "$dir" --no-save --no-audit \
		--no-fund --no-package-lock --fetch-retries=1 \
		--fetch-timeout=30000 "@redocly/cli@$REDOCLY_VERSION" \
		>"$dir/npm.log" 2>&1; then
		echo "npm could not install @redocly/cli@$REDOCLY_VERSION (is" \
			"the npm registry reachable? see $dir/npm.log): the" \
			"OpenAPI lint is skipped" >build/npm/redocly.unavailable
	fi
	if [ -f build/npm/redocly.unavailable ]; then
		echo "deps.sh: $(cat build/npm/redocly.unavailable)" >&2
	else
		echo "installed @redocly/cli@$REDOCLY_VERSION in $dir"
	fi
	exit 0
fi

build="gcc make pkg-config libc6-dev libpq-dev libmicrohttpd-dev libssl-dev
	libjansson-dev libgit2-dev zlib1g-dev libpcre2-dev libcmark-dev
	libcurl4-openssl-dev libyaml-dev postgresql-15 openssl git openssh-client curl acl"
test="libcmocka-dev clang clang-format libclang-rt-14-dev python3 golang-go
	golang-golang-x-mod-dev chromium"
bench="wrk nginx-light python3-jsonschema"

want=""
need_npm=""
for group in "$@"; do
	case "$group" in
	build) want="$want $build" ;;
	test) want="$want $build $test"; need_npm=1 ;;
	bench) want="$want $build $bench" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=""
# npm (for `deps.sh axe`): Debian's package when there is no npm at all; a
# Node.js from elsewhere brings its own, which Debian's would conflict with.
if [ -n "$need_npm" ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi
for p in $(printf "%s\n" $want | sort -u); do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "modelfacts needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
