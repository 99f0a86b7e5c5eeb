"""`flrisk changes`: what changed for facilities since a date (by default the last 7 days).

Formatting only; the rows are `published.facility_risk_history` (cli.change_queries).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import click

from cli.terminal import error as print_error

DEFAULT_DAYS = 7


def _since(_context: click.Context, _parameter: click.Parameter, value: str | None) -> date:
    if not value:
        return date.today() - timedelta(days=DEFAULT_DAYS)
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date: give YYYY-MM-DD, e.g. 2026-11-20") from error


@click.command()
@click.option(
    "--since", default=None, callback=_since, help="From this date on (YYYY-MM-DD); default a week ago."
)
@click.option("--brand", default=None, help="Only facilities this brand (contributor) lists.")
@click.option("--all", "show_all", is_flag=True, help="Also list every new facility (not only counted).")
@click.option("--json", "as_json", is_flag=True, help="Print every history row as JSON.")
def changes(since: date, brand: str | None, show_all: bool, as_json: bool) -> None:
    """What changed since a date: new facilities, band moves up and down, score moves, new drivers and
    list hits, merges and splits, with old and new values (published.facility_risk_history)."""
    from cli.change_queries import describe, format_summary, history_rows
    from cli.sourcing_queries import find_brand

    if brand:
        contributor, candidates = find_brand(brand)
        if contributor is None:
            listed = "; ".join(candidates) or "none close"
            print_error(f"no single brand matches {brand!r} (candidates: {listed})")
            raise SystemExit(2)
        brand = contributor
    rows = history_rows(since=since, brand=brand)
    if as_json:
        click.echo(json.dumps(rows.to_dicts(), indent=2, default=str, ensure_ascii=False))
        return
    scope = f" for {brand}" if brand else ""
    click.echo(f"Changes since {since:%Y-%m-%d}{scope}:")
    if rows.is_empty():
        click.echo("  none recorded.")
        return
    for run_id in rows["run_id"].unique(maintain_order=True):
        run = rows.filter(rows["run_id"] == run_id)
        click.echo(f"\nRun {run_id} ({run['recorded_at'][0]:%Y-%m-%d %H:%M} UTC)")
        click.echo(format_summary(run, detail_limit=1_000))
        if show_all:
            for row in run.iter_rows(named=True):
                if row["change_kinds"] == ["new"]:
                    click.echo(f"  {describe(row)}")
