"""Runs started by flrisk store their events through one pooled connection per SQLite file
(`pipelines.event_log`), into the files Dagster's own storage reads: the UI and the daemon see the
same runs and events; a dagster.yaml that configures its own storage is used as it is."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.event_log import SqliteEventLogStorage

from pipelines.event_log import ReusedConnectionEventLogStorage, command_instance

TELEMETRY_OFF = "telemetry:\n  enabled: false\n"


@dg.op
def say_hello(context) -> None:
    context.log.info("hello from a tiny run")
    context.log_event(dg.AssetMaterialization(asset_key="greeting"))


@dg.job
def tiny_job() -> None:
    say_hello()


def test_runs_written_through_reused_connections_read_back_with_dagsters_own_storage(tmp_path, monkeypatch):
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(TELEMETRY_OFF, encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with command_instance() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, ReusedConnectionEventLogStorage)
        result = tiny_job.execute_in_process(instance=instance)
        assert set(storage._engines) == {"index", result.run_id}  # one engine per file, kept
    assert not list((home / "history" / "runs").glob("*.db-wal"))  # checkpointed when disposed
    with dg.DagsterInstance.get() as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        assert stock.get_run_by_id(result.run_id).is_success
        messages = [entry.user_message for entry in stock.all_logs(result.run_id)]
        assert "hello from a tiny run" in messages
        latest = stock.get_latest_materialization_event(dg.AssetKey("greeting"))
        assert latest is not None and latest.run_id == result.run_id


def test_a_dagster_yaml_that_configures_storage_is_used_as_it_is(tmp_path, monkeypatch):
    home = tmp_path / "dagster"
    home.mkdir()
    storage = f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n"
    (home / "dagster.yaml").write_text(TELEMETRY_OFF + storage, encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with command_instance() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        result = tiny_job.execute_in_process(instance=instance)
    assert (tmp_path / "elsewhere" / "history" / "runs" / f"{result.run_id}.db").is_file()
