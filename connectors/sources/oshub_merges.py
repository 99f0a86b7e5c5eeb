"""Open Supply Hub merges -> staged.oshub_id_aliases: a merged-away OS ID stays usable as an
alias of the facility's current OS ID, never a dangling reference.

``GET /api/moderation-events/merge/`` returns every merge as a JSON array (not paged) of
``{current_id, original_id, created_at, merge_date}``; ``date_greater_than_or_equal`` narrows it,
but chains can span years, so pull the whole history into raw.oshub_merges each time.

Invariants: one staged row per distinct ``original_id`` (its latest merge wins; older events for
it are quarantined as ``duplicate_row``); chains resolve to their end (A->B, B->C gives A->C with
``hops`` 2); an ID on a cycle, or leading into one, is staged with ``status = 'cycle'`` and no
``current_os_id``, so the contract's checks report it; invalid OS IDs are ``invalid_os_id``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import polars as pl

from connectors.headers import HeaderMap
from connectors.ids import normalise_os_id, os_id_problem
from connectors.schemas import RAW_SCHEMA
from connectors.sources.oshub_api import pull
from connectors.sources.oshub_api.client import OsHubClient, OsHubNotFoundError, OsHubResponseError
from connectors.staging import Problem, RawRow, Rejections, Standardised
from data_contracts import load_contract

SOURCE_TYPE = "oshub_merges"
MERGES = "/api/moderation-events/merge/"
TABLE = "oshub_id_aliases"
MERGE_EVENT, HISTORICAL = "merge_event", "historical_os_id"  # staged.oshub_id_aliases.origin
KNOWN_KEYS = ("current_id", "original_id", "created_at", "merge_date", "original_name", "original_address")


class Merge(NamedTuple):
    """One valid merge event and the raw row it came from."""

    original: str
    current: str
    merged_at: dt.datetime
    created_at: dt.datetime | None
    row: RawRow


def fetch_merge_events(client: OsHubClient, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Every merge event (one API call), or those merged on or after ``since``. OS Hub answers a
    range without merges with 404 ``{"detail": "Not found."}``: that is "no merges" (an empty list);
    a 404 without OS Hub's JSON detail (a wrong base URL) stays an error."""
    params = {"date_greater_than_or_equal": since.isoformat()} if since else {}
    try:
        body = client.get_json(MERGES, params, f"merges since {since}" if since else "all merges")
    except OsHubNotFoundError as error:
        if error.detail is None:
            raise
        return []
    if not isinstance(body, list) or not all(isinstance(event, dict) for event in body):
        raise OsHubResponseError(f"GET {MERGES}: expected a JSON array of merge events")
    return body


def raw_frame(events: Sequence[dict[str, Any]], load_id: str, contributor: str | None = None) -> pl.DataFrame:
    """raw.oshub_merges rows: one event each, source_row = its position in the response (from 1)."""
    return pull.raw_frame(events, MERGES, 1, load_id, contributor or pull.CONTRIBUTOR)


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.oshub_merges into staged.oshub_id_aliases (+ quarantine)."""
    rejections = Rejections(SOURCE_TYPE)
    latest: dict[str, Merge] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    for record in raw.select(list(RAW_SCHEMA)).iter_rows(named=True):
        problems: list[Problem] = []
        merge, row = _merge(record, problems)
        if row.extras:
            unknown.setdefault(row.source_file, tuple(row.extras))
        if merge is None:
            rejections.add(row, problems)
            continue
        kept, dropped = _later(latest.get(merge.original), merge)
        latest[merge.original] = kept
        if dropped is not None:
            message = f"{merge.original} also merged into {kept.current} at {kept.merged_at} (kept: latest)"
            rejections.add(dropped.row, [Problem("original_id", "duplicate_row", message)])
    return Standardised(
        tables={TABLE: alias_frame(list(latest.values()))},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def _later(previous: Merge | None, merge: Merge) -> tuple[Merge, Merge | None]:
    """(kept, dropped): the later merge of the same original ID wins; a tie keeps the first."""
    if previous is None:
        return merge, None
    return (merge, previous) if merge.merged_at > previous.merged_at else (previous, merge)


def _merge(record: dict[str, Any], problems: list[Problem]) -> tuple[Merge | None, RawRow]:
    """Validate one raw event; return (Merge or None when it has problems, its RawRow)."""
    event: dict[str, Any] = json.loads(record["payload"])
    cells = {key: value for key, value in event.items() if key in KNOWN_KEYS and isinstance(value, str)}
    extras = {key: json.dumps(value) for key, value in event.items() if key not in KNOWN_KEYS}
    row = RawRow(
        **{k: record[k] for k in ("load_id", "source_file", "source_row", "contributor", "payload")},
        cells=cells,
        extras=extras,
        headers=HeaderMap({k: k for k in KNOWN_KEYS}, tuple(extras), ()),
    )
    wrong_type = [key for key in KNOWN_KEYS if event.get(key) is not None and not isinstance(event[key], str)]
    for key in wrong_type:
        problems.append(Problem(key, "unknown_value", f"{key} is {json.dumps(event[key])[:80]}, not text"))
    ids = {
        name: _os_id(row, name, problems) for name in ("original_id", "current_id") if name not in wrong_type
    }
    merged_at = _timestamp(row, "merge_date", problems, required="merge_date" not in wrong_type)
    created_at = _timestamp(row, "created_at", problems)
    if problems or merged_at is None:
        return None, row
    return Merge(str(ids["original_id"]), str(ids["current_id"]), merged_at, created_at, row), row


def _os_id(row: RawRow, field_name: str, problems: list[Problem]) -> str | None:
    """A required, valid OS ID (normalised); record missing_required / invalid_os_id problems."""
    value = row.require(field_name, problems)
    if value is None:
        return None
    os_id = normalise_os_id(value)
    problem = os_id_problem(os_id)
    if problem:
        problems.append(Problem(field_name, "invalid_os_id", problem))
    return os_id


def _timestamp(
    row: RawRow, field_name: str, problems: list[Problem], required: bool = False
) -> dt.datetime | None:
    """An ISO 8601 timestamp as naive UTC; record missing_required / invalid_date problems."""
    value = row.require(field_name, problems) if required else row.raw(field_name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        problems.append(
            Problem(field_name, "invalid_date", f"{field_name} {value!r} is not an ISO 8601 timestamp")
        )
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def resolve_chains(targets: dict[str, str]) -> dict[str, tuple[str | None, int | None]]:
    """alias -> (current OS ID, hops) following merges to their end; (None, None) for an ID on
    a cycle or leading into one."""
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for start in targets:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node in targets and node not in resolved and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = targets[node]
        current, hops = resolved.get(node, (None, None) if node in on_path else (node, 0))
        for alias in reversed(path):
            hops = None if current is None or hops is None else hops + 1
            resolved[alias] = (current, hops)
    return resolved


def alias_frame(merges: list[Merge]) -> pl.DataFrame:
    """staged.oshub_id_aliases rows for one valid merge per original ID."""
    chains = resolve_chains({merge.original: merge.current for merge in merges})
    rows = []
    for merge in merges:
        current, hops = chains[merge.original]
        rows.append(
            {
                "alias_os_id": merge.original,
                "current_os_id": current,
                "merged_into_os_id": merge.current,
                "hops": hops,
                "status": "resolved" if current is not None else "cycle",
                "merged_at": merge.merged_at,
                "alias_created_at": merge.created_at,
                "load_id": merge.row.load_id,
                "source_file": merge.row.source_file,
                "source_row": merge.row.source_row,
                "origin": MERGE_EVENT,
            }
        )
    schema = load_contract(f"staged.{TABLE}").polars_schema()
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def combine_aliases(aliases: pl.DataFrame) -> pl.DataFrame:
    """One staged.oshub_id_aliases table from the merge events' rows and the production locations'
    ``historical_os_id`` rows: per alias a merge event wins, else the first record's list (by
    merged_into_os_id); chains are then resolved again over the union, so an ID that a record lists and
    that was itself merged on resolves to the end of the chain."""
    if aliases.is_empty():
        return aliases
    ranked = aliases.with_columns(
        _rank=pl.when(pl.col("origin") == HISTORICAL).then(1).otherwise(0),
    ).sort("_rank", "merged_into_os_id", "source_file", "source_row")
    kept = ranked.unique("alias_os_id", keep="first", maintain_order=True).drop("_rank")
    chains = resolve_chains(dict(zip(kept["alias_os_id"], kept["merged_into_os_id"], strict=True)))
    current = [chains[alias][0] for alias in kept["alias_os_id"]]
    hops = [chains[alias][1] for alias in kept["alias_os_id"]]
    return kept.with_columns(
        current_os_id=pl.Series(current, dtype=pl.String),
        hops=pl.Series(hops, dtype=pl.Int64),
        status=pl.Series(
            ["resolved" if value is not None else "cycle" for value in current], dtype=pl.String
        ),
    ).sort("alias_os_id")


def apply_aliases(frame: pl.DataFrame, aliases: pl.DataFrame, column: str = "os_id") -> pl.DataFrame:
    """Replace merged-away OS IDs in ``column`` by their current OS ID (cycles are left as they are)."""
    resolved = aliases.filter(pl.col("status") == "resolved")
    mapping = dict(zip(resolved["alias_os_id"].to_list(), resolved["current_os_id"].to_list(), strict=True))
    return frame.with_columns(pl.col(column).replace(mapping))
