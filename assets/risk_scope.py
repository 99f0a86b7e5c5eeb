"""Which facilities a run must score again: the ones its load touched, or every one (issue 19).

A facility's scores, drivers and list hits depend on its resolved row, its record links and the
records linked to it (names, addresses, evidence by record), and on evidence every facility shares:
parameters, the scoring date, the reference lists, reviewers' decisions, audits and worker voice,
and the code. So when nothing shared changed since the last publish, scoring the facilities whose row
or links changed, and carrying every other published row over, gives exactly what scoring everything
gives. `touched_scope` takes that path only when all of these hold, else it says why not:

- a previous publish exists and recorded the same `risk_fingerprint` (`risk_fingerprint`: a digest of
  the code, Polars and rapidfuzz versions, parameters, scoring date, the contents of every shared
  evidence table and the decisions in force);
- every staging of facility records since then appended supplier lists (`mode: append`; a full
  restage, as `flrisk refresh` and the nightly schedule do, may change any record);
- every resolution since then was incremental and recorded the facilities it touched
  (`touched_facilities` on resolved.facilities, assets/resolution.py), at most `TOUCHED_LIMIT`;
- the touched facilities' worker-voice drivers come out as published (`risk_delta.publish_touched`
  checks after scoring): the release's worker-voice numbers are then unchanged, and the disclosure
  audit that a change would need runs over the whole release in the full path;
- the published facilities other than the touched ones are exactly the resolved ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import rapidfuzz

import entity_resolution
import risk_model
from assets.metadata import key_of, recorded
from assets.resolution_delta import TOUCHED, TOUCHED_LIMIT
from assets.resources import WarehouseResource
from risk_model.list_decisions import decisions_in_force
from risk_model.parameters import RiskParameters
from warehouse.sql import quoted

FINGERPRINT = "risk_fingerprint"  # metadata key on published.facility_risk
SCOPE = "scope"  # metadata key: "touched" or "all"
SHARED_EVIDENCE = (
    "staged.audit_findings",
    "staged.audits",
    "staged.worker_voice_grievances",
    "staged.worker_voice_surveys",
    "staged.reference_dol_goods",
    "staged.reference_entity_lists",
    "staged.reference_country_risk",
)
HERE = Path(__file__).parent
CODE = (
    Path(risk_model.__file__).parent,
    Path(entity_resolution.__file__).parent,
    HERE / "risk.py",
    HERE / "risk_scope.py",
    HERE / "risk_delta.py",
)
FINGERPRINTED = {".py", ".csv", ".yaml", ".yml", ".json", ".txt"}
MATERIALIZATIONS_READ = 100  # more runs than this since the last publish: score everything
UNTOUCHED_MISMATCH_SQL = """
SELECT (SELECT count(*) FROM published.facility_risk p ANTI JOIN resolved.facilities f USING (facility_id)
        WHERE p.facility_id NOT IN (SELECT facility_id FROM touched))
     + (SELECT count(*) FROM resolved.facilities f ANTI JOIN published.facility_risk p USING (facility_id)
        WHERE f.facility_id NOT IN (SELECT facility_id FROM touched))
"""


def _code_digest() -> bytes:
    digest = hashlib.sha256(f"{pl.__version__} {rapidfuzz.__version__}".encode())
    for source in CODE:
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.suffix in FINGERPRINTED and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(source.parent)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def risk_fingerprint(warehouse: WarehouseResource, params: RiskParameters, as_of: date) -> str:
    """A digest of everything a facility's scores depend on besides its own row, links and records."""
    digest = hashlib.sha256(_code_digest())
    digest.update(json.dumps(params.raw, sort_keys=True, default=str).encode())
    digest.update(as_of.isoformat().encode())
    for table in SHARED_EVIDENCE:
        warehouse.ensure(table)
        digest_sql = f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {quoted(table)} t"
        count, total = warehouse.query(digest_sql).row(0)
        digest.update(f"{table}:{count}:{total}".encode())
    in_force = decisions_in_force(
        warehouse.read("resolved.list_hit_decisions"), warehouse.read("resolved.facility_id_aliases")
    )
    digest.update(str(in_force.hash_rows().sort().to_list()).encode())
    return digest.hexdigest()[:32]


def _since(instance: dg.DagsterInstance, table: str, storage_id: int) -> list | None:
    """The materializations of `table` after `storage_id`, oldest first (None: too many to read)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key_of(table), after_storage_id=storage_id),
        limit=MATERIALIZATIONS_READ + 1,
        ascending=True,
    ).records
    return None if len(records) > MATERIALIZATIONS_READ else records



def touched_scope(
    instance: dg.DagsterInstance, warehouse: WarehouseResource, fingerprint: str
) -> tuple[list[str] | None, str]:
    """(the facilities to score, why) - None: every facility (see module)."""
    last = instance.fetch_materializations(key_of("published.facility_risk"), limit=1).records
    if not last:
        return None, "first publish"
    if recorded(last[0], FINGERPRINT) != fingerprint:
        return None, "code, parameters, scoring date or shared evidence changed since the last publish"
    staged = _since(instance, "staged.facility_records", last[0].storage_id)
    if staged is None or any(recorded(record, "mode") != "append" for record in staged):
        return None, "facility records were restaged in full"
    resolutions = _since(instance, "resolved.facilities", last[0].storage_id)
    if resolutions is None:
        return None, "too many runs since the last publish"
    touched: set[str] = set()
    for record in resolutions:
        listed = recorded(record, TOUCHED)
        if not isinstance(listed, list):
            return None, "a resolution since the last publish ran in full or changed many facilities"
        touched.update(listed)
    if len(touched) > TOUCHED_LIMIT:
        return None, f"{len(touched)} facilities touched"
    ids = sorted(touched)
    with warehouse.connect() as con:
        con.register("touched", pl.DataFrame({"facility_id": ids}, schema={"facility_id": pl.String}))
        mismatch = con.sql(UNTOUCHED_MISMATCH_SQL).fetchall()[0][0]
        con.unregister("touched")
    if mismatch:
        return None, f"{mismatch} untouched facilities differ between resolved and published"
    return ids, f"{len(ids)} facilities touched by this load"
