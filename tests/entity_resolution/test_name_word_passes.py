"""The `name_words` and `name_words_but_one` blocking passes: spellings of one firm whose names sit far
apart in alphabetical order (the trade word first, a typo in the first word) are still compared, however
many other names of the country lie between them, and large blocks stay bounded."""

from __future__ import annotations

import polars as pl

from data_contracts.loader import load_contract
from data_contracts.versioning import snapshot
from entity_resolution.block_keys import name_word_set, name_words_but_one
from entity_resolution.blocking import PASSES, candidate_pairs, passes_of, spellings
from entity_resolution.incremental import build_index, index_keys, score_against_index
from entity_resolution.resolve import prepare
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, resolve_frame, to_records


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"r{i:05d}", *row) for i, row in enumerate(rows)], schema=INPUT_SCHEMA, orient="row"
    )


def crowd(count: int) -> list[tuple]:
    """`count` other Vietnamese firms whose names sort between "bags ..." / "loc ..." and
    "phoung ..." / "phuong ...", each at its own address."""
    stems = ["cam", "dai", "gia", "hoa", "kim", "lan", "minh", "nam", "phat", "phu"]
    return [
        (
            f"{stems[i % 10].title()} {stems[(i // 10) % 10].title()}{i} Textile",
            f"{i} Duong Le Loi, Hanoi",
            "VN",
            None,
            None,
        )
        for i in range(count)
    ]


def proposing_passes(rows: list[tuple], left: str, right: str) -> list[str]:
    """The passes that propose the pair of records `left` / `right` (record ids)."""
    prepared = prepare(to_records(frame(rows)))
    idx = dict(prepared.select("record_id", "idx").iter_rows())
    a, b = sorted((idx[left], idx[right]))
    pairs = candidate_pairs(prepared, ResolutionSettings())
    mask = pairs.filter((pl.col("left") == a) & (pl.col("right") == b))["pass_mask"]
    return passes_of(int(mask[0])) if mask.len() else []


def test_the_same_words_in_another_order_give_one_key_and_a_word_less_one_key_each():
    records = pl.DataFrame(
        {
            "idx": [0, 1, 2, 3],
            "country_code": ["VN", "VN", "VN", "VN"],
            "core_norm": ["loc van bags", "bags loc van", "phuong viet duc shoes", "phoung viet duc shoes"],
        }
    )
    words = dict(name_word_set(records, "core_norm").iter_rows())
    assert words[0] == words[1] != words[2]
    but_one = name_words_but_one(records, "core_norm")
    keys = but_one.group_by("idx").agg("key")
    assert dict(keys.select("idx", pl.col("key").list.len()).iter_rows()) == {0: 3, 1: 3, 2: 4, 3: 4}
    shared = set(but_one.filter(pl.col("idx") == 2)["key"]) & set(but_one.filter(pl.col("idx") == 3)["key"])
    assert len(shared) == 1  # "duc shoes viet": the typo'd word left out


def test_the_firms_own_words_keep_their_order_in_the_word_key():
    """A trade word may move ("bags loc van"), the firm's own words may not: "Hiep Uyen" and "Uyen Hiep"
    are two names."""
    records = pl.DataFrame(
        {
            "idx": [0, 1, 2],
            "country_code": ["VN", "VN", "VN"],
            "core_norm": ["hiep uyen shoes", "shoes hiep uyen", "uyen hiep shoes"],
        }
    )
    words = dict(name_word_set(records, "core_norm").iter_rows())
    assert words[0] == words[1] != words[2]


def test_a_name_with_its_trade_word_first_is_compared_and_linked_among_many_other_names():
    rows = [
        ("Loc Van Bags Co., Ltd.", "63 Duong Ly Thuong Kiet, Bac Ninh", "VN", None, None),
        ("Cong ty TNHH Bags Loc Van", "Plot 23, 63 Duong Ly Thuong Kiet, Bac Ninh", "VN", None, None),
    ] + crowd(400)
    assert "name_words" in proposing_passes(rows, "r00000", "r00001")
    ids = dict(resolve_frame(frame(rows)).select("record_id", "facility_id").iter_rows())
    assert ids["r00000"] == ids["r00001"]


def test_a_typo_in_the_first_word_is_compared_among_many_names_between_the_two_spellings():
    rows = [
        ("Phuong Viet Duc Shoes Co., Ltd.", "12 Duong Nguyen Hue, Hanoi", "VN", None, None),
        ("Phoung Viet Duc Shoes", "12 Duong Nguyen Hue, Hanoi", "VN", None, None),
    ] + crowd(400)
    assert "name_words_but_one" in proposing_passes(rows, "r00000", "r00001")


def test_a_large_block_of_one_name_pairs_each_spelling_with_its_address_neighbours_only():
    """Sixty spellings of one common name at three factories: the block is read as a neighbourhood in
    address order, so each spelling meets its own factory's other spellings, not all sixty."""
    rows = [
        (f"Xinxin Apparel {suffix}", f"{site * 100 + 7} Renmin Road, Ningbo {i}", "CN", None, None)
        for site in range(3)
        for i, suffix in enumerate(["Co., Ltd."] * 20)
    ]
    prepared = prepare(to_records(frame(rows)))
    pairs = candidate_pairs(prepared, ResolutionSettings())
    by_words = pairs.filter(
        pl.col("pass_mask").map_elements(lambda m: "name_words" in passes_of(m), pl.Boolean)
    )
    assert 0 < by_words.height <= 60 * ResolutionSettings().neighbourhood_window
    site = {idx: int(rid[1:]) // 20 for rid, idx in prepared.select("record_id", "idx").iter_rows()}
    same_site = sum(site[a] == site[b] for a, b in by_words.select("left", "right").iter_rows())
    assert same_site >= 0.9 * by_words.height


def test_an_update_compares_a_new_record_with_the_same_words_in_another_order():
    existing = to_records(
        frame([("Loc Van Bags Co., Ltd.", "63 Duong Ly Thuong Kiet, Bac Ninh", "VN", None, None)] + crowd(50))
    )
    index = build_index(existing.with_columns(facility_id=pl.format("F-{}", "record_id")))
    new_row = ("Cong ty TNHH Bags Loc Van", "63 Duong Ly Thuong Kiet, Bac Ninh", "VN", None, None)
    new = prepare(to_records(frame([new_row]).with_columns(record_id=pl.lit("new-1"))))
    new_keys = index_keys(new, ResolutionSettings())
    words_key = new_keys.filter(pl.col("blocking_pass") == "name_words")["blocking_key"]
    holders = index.keys.filter(
        (pl.col("blocking_pass") == "name_words") & pl.col("blocking_key").is_in(words_key)
    )
    assert holders["record_id"].to_list() == ["r00000"]
    scored = score_against_index(index, new, ResolutionSettings(), new_keys)
    assert "r00000" in scored["existing"].to_list()


def test_the_match_index_keys_contract_accepts_every_blocking_pass():
    """The warehouse refuses an index key whose pass the contract does not list (a new pass once
    stopped `make demo` at the resolved checks)."""
    listed = snapshot(load_contract("resolved.match_index_keys"))["valid_values"]["blocking_pass"]
    assert set(listed) == set(PASSES)


def test_one_name_without_an_address_is_one_spelling_only_at_one_place():
    """Lists that give a name and coordinates but no address: the same name near one place is one
    spelling, the same name at a factory 300 km away is another (a namesake or a sibling site), so it
    is blocked on its own coordinates rather than chained to the first record's."""
    rows = [
        ("Yixin Apparel Co., Ltd.", None, "CN", 30.2741, 120.1551),
        ("Yixin Apparel Co., Ltd.", None, "CN", 30.2790, 120.1580),
        ("Yixin Apparel Co., Ltd.", None, "CN", 32.0603, 118.7969),
        ("Yixin Apparel Co., Ltd.", None, "CN", None, None),
        ("Yixin Apparel Co., Ltd.", None, "CN", None, None),
    ]
    leader = dict(spellings(prepare(to_records(frame(rows)))).select("idx", "leader").iter_rows())
    assert leader[0] == leader[1] == 0
    assert leader[2] == 2
    assert leader[3] == leader[4] == 3


def test_a_large_block_of_one_name_places_spellings_without_an_address_by_their_coordinates():
    """Eighty mentions of one common name at four factories, half of them giving coordinates and no
    address, their points a few hundred metres apart (more than a geo cell): each spelling of the
    unaddressed mentions is compared with a mention of its own factory that does give an address, not
    only with the other unaddressed mentions, which sort together in address order."""
    sites = [(29.87, 121.55), (30.60, 114.30), (23.13, 113.26), (31.23, 121.47)]
    rows = []  # the four factories' mentions interleaved, as lists come
    for i in range(20):
        for site, (lat, lng) in enumerate(sites):
            address = f"{site * 100 + 7} Renmin Road, Ningbo {i}" if i % 2 else None
            rows.append(("Xinxin Apparel Co., Ltd.", address, "CN", lat + i * 0.003, lng + i * 0.003))
    park = [  # each factory sits in an industrial park: its geo cell is too crowded to block on
        (f"{tenant}{k} Garment Co., Ltd.", None, "CN", lat + 0.001, lng + 0.001)
        for lat, lng in sites
        for tenant in ("Anda", "Baoli", "Changsheng", "Dali", "Enhua", "Fuxing", "Guotai", "Hengli")
        for k in range(3)
    ]
    prepared = prepare(to_records(frame(rows + park)))
    pairs = candidate_pairs(prepared, ResolutionSettings()).select("left", "right").rows()
    ids = prepared.select("record_id", "idx").filter(pl.col("record_id") < f"r{len(rows):05d}")
    site = {idx: int(rid[1:]) % 4 for rid, idx in ids.iter_rows()}
    addressed = {idx for rid, idx in ids.iter_rows() if (int(rid[1:]) // 4) % 2}
    leaders = set(spellings(prepared)["leader"].to_list()) & set(site) - addressed
    assert {site[leader] for leader in leaders} == {0, 1, 2, 3}
    for leader in leaders:
        partners = {b if a == leader else a for a, b in pairs if leader in (a, b)}
        assert any(p in addressed and site[p] == site[leader] for p in partners), leader


def test_a_respelled_first_word_is_compared_through_the_names_read_backwards():
    """"Xiin Jing" and "Xinjing": one typo and one space apart in the first word, hundreds of names
    apart in alphabetical order, next to each other read backwards with spaces removed."""
    rows = [
        ("Xiin Jing Printing Dyeing Co., Ltd.", "8 Jiefang Road, Shaoxing", "CN", None, None),
        ("Xinjing Printing Dyeing Co., Ltd.", "No. 8 Jiefang Rd, Shaoxing", "CN", None, None),
    ] + [(f"Xik{i} Textile Co., Ltd.", f"{i} Renmin Road, Wuxi", "CN", None, None) for i in range(300)]
    assert "name_neighbourhood" in proposing_passes(rows, "r00000", "r00001")


def test_names_read_backwards_are_paired_only_when_alike():
    """Read backwards, "Huaxin Apparel" sits next to "Jinxin Apparel": two firms, not one respelled."""
    rows = [
        ("Huaxin Apparel Co., Ltd.", "8 Jiefang Road, Shaoxing", "CN", None, None),
        ("Jinxin Apparel Co., Ltd.", "90 Renmin Road, Wuxi", "CN", None, None),
    ] + [(f"Ivo{i} Textile Co., Ltd.", f"{i} Renmin Road, Wuxi", "CN", None, None) for i in range(300)]
    assert "name_neighbourhood" not in proposing_passes(rows, "r00000", "r00001")
