"""A team's Dagster instance on a real PostgreSQL: `flrisk dev --postgres URL` starts the real webserver
and daemon on it; two writing runs submitted through the webserver's GraphQL API queue behind each other
(one writer at a time) and both succeed; the files registered for them both land (0 lost); a sensor
ticks through the daemon; the published tables reach the same PostgreSQL through the `postgres/published`
asset; `flrisk status` reads the run history from PostgreSQL. The password is only in PGPASSWORD."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import psycopg
import pytest
import yaml
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from tests.demo_run import AS_OF, TEST_KEY
from tests.postgres.cluster import PASSWORD_ROLE
from tests.postgres.conftest import PUBLISHER_PASSWORD

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RUN_CONFIG = {"ops": {"published_risk_tables": {"config": {"as_of": AS_OF}}}}
LOCATION = {"repository_location_name": "flrisk", "repository_name": "__repository__"}
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
LISTS = {
    "Queue Test Brand A": "country,name,address\nBD,Queue Alpha Knitwear Ltd,Plot 3 Ashulia Road Savar\n",
    "Queue Test Brand B": "country,name,address\nVN,Queue Beta Garment Co,21 Tan Thuan Export Zone\n",
}
SENSOR_TICKS = """
query ($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    ... on Sensor { sensorState { status ticks(limit: 5) { status timestamp } } }
  }
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def register_list(home: Path, contributor: str, monkeypatch) -> None:
    from warehouse.received import register_file

    path = home.parent / f"{contributor.replace(' ', '_')}.csv"
    path.write_text(LISTS[contributor], encoding="utf-8")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    register_file(path, "supplier-list", contributor)


def ready_client(port: int, dev: subprocess.Popen, timeout: float = 300) -> DagsterGraphQLClient:
    """The webserver's GraphQL client once the code location has loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert dev.poll() is None, f"flrisk dev exited with {dev.returncode}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=5).status_code == 200:
                client = DagsterGraphQLClient("127.0.0.1", port_number=port)
                client._execute(SENSOR_TICKS, {"selector": sensor_selector()})  # the location answers
                return client
        except (httpx.HTTPError, DagsterGraphQLClientError, Exception):  # noqa: B014 - still starting
            pass
        time.sleep(2)
    pytest.fail("the Dagster webserver did not come up")


def sensor_selector(name: str = "run_failure_alerts") -> dict:
    return {"repositoryLocationName": "flrisk", "repositoryName": "__repository__", "sensorName": name}


def wait_for_runs(client: DagsterGraphQLClient, run_ids: list[str], timeout: float = 1200) -> list[tuple]:
    """Poll until every run is terminal; returns every distinct (status, status) pair observed."""
    observed: list[tuple] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = tuple(client.get_run_status(run_id).value for run_id in run_ids)
        if not observed or observed[-1] != statuses:
            observed.append(statuses)
        if all(status in TERMINAL for status in statuses):
            return observed
        time.sleep(2)
    pytest.fail(f"runs not finished in time; statuses seen: {observed}")


def event_time(instance: dg.DagsterInstance, run_id: str, event: dg.DagsterEventType) -> float:
    (entry,) = instance.all_logs(run_id, of_type=event)
    return entry.timestamp


@pytest.fixture()
def team_home(demo_home, tmp_path, postgres_cluster, publisher_database, monkeypatch):
    """A copy of the demo home, the environment a team member's shell would have (password in
    PGPASSWORD only), and the PostgreSQL URL Dagster and the published tables share."""
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("dagster", "*.lock"))
    url = postgres_cluster.url(publisher_database, user=PASSWORD_ROLE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DAGSTER_", "FLRISK_"))}
    env.update(
        FLRISK_HOME=str(home),
        FLRISK_PSEUDONYMISATION_KEY=TEST_KEY,
        FLRISK_POSTGRES_URL=url,
        FLRISK_LOCK_WAIT_SECONDS="5",  # were the queue not to serialise, the second run would fail
        PGPASSWORD=PUBLISHER_PASSWORD,
        PYTHONPATH=str(ROOT),
    )
    monkeypatch.setenv("PGPASSWORD", PUBLISHER_PASSWORD)
    return home, url, env


def test_two_writers_queue_on_a_postgres_instance(team_home, monkeypatch):
    home, url, env = team_home
    port = free_port()
    logs = home.parent / "dev.log"
    with logs.open("w") as output:
        dev = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "dev", "--postgres", url, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = ready_client(port, dev)
        config = yaml.safe_load((home / "dagster" / "dagster.yaml").read_text())
        stored_at = config["storage"]["postgres"]["postgres_url"]
        assert stored_at == url.replace("postgresql://", "postgresql+psycopg2://")  # no password in the file
        register_list(home, "Queue Test Brand A", monkeypatch)
        first = client.submit_job_execution("refresh_all", run_config=RUN_CONFIG, **LOCATION)
        register_list(home, "Queue Test Brand B", monkeypatch)
        second = client.submit_job_execution("refresh_all", run_config=RUN_CONFIG, **LOCATION)
        observed = wait_for_runs(client, [first, second])
        ticks = client._execute(SENSOR_TICKS, {"selector": sensor_selector()})
    finally:
        os.killpg(dev.pid, signal.SIGTERM)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait(timeout=30)
        print(logs.read_text(errors="replace")[-8000:])  # shown by pytest when the test fails
    log_text = logs.read_text(errors="replace")
    assert observed[-1] == ("SUCCESS", "SUCCESS"), f"{observed}\n{log_text[-4000:]}"
    assert PUBLISHER_PASSWORD not in log_text

    # Serialised by the queue: the later run was launched only after the earlier one finished.
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        runs = sorted(
            [first, second], key=lambda run: event_time(instance, run, dg.DagsterEventType.RUN_STARTING)
        )
        assert event_time(instance, runs[1], dg.DagsterEventType.RUN_STARTING) >= event_time(
            instance, runs[0], dg.DagsterEventType.RUN_SUCCESS
        )
        assert all(
            instance.get_run_by_id(run).tags.get("flrisk/warehouse") == "writer" for run in (first, second)
        )
    assert any(state[0] == "QUEUED" or state[1] == "QUEUED" for state in observed), observed

    # The daemon ticked the default-on sensor; the ticks are stored in PostgreSQL.
    assert ticks["sensorOrError"]["sensorState"]["ticks"], ticks
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM job_ticks").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'SUCCESS'").fetchone()[0] == 2
        published = con.execute("SELECT count(*) FROM published.facility_risk").fetchone()[0]
        schemas = con.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    assert sorted(schema for (schema,) in schemas) == ["public", "published"]  # Dagster's, and the BI tables

    # 0 lost files: both lists were staged (staged rows live only in the engineers' live warehouse;
    # the readers' copy holds published + resolved tables), and the asset published to the same database.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as duck:
        contributors = {
            row[0]
            for row in duck.execute(
                "SELECT DISTINCT contributor FROM staged.facility_records "
                "WHERE contributor LIKE 'Queue Test%'"
            ).fetchall()
        }
    with duckdb.connect(str(home / "warehouse.snapshot.duckdb"), read_only=True) as duck:
        facilities = duck.execute("SELECT count(*) FROM published.facility_risk").fetchone()[0]
    assert contributors == set(LISTS)
    assert published == facilities

    status = subprocess.run(
        [sys.executable, "-m", "cli.main", "status", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert status.returncode == 0, status.stderr

    jobs = {row["job"]: row for row in json.loads(status.stdout)["jobs"]}
    assert jobs["refresh_all"]["status"] == "SUCCESS" and jobs["refresh_all"]["run_id"] == runs[1]
