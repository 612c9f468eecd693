#!/usr/bin/env bash
# Run Commons Map's benchmarks; each prints its figures beside the baseline it must beat.
# BENCH_QUICK=1 shortens the measuring time (for a smoke run, not for figures to quote).
set -euo pipefail
say() { printf '\n==> %s\n' "$*"; }
seconds=6; rounds=3
[ "${BENCH_QUICK:-0}" = 1 ] && { seconds=2; rounds=1; }
scripts/setup_postgis.sh commons_bench
say "API bbox benchmark on PostGIS (200,000 entries; the first run creates them, ~2 minutes)"
.venv/bin/python bench/bench_api.py --database postgis --entries 200000 --seconds $seconds --rounds $rounds
# National scale at three sizes, each in a database of its own so every size is created once.
for entries in 20000 200000 1000000; do
  db=commons_bench; [ "$entries" = 200000 ] || db=commons_bench_$entries
  scripts/setup_postgis.sh "$db"
  say "National-scale reads on PostGIS ($entries entries; clusters, tiles, tags, search, writes, mixed load; 1,000,000 take ~10 minutes to create the first time)"
  BENCH_DATABASE_URL=postgis://postgres@127.0.0.1:5432/$db \
    .venv/bin/python bench/bench_scale.py --entries "$entries" --seconds $((seconds * 5)) --rounds $rounds
done
.venv/bin/python bench/bench_scale.py --table
say "API bbox benchmark on SpatiaLite (20,000 entries)"
.venv/bin/python bench/bench_api.py --database spatialite --entries 20000 --seconds $seconds --rounds $rounds
say "Compile-once statements against the ORM per request (in process, both databases)"
.venv/bin/python bench/bench_statements.py --database postgis --entries 200000 --pages $((rounds * 100))
.venv/bin/python bench/bench_statements.py --database spatialite --entries 20000 --pages $((rounds * 100))
say "Map page in headless Chromium (20,000 entries on SpatiaLite)"
.venv/bin/python bench/bench_map.py --runs $((rounds + 2))
say "Map page in headless Chromium at national scale (1,000,000 entries on PostGIS, the country view)"
for caches in "" --caches-off; do
  BENCH_DATABASE_URL=postgis://postgres@127.0.0.1:5432/commons_bench_1000000 \
    .venv/bin/python bench/bench_map.py --national $caches --entries 1000000 --runs $((rounds + 2))
done
scripts/setup_postgis.sh commons_bench_fanout
say "Telling 10,000 followers of one area of a new entry (PostGIS; the publication beside one nobody follows)"
BENCH_DATABASE_URL=postgis://postgres@127.0.0.1:5432/commons_bench_fanout \
  .venv/bin/python bench/bench_fanout.py --followers 10000 --runs $((rounds * 3))
say "Importing a 100,000-row list (SpatiaLite, a fresh database file: dry run, apply in one transaction, both again)"
BENCH_DATABASE_URL=spatialite:///var/bench_import.sqlite3 \
  .venv/bin/python bench/bench_import.py --rows 100000 --fresh
echo
echo "OK: benchmarks finished (figures above; JSON copies in bench/results/)."
