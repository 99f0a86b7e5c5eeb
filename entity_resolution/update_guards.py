"""Which existing facility a new record may join in an incremental update (`update.py`): the guards a
full run's clustering applies, between one new record and one existing facility.

A full run (`resolve` -> `chain_probes.cluster_with_probes` -> `clustering.cluster`) lets a record
join a facility it has an auto link with unless an OS ID or unit number differs (absolute), or the
pairs scored below `different_below` between them outweigh the auto links (`clustering.links_outvote`:
`links_per_difference` links per difference, a low pair whose records share no location field
weighing `unlocated_difference_weight`). It then draws probes and decides again: a record the first
clustering put in a cluster of three or more is probed against `probes_per_record` random members of
it (`chain_probes.probe_pairs`), and a record it split from a cluster although an auto link joins
them is probed against `split_probes_per_record` random members of the larger side
(`chain_probes.split_probes`, drawn among those sharing a location field with it).

The update used to veto any facility one member of which scored below `different_below` with the new
record, with no probes: a big supplier's one messy name-only mention kept a correct new mention out,
and a new record joined a facility on one link that probes would have shown to be a chain. Here each
(new record, facility) that an auto link of the scored index pairs joins is weighed with the same
function, probed by the same functions, and weighed again. The probes are drawn as if each such pair
were its own small problem (the facility's members in record_id order, then the new record), laid
out in one array in (record_id, facility_id) order: the draws depend on the new records and the
facilities they reach, never on what else the index slice holds (an update of the neighbourhood
equals an update of the whole tables). A facility holding a link a person confirmed is not probed, as
a full run does not probe a cluster holding a confirmed pair.

Among the facilities a record may join, one it has no low pair with goes first, then the strongest
pair (then the lower record id, the order of a full run's greedy rebuild). A full run decides between
two facilities group by group, the big one's weaker inner links merged after the new record's strong
links to the clean one; the update sees each facility whole, and without that order it pulled
records into big mixed facilities that the full run keeps them out of. Existing facilities never
merge or split here. Held out of the v1 and v2 10k splits and added back by an update (1,500 records,
6 samples), 16 records moved to where a full re-resolve puts them and 2 away from it; the new records'
true partners rose in every sample (+83 in all) and their wrong partners fell in five of six (-77); the
update took 0.6-0.9 s instead of 0.5-0.7 s.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from entity_resolution.blocking import PASS_MASK
from entity_resolution.chain_probes import probe_pairs, split_probes
from entity_resolution.clustering import links_outvote, place_codes, sharing_a_place
from entity_resolution.incremental import INDEX_COLUMNS, MatchIndex
from entity_resolution.name_only import CLOSER_BY, majority_choice
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings

PAIR_KEY = ["record_id", "facility_id"]


def allowed_links(
    scored: pl.DataFrame,
    new: pl.DataFrame,
    index: MatchIndex,
    facilities: pl.DataFrame,
    settings: ResolutionSettings,
    reviewed: set[str] | None = None,
) -> pl.DataFrame:
    """Each new record's best pair into the existing facility it may join automatically (record_id,
    existing, facility_id and the pair features; module docstring). `scored` holds the new records'
    scored index pairs (`incremental.score_against_index`); `reviewed` the facilities holding a
    human-confirmed link (never probed)."""
    if scored.is_empty():
        return scored
    local = _local_records(new, index, scored["facility_id"].unique())
    position = dict(zip(local["record_id"].to_list(), range(local.height), strict=True))
    pairs = scored.select(  # left < right as in scored pairs: `local` lists existing records first
        *PAIR_KEY,
        "match_score",
        left=pl.col("existing").replace_strict(position, return_dtype=pl.UInt32),
        right=pl.col("record_id").replace_strict(position, return_dtype=pl.UInt32),
    )
    pairs = pairs.with_columns(located=pl.Series(sharing_a_place(pairs, local), dtype=pl.Boolean))
    first = _identity_allowed(_weighed(pairs, settings).filter(pl.col("links") > 0), new, index, facilities)
    probed = first.filter(~pl.col("facility_id").is_in(sorted(reviewed or ())))
    probes = _probes(probed, pairs, local, settings)
    second = _weighed(pl.concat([pairs, probes], how="vertical_relaxed"), settings).join(
        first.select(PAIR_KEY), on=PAIR_KEY
    )
    candidates = scored.join(second.filter("outvote").select(*PAIR_KEY, "differences"), on=PAIR_KEY)
    candidates = _where_names_point(candidates, pairs, local, settings)
    return (  # a facility without low pairs first, then as a full run's greedy rebuild: strongest pair
        candidates.sort(
            "record_id", "differences", "match_score", "existing", descending=[False, False, True, False]
        )
        .unique("record_id", keep="first", maintain_order=True)
        .drop("differences")
    )


def _where_names_point(
    candidates: pl.DataFrame, pairs: pl.DataFrame, local: pl.DataFrame, settings: ResolutionSettings
) -> pl.DataFrame:
    """A new record known by its name alone whose auto links to located records reach two or more
    facilities keeps only the one its name points to, as a full run settles it (`name_only`, the
    facility its strongest link reaches standing for the cluster a full run's greedy rebuild gave
    it): the facility holding more than `name_only_majority` of the links' weight unless the
    strongest link reaches another, else the strongest link's facility when it beats every other
    facility's by more than `name_only.CLOSER_BY`, else none."""
    if settings.name_only_majority <= 0:
        return candidates
    codes = place_codes(local)
    weighs = (codes[pairs["right"].to_numpy()] == 0) & (codes[pairs["left"].to_numpy()] != 0)
    weighed = (
        pairs.filter(pl.Series(weighs) & (pl.col("match_score") >= settings.auto_match_threshold))
        .group_by(PAIR_KEY)
        .agg(weight=pl.col("match_score").sum().round(4), strongest=pl.col("match_score").max())
    )
    choice = majority_choice(weighed, "record_id", "facility_id", settings.name_only_majority)
    ranked = weighed.sort("record_id", "strongest", "facility_id", descending=[False, True, False])
    strongest = ranked.group_by("record_id", maintain_order=True).agg(
        pl.col("facility_id").first().alias("nearest"),
        pl.col("strongest").first().alias("s1"),
        pl.col("strongest").slice(1, 1).first().alias("s2"),
    )
    at_best = weighed.select(
        "record_id", pl.col("facility_id").alias("best"), pl.col("strongest").alias("sb")
    )
    points = (
        choice.join(at_best, on=["record_id", "best"])
        .join(strongest, on="record_id")
        .select(
            "record_id",
            points_to=pl.when(pl.col("clear") & (pl.col("sb") >= pl.col("s1")))
            .then("best")
            .when(pl.col("clear") | (pl.col("s1") - pl.col("s2") > CLOSER_BY))
            .then("nearest"),
        )
    )
    return (
        candidates.join(points, on="record_id", how="left")
        .filter(
            pl.col("points_to").is_null() & ~pl.col("record_id").is_in(points["record_id"].implode())
            | (pl.col("facility_id") == pl.col("points_to"))
        )
        .drop("points_to")
    )


def _local_records(new: pl.DataFrame, index: MatchIndex, facility_ids: pl.Series) -> pl.DataFrame:
    """The index records of `facility_ids` (in record_id order) then the new records, once each, with
    their comparison columns, `facility_id` (null for a new record) and `idx` (their position, as
    `score_pairs` wants): probes are scored on this frame, so it holds no more than they can reach."""
    existing = (
        index.records.filter(pl.col("facility_id").is_in(facility_ids.implode()))
        .select(*INDEX_COLUMNS, "facility_id")
        .sort("record_id")
    )
    fresh = new.select(INDEX_COLUMNS).join(existing.select("record_id"), on="record_id", how="anti")
    return pl.concat([existing, fresh.with_columns(facility_id=pl.lit(None, pl.String))]).with_row_index(
        "idx"
    )


def _weighed(pairs: pl.DataFrame, settings: ResolutionSettings) -> pl.DataFrame:
    """Per (record_id, facility_id): auto links, differences, those of them whose records share no
    location field, and whether the links outvote the differences (`clustering.links_outvote`)."""
    low = pl.col("match_score") < settings.different_below
    return (
        pairs.group_by(PAIR_KEY)
        .agg(
            links=(pl.col("match_score") >= settings.auto_match_threshold).sum(),
            differences=low.sum(),
            unlocated=(low & ~pl.col("located")).sum(),
        )
        .with_columns(
            outvote=links_outvote(
                pl.col("links"),
                pl.col("differences"),
                pl.col("unlocated"),
                settings.links_per_difference,
                settings.unlocated_difference_weight,
            )
        )
    )


def _identity_allowed(
    weighed: pl.DataFrame, new: pl.DataFrame, index: MatchIndex, facilities: pl.DataFrame
) -> pl.DataFrame:
    """`weighed` without the (record, facility) pairs an OS ID or a unit number forbids: a new record
    with an OS ID joins only a facility without one or with the same one, a record with a unit
    number only a facility of that one unit number (or none)."""
    units = (
        index.records.filter(pl.col("units").is_not_null() & (pl.col("units") != ""))
        .group_by("facility_id")
        .agg(pl.col("units").unique().alias("facility_units"))
    )
    os_ids = facilities.select("facility_id", pl.col("os_ids").alias("facility_os_ids"))
    return (
        weighed.join(new.select("record_id", "os_id", "units"), on="record_id")
        .join(os_ids, on="facility_id", how="left")
        .join(units, on="facility_id", how="left")
        .filter(
            (pl.col("os_id").is_null() | pl.col("facility_os_ids").list.len().fill_null(0).eq(0))
            | pl.col("facility_os_ids").list.contains(pl.col("os_id")).fill_null(False)
        )
        .filter(
            (pl.col("units").is_null() | (pl.col("units") == "") | pl.col("facility_units").is_null())
            | (
                (pl.col("facility_units").list.len() == 1)
                & pl.col("facility_units").list.contains(pl.col("units"))
            )
        )
        .drop("os_id", "units", "facility_os_ids", "facility_units")
    )


def _probes(
    first: pl.DataFrame, pairs: pl.DataFrame, local: pl.DataFrame, settings: ResolutionSettings
) -> pl.DataFrame:
    """The scored probes of every (record, facility) of `first` (module docstring), as `pairs` rows:
    probes inside where the first decision joins them (`outvote`), split probes where it does not
    (drawn only among members sharing a location field with the record, as a full run draws them).
    A probe dismissed by name scores 0."""
    drawn = pl.concat(
        [
            _drawn(first.filter(pl.col("outvote") == joined), pairs, local, settings, joined)
            for joined in (True, False)
        ]
    )
    if drawn.is_empty():
        return pairs.clear()
    probes = drawn.unique(["left", "right"]).sort("left", "right")
    scores = score_pairs(local.drop("facility_id"), probes, settings).all_scores()
    scores = scores.with_columns(located=pl.Series(sharing_a_place(scores, local), dtype=pl.Boolean))
    ids = local.select("idx", "record_id", "facility_id")
    return (
        scores.join(ids.select(pl.col("idx").alias("left"), "facility_id"), on="left")
        .join(ids.select(pl.col("idx").alias("right"), "record_id"), on="right")
        .select(pairs.columns)
    )


def _drawn(
    combos: pl.DataFrame, pairs: pl.DataFrame, local: pl.DataFrame, settings: ResolutionSettings, joined: bool
) -> pl.DataFrame:
    """The probes of each (record, facility) of `combos`, drawn as a full run draws them, with each
    of them its own problem: the facility's members (record_id order) then the new record, all of
    them in one cluster (`joined`: `chain_probes.probe_pairs`) or the record its own cluster next to
    the facility's (`chain_probes.split_probes`). Every problem is laid out in one array, in
    (record_id, facility_id) order, so the draws depend only on the new records and the facilities
    they reach. (left = a member's local position, right = the new record's.)"""
    schema = {"left": pl.UInt32, "right": pl.UInt32, "pass_mask": PASS_MASK}
    if combos.is_empty():
        return pl.DataFrame(schema=schema)
    combos = combos.select(PAIR_KEY).sort(PAIR_KEY).with_row_index("problem")
    ids = local.select("idx", "record_id", "facility_id")
    rows = pl.concat(
        [
            combos.join(ids.drop_nulls("facility_id").select("idx", "facility_id"), on="facility_id").select(
                "problem", "idx", new=pl.lit(False)
            ),
            combos.join(ids.select("idx", "record_id"), on="record_id").select(
                "problem", "idx", new=pl.lit(True)
            ),
        ]
    ).sort("problem", "new", "idx")
    rows = rows.with_row_index("at")
    at = rows.select("problem", "idx", "at")
    known = (
        pairs.join(combos, on=PAIR_KEY)
        .join(at.rename({"idx": "left", "at": "at_left"}), on=["problem", "left"])
        .join(at.rename({"idx": "right", "at": "at_right"}), on=["problem", "right"])
        .select(left="at_left", right="at_right", match_score="match_score")
    )
    problem = rows["problem"].to_numpy().astype(np.int64)
    if joined:
        drawn = probe_pairs(problem, known, settings.probes_per_record)
    else:
        labels = 2 * problem + rows["new"].to_numpy()
        places = place_codes(local)[rows["idx"].to_numpy()]
        drawn = split_probes(
            labels, known, settings.auto_match_threshold, settings.split_probes_per_record, places=places
        )
    is_new, position = rows["new"].to_numpy(), rows["idx"].to_numpy()
    right = drawn["right"].to_numpy()
    keep = is_new[right]  # the new record's probes: it comes last in its problem, so it is `right`
    return pl.DataFrame(
        {
            "left": position[drawn["left"].to_numpy()[keep]],
            "right": position[right[keep]],
            "pass_mask": np.zeros(int(keep.sum()), dtype=np.uint16),
        },
        schema=schema,
    )
