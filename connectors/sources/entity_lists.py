"""Trade-restriction entity lists in their published layouts -> staged.reference_entity_lists.

One row per listed entity (source type ``reference_entity_list``): the UFLPA Entity List and the CBP
WRO findings. Countries must resolve to ISO alpha-2; every row is staged or quarantined, never guessed.

Layouts (``reference_list_layouts.csv`` / ``reference_list_columns.csv``):

* ``flrisk``: list_name, entity_name, aliases (``|``), country, listed_date, reference_url (+ optional
  list_section, merchandise, status, notice). The bundled demo/test samples use it; they are small
  selections, not compliance sources.
* ``dhs_uflpa``: the US DHS UFLPA Entity List table as published on dhs.gov: the entity name (aliases
  may be written inside it as "(including one alias: X)" / "(including two aliases: X; and Y)"),
  optional Alias(es) column (``;`` or ``|``), Effective Date / Date Added, Federal Register Notice,
  optional UFLPA List (the statutory list the entity is on) and Country. The table names no country,
  so country stays null unless given: screening then matches facilities in any country.
* ``cbp_wro``: the US CBP Withhold Release Orders and Findings list: Date, Country, Entity,
  Merchandise, Status (Active / Modified / Revoked / Inactive, ``entity_list_statuses.csv``),
  optional Type (WRO / Finding) and Federal Register Notice. An entity can appear once per
  merchandise and date, so those join the entry id.

The US agencies write dates month first: in the government layouts "9/30/2019" is read as M/D/YYYY;
elsewhere slash dates stay refused as ambiguous.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from connectors.ids import stable_hash
from connectors.layouts import Layout, country_code, iter_layout_rows, reference_layouts
from connectors.parsing import clean_text, split_multi
from connectors.schemas import frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    date_cell,
)
from connectors.vocabulary import entity_list_status

ENTITY_SOURCE_TYPE = "reference_entity_list"
LIST_NAMES = frozenset({"uflpa_entity_list", "cbp_wro_findings"})
US_DATE_LAYOUTS = frozenset({"dhs_uflpa", "cbp_wro"})
_EMBEDDED_ALIASES = re.compile(
    r"^(?P<name>.*?)\s*\(\s*(?:including\s+\w+\s+alias(?:es)?|also known as|a\.k\.a\.?)\s*:?\s*"
    r"(?P<aliases>[^()]*)\)\s*$",
    re.IGNORECASE,
)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def standardise_entity_lists(raw: pl.DataFrame, layout: str | None = None) -> Standardised:
    """Standardise raw.reference_entity_list rows (one per listed entity), any known layout."""
    rejections, seen, entries = Rejections(ENTITY_SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for file_layout, row in iter_layout_rows(raw, reference_layouts(ENTITY_SOURCE_TYPE), unknown, layout):
        problems: list[Problem] = []
        entry = entity_entry(row, file_layout, problems)
        if accept_or_reject(row, problems, seen, str(entry["entry_id"]), rejections):
            entries.append(entry)
    return Standardised(
        tables={"reference_entity_lists": frame("reference_entity_lists", entries)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def entity_entry(row: RawRow, layout: Layout, problems: list[Problem]) -> dict[str, object]:
    """One reference_entity_lists row from a row in canonical field names."""
    list_raw, name_raw = row.require("list_name", problems), row.require("entity_name", problems)
    list_name = list_raw.strip().casefold() if list_raw is not None else None
    if list_name is not None and list_name not in LIST_NAMES:
        problems.append(
            Problem(
                "list_name", "unknown_value", f"list_name {list_raw!r} is not one of {sorted(LIST_NAMES)}"
            )
        )
    name, aliases = split_embedded_aliases(name_raw)
    country_raw, merchandise_raw = row.raw("country"), row.raw("merchandise")
    key_parts = (list_raw, name_raw, country_raw)
    if merchandise_raw is not None:
        key_parts += (merchandise_raw, row.raw("listed_date"))
    return {
        "entry_id": stable_hash(*key_parts),
        "list_name": list_name,
        "entity_name": name,
        "aliases": (aliases + _alias_cell(row.raw("aliases"), layout)) or None,
        "country_code": country_code(country_raw, problems),
        "listed_date": _listed_date(row, layout, problems),
        "reference_url": clean_text(row.raw("reference_url")),
        "list_section": clean_text(row.raw("list_section")),
        "merchandise": clean_text(merchandise_raw),
        "status": _status(row, problems),
        "notice": clean_text(row.raw("notice")),
    }


def split_embedded_aliases(name_raw: str | None) -> tuple[str | None, list[str]]:
    """ "A Co., Ltd. (including two aliases: B; and C)" -> ("A Co., Ltd.", ["B", "C"])."""
    name = clean_text(name_raw)
    match = _EMBEDDED_ALIASES.match(name or "")
    if match is None:
        return name, []
    parts = [
        re.sub(r"^and\s+", "", part.strip(), flags=re.IGNORECASE) for part in match["aliases"].split(";")
    ]
    return clean_text(match["name"]), [alias for part in parts if (alias := clean_text(part))]


def _alias_cell(value: str | None, layout: Layout) -> list[str]:
    if value is None:
        return []
    text = value.replace(";", "|") if layout.name != "flrisk" else value
    return split_multi(text) or []


def _listed_date(row: RawRow, layout: Layout, problems: list[Problem]) -> dt.date | None:
    value = row.raw("listed_date")
    match = _US_DATE.match(value.strip()) if value is not None and layout.name in US_DATE_LAYOUTS else None
    if match is None:
        return date_cell(row, "listed_date", problems)
    try:
        return dt.date(int(match[3]), int(match[1]), int(match[2]))
    except ValueError:
        problems.append(
            Problem("listed_date", "invalid_date", f"listed_date {value!r} is not a valid M/D/YYYY date")
        )
        return None


def _status(row: RawRow, problems: list[Problem]) -> str | None:
    value = row.raw("status")
    if value is None:
        return None
    status = entity_list_status(value)
    if status is None:
        problems.append(
            Problem(
                "status", "unknown_value", f"status {value!r} is not Active, Modified, Revoked or Inactive"
            )
        )
    return status
