# studybot: `make run` starts the bot, `make test` runs lint, types and the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint types pytest demo bench content-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/studybot run

demo: $(STAMP)
	$(BIN)/studybot demo

test: $(STAMP) lint types pytest content-check

lint: $(STAMP)
	$(BIN)/ruff check bot adapters tests bench

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

content-check: $(STAMP)
	$(BIN)/studybot content check
	$(PYTHON) ../shared/originality/check.py content/ || [ ! -f ../shared/originality/check.py ]

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
