# Tradewind: `make run` serves the demo, `make test` runs the suite. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export TRADEWIND_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install install-test system-deps system-deps-pdf test test-fast lint format bench soak messages clean

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

# PDFs need a CJK font, pango and harfbuzz's subsetter (fast font embedding); browser tests also need
# Debian's chromium, and the PDF text tests pdftotext. Installed when we can (root or sudo).
PDF_PKGS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PKGS := $(PDF_PKGS) chromium poppler-utils
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "note:$$missing missing and no root: PDFs or browser tests may not work"; exit 0; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	  || echo "note: could not install$$missing: PDFs or browser tests may not work"
endef

system-deps-pdf:
	$(call apt_install,$(PDF_PKGS))

system-deps:
	$(call apt_install,$(TEST_PKGS))

run: install system-deps-pdf
	$(BIN)/tradewind migrate --noinput -v0
	$(BIN)/tradewind demo
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in as boss@demo.test / tradewind-demo"
	PORT=$(PORT) $(BIN)/tradewind serve

# Two processes on the 2-core CI machine (pytest-xdist; each gets its own test database).
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: install-test system-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=30

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

# Ten minutes of mixed load on the production server (docs/reliability.md keeps the last figures).
# SOAK_SECONDS, SOAK_CONCURRENCY; DATABASE_URL for PostgreSQL (default: var/soak/ SQLite).
SOAK_DATA_DIR ?= $(CURDIR)/var/soak
soak: install system-deps-pdf
	TRADEWIND_DATA_DIR=$(SOAK_DATA_DIR) sh -c '$(BIN)/tradewind migrate -v0 && \
	  $(BIN)/tradewind soak --seconds $${SOAK_SECONDS:-600} --concurrency $${SOAK_CONCURRENCY:-8} --out docs/reliability.md'

clean:
	rm -rf $(VENV) var .pytest_cache
