"""Sensors on a real Dagster instance: the inbox gives exactly one run per new file (never twice), and a
real failed run produces an alert record and a JSON POST to a local webhook, without secrets."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from tests.pipelines.operations_support import ROOT

LIST_A = "country,name,address,sector\nCN,Inbox Alpha Apparel Co Ltd,8 Binhai Road Ningbo,Apparel\n"
LIST_B = "country,name,address,sector\nVN,Inbox Beta Garment JSC,21 Le Loi Street Da Nang,Apparel\n"
OSHUB_SECRET = "oshub-secret-token-123"
HOOK_SECRET = "hook-secret-456"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A persistent Dagster instance under a fresh FLRISK_HOME, as `flrisk dev` would use."""
    from warehouse.home import prepare_dagster_home

    home = tmp_path / "home"
    monkeypatch.setenv("FLRISK_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    for name in ("FLRISK_SOURCES", "FLRISK_PSEUDONYMISATION_KEY", "FLRISK_ALERT_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    prepare_dagster_home(home)
    with dg.DagsterInstance.get() as instance:
        yield instance


def launch_like_the_daemon(instance, requests) -> list[dg.ExecuteInProcessResult]:
    """Start one refresh_all run per request whose run key has not been used yet (as the daemon does)."""
    from pipelines.definitions import defs

    results = []
    for request in requests:
        used = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/run_key": request.run_key}))
        if used:
            continue
        results.append(
            defs.resolve_job_def("refresh_all").execute_in_process(
                instance=instance, tags={**request.tags, "dagster/run_key": request.run_key}
            )
        )
    return results


def tick(sensor, instance):
    result = sensor(dg.build_sensor_context(instance=instance))
    return [] if isinstance(result, dg.SkipReason) else list(result)


def test_two_inbox_files_make_exactly_two_runs_and_never_a_third(instance, tmp_path):
    from pipelines.definitions import defs
    from warehouse.home import flrisk_home

    inbox = flrisk_home() / "inbox" / "supplier-list" / "Brand A"  # the subfolder names the contributor
    inbox.mkdir(parents=True)
    (inbox / "brand_a.csv").write_text(LIST_A, encoding="utf-8")
    (inbox / "brand_b.csv").write_text(LIST_B, encoding="utf-8")
    sensor = defs.get_sensor_def("inbox_files")

    requests = tick(sensor, instance)
    assert len(requests) == 2 and len({r.run_key for r in requests}) == 2
    results = launch_like_the_daemon(instance, requests)
    assert [r.success for r in results] == [True, True]

    assert tick(sensor, instance) == []
    shutil.copyfile(inbox / "processed" / "brand_a.csv", inbox / "brand_a_again.csv")
    assert tick(sensor, instance) == []  # the same bytes again: already received, no run
    assert launch_like_the_daemon(instance, requests) == []  # a replayed request is ignored by run key
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="refresh_all"))
    assert len(runs) == 2
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs)
    assert (inbox / "processed" / "brand_a_again.csv").exists()


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, dict]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Hook.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/flrisk?token={HOOK_SECRET}"
    server.shutdown()
    server.server_close()


def test_a_failed_run_writes_an_alert_and_posts_it_without_secrets(instance, webhook, monkeypatch):
    from pipelines.definitions import defs
    from warehouse.home import flrisk_home
    from warehouse.received import register_file

    monkeypatch.setenv("FLRISK_OSHUB_TOKEN", OSHUB_SECRET)
    monkeypatch.setenv("FLRISK_ALERT_WEBHOOK_URL", webhook)
    fixture = ROOT / "tests" / "fixtures" / "worker_voice" / "grievance_cases_sample.csv"
    register_file(fixture, "worker-voice", "Hotline")  # no pseudonymisation key: staging must refuse
    result = defs.resolve_job_def("refresh_all").execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success

    sensor = defs.get_sensor_def("run_failure_alerts")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    sensor(context)

    lines = (flrisk_home() / "alerts" / "run_failures.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["alert"] == "run_failed" and record["job"] == "refresh_all"
    assert record["run_id"] == result.run_id
    assert [step["step"] for step in record["failed_steps"]] == ["staged_tables"]
    assert "pseudonymisation key" in record["failed_steps"][0]["error"]
    assert len(Hook.received) == 1
    path, headers, posted = Hook.received[0]
    assert path.startswith("/hooks/flrisk") and headers["Content-Type"] == "application/json"
    assert posted == record
    for secret in (OSHUB_SECRET, HOOK_SECRET):
        assert secret not in lines[0]
        assert secret not in json.dumps(posted)
