"""Freshness against the SLA: how old a table may get, from its contract's `slaProperties`.

A contract says how often a table is refreshed (`frequency`) and how late a refresh may land
(`latency`), e.g. `{property: frequency, value: 1, unit: d}`. A table is *fresh* while its last update
is at most `frequency + latency` old; past that it is *stale*; a table never updated is
*never_updated*; a contract without a frequency has *no_sla* (each state explained in
`FRESHNESS_STATES`, shown under the summary's freshness table). Pure: the caller passes the last
update times and `now`, so the Dagster checks, `flrisk status` and the data-quality summary agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from data_contracts.loader import contract_document, load_contract
from data_contracts.report_sections import ReportSection

UNITS = {
    "h": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
    "days": timedelta(days=1),
    "w": timedelta(weeks=1),
    "week": timedelta(weeks=1),
    "weeks": timedelta(weeks=1),
}


@dataclass(frozen=True)
class FreshnessSla:
    """A table's refresh promise; `max_age` is None when the contract sets no frequency."""

    table: str
    frequency: timedelta | None
    latency: timedelta

    @property
    def max_age(self) -> timedelta | None:
        return None if self.frequency is None else self.frequency + self.latency

    def describe(self) -> str:
        if self.frequency is None:
            return "no refresh frequency in the contract"
        return f"every {_human(self.frequency)}, at most {_human(self.latency)} late"


def _human(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} d" if hours >= 24 and hours % 24 == 0 else f"{hours:g} h"


def _duration(entry: Mapping[str, Any], table: str) -> timedelta:
    unit = str(entry.get("unit", "d")).lower()
    if unit not in UNITS:
        name = entry.get("property")
        raise ValueError(f"{table}: slaProperties {name} has unit {unit!r}; use one of {', '.join(UNITS)}")
    return float(entry["value"]) * UNITS[unit]


@cache
def sla_of(table_key: str) -> FreshnessSla:
    """The freshness SLA declared in `table_key`'s contract (`frequency` and `latency` entries)."""
    document = contract_document(load_contract(table_key).source_path)
    entries = {str(e.get("property")).lower(): e for e in document.get("slaProperties") or []}
    frequency = _duration(entries["frequency"], table_key) if "frequency" in entries else None
    latency = _duration(entries["latency"], table_key) if "latency" in entries else timedelta(0)
    return FreshnessSla(table_key, frequency, latency)


def freshness_row(sla: FreshnessSla, last_update: datetime | None, now: datetime) -> dict[str, Any]:
    """One table's freshness: last update, age, the SLA, and status fresh/stale/never_updated/no_sla."""
    age = None if last_update is None else now - last_update
    if sla.max_age is None:
        status = "no_sla"
    elif age is None:
        status = "never_updated"
    else:
        status = "fresh" if age <= sla.max_age else "stale"
    return {
        "table": sla.table,
        "last_update": last_update.strftime("%Y-%m-%dT%H:%M:%SZ") if last_update else None,
        "age_hours": None if age is None else round(age.total_seconds() / 3600, 2),
        "sla": sla.describe(),
        "max_age_hours": None if sla.max_age is None else round(sla.max_age.total_seconds() / 3600, 2),
        "status": status,
    }


def freshness_rows(last_updates: Mapping[str, datetime | None], now: datetime) -> list[dict[str, Any]]:
    """Freshness of every table in `last_updates` (table key -> last update, None if never)."""
    return [freshness_row(sla_of(table), last_updates[table], now) for table in sorted(last_updates)]


FRESHNESS_STATES = (
    ("fresh", "Written by a run no longer ago than the contract allows (refresh frequency + latency)."),
    (
        "stale",
        "Older than the contract's refresh frequency plus its allowed latency: the job that writes it "
        "has not succeeded in time (see `flrisk status`). Marked red.",
    ),
    (
        "never_updated",
        "The Dagster instance of this home ($FLRISK_HOME/dagster) records no run that wrote the table, "
        "so its age is unknown: the job that fills it has not run here yet (e.g. oshub_sync for the "
        "OS Hub tables), the table is written outside runs (reviewers' decisions from `flrisk review-hit`), "
        "or the warehouse was copied from another home. It is not judged stale; run the job to date it.",
    ),
    ("no_sla", "The contract sets no refresh frequency, so there is nothing to be late against."),
)


def freshness_section(rows: list[dict[str, Any]]) -> ReportSection:
    """The data-quality summary's "Freshness against the SLA" table (a stale table is marked red)."""
    return ReportSection(
        key="freshness",
        title="Freshness against the SLA",
        note="Each table's last update against its contract's slaProperties: a table is stale once it is "
        "older than its refresh frequency plus the allowed latency.",
        columns=(
            ("table", "Table"),
            ("last_update", "Last update (UTC)"),
            ("age_hours", "Age (h)"),
            ("sla", "SLA"),
            ("status", "Status"),
        ),
        rows=tuple(rows),
        bad_when="status",
        legend=FRESHNESS_STATES,
    )
