"""Staging: standardise the latest load of every received file into the canonical staged tables.

Each source's connector decides, row by row, between a staged row and a quarantine row with a
reason; all staged tables and the quarantine are replaced together in one transaction, so a run
never leaves staging half-written. Per source file: rows read = rows staged + rows quarantined.
A file that cannot be standardised as a whole (two headers meaning one field, a reference list of
unknown edition, anything a connector raises on it) is set aside: it lands in quarantine.load_summary
as rejected with its reason, is marked failed in the received register, and every other file stages
as if it were not there (`connectors.reading.whole_file`). A reference list's edition comes from its
content, else from the edition its sender declared (`flrisk load --edition`), else from the name it
was sent under.
"""

import hashlib

import dagster as dg
import polars as pl
from pydantic import Field

from assets.ingestion import is_sealed_source, unsealed
from assets.metadata import key_of, timed
from assets.oshub_country import raw_oshub_by_country
from assets.resources import PseudonymisationKeyResource, SourcesResource, WarehouseResource
from assets.staging_append import (
    APPENDABLE,
    FINGERPRINT,
    AppendPlan,
    plan_append,
    restaged_raw,
    staging_fingerprint,
)
from connectors.layouts import UnknownEditionError, edition_from_file_name
from connectors.manifest import SOURCE_TYPES, ManifestEntry
from connectors.reading.whole_file import FileFailure, standardise_isolated
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
from data_contracts import load_contract
from warehouse.keys import raw_access_key

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
LIST_TABLES = ("staged.facility_records", "quarantine.rejected_rows", "quarantine.load_summary")
STAGED_SOURCE_TYPES = (*SOURCE_TYPES, *API_SOURCE_TYPES)


def latest_raw(
    warehouse: WarehouseResource, source_type: str, removed: set[str] | None = None
) -> pl.DataFrame:
    """Raw rows of the most recent load of each source file of `source_type` (for the OS Hub API,
    where a full pull and one-country pulls overlap, the newer pull of each country), leaving out the
    files taken back out with `flrisk unload` (`removed`; their raw rows stay in raw.*)."""
    raw = warehouse.read(f"raw.{source_type}")
    if removed:
        raw = raw.filter(~pl.col("source_file").is_in(sorted(removed)))
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
    if is_sealed_source(source_type):
        rows = unsealed(rows, raw_access_key())
    return rows.sort("source_file", "source_row")


def declared_editions(entries: list[ManifestEntry]) -> dict[str, int]:
    """Source file -> edition for received reference lists: the edition their sender declared, else
    the year in the name the file was sent under (lists without either fall back to their content)."""
    editions = {}
    for entry in entries:
        if entry.edition is not None:
            editions[entry.relative_path] = entry.edition
            continue
        try:
            editions[entry.relative_path] = edition_from_file_name(entry.name_as_sent)
        except UnknownEditionError:
            continue
    return editions


def standardiser_for(source_type: str, keys: PseudonymisationKeyResource, editions: dict[str, int]):
    """The connector function that standardises one source type's raw rows. The pseudonymisation key
    is read here, up front: a missing key fails the run, it is no fault of any one file."""
    if source_type == "worker_voice_grievance":
        key = keys.key_bytes()
        return lambda raw: worker_voice_grievances.standardise_grievances(raw, key)
    if source_type == "reference_dol_goods":
        return lambda raw: dol_goods.standardise_dol_goods(raw, editions=editions)
    if source_type == "reference_country_risk":
        return lambda raw: global_slavery_index.standardise_country_risk(raw, editions=editions)
    standardisers = {
        "oshub_download": oshub_download.standardise,
        "supplier_list": supplier_list.standardise,
        "social_audit": lambda frame: social_audit.standardise(frame, with_audits=True),
        "worker_voice_survey": worker_voice_surveys.standardise_surveys,
        "reference_entity_list": entity_lists.standardise_entity_lists,
        oshub_api.SOURCE_TYPE: oshub_api.standardise,
        oshub_merges.SOURCE_TYPE: oshub_merges.standardise,
    }
    return standardisers[source_type]


def standardise_source(source_type: str, raw: pl.DataFrame, keys: PseudonymisationKeyResource):
    """Dispatch one source type's raw rows to its connector."""
    return standardiser_for(source_type, keys, {})(raw)


class StageConfig(dg.Config):
    """Run configuration of the staging step."""

    full: bool = Field(
        default=False,
        description="Restage every received file even when only new supplier lists arrived "
        "(`flrisk refresh` and the nightly schedule set it).",
    )


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
def staged_tables(
    context: dg.AssetExecutionContext,
    config: StageConfig,
    warehouse: WarehouseResource,
    pseudonymisation: PseudonymisationKeyResource,
    sources: SourcesResource,
):
    """Standardise every source into the staged tables and the quarantine, atomically; files that
    cannot be standardised as a whole are set aside with their reason. When only new supplier lists
    arrived, only they (and their contributors' earlier lists) are restaged (`staging_append`)."""
    with timed() as clock:
        entries = sources.entries()
        removed = sources.removed_files()
        editions = declared_editions(entries)
        fingerprint = staging_fingerprint(pseudonymisation)
        plan = None
        if not config.full and _last_fingerprint(context) == fingerprint:
            plan = plan_append(
                warehouse, STAGED_SOURCE_TYPES, removed, lambda seen: unread_load_ids(entries, seen)
            )
        raws = (
            ((t, latest_raw(warehouse, t, removed)) for t in STAGED_SOURCE_TYPES)
            if plan is None
            else [(APPENDABLE, restaged_raw(warehouse, plan))]
        )
        collected: dict[str, list[pl.DataFrame]] = {table: [] for table in STAGED_TABLES}
        reconciliation, failures, usable = {}, [], set()
        for source_type, raw in raws:
            if raw.is_empty():
                continue
            standardise = standardiser_for(source_type, pseudonymisation, editions)
            result, figures, failed = standardise_isolated(standardise, raw, source_type)
            collected["quarantine.load_summary"].append(rejected_summary(raw, source_type, failed))
            failures += failed
            if result is None:
                continue
            usable |= set(figures["by_file"])
            for name, frame in result.tables.items():
                collected[f"staged.{name}"].append(frame)
            collected["quarantine.rejected_rows"].append(result.rejected)
            collected["quarantine.load_summary"].append(load_summary(raw, source_type, figures))
            reconciliation[source_type] = {key: figures[key] for key in ("read", "staged", "quarantined")} | {
                "unknown_columns": {f: list(c) for f, c in result.unknown_columns.items()}
            }
        if plan is None:
            collected["quarantine.load_summary"].append(unread_summary(entries, usable, failures))
            counts = warehouse.replace_many(
                {table: _concat(table, parts) for table, parts in collected.items()}
            )
        else:
            counts = _write_append(warehouse, plan, collected)
    if plan is not None:
        context.log.info(f"staged {len(plan.new_files)} new supplier list(s) only: {plan.source_files}")
    for failure in failures:
        context.log.warning(f"file set aside, the other files staged as usual: {failure.reason}")
    sources.record_outcomes({f.source_file: f.reason for f in failures}, usable)
    for table, count in counts.items():
        extra = {
            "quarantined_rows": counts["quarantine.rejected_rows"],
            "seconds": clock["seconds"],
            "mode": "full" if plan is None else "append",
            FINGERPRINT: fingerprint,
            "restaged_files": [] if plan is None else plan.source_files,  # by_source covers these only
        }
        if table == "quarantine.rejected_rows":
            extra["by_source"] = reconciliation
        if table == "quarantine.load_summary":
            extra["files_rejected"] = {f.source_file: f.reason for f in failures}
        yield dg.MaterializeResult(asset_key=key_of(table), metadata={"dagster/row_count": count, **extra})


def load_summary(raw: pl.DataFrame, source_type: str, figures: dict) -> pl.DataFrame:
    """One row per staged load of `raw` with its read / staged / quarantined counts (checked by the
    contract); files set aside as a whole are in `rejected_summary`."""
    loads = raw.group_by("source_file").agg(pl.col("load_id").first()).sort("source_file")
    rows = []
    for source_file, load_id in loads.iter_rows():
        if source_file not in figures["by_file"]:
            continue
        entry = figures["by_file"][source_file]
        rows.append(
            {
                "load_id": load_id,
                "source_type": source_type,
                "source_file": source_file,
                "rows_read": entry["read"],
                "rows_staged": entry.get("staged", 0),
                "rows_quarantined": entry["quarantined"],
                "file_status": "staged",
                "reason_code": None,
                "reason": None,
            }
        )
    return pl.DataFrame(rows)


def rejected_summary(raw: pl.DataFrame, source_type: str, failures: list[FileFailure]) -> pl.DataFrame:
    """One load_summary row per file of `raw` set aside as a whole: every row it has counts as
    quarantined, and the reason is on the row (not in rejected_rows)."""
    reasons = {failure.source_file: failure for failure in failures}
    loads = (
        raw.filter(pl.col("source_file").is_in(list(reasons)))
        .group_by("source_file")
        .agg(pl.col("load_id").first(), pl.len().alias("rows"))
        .sort("source_file")
    )
    return pl.DataFrame(
        [
            _rejected_row(load_id, source_type, source_file, rows, reasons[source_file])
            for source_file, load_id, rows in loads.iter_rows()
        ]
    )


def unread_summary(
    entries: list[ManifestEntry], staged: set[str], failures: list[FileFailure]
) -> pl.DataFrame:
    """load_summary rows for received files that never reached raw (ingestion set them aside)."""
    seen = staged | {failure.source_file for failure in failures}
    rows = []
    for entry in entries:
        if entry.status != "failed" or entry.relative_path in seen:
            continue
        code, _, message = entry.failure.partition("] ")
        failure = FileFailure(
            entry.relative_path, code.lstrip("[") or "file_failed", message or entry.failure
        )
        load_id = (
            f"{entry.source_type}-unread-{hashlib.sha256(entry.relative_path.encode()).hexdigest()[:16]}"
        )
        rows.append(_rejected_row(load_id, entry.source_type, entry.relative_path, 0, failure))
    return pl.DataFrame(rows)


def _last_fingerprint(context: dg.AssetExecutionContext) -> str | None:
    """The staging fingerprint of the staged tables' last materialization (None if it has none)."""
    event = context.instance.get_latest_materialization_event(key_of("staged.facility_records"))
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get(FINGERPRINT)
    return value.value if value is not None else None


def unread_load_ids(entries: list[ManifestEntry], seen: set[str]) -> set[str]:
    """The load ids `unread_summary` gives when the files `seen` reached raw."""
    unread = unread_summary(entries, seen, [])
    return set(unread["load_id"]) if unread.height else set()


def _write_append(
    warehouse: WarehouseResource, plan: AppendPlan, collected: dict[str, list[pl.DataFrame]]
) -> dict[str, int]:
    """Replace the plan's files' rows in the tables a supplier list feeds (and any other table its
    standardisation filled) in one transaction; rows per table."""
    frames = {
        table: _concat(table, parts) for table, parts in collected.items() if parts or table in LIST_TABLES
    }
    delete = {table: ("source_file", plan.source_files) for table in frames}
    warehouse.replace_many({}, delete=delete, append=frames)
    return {table: warehouse.row_count(table) for table in STAGED_TABLES}


def _rejected_row(load_id: str, source_type: str, source_file: str, rows: int, failure: FileFailure) -> dict:
    return {
        "load_id": load_id,
        "source_type": source_type,
        "source_file": source_file,
        "rows_read": rows,
        "rows_staged": 0,
        "rows_quarantined": rows,
        "file_status": "rejected",
        "reason_code": failure.reason_code,
        "reason": failure.message,
    }


def _concat(table: str, parts: list[pl.DataFrame]) -> pl.DataFrame:
    contract = load_contract(table)
    frames = [contract.conform(part) for part in parts if part.height]
    merged = pl.concat(frames) if frames else contract.empty_frame()
    if table == "staged.facility_records":
        merged = merged.unique("record_id", keep="first", maintain_order=True)
    if table == "staged.oshub_id_aliases":  # merge events + production locations' historical_os_id
        merged = oshub_merges.combine_aliases(merged)
    return merged
