"""`flrisk search` and the name lookup of `flrisk facility`: read the searchable texts, rank them.

Reads the reader copy through `cli.query` (short-lived, read-only, bound values); ranking is
`cli.facility_search`. A result carries what a person needs to pick the right facility: id, name,
country, OS ID, address, band, score, the brands listing it and what matched.
"""

from __future__ import annotations

from pathlib import Path

from cli.facility_search import Match, exact_identifier, rank
from cli.query import fetch

TEXTS_SQL = (Path(__file__).parent / "sql" / "search_texts.sql").read_text(encoding="utf-8")
DETAILS_SQL = """
SELECT f.facility_id, f.name AS facility_name, f.country_code, f.os_id, f.address,
       p.risk_band, p.risk_score, p.contributors
FROM resolved.facilities f LEFT JOIN published.facility_risk p USING (facility_id)
WHERE list_contains($ids, f.facility_id)
"""
# A name lookup is settled when the best match is this good and this far ahead of the next one.
CLEAR_SCORE = 85.0
CLEAR_MARGIN = 8.0
SINGLE_SCORE = 60.0  # the only match must still be this good to be taken without asking


def mentions_table(database: Path | None = None) -> str:
    """Where facility mentions are read: the reader copy's `resolved.facility_mentions` (every source
    but worker voice, issue 17), else (no reader copy yet) staged.facility_records."""
    present = fetch(
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_schema = 'resolved' AND table_name = 'facility_mentions'",
        database=database,
    )
    return "resolved.facility_mentions" if present["n"][0] else "staged.facility_records"


def search_facilities(
    query: str,
    country: str | None = None,
    brand: str | None = None,
    limit: int = 10,
    database: Path | None = None,
) -> list[dict]:
    """Facilities matching `query` (id, OS ID, name, address, city or parent company), best first,
    narrowed to `country` (alpha-2) and to facilities `brand` lists; each with its details."""
    mentions = f"(SELECT * FROM {mentions_table(database)} WHERE source_type NOT LIKE 'worker_voice%')"
    sql = TEXTS_SQL.replace("staged.facility_records", mentions)  # never worker-voice mentions (issue 17)
    texts = fetch(sql, {"country": country.upper() if country else None, "brand": brand}, database)
    matches = exact_identifier(texts, query) or rank(texts, query, limit)
    return _with_details(matches, database)


def _with_details(matches: list[Match], database: Path | None) -> list[dict]:
    if not matches:
        return []
    details = fetch(DETAILS_SQL, {"ids": [m.facility_id for m in matches]}, database)
    by_id = {row["facility_id"]: row for row in details.to_dicts()}
    return [
        by_id[m.facility_id] | {"score": m.score, "matched_field": m.field, "matched_text": m.matched}
        for m in matches
    ]


def single_answer(results: list[dict]) -> str | None:
    """The facility a lookup settles on: the only result, or a best one clearly ahead of the rest."""
    if not results or results[0]["score"] < SINGLE_SCORE:
        return None
    runner_up = results[1]["score"] if len(results) > 1 else 0.0
    if len(results) == 1 or (
        results[0]["score"] >= CLEAR_SCORE and results[0]["score"] - runner_up >= CLEAR_MARGIN
    ):
        return results[0]["facility_id"]
    return None
