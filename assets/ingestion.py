"""Ingestion: copy each received file into raw.<source_type> exactly as received, once per file version.

A file's load_id is derived from its bytes, so re-running on the same files loads nothing new
(idempotent) and a changed file becomes a new load beside the old one.
"""

import hashlib
from pathlib import Path

import dagster as dg
import polars as pl

from assets.metadata import timed
from assets.resources import SourcesResource, WarehouseResource
from connectors.layouts import reference_layouts
from connectors.manifest import SOURCE_TYPES
from connectors.reading.files import RawFile, raw_frame, read_table_file
from connectors.reading.workbooks import read_located_table


def _file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_received_file(path: Path, source_type: str) -> RawFile:
    """Read one received file; reference workbooks may carry title rows above their header."""
    if source_type.startswith("reference_"):
        return read_located_table(path, reference_layouts(source_type))
    return read_table_file(path)


def load_source_files(warehouse: WarehouseResource, sources: SourcesResource, source_type: str) -> dict:
    """Append every not-yet-loaded file of `source_type`; returns figures for metadata."""
    loaded = set(warehouse.read("raw.loads")["load_id"].to_list())
    figures = {"files_seen": 0, "files_loaded": 0, "rows_loaded": 0}
    for entry in sources.entries():
        if entry.source_type != source_type:
            continue
        figures["files_seen"] += 1
        digest = _file_sha256(entry.path)
        load_id = f"{source_type}-{digest[:16]}"
        if load_id in loaded:
            continue
        rows = raw_frame(
            read_received_file(entry.path, source_type), load_id, entry.contributor
        ).with_columns(source_file=pl.lit(entry.relative_path))
        load = {
            "load_id": load_id,
            "source_type": source_type,
            "source_file": entry.relative_path,
            "contributor": entry.contributor,
            "file_sha256": digest,
            "received_at": entry.received_at,
        }
        figures["rows_loaded"] += warehouse.append_raw(f"raw.{source_type}", rows, load)
        figures["files_loaded"] += 1
    return figures


def _raw_asset(source_type: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source_type],
        group_name="ingestion",
        kinds={"duckdb", "polars"},
        description=f"One row per received row of every {source_type} file, exactly as received, "
        "with load_id, source file, row number and content hash.",
    )
    def raw_source(warehouse: WarehouseResource, sources: SourcesResource) -> dg.MaterializeResult:
        with timed() as clock:
            figures = load_source_files(warehouse, sources, source_type)
        total = warehouse.row_count(f"raw.{source_type}")
        return dg.MaterializeResult(
            metadata={
                **figures,
                "dagster/row_count": int(total),
                "seconds": clock["seconds"],
                "manifests": [str(path) for path in sources.manifest_paths()],
            }
        )

    raw_source.__name__ = f"raw_{source_type}"
    return raw_source


raw_assets = [_raw_asset(source_type) for source_type in SOURCE_TYPES]
