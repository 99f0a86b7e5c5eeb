"""Issue 19, inbox and runs: the inbox sensor is on by default and `flrisk dev` runs it; the
contributor comes from a sidecar or the subfolder, never the file name; every run names the files and
contributors that caused it (Dagster run tags); `flrisk demo` creates the inbox folders.

Real Dagster sensor evaluations on a persistent instance, real `flrisk` subprocesses, and one real
`flrisk dev` (webserver + daemon) that picks a dropped file up by itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import dagster as dg
import pytest
import yaml

from tests.pipelines.operations_support import baseline_home, copy_home, run_flrisk, start_flrisk

LIST = "country,name,address,sector\nVN,Inbox Gamma Garment JSC,21 Le Loi Street Da Nang,Apparel\n"
OTHER = "country,name,address,sector\nBD,Inbox Delta Knit Ltd,Plot 5 Savar Dhaka,Apparel\n"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    from warehouse.home import prepare_dagster_home

    home = tmp_path / "home"
    monkeypatch.setenv("FLRISK_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    for name in ("FLRISK_SOURCES", "FLRISK_PSEUDONYMISATION_KEY", "FLRISK_ALERT_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    prepare_dagster_home(home)
    with dg.DagsterInstance.get() as instance:
        yield instance


def _evaluate(name: str, instance, cursor: str | None = None):
    from pipelines.definitions import defs

    resources = {"sources": defs.resources["sources"]} if name == "received_files_changed" else None
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    result = defs.get_sensor_def(name)(context)
    if isinstance(result, dg.SkipReason):
        return [], context.cursor
    return ([result] if isinstance(result, dg.RunRequest) else list(result)), context.cursor


def _manifest(home) -> list[dict]:
    return yaml.safe_load((home / "received" / "manifest.yaml").read_text(encoding="utf-8"))["files"]


def test_the_inbox_sensor_is_on_by_default():
    from pipelines.definitions import defs

    assert defs.get_sensor_def("inbox_files").default_status == dg.DefaultSensorStatus.RUNNING


def test_the_contributor_is_the_subfolder_or_the_sidecar_never_the_file_name(instance, tmp_path):
    from warehouse.home import flrisk_home

    kind = flrisk_home() / "inbox" / "supplier-list"
    (kind / "Northwind Apparel").mkdir(parents=True)
    (kind / "Northwind Apparel" / "suppliers_2026.csv").write_text(LIST, encoding="utf-8")
    (kind / "casa_verde_list.csv").write_text(OTHER, encoding="utf-8")
    (kind / "casa_verde_list.csv.meta.yaml").write_text("contributor: Casa Verde Home\n", encoding="utf-8")

    requests, _ = _evaluate("inbox_files", instance)

    tags = sorted(
        (r.tags["flrisk/contributors"], r.tags["flrisk/files"], r.tags["flrisk/trigger"]) for r in requests
    )
    registered = {item["original_name"]: item for item in _manifest(flrisk_home())}
    assert [t[0] for t in tags] == ["Casa Verde Home", "Northwind Apparel"]
    assert registered["suppliers_2026.csv"]["contributor"] == "Northwind Apparel"
    assert registered["casa_verde_list.csv"]["contributor"] == "Casa Verde Home"
    assert {t[1] for t in tags} == {item["path"] for item in registered.values()}
    assert {t[2] for t in tags} == {"inbox"}
    assert (kind / "Northwind Apparel" / "processed" / "suppliers_2026.csv").is_file()


def test_a_file_that_does_not_say_who_sent_it_is_set_aside(instance):
    from warehouse.home import flrisk_home

    kind = flrisk_home() / "inbox" / "supplier-list"
    kind.mkdir(parents=True)
    (kind / "mystery.csv").write_text(LIST, encoding="utf-8")

    requests, _ = _evaluate("inbox_files", instance)

    assert requests == []
    reason = (kind / "failed" / "mystery.csv.error.txt").read_text(encoding="utf-8")
    assert "[missing_contributor]" in reason and "supplier-list/<contributor name>/" in reason
    assert not (flrisk_home() / "received" / "manifest.yaml").exists()


def test_the_manifest_sensor_names_the_files_that_changed(instance, tmp_path):
    from warehouse.received import register_file

    first = tmp_path / "first.csv"
    first.write_text(LIST, encoding="utf-8")
    register_file(first, "supplier-list", "Northwind Apparel")
    requests, cursor = _evaluate("received_files_changed", instance)
    assert len(requests) == 1 and requests[0].tags["flrisk/contributors"] == "Northwind Apparel"
    assert _evaluate("received_files_changed", instance, cursor)[0] == []

    second = tmp_path / "second.csv"
    second.write_text(OTHER, encoding="utf-8")
    entry = register_file(second, "supplier-list", "Casa Verde Home")
    requests, _ = _evaluate("received_files_changed", instance, cursor)
    assert [r.tags["flrisk/files"] for r in requests] == [entry.relative_path]  # only the new file
    assert requests[0].tags["flrisk/contributors"] == "Casa Verde Home"
    assert requests[0].tags["flrisk/trigger"] == "received_files_changed"


def _runs(home) -> list[dg.DagsterRun]:
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    try:
        with dg.DagsterInstance.get() as instance:
            return list(instance.get_runs())
    finally:
        os.environ.pop("DAGSTER_HOME", None)


def test_flrisk_demo_creates_the_inbox_and_tags_its_run():
    home = baseline_home()  # `flrisk demo` in a subprocess, shared with the operations tests
    inbox = home / "inbox"
    assert {p.name for p in inbox.iterdir() if p.is_dir()} >= {"supplier-list", "audits", "worker-voice"}
    assert "contributor" in (inbox / "README.txt").read_text(encoding="utf-8")
    (run,) = [r for r in _runs(home) if r.tags.get("flrisk/trigger") == "demo"]
    assert "Northwind Apparel" in run.tags["flrisk/contributors"]
    assert run.tags["flrisk/files"].count(";") >= 5 or "more)" in run.tags["flrisk/files"]


def test_flrisk_load_tags_its_run_with_the_file_and_contributor(tmp_path):
    home = copy_home(tmp_path / "home")
    listing = tmp_path / "spring_list.csv"
    listing.write_text(LIST, encoding="utf-8")
    done = run_flrisk(home, "load", "supplier-list", str(listing), "--contributor", "Bluefjord Outdoor")
    assert done.returncode == 0, done.stderr
    (run,) = [r for r in _runs(home) if r.tags.get("flrisk/trigger") == "load"]
    assert run.tags["flrisk/contributors"] == "Bluefjord Outdoor"
    assert run.tags["flrisk/files"].endswith("spring_list.csv")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


RUNS_QUERY = """{ runsOrError(filter: {tags: [{key: "flrisk/trigger", value: "inbox"}]}) {
  ... on Runs { results { runId status tags { key value } } } } }"""


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_flrisk_dev_runs_the_inbox_sensor_and_the_run_names_file_and_contributor(tmp_path):
    """The real `flrisk dev` (webserver + daemon) loads a dropped file without anyone starting the
    sensor, and the run it launches carries the file and the contributor (the subfolder)."""
    home = tmp_path / "home"
    port = _free_port()
    server = start_flrisk(home, "dev", "--port", str(port))
    try:
        sender = home / "inbox" / "supplier-list" / "Northwind Apparel"
        deadline = time.monotonic() + 60
        while not sender.parent.is_dir() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert sender.parent.is_dir(), "flrisk dev did not create the inbox folders"
        sender.mkdir()
        (sender / "dropped.csv").write_text(LIST, encoding="utf-8")
        deadline = time.monotonic() + 600
        runs: list[dict] = []
        while time.monotonic() < deadline:
            assert server.poll() is None, "flrisk dev exited"
            try:
                runs = _graphql(port, RUNS_QUERY)["data"]["runsOrError"]["results"]
            except (OSError, KeyError, TypeError, ValueError):
                runs = []
            if runs:  # launched by the daemon's sensor tick; how long the run takes is not the point here
                break
            time.sleep(2)
        assert len(runs) == 1, runs
        tags = {tag["key"]: tag["value"] for tag in runs[0]["tags"]}
        assert tags["flrisk/contributors"] == "Northwind Apparel"
        assert tags["flrisk/files"].endswith("dropped.csv") and tags["dagster/sensor_name"] == "inbox_files"
        assert (sender / "processed" / "dropped.csv").is_file()
        assert not (sender / "dropped.csv").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
