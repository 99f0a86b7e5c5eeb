"""Checks and facility_records values for one chunk of one file's decoded cells (vectorised).

The twin of ``facility_mention`` + ``add_coordinates`` + ``add_details`` (+ the is_closed check) in
the row path: returns every row of the chunk in final facility_records form (plus ``position``)
and the problems found; which rows are staged is decided later, across all chunks, by
``frames.facility_lists`` (rows with a problem and later duplicates are dropped).
"""

from __future__ import annotations

import polars as pl

from connectors.facilities import FacilityFields
from connectors.frames.checks import FileChecks, raw_cells
from connectors.frames.fields import (
    check_coordinates,
    check_country,
    check_is_closed,
    check_name,
    check_os_id,
)
from connectors.frames.values import clean_text, map_distinct, per_distinct, split_multi
from connectors.headers import HeaderMap, SourceSpec
from connectors.ids import KEY_LENGTH, sha256_hex
from connectors.parsing import parse_workers
from connectors.reading.json_payload import payload_expr
from connectors.schemas import STAGED_SCHEMAS

PROVENANCE = ["position", "load_id", "source_file", "source_row", "contributor"]
MULTI = {
    "sectors": "sector",
    "product_types": "product_type",
    "facility_types": "facility_type",
    "processing_types": "processing_type",
}
WORKERS = pl.Struct({"low": pl.Int64, "high": pl.Int64})


def chunk_records(
    cells: pl.DataFrame,
    header_map: HeaderMap,
    spec: SourceSpec,
    fields: FacilityFields,
    with_is_closed: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, problems) for decoded cells: ``__<provenance>`` columns plus c0, c1, ... per header."""
    names = [header_map.canonical.get(h, f"__x{i}") for i, h in enumerate(header_map.headers)]
    cells = cells.rename({f"c{i}": name for i, name in enumerate(names)})
    unknown = [name for name in names if name.startswith("__x")]
    checks = FileChecks(raw_cells(cells, [n for n in names if n not in unknown]), header_map, names)
    checks.cell_checks(fields.limits())
    checks.required([field for field in fields if field is not None], spec.required)
    checked = [
        check_name(checks, fields.name),
        check_country(checks, fields.country),
        check_os_id(checks, fields.os_id),
    ]
    coordinates = check_coordinates(checks, checked[1])
    if with_is_closed:
        checked.append(check_is_closed(checks))
    extras = payload_expr(header_map.unknown, unknown) if unknown else pl.lit(None, pl.String)
    sources = {
        "name_raw": fields.name,
        "address_raw": fields.address,
        "country_raw": fields.country,
        "os_id_raw": fields.os_id,
        **MULTI,
        "number_of_workers_raw": "number_of_workers",
        "parent_company": "parent_company",
    }
    values = pl.DataFrame(
        [checks.value(source).alias(target) for target, source in sources.items()] + checked
    )
    provenance = checks.cells.select(
        *(pl.col(f"__{column}").alias(column) for column in PROVENANCE), extras.alias("extra_fields")
    )
    records = pl.concat([provenance, values, coordinates], how="horizontal")
    return _final_form(records, spec.source_type), checks.frame()


def _final_form(records: pl.DataFrame, source_type: str) -> pl.DataFrame:
    """position + the facility_records columns in contract order (record_id from raw values)."""
    raw_values = ["contributor", "name_raw", "address_raw", "country_raw", "os_id_raw"]
    joined = records.select(
        pl.concat_str(pl.lit(source_type), *(pl.col(c).fill_null("") for c in raw_values), separator="|")
    ).to_series()
    workers = per_distinct(
        records["number_of_workers_raw"],
        lambda text: (dict(zip(("low", "high"), parse_workers(text), strict=True)),),
        {"workers": WORKERS},
    )["workers"]
    records = records.with_columns(
        *(map_distinct(records[target], split_multi) for target in MULTI),
        record_id=sha256_hex(joined, KEY_LENGTH),
        workers=workers,
    )
    derived = {
        "source_type": pl.lit(source_type),
        "address": clean_text(pl.col("address_raw")),
        "workers_min": pl.col("workers").struct.field("low"),
        "workers_max": pl.col("workers").struct.field("high"),
        "parent_company": clean_text(pl.col("parent_company")),
    }
    schema = STAGED_SCHEMAS["facility_records"]
    if "is_closed" not in records.columns:
        derived["is_closed"] = pl.lit(None, pl.Boolean)
    for column in ("claim_status", "spelling_of"):  # production-location columns (oshub_api only)
        derived.setdefault(column, pl.lit(None, pl.String))
    columns = [derived.get(name, pl.col(name)).cast(dtype).alias(name) for name, dtype in schema.items()]
    return records.select("position", *columns)
