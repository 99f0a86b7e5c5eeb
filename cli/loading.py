"""Loading data, for data engineers and the sourcing team: `flrisk demo`, `refresh`, `load`,
`check-list` and the standalone `resolve`.

A file is checked and registered (`warehouse.received`) before any run starts, so a file that cannot be
read is refused up front with its reason and nothing is copied; the run itself goes through
`pipelines.runner`. Imports are lazy so `flrisk --help` stays fast.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import date
from pathlib import Path

import click

from cli import collector_paused
from cli.errors import as_of_option
from cli.progress import quiet_option, stage
from cli.terminal import error as print_error
from warehouse.home import flrisk_home, prepare_dagster_home, pseudonymisation_key_file
from warehouse.received import KINDS


def load_pipelines() -> None:
    """Import `pipelines.runner` and build the code location with the garbage collector paused
    (`cli.collector_paused`): Dagster and the definitions are most of a load's start-up."""
    with collector_paused():
        from pipelines.runner import code_location

        code_location()


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


def run_pipeline(
    as_of: str = "",
    full_resolve: bool = False,
    tags: dict[str, str] | None = None,
    source_type: str = "",
    registered_at: float | None = None,
):
    """Run refresh_all (only what a new file of `source_type` changes, when given), tagged with what
    caused it, and say how long it took; exit 1 naming each failed step. With `registered_at`, a
    load whose file a run that started later has read runs nothing and returns None."""
    from cli.errors import explain, explain_text
    from cli.progress import shown

    load_pipelines()
    from pipelines.runner import RunFailedError, run_load, run_refresh_all

    started = time.perf_counter()
    try:
        if source_type:
            result = run_load(source_type, as_of, progress=shown(), tags=tags, registered_at=registered_at)
        else:
            result = run_refresh_all(as_of, full_resolve=full_resolve, progress=shown(), tags=tags)
    except RunFailedError as failure:
        known = explain(failure) or explain_text(str(failure), from_duckdb=True)
        print_error(f"error: {known}" if known else str(failure))
        raise SystemExit(2 if known else 1) from failure
    if result is None:
        return None
    click.echo(
        f"Materialized the asset graph in {time.perf_counter() - started:.1f} s (run {result.run_id}).\n"
    )
    print_change_summary(result.run_id)
    return result


def print_change_summary(run_id: str) -> None:
    """What the run changed (published.facility_risk_history): new facilities, band moves, new list
    hits, merges and splits."""
    from cli.change_queries import format_summary, history_rows

    click.echo(format_summary(history_rows(run_id=run_id)) + "\n")


@click.command()
@as_of_option
@quiet_option
def demo(as_of: str) -> None:
    """Register the bundled demo data, materialize the whole asset graph and print a summary."""
    from cli.summary import demo_summary

    load_pipelines()
    from pipelines.runner import cause_tags
    from warehouse.database import Warehouse
    from warehouse.received import ensure_inbox_folders, register_demo_bundle, registered_files

    prepare_dagster_home()
    ensure_demo_key()
    click.echo(f"flrisk home: {flrisk_home()}")
    with stage("register the demo bundle"):
        register_demo_bundle()
    ensure_inbox_folders()
    files = registered_files()
    run_pipeline(as_of, tags=cause_tags("demo", [f for f, _ in files], [c for _, c in files]))
    click.echo(demo_summary(Warehouse.for_readers()))


@click.command()
@as_of_option
@click.option(
    "--full-resolve", is_flag=True, help="Re-resolve every facility record, not only new and removed ones."
)
@quiet_option
def refresh(as_of: str, full_resolve: bool) -> None:
    """Re-run the whole asset graph on everything received (what the nightly schedule runs, with
    --full-resolve) and say how entity resolution ran."""
    load_pipelines()
    from pipelines.runner import cause_tags

    prepare_dagster_home()
    result = run_pipeline(as_of, full_resolve, tags=cause_tags("refresh", ["every received file"]))
    for event in result.asset_materializations_for_node("resolved_tables"):
        if event.asset_key.path == ["resolved", "facilities"]:
            meta = {key: value.value for key, value in event.metadata.items()}
            click.echo(f"Entity resolution: {meta['mode']} ({meta['mode_reason']}).")


EDITIONED_KINDS = ("reference-dol-goods", "reference-country-risk")
FIRST_EDITION = 1990


def _check_edition(kind: str, edition: int | None) -> None:
    """`--edition` only for reference lists that have editions, and only a plausible year."""
    if edition is None:
        return
    if kind not in EDITIONED_KINDS:
        raise click.UsageError(f"--edition applies to {' and '.join(EDITIONED_KINDS)} only")
    latest = date.today().year + 1
    if not FIRST_EDITION <= edition <= latest:
        raise click.UsageError(f"--edition {edition}: give the list's year, {FIRST_EDITION} to {latest}")


@click.command()
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--contributor", default="", help="Who sent the file (default: the file name).")
@click.option(
    "--edition",
    type=int,
    default=None,
    help="The edition (year) of a DOL or country-risk list whose content and name do not say it.",
)
@click.option(
    "--encoding", default=None, help="The CSV's encoding (e.g. gbk, big5, cp1252), when detection refuses it."
)
@click.option(
    "--sheet", default=None, help="The XLSX worksheet to read (default: the one whose header fits)."
)
@quiet_option
def load(
    kind: str, file: Path, contributor: str, edition: int | None, encoding: str | None, sheet: str | None
) -> None:
    """Ingest FILE of KIND into the warehouse and re-run what it changes (its kind's raw table and
    everything downstream). Exit 2 when the file cannot be read or is not a KIND file (nothing is
    registered); exit 1 when it was received but could not be used as a whole (the reason is printed;
    other files are unaffected)."""
    from cli.summary import load_report
    from connectors.reading.errors import MalformedFileError
    from warehouse.database import Warehouse
    from warehouse.received import register_file

    _check_edition(kind, edition)
    if KINDS[kind] == "worker_voice":
        _require_pseudonymisation_key()
    try:
        entry = register_file(
            file, kind, contributor or None, edition=edition, encoding=encoding, sheet=sheet
        )
    except MalformedFileError as error:
        message = f"cannot load {file}: [{error.reason_code}] {error}"
        if KINDS[kind] == "worker_voice":  # never quote a worker-voice cell (issue 17)
            from connectors.sources import worker_voice_headers
            from connectors.worker_privacy import redact_message

            known = frozenset({str(file), str(error.source_file)})
            message = redact_message(message, known, worker_voice_headers())
        click.echo(message, err=True)
        raise SystemExit(2) from error
    sheet_note = f", sheet {entry.sheet!r}" if entry.sheet else ""
    where = f"{entry.relative_path}{sheet_note}"
    click.echo(f"Registered {file} as {entry.source_type} from {entry.contributor} ({where}).")
    load_pipelines()
    from pipelines.runner import cause_tags

    tags = cause_tags("load", [entry.relative_path], [entry.contributor])
    run_unless_done_since(time.time(), entry.source_type, tags)
    # the load report reads quarantine rows, which only the warehouse itself holds (not the reader copy)
    report, usable = load_report(Warehouse(read_only=True), entry.relative_path)
    click.echo(report)
    if usable and entry.source_type == "supplier_list":
        click.echo(_warnings_report(entry))
    click.echo("(The data-quality report is rebuilt by the next full run; `flrisk report` rebuilds it now.)")
    raise SystemExit(0 if usable else 1)


WARNINGS_SHOWN = 50


def _warnings_report(entry) -> str:
    """The warnings about the rows just staged (OS Hub rules at warning level), with row and column."""
    from cli.list_check import check_file

    result = check_file(entry.path, "supplier-list", entry.encoding or None, entry.sheet or None)
    warnings = result["warnings"]
    if not warnings:
        return "No warnings."
    lines = [
        f"{len(warnings)} warnings on {result['rows_with_warnings']} staged rows (staged, please review):"
    ]
    for warning in warnings[:WARNINGS_SHOWN]:
        lines.append(
            f"  row {warning['row']}, column {warning['column'] or '-'}: warning {warning['reason_code']}: "
            f"{warning['message']}"
        )
    if len(warnings) > WARNINGS_SHOWN:
        lines.append(
            f"  ... and {len(warnings) - WARNINGS_SHOWN} more (`flrisk check-list --json FILE` lists all)"
        )
    return "\n".join(lines)


def run_unless_done_since(registered_at: float, source_type: str, tags: dict[str, str] | None = None) -> None:
    """Run what a `source_type` file registered at `registered_at` changes, under the writer lock: when
    several loads arrive at once, the first run reads every file of its kind registered before it
    started, so a load whose file such a run has already read (it finished while this one waited)
    needs no run of its own. The data-quality report waits for the next full run (`flrisk report`
    rebuilds it at once)."""
    from warehouse import locking
    from warehouse.home import lock_wait_seconds, warehouse_path

    with locking.writer_lock(warehouse_path(), "flrisk load", lock_wait_seconds()):
        if run_pipeline(tags=tags, source_type=source_type, registered_at=registered_at) is None:
            click.echo("Already loaded by a run that started after it was registered.\n")


def _require_pseudonymisation_key() -> None:
    """Refuse worker-voice files before anything is copied or registered when no usable key is set."""
    from warehouse.keys import MissingKeyError, pseudonymisation_key

    try:
        pseudonymisation_key()
    except MissingKeyError as error:
        click.echo(str(error), err=True)
        raise SystemExit(2) from error


@click.command(name="check-list")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--kind", type=click.Choice(list(KINDS)), default="supplier-list", show_default=True, help="What FILE is."
)
@click.option(
    "--encoding", default=None, help="The CSV's encoding (e.g. gbk, big5, cp1252), when detection refuses it."
)
@click.option(
    "--sheet", default=None, help="The XLSX worksheet to read (default: the one whose header fits)."
)
@click.option("--edition", type=int, default=None, help="The edition (year) of a DOL or country-risk list.")
def check_list(
    file: Path, as_json: bool, kind: str, encoding: str | None, sheet: str | None, edition: int | None
) -> None:
    """Check a file of KIND (default: a supplier list) before loading or sharing it, writing nothing:
    errors (rows that would be quarantined) and warnings (rows staged but worth fixing). Exit 1 if any
    row would be rejected, 2 if the file cannot be read or is not a KIND file."""
    from cli.list_check import check_file, format_check
    from connectors.reading.whole_file import describe_failure

    _check_edition(kind, edition)
    try:
        result = check_file(file, kind, encoding, sheet, edition)
    except Exception as error:  # noqa: BLE001 - whatever the file does, say why in one line
        failure = describe_failure(error, KINDS[kind], str(file))
        click.echo(f"cannot check {file}: {failure.reason}", err=True)
        raise SystemExit(2) from error
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_check(result))
    raise SystemExit(1 if result["rows_rejected"] else 0)


@click.command()
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "output_file",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV or Parquet output (by extension): record_id, facility_id, match_score, decision.",
)
@click.option(
    "--encoding",
    default=None,
    help="Encoding of a CSV input (e.g. cp1252, gbk); detected when not given.",
)
@quiet_option
def resolve(input_file: Path, output_file: Path, encoding: str | None) -> None:
    """Resolve a CSV, XLSX or Parquet file of facility records (record_id, name, address, country, lat, lng)
    into facilities, standalone, without the warehouse."""
    from connectors.reading.files import require_regular_file
    from entity_resolution.standalone import (
        InputError,
        check_output,
        read_input,
        resolve_frame,
        write_output,
    )

    try:
        if not input_file.exists():
            raise InputError(f"{input_file}: no such file")
        try:
            require_regular_file(input_file)
        except ValueError as refused:
            raise InputError(str(refused)) from refused
        except PermissionError as refused:
            raise InputError(f"{input_file}: cannot be read ({refused.strerror})") from refused
        check_output(output_file)
        if output_file.exists() and output_file.samefile(input_file):
            raise InputError(f"{output_file}: the output would overwrite the input; give another name")
        with stage("read input") as counted:
            frame = read_input(input_file, encoding)
            counted["count"] = f"{frame.height:,} records"
        started = time.perf_counter()
        with stage("resolve") as counted:
            result = resolve_frame(frame)
            counted["count"] = f"{result['facility_id'].n_unique():,} facilities"
        with stage(f"write {output_file}"):
            write_output(result, output_file)
    except InputError as error:
        click.echo(f"error: {' '.join(str(error).split(chr(10)))}", err=True)  # one line, whatever it quotes
        raise SystemExit(2) from error
    except PermissionError as error:
        click.echo(f"error: {input_file}: cannot be read ({error.strerror})", err=True)
        raise SystemExit(2) from error
    counts = dict(result.group_by("decision").len().iter_rows())
    decisions = ", ".join(f"{name} {counts.get(name, 0)}" for name in ("auto", "review", "new"))
    click.echo(
        f"{frame.height} records -> {result['facility_id'].n_unique()} facilities in "
        f"{time.perf_counter() - started:.1f} s ({decisions}); wrote {output_file}"
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    for command in (demo, refresh, load, check_list, resolve):
        group.add_command(command)
