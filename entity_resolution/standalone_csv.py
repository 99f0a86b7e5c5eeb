"""Split the text of a `flrisk resolve` CSV input into a header and cells, with the file row of each record.

The text (already decoded) may start with blank lines, an Excel `sep=;` line and, within the first
`TITLE_LINES` lines, a title or note above the header; those are skipped and still counted in the
row numbers. The separator is the one a `sep=` line names if it splits the header into the required
columns (read with quoting), else the first of `SEPARATORS` that does, else a comma.

Two routes give the same cells. Polars splits the body when every record is one physical line (no
quoted cell spanning lines, no lone CR line end, no record wider than the header): the usual case,
~6x faster than the csv module. Anything else (a lone CR, a multi-line cell, a stray quote Polars
rejects, a ragged row) is split by Python's csv module, strictly, so the row numbers are record
numbers (what a spreadsheet shows) and a broken file is refused naming its row and column:

- a row with a non-empty cell beyond the header is refused (an empty one is dropped: Excel writes them);
- a row with fewer cells is padded with empty cells;
- a quoted cell that never closes is refused naming the row and column where it opens (otherwise it
  would silently swallow every record after it), and so is a multi-line cell outside free-text
  columns whose later lines look like whole records (a stray quote closed by another one rows
  later); a tab- or pipe-separated file is first read again with quotes as plain characters (what
  database exports write: `"Best" Garments`).
"""

from __future__ import annotations

import csv
import io
import re
import sys

import polars as pl

SEPARATORS = (",", ";", "\t", "|")
"""Field separators a CSV may use: comma first; semicolon is what Excel writes where the decimal mark is a
comma, tab and pipe what database exports write."""
TITLE_LINES = 10
"""How far down the header may be: lines above it (a title, an export note) are skipped and counted."""
UNQUOTED_SEPARATORS = ("\t", "|")
"""Separators whose files are read again with quotes as plain characters when their quoting is broken."""
_LINE_END = re.compile(r"\r\n|\r|\n")
_EXCEL_SEP = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


class CsvShapeError(ValueError):
    """The text cannot be split into records; `row` and `column` (1-based, None when unknown) locate it."""

    def __init__(self, row: int, column: int | None, problem: str, quoting: bool = False) -> None:
        self.quoting = quoting  # a quoting error (not a row wider than the header)
        where = f", column {column}" if column is not None else ""
        super().__init__(f"row {row}{where}: {problem}")


def split_csv(
    text: str, wanted: set[str], key, free_text: frozenset[str] = frozenset()
) -> tuple[list[str], pl.DataFrame, pl.Series]:
    """(header cells, one String column per header cell named c0, c1, ..., file row of each record).

    `key` maps a header cell to the name it is compared with `wanted` under (picks the separator).
    A wanted column not in `free_text` whose quoted cell runs over lines that look like records is
    refused (`_refuse_swallowed`). Raises CsvShapeError when there is no header or the records
    cannot be split."""
    csv.field_size_limit(sys.maxsize)  # a 100,000-character name is odd, not broken
    text = text.lstrip("\ufeff")
    skipped, body, declared = _preamble(text)
    if not body.strip():
        raise CsvShapeError(1, None, "the file is empty: expected a header row")
    titles, offset, separator = _header_line(body, wanted, key, declared)
    skipped, body = skipped + titles, body[offset:]
    parsed = _split_with_polars(body, separator)
    if parsed is None:
        try:
            header, columns, rows = _split_with_csv(body, separator, skipped)
            checked = [i for i, cell in enumerate(header) if key(cell) in wanted - free_text]
            _refuse_swallowed(columns, rows, separator, checked)
        except CsvShapeError as error:
            if separator not in UNQUOTED_SEPARATORS or not error.quoting:
                raise
            try:  # tab- and pipe-separated exports often write quotes as plain characters
                header, columns, rows = _split_with_csv(body, separator, skipped, quoting=False)
            except CsvShapeError:
                raise error from None
    else:
        header, columns = parsed
        rows = pl.Series("row", range(skipped + 2, skipped + 2 + columns.height), dtype=pl.Int64)
    return header, columns, rows


def _preamble(text: str) -> tuple[int, str, str | None]:
    """(lines skipped, the text from the header on, the separator an Excel `sep=` line names)."""
    skipped, declared, position = 0, None, 0
    while True:
        end = _LINE_END.search(text, position)
        line = text[position : end.start() if end else len(text)]
        if end is None or (line.strip() and not (_EXCEL_SEP.match(line) and declared is None)):
            return skipped, text[position:], declared
        if line.strip():
            declared = _EXCEL_SEP.match(line).group(1)  # type: ignore[union-attr]
        skipped, position = skipped + 1, end.end()


def _header_line(body: str, wanted: set[str], key, declared: str | None) -> tuple[int, int, str]:
    """(title lines before the header, where the header starts, the separator). The header is the
    first of the first `TITLE_LINES` lines that holds every wanted column (a report title or a note
    above the table is skipped); when none does, the first line with `declared` or a comma."""
    position = 0
    for titles in range(TITLE_LINES):
        end = _LINE_END.search(body, position)
        separator = _separator(body[position : end.start() if end else len(body)], wanted, key, declared)
        if separator is not None:
            return titles, position, separator
        if end is None:
            break
        position = end.end()
    return 0, 0, declared or ","


def _separator(header_line: str, wanted: set[str], key, declared: str | None) -> str | None:
    candidates = (declared, *SEPARATORS) if declared else SEPARATORS
    for separator in candidates:
        cells = next(csv.reader([header_line], delimiter=separator), [])
        if {key(cell) for cell in cells} >= wanted:
            return separator
    return None


def _split_with_polars(body: str, separator: str) -> tuple[list[str], pl.DataFrame] | None:
    """Header and cells when every physical line is one record (the row count proves it); else None."""
    if "\r" in body and body.count("\r") != body.count("\r\n"):
        return None  # a lone CR line end: Polars does not split on it
    try:
        frame = pl.read_csv(
            body.encode("utf-8"),
            separator=separator,
            has_header=False,
            infer_schema_length=0,
            quote_char='"',
        )
    except pl.exceptions.PolarsError:
        return None  # a stray quote, a row wider than the header: the csv module says where
    lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    if frame.height != lines or frame.height == 0:
        return None  # a quoted cell spans lines (or Polars dropped one): record numbers differ
    header = [cell or "" for cell in frame.row(0)]
    columns = frame.slice(1).fill_null("")
    return header, columns.rename(dict(zip(columns.columns, _names(len(header)), strict=True)))


def _split_with_csv(
    body: str, separator: str, skipped: int, quoting: bool = True
) -> tuple[list[str], pl.DataFrame, pl.Series]:
    """The csv module's strict reading (quotes as plain characters when not `quoting`); refuses broken
    quoting and cells beyond the header."""
    style = csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator, strict=True, quoting=style)
    header: list[str] = []
    cells: list[list[str]] = []
    rows: list[int] = []
    number, consumed = skipped, 0
    try:
        for number, record in enumerate(reader, start=skipped + 1):
            if not header:
                header = record
                consumed = reader.line_num
                continue
            cells.append(_fit(record, len(header), number))
            rows.append(number)
            consumed = reader.line_num
    except csv.Error as error:
        column, problem = _quote_problem(body[_line_offset(body, consumed) :], separator)
        raise CsvShapeError(number + 1, column, problem or f"bad CSV quoting ({error})", True) from error
    names = _names(len(header))
    columns = pl.DataFrame(
        {name: [record[i] for record in cells] for i, name in enumerate(names)},
        schema={name: pl.String for name in names},
    )
    return header, columns, pl.Series("row", rows, dtype=pl.Int64)


def _refuse_swallowed(columns: pl.DataFrame, rows: pl.Series, separator: str, checked: list[int]) -> None:
    """A quoted cell whose later lines hold a whole record's worth of separators most likely opened on
    a stray quote and was closed by another one records later (`Pipe 12",`): the records between
    would vanish into one cell. Refuse it, naming where it starts."""
    width = columns.width
    for index in checked:
        cells = columns.get_column(f"c{index}")
        for position in cells.str.contains("[\r\n]").arg_true().to_list():
            lines = _LINE_END.split(cells[position])[1:]
            if any(line.count(separator) >= width - 1 for line in lines):
                raise CsvShapeError(
                    int(rows[position]),
                    index + 1,
                    f"a quoted cell runs over {len(lines) + 1} lines that look like records: a quote is "
                    "probably missing its pair (quote the whole cell and double the quotes inside it)",
                    quoting=True,
                )


def _fit(record: list[str], width: int, row: int) -> list[str]:
    if len(record) <= width:
        return record + [""] * (width - len(record))
    extra = next((i for i, cell in enumerate(record[width:]) if cell.strip()), None)
    if extra is not None:
        raise CsvShapeError(
            row,
            width + extra + 1,
            f"the row has {len(record)} cells but the header has {width} (unexpected value "
            f"{shorten(record[width + extra])}); quote cells that contain the separator",
        )
    return record[:width]


def _quote_problem(text: str, separator: str) -> tuple[int | None, str | None]:
    """(1-based column, what is wrong) of the first quoting error in `text`, which starts at a record;
    jumps from quote to quote, so an unclosed quote early in a large file costs no character loop."""
    column, index, at_start = 1, 0, True
    while index < len(text):
        char = text[index]
        if char == '"' and at_start:
            close = index + 1
            while True:
                close = text.find('"', close)
                if close == -1:
                    return column, "a quoted cell opens here and never closes (a missing closing quote)"
                if text[close + 1 : close + 2] != '"':
                    break
                close += 2
            if text[close + 1 : close + 2] not in ("", separator, "\r", "\n"):
                return column, "text follows the closing quote of a quoted cell; double quotes inside a cell"
            index, at_start = close + 1, False
            continue
        if char == separator:
            column, at_start = column + 1, True
        elif char in "\r\n":
            return None, None
        else:
            at_start = False
        index += 1
    return None, None


def _line_offset(text: str, lines: int) -> int:
    """Where line `lines` + 1 of `text` starts (CR, LF or CRLF line ends)."""
    offset = 0
    for _, match in zip(range(lines), _LINE_END.finditer(text), strict=False):
        offset = match.end()
    return offset


def _names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def shorten(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters: an error line stays one short line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"
