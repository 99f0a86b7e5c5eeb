"""What the sourcing team asks of the warehouse: find a facility, its profile, a brand's exposure.

Everything here reads through `cli.query` (short-lived, read-only connections, bound values) and
returns plain Python structures; the CLI in `cli.sourcing` only formats them.

Finding a facility: a facility id (FLR-...) or an OS ID is looked up exactly; anything else goes through
`flrisk search` (cli.search_queries: names in every spelling, addresses, cities, parent companies). The
only match, or one clearly ahead of the next, is the answer; otherwise the ranked candidates are
returned for the user to choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cli.export import BAND_SEVERITY
from cli.query import fetch
from cli.search_queries import mentions_table

FACILITY_ID = re.compile(r"^FLR-[0-9A-F]{12}$")
OS_ID = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$")
CLEAR_MATCH = 90.0
CLEAR_MARGIN = 5.0
BAND_SEVERITY_SQL = BAND_SEVERITY  # risk_model.bands.BAND_ORDER: lists sort by band severity, then score
MAX_CANDIDATES = 10


@dataclass
class Lookup:
    """The facility found (`facility_id`) or, when the name is ambiguous or unknown, the candidates."""

    facility_id: str | None
    candidates: list[dict] = field(default_factory=list)
    note: str = ""  # e.g. the id asked for was merged into this facility


def find_facility(query: str, database: Path | None = None) -> Lookup:
    """Resolve an id, OS ID or (fuzzy) name to one facility, or to a list of candidates."""
    text = query.strip()
    if FACILITY_ID.match(text.upper()) or OS_ID.match(text.upper()):
        rows = fetch(
            "SELECT facility_id FROM resolved.facilities WHERE facility_id = ? OR os_id = ? "
            "OR list_contains(os_ids, ?) ORDER BY facility_id",
            [text.upper()] * 3,
            database,
        )
        ids = rows["facility_id"].to_list()
        if not ids and FACILITY_ID.match(text.upper()):
            return _former_id(text.upper(), database)
        return Lookup(ids[0]) if len(ids) == 1 else Lookup(None, [{"facility_id": i} for i in ids])
    return _find_by_name(text, database)


def _former_id(alias_id: str, database: Path | None) -> Lookup:
    """A facility id retired by a merge leads to the facility it was merged into, saying so."""
    rows = fetch(
        "SELECT facility_id, reason FROM resolved.facility_id_aliases WHERE alias_id = ? "
        "ORDER BY facility_id",
        [alias_id],
        database,
    ).to_dicts()
    if len(rows) != 1:
        return Lookup(None, [{"facility_id": row["facility_id"]} for row in rows])
    target = rows[0]["facility_id"]
    return Lookup(
        target, note=f"{alias_id} is a former id ({rows[0]['reason']}): it now belongs to {target}."
    )


def _find_by_name(text: str, database: Path | None) -> Lookup:
    """The facility `flrisk search` ranks first when it is the only match or clearly ahead; else the
    ranked candidates, best first."""
    from cli.search_queries import search_facilities, single_answer

    results = search_facilities(text, limit=MAX_CANDIDATES, database=database)
    return Lookup(single_answer(results), results)


def facility_profile(facility_id: str, database: Path | None = None) -> dict:
    """Names and addresses seen by source, OS IDs, brands, score, band, drivers, open review items and
    the human decisions (list hits, matches) behind the facility."""
    facility = fetch(
        "SELECT facility_id, name, address, country_code, lat, lng, os_id, os_ids, sectors, product_types "
        "FROM resolved.facilities WHERE facility_id = ?",
        [facility_id],
        database,
    ).to_dicts()
    if not facility:
        raise KeyError(facility_id)
    seen = fetch(
        "SELECT r.source_type, r.contributor, r.name, r.address, r.os_id, r.source_file, r.source_row "
        f"FROM {mentions_table(database)} r JOIN resolved.record_links l USING (record_id) "
        "WHERE l.facility_id = ? ORDER BY r.source_type, r.contributor, r.source_file, r.source_row",
        [facility_id],
        database,
    )
    risk = fetch("SELECT * FROM published.facility_risk WHERE facility_id = ?", [facility_id], database)
    drivers = fetch(
        "SELECT component, points, description, evidence_source, evidence_record_id, evidence_date, "
        "evidence_list_entry, evidence_finding_id FROM published.facility_risk_drivers "
        "WHERE facility_id = ? ORDER BY driver_rank, driver_id",
        [facility_id],
        database,
    )
    return {
        "facility": facility[0],
        "seen": seen.unique(
            ["source_type", "contributor", "name", "address"], maintain_order=True
        ).to_dicts(),
        "brands": sorted(set(seen.filter(pl.col("source_type") == "supplier_list")["contributor"].to_list())),
        "risk": risk.to_dicts()[0] if risk.height else None,
        "drivers": drivers.to_dicts(),
        "review_items": _review_items(facility_id, database),
        "decisions": _decisions(facility_id, database),
    }


def _review_items(facility_id: str, database: Path | None) -> list[dict]:
    """Open items a person must decide: pending match pairs and list hits awaiting review."""
    pairs = fetch(
        "SELECT 'possible duplicate' AS kind, q.pair_id AS item_id, "
        "'match score ' || round(q.match_score, 2) || ' with record ' || "
        "CASE WHEN l.record_id = q.record_id_left THEN q.record_id_right ELSE q.record_id_left END AS detail "
        "FROM resolved.review_queue q JOIN resolved.record_links l "
        "ON l.record_id IN (q.record_id_left, q.record_id_right) "
        "WHERE l.facility_id = ? AND q.status = 'pending' ORDER BY q.pair_id",
        [facility_id],
        database,
    )
    hits = fetch(
        "SELECT 'list screening hit' AS kind, hit_id AS item_id, "
        "list_name || ' entry ' || list_entity_name || ' (score ' || round(match_score, 2) || ', ' || "
        "status || ')' AS detail FROM published.list_screening_hits "
        "WHERE facility_id = ? AND status = 'candidate' ORDER BY hit_id",
        [facility_id],
        database,
    )
    return pl.concat([pairs, hits]).unique("item_id", maintain_order=True).to_dicts()


DECISIONS_SQL = """
SELECT 'list hit' AS kind, decision, decided_by, decided_at,
       list_name || ' entry ' || list_entity_name AS subject, note
FROM resolved.list_hit_decisions
WHERE facility_id = $id
   OR facility_id IN (SELECT alias_id FROM resolved.facility_id_aliases WHERE facility_id = $id)
UNION ALL
SELECT 'match' AS kind, decision, decided_by, decided_at,
       'records ' || record_id_left || ' and ' || record_id_right AS subject, note
FROM resolved.match_decisions
WHERE record_id_left IN (SELECT record_id FROM resolved.record_links WHERE facility_id = $id)
   OR record_id_right IN (SELECT record_id FROM resolved.record_links WHERE facility_id = $id)
ORDER BY decided_at, kind, subject
"""


def _decisions(facility_id: str, database: Path | None) -> list[dict]:
    """Human decisions that shaped this facility: confirmed or rejected list hits (also those recorded
    under an ID it absorbed) and match decisions on its records, oldest first."""
    return fetch(DECISIONS_SQL, {"id": facility_id}, database).to_dicts()


def find_brand(name: str, database: Path | None = None) -> tuple[str | None, list[str]]:
    """The contributor called `name`: an exact (case-insensitive) name, else the only contributor
    containing it, else one clear fuzzy match; and the candidates considered."""
    from rapidfuzz import fuzz, process

    contributors = fetch("SELECT contributor FROM published.brand_exposure", database=database)["contributor"]
    wanted = name.strip().casefold()
    for matches in (
        [c for c in contributors if c.casefold() == wanted],
        [c for c in contributors if wanted and wanted in c.casefold()],
    ):
        if matches:
            return (matches[0] if len(matches) == 1 else None), sorted(matches)
    ranked = process.extract(name, contributors.to_list(), scorer=fuzz.WRatio, limit=5, score_cutoff=70)
    candidates = [choice for choice, _, _ in ranked]
    clear = len(ranked) == 1 or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] >= CLEAR_MARGIN)
    return (candidates[0] if ranked and clear and ranked[0][1] >= CLEAR_MATCH else None), candidates


def brand_summary(contributor: str, database: Path | None = None) -> dict:
    """A contributor's brand_exposure row with its worst and shared facilities spelled out."""
    row = fetch("SELECT * FROM published.brand_exposure WHERE contributor = ?", [contributor], database)
    exposure = row.to_dicts()[0]
    facilities = fetch(
        "SELECT facility_id, facility_name, country_code, risk_score, risk_band, confidence, driver_1 "
        "FROM published.facility_risk WHERE list_contains(contributors, ?) "
        f"ORDER BY {BAND_SEVERITY_SQL}, risk_score DESC, facility_id",
        [contributor],
        database,
    )
    shared = set(exposure.get("shared_facility_ids") or [])
    return {
        "exposure": exposure,
        "worst": facilities.head(10).to_dicts(),
        "shared": facilities.filter(pl.col("facility_id").is_in(list(shared))).head(10).to_dicts(),
        "confirmed_hits": fetch(
            "SELECT h.facility_id, f.facility_name, h.list_name, h.list_entity_name FROM "
            "published.list_screening_hits h JOIN published.facility_risk f USING (facility_id) "
            "WHERE h.status = 'confirmed' AND list_contains(f.contributors, ?) ORDER BY h.facility_id",
            [contributor],
            database,
        ).to_dicts(),
    }
