"""Coordinates of a `flrisk resolve` input as people write them.

A lat or lng cell holds a number, or text such as `12,5` (decimal comma), `10.8° S` or `N 10.8`
(degree sign, hemisphere letter: S and W negate), `−12.5` (a typographic minus) or `１２.５`
(full-width digits). NaN, infinity and the markers exports write for no value (`NULL`, `None`,
`N/A`, `-`, Excel's `#N/A` and formula errors: `MISSING_MARKERS`) read as missing. Anything else
is not a number, and the caller refuses the file naming the first such cell. Plain numbers take no
regular expression (the usual case costs one cast).
"""

from __future__ import annotations

import polars as pl

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
"""Zero-width and soft-hyphen characters: a cell holding only these (and spaces) is empty."""
MISSING_MARKERS = (
    "NULL", "NONE", "NIL", "N/A", "NA", "#N/A", "-", "--", "?", "UNKNOWN",
    "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
)  # fmt: skip
"""What exports write for "no value" (SQL NULL, Python None, Excel's N/A and formula errors): a
coordinate or an address holding one of these (any case) is missing."""
_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_DASHES = r"[\u2212\u2012\u2013\u2014\u2010\u2011]"
_HEMISPHERES = {"lat": ("N", "S"), "lng": ("E", "W")}


def coordinates(values: pl.Series) -> tuple[pl.Series, int | None]:
    """(`values` as finite Float64 or null, index of the first cell that is not a number or None).
    The series' name, lat or lng, says which hemisphere letters it may carry."""
    column = values.name
    if values.dtype != pl.Float64:
        stripped = values.str.strip_chars()
        present = (stripped.fill_null("") != "").sum()
        plain = stripped.cast(pl.Float64, strict=False)
        if plain.is_not_null().sum() == present:  # plain numbers or empty
            values = plain
    if values.dtype != pl.Float64:
        parsed = _written(values, *_HEMISPHERES[column])
        bad = parsed["text"].is_not_null() & parsed["value"].is_null() & ~parsed["special"]
        if bad.any():
            return values, int(bad.arg_true()[0])
        values = parsed["value"]
    finite = values.to_frame(column).select(pl.when(pl.col(column).is_finite()).then(pl.col(column)))
    return finite.to_series(), None


def _written(values: pl.Series, positive: str, negative: str) -> pl.DataFrame:
    """text (cleaned), value (null when not a number) and special (NaN or infinity) of each cell."""
    letter = f"([{positive}{negative}]?)"
    parts = (
        values.str.normalize("NFKC")
        .str.replace_all(_DASHES, "-")
        .str.strip_chars()
        .str.strip_chars(INVISIBLE)
        .str.to_uppercase()
        .replace("", None)
        .to_frame("text")
        .with_columns(
            pl.col("text").str.extract_groups(rf"^{letter}\s*({_NUMBER})\s*°?\s*{letter}$").alias("p")
        )
        .unnest("p")
    )
    number = pl.col("2").str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    south = (pl.col("1") == negative) | (pl.col("3") == negative)
    return parts.select(
        "text",
        value=pl.when((pl.col("1") != "") & (pl.col("3") != ""))
        .then(None)
        .when(south)
        .then(-number.abs())
        .otherwise(number),
        special=(
            pl.col("text").str.contains(r"^[+-]?(?:NAN|INF|INFINITY)$")
            | pl.col("text").is_in(MISSING_MARKERS)
        ).fill_null(False),
    )


def unswapped(frame: pl.DataFrame) -> pl.DataFrame:
    """lat and lng exchanged where lat is outside ±90 and lng inside it (written the wrong way round);
    a lng of 0 is not taken as a swapped lat."""
    swapped = ~pl.col("lat").is_between(-90, 90) & pl.col("lng").is_between(-90, 90)
    swapped = swapped & pl.col("lat").is_between(-180, 180) & (pl.col("lng") != 0)
    return frame.with_columns(
        lat=pl.when(swapped).then(pl.col("lng")).otherwise(pl.col("lat")),
        lng=pl.when(swapped).then(pl.col("lat")).otherwise(pl.col("lng")),
    )
