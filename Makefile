# flrisk: two commands on a fresh machine with python3 and make: `make demo`, `make test`.
# `make install` is the set-up both share: uv (installed with pip into .tools/ if missing), then
# `uv sync --frozen` into .venv from the committed uv.lock.

PYTHON ?= python3
FLRISK_HOME ?= $(CURDIR)/.flrisk
export FLRISK_HOME
export DAGSTER_HOME := $(FLRISK_HOME)/dagster
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
STAMP := $(VENV)/.flrisk-installed

.PHONY: install demo test dev lint clean

install: $(STAMP)

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $(STAMP)

demo: install
	$(VENV)/bin/flrisk demo

test: install
	$(VENV)/bin/python -m pytest

dev: install
	$(VENV)/bin/flrisk dev

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .tools .flrisk
