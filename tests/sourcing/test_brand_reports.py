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
