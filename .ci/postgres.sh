#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests, on 127.0.0.1 and a free port.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints the exports: AVNBOT_TEST_DATABASE_URL, AVNBOT_PG_DIR
#   go test ./store                        # the PostgreSQL tests now run too
#   bash .ci/postgres.sh stop              # stops it and deletes its directory ($AVNBOT_PG_DIR)
#
# Installs Debian's postgresql package when initdb is missing (as root). initdb
# and postgres refuse to run as root, so as root they run as the postgres user.
# Everything else goes to stderr; stdout is only the exports.
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin" # runuser, useradd

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  if d=$(command -v initdb 2>/dev/null); then
    dirname "$(readlink -f "$d")"
    return
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ]; then
    if [ "$(id -u)" != 0 ]; then
      log "PostgreSQL is not installed; install it (apt-get install postgresql) or run as root"
      exit 1
    fi
    log "installing PostgreSQL from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# as runs a command as the server's owner: the postgres user when we are root.
as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  log "no free port found"
  exit 1
}

start() {
  # bin, dir and ok are global: the EXIT trap reads them after start returns.
  bin=$(bindir)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/avnbot-pg.XXXXXX")
  # On any failure, stop what was started and leave nothing behind.
  ok=
  trap '[ -n "$ok" ] || { as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }' EXIT
  chmod 755 "$dir"
  mkdir "$dir/data"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  as "$bin/initdb" -D "$dir/data" -U avnbot -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  for attempt in 1 2 3; do
    port=$(free_port)
    if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" >&2; then
      break
    fi
    [ "$attempt" = 3 ] && { cat "$dir/server.log" >&2; exit 1; }
  done
  as "$bin/createdb" -h 127.0.0.1 -p "$port" -U avnbot avnbot_test
  ok=1
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  echo "export AVNBOT_PG_DIR='$dir'"
  echo "export AVNBOT_TEST_DATABASE_URL='postgres://avnbot@127.0.0.1:$port/avnbot_test?sslmode=disable'"
}

stop() {
  local dir=${AVNBOT_PG_DIR:-}
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "AVNBOT_PG_DIR does not name a server started by this script"
    exit 1
  fi
  as "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
  echo "usage: eval \"\$(bash .ci/postgres.sh start)\"; ...; bash .ci/postgres.sh stop" >&2
  exit 2
  ;;
esac
