"""Warehouse schema versions and migrations: an older warehouse is brought forward, never left to crash.

The warehouse records the schema version that last wrote it in `raw.schema_versions` (one row per
migration; a warehouse without the table predates versioning: version 0). `migrate` runs at the start
of every run and of every command that writes outside a run, under the writer lock, and is driven by
the data contracts: every contracted table that exists gets the columns its contract has and it lacks
(added empty, with the contract's type), a column whose type the contract widened is widened, and
nothing is ever dropped (a column the contract no longer has stays). A change it cannot make safely (a
type the contract narrowed, a warehouse written by a newer flrisk) raises `MigrationError` naming the
table, the column and the fix. Readers cannot migrate (they read a read-only copy): `require_current`
refuses an outdated copy with a message saying to run `flrisk migrate`.

SCHEMA_VERSION history: 1 = first recorded version (issue 16: load_summary file status and reasons,
raw.api_pulls_held); 2 = issue 18 (facility_risk band_reason, location_check; drivers driver_kind,
driver_rank; list_screening_hits status_reason); 3 = issue 15 (facility_records claim_status and
spelling_of, oshub_id_aliases origin, raw.api_pull_notes); 4 = facility_risk_history brands_added and
brands_removed (a facility entering or leaving a brand's portfolio); bump it whenever a contract gains
a column or a raw bookkeeping table changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from data_contracts import all_contracts
from data_contracts.physical_types import quote_identifier
from data_contracts.versioning import is_widening
from warehouse.sql import create_statement, quoted

SCHEMA_VERSION = 4
VERSIONS = "raw.schema_versions"
# Tables only a flrisk run writes: raw.loads in the warehouse, the load summary in the reader copy
# (which holds no raw table). A version-0 file with neither was made by hand.
RUN_MARKS = frozenset({"raw.loads", "quarantine.load_summary"})
PRESENT = "SELECT table_schema || '.' || table_name FROM information_schema.tables"
COLUMNS = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"
)
ALL_COLUMNS = (
    "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
    "ORDER BY table_schema, table_name, ordinal_position"
)


class MigrationError(RuntimeError):
    """The warehouse cannot be brought to this flrisk's schema safely; the message says why and how."""


@dataclass
class Migration:
    """What `migrate` found and did."""

    from_version: int
    to_version: int
    changes: list[str] = field(default_factory=list)


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(PRESENT).fetchall()}


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The recorded schema version; 0 for a warehouse that predates versioning, None for an empty one."""
    present = _present(con)
    if VERSIONS in present:
        found = con.execute(f"SELECT max(version) FROM {quoted(VERSIONS)}").fetchall()[0][0]
        return int(found or 0)
    return 0 if present else None


def column_differences(con: duckdb.DuckDBPyConnection, table_key: str, contract) -> tuple[list, list]:
    """(columns the contract has and the table lacks, (column, table type, contract type) mismatches)."""
    schema, table = table_key.split(".", 1)
    actual = {name: kind.upper() for name, kind in con.execute(COLUMNS, [schema, table]).fetchall()}
    return _differences(actual, contract)


def _present_columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """schema.table -> {column: type} of every table, in one query (one per table costs a run ~0.1 s)."""
    found: dict[str, dict[str, str]] = {}
    for table, name, kind in con.execute(ALL_COLUMNS).fetchall():
        found.setdefault(table, {})[name] = kind.upper()
    return found


def _differences(actual: dict[str, str], contract) -> tuple[list, list]:
    missing = [column for column in contract.columns if column.name not in actual]
    mismatched = [
        (column, actual[column.name], column.physical_type.upper())
        for column in contract.columns
        if column.name in actual and actual[column.name] != column.physical_type.upper()
    ]
    return missing, mismatched


def migrate(con: duckdb.DuckDBPyConnection) -> Migration:
    """Bring the warehouse on `con` (read-write, writer lock held) to SCHEMA_VERSION; see the module
    docstring. Returns what was done (no changes for a current warehouse)."""
    version = schema_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise MigrationError(
            f"this warehouse was written by a newer flrisk (schema version {version}; this flrisk knows "
            f"{SCHEMA_VERSION}): upgrade flrisk, or point FLRISK_HOME at another home"
        )
    migration = Migration(version or 0, SCHEMA_VERSION)
    present = _present_columns(con)
    planned = []
    for contract in all_contracts():
        key = contract.qualified_name
        if key not in present:
            continue
        missing, mismatched = _differences(present[key], contract)
        for column, actual, wanted in mismatched:
            if not is_widening(actual, wanted):
                raise MigrationError(
                    f"{key}.{column.name} is {actual} in this warehouse but {wanted} in its contract, which "
                    "cannot be converted without losing data; restore a backup or re-create the table"
                )
            name = quote_identifier(column.name)
            statement = f"ALTER TABLE {quoted(key)} ALTER COLUMN {name} TYPE {wanted}"
            planned.append((statement, f"{key}.{column.name}: {actual} -> {wanted}"))
        for column in missing:
            name, kind = quote_identifier(column.name), column.physical_type
            statement = f"ALTER TABLE {quoted(key)} ADD COLUMN {name} {kind}"
            planned.append((statement, f"{key}: added column {column.name} ({kind}, empty)"))
    if not planned and version == SCHEMA_VERSION:
        return migration
    con.execute("BEGIN TRANSACTION")
    try:
        for statement, change in planned:
            con.execute(statement)
            migration.changes.append(change)
        con.execute(create_statement(VERSIONS))
        con.execute(
            f"INSERT INTO {quoted(VERSIONS)} VALUES (?, ?, ?)",
            [SCHEMA_VERSION, datetime.now(UTC).replace(tzinfo=None), "; ".join(migration.changes) or None],
        )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return migration


class WarehouseOutdatedError(RuntimeError):
    """A reader met a warehouse copy older than this flrisk's schema."""


def outdated_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`table.column` of every contract column a present table lacks or holds with another type."""
    present = _present_columns(con)
    found = []
    for contract in all_contracts():
        if contract.qualified_name in present:
            missing, mismatched = _differences(present[contract.qualified_name], contract)
            found += [f"{contract.qualified_name}.{c.name}" for c in missing + [m[0] for m in mismatched]]
    return found


def require_current(con: duckdb.DuckDBPyConnection, path: object) -> None:
    """Refuse to read a warehouse (copy) written by a newer flrisk, or an older one whose tables lack
    columns this flrisk reads (an older version whose tables already match is read as it is)."""
    version = schema_version(con)
    if version is None or version == SCHEMA_VERSION:
        return
    if version == 0 and not RUN_MARKS & _present(con):
        return  # tables made by hand, not by a flrisk run: nothing to compare with, read as they are
    if version < SCHEMA_VERSION and not outdated_columns(con):
        return
    if version > SCHEMA_VERSION:
        raise WarehouseOutdatedError(
            f"{path} was written by a newer flrisk (schema version {version}, this flrisk knows "
            f"{SCHEMA_VERSION}): upgrade flrisk"
        )
    raise WarehouseOutdatedError(
        f"{path} has schema version {version}, older than this flrisk's {SCHEMA_VERSION}: run "
        "`flrisk migrate` (or any run: `flrisk refresh`) to bring it forward; no data is dropped"
    )


def migrate_home(database: Path) -> Migration:
    """Migrate the warehouse at `database` and its reader copy, under the writer lock."""
    from warehouse import locking
    from warehouse.readers import amend_snapshot

    with locking.writer_lock(database, "flrisk migrate", 60.0):
        with duckdb.connect(str(database)) as con:
            migration = migrate(con)
        amend_snapshot(database, migrate)
    return migration
