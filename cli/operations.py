"""Operations, for data engineers: `flrisk status` (run history, stale assets, failed checks) and
`flrisk dev` (the Dagster UI)."""

from __future__ import annotations

import json
import os
import signal
import sys

import click

from warehouse.home import prepare_dagster_home, write_workspace


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Last run of every job, stale assets and failed checks, from the Dagster instance under
    $FLRISK_HOME/dagster (read-only; works while a run writes the warehouse)."""
    from pipelines.runner import format_status, read_status
    from warehouse.home import flrisk_home

    result = read_status()
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"flrisk home: {flrisk_home()}\n")
    click.echo(format_status(result))


@click.command()
@click.option("--port", default=3000, show_default=True)
def dev(port: int) -> None:
    """Serve the Dagster UI on 127.0.0.1 with every asset, check, job, schedule and sensor."""
    dagster_home = prepare_dagster_home()
    workspace = write_workspace(dagster_home)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.execv(dagster, [dagster, "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)])


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    group.add_command(status)
    group.add_command(dev)
