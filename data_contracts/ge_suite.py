"""Great Expectations suites derived from the same checks as the DuckDB runner.

There is no second rule set: each :class:`~data_contracts.checks.Check` maps to one
expectation by its kind (not_null, unique, valid_values, range, pattern, row_count), so the suite
has exactly as many expectations as the contract has rules (the summary and the Dagster asset
checks count the same rules). A rule GE's pandas engine cannot evaluate (``sql`` rules, a row count
that must *not* be a value) is evaluated by DuckDB with the contract's own SQL: :func:`verdict_frame`
adds one boolean column ``flrisk_rule__<check>`` per such rule (each row's verdict, or the table's
verdict on every row for a table-level metric), and the suite expects it to be true. Blocking checks
become ``severity="critical"`` expectations, the rest ``"warning"``.

great_expectations is imported inside the functions: it takes seconds to import.
Validation uses the pandas route: GE 1.24's SQL datasource over DuckDB reports every
expectation as failed with a MetricResolutionError. :func:`engine_errors` tells such an engine
failure from a data failure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from data_contracts.checks import TABLE, Check, run_checks
from data_contracts.physical_types import quote_identifier, quote_qualified

VERDICT_PREFIX = "flrisk_rule__"
_ROWS_PREFIX = f"SELECT * FROM {TABLE} WHERE "

if TYPE_CHECKING:
    import duckdb
    import great_expectations as gx
    import pandas as pd

    from data_contracts.model import Contract


def great_expectations_suite(contract: Contract) -> gx.ExpectationSuite:
    """An ``ExpectationSuite`` named after the contract's table, one expectation per check (rules
    DuckDB evaluates are expected through their verdict column, see :func:`verdict_frame`)."""
    import great_expectations as gx

    expectations, by_duckdb = [], []
    for check in contract.checks():
        expectation = _expectation(check)
        if expectation is None:
            by_duckdb.append(check.name)
            expectation = _verdict_expectation(check)
        expectations.append(expectation)
    return gx.ExpectationSuite(
        name=contract.qualified_name,
        expectations=expectations,
        meta={
            "contract_id": contract.contract_id,
            "contract_version": contract.version,
            "rules": len(expectations),
            "evaluated_by_duckdb": by_duckdb,
        },
    )


def verdict_columns(contract: Contract) -> list[Check]:
    """The checks GE cannot evaluate itself: each needs a ``flrisk_rule__<check>`` column."""
    return [check for check in contract.checks() if _expectation(check) is None]


def verdict_frame(
    con: duckdb.DuckDBPyConnection, contract: Contract, table_key: str | None = None
) -> pd.DataFrame:
    """Every row of the table plus one verdict column per check GE cannot evaluate: true where the
    row passes the rule (row rules), or the rule's verdict on every row (table-level metrics)."""
    table_key = table_key or contract.qualified_name
    selected, params = ["*"], []
    for check in verdict_columns(contract):
        column = quote_identifier(VERDICT_PREFIX + check.name)
        if check.sql and check.sql.startswith(_ROWS_PREFIX) and not check.params:
            predicate = check.sql[len(_ROWS_PREFIX) :].replace(TABLE, quote_qualified(table_key))
            selected.append(f"NOT coalesce(({predicate}), false) AS {column}")
        else:
            selected.append(f"? AS {column}")
            params.append(bool(run_checks([check], con, table_key)[0].passed))
    sql = f"SELECT {', '.join(selected)} FROM {quote_qualified(table_key)}"
    return con.execute(sql, params or None).df()


def validate_with_great_expectations(contract: Contract, frame: pd.DataFrame) -> Any:
    """Validate a pandas ``frame`` against the contract's suite in an ephemeral GE context.

    Returns GE's ``ExpectationSuiteValidationResult``; check :func:`engine_errors` on it.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(great_expectations_suite(contract))
    batch = (
        context.data_sources.add_pandas("flrisk_warehouse")
        .add_dataframe_asset(contract.qualified_name)
        .add_batch_definition_whole_dataframe("all_rows")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=contract.qualified_name, data=batch, suite=suite)
    )
    return definition.run(batch_parameters={"dataframe": frame})


def engine_errors(validation_result: Any) -> list[str]:
    """Messages of expectations that raised instead of evaluating (an engine failure)."""
    errors = []
    for result in validation_result.results:
        for info in _exception_infos(result.exception_info):
            if info.get("raised_exception"):
                name = (result.expectation_config.meta or {}).get("check", "?")
                errors.append(f"{name}: {info.get('exception_message')}")
    return errors


def _exception_infos(info: Any) -> list[dict]:
    if not isinstance(info, dict):
        return []
    if "raised_exception" in info:
        return [info]
    return [value for value in info.values() if isinstance(value, dict)]


def _verdict_expectation(check: Check):
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(
        column=VERDICT_PREFIX + check.name,
        value_set=[True],
        meta={"check": check.name, "blocking": check.blocking, "evaluated_by": "duckdb"},
        severity="critical" if check.blocking else "warning",
        description=f"{check.description} (evaluated by DuckDB with the contract's SQL; the column "
        "holds each row's verdict)",
    )


def _expectation(check: Check):
    import great_expectations.expectations as gxe

    common = {
        "meta": {"check": check.name, "blocking": check.blocking},
        "severity": "critical" if check.blocking else "warning",
        "description": check.description,
    }
    column = check.columns[0] if check.columns else None
    if check.kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, **common)
    if check.kind == "unique" and len(check.columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=column, **common)
    if check.kind == "unique":
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(check.columns), **common)
    if check.kind == "valid_values":
        return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(check.value_set), **common)
    if check.kind == "pattern":
        return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=check.pattern, **common)
    if check.kind == "range":
        low, high, strict_low, strict_high = check.value_condition.bounds()
        return gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=low,
            max_value=high,
            strict_min=strict_low,
            strict_max=strict_high,
            **common,
        )
    if check.kind == "row_count":
        bounds = _row_count_bounds(check)
        return (
            None
            if bounds is None
            else gxe.ExpectTableRowCountToBeBetween(min_value=bounds[0], max_value=bounds[1], **common)
        )
    return None


def _row_count_bounds(check: Check) -> tuple[int | None, int | None] | None:
    """Integer (min, max) rows for a row-count expectation; None when not one interval."""
    condition = check.expectation
    if condition.operator in {"mustNotBe", "mustNotBeBetween"}:
        return None
    low, high, strict_low, strict_high = condition.bounds()
    if low is not None:
        low = math.floor(low) + 1 if strict_low else math.ceil(low)
    if high is not None:
        high = math.ceil(high) - 1 if strict_high else math.floor(high)
    return low, high
