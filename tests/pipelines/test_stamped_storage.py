"""A `flrisk` command opens Dagster's run and schedule storage without asking alembic again once
Dagster has made and stamped the files (`pipelines.stamped_storage`, issue 19 fast loads); a new or
unstamped file is opened Dagster's way; the stock instance reads what was written."""

from __future__ import annotations

import sqlite3

import dagster as dg
from dagster._core.storage.runs.sqlite import sqlite_run_storage
from dagster._core.storage.schedules.sqlite import sqlite_schedule_storage

from pipelines.event_log import command_instance
from pipelines.stamped_storage import StampedSqliteRunStorage, StampedSqliteScheduleStorage, stamped
from tests.pipelines.test_event_log import dagster_home, tiny_job


def _count_alembic_checks(monkeypatch) -> list[str]:
    asked = []
    for module in (sqlite_run_storage, sqlite_schedule_storage):
        real = module.check_alembic_revision

        def counted(config, connection, real=real, name=module.__name__):
            asked.append(name)
            return real(config, connection)

        monkeypatch.setattr(module, "check_alembic_revision", counted)
    return asked


def test_a_new_home_is_made_dagsters_way_and_then_opened_without_alembic(tmp_path, monkeypatch):
    home = dagster_home(tmp_path, monkeypatch)
    asked = _count_alembic_checks(monkeypatch)
    with command_instance() as instance:
        assert isinstance(instance.run_storage, dg._core.storage.runs.SqliteRunStorage)
        first = tiny_job.execute_in_process(instance=instance)
    assert sorted(asked) == sorted([sqlite_run_storage.__name__, sqlite_schedule_storage.__name__])
    assert stamped(home / "history" / "runs.db", "instance_info") and stamped(
        home / "schedules" / "schedules.db"
    )
    asked.clear()
    with command_instance() as instance:
        second = tiny_job.execute_in_process(instance=instance)
        assert instance.get_run_by_id(first.run_id).is_success
    assert asked == []
    with dg.DagsterInstance.get() as stock:
        assert {record.dagster_run.run_id for record in stock.get_run_records()} == {
            first.run_id,
            second.run_id,
        }
        assert stock.get_run_by_id(second.run_id).is_success


def test_only_a_stamped_file_with_its_tables_counts_as_made(tmp_path):
    path = tmp_path / "runs.db"
    assert not stamped(path)
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE runs (id INTEGER)")
    assert not stamped(path, "runs")  # no alembic_version: Dagster's own opening stamps it
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE alembic_version (version_num TEXT)")
    assert not stamped(path, "runs")  # an empty version table names no revision
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO alembic_version VALUES ('abc123')")
    assert stamped(path, "runs") and not stamped(path, "runs", "instance_info")
    (tmp_path / "garbage.db").write_bytes(b"not a database at all" * 100)
    assert not stamped(tmp_path / "garbage.db")


def test_an_unstamped_file_is_opened_dagsters_way(tmp_path, monkeypatch):
    asked = _count_alembic_checks(monkeypatch)
    base = tmp_path / "storage"
    StampedSqliteRunStorage.from_config_value(None, {"base_dir": str(base)})
    StampedSqliteScheduleStorage.from_config_value(None, {"base_dir": str(base)})
    assert len(asked) == 2
    StampedSqliteRunStorage.from_config_value(None, {"base_dir": str(base)})
    StampedSqliteScheduleStorage.from_config_value(None, {"base_dir": str(base)})
    assert len(asked) == 2
