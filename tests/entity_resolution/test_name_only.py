"""A mention known by its name alone is placed only where its name points clearly (`name_only`).

Two garment factories called "Kien Phat Garment" in Hanoi and in Ho Chi Minh City, each named on
several lists with its address, and a list that names "Cong ty TNHH Kien Phat Garment" with neither an
address nor coordinates. Nothing in that mention says which factory it is. Clustering keeps the two
factories apart (their addresses and points disagree) and used to put the mention with whichever
link scored a hair higher, attributing its evidence to a factory the data cannot tell it belongs to.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from entity_resolution.incremental import build_index
from entity_resolution.name_only import settle_name_only
from entity_resolution.resolve import NO_DECISIONS, resolve
from entity_resolution.run_plan import Plan, PreviousResolution
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, to_records
from entity_resolution.update import resolve_update

HANOI = [
    (
        "h1",
        "Kien Phat Garment Co., Ltd",
        "12 Nguyen Trai Street, Thanh Xuan District, Ha Noi",
        "VN",
        21.0005,
        105.815,
    ),
    (
        "h2",
        "KIEN PHAT GARMENT COMPANY LIMITED",
        "12 Nguyen Trai St, Thanh Xuan, Hanoi",
        "VN",
        21.0006,
        105.8151,
    ),
    ("h3", "Kien Phat Garment", "No. 12 Nguyen Trai, Thanh Xuan, Ha Noi", "VN", None, None),
]
SAIGON = [
    (
        "s1",
        "Kien Phat Garment Co., Ltd",
        "88 Le Van Viet Street, Thu Duc, Ho Chi Minh City",
        "VN",
        10.845,
        106.78,
    ),
    ("s2", "KIEN PHAT GARMENT CO LTD", "88 Le Van Viet, Thu Duc City, HCMC", "VN", 10.8451, 106.7801),
    ("s3", "Kien Phat Garment Company", "88 Le Van Viet St., Thu Duc", "VN", None, None),
]
NAME_ONLY = [("b1", "Cong ty TNHH Kien Phat Garment", None, "VN", None, None)]


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row")


SETTINGS = ResolutionSettings()


def facility_of(rows: list[tuple], settings: ResolutionSettings = SETTINGS) -> dict[str, str]:
    result = resolve(to_records(frame(rows)), NO_DECISIONS, settings)
    return dict(result.record_links.select("record_id", "facility_id").iter_rows())


def test_a_name_only_mention_between_two_namesakes_stays_a_facility_of_its_own():
    rows = HANOI + SAIGON + NAME_ONLY
    placed = facility_of(rows)
    assert placed["h1"] == placed["h2"] == placed["h3"]
    assert placed["s1"] == placed["s2"] == placed["s3"] != placed["h1"]
    assert placed["b1"] not in {placed["h1"], placed["s1"]}
    # without the rule the same data puts it with one of them
    unsettled = facility_of(rows, ResolutionSettings(name_only_majority=0))
    assert unsettled["b1"] in {unsettled["h1"], unsettled["s1"]}


def test_a_name_only_mention_joins_the_namesake_holding_most_of_its_links():
    """Hanoi's factory is named on three lists, Saigon's on one: the mention's links point mostly
    to Hanoi, and it goes there."""
    placed = facility_of(HANOI + SAIGON[:1] + NAME_ONLY)
    assert placed["b1"] == placed["h1"] != placed["s1"]


def test_an_incremental_update_leaves_the_ambiguous_mention_apart_as_a_full_run_does():
    existing, new = HANOI + SAIGON, NAME_ONLY
    before = to_records(frame(existing))
    result = resolve(before, NO_DECISIONS)
    previous = PreviousResolution(result.facilities, result.record_links, result.review_queue, result.aliases)
    index = build_index(before.join(result.record_links.select("record_id", "facility_id"), on="record_id"))
    plan = Plan("incremental", "test", ["b1"], [])
    update = resolve_update(to_records(frame(existing + new)), plan, lambda keys: index, previous, SETTINGS)
    placed = dict(update.resolution.record_links.select("record_id", "facility_id").iter_rows())
    assert placed["b1"] not in {placed["h1"], placed["s1"]}
    assert placed["h1"] != placed["s1"]


def labels_after(
    codes: list[int],
    pairs: list[tuple[int, int, float]],
    labels: list[int],
    confirmed: set[tuple[int, int]] = frozenset(),
    rejected: set[tuple[int, int]] = frozenset(),
    names: list[str] | None = None,
) -> list[int | str]:
    """`settle_name_only` on records whose location fields are given as place codes (1 an address,
    2 coordinates, 0 neither) and scored pairs (left, right, score); "own" for a facility of its own.
    Each record is spelled differently unless `names` says otherwise."""
    records = pl.DataFrame(
        {
            "name": names or [f"Firm spelling {index}" for index in range(len(codes))],
            "address_norm": ["street 1" if code & 1 else None for code in codes],
            "lat": [1.0 if code & 2 else None for code in codes],
            "lng": [1.0 if code & 2 else None for code in codes],
        }
    )
    scored = pl.DataFrame(pairs, schema=["left", "right", "match_score"], orient="row")
    settled = settle_name_only(
        np.array(labels, dtype=np.int64), records, scored, SETTINGS, set(confirmed), set(rejected)
    )
    return [label if label in labels else "own" for label in settled.tolist()]


# records 0-1 one facility, 2-3 another, 4 known by its name alone (put with 0-1 by clustering)
CODES = [3, 3, 3, 3, 0]
EVEN = [(0, 1, 0.95), (2, 3, 0.95), (0, 4, 0.9), (1, 4, 0.9), (2, 4, 0.9), (3, 4, 0.9), (0, 2, 0.01)]


def test_a_group_of_name_only_mentions_moves_together_and_a_person_s_confirmation_holds():
    lopsided = [(0, 1, 0.95), (2, 3, 0.95), (0, 4, 0.9), (4, 5, 0.99), (2, 5, 0.9), (3, 5, 0.9), (1, 2, 0.01)]
    # 4 and 5 (one spelling, both name-only) sit with 0-1; their links point 2 to 1 at 2-3
    assert labels_after([3, 3, 3, 3, 0, 0], lopsided, [0, 0, 2, 2, 0, 0]) == [0, 0, 2, 2, 2, 2]
    assert labels_after(CODES, EVEN, [0, 0, 2, 2, 0]) == [0, 0, 2, 2, "own"]
    assert labels_after(CODES, EVEN, [0, 0, 2, 2, 0], confirmed={(0, 4)}) == [0, 0, 2, 2, 0]


def test_a_rejection_or_outnumbering_differences_keep_a_group_from_the_facility_its_links_favour():
    favoured = [(0, 1, 0.95), (2, 3, 0.95), (0, 4, 0.9), (2, 4, 0.9), (3, 4, 0.9)]
    assert labels_after(CODES, favoured, [0, 0, 2, 2, 0]) == [0, 0, 2, 2, 2]
    assert labels_after(CODES, favoured, [0, 0, 2, 2, 0], rejected={(2, 4)}) == [0, 0, 2, 2, "own"]
    differing = [*favoured, (4, 5, 0.0), (4, 6, 0.0), (4, 7, 0.0)]  # 5-7: more of 2-3's records
    codes, labels = [*CODES, 3, 3, 3], [0, 0, 2, 2, 0, 2, 2, 2]
    assert labels_after(codes, differing, labels) == [0, 0, 2, 2, "own", 2, 2, 2]


def test_a_group_whose_name_reads_closer_to_its_own_cluster_stays_there():
    """The demo's "Gimmill Industrial (M) Sdn Bhd" mentions: their name reads closer to the Batu 3 1/2
    mill's (0.97) than to the Batu 4 mill's (0.9), whose three mentions outweigh the other's two."""
    codes, labels = [3, 3, 3, 3, 0, 3], [0, 0, 2, 2, 0, 2]
    outweighed = [
        (0, 1, 0.95),
        (2, 3, 0.95),
        (3, 5, 0.95),
        (0, 4, 0.97),
        (2, 4, 0.9),
        (3, 4, 0.9),
        (4, 5, 0.9),
    ]
    assert labels_after(codes, outweighed, labels) == labels
    # no majority among three clusters, and clearly closer to its own: it stays
    codes, labels = [3, 3, 3, 0], [0, 1, 2, 0]
    three = [(0, 3, 0.95), (1, 3, 0.9), (2, 3, 0.9)]
    assert labels_after(codes, three, labels) == labels
    # the same links a hair apart: the name cannot say which, a facility of its own
    hair = [(0, 3, 0.91), (1, 3, 0.9), (2, 3, 0.9)]
    assert labels_after(codes, hair, labels) == [0, 1, 2, "own"]


def test_one_spelling_is_not_split_between_two_facilities():
    """A helpline file names "Hotan Taida Apparel" in every report, three with an address: the
    name-only reports link to those three and, more often, to "Hetian Taida Apparel Company Limited"
    mentions (the two normalise alike). They stay with the three reports spelled as they are."""
    codes, labels = [3, 3, 3, 3, 0, 0], [0, 0, 2, 2, 2, 2]
    names = ["Hetian Taida Apparel Company Limited", "HETIAN TAIDA APPAREL CO., LTD."]
    names += ["Hotan Taida Apparel", "Hotan Taida Apparel", "hotan taida  apparel", "Hotan Taida Apparel."]
    links = [(0, 1, 0.97), (2, 3, 0.95), (4, 5, 0.99), (0, 4, 0.97), (1, 4, 0.97), (0, 5, 0.97)]
    links += [(1, 5, 0.97), (2, 4, 0.97), (3, 5, 0.97), (0, 2, 0.1)]
    assert labels_after(codes, links, labels, names=names) == labels
    # spelled differently from the three, the majority takes them (as before)
    respelled = [*names[:4], "Hetian Taida", "Hetian Taida"]
    assert labels_after(codes, links, labels, names=respelled) == [0, 0, 2, 2, 0, 0]
