"""Standalone resolution of a file of facility records, without the warehouse (`flrisk resolve`).

Input: CSV, XLSX or Parquet with `record_id, name, address, country, lat, lng` (extra columns
ignored; headers match whatever their case, spacing and hyphens, `header_key`; address, lat and lng
may be empty; country is ISO alpha-2, alpha-3 or a name). Output: one row per input record with
`record_id, facility_id, match_score, decision`, where decision is `auto` (merged with at least one
other record at or above the auto threshold), `review` (its best candidate is in the grey band: not
merged, it keeps its own facility_id until a person confirms) or `new`.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from connectors.countries import to_alpha2
from entity_resolution.resolve import NO_DECISIONS, prepare, resolve
from entity_resolution.scoring import score_pairs
from entity_resolution.settings import ResolutionSettings

INPUT_COLUMNS = ("record_id", "name", "address", "country", "lat", "lng")
INPUT_SCHEMA = {
    "record_id": pl.String,
    "name": pl.String,
    "address": pl.String,
    "country": pl.String,
    "lat": pl.Float64,
    "lng": pl.Float64,
}
"""The types of `INPUT_COLUMNS` (what a frame built by hand for `resolve_frame` should use)."""
OUTPUT_COLUMNS = ("record_id", "facility_id", "match_score", "decision")


class InputError(ValueError):
    """The input file cannot be resolved as given; the message names the file and the problem."""


def read_input(path: Path, encoding: str | None = None) -> pl.DataFrame:
    """Read and validate the input file (CSV, XLSX or Parquet by extension); a CSV in `encoding` when
    given, else in the encoding detected."""
    rows = None  # the file row of each record, where blank rows were skipped (a workbook)
    if path.suffix.lower() == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as error:
            raise InputError(f"{path}: not a readable Parquet file: {_first_line(error)}") from error
    elif path.suffix.lower() in {".csv", ".tsv", ".txt"}:
        frame = _read_csv(path, encoding)
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame, rows = _read_xlsx(path)
    else:
        raise InputError(f"{path}: expected a .csv (.tsv, .txt), .xlsx or .parquet file")
    frame = _with_input_headers(frame, path)
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        where = " (the first sheet was read)" if rows is not None else ""
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}{where}; required: {', '.join(INPUT_COLUMNS)}"
        )
    frame = frame.select(INPUT_COLUMNS).with_columns(
        pl.col("record_id", "name", "address", "country").cast(pl.String)
    )
    rows = pl.Series("row", range(2, frame.height + 2)) if rows is None else rows
    blank = pl.all_horizontal(
        pl.col(c).cast(pl.String).str.strip_chars().fill_null("") == "" for c in INPUT_COLUMNS
    )
    keep = ~frame.select(blank.alias("blank"))["blank"]
    return _validated(frame.filter(keep), path, rows.filter(keep))


def header_key(header: str) -> str:
    """A header as compared with `INPUT_COLUMNS`: " Record ID" and "record-id" read as record_id."""
    return re.sub(r"[\s\-]+", "_", header.lstrip("\ufeff").strip().strip('"').strip().lower())


def _with_input_headers(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """`frame` with a header such as " Record ID " read as `record_id` (`header_key`). A column named
    exactly as required wins over look-alikes; two look-alikes of one required column and no exact
    one are refused, naming both (which one holds the data is the user's call, not ours)."""
    renames: dict[str, str] = {}
    for required in INPUT_COLUMNS:
        if required in frame.columns:
            continue
        alike = [column for column in frame.columns if header_key(column) == required]
        if len(alike) > 1:
            raise InputError(
                f"{path}: columns {', '.join(repr(c) for c in alike)} all read as {required}; keep one"
            )
        renames.update({alike[0]: required} if alike else {})
    return frame.rename(renames)


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, pl.Series]:
    """The first sheet of a workbook, every cell as text (the supplier-list reader's rendering), and
    the sheet row of each record (blank rows are skipped)."""
    from connectors.reading.errors import MalformedFileError
    from connectors.reading.files import read_table_file

    try:
        table = read_table_file(path)
    except MalformedFileError as error:
        raise InputError(str(error)) from error
    dtype = pl.Struct({header: pl.String for header in table.headers})
    frame = table.rows.select(pl.col("payload").str.json_decode(dtype).struct.unnest())
    return frame, table.rows["source_row"]


SEPARATORS = (",", ";", "\t", "|")
"""Field separators a CSV may use: comma first; semicolon is what Excel writes where the decimal mark is a
comma, tab and pipe what database exports write."""


def _read_csv(path: Path, declared: str | None = None) -> pl.DataFrame:
    """A CSV in `declared`, else in any encoding the supplier-list reader detects (UTF-8 with or without
    BOM, UTF-16, legacy encodings such as cp1252 or GBK when certain: `connectors.reading.encodings`),
    separated by the first of `SEPARATORS` that splits its header into the required columns; every cell
    as text."""
    from connectors.reading.encodings import decode_text
    from connectors.reading.errors import MalformedFileError

    data = path.read_bytes()
    try:
        text, encoding = decode_text(data, str(path), declared)
    except MalformedFileError as error:
        raise InputError(str(error)) from error
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    if not header.strip():
        raise InputError(
            f"{path}: row 1: the file is empty or starts with a blank line; expected a header "
            f"row with {', '.join(INPUT_COLUMNS)}"
        )
    separator = next(
        (sep for sep in SEPARATORS if {header_key(c) for c in header.split(sep)} >= set(INPUT_COLUMNS)),
        ",",
    )
    body = data if encoding == "utf-8" else text.encode("utf-8")
    try:
        return pl.read_csv(body, separator=separator, infer_schema_length=0, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as error:
        raise InputError(f"{path}: not a readable CSV file: {_first_line(error)}") from error


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _validated(frame: pl.DataFrame, path: Path, rows: pl.Series) -> pl.DataFrame:
    """Typed coordinates, unique non-empty record ids and names; errors name the first bad row by its
    row in the file (`rows`, one per record)."""
    rows = rows.alias("row")
    for column in ("record_id", "name", "country"):
        empty = frame.with_columns(rows).filter(
            pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")
        )
        if empty.height:
            raise InputError(f"{path}: row {empty['row'][0]}: column {column} is empty")
    duplicated = frame.filter(pl.col("record_id").is_duplicated())
    if duplicated.height:
        raise InputError(f"{path}: record_id {duplicated['record_id'][0]!r} appears more than once")
    for column in ("lat", "lng"):
        values = frame[column].cast(pl.String).str.strip_chars().replace("", None)
        parsed = values.cast(pl.Float64, strict=False)
        bad = frame.with_columns(rows).filter(values.is_not_null() & parsed.is_null())
        if bad.height:
            raise InputError(
                f"{path}: row {bad['row'][0]}: column {column} is not a number: {bad[column][0]!r}"
            )
        frame = frame.with_columns(parsed.alias(column))
    return frame


def to_records(frame: pl.DataFrame) -> pl.DataFrame:
    """The input as facility records for `resolve` (countries to alpha-2 where they resolve)."""
    countries = {
        value: to_alpha2(value) or value.strip().upper() for value in frame["country"].unique().to_list()
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


def write_output(frame: pl.DataFrame, path: Path) -> None:
    """Write CSV or Parquet, chosen by the extension."""
    if path.suffix.lower() == ".parquet":
        frame.write_parquet(path)
    elif path.suffix.lower() == ".csv":
        frame.write_csv(path)
    else:
        raise InputError(f"{path}: the output must end in .csv or .parquet")


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
    ).with_columns(pass_mask=pl.lit(0, pl.UInt8))
    scored = score_pairs(prepared, pairs, settings)
    forced = score_pairs(
        prepared, scored.dismissed.with_columns(pass_mask=pl.lit(8, pl.UInt8)), settings
    ).scored
    scores = pl.concat([scored.scored, forced]).select("left", "right", "match_score")
    return pairs.join(scores, on=["left", "right"], how="left", maintain_order="left")[
        "match_score"
    ].to_list()
