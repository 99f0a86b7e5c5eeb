"""`flrisk status`: what a data engineer checks first, read from the Dagster instance under
`$FLRISK_HOME/dagster` (never from the warehouse, so it works while a run writes).

- the last run of every job: status, start (UTC) and duration;
- stale assets: never materialized (partitioned assets, materialized on demand, only once they have
  been), materialized before one of their upstream assets, or older than their contract's freshness
  SLA (`data_contracts.freshness`);
- failed checks: every asset check whose latest evaluation failed (contract rules, cross-table checks,
  freshness checks), with its severity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import dagster as dg

from data_contracts.errors import ContractError
from data_contracts.freshness import freshness_row, sla_of

NEVER = "never run"


@dataclass
class Status:
    """Everything `flrisk status` prints, JSON-ready."""

    jobs: list[dict] = field(default_factory=list)
    stale_assets: list[dict] = field(default_factory=list)
    failed_checks: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _utc(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S") if seconds else None


def last_runs(instance: dg.DagsterInstance, job_names: list[str]) -> list[dict]:
    """The most recent run of each job (status NEVER RUN when there is none)."""
    rows = []
    for name in job_names:
        records = instance.get_run_records(dg.RunsFilter(job_name=name), limit=1)
        if not records:
            rows.append({"job": name, "status": NEVER, "run_id": None, "started": None, "seconds": None})
            continue
        record = records[0]
        seconds = (
            round(record.end_time - record.start_time, 1) if record.start_time and record.end_time else None
        )
        rows.append(
            {
                "job": name,
                "status": record.dagster_run.status.value,
                "run_id": record.dagster_run.run_id,
                "started": _utc(record.start_time),
                "seconds": seconds,
            }
        )
    return rows


def _freshness_reason(key: dg.AssetKey, updated: datetime, now: datetime) -> str | None:
    try:
        row = freshness_row(sla_of(".".join(key.path)), updated, now)
    except ContractError:
        return None
    if row["status"] != "stale":
        return None
    return f"older than its SLA ({row['age_hours']} h > {row['max_age_hours']} h)"


def stale_assets(instance: dg.DagsterInstance, graph, now: datetime) -> list[dict]:
    """Assets never materialized, behind an upstream asset, or past their freshness SLA."""
    keys = sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string())
    events = instance.get_latest_materialization_events(keys)
    stamps = {key: events[key].timestamp if events.get(key) else None for key in keys}
    rows = []
    for key in keys:
        stamp = stamps[key]
        if stamp is None:
            # a partitioned asset is materialized on demand, partition by partition (a backfill of
            # chosen countries): having none yet is not staleness;
            # nor is it for an optional asset (postgres/published without a PostgreSQL target)
            node = graph.get(key)
            if node.partitions_def is None and node.tags.get("flrisk/optional") != "true":
                rows.append({"asset": key.to_user_string(), "reason": "never materialized"})
            continue
        newer = [
            parent.to_user_string()
            for parent in sorted(graph.get(key).parent_keys, key=lambda k: k.to_user_string())
            if (stamps.get(parent) or 0) > stamp
        ]
        if newer:
            reason = f"upstream updated since: {', '.join(newer)}"
            rows.append({"asset": key.to_user_string(), "reason": reason})
            continue
        reason = _freshness_reason(key, datetime.fromtimestamp(stamp, UTC), now)
        if reason:
            rows.append({"asset": key.to_user_string(), "reason": reason})
    return rows


def failed_checks(instance: dg.DagsterInstance, graph) -> list[dict]:
    """Checks whose latest evaluation failed, most severe first."""
    rows = []
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        record = instance.get_latest_asset_check_evaluation_record(check_key)
        evaluation = record.evaluation if record else None
        if evaluation is None or evaluation.passed:
            continue
        rows.append(
            {
                "asset": check_key.asset_key.to_user_string(),
                "check": check_key.name,
                "detail": evaluation.description or "",
                "severity": evaluation.severity.value,
                "run_id": record.run_id,
                "evaluated": _utc(record.create_timestamp),
            }
        )
    return sorted(rows, key=lambda row: row["severity"] != "ERROR")


def collect_status(instance: dg.DagsterInstance, defs: dg.Definitions, now: datetime | None = None) -> Status:
    """Read the status of every job, asset and check of `defs` from `instance`."""
    graph = defs.resolve_asset_graph()
    jobs = sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__"))
    return Status(
        jobs=last_runs(instance, jobs),
        stale_assets=stale_assets(instance, graph, now or datetime.now(UTC)),
        failed_checks=failed_checks(instance, graph),
    )


def format_status(status: Status) -> str:
    """The human-readable report `flrisk status` prints."""
    lines = ["Jobs (last run):"]
    for job in status.jobs:
        took = f"{job['seconds']:.1f} s" if job["seconds"] is not None else "-"
        started = job["started"] or "-"
        lines.append(f"  {job['job']:<20} {job['status']:<10} started {started:<20} took {took}")
    lines.append(f"\nStale assets ({len(status.stale_assets)}):")
    lines += [f"  {row['asset']:<42} {row['reason']}" for row in status.stale_assets] or ["  none"]
    lines.append(f"\nFailed checks ({len(status.failed_checks)}):")
    lines += [
        f"  {row['severity']:<5} {row['asset']:<36} {row['check']} (run {row['run_id'][:8]})"
        + (f": {row['detail']}" if row.get("detail") else "")
        for row in status.failed_checks
    ] or ["  none"]
    return "\n".join(lines)
