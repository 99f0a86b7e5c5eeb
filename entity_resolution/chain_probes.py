"""Chain probes: score a few never-compared pairs inside every multi-record cluster, so clustering
has evidence against chains.

Blocking compares each record with a handful of neighbours, so a cluster of many records is held
together by links between neighbours only. Two unrelated facilities that each appear on dozens of
lists can then become one cluster through a single wrong link: nothing inside the cluster ever
compared a record of one with a record of the other, so the consistency check in `clustering` has
no difference to act on. The bigger the data, the more such bridges (precision falls with scale).

After the first clustering, every record of a cluster of three or more records is paired with
`probes_per_record` other members of its cluster picked at random (deterministically: the same records
give the same probes), skipping pairs already scored. The probes are scored like any candidate pair. A
probe scoring below `different_below` (or dismissed as far apart by name) is a known difference; one
scoring at or above the auto threshold is an agreeing link. Clustering then runs again with that
evidence (rebuilding only the components a probe link or difference touched; the others keep the first
clustering's labels, which a rebuild would give again): one facility's messy spellings are outvoted by
its many agreeing probes and links, while a bridge between two facilities meets many differences and
only one link, and is cut. A cluster holding a pair a person confirmed is not probed: the person has
seen it. Probes never join two components (split probes, below, run only between clusters an auto
link already joins) and never enter the review queue or the record links.

Split probes re-check the first clustering's splits. When the consistency check split a component,
the parts are never probed against each other, so the second clustering weighs them on the few pairs
blocking happened to compare: two halves of one big supplier (thirty mentions each, found by
different blocking keys) are often joined by two or three auto links and kept apart by one or two
messy low pairs, below the `links_per_difference` ratio. So every record of the smaller of two
clusters that an auto link joins is also paired with `split_probes_per_record` random members of the
larger one, drawn only among the members that share a location field with it (both an address or
both coordinates, `clustering.place_codes`): a record known by its name alone agrees with every site
of its firm, so such a probe would be no evidence that two sites are one (the demo's "Gimmill
Industrial" at Batu 4 and at Batu 3 1/2 merged through such probes). Drawing first and dropping those
probes afterwards spent a record's two probes on nothing wherever most of the larger cluster's
mentions give only a name or only a point. Two halves of one facility then
meet many agreeing links and merge; a namesake, a sibling site or a park neighbour meets many
differences and stays apart (the ratio still decides). On the
benchmark's v2 1M development split, with the half weight of name-only differences (`clustering`),
the true pairs linked by auto links yet split by the guard fell from 125,625 to 82,857 while the
wrong pairs grew by 992 (0.3%); the probes across add about a third to the probes scored.

Last, `name_only.settle_name_only` settles the records known by their names alone whose auto links
reach two or more of the final clusters (a namesake's, a sibling site's): each such group goes where
its name points, or becomes a facility of its own.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from entity_resolution.blocking import PASS_MASK
from entity_resolution.clustering import cluster, place_codes
from entity_resolution.name_only import settle_name_only
from entity_resolution.scoring import ScoredPairs, score_pairs
from entity_resolution.settings import ResolutionSettings

PROBE_SEED = 20261205
DRAWS_PER_PROBE = 4
"""Split probes are drawn this many times over and each record keeps its first
`split_probes_per_record` partners not compared yet: its few probes are not spent on pairs blocking
already scored. (Inside probes are drawn once: drawing them again, v1 10k dev F1 fell 0.002.)"""


def cluster_with_probes(
    prepared: pl.DataFrame,
    scoring: ScoredPairs,
    settings: ResolutionSettings,
    confirmed: set[tuple[int, int]],
    rejected: set[tuple[int, int]],
) -> np.ndarray:
    """Cluster labels per record: a first clustering, then (with `settings.probes_per_record`) a
    second one that also weighs the probes scored inside the first one's clusters and, with
    `settings.split_probes_per_record`, across the splits it made (`split_probes`); then the
    name-only groups settled (`name_only.settle_name_only`)."""

    def clustered(probes: pl.DataFrame | None, previous: np.ndarray | None) -> np.ndarray:
        return cluster(
            prepared,
            scoring.scored,
            settings.auto_match_threshold,
            settings.different_below,
            confirmed,
            rejected,
            settings.links_per_difference,
            probes,
            previous,
            settings.unlocated_difference_weight,
        )

    labels = clustered(None, None)

    def settled(final: np.ndarray) -> np.ndarray:
        return settle_name_only(final, prepared, scoring.scored, settings, confirmed, rejected)

    reviewed = {int(labels[a]) for a, _ in confirmed}
    probes = probe_pairs(labels, scoring.scored, settings.probes_per_record, skip=reviewed)
    across = split_probes(
        labels,
        scoring.scored,
        settings.auto_match_threshold,
        settings.split_probes_per_record,
        skip=reviewed,
        places=place_codes(prepared),
    )
    probes = pl.concat([probes, across.join(probes, on=["left", "right"], how="anti")]).sort("left", "right")
    if probes.is_empty():
        return settled(labels)
    return settled(clustered(score_pairs(prepared, probes, settings).all_scores(), labels.copy()))


def probe_pairs(
    labels: np.ndarray, scored: pl.DataFrame, probes_per_record: int, skip: set[int] | None = None
) -> pl.DataFrame:
    """(left, right, pass_mask = 0) pairs of records in the same cluster of >= 3 records, each record
    with up to `probes_per_record` random partners, minus the pairs already in `scored` and the
    clusters labelled in `skip`."""
    schema = {"left": pl.UInt32, "right": pl.UInt32, "pass_mask": PASS_MASK}
    if probes_per_record <= 0 or len(labels) == 0:
        return pl.DataFrame(schema=schema)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(labels)])
    size_of = np.repeat(sizes, sizes)
    start_of = np.repeat(starts, sizes)
    position = np.arange(len(labels)) - start_of
    member = size_of >= 3
    if skip:
        member &= ~np.isin(sorted_labels, list(skip))
    if not member.any():
        return pl.DataFrame(schema=schema)
    rng = np.random.default_rng(PROBE_SEED)
    partners = []
    for _ in range(probes_per_record):
        shift = rng.integers(1, np.maximum(size_of, 2))  # 1 .. size-1: never the record itself
        partners.append(order[(start_of + (position + shift) % size_of)[member]])
    record = order[member]  # each draw kept unless scored already: drawing again found more splits
    return _first_unscored(record, record, partners, scored, probes_per_record)


def split_probes(
    labels: np.ndarray,
    scored: pl.DataFrame,
    auto: float,
    probes_per_record: int,
    skip: set[int] | None = None,
    places: np.ndarray | None = None,
) -> pl.DataFrame:
    """(left, right, pass_mask = 0) pairs across every two clusters of `labels` that a pair of
    `scored` at or above `auto` joins (the consistency check split them): each record of the smaller
    cluster (the lower label on a tie) with `probes_per_record` random members of the larger one,
    minus the pairs already in `scored` and any pair touching a cluster labelled in `skip`. A record
    next to several such clusters is probed into each. With `places` (`clustering.place_codes` per
    record) the members are drawn among those sharing a location field with the record, and a record
    giving none is not probed: a probe resting on names alone is no evidence that two sites are one,
    and drawing it would spend the record's few probes on nothing. Members are drawn
    `DRAWS_PER_PROBE` times over and the first ones not in `scored` are kept."""
    schema = {"left": pl.UInt32, "right": pl.UInt32, "pass_mask": PASS_MASK}
    if probes_per_record <= 0 or len(labels) == 0:
        return pl.DataFrame(schema=schema)
    labels = np.asarray(labels, dtype=np.int64)
    links = scored.filter(pl.col("match_score") >= auto)
    a, b = labels[links["left"].to_numpy()], labels[links["right"].to_numpy()]
    apart = a != b
    if skip:
        apart &= ~np.isin(a, list(skip)) & ~np.isin(b, list(skip))
    a, b = a[apart], b[apart]
    if a.size == 0:
        return pl.DataFrame(schema=schema)
    order = np.argsort(labels, kind="stable")
    values, starts, sizes = np.unique(labels[order], return_index=True, return_counts=True)
    size_of = np.zeros(int(values.max()) + 1, dtype=np.int64)
    start_of = np.zeros_like(size_of)
    size_of[values], start_of[values] = sizes, starts
    a_smaller = (size_of[a] < size_of[b]) | ((size_of[a] == size_of[b]) & (a < b))
    neighbours = pl.DataFrame({"small": np.where(a_smaller, a, b), "big": np.where(a_smaller, b, a)}).unique()
    members = pl.DataFrame({"record": order, "small": labels[order]}).filter(
        pl.col("small").is_in(neighbours["small"].implode())
    )
    rows = neighbours.join(members, on="small").sort("small", "big", "record")  # deterministic draws
    record, big = rows["record"].to_numpy(), rows["big"].to_numpy()
    places = np.full(len(labels), 3, dtype=np.int8) if places is None else np.asarray(places)
    clusters = np.unique(big)
    pool, start, size = _place_pools(labels, order, places, clusters)
    need, at = places[record], np.searchsorted(clusters, big)
    drawable = size[need, at] > 0
    record, big, need, at = record[drawable], big[drawable], need[drawable], at[drawable]
    rng = np.random.default_rng(PROBE_SEED + 1)
    draws = probes_per_record * DRAWS_PER_PROBE
    partners = [pool[start[need, at] + rng.integers(0, size[need, at])] for _ in range(draws)]
    return _first_unscored(record, big, partners, scored, probes_per_record)


def _place_pools(
    labels: np.ndarray, order: np.ndarray, places: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members to draw split probes from, per location code a record may need (`clustering.place_codes`:
    1 an address, 2 coordinates, 3 either), for each of `clusters` (sorted labels): (pool, start,
    size) where the members of `clusters[i]` sharing a bit with code `k` are
    `pool[start[k, i] : start[k, i] + size[k, i]]`, in `order` (`labels` sorted)."""
    pools, start, size = [], np.zeros((4, clusters.size), np.int64), np.zeros((4, clusters.size), np.int64)
    offset, probed = 0, order[np.isin(labels[order], clusters)]  # filtered once, kept in `order`
    for code in (1, 2, 3):
        members = probed[(places[probed] & code) != 0]
        values, first, counts = np.unique(labels[members], return_index=True, return_counts=True)
        at = np.searchsorted(clusters, values)
        start[code, at], size[code, at] = first + offset, counts
        pools.append(members)
        offset += members.size
    return np.concatenate(pools), start, size


def _first_unscored(
    record: np.ndarray, group: np.ndarray, partners: list[np.ndarray], scored: pl.DataFrame, per_group: int
) -> pl.DataFrame:
    """The probes to score: of each record's draws into each `group` (`partners`: one array per draw,
    aligned with `record` and `group`), the first `per_group` pairs that `scored` does not hold and no
    earlier draw gave, as (left < right, pass_mask = 0) sorted."""
    schema = {"left": pl.UInt32, "right": pl.UInt32, "pass_mask": PASS_MASK}
    if not partners or record.size == 0:
        return pl.DataFrame(schema=schema)
    left, right = np.tile(record, len(partners)), np.concatenate(partners)
    drawn = pl.DataFrame(
        {
            "record": left,
            "group": np.tile(group, len(partners)),
            "left": np.minimum(left, right),
            "right": np.maximum(left, right),
        },
        schema={"record": pl.Int64, "group": pl.Int64, "left": pl.UInt32, "right": pl.UInt32},
    ).with_row_index("draw")
    known = scored.select(pl.col("left", "right").cast(pl.UInt32))
    fresh = drawn.join(known, on=["left", "right"], how="anti").unique(["left", "right"], keep="first")
    kept = fresh.sort("draw").filter(pl.int_range(pl.len()).over("record", "group") < per_group)
    return kept.select("left", "right").sort("left", "right").with_columns(pass_mask=pl.lit(0, PASS_MASK))
