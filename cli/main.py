"""The `flrisk` command line: the group, with the commands of each audience added from their modules.

`cli.loading` (demo, refresh, load, check-list, resolve), `cli.sourcing` (facility, brand, export, query,
review-hit), `cli.contracts` (contracts lint|test, report), `cli.sharing` (share, synthesize,
export-htcds) and `cli.operations` (status, dev).
"""

from __future__ import annotations

import click

from cli import contracts, loading, operations, sharing, sourcing


@click.group()
def main() -> None:
    """flrisk: forced-labour risk data for supply chains (Dagster + DuckDB)."""


for _module in (loading, contracts, sourcing, sharing, operations):
    _module.register(main)

if __name__ == "__main__":
    main()
