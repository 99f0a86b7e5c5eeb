"""Clustering: connected components over accepted links, then a consistency check that splits any
cluster held together by a chain of weak links.

1. Accepted links (score >= auto threshold, not rejected by a person) and human confirmations form
   a graph; its connected components are the first clusters (scipy in linear time for large graphs).
2. A component is *consistent* when no two of its records are known to differ: no pair of them was
   scored below `different_below`, no two different OS IDs or unit numbers, no human rejection.
3. An inconsistent component is rebuilt greedily, strongest link first, merging two groups only if
   that breaks none of those constraints (human confirmations are applied first, unconditionally).
   So A~B and B~C never pull A and C together when A and C are known to be different facilities.
   A low-scored pair is a veto unless the two groups hold `links_per_difference` auto links per
   low-scored pair between them: a supplier named on eighty lists has a few messy spellings that
   score low against each other, and its many agreeing links outvote them. A single bridging link
   never outvotes a difference; human rejections, OS IDs and unit numbers always veto.
4. A low-scored pair whose two records share no location field (not both an address, not both
   coordinates) weighs `unlocated_weight` of a difference (0.5 in `ResolutionSettings`). Its low
   score comes from the names alone: the model saw no place that could conflict. A pair with a
   comparable place scored that low says the places disagree, the strongest sign of two sites, and
   still counts whole. In the benchmark's big suppliers most of the low pairs that split one
   facility are of the first kind (a list giving only a name, or only coordinates, next to a full
   record); between two different facilities most are of the second kind.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

SMALL_GRAPH_EDGES = 5_000
"""Up to this many edges, components are found by a union-find in Python: a small load's few touched
facilities then never import scipy (~0.2 s of a 10-row `flrisk load`)."""


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of `n` nodes given undirected edges: components numbered in
    the order of their first node, as scipy numbers them (scipy in linear time for large graphs)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if len(left) <= SMALL_GRAPH_EDGES:
        return _small_components(n, left, right)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _small_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    parent = list(range(n))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in zip(np.asarray(left).tolist(), np.asarray(right).tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    roots = np.fromiter((find(node) for node in range(n)), dtype=np.int64, count=n)
    # a root is its component's first node, so numbering the sorted roots numbers components as scipy
    return np.unique(roots, return_inverse=True)[1].astype(np.int32)


class _Groups:
    """Union-find over the records of one component, with the merge constraints."""

    def __init__(
        self,
        members: list[int],
        os_ids: list,
        units: list,
        evidence: _Evidence,
    ):
        self.parent = {m: m for m in members}
        self.members = {m: [m] for m in members}
        self.os_ids = {m: {os_ids[m]} - {None} for m in members}
        self.units = {m: {units[m]} - {"", None} for m in members}
        self.evidence = evidence

    def find(self, node: int) -> int:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def merge(self, a: int, b: int, force: bool = False) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or (not force and not self._allowed(ra, rb)):
            return
        keep, drop = min(ra, rb), max(ra, rb)
        self.parent[drop] = keep
        self.members[keep] += self.members.pop(drop)
        self.os_ids[keep] |= self.os_ids.pop(drop)
        self.units[keep] |= self.units.pop(drop)

    def _between(self, small: int, big: int, adjacency: dict[int, list[int]]) -> int:
        """Pairs of `adjacency` between the two groups (partners outside this component ignored)."""
        return sum(
            y in self.parent and self.find(y) == big
            for x in self.members[small]
            for y in adjacency.get(x, ())
        )

    def _allowed(self, ra: int, rb: int) -> bool:
        if len(self.os_ids[ra] | self.os_ids[rb]) > 1 or len(self.units[ra] | self.units[rb]) > 1:
            return False
        small, big = sorted((ra, rb), key=lambda r: (len(self.members[r]), r))
        if self.evidence.rejected and self._between(small, big, self.evidence.rejected):
            return False
        differences = self._between(small, big, self.evidence.different)
        if not differences:  # most merges meet no difference: nothing more to count
            return True
        unlocated = self._between(small, big, self.evidence.unlocated) if self.evidence.unlocated else 0
        links = self._between(small, big, self.evidence.links)
        ratio, weight = self.evidence.links_per_difference, self.evidence.unlocated_weight
        return bool(links_outvote(links, differences, unlocated, ratio, weight))


def links_outvote(
    links: Any, differences: Any, unlocated: Any, links_per_difference: float, unlocated_weight: float
) -> Any:
    """Whether two groups may merge on the pairs between them (module docstring, steps 3 and 4): they
    hold no low-scored pair (`differences`), or at least `links_per_difference` auto links (`links`)
    per difference, each of the `unlocated` differences (those whose records share no location field)
    weighing `unlocated_weight`. Written with `&` and `|` so that it takes numbers, numpy arrays or
    Polars expressions alike (the incremental update applies it to a frame, `update_guards`)."""
    weighted = differences - (1.0 - unlocated_weight) * unlocated
    return (differences == 0) | ((links_per_difference > 0) & (links >= links_per_difference * weighted))


@dataclass(frozen=True)
class _Evidence:
    """Per record: the records a person rejected it with (absolute), those it scored below
    `different_below` with (`different`; `unlocated`: those of them it shares no location field
    with, each weighing `unlocated_weight`), and those it is auto-linked to; `links_per_difference`
    as in `cluster`."""

    rejected: dict[int, list[int]]
    different: dict[int, list[int]]
    links: dict[int, list[int]]
    links_per_difference: float
    unlocated: dict[int, list[int]]
    unlocated_weight: float


def _adjacency(pairs: pl.DataFrame) -> dict[int, list[int]]:
    """Each record's partners in `pairs` (left, right), grouped in Polars: millions of pairs at 1M
    records, too many for a Python loop."""
    if pairs.is_empty():
        return {}
    left, right = pairs["left"].cast(pl.Int64), pairs["right"].cast(pl.Int64)
    both = pl.DataFrame({"record": pl.concat([left, right]), "partner": pl.concat([right, left])})
    grouped = both.group_by("record").agg("partner")
    return dict(zip(grouped["record"].to_list(), grouped["partner"].to_list(), strict=True))


def cluster(
    records: pl.DataFrame,
    scored: pl.DataFrame,
    auto: float,
    different_below: float,
    confirmed: set[tuple[int, int]],
    rejected: set[tuple[int, int]],
    links_per_difference: float = 0.0,
    probes: pl.DataFrame | None = None,
    previous: np.ndarray | None = None,
    unlocated_weight: float = 1.0,
) -> np.ndarray:
    """A cluster label per record index (see the module docstring). `scored` holds every candidate pair
    (left, right, match_score), including those dismissed before full scoring (score 0).
    `links_per_difference` > 0 lets two groups merge despite pairs between them scored below
    `different_below` when they hold at least that many auto links per such pair (a big facility's many
    spellings outvote a few messy ones); 0 makes every such pair a veto. Human rejections, OS IDs and unit
    numbers always veto. `probes` (left, right, match_score) are extra pairs scored inside clusters and
    across the first clustering's splits (`chain_probes`): those at or above `auto` count as links, those
    below `different_below` as differences. `previous` is the result of the same call without `probes`:
    probes join records of one earlier component (inside a cluster, or across two clusters an auto link
    joins: `chain_probes.split_probes`), so the components are the same, and a component holding no probe
    link or difference is rebuilt exactly as before; its labels are copied from `previous` instead of
    rebuilding it again. `unlocated_weight` is the weight of a low-scored pair whose records share no
    location field (`address_norm`, `lat`/`lng`; module docstring, step 4): 1 counts it as any difference;
    records without those columns count as located."""
    n = records.height
    probed = None  # per record: its `previous` cluster holds a probe link or difference
    if probes is not None and probes.height:
        if previous is not None:
            evidence = probes.filter(
                (pl.col("match_score") >= auto) | (pl.col("match_score") < different_below)
            )
            probed = np.isin(previous, previous[evidence["left"].to_numpy()])
        scored = pl.concat(
            [
                scored.select("left", "right", "match_score"),
                probes.select(pl.col("left", "right").cast(scored["left"].dtype), "match_score"),
            ]
        )
    accepted = scored.filter(pl.col("match_score") >= auto).select("left", "right", "match_score")
    if rejected:
        accepted = accepted.join(_pair_frame(rejected, accepted), on=["left", "right"], how="anti")
    forced = np.array(sorted(confirmed), dtype=np.int64).reshape(-1, 2)
    labels = components(
        n,
        np.concatenate([accepted["left"].to_numpy(), forced[:, 0]]),
        np.concatenate([accepted["right"].to_numpy(), forced[:, 1]]),
    )
    label_of = pl.Series("component", labels)
    low = scored.filter(pl.col("match_score") < different_below).select("left", "right")
    inside = (
        low.filter(label_of.gather(low["left"].to_numpy()) == label_of.gather(low["right"].to_numpy()))
        if low.height
        else low
    )
    inside = inside.select(pl.col("left", "right").cast(pl.Int64)).unique()
    rejections = _pair_frame(rejected, inside)
    if rejected:  # a rejection is evidence of its own kind, never counted twice
        inside = inside.join(rejections, on=["left", "right"], how="anti")
    suspicious = _inconsistent(
        labels, records, np.concatenate([inside["left"].to_numpy(), rejections["left"].to_numpy()])
    )
    if not suspicious:
        return labels
    os_ids, units = records["os_id"].to_list(), records["units"].to_list()
    by_component = _members_by_component(labels, suspicious)
    if probed is not None and previous is not None:
        for component in list(by_component):
            members = by_component[component]
            if not probed[members].any():
                labels[members] = previous[members]
                del by_component[component]
        if not by_component:
            return labels
    with _collector_paused():  # millions of small lists and tuples, none of them in a cycle
        involved = pl.Series([i for members in by_component.values() for i in members])
        edges = accepted.filter(pl.col("left").is_in(involved.implode())).sort(
            "match_score", "left", "right", descending=[True, False, False]
        )
        by_edge_component = (
            edges.select(pl.col("left", "right").cast(pl.Int64))
            .with_columns(component=label_of.gather(edges["left"].to_numpy()))
            .group_by("component")
            .agg("left", "right")  # each component's edges stay in strength order
        )
        edges_of = {
            component: list(zip(lefts, rights, strict=True))
            for component, lefts, rights in by_edge_component.iter_rows()
        }
        evidence = _Evidence(
            rejected=_adjacency(rejections),
            different=_adjacency(inside),
            links=_adjacency(edges),
            links_per_difference=links_per_difference,
            unlocated=_adjacency(_unlocated(inside, records, unlocated_weight)),
            unlocated_weight=unlocated_weight,
        )
        for component, members in by_component.items():
            groups = _Groups(members, os_ids, units, evidence)
            for a, b in forced.tolist():
                if a in groups.parent:
                    groups.merge(a, b, force=True)
            for a, b in edges_of.get(component, ()):
                groups.merge(a, b)
            labels[members] = [n + groups.find(member) for member in members]  # fresh, not component ids
    return labels


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a block runs. The rebuild allocates millions of
    small lists and tuples (edges, partners, groups) that form no cycle, and each collector run walks
    every live object: at 1M records that was several seconds of the clustering stage. Reference
    counting still frees everything; the collector is resumed as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _unlocated(pairs: pl.DataFrame, records: pl.DataFrame, unlocated_weight: float) -> pl.DataFrame:
    """The pairs of `pairs` whose two records share no location field (not both an address, not both
    coordinates). No pairs when `unlocated_weight` is 1 (nothing to tell apart) or `records` carries
    no address and coordinates."""
    if unlocated_weight == 1.0 or not {"address_norm", "lat", "lng"} <= set(records.columns):
        return pairs.clear()
    return pairs.filter(~pl.Series(sharing_a_place(pairs, records)))


def sharing_a_place(pairs: pl.DataFrame, records: pl.DataFrame) -> np.ndarray:
    """Per pair (`left`, `right` record indexes), whether its two records share a location field:
    both an address, or both coordinates (a pair that does not can only be judged on its names)."""
    codes = place_codes(records)
    return (codes[pairs["left"].to_numpy()] & codes[pairs["right"].to_numpy()]) != 0


def place_codes(records: pl.DataFrame) -> np.ndarray:
    """Per record, the location fields it gives as bits: 1 an address, 2 coordinates (3 both, 0
    neither). Two records share a place field when their codes share a bit."""
    address = (records["address_norm"].fill_null("") != "").to_numpy()
    coords = (records["lat"].is_not_null() & records["lng"].is_not_null()).to_numpy()
    return address.astype(np.int8) | (coords.astype(np.int8) << 1)


def _members_by_component(labels: np.ndarray, components: set[int]) -> dict[int, list[int]]:
    """The record indexes (ascending) of each of `components`, in the order of their first record."""
    indexes = np.flatnonzero(np.isin(labels, list(components)))
    owners = labels[indexes]
    order = np.argsort(owners, kind="stable")  # each component's records stay ascending
    owners, indexes = owners[order], indexes[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if owners.size else np.zeros(0, int)
    groups = np.split(indexes, starts[1:])
    by_first = sorted(zip((int(group[0]) for group in groups), owners[starts].tolist(), groups, strict=True))
    return {component: group.tolist() for _, component, group in by_first}


def _pair_frame(pairs: set[tuple[int, int]], like: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(sorted(pairs), schema=["left", "right"], orient="row").cast(
        {"left": like["left"].dtype, "right": like["right"].dtype}
    )


def _inconsistent(labels: np.ndarray, records: pl.DataFrame, different_left: np.ndarray) -> set[int]:
    """Components that hold a record of a known-different pair (`different_left`: the left record of
    each low-scored pair inside a component and of each human rejection), two OS IDs or two unit
    numbers."""
    flagged = set(np.unique(labels[different_left]).tolist())
    frame = records.select("os_id", "units").with_columns(component=pl.Series(labels))
    for column in ("os_id", "units"):
        counts = (
            frame.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
            .group_by("component")
            .agg(pl.col(column).n_unique().alias("distinct"))
        )
        flagged |= set(counts.filter(pl.col("distinct") > 1)["component"].to_list())
    return flagged
