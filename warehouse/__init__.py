"""The DuckDB warehouse layer (no Dagster): connection, SQL, atomic publish, writer lock, readers'
snapshot, received files, keys, home and settings."""
