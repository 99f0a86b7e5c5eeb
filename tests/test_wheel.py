"""A wheel built from the project installs into a fresh virtual environment and runs outside the checkout:
`flrisk demo` materializes the whole graph from the bundle that travels in the wheel, and `flrisk dev`
serves the Dagster UI with the flrisk code location loaded from the installed package.

The environment gets exactly the locked runtime dependencies (`uv export`), never the checkout on
`sys.path`. Needs uv (the Makefile installs it into `.tools/` when missing) and the package registry
or uv's cache, as `make install` does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

WORKSPACE_QUERY = (
    "{ workspaceOrError { __typename ... on Workspace { locationEntries { name "
    "locationOrLoadError { __typename ... on RepositoryLocation { repositories { name "
    "jobs { name } } } } } } } }"
)


def uv_binary() -> str:
    found = shutil.which("uv") or (ROOT / ".tools" / "bin" / "uv")
    if not Path(found).is_file():
        pytest.skip("uv is not installed (run `make install`, which installs it into .tools/)")
    return str(found)


def clean_environment(home: Path) -> dict[str, str]:
    """The user's environment without anything pointing back at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLRISK_", "DAGSTER_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["FLRISK_HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel and the locked runtime dependencies; returns its bin folder."""
    uv = uv_binary()
    work = tmp_path_factory.mktemp("wheel")
    run = dict(check=True, capture_output=True, text=True, timeout=900)
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)], cwd=ROOT, **run)
    wheels = list((work / "dist").glob("flrisk-*.whl"))
    assert len(wheels) == 1, wheels
    requirements = work / "requirements.txt"
    subprocess.run(
        [
            uv,
            "export",
            "--frozen",
            "--no-default-groups",
            "--no-hashes",
            "--no-emit-project",
            "-o",
            str(requirements),
        ],
        cwd=ROOT,
        **run,
    )
    subprocess.run([uv, "venv", "--python", sys.executable, str(work / "venv")], cwd=work, **run)
    python = work / "venv" / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--python", str(python), "-r", str(requirements), str(wheels[0])],
        cwd=work,
        **run,
    )
    return python.parent


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    probe = "import cli, demo, pipelines, warehouse; print(pipelines.__file__); print(demo.__file__)"
    out = subprocess.run(
        [str(installed / "python"), "-c", probe],
        cwd=tmp_path,
        env=clean_environment(tmp_path / "home"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all("site-packages" in path and not path.startswith(str(ROOT)) for path in out), out


def test_flrisk_demo_runs_from_the_wheel_outside_the_checkout(installed, tmp_path):
    home = tmp_path / "home"
    result = subprocess.run(
        [str(installed / "flrisk"), "demo", "--as-of", "2026-06-30"],
        cwd=tmp_path,
        env=clean_environment(home),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Ten riskiest facilities:" in result.stdout
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        facilities = con.sql("SELECT count(*) FROM published.facility_risk").fetchall()[0][0]
        received = con.sql("SELECT count(DISTINCT source_file) FROM raw.loads").fetchall()[0][0]
    assert facilities > 100 and received > 5
    assert (home / "dagster" / "dagster.yaml").is_file()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_flrisk_dev_serves_the_code_location_from_the_wheel(installed, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [str(installed / "flrisk"), "dev", "--port", str(port)],
        cwd=tmp_path,
        env=clean_environment(tmp_path / "home"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        entries = []
        while time.monotonic() < deadline:
            try:
                workspace = graphql(port, WORKSPACE_QUERY)["data"]["workspaceOrError"]
                entries = workspace.get("locationEntries") or []
                if entries and entries[0]["locationOrLoadError"]:
                    break
            except (OSError, KeyError, ValueError):
                pass
            assert server.poll() is None, "flrisk dev exited"
            time.sleep(1)
        assert [entry["name"] for entry in entries] == ["flrisk"]
        location = entries[0]["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        jobs = {job["name"] for repository in location["repositories"] for job in repository["jobs"]}
        assert {"refresh_all", "oshub_sync", "reference_refresh"} <= jobs
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
