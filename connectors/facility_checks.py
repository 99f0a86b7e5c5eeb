"""Checks on the facility fields of one row (name, country, OS ID, coordinates, is_closed).

Each function takes raw cell values and returns the cleaned value and / or the Problem to report.
The row-level path (``connectors.facilities``) calls them per row; the vectorised path
(``connectors.facility_frames``) calls the very same functions once per distinct value, so the
two paths cannot disagree on a verdict or a message.
"""

from __future__ import annotations

from connectors.cell_checks import is_empty_name, is_placeholder, name_is_address
from connectors.countries import to_alpha2
from connectors.os_id import normalise_os_id, os_id_problem
from connectors.parsing import parse_coordinate
from connectors.staging import Problem

IS_CLOSED = {"true": True, "false": False}
LAT_RANGE, LNG_RANGE = (-90.0, 90.0), (-180.0, 180.0)


def name_problem(column: str, name_raw: str) -> Problem | None:
    """empty_name for a placeholder / symbol-only name, name_is_address for a street address."""
    if is_empty_name(name_raw):
        return Problem(
            column, "empty_name", f"name {name_raw!r} is a placeholder or has no letters or digits"
        )
    if name_is_address(name_raw):
        return Problem(
            column,
            "name_is_address",
            f"name {name_raw!r} looks like a street address, not a facility name",
        )
    return None


def country_check(column: str, country_raw: str) -> tuple[str | None, Problem | None]:
    """(alpha-2 or None, problem): missing_country for a placeholder, else unknown_country."""
    code = to_alpha2(country_raw)
    if code is not None:
        return code, None
    if is_placeholder(country_raw):
        return None, Problem(
            column, "missing_country", f"country {country_raw!r} is a placeholder: no country is given"
        )
    return None, Problem(
        column,
        "unknown_country",
        f"country {country_raw!r} is not an ISO 3166-1 code, an English country name or a known variant",
    )


def os_id_check(column: str, os_id_raw: str) -> tuple[str, Problem | None]:
    """(normalised OS ID, invalid_os_id problem or None)."""
    os_id = normalise_os_id(os_id_raw)
    problem = os_id_problem(os_id)
    return os_id, Problem(column, "invalid_os_id", problem) if problem else None


def coordinate_check(field_name: str, value: str) -> float | Problem:
    """A lat / lng cell as a float in range, or an invalid_coordinates problem."""
    low, high = LAT_RANGE if field_name == "lat" else LNG_RANGE
    try:
        return parse_coordinate(value, low, high)
    except ValueError as exc:
        return Problem(field_name, "invalid_coordinates", f"{field_name} {exc}")


def unpaired_coordinate(lat_raw: str | None, lng_raw: str | None) -> Problem | None:
    """invalid_coordinates when exactly one of lat / lng is given (named after the empty one)."""
    if (lat_raw is None) == (lng_raw is None):
        return None
    present, absent = ("lat", "lng") if lng_raw is None else ("lng", "lat")
    return Problem(absent, "invalid_coordinates", f"{present} is given but {absent} is empty")


def is_closed_check(closed_raw: str) -> tuple[bool | None, Problem | None]:
    """(True / False, None) for True / False in any case; (None, unknown_value) otherwise."""
    closed = IS_CLOSED.get(closed_raw.strip().casefold())
    if closed is None:
        return None, Problem(
            "is_closed", "unknown_value", f"is_closed {closed_raw!r} is not True, False or empty"
        )
    return closed, None
