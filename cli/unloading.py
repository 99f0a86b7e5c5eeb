"""`flrisk unload FILE_ID`: take a received file back out (a list loaded by mistake, or as the wrong
kind), then re-run everything downstream.

The file leaves the received register's `files` for its `removed` list (when, and why if given), so
no run stages anything from it again: its facility records, findings and quarantined rows disappear
from staged.* and quarantine.*, and resolution, risk and published tables follow. Its raw rows stay
in raw.* and its stored copy under received/, auditable as removed. FILE_ID is the stored path
(`supplier-list/1a2b3c4d-list.csv`), its file name, the name it was sent under, or the start of its
SHA-256 (8 or more hex characters), as `flrisk load` printed them.
"""

from __future__ import annotations

import time

import click


@click.command()
@click.argument("file_id")
@click.option("--reason", default="", help="Why the file is taken out (kept in the register).")
def unload(file_id: str, reason: str) -> None:
    """Remove received file FILE_ID and everything staged from it, then re-run downstream; its raw
    rows stay, auditable as removed. Exit 2 when FILE_ID names no received file (or several)."""
    from cli.loading import run_unless_done_since
    from warehouse.home import prepare_dagster_home
    from warehouse.received import UnknownFileError, unregister_file

    prepare_dagster_home()
    try:
        removed = unregister_file(file_id, reason)
    except UnknownFileError as error:
        click.echo(f"cannot unload: {error}", err=True)
        raise SystemExit(2) from error
    sender = f"{removed.get('source_type')}, from {removed.get('contributor')}"
    click.echo(
        f"Removed {removed['path']} ({sender}) from the received files; its raw rows stay in raw.*, "
        "marked removed in the register."
    )
    run_unless_done_since(time.time(), removed['source_type'])
    click.echo(f"{removed['path']}: nothing of it is staged any more; downstream tables re-run.")


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    group.add_command(unload)
