"""One real run of the refresh_all job on the demo bundle, shared by the sourcing-interface tests."""

from __future__ import annotations

import shutil

import pytest

from tests.demo_run import demo_environment, run_demo_job

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A FLRISK_HOME with the demo bundle run through the whole asset graph (warehouse + reports)."""
    with demo_environment(tmp_path_factory.mktemp("sourcing_home")) as home:
        from warehouse.received import register_demo_bundle

        register_demo_bundle()
        assert run_demo_job().success
        yield home


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
