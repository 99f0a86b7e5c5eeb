"""Large reader tables as parts in files of their own, so a run rewrites only the parts it changed.

The reader copy is built fresh at every good run (issue 17: nothing dropped may survive in the free
pages of a file readers open). At ~1M facilities, copying every large table again cost a 1,000-row
load ~12 s of CPU, though most rows had not changed (issue 19). So a reader table of at least
`part_min_rows()` rows is not copied into the reader copy itself: its rows are written, each part
fresh, into files under `<reader copy>.parts/`, and the reader copy holds a view (`SELECT * FROM
part_1 UNION ALL ...`) and, in `main.reader_parts`, which parts it reads (`Part`). Readers attach the
parts when they open the copy (`attach_parts`).

A part covers a range of the source table's row ids (DuckDB row ids: a row keeps its id until it is
deleted, appends take ids after every existing one, and a table replaced whole starts again from 0)
and records how many rows of that range it holds and the sum of their row hashes. At the next build a
part is kept only when the source rows of its range still have exactly that count and hash sum, i.e.
the same rows; every other part is written again, fresh, and rows past the last range (appended since)
become a new part. So an appended supplier list adds a small part to the facility mentions, the match
index and the history instead of copying a million rows of each again, while a table with a row
deleted or replaced anywhere in a part's range gets that part rewritten: no reader file ever holds a
row the warehouse dropped (files no reader copy names any more are deleted once the new copy is in
place, and left-overs of a build that crashed are deleted by the next). Adjacent ranges to write go
into one part (a table rewritten at each load stays one part); once a table has `MAX_PARTS` parts,
every part but the first (the oldest, largest) is merged into one again, so a table appended to at
each load is rewritten only for its recent rows.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

PARTS_TABLE = "main.reader_parts"
PART_MIN_ROWS_ENV = "FLRISK_READER_PART_ROWS"
PART_MIN_ROWS = 250_000  # below this a table is copied into the reader copy itself (cheap)
MAX_PARTS = 8
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
PARTS_DDL = (
    f"CREATE TABLE {PARTS_TABLE} (table_key VARCHAR, alias VARCHAR, file VARCHAR, low BIGINT, "
    "high BIGINT, row_count BIGINT, row_hash HUGEINT)"
)


@dataclass(frozen=True)
class Part:
    """Rows `[low, high)` (source row ids) of one reader table, in `file` (relative to the parts
    folder's parent), attached by readers as `alias`; `row_count` rows with hash sum `row_hash`."""

    table_key: str
    alias: str
    file: str
    low: int
    high: int
    row_count: int
    row_hash: int


@dataclass(frozen=True)
class Source:
    """Where a reader table's rows come from in the attached warehouse: a table and a row filter."""

    relation: str  # e.g. live."published"."facility_risk"
    keep: str = "TRUE"  # SQL over the row, no parameters


def part_min_rows() -> int:
    """Row count from which a reader table is kept in parts (`FLRISK_READER_PART_ROWS`, read at call
    time; tests set it low to exercise parts on small warehouses)."""
    value = os.environ.get(PART_MIN_ROWS_ENV) or str(PART_MIN_ROWS)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{PART_MIN_ROWS_ENV} must be a whole number of rows of at least 1, not {value!r}")
    return int(value)


def parts_folder(reader_copy: Path) -> Path:
    """The folder of the parts of `reader_copy`: `warehouse.snapshot.duckdb` -> `warehouse.snapshot.parts`."""
    return reader_copy.with_name(f"{reader_copy.stem}.parts")


def read_parts(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[Part]:
    """The parts a reader copy names (on `con`, or in its attached `catalog`); [] when it has none."""
    where = f'"{catalog}"' if catalog else "current_database()"
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = "
        f"{where} AND schema_name = 'main' AND table_name = 'reader_parts'"
    ).fetchall()[0][0]
    if not found:
        return []
    prefix = f'"{catalog}".' if catalog else ""
    rows = con.execute(f"SELECT * FROM {prefix}{PARTS_TABLE} ORDER BY table_key, low").fetchall()
    return [Part(*row) for row in rows]


def attach_parts(con: duckdb.DuckDBPyConnection, reader_copy: Path) -> list[Part]:
    """Attach, read-only, every part the reader copy on `con` names (a `duckdb.Error` when one has
    gone: the copy was replaced meanwhile, open the new one)."""
    parts = read_parts(con)
    for part in parts:
        con.execute(f'ATTACH ? AS "{part.alias}" (READ_ONLY)', [str(reader_copy.parent / part.file)])
    return parts


def attach_missing_parts(con: duckdb.DuckDBPyConnection, reader_copy: Path) -> None:
    """`attach_parts` for a reader's connection, which may share its database with an earlier
    connection of the same process that attached them already."""
    attached = {row[0] for row in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    for part in read_parts(con):
        if part.alias not in attached:
            con.execute(f'ATTACH ? AS "{part.alias}" (READ_ONLY)', [str(reader_copy.parent / part.file)])


def inline_parts(con: duckdb.DuckDBPyConnection, parts: list[Part]) -> None:
    """Turn every view over parts on `con` (a private copy of a reader copy, parts attached) into a
    table of the copy itself, and forget the parts."""
    for table_key in sorted({part.table_key for part in parts}):
        schema, name = table_key.split(".", 1)
        con.execute(f'CREATE TABLE "{schema}"."{name}__inline" AS SELECT * FROM "{schema}"."{name}"')
        con.execute(f'DROP VIEW "{schema}"."{name}"')
        con.execute(f'ALTER TABLE "{schema}"."{name}__inline" RENAME TO "{name}"')
    con.execute(f"DROP TABLE {PARTS_TABLE}")
    for alias in sorted({part.alias for part in parts}):
        con.execute(f'DETACH "{alias}"')


def _range_stats(con, source: Source, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(row count, hash sum) of the kept source rows in each row-id range, in one scan."""
    values = ", ".join(f"({index}, ?, ?)" for index in range(len(ranges)))
    rows = con.execute(
        f"WITH ranges(position, low, high) AS (VALUES {values}), "
        "source AS (SELECT rowid AS row_id, hash(x) AS row_hash "
        f"FROM {source.relation} x WHERE {source.keep}) "
        "SELECT position, count(row_hash), coalesce(sum(row_hash), 0) FROM ranges "
        "LEFT JOIN source ON row_id >= low AND row_id < high GROUP BY position ORDER BY position",
        [bound for pair in ranges for bound in pair],
    ).fetchall()
    return [(int(count), int(total)) for _, count, total in rows]


def _write_part(con, table_key: str, source: Source, low: int, high: int, folder: Path, stats) -> Part:
    """Write the kept source rows of `[low, high)` into a new part file (fresh, private)."""
    schema, name = table_key.split(".", 1)
    token = secrets.token_hex(6)
    path = folder / f"{schema}-{name}-{token}.duckdb"  # opened alone, its catalog is not a schema name
    con.execute("ATTACH ? AS new_part", [str(path)])
    try:
        con.execute(f'CREATE SCHEMA new_part."{schema}"')
        con.execute(
            f'CREATE TABLE new_part."{schema}"."{name}" AS SELECT * FROM {source.relation} '
            f"WHERE rowid >= ? AND rowid < ? AND {source.keep}",
            [low, high],
        )
    finally:
        con.execute("DETACH new_part")
    os.chmod(path, PRIVATE_FILE)
    relative = f"{folder.name}/{path.name}"
    return Part(table_key, f"reader_part_{token}", relative, low, high, *stats)


def build_parts(
    con: duckdb.DuckDBPyConnection, table_key: str, source: Source, previous: list[Part], reader_copy: Path
) -> list[Part]:
    """The parts of `table_key` for the new reader copy: `previous` parts whose rows are unchanged,
    the others written again, appended rows as a new part (see the module docstring)."""
    folder = parts_folder(reader_copy)
    folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    bound = con.execute(f"SELECT coalesce(max(rowid) + 1, 0) FROM {source.relation}").fetchall()[0][0]
    missing = any(not (reader_copy.parent / part.file).is_file() for part in previous)
    previous = [] if missing else sorted(previous, key=lambda part: part.low)
    ranges, covered = [], 0
    for position, part in enumerate(previous):
        if part.low > covered:  # a range whose rows had all gone: check it again
            ranges.append((covered, part.low, None))
        compacted = position > 0 and len(previous) >= MAX_PARTS  # the later, smaller parts merge
        ranges.append((part.low, part.high, None if compacted else part))
        covered = part.high
    ranges.append((covered, max(bound, covered), None))
    stats = _range_stats(con, source, [(low, high) for low, high, _ in ranges])
    parts, pending = [], None  # pending: adjacent ranges to write as one part [low, high, rows, hash]
    for (low, high, part), (rows, total) in zip(ranges, stats, strict=True):
        if part is not None and (rows, total) == (part.row_count, part.row_hash):
            parts += _flush(con, table_key, source, folder, pending)
            parts.append(part)
            pending = None
        elif pending is None:
            pending = [low, high, rows, total]
        else:
            pending = [pending[0], high, pending[2] + rows, pending[3] + total]
    return parts + _flush(con, table_key, source, folder, pending)


def _flush(con, table_key: str, source: Source, folder: Path, pending: list | None) -> list[Part]:
    """The part holding the rows of `pending` (none when it holds no row)."""
    if pending is None or not pending[2]:
        return []
    low, high, rows, total = pending
    return [_write_part(con, table_key, source, low, high, folder, (rows, total))]


def view_sql(table_key: str, parts: list[Part]) -> str:
    """The reader copy's view of `table_key` over its parts."""
    schema, name = table_key.split(".", 1)
    selects = [f'SELECT * FROM "{part.alias}"."{schema}"."{name}"' for part in parts]
    return f'CREATE VIEW "{schema}"."{name}" AS ' + " UNION ALL ".join(selects)


def record_parts(con: duckdb.DuckDBPyConnection, parts: list[Part]) -> None:
    """Write `main.reader_parts` into the reader copy being built on `con`."""
    con.execute(PARTS_DDL)
    for part in parts:
        con.execute(f"INSERT INTO {PARTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", list(vars(part).values()))


def remove_unnamed_parts(reader_copy: Path, named: list[Part]) -> None:
    """Delete the part files no reader copy names (replaced parts, left-overs of a crashed build)."""
    folder = parts_folder(reader_copy)
    if not folder.is_dir():
        return
    keep = {Path(part.file).name for part in named}
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink(missing_ok=True)
