"""The disclosure audit as a blocking step of every publish of worker-voice numbers.

Before `published.facility_risk_drivers` or `published.worker_voice_summary` is replaced, the candidate
release is attacked together with the release still published (`sharing.disclosure_audit`); any
finding fails the step naming the cell, and nothing of the candidate is published.
"""

import dagster as dg
import polars as pl

from assets.resources import WarehouseResource
from risk_model.parameters import RiskParameters
from sharing.disclosure_audit import DisclosureRules, Release, audit_disclosure

SHOWN_FINDINGS = 5


def published_release(warehouse: WarehouseResource) -> Release:
    """The worker-voice numbers currently published (the previous release of a new publish)."""
    return Release(
        warehouse.read("published.worker_voice_summary"),
        warehouse.read("published.facility_risk_drivers"),
        warehouse.read("resolved.facilities"),
    )


def audit_before_publish(
    warehouse: WarehouseResource,
    params: RiskParameters,
    summary: pl.DataFrame | None = None,
    drivers: pl.DataFrame | None = None,
) -> int:
    """Raise `dg.Failure` naming the cells when the candidate (`summary`/`drivers`, else what is
    published) fails the disclosure audit against the published release; returns the cells audited."""
    previous = published_release(warehouse)
    current = Release(
        summary if summary is not None else previous.summary,
        drivers if drivers is not None else previous.drivers,
        previous.facilities,
    )
    findings = audit_disclosure(current, DisclosureRules.from_parameters(params["worker_voice"]), previous)
    if findings:
        shown = "; ".join(findings[:SHOWN_FINDINGS])
        more = f" (and {len(findings) - SHOWN_FINDINGS} more)" if len(findings) > SHOWN_FINDINGS else ""
        raise dg.Failure(
            description=f"disclosure audit failed, nothing published: {shown}{more}; "
            "run `flrisk audit-disclosure` for every finding"
        )
    return current.summary.height + current.voice_drivers().height
