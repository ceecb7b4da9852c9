# Tradewind: `make run` serves the demo, `make test` runs the suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export TRADEWIND_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install install-test system-deps test test-fast lint format bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.test-installed

# Browser tests need Debian's chromium and a CJK font; install them when we can (root or sudo).
system-deps:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && command -v pdftotext >/dev/null && ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "note: chromium/fonts-noto-cjk missing and no root: browser tests will skip"; exit 0; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk libharfbuzz-subset0 poppler-utils >/dev/null \
	  || echo "note: could not install chromium/fonts-noto-cjk/libharfbuzz-subset0/poppler-utils: browser and PDF text tests will skip"

run: install
	$(BIN)/tradewind migrate --noinput -v0
	$(BIN)/tradewind demo
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in as boss@demo.test / tradewind-demo"
	PORT=$(PORT) $(BIN)/tradewind serve

test: install-test system-deps
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python scripts/vendor_check.py

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install-test
	cd src/tradewind && ../../$(BIN)/tradewind makemessages -l zh_Hans --no-obsolete --no-location --ignore 'static/*'
	$(BIN)/python scripts/compile_messages.py

bench: install-test
	bash bench/run.sh

clean:
	rm -rf $(VENV) var .pytest_cache
