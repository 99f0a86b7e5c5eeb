"""Build ``staged.facility_records`` rows from one raw row (shared by every source).

A facility mention needs a name that is a name (not a placeholder, not a street address) and a
country that resolves to ISO alpha-2; an OS ID, when given, must validate; no facility cell may
look like a spreadsheet formula or exceed its length limit. Coordinates (OS Hub style lists) must
come as a numeric, in-range pair: (0, 0) is kept as ``null_island`` with the coordinates nulled, a
point outside the country's box is kept and flagged ``country_mismatch``. At most one problem is
reported per column. This is the row-level reference path; ``connectors.frames`` is the
vectorised path for whole facility lists and must give identical results.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from connectors.cell_checks import (
    ADDRESS_LIMIT,
    CELL_LIMIT,
    NAME_LIMIT,
    cell_problem,
    check_cells,
    coordinate_check,
    country_check,
    has_problem,
    name_problem,
    os_id_check,
    unpaired_coordinate,
)
from connectors.countries import coordinates_plausible
from connectors.headers import SourceSpec
from connectors.ids import facility_record_id
from connectors.parsing import clean_text, parse_workers, split_multi
from connectors.schemas import STAGED_SCHEMAS, frame
from connectors.staging import (
    FirstSeen,
    Problem,
    RawRow,
    Rejections,
    Standardised,
    accept_or_reject,
    iter_raw_rows,
)

FACILITY_COLUMNS = tuple(STAGED_SCHEMAS["facility_records"])


class FacilityFields(NamedTuple):
    """Which canonical fields of a source hold the facility's name, address, country and OS ID."""

    name: str = "name"
    address: str | None = "address"
    country: str = "country"
    os_id: str | None = "os_id"

    def limits(self) -> dict[str, int]:
        """Length limit per field: name 300, address 600 characters (other cells: 2000)."""
        limits = {self.name: NAME_LIMIT}
        if self.address is not None:
            limits[self.address] = ADDRESS_LIMIT
        return limits


def _facility_cell(
    row: RawRow, field_name: str | None, required: tuple[str, ...], limit: int, problems: list[Problem]
) -> str | None:
    """The raw cell; missing_required when a required one is empty, else formula / length checks."""
    if field_name is None:
        return None
    value = row.require(field_name, problems) if field_name in required else row.raw(field_name)
    if value is not None and not has_problem(problems, field_name):
        problem = cell_problem(field_name, value, limit)
        if problem is not None:
            problems.append(problem)
    return value


def facility_mention(
    row: RawRow, source_type: str, fields: FacilityFields, required: tuple[str, ...], problems: list[Problem]
) -> dict[str, object]:
    """Return a facility_records row for ``row``; append problems for anything that fails."""
    limits = fields.limits()
    name_raw, address_raw, country_raw, os_id_raw = (
        _facility_cell(row, field_name, required, limits.get(str(field_name), CELL_LIMIT), problems)
        for field_name in fields
    )
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
    found: list[Problem | None] = []
    if name_raw is not None and not has_problem(problems, fields.name):
        found.append(name_problem(fields.name, name_raw))
    if country_raw is not None:
        record["country_code"], problem = country_check(fields.country, country_raw)
        found.append(None if has_problem(problems, fields.country) else problem)
    if os_id_raw is not None and fields.os_id is not None:
        record["os_id"], problem = os_id_check(fields.os_id, os_id_raw)
        found.append(None if has_problem(problems, fields.os_id) else problem)
    problems.extend(problem for problem in found if problem is not None)
    return record


def add_coordinates(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    """Set lat/lng/coordinate_flag on ``record`` from the row's lat and lng cells."""
    lat_raw, lng_raw = row.raw("lat"), row.raw("lng")
    if (lat_raw is None and lng_raw is None) or has_problem(problems, "lat") or has_problem(problems, "lng"):
        return
    unpaired = unpaired_coordinate(lat_raw, lng_raw)
    if unpaired is not None:
        problems.append(unpaired)
        return
    lat = coordinate_check("lat", str(lat_raw))
    lng = coordinate_check("lng", str(lng_raw)) if not isinstance(lat, Problem) else None
    for parsed in (lat, lng):
        if isinstance(parsed, Problem):
            problems.append(parsed)
            return
    assert isinstance(lat, float) and isinstance(lng, float)
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
    """Standardise an OS Hub style list row by row: every cell checked, one facility record per
    row, duplicates rejected. The reference for ``frames.facility_lists.standardise_facility_frame``."""
    rejections = Rejections(spec.source_type)
    seen = FirstSeen()
    records: list[dict[str, object]] = []
    unknown: dict[str, tuple[str, ...]] = {}
    limits = fields.limits()
    for row in iter_raw_rows(raw, spec, unknown):
        problems: list[Problem] = []
        check_cells(row, limits, problems)
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
