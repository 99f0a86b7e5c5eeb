"""`flrisk audit-disclosure [--previous PATH]`: attack the published worker-voice numbers (issue 17).

Reads the reader copy's published summary and drivers (and the workforce of resolved facilities) and
runs `sharing.disclosure_audit` on them, against a previous release when `--previous` names one (a
warehouse or reader-copy file, or a sharing bundle folder). Every publish runs the same audit as a
blocking step (`assets.disclosure`); this command lets an auditor re-run it on what readers see.
Exit 0 when nothing is found, 1 listing every finding (each names its table and cell), 2 when there
is nothing to audit.
"""

from __future__ import annotations

from pathlib import Path

import click

TABLES = ("published.worker_voice_summary", "published.facility_risk_drivers", "resolved.facilities")


def _release_from_database(path: Path | None):
    from cli.query import fetch
    from sharing.disclosure_audit import Release

    frames = [fetch(f"SELECT * FROM {table}", database=path) for table in TABLES]
    return Release(*frames)


def _release_from_bundle(folder: Path):
    import polars as pl

    from sharing.disclosure_audit import Release

    tables = folder / "tables"
    summary = pl.read_parquet(tables / "worker_voice_summary.parquet")
    drivers = pl.read_parquet(tables / "facility_risk_drivers.parquet")
    return Release(summary, drivers, None)


def load_release(path: Path | None):
    """The release at `path` (None: the current reader copy)."""
    if path is not None and path.is_dir():
        return _release_from_bundle(path)
    return _release_from_database(path)


@click.command(name="audit-disclosure")
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A previous release: a warehouse or reader-copy file, or a sharing bundle folder.",
)
def audit_disclosure_command(previous: Path | None) -> None:
    """Try the subtraction and recomputation attacks on every published worker-voice number; exit 1
    naming each cell that gives a worker away."""
    import duckdb

    from risk_model.parameters import load_parameters
    from sharing.disclosure_audit import DisclosureRules, audit_disclosure

    try:
        current = load_release(None)
        earlier = load_release(previous) if previous is not None else None
    except (duckdb.Error, FileNotFoundError, OSError) as error:
        click.echo(f"error: nothing to audit: {str(error).splitlines()[0]}", err=True)
        raise SystemExit(2) from error
    rules = DisclosureRules.from_parameters(load_parameters()["worker_voice"])
    findings = audit_disclosure(current, rules, earlier)
    for finding in findings:
        click.echo(f"FAILED {finding}")
    cells = current.summary.height + current.voice_drivers().height
    click.echo(
        f"disclosure audit: {cells} worker-voice cells and drivers, k = {rules.k}, counts rounded to "
        f"{rules.rounding}: {len(findings)} finding(s)"
    )
    raise SystemExit(1 if findings else 0)


def register(group: click.Group) -> None:
    """Add this module's command to the `flrisk` group."""
    group.add_command(audit_disclosure_command)
