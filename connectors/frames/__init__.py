"""Vectorised (Polars) twins of the row-by-row facility checks and records, for whole facility lists."""
