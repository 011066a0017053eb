# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint serve clean bench i18n

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,sim]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kraan demo

serve: $(STAMP)
	$(BIN)/kraan serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,sim,bench]'
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_monitor.py
	$(BIN)/python bench/bench_backtest.py
	$(BIN)/python bench/bench_spread.py
	$(BIN)/python bench/bench_requests.py
	$(BIN)/python bench/bench_simulate.py

# Page translations (docs/i18n.md): collect the marked strings, merge them into the
# catalogs, then compile the .mo files that are committed next to the .po files.
LOCALE := src/kraan/web/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k ngettext:1,2 --no-location --sort-output \
		--project Kraan -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

clean:
	rm -rf $(VENV) var .pytest_cache
