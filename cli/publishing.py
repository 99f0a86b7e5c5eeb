"""`flrisk publish --to postgresql://USER@HOST:PORT/DB`: copy the published tables to a PostgreSQL
server where BI tools (Power BI, Tableau, Metabase, Excel) read them, as the read-only role
`flrisk_reader`. The password comes from PGPASSWORD, ~/.pgpass or a service file, never the command line.

It reads the reader copy (the last good run), so it never blocks or waits for a run that is writing.
"""

from __future__ import annotations

import click

TARGET_ENV = "FLRISK_POSTGRES_URL"


@click.command(name="publish")
@click.option(
    "--to",
    "to",
    envvar=TARGET_ENV,
    required=True,
    metavar="postgresql://USER@HOST:PORT/DB",
    help=f"The PostgreSQL database to publish to (or ${TARGET_ENV}); no password in it.",
)
@click.option("--schema", default="published", show_default=True, help="The PostgreSQL schema to replace.")
def publish(to: str, schema: str) -> None:
    """Publish every table of the published layer to PostgreSQL in one transaction (DDL, keys and
    comments from the data contracts; readers see the old tables or the new ones, never half)."""
    from warehouse.home import warehouse_path
    from warehouse.postgres.publish import PublishError
    from warehouse.postgres.publish import publish as publish_tables
    from warehouse.postgres.target import TargetError, parse_target
    from warehouse.readers import read_connection, reader_database

    source = reader_database(warehouse_path())
    try:
        target = parse_target(to)
        if not source.is_file():
            raise PublishError(f"no warehouse at {source}: run `flrisk demo` or `flrisk refresh` first")
        with read_connection(source) as duck:
            publication = publish_tables(duck, target, schema)
    except (TargetError, PublishError) as failure:
        click.echo(f"error: {failure}", err=True)
        raise SystemExit(2) from None
    click.echo(
        f"Published to PostgreSQL {publication.target}, schema {publication.schema} "
        f"({publication.seconds:.1f} s), readable by the role flrisk_reader:"
    )
    for table, rows in publication.rows.items():
        click.echo(f"  {table.split('.', 1)[1]:<28} {rows:>10,} rows")


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    group.add_command(publish)
