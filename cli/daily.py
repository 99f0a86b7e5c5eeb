"""The sourcing team's daily loop: `search`, `changes`, `review-match` (registered from their modules)."""

from __future__ import annotations

import click

from cli.search import search


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
    from cli.changes import changes
    from cli.match_review_command import review_match

    for command in (search, changes, review_match):
        group.add_command(command)
