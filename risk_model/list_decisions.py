"""Reviewers' decisions on list-screening hits, applied to the hits of every run.

A hit is keyed by (facility_id, list_name, list_entity_name): the facility's stable id and the entry
as listed, not `hit_id` or the entry id, so a decision covers every entry of that list naming the
entity and survives a list re-load. Decisions are an append-only log (`resolved.list_hit_decisions`);
the latest one per hit is in force. A decision whose facility_id was retired by a merge follows
`resolved.facility_id_aliases` to the facility that absorbed it. In force:

- `confirmed` -> status `confirmed` (scores 100, forces the band to critical), whatever the score;
- `rejected` -> status `dismissed`: still published with the hits, but adds nothing to the score
  (this also overrides an automatic confirmation on identical names).
The states and their meaning live in `risk_model.screening_states`; `status_reason` then names the
reviewer's decision and its date.

A decision for a hit the current run no longer finds changes nothing (and is kept).
"""

from __future__ import annotations

import polars as pl

from risk_model.screening_states import STATUS_OF_DECISION

HIT_KEY = ["facility_id", "list_name", "list_entity_name"]
DECISION_SCHEMA = {
    "facility_id": pl.String,
    "list_name": pl.String,
    "list_entity_name": pl.String,
    "decision": pl.String,
    "decided_by": pl.String,
    "decided_at": pl.Datetime("us"),
    "note": pl.String,
}


def decisions_in_force(decisions: pl.DataFrame | None, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """The latest decision per hit key, facility ids mapped through retired-id aliases."""
    if decisions is None or decisions.is_empty():
        return pl.DataFrame(schema=DECISION_SCHEMA)
    decisions = decisions.select(
        pl.col(name).cast(dtype) if name in decisions.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in DECISION_SCHEMA.items()
    )
    if aliases is not None and aliases.height:
        current = aliases.select(
            pl.col("alias_id").alias("facility_id"), pl.col("facility_id").alias("current")
        )
        decisions = (
            decisions.join(current, on="facility_id", how="left")
            .with_columns(facility_id=pl.coalesce("current", "facility_id"))
            .drop("current")
        )
    return decisions.sort("decided_at", maintain_order=True).unique(HIT_KEY, keep="last", maintain_order=True)


def apply_decisions(
    hits: pl.DataFrame, decisions: pl.DataFrame | None, aliases: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`hits` with the status reviewers gave them and `decided_by`, `decided_at` (null: no decision)."""
    in_force = decisions_in_force(decisions, aliases).select(*HIT_KEY, "decision", "decided_by", "decided_at")
    decided = pl.col("decision").replace_strict(STATUS_OF_DECISION, default=None, return_dtype=pl.String)
    if "status_reason" not in hits.columns:
        hits = hits.with_columns(status_reason=pl.lit(None, pl.String))
    return (
        hits.join(in_force, on=HIT_KEY, how="left", maintain_order="left")
        .with_columns(
            status=pl.coalesce(decided, pl.col("status")),
            status_reason=pl.when(decided.is_not_null())
            .then(pl.format("{} by a reviewer on {}", decided, pl.col("decided_at").dt.date()))
            .otherwise(pl.col("status_reason")),
        )
        .drop("decision")
    )
