"""The one door from the `flrisk` command into Dagster: run the asset graph, read run history, build
the quality reports on the persistent Dagster instance under `$FLRISK_HOME/dagster`.

The CLI imports nothing else from pipelines, assets or dagster, so the command stays a thin client
of the code location and Dagster is only loaded by the commands that need it.
"""

from __future__ import annotations

from contextlib import ExitStack

import dagster as dg

from pipelines.event_log import command_instance, event_batching
from pipelines.run_tags import cause_tags
from pipelines.status import Status, collect_status, format_status
from warehouse.home import log_format, prepare_dagster_home

__all__ = [
    "RunFailedError",
    "build_quality_reports",
    "cause_tags",
    "code_location",
    "format_status",
    "last_success_started",
    "read_status",
    "run_oshub_sync",
    "run_load",
    "run_refresh_all",
]

# What a load of one file leaves to the next full refresh (or `flrisk report`): the data-quality
# report validates every table with Great Expectations, most of a small load's time otherwise.
LOAD_LEAVES_OUT = (("quality", "data_quality_report"),)
POSTGRES_ASSET = ("postgres", "published")  # left out too when no PostgreSQL target is configured
FRESHNESS_CHECK = "freshness_check"  # the name Dagster's build_last_update_freshness_checks gives
LOAD_KIND_TAG = "flrisk/load_kind"  # on a run that ingested one kind of file only


def code_location() -> dg.Definitions:
    """The code location's definitions (`pipelines.definitions`, built when first imported)."""
    from pipelines.definitions import defs

    return defs


class RunFailedError(RuntimeError):
    """A step of the run failed; the message lists each failed step and its error."""


def run_refresh_all(
    as_of: str = "",
    log_level: str = "WARNING",
    full_resolve: bool = False,
    progress: bool = False,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize `refresh_all` in-process (fast on 2 cores, no DuckDB lock contention); the console
    shows warnings and errors only (as JSON lines with `FLRISK_LOG_FORMAT=json`), the full event log
    is in the Dagster instance. Resolution is incremental unless `full_resolve` (or its own rules say
    full; see entity_resolution/update.py). `progress` adds step lines on stderr (pipelines.progress);
    `tags` (see `cause_tags`) say what caused the run."""
    ops = {
        "published_risk_tables": {"config": {"as_of": as_of}},
        "resolved_tables": {"config": {"full": full_resolve}},
        "staged_tables": {"config": {"full": True}},  # a refresh restages every file (loads append)
    }
    return _run_job("refresh_all", {"ops": ops}, log_level, tags or cause_tags("refresh"), progress)


def run_load(
    source_type: str,
    as_of: str = "",
    log_level: str = "WARNING",
    progress: bool = False,
    tags: dict[str, str] | None = None,
    registered_at: float | None = None,
) -> dg.ExecuteInProcessResult | None:
    """Materialize what a newly received file of `source_type` changes: its raw table and everything
    downstream (staging, which stages only new supplier lists when nothing else changed
    (`assets.staging_append`), resolution, which is incremental, scoring, publishing, brand reports)
    with the contract checks of those tables, as a run of `refresh_all` restricted to that selection.
    Other kinds' raw tables and the data-quality report wait for the next full refresh. With
    `registered_at` (when the file was registered), nothing runs and None is returned when a
    successful run that read `source_type` files started after it (see `last_success_started`)."""
    prepare_dagster_home()
    with command_instance() as instance:
        if registered_at is not None:
            started = _last_success_started(instance, source_type)
            if started is not None and started > registered_at:
                return None
        return _run_load(instance, source_type, as_of, log_level, progress, tags)


def _run_load(
    instance: dg.DagsterInstance,
    source_type: str,
    as_of: str,
    log_level: str,
    progress: bool,
    tags: dict[str, str] | None,
) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs

    job = defs.resolve_job_def("refresh_all")
    raw_key = dg.AssetKey(["raw", source_type])
    downstream = dg.AssetSelection.assets(raw_key).downstream()
    left_out = dg.AssetSelection.assets(*[dg.AssetKey(list(key)) for key in LOAD_LEAVES_OUT])
    if not defs.resources["postgres"].configured():  # the step would only log that it has no target
        left_out = left_out | dg.AssetSelection.assets(dg.AssetKey(list(POSTGRES_ASSET)))
    graph = job.asset_layer.asset_graph
    selection = (downstream - left_out).resolve(graph)
    # contract rules and cross-table checks guard what this run publishes; freshness is for the
    # freshness sensor to judge
    checks = {
        key for key in graph.asset_check_keys if key.asset_key in selection and key.name != FRESHNESS_CHECK
    }
    ops = {"published_risk_tables": {"config": {"as_of": as_of}}}
    tags = {**(tags or cause_tags("load")), LOAD_KIND_TAG: source_type}
    subset = (selection, checks)
    return _run_job("refresh_all", {"ops": ops}, log_level, tags, progress, subset=subset, instance=instance)


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
    job_name: str,
    run_config: dict,
    log_level: str,
    tags: dict[str, str],
    progress: bool = False,
    subset: tuple[set[dg.AssetKey], set[dg.AssetCheckKey]] | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute one job of the code location (only the assets and checks of `subset`, when given)
    in-process on the persistent instance (`instance`, else the command's own), tagged with `tags`,
    with stage lines on stderr when `progress`; `RunFailedError` lists every failed step."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    logger = "json" if log_format() == "json" else "console"
    loggers: dict = {logger: {"config": {"log_level": log_level}}}
    if progress:
        loggers["progress"] = {}
    run_config = {**run_config, "loggers": loggers}
    job = defs.resolve_job_def(job_name)
    if subset is not None:
        job = job.get_subset(asset_selection=subset[0], asset_check_selection=subset[1])
    with ExitStack() as stack:
        if instance is None:
            instance = stack.enter_context(command_instance())
        stack.enter_context(event_batching())
        result = job.execute_in_process(
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


def last_success_started(source_type: str, job_name: str = "refresh_all") -> float | None:
    """When (Unix time) the last successful run of `job_name` that ingested `source_type` files (a
    full run, or a load of that kind) started, or None. A run that started after a file was
    registered has read it: `flrisk load` then needs no run of its own."""
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return _last_success_started(instance, source_type, job_name)


def _last_success_started(
    instance: dg.DagsterInstance, source_type: str, job_name: str = "refresh_all"
) -> float | None:
    records = instance.get_run_records(
        dg.RunsFilter(job_name=job_name, statuses=[dg.DagsterRunStatus.SUCCESS]), limit=20
    )
    for record in records:
        if record.dagster_run.tags.get(LOAD_KIND_TAG, source_type) == source_type:
            return record.start_time
    return None


def read_status() -> Status:
    """Last run of every job, stale assets and failed checks, read from the Dagster instance only
    (never from the warehouse, so it works while a run writes)."""
    from pipelines.definitions import defs

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        return collect_status(instance, defs)


def build_quality_reports():
    """Rebuild the data-quality summary and GE Data Docs from the live warehouse, read-only: the report
    is for auditors and engineers and checks the staged tables, the quarantined rows and the load
    reconciliation, which the reader copy does not hold (issue 17). The live file is read under the
    writer lock, so no run can start meanwhile; while a run writes, the report is built from the reader
    copy instead (the last good run, without those tables) and never waits on or blocks the run. The
    instance supplies the last updates for the freshness section. Returns the reports built."""
    from assets.quality import build_quality_reports as build
    from assets.resources import WarehouseResource
    from warehouse import locking
    from warehouse.home import warehouse_path

    prepare_dagster_home()
    live = warehouse_path()
    with dg.DagsterInstance.get() as instance:
        if live.is_file() and not locking.writer_active(live):
            try:
                return build(WarehouseResource(database=str(live), read_only=True), instance)
            except locking.WarehouseBusyError:
                pass  # a run started meanwhile: the reader copy answers
        return build(WarehouseResource.for_readers(), instance)
