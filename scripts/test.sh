#!/usr/bin/env bash
# Set up everything the suite needs, then lint and run it on SpatiaLite and on PostGIS.
# Extra arguments go to pytest (e.g. scripts/test.sh -k bbox).
set -uo pipefail
say() { printf '\n==> %s\n' "$*"; }
step=""
trap 'echo; echo "FAILED: make test stopped at: $step. Fix the error above and run make test again."' ERR
set -e

step="installing system packages"; say "Checking system packages (GDAL, SpatiaLite, PostGIS, Chromium, Java, Redis)"
scripts/setup_system.sh --test
step="installing Python packages"; say "Checking the Python environment"
scripts/setup_venv.sh requirements-dev.txt
step="installing front-end libraries"
scripts/setup_node.sh
step="preparing PostGIS"; say "Preparing PostgreSQL + PostGIS"
scripts/setup_postgis.sh commons

step="ruff"; say "ruff check and ruff format --check"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
step="makemigrations --check"; say "Checking that migrations are up to date"
DATABASE_URL=spatialite:///var/check.sqlite3 .venv/bin/python manage.py makemigrations --check --dry-run -v 1

pg_url=${TEST_POSTGIS_URL:-postgis://postgres@127.0.0.1:5432/commons}
step="pytest on SpatiaLite"; say "pytest on SpatiaLite"
DATABASE_URL=spatialite:///var/test.sqlite3 .venv/bin/python -m pytest "$@"
step="starting a read replica"; say "Starting a streaming read replica of PostgreSQL"
replica_port=$(scripts/setup_replica.sh | tail -1)
step="pytest on PostGIS"; say "pytest on PostGIS ($pg_url, replica on port $replica_port)"
DATABASE_URL=$pg_url TEST_REPLICA_PORT=$replica_port .venv/bin/python -m pytest "$@"

echo
echo "OK: lint, migrations and pytest ${*:-(the whole suite)} passed on SpatiaLite and PostGIS."
