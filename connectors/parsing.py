"""Pure value parsers shared by the connectors: text, multi-values, counts, worker bands,
coordinates, dates and Yes/No flags.

Parsers either return a clean value or raise ValueError with a human message; callers turn the
error into a quarantine row. Empty cells are the caller's business (they mean "not provided").
"""

from __future__ import annotations

import datetime as dt
import math
import re

MULTI_VALUE_SEPARATOR = "|"
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
_WORKER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^{_NUMBER}\s*(?:-|–|—|to)\s*{_NUMBER}$"), "range"),
    (re.compile(rf"^{_NUMBER}$"), "exact"),
    (re.compile(rf"^(?:less than|fewer than|under|below|<)\s*{_NUMBER}$"), "below"),
    (re.compile(rf"^(?:up to|at most|<=|≤)\s*{_NUMBER}$"), "up_to"),
    (re.compile(rf"^(?:more than|over|above|greater than|>)\s*{_NUMBER}$"), "above"),
    (re.compile(rf"^(?:at least|>=|≥)\s*{_NUMBER}$|^{_NUMBER}\s*\+$"), "at_least"),
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DATE_FORMATS = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
)


MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
"""A UTF-8 lead byte followed by a continuation byte, both read as cp1252 or Latin-1 ("Ã¼" for "ü"):
every mojibake of a UTF-8 text holds one; text without one is never handed to ftfy."""


def repaired(text: str) -> str:
    """`text` with mojibake repaired: text that was once UTF-8, decoded by some tool as cp1252 or
    Latin-1 on its way to us ("YÃ¼cel Toprak" for "Yücel Toprak", "Viá»‡t Tiáº¿n" for "Việt Tiến"),
    given back as written, by ftfy, which changes a text only when the repaired form is far more
    plausible; other text is returned unchanged. Supplier lists pass through spreadsheets, ERPs and
    e-mail: a file can be valid UTF-8 and still carry names mangled upstream. Staging's cleaned text and
    entity resolution's normalisation both repair it; raw cells are kept as received."""
    if MOJIBAKE.search(text) is None:
        return text
    from ftfy import fix_encoding  # only for the rare text that looks mis-decoded

    return fix_encoding(text)


def clean_text(value: str | None) -> str | None:
    """Mojibake repaired (`text_repair`), whitespace trimmed and collapsed; None for empty or missing
    cells."""
    if value is None:
        return None
    text = " ".join(repaired(value).split())
    return text or None


def split_multi(value: str | None) -> list[str] | None:
    """Split a ``|``-separated cell into cleaned, non-empty values; None for an empty cell."""
    if value is None or not value.strip():
        return None
    parts = [clean_text(part) for part in value.split(MULTI_VALUE_SEPARATOR)]
    values = [part for part in parts if part]
    return values or None


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def parse_workers(value: str | None) -> tuple[int | None, int | None]:
    """Parse a number_of_workers cell into (workers_min, workers_max); never raises.

    "1001-5000" -> (1001, 5000); "250" / "5,000" -> (n, n); "Less than 1000" -> (1, 999)
    (a facility has at least one worker); "Up to 50" -> (1, 50); "More than 5000" -> (5001, None);
    "5000+" / "At least 5000" -> (5000, None). Empty or unparseable -> (None, None): the raw text
    is kept in number_of_workers_raw and the row is not rejected.
    """
    text = clean_text(value)
    if text is None:
        return None, None
    text = text.casefold()
    for pattern, kind in _WORKER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        numbers = [_int(group) for group in match.groups() if group is not None]
        low, high = {
            "range": (numbers[0], numbers[-1]),
            "exact": (numbers[0], numbers[0]),
            "below": (1, numbers[0] - 1),
            "up_to": (1, numbers[0]),
            "above": (numbers[0] + 1, None),
            "at_least": (numbers[0], None),
        }[kind]
        if high is not None and low > high:
            return None, None
        return low, high
    return None, None


def parse_count(value: str) -> int:
    """Parse a non-negative whole number ("12", "1,204"); raise ValueError otherwise."""
    text = value.strip()
    if not re.fullmatch(_NUMBER, text):
        raise ValueError(f"{value!r} is not a non-negative whole number")
    return _int(text)


def parse_coordinate(value: str, low: float, high: float) -> float:
    """Parse a decimal degree within [low, high]; raise ValueError otherwise."""
    try:
        number = float(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{value!r} is outside {low:g}..{high:g}")
    return number


def parse_date(value: str) -> dt.date:
    """Parse a date: ISO (time part ignored), YYYY/MM/DD, DD.MM.YYYY, "12 March 2026",
    "March 12, 2026", "12-Mar-2026". Slash dates with the day or month first (03/04/2026) are
    refused as ambiguous. Raise ValueError with a human message when unparseable."""
    text = " ".join(value.split())
    match = _ISO_DATE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"{value!r} is not a valid calendar date") from None
    for date_format in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date in an accepted format (e.g. 2026-03-12)")


def parse_yes_no(value: str) -> bool:
    """Parse a Yes/No (or True/False) flag case-insensitively; raise ValueError otherwise."""
    text = value.strip().casefold()
    if text in {"yes", "true"}:
        return True
    if text in {"no", "false"}:
        return False
    raise ValueError(f"{value!r} is not Yes/No")
