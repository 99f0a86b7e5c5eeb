"""Shared by the tests that run the real refresh_all job on the demo bundle in a temporary home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

AS_OF = "2026-11-23"
TEST_KEY = "test-key-not-secret-0123456789"
_ENVIRONMENT = ("FLRISK_HOME", "FLRISK_PSEUDONYMISATION_KEY", "FLRISK_SOURCES")


@contextmanager
def demo_environment(home: Path) -> Iterator[Path]:
    """FLRISK_HOME=home with the test key and no extra manifest; the previous values come back after."""
    saved = {key: os.environ.get(key) for key in _ENVIRONMENT}
    os.environ.update(FLRISK_HOME=str(home), FLRISK_PSEUDONYMISATION_KEY=TEST_KEY)
    os.environ.pop("FLRISK_SOURCES", None)
    try:
        yield home
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo_job(**execute_options) -> dg.ExecuteInProcessResult:
    """One in-process refresh_all run scored as of AS_OF, on an ephemeral Dagster instance."""
    from pipelines.definitions import defs

    run_config = {"ops": {"published_risk_tables": {"config": {"as_of": AS_OF}}}}
    return defs.resolve_job_def("refresh_all").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_config=run_config, **execute_options
    )
