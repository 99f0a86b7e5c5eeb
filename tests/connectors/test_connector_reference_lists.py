"""Reference lists: the real DOL 2022 list and trade-restriction entity lists."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from connectors.sources import dol_goods, entity_lists
from connectors.staging import reconcile


def test_real_dol_2022_list_stages_completely(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "dol_tvpra_goods_2022.csv", contributor="US DOL")
    result = dol_goods.standardise_dol_goods(raw)
    goods = result.tables["reference_dol_goods"]
    assert result.rejected.is_empty() and goods.height == raw.height == 467
    assert goods["country_code"].null_count() == 0 and goods["country_code"].n_unique() == 78
    assert set(goods["edition"]) == {2022} and goods["entry_id"].is_unique().all()
    burma = goods.filter(goods["country_raw"] == "Burma")
    assert set(burma["country_code"]) == {"MM"}
    assert goods["forced_labor"].sum() > 0 and goods["child_labor"].sum() > 0
    assert reconcile(raw, result)["balanced"]


def test_dol_edition_is_read_from_the_file_name_or_given(tmp_path, fixtures, raw_of):
    unnamed = tmp_path / "dol_goods.csv"
    shutil.copy(fixtures / "reference" / "dol_tvpra_goods_2022.csv", unnamed)
    raw = raw_of(unnamed)
    with pytest.raises(ValueError, match="edition"):
        dol_goods.standardise_dol_goods(raw)
    goods = dol_goods.standardise_dol_goods(raw, edition=2024).tables["reference_dol_goods"]
    assert set(goods["edition"]) == {2024}


def test_dol_bad_flags_and_countries_are_quarantined(tmp_path, csv_writer, raw_of):
    header = [
        "good",
        "sector",
        "country",
        "region",
        "child_labor",
        "forced_labor",
        "forced_child_labor",
        "derived_labor_exploitation",
        "derived_country",
    ]
    path = csv_writer(
        tmp_path / "dol_2022.csv",
        [
            header,
            ["Cotton", "Agriculture", "Atlantis", "", "Yes", "Yes", "No", "No", "No"],
            ["Bricks", "Manufacturing", "Nepal", "", "Yes", "Perhaps", "No", "No", "No"],
        ],
    )
    result = dol_goods.standardise_dol_goods(raw_of(path))
    assert sorted(result.rejected["reason_code"]) == ["unknown_country", "unknown_value"]


def test_entity_lists(fixtures, raw_of):
    raw = raw_of(fixtures / "reference" / "trade_restriction_entities_sample.csv")
    result = entity_lists.standardise_entity_lists(raw)
    entities = result.tables["reference_entity_lists"]
    assert entities["list_name"].to_list() == [
        "uflpa_entity_list",
        "uflpa_entity_list",
        "cbp_wro_findings",
        "cbp_wro_findings",
    ]
    assert entities["aliases"][0].to_list() == ["Example Cotton", "ECP Co"]
    assert entities["country_code"].to_list() == ["CN", "CN", "TW", "MY"]
    assert entities["listed_date"][0] == dt.date(2023, 6, 9) and entities["listed_date"][3] is None
    got = sorted(zip(result.rejected["source_row"], result.rejected["reason_code"], strict=True))
    assert got == [
        (6, "unknown_value"),
        (7, "unknown_country"),
        (8, "invalid_date"),
        (9, "duplicate_row"),
        (10, "missing_required"),
    ]
    assert reconcile(raw, result)["balanced"]


def test_two_entity_list_files_reconcile_per_file(fixtures, raw_of):
    """Reference tables carry no row provenance: each file is standardised alone so read = staged +
    quarantined holds per file (a UFLPA and a CBP file loaded side by side)."""
    import polars as pl

    from connectors.staging import standardise_reconciled

    uflpa = raw_of(fixtures / "reference" / "trade_restriction_entities_sample.csv")
    cbp = raw_of(fixtures / "reference" / "cbp_wro_findings_sample.csv")
    raw = pl.concat([uflpa, cbp], how="diagonal_relaxed")
    result, figures = standardise_reconciled(entity_lists.standardise_entity_lists, raw)
    alone = [entity_lists.standardise_entity_lists(frame) for frame in (uflpa, cbp)]
    assert figures["balanced"]
    assert [entry["staged"] for entry in figures["by_file"].values()] == [
        part.tables["reference_entity_lists"].height for part in alone
    ]
    assert result.tables["reference_entity_lists"].height == sum(
        part.tables["reference_entity_lists"].height for part in alone
    )
    assert result.rejected.height == sum(part.rejected.height for part in alone)
