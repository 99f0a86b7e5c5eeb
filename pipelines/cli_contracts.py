"""Contracts and reports for auditors: `flrisk contracts lint|test`, `flrisk report` (issue 5)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
