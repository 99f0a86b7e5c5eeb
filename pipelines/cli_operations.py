"""Operations: `flrisk status` and other commands data engineers run (issue 8)."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Last run of every job, stale assets and failed checks, from the Dagster instance under
    $FLRISK_HOME/dagster (read-only; works while a run writes the warehouse)."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.settings import flrisk_home, prepare_dagster_home
    from pipelines.status import collect_status, format_status

    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        result = collect_status(instance, defs)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"flrisk home: {flrisk_home()}\n")
    click.echo(format_status(result))


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    group.add_command(status)
