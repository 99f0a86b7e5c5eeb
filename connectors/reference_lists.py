"""Reference lists -> staged.reference_dol_goods and staged.reference_entity_lists.

DOL: the US Department of Labor List of Goods Produced by Child Labor or Forced Labor (one row per
country x good, Yes/No flags). The edition is passed in or read from the file name
("dol_tvpra_goods_2022.csv" -> 2022). Entity lists: UFLPA Entity List and CBP WRO findings, one row
per listed entity. Countries must resolve to ISO alpha-2; every row is staged or quarantined.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import polars as pl

from connectors.countries import to_alpha2
from connectors.headers import SourceSpec
from connectors.parsing import clean_text, parse_yes_no, split_multi
from connectors.schemas import frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    date_cell,
    iter_raw_rows,
    stable_hash,
)

DOL_SOURCE_TYPE = "reference_dol_goods"
ENTITY_SOURCE_TYPE = "reference_entity_list"
DOL_SPEC = SourceSpec(
    source_type=DOL_SOURCE_TYPE,
    required=("good", "sector", "country", "child_labor", "forced_labor", "forced_child_labor"),
    optional=("region", "derived_labor_exploitation", "derived_country"),
)
ENTITY_SPEC = SourceSpec(
    source_type=ENTITY_SOURCE_TYPE,
    required=("list_name", "entity_name"),
    optional=("aliases", "country", "listed_date", "reference_url"),
)
LIST_NAMES = frozenset({"uflpa_entity_list", "cbp_wro_findings"})
DOL_FLAGS = ("child_labor", "forced_labor", "forced_child_labor")
_EDITION = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def edition_from_file_name(source_file: str) -> int:
    """The 4-digit year in a DOL file name; ValueError when there is none."""
    match = _EDITION.search(PurePath(source_file).name)
    if match is None:
        raise ValueError(
            f"cannot tell the DOL list edition of {source_file!r}: no year in its "
            "name; pass edition= explicitly"
        )
    return int(match[1])


def standardise_dol_goods(raw: pl.DataFrame, edition: int | None = None) -> Standardised:
    """Standardise raw.reference_dol_goods rows (one per country x good)."""
    rejections, seen, entries = Rejections(DOL_SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, DOL_SPEC, unknown):
        problems: list[Problem] = []
        row_edition = edition if edition is not None else edition_from_file_name(row.source_file)
        good, sector = row.require("good", problems), row.require("sector", problems)
        country_raw = row.require("country", problems)
        entry: dict[str, object] = {
            "entry_id": stable_hash("dol", str(row_edition), good, country_raw),
            "good": clean_text(good),
            "sector": clean_text(sector),
            "country_raw": country_raw,
            "country_code": _country(row, country_raw, problems),
            "edition": row_edition,
        }
        for flag in DOL_FLAGS:
            entry[flag] = _yes_no(row, flag, problems)
        if accept_or_reject(row, problems, seen, str(entry["entry_id"]), rejections):
            entries.append(entry)
    return Standardised(
        tables={"reference_dol_goods": frame("reference_dol_goods", entries)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def standardise_entity_lists(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.reference_entity_list rows (one per listed entity)."""
    rejections, seen, entries = Rejections(ENTITY_SOURCE_TYPE), FirstSeen(), []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, ENTITY_SPEC, unknown):
        problems: list[Problem] = []
        list_raw, name_raw = row.require("list_name", problems), row.require("entity_name", problems)
        list_name = list_raw.strip().casefold() if list_raw is not None else None
        if list_name is not None and list_name not in LIST_NAMES:
            problems.append(
                Problem(
                    "list_name", "unknown_value", f"list_name {list_raw!r} is not one of {sorted(LIST_NAMES)}"
                )
            )
        country_raw = row.raw("country")
        entry = {
            "entry_id": stable_hash(list_raw, name_raw, country_raw),
            "list_name": list_name,
            "entity_name": clean_text(name_raw),
            "aliases": split_multi(row.raw("aliases")),
            "country_code": _country(row, country_raw, problems),
            "listed_date": date_cell(row, "listed_date", problems),
            "reference_url": clean_text(row.raw("reference_url")),
        }
        if accept_or_reject(row, problems, seen, str(entry["entry_id"]), rejections):
            entries.append(entry)
    return Standardised(
        tables={"reference_entity_lists": frame("reference_entity_lists", entries)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )


def _country(row: RawRow, country_raw: str | None, problems: list[Problem]) -> str | None:
    if country_raw is None:
        return None
    code = to_alpha2(country_raw)
    if code is None:
        problems.append(
            Problem(
                "country",
                "unknown_country",
                f"country {country_raw!r} is not an ISO 3166-1 code, an English "
                "country name or a known variant",
            )
        )
    return code


def _yes_no(row: RawRow, field_name: str, problems: list[Problem]) -> bool | None:
    value = row.require(field_name, problems)
    if value is None:
        return None
    try:
        return parse_yes_no(value)
    except ValueError as exc:
        problems.append(Problem(field_name, "unknown_value", f"{field_name}: {exc}"))
        return None
