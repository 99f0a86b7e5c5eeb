"""Open Supply Hub pulls partitioned by country, for backfills of chosen countries.

A partition is one ISO 3166-1 alpha-2 code. It pulls `/api/v1/production-locations/?country=XX` into
raw.oshub_api, the table staging already reads, with source_file
`api:/api/v1/production-locations/?country=XX`. Like the full pull it is resumable (each page lands with
the checkpoint after it, here under a checkpoint key of its own per country) and only a finished pull
is registered in raw.loads, one load per partition run. Staging reads the latest load of each source
file, so re-materialising a partition supersedes that country's earlier pull rather than adding to it,
and the newer of a country pull and the full pull wins for that country (connectors.sources.oshub_api.loads).
"""

from datetime import UTC, datetime
from typing import NamedTuple

import dagster as dg
import pycountry

from assets.metadata import timed
from assets.resources import OsHubResource, WarehouseResource
from connectors.sources import oshub_api
from connectors.sources.oshub_api.client import OsHubError, OsHubQuotaError
from warehouse import api_pulls

COUNTRY_PARTITIONS = dg.StaticPartitionsDefinition(sorted(country.alpha_2 for country in pycountry.countries))


def country_checkpoint_key(country: str) -> str:
    """The raw.api_checkpoints key of one country's unfinished pull."""
    return f"oshub_api:production_locations:country={country}"


def country_load_id(country: str) -> str:
    """A new load id for one country's pull (microseconds: two pulls never share one)."""
    return f"{oshub_api.SOURCE_TYPE}-{country}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"


@dg.asset(
    key=["raw", "oshub_api_by_country"],
    partitions_def=COUNTRY_PARTITIONS,
    group_name="ingestion",
    kinds={"duckdb", "polars"},
    metadata={"dagster/table_name": "raw.oshub_api"},  # its rows land in the full pull's table
)
def raw_oshub_by_country(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, oshub: OsHubResource
) -> dg.MaterializeResult:
    """raw.oshub_api rows of one country (partition = ISO alpha-2 code): one row per production
    location of that country pulled from the Open Supply Hub API, as received."""
    country = context.partition_key
    with timed() as clock:
        pull = _pull_country(context, warehouse, oshub, country)
    records = pull.checkpoint.records if pull.checkpoint else 0
    warehouse.complete_api_load(
        country_checkpoint_key(country),
        {
            "load_id": pull.load_id,
            "source_type": oshub_api.SOURCE_TYPE,
            "source_file": oshub_api.source_file(oshub_api.PRODUCTION_LOCATIONS, country),
            "contributor": oshub_api.CONTRIBUTOR,
            "file_sha256": "",
            "row_count": records,
            "received_at": datetime.now(UTC).date(),
        },
    )
    server_count = {} if pull.server_count is None else {"server_count": pull.server_count}
    return dg.MaterializeResult(
        metadata={
            "country": country,
            "load_id": pull.load_id,
            "records": records,
            "pages": pull.checkpoint.pages if pull.checkpoint else 0,
            "resumed_after_records": pull.resumed_after,
            **server_count,
            # search_after paging has no page cap (the 100-page cap is /api/facilities/'s): never cut
            "capped": False,
            "seconds": clock["seconds"],
            "dagster/row_count": records,
        }
    )


class _CountryPull(NamedTuple):
    load_id: str
    checkpoint: oshub_api.Checkpoint | None  # after the last page (None: nothing pulled)
    resumed_after: int  # records pulled by earlier runs of this load
    server_count: int | None  # the server's total for the country, from the last page


def _pull_country(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, oshub: OsHubResource, country: str
) -> _CountryPull:
    """Pull one country page by page into raw.oshub_api, resuming its stored checkpoint; any OS Hub
    error fails the partition with the country named (the checkpoint stays for the next run)."""
    key = country_checkpoint_key(country)
    stored = warehouse.read_checkpoint(key)
    load_id, checkpoint = (
        (stored[0], oshub_api.Checkpoint.from_json(stored[1])) if stored else (country_load_id(country), None)
    )
    resumed_after = checkpoint.records if checkpoint else 0
    if checkpoint:
        context.log.info(f"{country}: resuming {load_id} after {resumed_after} records")
    server_count = None
    try:
        with oshub.client() as client:
            for page in oshub_api.pull_production_locations(client, checkpoint, oshub.page_size, country):
                warehouse.append_api_page(
                    "raw.oshub_api", page.raw_frame(load_id), key, load_id, page.checkpoint.to_json()
                )
                checkpoint, server_count = page.checkpoint, page.count
    except oshub_api.IncompletePullError as error:
        api_pulls.discard(warehouse, key, load_id)
        raise dg.Failure(
            description=f"Open Supply Hub pull of country {country} discarded; its previous pull stays "
            f"in use: {error}",
            metadata={"country": country, "load_id": load_id},
        ) from error
    except OsHubError as error:
        records = checkpoint.records if checkpoint else 0
        if isinstance(error, OsHubQuotaError):  # `flrisk status` says the partition resumes
            api_pulls.note(warehouse, key, load_id, "quota_stop", records, str(error))
        outcome = "stopped at the daily quota" if isinstance(error, OsHubQuotaError) else "failed"
        kept = f" ({records} records kept; re-running the partition resumes after them)" if records else ""
        raise dg.Failure(
            description=f"Open Supply Hub pull of country {country} {outcome}{kept}: {error}",
            metadata={"country": country, "load_id": load_id, "records": records},
        ) from error
    api_pulls.clear_note(warehouse, key)
    return _CountryPull(load_id, checkpoint, resumed_after, server_count)
