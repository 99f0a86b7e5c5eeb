"""Read and validate the input file of `flrisk resolve`: every record comes out typed, or the file is
refused with one line naming the file, the row and the column.

Format by content, then by extension: Parquet (`PAR1`), XLSX/XLSM (a ZIP archive; the first sheet,
merged cells filled as they show: `connectors.reading.workbook_merges`), an
Excel 97-2003 or password-protected workbook (OLE2) is refused; anything else is read as delimited
text (`entity_resolution.standalone_csv`) in the encoding given or the one detected
(`connectors.reading.encodings`: BOM, UTF-16, UTF-8, then cp1252, GBK, Big5, Shift-JIS, ...).

Headers match whatever their case, width, spacing or invisible characters (`header_key`); a column
headed exactly as required wins over look-alikes; two columns of one required name are refused.
Values are kept as written (record ids are not trimmed: the output must join back to the input).

Per record: record_id, name and country must be non-empty (zero-width characters do not count);
record ids are unique (a repeat is refused naming both rows: two output rows with one id would be
ambiguous to whoever joins them back); a NUL character and a repeated header row are refused. lat
and lng may be empty; a number may be written with a decimal comma (`12,5`), a degree sign and a
hemisphere letter (`10.8° S`), a typographic minus or full-width digits; NaN, infinity, `NULL`,
`N/A` and the like read as missing (in address too); a lat outside ±90 with a lng inside it is
taken as swapped. Anything else in lat or lng is refused. Rows blank in every required column are
skipped and still counted in the row numbers.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import polars as pl

from connectors.reading.workbook_merges import fill_merged, merged_ranges
from entity_resolution.standalone_coordinates import INVISIBLE, MISSING_MARKERS, coordinates, unswapped
from entity_resolution.standalone_csv import CsvShapeError, shorten, split_csv

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
TEXT_COLUMNS = ("record_id", "name", "address", "country")
MAX_INPUT_BYTES = 2 * 2**30
"""Larger files are refused before reading: ~100 bytes a record makes 2 GiB some 20 million records,
beyond what resolution fits in memory (1M records peak at ~3.5 GB), and a sparse or runaway file
must not fill memory before any check runs."""


class InputError(ValueError):
    """The input file cannot be resolved as given; the message names the file and the problem."""


def header_key(header: str) -> str:
    """A header as compared with `INPUT_COLUMNS`: " Record ID", "record-id", full-width "ｒｅｃｏｒｄ＿ｉｄ"
    and "name" with a zero-width space all read as their plain form."""
    text = unicodedata.normalize("NFKC", str(header))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n")
    return re.sub(r"[\s\-]+", "_", text.strip().strip('"').strip().lower())


def read_input(path: Path, encoding: str | None = None) -> pl.DataFrame:
    """The validated records of `path` (`INPUT_SCHEMA`, in file order); InputError when refused."""
    kind = _kind(path)
    if kind in ("parquet", "xlsx", "text"):
        frame, rows = _read_table(path, encoding, kind)
    else:  # a .parquet or .xlsx name on other content: read it as text if it is a table of text
        try:
            frame, rows = _read_table(path, encoding, "text")
        except InputError as error:
            raise InputError(f"{path}: row 1: not a readable {kind}: {_starts(path)}") from error
    blank = pl.all_horizontal(_blank(pl.col(c).cast(pl.String)) for c in INPUT_COLUMNS)
    keep = ~frame.select(blank.alias("blank"))["blank"]
    return _validated(frame.filter(keep), path, rows.filter(keep))


def _read_table(path: Path, encoding: str | None, kind: str) -> tuple[pl.DataFrame, pl.Series]:
    """The input columns of a file of `kind` and the file row of each record."""
    if kind == "parquet":
        headers, frame, rows = _read_parquet(path)
    elif kind == "xlsx":
        headers, frame, rows = _read_xlsx(path)
    else:
        headers, frame, rows = _read_text(path, encoding)
    return _select_input_columns(headers, frame, path, kind), rows


def _kind(path: Path) -> str:
    """parquet, xlsx or text by the file's first bytes (a .csv that is really a workbook is read as
    one); else what its extension promised (read as text, refused naming the format if it is not).
    An empty file and an OLE2 workbook (.xls) are refused."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = path.suffix.lower()
    if magic.startswith(b"PAR1"):
        return "parquet"
    if magic.startswith(b"PK\x03\x04"):
        return "xlsx"
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path}: row 1: an Excel 97-2003 (.xls) or password-protected workbook; save it as .xlsx "
            "(without a password) or as CSV UTF-8"
        )
    if not magic:
        raise InputError(f"{path}: row 1: the file is empty (0 bytes): expected a header row")
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"{path}: the file is {size / 2**30:.1f} GiB; flrisk resolve reads up to "
            f"{MAX_INPUT_BYTES // 2**30} GiB (some 20 million records, more than fit in memory): split it"
        )
    if suffix == ".parquet":
        return "Parquet file"
    return "XLSX workbook (a ZIP archive)" if suffix in (".xlsx", ".xlsm") else "text"


def _starts(path: Path) -> str:
    with path.open("rb") as handle:
        return f"the file starts with {shorten(handle.read(16))}"


def _read_parquet(path: Path) -> tuple[list[str], pl.DataFrame, pl.Series]:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable Parquet file: {first_line(error)}") from error
    return frame.columns, frame, pl.Series("row", range(2, frame.height + 2), dtype=pl.Int64)


def _read_xlsx(path: Path) -> tuple[list[str], pl.DataFrame, pl.Series]:
    """The first sheet, every cell as the text it shows (a merged range's value in each of its cells),
    and the sheet row of each record."""
    from connectors.reading.errors import MalformedFileError
    from connectors.reading.xlsx import read_xlsx

    try:
        headers, rows = read_xlsx(path, str(path))
    except MalformedFileError as error:
        raise InputError(str(error)) from error
    dtype = pl.Struct({header: pl.String for header in headers})
    frame = rows.select(pl.col("payload").str.json_decode(dtype).struct.unnest())
    return headers, fill_merged(frame, rows["source_row"], merged_ranges(path)), rows["source_row"]


def _read_text(path: Path, encoding: str | None) -> tuple[list[str], pl.DataFrame, pl.Series]:
    from connectors.reading.encodings import decode_text
    from connectors.reading.errors import MalformedFileError

    try:
        text, _label = decode_text(path.read_bytes(), str(path), encoding)
    except MalformedFileError as error:
        raise InputError(str(error)) from error
    nul = text.find("\x00")
    if nul != -1 and not any(end in text[:nul] for end in "\r\n"):  # binary from the first line on
        raise InputError(f"{path}: row 1, character {nul + 1}: NUL character: {_NUL_HINT}")
    try:
        headers, frame, rows = split_csv(text, set(INPUT_COLUMNS), header_key, frozenset({"address"}))
    except CsvShapeError as error:
        raise InputError(f"{path}: {error}") from error
    return headers, frame, rows


_NUL_HINT = "a binary file, or UTF-16 saved without a byte-order mark; save the file as CSV UTF-8"


def _select_input_columns(headers: list[str], frame: pl.DataFrame, path: Path, kind: str) -> pl.DataFrame:
    """The six input columns (as text but lat and lng) out of `frame`, whose i-th column is headed
    `headers[i]`. A column named exactly as required wins over look-alikes (`header_key`); two
    candidates for one required column are refused, naming both."""
    picked: dict[str, int] = {}
    for required in INPUT_COLUMNS:
        exact = [i for i, header in enumerate(headers) if header == required]
        alike = exact or [i for i, header in enumerate(headers) if header_key(header) == required]
        if len(alike) > 1:
            names = ", ".join(repr(headers[i]) for i in alike)
            numbers = " and ".join(str(i + 1) for i in alike)
            raise InputError(
                f"{path}: row 1: columns {names} all read as {required}; keep one (columns {numbers})"
            )
        if alike:
            picked[required] = alike[0]
    missing = [c for c in INPUT_COLUMNS if c not in picked]
    if missing:
        where = " (the first sheet was read)" if kind == "xlsx" else ""
        raise InputError(
            f"{path}: row 1: missing column(s) {', '.join(missing)}{where}; required: "
            f"{', '.join(INPUT_COLUMNS)}; found: {shorten(', '.join(map(str, headers)), 120)}"
        )
    columns = frame.select(pl.nth(picked[c]).alias(c) for c in INPUT_COLUMNS)
    for column in INPUT_COLUMNS:
        columns = columns.with_columns(_as_input_type(columns[column], path))
    return columns


def _as_input_type(series: pl.Series, path: Path) -> pl.Series:
    """Text columns as String, coordinates as String or Float64; nested, binary, boolean and date
    columns (a Parquet file's) are refused by type."""
    dtype = series.dtype
    numeric = dtype.is_numeric()
    allowed = dtype in (pl.String, pl.Null) or numeric or isinstance(dtype, pl.Categorical | pl.Enum)
    if series.name in TEXT_COLUMNS and not allowed and dtype.is_temporal():
        allowed = True  # a date or time used as an id or a name reads as its ISO text
    if not allowed:
        raise InputError(
            f"{path}: column {series.name}: holds {dtype} values; expected "
            f"{'text' if series.name in TEXT_COLUMNS else 'numbers or text'}"
        )
    if series.name in TEXT_COLUMNS or not numeric:
        return series.cast(pl.String)
    return series.cast(pl.Float64)


def _blank(expr: pl.Expr) -> pl.Expr:
    """Null, or nothing but whitespace and invisible characters."""
    return expr.str.strip_chars().str.strip_chars(INVISIBLE).str.strip_chars().fill_null("") == ""


def _validated(frame: pl.DataFrame, path: Path, rows: pl.Series) -> pl.DataFrame:
    """Typed coordinates, unique non-empty record ids, names and countries; errors name the first bad
    row by its row in the file (`rows`, one per record)."""
    located = frame.with_columns(rows.alias("row"))
    for column in TEXT_COLUMNS:
        nul = located.filter(pl.col(column).str.contains("\x00", literal=True))
        if nul.height:
            raise InputError(f"{path}: row {nul['row'][0]}: column {column}: NUL character: {_NUL_HINT}")
    for column in ("record_id", "name", "country"):
        empty = located.filter(_blank(pl.col(column)))
        if empty.height:
            raise InputError(f"{path}: row {empty['row'][0]}: column {column} is empty")
    again = located.filter(
        (pl.col("record_id").str.strip_chars().str.to_lowercase() == "record_id")
        & (pl.col("name").str.strip_chars().str.to_lowercase() == "name")
    )
    if again.height:
        raise InputError(
            f"{path}: row {again['row'][0]}: the row repeats the header (files joined one after the "
            "other?); remove it"
        )
    repeated = (
        located.select("record_id", "row")
        .filter(pl.col("record_id").is_duplicated())
        .group_by("record_id", maintain_order=True)
        .agg(pl.col("row").sort())
        .with_columns(second=pl.col("row").list.get(1))
        .sort("second")
    )
    if repeated.height:
        record_id, (first, second) = repeated["record_id"][0], repeated["row"][0][:2]
        raise InputError(
            f"{path}: row {second}: column record_id: {shorten(record_id)} appears more than once "
            f"(also row {first}); record ids must be unique"
        )
    marker = pl.col("address").str.strip_chars().str.to_uppercase().is_in(MISSING_MARKERS)
    frame = frame.with_columns(
        address=pl.when(~_blank(pl.col("address")) & ~marker.fill_null(False)).then(pl.col("address"))
    )
    for column in ("lat", "lng"):
        parsed, bad = coordinates(frame[column])
        if bad is not None:
            raise InputError(
                f"{path}: row {rows[bad]}: column {column} is not a number: {shorten(frame[column][bad])}"
            )
        frame = frame.with_columns(parsed)
    return unswapped(frame)


def first_line(error: BaseException) -> str:
    """The first line of an error's message (a library's error may span many)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
