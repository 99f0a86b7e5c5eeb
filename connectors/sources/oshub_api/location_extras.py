"""What a production location carries beyond one facility mention: claim status, merged-away OS IDs,
and the name in the local language.

* ``claim_status`` (OS Hub's ``claimed`` / ``pending`` / ``unclaimed``) is staged as is; any other
  value is quarantined (``unknown_value``), never guessed.
* ``historical_os_id`` (the IDs OS Hub merged into this location, a list of OS IDs) become rows of
  staged.oshub_id_aliases with ``origin = historical_os_id``; each must be a valid OS ID
  (``invalid_os_id`` otherwise). ``oshub_merges.combine_aliases`` unites them with the merge events.
* ``local_name`` (e.g. the Chinese name of a factory listed in English) becomes a *name spelling*: a
  second staged.facility_records row with the same OS ID, address, country and coordinates, the local
  name as its name, no descriptive fields, and ``spelling_of`` = the mention's record_id, so entity
  resolution matches supplier lists written in either script. It gets the same cell checks as a name.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.cell_checks import NAME_LIMIT, cell_problem, has_problem, name_problem
from connectors.ids import facility_record_id, normalise_os_id, os_id_problem
from connectors.parsing import clean_text
from connectors.staging import Problem, RawRow

CLAIM_STATUSES = frozenset({"claimed", "pending", "unclaimed"})
SPELLING_KEPT = (  # the columns a name spelling shares with its mention (the rest stay null)
    "source_type contributor load_id source_file source_row os_id address_raw address country_raw "  # noqa: SIM905
    "country_code lat lng coordinate_flag".split()
)


def check_claim_status(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    """Stage OS Hub's claim status; an unknown one is an ``unknown_value`` problem."""
    status = row.raw("claim_status")
    if status is None or has_problem(problems, "claim_status"):
        return
    if status not in CLAIM_STATUSES:
        allowed = ", ".join(sorted(CLAIM_STATUSES))
        problems.append(Problem("claim_status", "unknown_value", f"claim_status {status!r} is not {allowed}"))
        return
    record["claim_status"] = status


def historical_os_ids(row: RawRow, problems: list[Problem]) -> list[str]:
    """The valid, normalised OS IDs of the record's ``historical_os_id`` (a list, or one ID as text)."""
    value: Any = json.loads(row.payload).get("historical_os_id")
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        text = json.dumps(value)[:80]
        problems.append(
            Problem("historical_os_id", "unknown_value", f"historical_os_id is {text}, not OS IDs")
        )
        return []
    found: list[str] = []
    for item in values:
        os_id = normalise_os_id(item)
        problem = os_id_problem(os_id)
        if problem:
            problems.append(
                Problem("historical_os_id", "invalid_os_id", f"historical_os_id {item!r}: {problem}")
            )
            return []
        if os_id not in found:
            found.append(os_id)
    return found


def alias_rows(record: dict[str, object], aliases: list[str]) -> list[dict[str, object]]:
    """staged.oshub_id_aliases rows (before chains are resolved) for a staged record's merged-away IDs."""
    current = record["os_id"]
    return [
        {
            "alias_os_id": alias,
            "current_os_id": current,
            "merged_into_os_id": current,
            "hops": 1,
            "status": "resolved",
            "merged_at": None,
            "alias_created_at": None,
            "load_id": record["load_id"],
            "source_file": record["source_file"],
            "source_row": record["source_row"],
            "origin": "historical_os_id",
        }
        for alias in aliases
        if alias != current
    ]


def local_name_spelling(
    record: dict[str, object], row: RawRow, source_type: str, problems: list[Problem]
) -> dict[str, object] | None:
    """The name-spelling row for the record's ``local_name``, or None (no local name, or the same as
    the name); a local name that fails the name checks is a problem of the row."""
    local = row.raw("local_name")
    name = clean_text(local)
    if name is None or has_problem(problems, "local_name") or name == record["name"]:
        return None
    problem = cell_problem("local_name", local, NAME_LIMIT) or name_problem("local_name", local)
    if problem is not None:
        problems.append(problem)
        return None
    spelling: dict[str, object] = dict.fromkeys(record)
    spelling.update({column: record[column] for column in SPELLING_KEPT})
    spelling.update(
        record_id=facility_record_id(
            f"{source_type}:local_name",
            row.contributor,
            local,
            row.raw("address"),
            row.raw("country"),
            row.raw("os_id"),
        ),
        name_raw=local,
        name=name,
        spelling_of=record["record_id"],
    )
    return spelling
