#!/usr/bin/env bash
# Print the major version of the running PostgreSQL server (or of the installed one, if down).
set -uo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
if command -v psql >/dev/null; then
  num=$(psql -h "$host" -p "$port" -U postgres -d postgres -Atc 'SHOW server_version_num' 2>/dev/null)
  if [ -n "$num" ]; then echo $((num / 10000)); exit 0; fi
fi
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1}' | grep . && exit 0
fi
ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 | grep . && exit 0
exit 1
