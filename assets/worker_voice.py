"""Worker voice: the k-anonymous summary, recomputed only when what it is computed from has changed.

The summary depends only on the staged grievances and surveys, the facility each of their records is
linked to, k and the rounding (`risk_model.worker_voice_summary`). Its materialization records a digest
of those inputs and of the summary code and contract (`inputs_fingerprint`) and a digest of the table
it left published (`summary_digest`). When both still hold (a supplier-list load never changes worker
voice), the step keeps the published table as it is instead of computing and publishing it again; the
release it leaves published still goes through the disclosure audit, which does not repeat an audit
this run or an earlier one already made of the same release (`assets.disclosure`).
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl

import risk_model.worker_voice_summary as summary_code
from assets.disclosure import AUDITED_RELEASE, audit_before_publish
from assets.metadata import key_of
from assets.resources import WarehouseResource
from data_contracts import load_contract
from risk_model.parameters import RiskParameters, load_parameters
from risk_model.worker_voice_summary import summarise

SUMMARY = "published.worker_voice_summary"
GRIEVANCES = "staged.worker_voice_grievances"
SURVEYS = "staged.worker_voice_surveys"
LINKS = "resolved.record_links"
VOICE_LINKS = (
    f"SELECT record_id, facility_id FROM {LINKS} WHERE record_id IN "
    f"(SELECT record_id FROM {GRIEVANCES} UNION ALL SELECT record_id FROM {SURVEYS})"
)
INPUTS_FINGERPRINT = "inputs_fingerprint"  # metadata of the summary's materializations
SUMMARY_DIGEST = "summary_digest"
RECOMPUTED, UNCHANGED = "recomputed", "unchanged"


@dataclass(frozen=True)
class SummaryInputs:
    """What the summary is computed from: grievances, surveys and the links of their records."""

    grievances: pl.DataFrame
    surveys: pl.DataFrame
    links: pl.DataFrame


def read_inputs(warehouse: WarehouseResource) -> SummaryInputs:
    """The staged worker-voice rows and the facility links of those records only."""
    for table in (GRIEVANCES, SURVEYS, LINKS):
        warehouse.ensure(table)
    return SummaryInputs(warehouse.read(GRIEVANCES), warehouse.read(SURVEYS), warehouse.query(VOICE_LINKS))


def summary_from(inputs: SummaryInputs, params: RiskParameters) -> pl.DataFrame:
    """The k-anonymous worker-voice summary (rounded as published)."""
    rule = params["worker_voice"]
    return summarise(
        inputs.grievances, inputs.surveys, inputs.links, rule["k_anonymity"], rule.get("count_rounding", 5)
    )


def summary_of(warehouse: WarehouseResource, params: RiskParameters) -> pl.DataFrame:
    """The k-anonymous worker-voice summary of the staged evidence (rounded as published)."""
    return summary_from(read_inputs(warehouse), params)


def inputs_fingerprint(inputs: SummaryInputs, params: RiskParameters) -> str:
    """A digest of everything the summary depends on: its inputs, k and rounding, the summary code,
    its contract and the Polars version."""
    rule = params["worker_voice"]
    settings = f"{pl.__version__}|{rule['k_anonymity']}|{rule.get('count_rounding', 5)}"
    digest = hashlib.sha256(settings.encode())
    digest.update(Path(summary_code.__file__).read_bytes())
    digest.update(load_contract(SUMMARY).source_path.read_bytes())
    for frame in (inputs.grievances, inputs.surveys, inputs.links):
        digest.update(b"\0" + canonical_rows(frame))
    return digest.hexdigest()[:32]


def canonical_rows(frame: pl.DataFrame) -> bytes:
    """The frame's columns and rows as CSV text in a fixed order, every value as text."""
    text = frame.select(pl.all().cast(pl.String))
    return text.sort(text.columns, nulls_last=True).write_csv().encode()


def table_digest(summary: pl.DataFrame) -> str:
    """A digest of a summary as published (contract columns and types)."""
    return hashlib.sha256(canonical_rows(load_contract(SUMMARY).conform(summary))).hexdigest()[:32]


def _last_recorded(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The fingerprints the summary's last materialization recorded (empty when none)."""
    event = context.instance.get_latest_materialization_event(key_of(SUMMARY))
    if event is None or event.asset_materialization is None:
        return {}
    metadata = event.asset_materialization.metadata
    return {name: metadata[name].value for name in (INPUTS_FINGERPRINT, SUMMARY_DIGEST) if name in metadata}


@dg.asset(
    key=key_of(SUMMARY),
    group_name="risk",
    kinds={"duckdb", "polars"},
    deps=[
        key_of(t)
        for t in (
            LINKS,
            GRIEVANCES,
            SURVEYS,
            "published.facility_risk_drivers",  # audited against the drivers just published
        )
    ],
)
def worker_voice_summary(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """published.worker_voice_summary: one row per facility x period x indicator, k-anonymous."""
    params = load_parameters()
    inputs = read_inputs(warehouse)
    fingerprint = inputs_fingerprint(inputs, params)
    last = _last_recorded(context)
    summary = None
    if last.get(INPUTS_FINGERPRINT) == fingerprint and warehouse.exists(SUMMARY):
        published = warehouse.read(SUMMARY)
        summary = published if table_digest(published) == last.get(SUMMARY_DIGEST) else None
    mode = UNCHANGED if summary is not None else RECOMPUTED
    if summary is None:
        summary = summary_from(inputs, params)
    release = audit_before_publish(warehouse, params, summary=summary)
    if mode == RECOMPUTED:
        warehouse.publish(SUMMARY, summary)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary.height,
            "k_threshold": params["worker_voice"]["k_anonymity"],
            "suppressed_cells": int(summary["suppressed"].sum()),
            "mode": mode,
            INPUTS_FINGERPRINT: fingerprint,
            SUMMARY_DIGEST: table_digest(summary),
            AUDITED_RELEASE: release,
        }
    )
