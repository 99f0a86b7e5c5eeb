"""connectors.parsing and the staging hash helpers."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from connectors.ids import facility_record_id, stable_hash
from connectors.parsing import (
    clean_text,
    parse_coordinate,
    parse_count,
    parse_date,
    parse_workers,
    parse_yes_no,
    split_multi,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1001-5000", (1001, 5000)),
        ("1,001 - 5,000", (1001, 5000)),
        ("50 to 100", (50, 100)),
        ("250", (250, 250)),
        ("5,000", (5000, 5000)),
        ("Less than 1000", (1, 999)),
        ("less than 1000", (1, 999)),
        ("Under 50", (1, 49)),
        ("Up to 50", (1, 50)),
        ("More than 5000", (5001, None)),
        ("Over 10,000", (10001, None)),
        ("5000+", (5000, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("about 300", (None, None)),
        ("5000-1000", (None, None)),
        ("Less than 1", (None, None)),
        ("lots", (None, None)),
    ],
)
def test_parse_workers(value, expected):
    assert parse_workers(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-12", dt.date(2026, 3, 12)),
        (" 2026-03-12 ", dt.date(2026, 3, 12)),
        ("2026-03-12T10:15:00Z", dt.date(2026, 3, 12)),
        ("2026-03-12 10:15:00", dt.date(2026, 3, 12)),
        ("2026/03/12", dt.date(2026, 3, 12)),
        ("12.03.2026", dt.date(2026, 3, 12)),
        ("12 March 2026", dt.date(2026, 3, 12)),
        ("March 12, 2026", dt.date(2026, 3, 12)),
        ("12-Mar-2026", dt.date(2026, 3, 12)),
        ("12 Mar 2026", dt.date(2026, 3, 12)),
    ],
)
def test_parse_date_accepts_common_formats(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", ["03/04/2026", "31/12/2026", "2026-02-30", "2026-13-01", "yesterday", "", "2026"]
)
def test_parse_date_refuses_ambiguous_and_invalid_dates(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_split_multi_and_clean_text():
    assert split_multi("Apparel| Textiles ||Footwear") == ["Apparel", "Textiles", "Footwear"]
    assert split_multi("") is None and split_multi(None) is None and split_multi(" | ") is None
    assert clean_text("  Example \n  Garments\tLtd ") == "Example Garments Ltd"
    assert clean_text("   ") is None


def test_counts_coordinates_and_flags():
    assert parse_count("1,204") == 1204 and parse_count(" 12 ") == 12
    for bad in ["-1", "1.5", "many", "1,20"]:
        with pytest.raises(ValueError):
            parse_count(bad)
    assert parse_coordinate("22.5", -90, 90) == 22.5
    for bad in ["95", "nan", "inf", "north", "22,5"]:
        with pytest.raises(ValueError):
            parse_coordinate(bad, -90, 90)
    assert parse_yes_no("Yes") is True and parse_yes_no("no") is False
    with pytest.raises(ValueError):
        parse_yes_no("Maybe")


def test_record_id_hashes_raw_values_per_spec():
    expected = hashlib.sha256(b"supplier_list|Northwind|  Example Ltd|1 Road||CN2019303BQ3FZP").hexdigest()[
        :20
    ]
    assert (
        facility_record_id("supplier_list", "Northwind", "  Example Ltd", "1 Road", None, "CN2019303BQ3FZP")
        == expected
    )
    assert stable_hash("a", None, "b") == hashlib.sha256(b"a||b").hexdigest()[:20]
