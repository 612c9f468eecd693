# Commons Map — the targets a newcomer can guess. See README.md.
SHELL := /bin/bash
PY := .venv/bin/python
DEV_DB ?= spatialite:///var/commons.sqlite3
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve test fuzz lint format bench screenshots setup setup-dev clean

run: setup  ## set everything up and serve the map with demo data on 127.0.0.1:8000
	@scripts/run.sh

serve: setup  ## serve with gunicorn (production-style, static files via whitenoise) and one job worker
	@scripts/run.sh --gunicorn

test:  ## set everything up (PostGIS, Chromium too) and run the whole suite on both databases
	@scripts/test.sh

FUZZ_EXAMPLES ?= 5000
FUZZ_TESTS := tests/test_fuzz_write_api.py tests/test_fuzz_query_and_forms.py
fuzz:  ## the fuzz tests with FUZZ_EXAMPLES (default 5000) fresh examples each, both databases
	@FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) scripts/test.sh $(FUZZ_TESTS)

lint: setup-dev
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup-dev
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: setup-dev  ## performance benchmarks against their baselines (see README, Benchmarks)
	@scripts/bench.sh

setup:
	@scripts/setup_system.sh
	@scripts/setup_venv.sh requirements.txt
	@scripts/setup_node.sh

setup-dev:
	@scripts/setup_system.sh --test
	@scripts/setup_venv.sh requirements-dev.txt
	@scripts/setup_node.sh

screenshots: setup-dev  ## save screenshots of the demo to docs/screenshots/
	@.venv/bin/python scripts/screenshots.py

clean:
	rm -rf .venv var .pytest_cache .ruff_cache
