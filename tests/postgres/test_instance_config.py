"""The instance configurations meet a real PostgreSQL: the one `flrisk dev --postgres` writes, and the
production `deploy/dagster.yaml` (its storage block, with the test server's port and no TLS)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.postgres.cluster import PASSWORD_ROLE
from tests.postgres.conftest import PUBLISHER_PASSWORD
from warehouse.postgres.instance import RUN_COORDINATOR, write_postgres_instance
from warehouse.postgres.target import parse_target

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())


def store_and_read_a_run(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        run = instance.create_run_for_job(dg.GraphDefinition(name="probe").to_job(), tags={"probe": "yes"})
        assert instance.get_run_by_id(run.run_id).tags["probe"] == "yes"
        instance.report_engine_event("probe event", run)  # the event log (and its NOTIFY) works
        assert [e.message for e in instance.all_logs(run.run_id)] == ["probe event"]
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"


def test_the_local_team_instance_and_the_deployment_queue_agree():
    assert DEPLOY["run_coordinator"] == RUN_COORDINATOR


def test_flrisk_dev_instance_on_postgres(tmp_path, postgres_cluster, publisher_database, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PUBLISHER_PASSWORD)
    url = postgres_cluster.url(publisher_database, user=PASSWORD_ROLE)
    written = write_postgres_instance(tmp_path, parse_target(url))
    assert PUBLISHER_PASSWORD not in written.read_text()
    assert yaml.safe_load(written.read_text())["storage"]["postgres"]["postgres_url"] == url.replace(
        "postgresql://", "postgresql+psycopg2://"
    )
    store_and_read_a_run(tmp_path)


def test_deploy_dagster_yaml_storage_on_postgres(tmp_path, postgres_cluster, publisher_database, monkeypatch):
    """deploy/dagster.yaml as it is, but for the launcher (K8s needs a cluster), the port and TLS
    (the test server has no certificate): credentials come from DAGSTER_PG_* as in production."""
    monkeypatch.setenv("DAGSTER_PG_HOST", postgres_cluster.host)
    monkeypatch.setenv("DAGSTER_PG_USERNAME", PASSWORD_ROLE)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", PUBLISHER_PASSWORD)
    monkeypatch.setenv("DAGSTER_PG_DB", publisher_database)
    config = {key: value for key, value in DEPLOY.items() if key != "run_launcher"}
    database = config["storage"]["postgres"]["postgres_db"]
    assert database["params"] == {"sslmode": "require"}
    database.update(port=postgres_cluster.port, params={"sslmode": "disable"})
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    store_and_read_a_run(tmp_path)


@pytest.mark.parametrize("url", ["postgresql://u:pw@h/db", "sqlite:///x"])
def test_flrisk_dev_refuses_a_bad_url_before_writing(url, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "dev", "--postgres", url],
        cwd=ROOT,
        env={"FLRISK_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "pw" not in result.stderr.replace("postgresql", "")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dagster" / "dagster.yaml").read_text().count("postgres")
