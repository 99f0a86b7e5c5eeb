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
from functools import cache, lru_cache
from pathlib import Path

import polars as pl

from risk_model.text_safety import comparable

VOCABULARY = Path(__file__).parent / "name_goods.csv"


@cache
def vocabulary() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """One pattern finding every keyword of name_goods.csv (Latin ones at a word start, Chinese ones
    anywhere), and keyword -> its goods in file order."""
    with open(VOCABULARY, encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    goods: dict[str, list[str]] = {}
    for row in rows:
        goods.setdefault(row["keyword"], []).append(row["good"])
    language = {row["keyword"]: row["language"] for row in rows}
    ordered = sorted(goods, key=len, reverse=True)
    latin = "|".join(re.escape(k) for k in ordered if language[k] != "zh")
    chinese = "|".join(re.escape(k) for k in ordered if language[k] == "zh")
    return re.compile(rf"\b(?:{latin})|(?:{chinese})"), goods


@lru_cache(maxsize=65536)
def _goods_in(text: str) -> tuple[tuple[str, str], ...]:
    pattern, goods = vocabulary()
    found: dict[str, str] = {}
    for match in pattern.finditer(comparable(text).casefold()):
        for good in goods[match.group(0)]:
            found.setdefault(good, match.group(0))
    return tuple((keyword, good) for good, keyword in found.items())


def goods_in(text: str | None) -> list[tuple[str, str]]:
    """(keyword, good) pairs whose keyword appears in `text` (the first keyword found per good)."""
    return list(_goods_in(text)) if text else []


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
