"""connectors.ids (OS IDs): pattern, check character and construction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.ids import CROCKFORD_BASE32, check_character, is_valid_os_id, make_os_id, os_id_problem


def reference_check(first14: str) -> str:
    """Open Supply Hub's check character, written out independently of the module."""
    values = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return values[(ord(first14[0]) + ord(first14[1]) + sum(values.index(c) for c in first14[2:])) % 32]


def test_a_published_open_supply_hub_id_validates():
    assert is_valid_os_id("CN2019303BQ3FZP")
    assert check_character("CN2019303BQ3FZ") == "P"


def test_make_os_id_appends_the_check_character():
    os_id = make_os_id("CN", "2019303", "BQ3FZ")
    assert os_id == "CN2019303BQ3FZP"
    assert make_os_id("VN", 2020015, "A1B2C") == make_os_id("VN", "2020015", "A1B2C")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("CN2019303BQ3FZX", "check character 'X', expected 'P'"),
        ("CN2019303BQ3FIP", "not in the OS ID base-32 alphabet"),
        ("CN-12345", "does not match"),
        ("cn2019303BQ3FZP", "does not match"),
        ("CN2019303BQ3F", "does not match"),
        ("CN2019303BQ3FZPP", "does not match"),
        ("C12019303BQ3FZP", "does not match"),
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
        ("CN", "2019303", "BQ3FI"),
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
    body=st.text(CROCKFORD_BASE32, min_size=5, max_size=5),
)
def test_every_made_os_id_validates(country, stamp, body):
    os_id = make_os_id(country, stamp, body)
    assert is_valid_os_id(os_id)
    assert os_id[-1] == reference_check(os_id[:14])
