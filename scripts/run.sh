#!/bin/sh
# `make run`: the embedded default. Starts the private PostgreSQL cluster
# under var/pg (unless DATABASE_URL names a server), then modelfactsd on
# 127.0.0.1:$PORT with all state under var/. Ctrl-C stops both cleanly.
# The banner prints the `export MODELFACTS_URL=... MODELFACTS_TOKEN_FILE=...`
# lines the CLI reads, and the state directory is recorded for the CLI in
# $XDG_STATE_HOME/modelfacts/port-$PORT (see cli/README.md, "The admin token").
set -eu

PORT=${PORT:-8080}
# MF_VAR moves the state elsewhere (the tests use it; `make run` does not).
VAR=${MF_VAR:-var}
mkdir -p "$VAR"
chmod 700 "$VAR"
VAR_ABS=$(cd "$VAR" && pwd -P)
# Where the CLI looks for this port's state directory (cli/util.c,
# mf_cli_state_pointer): a file only this user can read, never HTTP.
case "${XDG_STATE_HOME:-}" in
/*) POINTER_DIR="$XDG_STATE_HOME/modelfacts" ;;
*) POINTER_DIR="${HOME:+$HOME/.local/state/modelfacts}" ;;
esac
POINTER="${POINTER_DIR:+$POINTER_DIR/port-$PORT}"
own_pg=0
if [ -z "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(scripts/pg.sh start "$VAR/pg")
	own_pg=1
fi
export DATABASE_URL

pid=""
stop_all() {
	trap - INT TERM EXIT
	if [ -n "$POINTER" ] && [ "$(cat "$POINTER" 2>/dev/null)" = "$VAR_ABS" ]; then
		rm -f "$POINTER"
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [ "$own_pg" -eq 1 ]; then
		scripts/pg.sh stop "$VAR/pg"
		echo "modelfacts: server and database stopped"
	else
		echo "modelfacts: server stopped"
	fi
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

bin/modelfactsd --port "$PORT" --state-dir "$VAR" &
pid=$!
# Give it a moment to fail loudly (port in use, bad config) before the banner.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.3
done
if kill -0 "$pid" 2>/dev/null; then
	if [ -n "$POINTER" ] && (umask 077 && mkdir -p "$POINTER_DIR" &&
		printf '%s\n' "$VAR_ABS" >"$POINTER.tmp" &&
		mv -f "$POINTER.tmp" "$POINTER"); then
		:
	else
		POINTER=""
	fi
	echo
	echo "  modelfacts is serving http://127.0.0.1:$PORT/"
	[ -f "$VAR/admin.token" ] && echo "  admin token: $VAR_ABS/admin.token"
	echo "  for bin/modelfacts in any directory (or see cli/README.md):"
	echo "    export MODELFACTS_URL=http://127.0.0.1:$PORT"
	echo "    export MODELFACTS_TOKEN_FILE=$VAR_ABS/admin.token"
	echo "  press Ctrl-C to stop the server and its database"
	echo
fi
wait "$pid"
