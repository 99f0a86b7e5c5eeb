"""The flrisk code location: every asset, check, job, schedule, sensor and resource, in one place."""

from __future__ import annotations

import dagster as dg

from assets.catalog import describe_assets
from assets.checks import DECISION_TABLES, all_contract_checks
from assets.freshness import freshness_checks, freshness_sensor
from assets.history import HISTORY, facility_risk_history
from assets.ingestion import raw_assets
from assets.oshub_country import raw_oshub_by_country
from assets.oshub_sync import raw_oshub_api, raw_oshub_merges
from assets.postgres_publish import PostgresPublishResource, postgres_published
from assets.quality import data_quality_report
from assets.reports import brand_risk_reports
from assets.resolution import ASSET_TABLES, match_decisions, resolved_tables
from assets.resources import (
    OSHUB_TOKEN_ENV,
    OsHubResource,
    PseudonymisationKeyResource,
    SourcesResource,
    WarehouseResource,
)
from assets.risk import PUBLISHED_TABLES, list_hit_decisions, published_risk_tables
from assets.staging import STAGED_TABLES, staged_tables
from assets.worker_voice import worker_voice_summary
from pipelines.alerts import build_failure_alert_sensor
from pipelines.change_alerts import build_change_alert_sensor
from pipelines.progress import progress_logger
from pipelines.sensors import build_inbox_sensor, build_manifest_sensor

CHECKED_TABLES = [*STAGED_TABLES, *ASSET_TABLES, *PUBLISHED_TABLES, "published.worker_voice_summary", HISTORY]

OSHUB_API_ASSETS = dg.AssetSelection.assets(raw_oshub_api, raw_oshub_merges)
OSHUB_COUNTRY_ASSETS = dg.AssetSelection.assets(raw_oshub_by_country)
REFERENCE_SOURCES = ("reference_dol_goods", "reference_entity_list", "reference_country_risk")
REFERENCE_ASSETS = dg.AssetSelection.assets(*[["raw", source] for source in REFERENCE_SOURCES])
# Console logs as text (default) or one JSON object per line (`FLRISK_LOG_FORMAT=json`, see runner.py).
LOGGERS = {"console": dg.colored_console_logger, "json": dg.json_console_logger, "progress": progress_logger}
# Every job writes the warehouse: the run queue (deploy/dagster.yaml) allows one run with this tag at a
# time, and the writer lock (warehouse.locking) serialises runs started outside the queue.
WRITER_TAGS = {"flrisk/warehouse": "writer"}

refresh_all = dg.define_asset_job(
    "refresh_all",
    selection=dg.AssetSelection.all() - OSHUB_API_ASSETS - OSHUB_COUNTRY_ASSETS,
    description="Ingest every received file, standardise, resolve, score and publish, then report "
    "(the Open Supply Hub API pull has its own job).",
    tags=WRITER_TAGS,
)
oshub_sync = dg.define_asset_job(
    "oshub_sync",
    selection=OSHUB_API_ASSETS.downstream(),
    description="Pull Open Supply Hub production locations and merge events over the API (resumable), "
    "then re-stage, re-resolve and re-score.",
    tags=WRITER_TAGS,
)
oshub_country_backfill = dg.define_asset_job(
    "oshub_country_backfill",
    selection=OSHUB_COUNTRY_ASSETS,
    description="Pull Open Supply Hub production locations of the chosen countries, one run per country "
    "partition (resumable per country); re-stage afterwards with refresh_all.",
    tags=WRITER_TAGS,
)
reference_refresh = dg.define_asset_job(
    "reference_refresh",
    selection=REFERENCE_ASSETS.downstream(),
    description="Load new versions of the reference lists (US DOL goods, trade-restriction lists, country "
    "risk) from the received files, then re-stage, re-screen and re-score.",
    tags=WRITER_TAGS,
)
oshub_sync_daily = dg.ScheduleDefinition(
    name="oshub_sync_daily",
    job=oshub_sync,
    cron_schedule="0 4 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily Open Supply Hub sync with merges applied (off by default; needs FLRISK_OSHUB_TOKEN).",
)
rescore_nightly = dg.ScheduleDefinition(
    name="rescore_nightly",
    job=refresh_all,
    cron_schedule="30 2 * * *",
    execution_timezone="UTC",
    run_config={
        "ops": {"resolved_tables": {"config": {"full": True}}, "staged_tables": {"config": {"full": True}}}
    },
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Nightly full restage and re-resolve (every file and record, not only new ones) and "
    "re-score of everything received (off by default).",
)
reference_refresh_weekly = dg.ScheduleDefinition(
    name="reference_refresh_weekly",
    job=reference_refresh,
    cron_schedule="0 5 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Weekly reference-list refresh, Mondays 05:00 UTC (off by default).",
)


def build_definitions(executor: dg.ExecutorDefinition = dg.in_process_executor) -> dg.Definitions:
    """All of flrisk's Dagster definitions with their default resources. Jobs run on `executor`:
    in-process here (fast on 2 cores, no DuckDB lock contention), `k8s_job_executor` in
    `pipelines.deployment`. Every asset carries owners, table name, column schema, code references and
    a freshness policy from its contract (`assets.catalog`). The OS Hub token is an `EnvVar`: resolved
    when a run that needs it starts, so an unset variable never stops the code location loading."""
    freshness = freshness_checks(CHECKED_TABLES)
    return dg.Definitions(
        assets=describe_assets(
            [
                *raw_assets,
                raw_oshub_api,
                raw_oshub_merges,
                raw_oshub_by_country,
                staged_tables,
                match_decisions,
                resolved_tables,
                list_hit_decisions,
                published_risk_tables,
                worker_voice_summary,
                facility_risk_history,
                postgres_published,
                data_quality_report,
                brand_risk_reports,
            ]
        ),
        # reviewers' decision tables get their contract rules too (no freshness: people write them)
        asset_checks=[*all_contract_checks(CHECKED_TABLES + DECISION_TABLES), *freshness],
        jobs=[refresh_all, oshub_sync, oshub_country_backfill, reference_refresh],
        schedules=[rescore_nightly, oshub_sync_daily, reference_refresh_weekly],
        sensors=[
            build_manifest_sensor(refresh_all),
            build_inbox_sensor(refresh_all),
            build_failure_alert_sensor(),
            build_change_alert_sensor([refresh_all, oshub_sync, reference_refresh]),
            freshness_sensor(freshness),
        ],
        executor=executor,
        loggers=LOGGERS,
        resources={
            "warehouse": WarehouseResource(),
            "sources": SourcesResource(),
            "pseudonymisation": PseudonymisationKeyResource(),
            "oshub": OsHubResource(token=dg.EnvVar(OSHUB_TOKEN_ENV)),
            "postgres": PostgresPublishResource(),
        },
    )


defs = build_definitions()
