"""Readers never block writers: they read the reader copy, the warehouse as of the last good run.

DuckDB lets one process write a database file, and a `read_only` connection from another process
still conflicts with that writer (the writer's next connection fails with "Could not set lock"). So a
run that ends without a failed step checkpoints the warehouse and copies it to
`<stem>.snapshot.duckdb` beside it (copy to a unique temporary name, then an atomic rename), and every
command that only reads (`flrisk query`, `facility`, `brand`, `report`, `share`, the summaries `load`
and `demo` print) opens the copy read-only: it sees the last published state, a killed or failed run
never shows half of itself, and a reader holding the old copy open keeps reading it while the rename
installs the new one. A writer that changes the warehouse outside a run (`review-hit`, `migrate`)
applies the same change to the copy (`amend_snapshot`) under the writer lock.

Before the first good run there is no copy. A reader then opens the warehouse itself, but only while
holding the writer lock (`warehouse.locking`), so it can never make a run fail: when a run holds the
lock the reader waits briefly, then says so. On a read-only file system no writer can run, so the
reader opens the file directly.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import locking

RETRY_SECONDS = 30.0
SNAPSHOT_MARK = ".snapshot"
UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}


def snapshot_path(database: Path) -> Path:
    """The reader copy beside `database` (`warehouse.duckdb` -> `warehouse.snapshot.duckdb`)."""
    return database.with_name(f"{database.stem}{SNAPSHOT_MARK}{database.suffix or '.duckdb'}")


def is_snapshot(path: Path) -> bool:
    """True for a reader copy (no process ever writes it in place)."""
    return Path(path).stem.endswith(SNAPSHOT_MARK)


def reader_database(database: Path) -> Path:
    """What readers open: the reader copy when one exists, else the warehouse itself."""
    snapshot = snapshot_path(database)
    return snapshot if snapshot.is_file() else database


def _copy_through_temporary(source: Path, target: Path) -> Path:
    """Copy `source` to a uniquely named temporary file beside `target` and return its path."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    try:
        shutil.copyfile(source, temporary)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def publish_snapshot(database: Path) -> Path:
    """Checkpoint `database` and install a copy of it as the reader copy; the caller must hold the
    writer lock (see `warehouse.locking`) so nothing writes during the copy."""
    with duckdb.connect(str(database)) as con:
        con.execute("CHECKPOINT")
    target = snapshot_path(database)
    os.replace(_copy_through_temporary(database, target), target)
    return target


def amend_snapshot(database: Path, change: Callable[[duckdb.DuckDBPyConnection], None]) -> bool:
    """Apply `change` to a private copy of the reader copy and install it atomically, so a change
    made outside a run (a reviewer's decision, a migration) shows to readers at once while the copy
    stays the last good run's state otherwise. The caller holds the writer lock. False when there is
    no reader copy yet (readers then read the warehouse itself)."""
    target = snapshot_path(database)
    if not target.is_file():
        return False
    temporary = _copy_through_temporary(target, target)
    try:
        with duckdb.connect(str(temporary)) as con:
            change(con)
            con.execute("CHECKPOINT")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def _open(path: Path, deadline: float, config: dict | None) -> duckdb.DuckDBPyConnection:
    while True:
        try:
            return duckdb.connect(str(path), read_only=True, config=config or {})
        except duckdb.IOException as error:
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


@contextmanager
def _writers_kept_out(path: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the writer lock of the live warehouse `path` for a read, unless nobody can write it."""
    try:
        lock = locking.writer_lock(path, "a reader (no reader copy yet)", wait_seconds)
        lock.__enter__()
    except OSError as error:
        if error.errno not in UNWRITABLE:
            raise
        yield  # a read-only file system: no writer can run, nothing to keep out
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@contextmanager
def read_connection(
    path: Path, retry_seconds: float = RETRY_SECONDS, config: dict | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `path` (pass `reader_database(...)` to read the reader copy). A reader
    copy is opened as it is; a live warehouse only under its writer lock, waiting up to
    `retry_seconds` for a run to finish (`locking.WarehouseBusyError` after that)."""
    path = Path(path)
    deadline = time.monotonic() + retry_seconds
    if is_snapshot(path):
        con = _open(path, deadline, config)
        try:
            yield con
        finally:
            con.close()
        return
    with _writers_kept_out(path, retry_seconds):
        con = _open(path, deadline, config)
        try:
            yield con
        finally:
            con.close()
