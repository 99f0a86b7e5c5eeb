"""The per-brand HTML risk reports: written by the refresh_all job, offline, escaped, and rendered by a
real headless Chromium (table rows and map markers are built by the page's own script)."""

from __future__ import annotations

import re
import subprocess

import duckdb
import pytest

from risk_model.report.brand_report import render_brand_page

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--virtual-time-budget=5000",
    "--dump-dom",
]
EXTERNAL = re.compile(r"(?:https?|ftp|wss?):|(?<![:\w/])//[a-z0-9-]+(?:\.[a-z0-9-]+)+|@import|url\(", re.I)


def rendered_dom(browser: str, page, tmp_path) -> str:
    """The DOM after the page's scripts ran, as Chromium serialises it."""
    profile = tmp_path / "chromium-profile"
    command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def reports_dir(home):
    return home / "reports" / "brands"


def brand_facilities(home, brand: str) -> tuple[int, int]:
    """(facilities listed by the brand, those with coordinates) from the warehouse."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT count(*), count(f.lat) FROM published.facility_risk r "
            "JOIN resolved.facilities f USING (facility_id) WHERE list_contains(r.contributors, ?)",
            [brand],
        ).fetchall()[0]


def test_one_report_per_brand_and_an_index(demo_home):
    folder = reports_dir(demo_home)
    names = sorted(p.name for p in folder.glob("*.html"))
    assert names == ["bluefjord-outdoor.html", "casa-verde-home.html", "index.html", "northwind-apparel.html"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for page in names[:-1]:
        if page != "index.html":
            assert f'href="{page}"' in index


def test_reports_name_no_external_resource(demo_home):
    for page in reports_dir(demo_home).glob("*.html"):
        text = page.read_text(encoding="utf-8")
        found = EXTERNAL.search(text)
        assert found is None, f"{page.name}: {text[max(0, found.start() - 60) : found.end() + 60]!r}"
        assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", text, re.I), page.name


def test_chromium_renders_every_facility_row_and_map_marker(demo_home, browser, tmp_path):
    dom = rendered_dom(browser, reports_dir(demo_home) / "northwind-apparel.html", tmp_path)
    total, located = brand_facilities(demo_home, "Northwind Apparel")
    rows = re.findall(r'<tr data-facility-id="(FLR-[0-9A-F]{12})"', dom)
    markers = re.findall(r'<circle [^>]*class="marker band-(\w+)"', dom)
    assert len(rows) == total > 0
    assert len(markers) == located > 0
    assert "critical" in markers  # the planted UFLPA facility is on the map in the critical colour
    assert "Hetian Taida Apparel Company Limited" in dom
    assert "<details>" in dom and "list entry" in dom  # the drivers drill-down carries evidence
    assert f"{total} of {total} facilities shown" in dom


def test_untrusted_names_stay_text_in_the_rendered_page(browser, tmp_path):
    evil = '<img src=x onerror="document.title=\'pwned\'"></script><script>document.title="pwned"</script>'
    record = {
        "id": "FLR-00000000000A",
        "name": evil,
        "country": "CN",
        "os_id": None,
        "score": 80.0,
        "band": "critical",
        "confidence": 0.5,
        "lat": 30.0,
        "lng": 120.0,
        "drivers": [
            {"component": "audit", "points": 40.0, "description": evil, "evidence": "finding <b>x</b>"}
        ],
        "contributor_count": 1,
    }
    page = tmp_path / "evil.html"
    page.write_text(render_brand_page(evil, [record], {"as_of": "2026-11-23"}, "now"), encoding="utf-8")
    dom = rendered_dom(browser, page, tmp_path)
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert title.startswith("Forced-labour risk report: &lt;img")  # no injected script set it to "pwned"
    assert "<img" not in dom and "<b>x</b>" not in dom
    assert "&lt;img src=x onerror=" in dom  # shown as text
    assert len(re.findall(r'<tr data-facility-id="FLR-00000000000A"', dom)) == 1


@pytest.mark.parametrize("brand", ["Casa Verde Home", "Bluefjord Outdoor"])
def test_every_brand_page_lists_its_facilities(demo_home, brand):
    page = reports_dir(demo_home) / f"{brand.lower().replace(' ', '-')}.html"
    text = page.read_text(encoding="utf-8")
    total, _ = brand_facilities(demo_home, brand)
    assert text.count('"id":"FLR-') == total


BAND_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}


def _record(facility_id: str, band: str, score: float, lat: float | None, lng: float | None, name: str):
    return {
        "id": facility_id,
        "name": name,
        "country": "VN",
        "os_id": None,
        "score": score,
        "band": band,
        "confidence": 0.5,
        "lat": lat,
        "lng": lng,
        "drivers": [],
        "contributor_count": 1,
    }


def test_rows_are_ordered_by_band_then_score_in_the_browser(demo_home, browser, tmp_path):
    """Issue 19: within a band rows follow the score (not the id); the most severe band comes first."""
    dom = rendered_dom(browser, reports_dir(demo_home) / "northwind-apparel.html", tmp_path)
    cells = re.findall(
        r'<tr data-facility-id="FLR-[0-9A-F]{12}".*?<td class="num">([0-9.]+)</td>'
        r'<td><span class="pill band-(\w+)"',
        dom,
        re.S,
    )
    assert len(cells) > 10
    keys = [(BAND_RANK[band], -float(score)) for score, band in cells]
    assert keys == sorted(keys)
    assert len({band for _, band in cells}) > 1  # more than one band, so the order is really tested


def test_facilities_without_coordinates_are_counted_and_explained(browser, tmp_path):
    records = [
        _record("FLR-00000000000B", "high", 70.0, None, None, "No Place Mill"),
        _record("FLR-00000000000A", "critical", 90.0, 30.0, 120.0, "Mapped Mill"),
        _record("FLR-00000000000C", "high", 75.0, 10.0, 106.0, "Second Mill"),
    ]
    page = tmp_path / "unmapped.html"
    page.write_text(render_brand_page("Brand", records, {}, "now"), encoding="utf-8")
    dom = rendered_dom(browser, page, tmp_path)
    assert "1 of 3 facilities are not on the map" in dom and "gave usable coordinates" in dom
    assert "3 of 3 facilities shown, 2 on the map (1 without coordinates)" in dom
    assert dom.count('<span class="nomap">no coordinates: not on the map</span>') == 1
    assert len(re.findall(r'<circle [^>]*class="marker', dom)) == 2
    order = re.findall(r'<tr data-facility-id="(FLR-[0-9A-F]{12})"', dom)
    assert order == ["FLR-00000000000A", "FLR-00000000000C", "FLR-00000000000B"]


def test_demo_pages_say_how_many_facilities_are_off_the_map(demo_home):
    for brand in ("Northwind Apparel", "Casa Verde Home", "Bluefjord Outdoor"):
        total, located = brand_facilities(demo_home, brand)
        text = (reports_dir(demo_home) / f"{brand.lower().replace(' ', '-')}.html").read_text("utf-8")
        if located == total:
            assert f"All {total} facilities are on the map." in text
        else:
            assert f"{total - located} of {total} facilities are not on the map" in text


def test_index_shows_list_hits_and_evidence_dates(demo_home):
    index = (reports_dir(demo_home) / "index.html").read_text(encoding="utf-8")
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        confirmed, candidates = con.execute(
            "SELECT count(*) FILTER (status = 'confirmed'), count(*) FILTER (status = 'candidate') "
            "FROM published.list_screening_hits h JOIN published.facility_risk r USING (facility_id) "
            "WHERE list_contains(r.contributors, 'Northwind Apparel')"
        ).fetchone()
        newest, oldest = con.execute(
            "SELECT max(evidence_date), min(evidence_date) FROM published.facility_risk_drivers d "
            "JOIN published.facility_risk r USING (facility_id) "
            "WHERE list_contains(r.contributors, 'Northwind Apparel')"
        ).fetchone()
    row = re.search(r'<tr data-brand="Northwind Apparel">(.*?)</tr>', index, re.S).group(1)
    assert confirmed + candidates > 0
    assert f"{confirmed} confirmed, {candidates} to review" in row
    assert f"<td>{newest.isoformat()}</td><td>{oldest.isoformat()}</td>" in row
    assert "list hits</th>" in index and "newest evidence</th>" in index


def test_the_world_outline_draws_no_line_across_the_map():
    """Shapes crossing the 180° meridian (Chukotka, Fiji) are cut or unwrapped, not joined across."""
    import json
    from pathlib import Path

    from risk_model.report import antimeridian

    world = json.loads((Path(antimeridian.__file__).with_name("world_110m.json")).read_text("utf-8"))
    assert antimeridian.crossing_edges(world["land"]) == []
    assert antimeridian.crossing_edges(world["borders"]) == []
    assert antimeridian.fix_land(world["land"]) == world["land"]  # committed already fixed
    # Fiji (about 17°S) is drawn on both sides of the meridian
    fiji = [p for p, _ in antimeridian.parse(world["land"]) if all(15 < y < 18 for _, y in p)]
    assert any(max(x for x, _ in p) > 179 for p in fiji) and any(min(x for x, _ in p) < -179 for p in fiji)


def test_a_ring_crossing_the_meridian_becomes_two_drawable_rings():
    from risk_model.report.antimeridian import crossing_edges, fix_land, fix_lines, parse

    ring = "M178 -60L-178 -60L-178 -70L178 -70Z"  # a square straddling 180° at 60-70°N
    fixed = fix_land(ring)
    assert crossing_edges(ring) and not crossing_edges(fixed)
    rings = [points for points, _ in parse(fixed)]
    assert len(rings) == 2
    assert sorted((min(x for x, _ in r), max(x for x, _ in r)) for r in rings) == [(-182, -178), (178, 182)]
    assert fix_lines("M170 0L179 1L-179 2L-170 3") == "M170 0L179 1M-179 2L-170 3"


def _history_row(brands: list[str], kinds: list[str], old_hits=(), new_hits=()) -> dict:
    return {
        "contributors": brands,
        "change_kinds": kinds,
        "old_list_hits": list(old_hits),
        "new_list_hits": list(new_hits),
    }


def test_index_counts_each_brands_changes_since_the_previous_run():
    """New facilities, band moves and facilities gaining a list hit, counted per brand from the history
    rows of the last run; a candidate becoming confirmed is a new hit; no history run: dashes, said why."""
    import polars as pl

    from risk_model.report.brand_report import index_entry, render_index

    rows = [
        _history_row(["A Brand"], ["new"]),
        _history_row(["A Brand", "B Brand"], ["band_up", "list_hits"], [], ["uflpa: X [candidate]"]),
        _history_row(["A Brand"], ["band_down", "score"]),
        _history_row(["A Brand"], ["list_hits"], ["uflpa: Y [candidate]"], ["uflpa: Y [confirmed]"]),
        _history_row(["B Brand"], ["list_hits"], ["uflpa: Z [candidate]"], []),  # a hit gone is not new
        # a known facility with a confirmed hit that B Brand's list now includes: added for B (its hit
        # is news to B), nothing for A, which listed it already
        _history_row(
            ["A Brand", "B Brand"], ["added_to_brand"], ["uflpa: W [confirmed]"], ["uflpa: W [confirmed]"]
        )
        | {"brands_added": ["B Brand"]},
    ]
    history = pl.DataFrame(rows, schema_overrides={"old_list_hits": pl.List(pl.String)})
    hits = pl.DataFrame(
        {"facility_id": [], "status": []}, schema={"facility_id": pl.String, "status": pl.String}
    )
    a_brand = index_entry("A Brand", "a-brand", [], hits, history)
    b_brand = index_entry("B Brand", "b-brand", [], hits, history)
    assert a_brand["changes"] == {
        "new": 1,
        "added_to_brand": 0,
        "band_up": 1,
        "band_down": 1,
        "new_list_hits": 2,
    }
    assert b_brand["changes"] == {
        "new": 0,
        "added_to_brand": 1,
        "band_up": 1,
        "band_down": 0,
        "new_list_hits": 2,
    }
    page = render_index([a_brand, b_brand], "now", {"run_id": "run-7", "recorded_at": "2026-12-01 10:00 UTC"})
    row = re.search(r'<tr data-brand="A Brand">(.*?)</tr>', page, re.S).group(1)
    changes = dict(re.findall(r'data-change="(\w+)">(\d+)<', row))
    assert changes == {
        "new": "1",
        "added_to_brand": "0",
        "band_up": "1",
        "band_down": "1",
        "new_list_hits": "2",
    }
    assert "run <code>run-7</code> at 2026-12-01 10:00 UTC" in page
    never = render_index([index_entry("A Brand", "a-brand", [], hits, None)], "now", None)
    assert 'data-change="new">-<' in never and "no run has recorded facility history yet" in never


def test_demo_index_counts_every_facility_as_new_after_the_first_run(demo_home):
    index = (reports_dir(demo_home) / "index.html").read_text(encoding="utf-8")
    total, _ = brand_facilities(demo_home, "Northwind Apparel")
    row = re.search(r'<tr data-brand="Northwind Apparel">(.*?)</tr>', index, re.S).group(1)
    changes = dict(re.findall(r'data-change="(\w+)">(\d+)<', row))
    assert changes["new"] == str(total) and changes["band_up"] == changes["band_down"] == "0"
    assert "changes since the previous run</th>" in index
