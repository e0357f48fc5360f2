# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   install, build the demo city, run the monthly cycle, serve
#   make test  install what the tests need and run the whole suite
# Everything else here is what those two are made of.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
DEMO_HOUSEHOLDS ?= 20000
DEMO_SEED ?= 1
ADDR ?= 127.0.0.1:8000

.PHONY: run test install lint format lock demo browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: $(BIN)/python requirements/lock.txt pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/lock.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/doudi migrate --noinput -v0
	$(BIN)/doudi synth --households $(DEMO_HOUSEHOLDS) --seed $(DEMO_SEED) --feeds
	$(BIN)/doudi services demo
	@# The month in the app's time zone (TIME_ZONE), not the machine's.
	$(BIN)/doudi cycle --month $$(TZ=Asia/Shanghai date +%Y-%m)
	$(BIN)/doudi demo
	$(BIN)/doudi cases_demo
	$(BIN)/doudi duplicates demo

run: demo
	@echo "Serving on http://$(ADDR)/ (Ctrl-C stops)"
	$(BIN)/doudi serve $(ADDR)

# The suite runs on SQLite, then on PostgreSQL when DOUDI_TEST_DATABASE_URL
# (or DATABASE_URL) names one. Browser tests need Debian's chromium, which is
# installed here when running as root.
test: install browser
	DATABASE_URL= $(BIN)/pytest
	@pg="$${DOUDI_TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -n "$$pg" ]; then \
		echo "== again on PostgreSQL"; \
		DATABASE_URL="$$pg" $(BIN)/pytest; \
	else \
		echo "== PostgreSQL run skipped: set DOUDI_TEST_DATABASE_URL to include it"; \
	fi

browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "chromium is missing and this is not root: browser tests will be skipped"; fi

lint: install
	$(BIN)/ruff format --check src benchmarks
	$(BIN)/ruff check src benchmarks
	$(BIN)/mypy src benchmarks

format: install
	$(BIN)/ruff format src benchmarks
	$(BIN)/ruff check --fix src benchmarks

lock: $(BIN)/python
	$(UV) pip compile pyproject.toml --extra test --extra dev --python-version 3.11 -o requirements/lock.txt

clean:
	rm -rf $(VENV) data
