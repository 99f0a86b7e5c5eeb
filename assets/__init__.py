"""Thin Dagster assets and asset checks per layer (raw, staged, resolved, published, quality), and
the resources they name."""
