#!/usr/bin/env bash
# Make sure a local PostgreSQL is up and the Commons Map test database has PostGIS.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
db=${1:-commons}
say() { printf '==> %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

pg_ready() { psql -h "$host" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; }
if ! pg_ready; then
  if command -v pg_lsclusters >/dev/null; then
    say "Starting the local PostgreSQL cluster"
    read -r ver name _ < <(pg_lsclusters -h | head -1)
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start 2>/dev/null \
      || pg_ctlcluster "$ver" "$name" start || true
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
  pg_ready || fail "PostgreSQL is not answering on $host:$port as user postgres; start it and re-run."
fi
if ! psql -h "$host" -p "$port" -U postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
  psql -h "$host" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
fi
psql -h "$host" -p "$port" -U postgres -d "$db" -qc 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null \
  || fail "could not create the postgis extension in $db; is the PostGIS package for this PostgreSQL installed?"
say "PostGIS ready in database $db on $host:$port"
