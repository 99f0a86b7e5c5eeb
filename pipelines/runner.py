"""The one door from the `flrisk` command into Dagster: run the asset graph, read run history, build
the quality reports on the persistent Dagster instance under `$FLRISK_HOME/dagster`.

The CLI imports nothing else from pipelines, assets or dagster, so the command stays a thin client
of the code location and Dagster is only loaded by the commands that need it.
"""

from __future__ import annotations

import dagster as dg

from pipelines.run_tags import cause_tags
from pipelines.status import Status, collect_status, format_status
from warehouse.home import log_format, prepare_dagster_home

__all__ = [
    "RunFailedError",
    "build_quality_reports",
    "cause_tags",
    "format_status",
    "last_success_started",
    "read_status",
    "run_oshub_sync",
    "run_refresh_all",
]


class RunFailedError(RuntimeError):
    """A step of the run failed; the message lists each failed step and its error."""


def run_refresh_all(
    as_of: str = "",
    log_level: str = "WARNING",
    full_resolve: bool = False,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize `refresh_all` in-process (fast on 2 cores, no DuckDB lock contention); the console
    shows warnings and errors only (as JSON lines with `FLRISK_LOG_FORMAT=json`), the full event log
    is in the Dagster instance. Resolution is incremental unless `full_resolve` (or its own rules say
    full; see entity_resolution/update.py). `tags` (see `cause_tags`) say what caused the run."""
    ops = {
        "published_risk_tables": {"config": {"as_of": as_of}},
        "resolved_tables": {"config": {"full": full_resolve}},
    }
    return _run_job("refresh_all", {"ops": ops}, log_level, tags or cause_tags("refresh"))


def run_oshub_sync(
    as_of: str = "",
    base_url: str = "",
    accept_removals: bool = False,
    max_removed_share: float | None = None,
    log_level: str = "WARNING",
) -> dg.ExecuteInProcessResult:
    """Materialize `oshub_sync` in-process: pull Open Supply Hub production locations and merges, then
    re-stage, re-resolve and re-score. A pull that shrinks too much is held for review unless
    `accept_removals` (see assets/oshub_sync.py); `base_url` points the client elsewhere (a mirror)."""
    pull = {"accept_removals": accept_removals}
    if max_removed_share is not None:
        pull["max_removed_share"] = max_removed_share
    run_config: dict = {
        "ops": {"raw__oshub_api": {"config": pull}, "published_risk_tables": {"config": {"as_of": as_of}}}
    }
    if base_url:
        run_config["resources"] = {"oshub": {"config": {"base_url": base_url}}}
    return _run_job("oshub_sync", run_config, log_level, cause_tags("sync-oshub", ["Open Supply Hub API"]))


def _run_job(
    job_name: str, run_config: dict, log_level: str, tags: dict[str, str]
) -> dg.ExecuteInProcessResult:
    """Execute one job of the code location in-process on the persistent instance; `RunFailedError`
    lists every failed step."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    logger = "json" if log_format() == "json" else "console"
    run_config = {**run_config, "loggers": {logger: {"config": {"log_level": log_level}}}}
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False, tags=tags
        )
    if not result.success:
        failures = [
            f"step {event.step_key} failed: {event.step_failure_data.error.message.strip()}"
            for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        raise RunFailedError("\n".join(failures) or "the run failed")
    return result


def last_success_started(job_name: str = "refresh_all") -> float | None:
    """When (Unix time) the last successful run of `job_name` started, or None. A run that started
    after a file was registered has read it: `flrisk load` then needs no run of its own."""
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(
            dg.RunsFilter(job_name=job_name, statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1
        )
    return records[0].start_time if records else None


def read_status() -> Status:
    """Last run of every job, stale assets and failed checks, read from the Dagster instance only
    (never from the warehouse, so it works while a run writes)."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return collect_status(instance, defs)


def build_quality_reports():
    """Rebuild the data-quality summary and GE Data Docs from the reader copy of the warehouse (the
    last good run: it never blocks a run that is writing); the instance supplies the last updates for
    the freshness section. Returns the reports built (`assets.quality`)."""
    from assets.quality import build_quality_reports as build
    from assets.resources import WarehouseResource

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return build(WarehouseResource.for_readers(), instance)
