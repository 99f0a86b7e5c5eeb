"""Standalone resolution of a file of facility records, without the warehouse (`flrisk resolve`).

Input: CSV, XLSX or Parquet with `record_id, name, address, country, lat, lng`, read and validated by
`entity_resolution.standalone_input` (extra columns ignored; headers match whatever their case,
spacing and hyphens; address, lat and lng may be empty; country is ISO alpha-2, alpha-3, a name in
one of many languages or a flag emoji; an unknown country is kept as written). Output: one row per
input record with `record_id, facility_id, match_score, decision`, where decision is `auto` (merged
with at least one other record at or above the auto threshold), `review` (its best candidate is in
the grey band: not merged, it keeps its own facility_id until a person confirms) or `new`. A CSV output
quotes a record_id a spreadsheet would run as a formula ("=HYPERLINK(...)" is written
"'=HYPERLINK(...)"; a plain signed number such as "-12" is kept: `connectors.spreadsheet_cells`);
Parquet keeps every value exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from connectors.countries import to_alpha2
from connectors.spreadsheet_cells import neutralise
from entity_resolution.blocking import GEO_CELL_BIT, PASS_MASK
from entity_resolution.resolve import NO_DECISIONS, prepare, resolve
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone_input import INPUT_COLUMNS, INPUT_SCHEMA, InputError, header_key, read_input

OUTPUT_COLUMNS = ("record_id", "facility_id", "match_score", "decision")
__all__ = [  # the input names are re-exported: callers import them from here
    "INPUT_COLUMNS",
    "INPUT_SCHEMA",
    "OUTPUT_COLUMNS",
    "InputError",
    "check_output",
    "header_key",
    "pair_scores",
    "read_input",
    "resolve_frame",
    "to_records",
    "write_output",
]
_REGIONAL_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A: a flag emoji is two of them


def to_records(frame: pl.DataFrame) -> pl.DataFrame:
    """The input as facility records for `resolve` (countries to alpha-2 where they resolve)."""
    countries = {
        value: to_alpha2(value) or to_alpha2(_unflagged(value)) or value.strip().upper()
        for value in frame["country"].unique().to_list()
    }
    in_range = (
        pl.col("lat").is_between(-90, 90)
        & pl.col("lng").is_between(-180, 180)
        & ~((pl.col("lat") == 0) & (pl.col("lng") == 0))
    )
    return frame.with_columns(
        country_code=pl.col("country").replace_strict(countries, return_dtype=pl.String),
        lat=pl.when(in_range).then(pl.col("lat")),
        lng=pl.when(in_range).then(pl.col("lng")),
        source_type=pl.lit("supplier_list"),
        contributor=pl.lit(None, pl.String),
        os_id=pl.lit(None, pl.String),
        parent_company=pl.lit(None, pl.String),
        workers_min=pl.lit(None, pl.Int64),
        workers_max=pl.lit(None, pl.Int64),
        sectors=pl.lit([], pl.List(pl.String)),
        product_types=pl.lit([], pl.List(pl.String)),
    ).drop("country")


def _unflagged(country: str) -> str:
    """A flag emoji as its two letters ("\U0001f1fb\U0001f1f3" -> "VN"); other text as it is."""
    return "".join(
        chr(ord("A") + ord(ch) - _REGIONAL_A) if _REGIONAL_A <= ord(ch) < _REGIONAL_A + 26 else ch
        for ch in country.strip()
    )


def resolve_frame(frame: pl.DataFrame, settings: ResolutionSettings | None = None) -> pl.DataFrame:
    """One output row per input record: record_id, facility_id, match_score, decision."""
    settings = settings or ResolutionSettings()
    result = resolve(to_records(frame), NO_DECISIONS, settings)
    links = result.record_links.select("record_id", "facility_id", "match_score", "method")
    queue = result.review_queue
    grey = (
        pl.concat(
            [
                queue.select(pl.col("record_id_left").alias("record_id"), "match_score"),
                queue.select(pl.col("record_id_right").alias("record_id"), "match_score"),
            ]
        )
        .group_by("record_id")
        .agg(pl.col("match_score").max().alias("grey_score"))
    )
    return (
        links.join(grey, on="record_id", how="left")
        .with_columns(
            decision=pl.when(pl.col("method") != "seed")
            .then(pl.lit("auto"))
            .when(pl.col("grey_score").is_not_null())
            .then(pl.lit("review"))
            .otherwise(pl.lit("new")),
            match_score=pl.coalesce("match_score", "grey_score", pl.lit(0.0)),
        )
        .join(frame.select("record_id").with_row_index("order"), on="record_id")
        .sort("order")
        .select(OUTPUT_COLUMNS)
    )


def check_output(path: Path) -> None:
    """Refuse, before any work, an output that cannot be written: a wrong extension, a directory, a
    folder that does not exist or cannot be written to."""
    if path.suffix.lower() not in {".csv", ".parquet"}:
        raise InputError(f"{path}: the output must end in .csv or .parquet")
    if path.is_dir():
        raise InputError(f"{path}: the output is a directory; give a file name ending in .csv or .parquet")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{path}: the output folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{path}: the output folder {folder} cannot be written to")


def write_output(frame: pl.DataFrame, path: Path) -> None:
    """Write CSV or Parquet, chosen by the extension, through a temporary file in the same folder, so a
    failed write never leaves a truncated output behind. CSV text that could run as a spreadsheet
    formula is quoted (module docstring); Parquet is written as given."""
    check_output(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if path.suffix.lower() == ".parquet":
            frame.write_parquet(temporary)
        else:
            neutralise(frame, flatten_lists=True).write_csv(temporary)
        os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"{path}: cannot write the output: {error.strerror or error}") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def pair_scores(
    left: pl.DataFrame, right: pl.DataFrame, settings: ResolutionSettings | None = None
) -> list[float]:
    """The match score of left[i] vs right[i] for aligned frames of input records (no blocking)."""
    settings = settings or ResolutionSettings()
    both = pl.concat([left.select(INPUT_COLUMNS), right.select(INPUT_COLUMNS)]).with_columns(
        record_id=pl.format("{}:{}", pl.int_range(pl.len()), "record_id")
    )
    prepared = prepare(to_records(both)).sort("idx")
    order = {rid: idx for idx, rid in prepared.select("idx", "record_id").iter_rows()}
    ids = both["record_id"].to_list()
    pairs = pl.DataFrame(
        {
            "left": [order[ids[i]] for i in range(left.height)],
            "right": [order[ids[left.height + i]] for i in range(left.height)],
        },
        schema={"left": pl.UInt32, "right": pl.UInt32},
    ).with_columns(pass_mask=pl.lit(0, PASS_MASK))
    scored = score_pairs(prepared, pairs, settings)
    forced = score_pairs(  # marked as geo_cell pairs, which scoring never dismisses by name
        prepared, scored.dismissed.with_columns(pass_mask=pl.lit(GEO_CELL_BIT, PASS_MASK)), settings
    ).scored
    scores = pl.concat([scored.scored, forced]).select("left", "right", "match_score")
    return pairs.join(scores, on=["left", "right"], how="left", maintain_order="left")[
        "match_score"
    ].to_list()
