"""What the Dagster UI says about each asset — who owns it, which table it is, its columns, where its
code is and whether it is fresh — derived in one place from the data contracts.

`describe_assets` is applied once, in `pipelines.definitions`, to every asset (per spec of a multi-asset):

- a contracted table (staged, quarantine, resolved, published) gets the owners of its contract's team,
  `dagster/table_name` (`schema.table`), `dagster/column_schema` from the contract's columns, the
  contract version, a code reference to the contract file and, when Dagster materializes it and the
  contract has an SLA, a `FreshnessPolicy.time_window` from that SLA (`freshness_policy`);
- a raw table (not contracted) gets its table name (its own `dagster/table_name` when it writes into
  another asset's table), the raw layout's columns, and the owners of the contracted tables built from it;
- a report (`quality.*`, files rather than tables) gets the owners of the contracted tables it reads;
- every asset with a function gets a code reference to it (`dg.with_source_code_references`).

An asset left without an owner is an error at load time, so a new asset cannot slip in unowned.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from assets.metadata import column_schema
from data_contracts import Contract, load_contract
from data_contracts.freshness import sla_of
from data_contracts.loader import SCHEMAS as CONTRACTED_SCHEMAS

AssetLike = dg.AssetsDefinition | dg.AssetSpec
TABLE_NAME = "dagster/table_name"
COLUMN_SCHEMA = "dagster/column_schema"
CODE_REFERENCES = "dagster/code_references"
RAW_SCHEMA = "raw"


def dagster_owner(username: str) -> str:
    """A contract team username as a Dagster owner: e-mail addresses as they are, else `team:<name>`."""
    return username if "@" in username else f"team:{username}"


def contract_of(key: dg.AssetKey) -> Contract | None:
    """The contract of the table at `key`, or None for an uncontracted layer (raw, quality)."""
    return load_contract(".".join(key.path)) if key.path[0] in CONTRACTED_SCHEMAS else None


def freshness_policy(table_key: str) -> dg.FreshnessPolicy | None:
    """Dagster's freshness policy for a contracted table: fail once older than its SLA's frequency +
    latency (the rule the freshness checks and `flrisk status` apply), warn once older than the
    frequency alone (a refresh is due); None when the contract sets no frequency."""
    sla = sla_of(table_key)
    if sla.max_age is None:
        return None
    warn = sla.frequency if sla.latency else None
    return dg.FreshnessPolicy.time_window(fail_window=sla.max_age, warn_window=warn)


def describe_assets(assets: Sequence[AssetLike]) -> list[AssetLike]:
    """`assets` with owners, table metadata, code references and freshness policies on every spec."""
    with warnings.catch_warnings():  # code references are a beta API in Dagster 1.13
        warnings.simplefilter("ignore", category=dg.BetaWarning)
        referenced = list(dg.with_source_code_references(list(assets)))
        owners = _owners_by_key([spec for item in referenced for spec in _specs(item)])
        described: list[AssetLike] = []
        for item in referenced:
            if isinstance(item, dg.AssetSpec):
                described.append(_describe(item, owners[item.key], materialized=False))
            else:
                materialized = item.is_executable
                described.append(
                    item.map_asset_specs(lambda spec, m=materialized: _describe(spec, owners[spec.key], m))
                )
    return described


def _specs(item: AssetLike) -> list[dg.AssetSpec]:
    return [item] if isinstance(item, dg.AssetSpec) else list(item.specs)


def _describe(spec: dg.AssetSpec, owners: list[str], materialized: bool) -> dg.AssetSpec:
    """One spec with its owners and, for a table, its table name, columns and freshness policy."""
    contract = contract_of(spec.key)
    metadata = dict(spec.metadata)
    policy = None
    if contract is not None:
        table = contract.qualified_name
        metadata["contract_version"] = contract.version
        metadata[CODE_REFERENCES] = _with_reference(metadata.get(CODE_REFERENCES), contract.source_path)
        policy = freshness_policy(table) if materialized else None
    elif spec.key.path[0] == RAW_SCHEMA:
        table = str(metadata.get(TABLE_NAME) or ".".join(spec.key.path))
    else:
        table = None  # a report, not a table
    if table is not None:
        metadata[TABLE_NAME] = table
        metadata[COLUMN_SCHEMA] = column_schema(table)
    return spec.replace_attributes(owners=owners, metadata=metadata, freshness_policy=policy)


def _with_reference(
    existing: dg.CodeReferencesMetadataValue | None, contract_file: Path
) -> dg.CodeReferencesMetadataValue:
    """The asset's code references plus one to its data contract (line 1: the whole file is the contract)."""
    contract = dg.LocalFileCodeReference(file_path=str(contract_file), line_number=1, label="data contract")
    return dg.CodeReferencesMetadataValue(
        code_references=[*(existing.code_references if existing else []), contract]
    )


def _owners_by_key(specs: list[dg.AssetSpec]) -> dict[dg.AssetKey, list[str]]:
    """Owners of every spec: its contract's team, else the owners of the contracted tables it reads,
    else (a raw table, which reads nothing) of the contracted tables built from it."""
    contracted = {
        spec.key: [dagster_owner(name) for name in contract.owners]
        for spec in specs
        if (contract := contract_of(spec.key)) is not None
    }
    dependents: dict[dg.AssetKey, list[dg.AssetKey]] = defaultdict(list)
    for spec in specs:
        for dep in spec.deps:
            dependents[dep.asset_key].append(spec.key)
    owners = {}
    for spec in specs:
        if spec.key in contracted:
            owners[spec.key] = contracted[spec.key]
            continue
        neighbours = [dep.asset_key for dep in spec.deps if dep.asset_key in contracted]
        neighbours = neighbours or [key for key in dependents[spec.key] if key in contracted]
        inherited = list(dict.fromkeys(owner for key in neighbours for owner in contracted[key]))
        if not inherited:
            raise ValueError(
                f"{spec.key.to_user_string()} has no owner: no contract and no contracted neighbour"
            )
        owners[spec.key] = inherited
    return owners
