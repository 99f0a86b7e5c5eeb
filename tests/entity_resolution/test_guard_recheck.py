"""The consistency guard weighs a low pair by what it rests on, and re-checks its own splits.

A low pair between records that share no place (no two addresses, no two coordinates) rests on the
names alone and weighs half a difference; one whose places could be compared counts whole. Split
probes pair the records of two clusters the first clustering split although an auto link joins
them, so the second clustering decides on more than the few pairs blocking happened to compare."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from entity_resolution.chain_probes import split_probes
from entity_resolution.clustering import cluster
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame

AUTO, DIFFERENT = 0.7, 0.05


def records(n: int, located: set[int]) -> pl.DataFrame:
    """`n` records; those in `located` carry an address and coordinates, the others neither."""
    return pl.DataFrame(
        {
            "os_id": [None] * n,
            "units": [""] * n,
            "address_norm": [f"{i} mill road" if i in located else None for i in range(n)],
            "lat": [23.0 if i in located else None for i in range(n)],
            "lng": [113.0 if i in located else None for i in range(n)],
        },
        schema={
            "os_id": pl.String,
            "units": pl.String,
            "address_norm": pl.String,
            "lat": pl.Float64,
            "lng": pl.Float64,
        },
    )


def scored(pairs: dict[tuple[int, int], float]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, b, s) for (a, b), s in sorted(pairs.items())],
        schema={"left": pl.UInt32, "right": pl.UInt32, "match_score": pl.Float64},
        orient="row",
    )


def clique(members, score: float = 0.95) -> dict[tuple[int, int], float]:
    return {(a, b): score for a, b in combinations(members, 2)}


# Two groups {0, 1, 2} and {3, 4}, two auto links across and one low pair (0, 3) across.
TWO_GROUPS = clique(range(3)) | clique(range(3, 5)) | {(2, 3): 0.9, (1, 4): 0.9, (0, 3): 0.01}


def test_a_low_pair_resting_on_names_alone_weighs_half_a_difference():
    """Record 0 has neither address nor coordinates: its low pair with 3 weighs 0.5, and two links
    (4 per difference x 0.5) merge the groups; the default weight of 1 still keeps them apart."""
    rows = records(5, located={1, 2, 3, 4})
    half = cluster(rows, scored(TWO_GROUPS), AUTO, DIFFERENT, set(), set(), 4.0, unlocated_weight=0.5)
    whole = cluster(rows, scored(TWO_GROUPS), AUTO, DIFFERENT, set(), set(), 4.0)
    assert len(set(half.tolist())) == 1
    assert whole[0] != whole[3]


def test_a_low_pair_between_two_located_records_counts_whole():
    """Both records of the low pair carry a place the model compared: it stays a whole difference,
    and two links do not outvote it. Records without location columns count as located too."""
    located = cluster(
        records(5, located=set(range(5))),
        scored(TWO_GROUPS),
        AUTO,
        DIFFERENT,
        set(),
        set(),
        4.0,
        unlocated_weight=0.5,
    )
    bare_frame = records(5, located=set()).select("os_id", "units")
    unknown = cluster(
        bare_frame, scored(TWO_GROUPS), AUTO, DIFFERENT, set(), set(), 4.0, unlocated_weight=0.5
    )
    assert located[0] != located[3]
    assert unknown[0] != unknown[3]


def test_one_address_and_other_coordinates_share_no_place():
    """Record 0 has only an address, record 3 only coordinates: nothing comparable, half weight."""
    rows = records(5, located={1, 2, 4}).with_columns(
        address_norm=pl.when(pl.int_range(5) == 0).then(pl.lit("9 mill road")).otherwise("address_norm"),
        lat=pl.when(pl.int_range(5) == 3).then(pl.lit(23.0)).otherwise("lat"),
        lng=pl.when(pl.int_range(5) == 3).then(pl.lit(113.0)).otherwise("lng"),
    )
    labels = cluster(rows, scored(TWO_GROUPS), AUTO, DIFFERENT, set(), set(), 4.0, unlocated_weight=0.5)
    assert len(set(labels.tolist())) == 1


def test_split_probes_cross_only_clusters_an_auto_link_joins():
    """Clusters 0 {0, 1, 2}, 1 {3, 4} and 2 {5, 6}: an auto link joins 0 and 1, a review-band pair
    1 and 2. The records of the smaller cluster 1 are probed into cluster 0, never into 2, and the
    pair already scored is not probed again."""
    labels = np.array([0, 0, 0, 1, 1, 2, 2])
    known = scored({(2, 3): 0.9, (4, 5): 0.5, (0, 1): 0.95})
    probes = split_probes(labels, known, AUTO, 3)
    pairs = set(zip(probes["left"].to_list(), probes["right"].to_list(), strict=True))
    assert pairs
    assert all(a in {0, 1, 2} and b in {3, 4} for a, b in pairs)
    assert (2, 3) not in pairs
    assert {b for _, b in pairs} == {3, 4}
    assert probes.columns == ["left", "right", "pass_mask"]
    assert split_probes(labels, known, AUTO, 3).equals(probes)  # deterministic


def test_split_probes_skip_reviewed_clusters_and_can_be_turned_off():
    labels = np.array([0, 0, 0, 1, 1])
    known = scored({(2, 3): 0.9})
    assert split_probes(labels, known, AUTO, 2, skip={1}).is_empty()
    assert split_probes(labels, known, AUTO, 0).is_empty()
    assert split_probes(labels, scored({(2, 3): 0.5}), AUTO, 2).is_empty()


def test_agreeing_split_probes_rejoin_two_halves_of_one_facility():
    """Two halves of one facility, {0..5} and {6..11}, joined by two auto links and kept apart by
    one low pair between located records: the first clustering splits them. Probes across, scoring
    as the halves' spellings agree, outvote the low pair; the reused labels give the same result."""
    pairs = clique(range(6)) | clique(range(6, 12)) | {(5, 6): 0.9, (4, 7): 0.9, (0, 11): 0.01}
    rows, known = records(12, located=set(range(12))), scored(pairs)
    first = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0, unlocated_weight=0.5)
    assert first[0] != first[11]
    across = split_probes(first, known, AUTO, 2)
    probes = across.select("left", "right", match_score=pl.lit(0.9))
    full = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0, probes, unlocated_weight=0.5)
    reused = cluster(
        rows, known, AUTO, DIFFERENT, set(), set(), 4.0, probes, first.copy(), unlocated_weight=0.5
    )
    assert len(set(full.tolist())) == 1
    assert np.array_equal(full, reused)


def test_differing_split_probes_keep_two_facilities_apart():
    """The same shape, but the probes across score low (a namesake or sibling site): still apart."""
    pairs = clique(range(6)) | clique(range(6, 12)) | {(5, 6): 0.9, (4, 7): 0.9, (0, 11): 0.01}
    rows, known = records(12, located=set(range(12))), scored(pairs)
    first = cluster(rows, known, AUTO, DIFFERENT, set(), set(), 4.0, unlocated_weight=0.5)
    probes = split_probes(first, known, AUTO, 2).select("left", "right", match_score=pl.lit(0.01))
    labels = cluster(
        rows, known, AUTO, DIFFERENT, set(), set(), 4.0, probes, first.copy(), unlocated_weight=0.5
    )
    assert labels[0] != labels[11]


def test_name_only_records_do_not_rejoin_two_sites_of_one_firm():
    """The demo's two Gimmill Industrial mills (Batu 4 and Batu 3 1/2 on Jalan Kluang, 11 km apart),
    each named on lists with its address, and three more mentions giving the name alone. The name-only
    mentions agree with both mills, so split probes drawn to them are no evidence that the mills are
    one: probes across a split are kept only between records that share a location field."""
    batu_4 = (
        "Gimmill Industrial (M) Sdn Bhd (Gimmill B) Ltd.",
        "Batu 4 Jalan Kluang 83000 Batu Pahat Johor Malaysia",
    )
    batu_3 = (
        "GIMMILL INDUSTRIAL (M) SDN BHD LTD.",
        "Batu 3 1/2 Jalan Kluang 83000 Batu Pahat Johor Malaysia",
    )
    rows = [
        ("a1", *batu_4, "MY", 1.8699502, 102.9841826),
        ("a2", *batu_4, "MY", None, None),
        ("a3", *batu_4, "MY", None, None),
        ("b1", *batu_3, "MY", 1.85404, 103.05038),
        ("b2", *batu_3, "MY", None, None),
        ("b3", "GIMMILL INDUSTRIAL (M) SDN BHD", None, "MY", None, None),
        ("b4", "Gimmill Industrial (M) Sdn Bhd", None, "MY", None, None),
        ("b5", "Gimmill Industrial (M) Sdn Bhd", None, "MY", None, None),
    ]
    result = resolve_frame(pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row"))
    facility = dict(zip(result["record_id"], result["facility_id"], strict=True))
    assert facility["a1"] == facility["a2"] == facility["a3"]
    assert facility["b1"] == facility["b2"]
    assert facility["a1"] != facility["b1"]
