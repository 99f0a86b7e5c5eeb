"""The parts a contract is made of: its columns and its executable quality rules.

Plain frozen values built by :mod:`data_contracts.odcs`. Both :class:`data_contracts.model.Contract`
(which holds them) and :mod:`data_contracts.checks` (which compiles them into checks) read them from
here, so neither of those two modules needs the other's types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from data_contracts.conditions import Condition
from data_contracts.physical_types import PHYSICAL_TYPES


@dataclass(frozen=True)
class Column:
    """One contract property: a table column."""

    name: str
    physical_type: str
    logical_type: str
    required: bool
    unique: bool
    primary_key_position: int | None
    classification: str
    description: str
    examples: tuple[Any, ...] = ()
    pattern: str | None = None

    @property
    def polars_dtype(self) -> pl.DataType:
        """The Polars dtype the column has in frames (see :mod:`data_contracts.physical_types`)."""
        return PHYSICAL_TYPES[self.physical_type].polars

    @property
    def is_primary_key(self) -> bool:
        return self.primary_key_position is not None


@dataclass(frozen=True)
class QualityRule:
    """One executable ODCS quality rule, parsed (``text`` rules are documentation, not kept).

    ``kind`` is the ODCS library rule name (``nullCheck``, ``duplicateCount``, ``validValues``,
    ``valueRange``, ``rowCount``) or ``sql``. ``columns`` holds the rule's property, or for a
    table-level rule the columns it names (``duplicateCount``) and otherwise nothing.
    """

    kind: str
    columns: tuple[str, ...]
    table_level: bool
    name: str | None
    description: str
    blocking: bool
    condition: Condition
    valid_values: tuple[Any, ...] = ()
    query: str | None = None


def primary_key(columns: Sequence[Column]) -> tuple[str, ...]:
    """Primary-key columns in ``primaryKeyPosition`` order; empty when the table has none."""
    keyed = [column for column in columns if column.is_primary_key]
    return tuple(c.name for c in sorted(keyed, key=lambda c: c.primary_key_position))


def column_named(columns: Sequence[Column], name: str, qualified_name: str) -> Column:
    """The column called ``name``; KeyError (naming the table) when there is none."""
    for column in columns:
        if column.name == name:
            return column
    raise KeyError(f"{qualified_name} has no column {name!r}")
