"""Run a contract's checks on a table of which only some rows changed since it last passed them.

A table that passed every rule and then had rows deleted and rows written (keyed by `key_columns`)
passes every rule again exactly when

- every row-local rule (not_null, valid_values, range, pattern, and an ODCS sql rule of the shape
  `SELECT COUNT(*) FROM ${object} WHERE <predicate>` without a subquery, `mustBe 0`) holds on the
  rows written: the other rows passed it before and a deletion cannot break it;
- every uniqueness rule holds among the rows that share a key with a row written: a duplicate that
  was not there before must involve a written row (when the unique columns include the key columns,
  those rows are all among the rows of the written keys, so no second look at the table is needed);
- every other rule (row counts, aggregate sql) holds on the whole table, so those run in full.

`run_checks_for_keys` runs them so, with the same check names, messages and offending-row counts a
full run reports for a violation the change brought in. It is only as honest as its premise: the
caller must know the table passed every rule before the change (assets/change_checks.py checks that
from the Dagster record); otherwise run `run_checks` on the whole table.
"""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb

from data_contracts.checks import TABLE, ZERO, Check, CheckResult, run_checks
from data_contracts.physical_types import quote_identifier, quote_qualified

ROW_LOCAL_KINDS = ("not_null", "valid_values", "range", "pattern")
CHANGED = "flrisk_changed_rows"  # temporary table of the rows written, per connection
_SUBQUERY = re.compile(r"\b(select|from|join|over|group\s+by|having)\b", re.IGNORECASE)


def scope_of(check: Check) -> str:
    """Scope of a check: "rows" (row-local), "keys" (uniqueness) or "table" (needs the whole table)."""
    if check.kind in ROW_LOCAL_KINDS:
        return "rows"
    if check.kind == "unique":
        return "keys"
    if check.kind == "sql" and check.sql is not None and check.expectation == ZERO:
        predicate = check.sql.split(" WHERE ", 1)[1] if " WHERE " in check.sql else "select"
        return "table" if _SUBQUERY.search(predicate) else "rows"
    return "table"


def _scoped(check: Check, relation: str) -> Check:
    """`check` with its table placeholder already replaced by `relation` (a parenthesised query)."""
    return replace(
        check,
        sql=check.sql.replace(TABLE, relation) if check.sql else None,
        count_sql=check.count_sql.replace(TABLE, relation),
    )


def run_checks_for_keys(
    checks: list[Check],
    con: duckdb.DuckDBPyConnection,
    qualified_name: str,
    key_columns: tuple[str, ...],
    keys_relation: str,
) -> list[CheckResult]:
    """Run `checks` on `qualified_name` knowing that only the rows whose `key_columns` appear in
    `keys_relation` (a table or registered frame holding those columns) were written since the table
    last passed them (see module). Results come in the order of `checks`."""
    table = quote_qualified(qualified_name)
    keys = ", ".join(quote_identifier(column) for column in key_columns)
    con.execute(  # the rows written, read once: every row rule then looks at them only
        f"CREATE OR REPLACE TEMP TABLE {CHANGED} AS SELECT t.* FROM {table} AS t "
        f"SEMI JOIN (SELECT DISTINCT {keys} FROM {keys_relation}) AS written USING ({keys})"
    )
    try:
        return [_run_scoped(check, con, qualified_name, table, key_columns) for check in checks]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {CHANGED}")


def _run_scoped(
    check: Check,
    con: duckdb.DuckDBPyConnection,
    qualified_name: str,
    table: str,
    key_columns: tuple[str, ...],
) -> CheckResult:
    """One check on the rows written (row rules), the rows sharing a key with them (uniqueness) or
    the whole table (the rest). A unique set that includes the key columns can only be shared among
    rows of the written keys, which are all in the rows written."""
    scope = scope_of(check)
    if scope == "table":
        return run_checks([check], con, qualified_name)[0]
    relation = f"(SELECT * FROM {CHANGED}) AS changed_rows"
    if scope == "keys" and not set(key_columns) <= set(check.columns):
        unique = ", ".join(quote_identifier(column) for column in check.columns)
        relation = (
            f"(SELECT t.* FROM {table} AS t SEMI JOIN (SELECT DISTINCT {unique} FROM {CHANGED}) "
            f"AS written USING ({unique})) AS sharing_rows"
        )
    return run_checks([_scoped(check, relation)], con, qualified_name)[0]
