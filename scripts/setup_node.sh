#!/usr/bin/env bash
# Install the pinned front-end libraries from package.json into node_modules/ (served as static
# files; never committed). A no-op when nothing changed.
set -euo pipefail
say() { printf '==> %s\n' "$*"; }
if ! command -v npm >/dev/null; then
  echo "FAILED: npm is missing. Install Node.js and npm (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
stamp=node_modules/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt package.json ]; then
  exit 0
fi
say "Installing front-end libraries (npm)"
log=$(mktemp)
if ! npm install --no-audit --no-fund --no-package-lock >"$log" 2>&1; then
  grep -v '^npm warn' "$log" >&2 || true
  rm -f "$log"
  echo "FAILED: npm install did not complete (output above)." >&2
  exit 1
fi
rm -f "$log"
touch "$stamp"
