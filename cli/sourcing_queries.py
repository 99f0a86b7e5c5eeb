"""What the sourcing team asks of the warehouse: find a facility, its profile, a brand's exposure.

Everything here reads through `cli.query` (short-lived, read-only connections, bound values) and
returns plain Python structures; the CLI in `cli.sourcing` only formats them.

Finding a facility: a facility id (FLR-...) or an OS ID is looked up exactly; anything else is a name,
compared with rapidfuzz (token_sort_ratio of entity_resolution's normalised names) against every name
any source gave any facility. One clear best match (score >= `CLEAR_MATCH` and `CLEAR_MARGIN` ahead of
the next facility) is the answer; otherwise the candidates are returned for the user to choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cli.query import fetch

FACILITY_ID = re.compile(r"^FLR-[0-9A-F]{12}$")
OS_ID = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$")
CLEAR_MATCH = 90.0
CLEAR_MARGIN = 5.0
CANDIDATE_FLOOR = 60.0
MAX_CANDIDATES = 10


@dataclass
class Lookup:
    """The facility found (`facility_id`) or, when the name is ambiguous or unknown, the candidates."""

    facility_id: str | None
    candidates: list[dict] = field(default_factory=list)


def mentions_table(database: Path | None = None) -> str:
    """Where facility mentions are read: the reader copy's `resolved.facility_mentions` (every source
    but worker voice, issue 17), else (no reader copy yet) staged.facility_records."""
    present = fetch(
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_schema = 'resolved' AND table_name = 'facility_mentions'",
        database=database,
    )
    return "resolved.facility_mentions" if present["n"][0] else "staged.facility_records"


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
        return Lookup(ids[0]) if len(ids) == 1 else Lookup(None, [{"facility_id": i} for i in ids])
    return _find_by_name(text, database)


def _find_by_name(text: str, database: Path | None) -> Lookup:
    from rapidfuzz import fuzz, process

    from entity_resolution.normalise import normalise_name, normalise_name_expr

    names = fetch(
        "SELECT DISTINCT l.facility_id, r.name, f.name AS facility_name, f.country_code "
        f"FROM {mentions_table(database)} r JOIN resolved.record_links l USING (record_id) "
        "JOIN resolved.facilities f USING (facility_id)",
        database=database,
    ).with_columns(normalised=normalise_name_expr("name"))
    target = normalise_name(text)
    if not target or names.is_empty():
        return Lookup(None)
    scores = process.cdist([target], names["normalised"].to_list(), scorer=fuzz.token_sort_ratio)[0]
    best = (
        names.with_columns(score=pl.Series(scores.tolist(), dtype=pl.Float64))
        .sort("score", "facility_id", descending=[True, False])
        .unique("facility_id", keep="first", maintain_order=True)
        .filter(pl.col("score") >= CANDIDATE_FLOOR)
        .head(MAX_CANDIDATES)
    )
    candidates = best.select("facility_id", "facility_name", "country_code", "name", "score").to_dicts()
    if candidates and candidates[0]["score"] >= CLEAR_MATCH:
        runner_up = candidates[1]["score"] if len(candidates) > 1 else 0.0
        if candidates[0]["score"] - runner_up >= CLEAR_MARGIN:
            return Lookup(candidates[0]["facility_id"], candidates)
    return Lookup(None, candidates)


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
        "WHERE facility_id = ? ORDER BY points DESC, component, description",
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
        "WHERE facility_id = ? AND status <> 'dismissed' ORDER BY hit_id",
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
        "ORDER BY risk_score DESC, facility_id",
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
