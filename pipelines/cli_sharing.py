"""Privacy-preserving sharing: synthetic data, HTCDS export, sharing bundles (issue 7)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the `flrisk` group."""
