"""Dagster's SQLite run and schedule storage, opened without re-checking a schema Dagster already made.

Opening `SqliteRunStorage` or `SqliteScheduleStorage` asks alembic for the head revision of its
migrations, which loads every migration script (~40 ms each, at every `flrisk` command that runs a
job), only to find that the file is stamped: Dagster then creates nothing, migrates nothing and
returns the storage on the same file. When the file's `alembic_version` names a revision (and the
run storage has its `instance_info` table, the other thing Dagster would add), these classes return
that storage directly; otherwise they open it Dagster's way. A newer Dagster that needs a migration
is unaffected: migrations are run by `dagster instance migrate`, never by opening a storage.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite import create_db_conn_string
from dagster._serdes import ConfigurableClassData


class StampedSqliteRunStorage(SqliteRunStorage):
    """`SqliteRunStorage` at `base_dir`/runs.db, opened directly when Dagster has made it."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> SqliteRunStorage:
        base_dir = config_value["base_dir"]
        if stamped(Path(base_dir) / "runs.db", "instance_info"):
            return SqliteRunStorage(create_db_conn_string(base_dir, "runs"), inst_data)
        return SqliteRunStorage.from_local(inst_data=inst_data, **config_value)


class StampedSqliteScheduleStorage(SqliteScheduleStorage):
    """`SqliteScheduleStorage` at `base_dir`/schedules.db, opened directly when Dagster has made it."""

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value
    ) -> SqliteScheduleStorage:
        base_dir = config_value["base_dir"]
        if stamped(Path(base_dir) / "schedules.db"):
            return SqliteScheduleStorage(create_db_conn_string(base_dir, "schedules"), inst_data)
        return SqliteScheduleStorage.from_local(inst_data=inst_data, **config_value)


def stamped(path: Path, *tables: str) -> bool:
    """Whether the SQLite file at `path` exists, records an alembic revision and has `tables`."""
    if not path.is_file():
        return False
    try:
        con = sqlite3.connect(path)
    except sqlite3.Error:
        return False
    try:
        revision = con.execute("SELECT version_num FROM alembic_version LIMIT 1").fetchone()
        present = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return revision is not None and set(tables) <= present
