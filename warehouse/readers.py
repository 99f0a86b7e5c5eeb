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
A large reader table (250,000 rows or more) is kept in part files beside the copy, each written fresh,
and the copy holds a view over them: a run rewrites only the parts whose rows changed
(`warehouse.reader_parts`); `read_connection` attaches them, so open the copy through it.

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
from warehouse.reader_parts import (
    Part,
    Source,
    attach_missing_parts,
    attach_parts,
    build_parts,
    inline_parts,
    part_min_rows,
    read_parts,
    record_parts,
    remove_unnamed_parts,
    view_sql,
)

RETRY_SECONDS = 30.0
PRIVATE_FILE = 0o600
READER_SCHEMAS = ("published", "resolved")
READER_EXTRA_TABLES = frozenset(
    {"quarantine.load_summary", "raw.schema_versions", "raw.api_pulls_held", "raw.api_pull_notes"}
)
READER_COMPRESSION = "SET force_compression = 'zstd'"  # see the module docstring
READER_LEFT_OUT = frozenset({"resolved.match_index_keys"})  # resolution's working state, see the module
MENTIONS = "resolved.facility_mentions"
MENTIONS_KEEP = "source_type NOT LIKE 'worker_voice%'"  # every facility mention but worker voice
RESTRICTIONS = ("enable_external_access", "lock_configuration")  # applied once the parts are attached
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


def _sources(con: duckdb.DuckDBPyConnection) -> dict[str, Source]:
    """Every table of the reader copy and where its rows come from in the attached warehouse `live`."""
    present = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'live'"
        ).fetchall()
    }
    sources = {
        table: Source('live."{}"."{}"'.format(*table.split(".", 1))) for table in reader_tables(present)
    }
    if "staged.facility_records" in present:
        sources[MENTIONS] = Source('live."staged"."facility_records"', MENTIONS_KEEP)
    return sources


def _build_reader_copy(database: Path, target: Path, snapshot: Path, previous: list[Part]) -> list[Part]:
    """Write the reader tables of `database` into the new file `target` (one transaction): small
    tables into the file itself, large ones as parts (`warehouse.reader_parts`, reusing the parts of
    `previous` whose rows did not change) and a view over them. Returns the parts it names."""
    with duckdb.connect(str(target)) as con:
        con.execute(READER_COMPRESSION)
        con.execute("ATTACH ? AS live (READ_ONLY)", [str(database)])
        sources, threshold, parts = _sources(con), part_min_rows(), []
        for table, source in sources.items():
            if con.execute(f"SELECT count(*) FROM {source.relation}").fetchall()[0][0] >= threshold:
                kept = [part for part in previous if part.table_key == table]
                parts += build_parts(con, table, source, kept, snapshot)
        for part in parts:
            con.execute(f'ATTACH ? AS "{part.alias}" (READ_ONLY)', [str(snapshot.parent / part.file)])
        in_parts = {part.table_key for part in parts}
        con.execute("BEGIN TRANSACTION")
        for schema in sorted({table.split(".", 1)[0] for table in sources} | {"resolved"}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for table, source in sorted(sources.items()):
            if table in in_parts:
                con.execute(view_sql(table, [part for part in parts if part.table_key == table]))
            else:
                schema, name = table.split(".", 1)
                con.execute(
                    f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM {source.relation} WHERE {source.keep}'
                )
        if parts:
            record_parts(con, parts)
        con.execute("COMMIT")
        con.execute("DETACH live")
        con.execute("CHECKPOINT")
    return parts


def _installed_parts(snapshot: Path) -> list[Part]:
    """The parts the installed reader copy names ([] when there is none or it cannot be read: every
    large table is then written again)."""
    if not snapshot.is_file():
        return []
    try:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            return read_parts(con)
    except duckdb.Error:
        return []


def publish_snapshot(database: Path) -> Path:
    """Checkpoint `database` and install a reader copy of it (only `reader_tables`, see the module);
    the caller must hold the writer lock (see `warehouse.locking`) so nothing writes meanwhile."""
    with duckdb.connect(str(database)) as con:
        con.execute("CHECKPOINT")
    target = snapshot_path(database)
    previous = _installed_parts(target)  # nothing is deleted before the new copy is in place
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    Path(temporary).unlink()  # DuckDB creates the file itself; it is made 0600 before it is installed
    try:
        parts = _build_reader_copy(database, Path(temporary), target, previous)
        os.chmod(temporary, PRIVATE_FILE)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    remove_unnamed_parts(target, parts)  # replaced parts, and left-overs of a build that crashed
    return target


def amend_snapshot(database: Path, change: Callable[[duckdb.DuckDBPyConnection], None]) -> bool:
    """Apply `change` to a private copy of the reader copy and install it atomically, so a change
    made outside a run (a reviewer's decision, a migration) shows to readers at once while the copy
    stays the last good run's state otherwise. The caller holds the writer lock. False when there is
    no reader copy yet (readers then read the warehouse itself). A change that fails on a table kept
    in parts (a migration altering it) is applied again to a copy holding those tables itself."""
    target = snapshot_path(database)
    if not target.is_file():
        return False
    try:
        parts = _amend(target, change, inline=False)
    except duckdb.Error:
        if not _installed_parts(target):
            raise
        parts = _amend(target, change, inline=True)
    remove_unnamed_parts(target, parts)
    return True


def _amend(target: Path, change: Callable[[duckdb.DuckDBPyConnection], None], inline: bool) -> list[Part]:
    """`amend_snapshot` on one private copy; `inline` first turns views over parts into tables."""
    temporary = _copy_through_temporary(target, target)
    try:
        with duckdb.connect(str(temporary)) as con:
            parts = attach_parts(con, target)
            if inline and parts:
                inline_parts(con, parts)
                parts = []
            change(con)
            con.execute("CHECKPOINT")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return parts


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def _open(path: Path, deadline: float, config: dict | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to `path`; on a reader copy with parts, the parts attached before the
    connection's restrictions (no external access, locked configuration) take effect."""
    config = dict(config or {})
    restrictions = {key: config.pop(key) for key in RESTRICTIONS if key in config and is_snapshot(path)}
    while True:
        try:
            con = duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.IOException as error:
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.25)
            continue
        if not is_snapshot(path):
            return con
        try:
            attach_missing_parts(con, path)
            _restrict(con, restrictions)
        except duckdb.Error:  # a part went with a newer reader copy installed meanwhile: open that
            con.close()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
            continue
        return con


def _restrict(con: duckdb.DuckDBPyConnection, restrictions: dict) -> None:
    """Apply configuration options not yet in effect (a connection may share its database with an
    earlier one of the same process, whose options hold already)."""
    for key, value in restrictions.items():
        current = con.execute("SELECT current_setting(?)", [key]).fetchall()[0][0]
        if str(current).lower() != str(value).lower():
            con.execute(f"SET {key} = {'true' if value else 'false'}")


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
