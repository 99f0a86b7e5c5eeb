"""Accuracy rules that keep entity resolution steady as data grows: letter-gram blocks that many
spellings share are read as sorted neighbourhoods (not dropped), and a big facility's many agreeing
links outvote a few low-scored pairs between its spellings, while a single bridging link never does;
chain probes (pairs scored inside clusters after a first clustering) give the guard evidence against
two facilities joined by one wrong link."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from entity_resolution.blocking import candidate_pairs, passes_of
from entity_resolution.chain_probes import probe_pairs
from entity_resolution.clustering import cluster, components
from entity_resolution.resolve import prepare
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, to_records

AUTO, DIFFERENT = 0.7, 0.05


def records(n: int, units: dict[int, str] | None = None) -> pl.DataFrame:
    units = units or {}
    return pl.DataFrame(
        {"os_id": [None] * n, "units": [units.get(i, "") for i in range(n)]},
        schema={"os_id": pl.String, "units": pl.String},
    )


def scored(pairs: dict[tuple[int, int], float]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, b, s) for (a, b), s in sorted(pairs.items())],
        schema={"left": pl.UInt32, "right": pl.UInt32, "match_score": pl.Float64},
        orient="row",
    )


def clique(members: range, score: float = 0.95) -> dict[tuple[int, int], float]:
    return {(a, b): score for a, b in combinations(members, 2)}


def same(labels: np.ndarray, members) -> bool:
    return len({int(labels[m]) for m in members}) == 1


def test_many_agreeing_links_outvote_one_low_pair_inside_a_big_facility():
    """Eight spellings of one supplier, all auto-linked, except one messy pair scored 0.01: the
    pair alone used to split the supplier; 4 links per low pair now outvote it."""
    pairs = clique(range(8)) | {(0, 7): 0.01}
    vetoed = cluster(records(8), scored(pairs), AUTO, DIFFERENT, set(), set(), links_per_difference=0)
    outvoted = cluster(records(8), scored(pairs), AUTO, DIFFERENT, set(), set(), links_per_difference=4)
    assert not same(vetoed, [0, 7])
    assert same(outvoted, range(8))


def test_a_single_bridge_never_outvotes_a_difference_between_two_facilities():
    """Two facilities (0-3 and 4-6) joined by one auto link 3~4 and known different through 0~6."""
    pairs = clique(range(4)) | clique(range(4, 7)) | {(3, 4): 0.9, (0, 6): 0.01}
    labels = cluster(records(7), scored(pairs), AUTO, DIFFERENT, set(), set(), links_per_difference=4)
    assert same(labels, range(4)) and same(labels, range(4, 7))
    assert labels[0] != labels[6]


def test_human_rejections_and_unit_numbers_always_veto():
    pairs = clique(range(8))
    rejected = cluster(records(8), scored(pairs), AUTO, DIFFERENT, set(), {(0, 7)}, links_per_difference=4)
    assert rejected[0] != rejected[7]
    units = cluster(
        records(8, {0: "1", 7: "2"}), scored(pairs), AUTO, DIFFERENT, set(), set(), links_per_difference=4
    )
    assert units[0] != units[7]


def test_spellings_sharing_only_common_letter_grams_are_still_compared():
    """Ten one-word spellings ("Sunrisetexa", "Sunrisetexb", ...) share no name token, and every
    letter gram they share is held by more spellings than `max_block_size`: the gram blocks become
    sorted neighbourhoods, so the spellings are chained by candidate pairs instead of never compared."""
    rows = [
        (f"r{i:03d}", f"Sunrisetex{letter}", None, "BD", None, None) for i, letter in enumerate("abcdefghij")
    ]
    frame = pl.DataFrame(
        rows,
        schema=INPUT_SCHEMA,
        orient="row",
    )
    prepared = prepare(to_records(frame))
    settings = ResolutionSettings(max_block_size=5)
    pairs = candidate_pairs(prepared, settings)
    assert pairs.height < 45  # a neighbourhood, not every pair of the block
    assert all("name_gram" in passes_of(mask) for mask in pairs["pass_mask"].to_list())
    labels = components(
        prepared.height, pairs["left"].to_numpy().astype(np.int64), pairs["right"].to_numpy().astype(np.int64)
    )
    assert len(set(labels.tolist())) == 1


def test_a_big_suppliers_typo_is_compared_however_many_mentions_and_namesakes_share_its_words():
    """Sixty mentions of "Longteng Knitting" at sixty addresses and forty namesakes ("Longteng Dyeing
    3", "Knitting Star 7", ...) make every word and letter gram of the name common. The distinct-name
    neighbourhood puts each distinct name once in the sorted order, so the typo "Longteng Knittng" sits
    next to the supplier's name and is compared with it."""
    rows = [
        (f"m{i:03d}", "Longteng Knitting", f"{i} Xingfu Road, Zhongshan", "CN", None, None) for i in range(60)
    ]
    rows += [(f"n{i:03d}", f"Longteng Dyeing {i}", f"{i} Keji Road", "CN", None, None) for i in range(20)]
    rows += [(f"s{i:03d}", f"Knitting Star {i}", f"{i} Dongfeng Road", "CN", None, None) for i in range(20)]
    rows += [("typo", "Longteng Knittng", None, "CN", None, None)]
    prepared = prepare(to_records(pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row")))
    pairs = candidate_pairs(prepared, ResolutionSettings(max_block_size=5))
    typo = prepared.filter(pl.col("record_id") == "typo")["idx"].item()
    supplier = set(prepared.filter(pl.col("record_id").str.starts_with("m"))["idx"].to_list())
    reached = pairs.filter(
        ((pl.col("left") == typo) & pl.col("right").is_in(supplier))
        | ((pl.col("right") == typo) & pl.col("left").is_in(supplier))
    )
    assert any("name_neighbourhood" in passes_of(mask) for mask in reached["pass_mask"].to_list())


def chain(members: range, score: float = 0.95) -> dict[tuple[int, int], float]:
    """Neighbour links only, as blocking gives a big facility: 0~1, 1~2, ..."""
    return {(a, a + 1): score for a in members[:-1]}


def test_probes_pair_members_of_the_same_cluster_only_and_skip_scored_pairs():
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2])
    known = scored({(0, 1): 0.9, (1, 2): 0.9, (2, 3): 0.9, (6, 7): 0.9, (7, 8): 0.9})
    probes = probe_pairs(labels, known, probes_per_record=3)
    pairs = set(probes.select("left", "right").iter_rows())
    assert pairs, "clusters of three or more records get probes"
    assert all(labels[a] == labels[b] and a < b for a, b in pairs)
    assert not pairs & set(known.select("left", "right").iter_rows())
    assert not {(4, 5)} & pairs, "a two-record cluster is never probed"
    assert probe_pairs(labels, known, probes_per_record=3).equals(probes), "the same input, the same probes"
    assert probe_pairs(labels, known, probes_per_record=0).is_empty()
    skipped = probe_pairs(labels, known, probes_per_record=3, skip={0})
    assert all(labels[a] == 2 for a in skipped["left"].to_list()), "a reviewed cluster is not probed"


def test_low_probes_cut_the_bridge_between_two_big_facilities():
    """Two facilities of eight spellings each, linked along a chain, joined by one wrong link 7~8.
    Nothing compared across them, so the first clustering is one cluster; probes across score low and
    the bridge is cut, while probes inside each facility agree."""
    pairs = chain(range(8)) | chain(range(8, 16)) | {(7, 8): 0.8}
    known = scored(pairs)
    first = cluster(records(16), known, AUTO, DIFFERENT, set(), set(), 4.0)
    assert len(set(first.tolist())) == 1
    probes = scored(
        {
            (a, b): (0.9 if (a < 8) == (b < 8) else 0.01)
            for a, b in combinations(range(16), 2)
            if (a, b) not in pairs
        }
    )
    labels = cluster(records(16), known, AUTO, DIFFERENT, set(), set(), 4.0, probes)
    assert len({int(labels[i]) for i in range(8)}) == 1
    assert len({int(labels[i]) for i in range(8, 16)}) == 1
    assert labels[0] != labels[15]


def test_one_messy_spelling_is_outvoted_by_agreeing_probes():
    """A facility of eight spellings where one probe pair scores low: its links and agreeing probes
    outvote the single difference, so the facility stays whole."""
    pairs = chain(range(8))
    probes = {(a, b): 0.9 for a, b in combinations(range(8), 2) if (a, b) not in pairs} | {(0, 7): 0.01}
    labels = cluster(records(8), scored(pairs), AUTO, DIFFERENT, set(), set(), 4.0, scored(probes))
    assert len(set(labels.tolist())) == 1


def test_the_second_clustering_reuses_components_no_probe_touched():
    """Given the first clustering, the second rebuilds only components holding a probe link or
    difference; the partition is the one a full rebuild gives. Here: a bridged pair of facilities that
    probes cut (0-15), a component split by a low pair that no probe touches (16-19), and one with
    only mid-band probes (20-23)."""
    pairs = (
        chain(range(8))
        | chain(range(8, 16))
        | {(7, 8): 0.8}
        | clique(range(16, 20))
        | {(16, 19): 0.01}
        | chain(range(20, 24))
    )
    known, rows = scored(pairs), records(24)
    first = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0)
    probes = scored(
        {
            (a, b): (0.9 if (a < 8) == (b < 8) else 0.01)
            for a, b in combinations(range(16), 2)
            if (a, b) not in pairs
        }
        | {(20, 22): 0.5, (21, 23): 0.5}
    )
    full = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0, probes)
    reused = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0, probes, first.copy())
    assert np.array_equal(full, reused)
    assert full[0] != full[15] and not same(full, [16, 19]) and same(full, range(20, 24))


def test_small_graphs_get_the_components_and_numbering_scipy_gives():
    """A small load's few touched facilities are clustered without scipy: same labels, same order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from entity_resolution.clustering import SMALL_GRAPH_EDGES

    rng = np.random.default_rng(7)
    for _ in range(200):
        n, m = int(rng.integers(1, 120)), int(rng.integers(0, 150))
        left, right = rng.integers(0, n, m), rng.integers(0, n, m)
        graph = coo_matrix((np.ones(m, dtype=np.int8), (left, right)), shape=(n, n))
        assert np.array_equal(components(n, left, right), connected_components(graph, directed=False)[1])
    assert m <= SMALL_GRAPH_EDGES
