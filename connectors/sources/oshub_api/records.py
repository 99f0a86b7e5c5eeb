"""Standardise raw Open Supply Hub API records (raw.oshub_api) into staged.facility_records.

Each record is read through the shape of the endpoint it came from (production locations or the
GeoJSON facilities feature); keys we do not know are reported and kept in extra_fields, values of
the wrong type are quarantined, never coerced. A production location's claim status, merged-away IDs
and local-language name are kept too (``location_extras``): the IDs as staged.oshub_id_aliases rows,
the local name as a name spelling for entity resolution. OS Hub's placeholders (sector
``Unspecified``, parent ``Not Applicable``) are staged as null (``placeholders``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import polars as pl

from connectors.facilities import FacilityFields, add_coordinates, add_details, facility_mention
from connectors.headers import HeaderMap
from connectors.parsing import MULTI_VALUE_SEPARATOR
from connectors.schemas import RAW_SCHEMA, frame
from connectors.sources.oshub_api.location_extras import (
    alias_rows,
    check_claim_status,
    historical_os_ids,
    local_name_spelling,
)
from connectors.sources.oshub_api.placeholders import without_placeholders
from connectors.staging import FirstSeen, Problem, RawRow, Rejections, Standardised, accept_or_reject
from data_contracts import load_contract

SOURCE_TYPE = "oshub_api"
PRODUCTION_LOCATIONS = "/api/v1/production-locations/"
FACILITIES = "/api/facilities/"


def source_file(endpoint: str, country: str | None = None) -> str:
    """The `source_file` recorded for records of `endpoint`; a one-country pull adds
    ``?country=XX`` (so staging reads the latest pull of each country as its own file)."""
    return f"api:{endpoint}" + (f"?country={country}" if country else "")


_SOURCE_FILE = re.compile(r"(?P<base>api:[^?]+)(?:\?country=(?P<country>[A-Z]{2}))?")


def split_source_file(name: str) -> tuple[str, str | None]:
    """(source_file of the endpoint, country or None) of a raw.oshub_api `source_file`."""
    match = _SOURCE_FILE.fullmatch(name)
    if match is None:
        raise ValueError(f"raw.{SOURCE_TYPE} has rows from unknown endpoint {name!r}")
    return match["base"], match["country"]


REQUIRED = ("os_id", "name", "country")
MULTI_VALUED = ("sector", "product_type", "facility_type", "processing_type")
FIELDS = FacilityFields(name="name", address="address", country="country", os_id="os_id")


class Shape(NamedTuple):
    """How one endpoint's record maps to canonical fields, and which keys it may carry."""

    fields: dict[str, str]  # canonical field -> dotted path in the record ("geometry.coordinates.1")
    known: frozenset[str]  # declared top-level keys, and "properties.<key>" for GeoJSON


LOCATION = Shape(
    fields={
        "os_id": "os_id",
        "name": "name",
        "address": "address",
        "country": "country.alpha_2",
        "lat": "coordinates.lat",
        "lng": "coordinates.lng",
        "sector": "sector",
        "product_type": "product_type",
        "facility_type": "location_type",
        "processing_type": "processing_type",
        "number_of_workers": "number_of_workers",
        "parent_company": "parent_company",
        "is_closed": "is_closed",
        "claim_status": "claim_status",
        "local_name": "local_name",
    },
    # the fields' top-level keys plus keys kept in raw only (as oshub_download keeps contribution_date)
    known=frozenset(
        "os_id name address country coordinates sector product_type location_type processing_type "  # noqa: SIM905
        "number_of_workers parent_company is_closed local_name description geocoded_location_type "
        "geocoded_address business_url minimum_order_quantity average_lead_time percent_female_workers "
        "affiliations certifications_standards_regulations claim_status claimed_at historical_os_id "
        "rba_id duns_id lei_id contributors number_of_contributors lists opened_at "
        "estimated_annual_throughput actual_annual_energy_consumption".split()
    ),
)
FEATURE = Shape(
    fields={
        "os_id": "properties.os_id",
        "name": "properties.name",
        "address": "properties.address",
        "country": "properties.country_code",
        "lat": "geometry.coordinates.1",
        "lng": "geometry.coordinates.0",
        "is_closed": "properties.is_closed",
    },
    known=frozenset(
        f"properties.{key}"
        for key in "os_id name address country_code is_closed country_name has_approved_claim "  # noqa: SIM905
        "ppe_product_types ppe_contact_phone ppe_contact_email ppe_website".split()
    )
    | {"id", "type", "geometry", "properties"},
)
SHAPES = {source_file(PRODUCTION_LOCATIONS): LOCATION, source_file(FACILITIES): FEATURE}


def standardise(raw: pl.DataFrame) -> Standardised:
    """Standardise raw.oshub_api facility records (both endpoints) into facility_records
    (+ quarantine). Unknown keys are reported per source_file and kept in ``extra_fields``."""
    missing = [name for name in RAW_SCHEMA if name not in raw.columns]
    if missing:
        raise ValueError(f"raw frame for {SOURCE_TYPE} lacks columns {missing}")
    rejections, seen = Rejections(SOURCE_TYPE), FirstSeen()
    records: list[dict[str, object]] = []
    aliases: list[dict[str, object]] = []
    unknown: dict[str, set[str]] = {}
    for row in raw.select(list(RAW_SCHEMA)).iter_rows(named=True):
        endpoint_file = split_source_file(row["source_file"])[0]
        if endpoint_file not in SHAPES:
            raise ValueError(f"raw.{SOURCE_TYPE} has rows from unknown endpoint {row['source_file']!r}")
        problems: list[Problem] = []
        raw_row = _raw_row(row, SHAPES[endpoint_file], problems)
        unknown.setdefault(row["source_file"], set()).update(raw_row.extras)
        record = facility_mention(raw_row, SOURCE_TYPE, FIELDS, REQUIRED, problems)
        add_coordinates(record, raw_row, problems)
        add_details(record, raw_row)
        _check_is_closed(record, raw_row, problems)
        check_claim_status(record, raw_row, problems)
        merged_away = historical_os_ids(raw_row, problems)
        spelling = local_name_spelling(record, raw_row, SOURCE_TYPE, problems)
        if accept_or_reject(raw_row, problems, seen, str(record["record_id"]), rejections):
            records += [record] if spelling is None else [record, spelling]
            aliases += alias_rows(record, merged_away)
    return Standardised(
        tables={
            "facility_records": without_placeholders(frame("facility_records", records)),
            "oshub_id_aliases": _alias_frame(aliases),
        },
        rejected=rejections.frame(),
        unknown_columns={name: tuple(sorted(keys)) for name, keys in unknown.items() if keys},
    )


def _alias_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    schema = load_contract("staged.oshub_id_aliases").polars_schema()
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def _raw_row(row: dict[str, Any], shape: Shape, problems: list[Problem]) -> RawRow:
    """A RawRow whose cells are the record's values as text (lists joined with "|", a worker
    range as "min-max"); its header map names each field's path in the record."""
    payload: dict[str, Any] = json.loads(row["payload"])
    cells: dict[str, str] = {}
    for name, path in shape.fields.items():
        text = _as_text(name, path, _at(payload, path), problems)
        if text is not None:
            cells[name] = text
    extras = {
        key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for key, value in _unknown_keys(payload, shape)
    }
    return RawRow(
        load_id=row["load_id"],
        source_file=row["source_file"],
        source_row=row["source_row"],
        contributor=row["contributor"],
        payload=row["payload"],
        cells=cells,
        extras=extras,
        headers=HeaderMap({path: name for name, path in shape.fields.items()}, tuple(extras), ()),
    )


def _at(record: Any, path: str) -> Any:
    """The value at a dotted path ("geometry.coordinates.1"), or None when absent."""
    for part in path.split("."):
        if isinstance(record, dict):
            record = record.get(part)
        elif isinstance(record, list) and part.isdigit() and int(part) < len(record):
            record = record[int(part)]
        else:
            return None
    return record


def _as_text(name: str, path: str, value: Any, problems: list[Problem]) -> str | None:
    """Render one API value as the cell text the shared facility helpers parse."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or (isinstance(value, int | float) and name in ("lat", "lng")):
        return str(value)
    if name in MULTI_VALUED and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return MULTI_VALUE_SEPARATOR.join(value)
    if name == "number_of_workers" and isinstance(value, dict) and set(value) == {"min", "max"}:
        low, high = value["min"], value["max"]
        return str(low) if low == high else f"{low}-{high}"
    text = json.dumps(value, ensure_ascii=False)
    problems.append(Problem(name, "unknown_value", f"{path} is {text[:80]}, not the expected type"))
    return text  # kept as the cell so the row is rejected once, for this reason


def _unknown_keys(payload: dict[str, Any], shape: Shape) -> Iterator[tuple[str, Any]]:
    """(dotted key, value) for every key of the record, or of its ``properties``, not declared."""
    for key, value in payload.items():
        if key not in shape.known:
            yield key, value
        elif key == "properties" and isinstance(value, dict):
            yield from ((f"{key}.{k}", v) for k, v in value.items() if f"{key}.{k}" not in shape.known)


def _check_is_closed(record: dict[str, object], row: RawRow, problems: list[Problem]) -> None:
    closed = row.raw("is_closed")
    if closed is not None:
        record["is_closed"] = {"True": True, "False": False}.get(closed)
        if record["is_closed"] is None:
            problems.append(
                Problem("is_closed", "unknown_value", f"is_closed {closed!r} is not true, false or null")
            )
