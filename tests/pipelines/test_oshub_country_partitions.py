"""Open Supply Hub pulls partitioned by country: real partitions materialized against a local fake
OS Hub over real HTTP, on a real warehouse, then staged; re-pulls supersede, never duplicate."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.oshub_country import COUNTRY_PARTITIONS, raw_oshub_by_country
from assets.oshub_sync import raw_oshub_api
from assets.staging import staged_tables
from connectors.sources.oshub_api import PRODUCTION_LOCATIONS
from pipelines.definitions import WRITER_TAGS, defs
from tests.fakes.oshub_server import FakeOsHub, recorded
from tests.pipelines.oshub_support import count, oshub_home, oshub_resources, rows

TOKEN = "tok-country-5b90e1"
COUNTRIES_IN_FIXTURE = {"BD": 3, "CN": 4, "VN": 2, "IN": 2, "TR": 2}  # production_locations.json
STAGED_OSHUB = "SELECT count(*) FROM staged.facility_records WHERE source_type = 'oshub_api'"
QUARANTINED_OSHUB = (
    "SELECT count(DISTINCT (load_id, source_row)) FROM quarantine.rejected_rows "
    "WHERE source_type = 'oshub_api'"
)


@pytest.fixture
def hub():
    with FakeOsHub(TOKEN, recorded("production_locations.json")) as server:
        yield server


@pytest.fixture
def home(tmp_path, monkeypatch):
    return oshub_home(tmp_path, monkeypatch, TOKEN)


def resources(hub: FakeOsHub) -> dict:
    return oshub_resources(hub, page_size=2)


def pull(hub: FakeOsHub, country: str, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_oshub_by_country], partition_key=country, resources=resources(hub), raise_on_error=raise_on_error
    )


def stage(hub: FakeOsHub) -> None:
    assert dg.materialize([staged_tables], resources=resources(hub)).success


def metadata_of(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    return str(failure.step_failure_data.error)


def test_partitions_are_the_iso_alpha_2_codes():
    keys = COUNTRY_PARTITIONS.get_partition_keys()
    assert len(keys) == 249 and {"VN", "BD", "CN", "XK"} & set(keys) == {"VN", "BD", "CN"}
    assert all(len(key) == 2 and key.isupper() for key in keys)


def test_each_partition_pulls_only_its_country_and_registers_one_load(hub, home):
    vietnam, bangladesh = pull(hub, "VN"), pull(hub, "BD")
    assert vietnam.success and bangladesh.success
    assert {call.params["country"] for call in hub.calls(PRODUCTION_LOCATIONS)} == {"VN", "BD"}
    landed = rows(
        home,
        "SELECT source_file, json_extract_string(payload, '$.country.alpha_2'), count(*), "
        "count(DISTINCT load_id) FROM raw.oshub_api GROUP BY ALL ORDER BY 1",
    )
    assert landed == [
        ("api:/api/v1/production-locations/?country=BD", "BD", 3, 1),
        ("api:/api/v1/production-locations/?country=VN", "VN", 2, 1),
    ]
    loads = rows(home, "SELECT source_file, row_count, load_id FROM raw.loads ORDER BY source_file")
    assert [(load[0], load[1]) for load in loads] == [
        ("api:/api/v1/production-locations/?country=BD", 3),
        ("api:/api/v1/production-locations/?country=VN", 2),
    ]
    assert count(home, "SELECT count(*) FROM raw.api_checkpoints") == 0
    shown = metadata_of(bangladesh)
    assert shown["load_id"] == loads[0][2] and shown["country"] == "BD"
    assert (shown["records"], shown["pages"], shown["capped"], shown["server_count"]) == (3, 2, False, 3)
    assert shown["seconds"] >= 0 and shown["dagster/row_count"] == 3


def test_re_pulling_a_country_supersedes_its_earlier_pull_in_what_staging_reads(hub, home):
    assert pull(hub, "VN").success and pull(hub, "BD").success
    stage(hub)
    first = count(home, STAGED_OSHUB) + count(home, QUARANTINED_OSHUB)
    assert first == 5 and count(home, STAGED_OSHUB) > 0
    assert pull(hub, "VN").success
    assert count(home, "SELECT count(*) FROM raw.oshub_api") == 7  # raw keeps both VN pulls, as received
    assert count(home, "SELECT count(DISTINCT load_id) FROM raw.loads") == 3
    stage(hub)
    assert count(home, STAGED_OSHUB) + count(home, QUARANTINED_OSHUB) == first
    latest_vn = rows(home, "SELECT max(load_id) FROM raw.loads WHERE source_file LIKE '%country=VN'")[0][0]
    staged_vn = rows(
        home, "SELECT DISTINCT load_id FROM staged.facility_records WHERE source_file LIKE '%country=VN'"
    )
    assert staged_vn == [(latest_vn,)]
    duplicates = "SELECT count(*) FROM quarantine.rejected_rows WHERE reason_code = 'duplicate_row'"
    assert count(home, duplicates) == 0


def test_the_newer_of_the_full_pull_and_a_country_pull_wins_for_that_country(hub, home):
    assert pull(hub, "VN").success
    assert dg.materialize([raw_oshub_api], resources=resources(hub)).success  # all 13, after VN
    stage(hub)
    read = "SELECT source_file, rows_read FROM quarantine.load_summary WHERE source_type = 'oshub_api'"
    assert rows(home, read) == [("api:/api/v1/production-locations/", 13)]  # the older VN pull is superseded
    assert pull(hub, "VN").success  # VN again, now newer than the full pull
    stage(hub)
    assert sorted(rows(home, read)) == [
        ("api:/api/v1/production-locations/", 11),
        ("api:/api/v1/production-locations/?country=VN", 2),
    ]
    assert count(home, STAGED_OSHUB) + count(home, QUARANTINED_OSHUB) == sum(COUNTRIES_IN_FIXTURE.values())
    from_full = (
        "SELECT count(*) FROM staged.facility_records "
        "WHERE source_file = 'api:/api/v1/production-locations/' AND country_code = 'VN'"
    )
    assert count(home, from_full) == 0


def test_a_failed_country_resumes_from_its_own_checkpoint(hub, home):
    fault = hub.fail(
        PRODUCTION_LOCATIONS,
        status=502,
        times=99,
        when=lambda params: params.get("country") == "CN" and "search_after[id]" in params,
    )
    failed = pull(hub, "CN", raise_on_error=False)
    assert not failed.success
    assert "country CN" in failure_message(failed) and "2 records kept" in failure_message(failed)
    assert rows(home, "SELECT checkpoint_key FROM raw.api_checkpoints") == [
        ("oshub_api:production_locations:country=CN",)
    ]
    assert pull(hub, "TR").success  # another country is not held up by CN's checkpoint
    assert count(home, "SELECT count(*) FROM raw.loads") == 1  # TR only: half a CN pull is never read
    fault.times = 0
    resumed = pull(hub, "CN")
    assert metadata_of(resumed)["resumed_after_records"] == 2 and metadata_of(resumed)["records"] == 4
    china = "FROM raw.oshub_api WHERE source_file LIKE '%country=CN'"
    assert count(home, f"SELECT count(DISTINCT source_row) {china}") == 4
    assert count(home, f"SELECT count(*) {china}") == 4
    assert count(home, f"SELECT count(DISTINCT load_id) {china}") == 1
    assert count(home, "SELECT count(*) FROM raw.api_checkpoints") == 0


def test_a_rejected_token_names_the_country_and_never_the_token(hub, home, monkeypatch):
    monkeypatch.setenv("FLRISK_OSHUB_TOKEN", "wrong-token-8812aa")
    result = pull(hub, "IN", raise_on_error=False)
    assert not result.success
    message = failure_message(result)
    assert "country IN" in message and "token missing or rejected" in message
    assert "wrong-token-8812aa" not in message


def test_a_server_error_names_the_country(hub, home):
    hub.fail(PRODUCTION_LOCATIONS, status=503, times=99)
    result = pull(hub, "BD", raise_on_error=False)
    assert not result.success
    message = failure_message(result)
    assert (
        "country BD" in message and "country=BD, page 1" in message and "gave up after 2 attempts" in message
    )


def test_the_backfill_job_runs_a_country_partition_with_the_writer_tag(hub, home):
    job = defs.resolve_job_def("oshub_country_backfill")
    assert job.partitions_def == COUNTRY_PARTITIONS and WRITER_TAGS.items() <= job.tags.items()
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert selected == {"raw/oshub_api_by_country"}
    for name in ("refresh_all", "oshub_sync"):
        assert dg.AssetKey(["raw", "oshub_api_by_country"]) not in (
            defs.resolve_job_def(name).asset_layer.selected_asset_keys
        )
    config = {"resources": {"oshub": {"config": {"base_url": hub.base_url, "page_size": 2}}}}
    result = job.execute_in_process(partition_key="TR", run_config=config)
    assert result.success and result.dagster_run.tags["dagster/partition"] == "TR"
    assert rows(home, "SELECT source_file, row_count FROM raw.loads") == [
        ("api:/api/v1/production-locations/?country=TR", 2)
    ]
