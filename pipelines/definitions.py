"""The flrisk code location: every asset, check, job, schedule, sensor and resource, in one place."""

from __future__ import annotations

import dagster as dg

from assets.checks import all_contract_checks
from assets.ingestion import raw_assets
from assets.quality import data_quality_report
from assets.resolution import RESOLVED_TABLES, match_decisions, resolved_tables
from assets.risk import PUBLISHED_TABLES, published_risk_tables, worker_voice_summary
from assets.staging import STAGED_TABLES, staged_tables
from pipelines.resources import PseudonymisationKeyResource, SourcesResource
from pipelines.sensors import build_inbox_sensor, build_manifest_sensor
from pipelines.warehouse import WarehouseResource

CHECKED_TABLES = [*STAGED_TABLES, *RESOLVED_TABLES, *PUBLISHED_TABLES, "published.worker_voice_summary"]

refresh_all = dg.define_asset_job(
    "refresh_all",
    selection=dg.AssetSelection.all(),
    description="Ingest every received file, standardise, resolve, score and publish, then report.",
    executor_def=dg.in_process_executor,
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
            staged_tables,
            match_decisions,
            resolved_tables,
            published_risk_tables,
            worker_voice_summary,
            data_quality_report,
        ],
        asset_checks=all_contract_checks(CHECKED_TABLES),
        jobs=[refresh_all],
        schedules=[rescore_nightly],
        sensors=[build_manifest_sensor(refresh_all), build_inbox_sensor(refresh_all)],
        resources={
            "warehouse": WarehouseResource(),
            "sources": SourcesResource(),
            "pseudonymisation": PseudonymisationKeyResource(),
        },
    )


defs = build_definitions()
