"""What a production location carries beyond one mention: claim_status (staged), historical_os_id
(aliases beside the merge events), local_name (a name spelling that entity resolution matches on)."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from assets.oshub_sync import raw_oshub_api, raw_oshub_merges
from assets.staging import staged_tables
from connectors.ids import make_os_id
from connectors.sources import oshub_api, oshub_merges
from connectors.sources.oshub_api import PRODUCTION_LOCATIONS, raw_frame
from data_contracts import load_contract
from entity_resolution.resolve import NO_DECISIONS, resolve
from tests.fakes.oshub_server import FakeOsHub, recorded
from tests.pipelines.oshub_support import oshub_home, oshub_resources, rows

TOKEN = "tok-location-fields-31b"
CHINESE_NAME = "深圳示例服装有限公司"
OLD_IDS = [make_os_id("CN", "2018101", "AB1CD"), make_os_id("CN", "2018202", "EF2GH")]


def shenzhen(**changes) -> dict:
    """The recorded Shenzhen production location, as OS Hub's v1 API returns it, with changes."""
    record = next(r for r in recorded("production_locations.json") if r["os_id"] == "CN2019303BQ3FZP")
    return {
        **record,
        "local_name": CHINESE_NAME,
        "historical_os_id": OLD_IDS,
        "claim_status": "pending",
        **changes,
    }


def standardise(*records: dict):
    return oshub_api.standardise(raw_frame(list(records), PRODUCTION_LOCATIONS, 1, "load-1"))


def test_claim_status_aliases_and_the_local_name_are_kept():
    result = standardise(shenzhen())
    records = result.tables["facility_records"]
    assert records.height == 2 and result.rejected.is_empty()
    main = records.filter(pl.col("spelling_of").is_null()).row(0, named=True)
    spelling = records.filter(pl.col("spelling_of").is_not_null()).row(0, named=True)
    assert main["claim_status"] == "pending" and main["name"] == "Shenzhen Example Garments Co., Ltd."
    assert spelling["spelling_of"] == main["record_id"] != spelling["record_id"]
    assert (spelling["name"], spelling["name_raw"]) == (CHINESE_NAME, CHINESE_NAME)
    for shared in ("os_id", "address", "country_code", "lat", "lng", "source_row", "load_id"):
        assert spelling[shared] == main[shared]
    for descriptive in ("sectors", "product_types", "claim_status", "is_closed", "extra_fields"):
        assert spelling[descriptive] is None
    aliases = result.tables["oshub_id_aliases"]
    assert sorted(aliases["alias_os_id"]) == sorted(OLD_IDS)
    assert set(aliases["current_os_id"]) == {"CN2019303BQ3FZP"} and set(aliases["origin"]) == {
        "historical_os_id"
    }
    assert aliases["merged_at"].null_count() == 2
    load_contract("staged.facility_records").conform(records)
    load_contract("staged.oshub_id_aliases").conform(aliases)


def test_a_local_name_equal_to_the_name_adds_no_spelling():
    result = standardise(shenzhen(local_name=" Shenzhen  Example Garments Co., Ltd. "))
    assert result.tables["facility_records"].height == 1


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"claim_status": "approved"}, "claim_status", "unknown_value"),
        ({"historical_os_id": ["CN2018101AB1CDX"]}, "historical_os_id", "invalid_os_id"),
        ({"historical_os_id": [{"os_id": "x"}]}, "historical_os_id", "unknown_value"),
        ({"local_name": '=HYPERLINK("http://x")'}, "local_name", "spreadsheet_formula"),
    ],
)
def test_unknown_or_invalid_values_are_quarantined_not_guessed(changes, column, reason):
    result = standardise(shenzhen(**changes))
    assert result.tables["facility_records"].is_empty()
    assert result.tables["oshub_id_aliases"].is_empty()
    assert (column, reason) in set(result.rejected.select("column_name", "reason_code").iter_rows())


def test_merge_events_win_and_chains_run_through_a_records_historical_ids():
    a, b, c = (make_os_id("CN", f"20201{n}1", f"ZZ{n}ZZ") for n in range(3))
    events = [{"original_id": a, "current_id": b, "created_at": None, "merge_date": "2024-01-02T00:00:00Z"}]
    merges = oshub_merges.standardise(oshub_merges.raw_frame(events, "merges-1")).tables["oshub_id_aliases"]
    # the location c lists b (merged into it) and a (which a merge event already records, into b)
    listed = standardise(shenzhen(os_id=c, historical_os_id=[b, a], local_name=None)).tables[
        "oshub_id_aliases"
    ]
    contract = load_contract("staged.oshub_id_aliases")
    combined = oshub_merges.combine_aliases(pl.concat([contract.conform(merges), contract.conform(listed)]))
    by_alias = {row["alias_os_id"]: row for row in combined.iter_rows(named=True)}
    assert set(by_alias) == {a, b}
    assert (by_alias[a]["origin"], by_alias[a]["merged_into_os_id"]) == ("merge_event", b)
    assert (by_alias[a]["current_os_id"], by_alias[a]["hops"]) == (c, 2)
    assert (by_alias[b]["origin"], by_alias[b]["current_os_id"], by_alias[b]["hops"]) == (
        "historical_os_id",
        c,
        1,
    )


def supplier_mention(oshub_records: pl.DataFrame) -> pl.DataFrame:
    """A brand's list naming the factory only in Chinese, with its address and no OS ID."""
    main = oshub_records.filter(pl.col("spelling_of").is_null())
    return main.with_columns(
        record_id=pl.lit("supplier-list-0001"),
        source_type=pl.lit("supplier_list"),
        contributor=pl.lit("Brand A"),
        source_file=pl.lit("brand_a.csv"),
        os_id=pl.lit(None, pl.String),
        name_raw=pl.lit(CHINESE_NAME),
        name=pl.lit(CHINESE_NAME),
        lat=pl.lit(None, pl.Float64),
        lng=pl.lit(None, pl.Float64),
        claim_status=pl.lit(None, pl.String),
    )


def test_entity_resolution_matches_a_list_that_uses_the_local_name():
    oshub_records = standardise(shenzhen()).tables["facility_records"]
    records = pl.concat([oshub_records, supplier_mention(oshub_records)])
    resolution = resolve(records, NO_DECISIONS)
    links = dict(resolution.record_links.select("record_id", "facility_id").iter_rows())
    assert len(set(links.values())) == 1  # the brand's Chinese-only mention joins the OS Hub facility
    (facility,) = resolution.facilities.iter_rows(named=True)
    assert facility["name"] == "Shenzhen Example Garments Co., Ltd."  # a spelling never represents
    assert facility["record_count"] == 2  # the spelling is not counted

    without = records.filter(pl.col("spelling_of").is_null())
    unmatched = resolve(without, NO_DECISIONS).record_links
    assert unmatched["facility_id"].n_unique() == 2  # without the local name, no match


def test_the_sync_stages_claim_status_spellings_and_historical_aliases(tmp_path, monkeypatch):
    home = oshub_home(tmp_path, monkeypatch, TOKEN)
    locations = [r for r in recorded("production_locations.json") if r["os_id"] != "CN2019303BQ3FZP"]
    with FakeOsHub(TOKEN, [*locations, shenzhen()], merges=recorded("merge_events.json")) as hub:
        result = dg.materialize(
            [raw_oshub_api, raw_oshub_merges, staged_tables], resources=oshub_resources(hub, page_size=4)
        )
    assert result.success
    staged = rows(
        home, "SELECT os_id, claim_status FROM staged.facility_records WHERE os_id = 'CN2019303BQ3FZP'"
    )
    assert sorted(staged, key=str) == sorted(
        [("CN2019303BQ3FZP", "pending"), ("CN2019303BQ3FZP", None)], key=str
    )
    assert rows(
        home,
        "SELECT name FROM staged.facility_records WHERE spelling_of IS NOT NULL "
        "AND os_id = 'CN2019303BQ3FZP'",
    ) == [(CHINESE_NAME,)]
    aliases = rows(home, "SELECT alias_os_id, current_os_id, origin FROM staged.oshub_id_aliases")
    assert {(alias, "CN2019303BQ3FZP", "historical_os_id") for alias in OLD_IDS} <= set(aliases)
    # BD2019086HB8VVT is both a merge event and in BD2020021QK28YZ's historical_os_id: the event wins
    assert ("BD2019086HB8VVT", "BD2020021QK28YZ", "merge_event") in set(aliases)
    assert len([alias for alias, *_ in aliases if alias == "BD2019086HB8VVT"]) == 1
    assert {origin for *_, origin in aliases} == {"historical_os_id", "merge_event"}
    read = rows(
        home,
        "SELECT rows_read, rows_staged, rows_quarantined FROM quarantine.load_summary "
        "WHERE source_type = 'oshub_api'",
    )
    assert [(r, s + q) for r, s, q in read] == [(13, 13)]  # a spelling shares its mention's row
