"""Render the cells fastexcel loads as the openpyxl route's ``cell_text`` renders them, vectorised.

The rules (``connectors.reading.xlsx.cell_text``): floats that are whole numbers as integers, other
floats as ``repr`` (Polars' text is the same for magnitudes of 1e-4 and above; smaller ones go through
``repr``), booleans TRUE / FALSE, datetimes at midnight as ISO dates and others as
``YYYY-MM-DD HH:MM:SS``, text as it is, empty cells as "". Values that openpyxl reads differently from
calamine make a renderer return None (the caller then takes the openpyxl route): floats that are not
finite (calamine parses text such as ``nan`` as a number in a number column) or of magnitude 2**53 and
above (openpyxl keeps integer text exact), datetimes before 1904-01-02 (openpyxl turns serials below 1
into times and counts negative ones differently), from year 10000 on (openpyxl refuses them), or with
fractions of a second (the two round a serial to milliseconds differently).

:func:`render_typed` takes columns that fastexcel typed strictly (one type each). :func:`render_mixed`
takes columns that mix types, loaded four times (as text, float, boolean and, where needed, datetime),
and tells each cell's type from which loads could convert it:

=============  =======  =========  ========  ======================================
cell           float    boolean    datetime  text load
=============  =======  =========  ========  ======================================
number         value    value      value     calamine's rounding of the number
boolean        0 or 1   value      null      "true" / "false"
datetime       null     null       value     "YYYY-MM-DD HH:MM:SS[.fff]"
text           parsed   null       null      the text (a number's text parses as a float)
=============  =======  =========  ========  ======================================
"""

from __future__ import annotations

import polars as pl

EXACT_INTEGERS = float(2**53)
FIRST_EXACT_DATETIME = pl.datetime(1904, 1, 2)
FIRST_UNREADABLE_DATETIME = pl.datetime(10000, 1, 1)
DATETIME = "%Y-%m-%d %H:%M:%S"
# How calamine writes a datetime cell in a text load (chrono's NaiveDateTime display).
DATETIME_TEXT = r"^[+-]?\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"


def render_typed(cells: pl.DataFrame, dtypes: list[str]) -> pl.DataFrame | None:
    """Columns c0, c1, ... of strictly typed cells as text ("" when empty), or None."""
    cells = cells.rename({name: f"c{index}" for index, name in enumerate(cells.columns)})
    texts, doubts, floats = [], [pl.lit(False)], {}
    for name, dtype in zip(cells.columns, dtypes, strict=True):
        cell = pl.col(name)
        if dtype in ("string", "null"):
            texts.append(cell.cast(pl.String))
        elif dtype == "boolean":
            texts.append(pl.when(cell).then(pl.lit("TRUE")).when(cell.not_()).then(pl.lit("FALSE")))
        elif dtype == "float":
            texts.append(float_text(cell))
            doubts.append(float_doubt(cell))
            floats[name] = cell
        elif dtype == "datetime":
            texts.append(datetime_text(cell))
            doubts.append(datetime_doubt(cell))
        else:  # "duration", "date" (ISO date-only cells), "int" (not in XLSX): openpyxl's values differ
            return None
    if cells.select(pl.any_horizontal(*doubts)).item():
        return None
    rendered = cells.select(
        text.fill_null("").alias(name) for name, text in zip(cells.columns, texts, strict=True)
    )
    return with_tiny_floats(rendered, cells.select(**floats))


def render_mixed(
    texts: pl.DataFrame, floats: pl.DataFrame, booleans: pl.DataFrame, datetimes: pl.DataFrame
) -> pl.DataFrame | None:
    """Columns c0, c1, ... of cells of any types as text ("" when empty), or None. The four frames hold
    the same cells loaded as text, float, boolean and datetime (all-null columns where not loaded)."""
    loads = pl.concat(
        [
            frame.rename({name: f"{prefix}{index}" for index, name in enumerate(frame.columns)})
            for prefix, frame in zip("sxbd", (texts, floats, booleans, datetimes), strict=True)
        ],
        how="horizontal",
    )
    rendered, doubts, numbers = [], [pl.lit(False)], {}
    for index in range(texts.width):
        text, number, flag, moment = (pl.col(f"{prefix}{index}") for prefix in "sxbd")
        is_boolean = flag.is_not_null() & text.is_in(["true", "false"])
        is_number = flag.is_not_null() & is_boolean.not_()
        is_datetime = flag.is_null() & number.is_null() & moment.is_not_null()
        rendered.append(
            pl.when(is_boolean)
            .then(pl.when(flag).then(pl.lit("TRUE")).otherwise(pl.lit("FALSE")))
            .when(is_number)
            .then(float_text(number))
            .when(is_datetime)
            .then(datetime_text(moment))
            .otherwise(text)
            .fill_null("")
            .alias(f"c{index}")
        )
        doubts += [float_doubt(number.filter(is_number)), datetime_doubt(moment.filter(is_datetime))]
        numbers[f"c{index}"] = pl.when(is_number).then(number)
    if loads.select(pl.any_horizontal(*doubts)).item():
        return None
    return with_tiny_floats(loads.select(rendered), loads.select(**numbers))


def float_text(cell: pl.Expr) -> pl.Expr:
    """Whole numbers as integers, others as Polars writes them (``repr``'s text from 1e-4 on)."""
    return (
        pl.when(cell.round() == cell)
        .then(cell.cast(pl.Int64).cast(pl.String))
        .otherwise(cell.cast(pl.String))
    )


def float_doubt(cell: pl.Expr) -> pl.Expr:
    return (cell.is_finite().not_() | (cell.abs() >= EXACT_INTEGERS)).any()


def datetime_text(cell: pl.Expr) -> pl.Expr:
    midnight = cell.dt.truncate("1d") == cell
    return pl.when(midnight).then(cell.dt.strftime("%Y-%m-%d")).otherwise(cell.dt.strftime(DATETIME))


def datetime_doubt(cell: pl.Expr) -> pl.Expr:
    outside = (cell < FIRST_EXACT_DATETIME) | (cell >= FIRST_UNREADABLE_DATETIME)
    return (outside | (cell.dt.truncate("1s") != cell)).any()


def with_tiny_floats(rendered: pl.DataFrame, numbers: pl.DataFrame) -> pl.DataFrame:
    """Rewrite floats below 1e-4 that are not whole with ``repr`` (Polars' notation differs there);
    ``numbers`` holds, per rendered column, the float values rendered by :func:`float_text`."""
    for name in numbers.columns:
        values = numbers[name]
        tiny = ((values.abs() < 1e-4) & (values.round() != values)).fill_null(False)
        if tiny.any():
            texts = [repr(value) for value in values.filter(tiny)]
            rendered = rendered.with_columns(rendered[name].scatter(tiny.arg_true(), texts))
    return rendered
