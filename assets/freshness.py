"""Freshness checks: one Dagster last-update check per contracted table, its bound taken from the
contract's SLA (`data_contracts.freshness`), so the UI, `flrisk status` and the data-quality summary
all judge freshness by the same rule.
"""

import warnings
from collections import defaultdict
from datetime import UTC, datetime

import dagster as dg

from assets.metadata import key_of
from data_contracts.freshness import sla_of


def freshness_checks(table_keys: list[str]) -> list[dg.AssetChecksDefinition]:
    """Last-update freshness checks (severity WARN) for every table whose contract sets a frequency;
    a table fails once it is older than frequency + latency."""
    by_bound = defaultdict(list)
    for table_key in table_keys:
        bound = sla_of(table_key).max_age
        if bound is not None:
            by_bound[bound].append(key_of(table_key))
    checks: list[dg.AssetChecksDefinition] = []
    # Dagster 1.13 marks these checks superseded by FreshnessPolicy; checks are kept because they give
    # pass/fail evaluations that `flrisk status` reads and the UI lists beside the contract checks.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        for bound, keys in sorted(by_bound.items()):
            checks += dg.build_last_update_freshness_checks(
                assets=keys, lower_bound_delta=bound, timezone="UTC", severity=dg.AssetCheckSeverity.WARN
            )
    return checks


def freshness_sensor(checks: list[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """Evaluates the freshness checks between runs, so a table that silently stops updating fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            name="freshness_checks_sensor",
            minimum_interval_seconds=600,
            default_status=dg.DefaultSensorStatus.STOPPED,
        )


def last_updates(instance: dg.DagsterInstance, table_keys: list[str]) -> dict[str, datetime | None]:
    """When each table was last materialized according to the Dagster instance (None: never)."""
    events = instance.get_latest_materialization_events([key_of(t) for t in table_keys])
    updates: dict[str, datetime | None] = {}
    for table_key in table_keys:
        event = events.get(key_of(table_key))
        updates[table_key] = datetime.fromtimestamp(event.timestamp, UTC) if event else None
    return updates
