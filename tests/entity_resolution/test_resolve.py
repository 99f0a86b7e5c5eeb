"""Entity resolution on small, hand-made cases whose right answer is known."""

from __future__ import annotations

import polars as pl

from entity_resolution.normalise import normalise_address, normalise_name, normalise_name_expr, unit_numbers
from entity_resolution.resolve import resolve

DECISIONS = pl.DataFrame(
    schema={"record_id_left": pl.String, "record_id_right": pl.String, "decision": pl.String}
)


def records(rows: list[dict]) -> pl.DataFrame:
    base = {
        "source_type": "supplier_list",
        "contributor": "Brand",
        "address": None,
        "lat": None,
        "lng": None,
        "os_id": None,
        "parent_company": None,
        "workers_min": None,
        "workers_max": None,
        "sectors": ["Apparel"],
        "product_types": [],
    }
    return pl.DataFrame(
        [base | row for row in rows],
        schema_overrides={
            "address": pl.String,
            "lat": pl.Float64,
            "lng": pl.Float64,
            "os_id": pl.String,
            "parent_company": pl.String,
            "workers_min": pl.Int64,
            "workers_max": pl.Int64,
            "product_types": pl.List(pl.String),
        },
    )


def test_normalisation_removes_legal_forms_transliterates_and_expands():
    assert normalise_name("Chen Feng (Jiangsu) Apparel CO., LTD.") == normalise_name(
        "chen feng jiangsu apparel"
    )
    # "May" is Vietnamese for garment making: "Công ty TNHH May Việt Tiến" is "Viet Tien Garment"
    assert normalise_name("CÔNG TY TNHH May Việt Tiến") == "apparel viet tien"
    assert normalise_name("Viet Tien Garment Co., Ltd") == "viet tien apparel"
    assert normalise_name("Akcen Tekstil Konf. San. Tic. Ltd. Şti.") == "akcen textile konf"
    assert normalise_address("12 Industrial Rd., Ind. Dist.") == normalise_address(
        "12 industrial road industrial district"
    )
    assert unit_numbers("Jeans Knit Unit 3") == "unit 3"


def test_polars_expression_matches_scalar():
    names = ["Hetian Taida Apparel Co., Ltd.", None, "PT Pan Brothers Tbk"]
    frame = pl.DataFrame({"name": names}).with_columns(norm=normalise_name_expr("name"))
    assert frame["norm"].to_list() == [normalise_name(n) for n in names]


def test_three_spellings_of_one_factory_become_one_facility():
    result = resolve(
        records(
            [
                {
                    "record_id": "a",
                    "name": "Jiangsu Golden Empire Apparel Co., Ltd",
                    "country_code": "CN",
                    "address": "11 Changjiang Road, Yancheng Economic Development Zone",
                },
                {
                    "record_id": "b",
                    "name": "JIANGSU GOLDEN EMPIRE APPAREL COMPANY LIMITED",
                    "country_code": "CN",
                    "address": "11 Changjiang Rd, Yancheng Economy Development Zone",
                },
                {
                    "record_id": "c",
                    "name": "Jiangsu Golden Empier Apparel Ltd",
                    "country_code": "CN",
                    "address": "No. 11 Changjiang Road Yancheng",
                },
                {
                    "record_id": "d",
                    "name": "Dongguan Quality Knitwear Limited",
                    "country_code": "CN",
                    "address": "Shujiu Village, Changping Town",
                },
            ]
        ),
        DECISIONS,
    )
    links = dict(result.record_links.select("record_id", "facility_id").iter_rows())
    assert links["a"] == links["b"] == links["c"] != links["d"]
    assert result.facilities.height == 2


def test_unit_numbers_and_different_os_ids_never_auto_merge():
    result = resolve(
        records(
            [
                {
                    "record_id": "u3",
                    "name": "Evergreen Jeans Knit Unit 3",
                    "country_code": "BD",
                    "address": "Gazipur",
                },
                {
                    "record_id": "u4",
                    "name": "Evergreen Jeans Knit Unit 4",
                    "country_code": "BD",
                    "address": "Gazipur",
                },
                {
                    "record_id": "o1",
                    "name": "Star Garments",
                    "country_code": "LK",
                    "os_id": "LK2019001AAAAA1",
                },
                {
                    "record_id": "o2",
                    "name": "Star Garments",
                    "country_code": "LK",
                    "os_id": "LK2019002BBBBB2",
                },
            ]
        ),
        DECISIONS,
    )
    assert result.facilities.height == 4


def test_same_name_in_two_countries_stays_two_facilities():
    result = resolve(
        records(
            [
                {"record_id": "x", "name": "Global Knit", "country_code": "VN"},
                {"record_id": "y", "name": "Global Knit", "country_code": "KH"},
            ]
        ),
        DECISIONS,
    )
    assert result.facilities.height == 2


def test_human_decisions_override_scores():
    rows = records(
        [
            {"record_id": "p", "name": "Sunrise Textile Mill", "country_code": "IN", "address": "Tiruppur"},
            {"record_id": "q", "name": "Sunrise Textiles", "country_code": "IN", "address": "Tirupur"},
            {"record_id": "r", "name": "Moonlight Fashions", "country_code": "IN", "address": "Tiruppur"},
        ]
    )
    baseline = resolve(rows, DECISIONS)
    links = dict(baseline.record_links.select("record_id", "facility_id").iter_rows())
    assert links["p"] == links["q"] != links["r"]
    decisions = pl.DataFrame(
        {"record_id_left": ["p", "p"], "record_id_right": ["q", "r"], "decision": ["reject", "confirm"]}
    )
    decided = dict(resolve(rows, decisions).record_links.select("record_id", "facility_id").iter_rows())
    assert decided["p"] != decided["q"]
    assert decided["p"] == decided["r"]


def test_every_record_linked_exactly_once_with_an_explanation_and_ids_are_stable():
    rows = records(
        [
            {"record_id": str(i), "name": f"Factory {chr(65 + i)} Works", "country_code": "VN"}
            for i in range(8)
        ]
    )
    first, second = resolve(rows, DECISIONS), resolve(rows.reverse(), DECISIONS)
    assert sorted(first.record_links["record_id"].to_list()) == sorted(rows["record_id"].to_list())
    assert first.record_links["explanation"].null_count() == 0
    assert (
        first.facilities["facility_id"].sort().to_list() == second.facilities["facility_id"].sort().to_list()
    )


def test_ids_persist_across_runs_and_merged_ids_become_aliases():
    rows = records(
        [
            {"record_id": "a", "name": "Sunrise Textile Mill", "country_code": "IN", "address": "Tiruppur"},
            {"record_id": "b", "name": "Sunrise Textiles", "country_code": "IN", "address": "Tirupur"},
            {"record_id": "c", "name": "Moonlight Fashions", "country_code": "IN", "address": "Erode"},
        ]
    )
    first = resolve(rows, DECISIONS)
    again = resolve(rows, DECISIONS, previous_links=first.record_links, previous_aliases=first.aliases)
    assert again.report["id_stable_share"] == 1.0
    assert (
        again.facilities["facility_id"].sort().to_list() == first.facilities["facility_id"].sort().to_list()
    )
    ids = dict(first.record_links.select("record_id", "facility_id").iter_rows())
    merge = pl.DataFrame({"record_id_left": ["a"], "record_id_right": ["c"], "decision": ["confirm"]})
    merged = resolve(rows, merge, previous_links=first.record_links, previous_aliases=first.aliases)
    now = dict(merged.record_links.select("record_id", "facility_id").iter_rows())
    assert now["a"] == now["b"] == now["c"] == ids["a"]  # the larger facility keeps its ID
    assert merged.aliases.rows() == [(ids["c"], ids["a"], "merged")]


def test_a_split_keeps_the_id_with_the_larger_part_and_gives_the_other_a_new_one():
    rows = records(
        [
            {"record_id": "a", "name": "Sunrise Textile Mill", "country_code": "IN", "address": "Tiruppur"},
            {"record_id": "b", "name": "Sunrise Textiles", "country_code": "IN", "address": "Tirupur"},
            {"record_id": "c", "name": "Sunrise Textile Mills", "country_code": "IN", "address": "Tiruppur"},
        ]
    )
    first = resolve(rows, DECISIONS)
    assert first.facilities.height == 1
    split = pl.DataFrame(
        {"record_id_left": ["b", "b"], "record_id_right": ["a", "c"], "decision": ["reject"] * 2}
    )
    after = resolve(rows, split, previous_links=first.record_links)
    now = dict(after.record_links.select("record_id", "facility_id").iter_rows())
    old = first.facilities["facility_id"][0]
    assert now["a"] == now["c"] == old != now["b"]
