"""The published tables copied to PostgreSQL after the DuckDB publish, for BI tools: one asset that
does nothing unless a target is configured (`FLRISK_POSTGRES_URL`, or the resource's `url`).

Unconfigured, the step succeeds without materializing (a clean skip, logged once); `flrisk status`
does not count the never-materialized asset as stale (it carries the `flrisk/optional` tag).
"""

import os

import dagster as dg

from assets.metadata import key_of
from assets.resources import WarehouseResource
from assets.risk import PUBLISHED_TABLES
from warehouse.postgres.target import PostgresTarget, parse_target

POSTGRES_URL_ENV = "FLRISK_POSTGRES_URL"
OPTIONAL_TAG = {"flrisk/optional": "true"}
PUBLISHED_ASSETS = [key_of(table) for table in [*PUBLISHED_TABLES, "published.worker_voice_summary"]]


class PostgresPublishResource(dg.ConfigurableResource):
    """Where `postgres/published` publishes: `url` (postgresql://USER@HOST:PORT/DB, no password), else
    `$FLRISK_POSTGRES_URL` read when the run starts; neither set means no publish. The password comes
    from PGPASSWORD, ~/.pgpass or a service file in the run's environment."""

    url: str = ""
    schema_name: str = "published"

    def configured(self) -> bool:
        """Whether a target URL is configured (checked or not)."""
        return bool(self.url or os.environ.get(POSTGRES_URL_ENV, ""))

    def target(self) -> PostgresTarget | None:
        """The checked target, or None when no URL is configured."""
        url = self.url or os.environ.get(POSTGRES_URL_ENV, "")
        return parse_target(url) if url else None


@dg.asset(
    key=["postgres", "published"],
    group_name="risk",
    kinds={"postgres"},
    deps=PUBLISHED_ASSETS,
    tags=OPTIONAL_TAG,
    output_required=False,
)
def postgres_published(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, postgres: PostgresPublishResource
):
    """postgres.published: every published table (one PostgreSQL table per contract) replaced in one
    transaction, readable by the role flrisk_reader; skipped when no PostgreSQL target is configured."""
    target = postgres.target()
    if target is None:
        context.log.info(f"no PostgreSQL target ({POSTGRES_URL_ENV} unset): publishing to PostgreSQL skipped")
        return
    from warehouse.postgres.publish import publish  # psycopg only when there is a target (~0.3 s)

    with warehouse.connect() as duck:
        publication = publish(duck, target, postgres.schema_name)
    yield dg.MaterializeResult(
        metadata={
            "target": publication.target,
            "schema": publication.schema,
            "seconds": round(publication.seconds, 2),
            "rows": publication.rows,
            "dagster/row_count": sum(publication.rows.values()),
        }
    )
