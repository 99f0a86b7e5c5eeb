"""Staging a new supplier list without restaging every file (issue 19), with the result a full restage
would give.

A full restage standardises every source again. When the only change since the last staging is one or
more new supplier-list files (no file changed, removed, set aside or newly unreadable, no other kind
of file new, no Open Supply Hub API pull in the warehouse), most of that work reproduces rows already
staged. What a supplier-list row becomes depends only on the rows of the same contributor: a
record_id hashes source type, contributor and the raw values, so the duplicate check
(`frames.facility_lists`) can only meet rows of that contributor, and OS Hub's template rules work
within one file. So the files to restage are the new lists and the earlier lists of the same
contributors; their previous rows are deleted and their new rows appended, in one transaction, and
every other row stays as it is. `plan_append` returns None whenever that reasoning does not hold, and
the asset restages everything as before. The reasoning also needs the rows already staged to be what
this code and key would stage: the staged tables' last materialization records a fingerprint of the
staging code, contracts, reference data, Polars version and pseudonymisation key
(`staging_fingerprint`), and a different one (an upgrade, a new key) restages everything.
tests/pipelines/test_fast_loads.py compares the result with a full restage.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

import connectors
import data_contracts
from assets.resources import PseudonymisationKeyResource, WarehouseResource
from connectors.sources import oshub_api, oshub_merges
from warehouse.keys import MissingKeyError
from warehouse.sql import quoted

APPENDABLE = "supplier_list"
API_SOURCE_TYPES = (oshub_api.SOURCE_TYPE, oshub_merges.SOURCE_TYPE)
UNREAD_MARK = "-unread-"  # load ids of files that never reached raw (assets.staging.unread_summary)
SUMMARY = "quarantine.load_summary"
FINGERPRINT = "staging_fingerprint"  # metadata key on the staged tables' materializations
# What staging's output depends on besides the raw rows: these packages and modules (code and data).
STAGING_SOURCES = (
    Path(connectors.__file__).parent,
    Path(data_contracts.__file__).parent,
    Path(__file__).with_name("staging.py"),
    Path(__file__).with_name("ingestion.py"),
    Path(__file__),
)
FINGERPRINTED = {".py", ".csv", ".yaml", ".yml", ".json", ".txt"}


def staging_fingerprint(pseudonymisation: PseudonymisationKeyResource) -> str:
    """A digest of what standardising a raw row depends on beyond the row: the staging code, contracts
    and reference data, the Polars version and the pseudonymisation key (as an HMAC check value,
    never the key)."""
    digest = hashlib.sha256(pl.__version__.encode())
    for source in STAGING_SOURCES:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.suffix in FINGERPRINTED and path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        key = pseudonymisation.key_bytes()
        digest.update(hmac.new(key, b"flrisk staging fingerprint", hashlib.sha256).digest())
    except MissingKeyError:
        digest.update(b"no pseudonymisation key")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class AppendPlan:
    """The supplier-list files to restage (new ones and their contributors' earlier ones)."""

    source_files: list[str]
    load_ids: list[str]
    new_files: list[str]


def current_loads(
    warehouse: WarehouseResource, source_types: tuple[str, ...], removed: set[str]
) -> pl.DataFrame:
    """The load each received file's rows come from (its latest load, as `staging.latest_raw` picks
    it): source_type, source_file, load_id, contributor; files whose latest load has no rows and
    files taken out with `flrisk unload` are left out."""
    if not warehouse.exists("raw.loads"):
        return pl.DataFrame(
            schema={c: pl.String for c in ("source_type", "source_file", "load_id", "contributor")}
        )
    loads = warehouse.read("raw.loads").filter(pl.col("source_type").is_in(list(source_types)))
    latest = (
        loads.sort("loaded_at")
        .group_by("source_type", "source_file")
        .agg(pl.col("load_id", "contributor", "row_count").last())
        .filter(pl.col("row_count") > 0, ~pl.col("source_file").is_in(sorted(removed)))
    )
    return latest.select("source_type", "source_file", "load_id", "contributor")


def plan_append(
    warehouse: WarehouseResource,
    source_types: tuple[str, ...],
    removed: set[str],
    unread_for: Callable[[set[str]], set[str]],
) -> AppendPlan | None:
    """What to restage when only new supplier lists arrived since the last staging, else None.
    `unread_for(seen)` gives the load ids of the unread-file rows the summary gets when the files
    `seen` reached raw (`staging.unread_summary`): they must be the ones it has."""
    if not warehouse.exists(SUMMARY) or any(warehouse.row_count(f"raw.{t}") for t in API_SOURCE_TYPES):
        return None
    summary = warehouse.query(f"SELECT load_id, source_file FROM {quoted(SUMMARY)}")
    unread = summary.filter(pl.col("load_id").str.contains(UNREAD_MARK, literal=True))
    staged = summary.filter(~pl.col("load_id").str.contains(UNREAD_MARK, literal=True))
    current = current_loads(warehouse, source_types, removed)
    new = current.join(staged, on="load_id", how="anti")
    gone = staged.join(current, on="load_id", how="anti")
    if gone.height or new.is_empty() or set(new["source_type"]) != {APPENDABLE}:
        return None
    if new["source_file"].is_in(summary["source_file"].implode()).any():
        return None  # a changed file: its earlier rows must go as a full restage removes them
    if unread_for(set(staged["source_file"]) | set(new["source_file"])) != set(unread["load_id"]):
        return None
    contributors = new["contributor"].unique().implode()
    restaged = current.filter(
        pl.col("source_type") == APPENDABLE, pl.col("contributor").is_in(contributors, nulls_equal=True)
    ).sort("source_file")
    return AppendPlan(
        source_files=restaged["source_file"].to_list(),
        load_ids=restaged["load_id"].to_list(),
        new_files=sorted(new["source_file"]),
    )


def restaged_raw(warehouse: WarehouseResource, plan: AppendPlan) -> pl.DataFrame:
    """The raw rows of the plan's loads, in the order `staging.latest_raw` gives them."""
    with warehouse.connect() as con:
        con.register(
            "restaged_loads", pl.DataFrame({"load_id": plan.load_ids}, schema={"load_id": pl.String})
        )
        table = quoted(f"raw.{APPENDABLE}")
        rows = con.sql(f"SELECT * FROM {table} WHERE load_id IN (SELECT load_id FROM restaged_loads)").pl()
        con.unregister("restaged_loads")
    return rows.sort("source_file", "source_row")
