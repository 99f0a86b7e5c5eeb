"""connectors.countries: exact country lookups and the coarse coordinate box check."""

from __future__ import annotations

import csv

import pycountry
import pytest

from connectors.countries import coordinates_plausible, country_boxes, to_alpha2
from connectors.vocabulary import read_reference_csv

VARIANTS = {
    "China": "CN",
    "CN": "CN",
    "CHINA": "CN",
    "CHN": "CN",
    "  china ": "CN",
    "cn": "CN",
    "Viet Nam": "VN",
    "Vietnam": "VN",
    "VIETNAM": "VN",
    "VNM": "VN",
    "Türkiye": "TR",
    "Turkey": "TR",
    "Turkiye": "TR",
    "Turkey (Türkiye)": "TR",
    "UK": "GB",
    "United Kingdom": "GB",
    "South Korea": "KR",
    "Korea, Republic of": "KR",
    "Burma": "MM",
    "Myanmar": "MM",
    "Russia": "RU",
    "Taiwan": "TW",
    "Hong Kong": "HK",
    "Macau": "MO",
    "Macao": "MO",
    "Ivory Coast": "CI",
    "Côte d'Ivoire": "CI",
    "Cote d’Ivoire": "CI",
    "People's Republic of China": "CN",
    "PRC": "CN",
    "Laos": "LA",
    "Bolivia": "BO",
    "Iran": "IR",
    "Syria": "SY",
    "Tanzania": "TZ",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Kyrgyz Republic": "KG",
    "Democratic Republic of the Congo": "CD",
    "DRC": "CD",
    "Congo, Democratic Republic of the": "CD",
    "Republic of the Congo": "CG",
    "Eswatini": "SZ",
    "Swaziland": "SZ",
    "Moldova": "MD",
    "North Korea": "KP",
    "USA": "US",
    "United States": "US",
    "UAE": "AE",
    "Slovak Republic": "SK",
    "BANGLADESH": "BD",
    "Sri Lanka": "LK",
    "El Salvador": "SV",
    "Dominican Republic": "DO",
    "Puerto Rico": "PR",
    "New Zealand": "NZ",
}
# Country spellings as found in Open Supply Hub's public fixture lists (../shared/seeds).
OSHUB_SPELLINGS = [
    "China",
    "CN",
    "CHINA",
    "Vietnam",
    "Bangladesh",
    "VN",
    "TW",
    "Indonesia",
    "PK",
    "India",
    "INDIA",
    "El Salvador",
    "JP",
    "ID",
    "Honduras",
    "Cambodia",
    "Sri Lanka",
    "TH",
    "US",
    "ES",
    "USA",
    "United States",
    "Philippines",
    "IT",
    "EG",
    "PL",
    "Peru",
    "Mexico",
    "LK",
    "Jordan",
    "Dominican Republic",
    "SV",
    "Guatemala",
    "Myanmar",
    "Turkey",
    "BANGLADESH",
    "Romania",
    "MX",
    "AT",
    "KH",
    "RO",
    "IN",
    "HN",
    "KR",
    "Thailand",
    "Malaysia",
    "Portugal",
    "UAE",
    "Canada",
    "Israel",
    "Taiwan",
    "New Zealand",
    "France",
    "Argentina",
    "CZ",
    "CA",
    "DE",
    "RU",
    "HT",
    "PT",
    "GB",
    "Haiti",
    "Nicaragua",
    "Mauritius",
    "Morocco",
    "THAILAND",
    "INDONESIA",
    "VIETNAM",
    "AUSTRALIA",
    "Nepal",
    "Italy",
    "Germany",
    "South Africa",
    "Brazil",
    "PR",
    "GT",
    "MC",
    "TR",
    "BD",
    "MY",
    "NL",
    "SY",
    "ZA",
    "BR",
    "DO",
    "MM",
    "Colombia",
    "Puerto Rico",
    "Slovak Republic",
]


@pytest.mark.parametrize(("value", "expected"), VARIANTS.items())
def test_known_spellings_resolve(value, expected):
    assert to_alpha2(value) == expected


@pytest.mark.parametrize("value", OSHUB_SPELLINGS)
def test_every_oshub_fixture_spelling_resolves(value):
    assert to_alpha2(value) is not None


@pytest.mark.parametrize(
    "value", ["Atlantis", "", "   ", "XX", "EU", "156", "Chi", "South-East Asia"]
)
def test_unknown_or_ambiguous_values_do_not_resolve(value):
    assert to_alpha2(value) is None


def test_every_country_on_the_real_dol_2022_list_resolves(fixtures):
    with (fixtures / "reference" / "dol_tvpra_goods_2022.csv").open(encoding="utf-8") as handle:
        countries = {row["country"] for row in csv.DictReader(handle)}
    assert len(countries) == 78
    unresolved = sorted(country for country in countries if to_alpha2(country) is None)
    assert unresolved == []
    assert to_alpha2("Burma") == "MM" and to_alpha2("Kyrgyz Republic") == "KG"


def test_variant_file_uses_valid_codes():
    for row in read_reference_csv("country_variants.csv"):
        assert pycountry.countries.get(alpha_2=row["alpha2"]) is not None, row
        assert to_alpha2(row["variant"]) == row["alpha2"], row


BRIEF_COUNTRIES = [
    "CN",
    "VN",
    "BD",
    "IN",
    "ID",
    "PK",
    "KH",
    "TR",
    "TW",
    "LK",
    "MM",
    "TH",
    "MY",
    "PH",
    "ET",
    "HN",
    "SV",
    "GT",
    "MX",
    "PE",
    "BR",
    "PT",
    "ES",
    "IT",
    "US",
    "JP",
    "KR",
    "HK",
    "EG",
    "MA",
]


def test_bounding_boxes_cover_the_sourcing_countries_and_are_well_formed():
    boxes = country_boxes()
    assert set(BRIEF_COUNTRIES) <= set(boxes)
    for alpha2, box in boxes.items():
        assert pycountry.countries.get(alpha_2=alpha2) is not None
        assert -90 <= box.min_lat < box.max_lat <= 90, alpha2
        assert -180 <= box.min_lng < box.max_lng <= 180, alpha2


@pytest.mark.parametrize(
    ("alpha2", "lat", "lng", "plausible"),
    [
        ("CN", 22.6567, 114.031, True),
        ("VN", 39.9, 116.4, False),
        ("IN", 40.7128, -74.006, False),
        ("ES", 28.1, -15.4, True),
        ("JP", 26.2, 127.7, True),
        ("PT", 37.74, -25.67, True),
        ("HK", 22.3, 114.17, True),
        ("HK", 31.2, 121.5, False),
        ("BD", 26.6, 92.8, True),
        ("FJ", -17.7, 178.0, True),
        ("ZZ", 0.0, 0.0, True),
    ],
)
def test_coordinates_plausible(alpha2, lat, lng, plausible):
    assert coordinates_plausible(alpha2, lat, lng) is plausible


def test_the_shipped_translated_names_are_what_pycountry_gives():
    from connectors.country_translations import FILE_NAME, derive, translated_names

    assert translated_names() == derive(), (
        f"connectors/reference/{FILE_NAME} is stale: run `uv run python -m connectors.country_translations`"
    )
