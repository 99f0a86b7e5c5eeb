"""Where flrisk keeps its state, resolved at run time (never at import time).

`FLRISK_HOME` (default `./.flrisk`) holds the DuckDB warehouse, `DAGSTER_HOME`, reports and the local
pseudonymisation key the demo generates. Everything here is a function so that tests and the CLI can
point flrisk at another home simply by setting the environment before calling them.
"""

from __future__ import annotations

import os
from pathlib import Path

# The demo bundle travels with the code: beside this package in a checkout and in an installed wheel.
DEMO_MANIFEST = Path(__file__).resolve().parents[1] / "demo" / "bundle" / "manifest.yaml"
# The code location, as the checkout's workspace.yaml names it; `flrisk dev` writes the same file into
# DAGSTER_HOME so the UI loads the installed package from any directory.
WORKSPACE_YAML = """\
# Written by flrisk dev: the flrisk code location from the installed package.
load_from:
  - python_module:
      module_name: pipelines.definitions
      location_name: flrisk
"""
DAGSTER_YAML = """\
# Written by flrisk. Telemetry stays off; runs and event logs live beside the warehouse.
telemetry:
  enabled: false
"""


def flrisk_home() -> Path:
    """The flrisk home directory: `$FLRISK_HOME`, else `./.flrisk` (absolute)."""
    return Path(os.environ.get("FLRISK_HOME") or ".flrisk").resolve()


def warehouse_path(home: Path | None = None) -> Path:
    """The DuckDB file of the embedded warehouse."""
    return (home or flrisk_home()) / "warehouse.duckdb"


def lock_wait_seconds() -> float:
    """How long a run waits for another run's writer lock: `$FLRISK_LOCK_WAIT_SECONDS`, default 600."""
    return float(os.environ.get("FLRISK_LOCK_WAIT_SECONDS") or 600)


def log_format() -> str:
    """`json` for one JSON object per log line (`$FLRISK_LOG_FORMAT=json`), else `text`."""
    return "json" if (os.environ.get("FLRISK_LOG_FORMAT") or "").lower() == "json" else "text"


def alerts_dir(home: Path | None = None) -> Path:
    """Where the run-failure sensor appends its alert records (JSON lines)."""
    return (home or flrisk_home()) / "alerts"


def reports_dir(home: Path | None = None) -> Path:
    """Where data-quality reports are written."""
    return (home or flrisk_home()) / "reports" / "data_quality"


def pseudonymisation_key_file(home: Path | None = None) -> Path:
    """The local key file the demo creates when no `FLRISK_PSEUDONYMISATION_KEY` is set."""
    return (home or flrisk_home()) / "secrets" / "pseudonymisation.key"


def raw_access_key_file(home: Path | None = None) -> Path:
    """The local raw-access key file (created on first need when no `FLRISK_RAW_ACCESS_KEY` is set)."""
    return (home or flrisk_home()) / "secrets" / "raw-access.key"


PRIVATE_UMASK = 0o077


def private_home(home: Path | None = None) -> Path:
    """Make everything this process creates private to its user from now on (umask 077: files 0600,
    directories 0700), and the home itself 0700; returns the home. Called by every entry point (the
    CLI, a run, a sensor) before it writes under `$FLRISK_HOME`."""
    os.umask(PRIVATE_UMASK)
    home = home or flrisk_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)
    except OSError:  # a read-only home: nothing will be written there anyway
        pass
    return home


def prepare_dagster_home(home: Path | None = None) -> Path:
    """Create `$FLRISK_HOME/dagster` with a telemetry-off `dagster.yaml`, export it, return it."""
    dagster_home = private_home(home) / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dagster_home


def write_workspace(dagster_home: Path) -> Path:
    """Write the code location's `workspace.yaml` into `dagster_home` and return its path."""
    workspace = dagster_home / "workspace.yaml"
    workspace.write_text(WORKSPACE_YAML, encoding="utf-8")
    return workspace
