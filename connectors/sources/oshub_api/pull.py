"""Open Supply Hub HTTP API pulls -> raw.oshub_api (records as received; ``records`` stages them).

Two bulk pulls, each a generator of :class:`ApiPage`; a page carries the state after it as a
JSON-serialisable :class:`Checkpoint`. Store a page's raw rows and its checkpoint together:
resuming from that checkpoint neither repeats nor skips a record, and ``source_row`` (the running
record number, first record = 1) continues where it stopped.

* ``/api/v1/production-locations/``: ``{count, data}``, sorted by name then OS ID; deep paging
  with ``search_after[value]`` = the last record's ``name`` and ``search_after[id]`` its ``os_id``;
  ``country=XX`` (exact alpha-2 filter) pulls one country, which its checkpoint remembers.
* ``/api/facilities/``: GeoJSON ``{type, count, next, previous, features}``, ``page``/``pageSize``,
  at most 100 pages per query, so one query per country (``countries=XX``); a country with
  more left after page 100 is listed in ``Checkpoint.capped_countries`` (never silently cut).

A pull is complete only when it can prove it: every page after the first must move past the previous
one (a server that ignores the cursor and serves the same page again is stopped at once, not after a
hundred identical pages), and at the end the records received must equal the server's ``count``. An
empty first page with a non-zero count, or 6 records of a declared 12, raise
:class:`IncompletePullError`, so the caller discards the pull instead of letting it replace the last
good one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from connectors.schemas import RAW_SCHEMA
from connectors.sources.oshub_api.client import OsHubClient, OsHubResponseError
from connectors.sources.oshub_api.records import FACILITIES, PRODUCTION_LOCATIONS, source_file

CONTRIBUTOR = "Open Supply Hub"
MAX_PAGE = 100  # /api/facilities/ refuses page numbers above 100


class IncompletePullError(OsHubResponseError):
    """The pull cannot be shown complete (count mismatch, no count, or the cursor did not advance):
    it must not replace the previous pull. Never retried: asking again gives the same answer."""


@dataclass(frozen=True)
class Checkpoint:
    """Where a pull stands; ``to_json``/``from_json`` round-trip it through a warehouse table."""

    endpoint: str
    search_after_value: str | None = None  # production locations: last name returned
    search_after_id: str | None = None  # production locations: last os_id returned
    country: str | None = None  # facilities: country being pulled
    page: int = 1  # facilities: next page of that country
    pending_countries: tuple[str, ...] = ()  # facilities: countries still to pull after it
    capped_countries: tuple[str, ...] = ()  # facilities: countries cut at page 100
    pages: int = 0  # pages received so far
    records: int = 0  # records received so far (= last source_row)
    calls_today: int = 0  # API calls made on `day`, retries included
    day: str | None = None  # UTC day (ISO) of calls_today
    done: bool = False

    def to_json(self) -> str:
        """Serialise to a JSON object (tuples become lists)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse ``to_json`` output; unknown or missing keys are refused."""
        data = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            raise ValueError(f"not an OS Hub checkpoint: expected keys {sorted(names)}")
        for name in ("pending_countries", "capped_countries"):
            data[name] = tuple(data[name])
        return cls(**data)


@dataclass(frozen=True)
class ApiPage:
    """One page of records exactly as received, and the checkpoint to store with them."""

    endpoint: str
    records: tuple[dict[str, Any], ...]
    first_row: int  # source_row of records[0]
    checkpoint: Checkpoint
    count: int | None = None  # the server's total for the query, when given
    country: str | None = None  # production locations of one country only (``country=XX``)

    def raw_frame(self, load_id: str, contributor: str | None = CONTRIBUTOR) -> pl.DataFrame:
        """The page as raw.oshub_api rows (see :func:`raw_frame`)."""
        return raw_frame(self.records, self.endpoint, self.first_row, load_id, contributor, self.country)


def raw_frame(
    records: Sequence[Any],
    endpoint: str,
    first_row: int,
    load_id: str,
    contributor: str | None = CONTRIBUTOR,
    country: str | None = None,
) -> pl.DataFrame:
    """raw.<source_type> rows: payload = one record's JSON object (key order kept),
    source_file = ``api:<endpoint>`` (``?country=XX`` for a one-country pull), source_row = running
    record number."""
    payloads = [json.dumps(record, ensure_ascii=False) for record in records]
    rows = {
        "load_id": [load_id] * len(payloads),
        "source_file": [source_file(endpoint, country)] * len(payloads),
        "source_row": list(range(first_row, first_row + len(payloads))),
        "contributor": [contributor] * len(payloads),
        "content_hash": [hashlib.sha256(p.encode("utf-8")).hexdigest() for p in payloads],
        "payload": payloads,
    }
    return pl.DataFrame(rows, schema=RAW_SCHEMA)


def pull_production_locations(
    client: OsHubClient,
    checkpoint: Checkpoint | None = None,
    page_size: int = 250,
    country: str | None = None,
) -> Iterator[ApiPage]:
    """Pull every production location (of ``country`` only, when given), 250 a page, resuming after
    ``checkpoint`` when given; a checkpoint of another country (or of all countries) is refused."""
    code = country.strip().upper() if country else None
    state = _resume(
        client, checkpoint or Checkpoint(PRODUCTION_LOCATIONS, country=code), PRODUCTION_LOCATIONS
    )
    if state.country != code:
        raise ValueError(f"checkpoint is for country {state.country}, not {code}")
    previous_ids: set[str] = set()
    while not state.done:
        params: dict[str, str | int] = {"size": page_size, "sort_by": "name", "order_by": "asc"}
        where = (f"country={code}, " if code else "") + f"page {state.pages + 1}"
        if code:
            params["country"] = code
        if state.search_after_id is not None:
            params["search_after[value]"] = state.search_after_value or ""
            params["search_after[id]"] = state.search_after_id
            where += f" after os_id {state.search_after_id}"
        body = client.get_json(PRODUCTION_LOCATIONS, params, where)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise OsHubResponseError(f"GET {PRODUCTION_LOCATIONS} ({where}): no 'data' list of objects")
        _check_moved_on(data, state, previous_ids, where)
        previous_ids = {str(item.get("os_id")) for item in data}
        cursor = {}
        if len(data) >= page_size:  # a full page: more may follow, after its last record
            last = data[-1]
            if not isinstance(last.get("name"), str) or not isinstance(last.get("os_id"), str):
                raise OsHubResponseError(
                    f"GET {PRODUCTION_LOCATIONS} ({where}): last record lacks the name/os_id to page on"
                )
            cursor = {"search_after_value": last["name"], "search_after_id": last["os_id"]}
        state = _advance(client, state, len(data), done=len(data) < page_size, **cursor)
        if state.done:
            _check_count(PRODUCTION_LOCATIONS, where, state.records, body.get("count"))
        first_row = state.records - len(data) + 1
        yield ApiPage(PRODUCTION_LOCATIONS, tuple(data), first_row, state, body.get("count"), code)


def pull_facilities(
    client: OsHubClient,
    countries: Sequence[str] = (),
    checkpoint: Checkpoint | None = None,
    page_size: int = 50,
) -> Iterator[ApiPage]:
    """Pull /api/facilities/ GeoJSON one country at a time (``countries`` for a fresh pull;
    a resumed pull takes its countries from ``checkpoint``)."""
    if checkpoint is None:
        if not countries:
            raise ValueError("pull_facilities needs at least one country code")
        codes = tuple(code.strip().upper() for code in countries)
        checkpoint = Checkpoint(FACILITIES, country=codes[0], pending_countries=codes[1:])
    state = _resume(client, checkpoint, FACILITIES)
    previous_ids: set[str] = set()
    country_start = state.records if state.page == 1 else None  # a resumed country: count unknown
    while not state.done:
        where = f"countries={state.country}, page {state.page}"
        params = {"countries": str(state.country), "page": state.page, "pageSize": page_size}
        body = client.get_json(FACILITIES, params, where)
        features = body.get("features") if isinstance(body, dict) else None
        if not isinstance(features, list) or not all(isinstance(item, dict) for item in features):
            raise OsHubResponseError(f"GET {FACILITIES} ({where}): no GeoJSON 'features' list")
        ids = {str(item.get("id") or (item.get("properties") or {}).get("os_id")) for item in features}
        if features and state.page > 1 and ids == previous_ids:
            raise IncompletePullError(f"GET {FACILITIES} ({where}): the server sent the previous page again")
        previous_ids = ids
        more = bool(body.get("next")) and bool(features)
        country, capped = state.country, bool(more and state.page >= MAX_PAGE)
        state = _advance(client, state, len(features), **_next_facility_page(state, more))
        if (state.done or state.country != country) and country_start is not None and not capped:
            _check_count(FACILITIES, where, state.records - country_start, body.get("count"))
        if state.country != country:
            country_start = state.records
        first_row = state.records - len(features) + 1
        yield ApiPage(FACILITIES, tuple(features), first_row, state, body.get("count"))


def _next_facility_page(state: Checkpoint, more: bool) -> dict[str, Any]:
    """Checkpoint changes after a facilities page: next page, next country, or done."""
    if more and state.page < MAX_PAGE:
        return {"page": state.page + 1}
    capped = state.capped_countries + ((str(state.country),) if more else ())
    if not state.pending_countries:
        return {"capped_countries": capped, "done": True}
    return {
        "country": state.pending_countries[0],
        "pending_countries": state.pending_countries[1:],
        "page": 1,
        "capped_countries": capped,
    }


def _check_moved_on(
    data: list[dict[str, Any]], state: Checkpoint, previous_ids: set[str], where: str
) -> None:
    """A page after a cursor must hold records the previous page did not: a server that ignores the
    cursor (and would serve the same page forever) is stopped here."""
    if state.search_after_id is None or not data:
        return
    ids = {str(item.get("os_id")) for item in data}
    if ids & previous_ids or state.search_after_id in ids:
        raise IncompletePullError(
            f"GET {PRODUCTION_LOCATIONS} ({where}): the server did not move past the paging cursor "
            "(records of the previous page came back); the pull is discarded"
        )


def _check_count(endpoint: str, where: str, received: int, declared: Any) -> None:
    """The pull is complete only when the records received equal the server's count."""
    if not isinstance(declared, int) or isinstance(declared, bool):
        raise IncompletePullError(
            f"GET {endpoint} ({where}): the server declared no record count, so the pull cannot be "
            f"shown complete ({received} records received); it is discarded"
        )
    if received != declared:
        raise IncompletePullError(
            f"GET {endpoint} ({where}): received {received} of the {declared} records the server "
            "declared; the pull is incomplete and is discarded"
        )


def _resume(client: OsHubClient, checkpoint: Checkpoint | None, endpoint: str) -> Checkpoint:
    state = checkpoint or Checkpoint(endpoint)
    if state.endpoint != endpoint:
        raise ValueError(f"checkpoint is for {state.endpoint}, not {endpoint}")
    client.limiter.restore(state.day, state.calls_today)
    return state


def _advance(client: OsHubClient, state: Checkpoint, received: int, **changes: Any) -> Checkpoint:
    day, calls = client.limiter.usage
    return dataclasses.replace(
        state, pages=state.pages + 1, records=state.records + received, day=day, calls_today=calls, **changes
    )
