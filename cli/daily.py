"""The sourcing team's daily loop: `search`, `changes`, `review-match` (registered from their modules)."""

from __future__ import annotations

import click

from cli.search import search


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    for command in (search,):
        group.add_command(command)
