"""Frozen, parsed form of one data contract and everything derived from it.

A :class:`Contract` is built only by :mod:`data_contracts.loader` from an ODCS v3 file; the
DDL, Polars schema, Dagster column metadata and checks below are all derived from its fields,
so a table's columns and rules are declared exactly once (in the YAML). Its parts (columns and
quality rules) are declared in :mod:`data_contracts.parts`; :mod:`data_contracts.checks` compiles
them into checks without knowing this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from data_contracts.checks import Check, CheckResult, build_checks, run_checks
from data_contracts.errors import ContractViolation
from data_contracts.parts import Column, QualityRule, column_named, primary_key
from data_contracts.physical_types import castable, quote_identifier, quote_qualified

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Contract:
    """A table's contract: columns, keys and rules, plus the artefacts derived from them."""

    schema_name: str
    table_name: str
    version: str
    description: str
    purpose: str
    contract_id: str
    domain: str
    owners: tuple[str, ...]  # usernames (e-mail or team name) of the team's owners, see team.py
    columns: tuple[Column, ...]
    rules: tuple[QualityRule, ...]
    source_path: Path

    @property
    def qualified_name(self) -> str:
        """``<schema>.<table>``, the warehouse location (and Dagster asset key path)."""
        return f"{self.schema_name}.{self.table_name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Primary-key columns in ``primaryKeyPosition`` order; empty when the table has none."""
        return primary_key(self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError when the contract has none."""
        return column_named(self.columns, name, self.qualified_name)

    def ddl(
        self, qualified_name: str | None = None, *, or_replace: bool = False, not_null: bool = True
    ) -> str:
        """``CREATE TABLE`` for the contract, at ``qualified_name`` (default: its own location).

        Required columns get ``NOT NULL`` (unless ``not_null=False``: a candidate table built aside
        takes any rows, so that :meth:`checks` can name the rule and show the offending rows);
        primary keys and uniqueness are deliberately not declared (DuckDB index maintenance slows
        bulk loads) and are enforced by :meth:`checks`.
        """
        target = quote_qualified(qualified_name or self.qualified_name)
        lines = [
            f"{quote_identifier(c.name)} {c.physical_type}{' NOT NULL' if c.required and not_null else ''}"
            for c in self.columns
        ]
        verb = "CREATE OR REPLACE TABLE" if or_replace else "CREATE TABLE"
        return f"{verb} {target} (\n    " + ",\n    ".join(lines) + "\n)"

    def polars_schema(self) -> pl.Schema:
        """Column names and Polars dtypes, in contract order."""
        return pl.Schema([(c.name, c.polars_dtype) for c in self.columns])

    def empty_frame(self) -> pl.DataFrame:
        """A zero-row frame with exactly the contract's columns and dtypes."""
        return pl.DataFrame(schema=self.polars_schema())

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Select the contract's columns in order and cast them to the contract dtypes.

        Raises :class:`ContractViolation` naming every missing and every unexpected column
        (an unknown column is reported, never silently dropped) and every column whose dtype
        would not cast without loss (see :func:`physical_types.castable`; e.g. strings are not
        parsed into dates here). Nullability and value rules are :meth:`run_checks`' job.
        """
        expected = set(self.column_names)
        missing = tuple(n for n in self.column_names if n not in frame.columns)
        unexpected = tuple(n for n in frame.columns if n not in expected)
        if missing or unexpected:
            raise ContractViolation(self.qualified_name, missing=missing, unexpected=unexpected)
        wrong = [
            f"{c.name} is {frame.schema[c.name]}, contract says {c.physical_type}"
            for c in self.columns
            if frame.height and not castable(frame.schema[c.name], c.polars_dtype)
        ]  # an empty column casts to any type without loss (e.g. the first run on an empty home)
        if wrong:
            raise ContractViolation(self.qualified_name, detail="; ".join(wrong))
        try:
            return frame.select(pl.col(c.name).cast(c.polars_dtype) for c in self.columns)
        except pl.exceptions.PolarsError as error:  # e.g. an integer too large for BIGINT
            raise ContractViolation(self.qualified_name, detail=str(error)) from error

    def column_metadata(self) -> list[dict[str, Any]]:
        """Plain dicts (name, type, description, classification, nullable, unique, primary_key)
        from which assets build ``dagster.TableSchema``; this package never imports dagster."""
        single_key = self.primary_key if len(self.primary_key) == 1 else ()
        return [
            {
                "name": c.name,
                "type": c.physical_type,
                "description": c.description,
                "classification": c.classification,
                "nullable": not c.required,
                "unique": c.unique or c.name in single_key,
                "primary_key": c.is_primary_key,
            }
            for c in self.columns
        ]

    def checks(self) -> list[Check]:
        """Every check the contract implies, blocking ones marked (see data_contracts.checks)."""
        return build_checks(self.table_name, self.qualified_name, self.columns, self.rules)

    def run_checks(
        self, con: duckdb.DuckDBPyConnection, qualified_name: str | None = None
    ) -> list[CheckResult]:
        """Run :meth:`checks` against ``qualified_name`` (default: the contract's own table)."""
        return run_checks(self.checks(), con, qualified_name or self.qualified_name)
