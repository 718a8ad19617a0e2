# studybot: `make run` starts the bot, `make test` runs lint, types and the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ORIGINALITY := ../shared/originality/check.py

# A venv copied or cloned from another folder names an interpreter that is not its own
# (its scripts' first lines point elsewhere): such a venv is thrown away and rebuilt.
VENV_OK := $(shell $(BIN)/python -c 'import sys, os; sys.exit(0 if os.path.realpath(sys.prefix) == os.path.realpath("$(VENV)") else 1)' 2>/dev/null && head -1 $(BIN)/pip 2>/dev/null | grep -qF "$(abspath $(VENV))/bin/" && echo yes)
ifneq ($(VENV_OK),yes)
$(shell rm -rf $(VENV))
endif

.PHONY: run test lint types pytest demo bench content-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	@$(BIN)/python -m compileall -q bot adapters >/dev/null  # bytecode even where PYTHONDONTWRITEBYTECODE is set
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
	@if [ -f $(ORIGINALITY) ]; then $(BIN)/python $(ORIGINALITY) content/; \
	else echo "originality check skipped: $(ORIGINALITY) is not here"; fi

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
