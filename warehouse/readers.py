"""Readers never wait for writers: they read the reader copy, the warehouse as of the last good run.

DuckDB lets one process write a database file, and a `read_only` connection from another process
still conflicts with that writer. So a run that ends without a failed step checkpoints the warehouse
and copies it to `<stem>.snapshot.duckdb` beside it (copy to a temporary name, then an atomic
rename). `flrisk query` and reports open the copy read-only: they see the last published state, a
killed or failed run never shows half of itself, and a reader holding the old copy open keeps
reading it while the rename installs the new one. Before the first good run there is no copy; readers
then open the warehouse itself read-only and retry briefly while a writer holds it.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

RETRY_SECONDS = 30.0


def snapshot_path(database: Path) -> Path:
    """The reader copy beside `database` (`warehouse.duckdb` -> `warehouse.snapshot.duckdb`)."""
    return database.with_name(f"{database.stem}.snapshot{database.suffix or '.duckdb'}")


def reader_database(database: Path) -> Path:
    """What readers open: the reader copy when one exists, else the warehouse itself."""
    snapshot = snapshot_path(database)
    return snapshot if snapshot.is_file() else database


def publish_snapshot(database: Path) -> Path:
    """Checkpoint `database` and install a copy of it as the reader copy; the caller must hold the
    writer lock (see `warehouse.locking`) so nothing writes during the copy."""
    with duckdb.connect(str(database)) as con:
        con.execute("CHECKPOINT")
    target = snapshot_path(database)
    temporary = target.with_name(target.name + ".tmp")
    shutil.copyfile(database, temporary)
    os.replace(temporary, target)
    return target


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


@contextmanager
def read_connection(path: Path, retry_seconds: float = RETRY_SECONDS, config: dict | None = None) -> Iterator:
    """A read-only connection to the database file `path` (pass `reader_database(...)` to read the
    reader copy), retrying for up to `retry_seconds` while another process holds a write lock on it.
    `config` is DuckDB configuration for the connection (e.g. no external access)."""
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=True, config=config or {})
            break
        except duckdb.IOException as error:
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.25)
    try:
        yield con
    finally:
        con.close()
