"""Operations: `flrisk status` and other commands data engineers run (issue 8)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
