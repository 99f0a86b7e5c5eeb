"""What changed for each facility since the last run: the rows of published.facility_risk_history.

The history is its own memory: a facility's latest row holds its last recorded state (band, score,
drivers, list hits, linked records), so comparing the published tables of this run with those
latest rows tells, per facility, what is new. A row is written when a facility

- is new (never recorded) or gone (recorded, no longer resolved);
- changes band (`band_up` / `band_down`, in the order low < medium < high < critical; unknown counts
  as below low), or moves its score by more than `SCORE_TOLERANCE` points;
- changes its top drivers (as a set: a reordering is not a change) or its list-screening hits
  (as 'list: entity [status]');
- absorbs another facility (`merged`: an id retired into it via resolved.facility_id_aliases, or
  records that belonged to a facility now gone) or gives records to a new facility (`split`);
- enters or leaves a brand's portfolio (`added_to_brand` / `removed_from_brand`, the brands in
  `brands_added` / `brands_removed`): a contributor whose data now mention (or no longer mention) an
  already known facility. A new facility is `new` only (the first run records no brand additions).

Brands see the rows through `seen_by` (`for_brand` for frames): to a brand that just added a facility,
the facility is new - its band, hits and drivers are all news, old values empty - and other brands'
additions are not that brand's changes. `flrisk changes --brand`, the brand index and the per-brand
alert rules all count through it.

Pure: frames in, frames out; the Dagster asset (assets/history.py) reads and publishes.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

SCORE_TOLERANCE = 2.0
BAND_ORDER = {"unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
STATE_COLUMNS = ["risk_band", "risk_score", "drivers", "list_hits", "record_ids"]
LIST = pl.List(pl.String)


def current_state(
    facility_risk: pl.DataFrame, hits: pl.DataFrame, record_links: pl.DataFrame
) -> pl.DataFrame:
    """One row per published facility: identity, band, score, drivers, hits and linked records."""
    hit_lists = (
        hits.with_columns(
            text=pl.format("{}: {} [{}]", "list_name", "list_entity_name", "status"),
        )
        .group_by("facility_id")
        .agg(list_hits=pl.col("text").unique().sort())
    )
    records = record_links.group_by("facility_id").agg(record_ids=pl.col("record_id").unique().sort())
    return (
        facility_risk.select(
            "facility_id",
            "facility_name",
            "country_code",
            "contributors",
            "as_of_date",
            "risk_band",
            "risk_score",
            drivers=pl.concat_list("driver_1", "driver_2", "driver_3").list.drop_nulls().cast(LIST),
        )
        .join(hit_lists, on="facility_id", how="left")
        .join(records, on="facility_id", how="left")
        .with_columns(pl.col("list_hits", "record_ids").fill_null(pl.lit([], dtype=LIST)))
    )


def last_recorded(history: pl.DataFrame) -> pl.DataFrame:
    """Each facility's latest recorded state (facilities whose latest row says they are gone excluded)."""
    latest = history.sort("recorded_at").unique("facility_id", keep="last")
    return latest.filter(pl.col("new_risk_band").is_not_null()).select(
        "facility_id",
        risk_band="new_risk_band",
        risk_score="new_risk_score",
        drivers=pl.col("new_drivers").fill_null(pl.lit([], dtype=LIST)),
        list_hits=pl.col("new_list_hits").fill_null(pl.lit([], dtype=LIST)),
        record_ids=pl.col("record_ids").fill_null(pl.lit([], dtype=LIST)),
        old_facility_name="facility_name",
        old_country_code="country_code",
        old_contributors="contributors",
        old_as_of_date="as_of_date",
    )


def _owners(state: pl.DataFrame, suffix: str) -> pl.DataFrame:
    """record_id -> the facility holding it in `state`."""
    return (
        state.select("facility_id", "record_ids")
        .explode("record_ids")
        .drop_nulls("record_ids")
        .rename({"record_ids": "record_id", "facility_id": f"facility_{suffix}"})
    )


def _relations(before: pl.DataFrame, now: pl.DataFrame, aliases: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Per facility, the facilities it merged with and split from (lists of ids)."""
    moved = (
        _owners(before, "before")
        .join(_owners(now, "now"), on="record_id")
        .filter(pl.col("facility_before") != pl.col("facility_now"))
    )
    gone = set(before["facility_id"]) - set(now["facility_id"])
    aliased = aliases.select(facility_now="facility_id", facility_before="alias_id").filter(
        pl.col("facility_before").is_in(list(gone))
    )
    merges = pl.concat(
        [
            moved.filter(pl.col("facility_before").is_in(list(gone))).select(
                "facility_now", "facility_before"
            ),
            aliased.select("facility_now", "facility_before"),
        ]
    ).unique()
    splits = moved.filter(~pl.col("facility_before").is_in(list(gone))).drop("record_id").unique()
    merged = merges.group_by("facility_now").agg(merged=pl.col("facility_before").sort())
    merged_into = merges.group_by("facility_before").agg(merged=pl.col("facility_now").sort())
    split_new = splits.group_by("facility_now").agg(split=pl.col("facility_before").sort())
    split_old = splits.group_by("facility_before").agg(split=pl.col("facility_now").sort())
    return {
        "merged": pl.concat(
            [
                merged.rename({"facility_now": "facility_id"}),
                merged_into.rename({"facility_before": "facility_id"}),
            ]
        ),
        "split": pl.concat(
            [
                split_new.rename({"facility_now": "facility_id"}),
                split_old.rename({"facility_before": "facility_id"}),
            ]
        ),
    }


def _kinds() -> pl.Expr:
    def when(condition: pl.Expr, kind: str) -> pl.Expr:
        return pl.when(condition).then(pl.lit(kind))

    old_rank = pl.col("old_risk_band").replace_strict(BAND_ORDER, default=None)
    new_rank = pl.col("new_risk_band").replace_strict(BAND_ORDER, default=None)
    known = pl.col("old_risk_band").is_not_null() & pl.col("new_risk_band").is_not_null()
    return pl.concat_list(
        when(pl.col("old_risk_band").is_null(), "new"),
        when(pl.col("new_risk_band").is_null() & (pl.col("merged").list.len() == 0), "removed"),
        when(known & (new_rank > old_rank), "band_up"),
        when(known & (new_rank < old_rank), "band_down"),
        when(
            known & ((pl.col("new_risk_score") - pl.col("old_risk_score")).abs() > SCORE_TOLERANCE), "score"
        ),
        when(known & (pl.col("old_drivers").list.sort() != pl.col("new_drivers").list.sort()), "drivers"),
        when(known & (pl.col("old_list_hits") != pl.col("new_list_hits")), "list_hits"),
        when(pl.col("merged").list.len() > 0, "merged"),
        when(pl.col("split").list.len() > 0, "split"),
        when(known & (pl.col("brands_added").list.len() > 0), "added_to_brand"),
        when(known & (pl.col("brands_removed").list.len() > 0), "removed_from_brand"),
    ).list.drop_nulls()


def changes(
    history: pl.DataFrame,
    state: pl.DataFrame,
    aliases: pl.DataFrame,
    run_id: str,
    recorded_at: datetime,
) -> pl.DataFrame:
    """The history rows this run adds: one per facility that is new, gone or changed (see module)."""
    before = last_recorded(history)
    relations = _relations(before, state, aliases)
    joined = (
        state.rename({c: f"new_{c}" for c in STATE_COLUMNS})
        .join(
            before.rename({c: f"old_{c}" for c in STATE_COLUMNS}), on="facility_id", how="full", coalesce=True
        )
        .join(relations["merged"], on="facility_id", how="left")
        .join(relations["split"], on="facility_id", how="left")
        .with_columns(pl.col("merged", "split").fill_null(pl.lit([], dtype=LIST)))
        .join(_inherited(before, relations["merged"]), on="facility_id", how="left")
        .with_columns(
            _brand_difference("contributors", "listed_before").alias("brands_added"),
            _brand_difference("old_contributors", "contributors").alias("brands_removed"),
        )
    )
    rows = joined.with_columns(change_kinds=_kinds()).filter(pl.col("change_kinds").list.len() > 0)
    gone_as_of = rows["old_as_of_date"].drop_nulls()
    fallback: date | None = gone_as_of[0] if gone_as_of.len() else None
    return rows.select(
        run_id=pl.lit(run_id),
        recorded_at=pl.lit(recorded_at),
        as_of_date=pl.coalesce("as_of_date", "old_as_of_date", pl.lit(fallback)),
        facility_id="facility_id",
        facility_name=pl.coalesce("facility_name", "old_facility_name"),
        country_code=pl.coalesce("country_code", "old_country_code"),
        contributors=pl.coalesce("contributors", "old_contributors"),
        change_kinds="change_kinds",
        old_risk_band="old_risk_band",
        new_risk_band="new_risk_band",
        old_risk_score="old_risk_score",
        new_risk_score="new_risk_score",
        old_drivers="old_drivers",
        new_drivers="new_drivers",
        old_list_hits="old_list_hits",
        new_list_hits="new_list_hits",
        record_ids="new_record_ids",
        related_facility_ids=pl.concat_list("merged", "split").list.unique().list.sort(),
        brands_added="brands_added",
        brands_removed="brands_removed",
    ).sort("facility_id")


def _inherited(before: pl.DataFrame, merged: pl.DataFrame) -> pl.DataFrame:
    """Per facility, the contributors it had before plus those of the facilities merged into it: a
    brand that listed one of two merged records has not added a facility to its list."""
    absorbed = (
        merged.explode("merged")
        .join(before.select(merged="facility_id", absorbed="old_contributors"), on="merged")
        .explode("absorbed")
        .group_by("facility_id")
        .agg(pl.col("absorbed").drop_nulls())
    )
    return (
        before.select("facility_id", "old_contributors")
        .join(absorbed, on="facility_id", how="full", coalesce=True)
        .select(
            "facility_id",
            listed_before=pl.when(pl.col("old_contributors").is_null())
            .then(pl.lit(None, dtype=LIST))
            .otherwise(
                pl.concat_list(pl.col("old_contributors"), pl.col("absorbed").fill_null([])).list.unique()
            ),
        )
    )


def _brand_difference(left: str, right: str) -> pl.Expr:
    """Contributors in `left` and not in `right` (sorted; empty when either side is unknown)."""
    return (
        pl.when(pl.col(left).is_not_null() & pl.col(right).is_not_null())
        .then(pl.col(left).list.set_difference(pl.col(right)).list.sort())
        .otherwise(pl.lit([], dtype=LIST))
        .cast(LIST)
    )


PORTFOLIO_KINDS = ("added_to_brand", "removed_from_brand")
KEPT_WHEN_ADDED = ("merged", "split")


def seen_by(row: dict, brand: str) -> dict | None:
    """One history row as `brand` sees it, None when it is not that brand's change.

    A facility the brand's data newly mention is new to the brand: kinds `added_to_brand` (plus a
    merge or split), old band, score, drivers and hits empty, so its band, hits and drivers count as
    news. One it no longer mentions is `removed_from_brand`. Otherwise the row counts when the brand
    lists the facility, without other brands' additions and removals."""
    added, removed = row.get("brands_added") or [], row.get("brands_removed") or []
    kinds = list(row.get("change_kinds") or [])
    if brand in added:
        return row | {
            "change_kinds": ["added_to_brand", *(k for k in kinds if k in KEPT_WHEN_ADDED)],
            "old_risk_band": None,
            "old_risk_score": None,
            "old_drivers": [],
            "old_list_hits": [],
            "brands_added": [brand],
            "brands_removed": [],
        }
    if brand in removed:
        return row | {"change_kinds": ["removed_from_brand"], "brands_added": [], "brands_removed": [brand]}
    if brand not in (row.get("contributors") or []):
        return None
    own = [kind for kind in kinds if kind not in PORTFOLIO_KINDS]
    return row | {"change_kinds": own, "brands_added": [], "brands_removed": []} if own else None


def for_brand(rows: pl.DataFrame, brand: str) -> pl.DataFrame:
    """The history rows `brand` sees (see `seen_by`), with the frame's schema."""
    seen = [row for row in (seen_by(r, brand) for r in rows.iter_rows(named=True)) if row is not None]
    return pl.DataFrame(seen, schema=rows.schema) if seen else rows.clear()


def added_list_hits(row: dict) -> list[str]:
    """The list hits a history row adds ('list: entity [status]'; a candidate becoming confirmed is one)."""
    return sorted(set(row.get("new_list_hits") or []) - set(row.get("old_list_hits") or []))


def change_counts(rows: pl.DataFrame) -> dict[str, int]:
    """How many facilities per change kind among history rows, plus `new_list_hits` (facilities gaining
    a list hit); {} for no rows. The one count behind `flrisk changes`, the change summary of a run and
    the brand index's "changes since the last run"."""
    if rows.is_empty():
        return {}
    counts = dict(rows["change_kinds"].explode().drop_nulls().value_counts().iter_rows())
    counts["new_list_hits"] = sum(1 for row in rows.iter_rows(named=True) if added_list_hits(row))
    return counts
