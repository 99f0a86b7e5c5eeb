"""The sourcing team's interface: facility profiles, brand exposure, safe exports, brand reports (issue 6)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
