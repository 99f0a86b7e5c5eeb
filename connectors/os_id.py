"""Open Supply Hub ID (OS ID) validation and construction.

Format: two-letter country + 7 digits (yyyyddd) + 5 alphanumerics + 1 check character, i.e.
``^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$``. The check character is flrisk's documented scheme (SPEC):
``CHECK_ALPHABET[sum(ord(c) * (i + 1) for i, c in enumerate(first14)) % 36]``.
"""

from __future__ import annotations

import re

CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OS_ID_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_YYYYDDD = re.compile(r"^[0-9]{7}$")
_BODY5 = re.compile(r"^[A-Z0-9]{5}$")


def check_character(first14: str) -> str:
    """Return the check character for the first 14 characters of an OS ID."""
    if len(first14) != 14:
        raise ValueError(f"check character needs exactly 14 characters, got {len(first14)}")
    total = sum(ord(char) * (index + 1) for index, char in enumerate(first14))
    return CHECK_ALPHABET[total % len(CHECK_ALPHABET)]


def os_id_problem(value: str) -> str | None:
    """Explain why ``value`` is not a valid OS ID, or return None when it is valid."""
    if not OS_ID_PATTERN.match(value):
        return f"OS ID {value!r} does not match CC + 7 digits + 6 letters/digits"
    expected = check_character(value[:14])
    if value[14] != expected:
        return f"OS ID {value!r} has check character {value[14]!r}, expected {expected!r}"
    return None


def is_valid_os_id(value: str) -> bool:
    """True when ``value`` matches the OS ID pattern and its check character is right."""
    return os_id_problem(value) is None


def normalise_os_id(value: str) -> str:
    """Trim and upper-case an OS ID cell (validation happens separately)."""
    return value.strip().upper()


def make_os_id(country: str, yyyyddd: str | int, body5: str) -> str:
    """Build a valid OS ID from a country code, a yyyyddd date stamp and a 5-character body."""
    stamp = f"{yyyyddd:07d}" if isinstance(yyyyddd, int) else yyyyddd
    if not _COUNTRY.match(country):
        raise ValueError(f"country must be two upper-case letters, got {country!r}")
    if not _YYYYDDD.match(stamp):
        raise ValueError(f"yyyyddd must be 7 digits, got {stamp!r}")
    if not _BODY5.match(body5):
        raise ValueError(f"body5 must be 5 upper-case letters or digits, got {body5!r}")
    first14 = country + stamp + body5
    return first14 + check_character(first14)
