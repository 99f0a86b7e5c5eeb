"""Vectorised checks and values of the facility fields (name, country, OS ID, coordinates,
is_closed) for one file, each the twin of the row path in ``connectors.facilities``.

Every verdict and message comes from ``connectors.cell_checks``, called once per distinct
candidate value; Polars computes only what it can compute exactly (canonical OS IDs, plain
decimal coordinates, bounding boxes).
"""

from __future__ import annotations

import polars as pl

from connectors import cell_checks
from connectors.countries import BOX_MARGIN_DEGREES, country_boxes
from connectors.frames.checks import CLOSED_RANK, CONTENT_RANK, COORDINATE_RANK, VERDICT, FileChecks
from connectors.frames.values import SIMPLE_DECIMAL, clean_text, os_id_valid, per_distinct
from connectors.staging import Problem

# Wider than the Python rules (Unicode case-insensitive), so no candidate is ever missed.
PLACEHOLDER_PATTERN = (
    "(?i)^(?:" + "|".join(p.replace(".", r"\.") for p in sorted(cell_checks.PLACEHOLDERS)) + ")$"
)
ADDRESS_START_PREFILTER = (
    r"(?i)^[\s\x1c-\x1f]*(?:[0-9#]|n[o°º]|plot|lot|house|building|bldg|block|blk|unit|km)"
)


def _verdict(problem: Problem | None) -> tuple[str | None, str | None]:
    return (problem.reason_code, problem.message) if problem is not None else (None, None)


def check_name(checks: FileChecks, column: str) -> pl.Series:
    """empty_name / name_is_address, asked only of names that pass an exact, wider prefilter (no
    ASCII letter or digit; short and placeholder-like or non-ASCII; an address-like start).
    Returns the cleaned name (``parsing.clean_text``)."""
    frame = pl.DataFrame({"v": checks.value(column)}).with_columns(clean=clean_text(pl.col("v")))
    clean = pl.col("clean")
    candidates = frame.select(
        ~pl.col("v").str.contains("[A-Za-z0-9]")
        | (
            (clean.str.len_chars() <= cell_checks.MAX_PLACEHOLDER_LENGTH)
            & (clean.str.contains(PLACEHOLDER_PATTERN) | clean.str.contains(r"[^\x00-\x7f]"))
        )
        | pl.col("v").str.contains(ADDRESS_START_PREFILTER)
    ).to_series()
    check = lambda v: _verdict(cell_checks.name_problem(column, v))  # noqa: E731
    checks.verdicts(column, CONTENT_RANK, check, VERDICT, candidates)
    return frame["clean"].alias("name")


def check_country(checks: FileChecks, column: str) -> pl.Series:
    """missing_country / unknown_country; returns country_code (null where the row is rejected
    anyway because the country cell failed a cell check)."""

    def check(value: str) -> tuple[str | None, str | None, str | None]:
        code, problem = cell_checks.country_check(column, value)
        return (code, *_verdict(problem))

    schema = {"country_code": pl.String, **VERDICT}
    return checks.verdicts(column, CONTENT_RANK + 1, check, schema)["country_code"]


def check_os_id(checks: FileChecks, column: str | None) -> pl.Series:
    """invalid_os_id; returns the normalised OS ID (canonical valid IDs never reach Python)."""
    values = checks.value(column)
    if column is None or values.null_count() == values.len():
        return values.alias("os_id")

    def check(value: str) -> tuple[str, str | None, str | None]:
        os_id, problem = cell_checks.os_id_check(column, value)
        return (os_id, *_verdict(problem))

    fast = pl.select(os_id_valid(pl.lit(values))).to_series().fill_null(False)
    schema = {"os_id": pl.String, **VERDICT}
    slow = checks.verdicts(column, CONTENT_RANK + 2, check, schema, ~fast)["os_id"]
    return pl.select(pl.when(fast).then(values).otherwise(slow)).to_series().alias("os_id")


def _parse(checks: FileChecks, column: str, values: pl.Series, active: pl.Series) -> pl.Series:
    """Coordinate values: plain in-range decimals cast by Polars, the rest parsed by Python."""
    low, high = cell_checks.LAT_RANGE if column == "lat" else cell_checks.LNG_RANGE
    plain = values.str.contains(SIMPLE_DECIMAL).fill_null(False)
    cast = values.cast(pl.Float64, strict=False)
    fast = plain & (cast >= low).fill_null(False) & (cast <= high).fill_null(False)

    def check(value: str) -> tuple[float | None, str | None, str | None]:
        parsed = cell_checks.coordinate_check(column, value)
        return (None, *_verdict(parsed)) if isinstance(parsed, Problem) else (parsed, None, None)

    schema = {"number": pl.Float64, **VERDICT}
    results = per_distinct(values, check, schema, active & ~fast)
    checks.report(
        results["reason_code"].is_not_null(),
        COORDINATE_RANK,
        column,
        results["reason_code"],
        results["message"],
    )
    return pl.select(pl.when(active & fast).then(cast).otherwise(results["number"])).to_series()


def check_coordinates(checks: FileChecks, country_code: pl.Series) -> pl.DataFrame:
    """invalid_coordinates; returns lat, lng and coordinate_flag (null_island / country_mismatch)."""
    lat_raw, lng_raw = checks.value("lat"), checks.value("lng")
    active = (lat_raw.is_not_null() | lng_raw.is_not_null()) & checks.ok("lat", "lng")
    for present, absent, values in (("lng", "lat", lat_raw), ("lat", "lng", lng_raw)):
        unpaired = active & values.is_null()
        checks.report(
            unpaired,
            COORDINATE_RANK,
            absent,
            "invalid_coordinates",
            f"{present} is given but {absent} is empty",
        )
    both = active & lat_raw.is_not_null() & lng_raw.is_not_null()
    lat = _parse(checks, "lat", lat_raw, both)
    lng = _parse(checks, "lng", lng_raw, both & lat.is_not_null())
    return _placed(pl.DataFrame({"lat": lat, "lng": lng, "country_code": country_code, "ok": both}))


def _placed(frame: pl.DataFrame) -> pl.DataFrame:
    """lat, lng and coordinate_flag from parsed pairs: (0, 0) -> null_island without coordinates,
    outside the country's box (``countries.coordinates_plausible``) -> country_mismatch."""
    boxes = pl.DataFrame(
        [(code, *box) for code, box in country_boxes().items()],
        schema=["country_code", "min_lat", "max_lat", "min_lng", "max_lng"],
        orient="row",
    )
    margin = BOX_MARGIN_DEGREES
    frame = frame.join(boxes, on="country_code", how="left", maintain_order="left")
    inside = (
        (pl.col("min_lat") - margin <= pl.col("lat"))
        & (pl.col("lat") <= pl.col("max_lat") + margin)
        & (pl.col("min_lng") - margin <= pl.col("lng"))
        & (pl.col("lng") <= pl.col("max_lng") + margin)
    )
    parsed = pl.col("ok") & pl.col("lat").is_not_null() & pl.col("lng").is_not_null()
    island = parsed & (pl.col("lat") == 0.0) & (pl.col("lng") == 0.0)
    placed = parsed & ~island
    return frame.select(
        pl.when(placed).then(pl.col("lat")).alias("lat"),
        pl.when(placed).then(pl.col("lng")).alias("lng"),
        pl.when(island)
        .then(pl.lit("null_island"))
        .when(placed & pl.col("min_lat").is_not_null() & ~inside)
        .then(pl.lit("country_mismatch"))
        .alias("coordinate_flag"),
    )


def check_is_closed(checks: FileChecks) -> pl.Series:
    """unknown_value for is_closed; returns True / False (null when empty or failed)."""

    def check(value: str) -> tuple[bool | None, str | None, str | None]:
        closed, problem = cell_checks.is_closed_check(value)
        return (closed, *_verdict(problem))

    schema = {"is_closed": pl.Boolean, **VERDICT}
    return checks.verdicts("is_closed", CLOSED_RANK, check, schema)["is_closed"]
