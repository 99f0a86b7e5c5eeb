"""Vectorised standardisation of whole facility lists (OS Hub downloads, supplier lists).

Same contract and same output as the row path ``facilities.standardise_facility_list`` (staged
rows, quarantine rows with the same codes, messages and order, unknown columns), at Polars speed:
payloads are decoded per file with ``reading.json_payload.decode_payloads``, every check runs on whole
columns (``frames.records``), Python runs once per distinct candidate value, and duplicates are
found with one pass over the record ids. Files are processed in chunks of CHUNK_ROWS rows so the
working memory stays small at millions of rows. Returns None whenever the input is not in the
canonical raw form (missing raw columns, an empty frame, a payload not written by ``json.dumps``);
callers then use the row path, which also raises the row path's errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import polars as pl

from connectors.facilities import FacilityFields
from connectors.frames.records import PROVENANCE, chunk_records
from connectors.headers import SourceSpec, map_headers
from connectors.reading.json_payload import decode_payloads
from connectors.schemas import RAW_SCHEMA, REJECTED_SCHEMA
from connectors.staging import Standardised

CHUNK_ROWS = 100_000
DUPLICATE_RANK = 9000


def standardise_facility_frame(
    raw: pl.DataFrame, spec: SourceSpec, fields: FacilityFields, with_is_closed: bool = False
) -> Standardised | None:
    """Standardise a raw facility-list frame column-wise; None when it is not in canonical form."""
    if raw.is_empty() or any(name not in raw.columns for name in RAW_SCHEMA):
        return None
    raw = raw.select(list(RAW_SCHEMA)).with_row_index("position")
    unknown: dict[str, tuple[str, ...]] = {}
    records, problems = [], []
    for headers, group in _files(raw):
        if headers is None:
            return None
        header_map = map_headers(headers, spec)
        if header_map.unknown:
            unknown.setdefault(group["source_file"][0], header_map.unknown)
        for chunk in group.iter_slices(CHUNK_ROWS):
            decoded = decode_payloads(chunk["payload"], headers)
            if decoded is None:
                return None
            provenance = chunk.select(pl.col(name).alias(f"__{name}") for name in PROVENANCE)
            cells = pl.concat([provenance, decoded], how="horizontal")
            chunk_rows, found = chunk_records(cells, header_map, spec, fields, with_is_closed)
            records.append(chunk_rows)
            problems.append(found)
    return _assemble(raw, records, pl.concat(problems), spec.source_type, unknown)


def _files(raw: pl.DataFrame) -> Iterator[tuple[list[str] | None, pl.DataFrame]]:
    """Per (load, file), in order of first row: the headers of its first payload and its rows."""
    keys = ["load_id", "source_file"]
    single = raw.select(pl.struct(keys).n_unique()).item() == 1
    for group in [raw] if single else raw.partition_by(keys, maintain_order=True):
        first = json.loads(group["payload"][0])
        if not isinstance(first, dict) or not all(isinstance(value, str) for value in first.values()):
            yield None, group
            return
        yield list(first), group


def _duplicates(keys: pl.DataFrame) -> pl.DataFrame:
    """duplicate_row problems for clean rows whose record_id an earlier clean row already has."""
    first = keys.filter(pl.col("first")).select(
        "record_id", first_load="load_id", first_file="source_file", first_row="source_row"
    )
    later = keys.filter(~pl.col("first")).join(first, on="record_id", maintain_order="left")
    other_file = pl.col("first_file") != pl.col("source_file")
    other_load = pl.col("first_load") != pl.col("load_id")
    where = pl.concat_str(
        pl.lit("row "),
        pl.col("first_row").cast(pl.String),
        pl.when(other_file).then(pl.lit(" of ") + pl.col("first_file")).otherwise(pl.lit("")),
        pl.when(other_load).then(pl.lit(" in load ") + pl.col("first_load")).otherwise(pl.lit("")),
    )
    message = pl.concat_str(
        pl.lit("same key "), "record_id", pl.lit(" as "), where, pl.lit("; the first row is kept")
    )
    return later.select(
        "position",
        pl.lit(DUPLICATE_RANK, pl.Int32).alias("rank"),
        pl.lit(None, pl.String).alias("column_name"),
        pl.lit("duplicate_row").alias("reason_code"),
        message.alias("message"),
    )


def _assemble(
    raw: pl.DataFrame, records: list[pl.DataFrame], problems: pl.DataFrame, source_type: str, unknown: dict
) -> Standardised:
    """Staged rows (clean, first of each record_id) and quarantine rows in the row path's order."""
    failed = problems["position"].implode()
    keys = pl.concat(
        [chunk.select("position", "load_id", "source_file", "source_row", "record_id") for chunk in records]
    ).filter(~pl.col("position").is_in(failed))
    keys = keys.with_columns(first=pl.col("record_id").is_first_distinct())
    kept = keys.filter("first")["position"].implode()
    rejected = (
        pl.concat([problems, _duplicates(keys)])
        .sort("position", "rank")
        .join(
            raw.select("position", "load_id", "source_file", "source_row", "payload"),
            on="position",
            how="left",
            maintain_order="left",
        )
        .select(
            pl.lit(source_type).alias(name) if name == "source_type" else pl.col(name)
            for name in REJECTED_SCHEMA
        )
        .cast(dict(REJECTED_SCHEMA))  # type: ignore[arg-type]
    )
    staged = []
    while records:  # filter chunk by chunk, releasing each unfiltered chunk as we go
        chunk = records.pop(0)
        staged.append(chunk.filter(pl.col("position").is_in(kept)).drop("position"))
        del chunk
    return Standardised(
        tables={"facility_records": pl.concat(staged, rechunk=False)},
        rejected=rejected,
        unknown_columns=unknown,
    )
