"""Incremental resolution: apply new and removed records to the previous resolution, touching only the
facilities they concern.

`run_plan.plan_run` decides between a full re-resolve and an incremental update; `resolve_update`:
1. scores each new record against the match index (`incremental.score_against_index`) and picks its
   best existing facility at or above the auto threshold that no guard forbids: a different OS ID or
   unit number, or low-scored pairs with its members that its auto links do not outvote, re-checked
   with split probes (`update_guards`: the same functions a full run's clustering and chain probes
   use);
2. resolves the new records among themselves, so a list's own duplicates merge; a group of new records
   joins the one existing facility its linked members chose, else it becomes a new facility;
3. rebuilds only the touched facilities (those gaining or losing records), drops facilities left
   without records, adds the new grey-band pairs to the review queue and drops queued pairs of
   removed records.
Existing facilities never merge or split here and keep their IDs; a new record that would bridge two
existing facilities links to the best one only. The nightly full re-resolve settles those cases.

The update reads only its **neighbourhood** (`update_neighbourhood`): the facilities the index
slice reaches (every facility a new record is compared with) and those of removed records, every
link of those facilities and the staged records of those links, plus the new records. Nothing
outside it can change: a kept link changes only when a new record of the same facility scores higher
(that facility is reached), and only reached facilities or those losing records are rebuilt. So the
update of the neighbourhood, put back into the whole tables, is the update of the whole tables
(`resolve_update` does exactly that over frames; the pipeline reads the neighbourhood from the
warehouse and writes the difference, assets/resolution.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from entity_resolution.facilities import PAIR_FEATURES, build_facilities, link_rows
from entity_resolution.incremental import MatchIndex, index_keys, index_records, score_against_index
from entity_resolution.resolve import NO_DECISIONS, Resolution, prepare, queue_rows, resolve
from entity_resolution.run_plan import Plan, PreviousResolution
from entity_resolution.settings import ResolutionSettings
from entity_resolution.update_guards import allowed_links


@dataclass(frozen=True)
class Update:
    """An incremental run's resolved tables, and the match index rows of its new records. From
    `update_neighbourhood`, `resolution.facilities` and `.record_links` are the neighbourhood after the
    update and `before` the same neighbourhood as it was; from `resolve_update`, whole tables."""

    resolution: Resolution
    index_records: pl.DataFrame
    index_keys: pl.DataFrame
    before: PreviousResolution | None = None


@dataclass(frozen=True)
class Neighbourhood:
    """The part of the previous resolution an update reads and may change: some facilities, every
    link of those facilities, and the staged records of those links."""

    facilities: pl.DataFrame
    record_links: pl.DataFrame
    records: pl.DataFrame


@dataclass(frozen=True)
class UpdateSource:
    """Where an update reads the previous resolution, slice by slice.
    - `arrived(new_ids)`: the staged rows of the new records;
    - `lookup(keys)`: the match index slice the new records' keys reach (`MatchIndex`, records with
      their facility_id);
    - `around(facility_ids, removed_ids)`: the `Neighbourhood` of those facilities and of the
      facilities of the removed records;
    - `in_use(ids)`: which of `ids` a facility or an alias already holds;
    - the whole review queue and aliases (replaced whole), and the total staged records and
      facilities before the update (for the run's figures)."""

    arrived: Callable[[list[str]], pl.DataFrame]
    lookup: Callable[[pl.DataFrame], MatchIndex]
    around: Callable[[list[str], list[str]], Neighbourhood]
    in_use: Callable[[set[str]], set[str]]
    review_queue: pl.DataFrame
    aliases: pl.DataFrame
    records_total: int
    facilities_total: int


def resolve_update(
    records: pl.DataFrame,
    plan: Plan,
    lookup: Callable[[pl.DataFrame], MatchIndex],
    previous: PreviousResolution,
    settings: ResolutionSettings,
) -> Update:
    """The resolved tables after applying `plan`'s new and removed records (see the module docstring).
    `records` is staged.facility_records; `lookup(keys)` returns the slice of the match index the new
    records' blocking keys reach: the index keys they share (with their frequency over the whole index)
    and every member of the facilities those keys reach."""
    source = UpdateSource(
        arrived=lambda new_ids: records.filter(pl.col("record_id").is_in(new_ids)),
        lookup=lookup,
        around=lambda facility_ids, removed_ids: frame_neighbourhood(
            records, previous, facility_ids, removed_ids
        ),
        in_use=lambda ids: ids & _held(previous),
        review_queue=previous.review_queue,
        aliases=previous.aliases,
        records_total=records.height,
        facilities_total=previous.facilities.height,
    )
    update = update_neighbourhood(source, plan, settings)
    part, before = update.resolution, update.before
    facilities = _put_back(previous.facilities, before.facilities, part.facilities, "facility_id")
    links = _put_back(previous.record_links, before.record_links, part.record_links, "record_id")
    whole = Resolution(facilities, links, part.review_queue, part.aliases, part.report, part.prepared)
    return Update(whole, update.index_records, update.index_keys)


def frame_neighbourhood(
    records: pl.DataFrame,
    previous: PreviousResolution,
    facility_ids: list[str],
    removed_ids: list[str],
) -> Neighbourhood:
    """`UpdateSource.around` over whole frames."""
    owners = previous.record_links.filter(pl.col("record_id").is_in(removed_ids))["facility_id"]
    wanted = pl.Series(sorted(set(facility_ids) | set(owners.to_list())), dtype=pl.String).implode()
    links = previous.record_links.filter(pl.col("facility_id").is_in(wanted))
    return Neighbourhood(
        previous.facilities.filter(pl.col("facility_id").is_in(wanted)),
        links,
        records.filter(pl.col("record_id").is_in(links["record_id"].implode())),
    )


def _held(previous: PreviousResolution) -> set[str]:
    return set(previous.facilities["facility_id"].to_list()) | set(previous.aliases["alias_id"].to_list())


def _put_back(whole: pl.DataFrame, before: pl.DataFrame, after: pl.DataFrame, key: str) -> pl.DataFrame:
    """`whole` with the rows of the neighbourhood `before` replaced by `after`, sorted by `key`."""
    outside = whole.join(before.select(key), on=key, how="anti")
    return pl.concat([outside, after.select(whole.columns)]).sort(key)


def update_neighbourhood(source: UpdateSource, plan: Plan, settings: ResolutionSettings) -> Update:
    """`resolve_update` reading only the neighbourhood of the update from `source`: returns the
    neighbourhood before (`Update.before`) and after (facilities and links), the whole review queue and
    aliases, and the run's figures over the whole tables."""
    started = time.perf_counter()
    arrived = source.arrived(plan.new_ids)
    new = prepare(arrived)
    keys = index_keys(new, settings)
    index = source.lookup(keys)
    area = source.around(sorted(set(index.records["facility_id"].to_list())), plan.removed_ids)
    previous = PreviousResolution(area.facilities, area.record_links, source.review_queue, source.aliases)
    records = pl.concat([area.records, arrived])
    index = MatchIndex(
        index.records.filter(~pl.col("record_id").is_in(plan.removed_ids)),
        index.keys.filter(~pl.col("record_id").is_in(plan.removed_ids)),
    )
    scored = score_against_index(index, new, settings, keys) if new.height else _no_pairs()
    confirmed = previous.record_links.filter(pl.col("method") == "human_confirmed")["facility_id"]
    chosen = allowed_links(scored, new, index, previous.facilities, settings, set(confirmed.to_list()))
    own = resolve(arrived, NO_DECISIONS, settings)
    target = _targets(own.record_links, chosen, source.in_use)
    links = _new_links(target, chosen, own.record_links)
    kept = _strengthen(
        previous.record_links.filter(~pl.col("record_id").is_in(plan.removed_ids)), scored, target
    )
    removed_from = previous.record_links.filter(pl.col("record_id").is_in(plan.removed_ids))["facility_id"]
    touched = (set(removed_from.to_list()) | set(target["facility_id"].to_list())) & set(
        previous.facilities["facility_id"].to_list()
    )
    all_links = pl.concat([kept, links]).sort("record_id")
    facilities = _rebuild(records, all_links, previous.facilities, touched)
    queue = _queue(previous.review_queue, plan.removed_ids, scored, own.review_queue, all_links, settings)
    report = {
        "records": source.records_total,
        "new_records": len(plan.new_ids),
        "removed_records": len(plan.removed_ids),
        "linked_to_existing": int(target["existing"].sum()),
        "new_facilities": int(target.filter(~pl.col("existing"))["facility_id"].n_unique()),
        "touched_facilities": len(touched),
        "scored_pairs": scored.height,
        "facilities": source.facilities_total - previous.facilities.height + facilities.height,
        "review_pairs": queue.height,
        "id_stable_share": 1.0,
        "seconds_update": round(time.perf_counter() - started, 3),
    }
    resolution = Resolution(facilities, all_links, queue, previous.aliases, report, new)
    return Update(resolution, index_records(new), keys, previous)


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"record_id": pl.String, "existing": pl.String, "facility_id": pl.String}
        | {name: pl.Float64 for name in PAIR_FEATURES}
    )


def _targets(
    own_links: pl.DataFrame, chosen: pl.DataFrame, in_use: Callable[[set[str]], set[str]]
) -> pl.DataFrame:
    """record_id -> final facility_id for every new record, and whether it is an existing facility.
    A group of new records (resolved among themselves) joins the one existing facility its members
    chose; when they chose several, each chooser goes its own way and the others stay a new facility."""
    groups = own_links.select("record_id", pl.col("facility_id").alias("group"))
    choices = groups.join(
        chosen.select("record_id", pl.col("facility_id").alias("choice")), on="record_id", how="left"
    )
    agreed = (
        choices.drop_nulls("choice")
        .group_by("group")
        .agg(pl.col("choice").unique().alias("choices"))
        .filter(pl.col("choices").list.len() == 1)
        .select("group", pl.col("choices").list.first().alias("agreed"))
    )
    fresh = _unused(groups["group"].unique().to_list(), in_use)
    return (
        choices.join(agreed, on="group", how="left")
        .with_columns(
            facility_id=pl.coalesce(
                "choice", "agreed", pl.col("group").replace_strict(fresh, return_dtype=pl.String)
            ),
            existing=pl.col("choice").is_not_null() | pl.col("agreed").is_not_null(),
        )
        .select("record_id", "facility_id", "existing", "choice")
    )


def _unused(facility_ids: list[str], in_use: Callable[[set[str]], set[str]]) -> dict[str, str]:
    """Each of `facility_ids` -> itself, salted (as `ids.assign_ids` does) until no existing facility or
    alias holds it (`in_use` answers for a batch of candidates at a time)."""
    unused: dict[str, str] = {}
    pending = {facility_id: (facility_id, 1) for facility_id in facility_ids}
    while pending:
        held = in_use({candidate for candidate, _ in pending.values()})
        for facility_id, (candidate, salt) in list(pending.items()):
            if candidate in held:
                salted = hashlib.sha256(f"{candidate}#{salt}".encode()).hexdigest()[:12].upper()
                pending[facility_id] = ("FLR-" + salted, salt + 1)
            else:
                unused[facility_id] = candidate
                del pending[facility_id]
    return unused


def _new_links(target: pl.DataFrame, chosen: pl.DataFrame, own_links: pl.DataFrame) -> pl.DataFrame:
    """record_links rows of the new records: each record's strongest pair inside its final facility,
    either into the existing facility it chose itself or with another new record (as a full run would
    pick); a record with neither is the seed of its facility."""
    direct = link_rows(
        target.filter(pl.col("choice").is_not_null())
        .select("record_id", "facility_id")
        .join(chosen.drop("facility_id"), on="record_id")
        .with_columns(other=pl.col("existing"), matched_record_id=pl.col("existing"), human=pl.lit(False))
    )
    final = target.select("record_id", "facility_id")
    via_group = (
        own_links.drop("facility_id")
        .join(final, on="record_id")
        .join(
            final.rename({"record_id": "matched_record_id", "facility_id": "partner_facility"}),
            on="matched_record_id",
        )
        .filter(pl.col("partner_facility") == pl.col("facility_id"))
        .select(direct.columns)
    )
    linked = (
        pl.concat([direct, via_group])
        .sort("record_id", "match_score", descending=[False, True])
        .unique("record_id", keep="first", maintain_order=True)
    )
    seeds = link_rows(
        final.join(linked.select("record_id"), on="record_id", how="anti").with_columns(
            *[pl.lit(None, pl.Float64).alias(name) for name in PAIR_FEATURES],
            other=pl.lit(None, pl.String),
            matched_record_id=pl.lit(None, pl.String),
            human=pl.lit(False),
        )
    )
    return pl.concat([linked, seeds])


def _strengthen(kept: pl.DataFrame, scored: pl.DataFrame, target: pl.DataFrame) -> pl.DataFrame:
    """Existing records' links, each replaced by its pair with a new record of the same facility when that
    pair is stronger (as a full run picks each record's strongest pair inside its facility); a link a
    person confirmed stays."""
    same_facility = scored.join(target.select("record_id", "facility_id"), on=["record_id", "facility_id"])
    stronger = (
        same_facility.sort("existing", "match_score", "record_id", descending=[False, True, False])
        .unique("existing", keep="first", maintain_order=True)
        .join(
            kept.select(pl.col("record_id").alias("existing"), "method", pl.col("match_score").alias("now")),
            on="existing",
        )
        .filter(
            (pl.col("method") != "human_confirmed")
            & (pl.col("now").is_null() | (pl.col("match_score") > pl.col("now")))
        )
    )
    if stronger.is_empty():
        return kept
    replaced = link_rows(
        stronger.select(
            pl.col("existing").alias("record_id"),
            "facility_id",
            pl.col("record_id").alias("other"),
            pl.col("record_id").alias("matched_record_id"),
            pl.lit(False).alias("human"),
            *PAIR_FEATURES,
        )
    )
    return pl.concat(
        [
            kept.filter(~pl.col("record_id").is_in(replaced["record_id"].implode())),
            replaced.select(kept.columns),
        ]
    )


def _rebuild(
    records: pl.DataFrame, links: pl.DataFrame, facilities: pl.DataFrame, touched: set[str]
) -> pl.DataFrame:
    """Previous facilities, with the touched ones rebuilt from their current records (or dropped when
    none is left) and the new ones added."""
    new_ids = set(links["facility_id"].to_list()) - set(facilities["facility_id"].to_list())
    rebuild = touched | new_ids
    labelled = (
        records.join(links.select("record_id", "facility_id"), on="record_id")
        .filter(pl.col("facility_id").is_in(list(rebuild)))
        .with_columns(cluster=pl.col("facility_id").rank("dense").cast(pl.Int64))
    )
    ids = dict(labelled.select("cluster", "facility_id").unique().iter_rows())
    rebuilt = build_facilities(labelled.drop("facility_id"), ids).select(facilities.columns)
    return pl.concat([facilities.filter(~pl.col("facility_id").is_in(list(rebuild))), rebuilt]).sort(
        "facility_id"
    )


def _queue(
    previous_queue: pl.DataFrame,
    removed_ids: list[str],
    scored: pl.DataFrame,
    own_queue: pl.DataFrame,
    links: pl.DataFrame,
    settings: ResolutionSettings,
) -> pl.DataFrame:
    """The review queue: previous pairs without removed records, plus the new records' grey-band pairs
    (against existing records and among themselves) whose records ended in different facilities."""
    kept = previous_queue.filter(
        ~pl.col("record_id_left").is_in(removed_ids) & ~pl.col("record_id_right").is_in(removed_ids)
    )
    grey = scored.filter(
        pl.col("match_score").is_between(
            settings.review_threshold, settings.auto_match_threshold, closed="left"
        )
    ).with_columns(
        record_id_left=pl.min_horizontal("record_id", "existing"),
        record_id_right=pl.max_horizontal("record_id", "existing"),
    )
    facility = links.select("record_id", "facility_id")
    added = (
        pl.concat([queue_rows(grey), own_queue])
        .join(facility.rename({"record_id": "record_id_left", "facility_id": "fl"}), on="record_id_left")
        .join(facility.rename({"record_id": "record_id_right", "facility_id": "fr"}), on="record_id_right")
    )
    added = added.filter(pl.col("fl") != pl.col("fr")).select(kept.columns)
    return pl.concat([kept, added]).unique("pair_id", keep="first").sort("pair_id")
