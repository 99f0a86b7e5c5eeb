"""Build ``staged.facility_records`` rows from one raw row (shared by every source).

A facility mention needs a name and a country that resolves to ISO alpha-2; an OS ID, when given,
must validate. Coordinates (OS Hub style lists) must come as a numeric, in-range pair: (0, 0) is
kept as ``null_island`` with the coordinates nulled, a point outside the country's box is kept
and flagged ``country_mismatch``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from connectors.countries import coordinates_plausible, to_alpha2
from connectors.headers import SourceSpec
from connectors.os_id import normalise_os_id, os_id_problem
from connectors.parsing import clean_text, parse_coordinate, parse_workers, split_multi
from connectors.schemas import STAGED_SCHEMAS, frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    facility_record_id,
    iter_raw_rows,
)

FACILITY_COLUMNS = tuple(STAGED_SCHEMAS["facility_records"])


class FacilityFields(NamedTuple):
    """Which canonical fields of a source hold the facility's name, address, country and OS ID."""

    name: str = "name"
    address: str | None = "address"
    country: str = "country"
    os_id: str | None = "os_id"


def facility_mention(
    row: RawRow, source_type: str, fields: FacilityFields, required: tuple[str, ...], problems: list[Problem]
) -> dict[str, object]:
    """Return a facility_records row for ``row``; append problems for anything that fails."""

    def cell(field_name: str | None) -> str | None:
        if field_name is None:
            return None
        if field_name in required:
            return row.require(field_name, problems)
        return row.raw(field_name)

    name_raw, address_raw = cell(fields.name), cell(fields.address)
    country_raw, os_id_raw = cell(fields.country), cell(fields.os_id)
    record: dict[str, object] = dict.fromkeys(FACILITY_COLUMNS)
    record.update(
        record_id=facility_record_id(
            source_type, row.contributor, name_raw, address_raw, country_raw, os_id_raw
        ),
        source_type=source_type,
        contributor=row.contributor,
        load_id=row.load_id,
        source_file=row.source_file,
        source_row=row.source_row,
        name_raw=name_raw,
        name=clean_text(name_raw),
        address_raw=address_raw,
        address=clean_text(address_raw),
        country_raw=country_raw,
    )
    if country_raw is not None:
        record["country_code"] = to_alpha2(country_raw)
        if record["country_code"] is None:
            problems.append(
                Problem(
                    fields.country,
                    "unknown_country",
                    f"country {country_raw!r} is not an ISO 3166-1 code, "
                    "an English country name or a known variant",
                )
            )
    if os_id_raw is not None and fields.os_id is not None:
        os_id = normalise_os_id(os_id_raw)
        problem = os_id_problem(os_id)
        if problem:
            problems.append(Problem(fields.os_id, "invalid_os_id", problem))
        record["os_id"] = os_id
    return record


def add_coordinates(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    """Set lat/lng/coordinate_flag on ``record`` from the row's lat and lng cells."""
    lat_raw, lng_raw = row.raw("lat"), row.raw("lng")
    if lat_raw is None and lng_raw is None:
        return
    if lat_raw is None or lng_raw is None:
        present, absent = ("lat", "lng") if lng_raw is None else ("lng", "lat")
        problems.append(Problem(absent, "invalid_coordinates", f"{present} is given but {absent} is empty"))
        return
    try:
        lat = parse_coordinate(lat_raw, -90.0, 90.0)
    except ValueError as exc:
        problems.append(Problem("lat", "invalid_coordinates", f"lat {exc}"))
        return
    try:
        lng = parse_coordinate(lng_raw, -180.0, 180.0)
    except ValueError as exc:
        problems.append(Problem("lng", "invalid_coordinates", f"lng {exc}"))
        return
    if lat == 0.0 and lng == 0.0:
        record["coordinate_flag"] = "null_island"
        return
    record["lat"], record["lng"] = lat, lng
    country_code = record.get("country_code")
    if isinstance(country_code, str) and not coordinates_plausible(country_code, lat, lng):
        record["coordinate_flag"] = "country_mismatch"


def add_details(record: dict[str, object], row: RawRow) -> None:
    """Set the OS Hub descriptive fields (multi-values, workers, parent company, extras)."""
    workers_raw = row.raw("number_of_workers")
    workers_min, workers_max = parse_workers(workers_raw)
    record.update(
        sectors=split_multi(row.raw("sector")),
        product_types=split_multi(row.raw("product_type")),
        facility_types=split_multi(row.raw("facility_type")),
        processing_types=split_multi(row.raw("processing_type")),
        number_of_workers_raw=workers_raw,
        workers_min=workers_min,
        workers_max=workers_max,
        parent_company=clean_text(row.raw("parent_company")),
        extra_fields=json.dumps(row.extras, ensure_ascii=False) if row.extras else None,
    )


RowCheck = Callable[[dict[str, object], RawRow, list[Problem]], None]


def standardise_facility_list(
    raw: pl.DataFrame, spec: SourceSpec, fields: FacilityFields, extra_check: RowCheck | None = None
) -> Standardised:
    """Standardise an OS Hub style list: one facility record per row, duplicates rejected."""
    rejections = Rejections(spec.source_type)
    seen = FirstSeen()
    records: list[dict[str, object]] = []
    unknown: dict[str, tuple[str, ...]] = {}
    for row in iter_raw_rows(raw, spec, unknown):
        problems: list[Problem] = []
        record = facility_mention(row, spec.source_type, fields, spec.required, problems)
        add_coordinates(record, row, problems)
        add_details(record, row)
        if extra_check is not None:
            extra_check(record, row, problems)
        if accept_or_reject(row, problems, seen, str(record["record_id"]), rejections):
            records.append(record)
    return Standardised(
        tables={"facility_records": frame("facility_records", records)},
        rejected=rejections.frame(),
        unknown_columns=unknown,
    )
