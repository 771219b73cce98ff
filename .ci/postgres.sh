# Sourced by .ci/run: a throwaway PostgreSQL cluster for the tests of the PostgreSQL state
# store. Installs Debian's `postgresql` package when no server binaries are found (root only),
# starts a cluster on a free loopback port in a temporary directory (as the `postgres` user when
# running as root: the server refuses to run as root), creates a database, exports its URL as
# HUBSCRIPT_TEST_PG_URL and stops the cluster when the calling shell exits. When
# HUBSCRIPT_TEST_PG_URL is already set, that database is used as it is. When no server can be
# had, it says so and the PostgreSQL tests print "skipped: no HUBSCRIPT_TEST_PG_URL".

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

start_test_postgres() {
  if [ -n "${HUBSCRIPT_TEST_PG_URL:-}" ]; then
    echo "using the PostgreSQL database given in HUBSCRIPT_TEST_PG_URL"
    return 0
  fi
  local bin
  bin=$(pg_bin_dir)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "warning: no PostgreSQL server installed and not root: the PostgreSQL tests will be skipped" >&2
      return 0
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin_dir)
    [ -n "$bin" ] || { echo "error: postgresql installed but no server binaries found" >&2; return 1; }
  fi
  local dir port as=()
  dir=$(mktemp -d /tmp/hubscript-ci-pg.XXXXXX)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  PG_CI_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  PG_CI_DIR=$dir
  trap '"${PG_CI_STOP[@]}" >/dev/null 2>&1 || true; rm -rf "$PG_CI_DIR"' EXIT
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres hubscript_test
  export HUBSCRIPT_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/hubscript_test"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (HUBSCRIPT_TEST_PG_URL)"
}
