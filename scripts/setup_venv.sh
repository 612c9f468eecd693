#!/usr/bin/env bash
# Create .venv and install the pinned requirements; a no-op when nothing changed.
set -euo pipefail
req=${1:-requirements.txt}
stamp=".venv/.installed-$(basename "$req" .txt)"
say() { printf '==> %s\n' "$*"; }
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv with $($python --version 2>&1)"
  $python -m venv .venv || { echo "FAILED: could not create .venv; install python3-venv." >&2; exit 1; }
fi
if [ -f "$stamp" ] && [ "$stamp" -nt "$req" ] && [ "$stamp" -nt requirements.txt ]; then
  exit 0
fi
# The development set includes the runtime one, so an up-to-date dev install serves `make run`.
dev_stamp=.venv/.installed-requirements-dev
if [ "$req" = requirements.txt ] && [ -f "$dev_stamp" ] && [ "$dev_stamp" -nt requirements.txt ] \
   && [ "$dev_stamp" -nt requirements-dev.txt ]; then
  exit 0
fi
say "Installing Python packages from $req"
log=$(mktemp)
if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip &&
       .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"; } >"$log" 2>&1; then
  grep -v '^WARNING: Location' "$log" >&2 || true
  echo "FAILED: pip could not install $req (output above)." >&2
  rm -f "$log"; exit 1
fi
rm -f "$log"
touch "$stamp"
