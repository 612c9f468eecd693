#!/usr/bin/env bash
# Run the benchmarks under bench/ (each prints its figures side by side with its baseline).
set -euo pipefail
scripts/setup_postgis.sh commons_bench
for bench in bench/bench_*.py; do
  [ -e "$bench" ] || { echo "No benchmarks yet."; exit 0; }
  printf '\n==> %s\n' "$bench"
  .venv/bin/python "$bench"
done
