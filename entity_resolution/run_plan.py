"""Whether an entity-resolution run is full or incremental, and the record of each run.

`plan_run` decides: **full** on the first run, when the match settings, model, index format, Polars
version or normalisation reference files changed (the match index's fingerprint), when a human match
decision changed or names a new record, when most records changed, or when a full run was requested
(the nightly schedule); else **incremental** (see `update.py`). `run_row` is the
resolved.resolution_runs row a run writes; `changes_nothing` lets a requested full run that reproduces
the tables write nothing at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

import polars as pl

from entity_resolution.model import MODEL_FILE
from entity_resolution.resolve import Resolution
from entity_resolution.settings import ResolutionSettings

INDEX_FORMAT = "12"  # bump when normalisation or blocking keys change: the next run re-resolves fully
FULL_REQUESTED = "a full re-resolve was requested"
MAX_CHANGED_SHARE = 0.5  # above this share of changed records a full re-resolve is cheaper and better


@dataclass(frozen=True)
class Plan:
    """How this run resolves, and why."""

    mode: str  # "full" | "incremental"
    reason: str
    new_ids: list[str]
    removed_ids: list[str]


@dataclass(frozen=True)
class PreviousResolution:
    """The resolved tables as the last run left them."""

    facilities: pl.DataFrame
    record_links: pl.DataFrame
    review_queue: pl.DataFrame
    aliases: pl.DataFrame


def index_fingerprint(settings: ResolutionSettings) -> str:
    """What the persisted match index depends on: settings, model weights, index format, the Polars
    version (its key hashes are stable only within one version) and the normalisation's reference
    files (a new known name or trade word changes how stored records normalise)."""
    parts = [INDEX_FORMAT, settings.to_json(), MODEL_FILE.read_text(encoding="utf-8"), version("polars")]
    parts += [path.read_text(encoding="utf-8") for path in sorted(MODEL_FILE.parent.glob("*.csv"))]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def decisions_fingerprint(decisions: pl.DataFrame) -> str:
    """A digest of the human match decisions (order-independent)."""
    rows = sorted(decisions.select("record_id_left", "record_id_right", "decision").iter_rows())
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()[:16]


def plan_run(
    record_ids: pl.Series,
    previous_links: pl.DataFrame,
    decisions: pl.DataFrame,
    last_run: dict | None,
    settings: ResolutionSettings,
    full_requested: bool = False,
) -> Plan:
    """Choose full or incremental (see the module docstring). `last_run` is the previous
    resolved.resolution_runs row (or None)."""
    previous = previous_links["record_id"]
    new_ids = _missing_from(record_ids, previous)
    removed_ids = _missing_from(previous, record_ids)
    touched_by_decision = decisions.filter(
        pl.col("record_id_left").is_in(new_ids) | pl.col("record_id_right").is_in(new_ids)
    ).height
    reasons = [
        (last_run is None or previous.is_empty(), "no previous resolution"),
        (
            last_run is not None and last_run["index_fingerprint"] != index_fingerprint(settings),
            "match settings, model or index format changed",
        ),
        (
            last_run is not None and last_run["decisions_fingerprint"] != decisions_fingerprint(decisions),
            "human match decisions changed",
        ),
        (touched_by_decision > 0, "a human match decision names a new record"),
        (
            len(new_ids) + len(removed_ids) > MAX_CHANGED_SHARE * max(len(record_ids), 1),
            f"more than {MAX_CHANGED_SHARE:.0%} of the records changed",
        ),
        (full_requested, FULL_REQUESTED),  # last: the reason names what forced a full run, if anything
    ]
    for applies, reason in reasons:
        if applies:
            return Plan("full", reason, new_ids, removed_ids)
    if not new_ids and not removed_ids:
        return Plan("incremental", "no record changed", new_ids, removed_ids)
    return Plan(
        "incremental", f"{len(new_ids)} new and {len(removed_ids)} removed records", new_ids, removed_ids
    )


def _missing_from(ids: pl.Series, other: pl.Series) -> list[str]:
    """The distinct IDs of `ids` that `other` lacks, sorted: a hash anti join in Polars (at 1M records
    Python sets of both columns cost ~2 s a run)."""
    left, right = (series.cast(pl.String).rename("record_id").to_frame() for series in (ids, other))
    return left.join(right, on="record_id", how="anti")["record_id"].unique().sort().to_list()


def changes_nothing(plan: Plan, result: Resolution, previous: PreviousResolution) -> bool:
    """True for a requested full run that nothing else forced, on unchanged records, whose tables come
    out exactly as they were: writing it would change nothing but the run history."""
    if plan.reason != FULL_REQUESTED or plan.new_ids or plan.removed_ids:
        return False
    pairs = zip(
        (result.facilities, result.record_links, result.review_queue, result.aliases),
        (previous.facilities, previous.record_links, previous.review_queue, previous.aliases),
        strict=True,
    )
    return all(
        new.height == old.height and new.select(old.columns).sort(old.columns).equals(old.sort(old.columns))
        for new, old in pairs
    )


def run_row(
    plan: Plan, result: Resolution, decisions: pl.DataFrame, settings: ResolutionSettings, seconds: float
) -> pl.DataFrame:
    """The resolved.resolution_runs row recording this run."""
    return pl.DataFrame(
        {
            "resolved_at": [datetime.now(UTC).replace(tzinfo=None)],
            "mode": [plan.mode],
            "reason": [plan.reason],
            "index_fingerprint": [index_fingerprint(settings)],
            "decisions_fingerprint": [decisions_fingerprint(decisions)],
            "records": [result.record_links.height],
            "new_records": [len(plan.new_ids)],
            "removed_records": [len(plan.removed_ids)],
            "touched_facilities": [result.report.get("touched_facilities")],
            "facilities": [result.facilities.height],
            "seconds": [round(seconds, 3)],
        },
        schema_overrides={"touched_facilities": pl.Int64},
    )
