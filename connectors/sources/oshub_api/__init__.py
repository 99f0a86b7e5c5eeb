"""The Open Supply Hub API source (raw.oshub_api): HTTP client, paged pulls, staging of the records."""

from connectors.sources.oshub_api.loads import current_rows
from connectors.sources.oshub_api.pull import (
    CONTRIBUTOR,
    MAX_PAGE,
    ApiPage,
    Checkpoint,
    IncompletePullError,
    pull_facilities,
    pull_production_locations,
    raw_frame,
)
from connectors.sources.oshub_api.records import (
    FACILITIES,
    PRODUCTION_LOCATIONS,
    SOURCE_TYPE,
    source_file,
    split_source_file,
    standardise,
)

__all__ = [
    "CONTRIBUTOR",
    "FACILITIES",
    "MAX_PAGE",
    "PRODUCTION_LOCATIONS",
    "SOURCE_TYPE",
    "ApiPage",
    "Checkpoint",
    "IncompletePullError",
    "current_rows",
    "pull_facilities",
    "pull_production_locations",
    "raw_frame",
    "source_file",
    "split_source_file",
    "standardise",
]
