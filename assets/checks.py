"""Asset checks built by one factory from each table's contract (no hand-written second rule set).

Each contracted table gets one asset check, `contract_rules`, that runs every rule of its contract
and reports each rule's outcome in its metadata (rules, failed rules with offending rows and a sample).
It is blocking when any rule is: a failed blocking rule fails the check with severity ERROR, so
downstream assets do not run on a table that broke its contract; failed warning rules fail it with
severity WARN. One evaluation per table, not one per rule, keeps the event log small: Dagster writes
two events per check evaluation, and per-rule checks (390 rules) were most of a small load's time
(see benchmarks/small_load/). The rules of one layer run as one step with one read-only connection.
A table an incremental run wrote by key is checked on the rows it wrote when its previous version
passed (assets/change_checks.py); `checked` in the metadata says which.
"""

import dagster as dg
import polars as pl

from assets.change_checks import checkable_change
from assets.metadata import key_of
from assets.resources import WarehouseResource
from data_contracts import all_contracts
from data_contracts.change_checks import run_checks_for_keys

CHECK_NAME = "contract_rules"
RULES_METADATA = "contract_rules"  # the spec's list of the rule names it runs
# Tables checked in the same step: the layer a table belongs to, by its schema.
LAYER_OF_SCHEMA = {
    "staged": "staged",
    "quarantine": "staged",
    "resolved": "resolved",
    "published": "published",
}
FAILURES_HEADER = "| rule | level | offending rows | message |\n|---|---|---|---|\n"

# Written by reviewers (`flrisk review-hit`, match decisions), checked like every contracted table so
# the data-quality summary, the Dagster asset checks and the GE suites count the same rules; they have
# no freshness check (people, not a schedule, write them).
DECISION_TABLES = ["resolved.match_decisions", "resolved.list_hit_decisions"]


def _spec(contract, table_key: str) -> dg.AssetCheckSpec:
    rules = contract.checks()
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=key_of(table_key),
        blocking=any(rule.blocking for rule in rules),
        description=f"The {len(rules)} rules of data contract {contract.qualified_name} "
        f"v{contract.version}: " + "; ".join(rule.name for rule in rules),
        metadata={RULES_METADATA: [rule.name for rule in rules]},
    )


def _result(table_key: str, contract, results, checked: str) -> dg.AssetCheckResult:
    failed = [result for result in results if not result.passed]
    blocking_failed = [result for result in failed if result.blocking]
    table = "\n".join(
        f"| {r.name} | {'blocking' if r.blocking else 'warning'} | "
        f"{r.offending_count if r.offending_count is not None else ''} | {r.message} |"
        for r in failed
    )
    return dg.AssetCheckResult(
        asset_key=key_of(table_key),
        check_name=CHECK_NAME,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking_failed else dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(results) - len(failed)} of {len(results)} rules passed"
            + (f"; failed: {', '.join(r.name for r in failed)}" if failed else "")
        ),
        metadata={
            "contract_version": contract.version,
            "checked": checked,
            "rules": len(results),
            "failed_rules": len(failed),
            "failed_blocking_rules": len(blocking_failed),
            "failures": dg.MetadataValue.md(FAILURES_HEADER + table if failed else "none"),
            "sample": str([row for r in failed for row in r.sample_rows[:3]][:5]),
        },
    )


def layer_contract_checks(layer: str, table_keys: list[str]) -> dg.AssetChecksDefinition:
    """One step checking every table of a layer, one `contract_rules` check per table."""
    contracts = {c.qualified_name: c for c in all_contracts() if c.qualified_name in set(table_keys)}

    @dg.multi_asset_check(
        specs=[_spec(contracts[table_key], table_key) for table_key in table_keys],
        name=f"{layer}__contract_checks",
        can_subset=True,
    )
    def run_contract_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        selected = context.selected_asset_check_keys
        with warehouse.connect(read_only=True) as con:
            for table_key in table_keys:
                if dg.AssetCheckKey(key_of(table_key), CHECK_NAME) in selected:
                    contract = contracts[table_key]
                    change = checkable_change(context, table_key, CHECK_NAME)
                    if change is None:
                        yield _result(table_key, contract, contract.run_checks(con, table_key), "whole table")
                        continue
                    column = change["column"]
                    con.register(
                        "written_keys", pl.DataFrame({column: change["keys"]}, schema={column: pl.String})
                    )
                    results = run_checks_for_keys(
                        contract.checks(), con, table_key, (column,), "written_keys"
                    )
                    con.unregister("written_keys")
                    yield _result(
                        table_key, contract, results, f"{len(change['keys'])} rows written by this run"
                    )

    return run_contract_checks


def all_contract_checks(table_keys: list[str]) -> list[dg.AssetChecksDefinition]:
    """Checks for every table that has both an asset and a contract, one step per layer."""
    layers: dict[str, list[str]] = {}
    for table_key in table_keys:
        layers.setdefault(LAYER_OF_SCHEMA[table_key.split(".")[0]], []).append(table_key)
    return [layer_contract_checks(layer, keys) for layer, keys in layers.items()]
