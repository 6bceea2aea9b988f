# nkru: `make run` starts the monitor, `make test` runs the tests. Both install what they need into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: install run demo test lint browser bench lock clean

install: $(STAMP)

# The whole resolved dependency set is pinned in requirements.lock; uv installs it in seconds. Bytecode is compiled
# at install (as pip does in the image): uv does not by default, and with PYTHONDONTWRITEBYTECODE set every process
# would compile Airflow, spaCy and SciPy from source again (~7 s a start, issue 15).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# `exec`: the launcher is make's own child, so it can tell when make alone got Ctrl-C's SIGINT (`kill -INT`),
# which GNU make does not pass on (nkru/edge/launcher.py).
run: install
	exec $(BIN)/python -m nkru.edge.launcher

demo: install
	$(BIN)/nkru demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint browser
	$(BIN)/pytest

# The workspace's browser test drives Debian's Chromium with Playwright (never `playwright install`), and its
# screenshots need CJK fonts to show Korean, Japanese and Chinese headlines: both installed from the package
# manager once, when missing; quiet when they are there.
BROWSER_PACKAGES := chromium fonts-noto-cjk

browser:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] || { \
	  echo "installing" $$missing "for the browser test (apt-get)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || { \
	    $$SUDO apt-get update -qq >/dev/null && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; }

bench: install
	$(BIN)/python bench/run_all.py

# Re-resolve requirements.in into requirements.lock (needs the package index).
lock:
	test -x $(BIN)/uv || ($(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv==$(UV_VERSION))
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
