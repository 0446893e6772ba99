#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests (issue 16), started and stopped by ctest's `pg` fixture
# (tests/CMakeLists.txt):
#   tests/pg/cluster.sh start STATE_DIR   initdb in a new temporary directory as an unprivileged user (nobody when
#                                         run as root, as CI does), listen on 127.0.0.1 only on a free port,
#                                         password authentication, and write the cluster's URL to STATE_DIR/url
#   tests/pg/cluster.sh stop STATE_DIR    stop it and remove the temporary directory
# Without PostgreSQL's server binaries it fails and says what to install: the PostgreSQL tests are never skipped.
set -euo pipefail

verb="${1:-}"
state="${2:-}"
if [ -z "$verb" ] || [ -z "$state" ]; then
  echo "usage: tests/pg/cluster.sh start|stop STATE_DIR" >&2
  exit 2
fi

# RISKRADAR_PG_BINDIR names the one directory to use (the test of the failure without PostgreSQL points it at
# nothing); otherwise the newest of Debian's /usr/lib/postgresql/*/bin, then PATH.
find_bindir() {
  local dir
  if [ -n "${RISKRADAR_PG_BINDIR:-}" ]; then
    dir="$RISKRADAR_PG_BINDIR"
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && echo "$dir" && return 0
    return 1
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to nobody.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

stop_cluster() {
  [ -f "$state/dir" ] || return 0
  local dir bindir
  dir="$(cat "$state/dir")"
  bindir="$(cat "$state/bindir" 2>/dev/null || true)"
  if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
    (cd "$dir" && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1) || true
  fi
  case "$dir" in
    /tmp/riskradar-pg.*) rm -rf "$dir" ;;
  esac
  rm -f "$state/dir" "$state/url" "$state/bindir"
}

case "$verb" in
  start)
    if ! bindir="$(find_bindir)"; then
      echo "cluster.sh: FAILED: PostgreSQL's server binaries (initdb, pg_ctl, postgres) were not found in" \
           "${RISKRADAR_PG_BINDIR:-/usr/lib/postgresql/*/bin or on PATH}. Install Debian's postgresql (listed in scripts/debian-packages.txt;" \
           "scripts/setup.sh deps installs it): the PostgreSQL tests need a throw-away cluster and are not skipped." >&2
      exit 1
    fi
    mkdir -p "$state"
    stop_cluster  # a cluster left by an interrupted run
    dir="$(mktemp -d /tmp/riskradar-pg.XXXXXX)"
    password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    (umask 077 && printf '%s\n' "$password" > "$dir/pwfile")
    if [ "$(id -u)" -eq 0 ]; then chown -R nobody:nogroup "$dir"; fi
    echo "$dir" > "$state/dir"
    echo "$bindir" > "$state/bindir"
    cd "$dir"
    if ! as_owner "$bindir/initdb" -D "$dir/data" -U riskradar --pwfile="$dir/pwfile" --auth=scram-sha-256 \
         -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
      echo "cluster.sh: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      stop_cluster
      exit 1
    fi
    rm -f "$dir/pwfile"
    # Loopback only, its own socket directory, and no durability (a throw-away cluster for tests).
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    started=""
    for attempt in 1 2 3 4 5 6 7 8; do
      port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
      if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1
      then
        started=1
        break
      fi
      echo "cluster.sh: port $port: the server did not start (attempt $attempt); trying another port" >&2
    done
    if [ -z "$started" ]; then
      echo "cluster.sh: the PostgreSQL server did not start; its log:" >&2
      tail -n 30 "$dir/server.log" >&2 || true
      stop_cluster
      exit 1
    fi
    (umask 077 && echo "postgresql://riskradar:$password@127.0.0.1:$port/postgres" > "$state/url")
    echo "cluster.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
    ;;
  stop)
    stop_cluster
    echo "cluster.sh: stopped" ;;
  *)
    echo "usage: tests/pg/cluster.sh start|stop STATE_DIR" >&2
    exit 2 ;;
esac
