"""Identifiers: Open Supply Hub IDs, and the hashes that key rows by their raw source values.

OS ID format: two-letter country + 7 digits (year and day of year, yyyyddd) + 5 characters of
Crockford's base-32 alphabet + 1 check character, so every OS ID matches
``^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$``. The check character is Open Supply Hub's: (ord(country[0]) +
ord(country[1]) + the base-32 values of the 12 characters after the country) modulo 32, written as a
base-32 symbol. For example "CN2019303BQ3FZ" gets "P". Crockford's alphabet leaves out I, L, O and U.

Keys: IDs hash raw source values, not cleaned ones. :func:`stable_hash` is the row-level key (sha256
of the values joined by "|", first ``KEY_LENGTH`` hex characters); :func:`sha256_hex` gives exactly
the same digests for a whole column of strings, chunked so memory stays flat at millions of rows
(Polars has no SHA-256 of its own).
"""

from __future__ import annotations

import hashlib
import re

import polars as pl

CROCKFORD_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
OS_ID_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_YYYYDDD = re.compile(r"^[0-9]{7}$")
_BODY5 = re.compile(rf"^[{CROCKFORD_BASE32}]{{5}}$")
KEY_LENGTH = 20  # hex characters of a row key
CHUNK_ROWS = 50_000  # values hashed at a time by sha256_hex


def check_character(first14: str) -> str:
    """Return the check character for the first 14 characters of an OS ID.

    Raises ValueError when the 12 characters after the country are not all base-32 symbols.
    """
    if len(first14) != 14:
        raise ValueError(f"check character needs exactly 14 characters, got {len(first14)}")
    foreign = sorted({char for char in first14[2:] if char not in CROCKFORD_BASE32})
    if foreign:
        raise ValueError(f"characters {''.join(foreign)!r} are not in the OS ID base-32 alphabet")
    total = ord(first14[0]) + ord(first14[1]) + sum(CROCKFORD_BASE32.index(c) for c in first14[2:])
    return CROCKFORD_BASE32[total % 32]


def os_id_problem(value: str) -> str | None:
    """Explain why ``value`` is not a valid OS ID, or return None when it is valid."""
    if not OS_ID_PATTERN.match(value):
        return f"OS ID {value!r} does not match CC + 7 digits + 6 letters/digits"
    try:
        expected = check_character(value[:14])
    except ValueError as error:
        return f"OS ID {value!r}: {error}"
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
    """Build a valid OS ID from a country code, a yyyyddd date stamp and a 5-symbol base-32 body."""
    stamp = f"{yyyyddd:07d}" if isinstance(yyyyddd, int) else yyyyddd
    if not _COUNTRY.match(country):
        raise ValueError(f"country must be two upper-case letters, got {country!r}")
    if not _YYYYDDD.match(stamp):
        raise ValueError(f"yyyyddd must be 7 digits, got {stamp!r}")
    if not _BODY5.match(body5):
        raise ValueError(f"body5 must be 5 symbols of {CROCKFORD_BASE32}, got {body5!r}")
    first14 = country + stamp + body5
    return first14 + check_character(first14)


def stable_hash(*values: str | None, length: int = KEY_LENGTH) -> str:
    """sha256 hex (first ``length`` chars) of the values joined by "|" (None as "")."""
    joined = "|".join("" if value is None else value for value in values)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def facility_record_id(
    source_type: str,
    contributor: str | None,
    name_raw: str | None,
    address_raw: str | None,
    country_raw: str | None,
    os_id_raw: str | None,
) -> str:
    """record_id per SPEC: hash of source_type|contributor|name|address|country|os_id (raw)."""
    return stable_hash(source_type, contributor, name_raw, address_raw, country_raw, os_id_raw)


def sha256_hex(values: pl.Series, length: int | None = None) -> pl.Series:
    """Hex SHA-256 of each UTF-8 string of ``values`` (non-null), first ``length`` characters."""
    binary = values.cast(pl.Binary)
    chunks = [
        pl.Series(values.name, [hashlib.sha256(data).hexdigest()[:length] for data in chunk], pl.String)
        for chunk in (
            binary.slice(start, CHUNK_ROWS).to_list() for start in range(0, binary.len(), CHUNK_ROWS)
        )
    ]
    return pl.concat(chunks) if chunks else pl.Series(values.name, [], pl.String)
