"""The disclosure audit as a blocking step of every publish of worker-voice numbers, once per release.

Before `published.facility_risk_drivers` or `published.worker_voice_summary` is replaced, the candidate
release (the summary and the worker-voice drivers together, with the workforce behind grievance rates)
is attacked together with the release still published (`sharing.disclosure_audit`); any finding fails
the step naming the cell, and nothing of the candidate is published.

A release is audited once. `release_key` digests what the audit reads of a release (summary, worker-voice
drivers, workforce of their facilities) and the audit rules. The key of a release found safe is kept for
the run (`WarehouseResource.audited_releases`), so the worker-voice summary step publishing the release
the risk step has just audited does not audit it again; and the worker-voice summary records the key of
the release it leaves published (`AUDITED_RELEASE` in its materialization metadata), so a candidate that
is exactly the release already published, found safe under the same rules, is not audited again either:
publishing the same numbers a second time discloses nothing new (a supplier-list load that touches no
facility with worker-voice evidence).
"""

from __future__ import annotations

import hashlib

import dagster as dg
import polars as pl

from assets.resources import WarehouseResource
from data_contracts import load_contract
from risk_model.parameters import RiskParameters
from sharing.disclosure_audit import DisclosureRules, Release, audit_disclosure

SHOWN_FINDINGS = 5
SUMMARY = "published.worker_voice_summary"
DRIVERS = "published.facility_risk_drivers"
FACILITIES = "resolved.facilities"
SUMMARY_ASSET = dg.AssetKey(SUMMARY.split("."))
AUDITED_RELEASE = "disclosure_release"  # metadata of the summary's materializations: the release key
VOICE = "worker_voice"  # the drivers' component the audit reads
VOICE_DRIVERS = f"SELECT * FROM {DRIVERS} WHERE component = ?"
WORKFORCE = (
    f"SELECT facility_id, workers_min, workers_max FROM {FACILITIES} WHERE facility_id IN (SELECT unnest(?))"
)


def published_release(warehouse: WarehouseResource, also_facilities: list[str] | None = None) -> Release:
    """The worker-voice numbers currently published (the previous release of a new publish): the
    summary, the worker-voice drivers and the workforce of their facilities (and of
    `also_facilities`), which is all the audit reads of a release."""
    for table in (SUMMARY, DRIVERS, FACILITIES):
        warehouse.ensure(table)
    drivers = warehouse.query(VOICE_DRIVERS, [VOICE])
    return Release(warehouse.read(SUMMARY), drivers, _workforce(warehouse, drivers, also_facilities or []))


def _workforce(warehouse: WarehouseResource, drivers: pl.DataFrame, more: list[str]) -> pl.DataFrame:
    facilities = sorted({*drivers["facility_id"].drop_nulls().to_list(), *more})
    return warehouse.query(WORKFORCE, [facilities])


def release_key(release: Release, rules: DisclosureRules) -> str:
    """A digest of what the audit reads of `release` and of the rules: two releases with the same key
    get the same findings."""
    summary = load_contract(SUMMARY).conform(release.summary)
    drivers = load_contract(DRIVERS).conform(release.voice_drivers())
    workforce = None
    if release.facilities is not None:
        workforce = release.facilities.select("facility_id", "workers_min", "workers_max").filter(
            pl.col("facility_id").is_in(drivers["facility_id"].implode())
        )
    digest = hashlib.sha256(repr(rules).encode())
    for frame in (summary, drivers, workforce):
        digest.update(b"\0" + (_canonical(frame) if frame is not None else b"-"))
    return digest.hexdigest()[:32]


def _canonical(frame: pl.DataFrame) -> bytes:
    """The frame's rows as CSV text in a fixed order, every value as text."""
    text = frame.select(pl.all().cast(pl.String))
    return text.sort(text.columns, nulls_last=True).write_csv().encode()


def last_audited_release(warehouse: WarehouseResource) -> str | None:
    """The key of the release the last worker-voice summary left published (None when unknown)."""
    instance = warehouse.run_instance()
    event = instance.get_latest_materialization_event(SUMMARY_ASSET) if instance is not None else None
    materialization = event.asset_materialization if event is not None else None
    recorded = materialization.metadata.get(AUDITED_RELEASE) if materialization is not None else None
    return recorded.value if recorded is not None else None


def audit_before_publish(
    warehouse: WarehouseResource,
    params: RiskParameters,
    summary: pl.DataFrame | None = None,
    drivers: pl.DataFrame | None = None,
) -> str:
    """Raise `dg.Failure` naming the cells when the candidate (`summary`/`drivers`, else what is
    published) fails the disclosure audit against the published release; returns the candidate's
    `release_key`. A release already found safe in this run, or the very release already published
    and found safe under the same rules, is not audited again (see the module docstring)."""
    rules = DisclosureRules.from_parameters(params["worker_voice"])
    voiced = drivers.filter(pl.col("component") == VOICE) if drivers is not None else None
    also = voiced["facility_id"].drop_nulls().to_list() if voiced is not None else []
    previous = published_release(warehouse, also)
    current = Release(
        summary if summary is not None else previous.summary,
        voiced if voiced is not None else previous.drivers,
        previous.facilities,
    )
    key = release_key(current, rules)
    audited = warehouse.audited_releases()
    if key in audited:
        return key
    if key == last_audited_release(warehouse) and key == release_key(previous, rules):
        audited.add(key)
        return key
    findings = audit_disclosure(current, rules, previous)
    if findings:
        shown = "; ".join(findings[:SHOWN_FINDINGS])
        more = f" (and {len(findings) - SHOWN_FINDINGS} more)" if len(findings) > SHOWN_FINDINGS else ""
        raise dg.Failure(
            description=f"disclosure audit failed, nothing published: {shown}{more}; "
            "run `flrisk audit-disclosure` for every finding"
        )
    audited.add(key)
    return key
