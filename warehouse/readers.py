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

The reader copy holds only what readers may see (issue 17): the published tables, the resolved
tables sourcing needs, the per-file load summary, the schema version and held-pull bookkeeping, and
`resolved.facility_mentions` (the facility mentions of every source but worker voice, for `flrisk
facility`). No raw payload, no staged table, no quarantined row: it is built table by table into a
fresh file (`reader_tables`), never copied and pruned, so nothing dropped survives in free pages.
Not copied either: the blocking keys of the match index (`resolved.match_index_keys`), resolution's
own working state that no reader uses (35 rows per record: at 1M facilities it was most of the copy's
cost, issue 19); the match index itself (`resolved.match_index`) stays. The copy is written with
ZSTD compression: choosing DuckDB's lightest encoding per column segment (FSST dictionaries for
text) was most of the copy's CPU; ZSTD takes ~30% less to write, reads as fast for the readers'
queries, and makes the file ~30% larger (measured at 1M facilities, docs/operations.md).
Raw and staged data are read from the warehouse itself, by an engineer (`flrisk query --as engineer`).

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
PRIVATE_FILE = 0o600
READER_SCHEMAS = ("published", "resolved")
READER_EXTRA_TABLES = frozenset(
    {"quarantine.load_summary", "raw.schema_versions", "raw.api_pulls_held", "raw.api_pull_notes"}
)
READER_COMPRESSION = "SET force_compression = 'zstd'"  # see the module docstring
READER_LEFT_OUT = frozenset({"resolved.match_index_keys"})  # resolution's working state, see the module
MENTIONS_SQL = (
    "CREATE TABLE resolved.facility_mentions AS SELECT * FROM live.staged.facility_records "
    "WHERE source_type NOT LIKE 'worker_voice%'"
)
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


def reader_tables(present: set[str]) -> list[str]:
    """The tables of `present` (schema.table) that belong in the reader copy."""
    return sorted(
        table
        for table in present
        if (table.split(".", 1)[0] in READER_SCHEMAS or table in READER_EXTRA_TABLES)
        and table not in READER_LEFT_OUT
    )


def _build_reader_copy(database: Path, target: Path) -> None:
    """Write the reader tables of `database` into the new file `target` (one transaction)."""
    with duckdb.connect(str(target)) as con:
        con.execute(READER_COMPRESSION)
        con.execute("ATTACH ? AS live (READ_ONLY)", [str(database)])
        present = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'live'"
            ).fetchall()
        }
        con.execute("BEGIN TRANSACTION")
        for schema in sorted({table.split(".", 1)[0] for table in reader_tables(present)} | {"resolved"}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for table in reader_tables(present):
            schema, name = table.split(".", 1)
            con.execute(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM live."{schema}"."{name}"')
        if "staged.facility_records" in present:
            con.execute(MENTIONS_SQL)
        con.execute("COMMIT")
        con.execute("DETACH live")
        con.execute("CHECKPOINT")


def publish_snapshot(database: Path) -> Path:
    """Checkpoint `database` and install a reader copy of it (only `reader_tables`, see the module);
    the caller must hold the writer lock (see `warehouse.locking`) so nothing writes meanwhile."""
    with duckdb.connect(str(database)) as con:
        con.execute("CHECKPOINT")
    target = snapshot_path(database)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    Path(temporary).unlink()  # DuckDB creates the file itself; it is made 0600 before it is installed
    try:
        _build_reader_copy(database, Path(temporary))
        os.chmod(temporary, PRIVATE_FILE)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
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
