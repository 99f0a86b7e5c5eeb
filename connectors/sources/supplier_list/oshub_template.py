"""Open Supply Hub's upload template on top of the shared facility-list standardisation.

``supplier_list.standardise`` first stages a list like any facility list (``connectors.facilities`` /
``connectors.frames``), then :func:`apply_oshub_template` reads what only OS Hub's template has and
applies OS Hub's own rules (``connectors.sources.supplier_list.oshub_rules``):

- multi-value cells split on "," and "|" as OS Hub splits them; ``sector_product_type`` values that
  are OS Hub sectors (``reference/oshub_sectors.csv``) become sectors, the others product types;
  ``facility_type_processing_type`` fills both facility and processing types where those are empty;
- rows breaking an OS Hub error rule leave the staged table for the quarantine (one rejection per
  column, never a second one for a column that already failed), as do rows that repeat an earlier
  staged row after normalisation (case, punctuation, spacing);
- warnings (OS Hub would accept the row, its moderators would query it) about the rows that are
  staged are returned in ``Standardised.warnings`` with row and column; (0, 0) and out-of-country
  coordinates are reported there too.

Read = staged + quarantined still holds per file: a row moves from one side to the other, never both.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache, lru_cache

import polars as pl

from connectors.headers import SourceSpec, map_headers
from connectors.schemas import REJECTED_SCHEMA, string_lists
from connectors.sources.supplier_list.oshub_rules import (
    ERROR,
    MAX_PRODUCT_TYPES,
    OSHUB_SECTOR_LIMIT,
    Finding,
    normalised_key,
    row_findings,
    split_values,
)
from connectors.staging import Standardised
from connectors.vocabulary import read_reference_csv

WARNING_SCHEMA = pl.Schema(
    {
        "source_file": pl.String,
        "source_row": pl.Int64,
        "column_name": pl.String,
        "reason_code": pl.String,
        "message": pl.String,
    }
)
MULTI_COLUMNS = ("sectors", "product_types", "facility_types", "processing_types")
COORDINATE_WARNINGS = {
    "null_island": (
        "null_island_coordinates",
        "lat and lng are both 0 (a geocoding default): coordinates dropped",
    ),
    "country_mismatch": ("coordinates_outside_country", "the point lies outside the stated country"),
}
ROW = ["source_file", "source_row"]


@cache
def oshub_sectors() -> dict[str, str]:
    """OS Hub's sector names, keyed by their case-folded form."""
    return {row["sector"].casefold(): row["sector"] for row in read_reference_csv("oshub_sectors.csv")}


def template_values(cells: dict[str, str | None]) -> tuple[dict[str, list[str] | None], list[Finding]]:
    """Sectors, product, facility and processing types of one row as OS Hub reads its template, and
    the errors of those columns (more than 50 product types, a sector longer than 50 characters)."""
    multi, found = _template_values(
        *(cells.get(column) for column in TEMPLATE_COLUMNS), cells.get("facility_type_processing_type")
    )
    return multi, list(found)


TEMPLATE_COLUMNS = ("sector", "product_type", "sector_product_type", "facility_type", "processing_type")


@lru_cache(maxsize=65536)
def _template_values(
    sector: str | None,
    product_type: str | None,
    sector_product_type: str | None,
    facility_type: str | None,
    processing_type: str | None,
    both: str | None = None,
) -> tuple[dict[str, list[str] | None], list[Finding]]:
    known = oshub_sectors()
    sectors = split_values(sector)
    products = split_values(product_type)
    for value in split_values(sector_product_type):
        (sectors if value.casefold() in known else products).append(known.get(value.casefold(), value))
    facility = split_values(facility_type) or split_values(both)
    processing = split_values(processing_type) or split_values(both)
    values = [list(dict.fromkeys(v)) or None for v in (sectors, products, facility, processing)]
    found = []
    if values[1] is not None and len(values[1]) > MAX_PRODUCT_TYPES:
        column = "sector_product_type" if sector_product_type else "product_type"
        message = f"{len(values[1])} product types; Open Supply Hub takes at most {MAX_PRODUCT_TYPES}"
        found.append(Finding(column, "too_many_product_types", ERROR, message))
    long_sector = next((s for s in sectors if len(s) > OSHUB_SECTOR_LIMIT), None)
    if long_sector is not None:
        column = "sector" if sector else "sector_product_type"
        message = f"sector {long_sector[:60]!r} is {len(long_sector)} characters; OS Hub takes at most 50"
        found.append(Finding(column, "sector_too_long", ERROR, message))
    return dict(zip(MULTI_COLUMNS, values, strict=True)), found


def _row_cells(raw: pl.DataFrame, spec: SourceSpec) -> dict[tuple[str, int], dict[str, str | None]]:
    """(source_file, source_row) -> the row's cells by canonical field name (None when blank)."""
    cells: dict[tuple[str, int], dict[str, str | None]] = {}
    maps: dict[tuple[str, ...], dict[str, str]] = {}
    for source_file, source_row, payload in raw.select(*ROW, "payload").iter_rows():
        row = json.loads(payload)
        headers = tuple(row)
        if headers not in maps:
            maps[headers] = map_headers(headers, spec).canonical
        canonical = maps[headers]
        cells[(source_file, source_row)] = {
            canonical[h]: (v if v.strip() else None) for h, v in row.items() if h in canonical
        }
    return cells


def apply_oshub_template(raw: pl.DataFrame, result: Standardised, spec: SourceSpec) -> Standardised:
    """The supplier-list result with OS Hub's template read and its rules applied (module doc)."""
    staged = result.tables["facility_records"]
    if raw.is_empty():
        return dataclasses.replace(result, warnings=WARNING_SCHEMA.to_frame())
    cells = _row_cells(raw, spec)
    rejected_columns: dict[tuple[str, int], set[str | None]] = {}
    for source_file, source_row, column in result.rejected.select(*ROW, "column_name").iter_rows():
        rejected_columns.setdefault((source_file, source_row), set()).add(column)
    staged_keys = set(staged.select(ROW).iter_rows())
    country_of = dict(zip(map(tuple, staged.select(ROW).iter_rows()), staged["country_code"], strict=True))
    errors, warnings, values, seen = [], [], {}, {}
    for key, row in cells.items():
        multi, found = template_values(row)
        found = found + row_findings(row, country_of.get(key))
        if key in staged_keys and not any(f.level == ERROR for f in found):
            # within one list only: the same facility on two brands' lists is two mentions to keep
            normalised = (key[0], normalised_key(row.get("name"), row.get("address"), country_of.get(key)))
            first = seen.setdefault(normalised, key)
            if first != key:
                message = f"same facility as row {first[1]} once case, punctuation and spacing are ignored"
                found.append(Finding(None, "duplicate_after_normalisation", ERROR, message))
        values[key] = multi
        failed = rejected_columns.get(key, set())
        for finding in found:
            target = errors if finding.level == ERROR else warnings
            if finding.level == ERROR and (finding.column in failed or (failed and finding.column is None)):
                continue
            target.append((*key, finding.column, finding.reason_code, finding.message))
    quarantined = {(e[0], e[1]) for e in errors}
    warnings = [w for w in warnings if (w[0], w[1]) in staged_keys and (w[0], w[1]) not in quarantined]
    kept = staged
    if quarantined:
        drop = pl.DataFrame(
            list(quarantined), schema={"source_file": pl.String, "source_row": pl.Int64}, orient="row"
        )
        kept = staged.join(drop, on=ROW, how="anti", maintain_order="left")
    kept = _with_template_values(kept, values)
    new_rejections = _rejections(raw, errors, spec.source_type)
    rejected = pl.concat([result.rejected, new_rejections]).sort(*ROW, maintain_order=True)
    warning_frame = pl.concat([_warnings(warnings), _coordinate_warnings(kept)]).sort(
        ROW, maintain_order=True
    )
    return dataclasses.replace(
        result, tables={**result.tables, "facility_records": kept}, rejected=rejected, warnings=warning_frame
    )


def _with_template_values(staged: pl.DataFrame, values: dict) -> pl.DataFrame:
    """Replace the four multi-value columns of the staged rows by the template's reading."""
    if staged.is_empty():
        return staged
    keys = list(staged.select(ROW).iter_rows())
    columns = {}
    for name in MULTI_COLUMNS:
        lists = string_lists(name, [values[key][name] for key in keys])
        columns[name] = lists.cast(staged.schema[name])
    return staged.with_columns(**columns)


def _rejections(raw: pl.DataFrame, errors: list[tuple], source_type: str) -> pl.DataFrame:
    """quarantine.rejected_rows rows for the OS Hub errors, with the row's load and payload."""
    if not errors:
        return REJECTED_SCHEMA.to_frame()
    found = pl.DataFrame(errors, schema=list(WARNING_SCHEMA), orient="row").cast(dict(WARNING_SCHEMA))
    joined = found.join(raw.select("load_id", *ROW, "payload"), on=ROW, how="left", maintain_order="left")
    return joined.select(
        pl.lit(source_type).alias(name) if name == "source_type" else pl.col(name) for name in REJECTED_SCHEMA
    ).cast(dict(REJECTED_SCHEMA))  # type: ignore[arg-type]


def _warnings(warnings: list[tuple]) -> pl.DataFrame:
    if not warnings:
        return WARNING_SCHEMA.to_frame()
    return pl.DataFrame(warnings, schema=list(WARNING_SCHEMA), orient="row").cast(dict(WARNING_SCHEMA))


def _coordinate_warnings(staged: pl.DataFrame) -> pl.DataFrame:
    """(0, 0) and out-of-country points of staged rows, as warnings on the lat column."""
    rows = []
    for source_file, source_row, flag in staged.select(*ROW, "coordinate_flag").iter_rows():
        if flag in COORDINATE_WARNINGS:
            code, message = COORDINATE_WARNINGS[flag]
            rows.append((source_file, source_row, "lat", code, message))
    return _warnings(rows)
