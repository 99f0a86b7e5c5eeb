"""One real run of the refresh_all job on the demo bundle, shared by the sourcing-interface tests."""

from __future__ import annotations

import os
import shutil

import dagster as dg
import pytest

AS_OF = "2026-11-23"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A FLRISK_HOME with the demo bundle run through the whole asset graph (warehouse + reports)."""
    home = tmp_path_factory.mktemp("sourcing_home")
    keys = ("FLRISK_HOME", "FLRISK_PSEUDONYMISATION_KEY", "FLRISK_SOURCES")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ.update(FLRISK_HOME=str(home), FLRISK_PSEUDONYMISATION_KEY="test-key-not-secret-0123456789")
    os.environ.pop("FLRISK_SOURCES", None)
    from pipelines.definitions import defs
    from pipelines.received import register_demo_bundle

    register_demo_bundle()
    run_config = {"ops": {"published_risk_tables": {"config": {"as_of": AS_OF}}}}
    result = defs.resolve_job_def("refresh_all").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_config=run_config
    )
    assert result.success
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture()
def in_demo_home(demo_home, monkeypatch):
    """Point the CLI at the demo home for one test."""
    monkeypatch.setenv("FLRISK_HOME", str(demo_home))
    return demo_home


@pytest.fixture(scope="session")
def browser() -> str:
    """A headless Chromium on PATH (Debian's `chromium`; .ci/run installs it), else skip."""
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        f"no headless browser found (looked for {', '.join(BROWSER_NAMES)}); install Debian's chromium"
    )
