"""Static HTML risk report per brand: a sortable, filterable facility table, a map of the facilities
coloured by band, and a drill-down of every facility's drivers with their evidence.

Pages are self-contained and work offline: inline CSS and vanilla JS beside this module, the map drawn
as inline SVG from bundled Natural Earth outlines (world_110m.json, see README.md), no external script,
font, image or tile. Facility data travels as JSON inside a `<script type="application/json">` element
with `<`, `>` and `&` escaped, and the script writes it into the page with `textContent` only, so a
facility name is always text, never markup. Everything else interpolated into HTML is escaped.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path

import polars as pl

from risk_model.bands import severity_order
from risk_model.history import change_counts, for_brand
from risk_model.text_safety import visible

HERE = Path(__file__).parent
BANDS = ("critical", "high", "medium", "low", "unknown")
EVIDENCE_FIELDS = (
    ("source", "evidence_source"),
    ("record", "evidence_record_id"),
    ("date", "evidence_date"),
    ("list entry", "evidence_list_entry"),
    ("finding", "evidence_finding_id"),
)


@cache
def _asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def slug(name: str, taken: set[str]) -> str:
    """A file-name-safe slug for a brand ("Casa Verde Home" -> "casa-verde-home"), unique in `taken`."""
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or "brand"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def script_json(value: object) -> str:
    """JSON safe to place inside a <script> element (no `<`, `>` or `&` can end or open a tag)."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def facility_records(
    brand: str, facility_risk: pl.DataFrame, drivers: pl.DataFrame, facilities: pl.DataFrame
) -> list[dict]:
    """The brand's facilities by band severity then score, each with location, the reason for its band
    and its drivers in their one published order (`driver_rank`), evidence as text; names and texts with
    invisible or confusable characters show them (risk_model.text_safety.visible)."""
    listed = facility_risk.filter(pl.col("contributors").list.contains(brand)).join(
        facilities.select("facility_id", "lat", "lng"), on="facility_id", how="left"
    )
    evidence = pl.concat_str(
        [
            pl.when(pl.col(column).is_not_null()).then(
                pl.format(f"{label} {{}}", pl.col(column).cast(pl.String))
            )
            for label, column in EVIDENCE_FIELDS
        ],
        separator="; ",
        ignore_nulls=True,
    )
    per_facility = (
        drivers.filter(pl.col("facility_id").is_in(listed["facility_id"].implode()))
        .sort("facility_id", *(["driver_rank"] if "driver_rank" in drivers.columns else []), "driver_id")
        .with_columns(
            evidence=evidence, description=pl.col("description").map_elements(visible, return_dtype=pl.String)
        )
        .group_by("facility_id", maintain_order=True)
        .agg(pl.struct("component", "points", "description", "evidence", "evidence_date").alias("drivers"))
    )
    rows = severity_order(listed.join(per_facility, on="facility_id", how="left"))
    for column in ("band_reason", "location_check"):
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(column))
    return rows.select(
        pl.col("facility_id").alias("id"),
        pl.col("facility_name").map_elements(visible, return_dtype=pl.String).alias("name"),
        pl.col("country_code").alias("country"),
        pl.col("os_id"),
        pl.col("risk_score").alias("score"),
        pl.col("risk_band").alias("band"),
        pl.col("band_reason"),
        pl.col("location_check"),
        pl.col("confidence"),
        pl.col("lat"),
        pl.col("lng"),
        pl.col("drivers").fill_null([]),
        pl.col("contributors").list.len().alias("contributor_count"),
    ).to_dicts()


def _graticule() -> str:
    lines = [f"M{lon} -90V90" for lon in range(-180, 181, 30)]
    lines += [f"M-180 {lat}H180" for lat in range(-90, 91, 30)]
    return "".join(lines)


def world_map_svg() -> str:
    """The static part of the map: graticule, land and borders (markers are added by the script)."""
    world = json.loads(_asset("world_110m.json"))
    return (
        '<svg id="map" viewBox="-180 -90 360 180" role="img" aria-label="Facilities by risk band">'
        f'<path class="graticule" d="{_graticule()}"/>'
        f'<path class="land" d="{escape(world["land"])}"/>'
        f'<path class="borders" d="{escape(world["borders"])}"/>'
        '<g id="markers"></g></svg>'
    )


def render_brand_page(brand: str, records: list[dict], summary: dict, generated: str) -> str:
    """One brand's report page."""
    counts = {band: sum(1 for r in records if r["band"] == band) for band in BANDS}
    band_items = "".join(
        f'<li><span class="swatch band-{band}"></span>{band}: {counts[band]}</li>' for band in BANDS
    )
    meta = (
        f"{len(records)} facilities · as of {escape(str(summary.get('as_of') or '-'))} · methodology "
        f"{escape(str(summary.get('methodology_version') or '-'))} · generated {escape(generated)}"
    )
    options = "".join(f'<option value="{band}">{band}</option>' for band in BANDS)
    return _asset("brand_report.html").format(
        unmapped=unmapped_note(records),
        title=escape(f"Forced-labour risk report: {brand}"),
        brand=escape(brand),
        meta=meta,
        band_items=band_items,
        band_options=options,
        map_svg=world_map_svg(),
        data=script_json(records),
        css=_asset("brand_report.css"),
        script=_asset("brand_report.js"),
    )


UNMAPPED_WHY = (
    "none of the records linked to them (Open Supply Hub, supplier lists, audits) gave usable coordinates "
    "(missing, or out of range and set aside at staging)"
)


def unmapped_note(records: list[dict]) -> str:
    """One sentence saying how many facilities the map cannot show and why (empty when all are shown)."""
    missing = sum(1 for r in records if r.get("lat") is None or r.get("lng") is None)
    if not missing:
        return f'<p class="unmapped" id="unmapped-note">All {len(records)} facilities are on the map.</p>'
    return (
        f'<p class="unmapped" id="unmapped-note" data-unmapped="{missing}">{missing} of {len(records)} '
        f"facilities are not on the map: {UNMAPPED_WHY}. They are in the table below, marked "
        "&ldquo;no coordinates&rdquo;.</p>"
    )


CHANGE_COLUMNS = (
    ("new", "new facilities"),
    ("added_to_brand", "added to the list"),
    ("band_up", "band up"),
    ("band_down", "band down"),
    ("new_list_hits", "new list hits"),
)


def index_entry(
    name: str, page_slug: str, records: list[dict], hits: pl.DataFrame, changes: pl.DataFrame | None = None
) -> dict:
    """One brand's line of the index: facility and band counts, list hits, coordinates, evidence dates,
    and changes since the previous run. `hits` is published.list_screening_hits (any brand); dismissed
    hits are not counted. `changes` is the history rows (published.facility_risk_history) of the last
    run, any brand; None when no run has recorded history yet."""
    ids = [r["id"] for r in records]
    changed = None
    if changes is not None:
        counts = change_counts(for_brand(changes, name))
        changed = {kind: counts.get(kind, 0) for kind, _ in CHANGE_COLUMNS}
    own = hits.filter(pl.col("facility_id").is_in(ids) & (pl.col("status") != "dismissed"))
    dates = sorted(
        str(d["evidence_date"])[:10] for r in records for d in r["drivers"] if d.get("evidence_date")
    )
    return {
        "name": name,
        "slug": page_slug,
        "facilities": len(records),
        "bands": {band: sum(1 for r in records if r["band"] == band) for band in BANDS},
        "confirmed_hits": own.filter(pl.col("status") == "confirmed").height,
        "candidate_hits": own.filter(pl.col("status") == "candidate").height,
        "located": sum(1 for r in records if r.get("lat") is not None and r.get("lng") is not None),
        "oldest_evidence": dates[0] if dates else None,
        "newest_evidence": dates[-1] if dates else None,
        "changes": changed,
    }


INDEX_SINGLE_COLUMNS = ("list hits", "on the map", "newest evidence", "oldest evidence")


def _change_cells(entry: dict) -> str:
    changed = entry.get("changes")
    return "".join(
        f'<td class="num change" data-change="{kind}">{changed[kind] if changed else "-"}</td>'
        for kind, _ in CHANGE_COLUMNS
    )


def _change_note(last_run: dict | None) -> str:
    """What the change columns compare (the last run against the one before), or why they are empty."""
    if not last_run:
        return "Changes: no run has recorded facility history yet."
    return (
        f"Changes since the previous run: recorded by run <code>{escape(str(last_run['run_id']))}</code> "
        f"at {escape(str(last_run['recorded_at']))} (published.facility_risk_history; the first run records "
        "every facility as new). New facilities: first resolved in that run; added to the list: already "
        "known facilities the brand's data mention for the first time (their band, hits and drivers count "
        "as news for the brand); band up / down: moved between bands (unknown &lt; low &lt; medium &lt; "
        "high &lt; critical); new list hits: facilities with a list hit they did not have (or one newly "
        "confirmed). Details: <code>flrisk changes --brand NAME</code>."
    )


def render_index(brands: list[dict], generated: str, last_run: dict | None = None) -> str:
    """The index page: one line per brand (see `index_entry`), linking its report; `last_run` names the
    run whose changes the change columns count ({"run_id", "recorded_at"}, None before any)."""
    rows = "".join(
        f'<tr data-brand="{escape(b["name"])}"><td><a href="{escape(b["slug"])}.html">{escape(b["name"])}</a>'
        f'</td><td class="num">{b["facilities"]}</td>'
        + "".join(f'<td class="num">{b["bands"].get(band, 0)}</td>' for band in BANDS)
        + f'<td class="num hits">{b["confirmed_hits"]} confirmed, {b["candidate_hits"]} to review</td>'
        f'<td class="num">{b["located"]} of {b["facilities"]}</td>'
        f"<td>{escape(b['newest_evidence'] or 'none')}</td><td>{escape(b['oldest_evidence'] or 'none')}</td>"
        + _change_cells(b)
        + "</tr>"
        for b in brands
    )
    single = "".join(f'<th rowspan="2">{label}</th>' for label in INDEX_SINGLE_COLUMNS)
    first_row = (
        '<tr><th rowspan="2">brand</th><th rowspan="2">facilities</th>'
        f'<th colspan="{len(BANDS)}">by band</th>{single}'
        f'<th colspan="{len(CHANGE_COLUMNS)}">changes since the previous run</th></tr>'
    )
    second_row = (
        "<tr>"
        + "".join(f"<th>{band}</th>" for band in BANDS)
        + "".join(f'<th class="change">{label}</th>' for _, label in CHANGE_COLUMNS)
        + "</tr>"
    )
    columns = 2 + len(BANDS) + len(INDEX_SINGLE_COLUMNS) + len(CHANGE_COLUMNS)
    empty = f"<tr><td colspan={columns}>No brand supplier lists loaded.</td></tr>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Brand risk reports</title><style>{_asset('brand_report.css')}</style></head><body>"
        f'<h1>Brand risk reports</h1><p class="meta">generated {escape(generated)}</p>'
        f'<table class="index"><thead>{first_row}{second_row}</thead><tbody>{rows or empty}</tbody></table>'
        '<p class="meta">List hits: confirmed by a reviewer, or candidates awaiting review '
        "(<code>flrisk review-hit --list</code>); dismissed hits are not counted. Evidence dates: the "
        "newest and oldest dated evidence (audit, worker voice, list entry) behind the drivers of the "
        "brand&rsquo;s facilities.</p>"
        f'<p class="meta" id="changes-note">{_change_note(last_run)}</p>'
        "</body></html>\n"
    )
