# Registrasi: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
# Absolute links (emails, QR codes, certificates) point where `make run` serves, unless given.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install lint format messages demo clean bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo_data --world
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the catalogues after changing strings, translate, then commit the .po and .mo.
messages: install
	$(BIN)/python manage.py makemessages -l id --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The suite runs in TEST_WORKERS processes (pytest-xdist; tests/parallel.py keeps them apart),
# then the browser tests, also in TEST_WORKERS processes (each with its own Chromium, live
# server and test database). worksteal: a worker left idle at the end takes queued tests
# from the other (the slow tests would otherwise wait behind each other).
TEST_WORKERS ?= 2

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Models changed without a migration: run manage.py makemigrations."; exit 1; }
	$(BIN)/pytest -m "not e2e" -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
	@if [ -x "$(CHROMIUM)" ]; then \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS); \
	else \
		echo "Chromium not found at $(CHROMIUM): browser tests skipped (apt-get install chromium to run them)."; \
	fi

# Issue 14's goals on two PostgreSQL databases (small, large), alternated, medians; exits 1
# when a goal is missed. Not part of `make test` (the large database takes minutes to build).
# BENCH_DB_URL (default postgres://postgres@127.0.0.1:5432), BENCH_SMALL, BENCH_LARGE, BENCH_ROUNDS.
bench: install
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) var
