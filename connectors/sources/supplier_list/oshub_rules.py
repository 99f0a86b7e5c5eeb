"""Open Supply Hub's own upload rules for one supplier-list row: its parser's hard rules (ContriCleaner)
and its list checker's findings (ContriBot), each as a plain predicate with a reason code and a level.

Level ``error``: Open Supply Hub would refuse the row, so flrisk quarantines it. Level ``warning``:
Open Supply Hub would accept the row but its moderators would query it; flrisk stages the row and
reports the finding with its row and column. Every code is listed, with the OS Hub rule it mirrors,
in ``reference/reason_codes.csv`` (``docs/reason-codes.md``). Learned from Open Supply Hub's public
code (``src/django/contricleaner``, ``src/contribot``); nothing is copied from it.

The cells passed in are the row's raw cells keyed by canonical field name (None = empty or absent).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from connectors.countries import country_key, to_alpha2
from connectors.ids import normalise_os_id, os_id_problem

ERROR, WARNING = "error", "warning"
OSHUB_TEXT_LIMIT = 200  # ContriCleaner: name and address at most 200 characters
OSHUB_SECTOR_LIMIT = 50  # ContriCleaner: a sector value at most 50 characters
MAX_PRODUCT_TYPES = 50  # ContriCleaner MAX_PRODUCT_TYPE_COUNT
MAX_PARENT_OS_IDS = 20  # ContriCleaner MAX_PARENT_COMPANY_OS_ID_COUNT
RBA_ID_LIMIT = 255
SHORT_NAME, SHORT_ADDRESS = 10, 25  # ContriBot C0017 / C0018
# ContriBot C0019: what a spreadsheet shows instead of a value when a formula failed.
ERROR_TOKENS = (
    "#DIV/0!",
    "#DIV/0",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#NA",
    "#SPILL!",
)
ERROR_TOKEN_COLUMNS = ("name", "address", "parent_company", "country")
LONG_VALUE_COLUMNS = ("country", "number_of_workers", "parent_company", "lat", "lng")  # ContriBot C0016
PIPE_COLUMNS = (
    "sector_product_type",
    "facility_type_processing_type",
    "sector",
    "product_type",
    "facility_type",
    "processing_type",
)
_SPLIT = re.compile(r",\s*|\|")  # OS Hub splits multi-value cells on "," and "|" alike
_ERROR_TOKEN = re.compile("|".join(re.escape(token) for token in ERROR_TOKENS), re.IGNORECASE)
_PO_BOX = re.compile(r"\bp\.?\s*o\.?\s*box\b|\bpost\s+office\s+box\b|\bpostfach\b", re.IGNORECASE)
_DUNS = re.compile(r"^[0-9]{9}$")
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_HONG_KONG = re.compile(r"hong\s*kong|香港", re.IGNORECASE)
_MACAU = re.compile(r"maca[ou]|澳門|澳门", re.IGNORECASE)
_COUNTRY_WORD_MIN = 4  # shorter trailing words are state or province codes ("CA", "PE"), not countries
_US_STATE_COUNTRIES = frozenset({"georgia"})  # a US state that is also a country


class Finding(NamedTuple):
    """One rule that one row breaks."""

    column: str | None
    reason_code: str
    level: str
    message: str


def split_values(value: str | None) -> list[str]:
    """A multi-value cell split as OS Hub splits it (on "," and "|"), trimmed, empty parts dropped,
    repeated values kept once, in order."""
    return [] if value is None else list(_split_cached(value))


@lru_cache(maxsize=65536)
def _split_cached(value: str) -> tuple[str, ...]:
    parts = (" ".join(part.split()) for part in _SPLIT.split(value))
    return tuple(dict.fromkeys(part for part in parts if part))


def lei_valid(value: str) -> bool:
    """ISO 17442: 18 letters/digits then 2 check digits, and the whole as base-36 number mod 97 == 1."""
    if not _LEI.match(value):
        return False
    return int("".join(str(int(char, 36)) for char in value)) % 97 == 1


def display_length(value: str) -> int:
    """Characters as a reader counts them: a Chinese, Japanese or Korean character counts as two (a
    6-character Chinese name says as much as a 12-letter Latin one)."""
    text = value.strip()
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _text_only_punctuation(value: str) -> bool:
    return not any(char.isalnum() for char in value)


def id_findings(cells: Mapping[str, str | None]) -> list[Finding]:
    """DUNS, LEI, RBA and parent-company OS IDs (ContriCleaner's additional-id and parent rules)."""
    found = []
    duns = cells.get("duns_id")
    if duns is not None and not _DUNS.match(duns.strip()):
        found.append(Finding("duns_id", "invalid_duns_id", ERROR, f"duns_id {duns!r} is not 9 digits"))
    lei = cells.get("lei_id")
    if lei is not None and not lei_valid(lei.strip().upper()):
        found.append(
            Finding(
                "lei_id",
                "invalid_lei_id",
                ERROR,
                f"lei_id {lei!r} is not an ISO 17442 LEI (18 letters/digits + 2 check digits, mod 97 = 1)",
            )
        )
    rba = cells.get("rba_id")
    if rba is not None and len(rba) > RBA_ID_LIMIT:
        found.append(
            Finding("rba_id", "invalid_rba_id", ERROR, f"rba_id is {len(rba)} characters; at most 255")
        )
    parents = split_values(cells.get("parent_company_os_id"))
    if len(parents) > MAX_PARENT_OS_IDS:
        message = f"{len(parents)} parent_company_os_id values; OS Hub takes at most {MAX_PARENT_OS_IDS}"
        found.append(Finding("parent_company_os_id", "invalid_parent_company_os_id", ERROR, message))
    else:
        problems = [os_id_problem(normalise_os_id(value)) for value in parents]
        first = next((problem for problem in problems if problem), None)
        if first is not None:
            message = f"parent_company_os_id: {first}"
            found.append(Finding("parent_company_os_id", "invalid_parent_company_os_id", ERROR, message))
    return found


def text_findings(cells: Mapping[str, str | None]) -> list[Finding]:
    """Lengths, punctuation-only address and spreadsheet error values (ContriCleaner + ContriBot)."""
    found = []
    for column in ERROR_TOKEN_COLUMNS:
        value = cells.get(column)
        if value is None or _ERROR_TOKEN.search(value) is None:
            continue
        token = _ERROR_TOKEN.search(value)[0]  # type: ignore[index]
        if _ERROR_TOKEN.sub("", value).strip(" ,;|-") == "":
            message = f"{column} is the spreadsheet error {token!r}, not a value: fix the formula"
            found.append(Finding(column, "spreadsheet_error_value", ERROR, message))
        else:
            message = f"{column} contains the spreadsheet error {token!r}"
            found.append(Finding(column, "spreadsheet_error_token", WARNING, message))
    failed = {finding.column for finding in found if finding.level == ERROR}
    for column in ("name", "address"):
        value = cells.get(column)
        if value is None or column in failed:
            continue
        if len(value) > OSHUB_TEXT_LIMIT:
            message = f"{column} is {len(value)} characters; Open Supply Hub takes at most {OSHUB_TEXT_LIMIT}"
            found.append(Finding(column, "too_long_for_oshub", ERROR, message))
        elif column == "address" and _text_only_punctuation(value):
            message = f"address {value!r} has only punctuation or spaces"
            found.append(Finding(column, "address_only_punctuation", ERROR, message))
        elif display_length(value) < (SHORT_NAME if column == "name" else SHORT_ADDRESS):
            limit = SHORT_NAME if column == "name" else SHORT_ADDRESS
            message = f"{column} is only {len(value.strip())} characters (OS Hub queries under {limit})"
            found.append(Finding(column, f"{column}_too_short", WARNING, message))
    for column in LONG_VALUE_COLUMNS:
        value = cells.get(column)
        if value is not None and column not in failed and len(value) > OSHUB_TEXT_LIMIT:
            message = f"{column} is {len(value)} characters; OS Hub queries values over {OSHUB_TEXT_LIMIT}"
            found.append(Finding(column, "value_long_for_oshub", WARNING, message))
    return found


def address_findings(cells: Mapping[str, str | None], country_code: str | None) -> list[Finding]:
    """PO Box, Hong Kong / Macau or another country named in the address, repeated words and empty
    comma-separated parts (ContriBot C0003-C0006, C0009, C0020)."""
    address = cells.get("address")
    if address is None:
        return []
    found = []
    if _PO_BOX.search(address):
        message = "address is a PO Box, not where the facility is; give its street address"
        found.append(Finding("address", "po_box_address", WARNING, message))
    named = _country_named_in(address, country_code)
    if named is not None:
        found.append(named)
    words = [word.casefold() for word in _WORD.findall(address)]
    repeated = next((a for a, b in zip(words, words[1:], strict=False) if a == b and not a.isdigit()), None)
    parts = [_plain(part) for part in address.split(",") if part.strip()]
    twice = next((part for part in parts if part and parts.count(part) > 1), None)
    if repeated is not None or twice is not None:
        what = f"the word {repeated!r} twice in a row" if repeated else f"the part {twice!r} twice"
        found.append(Finding("address", "repeated_address_words", WARNING, f"address has {what}"))
    if re.search(r",\s*,", address):
        found.append(Finding("address", "empty_address_part", WARNING, "address has an empty part (', ,')"))
    return found


def _country_named_in(address: str, country_code: str | None) -> Finding | None:
    """A Hong Kong / Macau address filed under China, or an address whose last part names another
    country than the row's."""
    if country_code == "CN":
        for pattern, region in ((_HONG_KONG, "Hong Kong (HK)"), (_MACAU, "Macau (MO)")):
            if pattern.search(address.split(",")[-1]) or pattern.search(address[-20:]):
                message = f"address is in {region} but country is China: use the region's own country"
                return Finding("address", "hong_kong_address_in_china", WARNING, message)
    if country_code is None:
        return None
    last_part = address.split(",")[-1].strip()
    words = _WORD.findall(last_part)
    candidates = [last_part, words[-1] if words else ""]
    for candidate in candidates:
        key = country_key(candidate)
        if len(key) < _COUNTRY_WORD_MIN or (country_code == "US" and key in _US_STATE_COUNTRIES):
            continue
        named = to_alpha2(candidate)
        if named is not None and named != country_code and not _same_territory(named, country_code):
            message = f"address ends with {candidate!r} ({named}) but country is {country_code}"
            return Finding("address", "address_names_other_country", WARNING, message)
    return None


def _same_territory(first: str, second: str) -> bool:
    """Codes OS Hub files together (HK / MO / TW addresses often end with "China")."""
    return {first, second} <= {"CN", "HK", "MO", "TW"} and "CN" in {first, second}


def pipe_column_findings(cells: Mapping[str, str | None]) -> list[Finding]:
    """Commas inside a "|"-separated column (ContriBot C0021-C0023) and sector values longer than 50."""
    found = []
    for column in PIPE_COLUMNS:
        value = cells.get(column)
        if value is not None and "|" in value and "," in value:
            message = (
                f"{column} mixes '|' and ',': OS Hub splits on both, so {value!r} is split at every comma"
            )
            found.append(Finding(column, "comma_in_pipe_column", WARNING, message))
    return found


def row_findings(cells: Mapping[str, str | None], country_code: str | None) -> list[Finding]:
    """Every OS Hub rule that this row breaks, in a stable order (at most one error per column)."""
    found = [*text_findings(cells), *id_findings(cells)]
    found += address_findings(cells, country_code) + pipe_column_findings(cells)
    seen_errors: set[str | None] = set()
    kept = []
    for finding in found:
        if finding.level == ERROR and finding.column in seen_errors:
            continue
        if finding.level == ERROR:
            seen_errors.add(finding.column)
        kept.append(finding)
    return kept


def _plain(value: str) -> str:
    """Case-folded words without punctuation: "Plot 12; Tongi - Gazipur" -> "plot 12 tongi gazipur"."""
    return " ".join(_NOT_WORD.split(value.casefold())).strip()


def normalised_key(*values: str | None) -> str:
    """Case, punctuation and spacing removed (ContriBot's duplicate check compares rows this way)."""
    return "|".join(_plain(value or "") for value in values)
