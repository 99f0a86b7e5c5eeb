"""The one door from the `flrisk` command into Dagster: run the asset graph, read run history, build
the quality reports on the persistent Dagster instance under `$FLRISK_HOME/dagster`.

The CLI imports nothing else from pipelines, assets or dagster, so the command stays a thin client
of the code location and Dagster is only loaded by the commands that need it.
"""

from __future__ import annotations

import dagster as dg

from pipelines.status import Status, collect_status, format_status
from warehouse.home import log_format, prepare_dagster_home

__all__ = ["RunFailedError", "build_quality_reports", "format_status", "read_status", "run_refresh_all"]


class RunFailedError(RuntimeError):
    """A step of the run failed; the message lists each failed step and its error."""


def run_refresh_all(
    as_of: str = "", log_level: str = "WARNING", full_resolve: bool = False
) -> dg.ExecuteInProcessResult:
    """Materialize `refresh_all` in-process (fast on 2 cores, no DuckDB lock contention); the console
    shows warnings and errors only (as JSON lines with `FLRISK_LOG_FORMAT=json`), the full event log
    is in the Dagster instance. Resolution is incremental unless `full_resolve` (or its own rules say
    full; see entity_resolution/update.py)."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    run_config = {
        "ops": {
            "published_risk_tables": {"config": {"as_of": as_of}},
            "resolved_tables": {"config": {"full": full_resolve}},
        },
        "loggers": {"json" if log_format() == "json" else "console": {"config": {"log_level": log_level}}},
    }
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False
        )
    if not result.success:
        failures = [
            f"step {event.step_key} failed: {event.step_failure_data.error.message.strip()}"
            for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        raise RunFailedError("\n".join(failures) or "the run failed")
    return result


def read_status() -> Status:
    """Last run of every job, stale assets and failed checks, read from the Dagster instance only
    (never from the warehouse, so it works while a run writes)."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return collect_status(instance, defs)


def build_quality_reports():
    """Rebuild the data-quality summary and GE Data Docs from the warehouse; the instance supplies the
    last updates for the freshness section. Returns the reports built (`assets.quality`)."""
    from assets.quality import build_quality_reports as build
    from assets.resources import WarehouseResource

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return build(WarehouseResource(), instance)
