"""Issue 6's acceptance cases for the risk model, each on a small world built for it.

Two facilities that differ in exactly one respect are scored together, so every assertion compares like
with like: a list hit on the name or the parent company, the age and status of a finding, a DOL listing,
and the removal of all facility-level data.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from risk_model.inputs import RiskInputs
from risk_model.parameters import load_parameters
from risk_model.score import score_facilities

AS_OF = date(2026, 11, 1)
PARAMS = load_parameters()
FINDING_COLUMNS = {
    "finding_id": pl.String,
    "audit_id": pl.String,
    "record_id": pl.String,
    "scheme": pl.String,
    "scheme_version": pl.String,
    "audit_date": pl.Date,
    "audit_expiry_date": pl.Date,
    "ilo_indicator": pl.String,
    "severity": pl.String,
    "corrective_action_status": pl.String,
}


def facility(facility_id: str, name: str, **extra) -> dict:
    row = {
        "facility_id": facility_id,
        "name": name,
        "country_code": "CN",
        "lat": 30.0,
        "lng": 120.0,
        "os_id": None,
        "sectors": ["Apparel"],
        "product_types": [],
        "parent_company": None,
        "workers_min": 500,
        "workers_max": 500,
        "contributors": ["Brand A"],
    }
    return row | extra


def finding(finding_id: str, record_id: str, audit_date: date, status: str, **extra) -> dict:
    row = {
        "finding_id": finding_id,
        "audit_id": f"A-{finding_id}",
        "record_id": record_id,
        "scheme": "SMETA",
        "scheme_version": "7.0",
        "audit_date": audit_date,
        "audit_expiry_date": date(audit_date.year + 1, audit_date.month, audit_date.day),
        "ilo_indicator": "debt_bondage",
        "severity": "critical",
        "corrective_action_status": status,
    }
    return row | extra


def world(facility_rows: list[dict], findings: list[dict] = (), **overrides) -> RiskInputs:
    """Facilities with one record each (record id = r-<facility id>) and the given evidence."""
    facilities = pl.DataFrame(
        facility_rows,
        schema_overrides={
            "os_id": pl.String,
            "parent_company": pl.String,
            "product_types": pl.List(pl.String),
        },
    )
    links = pl.DataFrame(
        {"record_id": [f"r-{f}" for f in facilities["facility_id"]], "facility_id": facilities["facility_id"]}
    )
    base = dict(
        facilities=facilities,
        record_links=links,
        audit_findings=pl.DataFrame(list(findings), schema=FINDING_COLUMNS),
        grievances=pl.DataFrame(
            schema={"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String}
        ),
        surveys=pl.DataFrame(
            schema={
                "record_id": pl.String,
                "survey_period": pl.String,
                "ilo_indicator": pl.String,
                "respondents": pl.Int64,
                "respondents_reporting": pl.Int64,
            }
        ),
        dol_goods=pl.DataFrame(
            {
                "entry_id": ["dol-garments-cn"],
                "good": ["Garments"],
                "country_code": ["CN"],
                "child_labor": [False],
                "forced_labor": [False],
                "forced_child_labor": [False],
            }
        ),
        entity_lists=pl.DataFrame(
            {
                "entry_id": ["uflpa-1"],
                "list_name": ["uflpa_entity_list"],
                "entity_name": ["Xinjiang Lucky Textile Co., Ltd."],
                "aliases": [["Lucky Textile Group"]],
                "country_code": ["CN"],
            }
        ),
        as_of=AS_OF,
    )
    return RiskInputs(**(base | overrides))


def rows(inputs: RiskInputs) -> dict[str, dict]:
    scored = score_facilities(inputs, PARAMS)
    return {row["facility_id"]: row for row in scored["facility_risk"].iter_rows(named=True)} | {
        "_drivers": scored["facility_risk_drivers"],
        "_hits": scored["list_screening_hits"],
    }


@pytest.mark.parametrize(
    "listed",
    [
        {"name": "Xinjiang Lucky Textile Company Limited"},  # the entity's name, another legal form
        {"name": "Kashgar Weaving Mill", "parent_company": "Lucky Textile Group"},  # the parent, an alias
    ],
    ids=["name", "parent"],
)
def test_uflpa_name_or_parent_match_is_critical_with_the_list_entry_as_evidence(listed):
    clean_audit = [finding("f-ok", "r-F-LISTED", date(2026, 6, 1), "closed", ilo_indicator=None)]
    result = rows(
        world(
            [facility("F-LISTED", **({"name": ""} | listed)), facility("F-OTHER", "Hangzhou Knit Mill")],
            findings=clean_audit,
        )
    )
    assert result["F-LISTED"]["risk_band"] == "critical"
    assert result["F-LISTED"]["list_exposure_score"] == 100
    hit = result["_hits"].row(0, named=True)
    assert (hit["facility_id"], hit["list_entry_id"], hit["status"]) == ("F-LISTED", "uflpa-1", "confirmed")
    evidence = result["_drivers"].filter(pl.col("component") == "list_exposure").row(0, named=True)
    assert evidence["evidence_list_entry"] == "uflpa-1"
    assert evidence["evidence_source"] == "uflpa_entity_list"
    assert "Xinjiang Lucky Textile Co., Ltd." in evidence["description"]
    assert result["F-OTHER"]["risk_band"] != "critical"


def test_a_fuzzy_list_match_is_a_pending_lead_not_a_confirmed_hit():
    result = rows(world([facility("F-NEAR", "Xinjiang Luky Textiles Co Ltd")]))
    hit = result["_hits"].row(0, named=True)
    assert hit["status"] == "candidate" and 0.88 <= hit["match_score"] < 1
    assert 0 < result["F-NEAR"]["list_exposure_score"] < 100


def test_aliases_from_source_records_are_screened_too():
    records = pl.DataFrame(
        {"record_id": ["r-F-ALIAS"], "name": ["Lucky Textile Group"], "parent_company": [None]}
    )
    result = rows(world([facility("F-ALIAS", "Kashgar Weaving Mill")], facility_records=records))
    assert result["_hits"]["screened_name"].to_list() == ["Lucky Textile Group"]


def test_recent_open_critical_debt_bondage_scores_above_an_old_closed_one():
    findings = [
        finding("f-new", "r-F-NEW", date(2026, 9, 1), "open"),
        finding("f-old", "r-F-OLD", date(2023, 9, 1), "closed"),
    ]
    result = rows(world([facility("F-NEW", "Alpha Knit"), facility("F-OLD", "Beta Knit")], findings))
    new, old = result["F-NEW"], result["F-OLD"]
    assert new["audit_score"] > old["audit_score"] > 0
    assert new["risk_score"] > old["risk_score"]
    assert "debt bondage" in new["driver_1"] and new["driver_1"].startswith("Open critical")


def test_an_expired_audit_is_noted_as_a_driver():
    findings = [finding("f-old", "r-F-OLD", date(2023, 9, 1), "closed")]
    drivers = rows(world([facility("F-OLD", "Beta Knit")], findings))["_drivers"]
    notes = drivers.filter(pl.col("description").str.starts_with("Latest audit expired on 2024-09-01"))
    assert (
        notes.height == 1
        and notes["points"][0] == 0
        and notes["evidence_source"][0] == "social audit A-f-old"
    )


def test_a_dol_forced_labour_country_good_raises_the_sector_component():
    plain = world([facility("F-1", "Alpha Knit")])
    forced = world(
        [facility("F-1", "Alpha Knit")],
        dol_goods=plain.dol_goods.with_columns(forced_labor=pl.lit(True)),
    )
    child = world(
        [facility("F-1", "Alpha Knit")],
        dol_goods=plain.dol_goods.with_columns(child_labor=pl.lit(True)),
    )
    before, after, child_only = rows(plain)["F-1"], rows(forced)["F-1"], rows(child)["F-1"]
    assert before["sector_score"] == 0
    assert after["sector_score"] > child_only["sector_score"] > 0  # forced labour weighs more
    assert after["risk_score"] > before["risk_score"]
    sector = rows(forced)["_drivers"].filter(pl.col("component") == "sector")
    assert sector["evidence_list_entry"].to_list() == ["dol-garments-cn"]


def test_removing_all_facility_level_data_lowers_confidence_and_never_yields_low():
    findings = [finding("f-1", "r-F-1", date(2026, 9, 1), "closed", severity="observation")]
    grievances = pl.DataFrame(
        {
            "record_id": ["r-F-1"] * 12,
            "received_date": [date(2026, 8, 1)] * 12,
            "ilo_indicator": [None] * 12,
        },
        schema={"record_id": pl.String, "received_date": pl.Date, "ilo_indicator": pl.String},
    )
    full = rows(
        world([facility("F-1", "Gamma Garments", sectors=["Furniture"])], findings, grievances=grievances)
    )
    bare_world = world([facility("F-1", "Gamma Garments", sectors=["Furniture"], lat=None, lng=None)])
    bare = rows(bare_world)["F-1"]
    assert full["F-1"]["risk_band"] == "low"  # a recent, clean audit and a quiet grievance channel
    assert bare["confidence"] < full["F-1"]["confidence"]
    assert bare["risk_band"] == "unknown"


def test_stale_evidence_alone_cannot_make_a_facility_low():
    findings = [finding("f-1", "r-F-1", date(2020, 1, 1), "closed", severity="observation")]
    result = rows(world([facility("F-1", "Gamma Garments", sectors=["Furniture"])], findings))["F-1"]
    assert result["confidence"] < PARAMS["low_band_min_confidence"]
    assert result["risk_band"] == "unknown"


def test_grievances_are_normalised_by_workforce_size():
    grievances = pl.DataFrame(
        {
            "record_id": ["r-F-SMALL"] * 12 + ["r-F-LARGE"] * 12,
            "received_date": [date(2026, 8, 1)] * 24,
            "ilo_indicator": ["withholding_of_wages"] * 24,
        }
    )
    result = rows(
        world(
            [
                facility("F-SMALL", "Small Mill", workers_min=100, workers_max=100),
                facility("F-LARGE", "Large Mill", workers_min=5000, workers_max=5000),
            ],
            grievances=grievances,
        )
    )
    assert result["F-SMALL"]["worker_voice_score"] > result["F-LARGE"]["worker_voice_score"] > 0


def test_scores_are_reproducible():
    inputs = world(
        [facility("F-1", "Alpha Knit"), facility("F-2", "Xinjiang Lucky Textile Co")],
        [finding("f-1", "r-F-1", date(2026, 9, 1), "open")],
    )
    first, second = score_facilities(inputs, PARAMS), score_facilities(inputs, PARAMS)
    for table in first:
        assert first[table].equals(second[table]), table


# --- Issue 18: through the real refresh_all job on the demo, plus a new brand list ------------------------
# A brand list with Chinese-script names of listed entities, a name hiding a zero-width space, Xinjiang
# facilities on no list (English, pinyin and Chinese addresses), coordinates contradicting addresses, and
# products named only in the name. Every one must be screened, presumed or scored as the methodology says.

import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from risk_model.bands import BAND_ORDER, band_ranges  # noqa: E402

BRAND = "Sinotex Sourcing"
PRESUMPTION = "located in the Xinjiang Uyghur Autonomous Region: UFLPA rebuttable presumption"
BRAND_ROWS = {  # key -> (name, address, lat, lng)
    "chinese_listed": ("和田泰达服装有限公司", "新疆和田市北京西路", "", ""),
    "hidden_space": ("Hoshine\u200bSilicon Industry Co., Ltd.", "Shanshan County, Turpan, Xinjiang", "", ""),
    "kashgar_mill": ("Kashgar Tianshan Cotton Spinning Co Ltd", "Industrial Park, Kashgar, Xinjiang", "", ""),
    "urumqi_chinese": ("乌鲁木齐新丝路纺织有限公司", "乌鲁木齐市经济技术开发区", "", ""),
    "guangdong_in_xj": (
        "Guangzhou Sunrise Garment Co",
        "Tianhe District, Guangzhou, Guangdong",
        "43.80",
        "87.60",
    ),
    "xj_in_guangdong": ("Hotan Jade Weaving Co", "Jiefang Road, Hotan, Xinjiang", "23.13", "113.26"),
    "urumqi_road": ("Shanghai Bright Knit Co", "No 8 Urumqi Road, Xuhui District, Shanghai", "", ""),
    "tomato": ("Ningbo Redsun Tomato Products Co", "Yinzhou District, Ningbo, Zhejiang", "", ""),
}


def _flrisk(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"FLRISK_HOME": str(home)}
    command = [str(Path(sys.executable).with_name("flrisk")), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def brand_run(tmp_path_factory):
    """The demo bundle plus BRAND's list, through one real refresh_all run; (home, tables, ids)."""
    from tests.demo_run import demo_environment, run_demo_job
    from warehouse.received import register_demo_bundle, register_file

    home = tmp_path_factory.mktemp("issue18_home")
    brand_file = tmp_path_factory.mktemp("brand") / "sinotex_2026.csv"
    with open(brand_file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["country", "name", "address", "sector", "product_type", "lat", "lng", "supplier_code"]
        )
        for key, (name, address, lat, lng) in BRAND_ROWS.items():
            writer.writerow(["China", name, address, "", "", lat, lng, f"SX-{key}"])
    with demo_environment(home):
        register_demo_bundle()
        register_file(brand_file, "supplier-list", BRAND)
        assert run_demo_job().success
        import duckdb

        from warehouse.home import flrisk_home

        database = next(flrisk_home().rglob("*.duckdb"))
        with duckdb.connect(str(database), read_only=True) as con:
            tables = {
                name: con.sql(f"SELECT * FROM published.{name}").pl()
                for name in ("facility_risk", "facility_risk_drivers", "list_screening_hits")
            }
            links = con.sql(
                "SELECT r.name, l.facility_id FROM staged.facility_records r "
                "JOIN resolved.record_links l USING (record_id) WHERE r.contributor = ?",
                params=[BRAND],
            ).pl()
    names = {name: key for key, (name, *_) in BRAND_ROWS.items()}
    ids = {
        names[row["name"]]: row["facility_id"] for row in links.iter_rows(named=True) if row["name"] in names
    }
    assert set(ids) == set(BRAND_ROWS), ids
    return home, tables, ids


def _risk(tables, facility_id) -> dict:
    return tables["facility_risk"].filter(pl.col("facility_id") == facility_id).row(0, named=True)


def _drivers(tables, facility_id) -> pl.DataFrame:
    return tables["facility_risk_drivers"].filter(pl.col("facility_id") == facility_id).sort("driver_rank")


def test_no_published_facility_has_a_score_outside_its_band(brand_run):
    _, tables, _ = brand_run
    ranges = band_ranges(PARAMS)
    for row in tables["facility_risk"].iter_rows(named=True):
        low, high = ranges[row["risk_band"]]
        assert low <= row["risk_score"] < high, row
        assert row["band_reason"], row  # every band says why, low and unknown included


def test_chinese_script_name_of_a_listed_entity_is_screened_and_confirmed(brand_run):
    _, tables, ids = brand_run
    facility = ids["chinese_listed"]
    hits = tables["list_screening_hits"].filter(pl.col("facility_id") == facility)
    uflpa = hits.filter(pl.col("list_entity_name") == "Hetian Taida Apparel Co., Ltd.")
    assert set(uflpa["list_name"]) == {"uflpa_entity_list", "cbp_wro_findings"}
    assert set(uflpa["status"]) == {"confirmed"}
    risk = _risk(tables, facility)
    assert risk["risk_band"] == "critical" and risk["risk_score"] >= 70
    first = _drivers(tables, facility).row(0, named=True)
    assert first["driver_kind"] == "forcing" and risk["driver_1"] == first["description"]


def test_a_zero_width_space_does_not_evade_screening_and_is_shown(brand_run):
    home, tables, ids = brand_run
    facility = ids["hidden_space"]
    hits = tables["list_screening_hits"].filter(
        (pl.col("facility_id") == facility) & pl.col("list_entity_name").str.starts_with("Hoshine")
    )
    assert hits.height >= 1
    hidden = hits.filter(pl.col("screened_name").str.contains("\u200b", literal=True))
    assert set(hidden["status"]) <= {"candidate", "confirmed"} and hidden.height >= 1
    profile = _flrisk(home, "facility", facility)
    assert profile.returncode == 0 and "⟨U+200B⟩" in profile.stdout
    listed = _flrisk(home, "review-hit", "--list", "--all")
    assert "⟨U+200B⟩" in listed.stdout


@pytest.mark.parametrize("key", ["kashgar_mill", "urumqi_chinese", "hidden_space", "xj_in_guangdong"])
def test_xinjiang_facilities_on_no_list_are_presumed_high(brand_run, key):
    _, tables, ids = brand_run
    risk = _risk(tables, ids[key])
    assert BAND_ORDER[risk["risk_band"]] <= BAND_ORDER["high"] and risk["risk_score"] >= 45
    drivers = _drivers(tables, ids[key])
    location = drivers.filter(pl.col("component") == "location")
    assert location.height == 1 and PRESUMPTION in location["description"][0]
    assert location["driver_kind"][0] == "forcing"
    forcing_ranks = drivers.filter(pl.col("driver_kind") == "forcing")["driver_rank"].to_list()
    assert forcing_ranks == list(range(1, len(forcing_ranks) + 1))  # forcing evidence heads the list


def test_coordinates_contradicting_the_address_are_flagged(brand_run):
    _, tables, ids = brand_run
    plotted_in_xj = _risk(tables, ids["guangdong_in_xj"])
    assert "address names guangdong" in plotted_in_xj["location_check"]
    assert _drivers(tables, ids["guangdong_in_xj"]).filter(pl.col("component") == "location").is_empty()
    assert "plotted outside it" in _risk(tables, ids["xj_in_guangdong"])["location_check"]
    street = _risk(tables, ids["urumqi_road"])  # Urumqi Road in Shanghai is a street, not Urumqi
    assert street["location_check"] is None
    assert _drivers(tables, ids["urumqi_road"]).filter(pl.col("component") == "location").is_empty()


@pytest.mark.parametrize("key,good", [("kashgar_mill", "Cotton"), ("tomato", "Tomato Products")])
def test_products_named_only_in_the_name_raise_the_sector_score(brand_run, key, good):
    _, tables, ids = brand_run
    assert _risk(tables, ids[key])["sector_score"] > 0
    inferred = _drivers(tables, ids[key]).filter(pl.col("driver_kind") == "inferred")
    assert inferred["description"].str.starts_with(good).any()
    assert inferred["description"].str.contains("inferred from name", literal=True).all()


def test_drivers_are_ranked_once_without_duplicates_or_empty_rows(brand_run):
    _, tables, _ = brand_run
    drivers = tables["facility_risk_drivers"]
    assert drivers.filter((pl.col("points") == 0) & (pl.col("driver_kind") != "expiry")).is_empty()
    assert (
        not drivers.select("facility_id", "component", "description", "evidence_record_id")
        .is_duplicated()
        .any()
    )
    per_facility = drivers.group_by("facility_id").agg(pl.col("driver_rank").sort(), pl.len())
    for row in per_facility.iter_rows(named=True):
        assert row["driver_rank"] == list(range(1, row["len"] + 1))
    for facility in per_facility.filter(pl.col("len") > 1)["facility_id"].to_list()[:200]:
        ranked = _drivers(tables, facility)
        kinds = ranked["driver_kind"].replace_strict(
            {"forcing": 0, "evidence": 1, "inferred": 1, "expiry": 2}
        )
        assert kinds.to_list() == sorted(kinds.to_list())


def test_every_surface_shows_the_same_state_and_order(brand_run):
    home, tables, ids = brand_run
    facility = ids["chinese_listed"]
    profile = json.loads(_flrisk(home, "facility", facility, "--json").stdout)
    expected = _drivers(tables, facility)["description"].to_list()
    assert [d["description"] for d in profile["drivers"]] == expected
    candidates = tables["list_screening_hits"].filter(pl.col("status") == "candidate")
    review_items = [i for i in profile["review_items"] if i["kind"] == "list screening hit"]
    assert all("candidate" in i["detail"] for i in review_items)
    listed = _flrisk(home, "review-hit", "--list").stdout
    assert all(hit_id in listed for hit_id in candidates["hit_id"].to_list())
    assert "confirmed" not in listed.replace("confirmed by", "")
    report = (home / "reports" / "brands" / "sinotex-sourcing.html").read_text(encoding="utf-8")
    data = json.loads(report.split('id="facility-data"')[1].split(">", 1)[1].split("</script>")[0])
    order = [(BAND_ORDER[r["band"]], -r["score"]) for r in data]
    assert order == sorted(order)
    page = next(r for r in data if r["id"] == facility)
    assert [d["description"] for d in page["drivers"]] == expected
    out = home / "drivers_export.csv"
    assert (
        _flrisk(home, "export", "facility_risk_drivers", "--format", "csv", "--out", str(out)).returncode == 0
    )
    exported = pl.read_csv(out).filter(pl.col("facility_id") == facility)
    assert exported["description"].to_list() == expected
    out = home / "hits_export.csv"
    assert (
        _flrisk(home, "export", "list_screening_hits", "--format", "csv", "--out", str(out)).returncode == 0
    )
    exported_hits = pl.read_csv(out).select("hit_id", "status").sort("hit_id")
    assert exported_hits.equals(tables["list_screening_hits"].select("hit_id", "status").sort("hit_id"))
    worst = json.loads(_flrisk(home, "brand", BRAND, "--json").stdout)["worst"]
    ranks = [(BAND_ORDER[r["risk_band"]], -r["risk_score"]) for r in worst]
    assert ranks == sorted(ranks)


def test_conflicting_review_flags_exit_2(brand_run):
    home, tables, _ = brand_run
    hit = tables["list_screening_hits"]["hit_id"][0]
    result = _flrisk(home, "review-hit", hit, "--confirm", "--reject", "--by", "tester")
    assert result.returncode == 2 and "contradict" in result.stderr
