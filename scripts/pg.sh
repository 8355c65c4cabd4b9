#!/bin/sh
# A private PostgreSQL 15 cluster in a directory of the checkout:
#   pg.sh start DIR   create (first time) and start; prints the connection URL
#   pg.sh stop DIR    stop it (fast shutdown: clients are disconnected)
#   pg.sh url DIR     print the connection URL
# It listens on a Unix socket in DIR/run only, never on TCP. initdb refuses
# to run as root, so as root the cluster belongs to the system user
# "modelfacts", created on first use.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_OS=modelfacts
cmd=${1:?usage: pg.sh start|stop|url DIR}
dir=${2:?usage: pg.sh start|stop|url DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data
sock=$dir/run

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

url() {
	echo "host=$sock dbname=modelfacts user=modelfacts"
}

ensure_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	if ! id "$PGUSER_OS" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$PGUSER_OS"
	fi
	# The cluster user must be able to reach DIR: grant search permission
	# on each parent directory that denies it (an ACL for this user only).
	p=$dir
	while [ "$p" != / ]; do
		p=$(dirname "$p")
		if ! runuser -u "$PGUSER_OS" -- test -x "$p"; then
			echo "pg.sh: letting $PGUSER_OS traverse $p (setfacl u:$PGUSER_OS:x)" >&2
			setfacl -m "u:$PGUSER_OS:x" "$p"
		fi
	done
	chown "$PGUSER_OS" "$dir"
}

init() {
	ensure_user
	[ -f "$data/PG_VERSION" ] && return 0
	rm -rf "$data"
	mkdir -p "$data" "$sock"
	[ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS" "$data" "$sock"
	chmod 700 "$data"
	as_owner "$PGBIN/initdb" -D "$data" -U modelfacts -E UTF8 \
		--locale=C.UTF-8 --auth-local=trust --auth-host=reject \
		>"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	cat >>"$data/postgresql.conf" <<CONF
# modelfacts: a private cluster on a Unix socket only
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0770
max_connections = 200
shared_buffers = 256MB
default_toast_compression = lz4
${PG_EXTRA_CONF:-}
CONF
}

start() {
	init
	mkdir -p "$sock"
	[ "$(id -u)" -eq 0 ] && chown "$PGUSER_OS" "$sock"
	if as_owner "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		url
		return 0
	fi
	# setsid: a Ctrl-C in the terminal reaches the server, not the cluster;
	# run.sh stops the cluster itself once the server is down.
	as_owner setsid "$PGBIN/pg_ctl" -D "$data" -l "$dir/postgres.log" \
		-w -t 60 start >/dev/null || {
		tail -n 20 "$dir/postgres.log" >&2
		exit 1
	}
	as_owner "$PGBIN/psql" -h "$sock" -U modelfacts -d postgres -qtA \
		-c "SELECT 1 FROM pg_database WHERE datname = 'modelfacts'" |
		grep -q 1 ||
		as_owner "$PGBIN/createdb" -h "$sock" -U modelfacts modelfacts
	url
}

stop() {
	[ -f "$data/PG_VERSION" ] || return 0
	as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

case "$cmd" in
start) start ;;
stop) stop ;;
url) url ;;
*) echo "usage: pg.sh start|stop|url DIR" >&2; exit 2 ;;
esac
