"""Operations, for data engineers: `flrisk status` (run history, stale assets, failed checks, and what
needs a person: files set aside, pulls held for review), `flrisk sync-oshub` (the Open Supply Hub
pull), `flrisk accept-pull` and `flrisk dev` (the Dagster UI)."""

from __future__ import annotations

import json
import os
import signal
import sys

import click

from cli.errors import as_of_option
from warehouse.home import prepare_dagster_home, write_workspace


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Last run of every job, stale assets and failed checks, from the Dagster instance under
    $FLRISK_HOME/dagster (read-only; works while a run writes the warehouse)."""
    from pipelines.runner import format_status, read_status
    from warehouse.home import flrisk_home

    result = read_status()
    attention = needs_attention()
    if as_json:
        click.echo(json.dumps(result.as_dict() | {"needs_attention": attention}, indent=2, default=str))
        return
    click.echo(f"flrisk home: {flrisk_home()}\n")
    click.echo(format_status(result))
    click.echo(f"\nNeeds attention ({len(attention)}):")
    for item in attention:
        click.echo(f"  {item['what']}: {item['detail']}")
        click.echo(f"      fix: {item['fix']}")
    if not attention:
        click.echo("  none")


def needs_attention() -> list[dict]:
    """Received files the last run set aside, Open Supply Hub pulls held for review and pulls that
    stopped early (quota, permission), read from the received register and the reader copy: never
    from the live warehouse, so it works during a run."""
    from warehouse.api_pulls import held_pulls, pull_notes
    from warehouse.database import Warehouse
    from warehouse.locking import WarehouseBusyError
    from warehouse.received import failed_files

    items = [
        {
            "what": f"file set aside: {entry.relative_path}",
            "detail": entry.failure,
            "fix": "send a corrected file (`flrisk load`); the others load as usual",
        }
        for entry in failed_files()
    ]
    readers = Warehouse.for_readers()
    try:
        held = held_pulls(readers) if readers.path.is_file() else None
        notes = pull_notes(readers) if readers.path.is_file() else None
    except WarehouseBusyError:  # the very first run is writing: nothing was held before it
        held = notes = None
    items += _pull_note_items(notes)
    if held is not None:
        for row in held.iter_rows(named=True):
            items.append(
                {
                    "what": f"Open Supply Hub pull held for review: {row['load_id']}",
                    "detail": f"{row['row_count']} records; it {row['reason']}; staging keeps the "
                    "previous pull",
                    "fix": f"`flrisk accept-pull {row['load_id']}` if the removals are real",
                }
            )
    return items


PULL_NOTE_TEXT = {
    "quota_stop": (
        "Open Supply Hub pull paused at the API limit",
        "not a failure: the next run (`flrisk sync-oshub` or the daily schedule) resumes from here",
    ),
    "no_permission": (
        "Open Supply Hub merge history not pulled",
        "ask Open Supply Hub to enable merge history for the account; the previous merges stay in use",
    ),
}


def _pull_note_items(notes) -> list[dict]:
    """Needs-attention items for pulls that stopped without failing (raw.api_pull_notes)."""
    items = []
    for row in [] if notes is None else notes.iter_rows(named=True):
        what, fix = PULL_NOTE_TEXT.get(row["kind"], ("Open Supply Hub pull stopped", "re-run the sync"))
        kept = f"{row['records']} records kept so far; " if row["kind"] == "quota_stop" else ""
        label = f" {row['load_id']}" if row["load_id"] else ""
        items.append({"what": f"{what}{label}", "detail": f"{kept}{row['message']}", "fix": fix})
    return items


@click.command(name="sync-oshub")
@as_of_option
@click.option(
    "--base-url", default="", help="The Open Supply Hub API to pull from (default: opensupplyhub.org)."
)
@click.option("--accept-removals", is_flag=True, help="Accept this pull even if it removes many facilities.")
@click.option(
    "--max-removed-share",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Hold a pull that removes more than this share of the previous pull's facilities (default 0.05).",
)
def sync_oshub(as_of: str, base_url: str, accept_removals: bool, max_removed_share: float | None) -> None:
    """Pull Open Supply Hub production locations over the API (FLRISK_OSHUB_TOKEN), then re-stage,
    re-resolve and re-score. An incomplete pull is discarded (exit 1); one that removes too many
    facilities is held for review (`flrisk status` lists it, `flrisk accept-pull` accepts it)."""
    from pipelines.runner import RunFailedError, run_oshub_sync

    prepare_dagster_home()
    try:
        result = run_oshub_sync(as_of, base_url, accept_removals, max_removed_share)
    except RunFailedError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    for event in result.asset_materializations_for_node("raw__oshub_api"):
        meta = {key: value.value for key, value in event.metadata.items()}
        if meta.get("finished") is False:
            click.echo(
                f"Open Supply Hub pull {meta.get('load_id')} paused at the API limit after "
                f"{meta.get('records')} records; the next run resumes from there (`flrisk status`)."
            )
            continue
        state = (
            "HELD for review (staging keeps the previous pull)" if meta.get("held_for_review") else "in use"
        )
        click.echo(f"Open Supply Hub pull {meta.get('load_id')}: {meta.get('records')} records, {state}.")


@click.command(name="accept-pull")
@click.argument("load_id", required=False)
@click.option("--no-refresh", is_flag=True, help="Only accept; stage it on the next run.")
@as_of_option
def accept_pull(load_id: str | None, no_refresh: bool, as_of: str) -> None:
    """Accept an Open Supply Hub pull held for review (default: the newest), so it replaces the previous
    pull, then re-run the pipeline."""
    from cli.loading import run_pipeline
    from warehouse import api_pulls, locking
    from warehouse.database import Warehouse
    from warehouse.migrations import migrate_home
    from warehouse.readers import amend_snapshot

    warehouse = Warehouse()
    with locking.writer_lock(warehouse.path, "flrisk accept-pull", 60.0):
        migrate_home(warehouse.path)
        try:
            row = api_pulls.accept(warehouse, load_id)
        except LookupError as error:
            click.echo(str(error), err=True)
            raise SystemExit(1) from error
        amend_snapshot(warehouse.path, lambda con: api_pulls.forget_held(con, row["source_file"]))
    click.echo(f"Accepted Open Supply Hub pull {row['load_id']} ({row['row_count']} records).")
    if not no_refresh:
        run_pipeline(as_of)


@click.command()
@click.option("--port", default=3000, show_default=True)
@click.option(
    "--postgres",
    "postgres_url",
    default="",
    metavar="postgresql://USER@HOST:PORT/DB",
    help="Keep Dagster's runs, event logs and schedules in this PostgreSQL database from now on, runs "
    "queued one writer at a time (password from PGPASSWORD or ~/.pgpass, never in the URL).",
)
def dev(port: int, postgres_url: str) -> None:
    """Serve the Dagster UI on 127.0.0.1 with every asset, check, job, schedule and sensor, and run the
    daemon (schedules, sensors, the run queue): the inbox_files sensor is on, so files dropped into
    $FLRISK_HOME/inbox/<kind>/<contributor>/ are loaded (one run each, tagged with the file and its
    contributor)."""
    from warehouse.received import ensure_inbox_folders

    dagster_home = prepare_dagster_home()
    if postgres_url:
        from warehouse.postgres.instance import write_postgres_instance
        from warehouse.postgres.target import TargetError, parse_target

        try:
            target = parse_target(postgres_url)
        except TargetError as failure:
            click.echo(f"error: {failure}", err=True)
            raise SystemExit(2) from None
        config = write_postgres_instance(dagster_home, target)
        click.echo(f"Dagster instance on PostgreSQL {target.label} ({config})", err=True)
    workspace = write_workspace(dagster_home)
    inbox = ensure_inbox_folders()
    click.echo(
        f"Dagster UI on http://127.0.0.1:{port} with the daemon; the inbox_files sensor is on: drop files "
        f"into {inbox}/<kind>/<contributor>/ (see {inbox / 'README.txt'})",
        err=True,
    )
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.execv(dagster, [dagster, "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)])


@click.command()
def migrate() -> None:
    """Bring an older warehouse (and its reader copy) forward to this flrisk's schema: missing columns
    are added from the data contracts, nothing is dropped. Every run does this first anyway."""
    from warehouse.home import warehouse_path
    from warehouse.migrations import migrate_home

    database = warehouse_path()
    if not database.is_file():
        click.echo(f"no warehouse at {database}: nothing to migrate")
        return
    migration = migrate_home(database)
    for change in migration.changes:
        click.echo(f"  {change}")
    click.echo(
        f"Warehouse at schema version {migration.to_version} (was {migration.from_version}); "
        f"{len(migration.changes)} change(s)."
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    for command in (status, sync_oshub, accept_pull, migrate, dev):
        group.add_command(command)
