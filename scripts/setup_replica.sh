#!/usr/bin/env bash
# Start (or reuse) a streaming read replica of the local PostgreSQL primary, for the tests.
# The primary is 127.0.0.1:5432 (trust, user postgres); the replica gets the first free port
# from REPLICA_PORT (default 5433) and lives in var/replica-<port>. Progress goes to stderr;
# the last line on stdout is the replica's port.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '%s\n' "$*" >&2; }

primary=(-h 127.0.0.1 -p 5432 -U postgres)
major=$(scripts/postgres_major.sh)
bin=/usr/lib/postgresql/$major/bin
as_postgres() { runuser -u postgres -- "$@"; }
on_primary() { psql "${primary[@]}" -d postgres -Atc "$1"; }
port_busy() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$1" || ss -ltn | grep -q "127.0.0.1:$1 "; }

allow_replication() {
  # "all" in pg_hba.conf does not cover replication connections: they need their own line.
  local hba
  hba=$(on_primary 'show hba_file')
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    say "Allowing replication connections from 127.0.0.1 in $hba"
    printf 'host replication all 127.0.0.1/32 trust\n' >>"$hba"
    on_primary 'select pg_reload_conf()' >/dev/null
  fi
  [ "$(on_primary 'show wal_level')" != minimal ] || { say "wal_level is minimal: no replication"; exit 1; }
}

write_config() {
  # Debian keeps configuration outside the data directory, so the copy has none of its own.
  # Standbys refuse to start with fewer of these than the primary has.
  local dir=$1 port=$2 name
  {
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$port" "$dir"
    printf "hot_standby = on\nhba_file = '%s/pg_hba.conf'\n" "$dir"
    for name in max_connections max_prepared_transactions max_locks_per_transaction \
      max_wal_senders max_worker_processes; do
      printf '%s = %s\n' "$name" "$(on_primary "show $name")"
    done
  } >"$dir/postgresql.conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$dir/pg_hba.conf"
  chown postgres:postgres "$dir/postgresql.conf" "$dir/pg_hba.conf"
}

make_replica() {
  local dir=$1 port=$2
  say "Copying the primary into $dir (pg_basebackup)"
  rm -rf "$dir"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream -c fast
  write_config "$dir" "$port"
}

start_replica() {
  local dir=$1 port=$2
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >&2
}

streaming() {
  [ "$(psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc \
    "select pg_is_in_recovery() and exists (select from pg_stat_wal_receiver where status = 'streaming')" 2>/dev/null)" = t ]
}

wait_for_streaming() {
  local port=$1 tries
  for tries in $(seq 1 60); do
    streaming "$port" && return 0
    sleep 1
  done
  return 1
}

allow_replication
port=${REPLICA_PORT:-5433}
while :; do
  dir=$PWD/var/replica-$port
  if [ -f "$dir/standby.signal" ] && streaming "$port"; then
    say "Reusing the replica on port $port"
    echo "$port"
    exit 0
  fi
  if [ -f "$dir/standby.signal" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    say "The replica on port $port runs but does not stream: stopping it to copy afresh"
    as_postgres "$bin/pg_ctl" -D "$dir" -m immediate stop >&2
    break
  fi
  port_busy "$port" || break
  port=$((port + 1))
done

dir=$PWD/var/replica-$port
# A copy left by an earlier run is started again; if it cannot catch up, it is made afresh.
if [ -f "$dir/standby.signal" ] && start_replica "$dir" "$port" 2>/dev/null && wait_for_streaming "$port"; then
  say "Started the existing replica in $dir"
else
  if [ -f "$dir/postmaster.pid" ]; then as_postgres "$bin/pg_ctl" -D "$dir" -m immediate stop >&2 || true; fi
  make_replica "$dir" "$port"
  say "Starting the replica on port $port"
  start_replica "$dir" "$port"
  wait_for_streaming "$port" || {
    say "The replica on port $port does not stream from the primary; see $dir/server.log"
    exit 1
  }
fi
say "Replica of 127.0.0.1:5432 running on 127.0.0.1:$port"
echo "$port"
