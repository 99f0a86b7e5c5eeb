"""`flrisk search TEXT`: find facilities by one word or a partial name, best first.

Formatting only; the reading and ranking are `cli.search_queries` and `cli.facility_search`.
`flrisk facility` prints the same lines when a name matches several facilities.
"""

from __future__ import annotations

import json

import click

from cli.terminal import error as print_error
from risk_model.text_safety import visible


def format_result(rank: int, row: dict) -> str:
    """One ranked facility on two lines: who it is, then its risk and what matched."""
    band = f"{row['risk_band']} {row['risk_score']:.0f}" if row.get("risk_band") else "not scored"
    brands = ", ".join(c for c in (row.get("contributors") or []) if c != "Open Supply Hub") or "-"
    return (
        f"{rank:>3}. {row['facility_id']}  {visible(row['facility_name'])} ({row['country_code']})  "
        f"OS ID {row['os_id'] or '-'}  [{band}]\n"
        f"     match {row['score']:.0f} on {row['matched_field']} '{visible(row['matched_text'])}'; "
        f"address: {visible(row['address']) or '-'}; contributors: {visible(brands)}"
    )


def format_results(results: list[dict]) -> str:
    """Every result, best first."""
    return "\n".join(format_result(rank, row) for rank, row in enumerate(results, start=1))


@click.command()
@click.argument("text")
@click.option(
    "--country", default=None, help="Only facilities in this country (ISO alpha-2 such as CN, or a name)."
)
@click.option("--brand", default=None, help="Only facilities this brand (contributor) lists.")
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 200), help="At most this many."
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(text: str, country: str | None, brand: str | None, limit: int, as_json: bool) -> None:
    """Find facilities by name in any spelling (native scripts too), OS ID, address, city or parent
    company, from one word or part of a name; best first. Exit 1 when nothing matches, 2 for
    empty TEXT or an unknown brand."""
    from cli.search_queries import search_facilities
    from cli.sourcing_queries import find_brand

    if not text.strip():
        print_error("give a word to search for: part of a name, an OS ID, a city (e.g. flrisk search Taida)")
        raise SystemExit(2)
    if country:
        from connectors.countries import to_alpha2

        code = to_alpha2(country)
        if code is None:
            print_error(f"unknown country {country!r}: give an ISO alpha-2 code (e.g. CN) or a country name")
            raise SystemExit(2)
        country = code
    if brand:
        contributor, candidates = find_brand(brand)
        if contributor is None:
            print_error(
                f"no single brand matches {brand!r} (candidates: {'; '.join(candidates) or 'none close'})"
            )
            raise SystemExit(2)
        brand = contributor
    results = search_facilities(text, country=country, brand=brand, limit=limit)
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    elif results:
        click.echo(format_results(results))
    if not results:
        print_error(f"no facility matches {text!r}")
        raise SystemExit(1)
