"""Reference lists -> staged.reference_dol_goods and staged.reference_entity_lists.

DOL: the US Department of Labor List of Goods Produced by Child Labor or Forced Labor, one row per
country x good. Two layouts, detected from the header set (or declared with ``layout=``):
``dol_2022_csv`` (the 2022 edition as bundled: Yes/No flag columns child_labor, forced_labor,
forced_child_labor) and ``dol_2024_xlsx``, flrisk's ASSUMPTION of the 2024 edition's Excel file
(204 goods, 82 countries and areas; we have not seen the file): a "Country/Area" (or "Country"),
"Good" and "Sector" column, and either flag columns "Child Labor" / "Forced Labor" / "Forced Child
Labor" marked X, Yes or left blank, or one "Exploitation Type" column naming them (comma, semicolon,
"|" or "and" separated). Title rows above the header are skipped by
:func:`connectors.reference_workbooks.read_located_table`. The edition is passed in or read from the
file name ("dol_tvpra_goods_2022.csv" -> 2022).

Entity lists (UFLPA Entity List, CBP WRO findings): see :mod:`connectors.reference_entities` for the
flrisk, DHS and CBP layouts. Countries must resolve to ISO alpha-2; every row is staged or
quarantined, never guessed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import PurePath

import polars as pl

from connectors.parsing import clean_text, parse_yes_no
from connectors.reference_entities import country_code, entity_entry
from connectors.reference_layouts import Layout, iter_layout_rows, load_layouts
from connectors.schemas import frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    stable_hash,
)
from connectors.vocabulary import read_reference_csv, vocabulary_key

DOL_SOURCE_TYPE = "reference_dol_goods"
ENTITY_SOURCE_TYPE = "reference_entity_list"
DOL_FLAGS = ("child_labor", "forced_labor", "forced_child_labor")
MARKED, UNMARKED = frozenset({"x", "yes", "true", "✓", "✔"}), frozenset({"", "no", "false"})
_EDITION = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_TYPE_SEPARATORS = re.compile(r"\s*(?:,|;|\||\band\b)\s*", re.IGNORECASE)


@cache
def reference_layouts(source_type: str) -> dict[str, Layout]:
    """The file layouts of one reference source type, with their constant list names."""
    constants = {
        row["layout"]: {"list_name": row["list_name"]}
        for row in read_reference_csv("reference_list_layouts.csv")
        if row["source_type"] == source_type and row["list_name"]
    }
    return load_layouts("reference_list_columns.csv", source_type, constants)


def edition_from_file_name(source_file: str) -> int:
    """The 4-digit year in a file name; ValueError when there is none."""
    match = _EDITION.search(PurePath(source_file).name)
    if match is None:
        raise ValueError(
            f"cannot tell the list edition of {source_file!r}: no year in its name; pass edition= explicitly"
        )
    return int(match[1])


def standardise_dol_goods(
    raw: pl.DataFrame, edition: int | None = None, layout: str | None = None
) -> Standardised:
    """Standardise raw.reference_dol_goods rows (one per country x good), any known layout."""
    rejections, seen, entries = Rejections(DOL_SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for file_layout, row in iter_layout_rows(raw, reference_layouts(DOL_SOURCE_TYPE), unknown, layout):
        problems: list[Problem] = []
        row_edition = edition if edition is not None else edition_from_file_name(row.source_file)
        good, sector = row.require("good", problems), row.require("sector", problems)
        country_raw = row.require("country", problems)
        entry: dict[str, object] = {
            "entry_id": stable_hash("dol", str(row_edition), good, country_raw),
            "good": clean_text(good),
            "sector": clean_text(sector),
            "country_raw": country_raw,
            "country_code": country_code(country_raw, problems),
            "edition": row_edition,
            **_dol_flags(row, file_layout, problems),
        }
        if accept_or_reject(row, problems, seen, str(entry["entry_id"]), rejections):
            entries.append(entry)
    return Standardised(
        tables={"reference_dol_goods": frame("reference_dol_goods", entries)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


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


def _dol_flags(row: RawRow, layout: Layout, problems: list[Problem]) -> dict[str, bool | None]:
    """child_labor / forced_labor / forced_child_labor of one row, per the layout's convention."""
    if layout.name == "dol_2022_csv":
        return {flag: _yes_no(row, flag, problems) for flag in DOL_FLAGS}
    kinds, before = row.raw("exploitation_type"), len(problems)
    if kinds is not None:
        flags = _exploitation_types(kinds, problems)
    elif any(row.headers.original(flag) is not None for flag in DOL_FLAGS):
        flags = {flag: _marked(row, flag, problems) for flag in DOL_FLAGS}
    else:
        problems.append(
            Problem(
                "exploitation_type",
                "missing_required",
                "neither Exploitation Type nor the flag columns are given",
            )
        )
        return dict.fromkeys(DOL_FLAGS)
    if not any(flags.values()) and len(problems) == before:
        problems.append(
            Problem("exploitation_type", "unknown_value", "no kind of exploitation is marked for this good")
        )
    return flags


def _exploitation_types(value: str, problems: list[Problem]) -> dict[str, bool | None]:
    flags: dict[str, bool | None] = dict.fromkeys(DOL_FLAGS, False)
    for part in filter(None, _TYPE_SEPARATORS.split(value.strip())):
        key = vocabulary_key(part).replace("labour", "labor").replace(" ", "_")
        if key not in flags:
            problems.append(
                Problem(
                    "exploitation_type",
                    "unknown_value",
                    f"exploitation type {part!r} is not Child/Forced/Forced Child Labor",
                )
            )
            continue
        flags[key] = True
    return flags


def _marked(row: RawRow, field_name: str, problems: list[Problem]) -> bool | None:
    value = vocabulary_key(row.cells.get(field_name) or "")
    if value in MARKED or value in UNMARKED:
        return value in MARKED
    problems.append(
        Problem(
            field_name, "unknown_value", f"{field_name} {row.cells[field_name]!r} is not X, Yes, No or blank"
        )
    )
    return None


def _yes_no(row: RawRow, field_name: str, problems: list[Problem]) -> bool | None:
    value = row.require(field_name, problems)
    if value is None:
        return None
    try:
        return parse_yes_no(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "unknown_value", f"{field_name}: {exc}"))
        return None
