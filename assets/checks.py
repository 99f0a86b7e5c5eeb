"""Asset checks built by one factory from each table's contract (no hand-written second rule set).

Every rule of a contract becomes an asset check on that table's asset; rules the contract marks
blocking are blocking checks, so downstream assets do not run on a table that broke its contract.
"""

import dagster as dg

from assets.metadata import key_of
from assets.resources import WarehouseResource
from data_contracts import all_contracts

# Written by reviewers (`flrisk review-hit`, match decisions), checked like every contracted table so
# the data-quality summary, the Dagster asset checks and the GE suites count the same rules; they have
# no freshness check (people, not a schedule, write them).
DECISION_TABLES = ["resolved.match_decisions", "resolved.list_hit_decisions"]


def contract_checks(table_key: str) -> dg.AssetChecksDefinition:
    """One multi-check running every rule of `table_key`'s contract against the warehouse table."""
    contract = next(c for c in all_contracts() if c.qualified_name == table_key)
    checks = contract.checks()
    specs = [
        dg.AssetCheckSpec(
            name=check.name, asset=key_of(table_key), blocking=check.blocking, description=check.description
        )
        for check in checks
    ]

    @dg.multi_asset_check(specs=specs, name=f"{table_key.replace('.', '__')}__contract_checks")
    def run_contract_checks(warehouse: WarehouseResource):
        with warehouse.connect(read_only=True) as con:
            results = contract.run_checks(con, table_key)
        for result in results:
            yield dg.AssetCheckResult(
                asset_key=key_of(table_key),
                check_name=result.name,
                passed=result.passed,
                severity=dg.AssetCheckSeverity.ERROR if result.blocking else dg.AssetCheckSeverity.WARN,
                metadata={
                    "offending_rows": result.offending_count if result.offending_count is not None else -1,
                    "message": result.message,
                    "sample": str(list(result.sample_rows[:3])),
                },
            )

    return run_contract_checks


def all_contract_checks(table_keys: list[str]) -> list[dg.AssetChecksDefinition]:
    """Checks for every table that has both an asset and a contract."""
    return [contract_checks(table_key) for table_key in table_keys]
