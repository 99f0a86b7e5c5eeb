"""Staging: standardise the latest load of every received file into the canonical staged tables.

Each source's connector decides, row by row, between a staged row and a quarantine row with a
reason; all staged tables and the quarantine are replaced together in one transaction, so a run
never leaves staging half-written. Per source file: rows read = rows staged + rows quarantined.
"""

import dagster as dg
import polars as pl

from assets.metadata import key_of, timed
from assets.oshub_country import raw_oshub_by_country
from assets.resources import PseudonymisationKeyResource, WarehouseResource
from connectors.manifest import SOURCE_TYPES
from connectors.sources import (
    dol_goods,
    entity_lists,
    global_slavery_index,
    oshub_api,
    oshub_download,
    oshub_merges,
    social_audit,
    supplier_list,
    worker_voice_grievances,
    worker_voice_surveys,
)
from connectors.staging import standardise_reconciled
from data_contracts import load_contract

STAGED_TABLES = {
    "staged.facility_records": "one row per facility mention in any source",
    "staged.audit_findings": "one row per social-audit finding",
    "staged.worker_voice_grievances": "one row per pseudonymised grievance case",
    "staged.worker_voice_surveys": "one row per facility mention x survey period x indicator",
    "staged.reference_dol_goods": "one row per country x good on the US DOL list",
    "staged.reference_entity_lists": "one row per entity on a trade-restriction list",
    "quarantine.rejected_rows": "one row per rejected input row and reason",
    "staged.audits": "one row per social audit (also audits without findings)",
    "staged.reference_country_risk": "one row per country in a user-supplied Global Slavery Index file",
    "staged.oshub_id_aliases": "one row per retired Open Supply Hub ID and the ID it now points to",
    "quarantine.load_summary": "one row per staged load: rows read, staged and quarantined",
}
API_SOURCE_TYPES = (oshub_api.SOURCE_TYPE, oshub_merges.SOURCE_TYPE)
STAGED_SOURCE_TYPES = (*SOURCE_TYPES, *API_SOURCE_TYPES)


def latest_raw(warehouse: WarehouseResource, source_type: str) -> pl.DataFrame:
    """Raw rows of the most recent load of each source file of `source_type` (for the OS Hub API,
    where a full pull and one-country pulls overlap, the newer pull of each country)."""
    raw = warehouse.read(f"raw.{source_type}")
    if raw.is_empty():
        return raw
    loads = warehouse.read("raw.loads").filter(pl.col("source_type") == source_type)
    latest = (
        loads.sort("loaded_at")
        .group_by("source_file")
        .agg(pl.col("load_id").last(), pl.col("loaded_at").last())
    )
    rows = raw.join(latest.select("load_id"), on="load_id", how="semi")
    if source_type == oshub_api.SOURCE_TYPE:
        rows = oshub_api.current_rows(rows, latest)
    return rows.sort("source_file", "source_row")


def standardise_source(source_type: str, raw: pl.DataFrame, keys: PseudonymisationKeyResource):
    """Dispatch one source type's raw rows to its connector."""
    if source_type == "worker_voice_grievance":
        return worker_voice_grievances.standardise_grievances(raw, keys.key_bytes())
    standardisers = {
        "oshub_download": oshub_download.standardise,
        "supplier_list": supplier_list.standardise,
        "social_audit": lambda frame: social_audit.standardise(frame, with_audits=True),
        "worker_voice_survey": worker_voice_surveys.standardise_surveys,
        "reference_dol_goods": dol_goods.standardise_dol_goods,
        "reference_entity_list": entity_lists.standardise_entity_lists,
        "reference_country_risk": global_slavery_index.standardise_country_risk,
        oshub_api.SOURCE_TYPE: oshub_api.standardise,
        oshub_merges.SOURCE_TYPE: oshub_merges.standardise,
    }
    return standardisers[source_type](raw)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key_of(table),
            group_name="staging",
            kinds={"duckdb", "polars"},
            description=f"{table}: {grain}.",
            deps=[*(["raw", s] for s in STAGED_SOURCE_TYPES), raw_oshub_by_country.key],
        )
        for table, grain in STAGED_TABLES.items()
    ],
    can_subset=False,
)
def staged_tables(warehouse: WarehouseResource, pseudonymisation: PseudonymisationKeyResource):
    """Standardise every source into the staged tables and the quarantine, atomically."""
    with timed() as clock:
        collected: dict[str, list[pl.DataFrame]] = {table: [] for table in STAGED_TABLES}
        reconciliation = {}
        for source_type in STAGED_SOURCE_TYPES:
            raw = latest_raw(warehouse, source_type)
            if raw.is_empty():
                continue
            result, figures = standardise_reconciled(
                lambda frame, kind=source_type: standardise_source(kind, frame, pseudonymisation), raw
            )
            for name, frame in result.tables.items():
                collected[f"staged.{name}"].append(frame)
            collected["quarantine.rejected_rows"].append(result.rejected)
            collected["quarantine.load_summary"].append(load_summary(raw, source_type, figures))
            reconciliation[source_type] = {key: figures[key] for key in ("read", "staged", "quarantined")} | {
                "unknown_columns": {f: list(c) for f, c in result.unknown_columns.items()}
            }
        frames = {table: _concat(table, parts) for table, parts in collected.items()}
        counts = warehouse.replace_many(frames)
    for table, count in counts.items():
        extra = {"quarantined_rows": counts["quarantine.rejected_rows"], "seconds": clock["seconds"]}
        if table == "quarantine.rejected_rows":
            extra["by_source"] = reconciliation
        yield dg.MaterializeResult(asset_key=key_of(table), metadata={"dagster/row_count": count, **extra})


def load_summary(raw: pl.DataFrame, source_type: str, figures: dict) -> pl.DataFrame:
    """One row per load of `raw` with its read / staged / quarantined counts (checked by the contract)."""
    loads = raw.group_by("source_file").agg(pl.col("load_id").first()).sort("source_file")
    rows = []
    for source_file, load_id in loads.iter_rows():
        entry = figures["by_file"][source_file]
        rows.append(
            {
                "load_id": load_id,
                "source_type": source_type,
                "source_file": source_file,
                "rows_read": entry["read"],
                "rows_staged": entry.get("staged", 0),
                "rows_quarantined": entry["quarantined"],
            }
        )
    return pl.DataFrame(rows)


def _concat(table: str, parts: list[pl.DataFrame]) -> pl.DataFrame:
    contract = load_contract(table)
    frames = [contract.conform(part) for part in parts if part.height]
    merged = pl.concat(frames) if frames else contract.empty_frame()
    if table == "staged.facility_records":
        merged = merged.unique("record_id", keep="first", maintain_order=True)
    return merged
