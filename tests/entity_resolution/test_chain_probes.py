"""Chain probes: pairs scored inside clusters after a first clustering give the consistency check
evidence against chains of two facilities joined by one wrong link (precision that holds at scale)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from entity_resolution.chain_probes import probe_pairs
from entity_resolution.clustering import cluster

AUTO, DIFFERENT = 0.7, 0.05


def records(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"os_id": [None] * n, "units": [""] * n}, schema={"os_id": pl.String, "units": pl.String}
    )


def frame(pairs: dict[tuple[int, int], float]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, b, s) for (a, b), s in sorted(pairs.items())],
        schema={"left": pl.UInt32, "right": pl.UInt32, "match_score": pl.Float64},
        orient="row",
    )


def chain(members: range, score: float = 0.95) -> dict[tuple[int, int], float]:
    """Neighbour links only, as blocking gives a big facility: 0~1, 1~2, ..."""
    return {(a, a + 1): score for a in members[:-1]}


def test_probes_pair_members_of_the_same_cluster_only_and_skip_scored_pairs():
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2])
    scored = frame({(0, 1): 0.9, (1, 2): 0.9, (2, 3): 0.9, (6, 7): 0.9, (7, 8): 0.9})
    probes = probe_pairs(labels, scored, probes_per_record=3)
    pairs = set(probes.select("left", "right").iter_rows())
    assert pairs, "clusters of three or more records get probes"
    assert all(labels[a] == labels[b] and a < b for a, b in pairs)
    assert not pairs & set(scored.select("left", "right").iter_rows())
    assert not {(4, 5)} & pairs, "a two-record cluster is never probed"
    assert probe_pairs(labels, scored, probes_per_record=3).equals(probes), "the same input, the same probes"
    assert probe_pairs(labels, scored, probes_per_record=0).is_empty()
    skipped = probe_pairs(labels, scored, probes_per_record=3, skip={0})
    assert all(labels[a] == 2 for a in skipped["left"].to_list()), "a reviewed cluster is not probed"


def test_low_probes_cut_the_bridge_between_two_big_facilities():
    """Two facilities of eight spellings each, linked along a chain, joined by one wrong link 7~8.
    Nothing compared across them, so the first clustering is one cluster; probes across score low and
    the bridge is cut, while probes inside each facility agree."""
    pairs = chain(range(8)) | chain(range(8, 16)) | {(7, 8): 0.8}
    scored = frame(pairs)
    first = cluster(records(16), scored, AUTO, DIFFERENT, set(), set(), 4.0)
    assert len(set(first.tolist())) == 1
    probes = frame(
        {
            (a, b): (0.9 if (a < 8) == (b < 8) else 0.01)
            for a, b in combinations(range(16), 2)
            if (a, b) not in pairs
        }
    )
    labels = cluster(records(16), scored, AUTO, DIFFERENT, set(), set(), 4.0, probes)
    assert len({int(labels[i]) for i in range(8)}) == 1
    assert len({int(labels[i]) for i in range(8, 16)}) == 1
    assert labels[0] != labels[15]


def test_one_messy_spelling_is_outvoted_by_agreeing_probes():
    """A facility of eight spellings where one probe pair scores low: its links and agreeing probes
    outvote the single difference, so the facility stays whole."""
    pairs = chain(range(8))
    probes = {(a, b): 0.9 for a, b in combinations(range(8), 2) if (a, b) not in pairs} | {(0, 7): 0.01}
    labels = cluster(records(8), frame(pairs), AUTO, DIFFERENT, set(), set(), 4.0, frame(probes))
    assert len(set(labels.tolist())) == 1
