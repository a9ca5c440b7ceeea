#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests and the benches: Debian's own server
# (scripts/setup.sh installs it), a fresh cluster in a temporary directory, trust authentication
# on 127.0.0.1 only, a free port. Nothing of the machine's own PostgreSQL set-up is touched.
#
#   scripts/pg.sh start STATE   starts one (stopping the one STATE names, if any) and writes
#                               STATE: "dir=…" and "url=postgresql://dangan@127.0.0.1:PORT/dangan"
#   scripts/pg.sh stop STATE    stops it and removes its directory and STATE
#   scripts/pg.sh url STATE     prints the url
# $DANGAN_PG_OPTIONS adds server settings at start (scripts/bench/scale.sh: "-c shared_buffers=4GB").
set -euo pipefail
cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: scripts/pg.sh start|stop|url STATE_FILE" >&2
  exit 2
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "pg.sh: no PostgreSQL server under /usr/lib/postgresql (run scripts/setup.sh)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root; as root it runs as the postgres user Debian's package made.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

value() { sed -n "s/^$1=//p" "$state" 2>/dev/null | head -1; }

stop() {
  [ -f "$state" ] || return 0
  local dir
  dir=$(value dir)
  if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  case "$dir" in /tmp/dangan-pg.*) rm -rf "$dir" ;; esac
  rm -f "$state"
}

case "$cmd" in
  start)
    stop
    dir=$(mktemp -d /tmp/dangan-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if ! as_server "$bin/initdb" -D "$dir/data" -U dangan --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      rm -rf "$dir"
      exit 1
    fi
    if ! as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 ${DANGAN_PG_OPTIONS:-}" start >/dev/null; then
      cat "$dir/server.log" >&2 || true
      rm -rf "$dir"
      exit 1
    fi
    if ! as_server "$bin/createdb" -h 127.0.0.1 -p "$port" -U dangan dangan; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
      rm -rf "$dir"
      exit 1
    fi
    mkdir -p "$(dirname "$state")"
    printf 'dir=%s\nurl=postgresql://dangan@127.0.0.1:%s/dangan\n' "$dir" "$port" >"$state"
    echo "pg.sh: PostgreSQL on 127.0.0.1:$port ($dir)" >&2
    ;;
  stop) stop ;;
  url) value url ;;
  *)
    echo "usage: scripts/pg.sh start|stop|url STATE_FILE" >&2
    exit 2
    ;;
esac
