"""US DOL List of Goods Produced by Child Labor or Forced Labor -> staged.reference_dol_goods.

One row per country x good (source type ``reference_dol_goods``). Two layouts, detected from the
header set (or declared with ``layout=``): ``dol_2022_csv`` (the 2022 edition as bundled: Yes/No flag
columns child_labor, forced_labor, forced_child_labor) and ``dol_2024_xlsx``, flrisk's ASSUMPTION of
the 2024 edition's Excel file (204 goods, 82 countries and areas; we have not seen the file): a
"Country/Area" (or "Country"), "Good" and "Sector" column, and either flag columns "Child Labor" /
"Forced Labor" / "Forced Child Labor" marked X, Yes or left blank, or one "Exploitation Type" column
naming them (comma, semicolon, "|" or "and" separated). Title rows above the header are skipped by
:func:`connectors.reading.workbooks.read_located_table`. The edition comes from the file's own
``edition`` column, else is passed in (per file with ``editions``), else is read from the file name
("dol_tvpra_goods_2022.csv" -> 2022); see :func:`connectors.layouts.list_edition`. Countries must
resolve to ISO alpha-2; every row is staged or quarantined, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from connectors.ids import stable_hash
from connectors.layouts import (
    Layout,
    country_code,
    iter_layout_rows,
    list_edition,
    reference_layouts,
)
from connectors.parsing import clean_text, parse_yes_no
from connectors.schemas import frame
from connectors.staging import FirstSeen, Problem, RawRow, Rejections, Standardised, accept_or_reject
from connectors.vocabulary import vocabulary_key

DOL_SOURCE_TYPE = "reference_dol_goods"
DOL_FLAGS = ("child_labor", "forced_labor", "forced_child_labor")
MARKED, UNMARKED = frozenset({"x", "yes", "true", "✓", "✔"}), frozenset({"", "no", "false"})
_TYPE_SEPARATORS = re.compile(r"\s*(?:,|;|\||\band\b)\s*", re.IGNORECASE)


def standardise_dol_goods(
    raw: pl.DataFrame,
    edition: int | None = None,
    layout: str | None = None,
    editions: Mapping[str, int] | None = None,
) -> Standardised:
    """Standardise raw.reference_dol_goods rows (one per country x good), any known layout."""
    rejections, seen, entries = Rejections(DOL_SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for file_layout, row in iter_layout_rows(raw, reference_layouts(DOL_SOURCE_TYPE), unknown, layout):
        problems: list[Problem] = []
        row_edition = list_edition(row, edition, editions)
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
