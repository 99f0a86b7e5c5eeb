"""Reviewer decisions on list-screening hits: find a hit, list those awaiting review, record a decision.

`flrisk review-hit` (cli/sourcing.py) only formats; this module reads and writes. A hit is
named by its `hit_id` (as `--list` prints it) or by its facility id plus the listed entity's name. It
must be in `published.list_screening_hits` (the last run's screening). A decision is appended to
`resolved.list_hit_decisions` under the warehouse writer lock, taken the same way a run takes it
(`warehouse.locking`), so it never interleaves with a run; when a run holds the lock the decision is
refused quickly with the holder named. The same row goes into the reader copy at once
(`warehouse.readers.amend_snapshot`), so `--list` and `flrisk facility` show it; decisions take effect
on the published tables on the next run (risk_model.list_decisions).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from warehouse import locking
from warehouse.database import Warehouse
from warehouse.decisions import append_decision
from warehouse.migrations import migrate_home, require_current
from warehouse.readers import read_connection, reader_database

DECISIONS = "resolved.list_hit_decisions"
DECISION_COLUMNS = (
    "facility_id",
    "list_name",
    "list_entity_name",
    "decision",
    "decided_by",
    "decided_at",
    "note",
)
LOCK_WAIT_SECONDS = 5.0
HIT_COLUMNS = (
    "hit_id, facility_id, screened_name, list_name, list_entity_name, match_score, status, status_reason"
)
LATEST_DECISIONS = f"""
SELECT facility_id, list_name, list_entity_name, decision, decided_by, decided_at FROM {DECISIONS}
QUALIFY row_number() OVER (PARTITION BY facility_id, list_name, list_entity_name ORDER BY decided_at DESC) = 1
"""
NO_DECISIONS = (
    "SELECT NULL::VARCHAR AS facility_id, NULL::VARCHAR AS list_name, NULL::VARCHAR AS list_entity_name, "
    "NULL::VARCHAR AS decision, NULL::VARCHAR AS decided_by, NULL::TIMESTAMP AS decided_at WHERE false"
)
HITS_WITH_DECISIONS = """
SELECT h.hit_id, h.facility_id, h.screened_name, h.list_name, h.list_entity_name, h.match_score, h.status,
       h.status_reason, d.decision AS recorded_decision, d.decided_by, d.decided_at
FROM published.list_screening_hits h
LEFT JOIN ({decisions}) d USING (facility_id, list_name, list_entity_name)
WHERE h.status = 'candidate' OR ?
ORDER BY h.status DESC, h.match_score DESC, h.hit_id
"""


class HitNotFoundError(LookupError):
    """No published hit, or several, answer to the reference; `candidates` lists the several."""

    def __init__(self, message: str, candidates: list[dict] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


def _warehouse(database: Path | None) -> Warehouse:
    warehouse = Warehouse(database=str(database) if database else "")
    if not warehouse.path.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse.path}: run `flrisk demo` or `flrisk load` first")
    return warehouse


def hits_for_review(include_decided: bool = False, database: Path | None = None) -> pl.DataFrame:
    """Published hits awaiting review (every hit with `include_decided`), each with the latest decision
    recorded for it, if any (a decision recorded since the last run shows here before it applies)."""
    warehouse = _warehouse(database)
    with read_connection(reader_database(warehouse.path)) as con:
        require_current(con, reader_database(warehouse.path))
        has_decisions = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'resolved' AND table_name = 'list_hit_decisions'"
        ).fetchall()[0][0]
        sql = HITS_WITH_DECISIONS.format(decisions=LATEST_DECISIONS if has_decisions else NO_DECISIONS)
        return con.sql(sql, params=[include_decided]).pl()


def find_hit(warehouse: Warehouse, hit: str, entity: str | None = None, list_name: str | None = None) -> dict:
    """The one published hit named by `hit` (a hit_id, or a facility id with `entity`, the listed
    name, case-insensitive), narrowed by `list_name`; `HitNotFoundError` otherwise."""
    found = warehouse.query(
        f"SELECT {HIT_COLUMNS} FROM published.list_screening_hits "
        "WHERE (hit_id = $hit OR facility_id = $hit) "
        "AND ($entity IS NULL OR lower(list_entity_name) = lower($entity)) "
        "AND ($list IS NULL OR list_name = $list) ORDER BY list_name, list_entity_name",
        {"hit": hit.strip(), "entity": entity.strip() if entity else None, "list": list_name},
    )
    named = f"{hit}" + (f" / {entity!r}" if entity else "") + (f" on {list_name}" if list_name else "")
    if found.is_empty():
        raise HitNotFoundError(
            f"no list-screening hit {named} in published.list_screening_hits "
            "(see `flrisk review-hit --list --all`)"
        )
    if found.height > 1:
        raise HitNotFoundError(f"{named} names {found.height} hits; name one", found.to_dicts())
    return found.row(0, named=True)


def record_decision(
    hit: str,
    decision: str,
    decided_by: str,
    *,
    entity: str | None = None,
    list_name: str | None = None,
    note: str | None = None,
    database: Path | None = None,
) -> dict:
    """Append one decision (`confirmed` or `rejected`) on a published hit, under the writer lock;
    returns the hit with the decision written. Raises `locking.WarehouseBusyError` when a run holds
    the warehouse, `HitNotFoundError` when the hit is not published."""
    if decision not in {"confirmed", "rejected"}:
        raise ValueError(f"decision must be confirmed or rejected, not {decision!r}")
    if not decided_by.strip():
        raise ValueError("say who decides (--by NAME)")
    warehouse = _warehouse(database)
    with locking.writer_lock(warehouse.path, "flrisk review-hit", LOCK_WAIT_SECONDS):
        migrate_home(warehouse.path)  # an older warehouse is brought forward before anything is written
        found = find_hit(warehouse, hit, entity, list_name)
        decided_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        row = [
            found["facility_id"],
            found["list_name"],
            found["list_entity_name"],
            decision,
            decided_by.strip(),
            decided_at,
            note or None,
        ]
        append_decision(warehouse, DECISIONS, DECISION_COLUMNS, row)
    return found | {"decision": decision, "decided_by": decided_by.strip(), "decided_at": decided_at}
