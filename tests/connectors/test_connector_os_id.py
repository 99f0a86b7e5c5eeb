"""connectors.os_id: pattern, check character and construction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.os_id import (
    CHECK_ALPHABET,
    check_character,
    is_valid_os_id,
    make_os_id,
    os_id_problem,
)

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def spec_check(first14: str) -> str:
    """The SPEC's formula, written out independently of the module."""
    return CHECK_ALPHABET[sum(ord(c) * (i + 1) for i, c in enumerate(first14)) % 36]


def test_make_os_id_appends_the_spec_check_character():
    os_id = make_os_id("CN", "2019303", "BQ3FZ")
    assert os_id == "CN2019303BQ3FZ" + spec_check("CN2019303BQ3FZ")
    assert is_valid_os_id(os_id)
    assert make_os_id("VN", 2020015, "A1B2C") == make_os_id("VN", "2020015", "A1B2C")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("CN2024100ABCDEX", "check character 'X', expected 'G'"),
        ("CN-12345", "does not match"),
        ("cn2024100ABCDEG", "does not match"),
        ("CN2024100ABCDE", "does not match"),
        ("CN2024100ABCDEGG", "does not match"),
        ("C12024100ABCDEG", "does not match"),
    ],
)
def test_invalid_os_ids_are_explained(value, problem):
    assert not is_valid_os_id(value)
    assert problem in (os_id_problem(value) or "")


@pytest.mark.parametrize(
    ("country", "stamp", "body"),
    [
        ("cn", "2019303", "BQ3FZ"),
        ("CN", "201930", "BQ3FZ"),
        ("CN", "2019303", "BQ3F"),
        ("CN", "2019303", "bq3fz"),
    ],
)
def test_make_os_id_refuses_bad_parts(country, stamp, body):
    with pytest.raises(ValueError):
        make_os_id(country, stamp, body)


def test_check_character_needs_fourteen_characters():
    with pytest.raises(ValueError):
        check_character("CN2019")


@given(
    country=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    stamp=st.integers(0, 9_999_999),
    body=st.text(ALPHANUMERIC, min_size=5, max_size=5),
)
def test_every_made_os_id_validates(country, stamp, body):
    os_id = make_os_id(country, stamp, body)
    assert is_valid_os_id(os_id)
    assert os_id[-1] == spec_check(os_id[:14])
