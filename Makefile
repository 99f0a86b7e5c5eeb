# flrisk: two commands on a fresh machine with python3 and make: `make demo`, `make test`.
# uv (installed with pip into .tools/ if missing) syncs .venv from the committed uv.lock:
# `make demo` and `make dev` install the runtime dependencies only; `make test` and `make lint` add the
# dev, deploy and contracts groups (pyproject.toml). Syncs are additive, so the two never undo each other.

PYTHON ?= python3
FLRISK_HOME ?= $(CURDIR)/.flrisk
export FLRISK_HOME
export DAGSTER_HOME := $(FLRISK_HOME)/dagster
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
RUNTIME_STAMP := $(VENV)/.flrisk-runtime
FULL_STAMP := $(VENV)/.flrisk-installed
SYNC := $(UV) sync --frozen --compile-bytecode --inexact --python $(PYTHON)

.PHONY: install install-runtime demo test dev lint wheel clean

install: $(FULL_STAMP)

install-runtime: $(RUNTIME_STAMP)

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

$(RUNTIME_STAMP): pyproject.toml uv.lock | $(UV)
	$(SYNC) --no-default-groups
	@touch $(RUNTIME_STAMP)

$(FULL_STAMP): pyproject.toml uv.lock | $(UV)
	$(SYNC)
	@touch $(FULL_STAMP) $(RUNTIME_STAMP)

demo: install-runtime
	$(VENV)/bin/flrisk demo

dev: install-runtime
	$(VENV)/bin/flrisk dev

test: install
	$(VENV)/bin/python -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/deptry .

wheel: | $(UV)
	$(UV) build --wheel --out-dir dist

clean:
	rm -rf $(VENV) .tools .flrisk dist
