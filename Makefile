# The two commands of the README: `make run` and `make test` (see ../shared/contract.md).
# Both work on a brand-new Debian machine as root: they install what is missing first.

SHELL := /bin/bash
PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# WeasyPrint's libraries and fonts (libharfbuzz-subset0 makes PDFs 5x faster), PDF and QR
# tools used by the tests, and Debian's chromium for the browser tests.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-dejavu-extra poppler-utils zbar-tools
TEST_SYSTEM_PACKAGES := chromium

.PHONY: run test setup system-deps test-system-deps venv translations lint bench clean-db

run: setup
	$(FLASK) init-db
	$(FLASK) seed-demo --size small --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup test-system-deps
	$(BIN)/python -c "from weasyprint.text.ffi import harfbuzz_subset; assert harfbuzz_subset is not None, 'libharfbuzz-subset0 missing'"
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict criteria certificates

bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)

setup: system-deps venv translations

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v $(PYTHON) >/dev/null && $(PYTHON) -c "import venv, ensurepip" 2>/dev/null \
		|| missing="$$missing python3 python3-venv python3-pip"; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-system-deps:
	@dpkg -s $(TEST_SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEST_SYSTEM_PACKAGES); }

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

translations: venv
	@if ls registry/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d registry/translations -D messages; fi
