# Two commands on a fresh machine (Python 3.11+, pip, make): `make run` and `make test`.
# uv is bootstrapped from PyPI into .tools/ when it is not on PATH.

PYTHON ?= python3
UV_VERSION ?= 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install lock run worker test lint format ci bench clean

help:
	@echo "make run    - install, migrate the database and serve the API on $(HOST):$(PORT)"
	@echo "make test   - install and run the whole test suite with coverage"
	@echo "make lint   - import contracts, ruff and mypy"
	@echo "make ci     - what .ci/run runs"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked
	@touch $@

install: .venv/.synced

lock: | $(UV)
	$(UV) lock

run: install
	$(UV) run --locked bulkhead db upgrade
	$(UV) run --locked bulkhead run --host $(HOST) --port $(PORT) --no-migrate

worker: install
	$(UV) run --locked bulkhead worker

test: install
	$(UV) run --locked pytest --cov --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

lint: install
	$(UV) run --locked lint-imports
	$(UV) run --locked ruff check src tests bench
	$(UV) run --locked ruff format --check src tests bench
	$(UV) run --locked mypy src

format: install
	$(UV) run --locked ruff check --fix src tests bench
	$(UV) run --locked ruff format src tests bench

ci: test lint

bench: install
	$(UV) run --locked python -m bench

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache .coverage var
