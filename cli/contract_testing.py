"""`flrisk contracts test`: every contract's rules run against the warehouse, read-only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import click

from data_contracts import CheckResult, ContractError, all_contracts, load_contract
from warehouse import locking
from warehouse.database import Warehouse
from warehouse.migrations import column_differences
from warehouse.readers import is_snapshot, reader_tables

PRESENT_TABLES = "SELECT table_schema || '.' || table_name FROM information_schema.tables"
SAMPLE_ROWS_SHOWN = 3


@dataclass
class ContractTestOutcome:
    """Results per contracted table; tables the warehouse lacks are listed as missing."""

    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    # tables the reader copy never holds (staged, quarantine rows, match index keys), untested while a
    # run writes
    unavailable: list[str] = field(default_factory=list)

    @property
    def blocking_failures(self) -> int:
        return sum(1 for rs in self.results.values() for r in rs if r.blocking and not r.passed)

    @property
    def warnings(self) -> int:
        return sum(1 for rs in self.results.values() for r in rs if not r.blocking and not r.passed)

    @property
    def missing_tables(self) -> int:
        return len(self.missing)

    def lines(self) -> list[str]:
        """Human-readable report: one line per table, then each failed rule with sample rows."""
        out = []
        for table, results in self.results.items():
            failed = [r for r in results if not r.passed]
            status = "FAIL" if any(r.blocking for r in failed) else ("WARN" if failed else "ok  ")
            out.append(f"{status} {table}: {len(results) - len(failed)} of {len(results)} rules passed")
            out.extend(_failure_lines(result) for result in failed)
        out.extend(f"FAIL {table}: not in the warehouse (never materialized?)" for table in self.missing)
        out.extend(
            f"skip {table}: a run is writing and the reader copy does not hold it; test again after the run"
            for table in self.unavailable
        )
        out.append(
            f"{len(self.results)} tables tested: {self.blocking_failures} blocking failure(s), "
            f"{self.warnings} warning(s), {self.missing_tables} missing table(s)."
        )
        return out


def holds(table_key: str) -> bool:
    """Whether the reader copy holds `table_key` (issue 17: published, resolved and bookkeeping,
    without resolution's working state; `warehouse.readers.reader_tables`)."""
    return bool(reader_tables({table_key}))


def audited_warehouse() -> Warehouse:
    """The warehouse itself, read-only under the writer lock, when no run is writing it; else the
    reader copy (the last good run), so testing never blocks or breaks a run."""
    live = Warehouse()
    if locking.writer_active(live.path):
        return Warehouse.for_readers()
    return Warehouse(database=str(live.path), read_only=True)


def run_contract_tests(tables: tuple[str, ...] = (), warehouse: Warehouse | None = None):
    """Check the columns and run the rules of ``tables`` (default: every contract) on a read-only
    connection (`audited_warehouse`)."""
    warehouse = warehouse or audited_warehouse()
    if not warehouse.path.is_file():
        raise click.ClickException(f"no warehouse at {warehouse.path}: run `flrisk demo` or a job first")
    try:
        contracts = [load_contract(t) for t in tables] if tables else all_contracts()
    except ContractError as error:
        raise click.ClickException(str(error)) from error
    outcome = ContractTestOutcome()
    reader_copy = is_snapshot(warehouse.path)
    with warehouse.connect(read_only=True) as con:
        present = {row[0] for row in con.sql(PRESENT_TABLES).fetchall()}
        for contract in contracts:
            key = contract.qualified_name
            if key not in present and reader_copy and not holds(key):
                outcome.unavailable.append(key)
                continue
            if key not in present:
                outcome.missing.append(key)
                continue
            columns = column_checks(con, key, contract)
            rules = contract.run_checks(con, key) if all(result.passed for result in columns) else []
            outcome.results[key] = columns + rules
    return outcome


def column_checks(con, table_key: str, contract) -> list[CheckResult]:
    """One blocking result per contract column: present in the table with the contract's type. When
    one fails the table's rules are not run (they would fail on the missing column, not on data)."""
    missing, mismatched = column_differences(con, table_key, contract)
    wrong = {column.name: f"is {actual}, contract says {wanted}" for column, actual, wanted in mismatched}
    wrong |= {column.name: "is missing from the table" for column in missing}
    fix = "the warehouse predates this contract: run `flrisk migrate`"
    return [
        CheckResult(
            name=f"{contract.table_name}__{column.name}__column",
            description=f"column {column.name} exists with type {column.physical_type}",
            blocking=True,
            passed=column.name not in wrong,
            offending_count=None,
            observed_value=None,
            message=f"column {column.name} {wrong[column.name]} ({fix})" if column.name in wrong else "ok",
        )
        for column in contract.columns
    ]


def _failure_lines(result: CheckResult) -> str:
    level = "blocking" if result.blocking else "warning"
    counted = "" if result.offending_count is None else f" ({result.offending_count} offending rows)"
    lines = [f"     - [{level}] {result.name}: {result.message}{counted}"]
    lines += [
        f"         {json.dumps(row, default=str, ensure_ascii=False)}"
        for row in result.sample_rows[:SAMPLE_ROWS_SHOWN]
    ]
    return "\n".join(lines)
