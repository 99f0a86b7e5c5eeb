"""The physical types a contract may use, and what each maps to.

One table, read by the loader (to validate ``physicalType`` / ``logicalType`` pairs), by the DDL
builder and by the Polars schema. Adding a type here is the only change needed to support it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class PhysicalType:
    """A DuckDB column type with its ODCS logical type and Polars dtype."""

    duckdb: str
    logical: str
    polars: pl.DataType
    item_logical: str | None = None


PHYSICAL_TYPES: dict[str, PhysicalType] = {
    t.duckdb: t
    for t in (
        PhysicalType("VARCHAR", "string", pl.String()),
        PhysicalType("BIGINT", "integer", pl.Int64()),
        PhysicalType("DOUBLE", "number", pl.Float64()),
        PhysicalType("BOOLEAN", "boolean", pl.Boolean()),
        PhysicalType("DATE", "date", pl.Date()),
        # ODCS v3.0 has no timestamp logical type: timestamps are `date` with a time format.
        PhysicalType("TIMESTAMP", "date", pl.Datetime("us")),
        PhysicalType("VARCHAR[]", "array", pl.List(pl.String()), item_logical="string"),
    )
}

LOGICAL_TYPES = frozenset({"string", "date", "number", "integer", "object", "array", "boolean"})

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """Quote one SQL identifier; refuse anything but plain ``[A-Za-z_][A-Za-z0-9_]*`` names."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def quote_qualified(qualified_name: str) -> str:
    """Quote a dotted name such as ``published.facility_risk`` part by part."""
    parts = qualified_name.split(".")
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"not a table name: {qualified_name!r}")
    return ".".join(quote_identifier(part) for part in parts)


def is_identifier(name: str) -> bool:
    """True when ``name`` is a plain identifier (usable unquoted in check names)."""
    return bool(_IDENTIFIER.match(name))


def castable(source: pl.DataType, target: pl.DataType) -> bool:
    """True when casting ``source`` to the contract dtype ``target`` loses nothing.

    Allowed: identical types, all-null columns, integer widening, integers to DOUBLE, strings
    and categoricals to VARCHAR, naive datetimes of any unit to TIMESTAMP, and lists whose
    items are castable. Refused (so :meth:`Contract.conform` reports them): floats to
    integers, numbers to strings, time-zone-aware datetimes, strings to dates, and the like.
    """
    if source == target or source == pl.Null():
        return True
    if isinstance(target, pl.List):
        return isinstance(source, pl.List) and castable(source.inner, target.inner)
    if target == pl.String():
        return isinstance(source, pl.String | pl.Categorical | pl.Enum)
    if target == pl.Int64():
        return source.is_integer()
    if target == pl.Float64():
        return source.is_float() or source.is_integer()
    if isinstance(target, pl.Datetime):
        return isinstance(source, pl.Datetime) and source.time_zone is None
    return False
