"""Runs started by flrisk store their events through one pooled connection per SQLite file
(`pipelines.event_log`), into the files Dagster's own storage reads: the UI and the daemon see the
same runs and events; a dagster.yaml that configures its own storage is used as it is."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.event_log import SqliteEventLogStorage

from pipelines.event_log import ReusedConnectionEventLogStorage, command_instance

TELEMETRY_OFF = "telemetry:\n  enabled: false\n"


def dagster_home(tmp_path, monkeypatch):
    """A fresh DAGSTER_HOME with telemetry off, set for the test."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(TELEMETRY_OFF, encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@dg.op
def say_hello(context) -> None:
    context.log.info("hello from a tiny run")
    context.log_event(dg.AssetMaterialization(asset_key="greeting"))


@dg.job
def tiny_job() -> None:
    say_hello()


def test_runs_written_through_reused_connections_read_back_with_dagsters_own_storage(tmp_path, monkeypatch):
    home = dagster_home(tmp_path, monkeypatch)
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


@dg.asset
def numbers() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset(deps=[numbers])
def doubled() -> None:
    return None


@dg.asset_check(asset=numbers)
def numbers_are_three() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_the_planned_events_of_a_run_are_stored_as_one_batch_and_read_back(tmp_path, monkeypatch):
    from dagster._core.events import DagsterEventType

    from pipelines.event_log import event_batching

    dagster_home(tmp_path, monkeypatch)
    batches = []
    real = ReusedConnectionEventLogStorage.store_event_batch

    def recorded(self, events):
        batches.append([entry.dagster_event.event_type for entry in events])
        return real(self, events)

    monkeypatch.setattr(ReusedConnectionEventLogStorage, "store_event_batch", recorded)
    with command_instance() as instance, event_batching():
        result = dg.materialize([numbers, doubled, numbers_are_three], instance=instance)
    assert result.success
    assert batches == [
        [DagsterEventType.ASSET_MATERIALIZATION_PLANNED] * 2
        + [DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED]
    ]
    with dg.DagsterInstance.get() as stock:
        planned = stock.all_logs(result.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
        assert {entry.dagster_event.asset_key for entry in planned} == {
            dg.AssetKey("numbers"),
            dg.AssetKey("doubled"),
        }
        check = dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_three")
        executions = stock.event_log_storage.get_asset_check_execution_history(check, limit=1)
        assert [execution.status.value for execution in executions] == ["SUCCEEDED"]
        assert stock.get_latest_materialization_event(dg.AssetKey("numbers")).run_id == result.run_id


def test_a_batch_is_stored_whole_or_not_at_all(tmp_path, monkeypatch):
    dagster_home(tmp_path, monkeypatch)
    with command_instance() as instance:
        result = tiny_job.execute_in_process(instance=instance)
        stored = instance.all_logs(result.run_id)
        storage = instance.event_log_storage
        copies = [entry._replace(run_id=result.run_id) for entry in stored[:3]]
        broken = copies[0]._replace(dagster_event=object())  # cannot be stored
        try:
            storage.store_event_batch([*copies, broken])
        except Exception:  # noqa: BLE001 - Dagster falls back to storing the events one by one
            pass
        else:
            raise AssertionError("a broken event must fail its batch")
        assert len(instance.all_logs(result.run_id)) == len(stored)


def test_a_new_run_file_is_a_copy_of_an_empty_one_dagster_made(tmp_path, monkeypatch):
    import sqlite3

    home = dagster_home(tmp_path, monkeypatch)
    with command_instance() as instance:
        ours = tiny_job.execute_in_process(instance=instance)
    assert (home / "history" / f".flrisk-empty-run-{dg.__version__}.db").is_file()
    with dg.DagsterInstance.get() as stock:
        theirs = tiny_job.execute_in_process(instance=stock)
        assert [e.user_message for e in stock.all_logs(ours.run_id)][-1].startswith("Finished execution")

    def schema(run_id):
        with sqlite3.connect(home / "history" / "runs" / f"{run_id}.db") as con:
            tables = sorted(row for row in con.execute("SELECT type, name, sql FROM sqlite_master"))
            return (
                tables,
                con.execute("SELECT version_num FROM alembic_version").fetchall(),
                con.execute("PRAGMA journal_mode").fetchall(),
            )

    assert schema(ours.run_id) == schema(theirs.run_id)


def test_schema_questions_answered_yes_are_asked_once_and_no_is_asked_again(tmp_path, monkeypatch):
    dagster_home(tmp_path, monkeypatch)
    asked = []
    real = SqliteEventLogStorage.has_table

    def counted(self, table_name):
        asked.append(table_name)
        return real(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    with command_instance() as instance:
        result = dg.materialize([numbers, doubled, numbers_are_three], instance=instance)
        assert result.success
        storage = instance.event_log_storage
        assert len(asked) == len(set(asked)) > 0  # each table asked about once, however often Dagster asks
        assert storage.has_table("asset_check_executions") and storage.supports_asset_checks
        assert not storage.has_table("no_such_table") and not storage.has_table("no_such_table")
        assert asked.count("no_such_table") == 2
        assert storage.has_asset_key_col("cached_status_data")
        assert not storage.has_asset_key_col("no_such_column")
        assert instance.get_latest_materialization_event(dg.AssetKey("numbers")).run_id == result.run_id


def test_files_already_stamped_by_dagster_are_not_initialised_again(tmp_path, monkeypatch):
    dagster_home(tmp_path, monkeypatch)
    initialised = []
    real = SqliteEventLogStorage._initdb

    def counted(self, engine, *args, **kwargs):
        initialised.append(str(engine.url))
        return real(self, engine, *args, **kwargs)

    monkeypatch.setattr(SqliteEventLogStorage, "_initdb", counted)
    with command_instance() as instance:
        first = tiny_job.execute_in_process(instance=instance)
    # a new home: the index created (and stamped) once, the run's file copied from the empty one
    # Dagster initialised (the template, made once per Dagster version)
    assert len(initialised) == 2
    assert initialised[0].endswith("/index.db") and ".flrisk-empty-run-" in initialised[1]
    initialised.clear()
    with command_instance() as instance:
        second = tiny_job.execute_in_process(instance=instance)
        assert [e.user_message for e in instance.all_logs(first.run_id)][-1].startswith("Finished")
    assert initialised == []  # the index and the earlier run's file are stamped: nothing to create
    with dg.DagsterInstance.get() as stock:
        assert stock.get_run_by_id(second.run_id).is_success
