# meetingapp — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := meetingapp

.PHONY: run test test-fast bench lint format install clients clean translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the demo on http://127.0.0.1:5000 (SQLite in instance/, demo loaded when empty).
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load-if-empty
	@echo "Serving meetingapp on http://127.0.0.1:5000  (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## The whole suite: unit, integration and functional tests on SQLite and PostgreSQL, browser tests,
## spread over the cores (pytest-xdist; each worker starts its own throwaway PostgreSQL). One
## worker per core: a third worker on this 2-core machine was slower (33 min 01 s against 27 min
## 54 s for the same tests; the suite is bound by CPU, not by waiting). The 25 slowest tests are
## listed at the end.
TEST_WORKERS ?= auto
test: $(STAMP) clients
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=25

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -x -q -m "not browser and not slow"

## Real calendar parsers used by the tests (ical.js under node; libical via Debian packages).
clients:
	@bash tests/clients/install.sh || { [ "$$CI" != "true" ] && echo "Real calendar parsers unavailable: their tests will be skipped."; }

## Benchmarks print tables of figures.
## Every benchmark, then one table of all their figures with targets and pass/fail (fails if one is missed).
bench: $(STAMP)
	@results=$$(mktemp); load=$$(cut -d' ' -f1-3 /proc/loadavg); status=0; \
	for b in benchmarks/bench_*.py; do echo "== $$b"; BENCH_RESULTS=$$results $(BIN)/python $$b || status=1; done; \
	$(BIN)/python benchmarks/summary.py $$results --load-at-start "$$load" || status=1; rm -f $$results; exit $$status

## Translations: extract marked strings, merge them into each catalogue, compile the .mo files.
## Translate the new (empty or fuzzy) entries in meetingapp/translations/*/LC_MESSAGES/messages.po, then run it again.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _n:1,2 --no-wrap --sort-by-file \
		--project meetingapp --copyright-holder meetingapp -o meetingapp/translations/messages.pot .
	$(BIN)/pybabel update -i meetingapp/translations/messages.pot -d meetingapp/translations --no-wrap
	$(BIN)/pybabel compile -d meetingapp/translations

lint: $(STAMP)
	$(BIN)/bandit -r meetingapp -q
	$(BIN)/ruff check meetingapp tests benchmarks config.py wsgi.py
	$(BIN)/ruff format --check meetingapp tests benchmarks config.py wsgi.py

format: $(STAMP)
	$(BIN)/ruff format meetingapp tests benchmarks config.py wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
