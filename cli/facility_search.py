"""Ranked facility search: one word or a partial name finds the facility, best first.

Every facility is searchable by what any source called it (each record's cleaned and raw name, so
native-script spellings count), its OS IDs, its addresses (cities are part of them), parent companies
and its facility id. Texts are compared the way entity resolution compares them
(`entity_resolution.normalise`: Chinese romanised, transliterated, abbreviations and trade words in
one spelling, legal forms dropped), token by token:

- each query token is matched to the closest token of a text: the same token counts 1.0, a token it
  starts (3 letters or more) 0.9, a spelling within rapidfuzz ratio 80 that ratio x 0.85; the query
  with its spaces removed is tried as one token too ("Luen Thai" meets "luentai": Chinese names are
  romanised with their syllables joined);
- a text scores the mean over the query tokens, times (names, parent companies) a small bonus for
  covering the whole text ("Song Lam Garment" prefers "Song Lam Garment JSC" to "Song Lam Garment
  Dyeing Trading Company"); addresses get no such bonus, so every facility of a city ties;
- a field's weight ranks names above parent companies above addresses;
- an exact facility id, OS ID or former facility id (merged into this one) scores 100.

Candidates are found through the vocabulary (every distinct token), so only facilities sharing a
near token with the query are scored. Ties go to the riskier facility, then the facility id.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process

from entity_resolution.native_scripts import HAN, MANDARIN, dialect_expr
from entity_resolution.normalise import name_fields, normalise_address, normalise_address_in, normalise_name

FIELD_WEIGHTS = {"name": 1.0, "parent company": 0.9, "os id": 1.0, "former id": 1.0, "address": 0.8}
EXACT, PREFIX, FUZZY_FACTOR, FUZZY_FLOOR = 1.0, 0.9, 0.85, 80.0
MIN_PREFIX = 3
COVERAGE_BONUS = 0.15
MIN_SCORE = 45.0


@dataclass(frozen=True)
class Match:
    """One facility found, its score (0-100), and the text and field that matched best."""

    facility_id: str
    score: float
    field: str
    matched: str


def _tokens(field: str, text: str) -> tuple[str, ...]:
    if field == "address":
        return tuple(normalise_address(text).split())
    if field in ("os id", "former id"):
        return (text.strip().lower(),)
    return tuple(normalise_name(text).split()) or tuple(normalise_address(text).split())


def _dialect_tokens(field: str, text: str, dialect: str) -> tuple[str, ...]:
    """A Chinese text's tokens in `dialect`, as its country's lists spell it (聯泰 -> luentai)."""
    if field == "address":
        return tuple(normalise_address_in(text, dialect).split())
    return tuple(name_fields(text, dialect)[0].split())


def _readings(texts: pl.DataFrame) -> pl.DataFrame:
    """`texts` with their tokens; a Chinese name or address of a Hong Kong, Macau or Taiwan facility
    also as a second text read in its country's romanisation (Cantonese, Wade-Giles), so "Luen Thai"
    finds 聯泰 there while pinyin "liantai" still does."""
    tokenised = texts.with_columns(
        tokens=pl.struct("field", "text").map_elements(
            lambda row: list(_tokens(row["field"], row["text"] or "")), return_dtype=pl.List(pl.String)
        )
    )
    if "country_code" not in texts.columns:
        return tokenised
    dialect = dialect_expr(pl.col("country_code"))
    native = (
        texts.with_columns(dialect=dialect)
        .filter((pl.col("dialect") != MANDARIN) & pl.col("field").is_in(["name", "address"]))
        .filter(pl.col("text").str.contains(HAN.pattern))
    )
    if native.is_empty():
        return tokenised
    read = native.with_columns(
        tokens=pl.struct("field", "text", "dialect").map_elements(
            lambda row: list(_dialect_tokens(row["field"], row["text"], row["dialect"])),
            return_dtype=pl.List(pl.String),
        )
    ).drop("dialect")
    return pl.concat([tokenised, read])


def query_tokens(query: str) -> dict[str, tuple[str, ...]]:
    """The query as tokens the way each field is normalised (names drop legal forms, addresses not)."""
    return {field: _tokens(field, query) for field in FIELD_WEIGHTS}


def _token_similarity(token: str, vocabulary: list[str]) -> dict[str, float]:
    """Every vocabulary token close to `token`, with its similarity in [0, 1]."""
    similar: dict[str, float] = {}
    if not vocabulary:
        return similar
    ratios = process.cdist([token], vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_FLOOR)[0]
    for word, ratio in zip(vocabulary, ratios.tolist(), strict=True):
        if word == token:
            similar[word] = EXACT
        elif len(token) >= MIN_PREFIX and word.startswith(token):
            similar[word] = PREFIX
        elif ratio:
            similar[word] = ratio / 100 * FUZZY_FACTOR
    return similar


def _text_score(
    wanted: tuple[str, ...], tokens: tuple[str, ...], similar: dict[str, dict[str, float]], field: str
) -> float:
    """Mean best similarity of the query tokens within one text, with the coverage bonus for names
    (0-1). Addresses get none: a city matches a short address and a long one equally, so the facilities
    of a city tie and the riskier comes first."""
    if not wanted or not tokens:
        return 0.0
    best = [max((similar[w].get(t, 0.0) for t in tokens), default=0.0) for w in wanted]
    mean = sum(best) / len(best)
    if field == "address":
        return mean
    coverage = min(1.0, len(wanted) / len(set(tokens)))
    return mean * (1 - COVERAGE_BONUS + COVERAGE_BONUS * coverage)


def rank(texts: pl.DataFrame, query: str, limit: int = 10) -> list[Match]:
    """The facilities whose texts (columns facility_id, field, text, risk_score, optionally
    country_code: `_readings`) best match `query`,
    best first, at most `limit`, none below `MIN_SCORE`."""
    wanted = query_tokens(query)
    if not any(wanted.values()) or texts.is_empty():
        return []
    tokenised = _readings(texts)
    vocabulary = tokenised["tokens"].explode().drop_nulls().unique().to_list()
    joined = {field: ("".join(words),) if len(words) > 1 else () for field, words in wanted.items()}
    similar = {
        w: _token_similarity(w, vocabulary)
        for source in (wanted, joined)
        for words in source.values()
        for w in words
    }
    near = {word for scores in similar.values() for word in scores}
    candidates = tokenised.filter(pl.col("tokens").list.eval(pl.element().is_in(list(near))).list.any())
    best: dict[str, tuple[float, float, str, str]] = {}
    for row in candidates.iter_rows(named=True):
        field = row["field"]
        tokens = tuple(row["tokens"])
        fit = max(_text_score(words[field], tokens, similar, field) for words in (wanted, joined))
        score = 100 * FIELD_WEIGHTS[field] * fit
        key = (round(score, 6), row["risk_score"] or -1.0, field, row["text"])
        if row["facility_id"] not in best or key > best[row["facility_id"]]:
            best[row["facility_id"]] = key
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [
        Match(facility_id, round(score, 1), field, text)
        for facility_id, (score, _, field, text) in ranked
        if score >= MIN_SCORE
    ][:limit]


def exact_identifier(texts: pl.DataFrame, query: str) -> list[Match]:
    """Facilities whose facility id, one of whose OS IDs, or the id of a facility merged into which is
    exactly `query` (case-insensitive)."""
    wanted = query.strip().upper()
    identifier = pl.col("field").is_in(["os id", "former id"]) & (pl.col("text").str.to_uppercase() == wanted)
    found = texts.filter((pl.col("facility_id") == wanted) | identifier)
    former = set(found.filter(pl.col("field") == "former id")["facility_id"].to_list())
    ids = sorted(set(found["facility_id"].to_list()))
    return [Match(f, 100.0, "former id" if f in former else "id", wanted) for f in ids]
