"""Ingestion: copy each received file into raw.<source_type> exactly as received, once per file version.

A file's load_id is derived from its bytes, so re-running on the same files loads nothing new
(idempotent) and a changed file becomes a new load beside the old one. The same bytes received again
from another contributor (a second manifest entry) get a load_id of their own, so the file counts for
both. A file that cannot be read any more (deleted from the received folder, unreadable) is set aside
with its reason in the received register; the other files load as usual.

Worker-voice rows are the exception to "as received in clear" (issue 17): their payload is sealed
under the raw-access key before it is written (`connectors.sealing`), so raw holds ciphertext, the
load's file SHA-256 and row hashes; staging unseals it in memory (`unsealed`).
"""

import hashlib

import dagster as dg
import polars as pl

from assets.metadata import timed
from assets.resources import SourcesResource, WarehouseResource
from connectors.manifest import SOURCE_TYPES, ManifestEntry
from connectors.reading.files import raw_frame
from connectors.reading.whole_file import describe_failure
from connectors.reading.workbooks import read_source_file
from connectors.sealing import seal_text, unseal_text
from warehouse.keys import raw_access_key
from warehouse.received import opened_received, received_bytes

SEALED_SOURCE_PREFIX = "worker_voice"


def _file_sha256(path) -> str:
    """SHA-256 of the file as received (a sealed copy is unsealed first)."""
    return hashlib.sha256(received_bytes(path)).hexdigest()


def is_sealed_source(source_type: str) -> bool:
    """Worker-voice raw rows are stored sealed."""
    return source_type.startswith(SEALED_SOURCE_PREFIX)


def sealed(rows: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """`rows` with every payload sealed under `key`."""
    return rows.with_columns(
        pl.col("payload").map_elements(lambda text: seal_text(text, key), return_dtype=pl.String)
    )


def unsealed(rows: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """`rows` with every sealed payload opened (in memory only)."""
    if rows.is_empty():
        return rows
    return rows.with_columns(
        pl.col("payload").map_elements(lambda text: unseal_text(text, key), return_dtype=pl.String)
    )


def load_id_of(source_type: str, digest: str, entry: ManifestEntry, first_of_digest: bool) -> str:
    """`<source_type>-<sha256[:16]>` for the first entry with these bytes; later entries with the same
    bytes (another contributor) add a tag of their source file."""
    load_id = f"{source_type}-{digest[:16]}"
    if first_of_digest:
        return load_id
    return f"{load_id}-{hashlib.sha256(entry.relative_path.encode()).hexdigest()[:6]}"


def load_source_files(warehouse: WarehouseResource, sources: SourcesResource, source_type: str) -> dict:
    """Append every not-yet-loaded file of `source_type`; returns figures for metadata, with the files
    that could not be read (source file -> reason) under `failed`."""
    loaded = set(warehouse.read("raw.loads")["load_id"].to_list())
    figures: dict = {"files_seen": 0, "files_loaded": 0, "rows_loaded": 0, "failed": {}}
    digests_seen: set[str] = set()
    for entry in sources.entries():
        if entry.source_type != source_type:
            continue
        figures["files_seen"] += 1
        try:
            digest = _file_sha256(entry.path)
            load_id = load_id_of(source_type, digest, entry, digest not in digests_seen)
            digests_seen.add(digest)
            if load_id in loaded:
                continue
            rows = _raw_rows(entry, source_type, load_id)
        except Exception as error:  # noqa: BLE001 - one unreadable file never stops the others
            figures["failed"][entry.relative_path] = describe_failure(error, source_type, entry.relative_path)
            continue
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


def _raw_rows(entry: ManifestEntry, source_type: str, load_id: str) -> pl.DataFrame:
    with opened_received(entry.path) as path:
        raw_file = read_source_file(path, source_type, entry.encoding or None, entry.sheet or None)
    rows = raw_frame(raw_file, load_id, entry.contributor).with_columns(
        source_file=pl.lit(entry.relative_path)
    )
    return sealed(rows, raw_access_key()) if is_sealed_source(source_type) else rows


def _raw_asset(source_type: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", source_type],
        group_name="ingestion",
        kinds={"duckdb", "polars"},
        description=f"One row per received row of every {source_type} file, exactly as received, "
        "with load_id, source file, row number and content hash.",
    )
    def raw_source(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> dg.MaterializeResult:
        with timed() as clock:
            figures = load_source_files(warehouse, sources, source_type)
        failed = figures.pop("failed")
        for failure in failed.values():
            context.log.warning(f"set aside, the other files load as usual: {failure.reason}")
        sources.record_outcomes({name: failure.reason for name, failure in failed.items()}, set())
        total = warehouse.row_count(f"raw.{source_type}")
        return dg.MaterializeResult(
            metadata={
                **figures,
                "files_failed": len(failed),
                "dagster/row_count": int(total),
                "seconds": clock["seconds"],
                "manifests": [str(path) for path in sources.manifest_paths()],
            }
        )

    raw_source.__name__ = f"raw_{source_type}"
    return raw_source


raw_assets = [_raw_asset(source_type) for source_type in SOURCE_TYPES]
