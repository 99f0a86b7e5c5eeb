"""Checks on single cells shared by every facility source: spreadsheet formulas, length limits,
placeholder names and countries, names that are really street addresses, and the facility fields of
one row (name, country, OS ID, coordinates, is_closed).

Each check is one plain Python predicate on a value; it is the definition. The field checks take raw
cell values and return the cleaned value and / or the Problem to report. The row-level path
(``connectors.facilities``) calls them per row; the vectorised staging path (``connectors.frames``)
only narrows the candidates with a cheap Polars prefilter that is a superset of what the predicate
accepts, then calls the very same functions once per distinct candidate, so the two paths cannot
disagree on a verdict or a message.

Conservative by design: a check fires only when the value cannot plausibly be what the column
claims. "-77.08", "+86 138 0013 8000" and "-" are data, not formulas; "No. 1 Garment Factory" is a
name, "No. 12 Industrial Road, Longhua, Shenzhen" is an address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from connectors.countries import to_alpha2
from connectors.ids import normalise_os_id, os_id_problem
from connectors.parsing import parse_coordinate
from connectors.staging import Problem, RawRow

CELL_LIMIT = 2000
NAME_LIMIT = 300
ADDRESS_LIMIT = 600
FORMULA_TRIGGERS = "=@+-"
LEADING_CONTROL = "\t\r"
# "+" / "-" followed by a number, a phone number or a coordinate is data, not a formula.
_NUMBER_OR_PHONE = re.compile(r"\s*\(?\s*[0-9.][0-9 ().,/-]*(?:[eE][+-]?[0-9]+)?%?\s*", re.ASCII)
_ONLY_DASHES = re.compile(r"[-\s]*")
PLACEHOLDERS = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "n.a",
        "n/k",
        "none",
        "null",
        "nil",
        "unknown",
        "not known",
        "not available",
        "not applicable",
        "not specified",
        "unspecified",
        "tbd",
        "tbc",
        "no name",
        "unnamed",
    }
)
MAX_PLACEHOLDER_LENGTH = max(len(word) for word in PLACEHOLDERS)
IS_CLOSED = {"true": True, "false": False}
LAT_RANGE, LNG_RANGE = (-90.0, 90.0), (-180.0, 180.0)

_HOUSE_NUMBER = r"[0-9]+[a-z]?(?:\s*[-/&]\s*[0-9]+[a-z]?)?"
_PREMISES = r"(?:plot|lot|house|building|bldg|block|blk|unit|km)\.?\s*(?:no\.?\s*)?[a-z]?[0-9]+[a-z0-9-]*"
_ADDRESS_START = re.compile(
    rf"^(?:(?:no\.?|n[°º]|#)\s*{_HOUSE_NUMBER}|{_HOUSE_NUMBER}|{_PREMISES})(?=[\s,])",
    re.IGNORECASE | re.ASCII,
)
_STREET_TYPES = (
    "road|rd|street|st|avenue|ave|av|lane|ln|boulevard|blvd|highway|hwy|drive|dr|way|"
    "sokak|sok|caddesi|cad|gasse|strasse|straße|str|weg|laan|vej|soi"
)
_STREET_LEADING = "jalan|jl|rue|calle|via|rua|avenida|duong|ulica|ul|carrer|rua"
_STREET_WORD = re.compile(rf"\b(?:{_STREET_TYPES})\b", re.IGNORECASE)
_STARTS_WITH_STREET = re.compile(rf"^(?:{_STREET_LEADING})\.?\s", re.IGNORECASE)
_ORGANISATION = re.compile(
    r"\b(?:ltd|limited|co|company|corp|corporation|inc|llc|plc|gmbh|ag|sa|s\.a|srl|spa|bv|pvt|pte|"
    r"jsc|tbk|factory|factories|mill|mills|garments?|textiles?|apparel|industries|industrial co|"
    r"manufacturing|manufacturer|enterprises?|group|fashions?|knit\w*|clothing|shoes|footwear|"
    r"leather|dyeing|printing|packaging|trading|works|workshop|plant|products)\b",
    re.IGNORECASE,
)


def looks_like_formula(value: str) -> bool:
    """True when a spreadsheet would run ``value`` as a formula (CSV injection).

    Starts (after tabs / carriage returns) with "=" or "@", or with "+" / "-" followed by
    something that is not a number or a phone number. A lone "-" or "--" is a placeholder.
    """
    core = value.lstrip(LEADING_CONTROL)
    if not core or core[0] not in FORMULA_TRIGGERS:
        return False
    if core[0] in "=@":
        return True
    rest = core[1:]
    return not (_ONLY_DASHES.fullmatch(rest) or _NUMBER_OR_PHONE.fullmatch(rest))


def formula_message(column: str) -> str:
    """Plain-language message for a spreadsheet_formula rejection (never echoes the value)."""
    return (
        f"{column} starts like a spreadsheet formula (=, @, or + / - not followed by a number); "
        "such cells are refused to prevent CSV injection"
    )


def too_long_message(column: str, length: int, limit: int) -> str:
    """Plain-language message for a value_too_long rejection."""
    return f"{column} is {length} characters long; the limit is {limit}"


def is_placeholder(value: str) -> bool:
    """True for "N/A", "unknown", "-", "?" and other values that say "not given"."""
    text = " ".join(value.split()).casefold()
    return text in PLACEHOLDERS or not any(char.isalnum() for char in text)


def is_empty_name(value: str) -> bool:
    """A name cell that carries no name: a placeholder or only punctuation and symbols."""
    return is_placeholder(value)


def name_is_address(value: str) -> bool:
    """True when a name cell holds a street address rather than a facility name.

    All three must hold: it starts with a house number ("12", "No. 8", "#45", "12-14") or a
    plot / lot / building number; after that number comes a street type word ("... Road",
    "... Street", "... Sok.") or a leading street word ("12 Rue ...", "45 Jalan ..."), or the
    value has three or more non-empty comma-separated parts; and it contains no organisation word
    (Ltd, Co, Factory, Garments, Mill, ...). On 55k real facility and plant names it fires on 4,
    all of them addresses ("120 EDWARD STREET").
    """
    text = " ".join(value.split())
    start = _ADDRESS_START.match(text)
    if start is None or _ORGANISATION.search(text):
        return False
    parts = [part.strip() for part in text.split(",")]
    after_number = text[start.end() :].lstrip(" ,")
    return bool(
        _STREET_WORD.search(after_number)
        or _STARTS_WITH_STREET.match(after_number)
        or (len(parts) >= 3 and all(parts))
    )


def cell_problem(column: str, value: str | None, limit: int = CELL_LIMIT) -> Problem | None:
    """spreadsheet_formula or value_too_long for one non-blank cell (formula checked first)."""
    if value is None or not value.strip():
        return None
    if looks_like_formula(value):
        return Problem(column, "spreadsheet_formula", formula_message(column))
    if len(value) > limit:
        return Problem(column, "value_too_long", too_long_message(column, len(value), limit))
    return None


def check_cells(row: RawRow, limits: Mapping[str, int], problems: list[Problem]) -> None:
    """Append a formula / length problem for every failing cell of ``row``, in file column order.

    ``limits`` maps canonical field names to their limit; every other cell, including columns the
    source does not declare (named by their original header), gets :data:`CELL_LIMIT`.
    """
    header_map = row.headers
    for header in header_map.headers or (*header_map.canonical, *header_map.unknown):
        column = header_map.canonical.get(header)
        value = row.cells.get(column) if column is not None else row.extras.get(header)
        column = column or header
        problem = cell_problem(column, value, limits.get(column, CELL_LIMIT))
        if problem is not None:
            problems.append(problem)


def has_problem(problems: list[Problem], column: str) -> bool:
    """True when ``column`` already failed a check (one rejection per column and row)."""
    return any(problem.column == column for problem in problems)


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
