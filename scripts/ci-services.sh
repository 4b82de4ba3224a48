#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the storage tests and prints its URL on stdout
# (everything else goes to stderr). Installs the Debian package first when PostgreSQL is missing and
# this runs as root. Idempotent: a server already running on the port is reused.
#
#   export MIDLINE_TEST_PG_URL="$(scripts/ci-services.sh)"
#   scripts/ci-services.sh stop
#
# The cluster lives in $MIDLINE_PG_DIR (default /tmp/midline-pg-PORT), listens on 127.0.0.1 only,
# trusts local connections (a test server, never a real one) and runs with fsync off (fast, and
# nothing in it needs to survive a crash).
set -euo pipefail

PORT="${MIDLINE_PG_PORT:-54329}"
DIR="${MIDLINE_PG_DIR:-/tmp/midline-pg-$PORT}"
DB=midline_test
ROLE=midline
URL="postgresql://$ROLE@127.0.0.1:$PORT/$DB"

say() { echo "ci-services: $*" >&2; }
loud() {
    echo "ci-services: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "ci-services: !!! $*" >&2
    echo "ci-services: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
}
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(pg_bin)"
if [ -z "$BIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing PostgreSQL (Debian package postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2; then
        BIN="$(pg_bin)"
    fi
fi
if [ -z "$BIN" ]; then
    loud "PostgreSQL is not installed and could not be installed: the PostgreSQL storage tests cannot run"
    exit 1
fi

# PostgreSQL refuses to run as root: as root, the server runs as the postgres user.
if [ "$(id -u)" = 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

if [ "${1:-start}" = stop ]; then
    if [ -f "$DIR/postmaster.pid" ]; then as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >&2; fi
    exit 0
fi

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    if [ ! -f "$DIR/PG_VERSION" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
        chmod 700 "$DIR"
        say "creating a cluster in $DIR"
        as_pg "$BIN/initdb" -D "$DIR" -U "$ROLE" --auth=trust -E UTF8 --no-sync >"$DIR.initdb.log" 2>&1 || {
            cat "$DIR.initdb.log" >&2
            loud "initdb failed: the PostgreSQL storage tests cannot run"
            exit 1
        }
    fi
    say "starting PostgreSQL on 127.0.0.1:$PORT"
    if ! as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 30 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2; then
        tail -n 20 "$DIR/server.log" >&2 || true
        loud "PostgreSQL did not start: the PostgreSQL storage tests cannot run"
        exit 1
    fi
fi

if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
fi
echo "$URL"
