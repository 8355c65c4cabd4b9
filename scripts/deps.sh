#!/bin/sh
# Checks that the Debian packages a make target needs are installed, and
# installs the missing ones with apt-get when running as root. Otherwise it
# prints the exact apt-get line and fails. Usage: deps.sh build|test|bench...
set -eu

build="gcc make pkg-config libc6-dev libpq-dev libmicrohttpd-dev libssl-dev
	libjansson-dev libgit2-dev zlib1g-dev libpcre2-dev libcmark-dev
	libcurl4-openssl-dev postgresql-15 openssl git openssh-client curl acl"
test="libcmocka-dev clang clang-format libclang-rt-14-dev python3 golang-go
	golang-golang-x-mod-dev chromium"
bench="wrk nginx-light python3-jsonschema"

want=""
for group in "$@"; do
	case "$group" in
	build) want="$want $build" ;;
	test) want="$want $build $test" ;;
	bench) want="$want $build $bench" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=""
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
