# Two commands: `make run` (set up, then web + worker + beat) and `make test`; `make chaos` for the fault scenarios.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: run test chaos setup migrate clean-data

run: setup
	$(PY) manage.py demo_data --if-empty
	# First run: vectors and signals now, so the rails and search by words work from the first page (quick when done).
	$(PY) manage.py embed --missing --sync
	$(PY) manage.py embed_texts --missing --sync
	$(PY) manage.py rebuild_signals
	$(PY) manage.py ensure_admin
	$(PY) manage.py runall

# The layer contracts (.importlinter) first: a broken one fails the run before any test.
test: setup
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

# Faults against real processes on servers of their own (never the ones `make run` or `make test` use):
# worker SIGKILLed mid-embed, Redis killed under a live server, PostgreSQL restarted under load.
chaos: setup
	$(PY) -m pytest -m chaos tests/chaos $(PYTEST_ARGS)

setup: $(STAMP) migrate

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-installs only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

# Stops nothing: remove the embedded database and Redis data (the next `make run` starts empty).
clean-data:
	rm -rf .data media/products
