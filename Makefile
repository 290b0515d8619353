# The two commands a newcomer needs: `make run` (demo) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench lock system-packages services clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

system-packages:
	bin/ensure-system-packages

services:
	bin/ensure-services

## run: the demo on embedded defaults (SQLite, filesystem broker) with a worker and beat.
run: $(STAMP)
	bin/ensure-system-packages --runtime
	bin/run-demo

## test: everything, against real PostgreSQL and Redis, including browser and process tests.
test: $(STAMP) system-packages services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: scale benchmarks on generated data (see bench/README.md), e.g. make bench BENCH_ARGS="--scale 1.0".
bench: $(STAMP) services
	$(PY) -m bench $(BENCH_ARGS)

## lock: re-pin requirements with hashes after editing requirements*.in.
lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools  # the locking tool only, not a dependency of the app
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf var/test var/celery
