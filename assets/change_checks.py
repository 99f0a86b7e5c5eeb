"""When a table's contract checks may look only at the rows this run wrote (issue 19).

The match index keys alone are ~35 rows per facility record (35M at 1M facilities): checking their
primary key and patterns over the whole table took most of a small load's resolved-layer checks.
An incremental resolution writes a few rows by key and says which (`changed_keys` on its
materialization: key column, keys written, rows the table held before; assets/resolution.py).
`data_contracts.change_checks` then gives the whole table's verdict from those rows, provided the
table as it stood before the write had passed every rule. That premise is taken from the Dagster
record, never assumed:

- this run materialized the table and recorded `changed_keys`;
- the table's previous materialization was checked in the same run, and every rule passed
  (the check execution SUCCEEDED; a failed warning rule counts as not passed);
- the rows the table held before this run's write equal the row count that materialization
  recorded (a row added or removed outside a run in between sends the check to the whole table).

Otherwise the whole table is checked, as before.
"""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from assets.metadata import key_of, recorded
from assets.resolution_delta import CHANGED_KEYS, DELTA_CHECKED


def checkable_change(context: dg.AssetCheckExecutionContext, table_key: str, check_name: str) -> dict | None:
    """The `changed_keys` of `table_key` written by this run when checking them suffices, else None."""
    if table_key not in DELTA_CHECKED:
        return None
    instance, run_id = context.instance, context.run.run_id
    records = instance.fetch_materializations(key_of(table_key), limit=2).records
    if len(records) < 2 or records[0].run_id != run_id:
        return None
    change = recorded(records[0], CHANGED_KEYS)
    previous = records[1]
    if not isinstance(change, dict) or change.get("rows_before") != recorded(previous, "dagster/row_count"):
        return None
    history = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(key_of(table_key), check_name), limit=2
    )
    earlier = [record for record in history if record.run_id != run_id]
    if not earlier or earlier[0].run_id != previous.run_id:
        return None
    return change if earlier[0].status == AssetCheckExecutionRecordStatus.SUCCEEDED else None
