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
say "National-scale reads on PostGIS (200,000 entries; clusters, tags, search, mixed load)"
.venv/bin/python bench/bench_scale.py --entries 200000 --seconds $((seconds * 5)) --rounds $rounds
say "API bbox benchmark on SpatiaLite (20,000 entries)"
.venv/bin/python bench/bench_api.py --database spatialite --entries 20000 --seconds $seconds --rounds $rounds
say "Compile-once statements against the ORM per request (in process, both databases)"
.venv/bin/python bench/bench_statements.py --database postgis --entries 200000 --pages $((rounds * 100))
.venv/bin/python bench/bench_statements.py --database spatialite --entries 20000 --pages $((rounds * 100))
say "Map page in headless Chromium (20,000 entries on SpatiaLite)"
.venv/bin/python bench/bench_map.py --runs $((rounds + 2))
echo
echo "OK: benchmarks finished (figures above; JSON copies in bench/results/)."
