"""Sharing bundles: what a brand hands to a peer, a supplier or a multi-stakeholder initiative.

A bundle directory holds every published table as Parquet and CSV (``tables/``), its ODCS contract
(``contracts/``), a data-quality summary restricted to the published tables without sample rows
(``data_quality/summary.json``), a README and ``manifest.json`` with row counts and the SHA-256 and
size of every file. :func:`verify_bundle` recomputes them and names every missing, altered or
unexpected file, cross-checks each CSV copy against its Parquet twin, refuses any listed path that
leaves the bundle, and reports a malformed manifest or file as a problem, never as a crash.

Columns classified ``personal`` in a contract are never written. With a facility, every table is cut
to that facility: tables with ``facility_id`` keep its rows; ``country_commodity_risk`` keeps its
country; brand-level tables (``brand_exposure``, which names other suppliers) are left out.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from data_contracts import Contract, all_contracts

FORMAT = "flrisk-share/1"
BRAND_TABLES = frozenset({"brand_exposure"})
COUNTRY_TABLES = frozenset({"country_commodity_risk"})
MANIFEST = "manifest.json"


class BundleError(ValueError):
    """The bundle cannot be written as asked (e.g. an unknown facility)."""


def published_contracts() -> list[Contract]:
    """The contracts of every published table."""
    return [contract for contract in all_contracts() if contract.schema_name == "published"]


def shareable_columns(contract: Contract) -> list[str]:
    """The contract's columns minus any classified personal."""
    return [column.name for column in contract.columns if column.classification != "personal"]


def read_table(
    con: duckdb.DuckDBPyConnection, contract: Contract, facility: str | None
) -> pl.DataFrame | None:
    """A published table's shareable columns, cut to ``facility``; None when it is not shared."""
    columns = shareable_columns(contract)
    select = ", ".join(f'"{name}"' for name in columns)
    source = f'"published"."{contract.table_name}"'  # names come from the contract files, not user input
    if facility is None:
        return con.sql(f"SELECT {select} FROM {source}").pl()
    if contract.table_name in BRAND_TABLES:
        return None
    if "facility_id" in columns:
        return con.sql(f"SELECT {select} FROM {source} WHERE facility_id = $id", params={"id": facility}).pl()
    if contract.table_name in COUNTRY_TABLES:
        query = (
            f"SELECT {select} FROM {source} WHERE country_code IN "
            "(SELECT country_code FROM published.facility_risk WHERE facility_id = $id)"
        )
        return con.sql(query, params={"id": facility}).pl()
    return None


def write_bundle(
    con: duckdb.DuckDBPyConnection, out: Path, facility: str | None = None, quality_dir: Path | None = None
) -> dict:
    """Write the bundle into ``out`` (created; must be empty or absent) and return its manifest."""
    if out.exists() and any(out.iterdir()):
        raise BundleError(f"{out} is not empty; choose a new directory")
    present = {
        row[0]
        for row in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'published'"
        ).fetchall()
    }
    if facility is not None and not _facility_exists(con, facility, present):
        raise BundleError(f"no facility {facility!r} in published.facility_risk")
    for folder in ("tables", "contracts", "data_quality"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    tables, left_out = _write_tables(con, out, facility, present)
    _write_quality_summary(quality_dir, out / "data_quality" / "summary.json", set(tables))
    (out / "README.md").write_text(_readme(facility), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "facility_id": facility,
        "tables": tables,
        "left_out": left_out,
        "files": {path: _file_entry(out / path) for path in _files(out)},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _write_tables(
    con: duckdb.DuckDBPyConnection, out: Path, facility: str | None, present: set[str]
) -> tuple[dict, dict]:
    """Each shared table as Parquet and CSV plus its contract; returns (tables, left out with why)."""
    tables, left_out = {}, {}
    for contract in published_contracts():
        name = contract.table_name
        frame = read_table(con, contract, facility) if name in present else None
        if frame is None:
            absent = name not in present
            left_out[name] = (
                "not in the warehouse" if absent else "brand-level table: not shared in a facility bundle"
            )
            continue
        frame.write_parquet(out / "tables" / f"{name}.parquet")
        _csv_ready(frame).write_csv(out / "tables" / f"{name}.csv")
        shutil.copyfile(contract.source_path, out / "contracts" / contract.source_path.name)
        tables[name] = {"rows": frame.height, "columns": frame.columns, "contract_version": contract.version}
    return tables, left_out


def verify_bundle(folder: Path) -> list[str]:
    """Every problem with the bundle at ``folder`` (empty when it is intact). Nothing outside the folder
    is ever read (a listed path that leaves it is a problem in itself); a malformed manifest, an
    unreadable Parquet file or a CSV copy that differs from its Parquet twin is a problem, never a crash."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["files"]
        tables = manifest.get("tables", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return [f"{MANIFEST}: missing or unreadable ({error})"]
    if not isinstance(listed, dict) or not isinstance(tables, dict):
        return [f"{MANIFEST}: `files` and `tables` must be mappings"]
    problems, reported = [], set()
    for path, entry in sorted(listed.items()):
        found = _file_problems(folder, str(path), entry)
        problems += found
        reported |= {str(path)} if found else set()
    problems += [
        f"{path}: not listed in the manifest (unexpected)" for path in _files(folder) if path not in listed
    ]
    for name, table in sorted(tables.items()):
        problems += _table_problems(folder, str(name), table, listed, reported)
    return problems


def _inside(folder: Path, path: str) -> Path | None:
    """`folder / path` when it stays inside `folder` (no absolute path, `..` or symlink out), else None."""
    if not path or Path(path).is_absolute():
        return None
    root = folder.resolve()
    target = (folder / path).resolve()
    return target if root in target.parents else None


def _file_problems(folder: Path, path: str, entry: object) -> list[str]:
    target = _inside(folder, path)
    if target is None:
        return [f"{path}: points outside the bundle (refused, not read)"]
    if not isinstance(entry, dict):
        return [f"{path}: manifest entry is not a mapping of sha256 and bytes"]
    if not target.is_file():
        return [f"{path}: missing"]
    if _file_entry(target) != entry:
        return [f"{path}: checksum or size differs from the manifest (altered)"]
    return []


def _table_problems(folder: Path, name: str, table: object, listed: dict, reported: set[str]) -> list[str]:
    """A listed table: its Parquet file reads, has the manifest's row count, and its CSV copy holds
    exactly the same rows (so a row added to the CSV, checksum recomputed, is caught). Files already
    reported (missing, altered, outside) are not checked again."""
    parquet_name, csv_name = f"tables/{name}.parquet", f"tables/{name}.csv"
    if not isinstance(table, dict):
        return [f"{MANIFEST}: tables.{name} is not a mapping"]
    if parquet_name not in listed or csv_name not in listed:
        return [f"{MANIFEST}: tables.{name} lacks {parquet_name} or {csv_name} in `files`"]
    if {parquet_name, csv_name} & reported:
        return []
    parquet, csv = _inside(folder, parquet_name), _inside(folder, csv_name)
    if parquet is None or csv is None or not parquet.is_file() or not csv.is_file():
        return []  # reported as missing or outside above
    try:
        frame = pl.read_parquet(parquet)
    except Exception as error:  # noqa: BLE001 - any reader error means a damaged file
        return [f"{parquet_name}: not a readable Parquet file ({type(error).__name__})"]
    problems = []
    if frame.height != table.get("rows"):
        problems.append(f"{parquet_name}: {frame.height} rows, manifest says {table.get('rows')}")
    expected = pl.read_csv(io.StringIO(_csv_ready(frame).write_csv()), infer_schema=False)
    try:
        actual = pl.read_csv(csv, infer_schema=False)
    except Exception as error:  # noqa: BLE001 - any reader error means a damaged file
        return [*problems, f"{csv_name}: not a readable CSV file ({type(error).__name__})"]
    if actual.columns != expected.columns or not actual.equals(expected):
        problems.append(
            f"{csv_name}: differs from {parquet_name} ({actual.height} rows vs {expected.height}); "
            "one of the two copies was altered"
        )
    return problems


def _facility_exists(con: duckdb.DuckDBPyConnection, facility: str, present: set[str]) -> bool:
    if "facility_risk" not in present:
        return False
    found = con.sql(
        "SELECT count(*) FROM published.facility_risk WHERE facility_id = $id", params={"id": facility}
    )
    return found.fetchall()[0][0] > 0


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold lists: list columns become "; "-joined text."""
    return frame.with_columns(
        pl.col(name).cast(pl.List(pl.String)).list.join("; ")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    )


def _write_quality_summary(quality_dir: Path | None, target: Path, tables: set[str]) -> None:
    """The data-quality summary of the shared tables only, without sample rows (they may hold other
    facilities' or staged rows); a note when no report has been built yet."""
    source = quality_dir / "summary.json" if quality_dir else None
    if source is None or not source.is_file():
        summary: dict = {"note": "no data-quality report found; run the pipeline to build one"}
    else:
        full = json.loads(source.read_text(encoding="utf-8"))
        summary = {"generated_at": full.get("generated_at")}
        summary["tables"] = [
            _without_samples(entry)
            for entry in full.get("tables", [])
            if str(entry.get("table", "")).removeprefix("published.") in tables
        ]
    target.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _without_samples(entry: dict) -> dict:
    """A table's quality entry without sample rows, nor the warehouse row count (the bundle's own counts
    are in the manifest; a facility bundle must not reveal how many rows other facilities have)."""
    failures = [
        {k: v for k, v in failure.items() if k != "sample_rows"} for failure in entry.get("failures", [])
    ]
    kept = {k: v for k, v in entry.items() if k not in ("failures", "row_count")}
    return {**kept, "failures": failures}


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _file_entry(path: Path) -> dict:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def _readme(facility: str | None) -> str:
    scope = f"facility {facility} only" if facility else "all facilities"
    return (
        f"# flrisk sharing bundle ({scope})\n\n"
        "- `tables/`: published tables as Parquet and CSV (no column classified personal; worker voice\n"
        "  only as the k-anonymous `worker_voice_summary`)\n"
        "- `contracts/`: each table's ODCS v3 data contract (columns, meaning, quality rules)\n"
        "- `data_quality/summary.json`: contract check results for these tables\n"
        "- `manifest.json`: row counts and SHA-256 of every file; check with `flrisk share --verify DIR`\n"
    )
