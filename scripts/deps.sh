#!/bin/sh
# Checks that the Debian packages a make target needs are installed, and
# installs the missing ones with apt-get when running as root. Otherwise it
# prints the exact apt-get line and fails. Usage: deps.sh build|test|bench...
set -eu

# `deps.sh npm TOOL` (after `test`) installs one of the independent checkers
# the tests run from the npm registry, pinned, once, into build/npm/TOOL (a
# prefix of its own, so no install prunes another's packages): a later run
# finds it and does nothing. When npm or the registry cannot be reached it
# says so, writes the reason to build/npm/TOOL.unavailable (the tests skip
# that check with it, counted as skipped) and exits 0.
#   axe      axe-core, the accessibility checker injected into each page
#   ajv      ajv + ajv-formats, a second JSON Schema validator (CycloneDX)
#   redocly  @redocly/cli, the OpenAPI linter (web/static/openapi.json)
npm_packages() {
	case "$1" in
	axe) echo "axe-core@4.14.1" ;;
	ajv) echo "ajv@8.17.1 ajv-formats@3.0.1" ;;
	redocly) echo "@redocly/cli@2.77.0" ;;
	*) return 1 ;;
	esac
}
if [ "${1-}" = npm ]; then
	tool=${2-}
	pkgs=$(npm_packages "$tool") ||
		{ echo "deps.sh: unknown npm tool '$tool'" >&2; exit 2; }
	dir=build/npm/$tool
	unavailable=build/npm/$tool.unavailable
	# installed already: every package at its pinned version
	have=1
	for spec in $pkgs; do
		name=${spec%@*}
		grep -qs "\"version\": \"${spec##*@}\"" \
			"$dir/node_modules/$name/package.json" || have=0
	done
	[ "$have" -eq 1 ] && exit 0
	mkdir -p "$dir"
	rm -f "$unavailable"
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm is not installed (scripts/deps.sh test installs it)" \
			>"$unavailable"
	# shellcheck disable=SC2086
	elif ! timeout 600 npm install --prefix "$dir" --no-save --no-audit \
		--no-fund --no-package-lock --fetch-retries=1 \
		--fetch-timeout=30000 $pkgs >"$dir/npm.log" 2>&1; then
		echo "npm could not install $pkgs (is the npm registry" \
			"reachable? see $dir/npm.log): those checks are skipped" \
			>"$unavailable"
	fi
	if [ -f "$unavailable" ]; then
		echo "deps.sh: $(cat "$unavailable")" >&2
	else
		echo "installed $pkgs in $dir"
	fi
	exit 0
fi

build="gcc make pkg-config libc6-dev libpq-dev libmicrohttpd-dev libssl-dev
	libjansson-dev libgit2-dev zlib1g-dev libpcre2-dev libcmark-dev
	libcurl4-openssl-dev libyaml-dev postgresql-15 openssl git openssh-client curl acl"
test="libcmocka-dev clang clang-format libclang-rt-14-dev python3 python3-yaml golang-go
	golang-golang-x-mod-dev chromium python3-jsonschema python3-pyld
	prometheus python3-prometheus-client"
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
# npm (for `deps.sh npm TOOL`): Debian's package when there is no npm at all; a
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
