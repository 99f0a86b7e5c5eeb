"""The flrisk code location: every asset, check, job, schedule, sensor and resource, in one place."""

from __future__ import annotations

import dagster as dg

from assets.checks import all_contract_checks
from assets.ingestion import raw_assets
from assets.oshub_sync import raw_oshub_api, raw_oshub_merges
from assets.quality import data_quality_report
from assets.reports import brand_risk_reports
from assets.resolution import RESOLVED_TABLES, match_decisions, resolved_tables
from assets.risk import PUBLISHED_TABLES, published_risk_tables, worker_voice_summary
from assets.staging import STAGED_TABLES, staged_tables
from pipelines.resources import OsHubResource, PseudonymisationKeyResource, SourcesResource
from pipelines.sensors import build_inbox_sensor, build_manifest_sensor
from pipelines.warehouse import WarehouseResource

CHECKED_TABLES = [*STAGED_TABLES, *RESOLVED_TABLES, *PUBLISHED_TABLES, "published.worker_voice_summary"]

OSHUB_API_ASSETS = dg.AssetSelection.assets(raw_oshub_api, raw_oshub_merges)

refresh_all = dg.define_asset_job(
    "refresh_all",
    selection=dg.AssetSelection.all() - OSHUB_API_ASSETS,
    description="Ingest every received file, standardise, resolve, score and publish, then report "
    "(the Open Supply Hub API pull has its own job).",
    executor_def=dg.in_process_executor,
)
oshub_sync = dg.define_asset_job(
    "oshub_sync",
    selection=OSHUB_API_ASSETS.downstream(),
    description="Pull Open Supply Hub production locations and merge events over the API (resumable), "
    "then re-stage, re-resolve and re-score.",
    executor_def=dg.in_process_executor,
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
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Nightly re-resolve and re-score of everything received (off by default).",
)


def build_definitions() -> dg.Definitions:
    """All of flrisk's Dagster definitions with their default resources."""
    return dg.Definitions(
        assets=[
            *raw_assets,
            raw_oshub_api,
            raw_oshub_merges,
            staged_tables,
            match_decisions,
            resolved_tables,
            published_risk_tables,
            worker_voice_summary,
            data_quality_report,
            brand_risk_reports,
        ],
        asset_checks=all_contract_checks(CHECKED_TABLES),
        jobs=[refresh_all, oshub_sync],
        schedules=[rescore_nightly, oshub_sync_daily],
        sensors=[build_manifest_sensor(refresh_all), build_inbox_sensor(refresh_all)],
        resources={
            "warehouse": WarehouseResource(),
            "sources": SourcesResource(),
            "pseudonymisation": PseudonymisationKeyResource(),
            "oshub": OsHubResource(),
        },
    )


defs = build_definitions()
