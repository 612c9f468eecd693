#!/usr/bin/env bash
# Migrate, load demo data into an empty database and serve Commons Map.
set -euo pipefail
say() { printf '==> %s\n' "$*"; }
export DATABASE_URL=${DATABASE_URL:-spatialite:///var/commons.sqlite3}
addr=${ADDR:-127.0.0.1:8000}
say "Migrating the database ($DATABASE_URL)"
.venv/bin/python manage.py migrate --no-input -v 0 \
  || { echo "FAILED: migrate did not complete (see above)." >&2; exit 1; }
say "Loading demo data if the database is empty"
.venv/bin/python manage.py load_demo --if-empty
# The job worker (email, later digests and reminders) runs beside the web server and stops
# with it; on other hosts it is `manage.py qcluster` alone (README, Jobs).
if [ "${JOB_WORKER:-on}" = on ]; then
  say "Starting the job worker (manage.py qcluster)"
  .venv/bin/python manage.py qcluster &
  worker=$!
  trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
fi
if [ "${1:-}" = "--gunicorn" ]; then
  .venv/bin/python manage.py collectstatic --no-input -v 0
  say "Commons Map is being served by gunicorn at http://$addr/ (Ctrl-C stops it)"
  .venv/bin/gunicorn commons.wsgi --config commons/gunicorn.conf.py --bind "$addr"
  exit
fi
say "Commons Map is ready: http://$addr/  (admin: http://$addr/admin/; Ctrl-C stops it)"
.venv/bin/python manage.py runserver "$addr"
