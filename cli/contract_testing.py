"""`flrisk contracts test`: every contract's rules run against the warehouse, read-only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import click

from data_contracts import CheckResult, ContractError, all_contracts, load_contract
from warehouse.database import Warehouse

PRESENT_TABLES = "SELECT table_schema || '.' || table_name FROM information_schema.tables"
SAMPLE_ROWS_SHOWN = 3


@dataclass
class ContractTestOutcome:
    """Results per contracted table; tables the warehouse lacks are listed as missing."""

    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

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
        out.append(
            f"{len(self.results)} tables tested: {self.blocking_failures} blocking failure(s), "
            f"{self.warnings} warning(s), {self.missing_tables} missing table(s)."
        )
        return out


def run_contract_tests(tables: tuple[str, ...] = (), warehouse: Warehouse | None = None):
    """Run the rules of ``tables`` (default: every contract) on a read-only warehouse connection."""
    warehouse = warehouse or Warehouse()
    if not warehouse.path.is_file():
        raise click.ClickException(f"no warehouse at {warehouse.path}: run `flrisk demo` or a job first")
    try:
        contracts = [load_contract(t) for t in tables] if tables else all_contracts()
    except ContractError as error:
        raise click.ClickException(str(error)) from error
    outcome = ContractTestOutcome()
    with warehouse.connect(read_only=True) as con:
        present = {row[0] for row in con.sql(PRESENT_TABLES).fetchall()}
        for contract in contracts:
            key = contract.qualified_name
            if key in present:
                outcome.results[key] = contract.run_checks(con, key)
            else:
                outcome.missing.append(key)
    return outcome


def _failure_lines(result: CheckResult) -> str:
    level = "blocking" if result.blocking else "warning"
    counted = "" if result.offending_count is None else f" ({result.offending_count} offending rows)"
    lines = [f"     - [{level}] {result.name}: {result.message}{counted}"]
    lines += [
        f"         {json.dumps(row, default=str, ensure_ascii=False)}"
        for row in result.sample_rows[:SAMPLE_ROWS_SHOWN]
    ]
    return "\n".join(lines)
