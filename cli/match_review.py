"""Reviewer decisions on grey-band entity matches: list the pairs, record "same" or "different".

`flrisk review-match` (cli/match_review_command.py) only formats; this module reads and writes, the
same way `cli.list_review` does for list hits. A pair is named by its `pair_id` in
`resolved.review_queue` (as `--list` prints it). A decision is appended to `resolved.match_decisions`
(`confirm` = same facility, `reject` = different facilities) under the warehouse writer lock, so it
never interleaves with a run; the same row goes into the reader copy at once. The next run re-resolves
in full (the decisions' fingerprint changed, entity_resolution/run_plan.py) and honours it; the
pipeline only reads the table, and a later decision on the same pair supersedes an earlier one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cli.list_review import LOCK_WAIT_SECONDS
from entity_resolution.settings import ResolutionSettings
from warehouse import locking
from warehouse.database import Warehouse
from warehouse.decisions import append_decision
from warehouse.migrations import migrate_home, require_current
from warehouse.readers import read_connection, reader_database

DECISIONS = "resolved.match_decisions"
DECISION_COLUMNS = ("record_id_left", "record_id_right", "decision", "decided_by", "decided_at", "note")
PAIRS_SQL = (Path(__file__).parent / "sql" / "match_review_pairs.sql").read_text(encoding="utf-8")
DECISION_OF = {"same": "confirm", "different": "reject"}


class PairNotFoundError(LookupError):
    """No pair in resolved.review_queue answers to the reference."""


def _warehouse(database: Path | None) -> Warehouse:
    warehouse = Warehouse(database=str(database) if database else "")
    if not warehouse.path.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse.path}: run `flrisk demo` or `flrisk load` first")
    return warehouse


def explanation(row: dict, settings: ResolutionSettings | None = None) -> str:
    """Why the pair is in the grey band, in words: its feature scores against the thresholds."""
    settings = settings or ResolutionSettings()
    parts = [f"name similarity {row['name_score']:.2f}" if row["name_score"] is not None else "no name score"]
    if row["address_score"] is not None:
        parts.append(f"address similarity {row['address_score']:.2f}")
    if row["distance_km"] is not None:
        parts.append(f"{row['distance_km']:.1f} km apart")
    if row["left_os_id"] and row["left_os_id"] == row["right_os_id"]:
        parts.append("same OS ID")
    return (
        ", ".join(parts) + f" -> score {row['match_score']:.2f}, between the review threshold "
        f"{settings.review_threshold:.2f} and the auto-match threshold {settings.auto_match_threshold:.2f}"
    )


def _mentions_table(con) -> str:
    """The reader copy holds no staged table (issue 17): its `resolved.facility_mentions` (every
    facility record but worker voice) stands in; before the first good run, staged.facility_records."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'resolved' AND table_name = 'facility_mentions'"
    ).fetchall()[0][0]
    return "resolved.facility_mentions" if found else "staged.facility_records"


def pairs_for_review(
    include_decided: bool = False, pair: str | None = None, database: Path | None = None
) -> list[dict]:
    """Queued pairs (with `include_decided`, also those decided since the last run), each with both
    records, their current facilities, the scores, the explanation and any recorded decision."""
    warehouse = _warehouse(database)
    path = reader_database(warehouse.path)
    with read_connection(path) as con:
        require_current(con, path)
        sql = PAIRS_SQL.replace("staged.facility_records", _mentions_table(con))
        rows = con.sql(sql, params={"pair": pair, "pending_only": not include_decided}).pl()
    return [row | {"explanation": explanation(row)} for row in rows.to_dicts()]


def record_decision(
    pair: str, same: bool, decided_by: str, note: str | None = None, database: Path | None = None
) -> dict:
    """Append one decision on a queued pair under the writer lock; returns the pair with the decision.
    `PairNotFoundError` when the pair is not queued, `locking.WarehouseBusyError` when a run writes."""
    if not decided_by.strip():
        raise ValueError("say who decides (--by NAME)")
    warehouse = _warehouse(database)
    with locking.writer_lock(warehouse.path, "flrisk review-match", LOCK_WAIT_SECONDS):
        migrate_home(warehouse.path)
        queued = _queued_or_decided(warehouse, pair.strip())
        decision = DECISION_OF["same" if same else "different"]
        decided_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        row = [
            queued["record_id_left"],
            queued["record_id_right"],
            decision,
            decided_by.strip(),
            decided_at,
            note or None,
        ]
        append_decision(warehouse, DECISIONS, DECISION_COLUMNS, row)
    return queued | {"decision": decision, "decided_by": decided_by.strip(), "decided_at": decided_at}


QUEUED_SQL = (
    "SELECT pair_id, record_id_left, record_id_right, match_score FROM resolved.review_queue "
    "WHERE pair_id = ?"
)
# the latest decision on a pair, whichever order its records were named in
LATEST_DECISION_SQL = """
SELECT record_id_left, record_id_right, decision AS earlier_decision, decided_by AS earlier_by,
       decided_at AS earlier_at
FROM resolved.match_decisions
WHERE least(record_id_left, record_id_right) = least($1, $2)
  AND greatest(record_id_left, record_id_right) = greatest($1, $2)
ORDER BY decided_at DESC LIMIT 1
"""


def _queued_or_decided(warehouse: Warehouse, pair: str) -> dict:
    """The pair as queued, or - once a run applied a decision and it left the queue - as last decided,
    so a reviewer can change their mind later (the new decision supersedes, from the next run on);
    either way with the earlier decision, if any. `PairNotFoundError` when neither knows it."""
    found = warehouse.query(QUEUED_SQL, [pair])
    left, _, right = pair.partition(":")
    earlier = warehouse.query(LATEST_DECISION_SQL, [left, right]) if right else None
    if found.is_empty():
        if earlier is None or earlier.is_empty():
            raise PairNotFoundError(
                f"no pair {pair!r} in resolved.review_queue or resolved.match_decisions "
                "(see `flrisk review-match --list --all`)"
            )
        return {"pair_id": pair, "match_score": None} | earlier.row(0, named=True)
    queued = found.row(0, named=True)
    if earlier is not None and not earlier.is_empty():
        last = earlier.row(0, named=True)
        queued |= {key: value for key, value in last.items() if key.startswith("earlier")}
    return queued
