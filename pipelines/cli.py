"""The `flrisk` command line: run the demo, load and check files, query the warehouse, serve the UI."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

import click

from pipelines.received import KINDS
from pipelines.settings import REPO_ROOT, flrisk_home, prepare_dagster_home, pseudonymisation_key_file


@click.group()
def main() -> None:
    """flrisk: forced-labour risk data for supply chains (Dagster + DuckDB)."""


def ensure_demo_key() -> None:
    """Create a local pseudonymisation key for the demo if none is configured, and say so."""
    if os.environ.get("FLRISK_PSEUDONYMISATION_KEY"):
        return
    path = pseudonymisation_key_file()
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo(
        f"Generated a local pseudonymisation key for the demo at {path} (keep it secret; "
        "set FLRISK_PSEUDONYMISATION_KEY to use your own)."
    )


def _run(as_of: str = "", full_resolve: bool = False):
    from pipelines.runner import RunFailedError, run_refresh_all

    started = time.perf_counter()
    try:
        result = run_refresh_all(as_of, full_resolve=full_resolve)
    except RunFailedError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    click.echo(
        f"Materialized the asset graph in {time.perf_counter() - started:.1f} s (run {result.run_id}).\n"
    )
    return result


@main.command()
@click.option("--as-of", default="", help="Score as of this date (YYYY-MM-DD); default today.")
def demo(as_of: str) -> None:
    """Register the bundled demo data, materialize the whole asset graph and print a summary."""
    from pipelines.received import register_demo_bundle
    from pipelines.summary import demo_summary
    from pipelines.warehouse import WarehouseResource

    prepare_dagster_home()
    ensure_demo_key()
    click.echo(f"flrisk home: {flrisk_home()}")
    register_demo_bundle()
    _run(as_of)
    click.echo(demo_summary(WarehouseResource()))


@main.command()
@click.option("--as-of", default="", help="Score as of this date (YYYY-MM-DD); default today.")
@click.option(
    "--full-resolve", is_flag=True, help="Re-resolve every facility record, not only new and removed ones."
)
def refresh(as_of: str, full_resolve: bool) -> None:
    """Re-run the whole asset graph on everything received (what the nightly schedule runs, with
    --full-resolve) and say how entity resolution ran."""
    prepare_dagster_home()
    result = _run(as_of, full_resolve)
    for event in result.asset_materializations_for_node("resolved_tables"):
        if event.asset_key.path == ["resolved", "facilities"]:
            meta = {key: value.value for key, value in event.metadata.items()}
            click.echo(f"Entity resolution: {meta['mode']} ({meta['mode_reason']}).")


@main.command()
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--contributor", default="", help="Who sent the file (default: the file name).")
def load(kind: str, file: Path, contributor: str) -> None:
    """Ingest FILE of KIND into the warehouse and re-run everything downstream."""
    from connectors.reading.errors import MalformedFileError
    from pipelines.received import register_file
    from pipelines.summary import load_report
    from pipelines.warehouse import WarehouseResource

    if KINDS[kind] == "worker_voice":
        _require_pseudonymisation_key()
    try:
        entry = register_file(file, kind, contributor or file.stem)
    except MalformedFileError as error:
        click.echo(f"cannot read {file}: [{error.reason_code}] {error}", err=True)
        raise SystemExit(2) from error
    click.echo(f"Registered {file} as {entry.source_type} from {entry.contributor} ({entry.relative_path}).")
    _run()
    click.echo(load_report(WarehouseResource(), entry.relative_path))


def _require_pseudonymisation_key() -> None:
    """Refuse worker-voice files before anything is copied or registered when no usable key is set."""
    from pipelines.resources import MissingKeyError, PseudonymisationKeyResource

    try:
        PseudonymisationKeyResource().key_bytes()
    except MissingKeyError as error:
        click.echo(str(error), err=True)
        raise SystemExit(2) from error


@main.command(name="check-list")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check_list(file: Path, as_json: bool) -> None:
    """Check a supplier list before sharing it, writing nothing. Exit 1 if any row would be rejected,
    2 if the file cannot be read at all."""
    from connectors.reading.errors import MalformedFileError
    from pipelines.list_check import check_supplier_list, format_check

    try:
        result = check_supplier_list(file)
    except (MalformedFileError, OSError) as error:
        code = getattr(error, "reason_code", "unreadable_file")
        click.echo(f"cannot read {file}: [{code}] {error}", err=True)
        raise SystemExit(2) from error
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_check(result))
    raise SystemExit(1 if result["rows_rejected"] else 0)


@main.command()
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "output_file",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV or Parquet output (by extension): record_id, facility_id, match_score, decision.",
)
def resolve(input_file: Path, output_file: Path) -> None:
    """Resolve a CSV/Parquet file of facility records (record_id, name, address, country, lat, lng)
    into facilities, standalone, without the warehouse."""
    from entity_resolution.standalone import InputError, read_input, resolve_frame, write_output

    try:
        if not input_file.is_file():
            raise InputError(f"{input_file}: no such file")
        if output_file.suffix.lower() not in {".csv", ".parquet"}:
            raise InputError(f"{output_file}: the output must end in .csv or .parquet")
        frame = read_input(input_file)
        started = time.perf_counter()
        result = resolve_frame(frame)
        write_output(result, output_file)
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from error
    counts = dict(result.group_by("decision").len().iter_rows())
    decisions = ", ".join(f"{name} {counts.get(name, 0)}" for name in ("auto", "review", "new"))
    click.echo(
        f"{frame.height} records -> {result['facility_id'].n_unique()} facilities in "
        f"{time.perf_counter() - started:.1f} s ({decisions}); wrote {output_file}"
    )


@main.command()
@click.option("--port", default=3000, show_default=True)
def dev(port: int) -> None:
    """Serve the Dagster UI on 127.0.0.1 with every asset, check, job, schedule and sensor."""
    prepare_dagster_home()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.chdir(REPO_ROOT)
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)])


@main.command()
@click.argument("sql")
def query(sql: str) -> None:
    """Run one read-only SELECT against the warehouse and print the result; writes are refused (exit 2)."""
    from pipelines.cli_sourcing import print_query

    print_query(sql)


def _register_command_modules() -> None:
    """Commands grouped by audience live in their own modules (pipelines/cli_*.py)."""
    from pipelines import cli_contracts, cli_operations, cli_sharing, cli_sourcing

    for module in (cli_contracts, cli_sourcing, cli_sharing, cli_operations):
        module.register(main)


_register_command_modules()

if __name__ == "__main__":
    main()
