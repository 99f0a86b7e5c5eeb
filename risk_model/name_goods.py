"""Products read from names and processing types: a weaker, labelled sector signal.

Most supplier lists carry no product column, but a name often says what a facility makes ("Kashgar
Cotton Spinning Co", "和田棉纺有限公司"), and Open Supply Hub records carry processing types (Spinning,
Weaving, ...). `name_goods.csv` maps keywords in English and Chinese to goods on the US DOL list. A
good inferred this way scores `sector.name_inferred_share` x the DOL points of that country x good,
and its driver says "inferred from name" (or "from processing type") and which word was read, so a
reader can tell it from a declared product type. A good also declared is not inferred twice.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import polars as pl

from risk_model.text_safety import comparable

VOCABULARY = Path(__file__).parent / "name_goods.csv"


@cache
def vocabulary() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(pattern, keyword, good) per row of name_goods.csv."""
    with open(VOCABULARY, encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return tuple(
        (
            re.compile(
                re.escape(row["keyword"]) if row["language"] == "zh" else r"\b" + re.escape(row["keyword"])
            ),
            row["keyword"],
            row["good"],
        )
        for row in rows
    )


def goods_in(text: str | None) -> list[tuple[str, str]]:
    """(keyword, good) pairs whose keyword appears in `text` (first keyword per good)."""
    folded = comparable(text).casefold()
    found: dict[str, str] = {}
    for pattern, keyword, good in vocabulary():
        if good not in found and pattern.search(folded):
            found[good] = keyword
    return [(keyword, good) for good, keyword in found.items()]


def inferred_goods(named: pl.DataFrame) -> pl.DataFrame:
    """From (facility_id, text, origin) rows (origin: "name" or "processing type"), one row per
    facility x good: (facility_id, good, keyword, origin, text)."""
    rows = [
        {"facility_id": row["facility_id"], "good": good, "keyword": keyword, "origin": row["origin"],
         "text": row["text"]}
        for row in named.drop_nulls("text").unique(maintain_order=True).iter_rows(named=True)
        for keyword, good in goods_in(row["text"])
    ]  # fmt: skip
    schema = {
        "facility_id": pl.String,
        "good": pl.String,
        "keyword": pl.String,
        "origin": pl.String,
        "text": pl.String,
    }
    return pl.DataFrame(rows, schema=schema).unique(
        ["facility_id", "good"], keep="first", maintain_order=True
    )
