"""Open Supply Hub sync: pull production locations and merge events over the API into raw tables.

A pull is resumable: each page lands together with the checkpoint after it, so a crash (or the
daily quota) stops it cleanly and the next run continues where it stopped, under the same load_id.
A quota stop (our daily budget, or OS Hub's HTTP 402 "API limit exceeded") is not a failed run: the
step succeeds with `finished: false`, the pull is noted in raw.api_pull_notes and `flrisk status`
says it resumes on the next run. An account that may not read merge history (HTTP 403) keeps the
previous merges, noted the same way; OS Hub's 404 for a history without merges is "no merges".
Only a finished pull is registered in raw.loads, so staging never reads half a pull. A pull that cannot
be shown complete (records received differ from the server's count, or the cursor did not advance) is
discarded and the step fails saying so; the previous pull stays in use. A complete pull that removes
more than `max_removed_share` (default 5%) of the previous pull's facilities is held for review
(`warehouse.api_pulls`): staging keeps the previous pull until `flrisk accept-pull` or a run with
`accept_removals: true` accepts it, and `flrisk status` says so.
"""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from assets.metadata import timed
from assets.resources import OsHubResource, WarehouseResource
from connectors.sources import oshub_api, oshub_merges
from connectors.sources.oshub_api.client import OsHubPermissionError, OsHubQuotaError
from warehouse import api_pulls

LOCATIONS_KEY = "oshub_api:production_locations"
MERGES_KEY = "oshub_merges:merge_events"
DEFAULT_MAX_REMOVED_SHARE = 0.05


class OsHubSyncConfig(dg.Config):
    """How much a new pull may shrink before a person must accept it."""

    max_removed_share: float = Field(
        default=DEFAULT_MAX_REMOVED_SHARE,
        ge=0.0,
        le=1.0,
        description="A complete pull that removes more than this share of the previous pull's "
        "facilities is held for review instead of replacing it.",
    )
    accept_removals: bool = Field(
        default=False, description="Accept this run's pull even if it removes more than the share."
    )


def _new_load_id(source_type: str) -> str:
    return f"{source_type}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"


@dg.asset(key=["raw", "oshub_api"], group_name="ingestion", kinds={"duckdb", "polars"})
def raw_oshub_api(
    context: dg.AssetExecutionContext,
    config: OsHubSyncConfig,
    warehouse: WarehouseResource,
    oshub: OsHubResource,
) -> dg.MaterializeResult:
    """raw.oshub_api: one row per production location pulled from the Open Supply Hub API, as received."""
    stored = warehouse.read_checkpoint(LOCATIONS_KEY)
    load_id, checkpoint = (
        (stored[0], oshub_api.Checkpoint.from_json(stored[1]))
        if stored
        else (_new_load_id(oshub_api.SOURCE_TYPE), None)
    )
    if checkpoint:
        context.log.info(f"resuming {load_id} after {checkpoint.records} records")
    pages = 0
    with timed() as clock, oshub.client() as client:
        try:
            for page in oshub_api.pull_production_locations(client, checkpoint, oshub.page_size):
                warehouse.append_api_page(
                    "raw.oshub_api",
                    page.raw_frame(load_id),
                    LOCATIONS_KEY,
                    load_id,
                    page.checkpoint.to_json(),
                )
                checkpoint, pages = page.checkpoint, pages + 1
        except OsHubQuotaError as error:
            records = checkpoint.records if checkpoint else 0
            api_pulls.note(warehouse, LOCATIONS_KEY, load_id, "quota_stop", records, str(error))
            context.log.warning(f"stopping for today, will resume from the checkpoint: {error}")
            return dg.MaterializeResult(
                metadata={"load_id": load_id, "pages": pages, "records": records, "finished": False}
            )
        except oshub_api.IncompletePullError as error:
            api_pulls.discard(warehouse, LOCATIONS_KEY, load_id)
            raise dg.Failure(
                description=f"Open Supply Hub pull {load_id} discarded; the previous pull stays in use: "
                f"{error}",
                metadata={"load_id": load_id, "pages": pages},
            ) from error
    records = checkpoint.records if checkpoint else 0
    load = {
        "load_id": load_id,
        "source_type": oshub_api.SOURCE_TYPE,
        "source_file": oshub_api.source_file(oshub_api.PRODUCTION_LOCATIONS),
        "contributor": oshub_api.CONTRIBUTOR,
        "file_sha256": "",
        "row_count": records,
        "received_at": datetime.now(UTC).date(),
    }
    api_pulls.clear_note(warehouse, LOCATIONS_KEY)
    held = _hold_if_shrinking(context, config, warehouse, load)
    if not held:
        warehouse.complete_api_load(LOCATIONS_KEY, load)
        api_pulls.drop_superseded(warehouse, load["source_file"])
    return dg.MaterializeResult(
        metadata={
            "load_id": load_id,
            "pages": pages,
            "records": records,
            "finished": True,
            "held_for_review": held,
            "seconds": clock["seconds"],
            "dagster/row_count": warehouse.row_count("raw.oshub_api"),
        }
    )


def _hold_if_shrinking(
    context: dg.AssetExecutionContext, config: OsHubSyncConfig, warehouse: WarehouseResource, load: dict
) -> bool:
    """Hold the finished pull `load` when it removes too much of the previous one; True if held."""
    found = api_pulls.removal(warehouse, load)
    if found.share <= config.max_removed_share or config.accept_removals:
        return False
    reason = (
        f"removes {found.removed} of the previous pull's {found.previous} facilities "
        f"({found.share:.1%}, more than {config.max_removed_share:.0%})"
    )
    api_pulls.hold(warehouse, LOCATIONS_KEY, load, found, reason)
    context.log.warning(
        f"Open Supply Hub pull {load['load_id']} held for review: it {reason}. Staging keeps the "
        f"previous pull; accept it with `flrisk accept-pull {load['load_id']}`."
    )
    return True


@dg.asset(key=["raw", "oshub_merges"], group_name="ingestion", kinds={"duckdb", "polars"})
def raw_oshub_merges(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, oshub: OsHubResource
) -> dg.MaterializeResult:
    """raw.oshub_merges: one row per Open Supply Hub merge event (original OS ID -> current OS ID)."""
    load_id = _new_load_id(oshub_merges.SOURCE_TYPE)
    try:
        with timed() as clock, oshub.client() as client:
            events = oshub_merges.fetch_merge_events(client)
    except OsHubPermissionError as error:
        api_pulls.note(warehouse, MERGES_KEY, None, "no_permission", 0, str(error))
        context.log.warning(f"merge history not pulled, the previous merges stay in use: {error}")
        return dg.MaterializeResult(metadata={"events": 0, "skipped": str(error)})
    api_pulls.clear_note(warehouse, MERGES_KEY)
    rows = oshub_merges.raw_frame(events, load_id)
    source_file = rows["source_file"][0] if rows.height else oshub_api.source_file(oshub_merges.MERGES)
    warehouse.append_raw(
        "raw.oshub_merges",
        rows,
        {
            "load_id": load_id,
            "source_type": oshub_merges.SOURCE_TYPE,
            "source_file": source_file,
            "contributor": oshub_api.CONTRIBUTOR,
            "file_sha256": "",
            "received_at": datetime.now(UTC).date(),
        },
    )
    return dg.MaterializeResult(
        metadata={
            "load_id": load_id,
            "events": len(events),
            "seconds": clock["seconds"],
            "dagster/row_count": warehouse.row_count("raw.oshub_merges"),
        }
    )
