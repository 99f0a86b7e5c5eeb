"""What the Dagster UI shows about every asset of the real Definitions agrees with the contracts: owners,
table name, column schema, code references and freshness policy; and the Open Supply Hub token reaches
its resource only through `dg.EnvVar`, never appearing in a repr, the run config or the event log.

Expectations are read from the contract YAML files directly (not through `data_contracts`), so a wrong
derivation in the code cannot make its own test pass.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from assets.resources import OsHubResource, WarehouseResource
from data_contracts.loader import CONTRACTS_DIR, SCHEMAS
from pipelines.definitions import build_definitions, defs
from tests.fakes.oshub_server import FakeOsHub, recorded

GRAPH = defs.resolve_asset_graph()
KEYS = sorted(GRAPH.get_all_asset_keys(), key=lambda key: key.to_user_string())
# files, and the copy of the published tables in PostgreSQL: not tables of the warehouse
REPORTS = {"quality/data_quality_report", "quality/brand_risk_reports", "postgres/published"}
WRITES_INTO = {"raw/oshub_api_by_country": "raw.oshub_api"}  # country pulls land in the full pull's table
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
SECRET = "oshub-secret-7f3c9a1e"


def table_of(key: dg.AssetKey) -> str:
    return ".".join(key.path)


def contracted(key: dg.AssetKey) -> bool:
    return key.path[0] in SCHEMAS


def contract_document(key: dg.AssetKey) -> dict:
    schema, table = key.path
    return yaml.safe_load((CONTRACTS_DIR / schema / f"{table}.odcs.yaml").read_text(encoding="utf-8"))


def team_owners(key: dg.AssetKey) -> list[str]:
    """The contract's owners as Dagster spells them: e-mails as they are, team names as `team:<name>`."""
    members = [m for m in contract_document(key)["team"] if m.get("role") == "owner" and not m.get("dateOut")]
    return [m["username"] if "@" in m["username"] else f"team:{m['username']}" for m in members]


def column_schema(key: dg.AssetKey) -> dg.TableSchema:
    schema = GRAPH.get(key).metadata["dagster/column_schema"]
    assert isinstance(schema, dg.TableSchema)
    return schema


def ids(key: dg.AssetKey) -> str:
    return key.to_user_string()


def test_the_exempt_assets_are_exactly_the_uncontracted_ones():
    uncontracted = {ids(key) for key in KEYS if not contracted(key)}
    assert {name for name in uncontracted if not name.startswith("raw/")} == REPORTS


@pytest.mark.parametrize("key", KEYS, ids=ids)
def test_every_asset_has_owners_from_the_contracts(key):
    owners = GRAPH.get(key).owners
    assert owners and all(o.startswith("team:") or "@" in o for o in owners)
    if contracted(key):
        assert list(owners) == team_owners(key)
        return
    # raw tables and reports: the owners of the contracted tables they feed or read
    neighbours = [k for k in (*GRAPH.get(key).parent_keys, *GRAPH.get(key).child_keys) if contracted(k)]
    assert neighbours and set(owners) == {o for k in neighbours for o in team_owners(k)}


@pytest.mark.parametrize("key", KEYS, ids=ids)
def test_every_table_asset_names_its_duckdb_table(key):
    metadata = GRAPH.get(key).metadata
    if ids(key) in REPORTS:
        assert "dagster/table_name" not in metadata and "dagster/column_schema" not in metadata
    else:
        assert metadata["dagster/table_name"] == WRITES_INTO.get(ids(key), table_of(key))


@pytest.mark.parametrize("key", [key for key in KEYS if contracted(key)], ids=ids)
def test_contracted_column_schema_equals_the_contract_columns(key):
    schema = column_schema(key)
    properties = contract_document(key)["schema"][0]["properties"]
    assert [(c.name, c.type, c.constraints.nullable) for c in schema.columns] == [
        (p["name"], p["physicalType"], not p.get("required", False)) for p in properties
    ]
    assert [c.description for c in schema.columns] == [p["description"] for p in properties]
    assert GRAPH.get(key).metadata["contract_version"] == str(contract_document(key)["version"])


@pytest.fixture(scope="module")
def raw_layout(tmp_path_factory) -> list[tuple[str, str, bool]]:
    """Columns of a raw table as the warehouse resource itself creates it."""
    warehouse = WarehouseResource(database=str(tmp_path_factory.mktemp("wh") / "warehouse.duckdb"))
    warehouse.ensure("raw.supplier_list")
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        rows = con.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'supplier_list' ORDER BY ordinal_position"
        ).fetchall()
    return [(name, kind, nullable == "YES") for name, kind, nullable in rows]


@pytest.mark.parametrize("key", [key for key in KEYS if key.path[0] == "raw"], ids=ids)
def test_raw_column_schema_is_the_layout_the_warehouse_creates(key, raw_layout):
    schema = column_schema(key)
    assert [(c.name, c.type, c.constraints.nullable) for c in schema.columns] == raw_layout


@pytest.mark.parametrize("key", KEYS, ids=ids)
def test_every_asset_has_a_code_reference_to_an_existing_file_and_line(key):
    node = GRAPH.get(key)
    references = node.metadata["dagster/code_references"].code_references
    assert references
    for reference in references:
        lines = Path(reference.file_path).read_text(encoding="utf-8").splitlines()
        assert 1 <= reference.line_number <= len(lines), reference
    files = [Path(reference.file_path) for reference in references]
    if node.is_executable:  # the asset's own function: its decorator or def line
        (code,) = [r for r in references if r.file_path.endswith(".py")]
        line = Path(code.file_path).read_text(encoding="utf-8").splitlines()[code.line_number - 1]
        assert line.lstrip().startswith(("@", "def ")), (code, line)
    if contracted(key):
        assert CONTRACTS_DIR / key.path[0] / f"{key.path[1]}.odcs.yaml" in files


def sla_windows(key: dg.AssetKey) -> tuple[timedelta, timedelta | None] | None:
    """(fail, warn) from the contract: fail past frequency + latency, warn past the frequency."""
    entries = {e["property"]: e for e in contract_document(key).get("slaProperties") or []}
    if "frequency" not in entries:
        return None
    frequency, latency = (
        entries[name]["value"] * UNITS[entries[name]["unit"]] if name in entries else timedelta(0)
        for name in ("frequency", "latency")
    )
    return frequency + latency, (frequency if latency else None)


@pytest.mark.parametrize("key", KEYS, ids=ids)
def test_freshness_policies_follow_the_contract_sla(key):
    """Materialized contracted tables with an SLA carry it as a time-window policy; the two decision
    tables people write (never materialized by Dagster) and uncontracted assets carry none."""
    node = GRAPH.get(key)
    expected = sla_windows(key) if contracted(key) and node.is_executable else None
    policy = node.freshness_policy
    if expected is None:
        assert policy is None
        return
    assert isinstance(policy, dg.FreshnessPolicy)
    warn = policy.warn_window.to_timedelta() if policy.warn_window else None
    assert (policy.fail_window.to_timedelta(), warn) == expected


def test_freshness_policies_and_freshness_checks_cover_the_same_tables():
    """The UI's freshness (policy) and `flrisk status` (checks) judge the same tables."""
    with_policy = {key for key in KEYS if GRAPH.get(key).freshness_policy is not None}
    with_check = {check.asset_key for check in GRAPH.asset_check_keys if check.name == "freshness_check"}
    assert with_policy == with_check and len(with_policy) >= 20


def test_the_oshub_token_is_wired_as_an_env_var():
    token = defs.resources["oshub"].token
    assert isinstance(token, dg.EnvVar) and token.env_var_name == "FLRISK_OSHUB_TOKEN"


def test_definitions_load_and_other_jobs_resolve_without_the_token(monkeypatch):
    monkeypatch.delenv("FLRISK_OSHUB_TOKEN", raising=False)
    loaded = build_definitions()
    for name in ("refresh_all", "reference_refresh", "oshub_sync", "oshub_country_backfill"):
        assert loaded.resolve_job_def(name) is not None


def test_the_token_is_never_in_a_repr():
    assert SECRET not in repr(OsHubResource(token=SECRET))
    assert SECRET not in str(OsHubResource(token=SECRET))


def test_a_run_gets_the_token_from_the_environment_and_never_records_it(tmp_path, monkeypatch):
    """The defs' own resource (EnvVar) authenticates against a fake OS Hub that accepts only SECRET,
    also when run config overrides other fields; the secret appears in no event and no run config."""
    monkeypatch.setenv("FLRISK_HOME", str(tmp_path))
    monkeypatch.setenv("FLRISK_OSHUB_TOKEN", SECRET)
    job = defs.resolve_job_def("oshub_country_backfill")
    with (
        FakeOsHub(SECRET, recorded("production_locations.json")) as hub,
        dg.DagsterInstance.ephemeral() as instance,
    ):
        config = {"resources": {"oshub": {"config": {"base_url": hub.base_url, "page_size": 2}}}}
        result = job.execute_in_process(partition_key="VN", run_config=config, instance=instance)
        assert result.success
        logged = [entry.message or "" for entry in instance.all_logs(result.run_id)]
        recorded_events = [str(entry.dagster_event) for entry in instance.all_logs(result.run_id)]
        run_config = str(instance.get_run_by_id(result.run_id).run_config)
    assert logged and all(SECRET not in text for text in [*logged, *recorded_events, run_config])
