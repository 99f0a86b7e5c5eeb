"""Compile a contract into engine-neutral checks and run them on DuckDB.

Every check is a SELECT over a ``{table}`` placeholder: ``sql`` returns the offending rows
(None for table-level metrics such as a row count) and ``count_sql`` returns the one number the
check judges (the offending-row count, or the metric). Identifiers are quoted; values travel as
bound parameters. Where checks come from:

* derived from column flags, always blocking: ``required`` -> not_null, ``primaryKey`` /
  ``unique`` -> unique (composite keys via ``primaryKeyPosition``), ``logicalTypeOptions.pattern``
  -> pattern;
* the contract's quality rules, blocking when ``severity: error`` (the default) and
  non-blocking for ``warning`` / ``info``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from data_contracts.conditions import Condition
from data_contracts.errors import ContractError
from data_contracts.parts import Column, QualityRule, column_named, primary_key
from data_contracts.physical_types import quote_identifier, quote_qualified

TABLE = "{table}"
SAMPLE_LIMIT = 5

# Templates: {table} stays a placeholder, {column}/{key} are quoted identifiers, values are `?`.
NOT_NULL_SQL = "SELECT * FROM {table} WHERE {column} IS NULL"
VALID_VALUES_SQL = "SELECT * FROM {table} WHERE {column} IS NOT NULL AND NOT list_contains(?, {column})"
OUT_OF_RANGE_SQL = "SELECT * FROM {table} WHERE {column} IS NOT NULL AND ({violation})"
PATTERN_SQL = "SELECT * FROM {table} WHERE {column} IS NOT NULL AND NOT regexp_matches({column}, ?)"
DUPLICATE_KEY_SQL = (
    "SELECT * EXCLUDE (__flrisk_key_rows) FROM ("
    "SELECT *, COUNT(*) OVER (PARTITION BY {key}) AS __flrisk_key_rows "
    "FROM {table} WHERE {key_present}"
    ") WHERE __flrisk_key_rows > 1 ORDER BY {key}"
)
ROW_COUNT_SQL = "SELECT COUNT(*) FROM {table}"
COUNT_OFFENDING_SQL = "SELECT COUNT(*) FROM ({rows}) AS offending"
SAMPLE_SQL = "SELECT * FROM ({rows}) AS offending LIMIT {limit}"
# An ODCS sql rule shaped `SELECT COUNT(*) FROM ${object} WHERE <predicate>` also yields its rows.
_COUNT_WHERE = re.compile(
    r"^\s*SELECT\s+COUNT\s*\(\s*\*\s*\)\s+FROM\s+\{table\}\s+WHERE\s+(?P<predicate>.+?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# The rows of most row checks: a filter of the table (see `_filter_counts`).
_FILTER_ROWS = re.compile(r"^SELECT \* FROM \{table\} WHERE (?P<predicate>.+)$", re.DOTALL)
ZERO = Condition("mustBe", 0)
_DEFAULT_SUFFIX = {
    "nullCheck": "null_check",
    "duplicateCount": "unique",
    "validValues": "valid_values",
    "valueRange": "range",
    "rowCount": "row_count",
}


@dataclass(frozen=True)
class Check:
    """One executable rule of a contract.

    ``kind`` is one of not_null, unique, valid_values, range, pattern, row_count, sql.
    ``expectation`` is what the number from ``count_sql`` must satisfy (``mustBe 0`` for
    row-level checks). ``value_set`` / ``value_condition`` / ``pattern`` carry the rule's
    arguments for other engines (the Great Expectations suite is built from them).
    """

    name: str
    description: str
    blocking: bool
    kind: str
    columns: tuple[str, ...]
    sql: str | None
    count_sql: str
    params: tuple[Any, ...] = ()
    expectation: Condition = ZERO
    value_set: tuple[Any, ...] = ()
    value_condition: Condition | None = None
    pattern: str | None = None

    def render(self, qualified_name: str) -> tuple[str | None, str]:
        """(offending-rows SQL, count SQL) with ``{table}`` replaced by the quoted table name."""
        table = quote_qualified(qualified_name)
        rows = self.sql.replace(TABLE, table) if self.sql else None
        return rows, self.count_sql.replace(TABLE, table)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check on one table. ``offending_count`` is None for table-level metrics;
    ``error`` is set when the check could not run (an engine failure, not a data failure)."""

    name: str
    description: str
    blocking: bool
    passed: bool
    offending_count: int | None
    observed_value: Any
    message: str
    sample_rows: tuple[dict[str, Any], ...] = field(default=())
    error: str | None = None


def build_checks(
    table: str, qualified_name: str, columns: Sequence[Column], rules: Sequence[QualityRule]
) -> list[Check]:
    """All checks of a contract's table (``Contract.checks`` passes its own parts): derived ones
    first, then its quality rules in file order."""
    checks = _derived_checks(table, columns) + [_rule_check(table, qualified_name, columns, r) for r in rules]
    names = [check.name for check in checks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ContractError(f"{qualified_name}: duplicate check names {duplicates}")
    return checks


def run_checks(checks: list[Check], con: duckdb.DuckDBPyConnection, qualified_name: str) -> list[CheckResult]:
    """Run ``checks`` against ``qualified_name``; every check yields a result, even on error. The
    offending rows of the checks that filter rows (not null, valid values, range, pattern, a sql rule
    shaped as a count of rows) are counted in one scan (`_filter_counts`)."""
    counted = _filter_counts(checks, con, qualified_name)
    return [_run_one(check, con, qualified_name, counted.get(check.name)) for check in checks]


def blocking_failures(results: list[CheckResult]) -> list[CheckResult]:
    """The results that must stop a publish."""
    return [result for result in results if result.blocking and not result.passed]


def _derived_checks(table: str, columns: Sequence[Column]) -> list[Check]:
    checks = []
    for column in columns:
        quoted = quote_identifier(column.name)
        if column.required:
            checks.append(
                _rows_check(
                    f"{table}__{column.name}__not_null",
                    f"{column.name} is never null.",
                    True,
                    "not_null",
                    (column.name,),
                    NOT_NULL_SQL.format(table=TABLE, column=quoted),
                )
            )
    key = primary_key(columns)
    unique_sets = [key] if key else []
    unique_sets += [(c.name,) for c in columns if c.unique and (c.name,) != key]
    for names in unique_sets:
        label = "primary_key" if len(names) > 1 else names[0]
        what = "primary key" if names == key else "unique column"
        checks.append(
            _unique_check(
                f"{table}__{label}__unique", f"({', '.join(names)}) is unique ({what}).", True, names
            )
        )
    for column in columns:
        if column.pattern:
            checks.append(
                _rows_check(
                    f"{table}__{column.name}__pattern",
                    f"{column.name} matches {column.pattern}.",
                    True,
                    "pattern",
                    (column.name,),
                    PATTERN_SQL.format(table=TABLE, column=quote_identifier(column.name)),
                    (column.pattern,),
                    pattern=column.pattern,
                )
            )
    return checks


def _rule_check(table: str, qualified_name: str, columns: Sequence[Column], rule: QualityRule) -> Check:
    name = _rule_check_name(table, rule)
    if rule.kind == "sql":
        return _sql_check(name, rule)
    if rule.kind == "rowCount":
        return Check(
            name,
            rule.description or f"Row count {rule.condition.describe()}.",
            rule.blocking,
            "row_count",
            (),
            None,
            ROW_COUNT_SQL.format(table=TABLE),
            expectation=rule.condition,
        )
    if rule.kind == "duplicateCount":
        return _unique_check(
            name, rule.description or f"({', '.join(rule.columns)}) is unique.", rule.blocking, rule.columns
        )
    column = column_named(columns, rule.columns[0], qualified_name)
    quoted = quote_identifier(column.name)
    if rule.kind == "nullCheck":
        return _rows_check(
            name,
            rule.description or f"{column.name} is never null.",
            rule.blocking,
            "not_null",
            rule.columns,
            NOT_NULL_SQL.format(table=TABLE, column=quoted),
        )
    if rule.kind == "validValues":
        return _rows_check(
            name,
            rule.description or f"{column.name} is in the valid set.",
            rule.blocking,
            "valid_values",
            rule.columns,
            VALID_VALUES_SQL.format(table=TABLE, column=quoted),
            (list(rule.valid_values),),
            value_set=rule.valid_values,
        )
    violation, params = _range_violation(quoted, rule.condition, column.physical_type)
    return _rows_check(
        name,
        rule.description or f"{column.name} {rule.condition.describe()}.",
        rule.blocking,
        "range",
        rule.columns,
        OUT_OF_RANGE_SQL.format(table=TABLE, column=quoted, violation=violation),
        params,
        value_condition=rule.condition,
    )


def _rule_check_name(table: str, rule: QualityRule) -> str:
    """``<table>__<column>__<rule>`` for property rules, ``<table>__<rule>`` for table rules."""
    suffix = rule.name or _DEFAULT_SUFFIX[rule.kind]
    if not rule.table_level:
        return f"{table}__{rule.columns[0]}__{suffix}"
    if rule.kind == "duplicateCount" and not rule.name:
        return f"{table}__{'__'.join(rule.columns)}__unique"
    return f"{table}__{suffix}"


def _rows_check(name, description, blocking, kind, columns, rows_sql, params=(), **extra) -> Check:
    count_sql = COUNT_OFFENDING_SQL.format(rows=rows_sql)
    return Check(
        name, description, blocking, kind, tuple(columns), rows_sql, count_sql, tuple(params), **extra
    )


def _unique_check(name: str, description: str, blocking: bool, columns: tuple[str, ...]) -> Check:
    quoted = [quote_identifier(c) for c in columns]
    rows_sql = DUPLICATE_KEY_SQL.format(
        table=TABLE, key=", ".join(quoted), key_present=" AND ".join(f"{q} IS NOT NULL" for q in quoted)
    )
    return _rows_check(name, description, blocking, "unique", columns, rows_sql)


def _sql_check(name: str, rule: QualityRule) -> Check:
    query = rule.query.replace("${object}", TABLE)
    if rule.columns:
        query = query.replace("${property}", quote_identifier(rule.columns[0]))
    match = _COUNT_WHERE.match(query)
    rows_sql = f"SELECT * FROM {TABLE} WHERE {match['predicate']}" if match else None
    description = rule.description or f"Query result {rule.condition.describe()}."
    return Check(
        name, description, rule.blocking, "sql", rule.columns, rows_sql, query, expectation=rule.condition
    )


def _range_violation(quoted: str, condition: Condition, physical_type: str):
    """SQL predicate (and params) true for values outside ``condition``'s interval."""
    low, high, strict_low, strict_high = condition.bounds()
    parts, params = [], []
    if low is not None:
        parts.append(f"{quoted} {'<=' if strict_low else '<'} ?")
        params.append(low)
    if high is not None:
        parts.append(f"{quoted} {'>=' if strict_high else '>'} ?")
        params.append(high)
    if physical_type == "DOUBLE":
        parts.append(f"isnan({quoted})")
    return " OR ".join(parts), params


def _filter_counts(
    checks: list[Check], con: duckdb.DuckDBPyConnection, qualified_name: str
) -> dict[str, int]:
    """Check name -> offending rows, for the checks whose rows are `SELECT * FROM {table} WHERE p`,
    as `count(*) FILTER (WHERE p)` of one SELECT over the table: the same numbers as a count per
    check, one statement instead of dozens (each costs more than its scan on a small table). Empty
    when there are fewer than two such checks or the SELECT fails (each check then runs alone, so an
    error names its check)."""
    filtered = [
        (check, match["predicate"]) for check in checks if (match := _FILTER_ROWS.match(check.sql or ""))
    ]
    if len(filtered) < 2:
        return {}
    table = quote_qualified(qualified_name)
    counts = ", ".join(
        f"count(*) FILTER (WHERE {predicate.replace(TABLE, table)})" for _, predicate in filtered
    )
    params = [value for check, _ in filtered for value in check.params]
    try:
        row = con.execute(f"SELECT {counts} FROM {table}", params or None).fetchall()[0]
    except duckdb.Error:
        return {}
    return {check.name: count for (check, _), count in zip(filtered, row, strict=True)}


def _run_one(
    check: Check, con: duckdb.DuckDBPyConnection, qualified_name: str, counted: int | None = None
) -> CheckResult:
    """One check's result; `counted` is its offending-row count when `_filter_counts` has it."""
    rows_sql, count_sql = check.render(qualified_name)
    params = list(check.params) or None
    base = {"name": check.name, "description": check.description, "blocking": check.blocking}
    try:
        observed = counted if counted is not None else con.execute(count_sql, params).fetchall()[0][0]
        observed = int(observed) if isinstance(observed, bool) else observed
        passed = observed is not None and check.expectation.holds(observed)
        samples: tuple[dict[str, Any], ...] = ()
        if rows_sql is not None and not passed:
            cursor = con.execute(SAMPLE_SQL.format(rows=rows_sql, limit=SAMPLE_LIMIT), params)
            names = [d[0] for d in cursor.description]
            samples = tuple(dict(zip(names, row, strict=True)) for row in cursor.fetchall())
    except duckdb.Error as error:
        return CheckResult(
            **base,
            passed=False,
            offending_count=None,
            observed_value=None,
            message=f"check could not run: {error}",
            error=str(error),
        )
    offending = int(observed) if rows_sql is not None and observed is not None else None
    return CheckResult(
        **base,
        passed=passed,
        offending_count=offending,
        observed_value=observed,
        message=_message(check, passed, observed, offending),
        sample_rows=samples,
    )


def _message(check: Check, passed: bool, observed: Any, offending: int | None) -> str:
    if offending is not None:
        if passed:
            return "no offending rows"
        return f"{offending} offending row(s): {check.description}"
    verdict = "ok" if passed else "failed"
    return f"{verdict}: observed {observed}, {check.expectation.describe()}"
